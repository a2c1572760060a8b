"""Program Bantuan ("/bantuan"): social aid programmes, recipients per programme and per
village, and the table behind them."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from aggregates import finance
from dashboard import api
from dashboard.app import (
    FilterIds,
    Wilayah,
    cached,
    cached_view,
    display_name,
    filter_bar,
)
from dashboard.data import Snapshot
from dashboard.i18n import t
from dashboard.pages.keuangan import (
    FinancePage,
    card_row,
    finance_layout,
    grid_section,
    measurements,
    missing_alert,
    note,
    region_figure,
    register_finance_callbacks,
)
from layouts import finance_figures as ff
from layouts.figures import empty_figure
from layouts.format import format_number
from layouts.panels import graph_row

log = logging.getLogger(__name__)

FILTER = FilterIds("bnt")
PATH = "/bantuan"
ORDER = 4
NAME_KEY = "bnt.nav"

ID_KECAMATAN = FILTER.kecamatan
ID_DESA = FILTER.desa
ID_JUDUL = "bnt-judul"
ID_PESAN = "bnt-pesan"
ID_KARTU = "bnt-kartu"
ID_GRAFIK = "bnt-grafik"
ID_WILAYAH = "bnt-per-wilayah"  # recipients per kecamatan or village: click to drill down
ID_TABEL_JUDUL = "bnt-tabel-judul"
ID_GRID = "bnt-grid"
ID_UNDUH = "bnt-unduh"
ID_DOWNLOAD = "bnt-download"

GRID_COLUMNS = list(finance.BANTUAN_COLUMNS)
NUMBER_COLUMNS = ["sasaran", "peserta"]


def layout(wilayah: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>`."""
    return finance_layout(PAGE, wilayah, None)


def blank_view(lang: str) -> dict:
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "kartu": [],
        "grafik": empty_figure(t("galat.teks", lang)),
        "wilayah": empty_figure(t("galat.teks", lang)),
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=GRID_COLUMNS),
    }


def _page(
    snapshot: Snapshot | None, w: Wilayah, view: dict, notices: list, lang: str, **_years: Any
) -> html.Div:
    """The page (no year filter: `years` and `year` are not used)."""
    grid = ff.finance_grid(
        ID_GRID,
        view["tabel"],
        GRID_COLUMNS,
        {c: t(f"bnt.kolom.{c}", lang) for c in GRID_COLUMNS},
        numbers=NUMBER_COLUMNS,
        lang=lang,
        row_id="params.data.kode_desa + '/' + params.data.kode",
    )
    return html.Div(
        [
            html.H1(view["judul"], id=ID_JUDUL, className="h3 mb-3"),
            filter_bar(FILTER, snapshot, w, lang),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            dbc.Row(view["kartu"], id=ID_KARTU, className="g-3 mb-3"),
            graph_row([(ID_GRAFIK, view["grafik"], 6), (ID_WILAYAH, view["wilayah"], 6)]),
            grid_section(
                ID_TABEL_JUDUL,
                view["tabel_judul"],
                ID_UNDUH,
                ID_DOWNLOAD,
                t("bnt.keterangan_tabel", lang),
                grid,
                lang,
                api.links("bantuan", "penerima", w, lang, grid=ID_GRID),
            ),
        ]
    )


def tables(snapshot: Snapshot, kode: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(village × programme rows, per-village summary), cached per snapshot."""

    def compute() -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = finance.bantuan_rows(measurements(snapshot), snapshot.regions, kode)
        return rows, finance.bantuan_villages(rows, finance.villages(snapshot.regions, kode))

    return cached(snapshot, ("bnt", kode), compute)


@cached_view("bantuan")
def render(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    rows, per_desa = tables(snapshot, w.kode)
    reported, expected = int(per_desa["melapor"].sum()), len(per_desa)
    pesan = missing_alert(snapshot, per_desa, "", lang, "bnt.belum_melapor", "bantuan")
    message = t("bnt.kosong", lang, wilayah=name)
    if rows.empty:
        message = " ".join([message, *([pesan.children] if pesan is not None else [])])
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), message], color="info")
    programs = finance.bantuan_programs(rows)
    kartu = (
        []
        if rows.empty
        else card_row(
            [
                (t("bnt.kartu.program", lang), format_number(len(programs))),
                (t("bnt.kartu.peserta", lang), format_number(rows["peserta"].sum())),
                (t("bnt.kartu.desa", lang), format_number(reported)),
            ]
        )
    )
    return {
        "judul": t("bnt.judul", lang, wilayah=name),
        "pesan": pesan,
        "kartu": kartu,
        "grafik": ff.program_bars(
            programs,
            title=t("bnt.grafik", lang, wilayah=name),
            note=note(snapshot, reported, expected, lang),
            axis_title=t("bnt.sumbu_peserta", lang),
            empty_message=message,
        ),
        "wilayah": region_figure(
            snapshot,
            w,
            lambda kode: tables(snapshot, kode)[1],
            "peserta",
            "bnt.per_",
            t("bnt.sumbu_peserta", lang),
            note(snapshot, reported, expected, lang),
            message,
            lang,
        ),
        "tabel_judul": t("bnt.tabel", lang, wilayah=name),
        "tabel": rows,
    }


def table_for(snapshot: Snapshot, w: Wilayah) -> tuple[str, pd.DataFrame]:
    """The grid's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/bantuan/penerima share it)."""
    rows, _ = tables(snapshot, w.kode)
    return f"bantuan_{w.kode or 'semua'}", rows[GRID_COLUMNS]


def _api_penerima(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    return (*table_for(snapshot, w), {})


TABLES = {"penerima": api.PageTable((), _api_penerima)}


PAGE = FinancePage(
    module=__name__,
    filter=FILTER,
    render=render,
    page=_page,
    blank_view=blank_view,
    table_for=table_for,
    grid_columns=tuple(GRID_COLUMNS),
    figures=((ID_GRAFIK, "grafik"), (ID_WILAYAH, "wilayah")),
    drill=(ID_WILAYAH,),
)


def register_callbacks(app: dash.Dash) -> None:
    register_finance_callbacks(app, PAGE)
