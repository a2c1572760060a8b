"""Programme and recipient pushes (`program-bantuan`, `program-bantuan/peserta`) as OpenSID
2508 sends them: Guzzle multipart of `file` (a CI_Zip) and `desa_id`."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import traceback
import zipfile
from datetime import date, timedelta

import pytest

from collectors.opendk import (
    PushError,
    bantuan_result,
    read_peserta_bantuan,
    read_program_bantuan,
    refusal,
    stored_programmes,
    success,
)
from tests import opendk_sender as sender
from warehouse.values import MeasurementRow

STEM = "program_bantuan_20_08_2026_opendk_20_08_2026.zip"
FORM = {"desa_id": sender.KODE_DESA}


def request_parts(zip_bytes: bytes, zip_name: str, kode: str = sender.KODE_DESA):
    """The form fields and file bytes a Flask route gets from OpenSID's Guzzle request."""
    headers, body = sender.guzzle_upload(zip_bytes, zip_name, kode)
    assert headers["X-Requested-With"] == "XMLHttpRequest"
    form, files = sender.parse_multipart(headers["Content-Type"], body)
    filename, data = files["file"]
    assert filename == zip_name and data == zip_bytes
    return form, data


@pytest.fixture(scope="module")
def programmes():
    return sender.fake_programmes(people=sender.residents(150))


@pytest.fixture(scope="module")
def pushed(programmes):
    form, data = request_parts(sender.program_bantuan_zip(programmes), STEM)
    first = read_program_bantuan(data, form, expected="17.03.06.2001")
    form, data = request_parts(sender.peserta_bantuan_zip(programmes),
                               "peserta_bantuan_opendk_20_08_2026.zip")  # fmt: skip
    second = read_peserta_bantuan(data, form, expected="17.03.06.2001")
    return first, second


def test_programmes_arrive_with_their_own_dates(programmes, pushed):
    first, _ = pushed
    assert first.kode_desa == "17.03.06.2001"
    got = {p.id: p for p in first.programmes}
    assert list(got) == [str(p.id) for p in programmes]
    for p in programmes:
        mine = got[str(p.id)]
        assert (mine.nama, mine.sasaran, mine.asal_dana) == (p.nama, p.sasaran, p.asaldana)
        # sent as UTC (2024-12-31T17:00:00.000000Z for 2025-01-01), read back as the day itself
        assert mine.mulai == (p.sdate.isoformat() if p.sdate else None)
        assert mine.selesai == (p.edate.isoformat() if p.edate else None)
        assert mine.status == (1 if p.status else 0)


def test_the_sent_dates_are_utc_evenings():
    rows = sender.programme_rows(
        [sender.Programme(1, "X", 1, date(2025, 1, 1), None)], today=sender.SENT_ON
    )
    assert rows[0]["sdate"] == "2024-12-31T17:00:00.000000Z"


@pytest.mark.parametrize("hours", [7, 8, 9, 0])
def test_dates_of_every_indonesian_time_zone_come_back(hours):
    programmes = [sender.Programme(1, "BLT", 1, date(2025, 1, 1), date(2025, 12, 31))]
    rows = sender.programme_rows(programmes, today=sender.SENT_ON, offset=timedelta(hours=hours))
    zipped = sender.ci_zip([("p.xlsx", sender.openspout_xlsx(rows))])
    (got,) = read_program_bantuan(zipped, {"desa_id": sender.KODE_DESA}).programmes
    assert (got.mulai, got.selesai) == ("2025-01-01", "2025-12-31")


def test_recipients_are_counted_distinct_per_programme(programmes, pushed):
    first, second = pushed
    want = {str(p.id): len({r["peserta"] for r in p.recipients}) for p in programmes}
    assert second.recipients == {k: v for k, v in want.items() if v}
    assert second.rows == sum(len(p.recipients) for p in programmes)
    # a family carded twice in programme 2 is one recipient
    pkh = next(p for p in programmes if p.id == 2)
    assert len(pkh.recipients) == want["2"] + 1
    result = bantuan_result(first, second)
    assert result.dataset == "bantuan" and result.status == "ok" and result.warning is None
    got = {r.kode: r for r in result.data}
    assert {k: r.nilai for k, r in got.items()} == {k: float(v) for k, v in want.items()}
    assert got["6"].nilai == 0.0  # a programme with no recipient is still a programme
    assert {r.ukuran for r in result.data} == {"peserta"}
    assert got["4"].atribut == {"sasaran": 3, "asal_dana": "APBD Kabupaten",
                                "mulai": "2026-01-01", "selesai": None}  # fmt: skip
    assert got["3"].label == 'BPNT, "Sembako"'


def test_recipients_of_an_unlisted_programme_are_named_not_counted(programmes, pushed):
    first, second = pushed
    only_some = type(first)(first.kode_desa, first.programmes[:2])
    result = bantuan_result(only_some, second)
    assert {r.kode for r in result.data} == {"1", "2"}
    assert "programme id(s) 3, 4, 5" in result.warning


def test_empty_exports_are_empty_not_errors():
    form, data = request_parts(sender.program_bantuan_zip([]), STEM)
    assert read_program_bantuan(data, form).programmes == ()
    form, data = request_parts(sender.peserta_bantuan_zip([]),
                               "peserta_bantuan_opendk_20_08_2026.zip")  # fmt: skip
    nobody = read_peserta_bantuan(data, form)
    assert (nobody.recipients, nobody.rows) == ({}, 0)


def test_digits_only_desa_id_is_the_same_village(programmes):
    data = sender.program_bantuan_zip(programmes)
    assert read_program_bantuan(data, {"desa_id": "1703062001"}).kode_desa == "17.03.06.2001"


def test_another_village_is_refused(programmes):
    data = sender.program_bantuan_zip(programmes)
    with pytest.raises(PushError) as caught:
        read_program_bantuan(data, {"desa_id": sender.KODE_DESA}, expected="17.03.06.2002")
    assert caught.value.code == "push.village.mismatch"
    other = sender.program_bantuan_zip(programmes, kode="17.03.06.2002")
    with pytest.raises(PushError) as caught:
        read_program_bantuan(other, {"desa_id": sender.KODE_DESA})
    assert (caught.value.code, caught.value.params["row"]) == ("push.village.mixed", 2)
    with pytest.raises(PushError) as caught:
        read_program_bantuan(data, {"desa_id": "52.01"})
    assert caught.value.code == "push.village.invalid"
    with pytest.raises(PushError) as caught:
        read_program_bantuan(data, {})
    assert caught.value.code == "push.village.missing"


def test_a_bad_programme_row_names_row_and_column(programmes):
    rows = sender.programme_rows(programmes, today=sender.SENT_ON)
    rows[2]["sasaran"] = 7
    zipped = sender.ci_zip([("p.xlsx", sender.openspout_xlsx(rows))])
    with pytest.raises(PushError) as caught:
        read_program_bantuan(zipped, {"desa_id": sender.KODE_DESA})
    assert caught.value.text() == (
        "village 17.03.06.2001, program-bantuan push: row 4, column sasaran: 7 is not one of "
        "1, 2, 3, 4"
    )
    rows[2]["sasaran"] = 1
    rows[3]["id"] = rows[1]["id"]
    zipped = sender.ci_zip([("p.xlsx", sender.openspout_xlsx(rows))])
    with pytest.raises(PushError) as caught:
        read_program_bantuan(zipped, {"desa_id": sender.KODE_DESA})
    assert caught.value.params == {"row": 5, "column": "id", "value": "2", "first": 3}


def test_the_answers_are_opendks(programmes):
    assert success("program-bantuan") == (
        200, {"message": "Data Bantuan Sedang di Sinkronkan", "status": "success"}
    )  # fmt: skip
    assert list(success("program-bantuan/peserta")[1]) == ["status", "message"]
    with pytest.raises(PushError) as caught:
        read_program_bantuan(b"not a zip", {"desa_id": sender.KODE_DESA})
    status, body = refusal("program-bantuan", caught.value)
    assert status == 200 and body == {
        "status": "danger",
        "message": "unggahan bukan arsip zip yang dapat dibaca (no zip signature)",
    }


# ----------------------------------------------------------------- no personal data anywhere


def personal_values(programmes) -> set[str]:
    values = set()
    for p in programmes:
        for r in p.recipients:
            for f in ("peserta", "no_id_kartu", "kartu_nik", "kartu_nama", "kartu_tempat_lahir",
                      "kartu_tanggal_lahir", "kartu_alamat", "kartu_peserta"):  # fmt: skip
                if r.get(f) and len(str(r[f])) >= 6:
                    values.add(str(r[f]))
    return values


def test_no_recipient_data_in_results_errors_or_logs(programmes, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = personal_values(programmes)
    assert len(secrets) > 50
    form, data = request_parts(sender.peserta_bantuan_zip(programmes),
                               "peserta_bantuan_opendk_20_08_2026.zip")  # fmt: skip
    push = read_peserta_bantuan(data, form)
    first = read_program_bantuan(sender.program_bantuan_zip(programmes), form)
    hay = repr(push) + repr(bantuan_result(first, push))
    # a refused file: one recipient row of another village, one without peserta
    rows = sender.recipient_rows(programmes)
    rows[5]["desa_id"] = "17.03.06.2002"
    bad = sender.ci_zip([("x.csv", sender.openspout_csv(rows))])
    rows2 = sender.recipient_rows(programmes)
    rows2[9]["peserta"] = None
    bad2 = sender.ci_zip([("x.csv", sender.openspout_csv(rows2))])
    for upload in (bad, bad2):
        with pytest.raises(PushError) as caught:
            read_peserta_bantuan(upload, form)
        hay += caught.value.text("en") + caught.value.text("id")
        hay += "".join(traceback.format_exception(caught.value))
    assert "row 7" in hay and "column peserta" in hay
    hay += "\n".join(r.getMessage() for r in caplog.records)
    leaked = sorted(v for v in secrets if v in hay)
    assert leaked == []


def test_an_xlsx_saved_by_another_writer_reads_the_same(programmes):
    """Other parts, part order and attributes (openpyxl's), as a re-saved file has."""
    from openpyxl import Workbook

    rows = sender.programme_rows(programmes, today=sender.SENT_ON)
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    saved = io.BytesIO()
    book.save(saved)
    theirs = read_program_bantuan(sender.ci_zip([("p.xlsx", saved.getvalue())]), FORM)
    ours = read_program_bantuan(sender.program_bantuan_zip(programmes), FORM)
    assert theirs == ours
    # the same sheet with its strings in a shared string table (as Excel saves it)
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    inline = sender.openspout_sheet(sender.fastexcel_rows(rows)).decode()
    strings: list[str] = []

    def shared(match: re.Match) -> str:
        strings.append(match.group(2))
        return f'{match.group(1)} t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'(<c r="\w+" s="0") t="inlineStr"><is><t>(.*?)</t></is></c>', shared, inline)
    sst = "".join(f"<si><t>{t}</t></si>" for t in strings)
    book_bytes = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(sender.openspout_xlsx(rows))) as src,
        zipfile.ZipFile(book_bytes, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            elif info.filename == "xl/sharedStrings.xml":
                data = f'<sst {ns} count="{len(strings)}">{sst}</sst>'.encode()
            out.writestr(info.filename, data)
    assert 't="s"' in sheet and strings
    shared_push = read_program_bantuan(sender.ci_zip([("p.xlsx", book_bytes.getvalue())]), FORM)
    assert shared_push == ours


def test_the_programme_push_keeps_stored_counts_until_recipients_arrive(pushed):
    first, second = pushed
    stored = [
        MeasurementRow("peserta", 12.0, "1", "BLT (lama)", atribut={"sasaran": 1}),
        MeasurementRow("peserta", 4.0, "99", "Dihapus", atribut={"sasaran": 2}),
    ]
    result = bantuan_result(first, current=stored)
    got = {r.kode: r.nilai for r in result.data}
    assert got == {"1": 12.0, "2": None, "3": None, "4": None, "5": None, "6": None}
    # the stored rows say enough to count the recipients against
    known = stored_programmes(first.kode_desa, result.data)
    assert known == first.__class__(
        first.kode_desa, tuple(dataclasses.replace(p, status=None) for p in first.programmes)
    )
    counted = bantuan_result(known, second)
    assert [r.nilai for r in counted.data] == [r.nilai for r in bantuan_result(first, second).data]
