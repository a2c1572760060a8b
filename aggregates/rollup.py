"""The rollup of a run (issue 12): every population aggregate the pages and the API show, for
every level of the region hierarchy, computed once from the observations with the same pandas
functions the pages used per view, and stored in the warehouse (warehouse.rollups) for the
web process to read as slices.

Levels are data: every `tingkat` the regions frame holds (desa, kecamatan, kabupaten, and
provinsi when the registry spans several kabupaten) is rolled up; a level the aggregate
functions do not know is skipped (and its views computed from the observations, as before).

Beyond the population tables, each page family has a producer (`PRODUCERS`): a function of
the run's inputs (`RollupInputs`: observations, measurements, regions, loaded once) yielding
its tables under their keys; a per-village table is stored once, over every village, and read
back per region as the slice of the villages under it (warehouse.rollups.REGION_COLUMNS).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
from collections.abc import Iterator

import pandas as pd

from aggregates.indicators import indicators
from aggregates.load import load_population
from aggregates.population import PopulationData, statistic_table, totals_table
from aggregates.rollup_inputs import Producer, RollupInputs
from config.statistik import BY_SLUG
from warehouse.rollups import FrameKey, record_failure, write_rollup
from warehouse.store import Warehouse, utcnow

log = logging.getLogger(__name__)

TOTALS, STATISTIK, INDIKATOR = "totals", "statistik", "indikator"


def producers() -> list[Producer]:
    """The producers of the page families' tables, beyond the population ones."""
    from aggregates import rollup_finance, rollup_health, rollup_monitoring, rollup_people

    return [rollup_finance.frames, rollup_health.frames, rollup_people.frames,
            rollup_monitoring.frames]  # fmt: skip


def levels(regions: pd.DataFrame) -> list[str]:
    """The levels of the regions frame, the finest (longest codes) first."""
    if regions.empty:
        return []
    length = regions.assign(n=regions["kode"].str.len()).groupby("tingkat")["n"].max()
    return [str(t) for t in length.sort_values(ascending=False).index]


def rollup_frames(data: PopulationData) -> Iterator[tuple[FrameKey, pd.DataFrame]]:
    """Every stored aggregate of `data`: totals, each statistic and the indicators, per level."""
    # each statistic reads only its own rows: split once instead of filtering every
    # observation for each statistic and level (the same rows, in the same order)
    obs = data.observations
    by_dataset = dict(tuple(obs.groupby("dataset", sort=False))) if len(obs) else {}

    def parts(slug: str) -> PopulationData:
        return PopulationData(
            observations=by_dataset.get(slug, obs.iloc[0:0]), regions=data.regions
        )

    for tingkat in levels(data.regions):
        try:
            totals = totals_table(data, tingkat)
        except ValueError:  # a level the aggregates do not group by (yet)
            log.info("rollup: level %s not rolled up (no aggregate groups by it)", tingkat)
            continue
        yield FrameKey(TOTALS, tingkat), totals
        for slug in BY_SLUG:
            yield FrameKey(STATISTIK, tingkat, slug), statistic_table(parts(slug), slug, tingkat)
        yield FrameKey(INDIKATOR, tingkat), indicators(data, tingkat)


def compute_rollup(store: Warehouse) -> int:
    """Compute the rollup from the observations alone and make it current; returns its id.

    Raises on failure, after recording it (`status = failed`, the error) and logging it; the
    previous rollup stays current."""
    started, clock = utcnow(), time.perf_counter()
    run_id = store.latest_run_id()
    try:
        data = load_population(store)
        frames = list(rollup_frames(data))
        inputs = RollupInputs(store, data)
        for produce in producers():
            frames.extend(produce(inputs))
        rollup_id = write_rollup(
            store, run_id, frames, started, lambda: time.perf_counter() - clock
        )
    except Exception as exc:
        log.exception("rollup after run %s failed; the previous rollup stays served", run_id)
        try:
            record_failure(store, run_id, started, "".join(traceback.format_exception(exc)))
        except Exception:  # the database itself is gone: the log line above is what remains
            log.exception("recording the failed rollup failed too")
        raise
    log.info(
        "rollup %s of run %s: %d frames in %.2f s",
        rollup_id,
        run_id,
        len(frames),
        time.perf_counter() - clock,
    )
    return rollup_id


def after_run(store: Warehouse, run_id: int) -> None:
    """The hook a run's completion calls (Warehouse.after_run): a rollup that fails never
    fails the run, which is recorded already; it is logged and recorded as failed."""
    try:
        compute_rollup(store)
    except Exception:  # logged and recorded by compute_rollup; `dasbor rollup` repairs it
        pass


class BackgroundRollups:
    """Rollups in one background thread, coalesced: the web process lands uploads and pushes
    (one run each) and must not keep the request waiting for a rollup, nor compute one per
    push when many villages push at once; runs that complete while a rollup is being
    computed get one more rollup after it, which covers them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None

    def __call__(self, store: Warehouse, run_id: int) -> None:
        with self._lock:
            self._pending = True
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(
                target=self._work, args=(store,), name="dasbor-rollup", daemon=True
            )
            self._thread.start()

    def _work(self, store: Warehouse) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    return
                self._pending = False
            after_run(store, 0)

    def wait(self, timeout: float | None = None) -> None:
        """Until no rollup is pending or running (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)


def install(store: Warehouse, *, background: bool = False) -> Warehouse:
    """Compute a rollup at the end of every completed run of `store` (collection, import or
    push): in the caller's thread (a command, a worker: the rollup is done when it returns)
    or, with `background`, in one coalescing thread (the web process); returns the store."""
    store.after_run = BackgroundRollups() if background else after_run
    return store


@contextlib.contextmanager
def one_rollup(store: Warehouse) -> Iterator[None]:
    """Runs that complete inside the block share one rollup at its end: a bulk import of many
    files (the demo's samples, an OpenDK export of many periods) would otherwise recompute
    every aggregate once per file."""
    hook = store.after_run
    completed: list[int] = []
    if hook is not None:
        store.after_run = lambda _store, run_id: completed.append(run_id)
    try:
        yield
    finally:
        store.after_run = hook
        if hook is not None and completed:
            hook(store, completed[-1])
