"""Program Bantuan ("/bantuan"): social aid programmes, recipients per programme and per
village, and the table behind them."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, html

from aggregates import finance
from aggregates import rollup_finance as rf
from aggregates.tables import with_kecamatan_code
from dashboard import api_tables
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.filter_bar import FilterIds, filter_bar
from dashboard.freshness import note as freshness_line
from dashboard.regions import (
    Wilayah,
    child_level,
    display_name,
    resolve_wilayah,
    wilayah_from_filters,
)
from dashboard.scaffold.finance import (
    FinancePage,
    bantuan_rows_of,
    bantuan_villages_of,
    finance_layout,
    grid_section,
    missing_alert,
    region_bars_of,
    register_finance_callbacks,
    table_freshness,
    with_behind,
)
from dashboard.view_cache import cached, cached_view
from i18n.catalogue import t
from i18n.format import format_number
from layouts import finance_figures as ff
from layouts.cards import kpi_card
from layouts.figures import empty_figure
from layouts.panels import graph_row, panel_section

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

ID_SASARAN_GRID = "bnt-grid-sasaran"  # recipients per target (sasaran)

GRID_COLUMNS = list(finance.BANTUAN_COLUMNS)
NUMBER_COLUMNS = ["sasaran", "peserta"]
# per target: the grid shows the target in words, its CSV twin the code
SASARAN_COLUMNS = ["sasaran", "jumlah_program", "kepesertaan", "penerima", "desa"]
SASARAN_GRID_COLUMNS = ["nama_sasaran", *SASARAN_COLUMNS[1:]]


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
        "sasaran": pd.DataFrame(columns=SASARAN_GRID_COLUMNS),
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
            panel_section(
                t("bnt.tabel_sasaran", lang),
                target_grid(view["sasaran"], lang),
                api_tables.links("bantuan", "sasaran", w, lang, grid=ID_SASARAN_GRID),
                note=t("bnt.keterangan_sasaran", lang),
                class_name="panel mt-3",
            ),
            grid_section(
                ID_TABEL_JUDUL,
                view["tabel_judul"],
                ID_UNDUH,
                ID_DOWNLOAD,
                t("bnt.keterangan_tabel", lang),
                grid,
                lang,
                api_tables.links("bantuan", "penerima", w, lang, grid=ID_GRID),
            ),
        ]
    )


def tables(snapshot: Snapshot, kode: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(village × programme rows, per-village summary) of a region (the rollup's slices),
    cached per snapshot."""
    return bantuan_rows_of(snapshot, kode), bantuan_villages_of(snapshot, kode)


@cached_view("bantuan")
def render(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    rows, per_desa = tables(snapshot, w.kode)
    reported = int(per_desa["melapor"].sum())
    freshness = table_freshness(snapshot, w.kode, "bantuan", per_desa)
    pesan = missing_alert(snapshot, per_desa, "", lang, "bnt.belum_melapor", "bantuan")
    message = t("bnt.kosong", lang, wilayah=name)
    if rows.empty:
        message = " ".join([message, *([pesan.children] if pesan is not None else [])])
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), message], color="info")
    else:
        pesan = with_behind(snapshot, pesan, freshness, "bantuan", lang)
    programs = finance.bantuan_programs(rows)
    targets = target_table(snapshot, w)
    return {
        "judul": t("bnt.judul", lang, wilayah=name),
        "pesan": pesan,
        "kartu": [] if rows.empty else cards(programs, targets, reported, lang),
        "grafik": ff.program_bars(
            programs,
            title=t("bnt.grafik", lang, wilayah=name),
            note=freshness_line(freshness, lang),
            axis_title=t("bnt.sumbu_peserta", lang),
            empty_message=message,
            targets=target_names(lang),
            lang=lang,
        ),
        "wilayah": target_region_figure(
            snapshot, w, freshness_line(freshness, lang), message, lang
        ),
        "tabel_judul": t("bnt.tabel", lang, wilayah=name),
        "tabel": rows,
        "sasaran": target_rows(targets, lang),
    }


def target_names(lang: str) -> dict[int, str]:
    """Sasaran code → its name ("Perorangan (penduduk)", …), the unknown target last."""
    codes = [*finance.SASARAN, finance.TANPA_SASARAN]
    return {code: t(f"bnt.sasaran.{code}", lang) for code in codes}


def distinct_recipients(snapshot: Snapshot, w: Wilayah) -> dict[int, object]:
    """Per target with an aid statistic (penduduk, keluarga): its recipients in the region,
    each counted once (the statistic's `jumlah` row, as Kependudukan shows it)."""
    found: dict[int, object] = {}
    if w.kode is None:
        return found
    for code, slug in finance.PENERIMA_STATISTIK.items():
        level = cached(
            snapshot,
            ("statistic", slug, w.tingkat),
            lambda slug=slug: snapshot.statistic(slug, w.tingkat),
        )
        row = level[(level["kode_wilayah"] == w.kode) & (level["kode"] == "jumlah")]
        if len(row):
            found[code] = int(row["jumlah"].iloc[0])
    return found


def target_table(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    """Recipients per target (sasaran) in the region: programmes, their recipients summed
    (kepesertaan), each recipient once where the source says (penerima), villages. Machine
    values: the CSV twin's rows."""
    rows, _ = tables(snapshot, w.kode)
    targets = finance.bantuan_targets(rows)
    return finance.with_distinct(targets, distinct_recipients(snapshot, w))[SASARAN_COLUMNS]


def target_rows(targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The per-target table as the grid shows it: the target in words."""
    names = target_names(lang)
    shown = targets.assign(nama_sasaran=[names[int(c)] for c in targets["sasaran"]])
    return shown[SASARAN_GRID_COLUMNS]


def target_grid(table: pd.DataFrame, lang: str):
    return ff.finance_grid(
        ID_SASARAN_GRID,
        table,
        SASARAN_GRID_COLUMNS,
        {c: t(f"bnt.kolom.{c}", lang) for c in SASARAN_GRID_COLUMNS},
        numbers=SASARAN_GRID_COLUMNS[1:],
        lang=lang,
        height=None,
        row_id="params.data.nama_sasaran",
        link=False,
    )


def cards(programs: pd.DataFrame, targets: pd.DataFrame, reported: int, lang: str) -> list:
    """The programmes, then one card per target: its recipients counted once where the
    source gives that number, else summed over its programmes, and says which; never one
    number for persons, families and groups together."""
    names = target_names(lang)
    out = [
        dbc.Col(
            kpi_card(
                t("bnt.kartu.program", lang),
                format_number(len(programs), lang),
                "bnt-kartu-program",
                note=t("bnt.kartu.desa", lang, n=format_number(reported, lang)),
            ),
            sm=6,
            lg=3,
        )
    ]
    for row in targets.itertuples():
        code = int(row.sasaran)
        summed = t("bnt.kartu.kepesertaan", lang, n=format_number(row.kepesertaan, lang),
                   program=format_number(row.jumlah_program, lang))  # fmt: skip
        if pd.notna(row.penerima):
            value, note = (
                format_number(row.penerima, lang),
                f"{t(f'bnt.kartu.unik.{code}', lang)}; {summed}",
            )
        else:
            value, note = (
                format_number(row.kepesertaan, lang),
                t("bnt.kartu.tanpa_unik", lang, program=format_number(row.jumlah_program, lang)),
            )
        out.append(
            dbc.Col(
                kpi_card(names[code], value, f"bnt-kartu-sasaran-{code}", note=note), sm=6, lg=3
            )
        )
    return out


def target_region_figure(snapshot: Snapshot, w: Wilayah, fresh: str, message: str, lang: str):
    """Recipients per target for each kabupaten (a provinsi), kecamatan (a kabupaten) or
    village (a kecamatan; a desa among its kecamatan's villages, in bold): one bar per target
    side by side, never one bar adding them; a bar click selects the region
    (`register_drill`)."""
    area = resolve_wilayah(snapshot, w.kecamatan)[0] if w.tingkat == "desa" else w
    tingkat = child_level(w.tingkat)  # issue 12: a provinsi per kabupaten
    name = display_name(area, lang) if area.kode else t("app.judul", lang)
    per_desa = tables(snapshot, area.kode)[1]
    if w.tingkat == "desa":  # its kecamatan's villages are drawn: their freshness
        fresh = freshness_line(table_freshness(snapshot, area.kode, "bantuan", per_desa), lang)
    series, merged = [], None
    for code, label in target_names(lang).items():
        col = finance.kepesertaan_column(code)
        part = (
            finance.region_values(per_desa, col, tingkat, snapshot.regions)
            if tingkat == "desa"
            else region_bars_of(
                snapshot,
                rf.bantuan_regions_key(tingkat, col),
                area.kode,
                lambda col=col: finance.region_values(per_desa, col, tingkat, snapshot.regions),
            )
        )[["kode", "nama", "nilai"]]
        part = part.rename(columns={"nilai": col})
        merged = part if merged is None else merged.merge(part, on=["kode", "nama"], how="outer")
        series.append((col, label))
    return ff.target_region_bars(
        merged.sort_values("kode").reset_index(drop=True),
        series,
        title=t(f"bnt.per_{tingkat}", lang, wilayah=name),
        note=fresh,
        axis_title=t("bnt.sumbu_kepesertaan", lang),
        empty_message=message,
        highlight=w.desa,
        lang=lang,
    )


def table_for(snapshot: Snapshot, w: Wilayah) -> tuple[str, pd.DataFrame]:
    """The grid's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/bantuan/penerima share it)."""
    rows, _ = tables(snapshot, w.kode)
    return f"bantuan_{w.kode or 'semua'}", with_kecamatan_code(rows[GRID_COLUMNS])


def _api_penerima(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    return (*table_for(snapshot, w), {})


def _api_sasaran(snapshot: Snapshot, w: Wilayah, _args: Any) -> tuple[str, pd.DataFrame, dict]:
    return f"bantuan-sasaran_{w.kode or 'semua'}", target_table(snapshot, w), {}


TABLES = {
    "penerima": api_tables.PageTable((), _api_penerima),
    "sasaran": api_tables.PageTable((), _api_sasaran),
}


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

    @app.callback(
        Output(ID_SASARAN_GRID, "rowData"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        prevent_initial_call=True,  # the layout rendered the view of the URL already
    )
    def update_targets(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            view = render(snapshot, wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("bantuan: targets failed for %s", desa or kecamatan)
            return []
        return ff.grid_rows(view["sasaran"], SASARAN_GRID_COLUMNS, lang, link=False)
