"""The tables behind /api/v1's resources (statistik/<slug>, penduduk, desa, dataset/<name>,
kamus): `answer(resource, args)` builds one, in plain values and a stable column order, for
the HTTP API (dashboard.api) and the Unduh Data page alike, so the page's download is the
API's CSV byte for byte. `ApiError` is a request the API cannot answer; `error_response` the
one place that decides the error shape: `{"ok": false, "error": "...", "status": 400}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from flask import Response

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
from dashboard.auth import redact_details
from dashboard.context import data_source
from dashboard.data import Snapshot
from dashboard.regions import Wilayah, resolve_wilayah
from dashboard.reporting import villages_in
from dashboard.statistik import unit_text
from dashboard.view_cache import cached
from i18n.catalogue import has_text, raw_text, t
from i18n.reasons import catalogue_codes
from layouts.safe_cells import csv_text as safe_csv
from layouts.tables import api_href

PREFIX = "/api/v1"
CSV_SUFFIX = ".csv"
FORMATS = ("json", "csv")
LEVEL_RANK = {"provinsi": -1, "kabupaten": 0, "kecamatan": 1, "desa": 2}
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
    return safe_csv(ans.table)  # issue 10: text cells never run as formulas


def json_body(ans: Answer) -> dict:
    # a page table keeps pandas types (its CSV is the page's download byte for byte)
    table = ans.table if ans.plain else plain_values(ans.table, ans.columns)
    return {
        "ok": True,
        "columns": ans.columns,
        "rows": table.to_dict("records"),
        "meta": ans.meta,
    }


def json_response(body: dict, status: int = 200) -> Response:
    # json.dumps keeps the column order of each row (Flask's provider would sort the keys)
    text = json.dumps(body, ensure_ascii=False, allow_nan=False)
    return Response(text, status=status, mimetype="application/json")


def error_response(message: str, status: int) -> Response:
    """Every API error, whatever its cause, in one shape."""
    return json_response({"ok": False, "error": message, "status": status}, status)


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


def wilayah_arg(snapshot: Snapshot, args: Mapping[str, str]) -> Wilayah:
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
        raise ApiError(
            f"unknown tingkat {tingkat!r}: expected desa, kecamatan, kabupaten or provinsi", 400
        )
    # a kabupaten row summed over one kecamatan's villages would be a wrong kabupaten total
    if LEVEL_RANK[tingkat] < LEVEL_RANK[w.tingkat]:
        raise ApiError(
            f"tingkat {tingkat} is above the region {w.kode} ({w.tingkat}): "
            f"choose tingkat {w.tingkat} or finer",
            400,
        )
    return tingkat


def answer_meta(snapshot: Snapshot, filters: dict, reported: int, w: Wilayah) -> dict:
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
    w = wilayah_arg(snapshot, args)
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
        answer_meta(snapshot, filters, reported, w),
    )


def _penduduk(snapshot: Snapshot, args: Mapping[str, str]) -> Answer:
    w = wilayah_arg(snapshot, args)
    tingkat = _tingkat(args, w)
    level = cached(snapshot, ("totals", tingkat), lambda: snapshot.totals(tingkat))
    table = in_region(level, w.kode)
    reported = len(_totals_desa(snapshot, w))
    filters = {"tingkat": tingkat, "wilayah": w.kode}
    return Answer(
        _stem("penduduk", tingkat, w.kode),
        plain_values(table, TOTALS_COLUMNS),
        answer_meta(snapshot, filters, reported, w),
    )


def _desa(snapshot: Snapshot, args: Mapping[str, str]) -> Answer:
    w = wilayah_arg(snapshot, args)
    table = cached(
        snapshot, ("api.village_status", w.kode), lambda: snapshot.village_status(w.kode)
    )
    reported = len(_totals_desa(snapshot, w))
    return Answer(
        _stem("desa", w.kode),
        # raw error texts only for a role (issue 10); the reason codes stay public
        redact_details(plain_values(table, VILLAGE_STATUS_COLUMNS)),
        answer_meta(snapshot, {"wilayah": w.kode}, reported, w),
    )


def measurements(snapshot: Snapshot, name: str, kode: str | None) -> pd.DataFrame:
    """One dataset's current measurements under a region, in the export schema: a slice read
    from the warehouse once per run (never every measurement into the web process)."""
    store = data_source().store
    return cached(
        snapshot,
        ("measurement_table", name, kode),
        lambda: measurement_table(store.measurements_frame([name], kode), snapshot.regions),
    )


def stored_periods(snapshot: Snapshot) -> pd.DataFrame:
    """(dataset, periode) of every current measurement, read once per run."""
    store = data_source().store
    return cached(snapshot, ("measurement_periods",), store.measurement_periods_frame)


def dataset_periods(snapshot: Snapshot, name: str) -> list[str]:
    """The periods a dataset has in the warehouse, newest first."""
    return periods_of(stored_periods(snapshot), name)


def _dataset(snapshot: Snapshot, name: str, args: Mapping[str, str]) -> Answer:
    if name not in DATASETS_BY_NAME:
        raise ApiError(f"unknown dataset {name!r}; the kamus (/api/v1/kamus) lists them", 404)
    w = wilayah_arg(snapshot, args)
    periode = (args.get("periode") or "").strip() or None
    known = dataset_periods(snapshot, name)
    if periode and periode != ALL_PERIODS and periode not in known:
        listed = ", ".join(known) if known else "none: this dataset has no periods"
        raise ApiError(f"unknown periode {periode!r} for {name}; periods: {listed}", 400)
    if periode == ALL_PERIODS:
        periode = None
    table = select_measurements(
        measurements(snapshot, name, w.kode), name, kode=w.kode, periode=periode
    )
    reported = table.loc[table["kode_wilayah"].str.len() == 13, "kode_wilayah"].nunique()
    filters = {"dataset": name, "wilayah": w.kode, "periode": periode}
    return Answer(
        _stem("dataset", name, periode, w.kode),
        plain_values(table, MEASUREMENT_COLUMNS),
        answer_meta(snapshot, filters, reported, w),
    )


# -- the data dictionary -------------------------------------------------------------------
def column_type(col: str) -> str:
    if col in INTEGER_COLUMNS:
        return "integer"
    return COLUMN_TYPES.get(col, "string")


def column_description(kind: str, col: str, lang: str) -> str:
    """A column's meaning; a few columns mean something else in one table (kode, label)."""
    specific = f"kamus.kolom.{kind}.{col}"
    if has_text(specific, lang):
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
            text = raw_text(f"alasan.{code}", lang)  # with its {placeholders}: the values
            row[f"deskripsi_{lang}"] = t("kamus.alasan", lang, teks=text)
    table = stored_periods(snapshot)
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
    return Answer(
        "kamus", plain_values(table, KAMUS_COLUMNS), answer_meta(snapshot, {}, reported, w)
    )
