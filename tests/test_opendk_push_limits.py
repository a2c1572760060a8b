"""Any size or shape of upload is refused cleanly, fast and in bounded memory: zip bombs,
lying zip headers, too many entries, XML entity attacks, huge tokens, rows and cells."""

from __future__ import annotations

import io
import random
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest

from collectors.opendk import (
    PushError,
    read_pembangunan,
    read_penduduk,
    read_peserta_bantuan,
    read_program_bantuan,
)
from collectors.opendk.limits import Limits
from tests import opendk_sender as sender

ON = sender.SENT_ON
FORM = {"desa_id": sender.KODE_DESA}
MIB = 1024 * 1024


def refused(call, *args, seconds: float = 3.0, peak_mib: float = 64.0, **kw) -> PushError:
    """The PushError a call raises, checked to come fast (CPU time: other processes on the
    machine do not count) and within a memory bound (tracemalloc, which slows Python down)."""
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(PushError) as caught:
            call(*args, **kw)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.process_time() - started
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < peak_mib * MIB, f"peak {peak / MIB:.0f} MiB"
    return caught.value


def deflated(data: bytes) -> bytes:
    return zlib.compress(data, 9)[2:-4]


def raw_zip(name: str, packed: bytes, *, size: int, crc: int, method: int = 8,
            flags: int = 0) -> bytes:  # fmt: skip
    """One entry with whatever header values a hostile sender writes."""
    fname = name.encode()
    head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0, crc, len(packed),
                       size, len(fname), 0)  # fmt: skip
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0, crc,
                          len(packed), size, len(fname), 0, 0, 0, 0, 32, 0)  # fmt: skip
    body = head + fname + packed
    cd = central + fname
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(cd), len(body), 0)
    return body + cd + end


ZEROS = 300 * MIB  # inflates from about 300 KB


@pytest.fixture(scope="module")
def bomb_data():
    return deflated(bytes(ZEROS))


def test_an_honest_zip_bomb_is_refused_before_inflating(bomb_data):
    upload = raw_zip("penduduk.xlsx", bomb_data, size=ZEROS, crc=0)
    error = refused(read_penduduk, upload, on=ON, peak_mib=8)
    assert error.code == "push.zip.member_too_large"
    assert error.params["size"] == ZEROS
    # under the size limit but 1000:1
    error = refused(read_penduduk, upload, on=ON, limits=Limits(member_bytes=ZEROS,
                    xlsx_bytes=ZEROS), peak_mib=8)  # fmt: skip
    assert (error.code, error.params["limit"]) == ("push.zip.ratio", 200)


def test_a_lying_zip_header_inflates_no_further_than_it_says(bomb_data):
    """The entry says 1 KiB; zipfile stops there and the CRC check fails."""
    upload = raw_zip("pembangunan.csv", bomb_data, size=1024, crc=12345)
    error = refused(read_pembangunan, upload, FORM, peak_mib=8)
    assert (error.code, error.params) == ("push.zip.invalid", {"detail": "damaged entry"})


def test_an_xlsx_bomb_inside_the_zip(bomb_data):
    inner = raw_zip("xl/worksheets/sheet1.xml", bomb_data, size=ZEROS, crc=0)
    upload = sender.ci_zip([("penduduk_opendk_20_08_2026.xlsx", inner)])
    error = refused(read_penduduk, upload, on=ON, peak_mib=16)
    assert error.code in ("push.zip.member_too_large", "push.xlsx.invalid")


def test_too_many_entries_are_refused_before_parsing_the_directory():
    many = [(f"foto_{i}.jpg", b"x") for i in range(2500)]
    upload = sender.ci_zip([*many, ("pembangunan_20_08_2026.csv", b"id\n")])
    error = refused(read_pembangunan, upload, FORM)
    assert (error.code, error.params) == ("push.zip.too_many_members", {"n": 2501, "limit": 2000})
    # an end record claiming 60,000 entries, no directory at all
    fake = b"PK\x03\x04" + bytes(100) + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 60000,
                                                    60000, 10, 0, 0)  # fmt: skip
    assert refused(read_pembangunan, fake, FORM).code == "push.zip.too_many_members"


def test_encrypted_and_exotic_entries_are_refused():
    data = b"id,desa_id\n1,17.03.06.2001\n"
    encrypted = raw_zip("p.csv", deflated(data), size=len(data), crc=zlib.crc32(data), flags=1)
    assert refused(read_pembangunan, encrypted, FORM).code == "push.zip.encrypted"
    bz = io.BytesIO()
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("p.csv", data)
    assert refused(read_pembangunan, bz.getvalue(), FORM).code == "push.zip.method"


@pytest.mark.parametrize(
    "upload",
    [b"", b"PK", b"PK\x03\x04garbage", b"%PDF-1.4 not a zip", b"PK\x05\x06" + bytes(18)],
)
def test_garbage_is_refused(upload):
    error = refused(read_pembangunan, upload, FORM)
    assert error.code in ("push.zip.invalid", "push.upload.missing", "push.zip.no_data_file")


def test_a_truncated_zip_is_refused():
    whole = sender.pembangunan_zip([sender.Project(1, "Jalan", "2026", 1e6)])
    assert refused(read_pembangunan, whole[: len(whole) // 2], FORM).code == "push.zip.invalid"


def test_an_upload_over_the_limit_is_refused_unread():
    error = refused(read_pembangunan, bytes(21 * MIB), FORM, peak_mib=4)
    assert error.code == "push.upload.too_large"


# ----------------------------------------------------------------- XML attacks

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">'
        for i in range(10)
    )  # fmt: skip
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
).encode()
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row></sheetData></worksheet>'
)


def xlsx_upload(sheet: bytes) -> bytes:
    return sender.ci_zip([("p.xlsx", sender.openspout_xlsx([], sheet_xml=sheet))])


@pytest.mark.parametrize("sheet", [LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_entities_are_never_declared(sheet):
    error = refused(read_penduduk, xlsx_upload(sheet), on=ON, seconds=1, peak_mib=16)
    assert (error.code, error.params) == ("push.xml.doctype", {"part": "xl/worksheets/sheet1.xml"})
    error = refused(read_program_bantuan, xlsx_upload(sheet), FORM, seconds=1, peak_mib=16)
    assert error.code == "push.xml.doctype"


def test_entities_in_other_parts_are_refused_too():
    parts = io.BytesIO()
    original = zipfile.ZipFile(io.BytesIO(sender.openspout_xlsx([{"id": 1}])))
    with zipfile.ZipFile(parts, "w", zipfile.ZIP_DEFLATED) as z:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/workbook.xml":
                data = LAUGHS.replace(b"<sheetData>", b"<sheets>", 1)
            z.writestr(info.filename, data)
    error = refused(read_program_bantuan, sender.ci_zip([("p.xlsx", parts.getvalue())]), FORM)
    assert (error.code, error.params["part"]) == ("push.xml.doctype", "xl/workbook.xml")


def sheet_of(rows_xml: str, dimension: str = "A1:AP2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="' + dimension
        + '"/><sheetData>' + rows_xml + "</sheetData></worksheet>"
    ).encode()  # fmt: skip


def test_a_huge_declared_dimension_costs_nothing():
    people = sender.residents(20)
    table = sender.fastexcel_rows([p.row for p in people])
    sheet = sender.openspout_sheet(table).replace(b'ref="A1:AP21"', b'ref="A1:XFD1048576"')
    push = read_penduduk(xlsx_upload(sheet), on=ON)
    assert push.residents == 20


def test_a_cell_beyond_the_columns_is_refused():
    sheet = sheet_of('<row r="1"><c r="A1" t="inlineStr"><is><t>desa_id</t></is></c>'
                     '<c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>')  # fmt: skip
    error = refused(read_penduduk, xlsx_upload(sheet), on=ON)
    assert (error.code, error.params) == ("push.table.too_many_columns", {"row": 1, "limit": 64})


# repetitive test data inflates far beyond the ratio bound, which would refuse it first
NO_RATIO = Limits(ratio=10**9)


def test_a_token_longer_than_the_bound_is_refused():
    """Text expat would buffer whole (outside any cell, or an attribute) is bounded too."""
    sheet = sheet_of(f'<row r="1">{"x" * 3 * MIB}</row>')
    error = refused(read_penduduk, xlsx_upload(sheet), on=ON, limits=NO_RATIO, peak_mib=40)
    assert (error.code, error.params["limit"]) == ("push.xml.token", MIB)
    attribute = sheet_of(f'<row r="1" spans="{"1" * 2 * MIB}"></row>')
    error = refused(read_penduduk, xlsx_upload(attribute), on=ON, limits=NO_RATIO, peak_mib=40)
    assert error.code == "push.xml.token"
    assert refused(read_penduduk, xlsx_upload(sheet), on=ON).code == "push.zip.ratio"


def test_a_cell_longer_than_excel_allows_is_refused():
    sheet = sheet_of(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>')
    error = refused(read_penduduk, xlsx_upload(sheet), on=ON)
    assert (error.code, error.params) == ("push.table.cell_too_long", {"row": 1, "limit": 32767})


def test_too_many_rows_are_refused_as_they_stream():
    people = sender.residents(60)
    upload = sender.penduduk_zip(people)
    error = refused(read_penduduk, upload, on=ON, limits=Limits(rows=50))
    assert (error.code, error.params) == ("push.table.too_many_rows", {"limit": 50})
    empty_rows = "".join(f'<row r="{i}"/>' for i in range(1, 30_010))  # rows of no cells count
    error = refused(read_penduduk, xlsx_upload(sheet_of(empty_rows)), on=ON,
                    limits=Limits(rows=30_000))  # fmt: skip
    assert (error.code, error.params) == ("push.table.too_many_rows", {"limit": 30_000})


def test_not_well_formed_xml_is_refused():
    error = refused(read_penduduk, xlsx_upload(b"<worksheet><sheetData><row>"), on=ON)
    assert error.code == "push.xml.invalid"


# ----------------------------------------------------------------- CSV


def csv_upload(text: str) -> bytes:
    return sender.ci_zip([("peserta_bantuan_opendk_20_08_2026.csv", text.encode())])


def test_a_csv_record_spanning_endless_lines_is_refused():
    """Quoted fields may span lines: one record of 12 fields of 100 lines each (1.2 MB, every
    field under the csv module's own bound) is refused once it passes 1 MiB."""
    field = '"' + ("a" * 999 + "\n") * 100 + '"'
    text = "desa_id,id,peserta,program_id\n17.03.06.2001,1," + ",".join([field] * 12) + ",1\n"
    error = refused(read_peserta_bantuan, csv_upload(text), FORM, limits=NO_RATIO, peak_mib=40)
    assert (error.code, error.params) == ("push.table.record_too_long", {"row": 2, "limit": MIB})


def test_a_csv_field_over_the_csv_modules_bound_is_refused():
    text = 'desa_id,id,peserta,program_id\n17.03.06.2001,1,"' + "a\n" * 100_000 + '",1\n'
    error = refused(read_peserta_bantuan, csv_upload(text), FORM, limits=NO_RATIO)
    assert (error.code, error.params) == ("push.table.cell_too_long", {"row": 2, "limit": 131072})


def test_a_csv_row_of_many_fields_is_refused():
    text = "desa_id,id,peserta,program_id\n" + "," * 100 + "\n"
    error = refused(read_peserta_bantuan, csv_upload(text), FORM)
    assert (error.code, error.params) == ("push.table.too_many_columns", {"row": 2, "limit": 64})


def test_a_csv_that_is_not_utf8_is_refused():
    data = "desa_id,id,peserta,program_id\n17.03.06.2001,1,ÄÖ,1\n".encode("latin-1")
    upload = sender.ci_zip([("p.csv", data)])
    assert refused(read_peserta_bantuan, upload, FORM).code == "push.csv.encoding"


def test_too_many_recipient_rows_are_refused():
    lines = "".join(f"17.03.06.2001,{i},{i},1\n" for i in range(300))
    upload = csv_upload("desa_id,id,peserta,program_id\n" + lines)
    error = refused(read_peserta_bantuan, upload, FORM, limits=Limits(rows=200))
    assert error.code == "push.table.too_many_rows"


# ----------------------------------------------------------------- a big real village


@pytest.fixture(scope="module")
def large_village():
    people = sender.residents(10_000, seed=11)
    return people, sender.penduduk_zip(people)


def test_a_large_village_is_read_in_seconds(large_village):
    people, upload = large_village
    started = time.process_time()
    push = read_penduduk(upload, on=ON)
    assert time.process_time() - started < 10
    assert push.residents == len(people)


def test_memory_does_not_grow_with_the_residents(large_village):
    """Rows are counted and let go: beyond the upload itself (and the XLSX inflated from
    it), memory stays at a chunk, a row and the counters, for 500 or 5,000 residents."""
    people, _ = large_village
    small, upload = sender.penduduk_zip(people[:500]), sender.penduduk_zip(people[:5000])

    def peak(data: bytes) -> int:
        tracemalloc.start()
        read_penduduk(data, on=ON)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top - 2 * len(data)  # the upload's bytes and the XLSX read out of it

    small_peak, large_peak = peak(small), peak(upload)
    assert len(upload) > 8 * len(small)
    assert large_peak < small_peak + 2 * MIB, (small_peak / MIB, large_peak / MIB)


# ----------------------------------------------------------------- nothing but PushError


def _mangled(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        kind = rng.random()
        at = rng.randrange(len(out))
        if kind < 0.5:
            out[at] = rng.randrange(256)
        elif kind < 0.7:
            del out[at : at + rng.randint(1, 64)]
        elif kind < 0.9:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            out = out[: at + 1]
    return bytes(out)


def _inner_mangled(zip_bytes: bytes, rng: random.Random) -> bytes:
    """The data file inside OpenSID's zip mangled, the zip itself intact."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        entries = [(i.filename, z.read(i)) for i in z.infolist()]
    name, data = entries[-1]
    return sender.ci_zip([*entries[:-1], (name, _mangled(data, rng))])


def test_mangled_payloads_only_ever_raise_push_errors():
    """Byte flips, cuts and insertions in every kind of upload, outside and inside the zip:
    each is read or refused with a PushError, never another exception."""
    rng = random.Random(2508)
    people = sender.residents(25)
    programmes = sender.fake_programmes(people=people)
    cases = [
        (lambda d: read_penduduk(d, on=ON), sender.penduduk_zip(people)),
        (lambda d: read_program_bantuan(d, FORM), sender.program_bantuan_zip(programmes)),
        (lambda d: read_peserta_bantuan(d, FORM), sender.peserta_bantuan_zip(programmes)),
        (lambda d: read_pembangunan(d, FORM),
         sender.pembangunan_zip([sender.Project(1, "Jalan", "2026", 1e6, foto="a.jpg")])),
    ]  # fmt: skip
    outcomes = {"read": 0, "refused": 0}
    for read, good in cases:
        for i in range(150):
            data = _mangled(good, rng) if i % 2 else _inner_mangled(good, rng)
            try:
                read(data)
                outcomes["read"] += 1
            except PushError:
                outcomes["refused"] += 1
    assert outcomes["refused"] > 300 and outcomes["read"] > 10, outcomes


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "٣", "²", 1e300, float("inf"), -1, True, "1e400", " ", "0x10", 2**70],
    ids=["5000 digits", "arabic-indic 3", "superscript 2", "1e300", "inf", "-1", "bool",
         "1e400", "blank", "hex", "2**70"],
)  # fmt: skip
def test_hostile_cell_values_are_refused_or_read(value):
    """Values no OpenSID writes, in coded, date and village cells: read or refused by code,
    never an exception of the parser (push.internal would be one caught)."""
    people = sender.residents(40)
    for column in ("agama", "status_dasar", "jenis_kelamin", "tanggal_lahir", "desa_id"):
        rows = [dict(p.row) for p in people]
        rows[1][column] = value
        upload = sender.ci_zip([("p.xlsx", sender.openspout_xlsx(rows))])
        try:
            read_penduduk(upload, on=ON)
        except PushError as error:
            assert error.code != "push.internal", (column, error.params)
    for column in ("id", "sasaran", "sdate", "desa_id"):
        rows = sender.programme_rows(sender.fake_programmes(people=people), today=ON)
        rows[1][column] = value
        upload = sender.ci_zip([("p.xlsx", sender.openspout_xlsx(rows))])
        try:
            read_program_bantuan(upload, FORM)
        except PushError as error:
            assert error.code != "push.internal", (column, error.params)
