"""Kependudukan ("/kependudukan"): one population statistic by category and sex, a pyramid,
and the table behind them, for the kabupaten, a kecamatan or a desa."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from aggregates.population import EXPORT_COLUMNS, export_frame, pyramid
from config.statistik import POPULATION_SLUGS
from dashboard.app import (
    NO_WILAYAH,
    FilterIds,
    Wilayah,
    cached,
    data_source,
    display_name,
    dropdown_labels,
    empty_message,
    failure_alert,
    filter_bar,
    guarded,
    language,
    register_filter_callbacks,
    reporting,
    resolve_wilayah,
    wilayah_from_filters,
)
from dashboard.data import Snapshot
from dashboard.i18n import statistic_title, t
from layouts.figures import category_bar, empty_figure, population_pyramid
from layouts.tables import data_grid, row_data

FILTER = FilterIds("kpd")
PATH = "/kependudukan"
ORDER = 1
NAME_KEY = "nav.kependudukan"

ID_URL = FILTER.url  # "kpd-url"
ID_KECAMATAN = FILTER.kecamatan  # "kpd-kecamatan"
ID_DESA = FILTER.desa  # "kpd-desa"
ID_WILAYAH_DATA = FILTER.data  # "kpd-wilayah-data": villages per kecamatan, for the browser
ID_STATISTIK = "kpd-statistik"
ID_JUDUL = "kpd-judul"
ID_PESAN = "kpd-pesan"
ID_GRAFIK = "kpd-grafik"
ID_PIRAMIDA = "kpd-piramida"
ID_TABEL_JUDUL = "kpd-tabel-judul"
ID_GRID = "kpd-grid"
ID_UNDUH = "kpd-unduh"
ID_DOWNLOAD = "kpd-download"

log = logging.getLogger(__name__)

DEFAULT_STATISTIK = "agama"
PYRAMID_STATISTIK = "rentang-umur"
STATISTIK_CHOICES = [DEFAULT_STATISTIK, *(s for s in POPULATION_SLUGS if s != DEFAULT_STATISTIK)]
GRID_COLUMNS = ["label", "laki_laki", "perempuan", "jumlah"]
GRAPH_CONFIG = {
    "displaylogo": False,
    "displayModeBar": "hover",
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
}


def layout(wilayah: str | None = None, statistik: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>&statistik=<slug>` (defaults: kabupaten, agama)."""
    lang = language()
    return guarded(
        __name__,
        lambda: _layout(wilayah, statistik, lang),
        lambda: _page(
            None, NO_WILAYAH, DEFAULT_STATISTIK, blank_view(lang), [failure_alert(lang)], lang
        ),
    )


def _layout(wilayah: str | None, statistik: str | None, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, wilayah)
    slug, unknown_slug = resolve_statistik(statistik)
    notices = []
    if unknown is not None:
        text = t("filter.wilayah_tidak_dikenal", lang, kode=unknown, wilayah=w.nama)
        notices.append(dbc.Alert(text, color="warning"))
    if unknown_slug is not None:
        judul = statistic_title(slug, lang)
        text = t("filter.statistik_tidak_dikenal", lang, slug=unknown_slug, judul=judul)
        notices.append(dbc.Alert(text, color="warning"))
    view = render(snapshot, w, slug, lang)
    view["piramida"] = pyramid_figure(snapshot, w, lang)
    return _page(snapshot, w, slug, view, notices, lang)


def blank_view(lang: str) -> dict:
    """The parts of the page with no data at all (the data could not be read)."""
    failed = empty_figure(t("galat.teks", lang))
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "grafik": failed,
        "piramida": failed,
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=GRID_COLUMNS),
    }


def _page(
    snapshot: Snapshot | None, w: Wilayah, slug: str, view: dict, notices: list, lang: str
) -> html.Div:
    statistik_col = dbc.Col(
        [
            html.Label(t("filter.statistik", lang), htmlFor=ID_STATISTIK),
            dcc.Dropdown(
                id=ID_STATISTIK,
                options=[{"label": statistic_title(s, lang), "value": s} for s in POPULATION_SLUGS],
                value=slug,
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
                extra=[statistik_col],
                extra_values={"statistik": STATISTIK_CHOICES},
            ),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            dbc.Row(
                [
                    dbc.Col(
                        html.Div(
                            dcc.Graph(id=ID_GRAFIK, figure=view["grafik"], config=GRAPH_CONFIG),
                            className="panel",
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        html.Div(
                            dcc.Graph(id=ID_PIRAMIDA, figure=view["piramida"], config=GRAPH_CONFIG),
                            className="panel",
                        ),
                        lg=5,
                    ),
                ],
                className="g-3",
            ),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(view["tabel_judul"], id=ID_TABEL_JUDUL, className="me-auto"),
                            dbc.Button(
                                t("unduh_csv", lang),
                                id=ID_UNDUH,
                                color="primary",
                                outline=True,
                                size="sm",
                            ),
                            dcc.Download(id=ID_DOWNLOAD),
                        ],
                        className="d-flex align-items-center gap-2 mb-1",
                    ),
                    html.P(t("kpd.keterangan_tabel", lang), className="panel-note"),
                    data_grid(ID_GRID, view["tabel"], GRID_COLUMNS, lang=lang, height=None),
                ],
                className="panel",
            ),
        ]
    )


def resolve_statistik(raw: object) -> tuple[str, str | None]:
    """A shown statistic's slug; an unknown one gives the default and its text for a notice."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if not raw:
        return DEFAULT_STATISTIK, None
    if raw in POPULATION_SLUGS:
        return str(raw), None
    return DEFAULT_STATISTIK, str(raw)


def statistic_frame(snapshot: Snapshot, w: Wilayah, slug: str) -> pd.DataFrame:
    """The statistic for the region itself, rolled up to its level (one row per category)."""
    if w.kode is None:
        return pd.DataFrame(columns=[*EXPORT_COLUMNS, "urutan", "dari", "sampai"])
    # one rollup per statistic and level serves every region of that level
    level = cached(
        snapshot, ("statistic", slug, w.tingkat), lambda: snapshot.statistic(slug, w.tingkat)
    )
    return level[level["kode_wilayah"] == w.kode].reset_index(drop=True)


def render(snapshot: Snapshot, w: Wilayah, slug: str, lang: str) -> dict:
    """The parts that follow the region and the statistic (layout and callback share it)."""
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    judul = statistic_title(slug, lang)
    table = statistic_frame(snapshot, w, slug)
    reported, expected = reporting(snapshot, w)
    run = snapshot.last_run()
    pesan = None
    if table.empty:
        message = empty_message(snapshot, w, lang, statistik=judul)
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), message], color="info")
        figure = category_bar(table, title=judul, lang=lang, empty_message=message)
    else:
        if reported < expected:
            pesan = dbc.Alert(
                t("kosong.sebagian", lang, belum=expected - reported, m=expected, wilayah=name),
                color="light",
                className="py-2",
            )
        figure = category_bar(
            table,
            title=t("kpd.grafik", lang, statistik=judul, wilayah=name),
            lang=lang,
            as_of=run.get("finished_at"),
            reported=reported,
            expected=expected,
        )
    return {
        "judul": t("kpd.judul", lang, wilayah=name),
        "pesan": pesan,
        "grafik": figure,
        "tabel_judul": t("kpd.tabel", lang, statistik=judul, wilayah=name),
        "tabel": table,
    }


def pyramid_figure(snapshot: Snapshot, w: Wilayah, lang: str) -> go.Figure:
    """The age pyramid (rentang-umur) of the region."""
    if w.kode is None:
        return population_pyramid(pd.DataFrame(), lang=lang, empty_message=t("kosong.judul", lang))
    pyr = cached(snapshot, ("pyramid", w.kode), lambda: pyramid(snapshot.population, w.kode))
    name = display_name(w, lang)
    if pyr.empty:
        judul = statistic_title(PYRAMID_STATISTIK, lang)
        message = empty_message(snapshot, w, lang, statistik=judul)
        return population_pyramid(pyr, lang=lang, empty_message=message)
    reported, expected = reporting(snapshot, w)
    title = t("kpd.piramida", lang, wilayah=name)
    if own := pyr.attrs.get("desa_rentang_sendiri"):
        title = f"{title}<br><sup>{t('kpd.piramida_catatan', lang, n=len(own))}</sup>"
    return population_pyramid(
        pyr,
        lang=lang,
        title=title,
        as_of=snapshot.last_run().get("finished_at"),
        reported=reported,
        expected=expected,
    )


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER, extra=["statistik"])

    @app.callback(
        Output(ID_JUDUL, "children"),
        Output(ID_PESAN, "children"),
        Output(ID_GRAFIK, "figure"),
        Output(ID_TABEL_JUDUL, "children"),
        Output(ID_GRID, "rowData"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        Input(ID_STATISTIK, "value"),
        prevent_initial_call=True,  # the layout rendered the view of the URL already
    )
    def update(kecamatan: str | None, desa: str | None, statistik: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            slug, _ = resolve_statistik(statistik)
            view = render(snapshot, w, slug, lang)
        except Exception:
            log.exception("kependudukan: update failed for %s, %s", desa or kecamatan, statistik)
            failed = empty_figure(t("galat.teks", lang))
            return no_update, failure_alert(lang), failed, no_update, []
        rows = row_data(view["tabel"], GRID_COLUMNS, lang)
        return view["judul"], view["pesan"], view["grafik"], view["tabel_judul"], rows

    # the pyramid does not depend on the statistic: a separate, cached request
    @app.callback(
        Output(ID_PIRAMIDA, "figure"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        prevent_initial_call=True,
    )
    def update_pyramid(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            return pyramid_figure(snapshot, wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("kependudukan: pyramid failed for %s", desa or kecamatan)
            return empty_figure(t("galat.teks", lang))

    @app.callback(
        Output(ID_DOWNLOAD, "data"),
        Input(ID_UNDUH, "n_clicks"),
        State(ID_KECAMATAN, "value"),
        State(ID_DESA, "value"),
        State(ID_STATISTIK, "value"),
        prevent_initial_call=True,
    )
    def download(
        _clicks: int | None, kecamatan: str | None, desa: str | None, statistik: str | None
    ):
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        slug, _ = resolve_statistik(statistik)
        table = statistic_frame(snapshot, w, slug)
        text = export_frame(table).to_csv(index=False, lineterminator="\n")
        filename = f"{slug}_{w.kode or 'semua'}.csv"
        return dcc.send_string(text, filename, type="text/csv")
