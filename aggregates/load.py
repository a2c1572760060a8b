"""Loading aggregates' inputs from the warehouse (the only I/O in aggregates)."""

from __future__ import annotations

from aggregates.population import PopulationData, build_population
from warehouse.store import Warehouse


def load_population(store: Warehouse) -> PopulationData:
    return build_population(store.observations_frame(), store.regions_frame())
