"""The village queue: a collection run whose village pulls are tasks on RabbitMQ (Dramatiq),
taken by `dasbor worker` processes on any number of machines, all writing into one
PostgreSQL warehouse.

Without a broker (`broker_url` empty) nothing here is used: `dasbor collect` and the
scheduler sweep in-process (collectors/sweep.py), the embedded default.

- `enqueue_run` registers the villages, opens a run with status "queued" and puts one
  message per village on the queue: the run's id, the village's code, the dataset group and
  the year asked. No token travels: every worker reads the same registry (and the same
  `env:` variables).
- Workers (collectors/worker.py) acknowledge a message only once its village has landed
  (Dramatiq acknowledges after the actor returns). A worker that dies mid-task — killed, its
  machine gone — closes its connection, and RabbitMQ gives its unacknowledged messages to
  another worker at once. Landing is once per run and village (warehouse/queued_runs.py).
- The run completes when its last village lands: the worker that lands it counts the run's
  villages in the fetch log and completes it with those counts. `wait_for_run` only watches.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import BrokerConnectionError

from collectors.sweep import SweepSummary, VillageOutcome, group_datasets, pulled_villages
from config.registry import RegistryError, Village
from config.settings import Settings
from warehouse.queued_runs import (
    QUEUED,
    abort_run,
    finish_if_complete,
    landed_counts,
    run_status,
    start_queued_run,
)
from warehouse.store import Warehouse

__all__ = [
    "PULL_ACTOR",
    "GAVE_UP_ACTOR",
    "QueueError",
    "QueueTimeout",
    "enqueue_run",
    "make_broker",
    "queued_sweep",
    "require_postgres",
    "safe_url",
    "wait_for_run",
]

PULL_ACTOR = "dasbor.pull_village"
GAVE_UP_ACTOR = "dasbor.village_gave_up"  # Dramatiq's on_retry_exhausted for PULL_ACTOR


class QueueError(RuntimeError):
    """The queue cannot be used as configured; the message says what to set."""


class QueueTimeout(RuntimeError):
    """A queued run did not complete in time; it was marked aborted."""

    def __init__(self, run_id: int, landed: int, total: int, seconds: float) -> None:
        super().__init__(
            f"run {run_id}: {landed} of {total} villages landed in {seconds:.0f} s "
            "(queue_timeout); the run is marked aborted, its remaining tasks are dropped"
        )
        self.run_id, self.landed, self.total = run_id, landed, total


def safe_url(url: str) -> str:
    """The broker URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def make_broker(settings: Settings, *, confirm_delivery: bool = False) -> RabbitmqBroker:
    """The RabbitMQ broker of `broker_url`. `confirm_delivery`: each enqueue waits until
    RabbitMQ has the message (the enqueuing side: no village silently left out)."""
    url = settings.broker_url.strip()
    if not url:
        raise QueueError("no broker configured: set DASBOR_BROKER_URL (amqp://…)")
    if urlsplit(url).scheme not in ("amqp", "amqps"):
        raise QueueError(
            f"broker_url {safe_url(url)!r}: expected a RabbitMQ URL, amqp://user:password@host"
        )
    return RabbitmqBroker(url=url, confirm_delivery=confirm_delivery)


def require_postgres(store: Warehouse) -> None:
    """Queue workers on several machines need one warehouse they all reach, and the village
    lock is PostgreSQL's (warehouse/queued_runs.py)."""
    if store.engine.dialect.name != "postgresql":
        raise QueueError(
            "the village queue writes into a PostgreSQL warehouse that every worker reaches: "
            "set DASBOR_DATABASE_URL to postgresql+psycopg://… (the SQLite warehouse is "
            "collected in-process: leave DASBOR_BROKER_URL empty)"
        )


def _check_villages(villages: Sequence[Village]) -> None:
    from collectors.adapters.gabungan import credentials

    for v in villages:
        v.resolve_token()  # a missing token variable is a configuration error: stop here
        if v.adapter == "gabungan" and credentials(v)[1] is not None:
            raise RegistryError(
                f"village {v.kode_desa}: a gabungan source signed in with email:password "
                "cannot be shared by queue workers (each sign-in deletes the account's other "
                "tokens): put the server's Sanctum token in the registry, or collect it "
                "in-process"
            )


def enqueue_run(
    villages: Sequence[Village],
    store: Warehouse,
    settings: Settings,
    *,
    trigger: str = "manual",
    group: str | None = None,
) -> int:
    """Open a queued run of `villages` and put one task per village on the queue; return
    the run's id. The workers complete it."""
    broker = make_broker(settings, confirm_delivery=True)
    require_postgres(store)
    group_datasets(group)  # an unknown group stops here, before any run
    villages = pulled_villages(villages)
    _check_villages(villages)
    try:
        broker.declare_queue(settings.queue_name, ensure=True)  # reachable? before any run
    except BrokerConnectionError as exc:
        broker.close()
        where = safe_url(settings.broker_url)
        raise QueueError(f"cannot reach the broker at {where}: {exc}") from None
    store.sync_regions(villages)
    run_id = start_queued_run(store, trigger=trigger, total=len(villages))
    tahun = settings.tahun or datetime.now().year  # one year for every worker of the run
    try:
        for v in villages:
            broker.enqueue(
                dramatiq.Message(
                    queue_name=settings.queue_name,
                    actor_name=PULL_ACTOR,
                    args=(run_id, v.kode_desa, group, tahun),
                    kwargs={},
                    options={},
                )
            )
    except Exception as exc:
        abort_run(store, run_id)  # what was enqueued is dropped by the workers
        raise QueueError(
            f"run {run_id}: could not put the villages on the queue at "
            f"{safe_url(settings.broker_url)}: {exc}"
        ) from None
    finally:
        broker.close()
    if not villages:
        finish_if_complete(store, run_id)
    return run_id


def run_summary(
    store: Warehouse, run_id: int, villages: Sequence[Village], seconds: float
) -> SweepSummary:
    """What the run's fetch log says of each village that landed, as a sweep reports it."""
    names = {v.kode_desa: v.nama_desa for v in villages}
    log = store.fetch_log_frame(run_id)
    outcomes = []
    for kode, rows in log.groupby("kode_desa", sort=True):
        statuses = set(rows["status"])
        status = "failed" if "failed" in statuses else "ok" if "ok" in statuses else "unchanged"
        failed = rows[rows["status"] == "failed"]
        errors = [f"{d}: {e}" for d, e in zip(failed["dataset"], failed["error"], strict=True)]
        outcomes.append(
            VillageOutcome(str(kode), names.get(kode, ""), status, errors,
                           int(rows["duration_ms"].max()))
        )  # fmt: skip
    return SweepSummary(run_id, outcomes, seconds)


def wait_for_run(
    store: Warehouse,
    run_id: int,
    villages: Sequence[Village],
    settings: Settings,
    *,
    started: float | None = None,
    on_wait: Callable[[], None] | None = None,
    poll_s: float = 0.25,
) -> SweepSummary:
    """Wait until the workers have completed the run (or it was aborted), and report it as a
    sweep does. After `queue_timeout` seconds the run is aborted and QueueTimeout raised.
    `on_wait` is called on every poll; an exception from it stops the wait (the run goes on)."""
    started = time.monotonic() if started is None else started
    deadline = started + settings.queue_timeout
    while True:
        status = run_status(store, run_id)
        if status != QUEUED:
            break
        if time.monotonic() >= deadline:
            landed = landed_counts(store, run_id).villages
            if abort_run(store, run_id):
                raise QueueTimeout(run_id, landed, len(villages), time.monotonic() - started)
            continue  # completed meanwhile
        if on_wait is not None:
            on_wait()
        time.sleep(poll_s)
    return run_summary(store, run_id, villages, time.monotonic() - started)


def queued_sweep(
    villages: Sequence[Village],
    store: Warehouse,
    settings: Settings,
    *,
    trigger: str = "manual",
    group: str | None = None,
    on_wait: Callable[[], None] | None = None,
) -> SweepSummary:
    """`run_sweep` through the queue: enqueue the villages and wait for the workers."""
    started = time.monotonic()
    run_id = enqueue_run(villages, store, settings, trigger=trigger, group=group)
    return wait_for_run(store, run_id, villages, settings, started=started, on_wait=on_wait)
