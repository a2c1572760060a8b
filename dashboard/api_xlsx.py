"""The `.xlsx` twin of every CSV (issue 13): `/api/v1/<resource>.xlsx` or `?format=xlsx`, the
same rows and columns as the CSV, as a workbook (layouts.xlsx) in the visitor's language: the
region, the choices and "data per <tanggal>, N dari M desa" above the table, the Kamus's
descriptions of its columns on a second sheet."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from flask import Response

from config.statistik import TOTALS_DATASET
from dashboard.api_resources import PREFIX, Answer, column_description, column_type
from dashboard.api_tables import page_modules
from dashboard.context import data_source, language, settings
from dashboard.data import Snapshot
from dashboard.freshness import freshness_of, note, region_villages
from dashboard.regions import Wilayah, display_name, resolve_wilayah
from i18n.catalogue import has_text, t
from i18n.format import format_date
from layouts.xlsx import Column, build_workbook

XLSX_SUFFIX = ".xlsx"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# filters that are the table itself, not a choice worth a line above it
_NOT_CHOICES = ("halaman", "tabel", "wilayah")


def _datasets(resource: str, filters: dict, snapshot: Snapshot) -> list[str]:
    """The datasets whose freshness the table shows (as its page's freshness line counts)."""
    kind, _, rest = resource.partition("/")
    page = filters.get("halaman") or (rest.split("/")[0] if kind == "halaman" else "")
    by_page = {
        "ringkasan": [TOTALS_DATASET],
        "keuangan": ["apbdes"],
        "pembangunan": ["pembangunan"],
        "bantuan": ["bantuan"],
    }
    if kind == "statistik" or filters.get("statistik"):
        return [str(filters.get("statistik") or rest)]
    if kind == "dataset":
        return [rest]
    if page in ("kesehatan", "pendidikan") and filters.get("data"):
        return [str(filters["data"])]
    if page in by_page:
        return by_page[page]
    if kind in ("penduduk", "desa"):
        return [TOTALS_DATASET]
    names = sorted({str(d) for d in snapshot.dataset_status.get("dataset", pd.Series([]))})
    return names or [TOTALS_DATASET]


def _with_data(frame: pd.DataFrame, villages: tuple[str, ...]) -> set[str]:
    """The villages the table has rows of (a table of kecamatan: every village of the region)."""
    for col in ("kode_desa", "kode_wilayah"):
        if col in frame:
            codes = {str(k) for k in frame[col].dropna()}
            found = codes & set(villages)
            if found or col == "kode_desa":
                return found
    return set(villages)


# a page's grid names its columns in its own namespace (keu.kolom.anggaran_belanja, …)
PAGE_NAMESPACES = {
    "keuangan": "keu",
    "pembangunan": "pbg",
    "bantuan": "bnt",
    "kesehatan": "kes",
    "pendidikan": "pdk",
    "pemantauan": "pmt",
    "desa": "desa",
    "kependudukan": "kpx",
}


def column_header(col: str, lang: str, page: str | None = None) -> str:
    """A column's heading as the page's grid writes it: the page's own text, else the shared
    one, else the stable name."""
    ns = PAGE_NAMESPACES.get(page or "")
    for key in ([f"{ns}.kolom.{col}"] if ns else []) + [f"kolom.{col}"]:
        if has_text(key, lang):
            return t(key, lang)
    return col


def columns_of(ans: Answer, kind: str, lang: str, page: str | None = None) -> list[Column]:
    """Each column's header in `lang` (the grid's), type and Kamus description."""
    out = []
    for col in ans.columns:
        header = column_header(col, lang, page)
        described = has_text(f"kamus.kolom.{kind}.{col}", lang) or has_text(
            f"kamus.kolom.{col}", lang
        )
        out.append(
            Column(
                name=col,
                header=header,
                tipe=column_type(col),
                description=column_description(kind, col, lang) if described else "",
            )
        )
    return out


def freshness_line(snapshot: Snapshot, w: Wilayah, resource: str, ans: Answer, lang: str) -> str:
    """ "data per <tanggal>, N dari M desa" of an answer's table, as its page counts it."""
    filters = dict(ans.meta.get("filters") or {})
    villages = region_villages(snapshot, w.kode)
    fresh = freshness_of(
        snapshot, w.kode, _datasets(resource, filters, snapshot), _with_data(ans.table, villages)
    )
    return note(fresh, lang)


def workbook_of(ans: Answer, resource: str, lang: str) -> bytes:
    """The .xlsx bytes of an API answer (in a request of the Dash app)."""
    snapshot = data_source().snapshot()
    filters = dict(ans.meta.get("filters") or {})
    w = resolve_wilayah(snapshot, filters.get("wilayah"))[0]
    kind = resource.split("/")[0]
    choices = [
        f"{key}={value}"
        for key, value in filters.items()
        if key not in _NOT_CHOICES and value not in (None, "")
    ]
    region = display_name(w, lang) or t("xlsx.semua_wilayah", lang)
    lines = [t("xlsx.wilayah", lang, wilayah=region, kode=w.kode or "-")]
    if choices:
        lines.append(t("xlsx.pilihan", lang, pilihan=", ".join(choices)))
    lines.append(freshness_line(snapshot, w, resource, ans, lang))
    now = datetime.now(UTC)
    lines.append(
        t("xlsx.dibuat", lang, waktu=format_date(now, lang), alamat=f"{PREFIX}/{resource}")
    )
    if kind == "halaman":
        _, page, table = resource.split("/")
        module = page_modules().get(page)
        name = t(module.NAME_KEY, lang) if module is not None else page
        title = f"{name} · {table}"
    else:
        key = f"kamus.tabel.{kind}"
        title = t(key, lang) if has_text(key, lang) else resource
    return build_workbook(
        ans.table,
        columns_of(ans, kind, lang, resource.split("/")[1] if kind == "halaman" else None),
        title=title,
        lines=lines,
        lang=lang,
        tz=settings().timezone,
    )


def xlsx_response(ans: Answer, resource: str) -> Response:
    """The workbook as a download named like the CSV (`<stem>.xlsx`)."""
    body = workbook_of(ans, resource, language())
    resp = Response(body, mimetype=XLSX_MIMETYPE)
    resp.headers["Content-Disposition"] = f'attachment; filename="{ans.name}.xlsx"'
    if ans.meta.get("run_id") is not None:
        resp.headers["X-Run-Id"] = str(ans.meta["run_id"])
    return resp
