"""`dasbor worker`: takes village pulls off the queue (collectors/queue.py) and lands them in
the PostgreSQL warehouse, `worker_threads` at a time, until SIGTERM or SIGINT.

A task: the run still queued? The village not landed yet (a message delivered again after
its first worker died may find it landed: then it is only counted)? Pull it as a sweep does
(collectors.sweep.pull_one), then, holding the village's lock, land it unless another
delivery did meanwhile, add it to the run's tally, and complete the run if it was the last
(warehouse/queued_runs.py). Dramatiq acknowledges the message when the task returns, so a
worker killed at any point leaves the message to RabbitMQ, which gives it to another worker.

An error that escapes a task (the database down, the time limit) is retried by Dramatiq with
backoff, `queue_retries` times; then the village is logged as failed in its run
(`queue.task_failed`), so the run still completes.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Sequence

import dramatiq
from dramatiq.errors import BrokerConnectionError

from collectors.http import HttpClient
from collectors.model import DatasetResult, Reason, VillagePull
from collectors.queue import (
    GAVE_UP_ACTOR,
    PULL_ACTOR,
    QueueError,
    make_broker,
    require_postgres,
    safe_url,
)
from collectors.sweep import _outcome, group_datasets, land_pull, prepare_pull, pull_one
from config.registry import Village
from config.settings import Settings
from warehouse.queued_runs import (
    QUEUED,
    count_village,
    finish_if_complete,
    landed_counts,
    run_status,
    task_state,
    village_landed,
    village_lock,
)
from warehouse.store import Warehouse

__all__ = ["STARTED", "VillageTasks", "declare_actors", "run_worker"]

log = logging.getLogger(__name__)

STARTED = "worker started"  # logged once the worker consumes the queue (tests wait for it)


class VillageTasks:
    """The task bodies, with what every task of this worker shares: the warehouse, the
    registry (by code), the settings and one HTTP client (a session per thread)."""

    def __init__(self, store: Warehouse, villages: Sequence[Village], settings: Settings) -> None:
        self.store = store
        self.villages = {v.kode_desa: v for v in villages}
        self.settings = settings
        self.client = HttpClient(settings)

    def pull(self, run_id: int, kode_desa: str, group: str | None, tahun: int) -> str:
        """Pull and land one village of a queued run, once; returns what was done: ok,
        unchanged or failed (landed), counted (had landed: only counted), duplicate
        (another delivery landed it meanwhile) or dropped (the run is no longer queued)."""
        store = self.store
        datasets, endpoint = group_datasets(group)
        state = task_state(store, run_id, kode_desa, endpoint)
        if state.run_status != QUEUED:
            log.info("run %d: desa %s dropped: the run is no longer queued", run_id, kode_desa)
            return "dropped"
        if state.landed:
            # delivered again after landing: its first worker died before acknowledging, maybe
            # before counting it (the tally may then run one ahead: the exact count decides)
            status = self._landed_status(run_id, kode_desa)
            log.info("run %d: desa %s had landed (%s): counted", run_id, kode_desa, status)
            self._count(run_id, status)
            return "counted"
        log.info("run %d: desa %s pulling", run_id, kode_desa)
        village = self.villages.get(kode_desa)
        if village is None:
            pull = _failed_pull(kode_desa, Reason(
                f"not in this worker's registry ({self.settings.villages}): every worker "
                "needs the registry the run was queued with",
                code="queue.not_in_registry", params={"registry": self.settings.villages},
            ))  # fmt: skip
            writes, source = prepare_pull(pull)
        else:
            pull, (writes, source) = pull_one(
                village, self.client, self.settings, tahun=tahun, etag=state.etag,
                datasets=datasets, endpoint=endpoint,
            )  # fmt: skip
        return self._land(run_id, kode_desa, pull, writes, source)

    def gave_up(self, message: dict, retry: dict) -> str:
        """Dramatiq's on_retry_exhausted: the village's task failed every try; log the
        village as failed in its run so the run completes."""
        run_id, kode_desa = message["args"][0], message["args"][1]
        if run_status(self.store, run_id) != QUEUED:
            return "dropped"
        if village_landed(self.store, run_id, kode_desa):
            self._count(run_id, self._landed_status(run_id, kode_desa))
            return "counted"
        trace = (message.get("options") or {}).get("traceback") or ""
        detail = (trace.strip().splitlines() or ["unknown error"])[-1][:300]
        tries = int(retry.get("retries", 0)) + 1
        pull = _failed_pull(kode_desa, Reason(
            f"the village's task failed {tries} times on the queue: {detail}",
            code="queue.task_failed", params={"kali": tries, "detail": detail},
        ))  # fmt: skip
        writes, source = prepare_pull(pull)
        return self._land(run_id, kode_desa, pull, writes, source)

    def _land(self, run_id, kode_desa, pull, writes, source) -> str:
        with village_lock(self.store, run_id, kode_desa) as landed:
            if landed():
                log.info("run %d: desa %s landed by another delivery", run_id, kode_desa)
                return "duplicate"  # that delivery counts it
            statuses = land_pull(self.store, run_id, pull, writes, source)
        village = self.villages.get(kode_desa) or Village(kode_desa, "", "", "", "", "")
        outcome = _outcome(village, pull, statuses)
        log.info("run %d: desa %s %s", run_id, kode_desa, outcome.status)
        self._count(run_id, outcome.status)
        return outcome.status

    def _landed_status(self, run_id: int, kode_desa: str) -> str:
        log_rows = self.store.fetch_log_frame(run_id, kode_desa=kode_desa)
        statuses = set(log_rows["status"])
        return "failed" if "failed" in statuses else "ok" if "ok" in statuses else "unchanged"

    def _count(self, run_id: int, status: str) -> None:
        tally = count_village(self.store, run_id, status)
        if tally is not None and tally[0] >= tally[1] and finish_if_complete(self.store, run_id):
            done = landed_counts(self.store, run_id)
            log.info("run %d completed: ok %d, unchanged %d, failed %d", run_id, done.ok,
                     done.unchanged, done.failed)  # fmt: skip


def _failed_pull(kode_desa: str, reason: Reason) -> VillagePull:
    pull = VillagePull(kode_desa=kode_desa)
    pull.results = [DatasetResult.failure("total", reason)]
    return pull


def declare_actors(broker, settings: Settings, tasks: VillageTasks) -> tuple:
    """The pull actor and its on_retry_exhausted actor on `broker`, both on the village
    queue. Retries: `queue_retries`, 2 s doubling to at most a minute. Time limit: the village
    deadline plus two minutes to land."""

    def pull_village(run_id: int, kode_desa: str, group: str | None, tahun: int) -> None:
        tasks.pull(run_id, kode_desa, group, tahun)  # what it did is logged, not returned

    def village_gave_up(message: dict, retry: dict) -> None:
        tasks.gave_up(message, retry)

    pull = dramatiq.Actor(
        pull_village,
        broker=broker,
        actor_name=PULL_ACTOR,
        queue_name=settings.queue_name,
        priority=0,
        options={
            "max_retries": max(0, settings.queue_retries),
            "min_backoff": 2_000,
            "max_backoff": 60_000,
            "time_limit": int((settings.village_deadline + 120) * 1000),
            "on_retry_exhausted": GAVE_UP_ACTOR,
        },
    )
    gave_up = dramatiq.Actor(
        village_gave_up,
        broker=broker,
        actor_name=GAVE_UP_ACTOR,
        queue_name=settings.queue_name,
        priority=0,
        options={"max_retries": max(0, settings.queue_retries), "min_backoff": 2_000,
                 "max_backoff": 60_000},
    )  # fmt: skip
    return pull, gave_up


def run_worker(
    store: Warehouse,
    villages: Sequence[Village],
    settings: Settings,
    *,
    threads: int | None = None,
    stop_timeout: float = 60.0,
    stop: threading.Event | None = None,
) -> None:
    """Consume the village queue until SIGTERM or SIGINT (or `stop` is set), then finish the
    tasks in hand for up to `stop_timeout` seconds; tasks not started go back to the queue.
    Signal handlers need the main thread; with `stop` none is installed."""
    require_postgres(store)
    threads = max(1, threads or settings.worker_threads)
    broker = make_broker(settings)
    try:
        broker.declare_queue(settings.queue_name, ensure=True)  # fail now if unreachable
    except BrokerConnectionError as exc:
        broker.close()
        raise QueueError(
            f"cannot reach the broker at {safe_url(settings.broker_url)}: {exc}"
        ) from None
    tasks = VillageTasks(store, villages, settings)
    declare_actors(broker, settings, tasks)
    worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=500)
    received: list[int] = []
    previous = {}
    if stop is None:

        def on_signal(signum: int, _frame: object) -> None:
            received.append(signum)

        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.start()
        where = safe_url(settings.broker_url)
        log.info("%s: queue %s on %s, %d threads, %d villages in the registry", STARTED,
                 settings.queue_name, where, threads, len(villages))  # fmt: skip
        while not received and not (stop is not None and stop.is_set()):
            time.sleep(0.2)
        log.info("stopping the worker: tasks in hand finish, the others go back to the queue")
        worker.stop(timeout=int(stop_timeout * 1000))
        log.info("worker stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        broker.close()
