"""The warehouse: the one place that talks SQL. Idempotent upserts, run log, read frames."""

from __future__ import annotations

import json
import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Engine,
    String,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from warehouse.bounds import (
    SOURCE_APP,
    SOURCE_VERSION,
    BoundError,
    check_rows,
    etag_fits,
    text_fits,
)
from warehouse.models import (
    RUN_KINDS,
    VILLAGE_RUN_KINDS,
    CollectionRun,
    CollectRequest,
    DatasetStatus,
    FetchLog,
    ImportStatus,
    JobEvent,
    Measurement,
    Observation,
    SourceState,
    Wilayah,
)
from warehouse.values import (
    MEASUREMENTS,
    OBSERVATIONS,
    MeasurementRow,
    ObservationRow,
    Plan,
    apply_plans,
    diff,
    insert_rows,
    load_existing,
    table_for,
)

__all__ = [
    "CollectTicket",
    "DatasetWrite",
    "MeasurementRow",
    "ObservationRow",
    "SourceInfo",
    "Warehouse",
]

log = logging.getLogger(__name__)

MIGRATIONS_INI = Path(__file__).resolve().parent / "alembic.ini"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _reason(exc: BaseException) -> str:
    """What the database said, without the statement and its parameters."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip()[:300]


class _Why(NamedTuple):
    """A failure's reason as stored: the original text, its code and its values (JSON)."""

    text: str | None
    code: str | None = None
    params: str | None = None


def params_json(params: Mapping[str, object] | None) -> str | None:
    """A reason's values as the JSON text fetch_log and dataset_status keep (None: none)."""
    if not params:
        return None
    return json.dumps(dict(params), ensure_ascii=False, sort_keys=True, default=str)


def _bounded_source(kode_desa: str, source: SourceInfo) -> SourceInfo:
    """The source state as the warehouse can keep it: an ETag, system name or version the
    columns cannot hold is dropped (no validator: the next pull fetches everything), never
    sent to SQL. The adapters refuse them with a reason first (collectors/adapters); this is
    the last guard, for every writer."""
    dropped = {}
    if source.etag is not None and not etag_fits(source.etag):
        dropped["etag"] = None
    if source.app is not None and not text_fits(source.app, SOURCE_APP):
        dropped["app"] = None
    if source.version is not None and not text_fits(source.version, SOURCE_VERSION):
        dropped["version"] = None
    if not dropped:
        return source
    log.warning("desa %s: %s not kept (the warehouse cannot store it as sent)", kode_desa,
                ", ".join(dropped))  # fmt: skip
    return replace(source, **dropped)


_HOST = socket.gethostname()[:255]
HEARTBEAT_S = 30.0  # a running sweep's heartbeat
STALE_AFTER_S = 600.0  # a run without a heartbeat for this long is taken as interrupted


def _aware(ts: datetime) -> datetime:
    """A stored time as UTC (SQLite gives it back naive)."""
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    except OSError:
        return False
    return True


def _gone(run, now: datetime, stale_after: float) -> str | None:
    """Why a "running" run's process is gone, or None while it may be alive."""
    owner = f"process {run.owner_pid} on {run.owner_host}" if run.owner_pid else "its process"
    if run.owner_host == _HOST and run.owner_pid is not None:
        if run.owner_pid == os.getpid():
            return None  # ours
        if not _alive(run.owner_pid):
            return f"interrupted: {owner} is gone (killed or crashed) without finishing the run"
    seen = _aware(run.heartbeat_at or run.started_at)
    silent = (now - seen).total_seconds()
    if silent > stale_after:
        return (
            f"interrupted: no heartbeat from {owner} for {silent:.0f} s "
            f"(since {seen.isoformat(timespec='seconds')}); taken as gone"
        )
    return None


def _village_counts(conn, run_id: int) -> dict[str, int]:
    """villages_ok / _unchanged / _failed of a run from its fetch log, as the sweep counts
    them (a village failed if any dataset failed, else ok if any landed, else unchanged)."""
    rows = conn.execute(
        select(FetchLog.kode_desa, FetchLog.status).where(FetchLog.run_id == run_id)
    ).fetchall()
    by_village: dict[str, set[str]] = {}
    for kode, status in rows:
        by_village.setdefault(kode, set()).add(status)
    counts = {"villages_ok": 0, "villages_unchanged": 0, "villages_failed": 0}
    for statuses in by_village.values():
        if "failed" in statuses:
            counts["villages_failed"] += 1
        elif "ok" in statuses:
            counts["villages_ok"] += 1
        else:
            counts["villages_unchanged"] += 1
    return counts


@contextmanager
def _upgrade_lock(engine: Engine):
    """An exclusive lock around a SQLite file's migration (PostgreSQL locks inside its
    transaction instead); nothing for other databases or an in-memory SQLite."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        yield
        return
    import fcntl

    path = Path(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".upgrade-lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _insert_ignoring_duplicates(conn, table):
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the warehouse runs on these two
        return insert(table)
    return dialect_insert(table).on_conflict_do_nothing()


def _why(write: DatasetWrite) -> _Why:
    return _Why(write.error, write.error_code, params_json(write.error_params))


@dataclass(frozen=True)
class DatasetWrite:
    """One dataset of one village in one run, as the collector hands it over."""

    dataset: str
    status: str  # ok, unchanged (304) or failed
    rows: Sequence[ObservationRow] | Sequence[MeasurementRow] | None = None
    http_status: int | None = None
    duration_ms: int = 0
    error: str | None = None
    warning: str | None = None
    kind: str = "observation"  # or measurement: which value table the rows go to
    periods: tuple[str, ...] | None = None  # replace only these periods (None: the dataset)
    # the failure's reason for the pages: a code of the reason catalogue and its values
    # (i18n/locale/*/messages.po, keys alasan.*); `error` stays the original text, for operators
    error_code: str | None = None
    error_params: Mapping[str, object] | None = None


@dataclass(frozen=True)
class SourceInfo:
    """What a village's system told about itself, and the validator for the next pull."""

    endpoint: str
    etag: str | None = None
    app: str | None = None
    version: str | None = None


_FETCH = FetchLog.__table__
_STATUS = DatasetStatus.__table__
_STATUS_WHERE = (_STATUS.c.kode_desa == bindparam("b_kode")) & (
    _STATUS.c.dataset == bindparam("b_dataset")
)
_STATUS_OK_UPDATE = (
    update(_STATUS)
    .where(_STATUS_WHERE)
    .values(
        last_status=bindparam("last_status"),
        last_attempt_at=bindparam("last_attempt_at"),
        last_success_at=bindparam("last_success_at"),
        last_success_run_id=bindparam("last_success_run_id"),
        last_warning=bindparam("last_warning"),
    )
)
# a failure keeps the last success on record
_STATUS_FAILED_UPDATE = (
    update(_STATUS)
    .where(_STATUS_WHERE)
    .values(
        last_status=bindparam("last_status"),
        last_attempt_at=bindparam("last_attempt_at"),
        last_error=bindparam("last_error"),
        last_error_at=bindparam("last_error_at"),
        last_error_code=bindparam("last_error_code"),
        last_error_params=bindparam("last_error_params"),
    )
)
# built once: statement construction and cache-key work per call dominate small writes
_FETCH_COLUMNS = (
    "run_id", "kode_desa", "dataset", "status", "http_status", "duration_ms", "error", "warning",
    "error_code", "error_params", "fetched_at",
)  # fmt: skip
_STATUS_COLUMNS = (
    "kode_desa", "dataset", "last_status", "last_attempt_at", "last_success_at",
    "last_success_run_id", "last_error", "last_error_at", "last_warning", "last_error_code",
    "last_error_params",
)  # fmt: skip
_KNOWN_STATUS = select(_STATUS.c.dataset).where(_STATUS.c.kode_desa == bindparam("kode"))
_SOURCE = SourceState.__table__
# a 304 says nothing about the system: an app or version not given keeps what was seen before
_SOURCE_UPDATE = (
    update(_SOURCE)
    .where(_SOURCE.c.kode_desa == bindparam("b_kode"), _SOURCE.c.endpoint == bindparam("b_end"))
    .values(
        etag=bindparam("etag"),
        updated_at=bindparam("updated_at"),
        source_app=func.coalesce(bindparam("p_app", type_=String), _SOURCE.c.source_app),
        source_version=func.coalesce(
            bindparam("p_version", type_=String), _SOURCE.c.source_version
        ),
    )
)
_SOURCE_INSERT = insert(_SOURCE)


REQUEST_SCOPES = ("desa", "kecamatan", "semua")
OPEN_REQUESTS = ("pending", "running")


class CollectTicket(NamedTuple):
    """The answer to a collect-now request: its id, and whether an open request already
    covered it (merged: no new row)."""

    id: int
    merged: bool


def request_target(kode: str | None, scope: str | None = None) -> tuple[str | None, str]:
    """(code, scope) of a collect-now target: a dotted village or kecamatan code, or None
    for all villages; a code that is no region code is kept as given (the scheduler rejects
    it)."""
    from config.regions import RegionCodeError, normalize_code

    if kode is not None:
        try:
            kode = normalize_code(kode)
        except RegionCodeError:
            pass
    if scope is None:
        scope = "semua" if kode is None else ("kecamatan" if len(kode) == 8 else "desa")
    if scope not in REQUEST_SCOPES:
        raise ValueError(f"request scope {scope!r}: expected one of {', '.join(REQUEST_SCOPES)}")
    if (scope == "semua") != (kode is None):
        raise ValueError(f"request scope {scope!r} with code {kode!r}")
    return kode, scope


def _covering(kode: str | None, scope: str):
    """Open requests that cover a target, oldest first (ids)."""
    t = CollectRequest.__table__
    covers = t.c.scope == "semua"
    if scope == "kecamatan":
        covers |= (t.c.scope == "kecamatan") & (t.c.kode_desa == kode)
    elif scope == "desa":
        covers |= (t.c.scope == "desa") & (t.c.kode_desa == kode)
        covers |= (t.c.scope == "kecamatan") & (t.c.kode_desa == kode[:8])
    return select(t.c.id).where(t.c.status.in_(OPEN_REQUESTS), covers).order_by(t.c.id)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the pragmas SQLite needs for a concurrent reader and one writer."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Warehouse:
    """Owns the engine and every query of the warehouse."""

    def __init__(self, engine_or_url: Engine | str) -> None:
        self.engine = (
            make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
        )
        # called with (store, run_id) once a run completes (aggregates.rollup.install: the
        # run's rollup); it must not raise, the run being recorded already
        self.after_run: Callable[[Warehouse, int], None] | None = None

    # -- schema -----------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Bring the schema to the newest Alembic revision, then mark the runs whose process
        is gone as interrupted (every command opens the warehouse this way on start).

        Safe when several processes start together on a new warehouse (shards, the
        scheduler and the dashboard): on PostgreSQL the migration holds an advisory lock
        for its transaction, so the second process waits and then finds the schema at head;
        on a SQLite file, whose DDL does not wait for another transaction, a lock file next
        to the database does the same."""
        cfg = Config(str(MIGRATIONS_INI))
        with _upgrade_lock(self.engine), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # one key per schema: warehouses in other schemas of the database do not wait
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || :key))"),
                    {"key": ":dasbor-kecamatan upgrade"},
                )
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        self.mark_interrupted_runs()

    def sync_regions(self, villages: Iterable) -> None:
        """Store the provinsi → kabupaten → kecamatan → desa hierarchy of the registry."""
        from config.regions import get_region

        wanted: dict[str, dict] = {}
        for v in villages:
            # the province too: a registry may span several kabupaten (issue 12), and every
            # level of the hierarchy is then a row pages and rollups can name
            prov = get_region(v.kode_kabupaten[:2])
            wanted[v.kode_kabupaten[:2]] = dict(
                kode=v.kode_kabupaten[:2],
                nama=prov.nama if prov else v.kode_kabupaten[:2],
                tingkat="provinsi",
                induk=None,
                jenis=None,
            )
            kab = get_region(v.kode_kabupaten)
            wanted[v.kode_kabupaten] = dict(
                kode=v.kode_kabupaten,
                nama=kab.nama if kab else v.kode_kabupaten,
                tingkat="kabupaten",
                induk=v.kode_kabupaten[:2],
                jenis=None,
            )
            wanted[v.kode_kecamatan] = dict(
                kode=v.kode_kecamatan,
                nama=v.nama_kecamatan,
                tingkat="kecamatan",
                induk=v.kode_kabupaten,
                jenis=None,
            )
            wanted[v.kode_desa] = dict(
                kode=v.kode_desa,
                nama=v.nama_desa,
                tingkat="desa",
                induk=v.kode_kecamatan,
                jenis="kelurahan" if v.kode_desa[9] == "1" else "desa",
            )
        with self.engine.begin() as conn:
            existing = {r.kode: r for r in conn.execute(select(Wilayah))}
            new = [w for k, w in wanted.items() if k not in existing]
            if new:
                # another process (a shard started at the same time) may insert the same
                # regions meanwhile: theirs and ours are the same rows, so keep whichever
                # came first instead of failing on the primary key
                conn.execute(_insert_ignoring_duplicates(conn, Wilayah.__table__), new)
            for kode, w in wanted.items():
                old = existing.get(kode)
                if old is not None and (old.nama, old.induk, old.jenis) != (
                    w["nama"],
                    w["induk"],
                    w["jenis"],
                ):
                    conn.execute(
                        update(Wilayah)
                        .where(Wilayah.kode == kode)
                        .values(nama=w["nama"], induk=w["induk"], jenis=w["jenis"])
                    )

    # -- runs -------------------------------------------------------------------------------
    def start_run(
        self,
        *,
        kind: str = "collection",
        trigger: str = "manual",
        shard: str | None = None,
        total: int = 0,
    ) -> int:
        """A new run: a collection (we pulled villages), an import (a file) or a push."""
        if kind not in RUN_KINDS:
            raise ValueError(f"run kind {kind!r}: expected one of {', '.join(RUN_KINDS)}")
        now = utcnow()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(CollectionRun).values(
                    started_at=now,
                    status="running",
                    kind=kind,
                    trigger=trigger,
                    shard=shard,
                    villages_total=total,
                    villages_ok=0,
                    villages_unchanged=0,
                    villages_failed=0,
                    owner_host=_HOST,
                    owner_pid=os.getpid(),
                    heartbeat_at=now,
                )
            )
            return int(result.inserted_primary_key[0])

    def heartbeat(self, run_id: int) -> None:
        """A running run's sign of life (a sweep beats every HEARTBEAT_S seconds)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(CollectionRun)
                .where(CollectionRun.id == run_id, CollectionRun.status == "running")
                .values(heartbeat_at=utcnow())
            )

    def mark_interrupted_runs(self, *, stale_after: float = STALE_AFTER_S) -> list[int]:
        """Mark as `interrupted` every run still "running" whose process is gone: one of this
        host whose process id no longer exists, or any whose last heartbeat is older than
        `stale_after` seconds (a process killed on another machine, or a machine that went
        down). Its counts become what its fetch log holds, its `detail` says why; the values
        it landed stay (each village landed in its own transaction). Returns their ids.

        A run marked so that was alive after all (a clock far off) is finished normally by its
        own process: finish_run overwrites the mark."""
        now = utcnow()
        t = CollectionRun.__table__
        with self.engine.connect() as conn:
            running = conn.execute(select(t).where(t.c.status == "running")).fetchall()
        marked = []
        for run in running:
            why = _gone(run, now, stale_after)
            if why is None:
                continue
            with self.engine.begin() as conn:
                counts = _village_counts(conn, run.id)
                last = conn.execute(
                    select(func.max(FetchLog.fetched_at)).where(FetchLog.run_id == run.id)
                ).scalar()
                ended = max(
                    _aware(x) for x in (run.heartbeat_at, last, run.started_at) if x is not None
                )
                done = conn.execute(
                    update(t)
                    .where(t.c.id == run.id, t.c.status == "running")
                    .values(status="interrupted", finished_at=ended, detail=why, **counts)
                ).rowcount
            if done:
                log.warning("run %s marked interrupted: %s", run.id, why)
                marked.append(int(run.id))
        return marked

    def finish_run(
        self, run_id: int, *, ok: int, unchanged: int, failed: int, status: str = "completed"
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(CollectionRun)
                .where(CollectionRun.id == run_id)
                .values(
                    finished_at=utcnow(),
                    status=status,
                    villages_ok=ok,
                    villages_unchanged=unchanged,
                    villages_failed=failed,
                )
            )
        if status == "completed" and self.after_run is not None:
            self.after_run(self, run_id)

    def latest_run_id(self) -> int | None:
        """Id of the newest completed run of any kind: the cache key of every aggregate (an
        import must show on the pages at once)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.max(CollectionRun.id)).where(CollectionRun.status == "completed")
            ).scalar()

    # -- writes -----------------------------------------------------------------------------
    def record_dataset(
        self,
        run_id: int,
        kode_desa: str,
        dataset: str,
        *,
        rows: Sequence[ObservationRow] | None,
        status: str,
        http_status: int | None = None,
        duration_ms: int = 0,
        error: str | None = None,
    ) -> str:
        """Write one village's dataset in one transaction; return ok, unchanged or failed."""
        write = DatasetWrite(dataset, status, rows, http_status, duration_ms, error)
        return self.record_village(run_id, kode_desa, [write])[dataset]

    def run_kind(self, run_id: int) -> str:
        """A run's kind (collection, import, push): the `sumber` of the values it writes.
        Kept per store: a run's kind never changes and a sweep lands hundreds of villages."""
        kinds = self.__dict__.setdefault("_run_kinds", {})
        if run_id not in kinds:
            with self.engine.connect() as conn:
                kind = conn.execute(
                    select(CollectionRun.kind).where(CollectionRun.id == run_id)
                ).scalar()
            kinds[run_id] = kind or "collection"
        return kinds[run_id]

    def record_village(
        self,
        run_id: int,
        kode_desa: str,
        writes: Sequence[DatasetWrite],
        source: SourceInfo | None = None,
    ) -> dict[str, str]:
        """Land one village's datasets; return each dataset's final status.

        With rows, a dataset's stored values become exactly those rows (inserted, updated,
        deleted, the old versions kept as history); without rows (a 304 or a failure) they are
        left as they are. A dataset is refused whole, and logged as failed, when the diff finds
        a duplicate key or the database cannot store one of its values; the village's other
        datasets land all the same, and a refused dataset's previous values stay.

        The common case is one transaction for the whole pull: every changed dataset's values,
        one statement per table, then the bookkeeping (fetch log, dataset status, source
        state). A single writer is bound by statements and commits, not rows: 26 commits per
        village were most of a first sweep. Should the database refuse anything in it, that
        transaction is rolled back and the pull lands the careful way: one transaction per
        dataset (a refused one rolls back alone), then the bookkeeping in one more.
        """
        now = utcnow()
        names = [w.dataset for w in writes]
        if len(set(names)) != len(names):
            raise ValueError(f"desa {kode_desa}: a dataset is written twice in one pull")
        with_rows: dict[str, list[str]] = {}
        for w in writes:
            if w.rows is not None and w.status != "failed":
                with_rows.setdefault(w.kind, []).append(w.dataset)
        with self.engine.connect() as conn:
            with conn.begin():
                existing = {
                    kind: load_existing(conn, table_for(kind), kode_desa, datasets)
                    for kind, datasets in with_rows.items()
                }
                known_status = set(conn.execute(_KNOWN_STATUS, {"kode": kode_desa}).scalars())
            # plan every dataset before writing any: the diff refuses a dataset before SQL does
            outcome: dict[str, tuple[str, _Why]] = {}  # dataset: (status, reason)
            plans: dict[str, Plan] = {}
            for w in writes:
                outcome[w.dataset] = (w.status, _why(w))
                if w.rows is None or w.status == "failed":
                    continue
                stored = existing.get(w.kind, {}).get(w.dataset, {})
                try:
                    # a value either database would refuse (or SQLite would keep whole) fails
                    # its dataset here, the same on both, before any SQL (warehouse.bounds)
                    check_rows(w.kind, kode_desa, w.dataset, w.rows)
                except BoundError as exc:
                    outcome[w.dataset] = ("failed", _Why(str(exc), exc.code,
                                                         params_json(exc.params)))  # fmt: skip
                    continue
                try:
                    plan = diff(
                        table_for(w.kind), kode_desa, w.dataset, w.rows, stored, run_id, now,
                        periods=w.periods, sumber=self.run_kind(run_id),
                    )  # fmt: skip
                except ValueError as exc:
                    detail = str(exc)
                    why = _Why(detail, "warehouse.invalid", params_json({"detail": detail}))
                    outcome[w.dataset] = ("failed", why)
                    continue
                if plan.empty:
                    outcome[w.dataset] = ("unchanged", _why(w))
                else:
                    plans[w.dataset] = plan
                    outcome[w.dataset] = ("ok", _why(w))
            try:
                with conn.begin():
                    apply_plans(conn, list(plans.values()))
                    self._bookkeep(
                        conn, run_id, kode_desa, writes, outcome, set(known_status), source, now
                    )
            except (DBAPIError, OverflowError) as exc:
                if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                    raise  # a lost database is no dataset's fault: the sweep stops
                log.info("desa %s: one transaction refused (%s); dataset by dataset", kode_desa,
                         _reason(exc))  # fmt: skip
                for dataset, plan in plans.items():
                    try:
                        with conn.begin():
                            plan.apply(conn)
                    except (DBAPIError, OverflowError) as exc:
                        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                            raise
                        # a value the database cannot store (out of range, too long): this
                        # dataset is rolled back alone and keeps its previous values
                        log.warning("desa %s, dataset %s refused: %s", kode_desa, dataset,
                                    _reason(exc))  # fmt: skip
                        detail = _reason(exc)
                        outcome[dataset] = ("failed", _Why(
                            f"refused by the warehouse: {detail}", "warehouse.refused",
                            params_json({"detail": detail}),
                        ))  # fmt: skip
                with conn.begin():
                    self._bookkeep(
                        conn, run_id, kode_desa, writes, outcome, known_status, source, now
                    )
        return {dataset: status for dataset, (status, _error) in outcome.items()}

    def _bookkeep(
        self, conn, run_id, kode_desa, writes, outcome, known_status: set, source, now
    ) -> None:
        """Fetch log and dataset status of a pull with its final statuses, and source state."""
        entries = []
        for w in writes:
            status, why = outcome[w.dataset]
            entries.append((w.dataset, status, w.http_status, w.duration_ms, why.text, w.warning,
                            why.code, why.params))  # fmt: skip
        self._log_entries(conn, run_id, kode_desa, entries, known_status, now)
        if source is not None:
            if source.etag is not None and any(s == "failed" for s, _ in outcome.values()):
                # the validator is kept only when every dataset landed: a dataset the
                # warehouse refused is pulled again next time, not answered with a 304
                source = replace(source, etag=None)
            self._save_source(conn, kode_desa, source, now)

    def _log(self, conn, run_id, kode_desa, writes, known_status: set | None, now) -> None:
        """Fetch log and dataset status of DatasetWrite values (their status as final);
        known_status None: the fetch log only (see _log_entries)."""
        entries = [
            (w.dataset, w.status, w.http_status, w.duration_ms, w.error, w.warning, *_why(w)[1:])
            for w in writes
        ]
        self._log_entries(conn, run_id, kode_desa, entries, known_status, now)

    def _log_entries(self, conn, run_id, kode_desa, entries, known_status: set | None, now) -> None:
        """entries: (dataset, status, http_status, duration_ms, error, warning, error_code,
        error_params) tuples (error_params as JSON text).
        known_status None: the fetch log only, no dataset status (an import: it says nothing
        of the village's own system, issue 8)."""
        if not entries:
            return
        # fetch_log columns after run_id and kode_desa, before fetched_at: the entry as it is
        insert_rows(conn, _FETCH, _FETCH_COLUMNS, entries, head=(run_id, kode_desa), tail=(now,))
        if known_status is None:
            return
        ok_updates, failed_updates, inserts = [], [], []
        for dataset, status, _http, _ms, error, warning, code, params in entries:
            success = status in ("ok", "unchanged")
            if dataset in known_status:
                # a failure keeps the last success on record
                if success:
                    ok_updates.append(
                        dict(b_kode=kode_desa, b_dataset=dataset, last_status=status,
                             last_attempt_at=now, last_success_at=now,
                             last_success_run_id=run_id, last_warning=warning)
                    )  # fmt: skip
                else:
                    failed_updates.append(
                        dict(b_kode=kode_desa, b_dataset=dataset, last_status=status,
                             last_attempt_at=now, last_error=error, last_error_at=now,
                             last_error_code=code, last_error_params=params)
                    )  # fmt: skip
            else:
                inserts.append(
                    (dataset, status, now, now if success else None,
                     run_id if success else None, None if success else error,
                     None if success else now, warning if success else None,
                     None if success else code, None if success else params)
                )  # fmt: skip
                known_status.add(dataset)
        if ok_updates:
            conn.execute(_STATUS_OK_UPDATE, ok_updates)
        if failed_updates:
            conn.execute(_STATUS_FAILED_UPDATE, failed_updates)
        if inserts:
            insert_rows(conn, _STATUS, _STATUS_COLUMNS, inserts, head=(kode_desa,))

    def save_source_state(self, kode_desa: str, source: SourceInfo) -> None:
        with self.engine.begin() as conn:
            self._save_source(conn, kode_desa, source, utcnow())

    def _save_source(self, conn, kode_desa: str, source: SourceInfo, now) -> None:
        source = _bounded_source(kode_desa, source)
        found = conn.execute(
            _SOURCE_UPDATE,
            dict(b_kode=kode_desa, b_end=source.endpoint, etag=source.etag, updated_at=now,
                 p_app=source.app, p_version=source.version),
        ).rowcount  # fmt: skip
        if not found:
            conn.execute(
                _SOURCE_INSERT,
                dict(kode_desa=kode_desa, endpoint=source.endpoint, etag=source.etag,
                     updated_at=now, source_app=source.app, source_version=source.version),
            )  # fmt: skip

    def etags(self, endpoint: str) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {
                r.kode_desa: r.etag
                for r in conn.execute(
                    select(SourceState.kode_desa, SourceState.etag).where(
                        SourceState.endpoint == endpoint, SourceState.etag.is_not(None)
                    )
                )
            }

    # -- reads (DataFrames for aggregates) ----------------------------------------------------
    def _frame(self, stmt, dates: Sequence[str] = ()) -> pd.DataFrame:
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            # plain tuples: pandas builds the frame ~3× faster than from Row objects
            df = pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
        for col in dates:
            df[col] = pd.to_datetime(df[col], utc=True)
        return df

    def regions_frame(self) -> pd.DataFrame:
        return self._frame(select(Wilayah).order_by(Wilayah.kode))

    def observations_frame(self, datasets: Sequence[str] | None = None) -> pd.DataFrame:
        """Current values with village, kecamatan names attached."""
        stmt = select(
            Observation.kode_desa,
            Observation.dataset,
            Observation.periode,
            Observation.kode,
            Observation.label,
            Observation.urutan,
            Observation.dari,
            Observation.sampai,
            Observation.laki_laki,
            Observation.perempuan,
            Observation.jumlah,
            Observation.updated_run_id,
        ).order_by(Observation.kode_desa, Observation.dataset, Observation.urutan)
        if datasets is not None:
            stmt = stmt.where(Observation.dataset.in_(list(datasets)))
        return self._frame(stmt)

    def dataset_status_frame(self) -> pd.DataFrame:
        """The latest collection (or push) attempt per village and dataset."""
        return self._frame(
            select(DatasetStatus), dates=("last_attempt_at", "last_success_at", "last_error_at")
        )

    def import_status_frame(self) -> pd.DataFrame:
        """The latest import per region, dataset and period (with the file's name)."""
        return self._frame(select(ImportStatus), dates=("last_import_at",))

    def runs_frame(self, limit: int = 50, *, kinds: Sequence[str] | None = None) -> pd.DataFrame:
        """The newest runs, newest first; `kinds`: only runs of those kinds."""
        stmt = select(CollectionRun).order_by(CollectionRun.id.desc()).limit(limit)
        if kinds is not None:
            stmt = stmt.where(CollectionRun.kind.in_(list(kinds)))
        return self._frame(stmt, dates=("started_at", "finished_at", "heartbeat_at"))

    def fetch_log_frame(
        self,
        run_id: int | None = None,
        *,
        kode_desa: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The fetch log (oldest first); `kinds`: only entries of runs of those kinds."""
        stmt = select(FetchLog).order_by(FetchLog.id)
        if run_id is not None:
            stmt = stmt.where(FetchLog.run_id == run_id)
        if kode_desa is not None:  # one village's log: indexed, not the whole history
            stmt = stmt.where(FetchLog.kode_desa == kode_desa)
        if kinds is not None:
            stmt = stmt.join(CollectionRun, CollectionRun.id == FetchLog.run_id).where(
                CollectionRun.kind.in_(list(kinds))
            )
        return self._frame(stmt, dates=("fetched_at",))

    def latest_attempts_frame(self) -> pd.DataFrame:
        """Each village's latest collection (or push) attempt of each dataset, from the fetch
        log entry dataset_status points at: kode_desa, dataset, run_id, status, duration_ms,
        fetched_at. A pull logs all its datasets at one time, so the entry is found through the
        fetch log's index, one seek per village and dataset, never by reading its history."""
        t, s, r = _FETCH, _STATUS, CollectionRun.__table__
        village_runs = select(r.c.id).where(r.c.kind.in_(list(VILLAGE_RUN_KINDS)))

        def entry(column):
            return (
                select(column)
                .where(
                    t.c.kode_desa == s.c.kode_desa,
                    t.c.dataset == s.c.dataset,
                    t.c.fetched_at == s.c.last_attempt_at,
                    t.c.run_id.in_(village_runs),
                )
                .order_by(t.c.id.desc())
                .limit(1)
                .scalar_subquery()
            )

        stmt = select(
            s.c.kode_desa,
            s.c.dataset,
            entry(t.c.run_id).label("run_id"),
            s.c.last_status.label("status"),
            entry(t.c.duration_ms).label("duration_ms"),
            s.c.last_attempt_at.label("fetched_at"),
        ).order_by(s.c.kode_desa, s.c.dataset)
        frame = self._frame(stmt, dates=("fetched_at",))
        return frame[frame["run_id"].notna()].reset_index(drop=True)

    def source_state_frame(self) -> pd.DataFrame:
        return self._frame(select(SourceState), dates=("updated_at",))

    def measurements_frame(
        self, datasets: Sequence[str] | None = None, kode: str | None = None
    ) -> pd.DataFrame:
        """Current measurements (any dataset but population counts), optionally one region."""
        t = Measurement.__table__
        stmt = select(
            t.c.kode_wilayah, t.c.dataset, t.c.periode, t.c.kode, t.c.ukuran, t.c.label,
            t.c.nilai, t.c.atribut, t.c.updated_run_id, t.c.updated_at, t.c.sumber,
        ).order_by(t.c.kode_wilayah, t.c.dataset, t.c.periode, t.c.kode, t.c.ukuran)  # fmt: skip
        if datasets is not None:
            stmt = stmt.where(t.c.dataset.in_(list(datasets)))
        if kode:
            stmt = stmt.where((t.c.kode_wilayah == kode) | t.c.kode_wilayah.startswith(kode + "."))
        return self._frame(stmt, dates=("updated_at",))

    def measurement_periods_frame(self) -> pd.DataFrame:
        """Each (dataset, periode) the current measurements hold: the period choices, without
        reading the measurements themselves."""
        t = Measurement.__table__
        stmt = select(t.c.dataset, t.c.periode).distinct().order_by(t.c.dataset, t.c.periode)
        return self._frame(stmt)

    # -- history and audit ------------------------------------------------------------------
    def history_frame(
        self,
        kind: str = "observation",
        *,
        datasets: Sequence[str] | None = None,
        kode: str | None = None,
    ) -> pd.DataFrame:
        """Every version of each value, current ones included: valid_from ≤ t < valid_to.

        The current version has valid_to NaT. Drawing a trend over months means taking, per
        month end, the version valid then.
        """
        spec = OBSERVATIONS if kind == "observation" else MEASUREMENTS
        t, h = spec.table, spec.history
        cols = [spec.region, "dataset", *spec.keys, *spec.values]
        current = select(
            *(t.c[c] for c in cols),
            t.c.updated_run_id.label("valid_from_run"),
            t.c.updated_at.label("valid_from"),
        )
        old = select(
            *(h.c[c] for c in cols),
            h.c.valid_from_run, h.c.valid_from, h.c.valid_to_run, h.c.valid_to, h.c.change,
        )  # fmt: skip
        for col in (spec.region,):
            if kode:
                current = current.where((t.c[col] == kode) | t.c[col].startswith(kode + "."))
                old = old.where((h.c[col] == kode) | h.c[col].startswith(kode + "."))
        if datasets is not None:
            current = current.where(t.c.dataset.in_(list(datasets)))
            old = old.where(h.c.dataset.in_(list(datasets)))
        now = self._frame(current, dates=("valid_from",))
        now["valid_to_run"] = pd.NA
        now["valid_to"] = pd.NaT
        now["change"] = None
        before = self._frame(old, dates=("valid_from", "valid_to"))
        frames = [f for f in (before, now) if not f.empty]
        if not frames:
            return pd.concat([before, now])
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values([spec.region, "dataset", *spec.keys, "valid_from"]).reset_index(
            drop=True
        )

    def audit_frame(self, kind: str = "observation", *, run_id: int | None = None) -> pd.DataFrame:
        """Changed and removed values: for each value column its old and new value (new is
        empty when removed), which columns changed, the run and the time."""
        spec = OBSERVATIONS if kind == "observation" else MEASUREMENTS
        h = spec.history
        stmt = select(h).order_by(h.c.valid_to_run, h.c.id)
        if run_id is not None:
            stmt = stmt.where(h.c.valid_to_run == run_id)
        old = self._frame(stmt, dates=("valid_from", "valid_to"))
        key = [spec.region, "dataset", *spec.keys]
        pairs = [x for c in spec.values for x in (f"lama_{c}", f"baru_{c}")]
        columns = [*key, "run_id", "changed_at", "change", "berubah", *pairs]
        if old.empty:
            return pd.DataFrame(columns=columns)
        # the value that replaced a version started in the run that ended it: read only the
        # versions that started in those runs, not the whole history
        runs = sorted({int(r) for r in old["valid_to_run"]})
        t = spec.table
        cols = [spec.region, "dataset", *spec.keys, *spec.values]
        now = self._frame(
            select(*(t.c[c] for c in cols), t.c.updated_run_id.label("valid_from_run")).where(
                t.c.updated_run_id.in_(runs)
            )
        )
        later = self._frame(
            select(*(h.c[c] for c in cols), h.c.valid_from_run).where(h.c.valid_from_run.in_(runs))
        )
        following = pd.concat([f for f in (now, later) if not f.empty] or [now])
        following = following.rename(columns={c: f"baru_{c}" for c in spec.values})
        following = following.rename(columns={"valid_from_run": "valid_to_run"})
        merged = old.merge(following, on=[*key, "valid_to_run"], how="left")
        for c in spec.values:
            merged = merged.rename(columns={c: f"lama_{c}"})
            merged.loc[merged["change"] == "delete", f"baru_{c}"] = None
        deleted = merged["change"] == "delete"
        changed = {}
        for c in spec.values:
            a, b = merged[f"lama_{c}"], merged[f"baru_{c}"]
            same = (a == b) | (a.isna() & b.isna())
            changed[c] = (deleted | ~same.fillna(False).astype(bool)).to_numpy()
        merged["berubah"] = [
            ",".join(c for c in spec.values if changed[c][i]) for i in range(len(merged))
        ]
        out = merged.rename(columns={"valid_to_run": "run_id", "valid_to": "changed_at"})
        return out[columns].reset_index(drop=True)

    # -- collect-now requests and scheduler events -------------------------------------------
    def request_collect(
        self, kode: str | None = None, *, scope: str | None = None, requested_by: str = ""
    ) -> CollectTicket:
        """Ask the scheduler process to collect a village, a kecamatan or all villages (kode
        None) as soon as it can; `scope` (desa, kecamatan, semua) follows from the code when
        not given. A target an open (pending or running) request covers already (the same
        target; for a village its kecamatan; all villages) is merged into it: no new row.

        Two requests at once may both insert; the later one then gives way to the earlier
        (deleted while still pending), so at most one stays open per target."""
        kode, scope = request_target(kode, scope)
        covering = _covering(kode, scope)
        t = CollectRequest.__table__
        with self.engine.connect() as conn:
            found = conn.execute(covering.limit(1)).scalar()
        if found is not None:
            return CollectTicket(int(found), True)
        with self.engine.begin() as conn:
            new = int(
                conn.execute(
                    insert(t).values(
                        kode_desa=kode,
                        scope=scope,
                        requested_at=utcnow(),
                        requested_by=requested_by,
                        status="pending",
                    )
                ).inserted_primary_key[0]
            )
        with self.engine.begin() as conn:
            first = conn.execute(covering.where(t.c.id != new).limit(1)).scalar()
            if first is not None and first < new:
                gone = conn.execute(
                    t.delete().where(t.c.id == new, t.c.status == "pending")
                ).rowcount
                if gone:
                    return CollectTicket(int(first), True)
        return CollectTicket(new, False)

    def claim_requests(self) -> list[dict]:
        """Mark pending requests as running and return them (oldest first)."""
        t = CollectRequest.__table__
        with self.engine.begin() as conn:
            rows = [
                dict(r._mapping)
                for r in conn.execute(select(t).where(t.c.status == "pending").order_by(t.c.id))
            ]
            if rows:
                conn.execute(
                    update(t)
                    .where(t.c.id.in_([r["id"] for r in rows]), t.c.status == "pending")
                    .values(status="running", picked_at=utcnow())
                )
        return rows

    def finish_requests(
        self,
        ids: Sequence[int],
        run_id: int | None,
        *,
        status: str = "done",
        detail: str | None = None,
    ) -> None:
        t = CollectRequest.__table__
        with self.engine.begin() as conn:
            conn.execute(
                update(t)
                .where(t.c.id.in_(list(ids)))
                .values(status=status, finished_at=utcnow(), run_id=run_id, detail=detail)
            )

    def requeue_running_requests(self) -> int:
        """Put requests a killed scheduler left 'running' back to pending; return how many."""
        t = CollectRequest.__table__
        with self.engine.begin() as conn:
            return conn.execute(
                update(t).where(t.c.status == "running").values(status="pending", picked_at=None)
            ).rowcount

    def requests_frame(self, ids: Sequence[int] | None = None) -> pd.DataFrame:
        """Collect-now requests, newest first; `ids`: only those."""
        stmt = select(CollectRequest).order_by(CollectRequest.id.desc())
        if ids is not None:
            stmt = stmt.where(CollectRequest.id.in_([int(i) for i in ids]))
        return self._frame(stmt, dates=("requested_at", "picked_at", "finished_at"))

    def record_job_event(
        self,
        job_id: str,
        event: str,
        *,
        scheduled_at: datetime | None = None,
        run_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(JobEvent).values(
                    job_id=job_id,
                    event=event,
                    scheduled_at=scheduled_at,
                    at=utcnow(),
                    run_id=run_id,
                    detail=detail,
                )
            )

    def job_events_frame(self) -> pd.DataFrame:
        return self._frame(select(JobEvent).order_by(JobEvent.id), dates=("scheduled_at", "at"))
