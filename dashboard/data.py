"""What pages read: aggregates cached by the id of the latest completed run (of any kind: an
import shows at once)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd

from aggregates.load import load_population
from aggregates.population import PopulationData, statistic_table, totals_table
from aggregates.status import last_run_summary, village_status
from warehouse.models import VILLAGE_RUN_KINDS
from warehouse.store import Warehouse


@dataclass(frozen=True)
class Snapshot:
    """Everything pages need, for one run; never mutated after it is built.

    `run_id` is the newest completed run of any kind (the cache key); `runs` and
    `dataset_status` are collections (and pushes) only, `import_status` the imports."""

    run_id: int | None
    population: PopulationData
    dataset_status: pd.DataFrame
    runs: pd.DataFrame
    import_status: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def regions(self) -> pd.DataFrame:
        return self.population.regions

    def last_run(self) -> dict:
        """The newest completed collection: "Pengumpulan terakhir" (never an import)."""
        return last_run_summary(self.runs)

    def totals(self, tingkat: str, kode: str | None = None) -> pd.DataFrame:
        return totals_table(self.population, tingkat, kode)

    def statistic(self, slug: str, tingkat: str, kode: str | None = None) -> pd.DataFrame:
        return statistic_table(self.population, slug, tingkat, kode)

    def village_status(self, kode: str | None = None) -> pd.DataFrame:
        return village_status(self.regions, self.totals("desa", kode), self.dataset_status, kode)


class DataSource:
    """Builds a Snapshot once per completed run; a new run refreshes every page."""

    def __init__(self, store: Warehouse) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        run_id = self.store.latest_run_id()
        current = self._snapshot
        if current is not None and current.run_id == run_id:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.run_id != run_id:
                self._snapshot = Snapshot(
                    run_id=run_id,
                    population=load_population(self.store),
                    dataset_status=self.store.dataset_status_frame(),
                    runs=self.store.runs_frame(kinds=VILLAGE_RUN_KINDS),
                    import_status=self.store.import_status_frame(),
                )
            return self._snapshot
