"""The rollup's monitoring tables (issue 12): see aggregates.rollup.

Pemantauan's outliers need the history and the current values of every village's totals:
they are computed once per run (`PENCILAN`, one row per village and indicator, peers being
every village of the registry, so a region's rows are the kabupaten's rows under it). The
freshness classes depend on the clock, so their inputs are stored instead (`PERCOBAAN`, each
village's latest attempts; `SISTEM`, its system), and the page classifies them per hour.
Completeness and the per-kecamatan summary come from the snapshot's dataset status, as the
freshness does (the same moment for both).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from aggregates import monitoring as mon
from aggregates.rollup_inputs import RollupInputs
from config.statistik import TOTALS_DATASET
from warehouse.rollups import FrameKey

PENCILAN = "pmt.pencilan"
PERCOBAAN = "pmt.percobaan"
SISTEM = "pmt.sistem"
# what the freshness reads of the source state (not the HTTP validators)
SISTEM_COLUMNS = ["kode_desa", "endpoint", "source_app", "source_version", "updated_at"]

PENCILAN_COLUMNS = ["kode_desa", "nama_desa", "indikator", "nilai", "pembanding", "skor", "alasan"]


def named_outliers(
    history: pd.DataFrame, observations: pd.DataFrame, regions: pd.DataFrame
) -> pd.DataFrame:
    """`monitoring.outliers` with each village's name, in the page's columns."""
    outliers = mon.outliers(history, observations)
    names = mon._villages(regions)[["kode_desa", "nama_desa"]]
    return outliers.merge(names, on="kode_desa", how="left").reindex(columns=PENCILAN_COLUMNS)


def frames(inputs: RollupInputs) -> Iterator[tuple[FrameKey, pd.DataFrame]]:
    """Every monitoring table the pages and the API read, under its key."""
    store = inputs.store
    history = store.history_frame(datasets=[TOTALS_DATASET])
    observations = store.observations_frame(datasets=[TOTALS_DATASET])
    yield FrameKey(PENCILAN, "desa"), named_outliers(history, observations, inputs.regions)
    yield FrameKey(PERCOBAAN, "desa"), store.latest_attempts_frame()
    yield FrameKey(SISTEM, "desa"), system_frame(store.source_state_frame())


def system_frame(source_state: pd.DataFrame) -> pd.DataFrame:
    """The columns of the source state `monitoring.freshness` reads."""
    return source_state.reindex(columns=SISTEM_COLUMNS)
