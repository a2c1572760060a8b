"""The rollup's health and education tables (issue 12; see aggregates.rollup): what the
Kesehatan and Pendidikan pages (dashboard.scaffold.periods) and their API tables read, computed
once per run over every village with the functions the pages used per view
(aggregates.health_education):

- `PERIODS`: each stored (dataset, periode), the pages' dataset, grain and period choices;
- `village_key`: the per-village table of each dataset, grain and period a page offers (""
  when the dataset has none), read per region as the slice of its villages;
- `trend_key`: the trend of each dataset and grain per region of each level (a region's trend
  totals its villages, so it is not a slice of the villages' rows: it is stored per level);
- `last_key`: each village's latest period of a dataset (who has data, and since when).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from aggregates import health_education as he
from aggregates.finance import villages as registry_villages
from aggregates.rollup_inputs import RollupInputs
from warehouse.rollups import FrameKey

PERIODS = FrameKey("he.periode", "")


def village_key(dataset: str, grain: str, periode: str) -> FrameKey:
    """The per-village table of one dataset and period at `grain` (`he.village_table`)."""
    return FrameKey(f"he.desa.{grain}", "desa", dataset, periode)


def trend_key(dataset: str, grain: str, tingkat: str) -> FrameKey:
    """The trend of one dataset at `grain` per region of `tingkat` (`he.trend`)."""
    return FrameKey(f"he.tren.{grain}", tingkat, dataset)


def last_key(dataset: str) -> FrameKey:
    """Each village's latest period of one dataset (`he.last_period_frame`)."""
    return FrameKey("he.terakhir", "desa", dataset)


def level_widths(regions: pd.DataFrame) -> dict[str, int]:
    """Each level of the regions frame and the length of its codes (desa 13, kecamatan 8…)."""
    if regions.empty:
        return {}
    length = regions.assign(n=regions["kode"].astype(str).str.len()).groupby("tingkat")["n"]
    return {str(t): int(n) for t, n in length.max().items()}


def frames(inputs: RollupInputs) -> Iterator[tuple[FrameKey, pd.DataFrame]]:
    """Every health and education table the pages and the API read, under its key."""
    meas, regions = inputs.measurements, inputs.regions
    if not meas.empty:
        meas = meas[meas["dataset"].isin(he.DATASETS)]
    # each dataset reads only its own rows: split once (the same rows, in the same order)
    by_dataset = dict(tuple(meas.groupby("dataset", sort=False))) if len(meas) else {}
    choices = he.period_choices(meas)
    yield PERIODS, choices
    widths = level_widths(regions)
    desa = registry_villages(regions)[he.REGION_COLUMNS]
    for dataset in he.DATASETS:
        rows = by_dataset.get(dataset, meas.iloc[0:0])
        yield last_key(dataset), he.last_period_frame(rows, dataset)
        measures = he.base_measures(rows, dataset)
        for grain in he.grains(dataset):
            # no period: the page shows every village as not reported, under periode ""
            periods = he.periods_in(choices, dataset, grain) or [""]
            vp = he.village_periods(rows, dataset, grain)
            for periode in periods:
                table = he.period_table(desa, vp, measures, dataset, periode)
                yield village_key(dataset, grain, periode), table
            for tingkat, width in widths.items():
                yield trend_key(dataset, grain, tingkat), he.trend_of(vp, dataset, measures, width)
