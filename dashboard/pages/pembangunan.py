"""Pembangunan ("/pembangunan"): village development projects for one year: budget by
funding source, progress, and the list of projects."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from aggregates import finance
from aggregates import rollup_finance as rf
from aggregates.tables import whole_numbers, with_kecamatan_code
from dashboard import api_tables
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, filter_bar
from dashboard.freshness import note as freshness_line
from dashboard.regions import Wilayah, display_name
from dashboard.scaffold.finance import (
    FinancePage,
    card_row,
    finance_layout,
    grid_section,
    missing_alert,
    pembangunan_villages_of,
    pembangunan_years,
    projects_of,
    region_figure,
    register_finance_callbacks,
    rupiah,
    table_freshness,
    with_behind,
    year_column,
)
from dashboard.view_cache import cached_view
from i18n.catalogue import t
from i18n.format import format_number, format_percent
from layouts import finance_figures as ff
from layouts.figures import empty_figure
from layouts.panels import graph_panel, graph_row

log = logging.getLogger(__name__)

FILTER = FilterIds("pbg")
PATH = "/pembangunan"
ORDER = 3
NAME_KEY = "pbg.nav"

ID_KECAMATAN = FILTER.kecamatan
ID_DESA = FILTER.desa
ID_TAHUN = "pbg-tahun"
ID_JUDUL = "pbg-judul"
ID_PESAN = "pbg-pesan"
ID_KARTU = "pbg-kartu"
ID_SUMBER = "pbg-sumber-dana"
ID_PROGRES = "pbg-progres"
ID_WILAYAH = "pbg-per-wilayah"  # budget per kecamatan or village: click to drill down
ID_TABEL_JUDUL = "pbg-tabel-judul"
ID_GRID = "pbg-grid"
ID_UNDUH = "pbg-unduh"
ID_DOWNLOAD = "pbg-download"

GRID_COLUMNS = list(finance.PROJECT_COLUMNS)
NUMBER_COLUMNS = ["anggaran", "progres"]


def layout(wilayah: str | None = None, tahun: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>&tahun=<yyyy>`."""
    return finance_layout(PAGE, wilayah, tahun)


def blank_view(lang: str) -> dict:
    failed = empty_figure(t("galat.teks", lang))
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "kartu": [],
        "sumber": failed,
        "progres": failed,
        "wilayah": failed,
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=GRID_COLUMNS),
    }


def _page(
    snapshot: Snapshot | None,
    w: Wilayah,
    view: dict,
    notices: list,
    lang: str,
    *,
    years: list[str],
    year: str,
) -> html.Div:
    grid = ff.finance_grid(
        ID_GRID,
        view["tabel"],
        GRID_COLUMNS,
        {c: t(f"pbg.kolom.{c}", lang) for c in GRID_COLUMNS},
        numbers=NUMBER_COLUMNS,
        lang=lang,
        row_id="params.data.kode_desa + '/' + params.data.tahun + '/' + params.data.kode",
    )
    return html.Div(
        [
            html.H1(view["judul"], id=ID_JUDUL, className="h3 mb-3"),
            filter_bar(
                FILTER,
                snapshot,
                w,
                lang,
                extra=[year_column(ID_TAHUN, years, year, lang)],
                extra_values={"tahun": years or [""]},
            ),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            dbc.Row(view["kartu"], id=ID_KARTU, className="g-3 mb-3"),
            graph_row([(ID_SUMBER, view["sumber"], 6), (ID_PROGRES, view["progres"], 6)]),
            graph_panel(ID_WILAYAH, view["wilayah"], class_name="panel mt-3"),
            grid_section(
                ID_TABEL_JUDUL,
                view["tabel_judul"],
                ID_UNDUH,
                ID_DOWNLOAD,
                t("pbg.keterangan_tabel", lang),
                grid,
                lang,
                api_tables.links("pembangunan", "kegiatan", w, lang, grid=ID_GRID, tahun=year),
            ),
        ]
    )


def tables(snapshot: Snapshot, kode: str | None, tahun: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects, per-village summary) for a region and year (the rollup's slices), cached
    per snapshot."""
    return projects_of(snapshot, tahun, kode), pembangunan_villages_of(snapshot, tahun, kode)


@cached_view("pembangunan")
def render(snapshot: Snapshot, w: Wilayah, tahun: str, lang: str) -> dict:
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    year_text = tahun or t("keu.tanpa_tahun", lang)
    items, per_desa = tables(snapshot, w.kode, tahun)
    freshness = table_freshness(snapshot, w.kode, "pembangunan", per_desa, [tahun])
    fresh = freshness_line(freshness, lang)
    pesan = missing_alert(snapshot, per_desa, year_text, lang, "pbg.belum_melapor", "pembangunan")
    message = t("pbg.kosong", lang, tahun=year_text, wilayah=name)
    if items.empty:
        full = " ".join([message, *([pesan.children] if pesan is not None else [])])
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), full], color="info")
        message = full
    else:
        pesan = with_behind(snapshot, pesan, freshness, "pembangunan", lang)
    kartu = (
        []
        if items.empty
        else card_row(
            [
                (t("pbg.kartu.jumlah_kegiatan", lang), format_number(len(items), lang)),
                (t("pbg.kartu.anggaran", lang), rupiah(items["anggaran"].sum(), lang)),
                (
                    t("pbg.kartu.rata_progres", lang),
                    format_percent(items["progres"].mean(), lang, 1),
                ),
                (
                    t("pbg.kartu.kegiatan_selesai", lang),
                    format_number(int((items["progres"] >= 100).sum()), lang),
                ),
            ]
        )
    )
    return {
        "judul": t("pbg.judul", lang, wilayah=name, tahun=year_text),
        "pesan": pesan,
        "kartu": kartu,
        "sumber": ff.funding_source_bars(
            finance.by_funding_source(items),
            title=t("pbg.sumber_dana", lang, wilayah=name),
            note=fresh,
            axis_title=t("keu.sumbu_rupiah", lang),
            empty_message=message,
            lang=lang,
        ),
        "progres": ff.progress_bars(
            finance.progress_distribution(items),
            title=t("pbg.progres", lang, wilayah=name),
            note=fresh,
            axis_title=t("pbg.sumbu_kegiatan", lang),
            empty_message=message,
            lang=lang,
        ),
        "wilayah": region_figure(
            snapshot,
            w,
            lambda kode: tables(snapshot, kode, tahun)[1],
            "anggaran",
            "pbg.per_",
            t("keu.sumbu_rupiah", lang),
            fresh,
            message,
            lang,
            prefix="Rp ",
            dataset="pembangunan",
            periods=[tahun],
            bars_key=lambda tingkat: rf.pembangunan_regions_key(tingkat, tahun),
        ),
        "tabel_judul": t("pbg.tabel", lang, wilayah=name, tahun=year_text),
        "tabel": items,
    }


def table_for(snapshot: Snapshot, w: Wilayah, tahun: str) -> tuple[str, pd.DataFrame]:
    """The grid's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/pembangunan/kegiatan share it)."""
    items, _ = tables(snapshot, w.kode, tahun)
    # rupiah are whole numbers: "65000000", not "65000000.0"; progres is a percentage
    frame = with_kecamatan_code(whole_numbers(items[GRID_COLUMNS], ["anggaran"]))
    return f"pembangunan_{tahun}_{w.kode or 'semua'}", frame


def _api_kegiatan(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[str, pd.DataFrame, dict]:
    year = api_tables.pick(args, "tahun", pembangunan_years(snapshot))
    return (*table_for(snapshot, w, year), {"tahun": year})


TABLES = {"kegiatan": api_tables.PageTable(("tahun",), _api_kegiatan)}


PAGE = FinancePage(
    module=__name__,
    filter=FILTER,
    render=render,
    page=_page,
    blank_view=blank_view,
    table_for=table_for,
    grid_columns=tuple(GRID_COLUMNS),
    figures=((ID_SUMBER, "sumber"), (ID_PROGRES, "progres"), (ID_WILAYAH, "wilayah")),
    drill=(ID_WILAYAH,),
    years=pembangunan_years,
)


def register_callbacks(app: dash.Dash) -> None:
    register_finance_callbacks(app, PAGE)
