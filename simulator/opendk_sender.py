"""OpenSID 2508's "Sinkronisasi ke OpenDK" requests, rebuilt byte for byte (tests, demo).

Re-created from the facts in ../shared/domain/opensid-opendk-sync.md (no OpenSID code): the
encoders OpenSID uses (FastExcel 5.5 over OpenSpout 4.25 for XLSX and CSV, CodeIgniter's
CI_Zip, Guzzle's multipart stream, libcurl's multipart, PHP's http_build_query and
json_encode) and the rows each export builds (column names and order, types, the UTC dates of
programmes, the placeholder row of an empty export, the literal "RT  / RW  - " of projects).
The residents and recipients are fake (simulator.people: NIKs with a 9xxx serial).
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote_plus
from xml.sax.saxutils import escape

from simulator.people import person

KODE_DESA = "17.03.06.2001"  # Talang Jambu, Kerkap (in the registry)
SENT_AT = datetime(2026, 8, 20, 9, 41, 7)  # local time of the village (WIB)
SENT_ON = SENT_AT.date()
WIB = timedelta(hours=7)


# ------------------------------------------------------------------ PHP values


def php_string(value: object) -> str:
    """How PHP turns a scalar into text (CSV cells, numeric XLSX cells)."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace("e+", "E+").replace("e-", "E-")
    return "" if value is None else str(value)


def fastexcel_rows(rows: list[dict]) -> list[list[object]]:
    """FastExcel's header (the first row's keys) and rows: when any value of the first row is
    not a string, null becomes '' and any value neither string, int nor float is dropped,
    shifting the cells after it."""
    if not rows:
        return []
    header: list[object] = list(rows[0].keys())
    convert = any(not isinstance(v, str) for v in rows[0].values())
    out = [header]
    for row in rows:
        values = list(row.values())
        if convert:
            values = ["" if v is None else v for v in values]
            values = [v for v in values if isinstance(v, str | float) or type(v) is int]
        out.append(values)
    return out


# ------------------------------------------------------------------ OpenSpout XLSX and CSV


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(value: str) -> str:
    return escape(value, {'"': "&quot;", "'": "&#039;"})


def openspout_sheet(table: list[list[object]]) -> bytes:
    """sheet1.xml as OpenSpout writes it: inline strings, numbers as <v>, empty cells left
    out, an all-empty row not written but counted, the dimension over every row."""
    rows_xml = []
    width = max((len(r) for r in table), default=1)
    for index, values in enumerate(table, start=1):
        cells = []
        for col, value in enumerate(values):
            ref = f"{_column_letters(col)}{index}"
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" s="0" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}" s="0"><v>{php_string(value)}</v></c>')
            elif value.startswith("="):
                cells.append(f'<c r="{ref}" s="0"><f>{_xml_text(value[1:])}</f></c>')
            else:
                text = _xml_text(value)
                cells.append(f'<c r="{ref}" s="0" t="inlineStr"><is><t>{text}</t></is></c>')
        if cells:
            rows_xml.append(
                f'<row r="{index}" spans="1:{len(values)}" customHeight="0">{"".join(cells)}</row>'
            )
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    )
    dimension = f'<dimension ref="A1:{_column_letters(width - 1)}{len(table)}"/>'
    tail = (
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<legacyDrawing r:id="rId_comments_vml1"/></worksheet>'
    )
    body = f'{head}{dimension}<sheetFormatPr defaultRowHeight="15"/><sheetData>'
    return (body + "".join(rows_xml) + "</sheetData>" + tail).encode()


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def openspout_xlsx(rows: list[dict], *, sheet_xml: bytes | None = None) -> bytes:
    """An XLSX as FastExcel + OpenSpout export it: one sheet `Sheet1`, the parts in
    OpenSpout's order ([Content_Types].xml, workbook and styles first), empty shared strings
    and comment parts."""
    sheet = sheet_xml if sheet_xml is not None else openspout_sheet(fastexcel_rows(rows))
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = {
        "[Content_Types].xml": decl
        + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default ContentType="application/xml" Extension="xml"/>'
            '<Default ContentType="application/vnd.openxmlformats-package.relationships+xml" '
            'Extension="rels"/>'
            '<Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.sheet.main+xml" PartName="/xl/workbook.xml"/>'
            '<Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml" PartName="/xl/worksheets/sheet1.xml"/></Types>'
        ),
        "xl/workbook.xml": decl
        + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><bookViews><workbookView/></bookViews>'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rIdSheet1"/></sheets></workbook>'
        ),
        "xl/styles.xml": decl
        + (
            f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="12"/>'
            '<name val="Calibri"/></font></fonts><cellXfs count="1"><xf fontId="0"/></cellXfs>'
            "</styleSheet>"
        ),
        "docProps/app.xml": decl + "<Properties><Application>OpenSpout</Application></Properties>",
        "docProps/core.xml": decl + '<cp:coreProperties xmlns:cp="urn:x"/>',
        "_rels/.rels": decl
        + (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rIdWorkbook" '
            f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?>\n'
        + (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rIdStyles" Target="styles.xml" Type="{_DOC}/styles"/>'
            f'<Relationship Id="rIdSharedStrings" Target="sharedStrings.xml" '
            f'Type="{_DOC}/sharedStrings"/>'
            f'<Relationship Id="rIdSheet1" Target="worksheets/sheet1.xml" Type="{_DOC}/worksheet"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": decl + f'<sst xmlns="{_MAIN}" count="0" uniqueCount="0"></sst>',
        "xl/worksheets/_rels/sheet1.xml.rels": decl + f'<Relationships xmlns="{_RELS}"/>',
        "xl/comments1.xml": decl + f'<comments xmlns="{_MAIN}"><authors/><commentList/></comments>',
        "xl/drawings/vmlDrawing1.vml": '<xml xmlns:v="urn:schemas-microsoft-com:vml"></xml>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
            if name == "xl/styles.xml":
                z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _fputcsv_field(text: str) -> str:
    if any(ch in text for ch in ',"\n\r\t '):
        return '"' + text.replace('"', '""') + '"'
    return text


def openspout_csv(rows: list[dict], *, fields: list[str] | None = None) -> bytes:
    """A CSV as FastExcel + OpenSpout export it: UTF-8 BOM, `,` and `"`, PHP fputcsv quoting
    (a field with , " space tab CR or LF is quoted, " doubled, no escape char), `\\n`.
    With `fields` and no rows: OpenSID's empty export, the header and one all-empty row."""
    if not rows and fields is not None:
        rows = [dict.fromkeys(fields, "")]
    lines = [",".join(_fputcsv_field(php_string(v)) for v in r) for r in fastexcel_rows(rows)]
    return ("\ufeff" + "".join(line + "\n" for line in lines)).encode()


# ------------------------------------------------------------------ CI_Zip


def _dos_time(moment: datetime) -> tuple[int, int]:
    mtime = (moment.hour << 11) + (moment.minute << 5) + moment.second // 2
    mdate = ((moment.year - 1980) << 9) + (moment.month << 5) + moment.day
    return mtime, mdate


def ci_zip(entries: list[tuple[str, bytes]], *, now: datetime = SENT_AT) -> bytes:
    """CodeIgniter 3's CI_Zip: deflate at level 2 (gzcompress without its zlib header and
    trailer), entries under their base name, version-made-by 0, external attributes 32, the
    DOS time of when the object was made, no data descriptors, extras or directories."""
    mtime, mdate = _dos_time(now)
    data, directory = b"", b""
    for path, content in entries:
        name = re.sub(r".*/(.+)", r"\1", path.replace("\\", "/")).encode()
        crc = zlib.crc32(content)
        packed = zlib.compress(content, 2)[2:-4]
        data_offset = len(data)
        sizes = crc.to_bytes(4, "little") + len(packed).to_bytes(4, "little") + \
            len(content).to_bytes(4, "little")  # fmt: skip
        data += (
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00"
            + mtime.to_bytes(2, "little") + mdate.to_bytes(2, "little") + sizes
            + len(name).to_bytes(2, "little") + b"\x00\x00" + name + packed
        )  # fmt: skip
        directory += (
            b"PK\x01\x02\x00\x00\x14\x00\x00\x00\x08\x00"
            + mtime.to_bytes(2, "little") + mdate.to_bytes(2, "little") + sizes
            + len(name).to_bytes(2, "little") + b"\x00\x00" * 4
            + (32).to_bytes(4, "little") + data_offset.to_bytes(4, "little") + name
        )  # fmt: skip
    count = len(entries).to_bytes(2, "little")
    footer = (
        b"PK\x05\x06\x00\x00\x00\x00" + count + count
        + len(directory).to_bytes(4, "little") + len(data).to_bytes(4, "little") + b"\x00\x00"
    )  # fmt: skip
    return data + directory + footer


def namafile(stem: str, when: datetime = SENT_AT) -> str:
    """OpenSID's namafile(): the slug and the local date d_m_Y."""
    return f"{stem}_{when:%d_%m_%Y}"


# ------------------------------------------------------------------ HTTP bodies


def guzzle_multipart(
    parts: list[tuple[str, bytes | str, str | None]], boundary: str = "a1" * 20
) -> tuple[str, bytes]:
    """Guzzle 7 / psr7 MultipartStream: (name, contents, filename) parts; a file part has
    Content-Disposition, Content-Length and Content-Type (guessed from its name), a plain
    part no Content-Type."""
    body = b""
    for name, contents, filename in parts:
        data = contents.encode() if isinstance(contents, str) else contents
        headers = [
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'
            if filename
            else f'Content-Disposition: form-data; name="{name}"'
        ]
        if data:
            headers.append(f"Content-Length: {len(data)}")
        if filename:
            kind = "application/zip" if filename.endswith(".zip") else "application/octet-stream"
            headers.append(f"Content-Type: {kind}")
        body += f"--{boundary}\r\n".encode() + "\r\n".join(headers).encode() + b"\r\n\r\n"
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def curl_multipart(path: str, data: bytes, boundary: str = "-" * 24 + "0123456789abcdef"):
    """libcurl's multipart of `['file' => new CURLFile($path)]`: the whole path as the file
    name, application/octet-stream."""
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{path}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/form-data; boundary={boundary}", body


def http_build_query(fields: dict[str, str | None]) -> bytes:
    """PHP's http_build_query($a, '', '&'): RFC 1738 (space +, ~ as %7E), nulls left out."""
    pairs = [
        f"{quote_plus(k, safe='')}={quote_plus(v, safe='').replace('~', '%7E')}"
        for k, v in fields.items()
        if v is not None
    ]
    return "&".join(pairs).encode()


def php_json(payload: object) -> bytes:
    """PHP json_encode: compact, `/` as `\\/`, non-ASCII as \\uXXXX."""
    return (
        json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()
    )


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict]:
    """The form fields and files of a multipart body, as werkzeug gives them to a Flask
    route, kept in memory (as the receiver's route must: never a temporary file)."""
    from werkzeug.formparser import parse_form_data

    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }

    def in_memory(total_content_length, content_type, filename, content_length=None):
        return io.BytesIO()

    _, form, files = parse_form_data(environ, stream_factory=in_memory)
    return dict(form), {k: (f.filename, f.read()) for k, f in files.items()}


# ------------------------------------------------------------------ fake residents


@dataclass
class Resident:
    """One fake row of OpenSID's tweb_penduduk export, with the fields the tests check."""

    row: dict
    status_dasar: int
    sex: int
    born: date | None


def residents(
    count: int,
    *,
    seed: int = 7,
    kode: str = KODE_DESA,
    today: date = SENT_ON,
    birthdays: tuple[int, ...] = (),
) -> list[Resident]:
    """Fake residents in families, as DataEkspor selects them (42 columns, ORDER BY no_kk,
    kk_level), with every coded field varied: dead, moved and lost residents, missing and
    zero birth dates, codes outside OpenSID's reference tables, pregnant women, KTP/KIA.
    The first residents turn `birthdays` years old on `today` (living), where OpenSID's age
    formula and the age by birthday differ."""
    rng = random.Random(seed)
    digits = kode.replace(".", "")
    out: list[Resident] = []
    family = 0
    while len(out) < count:
        family += 1
        kk = f"{digits[:6]}{family:06d}{9000 + family % 1000:04d}"
        dusun = rng.choice(["DUSUN I", "DUSUN II", "DUSUN III"])
        rw, rt = f"{rng.randint(1, 3):03d}", f"{rng.randint(1, 6):03d}"
        for level in range(1, rng.randint(1, 6) + 1):
            if len(out) >= count:
                break
            index = len(out)
            sex = 1 if (level == 1 and rng.random() < 0.85) or rng.random() < 0.5 else 2
            ages = (24, 80) if level == 1 else (0, 95)
            someone = person(seed, digits, "L" if sex == 1 else "P", index, ages=ages,
                             today=today)  # fmt: skip
            born: date | None = date.fromisoformat(someone.tanggal_lahir)
            born_text: str | None = someone.tanggal_lahir
            roll = rng.random()
            if roll < 0.02:
                born, born_text = None, None
            elif roll < 0.03:
                born, born_text = None, "0000-00-00"
            elif roll < 0.04 and born is not None:  # on or around a birthday: the MySQL age
                born = date(today.year - rng.randint(1, 70), today.month, min(today.day, 28))
                born_text = born.isoformat()
            status = rng.choices([1, 2, 3, 4, 6, 9], [85, 6, 5, 1, 2, 1])[0]
            if index < len(birthdays):
                born = date(today.year - birthdays[index], today.month, today.day)
                born_text, status = born.isoformat(), 1
            kawin = rng.choice([1, 2, 2, 3, 4, None]) if level <= 3 else 1
            ktp_el = rng.choice([1, 2, 2, 3, None])
            hamil = 1 if sex == 2 and rng.random() < 0.1 else rng.choice([0, 0, None])
            row = {
                "alamat": f"JL. KENANGA NO. {rng.randint(1, 99)}",
                "dusun": dusun, "rw": rw, "rt": rt,
                "nama": someone.nama,
                "nomor_kk": kk,
                "nomor_nik": someone.nik,
                "jenis_kelamin": sex,
                "tempat_lahir": someone.tempat_lahir,
                "tanggal_lahir": born_text,
                "agama": rng.choice([1, 1, 1, 2, 3, 4, 5, 6, 7, None]),
                "pendidikan_dlm_kk": rng.choice([*range(1, 11), None, 11]),
                "pendidikan_sdg_ditempuh": rng.choice([*range(1, 21), None]),
                "pekerjaan": rng.choice([1, 2, 3, 9, 9, 19, 88, 89, None, 90]),
                "kawin": kawin,
                "hubungan_keluarga": level if level <= 4 else rng.choice([4, 5, 6, 9, 11]),
                "kewarganegaraan": rng.choice([1, 1, 1, 2, 3]),
                "nama_ayah": f"AYAH {someone.nama}",
                "nama_ibu": f"IBU {someone.nama}",
                "gol_darah": rng.choice([*range(1, 14), None]),
                "akta_lahir": f"AL-{rng.randint(1000, 9999)}" if rng.random() < 0.6 else None,
                "nomor_dokumen_pasport": None,
                "tanggal_akhir_pasport": None,
                "nomor_dokumen_kitas": None,
                "nik_ayah": f"{digits[:6]}0101{60 + index % 30:02d}{9000 + index % 1000:04d}",
                "nik_ibu": None,
                "nomor_akta_perkawinan": f"AN-{rng.randint(100, 999)}"
                if kawin in (2, 3, 4) and rng.random() < 0.7 else None,
                "tanggal_perkawinan": "2001-05-12" if kawin == 2 else None,
                "nomor_akta_perceraian": None,
                "tanggal_perceraian": None,
                "cacat": rng.choice([7, 7, 7, 1, 2, 3, 4, 5, 6, None]),
                "cara_kb": rng.choice([1, 2, 3, 4, 5, 6, 7, 99, 100, None]) if level <= 3 else None,
                "hamil": hamil,
                "ktp_el": ktp_el,
                "status_rekam": rng.choice([1, 2, 3, 4, 5, 6, 7, 8, None]),
                "alamat_sekarang": f"JL. MELATI NO. {rng.randint(1, 99)}",
                "id": index + 1,
                "foto": f"kecil_{index}.jpg" if rng.random() < 0.1 else None,
                "status_dasar": status,
                "created_at": "2024-01-15 08:00:00",
                "updated_at": "2026-08-19 10:30:00",
                "desa_id": kode,
            }  # fmt: skip
            out.append(Resident(row, status, sex, born))
    return out


PENDUDUK_FIELDS = [
    "alamat", "dusun", "rw", "rt", "nama", "nomor_kk", "nomor_nik", "jenis_kelamin",
    "tempat_lahir", "tanggal_lahir", "agama", "pendidikan_dlm_kk", "pendidikan_sdg_ditempuh",
    "pekerjaan", "kawin", "hubungan_keluarga", "kewarganegaraan", "nama_ayah", "nama_ibu",
    "gol_darah", "akta_lahir", "nomor_dokumen_pasport", "tanggal_akhir_pasport",
    "nomor_dokumen_kitas", "nik_ayah", "nik_ibu", "nomor_akta_perkawinan", "tanggal_perkawinan",
    "nomor_akta_perceraian", "tanggal_perceraian", "cacat", "cara_kb", "hamil", "ktp_el",
    "status_rekam", "alamat_sekarang", "id", "foto", "status_dasar", "created_at", "updated_at",
    "desa_id",
]  # fmt: skip


def penduduk_zip(people: list[Resident], *, now: datetime = SENT_AT) -> bytes:
    """PendudukOpendkExport::zip(): zip(penduduk_opendk_DD_MM_YYYY.xlsx); an empty village
    exports the field list with one all-empty row (which OpenSpout does not write)."""
    rows = [p.row for p in people] or [dict.fromkeys(PENDUDUK_FIELDS, "")]
    name = namafile("penduduk_opendk", now) + ".xlsx"
    return ci_zip([(f"/tmp/{name}", openspout_xlsx(rows))], now=now)


def penduduk_request(people: list[Resident], *, now: datetime = SENT_AT):
    """The storedata request: ext-curl multipart with the single part `file` (no desa_id)."""
    data = penduduk_zip(people, now=now)
    path = f"desa/upload/sinkronisasi/{namafile('penduduk_opendk', now)}.zip"
    content_type, body = curl_multipart(path, data)
    headers = {
        "Host": "dasbor.example", "Accept": "*/*",
        "Accept-Encoding": "deflate, gzip, br, zstd",
        "Authorization": "Bearer token-of-the-village",
        "Content-Length": str(len(body)), "Content-Type": content_type,
    }  # fmt: skip
    if len(body) >= 1024 * 1024:
        headers["Expect"] = "100-continue"
    return headers, body


# ------------------------------------------------------------------ programmes, recipients


def utc_midnight(day: date | None, offset: timedelta = WIB) -> str | None:
    """Eloquent's date cast serialised: local midnight as UTC ISO with microseconds
    (2025-01-01 in WIB travels as 2024-12-31T17:00:00.000000Z)."""
    if day is None:
        return None
    moment = datetime.combine(day, time()) - offset
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


@dataclass
class Programme:
    id: int
    nama: str
    sasaran: int
    sdate: date | None
    edate: date | None
    asaldana: str | None = "Pusat"
    status: bool = True
    ndesc: str | None = "Bantuan untuk warga."
    recipients: list[dict] = field(default_factory=list)


def programme_rows(programmes: list[Programme], *, today: date, kode: str = KODE_DESA,
                   offset: timedelta = WIB) -> list[dict]:  # fmt: skip
    """ProgramBantuanOpendkExport rows: desa_id prepended, status forced to 1/0, dates as
    UTC ISO, status_masa_aktif appended by the model."""
    rows = []
    for p in programmes:
        future = p.sdate is not None and p.sdate > today
        past = p.edate is not None and p.edate < today
        rows.append({
            "desa_id": kode, "id": p.id, "nama": p.nama, "sasaran": p.sasaran, "ndesc": p.ndesc,
            "sdate": utc_midnight(p.sdate, offset), "edate": utc_midnight(p.edate, offset),
            "status": 1 if p.status else 0, "asaldana": p.asaldana,
            "status_masa_aktif": "Tidak Aktif" if future or past else "Aktif",
        })  # fmt: skip
    return rows


PROGRAMME_FIELDS = ["id", "nama", "sasaran", "ndesc", "sdate", "edate", "status", "asaldana"]
PESERTA_FIELDS = [
    "id", "peserta", "program_id", "no_id_kartu", "kartu_nik", "kartu_nama",
    "kartu_tempat_lahir", "kartu_tanggal_lahir", "kartu_alamat", "kartu_peserta", "kartu_id_pend",
]  # fmt: skip


def program_bantuan_zip(programmes: list[Programme], *, today: date = SENT_ON,
                        now: datetime = SENT_AT, kode: str = KODE_DESA) -> bytes:  # fmt: skip
    rows = programme_rows(programmes, today=today, kode=kode) or [
        dict.fromkeys(PROGRAMME_FIELDS, "")
    ]
    stem = namafile(f"program_bantuan_{now:%d_%m_%Y}_opendk", now)
    return ci_zip([(f"/tmp/{stem}.xlsx", openspout_xlsx(rows))], now=now)


def recipient_rows(programmes: list[Programme], kode: str = KODE_DESA) -> list[dict]:
    """PesertaBantuanOpendkExport rows: every program_peserta row, desa_id prepended, the
    programme's sasaran appended."""
    rows = []
    for p in programmes:
        for r in p.recipients:
            rows.append({"desa_id": kode, **r, "program_id": p.id, "sasaran": p.sasaran})
    order = ["desa_id", "id", "peserta", "program_id", *PESERTA_FIELDS[3:], "sasaran"]
    return [{k: row.get(k) for k in order} for row in sorted(rows, key=lambda r: r["id"])]


def peserta_bantuan_zip(programmes: list[Programme], *, now: datetime = SENT_AT,
                        kode: str = KODE_DESA) -> bytes:  # fmt: skip
    csv_bytes = openspout_csv(recipient_rows(programmes, kode), fields=PESERTA_FIELDS)
    stem = namafile("peserta_bantuan_opendk", now)
    return ci_zip([(f"/tmp/{stem}.csv", csv_bytes)], now=now)


def fake_programmes(seed: int = 3, kode: str = KODE_DESA, *, today: date = SENT_ON,
                    people: list[Resident] | None = None) -> list[Programme]:  # fmt: skip
    """Five programmes of the four sasaran, with recipients drawn from the residents (a
    resident in two programmes, a family in several), fake card data."""
    rng = random.Random(seed)
    people = people or residents(120, kode=kode)
    programmes = [
        Programme(1, "BLT DANA DESA", 1, date(2025, 1, 1), date(2026, 12, 31), "Dana Desa"),
        Programme(2, "PKH", 2, date(2024, 1, 1), date(2027, 12, 31), "Pusat"),
        Programme(3, "BPNT, \"Sembako\"", 2, date(2023, 6, 1), date(2025, 5, 31), "Pusat",
                  ndesc="Bantuan pangan non tunai\nper bulan"),
        Programme(4, "RTLH", 3, date(2026, 1, 1), None, "APBD Kabupaten", status=False),
        Programme(5, "KELOMPOK TANI", 4, None, None, None, ndesc=None),
        Programme(6, "BEASISWA", 1, date(2026, 9, 1), date(2027, 6, 30), "Provinsi"),
    ]  # fmt: skip
    serial = 0
    for p in programmes:
        chosen = rng.sample(people, 0 if p.id == 6 else rng.randint(3, 25))
        for someone in chosen:
            serial += 1
            row = someone.row
            who = {1: row["nomor_nik"], 2: row["nomor_kk"], 3: f"RTM{row['nomor_kk'][-6:]}",
                   4: f"KLP-{rng.randint(1, 4)}"}[p.sasaran]  # fmt: skip
            p.recipients.append({
                "id": serial, "peserta": who, "no_id_kartu": f"K{rng.randint(10000, 99999)}",
                "kartu_nik": row["nomor_nik"], "kartu_nama": row["nama"],
                "kartu_tempat_lahir": row["tempat_lahir"],
                "kartu_tanggal_lahir": row["tanggal_lahir"],
                "kartu_alamat": f"RT {row['rt']}  RW {row['rw']} - {row['dusun']}",
                "kartu_peserta": f"kartu_{serial}.jpg" if rng.random() < 0.3 else None,
                "kartu_id_pend": row["id"],
            })  # fmt: skip
        if p.id == 1 and p.recipients:  # fputcsv quoting: a comma, quotes, a line break
            first = p.recipients[0]
            first["kartu_nama"] += ', S.Pd "UCI"'
            first["kartu_alamat"] += "\nGANG MAWAR"
        if p.sasaran == 2 and p.recipients:  # a family listed twice (two members carded)
            extra = dict(p.recipients[0], id=serial + 1000 + p.id, kartu_nama="ANGGOTA LAIN")
            p.recipients.append(extra)
    return programmes


# ------------------------------------------------------------------ projects


@dataclass
class Project:
    id: int
    judul: str
    tahun_anggaran: str
    anggaran: int | float
    status: int = 1
    sumber_dana: str = "Dana Desa"
    lokasi: str | None = "Dusun I"
    volume: str | None = "100 m"
    pelaksana_kegiatan: str | None = "TPK Desa"
    sifat_proyek: str | None = "BARU"
    foto: str | None = None
    progress: list[str] = field(default_factory=list)  # persentase of its entries


def project_rows(projects: list[Project], kode: str = KODE_DESA) -> list[dict]:
    """PembangunanOpendkExport rows: desa_id, 20 fields, then the appended alamat and
    lokasi_lengkap (evaluated without id_lokasi) and the empty wilayah relation."""
    rows = []
    for p in projects:
        rows.append({
            "desa_id": kode, "id": p.id, "sumber_dana": p.sumber_dana, "lokasi": p.lokasi,
            "judul": p.judul, "keterangan": f"Pembangunan {p.judul.lower()}",
            "volume": p.volume, "tahun_anggaran": p.tahun_anggaran,
            "pelaksana_kegiatan": p.pelaksana_kegiatan, "status": p.status,
            "anggaran": p.anggaran, "perubahan_anggaran": 0,
            "sumber_biaya_pemerintah": p.anggaran, "sumber_biaya_provinsi": 0,
            "sumber_biaya_kab_kota": 0, "sumber_biaya_swadaya": 0,
            "sumber_biaya_jumlah": p.anggaran, "manfaat": "Warga desa", "waktu": 30,
            "sifat_proyek": p.sifat_proyek, "foto": p.foto,
            "alamat": p.lokasi or "",
            "lokasi_lengkap": "Lokasi tidak diketahui" if p.lokasi is None else "RT  / RW  - ",
            "wilayah": None,
        })  # fmt: skip
    return rows


PROJECT_FIELDS = [
    "id", "sumber_dana", "lokasi", "judul", "keterangan", "volume", "tahun_anggaran",
    "pelaksana_kegiatan", "status", "anggaran", "perubahan_anggaran", "sumber_biaya_pemerintah",
    "sumber_biaya_provinsi", "sumber_biaya_kab_kota", "sumber_biaya_swadaya",
    "sumber_biaya_jumlah", "manfaat", "waktu", "sifat_proyek", "foto",
]  # fmt: skip
DOKUMENTASI_FIELDS = [
    "id",
    "id_pembangunan",
    "gambar",
    "persentase",
    "keterangan",
    "created_at",
    "updated_at",
]


def pembangunan_zip(projects: list[Project], *, now: datetime = SENT_AT,
                    kode: str = KODE_DESA) -> bytes:  # fmt: skip
    """zip(photos, then pembangunan_DD_MM_YYYY.csv); an empty page: header without desa_id
    and one all-empty row."""
    photos = [(f"desa/upload/galeri/{p.foto}", b"\xff\xd8\xff\xe0 fake jpeg " * 50)
              for p in projects if p.foto]  # fmt: skip
    csv_bytes = openspout_csv(project_rows(projects, kode), fields=PROJECT_FIELDS)
    return ci_zip([*photos, (f"/tmp/{namafile('pembangunan', now)}.csv", csv_bytes)], now=now)


def dokumentasi_rows(projects: list[Project], kode: str = KODE_DESA) -> list[dict]:
    rows, serial = [], 0
    for p in projects:
        for persentase in p.progress:
            serial += 1
            rows.append({
                "desa_id": kode, "id": serial, "id_pembangunan": p.id,
                "gambar": f"dok_{serial}.jpg", "persentase": persentase,
                "keterangan": "Progres pekerjaan", "created_at": "2026-03-01",
                "updated_at": "2026-08-01",
            })  # fmt: skip
    return rows


def dokumentasi_zip(projects: list[Project], *, now: datetime = SENT_AT,
                    kode: str = KODE_DESA) -> bytes:  # fmt: skip
    rows = dokumentasi_rows(projects, kode)
    photos = [(f"desa/upload/galeri/{r['gambar']}", b"\xff\xd8 fake " * 30) for r in rows]
    csv_bytes = openspout_csv(rows, fields=DOKUMENTASI_FIELDS)
    # both exports are named pembangunan_DD_MM_YYYY.csv
    return ci_zip([*photos, (f"{namafile('pembangunan', now)}.csv", csv_bytes)], now=now)


def guzzle_upload(zip_bytes: bytes, zip_name: str, kode: str = KODE_DESA):
    """opendk_api() multipart: `file` then `desa_id`, with Guzzle's headers."""
    content_type, body = guzzle_multipart([("file", zip_bytes, zip_name), ("desa_id", kode, None)])
    headers = {
        "Host": "dasbor.example", "User-Agent": "GuzzleHttp/7", "Content-Type": content_type,
        "X-Requested-With": "XMLHttpRequest", "Authorization": "Bearer token-of-the-village",
        "Content-Length": str(len(body)),
    }  # fmt: skip
    return headers, body


def as_utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
