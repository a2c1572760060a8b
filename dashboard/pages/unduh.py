"""Unduh Data ("/unduh"): pick a table (a population statistic, the population totals, the
village reporting status, or a measurement dataset), its level, region and period; preview it
and download exactly the CSV that /api/v1 serves for the same choice."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from aggregates.population import TINGKAT
from aggregates.tables import ALL_PERIODS
from config.datasets import BY_NAME as DATASETS_BY_NAME
from config.datasets import DATASETS
from config.statistik import PULLED_SLUGS
from dashboard import api_resources
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, dropdown_labels, filter_bar, register_filter_callbacks
from dashboard.guard import failure_alert, guarded
from dashboard.regions import (
    NO_WILAYAH,
    Wilayah,
    region_notices,
    resolve_wilayah,
    top_of,
    wilayah_from_filters,
)
from i18n.catalogue import statistic_title, t
from layouts.panels import csv_download, panel_section
from layouts.tables import grid, number_formatter, shown_csv_link

log = logging.getLogger(__name__)

FILTER = FilterIds("unduh")
PATH = "/unduh"
ORDER = 5
NAME_KEY = "unduh.nav"

ID_URL = FILTER.url  # "unduh-url"
ID_KECAMATAN = FILTER.kecamatan  # "unduh-kecamatan"
ID_DESA = FILTER.desa  # "unduh-desa"
ID_WILAYAH_DATA = FILTER.data  # "unduh-wilayah-data"
ID_DATA = "unduh-data"  # the table: an API resource path, e.g. "statistik/agama"
ID_TINGKAT = "unduh-tingkat"
ID_PERIODE = "unduh-periode"
ID_PESAN = "unduh-pesan"
ID_TABEL_JUDUL = "unduh-tabel-judul"
ID_JUMLAH = "unduh-jumlah"
ID_LINK_CSV = "unduh-link-csv"
ID_LINK_XLSX = "unduh-link-xlsx"  # issue 13: the same table as a workbook
ID_LINK_JSON = "unduh-link-json"
ID_GRID = "unduh-grid"
ID_UNDUH = "unduh-tombol"
ID_DOWNLOAD = "unduh-download"

PREVIEW_ROWS = 200
DEFAULT_DATA = "statistik/agama"
DATA_CHOICES = [
    DEFAULT_DATA,
    *(f"statistik/{s}" for s in PULLED_SLUGS if f"statistik/{s}" != DEFAULT_DATA),
    "penduduk",
    "desa",
    *(f"dataset/{d.name}" for d in DATASETS),
]
# the provinsi level is offered only when the registry spans one (issue 12)
LEVELS = tuple(x for x in TINGKAT if x != "provinsi")
TINGKAT_CHOICES = [
    api_resources.DEFAULT_TINGKAT,
    *(x for x in LEVELS if x != api_resources.DEFAULT_TINGKAT),
]


def levels_of(snapshot: Snapshot | None) -> tuple[str, ...]:
    return TINGKAT if snapshot is not None and top_of(snapshot)[2] == "provinsi" else LEVELS


WITH_TINGKAT = ("statistik", "penduduk")


def _first(raw: object) -> str | None:
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    return str(raw) if raw else None


def data_label(choice: str, lang: str) -> str:
    kind, _, name = choice.partition("/")
    if kind == "statistik":
        return t("unduh.pilihan.statistik", lang, judul=statistic_title(name, lang))
    if kind == "dataset":
        ds = DATASETS_BY_NAME[name]
        return t("unduh.pilihan.dataset", lang, judul=ds.judul if lang == "id" else ds.title)
    return t(f"unduh.pilihan.{kind}", lang)


def all_periods(snapshot: Snapshot | None) -> list[str]:
    """Every period any dataset has in the warehouse (the URL may name any of them)."""
    if snapshot is None:
        return []
    found: set[str] = set()
    for ds in DATASETS:
        found.update(api_resources.dataset_periods(snapshot, ds.name))
    return sorted(found, reverse=True)


def period_options(snapshot: Snapshot | None, choice: str, lang: str) -> list[dict]:
    kind, _, name = choice.partition("/")
    known = api_resources.dataset_periods(snapshot, name) if snapshot and kind == "dataset" else []
    return [{"label": t("unduh.semua_periode", lang), "value": ALL_PERIODS}] + [
        {"label": p, "value": p} for p in known
    ]


def request_of(
    w: Wilayah, choice: str | None, tingkat: str | None, periode: str | None
) -> tuple[str, dict[str, str | None], str | None]:
    """The API resource and query for a choice on the page, and the level asked for when it
    had to be made finer (a kabupaten row of one kecamatan's villages would mislead)."""
    choice = choice if choice in DATA_CHOICES else DEFAULT_DATA
    kind = choice.partition("/")[0]
    kab = w.kabupaten
    params: dict[str, str | None] = {"wilayah": w.kode if w.kode and w.kode != kab else None}
    adjusted = None
    if kind in WITH_TINGKAT:
        level = tingkat if tingkat in TINGKAT else api_resources.DEFAULT_TINGKAT
        if api_resources.LEVEL_RANK[level] < api_resources.LEVEL_RANK[w.tingkat]:
            adjusted, level = level, w.tingkat
        params["tingkat"] = level
    if kind == "dataset" and periode and periode != ALL_PERIODS:
        params["periode"] = periode
    return choice, params, adjusted


def query_of(params: dict[str, str | None]) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


def column_defs(columns: list[str], lang: str) -> list[dict]:
    """Headers are the CSV's column names (what an analyst will script against); the tooltip
    says what they mean, from the data dictionary."""
    defs = []
    for col in columns:
        d: dict = {"field": col, "headerName": col}
        kind = next((k for k, cols in api_resources.TABLE_COLUMNS.items() if col in cols), None)
        if kind:
            d["headerTooltip"] = api_resources.column_description(kind, col, lang)
        if col in api_resources.INTEGER_COLUMNS:
            d.update(
                type="rightAligned",
                filter="agNumberColumnFilter",
                valueFormatter=number_formatter(lang),
                cellClass=["ag-right-aligned-cell", "angka"],
            )
        elif col == "nilai":
            d.update(type="rightAligned", filter="agNumberColumnFilter")
        else:
            d.update(filter="agTextColumnFilter", tooltipField=col)
        defs.append(d)
    return defs


def render(snapshot: Snapshot, w: Wilayah, data: str | None, tingkat: str | None,
           periode: str | None, lang: str) -> dict:  # fmt: skip
    """The parts that follow the choice (layout and callback share it)."""
    choice, params, adjusted = request_of(w, data, tingkat, periode)
    pesan = None
    if adjusted:
        pesan = dbc.Alert(
            t("unduh.tingkat_disesuaikan", lang, tingkat=adjusted, dipakai=params["tingkat"]),
            color="light",
            className="py-2",
        )
    try:
        ans = api_resources.answer(choice, query_of(params))
        table = ans.table
    except api_resources.ApiError as exc:
        pesan = dbc.Alert(t("unduh.galat_pilihan", lang, pesan=exc.message), color="warning")
        table = pd.DataFrame()
    kind = choice.partition("/")[0]
    return {
        "choice": choice,
        "judul": data_label(choice, lang),
        "pesan": pesan,
        "jumlah": t("unduh.jumlah_baris", lang, n=len(table), tampil=min(len(table), PREVIEW_ROWS)),
        "columns": column_defs(list(table.columns), lang),
        "rows": table.head(PREVIEW_ROWS).to_dict("records"),
        "csv": api_resources.api_url(choice, params, "csv"),
        "xlsx": api_resources.api_url(choice, params, "xlsx"),
        "json": api_resources.api_url(choice, params, "json"),
        "tingkat": params.get("tingkat") or api_resources.DEFAULT_TINGKAT,
        "tingkat_disabled": kind not in WITH_TINGKAT,
        "periode_options": period_options(snapshot, choice, lang),
        "periode_disabled": kind != "dataset",
    }


def layout(
    wilayah: str | None = None,
    data: str | None = None,
    tingkat: str | None = None,
    periode: str | None = None,
    **_query: Any,
) -> html.Div:
    """The page for `?data=<resource>&tingkat=&wilayah=&periode=`."""
    lang = language()
    return guarded(
        __name__,
        lambda: _layout(wilayah, _first(data), _first(tingkat), _first(periode), lang),
        lambda: _page(None, NO_WILAYAH, None, [failure_alert(lang)], lang),
    )


def _layout(
    wilayah: str | None, data: str | None, tingkat: str | None, periode: str | None, lang: str
) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, wilayah)
    notices = region_notices(w, unknown, lang)
    view = render(snapshot, w, data, tingkat, periode, lang)
    view["periode"] = periode if periode in all_periods(snapshot) else ALL_PERIODS
    return _page(snapshot, w, view, notices, lang)


def _blank(lang: str) -> dict:
    return {
        "choice": DEFAULT_DATA,
        "judul": data_label(DEFAULT_DATA, lang),
        "pesan": None,
        "jumlah": "",
        "columns": [],
        "rows": [],
        "csv": api_resources.api_url(DEFAULT_DATA, {}, "csv"),
        "xlsx": api_resources.api_url(DEFAULT_DATA, {}, "xlsx"),
        "json": api_resources.api_url(DEFAULT_DATA, {}, "json"),
        "tingkat": api_resources.DEFAULT_TINGKAT,
        "tingkat_disabled": False,
        "periode_options": period_options(None, DEFAULT_DATA, lang),
        "periode_disabled": True,
        "periode": ALL_PERIODS,
    }


def _page(
    snapshot: Snapshot | None, w: Wilayah, view: dict | None, notices: list, lang: str
) -> html.Div:
    view = view or _blank(lang)
    labels = dropdown_labels(lang)
    choices = [
        dbc.Col(
            [
                html.Label(t("unduh.data", lang), htmlFor=ID_DATA),
                dcc.Dropdown(
                    id=ID_DATA,
                    options=[{"label": data_label(c, lang), "value": c} for c in DATA_CHOICES],
                    value=view["choice"],
                    clearable=False,
                    labels=labels,
                ),
            ],
            md=4,
        ),
        dbc.Col(
            [
                html.Label(t("unduh.tingkat", lang), htmlFor=ID_TINGKAT),
                dcc.Dropdown(
                    id=ID_TINGKAT,
                    options=[
                        {"label": t(f"tingkat.{x}", lang), "value": x} for x in levels_of(snapshot)
                    ],
                    value=view["tingkat"],
                    clearable=False,
                    searchable=False,
                    disabled=view["tingkat_disabled"],
                    labels=labels,
                ),
            ],
            md=4,
        ),
        dbc.Col(
            [
                html.Label(t("unduh.periode", lang), htmlFor=ID_PERIODE),
                dcc.Dropdown(
                    id=ID_PERIODE,
                    options=view["periode_options"],
                    value=view["periode"],
                    clearable=False,
                    disabled=view["periode_disabled"],
                    labels=labels,
                ),
            ],
            md=4,
        ),
    ]
    extra_values = {
        "data": DATA_CHOICES,
        "tingkat": [
            api_resources.DEFAULT_TINGKAT,
            *(x for x in levels_of(snapshot) if x != api_resources.DEFAULT_TINGKAT),
        ],
        "periode": [ALL_PERIODS, *all_periods(snapshot)],
    }
    return html.Div(
        [
            html.H1(t("unduh.judul", lang), className="h3 mb-2"),
            html.P(
                [
                    t("unduh.pengantar", lang),
                    " ",
                    dcc.Link(t("kamus.judul", lang), href="/kamus"),
                    ".",
                ]
            ),
            filter_bar(FILTER, snapshot, w, lang, extra=choices, extra_values=extra_values),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            panel_section(
                view["judul"],
                html.P(
                    [
                        t("unduh.tautan", lang),
                        " ",
                        html.A(
                            "CSV",
                            id=ID_LINK_CSV,
                            href=view["csv"],
                            rel="alternate",
                        ),
                        " · ",
                        html.A(
                            "Excel",
                            id=ID_LINK_XLSX,
                            href=view["xlsx"],
                            rel="alternate",
                        ),
                        " · ",
                        html.A(
                            "JSON",
                            id=ID_LINK_JSON,
                            href=view["json"],
                            rel="alternate",
                        ),
                        " · ",
                        shown_csv_link(ID_GRID, "unduh_tampil", lang),
                    ],  # fmt: skip
                    className="panel-note",
                ),
                grid(
                    ID_GRID,
                    view["rows"],
                    view["columns"],
                    lang=lang,
                    height=480,
                    options={"tooltipShowDelay": 300},
                    default_col={"minWidth": 110},
                    column_size=None,
                ),
                title_id=ID_TABEL_JUDUL,
                tools=csv_download(ID_UNDUH, ID_DOWNLOAD, lang, outline=False),
                note=html.P(view["jumlah"], id=ID_JUMLAH, className="panel-note"),
            ),
        ]
    )


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER, extra=["data", "tingkat", "periode"])

    @app.callback(
        Output(ID_TABEL_JUDUL, "children"),
        Output(ID_PESAN, "children"),
        Output(ID_JUMLAH, "children"),
        Output(ID_GRID, "columnDefs"),
        Output(ID_GRID, "rowData"),
        Output(ID_LINK_CSV, "href"),
        Output(ID_LINK_XLSX, "href"),
        Output(ID_LINK_JSON, "href"),
        Output(ID_TINGKAT, "disabled"),
        Output(ID_PERIODE, "options"),
        Output(ID_PERIODE, "disabled"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        Input(ID_DATA, "value"),
        Input(ID_TINGKAT, "value"),
        Input(ID_PERIODE, "value"),
        prevent_initial_call=True,  # the layout rendered the view of the URL already
    )
    def update(kecamatan, desa, data, tingkat, periode):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            v = render(snapshot, w, data, tingkat, periode, lang)
        except Exception:
            log.exception("unduh: update failed for %s, %s", desa or kecamatan, data)
            skip = [no_update] * 9
            return no_update, failure_alert(lang), *skip
        return (
            v["judul"],
            v["pesan"],
            v["jumlah"],
            v["columns"],
            v["rows"],
            v["csv"],
            v["xlsx"],
            v["json"],
            v["tingkat_disabled"],
            v["periode_options"],
            v["periode_disabled"],
        )

    @app.callback(
        Output(ID_DOWNLOAD, "data"),
        Input(ID_UNDUH, "n_clicks"),
        State(ID_KECAMATAN, "value"),
        State(ID_DESA, "value"),
        State(ID_DATA, "value"),
        State(ID_TINGKAT, "value"),
        State(ID_PERIODE, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks, kecamatan, desa, data, tingkat, periode):
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        choice, params, _ = request_of(w, data, tingkat, periode)
        try:
            ans = api_resources.answer(choice, query_of(params))
        except api_resources.ApiError:
            log.warning("unduh: no download for %s %s", choice, params)
            return no_update
        return dcc.send_string(api_resources.csv_text(ans), f"{ans.name}.csv")
