"""Pemantauan ("/pemantauan"): is every village's system alive, complete and plausible.

For the district Diskominfo: activity classes (Pantau's rule), a map coloured by activity,
per-kecamatan and per-village tables, dataset completeness, outliers, and a "collect now"
request that the scheduler picks up (the dashboard never calls a village itself).
"""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from aggregates import monitoring as mon
from aggregates import rollup_monitoring as rm
from aggregates.tables import with_kecamatan_code
from config.statistik import TOTALS_DATASET
from dashboard import api_tables
from dashboard.alerts_panel import alerts_section, register_alert_callbacks
from dashboard.alerts_panel import api_open as alerts_api_open
from dashboard.alerts_panel import api_sent as alerts_api_sent
from dashboard.auth import redact_details
from dashboard.boundaries import boundary_url
from dashboard.collect_panel import (
    CollectIds,
    buttons_state,
    collect_panel,
    register_collect_callbacks,
)
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, filter_bar, register_filter_callbacks
from dashboard.freshness import freshness_of
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
from dashboard.view_cache import cached
from i18n.catalogue import t
from i18n.format import format_number
from i18n.reasons import failure_texts, frame_reasons
from layouts import finance_figures as ff
from layouts import tables
from layouts.cards import kpi_card
from layouts.figures import empty_figure
from layouts.maps import (
    STATUS_COLOURS,
    TOPOJSON_ASSET,
    load_boundaries,
    map_config,
    status_heatmap,
    village_map,
)
from layouts.panels import csv_download, panel_section
from layouts.safe_cells import csv_text
from layouts.tables import TEXT_SUFFIX, number_formatter, row_data
from warehouse.rollups import FrameKey

log = logging.getLogger(__name__)

FILTER = FilterIds("pmt")
PATH = "/pemantauan"
ORDER = 8  # after the statistics pages: the Diskominfo's view
NAME_KEY = "pmt.nav"

ID_URL = FILTER.url
ID_KECAMATAN = FILTER.kecamatan
ID_DESA = FILTER.desa
ID_JUDUL = "pmt-judul"
ID_KARTU = "pmt-kartu"
ID_PETA = "pmt-peta"
COLLECT = CollectIds("pmt")  # "Kumpulkan sekarang" (dashboard.collect_panel)
ID_KUMPULKAN = COLLECT.desa  # "pmt-kumpulkan": this village
ID_KUMPULKAN_KECAMATAN = COLLECT.kecamatan
ID_KUMPULKAN_SEMUA = COLLECT.semua
ID_KUMPULKAN_TEKS = COLLECT.hint
ID_KUMPULKAN_PESAN = COLLECT.message
ID_PERMINTAAN = COLLECT.asked
ID_PERMINTAAN_INTERVAL = COLLECT.poll
ID_GRID_KECAMATAN = "pmt-grid-kecamatan"
ID_GRID_DESA = "pmt-grid-desa"
ID_UNDUH = "pmt-unduh"
ID_DOWNLOAD = "pmt-download"
ID_KELENGKAPAN = "pmt-kelengkapan"
ID_GRID_PENCILAN = "pmt-grid-pencilan"
ID_PENCILAN_PESAN = "pmt-pencilan-pesan"

CARDS = (*mon.KELAS, "melapor", "gagal")
KELAS_COLOURS = {
    "aktif": "#2e8b57",
    "tertinggal": "#e0a526",
    "tidak_aktif": "#c0392b",
    "belum_pernah": "#9aa5b1",
}
# the map: each village's state (issue 8: a failing village is red whatever arrived before)
KEADAAN_COLOURS = {
    "gagal": "#c0392b",
    "tertinggal": "#e0a526",
    "belum_pernah": "#9aa5b1",
    "baik": "#2e8b57",
}
# alasan_gagal: the reason in the page's language (whole on hover); galat_terakhir: the
# original text, for operators (issue 10 hides it from the public)
DESA_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "keadaan",
    "kelas",
    "terakhir_berhasil",
    "alasan_gagal",
    "waktu_respons_ms",
    "versi",
    "galat_terakhir",
]
CSV_COLUMNS = mon.FRESHNESS_COLUMNS  # stable machine values
PENCILAN_COLUMNS = rm.PENCILAN_COLUMNS
NUMBER_COLUMNS = frozenset(
    {"waktu_respons_ms", "nilai", "pembanding", "skor", *mon.SUMMARY_COLUMNS[2:]}
)


# -- data ------------------------------------------------------------------------------------
def monitoring_scope(w: Wilayah) -> str | None:
    """The villages a view's monitoring frames cover: a kecamatan's (for it and its desa, whose
    map shows the kecamatan), a kabupaten's, or every village (None) for the whole registry:
    each village's freshness and completeness are its own, so a smaller scope changes no row,
    and a kecamatan's first view no longer computes a whole kabupaten (or provinsi)."""
    if not w.kode or w.kode == w.kabupaten or w.tingkat == "provinsi":
        return None
    return w.kode[: len("17.03.06")]


def _under(frame: pd.DataFrame, scope: str | None, col: str) -> pd.DataFrame:
    if not scope or frame.empty:
        return frame
    codes = frame[col].astype(str)
    return frame[(codes == scope) | codes.str.startswith(scope + ".")].reset_index(drop=True)


def monitoring_frames(
    snapshot: Snapshot, now: pd.Timestamp, scope: str | None = None
) -> dict[str, pd.DataFrame]:
    """The monitoring frames of the villages under `scope` (monitoring_scope; None: every
    village), once per run and hour (activity depends on now)."""

    def build() -> dict[str, pd.DataFrame]:
        store = data_source().store
        # the clock decides the activity classes: the rollup holds the inputs, read as the
        # scope's slices (one row per village and dataset); response times from each
        # village's latest collection, never from an import
        attempts = snapshot.rolled(
            FrameKey(rm.PERCOBAAN, "desa"),
            scope,
            lambda: _under(store.latest_attempts_frame(), scope, "kode_desa"),
        )
        system = snapshot.rolled(
            FrameKey(rm.SISTEM, "desa"),
            scope,
            lambda: _under(rm.system_frame(store.source_state_frame()), scope, "kode_desa"),
        )
        status = _under(snapshot.dataset_status, scope, "kode_desa")
        regions = _under(snapshot.regions, scope, "kode")
        fresh = mon.freshness(status, regions, now, fetch_log=attempts, source_state=system)
        names = dataset_names(snapshot.dataset_status)  # every village's: the same columns
        complete = mon.completeness(status, regions, names)
        # peers are every village of the registry: computed once per run by the rollup
        outliers = snapshot.rolled(
            FrameKey(rm.PENCILAN, "desa"),
            scope,
            lambda: _under(
                rm.named_outliers(
                    store.history_frame(datasets=[TOTALS_DATASET]),
                    store.observations_frame(datasets=[TOTALS_DATASET]),
                    snapshot.regions,
                ),
                scope,
                "kode_desa",
            ),
        )
        return {
            "fresh": fresh,
            "complete": complete,
            "summary": mon.kecamatan_summary(fresh, complete),
            "outliers": outliers,
            "datasets": pd.Series(names, dtype=object),
        }

    return cached(snapshot, ("pemantauan", scope, now.floor("h")), build)


def dataset_names(dataset_status: pd.DataFrame) -> list[str]:
    """Datasets in the order of config (population first), as far as any village sent them."""
    from config.datasets import dataset_groups

    seen = set(dataset_status["dataset"]) if not dataset_status.empty else set()
    ordered = [d for group in dataset_groups().values() for d in group]
    return [d for d in ordered if d in seen] + sorted(seen - set(ordered))


def in_region(frame: pd.DataFrame, w: Wilayah, col: str = "kode_desa") -> pd.DataFrame:
    if not w.kode or w.kode == w.kabupaten or frame.empty:  # the whole region
        return frame
    codes = frame[col].astype(str)
    return frame[(codes == w.kode) | codes.str.startswith(w.kode + ".")].reset_index(drop=True)


def now_utc() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC")


# -- layout ----------------------------------------------------------------------------------
def layout(wilayah: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>` (absent: the whole kabupaten)."""
    lang = language()
    return guarded(
        __name__,
        lambda: _layout(wilayah, lang),
        lambda: _page(None, NO_WILAYAH, blank_view(lang), [failure_alert(lang)], lang),
    )


def _layout(wilayah: str | None, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, wilayah)
    notices = region_notices(w, unknown, lang)
    return _page(snapshot, w, render(snapshot, w, lang), notices, lang)


def blank_view(lang: str) -> dict:
    """The page's parts when no data can be read at all."""
    message = t("segar.belum_ada", lang)
    return {
        "judul": t("app.judul", lang),
        "kartu": cards(None, lang),
        "peta": empty_figure(message),
        "kumpulkan": buttons_state(None, NO_WILAYAH, lang),
        "kecamatan": pd.DataFrame(columns=mon.SUMMARY_COLUMNS),
        "desa": pd.DataFrame(columns=DESA_COLUMNS),
        "kelengkapan": empty_figure(message),
        "pencilan": pd.DataFrame(columns=PENCILAN_COLUMNS),
        "pencilan_pesan": None,
    }


def _page(snapshot: Snapshot | None, w: Wilayah, view: dict, notices: list, lang: str) -> html.Div:
    config = map_config(dash.get_asset_url(TOPOJSON_ASSET))
    view = {**view, "desa": redact_details(view["desa"])}  # raw errors: a role's (issue 10)
    return html.Div(
        [
            html.H1(view["judul"], id=ID_JUDUL, className="h3 mb-3"),
            filter_bar(FILTER, snapshot, w, lang),
            html.Div(notices),
            dbc.Row(view["kartu"], id=ID_KARTU, className="g-3 mb-3"),
            collect_panel(COLLECT, view["kumpulkan"], lang),
            html.Section(
                [
                    dcc.Graph(id=ID_PETA, figure=view["peta"], config=config),
                    html.P(t("pmt.peta_petunjuk", lang), className="text-muted small mb-0"),
                ],
                className="panel mb-3",
            ),
            panel_section(
                t("pmt.tabel_kecamatan", lang),
                grid(ID_GRID_KECAMATAN, view["kecamatan"], mon.SUMMARY_COLUMNS, lang, 360),
                api_tables.links("pemantauan", "kecamatan", w, lang, grid=ID_GRID_KECAMATAN),
                tools=[api_tables.download_button("pemantauan", "kecamatan", w, lang)],
                class_name="panel mb-3",
            ),
            panel_section(
                t("pmt.tabel_desa", lang),
                grid(ID_GRID_DESA, view["desa"], DESA_COLUMNS, lang, 480),
                api_tables.links("pemantauan", "desa", w, lang, grid=ID_GRID_DESA),
                tools=csv_download(ID_UNDUH, ID_DOWNLOAD, lang),
                class_name="panel mb-3",
            ),
            html.Section(
                [
                    html.Div(
                        dcc.Graph(id=ID_KELENGKAPAN, figure=view["kelengkapan"], config=config),
                        className="pmt-heatmap",
                        style={"maxHeight": "720px", "overflowY": "auto"},
                    ),
                    api_tables.links("pemantauan", "kelengkapan", w, lang),
                ],
                className="panel mb-3",
            ),
            panel_section(
                t("pmt.tabel_pencilan", lang),
                html.P(
                    t(
                        "pmt.pencilan_keterangan",
                        lang,
                        persen=format_number(mon.JUMP_PERCENT, lang),
                        ambang=format_number(mon.Z_THRESHOLD, lang, 1),
                    ),
                    className="small text-muted",
                ),
                html.Div(view["pencilan_pesan"], id=ID_PENCILAN_PESAN),
                grid(ID_GRID_PENCILAN, view["pencilan"], PENCILAN_COLUMNS, lang, 320),
                api_tables.links("pemantauan", "pencilan", w, lang, grid=ID_GRID_PENCILAN),
                tools=[api_tables.download_button("pemantauan", "pencilan", w, lang)],
                class_name="panel mb-3",
            ),
            alerts_section(w, lang),  # issue 13: alerts open and sent (dashboard.alerts_panel)
        ]
    )


def grid(id: str, df: pd.DataFrame, columns: list[str], lang: str, height: int) -> dag.AgGrid:
    """An AG Grid like layouts.tables.data_grid, with this page's own column headers."""
    defs = []
    for col in columns:
        d: dict = {"field": col, "headerName": t(f"pmt.kolom.{col}", lang), "headerTooltip": col}
        if col in NUMBER_COLUMNS:
            d.update(
                type="rightAligned",
                filter="agNumberColumnFilter",
                valueFormatter=number_formatter(lang),
                cellClass=["ag-right-aligned-cell", "angka"],
                minWidth=110,
            )
        elif col == "terakhir_berhasil":  # ISO UTC in the cell (sorts), WIB text shown
            shown = {"function": f"params.data ? params.data['{col}{TEXT_SUFFIX}'] : ''"}
            d.update(filter="agTextColumnFilter", valueFormatter=shown, minWidth=190)
        elif col == "nama_desa":  # a link to the village's profile
            d.update(cellRenderer="markdown", filter="agTextColumnFilter", minWidth=150)
        elif col in ("alasan_gagal", "galat_terakhir"):  # long: the whole text on hover
            d.update(filter="agTextColumnFilter", tooltipField=col, minWidth=260)
        else:
            d.update(filter="agTextColumnFilter", tooltipField=col, minWidth=120)
        defs.append(d)
    return tables.grid(id, grid_rows(df, columns, lang), defs, lang=lang, height=height,
                       options={"tooltipShowDelay": 300})  # fmt: skip


def grid_rows(df: pd.DataFrame, columns: list[str], lang: str) -> list[dict]:
    """The grid's rows; a village's name links to its profile (/desa/<kode>)."""
    return ff.grid_rows(df, columns, lang, link=True)


# -- the view --------------------------------------------------------------------------------
def render(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    """Every changing part of the page for one region (layout and callback)."""
    if not w.kode:
        return blank_view(lang)
    now = now_utc()
    # activity classes change with the clock, so the view is kept per run, region and hour
    key = ("pemantauan-view", w.kode, w.tingkat, lang, now.floor("h"))
    return cached(snapshot, key, lambda: _render(snapshot, w, now, lang))


def _render(snapshot: Snapshot, w: Wilayah, now: pd.Timestamp, lang: str) -> dict:
    frames = monitoring_frames(snapshot, now, monitoring_scope(w))
    name = display_name(w, lang)
    fresh = in_region(frames["fresh"], w)
    reported = int(fresh["status_terakhir"].isin(["ok", "unchanged"]).sum())
    datasets = list(frames["datasets"])
    note = monitoring_note(snapshot, frames["fresh"], w.kode, datasets, lang)
    area = w if w.tingkat != "desa" else resolve_wilayah(snapshot, w.kecamatan)[0]
    map_note = monitoring_note(snapshot, frames["fresh"], area.kode, datasets, lang)
    counts = {k: int((fresh["kelas"] == k).sum()) for k in mon.KELAS}
    counts.update(melapor=reported, gagal=int((fresh["status_terakhir"] == "failed").sum()))
    summary = summary_in(frames["summary"], w)
    outliers = in_region(frames["outliers"], w)
    return {
        "judul": t("pmt.judul", lang, wilayah=name),
        "kartu": cards(counts, lang),
        "peta": activity_map(snapshot, frames["fresh"], w, map_note, lang),
        "kumpulkan": buttons_state(snapshot, w, lang),
        "kecamatan": summary,
        "desa": desa_frame(fresh, lang),
        "kelengkapan": completeness_figure(
            in_region(frames["complete"], w), list(frames["datasets"]), name, note, lang
        ),
        "pencilan": pencilan_frame(outliers, lang),
        "pencilan_pesan": None
        if not outliers.empty
        else html.P(t("pmt.pencilan_kosong", lang), className="mb-2"),
    }


def monitoring_note(
    snapshot: Snapshot, fresh: pd.DataFrame, kode: str | None, datasets: list[str], lang: str
) -> str:
    """The freshness line of the page's figures: villages whose latest collection of every
    dataset succeeded (the "Melapor terakhir" card), as of the oldest of their last
    successful collections (aggregates.freshness)."""
    with_data = set(fresh.loc[fresh["terakhir_berhasil"].notna(), "kode_desa"])
    return freshness_line(freshness_of(snapshot, kode, datasets, with_data), lang)


def cards(counts: dict | None, lang: str) -> list:
    return [
        dbc.Col(
            kpi_card(
                t(f"pmt.kartu.{key}", lang),
                format_number(counts.get(key) if counts else None, lang),
                f"pmt-kartu-{key}",
            ),
            xs=6,
            md=4,
            xl=2,
        )
        for key in CARDS
    ]


def activity_map(snapshot: Snapshot, fresh: pd.DataFrame, w: Wilayah, note: str, lang: str):
    """The region's villages coloured by their state (failing, stale, never, ok), a failing
    one's reason on hover; a desa shows its kecamatan, outlined."""
    area = w if w.tingkat != "desa" else resolve_wilayah(snapshot, w.kecamatan)[0]
    shown = in_region(fresh, area)
    title = t("pmt.peta", lang, wilayah=display_name(area, lang))
    if shown.empty:
        return empty_figure(t("pmt.tanpa_desa", lang))
    reasons = frame_reasons(shown, "alasan_kode", "alasan_param", "galat_terakhir", lang)
    values = pd.DataFrame(
        {
            "kode": shown["kode_desa"],
            "nama": shown["nama_desa"],
            "kode_kecamatan": shown["kode_kecamatan"],
            "nama_kecamatan": shown["nama_kecamatan"],
            "category": shown["keadaan"],
            "keterangan": [mon.shorten(r) or "" for r in reasons],
        }
    )
    # boundaries ship per kabupaten: a provinsi has none and gets the treemap (issue 12)
    kabupaten = (w.kode or "")[:5] if w.tingkat != "provinsi" else w.kode
    return village_map(
        load_boundaries(kabupaten) if kabupaten else None,
        values,
        lang=lang,
        title=title,
        note=note,
        colours=KEADAAN_COLOURS,
        labels={k: t(f"pmt.keadaan.{k}", lang) for k in mon.KEADAAN},
        highlight=w.desa,
        geojson_url=boundary_url(kabupaten) if kabupaten else None,
    )


def desa_frame(fresh: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the village grid shows: state and activity in words, the reason in the page's
    language naming further failures (alasan_gagal), the original text beside it."""
    shown = fresh.copy()
    shown["kelas"] = [t(f"pmt.kelas.{k}", lang) for k in fresh["kelas"]]
    shown["keadaan"] = [t(f"pmt.keadaan.{k}", lang) for k in fresh["keadaan"]]
    shown["alasan_gagal"] = failure_texts(fresh, lang)  # "… (dan 3 dataset lain)"
    return shown


def completeness_figure(
    complete: pd.DataFrame, datasets: list[str], name: str, note: str, lang: str
):
    if complete.empty or not datasets:
        return empty_figure(t("segar.belum_ada", lang) if not datasets else t("pmt.tanpa_desa",
                                                                              lang))  # fmt: skip
    return status_heatmap(
        complete,
        datasets,
        labels={s: t(f"status.{s}", lang) for s in STATUS_COLOURS},
        title=t("pmt.kelengkapan", lang, wilayah=name),
        note=note,
        x_title=t("pmt.kelengkapan_sumbu", lang),
        lang=lang,
    )


def pencilan_frame(outliers: pd.DataFrame, lang: str) -> pd.DataFrame:
    shown = outliers.copy()
    shown["indikator"] = [t(f"pmt.indikator.{k}", lang) for k in outliers["indikator"]]
    shown["alasan"] = [t(f"pmt.alasan.{k}", lang) for k in outliers["alasan"]]
    return shown


def csv_frame(fresh: pd.DataFrame) -> pd.DataFrame:
    """The download: freshness columns, plain machine values, times in ISO 8601 UTC."""
    out = fresh.reindex(columns=CSV_COLUMNS).copy()
    stamps = pd.to_datetime(out["terakhir_berhasil"], utc=True)
    out["terakhir_berhasil"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["waktu_respons_ms"] = pd.to_numeric(out["waktu_respons_ms"]).round(0).astype("Int64")
    return out


def table_for(
    snapshot: Snapshot, w: Wilayah, now: pd.Timestamp | None = None
) -> tuple[str, pd.DataFrame]:
    """The villages' freshness grid as its CSV download has it, and the file name stem (the
    download callback and /api/v1/halaman/pemantauan/desa share it)."""
    fresh = in_region(
        monitoring_frames(snapshot, now or now_utc(), monitoring_scope(w))["fresh"], w
    )
    return f"pemantauan_{w.kode or 'semua'}", redact_details(csv_frame(fresh))


def _api_desa(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    return (*table_for(snapshot, w), {})


def summary_in(summary: pd.DataFrame, w: Wilayah) -> pd.DataFrame:
    """The per-kecamatan rows of a region: all of them, or its kecamatan's (grid and API)."""
    if w.tingkat in ("kabupaten", "provinsi"):
        return in_region(summary, w, "kode_kecamatan")
    return in_region(summary, Wilayah(w.kecamatan, "", "kecamatan", None, None, None),
                     "kode_kecamatan")  # fmt: skip


KELENGKAPAN_COLUMNS = ["kode_desa", "nama_desa", "kode_kecamatan", "dataset", "status"]


def completeness_long(complete: pd.DataFrame, datasets: list[str]) -> pd.DataFrame:
    """The completeness matrix (village × dataset, the heatmap) in tidy long form: one row per
    village and dataset with its latest status (ok, unchanged, failed, never)."""
    shown = [d for d in datasets if d in complete]
    if complete.empty or not shown:
        return pd.DataFrame(columns=KELENGKAPAN_COLUMNS)
    long = complete.melt(
        id_vars=["kode_desa", "nama_desa", "kode_kecamatan"],
        value_vars=shown,
        var_name="dataset",
        value_name="status",
    )
    order = {d: i for i, d in enumerate(shown)}
    long = long.assign(_urut=long["dataset"].map(order))
    long = long.sort_values(["kode_desa", "_urut"], kind="stable")
    return long[KELENGKAPAN_COLUMNS].reset_index(drop=True)


def _api_kecamatan(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    summary = summary_in(monitoring_frames(snapshot, now_utc(), monitoring_scope(w))["summary"], w)
    return f"pemantauan-kecamatan_{w.kode or 'semua'}", summary[mon.SUMMARY_COLUMNS], {}


def _api_pencilan(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    # machine codes (indikator, alasan); the grid shows them in words (pencilan_frame)
    outliers = in_region(monitoring_frames(snapshot, now_utc(), monitoring_scope(w))["outliers"], w)
    frame = with_kecamatan_code(outliers[PENCILAN_COLUMNS])
    return f"pemantauan-pencilan_{w.kode or 'semua'}", frame, {}


def _api_kelengkapan(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    frames = monitoring_frames(snapshot, now_utc(), monitoring_scope(w))
    table = completeness_long(in_region(frames["complete"], w), list(frames["datasets"]))
    return f"pemantauan-kelengkapan_{w.kode or 'semua'}", table, {}


TABLES = {
    "desa": api_tables.PageTable((), _api_desa),
    "kecamatan": api_tables.PageTable((), _api_kecamatan),
    "pencilan": api_tables.PageTable((), _api_pencilan),
    "kelengkapan": api_tables.PageTable((), _api_kelengkapan),
    # issue 13: the alerts section's grids (dashboard.alerts_panel)
    "peringatan": api_tables.PageTable((), alerts_api_open),
    "kiriman": api_tables.PageTable((), alerts_api_sent),
}


# -- callbacks -------------------------------------------------------------------------------
# a click on a village (map) or a kecamatan box (treemap fallback) sets the URL; the filter
# bar follows the URL, and the page follows the filter bar
MAP_CLICK_JS = """
function (click) {
    const nu = window.dash_clientside.no_update;
    const point = click && click.points && click.points[0];
    if (!point) { return nu; }
    let kode = point.location || point.id || "";
    if (kode.startsWith("k:")) { kode = kode.slice(2); }
    return kode ? "?wilayah=" + encodeURIComponent(kode) : nu;
}
"""


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER)
    app.clientside_callback(
        MAP_CLICK_JS,
        Output(ID_URL, "search", allow_duplicate=True),
        Input(ID_PETA, "clickData"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ID_JUDUL, "children"),
        Output(ID_KARTU, "children"),
        Output(ID_PETA, "figure"),
        Output(ID_KUMPULKAN_PESAN, "children"),
        Output(ID_GRID_KECAMATAN, "rowData"),
        Output(ID_GRID_DESA, "rowData"),
        Output(ID_KELENGKAPAN, "figure"),
        Output(ID_GRID_PENCILAN, "rowData"),
        Output(ID_PENCILAN_PESAN, "children"),
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
            log.exception("pemantauan: update failed for %s", desa or kecamatan)
            failed = (no_update,) * 5
            return (no_update, no_update, no_update, failure_alert(lang), *failed)  # fmt: skip
        return (
            view["judul"],
            view["kartu"],
            view["peta"],
            None,
            row_data(view["kecamatan"], mon.SUMMARY_COLUMNS, lang),
            grid_rows(redact_details(view["desa"]), DESA_COLUMNS, lang),
            view["kelengkapan"],
            grid_rows(view["pencilan"], PENCILAN_COLUMNS, lang),
            view["pencilan_pesan"],
        )

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

    # "Kumpulkan sekarang": only a row in the warehouse, the scheduler process does the HTTP
    register_collect_callbacks(app, COLLECT, ID_KECAMATAN, ID_DESA)
    register_alert_callbacks(app, ID_KECAMATAN, ID_DESA)
