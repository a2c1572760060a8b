"""The pages of spreadsheet datasets by period (Kesehatan, Pendidikan): one dataset selector,
a grain and a period kept in the URL (?data=&skala=&periode=), the region filter, a trend
chart, a per-village (or per-kecamatan) chart and a grid with a CSV twin. A page is a `Spec`
(its prefix, which is also its translation namespace, datasets, grains and series); its
layout (`build_layout`), callbacks (`register`) and API table (`spec_tables`) follow.

Their tables (the period choices, the per-village table of each period, the trend of each
region) are read from the run's rollup as slices (aggregates.rollup_health, issue 12); only
without a rollup holding them are they computed from every measurement.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update
from flask import current_app, has_app_context

from aggregates import health_education as he
from aggregates import rollup_health as rh
from aggregates.tables import with_kecamatan_code
from config.penyakit import DEFAULT_IDS, extra_names
from dashboard import api_tables
from dashboard.context import SETTINGS, data_source, language
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, dropdown_labels, filter_bar, register_filter_callbacks
from dashboard.freshness import Freshness, freshness_of
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
from dashboard.scaffold.finance import grid_section, measurements, register_drill, resolve_choice
from dashboard.view_cache import cached, cached_rolled, cached_view
from i18n.catalogue import t
from i18n.format import month_abbr, name_list
from layouts import finance_figures as ff
from layouts.axes import category_axis, count_axis, largest, percent_axis
from layouts.chart_top import frame_top, wrap_title
from layouts.figures import _base_layout, _title, empty_figure
from layouts.panels import graph_row
from layouts.safe_cells import csv_text

log = logging.getLogger(__name__)

PALETTE = ("#154360", "#2f6fb0", "#d9822b", "#5a9e6f", "#9b59b6", "#c0392b", "#7f8c8d")
BAR_HEIGHT = 26
PERCENT_COLUMNS = frozenset(
    {*(f"partisipasi_{lvl}" for lvl in he.LEVELS)}
    | {f"persen_{m}" for m in ("tidak_tamat_sekolah", "tamat_sd", "tamat_smp", "tamat_sma",
                               "tamat_diploma_sederajat")}
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """One page: its id prefix (also its translation namespace), datasets and grains."""

    prefix: str
    page: str  # the page module's name ("kesehatan"): its API tables are /halaman/<page>/…
    datasets: tuple[str, ...]
    grains: tuple[str, ...]
    # per dataset: the columns drawn, and whether parts of a whole (stacked bars)
    series: dict[str, tuple[str, ...]]
    stacked: frozenset[str] = frozenset()

    @property
    def filter(self) -> FilterIds:
        return FilterIds(self.prefix)

    def id(self, name: str) -> str:
        return f"{self.prefix}-{name}"


# -- texts ---------------------------------------------------------------------------------
def column_label(spec: Spec, col: str, lang: str) -> str:
    """A grid header or legend text; diseases by their id (unknown ids by number)."""
    if col.startswith(he.DISEASE_PREFIX):
        kode = col[len(he.DISEASE_PREFIX) :]
        # OpenDK's four by the catalogue, the others by their name in config.penyakit
        if kode in DEFAULT_IDS:
            return t(f"kes.penyakit.{kode}", lang)
        settings = current_app.config.get(SETTINGS) if has_app_context() else None
        named = extra_names(settings.penyakit if settings is not None else "")
        if kode in named:
            return named[kode]
        return t("kes.penyakit.lain", lang, kode=kode)
    return t(f"{spec.prefix}.kolom.{col}", lang)


def period_label(periode: str, lang: str) -> str:
    """202611 → "Nov 2026", 2026Q4 → "2026 T4" (Q4 in English), 2026S1 → "2026 S1"."""
    p = str(periode)
    if len(p) == 6 and p.isdigit():
        return f"{month_abbr(int(p[4:]), lang)} {p[:4]}"
    if "Q" in p:
        return f"{p[:4]} {'T' if lang == 'id' else 'Q'}{p[-1]}"
    if "S" in p:
        return f"{p[:4]} S{p[-1]}"
    return p


# -- choices -------------------------------------------------------------------------------
def period_table(snapshot: Snapshot) -> pd.DataFrame:
    """Each stored (dataset, periode): the rollup's (aggregates.rollup_health), else from the
    measurements."""
    return cached_rolled(
        snapshot, rh.PERIODS, None, lambda: he.period_choices(measurements(snapshot))
    )


def choices(spec: Spec, stored: pd.DataFrame, data: object, skala: object) -> tuple[str, str, list]:
    """The dataset and grain chosen (defaults: the first), and that grain's periods (from
    `stored`, a `period_table`)."""
    dataset = resolve_choice(data, spec.datasets)
    grain = resolve_choice(skala, [g for g in spec.grains if g in he.grains(dataset)])
    return dataset, grain, he.periods_in(stored, dataset, grain)


def all_periods(spec: Spec, stored: pd.DataFrame) -> list[str]:
    """Every period of every dataset and grain, newest first (the URL's allowed values)."""
    found = {
        p
        for ds in spec.datasets
        for g in spec.grains
        if g in he.grains(ds)
        for p in he.periods_in(stored, ds, g)
    }
    return sorted(found, reverse=True) or [""]


# -- aggregates per snapshot ---------------------------------------------------------------
# read from the rollup as the slice of a region (issue 12), or computed from every
# measurement when no rollup holds them
def table_for(
    snapshot: Snapshot, dataset: str, grain: str, periode: str, kode: str | None
) -> pd.DataFrame:
    """`he.village_table` of the villages under `kode` (all for None)."""
    return cached_rolled(
        snapshot,
        rh.village_key(dataset, grain, periode),
        kode,
        lambda: he.village_table(
            measurements(snapshot), snapshot.regions, dataset, grain, periode, kode
        ),
    )


def trend_for(snapshot: Snapshot, dataset: str, grain: str, w: Wilayah) -> pd.DataFrame:
    """The trend of the region `w`: the rollup stores it per level, one row per region and
    period (kode_wilayah first)."""

    def compute() -> pd.DataFrame:
        frame = he.trend(measurements(snapshot), dataset, grain, w.kode)
        return frame.assign(kode_wilayah=w.kode)[["kode_wilayah", *frame.columns]]

    def read() -> pd.DataFrame:
        if w.kode is None:  # no region known at all: nothing a level's rows could hold
            return he.trend(measurements(snapshot), dataset, grain, None)
        key = rh.trend_key(dataset, grain, w.tingkat)
        return snapshot.rolled(key, w.kode, compute).drop(columns="kode_wilayah")

    return cached(snapshot, ("he", "trend", dataset, grain, w.kode), read)


def stored_periods(snapshot: Snapshot, dataset: str, grain: str, periode: str) -> list[str]:
    """The stored periods (months, semesters) behind a period shown at `grain`."""
    return cached(
        snapshot,
        ("he", "stored-periods", dataset, grain, periode),
        lambda: he.stored_in(period_table(snapshot), dataset, grain, periode),
    )


def latest_periods(snapshot: Snapshot, dataset: str, kode: str | None) -> pd.DataFrame:
    """The villages under `kode` with data of `dataset` and their latest period."""
    return cached_rolled(
        snapshot,
        rh.last_key(dataset),
        kode,
        lambda: he.last_period_frame(measurements(snapshot), dataset, kode),
    )


def period_freshness(
    snapshot: Snapshot, dataset: str, grain: str, periode: str, kode: str | None
) -> Freshness:
    """The freshness of the dataset's chosen period over a region: its villages with data
    for that period, as of the period's last import (aggregates.freshness)."""
    table = table_for(snapshot, dataset, grain, periode, kode)
    with_data = set(table.loc[table["melapor"], "kode_desa"])
    periods = stored_periods(snapshot, dataset, grain, periode)
    return freshness_of(snapshot, kode, [dataset], with_data, periods)


def trend_freshness(snapshot: Snapshot, dataset: str, kode: str | None) -> Freshness:
    """The freshness of the dataset over all its periods (the trend): villages with any data
    (those of the region are the ones that count)."""
    with_data = set(latest_periods(snapshot, dataset, kode)["kode_desa"].astype(str))
    return freshness_of(snapshot, kode, [dataset], with_data)


def series_of(spec: Spec, dataset: str, frame: pd.DataFrame) -> list[str]:
    wanted = spec.series.get(dataset) or tuple(
        c for c in frame.columns if c.startswith(he.DISEASE_PREFIX)
    )
    return [c for c in wanted if c in frame.columns]


def grid_columns(table: pd.DataFrame, dataset: str) -> list[str]:
    measures = [c for c in table.columns if c in he.stored_measures(table, dataset)]
    return [
        "kode_desa",
        "nama_desa",
        "nama_kecamatan",
        *measures,
        *he.derived_measures(dataset),
        "laporan",
    ]


# -- figures (pure) ------------------------------------------------------------------------
def trend_figure(
    frame: pd.DataFrame,
    series: Sequence[str],
    labels: Sequence[str],
    *,
    lang: str,
    title: str,
    note: str,
    axis_title: str,
    x_labels: Sequence[str],
    empty_message: str,
    percent: bool = False,
) -> go.Figure:
    """One line per series over the periods of `frame` (oldest first)."""
    if frame.empty or not series:
        return empty_figure(empty_message)
    lines = [
        go.Scatter(
            name=label,
            x=list(x_labels),
            y=[None if pd.isna(v) else float(v) for v in frame[col]],
            mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2),
            hovertemplate=f"%{{x}}<br>{label}: %{{y:,.{1 if percent else 0}f}}<extra></extra>",
        )
        for i, (col, label) in enumerate(zip(series, labels, strict=True))
    ]
    layout = _base_layout(380, lang)
    top = largest(v for line in lines for v in line.y)
    layout.update(
        title=_title(wrap_title(title), note),
        xaxis=category_axis(),
        yaxis=percent_axis(axis_title) if percent else count_axis(top, axis_title),
    )
    frame_top(layout, [line.name for line in lines])
    return go.Figure(data=lines, layout=layout)


def region_figure(
    frame: pd.DataFrame,
    series: Sequence[str],
    labels: Sequence[str],
    *,
    lang: str,
    label_col: str,
    key_col: str,
    title: str,
    note: str,
    axis_title: str,
    empty_message: str,
    stacked: bool = False,
    percent: bool = False,
) -> go.Figure:
    """Horizontal bars per region row (villages or kecamatan); customdata = region code."""
    if frame.empty or not series:
        return empty_figure(empty_message)
    names_ = [str(n) for n in frame[label_col]]
    keys = [str(k) for k in frame[key_col]]
    bars = [
        go.Bar(
            name=label,
            orientation="h",
            y=names_,
            x=[None if pd.isna(v) else float(v) for v in frame[col]],
            customdata=keys,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,.{1 if percent else 0}f}}<extra></extra>",
        )
        for i, (col, label) in enumerate(zip(series, labels, strict=True))
    ]
    per_row = 1 if stacked else len(series)
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * per_row * len(names_)), lang)
    values = [[0.0 if v is None else v for v in bar.x] for bar in bars]
    # a stacked bar is as long as its parts together
    top = largest(map(sum, zip(*values, strict=True))) if stacked else largest(sum(values, []))
    layout.update(
        title=_title(wrap_title(title), note),
        barmode="stack" if stacked else "group",
        bargap=0.25,
        xaxis=percent_axis(axis_title) if percent else count_axis(top, axis_title),
        yaxis=category_axis(autorange="reversed"),
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


def last_reported(
    snapshot: Snapshot, table: pd.DataFrame, dataset: str, kode: str | None, lang: str
) -> str:
    """The villages of a `village_table` of region `kode` without data, by name, with the
    latest period they did report (villages send these by spreadsheet, per period): "Meok
    (terakhir Mar 2026)"."""
    frame = latest_periods(snapshot, dataset, kode)
    latest = pd.Series(frame["periode"].to_numpy(), index=frame["kode_desa"].astype(str))
    missing = table[~table["melapor"]]
    items = [
        f"{nama} ("
        + (
            t("kosong.periode_terakhir", lang, periode=period_label(latest[kode], lang))
            if kode in latest.index
            else t("kosong.belum_pernah", lang)
        )
        + ")"
        for kode, nama in zip(missing["kode_desa"], missing["nama_desa"], strict=True)
    ]
    return name_list(items)


# -- the view ------------------------------------------------------------------------------
@cached_view("kesehatan")
def render(
    spec: Spec, snapshot: Snapshot, w: Wilayah, dataset: str, grain: str, periode: str, lang: str
) -> dict:
    """Everything that follows the filters (the layout and the callback share it)."""
    ns = spec.prefix
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    ds_name = t(f"{ns}.data.{dataset}", lang)
    p_text = period_label(periode, lang) if periode else t(f"{ns}.tanpa_periode", lang)
    table = table_for(snapshot, dataset, grain, periode, w.kode)
    tot = he.totals(table, dataset)
    reported = tot["desa_melapor"]
    # the per-region figure shows the chosen period, the trend every period
    fresh = freshness_line(period_freshness(snapshot, dataset, grain, periode, w.kode), lang)
    series = series_of(spec, dataset, table)
    labels = [column_label(spec, c, lang) for c in series]
    percent = bool(series) and all(c in PERCENT_COLUMNS for c in series)
    axis = t(f"{ns}.sumbu_persen" if percent else f"{ns}.sumbu_jumlah", lang)
    empty_text = t(f"{ns}.kosong", lang, dataset=ds_name, periode=p_text, wilayah=name)
    belum = he.not_reported(table)
    missing = (
        t(f"{ns}.belum_melapor", lang, n=len(belum), m=len(table), dataset=ds_name,
          periode=p_text, nama=last_reported(snapshot, table, dataset, w.kode, lang))
        if belum else ""
    )  # fmt: skip

    trend = trend_for(snapshot, dataset, grain, w)
    tren = trend_figure(
        trend,
        series,
        labels,
        lang=lang,
        title=t(f"{ns}.tren", lang, dataset=ds_name, wilayah=name),
        note=freshness_line(trend_freshness(snapshot, dataset, w.kode), lang),
        axis_title=axis,
        x_labels=[period_label(p, lang) for p in trend["periode"]],
        empty_message=empty_text,
        percent=percent,
    )
    if reported == 0:
        pesan = dbc.Alert(
            [html.Strong(t("kosong.judul", lang) + ". "), " ".join([empty_text, missing]).strip()],
            color="info",
        )
        per_wilayah = empty_figure(" ".join([empty_text, missing]).strip()[:300])
    else:
        pesan = dbc.Alert(missing, color="light", className="py-2") if missing else None
        if w.tingkat in ("kabupaten", "provinsi"):
            # one level below: the kabupaten of a provinsi, the kecamatan of a kabupaten
            tingkat = child_level(w.tingkat)
            rows = he.rollup(table, snapshot.regions, dataset, tingkat)
            rows = rows[rows["desa_melapor"] > 0]
            label_col, key_col = "nama_wilayah", "kode_wilayah"
        else:
            scope = (
                table
                if w.tingkat == "kecamatan"
                else table_for(snapshot, dataset, grain, periode, w.kecamatan)
            )
            rows = scope[scope["melapor"]]
            label_col, key_col, tingkat = "nama_desa", "kode_desa", "desa"
            if w.tingkat == "desa":  # the kecamatan's villages are drawn: its line
                shown = period_freshness(snapshot, dataset, grain, periode, w.kecamatan)
                fresh = freshness_line(shown, lang)
        per_wilayah = region_figure(
            rows,
            series,
            labels,
            lang=lang,
            label_col=label_col,
            key_col=key_col,
            title=t(f"{ns}.per_wilayah", lang, dataset=ds_name, tingkat=t(f"tingkat.{tingkat}",
                    lang).lower(), wilayah=name, periode=p_text),
            note=fresh,
            axis_title=axis,
            empty_message=empty_text,
            stacked=dataset in spec.stacked,
            percent=percent,
        )  # fmt: skip
    columns = grid_columns(table, dataset)
    return {
        "judul": t(f"{ns}.judul", lang, wilayah=name, dataset=ds_name, periode=p_text),
        "pesan": pesan,
        "tren": tren,
        "per_wilayah": per_wilayah,
        "tabel_judul": t(f"{ns}.tabel", lang, dataset=ds_name, wilayah=name, periode=p_text),
        "tabel": table,
        "kolom": columns,
        "totals": tot,
    }


def blank_view(spec: Spec, lang: str) -> dict:
    failed = empty_figure(t("galat.teks", lang))
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "tren": failed,
        "per_wilayah": failed,
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=["kode_desa", "nama_desa", "nama_kecamatan"]),
        "kolom": ["kode_desa", "nama_desa", "nama_kecamatan"],
    }


def grid(spec: Spec, table: pd.DataFrame, columns: list[str], lang: str):
    return ff.finance_grid(
        spec.id("grid"),
        table,
        columns,
        {c: column_label(spec, c, lang) for c in columns},
        numbers=columns[3:],
        decimals=_decimals(columns),
        lang=lang,
        row_id="params.data.kode_desa",
    )


def _decimals(columns: Sequence[str]) -> dict[str, int]:
    return {c: 1 for c in columns if c in PERCENT_COLUMNS or c == "siswa_per_guru"}


def column_defs(spec: Spec, table: pd.DataFrame, columns: list[str], lang: str) -> list[dict]:
    return grid(spec, table.iloc[0:0], columns, lang).columnDefs


def csv_frame(table: pd.DataFrame, columns: list[str], dataset: str, periode: str):
    """The grid's rows with stable column names and plain numbers (counts as integers)."""
    out = table.reindex(columns=columns).copy()
    for col in columns[3:]:
        if col in PERCENT_COLUMNS or col == "siswa_per_guru":
            out[col] = out[col].round(4)
        else:
            out[col] = out[col].round().astype("Int64")
    out.insert(0, "periode", periode)
    out.insert(0, "dataset", dataset)
    return with_kecamatan_code(out)


# -- layout --------------------------------------------------------------------------------
def selectors(
    spec: Spec, dataset: str, grain: str, periods: list[str], periode: str, lang: str
) -> list[dbc.Col]:
    ns = spec.prefix
    ds_opts = [{"label": t(f"{ns}.data.{d}", lang), "value": d} for d in spec.datasets]
    return [
        _dropdown(spec.id("data"), t(f"{ns}.dataset", lang), ds_opts, dataset, lang),
        _dropdown(spec.id("skala"), t(f"{ns}.skala", lang), grain_options(spec, dataset, lang),
                  grain, lang),
        _dropdown(spec.id("periode"), t(f"{ns}.periode", lang),
                  period_options(periods, lang), periode, lang),
    ]  # fmt: skip


def _dropdown(ident: str, label: str, options: list[dict], value: str, lang: str) -> dbc.Col:
    return dbc.Col(
        [
            html.Label(label, htmlFor=ident),
            dcc.Dropdown(
                id=ident,
                options=options,
                value=value or None,
                clearable=False,
                labels=dropdown_labels(lang),
            ),
        ],
        md=4,
        lg=True,
    )


def grain_options(spec: Spec, dataset: str, lang: str) -> list[dict]:
    return [
        {"label": t(f"{spec.prefix}.skala.{g}", lang), "value": g}
        for g in spec.grains
        if g in he.grains(dataset)
    ]


def period_options(periods: Sequence[str], lang: str) -> list[dict]:
    return [{"label": period_label(p, lang), "value": p} for p in periods]


def build_layout(spec: Spec, query: dict) -> html.Div:
    """The page for ?wilayah=&data=&skala=&periode= (defaults: kabupaten, the first dataset,
    the finest grain, the newest period)."""
    lang = language()
    return guarded(
        spec.prefix,
        lambda: _layout(spec, query, lang),
        lambda: _page(spec, None, NO_WILAYAH, {}, blank_view(spec, lang),
                      [failure_alert(lang)], lang),
    )  # fmt: skip


def _layout(spec: Spec, query: dict, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, query.get("wilayah"))
    stored = period_table(snapshot)
    dataset, grain, periods = choices(spec, stored, query.get("data"), query.get("skala"))
    periode = resolve_choice(query.get("periode"), periods)
    notices = region_notices(w, unknown, lang)
    state = {"dataset": dataset, "grain": grain, "periods": periods, "periode": periode,
             "all": all_periods(spec, stored)}  # fmt: skip
    view = render(spec, snapshot, w, dataset, grain, periode, lang)
    return _page(spec, snapshot, w, state, view, notices, lang)


def _page(
    spec: Spec,
    snapshot: Snapshot | None,
    w: Wilayah,
    state: dict,
    view: dict,
    notices: list,
    lang: str,
) -> html.Div:
    dataset = state.get("dataset", spec.datasets[0])
    grain = state.get("grain", spec.grains[0])
    extra = selectors(
        spec, dataset, grain, state.get("periods", []), state.get("periode", ""), lang
    )
    choice = {"data": dataset, "skala": grain, "periode": state.get("periode")}
    return html.Div(
        [
            html.H1(view["judul"], id=spec.id("judul"), className="h3 mb-3"),
            filter_bar(
                spec.filter,
                snapshot,
                w,
                lang,
                extra=extra,
                # a URL without skala or periode means the ones shown (first = default)
                extra_values={
                    "data": list(spec.datasets),
                    "skala": first(grain, spec.grains),
                    "periode": first(state.get("periode", ""), state.get("all", [""])),
                },
            ),
            html.Div(notices),
            html.Div(view["pesan"], id=spec.id("pesan")),
            graph_row(
                [
                    (spec.id("tren"), view["tren"], 6),
                    (spec.id("per-wilayah"), view["per_wilayah"], 6),
                ]
            ),
            grid_section(
                spec.id("tabel-judul"),
                view["tabel_judul"],
                spec.id("unduh"),
                spec.id("download"),
                t(f"{spec.prefix}.keterangan_tabel", lang),
                grid(spec, view["tabel"], view["kolom"], lang),
                lang,
                api_tables.links(spec.page, "desa", w, lang, grid=spec.id("grid"), **choice),
            ),
        ]
    )


def first(value: str, values: Sequence[str]) -> list[str]:
    """`values` with `value` first (the filter bar's default for a URL without it)."""
    return [value, *(v for v in values if v != value)] if value else list(values)


# -- callbacks -----------------------------------------------------------------------------
def register(app: dash.Dash, spec: Spec) -> None:
    """The filter bar, drill-down, the view update and the CSV download of a page."""
    ids = spec.filter
    register_filter_callbacks(app, ids, extra=["data", "skala", "periode"])
    register_drill(app, ids, spec.id("grid"), [spec.id("per-wilayah")])

    @app.callback(
        Output(spec.id("judul"), "children"),
        Output(spec.id("pesan"), "children"),
        Output(spec.id("tren"), "figure"),
        Output(spec.id("per-wilayah"), "figure"),
        Output(spec.id("tabel-judul"), "children"),
        Output(spec.id("grid"), "columnDefs"),
        Output(spec.id("grid"), "rowData"),
        Output(spec.id("skala"), "options"),
        Output(spec.id("periode"), "options"),
        # the dropdowns show what the view shows: another dataset or grain has other periods,
        # and a value the options lack would leave the selector blank (issue 8)
        Output(spec.id("skala"), "value", allow_duplicate=True),
        Output(spec.id("periode"), "value", allow_duplicate=True),
        Input(ids.kecamatan, "value"),
        Input(ids.desa, "value"),
        Input(spec.id("data"), "value"),
        Input(spec.id("skala"), "value"),
        Input(spec.id("periode"), "value"),
        prevent_initial_call=True,  # the layout rendered the view of the URL already
    )
    def update(kecamatan, desa, data, skala, periode):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            dataset, grain, periods = choices(spec, period_table(snapshot), data, skala)
            chosen = resolve_choice(periode, periods)
            view = render(spec, snapshot, w, dataset, grain, chosen, lang)
        except Exception:
            log.exception("%s: update failed for %s", spec.prefix, desa or kecamatan)
            failed = empty_figure(t("galat.teks", lang))
            return (no_update, failure_alert(lang), failed, failed, no_update, no_update, [],
                    no_update, no_update, no_update, no_update)  # fmt: skip
        columns = view["kolom"]
        return (
            view["judul"],
            view["pesan"],
            view["tren"],
            view["per_wilayah"],
            view["tabel_judul"],
            column_defs(spec, view["tabel"], columns, lang),
            ff.grid_rows(view["tabel"], columns, lang),
            grain_options(spec, dataset, lang),
            period_options(periods, lang),
            grain if grain != skala else no_update,
            (chosen or None) if chosen != periode else no_update,
        )

    @app.callback(
        Output(spec.id("download"), "data"),
        Input(spec.id("unduh"), "n_clicks"),
        State(ids.kecamatan, "value"),
        State(ids.desa, "value"),
        State(spec.id("data"), "value"),
        State(spec.id("skala"), "value"),
        State(spec.id("periode"), "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, kecamatan, desa, data, skala, periode):
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        dataset, grain, periods = choices(spec, period_table(snapshot), data, skala)
        chosen = resolve_choice(periode, periods)
        stem, frame = download_table(snapshot, w, dataset, chosen, grain)
        text = csv_text(frame)  # issue 10: no cell a spreadsheet would run
        return dcc.send_string(text, f"{stem}.csv", type="text/csv")


def download_table(
    snapshot: Snapshot, w: Wilayah, dataset: str, periode: str, grain: str
) -> tuple[str, pd.DataFrame]:
    """The grid's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/<page>/desa share it)."""
    table = table_for(snapshot, dataset, grain, periode, w.kode)
    frame = csv_frame(table, grid_columns(table, dataset), dataset, periode)
    return f"{dataset}_{periode or 'kosong'}_{w.kode or 'semua'}", frame


def spec_tables(spec: Spec) -> dict[str, api_tables.PageTable]:
    """The API tables of a page built on a Spec: its one grid, per ?data=&skala=&periode=."""

    def build(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[str, pd.DataFrame, dict]:
        dataset = api_tables.pick(args, "data", spec.datasets)
        grain = api_tables.pick(args, "skala", [g for g in spec.grains if g in he.grains(dataset)])
        periode = api_tables.pick(
            args, "periode", he.periods_in(period_table(snapshot), dataset, grain)
        )
        stem, frame = download_table(snapshot, w, dataset, periode, grain)
        return stem, frame, {"data": dataset, "skala": grain, "periode": periode}

    return {"desa": api_tables.PageTable(("data", "skala", "periode"), build)}
