"""Why a push was refused: a code, its parameters, and the text in English or Indonesian.

Parameters never carry a value read from a person-level file (residents, recipients): a bad
cell is named by its row and column, never by its content, so an error text, a log line or a
traceback cannot leak a NIK, a name or a birth date. Values from files without personal data
(programme and project ids, codes, sizes) may be shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from collectors.model import PayloadError

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "upload.missing": "no file was uploaded (multipart field 'file')",
        "upload.too_large": "the upload is {size} bytes, more than the {limit} allowed",
        "zip.invalid": "the upload is not a readable zip archive ({detail})",
        "zip.too_many_members": "the zip holds {n} entries, more than {limit}",
        "zip.member_too_large": "zip entry {name} inflates to {size} bytes, more than {limit}",
        "zip.ratio": "zip entry {name} inflates {ratio}:1, more than {limit}:1 (a zip bomb?)",
        "zip.method": "zip entry {name} uses compression method {method}; only stored and "
        "deflate are read",
        "zip.encrypted": "zip entry {name} is encrypted",
        "zip.no_data_file": "the zip holds no {wanted} file",
        "xlsx.invalid": "the XLSX cannot be read ({detail})",
        "xml.invalid": "{part} in the XLSX is not well-formed XML (line {line})",
        "xml.doctype": "{part} in the XLSX declares a DOCTYPE or entities, which are refused",
        "xml.token": "{part} in the XLSX has a token longer than {limit} bytes",
        "csv.encoding": "the CSV is not UTF-8 text",
        "csv.invalid": "the CSV cannot be read as comma-separated values (row {row})",
        "table.empty": "the {file} file has no header row",
        "table.too_many_rows": "more than {limit} data rows",
        "table.too_many_columns": "row {row} has a cell beyond column {limit}",
        "table.cell_too_long": "row {row}: a cell longer than {limit} characters",
        "table.record_too_long": "row {row}: a record longer than {limit} characters",
        "table.extra_cells": "row {row} has {n} cells but the header only {m} columns",
        "header.duplicate": "column {column} appears twice in the header",
        "column.missing": "column {column} is missing",
        "village.missing": "the payload names no village (desa_id)",
        "village.invalid": "{value} is not a village code (e.g. 52.01.14.2005)",
        "village.mixed": "row {row} names village {other}, the payload names {kode}",
        "village.mismatch": "the payload names village {named}, but this token belongs to "
        "{expected}",
        "cell.empty": "row {row}, column {column}: empty, a value is required",
        "cell.not_integer": "row {row}, column {column}: not a whole number ≥ 0",
        "cell.not_date": "row {row}, column {column}: not a date (YYYY-MM-DD)",
        "cell.not_amount": "row {row}, column {column}: not an amount ≥ 0",
        "cell.not_year": "row {row}, column {column}: not a year 2000–2100",
        "cell.not_percent": "row {row}, column {column}: not a percentage 0–100",
        "cell.sex": "row {row}, column {column}: not 1 (laki-laki) or 2 (perempuan)",
        "cell.code": "row {row}, column {column}: {value} is not one of {allowed}",
        "cell.not_village": "row {row}, column {column}: not a village code",
        "duplicate": "row {row}: {column} {value} is also on row {first}",
        "penduduk.empty": "the file lists no residents",
        "penduduk.none_alive": "none of the {n} residents is alive (status_dasar 1)",
        "form.missing": "field {field} is missing",
        "form.too_long": "field {field} is longer than {limit} characters",
        "form.url": "field {field} is not an http(s) address",
        "json.too_large": "the body is {size} bytes, more than {limit}",
        "json.invalid": "the body is not JSON",
        "json.too_deep": "the JSON nests deeper than {limit} levels",
        "json.shape": "{field}: expected {expected}",
        "laporan.none": "no report in {field}",
        "laporan.too_many": "{n} reports, more than {limit}",
        "laporan.period": "report {index}: {field} {value} is outside {allowed}",
        "laporan.not_base64": "report {index}: file is not base64",
        "laporan.not_pdf": "report {index}: file is not a PDF",
        "laporan.too_large": "report {index}: the PDF is {size} bytes, more than {limit}",
        "laporan.duplicate": "report id {value} is listed twice",
        "internal": "the payload could not be read ({kind}); nothing was loaded",
    },
    "id": {
        "upload.missing": "tidak ada berkas yang diunggah (kolom multipart 'file')",
        "upload.too_large": "unggahan {size} byte, lebih dari batas {limit}",
        "zip.invalid": "unggahan bukan arsip zip yang dapat dibaca ({detail})",
        "zip.too_many_members": "zip berisi {n} entri, lebih dari {limit}",
        "zip.member_too_large": "entri zip {name} mengembang menjadi {size} byte, lebih dari "
        "{limit}",
        "zip.ratio": "entri zip {name} mengembang {ratio}:1, lebih dari {limit}:1 (bom zip?)",
        "zip.method": "entri zip {name} memakai metode kompresi {method}; hanya stored dan "
        "deflate yang dibaca",
        "zip.encrypted": "entri zip {name} terenkripsi",
        "zip.no_data_file": "zip tidak berisi berkas {wanted}",
        "xlsx.invalid": "berkas XLSX tidak dapat dibaca ({detail})",
        "xml.invalid": "{part} dalam XLSX bukan XML yang benar (baris {line})",
        "xml.doctype": "{part} dalam XLSX memuat DOCTYPE atau entitas, yang ditolak",
        "xml.token": "{part} dalam XLSX memuat token lebih dari {limit} byte",
        "csv.encoding": "berkas CSV bukan teks UTF-8",
        "csv.invalid": "berkas CSV tidak dapat dibaca sebagai nilai berpisah koma (baris {row})",
        "table.empty": "berkas {file} tidak memiliki baris judul kolom",
        "table.too_many_rows": "lebih dari {limit} baris data",
        "table.too_many_columns": "baris {row} memiliki sel di luar kolom ke-{limit}",
        "table.cell_too_long": "baris {row}: sel lebih dari {limit} karakter",
        "table.record_too_long": "baris {row}: rekaman lebih dari {limit} karakter",
        "table.extra_cells": "baris {row} berisi {n} sel, padahal judul kolom hanya {m}",
        "header.duplicate": "kolom {column} muncul dua kali pada judul",
        "column.missing": "kolom {column} tidak ada",
        "village.missing": "kiriman tidak menyebut desa (desa_id)",
        "village.invalid": "{value} bukan kode desa (contoh 52.01.14.2005)",
        "village.mixed": "baris {row} menyebut desa {other}, kiriman menyebut {kode}",
        "village.mismatch": "kiriman menyebut desa {named}, padahal token ini milik {expected}",
        "cell.empty": "baris {row}, kolom {column}: kosong, wajib diisi",
        "cell.not_integer": "baris {row}, kolom {column}: bukan bilangan bulat ≥ 0",
        "cell.not_date": "baris {row}, kolom {column}: bukan tanggal (YYYY-MM-DD)",
        "cell.not_amount": "baris {row}, kolom {column}: bukan nilai uang ≥ 0",
        "cell.not_year": "baris {row}, kolom {column}: bukan tahun 2000–2100",
        "cell.not_percent": "baris {row}, kolom {column}: bukan persentase 0–100",
        "cell.sex": "baris {row}, kolom {column}: bukan 1 (laki-laki) atau 2 (perempuan)",
        "cell.code": "baris {row}, kolom {column}: {value} bukan salah satu dari {allowed}",
        "cell.not_village": "baris {row}, kolom {column}: bukan kode desa",
        "duplicate": "baris {row}: {column} {value} juga ada di baris {first}",
        "penduduk.empty": "berkas tidak berisi penduduk",
        "penduduk.none_alive": "tidak satu pun dari {n} penduduk berstatus hidup (status_dasar 1)",
        "form.missing": "isian {field} tidak ada",
        "form.too_long": "isian {field} lebih dari {limit} karakter",
        "form.url": "isian {field} bukan alamat http(s)",
        "json.too_large": "isi permintaan {size} byte, lebih dari {limit}",
        "json.invalid": "isi permintaan bukan JSON",
        "json.too_deep": "JSON bersarang lebih dari {limit} tingkat",
        "json.shape": "{field}: seharusnya {expected}",
        "laporan.none": "tidak ada laporan dalam {field}",
        "laporan.too_many": "{n} laporan, lebih dari {limit}",
        "laporan.period": "laporan {index}: {field} {value} di luar {allowed}",
        "laporan.not_base64": "laporan {index}: berkas bukan base64",
        "laporan.not_pdf": "laporan {index}: berkas bukan PDF",
        "laporan.too_large": "laporan {index}: PDF {size} byte, lebih dari {limit}",
        "laporan.duplicate": "laporan id {value} tercantum dua kali",
        "internal": "kiriman tidak dapat dibaca ({kind}); tidak ada yang dimuat",
    },
}

# public codes are namespaced: a pull's reasons (collectors.model.Reason) have codes of their
# own, some spelled alike ("json.invalid"), and both may reach the same catalogue
MESSAGES: dict[str, dict[str, str]] = {
    lang: {f"push.{code}": text for code, text in texts.items()} for lang, texts in _TEXTS.items()
}

_PREFIX = {
    "en": "village {kode}, {push} push: {message}",
    "id": "desa {kode}, kiriman {push}: {message}",
}
_UNKNOWN_VILLAGE = {"en": "unknown", "id": "tidak diketahui"}


def render(code: str, params: dict, lang: str = "en") -> str:
    """The message of a code in a language (English if the language is not known)."""
    templates = MESSAGES.get(lang, MESSAGES["en"])
    return templates[code].format(**params)


class PushError(PayloadError):
    """A push that loads nothing: which village, which push, what was wrong (as a code with
    parameters, and in words). `str()` is the English text; `code` is one of MESSAGES'
    (push.zip.invalid, push.cell.not_date, ...)."""

    def __init__(self, push: str, code: str, kode_desa: str | None = None, **params) -> None:
        code = code if code.startswith("push.") else f"push.{code}"
        if code not in MESSAGES["en"]:
            raise ValueError(f"unknown push error code {code!r}")
        self.push = push
        self.kode_desa = kode_desa
        self.code, self.params = code, params  # for text() below
        super().__init__(self.text("en"))
        # set again: PayloadError may keep a code and params of its own (collectors.model)
        self.code, self.params = code, params

    def text(self, lang: str = "en") -> str:
        """The whole reason, naming the village and the push, in `lang` (en or id)."""
        lang = lang if lang in _PREFIX else "en"
        return _PREFIX[lang].format(
            kode=self.kode_desa or _UNKNOWN_VILLAGE[lang],
            push=self.push,
            message=render(self.code, self.params, lang),
        )

    def detail(self, lang: str = "en") -> str:
        """Only what was wrong, without the village and push (for an answer to that village)."""
        return render(self.code, self.params, lang)


class Bad(Exception):
    """Raised by the readers, which know what is wrong but not which village or push it is;
    the push's entry point turns it into a PushError."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def shown(value: object, limit: int = 40) -> str:
    """A value from a file without personal data, made safe to quote in a message."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "…'"


def _dotted(kode: str | None) -> str | None:
    from config.regions import RegionCodeError, normalize_code

    if kode is None:
        return None
    try:
        return normalize_code(kode)
    except RegionCodeError:
        return None


class PushContext:
    """What an entry point knows so far about the push it reads: the village it names."""

    def __init__(self, kode_desa: str | None = None) -> None:
        self.kode_desa = kode_desa


@contextmanager
def refusing(
    push: str, *, personal: bool = False, expected: str | None = None
) -> Iterator[PushContext]:
    """Turn a reader's Bad into a PushError naming the village and the push: the village the
    payload names, or until it names one the token's (`expected`).

    With `personal` (resident and recipient files), any other exception becomes a PushError
    too, raised `from None`: the message of a parse error deep in a library could quote a
    cell, and neither it nor its traceback may reach a log.
    """
    ctx = PushContext(_dotted(expected))
    try:
        yield ctx
    except PushError:
        raise
    except Bad as bad:
        raise PushError(push, bad.code, ctx.kode_desa, **bad.params) from None
    except Exception as exc:
        if not personal:
            raise
        raise PushError(push, "internal", ctx.kode_desa, kind=type(exc).__name__) from None
