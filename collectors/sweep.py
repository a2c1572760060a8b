"""A sweep: pull every village concurrently, write each village's datasets as they arrive."""

from __future__ import annotations

import gc
import logging
import queue
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from collectors.adapters import PULLERS
from collectors.http import HttpClient, host_free
from collectors.model import DatasetResult, Reason, Statistic, Totals, VillagePull
from config.datasets import dataset_groups
from config.registry import PUSH_ADAPTERS, Village
from config.settings import Settings
from warehouse.store import HEARTBEAT_S, DatasetWrite, ObservationRow, SourceInfo, Warehouse

log = logging.getLogger(__name__)


@dataclass
class VillageOutcome:
    kode_desa: str
    nama_desa: str
    status: str  # ok, unchanged, failed
    errors: list[str] = field(default_factory=list)  # "dataset: reason"
    duration_ms: int = 0


@dataclass
class SweepSummary:
    run_id: int
    outcomes: list[VillageOutcome]
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[VillageOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def shard_of(villages: Sequence[Village], index: int, count: int) -> list[Village]:
    """The index-th (1-based) of count disjoint, stable shards of the registry."""
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: expected 1 ≤ I ≤ N")
    ordered = sorted(villages, key=lambda v: v.kode_desa)
    return [v for i, v in enumerate(ordered) if i % count == index - 1]


def to_rows(data: Statistic | Totals | list) -> list:
    """Warehouse rows of one dataset: categories, belum_mengisi and the total (or as given)."""
    if isinstance(data, list):  # measurement datasets arrive as MeasurementRow values
        return data
    if isinstance(data, Totals):
        p = data.penduduk
        rows = [ObservationRow("penduduk", "PENDUDUK", p.jumlah, p.laki_laki, p.perempuan, 1)]
        if data.keluarga is not None:
            rows.append(ObservationRow("keluarga", "KELUARGA", data.keluarga, urutan=2))
        if data.rumah_tangga is not None:
            rows.append(ObservationRow("rumah_tangga", "RUMAH TANGGA", data.rumah_tangga, urutan=3))
        return rows
    rows = [
        ObservationRow(
            r.kode,
            r.label,
            r.counts.jumlah,
            r.counts.laki_laki,
            r.counts.perempuan,
            urutan=i,
            dari=r.dari,
            sampai=r.sampai,
        )  # fmt: skip
        for i, r in enumerate(data.rows, start=1)
    ]
    b, t = data.belum_mengisi, data.total
    if data.jumlah is not None:
        j = data.jumlah
        rows.append(ObservationRow("jumlah", "JUMLAH", j.jumlah, j.laki_laki, j.perempuan, 9997))
    rows.append(
        ObservationRow("belum_mengisi", "BELUM MENGISI", b.jumlah, b.laki_laki, b.perempuan, 9998)
    )
    rows.append(ObservationRow("total", "TOTAL", t.jumlah, t.laki_laki, t.perempuan, 9999))
    return rows


def prepare_pull(pull: VillagePull) -> tuple[list[DatasetWrite], SourceInfo | None]:
    """What the warehouse is handed for one pull: its dataset writes and its source state.
    No database work: a sweep does this in the fetching thread, off the single writer."""
    writes = [
        DatasetWrite(
            r.dataset,
            r.status,
            to_rows(r.data) if r.data is not None else None,
            r.http_status,
            r.duration_ms,
            r.error,
            warning=r.warning,
            kind="measurement" if isinstance(r.data, list) else "observation",
            periods=r.periods,
            error_code=r.error_code,
            error_params=r.error_params,
        )
        for r in pull.results
    ]
    # a validator is kept only when every dataset landed, so a refused dataset is pulled again
    # (the warehouse drops it too if it refuses one); a village that did not answer leaves its
    # source state as it was
    landed = all(r.status != "failed" for r in pull.results)
    answered = pull.etag is not None or pull.source_app is not None
    source = None
    if answered:
        source = SourceInfo(
            endpoint=pull.endpoint or "opensid",
            etag=pull.etag if landed else None,
            app=pull.source_app,
            version=pull.source_version,
        )
    return writes, source


def land_pull(
    store: Warehouse,
    run_id: int,
    pull: VillagePull,
    writes: list[DatasetWrite],
    source: SourceInfo | None,
) -> list[str]:
    """Write a prepared pull; a dataset the warehouse refused is marked failed in the pull."""
    final = store.record_village(run_id, pull.kode_desa, writes, source)
    for r in pull.results:
        if final[r.dataset] == "failed" and r.status != "failed":
            # what the sweep reports (the CLI); the warehouse logged its own reason for it
            r.status, r.error = "failed", r.error or "refused by the warehouse"
    return [final[r.dataset] for r in pull.results]


def pull_one(
    village: Village,
    client: HttpClient,
    settings: Settings,
    *,
    tahun: int,
    etag: str | None,
    datasets: Sequence[str] | None,
    endpoint: str,
) -> tuple[VillagePull, tuple[list[DatasetWrite], SourceInfo | None]]:
    """Pull one village and prepare its writes (no database work): what a sweep's fetching
    thread and a queue worker's task (collectors/worker.py) do. `etag`: the village's stored
    validator for `endpoint` (used by summary-v1 only). An adapter that crashes gives a pull
    failed with the reason; it never raises an Exception."""
    try:
        pull = PULLERS[village.adapter](
            village,
            client,
            tahun=tahun,
            etag=etag if village.adapter == "summary-v1" else None,
            deadline_s=settings.village_deadline,
            datasets=datasets,
        )
        if pull.endpoint == "summary-v1":
            pull.endpoint = endpoint
        prepared = prepare_pull(pull)
        for r in pull.results:  # parsed values now live in the writes: drop the copy
            r.data = None
        return pull, prepared
    except Exception as exc:  # a bug in an adapter must not stop the other villages
        log.exception("adapter crashed for %s", village.kode_desa)
        reason = Reason(  # the text for operators; the pages' detail names no host
            f"adapter error: {exc}", code="adapter.crashed", params={"detail": host_free(str(exc))}
        )
        return _crashed(village, reason)


def group_datasets(group: str | None) -> tuple[Sequence[str] | None, str]:
    """The datasets of a dataset group (None: every dataset) and the source-state endpoint
    its validators are kept under: a 304 for one group's pull says nothing of another's."""
    groups = dataset_groups()
    if group is not None and group not in groups:
        raise ValueError(f"unknown dataset group {group!r}; known: {', '.join(groups)}")
    datasets = groups[group] if group else None
    return datasets, "summary-v1" if group is None else f"summary-v1/{group}"


def pulled_villages(villages: Sequence[Village]) -> list[Village]:
    """The villages a sweep pulls: not those that push (they send as OpenSID sends to OpenDK)."""
    return [v for v in villages if v.adapter not in PUSH_ADAPTERS]


def run_sweep(
    villages: Sequence[Village],
    store: Warehouse,
    settings: Settings,
    *,
    trigger: str = "manual",
    shard: str | None = None,
    group: str | None = None,
    on_village: Callable[[VillageOutcome], None] | None = None,
) -> SweepSummary:
    """Pull every village once and land what each one sent; failures are logged, not raised.

    With a group (see config.datasets.dataset_groups) only that group's datasets are pulled.
    """
    datasets, endpoint = group_datasets(group)
    villages = pulled_villages(villages)
    for v in villages:
        v.resolve_token()  # a missing token variable is a configuration error: stop before pulling
    started = datetime.now()
    # what is alive before the sweep (modules, caches, the app) is not garbage: keep the
    # collector from walking it on every full collection while parsed documents churn
    gc.freeze()
    try:
        return _sweep(villages, store, settings, started, trigger, shard, datasets, endpoint,
                      on_village)  # fmt: skip
    finally:
        gc.unfreeze()


def _sweep(
    villages: Sequence[Village],
    store: Warehouse,
    settings: Settings,
    started: datetime,
    trigger: str,
    shard: str | None,
    datasets: Sequence[str] | None,
    endpoint: str,
    on_village: Callable[[VillageOutcome], None] | None,
) -> SweepSummary:
    # runs a killed process left "running" (this host's, or silent for long) are interrupted
    store.mark_interrupted_runs()
    store.sync_regions(villages)
    run_id = store.start_run(kind="collection", trigger=trigger, shard=shard, total=len(villages))
    tahun = settings.tahun or started.year
    client = HttpClient(settings)
    etags = store.etags(endpoint)
    outcomes: list[VillageOutcome] = []
    # each fetching thread hands its village over, parsed and prepared, through this queue;
    # the writer drops a pull once it has landed (a future would keep every pull in memory
    # until the sweep ends, and the garbage collector would walk them all, again and again)
    done: queue.SimpleQueue = queue.SimpleQueue()

    def pull_village(village: Village) -> None:
        pull = prepared = None
        try:
            pull, prepared = pull_one(
                village, client, settings, tahun=tahun, etag=etags.get(village.kode_desa),
                datasets=datasets, endpoint=endpoint,
            )  # fmt: skip
        finally:
            if prepared is None:  # not an Exception: still tell the writer, never leave it waiting
                pull, prepared = _crashed(
                    village, Reason("adapter error: interrupted", code="adapter.interrupted")
                )
            done.put((village, pull, prepared))

    try:
        with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
            for v in villages:
                pool.submit(pull_village, v)
            # the main thread is the only writer: SQLite wants one, and it keeps order simple
            try:
                beat = _Heartbeat(store, run_id)
                for _ in range(len(villages)):
                    village, pull, (writes, source) = beat.wait_for(done)
                    statuses = _land_or_fail(store, run_id, pull, writes, source)
                    outcome = _outcome(village, pull, statuses)
                    del pull, writes, source
                    outcomes.append(outcome)
                    if on_village:
                        on_village(outcome)
            except BaseException:
                # stopping early: villages not yet started are dropped, running ones finish
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    except BaseException:
        store.finish_run(
            run_id,
            ok=sum(o.status == "ok" for o in outcomes),
            unchanged=sum(o.status == "unchanged" for o in outcomes),
            failed=sum(o.status == "failed" for o in outcomes),
            status="aborted",
        )
        raise
    summary = SweepSummary(
        run_id,
        sorted(outcomes, key=lambda o: o.kode_desa),
        (datetime.now() - started).total_seconds(),
    )
    store.finish_run(
        run_id,
        ok=summary.count("ok"),
        unchanged=summary.count("unchanged"),
        failed=summary.count("failed"),
    )
    return summary


class _Heartbeat:
    """The run's sign of life while the writer waits for villages and lands them (every
    HEARTBEAT_S seconds), so that a sweep whose process is killed is marked interrupted by
    the next process, and a live one never is (Warehouse.mark_interrupted_runs)."""

    def __init__(self, store: Warehouse, run_id: int) -> None:
        self.store, self.run_id = store, run_id
        self.last = time.monotonic()

    def wait_for(self, done: queue.SimpleQueue):
        while True:
            self.beat_if_due()
            try:
                return done.get(timeout=HEARTBEAT_S)
            except queue.Empty:
                continue

    def beat_if_due(self) -> None:
        if time.monotonic() - self.last >= HEARTBEAT_S:
            self.store.heartbeat(self.run_id)
            self.last = time.monotonic()


def _land_or_fail(
    store: Warehouse,
    run_id: int,
    pull: VillagePull,
    writes: list[DatasetWrite],
    source: SourceInfo | None,
) -> list[str]:
    """land_pull; should the warehouse raise on a pull anyway (a bug, a value no check
    foresaw), the village is logged as failed with the reason and the sweep goes on. A lost
    database still stops the sweep: no other village could land either."""
    try:
        return land_pull(store, run_id, pull, writes, source)
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        error: Exception = exc
    except (ValueError, TypeError, OverflowError, UnicodeError) as exc:
        error = exc
    log.exception("desa %s: the warehouse could not land the pull", pull.kode_desa)
    detail = f"{type(error).__name__}: {str(getattr(error, 'orig', None) or error)[:200]}"
    reason = Reason(
        f"could not be written to the warehouse: {detail}",
        code="warehouse.error",
        params={"jenis": type(error).__name__},
    )
    failed = [
        replace(w, status="failed", rows=None, error=reason.text, error_code=reason.code,
                error_params=dict(reason.params))
        for w in writes
    ]  # fmt: skip
    for r in pull.results:
        r.status, r.error = "failed", reason.text
    return land_pull(store, run_id, pull, failed, None)


def _crashed(village: Village, reason: Reason) -> tuple[VillagePull, tuple[list, None]]:
    pull = VillagePull(kode_desa=village.kode_desa)
    pull.results = [DatasetResult.failure("total", reason)]
    return pull, prepare_pull(pull)


def _outcome(village: Village, pull: VillagePull, statuses: list[str]) -> VillageOutcome:
    errors = [f"{r.dataset}: {r.error}" for r in pull.results if r.status == "failed"]
    if "failed" in statuses:
        status = "failed"
    elif "ok" in statuses:
        status = "ok"
    else:
        status = "unchanged"
    return VillageOutcome(village.kode_desa, village.nama_desa, status, errors, pull.duration_ms)
