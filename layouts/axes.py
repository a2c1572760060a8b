"""Value axes of the charts: counts with whole-number ticks, percentages, ratios, rupiah.

Every axis grows its margin to hold its tick labels and title (`automargin`): a fixed 10 px left
margin cut "12, 10, 8" to "2, 0, 8" (issue 8). Counts need whole ticks: left alone, plotly
puts a tick every 0.5 on a 0–2 axis and ",d" prints them as "0, 1, 1, 2, 2".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

GRID = dict(gridcolor="#e6e9ec", linecolor="#c4cad0", zerolinecolor="#c4cad0")
# from 10 up plotly never puts ticks closer than 1 apart: it draws at most 10 ticks an axis
SMALL_COUNT = 10
COUNT_FORMAT = ",d"  # 1.234 with the figures' separators
RATIO_FORMAT = ",.2~f"  # 2,5 or 12: decimals where there are some, never "2,50"
MONEY_FORMAT = ",.0f"


def largest(values: Iterable[object]) -> float:
    """The largest finite value (0 when there is none)."""
    found = [float(v) for v in values if v is not None and not pd.isna(v)]
    found = [v for v in found if math.isfinite(v)]
    return max(found, default=0.0)


def _title(text: str | None) -> dict:
    return {"title": dict(text=text, standoff=8)} if text else {}


def count_axis(top: float, title: str | None = None, **extra: object) -> dict:
    """A count axis from 0 with whole-number ticks; `top` is the largest value drawn (a
    stacked chart: the largest stack)."""
    axis: dict = dict(
        tickformat=COUNT_FORMAT, rangemode="tozero", automargin=True, **_title(title), **GRID
    )
    if top < SMALL_COUNT:
        axis.update(tick0=0, dtick=1)
    if top <= 0:  # nothing but zeros: plotly would draw -1 … 1
        axis.update(range=[0, 1])
    axis.update(extra)
    return axis


def percent_axis(title: str | None = None, **extra: object) -> dict:
    """0–100 %, a tick every 20."""
    axis: dict = dict(
        range=[0, 100], tick0=0, dtick=20, ticksuffix="%", automargin=True, **_title(title), **GRID
    )
    axis.update(extra)
    return axis


def ratio_axis(title: str | None = None, **extra: object) -> dict:
    """A ratio (pupils per teacher): decimals where the ticks need them."""
    axis: dict = dict(
        tickformat=RATIO_FORMAT, rangemode="tozero", automargin=True, **_title(title), **GRID
    )
    axis.update(extra)
    return axis


def money_axis(title: str | None = None, **extra: object) -> dict:
    """Rupiah: few ticks (the labels are long), whole numbers."""
    axis: dict = dict(
        tickformat=MONEY_FORMAT, nticks=5, rangemode="tozero", automargin=True, **_title(title),
        **GRID,
    )  # fmt: skip
    axis.update(extra)
    return axis


def category_axis(**extra: object) -> dict:
    """The axis of category labels (villages, programmes, months)."""
    axis: dict = dict(type="category", automargin=True, **GRID)
    axis.update(extra)
    return axis
