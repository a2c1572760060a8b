"""Bring a kecamatan's history from OpenDK: its own Excel exports read back, periods intact.

OpenDK v2608.0.1 exports each dataset from its admin pages (`app/Exports/*`, maatwebsite
Excel over PhpSpreadsheet): one sheet, a header row of words ("Nama Desa", "Jumlah AKI"),
then every row it holds, of every period, with the period as words or numbers ("Januari",
2025; semester 1). This module recognises an export by its header, names the village of each
row (by its code where the export has one, else by its name within the kecamatan), splits
the rows by period and hands each period to the spreadsheet import in the template's own
columns (collectors.spreadsheet.import_file, the same checks, landing, audit and history as
any upload). Every period is checked before the first is loaded: a file with any error loads
nothing.

Exports read (heading → template column):
- ExportAKIAKB, ExportImunisasi, ExportToiletSanitasi: Kode Desa, the counts, Bulan, Tahun;
- ExportEpidemiPenyakit: Nama Desa, Nama Penyakit (OpenDK's ref_penyakit name → its id),
  Jumlah Penderita, Bulan, Tahun;
- ExportTingkatPendidikan, ExportPutusSekolah, ExportFasilitasPaud: Nama Desa, the counts,
  Tahun and Semester;
- ExportAnggaranRealisasi: the kecamatan budget per month (no kecamatan column: OpenDK is one
  kecamatan, so `kecamatan` is required), amounts as number_format(x, 0, ',', '.');
- ExportAnggaranDesa (APBDes): Desa (name), No Akun, Nama Akun, Jumlah (the month's
  anggaran, number_format(x, 2)), Bulan, Tahun;
- ExportDataSarana: a title row, a blank row, then ID (the desa_id), Desa, Nama Sarana,
  Jumlah, Kategori (OpenDK's name of it), Keterangan.
Not read: ExportPenduduk and ExportKeluarga (one row per resident or family: personal data,
never kept here), ExportProgramBantuan, ExportPembangunan, ExportLaporanApbdes and the laporan
penduduk exports (the villages' own systems send these; their history is in OpenSID), the
suplemen and visitor exports. OpenDK's import templates of earlier periods are read by
`dasbor import --dataset ... --tahun ... [--bulan|--semester]` as any template.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from collectors.spreadsheet import ImportReport, import_file, read_table, validate
from config.datasets import BY_NAME, period_id
from config.penyakit import extra_names
from config.registry import Village
from config.sarana import kategori_value
from warehouse.accounts import Actor
from warehouse.store import Warehouse

MONTHS = {
    name: number
    for number, name in enumerate(
        ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
         "september", "oktober", "november", "desember"), start=1,
    )
}  # fmt: skip
# OpenDK's seeded ref_penyakit (database/seeders); more come from the `penyakit` setting
PENYAKIT = {"demam berdarah": "1", "kolera": "2", "malaria": "3", "influensa": "4"}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class ExportKind:
    dataset: str
    source: str  # OpenDK's export class
    headings: tuple[str, ...]  # its header row, as read_table normalises words
    columns: dict[str, str]  # heading -> the template's column
    village: str | None  # the heading naming the village: "kode desa", a name, or None
    by_code: bool = False  # the village heading holds its code, not its name
    money: str | None = None  # "id": 1.234.567 ; "en": 1,234,567.00
    penyakit: str | None = None  # the heading naming the disease


def _h(*words: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in words)


_STAMPS = ("Tanggal Dibuat", "Tanggal Diperbarui")
EXPORTS: tuple[ExportKind, ...] = (
    ExportKind("aki-akb", "ExportAKIAKB",
               _h("ID", "Nama Desa", "Kode Desa", "Jumlah AKI", "Jumlah AKB", "Bulan", "Tahun",
                  *_STAMPS),
               {"jumlah aki": "jumlah_aki", "jumlah akb": "jumlah_akb"}, "kode desa", True),
    ExportKind("imunisasi", "ExportImunisasi",
               _h("ID", "Nama Desa", "Kode Desa", "Cakupan Imunisasi", "Bulan", "Tahun",
                  *_STAMPS),
               {"cakupan imunisasi": "cakupan_imunisasi"}, "kode desa", True),
    ExportKind("toilet-sanitasi", "ExportToiletSanitasi",
               _h("ID", "Nama Desa", "Kode Desa", "Jumlah Toilet", "Jumlah Sanitasi", "Bulan",
                  "Tahun", *_STAMPS),
               {"jumlah toilet": "toilet", "jumlah sanitasi": "sanitasi"}, "kode desa", True),
    ExportKind("epidemi-penyakit", "ExportEpidemiPenyakit",
               _h("ID", "Nama Desa", "Nama Penyakit", "Jumlah Penderita", "Bulan", "Tahun",
                  *_STAMPS),
               {"jumlah penderita": "jumlah_penderita"}, "nama desa", penyakit="nama penyakit"),
    ExportKind("tingkat-pendidikan", "ExportTingkatPendidikan",
               _h("ID", "Nama Desa", "Tidak Tamat Sekolah", "Tamat SD", "Tamat SMP",
                  "Tamat SMA", "Tamat Diploma/Sederajat", "Tahun", "Semester", *_STAMPS),
               {"tidak tamat sekolah": "tidak_tamat_sekolah", "tamat sd": "tamat_sd_sederajat",
                "tamat smp": "tamat_smp_sederajat", "tamat sma": "tamat_sma_sederajat",
                "tamat diploma/sederajat": "tamat_diploma_sederajat"}, "nama desa"),
    ExportKind("putus-sekolah", "ExportPutusSekolah",
               _h("ID", "Nama Desa", "Siswa PAUD", "Anak Usia PAUD", "Siswa SD", "Anak Usia SD",
                  "Siswa SMP", "Anak Usia SMP", "Siswa SMA", "Anak Usia SMA", "Semester",
                  "Tahun", *_STAMPS),
               {"siswa paud": "siswa_paud_ra", "anak usia paud": "anak_usia_paud_ra",
                "siswa sd": "siswa_sd_mi", "anak usia sd": "anak_usia_sd_mi",
                "siswa smp": "siswa_smp_mts", "anak usia smp": "anak_usia_smp_mts",
                "siswa sma": "siswa_sma_ma", "anak usia sma": "anak_usia_sma_ma"}, "nama desa"),
    ExportKind("fasilitas-paud", "ExportFasilitasPaud",
               _h("ID", "Nama Desa", "Jumlah PAUD/RA", "Jumlah Guru PAUD/RA",
                  "Jumlah Siswa PAUD/RA", "Tahun", "Semester", *_STAMPS),
               {"jumlah paud/ra": "jumlah_paud_ra", "jumlah guru paud/ra": "jumlah_guru_paud_ra",
                "jumlah siswa paud/ra": "jumlah_siswa_paud_ra"}, "nama desa"),
    ExportKind("anggaran-kecamatan", "ExportAnggaranRealisasi",
               _h("ID", "Total Anggaran", "Total Belanja", "Belanja Pegawai",
                  "Belanja Barang & Jasa", "Belanja Modal", "Belanja Tidak Langsung", "Bulan",
                  "Tahun", *_STAMPS),
               {"total anggaran": "total_anggaran", "total belanja": "total_belanja",
                "belanja pegawai": "belanja_pegawai",
                "belanja barang & jasa": "belanja_barang_jasa", "belanja modal": "belanja_modal",
                "belanja tidak langsung": "belanja_tidak_langsung"}, None, money="id"),
    ExportKind("apbdes", "ExportAnggaranDesa",
               _h("ID", "Desa", "No Akun", "Nama Akun", "Jumlah", "Bulan", "Tahun", *_STAMPS),
               {"no akun": "no_akun", "nama akun": "nama_akun", "jumlah": "jumlah"}, "desa",
               money="en"),
    ExportKind("sarana", "ExportDataSarana",
               _h("ID", "Desa", "Nama Sarana", "Jumlah", "Kategori", "Keterangan"),
               {"nama sarana": "nama", "jumlah": "jumlah", "kategori": "kategori",
                "keterangan": "keterangan"}, "id", True),
)  # fmt: skip
PERSONAL = {  # exports we refuse to read: a row per person or family
    _h("NIK", "Nama"): "ExportPenduduk",
    _h("Nomor KK", "NIK Kepala"): "ExportKeluarga",
}

_TEXTS = {
    "id": {
        "unknown": "{file}: bukan ekspor OpenDK yang dikenal (baris judul: {header})",
        "personal": "{file}: ekspor {kind} berisi data pribadi per orang; tidak dibaca",
        "empty": "{file}: ekspor {kind} tidak berisi baris data",
        "kecamatan": "{file}: ekspor {kind} tidak menyebut kecamatan; pilih dengan --kecamatan",
        "kecamatan_unknown": "kecamatan {kode} tidak ada di registri",
        "village": "baris {row}: desa {value} tidak ada di registri{scope}",
        "ambiguous": "baris {row}: nama desa {value} ada di lebih dari satu kecamatan; "
        "pilih dengan --kecamatan",
        "period": "baris {row}: {column} {value} bukan periode yang benar",
        "penyakit": "baris {row}: penyakit {value} tidak dikenal (tambahkan di pengaturan "
        "'penyakit')",
        "number": "baris {row}, kolom {column}: {value} bukan angka",
        "too_many": "{file}: lebih dari {limit} baris",
        "periode": "{dataset} {periode}",
        "loaded": "{file}: ekspor {kind} dimuat, {n} periode ({first} … {last})",
    },
    "en": {
        "unknown": "{file}: not an OpenDK export we know (header row: {header})",
        "personal": "{file}: the {kind} export holds personal data per person; not read",
        "empty": "{file}: the {kind} export has no data rows",
        "kecamatan": "{file}: the {kind} export names no kecamatan; choose it with --kecamatan",
        "kecamatan_unknown": "kecamatan {kode} is not in the registry",
        "village": "row {row}: village {value} is not in the registry{scope}",
        "ambiguous": "row {row}: village name {value} is in more than one kecamatan; "
        "choose one with --kecamatan",
        "period": "row {row}: {column} {value} is not a valid period",
        "penyakit": "row {row}: disease {value} is not known (add it to the 'penyakit' setting)",
        "number": "row {row}, column {column}: {value} is not a number",
        "too_many": "{file}: more than {limit} rows",
        "periode": "{dataset} {periode}",
        "loaded": "{file}: the {kind} export loaded, {n} periods ({first} … {last})",
    },
}


class ExportError(ValueError):
    """An export that cannot be read; nothing was loaded. `lines` in the CLI's language."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@dataclass
class ExportResult:
    kind: ExportKind
    reports: list[ImportReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.reports) and all(r.ok for r in self.reports)

    def summary(self, lang: str = "id") -> str:
        texts = _TEXTS.get(lang, _TEXTS["id"])
        lines = [r.summary(lang) for r in self.reports]
        periods = sorted({r.periode for r in self.reports})
        if self.ok and periods:
            done = texts["loaded"].format(file="", kind=self.kind.source, n=len(periods),
                                          first=periods[0], last=periods[-1])  # fmt: skip
            lines.append(done.lstrip(": "))
        return "\n".join(lines)


@dataclass(frozen=True)
class _Chunk:
    """The rows of one import: one period (and one region for a template without its column)."""

    tahun: int | None
    bulan: int | None
    semester: int | None
    region: str | None
    rows: list[dict[str, str]]


def _words(value: object) -> str:
    return " ".join(str(value).split()).lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    """Every row of the first sheet (XLSX) or of a CSV, as text."""
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            for values in sheet.iter_rows(values_only=True):
                rows.append([_cell(v) for v in values])
                if len(rows) > MAX_ROWS + 3:
                    break
            return rows
        finally:
            book.close()
    text = data.decode("utf-8-sig")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def recognise(rows: Sequence[Sequence[str]], filename: str, lang: str = "id"):
    """(the export kind, the index of its header row); ExportError if none."""
    texts = _TEXTS.get(lang, _TEXTS["id"])
    for index, row in enumerate(rows[:5]):
        header = tuple(_words(c) for c in row if _words(c))
        for kind in EXPORTS:
            if header == kind.headings:
                return kind, index
        for words, name in PERSONAL.items():
            if set(words) <= set(header):
                raise ExportError([texts["personal"].format(file=filename, kind=name)])
    shown = ", ".join(c for c in (rows[0] if rows else []) if c)[:200]
    raise ExportError([texts["unknown"].format(file=filename, header=shown or "-")])


def _number(text: str, money: str | None) -> str | None:
    """A plain machine number ("1234567", "12.5") from OpenDK's formatting; None if not one."""
    s = text.strip()
    if not s:
        return ""
    if money == "id":  # number_format($x, 0, ',', '.')
        s = s.replace(".", "").replace(",", ".")
    elif money == "en":  # number_format($x, 2): 1,234,567.00
        s = s.replace(",", "")
    try:
        value = float(s)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return str(int(value)) if value.is_integer() else repr(value)


def _villages_by_name(villages: Sequence[Village], kecamatan: str | None) -> dict[str, list]:
    by_name: dict[str, list[Village]] = {}
    for v in villages:
        if kecamatan and v.kode_kecamatan != kecamatan:
            continue
        by_name.setdefault(_words(v.nama_desa), []).append(v)
    return by_name


def _period(kind: ExportKind, cells: dict[str, str], row: int, texts) -> tuple:
    grain = BY_NAME[kind.dataset].import_grain or BY_NAME[kind.dataset].grain
    if grain == "snapshot":
        return None, None, None
    raw_year = cells.get("tahun", "")
    try:
        tahun = int(float(raw_year))
        period_id(tahun)
    except ValueError:
        raise ValueError(texts["period"].format(row=row, column="Tahun", value=raw_year)) from None
    if grain == "bulan":
        raw = cells.get("bulan", "")
        bulan = MONTHS.get(_words(raw))
        if bulan is None and raw.strip().isdigit() and 1 <= int(raw) <= 12:
            bulan = int(raw)
        if bulan is None:
            raise ValueError(texts["period"].format(row=row, column="Bulan", value=raw))
        return tahun, bulan, None
    raw = cells.get("semester", "")
    if raw.strip() not in ("1", "2"):
        raise ValueError(texts["period"].format(row=row, column="Semester", value=raw))
    return tahun, None, int(raw)


def plan_export(
    data: bytes,
    filename: str,
    villages: Sequence[Village],
    *,
    kecamatan: str | None = None,
    penyakit_setting: str = "",
    lang: str = "id",
) -> tuple[ExportKind, list[_Chunk]]:
    """Read an export into the imports it stands for, without loading anything."""
    texts = _TEXTS.get(lang, _TEXTS["id"])
    rows = read_rows(data, filename)
    kind, header_at = recognise(rows, filename, lang)
    dataset = BY_NAME[kind.dataset]
    if len(rows) - header_at - 1 > MAX_ROWS:
        raise ExportError([texts["too_many"].format(file=filename, limit=MAX_ROWS)])
    if dataset.level == "kecamatan":
        if not kecamatan:
            raise ExportError([texts["kecamatan"].format(file=filename, kind=kind.source)])
        if all(v.kode_kecamatan != kecamatan for v in villages):
            raise ExportError([texts["kecamatan_unknown"].format(kode=kecamatan)])
    codes = {v.kode_desa for v in villages if not kecamatan or v.kode_kecamatan == kecamatan}
    by_name = _villages_by_name(villages, kecamatan)
    penyakit = {**PENYAKIT, **{_words(n): k for k, n in extra_names(penyakit_setting).items()}}
    per_region = not dataset.region_in_template and dataset.level != "kecamatan"
    errors: list[str] = []
    chunks: dict[tuple, list[dict[str, str]]] = {}
    scope = f" ({kecamatan})" if kecamatan else ""
    for offset, raw in enumerate(rows[header_at + 1 :], start=header_at + 2):
        padded = [*raw, *[""] * (len(kind.headings) - len(raw))][: len(kind.headings)]
        cells = dict(zip(kind.headings, padded, strict=True))
        if not any(v.strip() for v in cells.values()):
            continue
        try:
            tahun, bulan, semester = _period(kind, cells, offset, texts)
        except ValueError as exc:
            errors.append(str(exc))
            continue
        region = kecamatan if dataset.level == "kecamatan" else None
        if kind.village is not None:
            named = cells.get(kind.village, "").strip()
            if kind.by_code:
                kode = named
                if kode not in codes:
                    errors.append(texts["village"].format(row=offset, value=named, scope=scope))
                    continue
            else:
                found = by_name.get(_words(named), [])
                if len(found) != 1:
                    key = "ambiguous" if found else "village"
                    errors.append(texts[key].format(row=offset, value=named, scope=scope))
                    continue
                kode = found[0].kode_desa
            region = kode
        out: dict[str, str] = {}
        if dataset.region_in_template:
            out["desa_id"] = region or ""
        for heading, column in kind.columns.items():
            value = cells.get(heading, "")
            if column in ("no_akun", "nama_akun", "nama", "keterangan"):
                out[column] = value
            elif column == "kategori":
                out[column] = kategori_value(value) or value
            else:
                number = _number(value, kind.money)
                if number is None:
                    errors.append(
                        texts["number"].format(row=offset, column=heading, value=value[:40])
                    )
                    continue
                out[column] = number
        if kind.penyakit:
            name = cells.get(kind.penyakit, "")
            kode_penyakit = penyakit.get(_words(name))
            if kode_penyakit is None:
                errors.append(texts["penyakit"].format(row=offset, value=name[:60]))
                continue
            out["penyakit_id"] = kode_penyakit
        key = (
            tahun,
            bulan,
            semester,
            region if per_region or dataset.level == "kecamatan" else None,
        )
        chunks.setdefault(key, []).append(out)
    if errors:
        raise ExportError(errors[:50] + ([f"… (+{len(errors) - 50})"] if len(errors) > 50 else []))
    if not chunks:
        raise ExportError([texts["empty"].format(file=filename, kind=kind.source)])
    planned = [
        _Chunk(t, b, s, r, rows_) for (t, b, s, r), rows_ in sorted(chunks.items(), key=_order)
    ]
    return kind, planned


def _order(item) -> tuple:
    (tahun, bulan, semester, region), _ = item
    return (tahun or 0, bulan or 0, semester or 0, region or "")


def _csv(rows: list[dict[str, str]]) -> bytes:
    columns = list(dict.fromkeys(c for r in rows for c in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def import_opendk_export(
    store: Warehouse,
    path_or_bytes: str | Path | bytes,
    filename: str | None = None,
    *,
    villages: list[Village],
    actor: Actor | None,
    kecamatan: str | None = None,
    penyakit_ids: Sequence[str] | None = None,
    penyakit_setting: str = "",
    lang: str = "id",
) -> ExportResult:
    """Load an OpenDK export as one import per period (and village, for a template without
    the village column). Every period is validated first; any error loads nothing (the
    reports of a rejected export are the periods that failed). Raises ExportError when the
    file itself cannot be read as an export."""
    if isinstance(path_or_bytes, bytes | bytearray):
        data, name = bytes(path_or_bytes), filename or "ekspor"
    else:
        data, name = Path(path_or_bytes).read_bytes(), filename or Path(path_or_bytes).name
    kind, chunks = plan_export(data, name, villages, kecamatan=kecamatan,
                               penyakit_setting=penyakit_setting, lang=lang)  # fmt: skip
    dataset = BY_NAME[kind.dataset]
    known = {v.kode_desa for v in villages}
    result = ExportResult(kind)
    # check every period before loading the first: an export is one file to the operator
    for chunk in chunks:
        table = read_table(_csv(chunk.rows), "ekspor.csv")
        checked = validate(table, dataset, tahun=chunk.tahun, bulan=chunk.bulan,
                           semester=chunk.semester, known_villages=known, region=chunk.region,
                           penyakit_ids=list(penyakit_ids) if penyakit_ids else None)  # fmt: skip
        if not checked.ok:
            refused = ImportReport(False, checked.errors, 0, 0, None, checked.periode,
                                   dataset.name, dataset.level)  # fmt: skip
            result.reports.append(refused)
    if result.reports:
        return result
    for chunk in chunks:
        report = import_file(
            store, dataset.name, _csv(chunk.rows), f"{name} ({kind.source}).csv",
            tahun=chunk.tahun, bulan=chunk.bulan, semester=chunk.semester, villages=villages,
            region=chunk.region, penyakit_ids=list(penyakit_ids) if penyakit_ids else None,
            actor=actor,
        )  # fmt: skip
        result.reports.append(report)
        if not report.ok:
            break  # validated above: only the database could refuse it now
    return result
