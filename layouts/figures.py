"""Pure figure builders: a DataFrame in, a `go.Figure` out (graph_objects only, for speed)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from i18n.catalogue import DEFAULT_LANGUAGE, t
from i18n.format import format_date, format_number, month_abbr, plotly_separators
from layouts.axes import category_axis, count_axis, largest, percent_axis
from layouts.chart_top import (
    TITLE_FULL,
    TITLE_NARROW,
    TITLE_WIDE,
    frame_top,
    wrap_title,
)

SEPARATORS = plotly_separators(DEFAULT_LANGUAGE)  # an empty figure shows no numbers
COLOURS = {"laki_laki": "#2f6fb0", "perempuan": "#d9536f"}
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=13)
LABEL_WIDTH = 24  # wrap category labels longer than this onto more lines
BAR_HEIGHT = 30  # pixels per category row in horizontal charts
AXIS = dict(gridcolor="#e6e9ec", linecolor="#c4cad0", zerolinecolor="#c4cad0")
WIDE = 1100  # the plotting width of a chart that spans the page (its legend wraps later)


def freshness_note(
    as_of: object, reported: int | None, expected: int | None, lang: str = DEFAULT_LANGUAGE
) -> str:
    """ "data per 28 Nov 2026 07.15 WIB, 214 dari 220 desa", or that nothing was collected."""
    if as_of is None or pd.isna(as_of):
        return t("segar.belum_ada", lang)
    return t(
        "segar.catatan",
        lang,
        tanggal=format_date(as_of, lang),
        n=format_number(reported or 0, lang),
        m=format_number(expected or 0, lang),
    )


def _title(title: str, note: str | None) -> dict:
    text = f"<b>{title}</b>"
    if note:
        text += f"<br><span style='font-size:12px;color:#5c6670'>{note}</span>"
    return dict(
        text=text,
        x=0,
        xref="container",  # from the figure's edge, not from the end of long axis labels
        xanchor="left",
        y=1,
        yref="container",
        yanchor="top",
        pad=dict(t=12, l=12),
        font=dict(size=16),
    )


def _base_layout(height: int, lang: str | None = None) -> dict:
    """The layout every chart shares; `lang` gives its numbers' separators (CLDR), None only
    for a figure without numbers (an empty one)."""
    return dict(
        separators=plotly_separators(lang) if lang else SEPARATORS,
        font=FONT,
        height=height,
        template="none",  # a named template costs ~30 ms of validation per figure
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=10, r=44, t=96, b=40),
        # the mode bar stands in the right margin, clear of the title
        modebar=dict(orientation="v", bgcolor="rgba(255,255,255,0.8)"),
        legend=dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom"),
        hoverlabel=dict(font=FONT),
    )


def empty_figure(message: str, *, height: int = 360) -> go.Figure:
    """A figure without data that says why (never a blank chart)."""
    layout = _base_layout(height)
    layout.update(
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        annotations=[
            dict(
                text=message,
                x=0.5,
                y=0.5,
                xref="paper",
                yref="paper",
                showarrow=False,
                font=dict(size=15, color="#5c6670"),
            )
        ],
    )
    return go.Figure(layout=layout)


def readable_label(
    label: object,
    kode: object = None,
    lang: str = DEFAULT_LANGUAGE,
    names: Mapping[str, str] | None = None,
) -> str:
    """A category label fit for an axis: "not filled in" translated (or what `names` says a
    code means in this statistic), long labels wrapped."""
    if names and kode in names:
        text = names[str(kode)]
    elif kode == "belum_mengisi":
        return t("kategori.belum_mengisi", lang)
    else:
        text = str(label).strip() if label is not None and not pd.isna(label) else str(kode or "")
    return "<br>".join(textwrap.wrap(text, LABEL_WIDTH, break_on_hyphens=False)) or text


def _unique(labels: list[str], codes: list[str]) -> list[str]:
    # two categories may share a label (villages' own age brackets); keep both bars apart
    seen: dict[str, int] = {}
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
    return [
        f"{lab} ({kode})" if seen[lab] > 1 else lab for lab, kode in zip(labels, codes, strict=True)
    ]


def _counts(table: pd.DataFrame, col: str) -> list[int]:
    return [0 if pd.isna(v) else int(v) for v in table[col]]


def category_bar(
    table: pd.DataFrame,
    *,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    as_of: object = None,
    reported: int | None = None,
    expected: int | None = None,
    empty_message: str | None = None,
    names: Mapping[str, str] | None = None,
    axis_title: str | None = None,
) -> go.Figure:
    """Grouped horizontal bars per category (laki-laki, perempuan), in the table's order.

    `table` has the columns of `Snapshot.statistic` for one region (kode, label, laki_laki,
    perempuan, jumlah). Horizontal bars keep long Indonesian labels readable. `names` gives
    the text of special rows by code (what belum mengisi means for this statistic, the aid
    statistics' recipients); `axis_title` what the counts count (default: residents).
    """
    if table is None or table.empty:
        return empty_figure(empty_message or t("kosong.judul", lang))
    codes = [str(k) for k in table["kode"]]
    labels = _unique(
        [readable_label(lb, k, lang, names) for lb, k in zip(table["label"], codes, strict=True)],
        codes,
    )
    jumlah = _counts(table, "jumlah")
    lines = sum(label.count("<br>") + 1 for label in labels)
    height = max(360, 130 + BAR_HEIGHT * len(labels) + 8 * lines)
    total = t("kolom.jumlah", lang)
    bars = [
        go.Bar(
            name=t(f"jenis.{col}", lang),
            orientation="h",
            y=labels,
            x=_counts(table, col),
            customdata=jumlah,
            marker_color=COLOURS[col],
            hovertemplate=(
                f"%{{y}}<br>{t(f'jenis.{col}', lang)}: %{{x:,d}}<br>"
                f"{total}: %{{customdata:,d}}<extra></extra>"
            ),
        )
        for col in ("laki_laki", "perempuan")
    ]
    # one layout dict, not update_layout: plotly validates it once (≈ 10 ms saved)
    layout = _base_layout(height, lang)
    layout.update(
        title=_title(
            wrap_title(title, TITLE_WIDE), freshness_note(as_of, reported, expected, lang)
        ),
        barmode="group",
        bargap=0.25,
        bargroupgap=0.05,
        xaxis=count_axis(
            largest([*bars[0].x, *bars[1].x]), axis_title or t("grafik.jumlah_penduduk", lang)
        ),
        yaxis=category_axis(autorange="reversed"),
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


def _nice_step(limit: float) -> float:
    """A round whole tick step (1, 2 or 5 × 10ⁿ) giving about three ticks per side: the
    pyramid's panel is narrow, and more labels would be turned aslant to fit."""
    raw = max(limit / 3, 1)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power  # pragma: no cover - the loop always returns


def population_pyramid(
    pyr: pd.DataFrame,
    *,
    lang: str = DEFAULT_LANGUAGE,
    title: str = "",
    as_of: object = None,
    reported: int | None = None,
    expected: int | None = None,
    empty_message: str | None = None,
) -> go.Figure:
    """Age brackets bottom (youngest) to top; males to the left, females to the right.

    `pyr` is `aggregates.population.pyramid(...)`: label, laki_laki, perempuan, youngest first.
    Males are drawn as negative x; the tick labels show positive counts.
    """
    if pyr is None or pyr.empty:
        return empty_figure(empty_message or t("kosong.judul", lang))
    labels = [readable_label(lb, None, lang) for lb in pyr["label"]]
    labels = _unique(labels, [str(i) for i in range(len(labels))])
    male = _counts(pyr, "laki_laki")
    female = _counts(pyr, "perempuan")
    limit = max([*male, *female, 1])
    step = _nice_step(limit)
    ticks = int(math.ceil(limit / step))
    tickvals = [i * step for i in range(-ticks, ticks + 1)]
    height = max(420, 140 + 22 * len(labels))
    bars = [
        go.Bar(
            name=t(f"jenis.{col}", lang),
            orientation="h",
            y=labels,
            x=[sign * v for v in values],
            customdata=values,
            marker_color=COLOURS[col],
            hovertemplate=f"%{{y}}<br>{t(f'jenis.{col}', lang)}: %{{customdata:,d}}<extra></extra>",
        )
        for col, values, sign in (("laki_laki", male, -1), ("perempuan", female, 1))
    ]
    layout = _base_layout(height, lang)
    layout.update(
        title=_title(
            wrap_title(title, TITLE_NARROW), freshness_note(as_of, reported, expected, lang)
        ),
        barmode="relative",
        bargap=0.08,
        xaxis=dict(
            title=dict(text=t("grafik.jumlah_penduduk", lang)),
            tickmode="array",
            tickvals=tickvals,
            ticktext=[format_number(abs(v), lang) for v in tickvals],
            range=[-ticks * step * 1.02, ticks * step * 1.02],
            automargin=True,
            zeroline=True,
            zerolinecolor="#8a939b",
            gridcolor=AXIS["gridcolor"],
            linecolor=AXIS["linecolor"],
        ),
        yaxis=category_axis(title=dict(text=t("grafik.kelompok_umur", lang))),
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


# -- village comparison and trend (Kependudukan) ------------------------------------------------
# a qualitative palette that stays apart for colour-blind readers (Okabe–Ito, then tints)
CATEGORY_COLOURS = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#332288",
    "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#aa4499", "#882255", "#661100",
    "#6699cc", "#888888",
)  # fmt: skip
BELUM_MENGISI_COLOUR = "#c4cad0"
# rows that are no category of their own: greys, apart from the palette
SPECIAL_COLOURS = {"belum_mengisi": BELUM_MENGISI_COLOUR, "tidak_diselaraskan": "#6c757d"}


def share_bar(
    shares: pd.DataFrame,
    *,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    axis_title: str = "",
    as_of: object = None,
    reported: int | None = None,
    expected: int | None = None,
    highlight: str | None = None,
    empty_message: str | None = None,
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """100%-stacked horizontal bars: one bar per region, one colour per category (`names`:
    the text of special categories by code, as in `category_bar`).

    `shares` is `aggregates.indicators.compare_villages(...)`: kode_wilayah, nama_wilayah,
    kode, label, urutan_kategori, jumlah, total, persen. Each bar's customdata starts with
    its region code, so a click can select the region.
    """
    if shares is None or shares.empty:
        return empty_figure(empty_message or t("kosong.judul", lang))
    regions = shares.drop_duplicates("kode_wilayah")[["kode_wilayah", "nama_wilayah"]]
    region_names = [
        f"<b>{n}</b>" if k == highlight else str(n)
        for k, n in zip(regions["kode_wilayah"], regions["nama_wilayah"], strict=True)
    ]
    position = {k: i for i, k in enumerate(regions["kode_wilayah"])}
    categories = shares.drop_duplicates("urutan_kategori").sort_values("urutan_kategori")
    bars = []
    colour_index = 0
    for cat in categories.itertuples():
        part = shares[shares["urutan_kategori"] == cat.urutan_kategori]
        if cat.kode in SPECIAL_COLOURS:
            colour = SPECIAL_COLOURS[cat.kode]
        else:
            colour = CATEGORY_COLOURS[colour_index % len(CATEGORY_COLOURS)]
            colour_index += 1
        # every region gets a value (0 where it lacks the category): clicks map to the region
        x = [0.0] * len(regions)
        custom = [[k, 0, 0] for k in regions["kode_wilayah"]]
        for row in part.itertuples():
            i = position[row.kode_wilayah]
            x[i] = float(row.persen)
            custom[i] = [row.kode_wilayah, int(row.jumlah), int(row.total)]
        name = readable_label(cat.label, cat.kode, lang, names).replace("<br>", " ")
        bars.append(
            go.Bar(
                name=name,
                orientation="h",
                y=region_names,
                x=x,
                customdata=custom,
                marker_color=colour,
                hovertemplate=(
                    f"%{{y}}<br>{name}: %{{x:,.1f}}% "
                    "(%{customdata[1]:,d} / %{customdata[2]:,d})<extra></extra>"
                ),
            )
        )
    height = max(360, 170 + 24 * len(region_names))
    layout = _base_layout(height, lang)
    layout.update(
        title=_title(
            wrap_title(title, TITLE_FULL), freshness_note(as_of, reported, expected, lang)
        ),
        barmode="stack",
        bargap=0.2,
        xaxis=percent_axis(axis_title),
        yaxis=category_axis(autorange="reversed"),
        clickmode="event",
    )
    # the comparison spans the page: its legend wraps at the page's width
    frame_top(layout, [bar.name for bar in bars], width=WIDE)
    return go.Figure(data=bars, layout=layout)


def trend_line(
    series: pd.DataFrame,
    *,
    title: str,
    lang: str = DEFAULT_LANGUAGE,
    as_of: object = None,
    reported: int | None = None,
    expected: int | None = None,
    empty_message: str | None = None,
) -> go.Figure:
    """A value at each month end (`aggregates.indicators.trend`): waktu, jumlah, desa.

    Months without any collected value are left out rather than drawn as zero.
    """
    shown = series[series["jumlah"].notna()] if series is not None else None
    if shown is None or shown.empty:
        return empty_figure(empty_message or t("kosong.judul", lang))

    ticks = [f"{month_abbr(ts.month, lang)} {ts.year}" for ts in shown["waktu"]]
    desa = [int(n) for n in shown["desa"]]
    villages = t("kpx.tren_desa", lang, n="%{customdata:,d}")
    line = go.Scatter(
        x=ticks,
        y=[int(v) for v in shown["jumlah"]],
        customdata=desa,
        mode="lines+markers",
        line=dict(color=COLOURS["laki_laki"], width=2),
        marker=dict(size=7),
        hovertemplate=f"%{{x}}: %{{y:,d}}<br>{villages}<extra></extra>",
        showlegend=False,
    )
    layout = _base_layout(360, lang)
    layout.update(
        title=_title(
            wrap_title(title, TITLE_FULL), freshness_note(as_of, reported, expected, lang)
        ),
        xaxis=category_axis(),
        # a population grows by a few percent a year: the axis spans the values (its labels
        # say where), so the change can be seen; whole-number ticks all the same
        yaxis=count_axis(largest(line.y), t("kolom.jumlah", lang), rangemode="normal"),
    )
    frame_top(layout)
    return go.Figure(data=[line], layout=layout)
