"""The HTTP API for analysts, mounted at /api/v1: every table as JSON, and as CSV with `.csv`
(or `?format=csv`), with the same filters and the same columns both ways.

`answer(resource, args)` builds one table for a resource path ("statistik/agama", "penduduk",
"desa", "dataset/apbdes", "kamus"); the routes and the Unduh Data page both call it, so the
page's download is byte for byte the API's CSV. `error_response` is the one place that decides
the error shape: `{"ok": false, "error": "...", "status": 400}`.

Every grid of every page has a twin at /api/v1/halaman/<page>/<table> (`page_answer`, from the
page modules' `TABLES`); `links` and `download_button` put "CSV · JSON" links to it under the
grid, carrying the page's filters (issue 4).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from flask import Blueprint, Response, request

from aggregates.age_brackets import NOT_HARMONISED, NOT_HARMONISED_LABEL
from aggregates.population import EXPORT_COLUMNS, TINGKAT, TOTALS_COLUMNS, export_frame
from aggregates.status import VILLAGE_STATUS_COLUMNS
from aggregates.tables import (
    ALL_PERIODS,
    MEASUREMENT_COLUMNS,
    in_region,
    measurement_table,
    periods_of,
    plain_values,
    select_measurements,
)
from config.datasets import BY_NAME as DATASETS_BY_NAME
from config.datasets import DATASETS
from config.statistik import BY_SLUG, STATISTICS
from dashboard.app import (
    Wilayah,
    cached,
    data_source,
    reporting,
    resolve_wilayah,
    villages_in,
)
from dashboard.data import Snapshot
from dashboard.i18n import CATALOGUE, t
from dashboard.reasons import catalogue_codes
from dashboard.statistik import unit_text
from layouts.tables import api_href, api_links, csv_button

PREFIX = "/api/v1"
CSV_SUFFIX = ".csv"
FORMATS = ("json", "csv")
LEVEL_RANK = {"kabupaten": 0, "kecamatan": 1, "desa": 2}
DEFAULT_TINGKAT = "desa"  # analysts mostly want the finest grain; roll-ups are one parameter away

KAMUS_COLUMNS = [
    "bagian",
    "tabel",
    "nama",
    "kode",
    "label",
    "tipe",
    "deskripsi_id",
    "deskripsi_en",
]

# the columns of every table, by resource kind: the contract the kamus documents
TABLE_COLUMNS: dict[str, list[str]] = {
    "statistik": EXPORT_COLUMNS,
    "penduduk": TOTALS_COLUMNS,
    "desa": VILLAGE_STATUS_COLUMNS,
    "dataset": MEASUREMENT_COLUMNS,
    "kamus": KAMUS_COLUMNS,
}
INTEGER_COLUMNS = frozenset(
    {"laki_laki", "perempuan", "jumlah", "penduduk", "keluarga", "rumah_tangga", "desa_melapor",
     "dataset_gagal"}
)  # fmt: skip
COLUMN_TYPES = {
    "nilai": "number",
    "atribut": "json",
    "alasan_param": "json",
    "terakhir_berhasil": "datetime",
}
# query parameters each resource kind accepts; anything else is a typo worth a 400
PARAMETERS: dict[str, tuple[str, ...]] = {
    "statistik": ("tingkat", "wilayah"),
    "penduduk": ("tingkat", "wilayah"),
    "desa": ("wilayah",),
    "dataset": ("wilayah", "periode"),
    "kamus": (),
}


class ApiError(Exception):
    """A request the API cannot answer; the message tells the caller what to change."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Answer:
    """One table for one request: plain values in a stable column order, and its metadata."""

    name: str  # file name stem, e.g. "statistik_agama_desa_17.03.06"
    table: pd.DataFrame
    meta: dict = field(default_factory=dict)
    plain: bool = True  # False: a page's CSV frame (pandas types); JSON converts it

    @property
    def columns(self) -> list[str]:
        return list(self.table.columns)


# -- rendering (the one place for each shape) ----------------------------------------------
def csv_text(ans: Answer) -> str:
    """The CSV of an answer: UTF-8 text, header row, `\\n` line ends, machine numbers."""
    return ans.table.to_csv(index=False, lineterminator="\n")


def json_body(ans: Answer) -> dict:
    # a page table keeps pandas types (its CSV is the page's download byte for byte)
    table = ans.table if ans.plain else plain_values(ans.table, ans.columns)
    return {
        "ok": True,
        "columns": ans.columns,
        "rows": table.to_dict("records"),
        "meta": ans.meta,
    }


def _json_response(body: dict, status: int = 200) -> Response:
    # json.dumps keeps the column order of each row (Flask's provider would sort the keys)
    text = json.dumps(body, ensure_ascii=False, allow_nan=False)
    return Response(text, status=status, mimetype="application/json")


def error_response(message: str, status: int) -> Response:
    """Every API error, whatever its cause, in one shape."""
    return _json_response({"ok": False, "error": message, "status": status}, status)


def api_url(resource: str, params: Mapping[str, str | None], fmt: str = "json") -> str:
    """The API address of a resource and its filters (empty filters left out)."""
    return api_href(f"{PREFIX}/{resource}", params, fmt)


# -- building answers ----------------------------------------------------------------------
def answer(resource: str, args: Mapping[str, str]) -> Answer:
    """The table for a resource path and query parameters (in a request of the Dash app)."""
    kind, _, name = resource.partition("/")
    if kind not in PARAMETERS or (kind in ("statistik", "dataset")) != bool(name):
        raise ApiError(f"unknown resource {resource!r}", 404)
    unknown = sorted(set(args) - set(PARAMETERS[kind]))
    if unknown:
        allowed = ", ".join(PARAMETERS[kind]) or "none"
        raise ApiError(f"unknown parameter {unknown[0]!r}; {kind} accepts: {allowed}", 400)
    snapshot = data_source().snapshot()
    if kind == "statistik":
        return _statistik(snapshot, name, args)
    if kind == "penduduk":
        return _penduduk(snapshot, args)
    if kind == "desa":
        return _desa(snapshot, args)
    if kind == "dataset":
        return _dataset(snapshot, name, args)
    return _kamus(snapshot)


def _wilayah(snapshot: Snapshot, args: Mapping[str, str]) -> Wilayah:
    raw = (args.get("wilayah") or "").strip()
    w, unknown = resolve_wilayah(snapshot, raw or None)
    if unknown is not None:
        raise ApiError(
            f"unknown region code {unknown!r}: give a kabupaten, kecamatan or desa code of "
            f"{w.kode or 'the registry'}, dotted (17.03.06) or digits (170306)",
            400,
        )
    return w


def _tingkat(args: Mapping[str, str], w: Wilayah) -> str:
    tingkat = (args.get("tingkat") or DEFAULT_TINGKAT).strip()
    if tingkat not in TINGKAT:
        raise ApiError(f"unknown tingkat {tingkat!r}: expected desa, kecamatan or kabupaten", 400)
    # a kabupaten row summed over one kecamatan's villages would be a wrong kabupaten total
    if LEVEL_RANK[tingkat] < LEVEL_RANK[w.tingkat]:
        raise ApiError(
            f"tingkat {tingkat} is above the region {w.kode} ({w.tingkat}): "
            f"choose tingkat {w.tingkat} or finer",
            400,
        )
    return tingkat


def _meta(snapshot: Snapshot, filters: dict, reported: int, w: Wilayah) -> dict:
    return {
        "run_id": snapshot.run_id,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "filters": filters,
        "desa_melapor": int(reported),
        "desa_total": villages_in(snapshot, w.kode),
    }


def _stem(*parts: str | None) -> str:
    return "_".join(p.replace("/", "_") for p in parts if p)


def _totals_desa(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    frame = cached(snapshot, ("totals", "desa"), lambda: snapshot.totals("desa"))
    return in_region(frame, w.kode)


def _statistik(snapshot: Snapshot, slug: str, args: Mapping[str, str]) -> Answer:
    if slug not in BY_SLUG:
        raise ApiError(f"unknown statistik {slug!r}; the kamus (/api/v1/kamus) lists them", 404)
    w = _wilayah(snapshot, args)
    tingkat = _tingkat(args, w)
    # the same cache entries as the Kependudukan page: one roll-up per statistic and level
    level = cached(
        snapshot, ("statistic", slug, tingkat), lambda: snapshot.statistic(slug, tingkat)
    )
    table = export_frame(in_region(level, w.kode))
    desa = cached(snapshot, ("statistic", slug, "desa"), lambda: snapshot.statistic(slug, "desa"))
    reported = in_region(desa, w.kode)["kode_wilayah"].nunique()
    filters = {"statistik": slug, "tingkat": tingkat, "wilayah": w.kode}
    return Answer(
        _stem("statistik", slug, tingkat, w.kode),
        plain_values(table, EXPORT_COLUMNS),
        _meta(snapshot, filters, reported, w),
    )


def _penduduk(snapshot: Snapshot, args: Mapping[str, str]) -> Answer:
    w = _wilayah(snapshot, args)
    tingkat = _tingkat(args, w)
    level = cached(snapshot, ("totals", tingkat), lambda: snapshot.totals(tingkat))
    table = in_region(level, w.kode)
    reported = len(_totals_desa(snapshot, w))
    filters = {"tingkat": tingkat, "wilayah": w.kode}
    return Answer(
        _stem("penduduk", tingkat, w.kode),
        plain_values(table, TOTALS_COLUMNS),
        _meta(snapshot, filters, reported, w),
    )


def _desa(snapshot: Snapshot, args: Mapping[str, str]) -> Answer:
    w = _wilayah(snapshot, args)
    table = cached(
        snapshot, ("api.village_status", w.kode), lambda: snapshot.village_status(w.kode)
    )
    reported = len(_totals_desa(snapshot, w))
    return Answer(
        _stem("desa", w.kode),
        plain_values(table, VILLAGE_STATUS_COLUMNS),
        _meta(snapshot, {"wilayah": w.kode}, reported, w),
    )


def measurements(snapshot: Snapshot) -> pd.DataFrame:
    """Every current measurement in the export schema, read once per collection run."""
    store = data_source().store
    return cached(
        snapshot,
        ("measurement_table",),
        lambda: measurement_table(store.measurements_frame(), snapshot.regions),
    )


def dataset_periods(snapshot: Snapshot, name: str) -> list[str]:
    """The periods a dataset has in the warehouse, newest first."""
    return periods_of(measurements(snapshot), name)


def _dataset(snapshot: Snapshot, name: str, args: Mapping[str, str]) -> Answer:
    if name not in DATASETS_BY_NAME:
        raise ApiError(f"unknown dataset {name!r}; the kamus (/api/v1/kamus) lists them", 404)
    w = _wilayah(snapshot, args)
    periode = (args.get("periode") or "").strip() or None
    known = dataset_periods(snapshot, name)
    if periode and periode != ALL_PERIODS and periode not in known:
        listed = ", ".join(known) if known else "none: this dataset has no periods"
        raise ApiError(f"unknown periode {periode!r} for {name}; periods: {listed}", 400)
    if periode == ALL_PERIODS:
        periode = None
    table = select_measurements(measurements(snapshot), name, kode=w.kode, periode=periode)
    reported = table.loc[table["kode_wilayah"].str.len() == 13, "kode_wilayah"].nunique()
    filters = {"dataset": name, "wilayah": w.kode, "periode": periode}
    return Answer(
        _stem("dataset", name, periode, w.kode),
        plain_values(table, MEASUREMENT_COLUMNS),
        _meta(snapshot, filters, reported, w),
    )


# -- the data dictionary -------------------------------------------------------------------
def column_type(col: str) -> str:
    if col in INTEGER_COLUMNS:
        return "integer"
    return COLUMN_TYPES.get(col, "string")


def column_description(kind: str, col: str, lang: str) -> str:
    """A column's meaning; a few columns mean something else in one table (kode, label)."""
    specific = f"kamus.kolom.{kind}.{col}"
    if specific in CATALOGUE[lang]:
        return t(specific, lang)
    return t(f"kamus.kolom.{col}", lang)


def kamus_table(snapshot: Snapshot) -> pd.DataFrame:
    """The data dictionary as one long table (bagian: kolom, statistik, kode, dataset,
    ukuran, periode): what every CSV column means, and the code lists behind the values."""
    rows: list[dict] = []

    def add(bagian: str, tabel: str, nama: str, key: str | None = None, **fmt: object) -> dict:
        row = {
            "bagian": bagian,
            "tabel": tabel,
            "nama": nama,
            "kode": None,
            "label": None,
            "tipe": None,
            "deskripsi_id": t(key, "id", **fmt) if key else None,
            "deskripsi_en": t(key, "en", **fmt) if key else None,
        }
        rows.append(row)
        return row

    for kind, columns in TABLE_COLUMNS.items():
        for col in columns:
            row = add("kolom", kind, col)
            row["tipe"] = column_type(col)
            row["deskripsi_id"] = column_description(kind, col, "id")
            row["deskripsi_en"] = column_description(kind, col, "en")
    for stat in STATISTICS:
        tabel = f"statistik/{stat.slug}"
        row = add("statistik", tabel, stat.slug, "kamus.statistik", unit=stat.unit, kode=stat.unit)
        # what the total counts, in words: as the Kependudukan page says it
        for lang, col in (("id", "deskripsi_id"), ("en", "deskripsi_en")):
            row[col] = t("kamus.statistik", lang, unit=unit_text(stat.slug, lang), kode=stat.unit)
        row.update(kode=stat.key, label=stat.judul, tipe=stat.unit)
        row["deskripsi_en"] = f"{stat.title}. {row['deskripsi_en']}"
        row["deskripsi_id"] = f"{stat.judul}. {row['deskripsi_id']}"
        for kode, label in stat.codes:
            add("kode", tabel, "kode").update(kode=kode, label=label, tipe="string")
        if not stat.codes or stat.jenis == "umur":
            add("kode", tabel, "kode", f"kamus.kode_{stat.jenis}").update(tipe="string")
        if stat.jenis == "umur":  # the rollups' brackets that fit no default one
            extra = add("kode", tabel, "kode", "kamus.tidak_diselaraskan")
            extra.update(kode=NOT_HARMONISED, label=NOT_HARMONISED_LABEL, tipe="string")
        extra = add(
            "kode", tabel, "kode", "kamus.belum_mengisi" if stat.sisa is None else "kamus.sisa"
        )
        extra.update(kode="belum_mengisi", label="BELUM MENGISI", tipe="string")
        if stat.sisa is not None:  # what OpenSID's 777 means here, e.g. "not a recipient"
            extra["deskripsi_id"] += f" ({stat.sisa})"
            extra["deskripsi_en"] += f" ({stat.sisa_en})"
        if not stat.additive:
            extra = add("kode", tabel, "kode", "kamus.jumlah_penerima")
            extra.update(kode="jumlah", label="JUMLAH", tipe="string")
    for code in catalogue_codes():  # the codes of alasan_kode, with their texts (issue 8)
        row = add("kode", "alasan", "alasan_kode")
        row.update(kode=code, tipe="string")
        for lang in ("id", "en"):
            text = CATALOGUE[lang][f"alasan.{code}"]  # with its {placeholders}: the values
            row[f"deskripsi_{lang}"] = t("kamus.alasan", lang, teks=text)
    table = measurements(snapshot)
    for ds in DATASETS:
        tabel = f"dataset/{ds.name}"
        row = add("dataset", tabel, ds.name, f"kamus.grain.{ds.grain}", level=ds.level)
        row.update(kode=ds.level, label=ds.judul, tipe=ds.grain)
        row["deskripsi_id"] = f"{ds.judul}. {row['deskripsi_id']}"
        row["deskripsi_en"] = f"{ds.title}. {row['deskripsi_en']}"
        for measure in ds.measures:
            key = "kamus.ukuran_persen" if measure in ds.percent else "kamus.ukuran"
            add("ukuran", tabel, measure, key, dataset=ds.judul).update(
                tipe="number", label=measure
            )
        for periode in periods_of(table, ds.name):
            add("periode", tabel, "periode", f"kamus.grain.{ds.grain}", level=ds.level).update(
                kode=periode, tipe="string"
            )
    return pd.DataFrame(rows, columns=KAMUS_COLUMNS)


def _kamus(snapshot: Snapshot) -> Answer:
    w = resolve_wilayah(snapshot, None)[0]
    table = cached(snapshot, ("kamus",), lambda: kamus_table(snapshot))
    reported = len(_totals_desa(snapshot, w))
    return Answer("kamus", plain_values(table, KAMUS_COLUMNS), _meta(snapshot, {}, reported, w))


# -- the pages' tables ---------------------------------------------------------------------
# /api/v1/halaman/<page>/<table>: each page module lists its grids in `TABLES`, a dict of
# PageTable; `build` is the function the page's download callback calls too, so the API's CSV
# is the page's CSV download byte for byte.
PageBuild = Callable[[Snapshot, Wilayah, Mapping[str, str]], tuple[str, pd.DataFrame, dict]]


@dataclass(frozen=True)
class PageTable:
    """One grid of a page: the query parameters it follows (besides `wilayah`) and
    `build(snapshot, w, args) -> (file name stem, the CSV frame, the resolved filters)`."""

    params: tuple[str, ...]
    build: PageBuild


def page_modules() -> dict[str, object]:
    """The page modules that publish tables, by page name (the module's last name)."""
    from dashboard.pages import PAGE_MODULES

    found = {}
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "TABLES", None):
            found[name.rsplit(".", 1)[-1]] = module
    return found


def page_tables() -> dict[str, dict[str, PageTable]]:
    return {page: module.TABLES for page, module in page_modules().items()}  # type: ignore[attr-defined]


def pick(args: Mapping[str, str], key: str, choices: Sequence[str]) -> str:
    """A page choice from the query (`tahun`, `data`, ...): the default (the first choice, as on
    the page) when left out, a 400 when it is not among the choices."""
    raw = (args.get(key) or "").strip()
    if not raw:
        return choices[0] if choices else ""
    if raw not in choices:
        listed = ", ".join(choices) if choices else "none"
        raise ApiError(f"unknown {key} {raw!r}; expected one of: {listed}", 400)
    return raw


def page_answer(page: str, table: str, args: Mapping[str, str]) -> Answer:
    """The rows and columns of one page grid (as its CSV download has them) for the page's
    query parameters."""
    tables = page_tables()
    if page not in tables:
        raise ApiError(f"unknown page {page!r}; pages with tables: {', '.join(tables)}", 404)
    if table not in tables[page]:
        listed = ", ".join(tables[page])
        raise ApiError(f"unknown table {table!r} of page {page}; tables: {listed}", 404)
    spec = tables[page][table]
    accepted = ("wilayah", *spec.params)
    unknown = sorted(set(args) - set(accepted))
    if unknown:
        raise ApiError(
            f"unknown parameter {unknown[0]!r}; {page}/{table} accepts: {', '.join(accepted)}",
            400,
        )
    snapshot = data_source().snapshot()
    w = _wilayah(snapshot, args)
    stem, frame, filters = spec.build(snapshot, w, args)
    reported, _ = reporting(snapshot, w)
    meta = _meta(snapshot, {"halaman": page, "tabel": table, "wilayah": w.kode, **filters},
                 reported, w)  # fmt: skip
    return Answer(stem, frame, meta, plain=False)


def page_url(page: str, table: str, params: Mapping[str, str | None], fmt: str = "json") -> str:
    """The API address of a page grid for the page's current filters."""
    return api_href(page_path(page, table), params, fmt, accepted_params(page, table))


def page_path(page: str, table: str) -> str:
    return f"{PREFIX}/halaman/{page}/{table}"


def accepted_params(page: str, table: str) -> tuple[str, ...]:
    """The query parameters a page grid's twin accepts: `wilayah`, then its own."""
    return ("wilayah", *page_tables()[page][table].params)


def _link_params(w: Wilayah | None, choices: Mapping[str, str | None]) -> dict:
    # the whole kabupaten is the default: the filter bar leaves it out of the URL, so do we
    kode = w.kode if w is not None and w.tingkat != "kabupaten" else None
    return {"wilayah": kode, **choices}


def links(page: str, table: str, w: Wilayah | None, lang: str, *, follow: bool = True,
          grid: str | None = None, **choices: str | None) -> Any:  # fmt: skip
    """ "Data ini lewat API: CSV · JSON" for a page grid, for region `w` and the page's
    `choices` (tahun=..., data=...); `follow`: the hrefs follow the page's URL in the browser;
    `grid`: the grid's id, for "CSV seperti tampil" (its rows as filtered and sorted)."""
    accepted = accepted_params(page, table)
    params = _link_params(w, choices)
    return api_links(page_path(page, table), accepted, params, lang, follow=follow, grid=grid)


def download_button(page: str, table: str, w: Wilayah | None, lang: str, *, follow: bool = True,
                    **choices: str | None) -> Any:  # fmt: skip
    """ "Unduh CSV" for a grid without a download callback: a link to its CSV twin."""
    accepted = accepted_params(page, table)
    params = _link_params(w, choices)
    return csv_button(page_path(page, table), accepted, params, lang, follow=follow)


def require_desa(w: Wilayah, args: Mapping[str, str], what: str) -> None:
    """A 400 unless the request names one village (the tables of the village profile)."""
    raw = (args.get("wilayah") or "").strip()
    if not raw:
        raise ApiError(f"{what} needs wilayah=<kode desa>, e.g. 17.03.06.2001", 400)
    if w.tingkat != "desa":
        raise ApiError(
            f"wilayah {raw!r} is a {w.tingkat}, not a desa: {what} needs the code of one "
            "village (kode desa, e.g. 17.03.06.2001)",
            400,
        )


# -- HTTP ----------------------------------------------------------------------------------
def _serve(resource: str) -> Response:
    fmt = "json"
    if resource.endswith(CSV_SUFFIX):
        resource, fmt = resource[: -len(CSV_SUFFIX)], "csv"
    args = {k: v for k, v in request.args.items() if k != "format"}
    wanted = request.args.get("format")
    if wanted is not None:
        if wanted not in FORMATS or (fmt == "csv" and wanted != "csv"):
            return error_response(f"unknown format {wanted!r}: expected json or csv", 400)
        fmt = wanted
    try:
        if resource.startswith("halaman/"):
            _, page, table = (resource.split("/") + ["", ""])[:3]
            if resource.count("/") != 2:
                raise ApiError(f"no API resource at {PREFIX}/{resource}", 404)
            ans = page_answer(page, table, args)
        else:
            ans = answer(resource, args)
    except ApiError as exc:
        return error_response(exc.message, exc.status)
    if fmt == "json":
        return _json_response(json_body(ans))
    resp = Response(csv_text(ans), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{ans.name}.csv"'
    if ans.meta.get("run_id") is not None:
        resp.headers["X-Run-Id"] = str(ans.meta["run_id"])
    return resp


def api_blueprint() -> Blueprint:
    """A new blueprint per app (create_app may run many times in one process)."""
    bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)

    @bp.get("/statistik/<name>")
    def statistik(name: str) -> Response:
        return _serve(f"statistik/{name}")

    @bp.get("/dataset/<name>")
    def dataset(name: str) -> Response:
        return _serve(f"dataset/{name}")

    @bp.get("/halaman/<page>/<table>")
    def halaman(page: str, table: str) -> Response:
        return _serve(f"halaman/{page}/{table}")

    for kind in ("penduduk", "desa", "kamus"):
        for suffix in ("", CSV_SUFFIX):
            bp.add_url_rule(
                f"/{kind}{suffix}",
                endpoint=f"{kind}{suffix.replace('.', '_')}",
                view_func=lambda kind=kind, suffix=suffix: _serve(kind + suffix),
                methods=["GET"],
            )

    @bp.get("/")
    @bp.get("/<path:rest>")
    def not_found(rest: str = "") -> Response:
        return error_response(f"no API resource at {PREFIX}/{rest}", 404)

    @bp.errorhandler(Exception)
    def failed(exc: Exception) -> Response:
        # the traceback goes to the log; the caller gets the usual shape, never a stack trace
        from flask import current_app

        code = getattr(exc, "code", None)
        if isinstance(code, int) and 400 <= code < 500:
            return error_response(str(getattr(exc, "description", exc)), code)
        current_app.logger.exception("API request failed: %s", request.full_path)
        return error_response("internal error; the details are in the server log", 500)

    return bp
