"""The top of a chart: its title (wrapped to its panel) and note, then its legend, each in
room of its own.

A legend pinned to the top of the plot (plotly's paper y=1) grows upwards as it wraps and ran
over the title and the "data per …" note (issue 8). Here the legend hangs from the bottom of the
title block instead (in container coordinates, which plotly places in pixels) and the top margin
is made to hold the title lines and every legend row, estimated for the narrowest panel the
chart is shown in; a wider panel only leaves a little white space under the legend.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

PAD_TOP = 12  # the title's pad from the top edge (layouts.figures._title)
LINE = 21  # plotly's line spacing: 1.3 em of the 16 px title font, for every line
GAP = 8
ROW = 22  # one row of a horizontal legend (13 px font)
SYMBOL = 44  # a legend entry's symbol, gap and padding, in pixels
CHAR = 7.2  # the average width of a character of the 13 px font
NARROW = 520  # the plotting width of a half-page panel, the narrowest one on a wide screen
# characters of a title line (16 px bold) beside the mode bar: half a page, 7/12, 5/12, all
TITLE_HALF, TITLE_WIDE, TITLE_NARROW, TITLE_FULL = 52, 64, 46, 110


def wrap_title(title: str, width: int = TITLE_HALF) -> str:
    """A title on lines of at most `width` characters, so it neither runs under the mode bar
    nor off the panel; parts already on lines of their own (after "<br>") and parts with
    markup are kept as they are."""
    lines = []
    for part in title.split("<br>"):
        if "<" in part or len(part) <= width:
            lines.append(part)
        else:
            lines.extend(textwrap.wrap(part, width, break_on_hyphens=False))
    return "<br>".join(lines)


def title_lines(layout: dict) -> int:
    """How many lines the title takes (its note included)."""
    title = layout.get("title") or {}
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    return text.count("<br>") + 1 if text else 0


def legend_rows(names: Sequence[str], width: int = NARROW) -> int:
    """How many rows a horizontal legend of `names` wraps into at `width` pixels."""
    rows, used = 0, math.inf
    for name in names:
        entry = SYMBOL + CHAR * len(str(name).replace("<br>", " "))
        if used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def frame_top(layout: dict, names: Sequence[str] = (), *, width: int = NARROW) -> dict:
    """Set the top margin for the title and, when there are legend entries (`names`: two or
    more, or one with `showlegend` True), a horizontal legend right under the title.
    Returns `layout`."""
    top = PAD_TOP + LINE * title_lines(layout) + GAP
    wanted = layout.get("showlegend")
    shown = bool(names) and (wanted is True or (len(names) > 1 and wanted is not False))
    rows = legend_rows(names, width) if shown else 0
    if shown:
        layout["legend"] = dict(
            orientation="h",
            xref="container",
            yref="container",
            x=0,
            xanchor="left",
            # container y runs 0 (bottom) … 1 (top) over the figure's height
            y=1 - top / layout["height"],
            yanchor="top",
            # plotly's legend has 10 px of padding: line its symbols up with the title
            bgcolor="rgba(255,255,255,0)",
        )
    margin = dict(layout.get("margin") or {})
    margin["t"] = top + ROW * rows + GAP
    layout["margin"] = margin
    return layout
