"""Figures and grids for the finance pages (APBDes, pembangunan, bantuan): pure builders,
a DataFrame in, a `go.Figure` (graph_objects only) or an AG Grid out.

Every figure takes its freshness note ("data per <date>, N dari M desa") as `note` and its
texts already translated, so builders stay free of the request context.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import dash_ag_grid as dag
import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n import DEFAULT_LANGUAGE
from layouts.figures import AXIS, _base_layout, _title, empty_figure, readable_label
from layouts.tables import NUMBER_FORMATTER, grid, row_data

COLOURS = {"anggaran": "#9bbbd9", "realisasi": "#154360", "sorot": "#d9822b", "bar": "#2f6fb0"}
BAR_HEIGHT = 26
TITLE_WIDTH = 52  # characters of a title line in a half-width chart


def _wrap(title: str) -> str:
    """The finance charts stand two to a row: a long title goes on two lines, not under the
    mode bar."""
    return "<br>".join(textwrap.wrap(title, TITLE_WIDTH)) if len(title) > TITLE_WIDTH else title


def _title_room(layout: dict, title: str) -> None:
    """A wrapped title needs the top margin of its extra lines."""
    extra = _wrap(title).count("<br>")
    if extra:
        layout["margin"] = {**layout["margin"], "t": layout["margin"]["t"] + 20 * extra}


def _floats(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in values]


def budget_bars(
    table: pd.DataFrame,
    *,
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
    layout = _base_layout(max(360, 130 + 2 * BAR_HEIGHT * len(labels)))
    layout.update(
        title=_title(_wrap(title), note),
        barmode="group",
        bargap=0.25,
        xaxis=dict(
            title=dict(text=axis_title), tickformat=",.0f", nticks=5, automargin=True, **AXIS
        ),  # fmt: skip
        yaxis=dict(autorange="reversed", automargin=True, type="category", **AXIS),
    )
    _title_room(layout, title)
    return go.Figure(data=bars, layout=layout)


def absorption_ranking(
    table: pd.DataFrame,
    *,
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
        highlight=highlight,
        title=title,
        note=note,
        hover="%{y}<br>%{x:,.1f} %<extra></extra>",
        value_axis=dict(title=dict(text=axis_title), range=[0, 100], ticksuffix=" %"),
    )


def _clickable_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    keys: Sequence[str],
    *,
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
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * len(keys)))
    layout.update(
        title=_title(_wrap(title), note),
        showlegend=False,
        xaxis=dict(**value_axis, **AXIS),
        yaxis=dict(autorange="reversed", automargin=True, type="category", **AXIS),
    )
    _title_room(layout, title)
    return go.Figure(data=[bar], layout=layout)


def _simple_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    note: str,
    axis_title: str,
    hover: str,
    horizontal: bool = True,
    customdata: Sequence | None = None,
) -> go.Figure:
    bar = go.Bar(
        orientation="h" if horizontal else "v",
        y=list(labels) if horizontal else list(values),
        x=list(values) if horizontal else list(labels),
        customdata=list(customdata) if customdata is not None else None,
        marker_color=COLOURS["bar"],
        hovertemplate=hover,
    )
    layout = _base_layout(max(360, 130 + BAR_HEIGHT * len(labels)) if horizontal else 380)
    # rupiah labels are long: few ticks, and margins that grow to hold them and the title
    value_axis = dict(
        title=dict(text=axis_title, standoff=8), tickformat=",.0f", nticks=5, automargin=True,
        **AXIS,
    )  # fmt: skip
    label_axis = dict(automargin=True, type="category", **AXIS)
    if horizontal:
        layout.update(xaxis=value_axis, yaxis=dict(autorange="reversed", **label_axis))
    else:
        layout.update(xaxis=label_axis, yaxis=value_axis)
    layout.update(title=_title(_wrap(title), note), showlegend=False)
    _title_room(layout, title)
    return go.Figure(data=[bar], layout=layout)


def funding_source_bars(
    table: pd.DataFrame, *, title: str, note: str, axis_title: str, empty_message: str
) -> go.Figure:
    """Project budget by funding source (`by_funding_source`), the number of projects in hover."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    return _simple_bars(
        [readable_label(v) for v in table["sumber_dana"]],
        _floats(table["anggaran"]),
        title=title,
        note=note,
        axis_title=axis_title,
        customdata=[int(v) for v in table["jumlah_kegiatan"]],
        hover="%{y}<br>Rp %{x:,.0f}<br>%{customdata:,d} ×<extra></extra>",
    )


def progress_bars(
    table: pd.DataFrame, *, title: str, note: str, axis_title: str, empty_message: str
) -> go.Figure:
    """Projects per progress value (`progress_distribution`): 0 %, 30 %, 80 %, 100 %."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    labels = [f"{float(p):,.0f} %".replace(",", ".") for p in table["progres"]]
    return _simple_bars(
        labels,
        [int(v) for v in table["jumlah_kegiatan"]],
        title=title,
        note=note,
        axis_title=axis_title,
        horizontal=False,
        hover="%{x}: %{y:,d}<extra></extra>",
    )


def program_bars(
    table: pd.DataFrame, *, title: str, note: str, axis_title: str, empty_message: str
) -> go.Figure:
    """Recipients per programme (`bantuan_programs`), most first."""
    if table is None or table.empty:
        return empty_figure(empty_message)
    return _simple_bars(
        [readable_label(v) for v in table["program"]],
        _floats(table["peserta"]),
        title=title,
        note=note,
        axis_title=axis_title,
        hover="%{y}: %{x:,.0f}<extra></extra>",
    )


def region_bars(
    table: pd.DataFrame,
    *,
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
        highlight=highlight,
        title=title,
        note=note,
        hover=f"%{{y}}<br>{prefix}%{{x:,.{decimals}f}}<extra></extra>",
        value_axis=dict(title=dict(text=axis_title), tickformat=",.0f", nticks=5, automargin=True),
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
    """An AG Grid with translated `headers`; `numbers` right-aligned in Indonesian format;
    `decimals` per number column (default 0); village names as links to their
    profile; `row_id` a JS expression for getRowId."""
    defs = []
    for col in columns:
        d: dict = {"field": col, "headerName": headers.get(col, col), "headerTooltip": col}
        if col in numbers:
            d.update(
                type="rightAligned",
                filter="agNumberColumnFilter",
                valueFormatter=(
                    {"function": f"angkaID(params.value, {decimals[col]})"}
                    if decimals and col in decimals
                    else NUMBER_FORMATTER
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
