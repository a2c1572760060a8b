"""Import monthly, semester and yearly spreadsheets in the OpenDK template columns.

An operator (puskesmas, school office, kecamatan staff) fills a CSV or XLSX with one row per
village. The file is checked whole before anything is stored: every bad row and column is
reported with the row number the operator sees in the spreadsheet, and a file with any error
loads nothing. A clean file lands in one collection run and one transaction.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from collectors.adapters.common import MAX_AMOUNT, MAX_COUNT
from collectors.upload_bounds import UploadRefused, check_upload, read_bounded
from config.datasets import BY_NAME, DatasetDef, period_id
from config.opendk_coa import ancestors, from_opendk, is_account
from config.regions import RegionCodeError, get_region, normalize_code
from config.registry import Village
from config.sarana import KATEGORI, kategori_value
from i18n.catalogue import t
from warehouse.accounts import Actor, NotPermitted, check_scope, record_audit
from warehouse.bounds import KODE, MEASUREMENT_LABEL
from warehouse.store import DatasetWrite, MeasurementRow, Warehouse

__all__ = [
    "MESSAGES",
    "ImportReport",
    "ImportResult",
    "RowError",
    "SpreadsheetError",
    "check_period",
    "format_period",
    "import_file",
    "parse_number",
    "read_table",
    "region_column",
    "required_columns",
    "validate",
]

# The row-number index of a table from read_table: the header is row 1.
LINE_INDEX = "baris"
# The item column that names each key column's items (APBDes: account code and account name).
LABEL_COLUMNS = {"no_akun": "nama_akun"}
# Money may have sen; every other non-percentage measure is a count of people or things.
MONEY_DATASETS = frozenset({"apbdes", "anggaran-kecamatan"})
SARANA = "sarana"
# Column sizes of the measurement table (warehouse.bounds, from the models): longer text would
# fail the insert on PostgreSQL. Counts and amounts share the collectors' bounds.
MAX_KODE, MAX_LABEL = KODE, MEASUREMENT_LABEL

# words put into messages: errors keep the codes (grain, level) and each language names them
_PARAM_WORDS = {
    "id": {
        "grain": {"bulan": "bulanan", "semester": "semesteran", "tahun": "tahunan",
                  "snapshot": "tanpa periode"},
        "tingkat": {"desa": "desa", "kecamatan": "kecamatan"},
    },
    "en": {
        "grain": {"bulan": "monthly", "semester": "half-yearly", "tahun": "yearly",
                  "snapshot": "undated"},
        "tingkat": {"desa": "village", "kecamatan": "kecamatan"},
    },
}  # fmt: skip

# Message templates by code. `message` of a RowError is the Indonesian text; the codes and
# parameters let the dashboard show the same error in English.
MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "file.format": "berkas {nama} bukan CSV atau XLSX",
        "file.xls": "format .xls lama tidak didukung; simpan berkas sebagai .xlsx atau CSV",
        "file.encoding": 'berkas CSV bukan teks UTF-8; simpan ulang sebagai "CSV UTF-8"',
        "file.xlsx": "berkas XLSX tidak dapat dibaca ({detail})",
        "file.empty": "berkas kosong: tidak ada baris judul kolom",
        "file.no_rows": "berkas tidak berisi baris data",
        "header.duplicate": "kolom {kolom} muncul dua kali (juga kolom ke-{ke})",
        "row.extra_cells": (
            "baris berisi {n} nilai, padahal judul kolom hanya {m}; angka berkoma harus "
            "diberi tanda kutip, atau gunakan titik koma (;) sebagai pemisah kolom"
        ),
        "dataset.unknown": "dataset {dataset} tidak dikenal",
        "dataset.not_importable": "dataset {dataset} tidak dapat diimpor dari berkas",
        "period.required": "{arg} wajib diisi untuk dataset {dataset} (data {grain})",
        "period.not_applicable": "{arg} tidak berlaku untuk dataset {dataset} (data {grain})",
        "period.tahun": "tahun {nilai} di luar rentang 2000–2100",
        "period.bulan": "bulan {nilai} harus 1–12",
        "period.semester": "semester {nilai} harus 1 atau 2",
        "key.not_applicable": "{arg} tidak berlaku untuk dataset {dataset}",
        "column.missing": "kolom {kolom} tidak ada (kolom wajib: {wajib})",
        "cell.empty": "kosong, wajib diisi",
        "cell.too_long": "teks lebih dari {maks} karakter",
        "cell.nul": "teks berisi karakter NUL (\\x00), yang tidak dapat disimpan",
        "code.format": "'{nilai}' bukan kode {tingkat} (contoh {contoh})",
        "code.not_registered": "{kode} bukan {tingkat} dalam registri",
        "code.not_in_reference": "{kode} bukan {tingkat} dalam referensi wilayah Kemendagri",
        "duplicate": "{tingkat} {kode}{item} juga ada di baris {baris}",
        "key.account": "'{nilai}' bukan kode rekening (contoh 412-01 atau 4.2.1)",
        "key.penyakit": "penyakit_id {nilai} tidak dikenal (dikenal: {dikenal})",
        "region.missing": (
            "berkas tidak berisi kolom {kolom}: pilih {tingkat} saat impor (--{tingkat} KODE "
            "atau pilihan {tingkat} di halaman Unggah)"
        ),
        "region.differs": "{kolom} {nilai} berbeda dengan {tingkat} yang dipilih ({dipilih})",
        "sarana.kategori": "kategori '{nilai}' tidak dikenal (dikenal: {dikenal})",
        "apbdes.not_sum": (
            "jumlah akun {akun} ({nilai}) bukan jumlah sub-akunnya dalam berkas ({total})"
        ),
        "key.differs": "{kolom} {nilai} berbeda dengan {kolom} yang dipilih ({dipilih})",
        "number.invalid": "nilai '{nilai}' bukan angka",
        "number.negative": "nilai '{nilai}' tidak boleh negatif",
        "number.integer": "nilai '{nilai}' harus bilangan bulat",
        "number.percent": "nilai '{nilai}' di luar 0–100 (persentase)",
        "number.too_large": "nilai '{nilai}' terlalu besar (lebih dari {maks})",
        "scope.anonim": "masuk dulu: hanya operator dan admin yang boleh mengunggah",
        "scope.peran": "akun ini tidak boleh mengunggah",
        "scope.wilayah": (
            "berkas ditolak seluruhnya: {n} wilayah di luar kecamatan {kecamatan} akun ini: "
            "{wilayah}"
        ),
    },
    "en": {
        "file.format": "file {nama} is not CSV or XLSX",
        "file.xls": "the old .xls format is not supported; save the file as .xlsx or CSV",
        "file.encoding": 'the CSV file is not UTF-8 text; save it again as "CSV UTF-8"',
        "file.xlsx": "the XLSX file cannot be read ({detail})",
        "file.empty": "empty file: no header row",
        "file.no_rows": "the file has no data rows",
        "header.duplicate": "column {kolom} appears twice (also column {ke})",
        "row.extra_cells": (
            "the row has {n} values but the header only {m} columns; quote numbers with a "
            "decimal comma, or separate columns with a semicolon (;)"
        ),
        "dataset.unknown": "unknown dataset {dataset}",
        "dataset.not_importable": "dataset {dataset} cannot be imported from a file",
        "period.required": "{arg} is required for dataset {dataset} ({grain} data)",
        "period.not_applicable": "{arg} does not apply to dataset {dataset} ({grain} data)",
        "period.tahun": "year {nilai} is outside 2000–2100",
        "period.bulan": "month {nilai} must be 1–12",
        "period.semester": "semester {nilai} must be 1 or 2",
        "key.not_applicable": "{arg} does not apply to dataset {dataset}",
        "column.missing": "column {kolom} is missing (required columns: {wajib})",
        "cell.empty": "empty, a value is required",
        "cell.too_long": "text longer than {maks} characters",
        "cell.nul": "the text holds a NUL character (\\x00), which cannot be stored",
        "code.format": "'{nilai}' is not a {tingkat} code (e.g. {contoh})",
        "code.not_registered": "{kode} is not a {tingkat} of the registry",
        "code.not_in_reference": "{kode} is not a {tingkat} in the Kemendagri region reference",
        "duplicate": "{tingkat} {kode}{item} is also on row {baris}",
        "key.account": "'{nilai}' is not an account code (e.g. 412-01 or 4.2.1)",
        "key.penyakit": "penyakit_id {nilai} is not known (known: {dikenal})",
        "region.missing": (
            "the file has no {kolom} column: choose the {tingkat} when importing (--{tingkat} "
            "CODE or the {tingkat} choice on the Unggah page)"
        ),
        "region.differs": "{kolom} {nilai} differs from the chosen {tingkat} ({dipilih})",
        "sarana.kategori": "category '{nilai}' is not known (known: {dikenal})",
        "apbdes.not_sum": (
            "the amount of account {akun} ({nilai}) is not the sum of its sub-accounts in the "
            "file ({total})"
        ),
        "key.differs": "{kolom} {nilai} differs from the chosen {kolom} ({dipilih})",
        "number.invalid": "value '{nilai}' is not a number",
        "number.negative": "value '{nilai}' must not be negative",
        "number.integer": "value '{nilai}' must be a whole number",
        "number.percent": "value '{nilai}' is outside 0–100 (percentage)",
        "number.too_large": "value '{nilai}' is too large (more than {maks})",
        "scope.anonim": "sign in first: only operators and admins may upload",
        "scope.peran": "this account may not upload",
        "scope.wilayah": (
            "the whole file is refused: {n} regions outside this account's kecamatan "
            "{kecamatan}: {wilayah}"
        ),
    },
}

_SUMMARY = {
    "id": {
        "loaded": "{wilayah} {tingkat}, {nilai} nilai dimuat untuk periode {periode}",
        "changes": "{ok} {tingkat} berubah, {unchanged} tidak berubah",
        "rejected": "Berkas ditolak: {n} kesalahan",
        "row_col": "baris {baris}, kolom {kolom}: {pesan}",
        "row": "baris {baris}: {pesan}",
        "semester": "{tahun} semester {semester}",
        "desa": "desa",
        "kecamatan": "kecamatan",
    },
    "en": {
        "loaded": "{wilayah} {tingkat}, {nilai} values loaded for period {periode}",
        "changes": "{ok} {tingkat} changed, {unchanged} unchanged",
        "rejected": "File rejected: {n} errors",
        "row_col": "row {baris}, column {kolom}: {pesan}",
        "row": "row {baris}: {pesan}",
        "semester": "{tahun} semester {semester}",
        "desa": "villages",
        "kecamatan": "kecamatan",
    },
}


@dataclass(frozen=True)
class RowError:
    """One problem of an import: spreadsheet row (header = 1, 0 = the whole file or the
    period chosen), the column, and what is wrong in Indonesian."""

    line: int
    column: str
    message: str
    code: str = field(default="", compare=False)
    params: dict = field(default_factory=dict, compare=False, repr=False)

    def text(self, lang: str = "id") -> str:
        """The message in a language of the dashboard (Indonesian by default)."""
        if lang == "id" or not self.code:
            return self.message
        return _render(lang, self.code, self.params)

    def line_text(self, lang: str = "id") -> str:
        """The message with its place: "baris 5, kolom jumlah_aki: nilai 'x' bukan angka"."""
        words = _SUMMARY.get(lang, _SUMMARY["id"])
        if self.line <= 0:
            return self.text(lang)
        if self.column:
            return words["row_col"].format(
                baris=self.line, kolom=self.column, pesan=self.text(lang)
            )
        return words["row"].format(baris=self.line, pesan=self.text(lang))


class SpreadsheetError(ValueError):
    """The file cannot be read as a table at all."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _render(lang: str, code: str, params: dict) -> str:
    templates = MESSAGES.get(lang, MESSAGES["id"])
    words = _PARAM_WORDS.get(lang, _PARAM_WORDS["id"])
    shown = {k: words[k].get(v, v) if k in words else v for k, v in params.items()}
    if code not in templates:  # issue 10: the upload bounds' texts are in the catalogue
        return t(code, lang, **shown)
    return templates[code].format(**shown)


def _error(line: int, column: str, code: str, **params) -> RowError:
    return RowError(line, column, _render("id", code, params), code, params)


# -- reading -------------------------------------------------------------------------------------
def read_table(path_or_bytes: str | Path | bytes, filename: str | None = None) -> pd.DataFrame:
    """Read the first sheet of an XLSX or a CSV (`,` `;` or tab separated) as text.

    Headers are normalised (strip, lower case, spaces to `_`); every cell is the text the
    operator typed, empty cells are "". The index (named "baris") is the spreadsheet row number.
    Problems that do not stop reading (a column twice, a row with more cells than headers) are
    in `df.attrs["errors"]` for `validate`; an unreadable file raises SpreadsheetError.
    """
    try:  # issue 10: bounded before anything parses it (collectors.upload_bounds)
        data = read_bounded(path_or_bytes)
        check_upload(data)
    except UploadRefused as exc:
        raise SpreadsheetError(_error(0, "", exc.code, **exc.params)) from None
    if isinstance(path_or_bytes, bytes | bytearray):
        name = filename or "berkas"
    else:
        name = filename or Path(path_or_bytes).name
    # the content decides, not the name: operators rename files
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_error(0, "", "file.xls"))
    elif name.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError(_error(0, "", "file.xlsx", detail="bukan arsip XLSX"))
    elif name.lower().endswith((".csv", ".txt", ".tsv")) or not Path(name).suffix:
        rows = _csv_rows(data)
    else:
        raise SpreadsheetError(_error(0, "", "file.format", nama=name))
    return _frame(rows)


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError:
        raise SpreadsheetError(_error(0, "", "file.encoding")) from None
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    # Indonesian Excel writes `;` because `,` is its decimal separator
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # a record is a spreadsheet row even when a quoted cell spans lines
    return [(number, row) for number, row in enumerate(reader, start=1)]


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        # data_only: the value a formula last showed, not the formula
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(
            _error(0, "", "file.xlsx", detail=str(exc) or type(exc).__name__)
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [
            (cells[0].row, [_cell_text(c) for c in cells])
            for cells in sheet.iter_rows(min_row=1, max_row=sheet.max_row)
            if cells
        ]
    finally:
        book.close()


def _cell_text(cell) -> str:
    """The cell as the operator sees it, in a form parse_number reads back exactly."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if "%" in (cell.number_format or ""):
            value = round(value * 100, 10)  # shown as 95 %, stored as 0.95
        if float(value).is_integer():
            return str(int(value))
        text = repr(float(value))
        if "e" in text:
            text = f"{value:.15f}".rstrip("0")
        decimals = text.partition(".")[2]
        if len(decimals) == 3:
            # 1.234 from a number cell is one point two three four, not the typed "1.234"
            # (one thousand two hundred thirty-four): a fourth digit keeps it a decimal
            text += "0"
        return text
    return str(value).strip()


def _normalise_header(value: str) -> str:
    return re.sub(r"\s+", "_", value.strip().lower())


def _frame(rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    start = next((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)), None)
    if start is None:
        raise SpreadsheetError(_error(0, "", "file.empty"))
    header_line, header = rows[start]
    errors: list[RowError] = []
    positions: dict[str, int] = {}
    for pos, raw in enumerate(header):
        name = _normalise_header(raw)
        if not name:
            continue  # unnamed columns (often formatting in Excel) carry no template field
        if name in positions:
            errors.append(
                _error(header_line, name, "header.duplicate", kolom=name, ke=positions[name] + 1)
            )
            continue
        positions[name] = pos
    width = len(header)
    records, lines = [], []
    for line, cells in rows[start + 1 :]:
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            errors.append(_error(line, "", "row.extra_cells", n=width + len(extra), m=width))
        padded = list(cells) + [""] * (width - len(cells))
        records.append([padded[pos] for pos in positions.values()])
        lines.append(line)
    df = pd.DataFrame(
        records,
        columns=list(positions),
        index=pd.Index(lines, name=LINE_INDEX, dtype="int64"),
        dtype=str,
    )
    df.attrs["errors"] = errors
    return df


# -- numbers -------------------------------------------------------------------------------------
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")  # 1.234 or 1.234.567,5
_DECIMAL_COMMA = re.compile(r"\d+(?:,\d+)?")  # 12 or 12,5
_DECIMAL_POINT = re.compile(r"\d+\.\d+")  # 12.5 (a file from an English-language Excel)


def parse_number(text: str) -> float | None:
    """Read a number written the Indonesian way ("1.234", "12,5", "1.234,5"); None if not one.

    A dot followed by exactly three digits groups thousands; any other single dot is a
    decimal point. So "1.234" is 1234 and "12.5" is 12.5.
    """
    s = text.strip().replace("\u2212", "-")
    sign = 1.0
    if s and s[0] in "+-":
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:].strip()
    if _THOUSANDS.fullmatch(s):
        return sign * float(s.replace(".", "").replace(",", "."))
    if _DECIMAL_COMMA.fullmatch(s):
        return sign * float(s.replace(",", "."))
    if _DECIMAL_POINT.fullmatch(s):
        return sign * float(s)
    return None


def _check_value(
    text: str, kind: str, line: int, column: str
) -> tuple[float | None, RowError | None]:
    """A measure's cell: (value, None) or (None, the error)."""
    raw = text.strip()
    if not raw:
        return None, _error(line, column, "cell.empty")
    number = parse_number(raw[:-1] if kind == "percent" and raw.endswith("%") else raw)
    if number is None or math.isnan(number):
        return None, _error(line, column, "number.invalid", nilai=raw[:40])
    limit = MAX_COUNT if kind == "count" else MAX_AMOUNT
    if number > limit:  # a 400-digit number reads as inf: too large as well
        return None, _error(
            line, column, "number.too_large", nilai=raw[:40], maks=f"10^{len(str(limit)) - 1}"
        )
    if number < 0:
        return None, _error(line, column, "number.negative", nilai=raw)
    if kind == "count" and not number.is_integer():
        return None, _error(line, column, "number.integer", nilai=raw)
    if kind == "percent" and number > 100:
        return None, _error(line, column, "number.percent", nilai=raw)
    return number + 0.0, None  # + 0.0: no negative zero


# -- validation ----------------------------------------------------------------------------------
@dataclass
class ImportResult:
    """A checked file: the values to store, or why it cannot be stored."""

    rows: list[tuple[str, MeasurementRow]]  # (kode_wilayah, value)
    errors: list[RowError]
    periode: str

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_region(self) -> dict[str, list[MeasurementRow]]:
        """The rows grouped per village (or kecamatan), in file order."""
        out: dict[str, list[MeasurementRow]] = {}
        for kode, row in self.rows:
            out.setdefault(kode, []).append(row)
        return out


def region_column(dataset: DatasetDef) -> str:
    """The column naming the region: desa_id, or kecamatan_id for kecamatan-level datasets."""
    return "kecamatan_id" if dataset.level == "kecamatan" else "desa_id"


def required_columns(
    dataset: DatasetDef, *, key_given: bool = False, region_given: bool = False
) -> list[str]:
    """The columns a file must have, in template order (the region column only when no
    region is chosen for the whole file)."""
    columns = [] if region_given else [region_column(dataset)]
    if dataset.key_column and not key_given:
        columns.append(dataset.key_column)
    if dataset.name == SARANA:
        columns += ["nama", "kategori"]
    columns += [col for col, _ in dataset.template]
    return columns


def check_period(
    dataset: DatasetDef,
    *,
    tahun: int | None,
    bulan: int | None = None,
    semester: int | None = None,
) -> tuple[str, list[RowError]]:
    """The period id for the dataset's grain, or the errors of the arguments given."""
    errors: list[RowError] = []
    grain = dataset.import_grain or dataset.grain
    wanted = {"bulan": "bulan", "semester": "semester"}.get(grain)
    for arg, value in (("bulan", bulan), ("semester", semester)):
        if arg == wanted and value is None:
            errors.append(
                _error(0, arg, "period.required", arg=arg, dataset=dataset.name, grain=grain)
            )
        elif arg != wanted and value is not None:
            errors.append(
                _error(0, arg, "period.not_applicable", arg=arg, dataset=dataset.name, grain=grain)
            )
    if grain == "snapshot":
        # a snapshot (Data Sarana) has no period: a year given is not needed and not kept
        return ("", errors) if errors else ("", [])
    if tahun is None:
        errors.append(
            _error(0, "tahun", "period.required", arg="tahun", dataset=dataset.name, grain=grain)
        )
        return "", errors
    if not 2000 <= tahun <= 2100:
        errors.append(_error(0, "tahun", "period.tahun", nilai=tahun))
    if bulan is not None and not 1 <= bulan <= 12:
        errors.append(_error(0, "bulan", "period.bulan", nilai=bulan))
    if semester is not None and semester not in (1, 2):
        errors.append(_error(0, "semester", "period.semester", nilai=semester))
    if errors:
        return "", errors
    return period_id(tahun, bulan=bulan, semester=semester), []


def validate(
    df: pd.DataFrame,
    dataset: DatasetDef,
    *,
    tahun: int | None,
    bulan: int | None = None,
    semester: int | None = None,
    known_villages: set[str] | None = None,
    penyakit_id: str | int | None = None,
    region: str | None = None,
    penyakit_ids: Collection[str] | None = None,
) -> ImportResult:
    """Check a table from read_table against the dataset's template and the registry.

    Every problem is collected (not only the first) so the operator can fix the file in one go.
    `known_villages` are the registry's village codes; None checks codes against the region
    reference only. `penyakit_id` sets the item of an epidemi-penyakit file whose rows have no
    penyakit_id column, `penyakit_ids` the disease ids known (config.penyakit; None = any).
    `region` is the village (or kecamatan) chosen for a file without the region column, as
    OpenDK's upload form chooses it for its templates that have none.
    """
    errors: list[RowError] = list(df.attrs.get("errors", ()))
    if not dataset.importable:
        errors.append(_error(0, "", "dataset.not_importable", dataset=dataset.name))
        return ImportResult([], errors, "")
    periode, period_errors = check_period(dataset, tahun=tahun, bulan=bulan, semester=semester)
    errors += period_errors

    key_arg = _key_argument(penyakit_id)
    if key_arg is not None and dataset.key_column != "penyakit_id":
        errors.append(
            _error(0, "penyakit_id", "key.not_applicable", arg="penyakit_id", dataset=dataset.name)
        )
        key_arg = None
    elif key_arg is not None:
        problem = _check_key(key_arg, dataset.key_column, 0, dataset.key_column, penyakit_ids)
        if problem:
            errors.append(problem)
    region_col = region_column(dataset)
    level = "kecamatan" if dataset.level == "kecamatan" else "desa"
    known = _known_regions(known_villages, level)
    chosen = None
    if _key_argument(region) is not None:
        chosen, problem = _check_region(str(region), level, known, 0, level)
        if problem:
            errors.append(problem)
    region_given = _key_argument(region) is not None
    required = required_columns(dataset, key_given=key_arg is not None, region_given=region_given)
    if not region_given and region_col not in df.columns:
        errors.append(_error(1, region_col, "region.missing", kolom=region_col, tingkat=level))
    for column in required:
        if column not in df.columns and column != region_col:
            errors.append(
                _error(1, column, "column.missing", kolom=column, wajib=", ".join(required))
            )

    key_col = dataset.key_column
    label_col = LABEL_COLUMNS.get(key_col or "")
    measures = [(col, measure, _kind(dataset, measure)) for col, measure in dataset.template]
    lines = _lines(df)
    seen: dict[tuple[str, str], int] = {}
    rows: list[tuple[str, MeasurementRow]] = []
    placed: list[tuple[str, str, float, int]] = []  # APBDes: (region, account, amount, line)
    data_rows = 0
    for line, record in zip(lines, df.itertuples(index=False, name=None), strict=True):
        cells = {
            col: ("" if pd.isna(v) else str(v)) for col, v in zip(df.columns, record, strict=True)
        }
        if not any(v.strip() for v in cells.values()):
            continue  # blank rows between blocks are common and harmless
        data_rows += 1
        row_errors: list[RowError] = []

        kode = chosen
        if region_col in cells:
            typed, problem = _check_region(cells[region_col], level, known, line, region_col)
            if problem and not (region_given and not cells[region_col].strip()):
                row_errors.append(problem)
            elif region_given and typed is not None and chosen is not None and typed != chosen:
                row_errors.append(
                    _error(line, region_col, "region.differs", kolom=region_col, nilai=typed,
                           tingkat=level, dipilih=chosen)
                )  # fmt: skip
            elif not region_given:
                kode = typed

        item = key_arg or ""
        if key_col and key_col in cells:
            typed = cells[key_col].strip()
            if key_arg is None:
                problem = _check_key(typed, key_col, line, key_col, penyakit_ids)
                if problem:
                    row_errors.append(problem)
                item = _item(typed, key_col)
            elif typed and typed != key_arg:
                row_errors.append(
                    _error(
                        line, key_col, "key.differs", kolom=key_col, nilai=typed, dipilih=key_arg
                    )
                )

        label = ""
        if label_col and label_col in cells:
            label, problem = _check_text(cells[label_col], line, label_col, MAX_LABEL)
            if problem:
                row_errors.append(problem)
        atribut = None
        if dataset.name == SARANA:
            item, label, atribut, problems = _sarana_item(cells, line)
            row_errors += problems

        values: list[tuple[str, float]] = []
        for col, measure, kind in measures:
            if col not in cells:
                continue  # reported once as a missing column
            value, problem = _check_value(cells[col], kind, line, col)
            if problem:
                row_errors.append(problem)
            else:
                values.append((measure, value))

        if kode is not None and (key_arg is not None or not key_col or item):
            first = seen.setdefault((kode, item), line)
            if first != line:
                shown = f" ({key_col} {item})" if key_col else (f" ({label})" if label else "")
                row_errors.append(
                    _error(
                        line,
                        region_col if region_col in cells else "",  # a chosen region: the row
                        "duplicate",
                        tingkat=level,
                        kode=kode,
                        item=shown,
                        baris=first,
                    )
                )
        errors += row_errors
        if not row_errors and kode is not None:
            rows += [
                (
                    kode,
                    MeasurementRow(
                        measure, value, kode=item, label=label, periode=periode, atribut=atribut
                    ),
                )
                for measure, value in values
            ]
            if key_col == "no_akun" and values:
                placed.append((kode, item, values[0][1], line))
    if data_rows == 0:
        errors.append(_error(0, "", "file.no_rows"))
    errors += _check_account_sums(placed, key_col or "")
    errors.sort(key=lambda e: (e.line, _column_order(e.column, df.columns)))
    return ImportResult(rows if not errors else [], errors, periode)


def _item(typed: str, key_col: str) -> str:
    """The stored item of a key cell: OpenDK's account 412-01 is our 4.1.2.01."""
    if key_col == "no_akun":
        return from_opendk(typed) or typed
    if key_col == "penyakit_id" and typed.isdigit():
        return str(int(typed))
    return typed


def _check_text(text: str, line: int, column: str, limit: int) -> tuple[str, RowError | None]:
    value = text.strip()
    if len(value) > limit:
        return value, _error(line, column, "cell.too_long", maks=limit)
    if "\x00" in value:
        return value, _error(line, column, "cell.nul")
    return value, None


def _sarana_item(cells: dict, line: int) -> tuple[str, str, dict, list[RowError]]:
    """A facility's item: its category value and name (kode), the name (label), and the
    category and note as attributes."""
    problems: list[RowError] = []
    nama, problem = _check_text(cells.get("nama", ""), line, "nama", MAX_LABEL)
    if problem:
        problems.append(problem)
    elif not nama and "nama" in cells:
        problems.append(_error(line, "nama", "cell.empty"))
    typed = cells.get("kategori", "").strip()
    kategori = kategori_value(typed) if typed else None
    if "kategori" in cells and kategori is None:
        if not typed:
            problems.append(_error(line, "kategori", "cell.empty"))
        else:
            known = ", ".join(name for name, _ in KATEGORI.values())
            problems.append(
                _error(line, "kategori", "sarana.kategori", nilai=typed[:60], dikenal=known)
            )
    keterangan, problem = _check_text(cells.get("keterangan", ""), line, "keterangan", 1000)
    if problem:
        problems.append(problem)
    kode = f"{kategori}:{' '.join(nama.split()).casefold()}" if kategori and nama else ""
    if kode and len(kode) > MAX_KODE:
        problems.append(_error(line, "nama", "cell.too_long", maks=MAX_KODE - len(kategori) - 1))
    atribut = {"kategori": kategori, "keterangan": keterangan}
    return kode, nama, atribut, problems


def _check_account_sums(placed: list[tuple[str, str, float, int]], key_col: str) -> list[RowError]:
    """APBDes: an account of the file that has sub-accounts in the same file must be their
    sum (OpenDK's templates list leaves only; a file with totals must agree with itself)."""
    if key_col != "no_akun" or not placed:
        return []
    errors = []
    by_region: dict[str, dict[str, tuple[float, int]]] = {}
    for kode, akun, amount, line in placed:
        by_region.setdefault(kode, {})[akun] = (amount, line)
    for accounts in by_region.values():
        kids: dict[str, list[str]] = {}
        for akun in accounts:
            parent = next((a for a in ancestors(akun) if a in accounts), None)
            if parent is not None:
                kids.setdefault(parent, []).append(akun)
        for parent, children in kids.items():
            own, line = accounts[parent]
            total = sum(accounts[c][0] for c in children)
            if abs(own - total) > 0.5:
                errors.append(
                    _error(line, "jumlah", "apbdes.not_sum", akun=parent,
                           nilai=f"{own:,.0f}".replace(",", "."),
                           total=f"{total:,.0f}".replace(",", "."))
                )  # fmt: skip
    return errors


def _key_argument(value: str | int | None) -> str | None:
    """The item chosen for the whole file; blank counts as not chosen."""
    text = "" if value is None else str(value).strip()
    return text or None


def _kind(dataset: DatasetDef, measure: str) -> str:
    if measure in dataset.percent:
        return "percent"
    return "money" if dataset.name in MONEY_DATASETS else "count"


def _lines(df: pd.DataFrame) -> list[int]:
    """Spreadsheet row numbers: read_table's index, else row position after a header row."""
    if df.index.name == LINE_INDEX:
        return [int(i) for i in df.index]
    return list(range(2, len(df) + 2))


def _column_order(column: str, columns: Iterable[str]) -> int:
    order = list(columns)
    return order.index(column) if column in order else -1


def _known_regions(known_villages: set[str] | None, level: str) -> set[str] | None:
    if known_villages is None:
        return None
    villages = set()
    for code in known_villages:
        try:
            villages.add(normalize_code(code))
        except RegionCodeError:
            continue
    if level == "kecamatan":
        return {code[:8] for code in villages}
    return villages


def _check_region(
    text: str, level: str, known: set[str] | None, line: int, column: str
) -> tuple[str | None, RowError | None]:
    raw = text.strip()
    if not raw:
        return None, _error(line, column, "cell.empty")
    size, example = (13, "17.03.06.2001") if level == "desa" else (8, "17.03.06")
    try:
        kode = normalize_code(raw)
    except RegionCodeError:
        kode = None
    if kode is None or len(kode) != size:
        return None, _error(line, column, "code.format", nilai=raw, tingkat=level, contoh=example)
    if known is not None:
        if kode not in known:
            return None, _error(line, column, "code.not_registered", kode=kode, tingkat=level)
    else:
        region = get_region(kode)
        if region is None or region.tingkat != level:
            return None, _error(line, column, "code.not_in_reference", kode=kode, tingkat=level)
    return kode, None


def _check_key(
    text: str,
    key_col: str | None,
    line: int,
    column: str,
    penyakit_ids: Collection[str] | None = None,
) -> RowError | None:
    if not text:
        return _error(line, column, "cell.empty")
    if len(text) > MAX_KODE:
        return _error(line, column, "cell.too_long", maks=MAX_KODE)
    if "\x00" in text:
        return _error(line, column, "cell.nul")
    if key_col == "no_akun" and not is_account(text):
        return _error(line, column, "key.account", nilai=text)
    if key_col == "penyakit_id" and penyakit_ids is not None:
        if _item(text, key_col) not in set(penyakit_ids):
            return _error(line, column, "key.penyakit", nilai=text, dikenal=", ".join(penyakit_ids))
    return None


# -- import --------------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What became of a file: loaded (counts, run) or rejected (every error)."""

    ok: bool
    errors: list[RowError]
    villages: int  # regions in the file: villages, or kecamatan for a kecamatan dataset
    rows: int  # values stored
    run_id: int | None
    periode: str
    dataset: str = ""
    level: str = "desa"
    statuses: dict[str, str] = field(default_factory=dict)  # region -> ok / unchanged

    @property
    def changed(self) -> int:
        return sum(1 for s in self.statuses.values() if s == "ok")

    @property
    def unchanged(self) -> int:
        return sum(1 for s in self.statuses.values() if s == "unchanged")

    def summary(self, lang: str = "id") -> str:
        """Plain text for the CLI and the upload page."""
        words = _SUMMARY.get(lang, _SUMMARY["id"])
        if not self.ok:
            lines = [words["rejected"].format(n=len(self.errors))]
            lines += [e.line_text(lang) for e in self.errors]
            return "\n".join(lines)
        tingkat = words[self.level]
        loaded = words["loaded"].format(
            wilayah=self.villages,
            tingkat=tingkat,
            nilai=self.rows,
            periode=format_period(self.periode, lang) or "–",  # Data Sarana has none
        )
        changes = words["changes"].format(
            ok=self.changed, tingkat=tingkat, unchanged=self.unchanged
        )
        return f"{loaded} ({changes})"


def format_period(periode: str, lang: str = "id") -> str:
    """2026-11 for a month, "2026 semester 1", 2026 for a year."""
    if re.fullmatch(r"\d{6}", periode):
        return f"{periode[:4]}-{periode[4:]}"
    if re.fullmatch(r"\d{4}S\d", periode):
        words = _SUMMARY.get(lang, _SUMMARY["id"])
        return words["semester"].format(tahun=periode[:4], semester=periode[5])
    return periode


def _penyakit_ids(dataset: DatasetDef, given: Collection[str] | None) -> list[str] | None:
    if dataset.key_column != "penyakit_id":
        return None
    if given is not None:
        return list(given)
    from config.penyakit import known_ids
    from config.settings import load_settings

    return known_ids(load_settings().penyakit)


def import_file(
    store: Warehouse,
    dataset_name: str,
    path_or_bytes: str | Path | bytes,
    filename: str | None = None,
    *,
    tahun: int | None,
    bulan: int | None = None,
    semester: int | None = None,
    villages: list[Village],
    penyakit_id: str | int | None = None,
    region: str | None = None,
    penyakit_ids: Collection[str] | None = None,
    actor: Actor | None,
    origin: str | None = None,
) -> ImportReport:
    """Check a file and, when it has no error at all, load it as one run of kind "import".

    Each region in the file gets the dataset's values of that period replaced by the file's;
    other periods, other regions (and for a file of one penyakit_id, other diseases) stay.
    `region` is the village (kecamatan) chosen for a file without the region column; the
    disease ids known are `penyakit_ids` (default: config.penyakit with the settings). An
    APBDes file is OpenDK's: the budget (anggaran) of one month, leaves rolled up to their
    parent accounts together with the month's other accounts already stored
    (collectors.apbdes_months); the villages' own yearly APBDes is never touched.

    `actor` must be allowed to change every region of the file (warehouse.accounts): None
    (anonymous) is refused before the file is read, an operator's file holding any region
    outside its kecamatan is refused whole, naming them; nothing is written then. Every
    attempt is in the audit (`origin`: the client's address).
    """
    shown_name = filename or (
        None if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).name
    )
    if actor is None or actor.role not in ("admin", "operator", "system"):
        reason = "anonim" if actor is None else "peran"
        record_audit(store, actor, "unggah", "refused", target=shown_name, ip=origin,
                     detail=f"{dataset_name}: {reason}")  # fmt: skip
        error = _error(0, "", f"scope.{reason}")
        return ImportReport(False, [error], 0, 0, None, "", dataset_name)
    dataset = BY_NAME.get(dataset_name)
    if dataset is None:
        error = _error(0, "", "dataset.unknown", dataset=dataset_name)
        return ImportReport(False, [error], 0, 0, None, "", dataset_name)
    level = "kecamatan" if dataset.level == "kecamatan" else "desa"

    def rejected(errors: list[RowError], periode: str) -> ImportReport:
        return ImportReport(False, errors, 0, 0, None, periode, dataset.name, level)

    try:
        table = read_table(path_or_bytes, filename)
    except SpreadsheetError as exc:
        periode, period_errors = check_period(dataset, tahun=tahun, bulan=bulan, semester=semester)
        return rejected([*period_errors, exc.error], periode)
    result = validate(
        table,
        dataset,
        tahun=tahun,
        bulan=bulan,
        semester=semester,
        known_villages={v.kode_desa for v in villages},
        penyakit_id=penyakit_id,
        region=region,
        penyakit_ids=_penyakit_ids(dataset, penyakit_ids),
    )
    if not result.ok:
        detail = f"{dataset.name} {result.periode}: {len(result.errors)} errors"
        record_audit(
            store, actor, "unggah", "rejected", target=shown_name, ip=origin, detail=detail
        )
        return rejected(result.errors, result.periode)

    from collectors.apbdes_months import complete_month
    from warehouse.imports import record_import

    by_region = result.by_region()
    try:
        check_scope(actor, by_region)
    except NotPermitted as refused:
        names = {v.kode_desa: v.nama_desa for v in villages}
        named = [f"{kode} {names[kode]}" if kode in names else kode for kode in refused.codes]
        shown = ", ".join(named[:20]) + (f", … (+{len(named) - 20})" if len(named) > 20 else "")
        record_audit(store, actor, "unggah", "refused", target=shown_name, ip=origin,
                     detail=f"{dataset.name} {result.periode}: outside {actor.kode_kecamatan}: "
                     + ", ".join(refused.codes))  # fmt: skip
        error = _error(0, "", "scope.wilayah", n=len(named), kecamatan=actor.kode_kecamatan,
                       wilayah=shown)  # fmt: skip
        return rejected([error], result.periode)
    writes = {
        kode: DatasetWrite(dataset.name, "ok", rows, kind="measurement", periods=(result.periode,))
        for kode, rows in by_region.items()
    }
    store.sync_regions(villages)
    run_id = store.start_run(kind="import", trigger="import", total=len(writes))
    try:
        statuses = record_import(
            store,
            run_id,
            dataset.name,
            writes,
            measures={measure for _, measure in dataset.template},
            # a file for one disease replaces that disease only
            kodes={key} if (key := _key_argument(penyakit_id)) is not None else None,
            source=filename,
            expand=complete_month if dataset.name == "apbdes" else None,
            actor=actor,
        )
    except BaseException:
        store.finish_run(run_id, ok=0, unchanged=0, failed=len(writes), status="aborted")
        raise
    report = ImportReport(
        True,
        [],
        len(writes),
        len(result.rows),
        run_id,
        result.periode,
        dataset.name,
        level,
        statuses,
    )
    store.finish_run(run_id, ok=report.changed, unchanged=report.unchanged, failed=0)
    # who loaded which file: the collection run has no place for it
    store.record_job_event(
        "import",
        "executed",
        run_id=run_id,
        detail=f"{actor.name}: {filename or '-'} -> {dataset.name} {result.periode}, "
        f"{report.villages} {level}, {report.rows} nilai",
    )
    record_audit(store, actor, "unggah", "ok", target=shown_name, ip=origin, run_id=run_id,
                 detail=f"{dataset.name} {result.periode}: {report.villages} {level}, "
                 f"{report.changed} changed, {report.rows} values")  # fmt: skip
    return report
