"""What the finance pages (keuangan, pembangunan, bantuan) share, and the village profile and
the health and education pages with them: measurements per snapshot, freshness of a
per-village table, the year filter, headline cards, drill-down from a bar or a row to its
region, the region bars, the "not reported" message, and the page skeleton (`FinancePage`:
layout, view update, drill-down and CSV download follow from what sets a page apart)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from aggregates import finance, sarana
from aggregates import rollup_finance as rf
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.empty_states import villages_since
from dashboard.filter_bar import FilterIds, dropdown_labels, register_filter_callbacks
from dashboard.freshness import Freshness, behind_note, freshness_of
from dashboard.freshness import note as freshness_line
from dashboard.guard import failure_alert, guarded
from dashboard.regions import (
    NO_WILAYAH,
    Wilayah,
    child_level,
    display_name,
    region_notices,
    resolve_wilayah,
    wilayah_from_filters,
)
from dashboard.view_cache import cached, cached_rolled
from i18n.catalogue import t
from i18n.format import format_number, name_list
from layouts import finance_figures as ff
from layouts.figures import empty_figure
from layouts.panels import csv_download, panel_section
from layouts.safe_cells import csv_text

log = logging.getLogger(__name__)


def measurements(snapshot: Snapshot) -> pd.DataFrame:
    """Every current measurement, read once per snapshot (callers must not modify it)."""
    return cached(snapshot, ("measurements",), lambda: data_source().store.measurements_frame())


# -- the finance tables, read as the rollup's slices (issue 12) --------------------------------
# Each reader gives the rollup's table for a region when the current rollup holds it, else
# computes it from the measurements (the path before issue 12, `Settings(rollups=0)`): the
# same frame either way (tests/test_rollup_finance.py).
def year_choices(
    snapshot: Snapshot, key: rf.FrameKey, years_of: Callable[[pd.DataFrame], list[str]]
) -> list[str]:
    """A dataset's years (newest first): the rollup's choices, else `years_of(measurements)`."""
    frame = cached_rolled(
        snapshot, key, None, lambda: rf.choice_frame(years_of(measurements(snapshot)))
    )
    return [str(v) for v in frame["tahun"]]


def apbdes_years(snapshot: Snapshot) -> list[str]:
    """finance.apbdes_years of the snapshot's measurements."""
    return year_choices(snapshot, rf.APBDES_YEARS, finance.apbdes_years)


def pembangunan_years(snapshot: Snapshot) -> list[str]:
    """finance.pembangunan_years of the snapshot's measurements."""
    return year_choices(snapshot, rf.PEMBANGUNAN_YEARS, finance.pembangunan_years)


def apbdes_villages_of(snapshot: Snapshot, tahun: str, kode: str | None) -> pd.DataFrame:
    """finance.apbdes_villages of a region and year (ranked within the region)."""

    def compute() -> pd.DataFrame:
        stored = snapshot.rolled(
            rf.apbdes_villages_key(tahun),
            kode,
            lambda: finance.apbdes_villages(measurements(snapshot), snapshot.regions, tahun, kode),
        )
        return finance.ranked_in_region(stored)

    return cached(snapshot, ("fin-apbdes", tahun, kode), compute)


def apbdes_lines_of(snapshot: Snapshot, tahun: str, kode: str) -> pd.DataFrame:
    """finance.apbdes_lines of one village and year."""
    return cached_rolled(
        snapshot,
        rf.apbdes_lines_key(tahun),
        kode,
        lambda: finance.apbdes_lines(measurements(snapshot), tahun, kode),
    )


def projects_of(snapshot: Snapshot, tahun: str | None, kode: str | None) -> pd.DataFrame:
    """finance.projects of a region and year (None or "": every year)."""
    year = tahun or ""
    return cached_rolled(
        snapshot,
        rf.projects_key(year),
        kode,
        lambda: finance.projects(measurements(snapshot), snapshot.regions, year, kode),
    )


def pembangunan_villages_of(snapshot: Snapshot, tahun: str, kode: str | None) -> pd.DataFrame:
    """finance.pembangunan_villages of a region and year."""
    return cached_rolled(
        snapshot,
        rf.pembangunan_villages_key(tahun),
        kode,
        lambda: finance.pembangunan_villages(
            projects_of(snapshot, tahun, kode), finance.villages(snapshot.regions, kode)
        ),
    )


def bantuan_rows_of(snapshot: Snapshot, kode: str | None) -> pd.DataFrame:
    """finance.bantuan_rows of a region."""
    return cached_rolled(
        snapshot,
        rf.BANTUAN_ROWS,
        kode,
        lambda: finance.bantuan_rows(measurements(snapshot), snapshot.regions, kode),
    )


def bantuan_villages_of(snapshot: Snapshot, kode: str | None) -> pd.DataFrame:
    """finance.bantuan_villages of a region."""
    return cached_rolled(
        snapshot,
        rf.BANTUAN_VILLAGES,
        kode,
        lambda: finance.bantuan_villages(
            bantuan_rows_of(snapshot, kode), finance.villages(snapshot.regions, kode)
        ),
    )


def facilities_of(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """sarana.facilities of a village."""
    return cached_rolled(
        snapshot, rf.FACILITIES, kode, lambda: sarana.facilities(measurements(snapshot), kode)
    )


def identity_of(snapshot: Snapshot, kode: str) -> dict:
    """finance.identity of a village (its identitas rows: the rollup's slice)."""
    rows = cached_rolled(
        snapshot, rf.IDENTITY, kode, lambda: finance.identity_rows(measurements(snapshot), kode)
    )
    return finance.identity(rows, kode)


def region_bars_of(
    snapshot: Snapshot, key: rf.FrameKey, kode: str | None, compute: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """finance.region_values rows (`compute()`) of the regions under `kode` at the level of
    `key` (rf.pembangunan_regions_key, rf.bantuan_regions_key): the rollup's slice."""
    return cached(
        snapshot,
        ("fin-bars", key, kode),
        lambda: rf.as_read(snapshot.rolled(key, kode, lambda: rf.as_stored(compute()))),
    )


def table_freshness(
    snapshot: Snapshot,
    kode: str | None,
    dataset: str,
    table: pd.DataFrame,
    periods: Sequence[str] | None = None,
) -> Freshness:
    """The freshness of a figure drawn from a per-village table with `melapor` (the villages
    whose data it shows) of one dataset over the region `kode` (aggregates.freshness)."""
    with_data = set(table.loc[table["melapor"].astype(bool), "kode_desa"])
    return freshness_of(snapshot, kode, [dataset], with_data, periods)


def with_behind(snapshot: Snapshot, alert: Any, fresh: Freshness, dataset: str, lang: str) -> Any:
    """A page's message with the villages behind (shown, latest collection failed) added."""
    behind = behind_note(snapshot, fresh, [dataset], lang)
    if not behind:
        return alert
    if alert is None:
        return dbc.Alert(behind, color="light", className="py-2")
    return dbc.Alert([alert.children, " ", behind], color=alert.color, className="py-2")


def resolve_choice(raw: object, choices: Sequence[str]) -> str:
    """A URL value among `choices` (the first is the default); "" when there are none."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is not None and str(raw) in choices:
        return str(raw)
    return choices[0] if choices else ""


def year_column(ident: str, years: Sequence[str], value: str, lang: str) -> dbc.Col:
    return dbc.Col(
        [
            html.Label(t("keu.tahun", lang), htmlFor=ident),
            dcc.Dropdown(
                id=ident,
                options=[{"label": y, "value": y} for y in years],
                value=value or None,
                clearable=False,
                labels=dropdown_labels(lang),
            ),
        ],
        md=4,
    )


def card_row(items: Sequence[tuple[str, str]]) -> list:
    """Headline numbers as cards: (label, value text)."""
    return [
        dbc.Col(
            html.Div(
                [html.Div(label, className="card-label"), html.Div(value, className="card-value")],
                className="panel h-100",
            ),
            sm=6,
            lg=2,
        )
        for label, value in items
    ]


def rupiah(value: object, lang: str) -> str:
    """ "Rp 1.234.567" (id), "Rp 1,234,567" (en)."""
    return "Rp " + format_number(value, lang)


def drill_target(kode: object) -> tuple[str, str | None] | None:
    """(kecamatan, desa) dropdown values for a clicked region code; None if not a region."""
    if not isinstance(kode, str):
        return None
    if len(kode) == 13:
        return kode[:8], kode
    if len(kode) in (5, 8):  # a kabupaten of a provinsi is chosen as a kecamatan is
        return kode, None
    return None


def clicked_code(trigger: str, cell: dict | None, click: dict | None) -> object:
    """The region code of a grid cell click (its row id) or of a clicked bar (customdata)."""
    if trigger.endswith("cellClicked"):
        if not cell or cell.get("colId") == "nama_desa":  # the name cell is a profile link
            return None
        return str(cell.get("rowId") or "").split("/")[0]
    points = (click or {}).get("points") or []
    return points[0].get("customdata") if points else None


def register_drill(app: dash.Dash, ids: FilterIds, grid: str, graphs: Sequence[str]) -> None:
    """Clicking a village row or bar selects it in the filter bar (which updates the URL)."""

    @app.callback(
        Output(ids.kecamatan, "value", allow_duplicate=True),
        Output(ids.desa, "value", allow_duplicate=True),
        Input(grid, "cellClicked"),
        *[Input(g, "clickData") for g in graphs],
        prevent_initial_call=True,
    )
    def drill(cell: dict | None, *clicks: dict | None):
        trigger = dash.ctx.triggered_id or ""
        prop = "cellClicked" if trigger == grid else "clickData"
        click = clicks[list(graphs).index(trigger)] if trigger in graphs else None
        target = drill_target(clicked_code(prop, cell, click))
        if target is None:
            return no_update, no_update
        return target


def region_figure(
    snapshot: Snapshot,
    w: Wilayah,
    per_desa_of: Callable[[str | None], pd.DataFrame],
    value_col: str,
    title_key: str,
    axis_title: str,
    fresh: str,
    empty_message: str,
    lang: str,
    prefix: str = "",
    dataset: str | None = None,
    periods: Sequence[str] | None = None,
    bars_key: Callable[[str], rf.FrameKey] | None = None,
):
    """`value_col` of a per-village summary (`per_desa_of(region code)`) per kabupaten (for a
    provinsi), per kecamatan (for a kabupaten) or per village (for a kecamatan; a desa among
    its kecamatan's villages, highlighted); a bar click selects that region
    (`register_drill`). The title is `title_key` + "kabupaten", "kecamatan" or "desa". `fresh`
    is the region's freshness line; for a desa, with `dataset` (and `periods`), the line is
    its kecamatan's, whose villages are drawn. `bars_key(tingkat)`: the rollup's table of
    the bars per kecamatan or kabupaten (read as the region's slice)."""
    area = resolve_wilayah(snapshot, w.kecamatan)[0] if w.tingkat == "desa" else w
    tingkat = child_level(w.tingkat)  # issue 12: a provinsi per kabupaten
    name = display_name(area, lang) if area.kode else t("app.judul", lang)
    per_desa = per_desa_of(area.kode)
    if dataset is not None and w.tingkat == "desa":
        fresh = freshness_line(table_freshness(snapshot, area.kode, dataset, per_desa, periods),
                               lang)  # fmt: skip
    bars = (
        finance.region_values(per_desa, value_col, tingkat, snapshot.regions)
        if tingkat == "desa" or bars_key is None
        else region_bars_of(
            snapshot,
            bars_key(tingkat),
            area.kode,
            lambda: finance.region_values(per_desa, value_col, tingkat, snapshot.regions),
        )
    )
    return ff.region_bars(
        bars,
        lang=lang,
        title=t(title_key + tingkat, lang, wilayah=name),
        note=fresh,
        axis_title=axis_title,
        empty_message=empty_message,
        highlight=w.desa,
        prefix=prefix,
    )


def missing_alert(
    snapshot: Snapshot, table: pd.DataFrame, tahun: str, lang: str, key: str, dataset: str
) -> Any:
    """Which desa have not reported `dataset` (by name, with when it last came in) and which
    are kelurahan, or None."""
    belum, kelurahan = finance.not_reported(table)
    parts = []
    if belum:
        missing = table[~table["melapor"].astype(bool) & (table["jenis"] != "kelurahan")]
        codes = list(missing["kode_desa"])
        since = villages_since(snapshot, codes, lang, datasets=[dataset])
        parts.append(t(key, lang, n=len(belum), m=len(table), tahun=tahun, nama=since))
    if kelurahan and key == "keu.belum_melapor":
        parts.append(t("keu.kelurahan", lang, nama=name_list(kelurahan)))
    if not parts:
        return None
    return dbc.Alert(" ".join(parts), color="light", className="py-2")


# -- the finance pages' scaffolding ---------------------------------------------------------
@dataclass(frozen=True)
class FinancePage:
    """What sets one finance page (keuangan, pembangunan, bantuan) apart; its layout, view
    update, drill-down and CSV download follow from it (`finance_layout`,
    `register_finance_callbacks`). Component ids are `<prefix>-judul`, `-pesan`, `-kartu`,
    `-tabel-judul`, `-grid`, `-unduh`, `-download` and `-tahun`.

    `render(snapshot, w, [year,] lang)` gives the view (keys judul, pesan, kartu, tabel_judul,
    tabel and one per figure); `page(snapshot, w, view, notices, lang, years=, year=)` the
    page; `table_for(snapshot, w, [year])` the CSV; `years(snapshot)` the year choices
    (None: the page has no year filter)."""

    module: str
    filter: FilterIds
    render: Callable[..., dict]
    page: Callable[..., html.Div]
    blank_view: Callable[[str], dict]
    table_for: Callable[..., tuple[str, pd.DataFrame]]
    grid_columns: tuple[str, ...]
    figures: tuple[tuple[str, str], ...]  # (graph id, view key), in output order
    drill: tuple[str, ...] = ()  # graphs whose bars select a region
    years: Callable[[Snapshot], list[str]] | None = None

    def id(self, name: str) -> str:
        return f"{self.filter.prefix}-{name}"

    def year_args(self, snapshot: Snapshot, tahun: str | None) -> tuple[str, ...]:
        """(the chosen year,) for a page with a year filter, else ()."""
        if self.years is None:
            return ()
        return (resolve_choice(tahun, self.years(snapshot)),)


def finance_layout(p: FinancePage, wilayah: str | None, tahun: str | None) -> html.Div:
    """A finance page for the URL's region and year; the blank page if the data fails."""
    lang = language()

    def build() -> html.Div:
        snapshot = data_source().snapshot()
        w, unknown = resolve_wilayah(snapshot, wilayah)
        years = p.years(snapshot) if p.years else []
        args = p.year_args(snapshot, tahun)
        view = p.render(snapshot, w, *args, lang)
        notices = region_notices(w, unknown, lang)
        return p.page(snapshot, w, view, notices, lang, years=years, year=(args or ("",))[0])

    def blank() -> html.Div:
        return p.page(None, NO_WILAYAH, p.blank_view(lang), [failure_alert(lang)], lang,
                      years=[], year="")  # fmt: skip

    return guarded(p.module, build, blank)


def register_finance_callbacks(app: dash.Dash, p: FinancePage) -> None:
    """The filter bar, drill-down, the view update and the CSV download of a finance page."""
    register_filter_callbacks(app, p.filter, extra=["tahun"] if p.years else [])
    register_drill(app, p.filter, p.id("grid"), list(p.drill))
    filters = [p.filter.kecamatan, p.filter.desa, *([p.id("tahun")] if p.years else [])]
    shown = [
        (p.id("judul"), "children", "judul"),
        (p.id("pesan"), "children", "pesan"),
        (p.id("kartu"), "children", "kartu"),
        *[(graph, "figure", key) for graph, key in p.figures],
        (p.id("tabel-judul"), "children", "tabel_judul"),
    ]

    @app.callback(
        *[Output(i, prop) for i, prop, _ in shown],
        Output(p.id("grid"), "rowData"),
        *[Input(f, "value") for f in filters],
        prevent_initial_call=True,  # the layout rendered the view of the URL already
    )
    def update(kecamatan: str | None, desa: str | None, tahun: str | None = None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            view = p.render(snapshot, w, *p.year_args(snapshot, tahun), lang)
        except Exception:
            log.exception("%s: update failed for %s, %s", p.module, desa or kecamatan, tahun)
            failed = empty_figure(t("galat.teks", lang))
            return (no_update, failure_alert(lang), [], *[failed for _ in p.figures],
                    no_update, [])  # fmt: skip
        rows = ff.grid_rows(view["tabel"], list(p.grid_columns), lang)
        return (*[view[key] for _, _, key in shown], rows)

    @app.callback(
        Output(p.id("download"), "data"),
        Input(p.id("unduh"), "n_clicks"),
        *[State(f, "value") for f in filters],
        prevent_initial_call=True,
    )
    def download(_clicks: int | None, kecamatan: str | None, desa: str | None,
                 tahun: str | None = None):  # fmt: skip
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        stem, frame = p.table_for(snapshot, w, *p.year_args(snapshot, tahun))
        text = csv_text(frame)  # issue 10: no cell a spreadsheet would run
        return dcc.send_string(text, f"{stem}.csv", type="text/csv")


def grid_section(
    title_id: str,
    title: str,
    button_id: str,
    download_id: str,
    help_text: str,
    grid,
    lang: str,
    links: Any = None,
) -> html.Section:
    """A page's main grid: its title, CSV button, help text, then `links` ("Data ini lewat
    API: CSV · JSON", api_tables.links) under the grid."""
    return panel_section(
        title,
        grid,
        links,
        title_id=title_id,
        tools=csv_download(button_id, download_id, lang),
        note=help_text,
    )
