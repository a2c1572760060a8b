"""Runs whose villages are pulled by queue workers (collectors/queue.py, collectors/worker.py).

A queued run is a `collection_run` row with status "queued" while its villages are on the
queue. Each village lands once in it, whichever worker takes it and however often the broker
delivers it: a worker takes the village's lock (PostgreSQL's advisory lock on run and village)
and lands only when the run has no fetch log of that village yet. A village has landed when
its fetch log rows are in (they commit with its values, `Warehouse.record_village`).

Counting: after landing, a worker adds the village to the run's counters; the counters are a
running tally for the pages and a trigger, never the result. When the tally reaches the run's
villages, the worker counts the landed villages in the fetch log, and the run is completed
with those exact counts once every village has landed (`finish_if_complete`). A worker killed
between landing and counting loses one increment; the broker then delivers the village again,
the worker finds it landed and counts it (`count_village`), so the tally can only run ahead
of the fetch log, never fall behind it, and the exact count decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import case, func, insert, select, text, update

from warehouse.models import CollectionRun, FetchLog, SourceState
from warehouse.store import Warehouse, utcnow

__all__ = [
    "QUEUED",
    "Landed",
    "abort_run",
    "TaskState",
    "count_village",
    "finish_if_complete",
    "landed_counts",
    "run_status",
    "start_queued_run",
    "task_state",
    "village_landed",
    "village_lock",
]

QUEUED = "queued"  # the status of a run while its villages are on the queue

_RUN = CollectionRun.__table__
_FETCH = FetchLog.__table__
_COUNTERS = {
    "ok": _RUN.c.villages_ok,
    "unchanged": _RUN.c.villages_unchanged,
    "failed": _RUN.c.villages_failed,
}


class Landed(NamedTuple):
    """The villages of a run that have landed, by outcome (from its fetch log)."""

    ok: int
    unchanged: int
    failed: int

    @property
    def villages(self) -> int:
        return self.ok + self.unchanged + self.failed


def start_queued_run(store: Warehouse, *, trigger: str, total: int) -> int:
    """A new collection run of `total` villages, queued."""
    with store.engine.begin() as conn:
        result = conn.execute(
            insert(_RUN).values(
                started_at=utcnow(), status=QUEUED, kind="collection", trigger=trigger,
                shard=None, villages_total=total, villages_ok=0, villages_unchanged=0,
                villages_failed=0,
            )
        )  # fmt: skip
        return int(result.inserted_primary_key[0])


def run_status(store: Warehouse, run_id: int) -> str | None:
    """The run's status (None: no such run)."""
    with store.engine.connect() as conn:
        return conn.execute(select(_RUN.c.status).where(_RUN.c.id == run_id)).scalar()


def _landed(conn, run_id: int, kode_desa: str) -> bool:
    found = conn.execute(
        select(_FETCH.c.id)
        .where(_FETCH.c.kode_desa == kode_desa, _FETCH.c.run_id == run_id)
        .limit(1)
    ).first()
    return found is not None


def village_landed(store: Warehouse, run_id: int, kode_desa: str) -> bool:
    """Has the village's pull landed in the run (its fetch log is there)?"""
    with store.engine.connect() as conn:
        return _landed(conn, run_id, kode_desa)


@contextmanager
def village_lock(store: Warehouse, run_id: int, kode_desa: str) -> Iterator[Callable[[], bool]]:
    """Hold the village's lock in the run; yields a check whether it has landed, so that
    checking and landing (on another connection, inside the block) are one step for every
    worker. PostgreSQL: a transaction-scoped advisory lock on (run, village), released when
    the block ends or the worker's connection drops. SQLite (one machine, one writer at a
    time): no lock, the check only."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(:run, hashtext(:kode))"),
                {"run": run_id, "kode": kode_desa},
            )
        try:
            # read committed: each check sees what the lock's previous holder committed
            yield lambda: _landed(conn, run_id, kode_desa)
        finally:
            conn.rollback()  # ends the transaction, and with it the lock


def count_village(store: Warehouse, run_id: int, status: str) -> tuple[int, int] | None:
    """Add one village of outcome `status` to the run's tally; (villages tallied, villages of
    the run), or None when the run is no longer queued."""
    column = _COUNTERS[status]
    with store.engine.begin() as conn:
        row = conn.execute(
            update(_RUN)
            .where(_RUN.c.id == run_id, _RUN.c.status == QUEUED)
            .values({column.name: column + 1})
            .returning(
                _RUN.c.villages_ok + _RUN.c.villages_unchanged + _RUN.c.villages_failed,
                _RUN.c.villages_total,
            )
        ).first()
    return (int(row[0]), int(row[1])) if row is not None else None


def _landed_counts(conn, run_id: int) -> Landed:
    # a village is failed when any dataset failed, else ok when any changed, else unchanged:
    # the rule of the in-process sweep (collectors.sweep._outcome)
    rank = case((_FETCH.c.status == "failed", 2), (_FETCH.c.status == "ok", 1), else_=0)
    per_village = (
        select(func.max(rank).label("rank"))
        .where(_FETCH.c.run_id == run_id)
        .group_by(_FETCH.c.kode_desa)
        .subquery()
    )
    found = dict(
        conn.execute(select(per_village.c.rank, func.count()).group_by(per_village.c.rank)).all()
    )
    return Landed(ok=found.get(1, 0), unchanged=found.get(0, 0), failed=found.get(2, 0))


def landed_counts(store: Warehouse, run_id: int) -> Landed:
    """The run's landed villages by outcome, counted in its fetch log (each village once)."""
    with store.engine.connect() as conn:
        return _landed_counts(conn, run_id)


def _close(store: Warehouse, run_id: int, status: str, *, only_complete: bool) -> bool:
    with store.engine.begin() as conn:
        total = conn.execute(select(_RUN.c.villages_total).where(_RUN.c.id == run_id)).scalar()
        if total is None:
            return False
        landed = _landed_counts(conn, run_id)
        if only_complete and landed.villages < total:
            return False
        closed = conn.execute(
            update(_RUN)
            .where(_RUN.c.id == run_id, _RUN.c.status == QUEUED)
            .values(
                status=status, finished_at=utcnow(), villages_ok=landed.ok,
                villages_unchanged=landed.unchanged, villages_failed=landed.failed,
            )
        ).rowcount  # fmt: skip
        return closed == 1


def finish_if_complete(store: Warehouse, run_id: int) -> bool:
    """Complete the run with its exact counts when every village has landed; True when this
    call completed it (False: not yet complete, or already closed)."""
    done = _close(store, run_id, "completed", only_complete=True)
    if done and store.after_run is not None:
        store.after_run(store, run_id)
    return done


def abort_run(store: Warehouse, run_id: int) -> bool:
    """Close a queued run as aborted with the counts of what landed; its remaining tasks
    are then dropped by the workers. True when this call closed it."""
    return _close(store, run_id, "aborted", only_complete=False)


class TaskState(NamedTuple):
    """What a village's task reads before it pulls, in one query."""

    run_status: str | None  # None: no such run
    landed: bool  # the village's fetch log is in the run
    etag: str | None  # its stored validator for the endpoint (Warehouse.etags, one village)


def task_state(store: Warehouse, run_id: int, kode_desa: str, endpoint: str) -> TaskState:
    """The run's status, whether the village has landed in it, and its validator."""
    landed = (
        select(_FETCH.c.id)
        .where(_FETCH.c.kode_desa == kode_desa, _FETCH.c.run_id == run_id)
        .exists()
    )
    etag = (
        select(SourceState.etag)
        .where(SourceState.kode_desa == kode_desa, SourceState.endpoint == endpoint)
        .scalar_subquery()
    )
    with store.engine.connect() as conn:
        row = conn.execute(
            select(_RUN.c.status, landed.label("landed"), etag.label("etag")).where(
                _RUN.c.id == run_id
            )
        ).first()
    if row is None:
        return TaskState(None, False, None)
    return TaskState(row.status, bool(row.landed), row.etag)
