"""Keuangan Desa ("/keuangan"): APBDes budgets and realisation per village for one year,
absorption ranking, and the table behind them. Also the helpers the other finance pages
(pembangunan, bantuan, desa) share: measurements per snapshot, freshness, drill-down."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from aggregates import finance
from aggregates import rollup_finance as rf
from aggregates.tables import with_kecamatan_code
from dashboard import api_tables
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, filter_bar
from dashboard.freshness import note as freshness_line
from dashboard.regions import (
    Wilayah,
    child_level,
    display_name,
    resolve_wilayah,
)
from dashboard.scaffold.finance import (
    FinancePage,
    apbdes_lines_of,
    apbdes_villages_of,
    apbdes_years,
    card_row,
    finance_layout,
    grid_section,
    missing_alert,
    register_finance_callbacks,
    rupiah,
    table_freshness,
    with_behind,
    year_column,
)
from dashboard.view_cache import cached_rolled, cached_view
from i18n.catalogue import t
from i18n.format import format_percent
from layouts import finance_figures as ff
from layouts.figures import empty_figure
from layouts.panels import graph_row

log = logging.getLogger(__name__)

FILTER = FilterIds("keu")
PATH = "/keuangan"
ORDER = 2
NAME_KEY = "keu.nav"

ID_URL = FILTER.url  # "keu-url"
ID_KECAMATAN = FILTER.kecamatan  # "keu-kecamatan"
ID_DESA = FILTER.desa  # "keu-desa"
ID_TAHUN = "keu-tahun"
ID_JUDUL = "keu-judul"
ID_PESAN = "keu-pesan"
ID_KARTU = "keu-kartu"
ID_GRAFIK = "keu-grafik"
ID_PERINGKAT = "keu-peringkat"
ID_TABEL_JUDUL = "keu-tabel-judul"
ID_GRID = "keu-grid"
ID_UNDUH = "keu-unduh"
ID_DOWNLOAD = "keu-download"

# the village table of finance.apbdes_villages, without the financing (pembiayaan) columns
GRID_COLUMNS = [c for c in finance.APBDES_COLUMNS if "pembiayaan" not in c]
NUMBER_COLUMNS = GRID_COLUMNS[3:]
# the CSV: the year, and the kecamatan's code beside its name (aggregates.tables)
CSV_COLUMNS = ["tahun", *GRID_COLUMNS[:2], "kode_kecamatan", *GRID_COLUMNS[2:]]
CARDS = (
    "anggaran_pendapatan",
    "anggaran_belanja",
    "realisasi_belanja",
    "serapan_belanja",
    "dana_desa",
    "alokasi_dana_desa",
)
RANKING_CUT = 15  # more villages than 2 × this: show the top and bottom ones only


# -- this page -----------------------------------------------------------------------------
def layout(wilayah: str | None = None, tahun: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>&tahun=<yyyy>` (defaults: kabupaten, the newest year)."""
    return finance_layout(PAGE, wilayah, tahun)


def blank_view(lang: str) -> dict:
    failed = empty_figure(t("galat.teks", lang))
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "kartu": [],
        "grafik": failed,
        "peringkat": failed,
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=GRID_COLUMNS),
    }


def headers(lang: str) -> dict[str, str]:
    return {c: t(f"keu.kolom.{c}", lang) for c in GRID_COLUMNS}


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
            graph_row([(ID_GRAFIK, view["grafik"], 6), (ID_PERINGKAT, view["peringkat"], 6)]),
            grid_section(
                ID_TABEL_JUDUL,
                view["tabel_judul"],
                ID_UNDUH,
                ID_DOWNLOAD,
                t("keu.keterangan_tabel", lang),
                ff.finance_grid(
                    ID_GRID,
                    view["tabel"],
                    GRID_COLUMNS,
                    headers(lang),
                    numbers=NUMBER_COLUMNS,
                    decimals={"serapan_belanja": 1},
                    lang=lang,
                    row_id="params.data.kode_desa",
                ),
                lang,
                api_tables.links("keuangan", "apbdes", w, lang, grid=ID_GRID, tahun=year),
            ),
        ]
    )


def village_table(snapshot: Snapshot, kode: str | None, tahun: str) -> pd.DataFrame:
    """`finance.apbdes_villages` for a region and year (the rollup's slice), cached per
    snapshot."""
    return apbdes_villages_of(snapshot, tahun, kode)


@cached_view("keuangan")
def render(snapshot: Snapshot, w: Wilayah, tahun: str, lang: str) -> dict:
    """The parts that follow the region and the year (layout and callback share it)."""
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    year_text = tahun or t("keu.tanpa_tahun", lang)
    table = village_table(snapshot, w.kode, tahun)
    totals = finance.apbdes_totals(table)
    reported = totals["desa_melapor"]
    freshness = table_freshness(snapshot, w.kode, "apbdes", table, [tahun])
    fresh = freshness_line(freshness, lang)
    legend = {"anggaran": t("keu.anggaran", lang), "realisasi": t("keu.realisasi", lang)}
    if reported == 0:
        if w.jenis == "kelurahan":
            message = t("keu.kelurahan_ini", lang, wilayah=name)
        else:
            message = t("keu.kosong", lang, tahun=year_text, wilayah=name)
            alert = missing_alert(snapshot, table, year_text, lang, "keu.belum_melapor", "apbdes")
            message = " ".join([message, *([alert.children] if alert is not None else [])])
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), message], color="info")
        grafik = peringkat = empty_figure(message)
        kartu: list = []
    else:
        pesan = missing_alert(snapshot, table, year_text, lang, "keu.belum_melapor", "apbdes")
        pesan = with_behind(snapshot, pesan, freshness, "apbdes", lang)
        grafik = budget_figure(snapshot, w, tahun, table, name, fresh, legend, lang)
        peringkat = ranking_figure(snapshot, w, tahun, name, fresh, lang)
        kartu = card_row(
            [
                (
                    t(f"keu.kartu.{c}", lang),
                    format_percent(totals[c], lang, 1)
                    if c == "serapan_belanja"
                    else rupiah(totals[c], lang),
                )
                for c in CARDS
            ]
        )
    return {
        "judul": t("keu.judul", lang, wilayah=name, tahun=year_text),
        "pesan": pesan,
        "kartu": kartu,
        "grafik": grafik,
        "peringkat": peringkat,
        "tabel_judul": t("keu.tabel", lang, wilayah=name, tahun=year_text),
        "tabel": table,
        "totals": totals,
    }


def budget_figure(
    snapshot: Snapshot,
    w: Wilayah,
    tahun: str,
    table: pd.DataFrame,
    name: str,
    fresh: str,
    legend: dict,
    lang: str,
):
    """Kabupaten: per kecamatan; kecamatan: per village; desa: per account group."""
    common = dict(
        note=fresh,
        names=legend,
        axis_title=t("keu.sumbu_rupiah", lang),
        empty_message=t("keu.kosong", lang, tahun=tahun, wilayah=name),
    )
    if w.tingkat == "desa":
        lines = apbdes_lines_of(snapshot, tahun, w.kode)
        groups = finance.group_table(lines)
        return ff.budget_bars(
            groups,
            label_col="label",
            key_col="kode",
            title=t("keu.grafik_akun", lang, wilayah=name),
            **common,
            lang=lang,
        )
    if w.tingkat in ("kabupaten", "provinsi"):  # a provinsi: per kabupaten (issue 12)
        level = child_level(w.tingkat)
        rows = cached_rolled(
            snapshot,
            rf.apbdes_regions_key(level, tahun),
            w.kode,
            lambda: finance.rollup_apbdes(table, snapshot.regions, level),
        )
        rows = rows.rename(columns={"kode_wilayah": "kode", "nama_wilayah": "nama"})
    else:
        rows = table[table["melapor"]].rename(columns={"kode_desa": "kode", "nama_desa": "nama"})
    rows = rows.rename(columns={"anggaran_belanja": "anggaran", "realisasi_belanja": "realisasi"})
    return ff.budget_bars(
        rows,
        label_col="nama",
        key_col="kode",
        title=t("keu.grafik", lang, wilayah=name),
        **common,
        lang=lang,
    )


def ranking_figure(snapshot: Snapshot, w: Wilayah, tahun: str, name: str, fresh: str, lang: str):
    """Villages by absorption; a village is shown among those of its kecamatan."""
    scope = w.kecamatan if w.tingkat == "desa" else w.kode
    if w.tingkat == "desa":
        kec = resolve_wilayah(snapshot, scope)[0]
        name = display_name(kec, lang)
        # the ranking shows the kecamatan's villages: its line is the kecamatan's
        scoped = village_table(snapshot, scope, tahun)
        fresh = freshness_line(table_freshness(snapshot, scope, "apbdes", scoped, [tahun]), lang)
    ranked = finance.absorption_ranking(village_table(snapshot, scope, tahun))
    title = t("keu.peringkat", lang, wilayah=name)
    if len(ranked) > 2 * RANKING_CUT:
        ranked = pd.concat([ranked.head(RANKING_CUT), ranked.tail(RANKING_CUT)])
        title = t("keu.peringkat_potong", lang, wilayah=name, n=RANKING_CUT)
    return ff.absorption_ranking(
        ranked,
        title=title,
        note=fresh,
        axis_title=t("keu.sumbu_serapan", lang),
        empty_message=t("keu.kosong", lang, tahun=tahun, wilayah=name),
        highlight=w.desa,
        lang=lang,
    )


def csv_frame(table: pd.DataFrame, tahun: str) -> pd.DataFrame:
    """The grid's rows with stable column names and plain numbers."""
    out = table.reindex(columns=GRID_COLUMNS).copy()
    money = [c for c in NUMBER_COLUMNS if c not in ("serapan_belanja", "peringkat")]
    # rupiah are whole numbers: "1369171000", not "1369171000.0"
    out[money] = out[money].round().astype("Int64")
    out["serapan_belanja"] = out["serapan_belanja"].round(4)
    out.insert(0, "tahun", tahun)
    return with_kecamatan_code(out)[CSV_COLUMNS]


def table_for(snapshot: Snapshot, w: Wilayah, tahun: str) -> tuple[str, pd.DataFrame]:
    """The grid's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/keuangan/apbdes share it)."""
    return f"apbdes_{tahun}_{w.kode or 'semua'}", csv_frame(
        village_table(snapshot, w.kode, tahun), tahun
    )


def _api_apbdes(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[str, pd.DataFrame, dict]:
    year = api_tables.pick(args, "tahun", apbdes_years(snapshot))
    return (*table_for(snapshot, w, year), {"tahun": year})


TABLES = {"apbdes": api_tables.PageTable(("tahun",), _api_apbdes)}


PAGE = FinancePage(
    module=__name__,
    filter=FILTER,
    render=render,
    page=_page,
    blank_view=blank_view,
    table_for=table_for,
    grid_columns=tuple(GRID_COLUMNS),
    figures=((ID_GRAFIK, "grafik"), (ID_PERINGKAT, "peringkat")),
    drill=(ID_GRAFIK, ID_PERINGKAT),
    years=apbdes_years,
)


def register_callbacks(app: dash.Dash) -> None:
    register_finance_callbacks(app, PAGE)
