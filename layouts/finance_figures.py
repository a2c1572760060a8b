"""Figures and grids for the finance pages (APBDes, pembangunan, bantuan): pure builders,
a DataFrame in, a `go.Figure` (graph_objects only) or an AG Grid out.

Every figure takes its freshness note ("data per <date>, N dari M desa") as `note` and its
texts already translated, and `lang` for how its numbers are written, so builders stay free of
the request context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_ag_grid as dag
import pandas as pd
import plotly.graph_objects as go

from i18n.catalogue import DEFAULT_LANGUAGE
from i18n.format import format_percent
from layouts.axes import category_axis, count_axis, largest, money_axis, percent_axis
from layouts.chart_top import frame_top, wrap_title
from layouts.figures import _base_layout, _title, empty_figure, readable_label
from layouts.tables import grid, number_formatter, row_data

COLOURS = {"anggaran": "#9bbbd9", "realisasi": "#154360", "sorot": "#d9822b", "bar": "#2f6fb0"}
# aid targets (penduduk, keluarga, rumah tangga, kelompok, none): apart for colour-blind readers
TARGET_COLOURS = ("#2f6fb0", "#d9822b", "#009e73", "#cc79a7", "#8a939b")
BAR_HEIGHT = 26


def _floats(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def budget_bars(
    table: pd.DataFrame,
    *,
    lang: str,
    label_col: str,
    key_col: str,
    title: str,
    note: str,
    names: Mapping[str, str],
    axis_title: str,
    empty_message: str,
) -> go.Figure:
    """Anggaran vs realisasi, horizontal grouped bars per row of `table` (villages, kecamatan
    or account groups), in the table's order. `key_col` goes to customdata for click-through;
    `names` gives the legend texts for "anggaran" and "realisasi"."""
    if table is None or table.empty or table["anggaran"].isna().all():
        return empty_figure(empty_message)
    labels = [readable_label(v) for v in table[label_col]]
    keys = [str(k) for k in table[key_col]]
    bars = [
        go.Bar(
            name=names[col],
            orientation="h",
            y=labels,
            x=_floats(table[col]),
            customdata=keys,
            marker_color=COLOURS[col],
            hovertemplate=f"%{{y}}<br>{names[col]}: Rp %{{x:,.0f}}<extra></extra>",
        )
        for col in ("anggaran", "realisasi")
    ]
    layout = _base_layout(max(360, 130 + 2 * BAR_HEIGHT * len(labels)), lang)
    layout.update(
        title=_title(wrap_title(title), note),
        barmode="group",
        bargap=0.25,
        xaxis=money_axis(axis_title),
        yaxis=category_axis(autorange="reversed"),
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


def absorption_ranking(
    table: pd.DataFrame,
    *,
    lang: str,
    title: str,
    note: str,
    axis_title: str,
    empty_message: str,
    highlight: str | None = None,
) -> go.Figure:
    """Villages by belanja absorption (serapan_belanja %), highest on top; `highlight` marks
    one village (its kode_desa). customdata holds kode_desa for click-through."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    return _clickable_bars(
        [f"{r}. {n}" for r, n in zip(table["peringkat"], table["nama_desa"], strict=True)],
        _floats(table["serapan_belanja"]),
        [str(k) for k in table["kode_desa"]],
        lang=lang,
        highlight=highlight,
        title=title,
        note=note,
        hover="%{y}<br>%{x:,.1f} %<extra></extra>",
        value_axis=percent_axis(axis_title, ticksuffix=" %"),
    )


def _clickable_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    keys: Sequence[str],
    *,
    lang: str,
    highlight: str | None,
    title: str,
    note: str,
    hover: str,
    value_axis: dict,
) -> go.Figure:
    """Horizontal bars, one per region, first on top; `keys` (region codes) in customdata
    for click-through; the bar of `highlight` in the highlight colour."""
    bar = go.Bar(
        orientation="h",
        y=list(labels),
        x=list(values),
        customdata=list(keys),
        marker_color=[COLOURS["sorot"] if k == highlight else COLOURS["bar"] for k in keys],
        hovertemplate=hover,
    )
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * len(keys)), lang)
    layout.update(
        title=_title(wrap_title(title), note),
        showlegend=False,
        xaxis=value_axis,
        yaxis=category_axis(autorange="reversed"),
    )
    frame_top(layout)
    return go.Figure(data=[bar], layout=layout)


def _simple_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    lang: str,
    title: str,
    note: str,
    hover: str,
    value_axis: dict,
    horizontal: bool = True,
    customdata: Sequence | None = None,
) -> go.Figure:
    """One bar per label; `value_axis` (layouts.axes) says what the values are."""
    bar = go.Bar(
        orientation="h" if horizontal else "v",
        y=list(labels) if horizontal else list(values),
        x=list(values) if horizontal else list(labels),
        customdata=list(customdata) if customdata is not None else None,
        marker_color=COLOURS["bar"],
        hovertemplate=hover,
    )
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * len(labels)) if horizontal else 380, lang)
    if horizontal:
        layout.update(xaxis=value_axis, yaxis=category_axis(autorange="reversed"))
    else:
        layout.update(xaxis=category_axis(), yaxis=value_axis)
    layout.update(title=_title(wrap_title(title), note), showlegend=False)
    frame_top(layout)
    return go.Figure(data=[bar], layout=layout)


def funding_source_bars(
    table: pd.DataFrame, *, lang: str, title: str, note: str, axis_title: str, empty_message: str
) -> go.Figure:
    """Project budget by funding source (`by_funding_source`), the number of projects in hover."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    return _simple_bars(
        [readable_label(v) for v in table["sumber_dana"]],
        _floats(table["anggaran"]),
        lang=lang,
        title=title,
        note=note,
        value_axis=money_axis(axis_title),
        customdata=[int(v) for v in table["jumlah_kegiatan"]],
        hover="%{y}<br>Rp %{x:,.0f}<br>%{customdata:,d} ×<extra></extra>",
    )


def progress_bars(
    table: pd.DataFrame, *, lang: str, title: str, note: str, axis_title: str, empty_message: str
) -> go.Figure:
    """Projects per progress value (`progress_distribution`): 0 %, 30 %, 80 %, 100 %."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    labels = [format_percent(float(p), lang, 0) for p in table["progres"]]
    counts = [int(v) for v in table["jumlah_kegiatan"]]
    return _simple_bars(
        labels,
        counts,
        lang=lang,
        title=title,
        note=note,
        value_axis=count_axis(largest(counts), axis_title),
        horizontal=False,
        hover="%{x}: %{y:,d}<extra></extra>",
    )


def program_bars(
    table: pd.DataFrame,
    *,
    lang: str,
    title: str,
    note: str,
    axis_title: str,
    empty_message: str,
    targets: Mapping[int, str],
) -> go.Figure:
    """Recipients per programme (`bantuan_programs`), most first, coloured by target: one
    trace per target (`targets`: sasaran code → legend text), so the legend says whom each
    programme gives to. A programme has one target, so no bar adds targets together."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    labels = [readable_label(v) for v in table["program"]]
    codes = [0 if pd.isna(v) else int(v) for v in table["sasaran"]]
    counts = [0 if pd.isna(v) else int(v) for v in table["peserta"]]
    bars = []
    for i, (code, name) in enumerate(targets.items()):
        mine = [c == code for c in codes]
        if not any(mine):
            continue
        bars.append(
            go.Bar(
                name=name,
                orientation="h",
                y=[lab for lab, m in zip(labels, mine, strict=True) if m],
                x=[n for n, m in zip(counts, mine, strict=True) if m],
                marker_color=TARGET_COLOURS[i % len(TARGET_COLOURS)],
                hovertemplate=f"%{{y}}<br>{name}: %{{x:,d}}<extra></extra>",
            )
        )
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * len(labels)), lang)
    layout.update(
        title=_title(wrap_title(title), note),
        # one bar per programme: the traces only colour them
        barmode="relative",
        bargap=0.25,
        showlegend=True,
        xaxis=count_axis(largest(counts), axis_title),
        yaxis=category_axis(autorange="reversed", categoryorder="array", categoryarray=labels),
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


def target_region_bars(
    table: pd.DataFrame,
    series: Sequence[tuple[str, str]],
    *,
    lang: str,
    title: str,
    note: str,
    axis_title: str,
    empty_message: str,
    highlight: str | None = None,
) -> go.Figure:
    """Recipients per kecamatan or village, one bar per target side by side (`series`:
    (column, legend text) each, from a table with kode, nama and those columns), never one bar
    for all targets; customdata holds the region code for the drill-down; the `highlight`
    region's name in bold."""
    shown = [(col, name) for col, name in series if col in table and table[col].notna().any()]
    if table is None or table.empty or not shown:
        return empty_figure(empty_message)
    keys = [str(k) for k in table["kode"]]
    labels = [
        f"<b>{readable_label(n)}</b>" if k == highlight else readable_label(n)
        for k, n in zip(keys, table["nama"], strict=True)
    ]
    bars = [
        go.Bar(
            name=name,
            orientation="h",
            y=labels,
            x=_floats(table[col]),
            customdata=keys,
            marker_color=TARGET_COLOURS[i % len(TARGET_COLOURS)],
            hovertemplate=f"%{{y}}<br>{name}: %{{x:,.0f}}<extra></extra>",
        )
        for i, (col, name) in enumerate(shown)
    ]
    per_row = len(bars)
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * max(per_row, 1) * len(keys) * 0.75), lang)
    layout.update(
        title=_title(wrap_title(title), note),
        barmode="group",
        bargap=0.2,
        showlegend=True,
        xaxis=count_axis(largest(v for bar in bars for v in bar.x), axis_title),
        yaxis=category_axis(autorange="reversed"),
        clickmode="event",
    )
    frame_top(layout, [bar.name for bar in bars])
    return go.Figure(data=bars, layout=layout)


def region_bars(
    table: pd.DataFrame,
    *,
    lang: str,
    title: str,
    note: str,
    axis_title: str,
    empty_message: str,
    highlight: str | None = None,
    decimals: int = 0,
    prefix: str = "",
) -> go.Figure:
    """One bar per kecamatan or village (`region_values`), in the table's order; customdata
    holds the region code so a click drills down; `highlight` marks one code."""
    if table is None or table.empty or table["nilai"].isna().all():
        return empty_figure(empty_message)
    return _clickable_bars(
        [readable_label(v) for v in table["nama"]],
        _floats(table["nilai"]),
        [str(k) for k in table["kode"]],
        lang=lang,
        highlight=highlight,
        title=title,
        note=note,
        hover=f"%{{y}}<br>{prefix}%{{x:,.{decimals}f}}<extra></extra>",
        value_axis=money_axis(axis_title)
        if prefix
        else count_axis(largest(table["nilai"]), axis_title),
    )


# -- grids ---------------------------------------------------------------------------------
def desa_link(kode: object, nama: object) -> str | None:
    """A markdown link to a village's profile page (the grid renders it)."""
    if nama is None or pd.isna(nama):
        return None
    text = str(nama).replace("[", "(").replace("]", ")")
    return f"[{text}](/desa/{kode})"


def grid_rows(
    df: pd.DataFrame, columns: Sequence[str], lang: str = DEFAULT_LANGUAGE, link: bool = True
) -> list[dict]:
    """JSON rows for a finance grid; nama_desa becomes a link to /desa/<kode> when `link`."""
    rows = row_data(df, columns, lang)
    if link and "nama_desa" in columns and "kode_desa" in df:
        for row, kode in zip(rows, df["kode_desa"], strict=True):
            row["nama_desa"] = desa_link(kode, row["nama_desa"])
    return rows


def finance_grid(
    id: str,
    df: pd.DataFrame,
    columns: Sequence[str],
    headers: Mapping[str, str],
    *,
    numbers: Sequence[str] = (),
    decimals: Mapping[str, int] | None = None,
    lang: str = DEFAULT_LANGUAGE,
    height: int | None = 460,
    row_id: str | None = None,
    link: bool = True,
) -> dag.AgGrid:
    """An AG Grid with translated `headers`; `numbers` right-aligned in the language's format;
    `decimals` per number column (default 0); village names as links to their
    profile; `row_id` a JS expression for getRowId."""
    defs = []
    for col in columns:
        d: dict = {"field": col, "headerName": headers.get(col, col), "headerTooltip": col}
        if col in numbers:
            d.update(
                type="rightAligned",
                filter="agNumberColumnFilter",
                valueFormatter=number_formatter(
                    lang, decimals[col] if decimals and col in decimals else None
                ),
                cellClass=["ag-right-aligned-cell", "angka"],
                minWidth=130,
            )
        elif col == "nama_desa" and link:
            d.update(cellRenderer="markdown", filter="agTextColumnFilter", minWidth=160)
        else:
            d.update(filter="agTextColumnFilter", tooltipField=col, minWidth=110)
        defs.append(d)
    extra = {"getRowId": row_id} if row_id else {}
    return grid(id, grid_rows(df, columns, lang, link), defs, lang=lang, height=height, **extra)
