"""What a rollup is computed from (aggregates.rollup): the run's inputs, each read from the
warehouse once, shared by the producers of every page family."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from aggregates.population import PopulationData
from warehouse.rollups import FrameKey
from warehouse.store import Warehouse


@dataclass
class RollupInputs:
    """What a rollup is computed from, each read from the warehouse once, on first use."""

    store: Warehouse
    population: PopulationData
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def regions(self) -> pd.DataFrame:
        return self.population.regions

    @property
    def measurements(self) -> pd.DataFrame:
        """Every current measurement (the finance, health and education datasets)."""
        if "measurements" not in self._cache:
            self._cache["measurements"] = self.store.measurements_frame()
        return self._cache["measurements"]

    def once(self, key: str, read: Callable[[], object]) -> object:
        """`read()` once per rollup (inputs more than one producer needs)."""
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]


Producer = Callable[[RollupInputs], Iterator[tuple[FrameKey, pd.DataFrame]]]
