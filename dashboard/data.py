"""What pages read: aggregates cached by the id of the latest completed run (of any kind: an
import shows at once).

The totals, statistics and indicators of every level come from the rollup stored once per
run (aggregates.rollup, warehouse.rollups), read as slices: one level, one statistic, one
region. Only what no rollup holds (a village's own rows, the pyramid, the comparisons) loads
the observations, on first use. Without a rollup yet (a warehouse from before issue 12, or
`rollups = 0`) every aggregate is computed from the observations, as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.exc import DBAPIError

from aggregates.indicators import indicators as indicators_table
from aggregates.load import load_population
from aggregates.population import PopulationData, statistic_table, totals_table
from aggregates.rollup import INDIKATOR, STATISTIK, TOTALS
from aggregates.status import last_run_summary, village_status
from warehouse.models import VILLAGE_RUN_KINDS
from warehouse.rollups import CurrentRollup, FrameKey, current_rollup, read_frame
from warehouse.store import Warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything pages need, for one run; never mutated after it is built.

    `run_id` is the newest completed run of any kind (the cache key); `runs` and
    `dataset_status` are collections (and pushes) only, `import_status` the imports;
    `rollup` the stored rollup its aggregates are read from (None: from the observations,
    `load` giving them, or `preloaded`)."""

    run_id: int | None
    regions: pd.DataFrame
    dataset_status: pd.DataFrame
    runs: pd.DataFrame
    import_status: pd.DataFrame = field(default_factory=pd.DataFrame)
    preloaded: PopulationData | None = None
    load: Callable[[], PopulationData] | None = None
    store: Warehouse | None = None
    rollup: CurrentRollup | None = None
    _loaded: dict = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def population(self) -> PopulationData:
        """Every current observation: loaded on first use only (what no rollup holds)."""
        if self.preloaded is not None:
            return self.preloaded
        if "population" not in self._loaded:
            with self._lock:
                if "population" not in self._loaded:
                    if self.load is None:
                        raise RuntimeError("snapshot without observations")
                    self._loaded["population"] = self.load()
        return self._loaded["population"]

    def last_run(self) -> dict:
        """The newest completed collection: "Pengumpulan terakhir" (never an import)."""
        return last_run_summary(self.runs)

    def _sliced(self, key: FrameKey, kode: str | None) -> pd.DataFrame | None:
        """The rollup's table for `key` (the rows of `kode` and below), or None when no
        rollup holds it, or when `kode` lies below the level (a kecamatan's part of the
        kabupaten, which only the observations give)."""
        if self.rollup is None or self.store is None:
            return None
        if kode and len(kode) > self._level_code_length(key.tingkat):
            return None
        return read_frame(self.store, self.rollup.id, key, kode)

    def _level_code_length(self, tingkat: str) -> int:
        if "code_length" not in self._loaded:
            regions = self.regions
            self._loaded["code_length"] = (
                regions.assign(n=regions["kode"].str.len()).groupby("tingkat")["n"].max().to_dict()
                if not regions.empty
                else {}
            )
        return int(self._loaded["code_length"].get(tingkat, 0))

    def rolled(
        self, key: FrameKey, kode: str | None, compute: Callable[[], pd.DataFrame]
    ) -> pd.DataFrame:
        """The rollup's table for `key` — with `kode`, its rows whose region (or village)
        column is `kode` or a code under it — or `compute()` when no rollup holds that table
        (none yet, `rollups = 0`, or a rollup from before its producer existed)."""
        if self.rollup is not None and self.store is not None:
            found = read_frame(self.store, self.rollup.id, key, kode)
            if found is not None:
                return found
        return compute()

    def totals(self, tingkat: str, kode: str | None = None) -> pd.DataFrame:
        found = self._sliced(FrameKey(TOTALS, tingkat), kode)
        return found if found is not None else totals_table(self.population, tingkat, kode)

    def statistic(self, slug: str, tingkat: str, kode: str | None = None) -> pd.DataFrame:
        found = self._sliced(FrameKey(STATISTIK, tingkat, slug), kode)
        if found is not None:
            return found
        return statistic_table(self.population, slug, tingkat, kode)

    def indicators(self, tingkat: str, kode: str | None = None) -> pd.DataFrame:
        """Sex ratio, dependency ratio, persons per family per region of a level."""
        found = self._sliced(FrameKey(INDIKATOR, tingkat), kode)
        return found if found is not None else indicators_table(self.population, tingkat, kode)

    def village_status(self, kode: str | None = None) -> pd.DataFrame:
        return village_status(self.regions, self.totals("desa", kode), self.dataset_status, kode)


class DataSource:
    """Builds a Snapshot once per completed run and rollup; a new one refreshes every page.

    `rollups=False` serves every aggregate from the observations (the path before issue 12,
    kept for the comparison in bench/pages.py and the equality tests)."""

    def __init__(self, store: Warehouse, *, rollups: bool = True) -> None:
        self.store = store
        self.rollups = rollups
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._key: tuple | None = None

    def version(self) -> tuple:
        """(newest completed run, current rollup): two cheap queries; a change of either
        gives a new snapshot (a rollup lands a moment after its run, or after a repair)."""
        rollup = None
        if self.rollups:
            try:
                rollup = current_rollup(self.store)
            except DBAPIError:  # no rollup tables (a warehouse stamped past 0009 early)
                log.warning("no rollup to read; pages compute from the observations", exc_info=True)
        return self.store.latest_run_id(), rollup

    def snapshot(self) -> Snapshot:
        key = self.version()
        current = self._snapshot
        if current is not None and self._key == key:
            return current
        with self._lock:
            if self._snapshot is None or self._key != key:
                run_id, rollup = key
                store = self.store
                self._snapshot = Snapshot(
                    run_id=run_id,
                    regions=store.regions_frame(),
                    dataset_status=store.dataset_status_frame(),
                    runs=store.runs_frame(kinds=VILLAGE_RUN_KINDS),
                    import_status=store.import_status_frame(),
                    load=lambda: load_population(store),
                    store=store,
                    rollup=rollup,
                )
                self._key = key
            return self._snapshot
