"""`POST /api/v1/laporan-penduduk` and `/laporan-apbdes`: PDF reports, kept as "arrived".

OpenSID's operator uploads a PDF per month (population report) or per semester (APBDes
report) and sends the ticked ones as JSON: `{"desa_id", "laporan_penduduk"|"laporan_apbdes":
[{"id", "judul", "bulan"|"semester", "nama_file", "tahun", "created_at", "updated_at",
"file"}]}` with the whole PDF in base64. There are no account lines or counts in it: the
APBDes push is a document, not data.

We keep only that report `id` of the village arrived for its period, with its size: the PDF
is checked (base64, starts with %PDF-, bounded) and dropped. It is a free-form document
(OpenSID lets the operator upload any PDF, which may list residents), we cannot read figures
out of it reliably, and the warehouse holds summaries, not documents. The title and file name
are the operator's free text and are dropped too.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from collectors.model import DatasetResult
from collectors.opendk.errors import Bad, refusing, shown
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.village import check_expected, village_code
from config.datasets import period_id
from warehouse.values import MeasurementRow

TIPE = {  # tipe -> (push and dataset name, list field, period field, allowed values)
    "penduduk": ("laporan-penduduk", "laporan_penduduk", "bulan", range(1, 13)),
    "apbdes": ("laporan-apbdes", "laporan_apbdes", "semester", range(1, 3)),
}
MEASURE = "diterima"
_PDF = b"%PDF-"


@dataclass(frozen=True)
class Laporan:
    id: str  # OpenSID's laporan_sinkronisasi id: a re-send updates, never duplicates
    periode: str  # 202608 (a month) or 2026S1 (a semester)
    ukuran_byte: int  # the PDF's size


@dataclass(frozen=True)
class LaporanPush:
    kode_desa: str
    tipe: str  # penduduk or apbdes
    reports: tuple[Laporan, ...]

    @property
    def dataset(self) -> str:
        return TIPE[self.tipe][0]


def read_laporan(
    body: bytes | None,
    tipe: str,
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> LaporanPush:
    """A laporan push's reports, each PDF checked and dropped; raises PushError."""
    if tipe not in TIPE:
        raise ValueError(f"tipe must be one of {', '.join(TIPE)}")
    push, list_field, period_field, allowed = TIPE[tipe]
    with refusing(push, expected=expected) as ctx:
        doc = _json(body or b"", limits)
        if not isinstance(doc, dict):
            raise Bad("json.shape", field="body", expected="an object")
        ctx.kode_desa = village_code(doc.get("desa_id"))
        check_expected(ctx.kode_desa, expected)
        items = doc.get(list_field)
        if not isinstance(items, list):
            raise Bad("json.shape", field=list_field, expected="a list of reports")
        if not items:
            raise Bad("laporan.none", field=list_field)
        if len(items) > limits.reports:
            raise Bad("laporan.too_many", n=len(items), limit=limits.reports)
        reports: dict[str, Laporan] = {}
        for index, item in enumerate(items, start=1):
            where = f"{list_field}[{index - 1}]"
            if not isinstance(item, dict):
                raise Bad("json.shape", field=where, expected="an object")
            ident = str(_integer(item.get("id"), f"{where}.id"))
            if ident in reports:
                raise Bad("laporan.duplicate", value=ident)
            tahun = _integer(item.get("tahun"), f"{where}.tahun")
            if not 2000 <= tahun <= 2100:
                raise Bad("laporan.period", index=index, field="tahun", value=tahun,
                          allowed="2000–2100")  # fmt: skip
            part = _integer(item.get(period_field), f"{where}.{period_field}")
            if part not in allowed:
                raise Bad("laporan.period", index=index, field=period_field, value=part,
                          allowed=f"{allowed.start}–{allowed.stop - 1}")  # fmt: skip
            size = _pdf_size(item.get("file"), index, limits)
            periode = period_id(tahun, **{period_field: part})
            reports[ident] = Laporan(ident, periode, size)
        return LaporanPush(ctx.kode_desa, tipe, tuple(reports.values()))


def laporan_result(push: LaporanPush, current: Sequence[MeasurementRow] = ()) -> DatasetResult:
    """The village's report dataset after the push: the reports it had, those sent now added
    or updated (by OpenSID's id, so a report moved to another period moves)."""
    sent = {r.id for r in push.reports}
    kept = [r for r in current if r.kode not in sent]
    rows = kept + [
        MeasurementRow(
            MEASURE, 1.0, kode=r.id, periode=r.periode, atribut={"ukuran_byte": r.ukuran_byte}
        )  # fmt: skip
        for r in push.reports
    ]
    periods = tuple(sorted({r.periode for r in current} | {r.periode for r in rows}))
    return DatasetResult(push.dataset, "ok", data=rows, periods=periods)


def _json(body: bytes, limits: Limits) -> object:
    if len(body) > limits.json_bytes:
        raise Bad("json.too_large", size=len(body), limit=limits.json_bytes)
    # a report list has a handful of objects: a body of millions of tiny values would cost
    # far more memory parsed than its size, so count them before parsing
    containers = body.count(b"{") + body.count(b"[")
    values = body.count(b",")
    if containers > 20 * limits.reports or values > 50 * limits.reports:
        raise Bad("json.shape", field="body", expected=f"at most {limits.reports} reports")
    try:
        doc = json.loads(body)
    except RecursionError:
        raise Bad("json.too_deep", limit=limits.json_depth) from None
    except (ValueError, UnicodeDecodeError):
        raise Bad("json.invalid") from None
    if _depth(doc, limits.json_depth) > limits.json_depth:
        raise Bad("json.too_deep", limit=limits.json_depth)
    return doc


def _depth(value: object, most: int, level: int = 1) -> int:
    """How deep a parsed document nests (counted no further than most + 1)."""
    if level > most or not isinstance(value, dict | list):
        return level
    children = value.values() if isinstance(value, dict) else value
    return max((_depth(c, most, level + 1) for c in children), default=level)


def _integer(value: object, where: str) -> int:
    """An integer as Laravel's `integer` rule takes it (a JSON number or a digit string)."""
    if isinstance(value, bool):
        raise Bad("json.shape", field=where, expected="an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal() and len(value) <= 18:
        return int(value.strip())
    raise Bad("json.shape", field=where, expected=f"an integer, not {shown(value, 20)}")


def _pdf_size(value: object, index: int, limits: Limits) -> int:
    """The decoded size of a report's base64 PDF, once it is known to be one."""
    if not isinstance(value, str) or not value:
        raise Bad("laporan.not_base64", index=index)
    if len(value) > (limits.pdf_bytes + 2) // 3 * 4 + 4:
        raise Bad("laporan.too_large", index=index, size=len(value) * 3 // 4,
                  limit=limits.pdf_bytes)  # fmt: skip
    try:
        pdf = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Bad("laporan.not_base64", index=index) from None
    if not pdf.startswith(_PDF):
        raise Bad("laporan.not_pdf", index=index)
    return len(pdf)
