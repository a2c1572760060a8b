"""Kependudukan ("/kependudukan"): one population statistic by category and sex, a pyramid,
and the table behind them, for the kabupaten, a kecamatan or a desa."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

from aggregates import rollup_people as rp
from aggregates.indicators import compare_level, compare_shares, trend
from aggregates.population import (
    EXPORT_COLUMNS,
    export_frame,
    not_harmonised_table,
    pyramid,
    statistic_table,
)
from aggregates.rollup import STATISTIK
from config.statistik import BY_SLUG, THEMES
from dashboard import api_tables
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.empty_states import empty_message, not_reported_note
from dashboard.filter_bar import FilterIds, dropdown_labels, filter_bar, register_filter_callbacks
from dashboard.freshness import Freshness, behind_note, freshness_of
from dashboard.guard import failure_alert, guarded
from dashboard.regions import (
    NO_WILAYAH,
    Wilayah,
    display_name,
    region_notices,
    resolve_wilayah,
    wilayah_from_filters,
)
from dashboard.reporting import reporting_counts
from dashboard.statistik import (
    axis_title,
    category_names,
    description,
    selector_options,
    unit_short,
)
from dashboard.view_cache import cached, cached_view
from i18n.catalogue import statistic_title, t
from i18n.format import format_number
from layouts.cards import kpi_card
from layouts.figures import (
    category_bar,
    empty_figure,
    population_pyramid,
    share_bar,
    trend_line,
)
from layouts.panels import GRAPH_CONFIG, csv_download, graph_row, panel_section
from layouts.safe_cells import csv_text
from layouts.tables import data_grid, row_data
from warehouse.rollups import FrameKey

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
ID_INDIKATOR = "kpd-indikator"  # the indicator cards (children)
ID_INDIKATOR_CATATAN = "kpd-indikator-catatan"  # villages left out of the dependency ratio
ID_BANDINGKAN = "kpd-bandingkan"  # 100%-stacked bars: the statistic across villages
ID_TREN = "kpd-tren"  # the statistic's total (or one category) at each month end
ID_TREN_KATEGORI = "kpd-tren-kategori"  # which category the trend follows
ID_KETERANGAN = "kpd-keterangan"  # what the statistic counts and what belum mengisi means
ID_SELARAS = "kpd-tidak-diselaraskan"  # village age brackets not harmonised, by village

log = logging.getLogger(__name__)

DEFAULT_STATISTIK = "agama"
PYRAMID_STATISTIK = "rentang-umur"
PYRAMID_NOTE_WIDTH = 56  # characters of a note line (bold 12 px) in the pyramid panel
# every statistic collected (issue 8), in the selector's order; the default first (the URL's)
STATISTIK_SLUGS = [slug for _, slugs in THEMES for slug in slugs]
STATISTIK_CHOICES = [DEFAULT_STATISTIK, *(s for s in STATISTIK_SLUGS if s != DEFAULT_STATISTIK)]
GRID_COLUMNS = ["label", "laki_laki", "perempuan", "jumlah"]
INDICATOR_CARDS = {  # indicator column → decimals shown
    "rasio_jenis_kelamin": 1,
    "rasio_ketergantungan": 1,
    "penduduk_per_keluarga": 2,
}
TREND_ALL = "semua"  # the trend category value meaning "all categories summed"
TREND_MONTHS = rp.TREND_MONTHS  # the rollup keeps the history these months reach


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
    notices = region_notices(w, unknown, lang)
    if unknown_slug is not None:
        judul = statistic_title(slug, lang)
        text = t("filter.statistik_tidak_dikenal", lang, slug=unknown_slug, judul=judul)
        notices.append(dbc.Alert(text, color="warning"))
    view = render(snapshot, w, slug, lang)
    view["piramida"] = pyramid_figure(snapshot, w, lang)
    view.update(extra_view(snapshot, w, slug, lang))
    view["tren"] = trend_figure(snapshot, w, slug, TREND_ALL, lang)
    return _page(snapshot, w, slug, view, notices, lang)


def blank_view(lang: str) -> dict:
    """The parts of the page with no data at all (the data could not be read)."""
    failed = empty_figure(t("galat.teks", lang))
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "grafik": failed,
        "piramida": failed,
        "keterangan": None,
        "tabel_judul": "",
        "tabel": pd.DataFrame(columns=GRID_COLUMNS),
        "tidak_diselaraskan": None,
        "indikator": indicator_cards(None, lang),
        "indikator_catatan": None,
        "bandingkan": failed,
        "tren_opsi": [{"label": t("kpx.tren_jumlah", lang), "value": TREND_ALL}],
        "tren": failed,
    }


def _page(
    snapshot: Snapshot | None, w: Wilayah, slug: str, view: dict, notices: list, lang: str
) -> html.Div:
    statistik_col = dbc.Col(
        [
            html.Label(t("filter.statistik", lang), htmlFor=ID_STATISTIK),
            dcc.Dropdown(
                id=ID_STATISTIK,
                options=selector_options(lang),
                value=slug,
                clearable=False,
                labels=dropdown_labels(lang),
                maxHeight=440,
                search_order="original",  # the groups stay together while searching
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
            html.P(view["keterangan"], id=ID_KETERANGAN, className="panel-note mb-2"),
            html.Div(view["pesan"], id=ID_PESAN),
            graph_row([(ID_GRAFIK, view["grafik"], 7), (ID_PIRAMIDA, view["piramida"], 5)]),
            panel_section(
                view["tabel_judul"],
                data_grid(ID_GRID, view["tabel"], GRID_COLUMNS, lang=lang, height=None),
                html.Div(view["tidak_diselaraskan"], id=ID_SELARAS),
                api_tables.links(
                    "kependudukan", "statistik", w, lang, grid=ID_GRID, statistik=slug
                ),
                title_id=ID_TABEL_JUDUL,
                tools=csv_download(ID_UNDUH, ID_DOWNLOAD, lang),
                note=t("kpd.keterangan_tabel", lang),
            ),
            *extra_sections(view, lang),
        ]
    )


def extra_sections(view: dict, lang: str) -> list:
    """Indicators, the village comparison and the trend, below the table."""
    return [
        html.Section(
            [
                dbc.Row(view["indikator"], id=ID_INDIKATOR, className="g-3"),
                html.Div(view["indikator_catatan"], id=ID_INDIKATOR_CATATAN),
            ],
            className="mt-3",
        ),
        html.Section(
            [
                html.H2(t("kpx.bandingkan", lang)),
                dcc.Graph(id=ID_BANDINGKAN, figure=view["bandingkan"], config=GRAPH_CONFIG),
                html.P(t("kpx.bandingkan_petunjuk", lang), className="text-muted small mb-0"),
            ],
            className="panel mt-3",
        ),
        html.Section(
            [
                html.Div(
                    [
                        html.H2(t("kpx.tren", lang), className="me-auto"),
                        html.Label(
                            t("kpx.tren_kategori", lang), htmlFor=ID_TREN_KATEGORI, className="mb-0"
                        ),
                        dcc.Dropdown(
                            id=ID_TREN_KATEGORI,
                            options=view["tren_opsi"],
                            value=TREND_ALL,
                            clearable=False,
                            labels=dropdown_labels(lang),
                            style={"minWidth": "16rem"},
                        ),
                    ],
                    className="d-flex align-items-center flex-wrap gap-2 mb-2",
                ),
                dcc.Graph(id=ID_TREN, figure=view["tren"], config=GRAPH_CONFIG),
            ],
            className="panel mt-3",
        ),
    ]


def resolve_statistik(raw: object) -> tuple[str, str | None]:
    """A shown statistic's slug; an unknown one gives the default and its text for a notice."""
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if not raw:
        return DEFAULT_STATISTIK, None
    if raw in STATISTIK_SLUGS:
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


@cached_view("kependudukan")
def render(snapshot: Snapshot, w: Wilayah, slug: str, lang: str) -> dict:
    """The parts that follow the region and the statistic (layout and callback share it)."""
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    judul = statistic_title(slug, lang)
    table = statistic_frame(snapshot, w, slug)
    reported, expected = reporting_counts(snapshot, w)
    fresh = statistic_freshness(snapshot, w.kode, slug)
    behind = behind_note(snapshot, fresh, [slug], lang)
    pesan = None
    if table.empty:
        message = empty_message(snapshot, w, lang, statistik=judul, names=False)
        listed = empty_message(snapshot, w, lang, statistik=judul)
        pesan = dbc.Alert([html.Strong(t("kosong.judul", lang) + ". "), listed], color="info")
        figure = category_bar(table, title=judul, lang=lang, empty_message=message)
    else:
        if reported < expected:
            pesan = dbc.Alert(
                t("kosong.sebagian", lang, belum=expected - reported, m=expected, wilayah=name)
                + " "
                + not_reported_note(snapshot, w, lang)
                + (" " + behind if behind else ""),
                color="light",
                className="py-2",
            )
        elif behind:  # shown, but some villages' latest collection of it failed
            pesan = dbc.Alert(behind, color="light", className="py-2")
        figure = category_bar(
            table,
            title=t("kpd.grafik", lang, statistik=judul, wilayah=name),
            lang=lang,
            names=category_names(slug, lang),
            axis_title=axis_title(slug, lang),
            **freshness_args(fresh),
        )
    harmonised = w.tingkat != "desa" and BY_SLUG[slug].jenis == "umur"
    return {
        "judul": t("kpd.judul", lang, wilayah=name),
        "pesan": pesan,
        "keterangan": description(slug, lang, harmonised=harmonised),
        "grafik": figure,
        "tabel_judul": t("kpd.tabel", lang, statistik=judul, wilayah=name),
        "tabel": shown_table(table, slug, lang),
        "tidak_diselaraskan": not_harmonised_note(snapshot, w, slug, lang) if harmonised else None,
    }


def shown_table(table: pd.DataFrame, slug: str, lang: str) -> pd.DataFrame:
    """The statistic's rows as the grid shows them: the special rows (belum mengisi, the aid
    statistics' distinct recipients, age brackets not harmonised) in words; the CSV keeps the
    machine labels."""
    names = category_names(slug, lang)
    special = table["kode"].isin(list(names))
    return table.assign(label=table["label"].where(~special, table["kode"].map(names)))


def not_harmonised_note(snapshot: Snapshot, w: Wilayah, slug: str, lang: str) -> Any:
    """Which village age brackets fit no default bracket, village by village with their own
    labels and counts (the `tidak_diselaraskan` row of the table, taken apart), or None."""
    rest = cached(
        snapshot, ("not-harmonised", slug, w.kode), lambda: not_harmonised(snapshot, slug, w.kode)
    )
    if rest.empty:
        return None
    unit = unit_short(slug, lang)
    items = [
        html.Li(
            [
                html.Strong(f"{nama}: "),
                "; ".join(
                    f"{str(label).strip()} ({format_number(jumlah, lang)})"
                    for label, jumlah in zip(rows["label"], rows["jumlah"], strict=True)
                ),
            ]
        )
        for (_kode, nama), rows in rest.groupby(["kode_desa", "nama_desa"], sort=True)
    ]
    summary = t(
        "stat.tidak_diselaraskan",
        lang,
        jumlah=format_number(rest["jumlah"].sum(), lang),
        satuan=unit,
        n=format_number(rest["kode_desa"].nunique(), lang),
    )
    return html.Details(
        [html.Summary(summary), html.Ul(items, className="small mb-0 mt-1")],
        className="panel-note mt-2",
    )


def not_harmonised(snapshot: Snapshot, slug: str, kode: str | None) -> pd.DataFrame:
    """`not_harmonised_table` of a region: the rollup's rows of its villages."""
    return snapshot.rolled(
        FrameKey(rp.TIDAK_SELARAS, "desa", slug),
        kode,
        lambda: not_harmonised_table(snapshot.population, slug, kode),
    )


def pyramid_table(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    """`pyramid(data, kode)` of the region (its notes in attrs), from the rollup's slices."""
    computed = []

    def compute() -> pd.DataFrame:
        computed.append(True)
        return pyramid(snapshot.population, w.kode)

    table = snapshot.rolled(FrameKey(rp.PIRAMIDA, w.tingkat), w.kode, compute)
    if computed:  # no rollup holds it: computed whole, notes included
        return table
    if w.tingkat == "desa":  # its own brackets: nothing left out
        return rp.pyramid_from_parts(table)
    rest = not_harmonised(snapshot, rp.AGE_BRACKETS, w.kode)
    own = snapshot.rolled(
        FrameKey(rp.RENTANG_SENDIRI, "desa"),
        w.kode,
        lambda: pd.DataFrame(
            {"kode_desa": pyramid(snapshot.population, w.kode).attrs["desa_rentang_sendiri"]},
            dtype=object,
        ),
    )
    return rp.pyramid_from_parts(table, rest, own)


def statistic_freshness(
    snapshot: Snapshot, kode: str | None, slug: str, left_out: Sequence[str] = ()
) -> Freshness:
    """The freshness of a statistic over a region: its villages that hold the statistic (but
    `left_out`, villages the figure does not draw), and whether their latest collection of it
    succeeded (aggregates.freshness)."""
    # the region's villages only: freshness counts no village outside it, and a provinsi's
    # whole desa table is hundreds of thousands of rows to read for one line
    level = cached(
        snapshot,
        ("statistic", slug, "desa", kode),
        lambda: snapshot.statistic(slug, "desa", kode),
    )
    return freshness_of(snapshot, kode, [slug], set(level["kode_wilayah"]) - set(left_out))


def freshness_args(fresh: Freshness) -> dict:
    """The figure builders' freshness keywords (as_of, reported, expected) of a Freshness."""
    return {"as_of": fresh.as_of, "reported": fresh.current, "expected": fresh.expected}


def pyramid_figure(snapshot: Snapshot, w: Wilayah, lang: str) -> go.Figure:
    """The age pyramid (rentang-umur) of the region."""
    if w.kode is None:
        return population_pyramid(pd.DataFrame(), lang=lang, empty_message=t("kosong.judul", lang))
    pyr = cached(snapshot, ("pyramid", w.kode), lambda: pyramid_table(snapshot, w))
    name = display_name(w, lang)
    if pyr.empty:
        judul = statistic_title(PYRAMID_STATISTIK, lang)
        message = empty_message(snapshot, w, lang, statistik=judul, names=False)
        return population_pyramid(pyr, lang=lang, empty_message=message)
    title = t("kpd.piramida", lang, wilayah=name)
    own = pyr.attrs.get("desa_rentang_sendiri")
    rest = pyr.attrs.get("tidak_diselaraskan")
    if rest is not None and len(rest):  # what the pyramid leaves out, in its title
        note = t(
            "kpd.piramida_catatan",
            lang,
            jiwa=format_number(rest["jumlah"].sum(), lang),
            n=format_number(rest["kode_desa"].nunique(), lang),
        )
        # the pyramid is a narrow panel: the note on lines of its own, under the title
        lines = "<br>".join(textwrap.wrap(note, PYRAMID_NOTE_WIDTH))
        title = f"{title}<br><span style='font-size:12px;color:#5c6670'>{lines}</span>"
    return population_pyramid(
        pyr,
        lang=lang,
        title=title,
        # villages with their own brackets are not in the pyramid: not counted either
        **freshness_args(statistic_freshness(snapshot, w.kode, PYRAMID_STATISTIK, own or ())),
    )


# -- indicators, village comparison, trend ------------------------------------------------------
def indicator_row(snapshot: Snapshot, w: Wilayah) -> dict | None:
    """The region's indicators (aggregates.indicators), or None without data."""
    if w.kode is None:
        return None
    # one frame per level serves every region of that level
    frame = cached(snapshot, ("indicators", w.tingkat), lambda: snapshot.indicators(w.tingkat))
    rows = frame[frame["kode_wilayah"] == w.kode]
    return None if rows.empty else rows.iloc[0].to_dict()


def indicator_cards(row: dict | None, lang: str) -> list:
    """Three headline ratios with their units; "–" where they cannot be computed."""
    return [
        dbc.Col(
            kpi_card(
                t(f"kpx.kartu.{key}", lang),
                format_number(row.get(key) if row else None, lang, decimals),
                f"kpd-indikator-{key}",
                note=t(f"kpx.kartu.{key}_satuan", lang),
            ),
            xs=12,
            md=4,
        )
        for key, decimals in INDICATOR_CARDS.items()
    ]


def indicator_note(row: dict | None, lang: str) -> html.P | None:
    """Says how many villages the dependency ratio left out (their brackets straddle 15/65)."""
    left_out = int(row.get("desa_umur_dikecualikan") or 0) if row else 0
    if not left_out:
        return None
    return html.P(
        t("kpx.dikecualikan", lang, n=format_number(left_out, lang)), className="small mt-2"
    )


def compare_scope(snapshot: Snapshot, w: Wilayah) -> Wilayah:
    """What the comparison spans: a desa's kecamatan; a kecamatan; the kabupaten's kecamatan."""
    if w.tingkat == "desa" and w.kecamatan:
        return resolve_wilayah(snapshot, w.kecamatan)[0]
    return w


def compare_figure(snapshot: Snapshot, w: Wilayah, slug: str, lang: str) -> go.Figure:
    """Shares of the statistic's categories in each village (or kecamatan) of the scope."""
    judul = statistic_title(slug, lang)
    if w.kode is None:
        return empty_figure(t("kosong.judul", lang))
    scope = compare_scope(snapshot, w)
    name = display_name(scope, lang)
    shares = cached(
        snapshot, ("compare", slug, scope.kode), lambda: compare_table(snapshot, slug, scope.kode)
    )
    if shares.empty:
        return empty_figure(t("kpx.bandingkan_kosong", lang, statistik=judul, wilayah=name))
    key = (
        "kpx.bandingkan_grafik_kecamatan"
        if scope.tingkat == "kabupaten"
        else "kpx.bandingkan_grafik_kabupaten"
        if scope.tingkat == "provinsi"
        else "kpx.bandingkan_grafik"
    )
    return share_bar(
        shares,
        title=t(key, lang, statistik=judul, wilayah=name),
        lang=lang,
        names=category_names(slug, lang),
        axis_title=t("kpx.bandingkan_sumbu", lang),
        **freshness_args(statistic_freshness(snapshot, scope.kode, slug)),
        highlight=w.kode if w.tingkat == "desa" else None,
    )


def compare_table(snapshot: Snapshot, slug: str, kode: str) -> pd.DataFrame:
    """`compare_villages` of the region: the harmonised statistic of the regions under it
    from the rollup (the desa tables of statistics a rollup renames are stored harmonised
    apart; the others' desa, and every kecamatan and kabupaten table, are harmonised
    already), and the shares computed here (their category order depends on the regions)."""
    tingkat = compare_level(kode)
    renamed = tingkat == "desa" and slug in rp.renamed_slugs()
    key = FrameKey(rp.BANDING, "desa", slug) if renamed else FrameKey(STATISTIK, tingkat, slug)
    table = snapshot.rolled(
        key,
        kode,
        lambda: statistic_table(snapshot.population, slug, tingkat, kode, harmonised=True),
    )
    return compare_shares(table, slug)


def trend_options(table: pd.DataFrame, lang: str, slug: str | None = None) -> list[dict]:
    """ "All categories" first, then the region's categories in the table's order (the
    special rows in words: `dashboard.statistik.category_names`)."""
    options = [{"label": t("kpx.tren_jumlah", lang), "value": TREND_ALL}]
    names = category_names(slug, lang) if slug else {}
    seen: set[str] = set()
    for kode, label in zip(table.get("kode", []), table.get("label", []), strict=True):
        if str(kode) in seen:  # one entry per code
            continue
        seen.add(str(kode))
        if kode in names:
            text = names[str(kode)]
        else:
            text = t("kategori.belum_mengisi", lang) if kode == "belum_mengisi" else str(label)
        options.append({"label": text, "value": str(kode)})
    return options


def completed_runs(snapshot: Snapshot) -> int:
    runs = snapshot.runs
    if runs is None or runs.empty or "status" not in runs:
        return 0
    return int((runs["status"] == "completed").sum())


def trend_figure(snapshot: Snapshot, w: Wilayah, slug: str, kategori: str | None, lang: str):
    """The statistic's total (or one category) in the region at each month end."""
    judul = statistic_title(slug, lang)
    if w.kode is None:
        return empty_figure(t("kosong.judul", lang))
    name = display_name(w, lang)
    # a single collection gives one value per village: no trend to draw, and we say so
    if completed_runs(snapshot) < 2:
        return empty_figure(t("kpx.tren_satu", lang))
    code = None if not kategori or kategori == TREND_ALL else str(kategori)
    month = pd.Timestamp.now(tz="UTC").strftime("%Y-%m")  # the last point is "now"
    history = cached(
        snapshot, ("history", slug, w.kode), lambda: trend_history(snapshot, slug, w.kode)
    )
    series = cached(
        snapshot,
        ("trend", slug, w.kode, code, month),
        lambda: trend(history, slug, w.kode, TREND_MONTHS, kategori=code),
    )
    if series["jumlah"].notna().sum() == 0:
        return empty_figure(t("kpx.tren_kosong", lang, statistik=judul, wilayah=name))
    if code is None:
        kategori_nama = t("kpx.tren_jumlah", lang)
    else:
        table = statistic_frame(snapshot, w, slug)
        match = table[table["kode"] == code]
        names = category_names(slug, lang)
        if code in names:
            kategori_nama = names[code]
        else:
            kategori_nama = str(match["label"].iloc[0]) if len(match) else code
    return trend_line(
        series,
        title=t("kpx.tren_grafik", lang, statistik=judul, kategori=kategori_nama, wilayah=name),
        lang=lang,
        **freshness_args(statistic_freshness(snapshot, w.kode, slug)),
    )


def trend_history(snapshot: Snapshot, slug: str, kode: str | None) -> pd.DataFrame:
    """The value history of the statistic in the region, as far as a trend reaches: the
    rollup's slice, or the warehouse's history of the region."""
    return snapshot.rolled(
        FrameKey(rp.RIWAYAT, "desa", slug),
        kode,
        lambda: data_source().store.history_frame("observation", datasets=[slug], kode=kode),
    )


def extra_view(snapshot: Snapshot, w: Wilayah, slug: str, lang: str) -> dict:
    """The parts below the table that follow region and statistic (not the trend's category)."""
    row = indicator_row(snapshot, w)
    return {
        "indikator": indicator_cards(row, lang),
        "indikator_catatan": indicator_note(row, lang),
        # many traces: the figure itself is cached per run, not only its data
        "bandingkan": cached(
            snapshot,
            ("compare_figure", slug, w.kode, lang),
            lambda: compare_figure(snapshot, w, slug, lang),
        ),
        "tren_opsi": trend_options(statistic_frame(snapshot, w, slug), lang, slug),
    }


# a click on a comparison bar selects its village (or kecamatan) through the URL, keeping the
# other query parameters; the filter bar follows the URL and the page follows the filters
BAR_CLICK_JS = """
function (click, search) {
    const nu = window.dash_clientside.no_update;
    const point = click && click.points && click.points[0];
    const kode = point && point.customdata && point.customdata[0];
    if (!kode) { return nu; }
    const params = new URLSearchParams(search || "");
    params.set("wilayah", kode);
    return "?" + params.toString();
}
"""


def table_for(snapshot: Snapshot, w: Wilayah, slug: str) -> tuple[str, pd.DataFrame]:
    """The statistic's table as its CSV download has it, and the file name stem (the download
    callback and /api/v1/halaman/kependudukan/statistik share it)."""
    return f"{slug}_{w.kode or 'semua'}", export_frame(statistic_frame(snapshot, w, slug))


def _api_statistik(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[str, pd.DataFrame, dict]:
    slug = api_tables.pick(args, "statistik", STATISTIK_CHOICES)
    return (*table_for(snapshot, w, slug), {"statistik": slug})


TABLES = {"statistik": api_tables.PageTable(("statistik",), _api_statistik)}


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER, extra=["statistik"])

    @app.callback(
        Output(ID_JUDUL, "children"),
        Output(ID_PESAN, "children"),
        Output(ID_GRAFIK, "figure"),
        Output(ID_TABEL_JUDUL, "children"),
        Output(ID_GRID, "rowData"),
        Output(ID_KETERANGAN, "children"),
        Output(ID_SELARAS, "children"),
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
            return no_update, failure_alert(lang), failed, no_update, [], no_update, None
        rows = row_data(view["tabel"], GRID_COLUMNS, lang)
        return (view["judul"], view["pesan"], view["grafik"], view["tabel_judul"], rows,
                view["keterangan"], view["tidak_diselaraskan"])  # fmt: skip

    @app.callback(
        Output(ID_INDIKATOR, "children"),
        Output(ID_INDIKATOR_CATATAN, "children"),
        Output(ID_BANDINGKAN, "figure"),
        Output(ID_TREN_KATEGORI, "options"),
        Output(ID_TREN_KATEGORI, "value"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        Input(ID_STATISTIK, "value"),
        prevent_initial_call=True,
    )
    def update_extra(kecamatan: str | None, desa: str | None, statistik: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            slug, _ = resolve_statistik(statistik)
            view = extra_view(snapshot, w, slug, lang)
        except Exception:
            log.exception(
                "kependudukan: indicators failed for %s, %s", desa or kecamatan, statistik
            )
            failed = empty_figure(t("galat.teks", lang))
            return indicator_cards(None, lang), None, failed, no_update, no_update
        # another region or statistic has other categories: the trend starts from the total
        return (
            view["indikator"],
            view["indikator_catatan"],
            view["bandingkan"],
            view["tren_opsi"],
            TREND_ALL,
        )

    @app.callback(
        Output(ID_TREN, "figure"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        Input(ID_STATISTIK, "value"),
        Input(ID_TREN_KATEGORI, "value"),
        prevent_initial_call=True,
    )
    def update_trend(
        kecamatan: str | None, desa: str | None, statistik: str | None, kategori: str | None
    ):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            w = wilayah_from_filters(snapshot, kecamatan, desa)
            slug, _ = resolve_statistik(statistik)
            return trend_figure(snapshot, w, slug, kategori, lang)
        except Exception:
            log.exception("kependudukan: trend failed for %s, %s", desa or kecamatan, statistik)
            return empty_figure(t("galat.teks", lang))

    app.clientside_callback(
        BAR_CLICK_JS,
        Output(ID_URL, "search", allow_duplicate=True),
        Input(ID_BANDINGKAN, "clickData"),
        State(ID_URL, "search"),
        prevent_initial_call=True,
    )

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
        stem, frame = table_for(snapshot, w, slug)
        text = csv_text(frame)  # issue 10: no cell a spreadsheet would run
        return dcc.send_string(text, f"{stem}.csv", type="text/csv")
