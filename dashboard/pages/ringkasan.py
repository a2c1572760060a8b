"""Ringkasan ("/"): headline numbers, who reported, and every village of the selected region."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from aggregates.changes import collection_changes
from aggregates.rollup_people import changes_key
from aggregates.status import VILLAGE_STATUS_COLUMNS
from aggregates.tables import with_kecamatan_code
from config.statistik import BY_SLUG, TOTALS_DATASET
from dashboard import api_tables
from dashboard.auth import redact_details
from dashboard.boundaries import boundary_url
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.empty_states import empty_message
from dashboard.filter_bar import FilterIds, dropdown_labels, filter_bar, register_filter_callbacks
from dashboard.freshness import Freshness, behind_note, freshness_of
from dashboard.freshness import note as freshness_line
from dashboard.guard import failure_alert, guarded
from dashboard.regions import (
    NO_WILAYAH,
    Wilayah,
    display_name,
    region_notices,
    resolve_wilayah,
    wilayah_from_filters,
)
from dashboard.reporting import totals_of
from dashboard.view_cache import cached, cached_view
from i18n.catalogue import statistic_title, t
from i18n.format import format_date, format_number
from i18n.reasons import failure_texts
from layouts.cards import kpi_card
from layouts.figures import empty_figure
from layouts.maps import TOPOJSON_ASSET, load_boundaries, map_config, village_map
from layouts.panels import csv_download, panel_section
from layouts.safe_cells import csv_text
from layouts.tables import column_defs, data_grid, grid, number_formatter, row_data

log = logging.getLogger(__name__)

FILTER = FilterIds("rks")
PATH = "/"
ORDER = 0
NAME_KEY = "nav.ringkasan"

ID_URL = FILTER.url  # "rks-url"
ID_KECAMATAN = FILTER.kecamatan  # "rks-kecamatan"
ID_DESA = FILTER.desa  # "rks-desa"
ID_WILAYAH_DATA = FILTER.data  # "rks-wilayah-data": villages per kecamatan, for the browser
ID_JUDUL = "rks-judul"
ID_PESAN = "rks-pesan"
ID_KARTU = "rks-kartu"
ID_STATUS = "rks-status"
ID_GRID = "rks-grid"
ID_UNDUH = "rks-unduh"
ID_DOWNLOAD = "rks-download"
ID_INDIKATOR = "rks-indikator"  # what colours the map; URL parameter "indikator"
ID_PETA = "rks-peta"
ID_PERUBAHAN = "rks-perubahan"  # grid: values changed by the latest collection
ID_PERUBAHAN_PESAN = "rks-perubahan-pesan"

MAP_INDICATORS = ("penduduk", "rasio_jenis_kelamin", "penduduk_per_keluarga")  # default first
MAP_DECIMALS = {"penduduk": 0, "rasio_jenis_kelamin": 1, "penduduk_per_keluarga": 2}
CHANGE_COLUMNS = ["nama_desa", "kode_desa", "statistik", "label", "lama", "baru"]
CHANGE_CSV_COLUMNS = ["kode_desa", "nama_desa", "dataset", "kode", "label", "lama", "baru"]

CARDS = ("penduduk", "laki_laki", "perempuan", "keluarga")
GRID_COLUMNS = [
    "nama_desa",
    "kode_desa",
    "nama_kecamatan",
    "penduduk",
    "laki_laki",
    "perempuan",
    "keluarga",
    "status_terakhir",
    "terakhir_berhasil",
    "alasan_gagal",  # the reason in the page's language, whole on hover (issue 8)
    "galat_terakhir",  # its original text, for operators (issue 10 hides it from the public)
]
CSV_COLUMNS = VILLAGE_STATUS_COLUMNS  # stable: the columns of aggregates.status.village_status


def layout(wilayah: str | None = None, indikator: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>&indikator=<key>` (absent: the kabupaten, penduduk)."""
    lang = language()
    return guarded(
        __name__,
        lambda: _layout(wilayah, indikator, lang),
        lambda: _page(None, NO_WILAYAH, blank_view(lang), [failure_alert(lang)], lang),
    )


def _layout(wilayah: str | None, indikator: str | None, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, wilayah)
    notices = region_notices(w, unknown, lang)
    key = resolve_indikator(indikator)
    view = render(snapshot, w, lang)
    view.update(indikator=key, peta=map_figure(snapshot, w, key, lang))
    view.update(changes_view(snapshot, w, lang))
    return _page(snapshot, w, view, notices, lang)


def resolve_indikator(raw: object) -> str:
    """The map's indicator from the URL; anything unknown gives the default (penduduk)."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return str(raw) if raw in MAP_INDICATORS else MAP_INDICATORS[0]


def blank_view(lang: str) -> dict:
    """The parts of the page with no data at all (the data could not be read)."""
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "kartu": cards(None, lang),
        "status": "",
        "desa": pd.DataFrame(columns=CSV_COLUMNS),
        "indikator": MAP_INDICATORS[0],
        "peta": empty_figure(t("galat.teks", lang)),
        "perubahan": pd.DataFrame(columns=CHANGE_COLUMNS),
        "perubahan_pesan": None,
    }


def _page(snapshot: Snapshot | None, w: Wilayah, view: dict, notices: list, lang: str) -> html.Div:
    indikator_col = dbc.Col(
        [
            html.Label(t("kpx.peta_indikator", lang), htmlFor=ID_INDIKATOR),
            dcc.Dropdown(
                id=ID_INDIKATOR,
                options=[{"label": t(f"kpx.ind.{k}", lang), "value": k} for k in MAP_INDICATORS],
                value=view["indikator"],
                clearable=False,
                labels=dropdown_labels(lang),
            ),
        ],
        md=4,
    )
    return html.Div(
        [
            html.H1(view["judul"], id=ID_JUDUL, className="h3 mb-3"),
            filter_bar(
                FILTER,
                snapshot,
                w,
                lang,
                extra=[indikator_col],
                extra_values={"indikator": MAP_INDICATORS},
            ),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            dbc.Row(view["kartu"], id=ID_KARTU, className="g-3 mb-3"),
            html.P(view["status"], id=ID_STATUS, className="mb-3"),
            panel_section(
                t("rks.tabel_desa", lang),
                data_grid(
                    ID_GRID, redact_details(view["desa"]), GRID_COLUMNS, lang=lang, height=520
                ),
                api_tables.links("ringkasan", "desa", w, lang, grid=ID_GRID),
                tools=csv_download(ID_UNDUH, ID_DOWNLOAD, lang),
            ),
            html.Section(
                [
                    html.H2(t("kpx.peta", lang)),
                    dcc.Graph(
                        id=ID_PETA,
                        figure=view["peta"],
                        config=map_config(dash.get_asset_url(TOPOJSON_ASSET)),
                    ),
                    html.P(t("kpx.peta_petunjuk", lang), className="text-muted small mb-0"),
                ],
                className="panel mt-3",
            ),
            panel_section(
                t("kpx.perubahan", lang),
                html.Div(view["perubahan_pesan"], id=ID_PERUBAHAN_PESAN),
                changes_grid(view["perubahan"], lang),
                api_tables.links("ringkasan", "perubahan", w, lang, grid=ID_PERUBAHAN),
                tools=[api_tables.download_button("ringkasan", "perubahan", w, lang)],
                class_name="panel mt-3",
            ),
        ]
    )


def village_frame(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    """The region's villages with totals, status and last success (aggregates.status)."""
    # one frame of all villages serves every region
    every = cached(snapshot, ("village_status",), lambda: snapshot.village_status())
    if not w.kode or w.kode == w.kabupaten:  # the registry's whole region
        return every
    codes = every["kode_desa"]
    return every[(codes == w.kode) | codes.str.startswith(w.kode + ".")].reset_index(drop=True)


def grid_frame(villages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the grid shows: the status and the failure's reason in words (the page's
    language); everything else as aggregated."""
    shown = villages.copy()
    shown["status_terakhir"] = [t(f"status.{s}", lang) for s in villages["status_terakhir"]]
    shown["alasan_gagal"] = failure_texts(villages, lang)
    return shown


@cached_view("ringkasan")
def render(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    """Every changing part of the page for one region (used by the layout and the callback)."""
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    villages = village_frame(snapshot, w) if w.kode else pd.DataFrame(columns=CSV_COLUMNS)
    totals = totals_of(snapshot, w)
    pesan = None
    if totals is None:
        pesan = dbc.Alert(
            [html.Strong(t("kosong.judul", lang) + ". "), empty_message(snapshot, w, lang)],
            color="info",
        )
    else:
        # the totals shown include villages whose latest collection failed: name them
        behind = behind_note(snapshot, totals_freshness(snapshot, w.kode), [TOTALS_DATASET], lang)
        pesan = dbc.Alert(behind, color="light", className="py-2") if behind else None
    return {
        "judul": t("rks.judul", lang, wilayah=name),
        "pesan": pesan,
        "kartu": cards(totals, lang),
        "status": status_line(snapshot, villages, lang),
        "desa": grid_frame(villages, lang),
    }


def totals_freshness(snapshot: Snapshot, kode: str | None) -> Freshness:
    """The freshness of the population totals of a region (cards, map)."""
    level = cached(snapshot, ("totals", "desa"), lambda: snapshot.totals("desa"))
    with_data = level.loc[level["desa_melapor"] > 0, "kode_wilayah"]
    return freshness_of(snapshot, kode, [TOTALS_DATASET], set(with_data))


def cards(totals: dict | None, lang: str) -> list:
    """Four headline numbers; "–" where there is no data yet."""
    return [
        dbc.Col(
            kpi_card(
                t(f"rks.kartu.{key}", lang),
                format_number(totals.get(key) if totals else None, lang),
                f"rks-kartu-{key}",
            ),
            xs=6,
            lg=3,
        )
        for key in CARDS
    ]


def status_line(snapshot: Snapshot, villages: pd.DataFrame, lang: str) -> list:
    """ "214 desa melapor pada pengumpulan terakhir, 3 gagal; 3 desa belum pernah melapor"."""
    status = villages["status_terakhir"] if not villages.empty else pd.Series(dtype=str)
    ok = int(status.isin(["ok", "unchanged"]).sum())
    failed = int((status == "failed").sum())
    never = int((status == "never").sum())
    parts: list = [
        t("rks.melapor", lang, n=format_number(ok, lang), gagal=format_number(failed, lang))
    ]
    if never:
        parts.append("; " + t("rks.belum_pernah", lang, n=format_number(never, lang)))
    parts.append(". ")
    finished = snapshot.last_run().get("finished_at")
    if finished is not None and not pd.isna(finished):
        parts.append(t("rks.selesai", lang, tanggal=format_date(finished, lang)))
    return parts


def csv_frame(villages: pd.DataFrame) -> pd.DataFrame:
    """The download: village_status columns, plain numbers, times in ISO 8601 UTC."""
    out = villages.reindex(columns=CSV_COLUMNS).copy()
    stamps = pd.to_datetime(out["terakhir_berhasil"], utc=True)
    out["terakhir_berhasil"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    for col in ("penduduk", "laki_laki", "perempuan", "keluarga", "dataset_gagal"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out


# -- the map of an indicator -------------------------------------------------------------------
def map_figure(snapshot: Snapshot, w: Wilayah, key: str, lang: str) -> go.Figure:
    """Villages (kecamatan at kabupaten level) coloured by one indicator; a desa is outlined
    among the villages of its kecamatan."""
    # polygons make a large figure: build it once per run, region and indicator
    return cached(
        snapshot, ("map_figure", key, w.kode, lang), lambda: _map_figure(snapshot, w, key, lang)
    )


def _map_figure(snapshot: Snapshot, w: Wilayah, key: str, lang: str) -> go.Figure:
    if not w.kode:
        return empty_figure(t("kosong.judul", lang))
    # boundaries ship per kabupaten: a provinsi (issue 12) has none, so it gets the treemap
    kabupaten = w.kode if w.tingkat == "provinsi" else (w.kode or "")[:5]
    per_kecamatan = w.tingkat in ("kabupaten", "provinsi")
    area = w if w.tingkat != "desa" else resolve_wilayah(snapshot, w.kecamatan)[0]
    tingkat = "kecamatan" if per_kecamatan else "desa"
    frame = cached(snapshot, ("indicators", tingkat), lambda: snapshot.indicators(tingkat))
    codes = frame["kode_wilayah"].astype(str)
    shown = frame[codes.str.startswith(area.kode + ".")]
    shown = shown[shown[key].notna()]
    name = display_name(area, lang)
    if shown.empty:
        return empty_figure(t("kpx.peta_kosong", lang, wilayah=name))
    # the treemap's boxes: villages by kecamatan, or a provinsi's kecamatan by kabupaten
    kecamatan = shown["kode_wilayah"].str.slice(0, 5 if w.tingkat == "provinsi" else 8)
    names = snapshot.regions.set_index("kode")["nama"]
    values = pd.DataFrame(
        {
            "kode": shown["kode_wilayah"],
            "nama": shown["nama_wilayah"],
            "kode_kecamatan": kecamatan,
            "nama_kecamatan": kecamatan.map(names).fillna(kecamatan),
            "value": pd.to_numeric(shown[key]).astype(float).round(MAP_DECIMALS[key]),
        }
    )
    fresh = totals_freshness(snapshot, area.kode)
    title_key = "kpx.peta_judul_kecamatan" if per_kecamatan else "kpx.peta_judul"
    boundaries = load_boundaries(kabupaten, tingkat) if kabupaten else None
    return village_map(
        boundaries,
        values,
        lang=lang,
        title=t(title_key, lang, indikator=t(f"kpx.ind.{key}", lang), wilayah=name),
        note=freshness_line(fresh, lang),
        highlight=w.desa,
        geojson_url=boundary_url(kabupaten, tingkat) if kabupaten else None,
    )


# -- changes since the previous collection ------------------------------------------------------
def change_table(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    """Values of the region the latest collection changed, as machine values (the grid's rows
    and /api/v1/halaman/ringkasan/perubahan): village, dataset slug, category code and label,
    old and new count (empty when the value was removed). An import is not a collection: its
    changes are listed with the import (the Unggah page), never here (issue 8)."""
    run_id = snapshot.last_run().get("run_id")
    if run_id is None or not w.kode:
        return pd.DataFrame(columns=CHANGE_CSV_COLUMNS)
    kode = None if w.kode == w.kabupaten else w.kode  # the registry's whole region: all

    def compute() -> pd.DataFrame:
        every = cached(snapshot, ("changes", run_id), lambda: all_changes(snapshot, run_id))
        if kode is None or every.empty:
            return every
        codes = every["kode_desa"].astype(str)
        return every[(codes == kode) | codes.str.startswith(kode + ".")]

    # every village's changes are stored once per collection by the rollup, read per region
    rows = snapshot.rolled(changes_key(run_id), kode, compute)
    return rows.reset_index(drop=True)[CHANGE_CSV_COLUMNS]


def all_changes(snapshot: Snapshot, run_id: int) -> pd.DataFrame:
    """Every village's values collection `run_id` changed, from its audit."""
    audit = data_source().store.audit_frame(run_id=run_id)
    return collection_changes(audit, snapshot.regions)


def change_frame(snapshot: Snapshot, w: Wilayah, lang: str) -> pd.DataFrame:
    """What the changes grid shows: `change_table` with statistic titles and category words."""
    changes = change_table(snapshot, w)
    if changes.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    titles = {
        slug: (statistic_title(slug, lang) if slug in BY_SLUG else str(slug))
        for slug in changes["dataset"].unique()
    }
    titles[TOTALS_DATASET] = t("kolom.jumlah", lang)
    label = [
        t("kategori.belum_mengisi", lang) if k == "belum_mengisi" else lb
        for k, lb in zip(changes["kode"], changes["label"], strict=True)
    ]
    out = changes.assign(statistik=changes["dataset"].map(titles), label=label)
    return out[CHANGE_COLUMNS]


@cached_view("ringkasan-perubahan")
def changes_view(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    """The changes grid and the line above it (how many changed, or that nothing did)."""
    changes = change_frame(snapshot, w, lang)
    finished = snapshot.last_run().get("finished_at")
    if snapshot.last_run().get("run_id") is None:
        pesan = html.P(t("kpx.perubahan_belum", lang), className="text-muted")
    elif changes.empty:
        name = display_name(w, lang) if w.kode else t("app.judul", lang)
        pesan = html.P(t("kpx.perubahan_kosong", lang, wilayah=name), className="text-muted")
    else:
        pesan = html.P(
            t(
                "kpx.perubahan_jumlah",
                lang,
                n=format_number(len(changes), lang),
                tanggal=format_date(finished, lang),
            ),
            className="small",
        )
    return {"perubahan": changes, "perubahan_pesan": pesan}


def changes_grid(changes: pd.DataFrame, lang: str) -> dag.AgGrid:
    """The changes as an AG Grid; old and new are counts (right-aligned, Indonesian)."""
    known = [c for c in CHANGE_COLUMNS if c not in ("lama", "baru")]
    defs = column_defs(changes, known, lang)
    for col in ("lama", "baru"):
        defs.append(
            {
                "field": col,
                "headerName": t(f"kpx.kolom.{col}", lang),
                "type": "rightAligned",
                "filter": "agNumberColumnFilter",
                "valueFormatter": number_formatter(lang),
                "cellClass": ["ag-right-aligned-cell", "angka"],
                "minWidth": 100,
            }
        )
    return grid(ID_PERUBAHAN, row_data(changes, CHANGE_COLUMNS, lang), defs, lang=lang,
                height=360)  # fmt: skip


# a click on a village (or a kecamatan, or a treemap box) selects it through the URL, keeping
# the other query parameters (indikator); the filter bar follows the URL
MAP_CLICK_JS = """
function (click, search) {
    const nu = window.dash_clientside.no_update;
    const point = click && click.points && click.points[0];
    if (!point) { return nu; }
    let kode = point.location || point.id || "";
    if (kode.startsWith("k:")) { kode = kode.slice(2); }
    if (!kode) { return nu; }
    const params = new URLSearchParams(search || "");
    params.set("wilayah", kode);
    return "?" + params.toString();
}
"""


def table_for(snapshot: Snapshot, w: Wilayah) -> tuple[str, pd.DataFrame]:
    """The status grid as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/ringkasan/desa share it)."""
    villages = village_frame(snapshot, w) if w.kode else pd.DataFrame(columns=CSV_COLUMNS)
    return f"status-desa_{w.kode or 'semua'}", redact_details(csv_frame(villages))


def _api_desa(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    return (*table_for(snapshot, w), {})


def _api_perubahan(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    # the collection whose changes these are: meta.filters.run_id (meta.run_id is the newest
    # run of any kind, an import perhaps)
    run_id = snapshot.last_run().get("run_id")
    frame = with_kecamatan_code(change_table(snapshot, w))
    return f"perubahan_{w.kode or 'semua'}", frame, {"run_id": run_id}


TABLES = {
    "desa": api_tables.PageTable((), _api_desa),
    "perubahan": api_tables.PageTable((), _api_perubahan),
}


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER, extra=["indikator"])
    app.clientside_callback(
        MAP_CLICK_JS,
        Output(ID_URL, "search", allow_duplicate=True),
        Input(ID_PETA, "clickData"),
        State(ID_URL, "search"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ID_PETA, "figure"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        Input(ID_INDIKATOR, "value"),
        prevent_initial_call=True,
    )
    def update_map(kecamatan: str | None, desa: str | None, indikator: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            return map_figure(snapshot, w, resolve_indikator(indikator), lang)
        except Exception:
            log.exception("ringkasan: map failed for %s, %s", desa or kecamatan, indikator)
            return empty_figure(t("galat.teks", lang))

    @app.callback(
        Output(ID_PERUBAHAN, "rowData"),
        Output(ID_PERUBAHAN_PESAN, "children"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        prevent_initial_call=True,
    )
    def update_changes(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            view = changes_view(snapshot, wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("ringkasan: changes failed for %s", desa or kecamatan)
            return [], failure_alert(lang)
        return row_data(view["perubahan"], CHANGE_COLUMNS, lang), view["perubahan_pesan"]

    @app.callback(
        Output(ID_JUDUL, "children"),
        Output(ID_PESAN, "children"),
        Output(ID_KARTU, "children"),
        Output(ID_STATUS, "children"),
        Output(ID_GRID, "rowData"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        prevent_initial_call=True,  # the layout rendered the region of the URL already
    )
    def update(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            view = render(snapshot, wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("ringkasan: update failed for %s", desa or kecamatan)
            return no_update, failure_alert(lang), no_update, no_update, []
        rows = row_data(redact_details(view["desa"]), GRID_COLUMNS, lang)
        return view["judul"], view["pesan"], view["kartu"], view["status"], rows

    @app.callback(
        Output(ID_DOWNLOAD, "data"),
        Input(ID_UNDUH, "n_clicks"),
        State(ID_KECAMATAN, "value"),
        State(ID_DESA, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks: int | None, kecamatan: str | None, desa: str | None):
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        stem, frame = table_for(snapshot, w)
        text = csv_text(frame)  # issue 10: no cell a spreadsheet would run
        return dcc.send_string(text, f"{stem}.csv", type="text/csv")
