"""The warehouse: the one place that talks SQL. Idempotent upserts, run log, read frames."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url

from warehouse.models import (
    CollectionRun,
    DatasetStatus,
    FetchLog,
    Observation,
    SourceState,
    Wilayah,
)

MIGRATIONS_INI = Path(__file__).resolve().parent / "alembic.ini"
VALUE_COLUMNS = ("label", "urutan", "dari", "sampai", "laki_laki", "perempuan", "jumlah")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(ts: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC
    if ts is not None and ts.tzinfo is None:
        return ts.replace(tzinfo=UTC)
    return ts


@dataclass(frozen=True)
class ObservationRow:
    """A value as an adapter delivers it, before it meets the warehouse."""

    kode: str
    label: str
    jumlah: int
    laki_laki: int | None = None
    perempuan: int | None = None
    urutan: int = 0
    dari: int | None = None
    sampai: int | None = None
    periode: str = ""


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

    # -- schema -----------------------------------------------------------------------------
    def upgrade(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        cfg = Config(str(MIGRATIONS_INI))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def sync_regions(self, villages: Iterable) -> None:
        """Store the kabupaten → kecamatan → desa hierarchy of the registry's villages."""
        from config.regions import get_region

        wanted: dict[str, dict] = {}
        for v in villages:
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
                conn.execute(insert(Wilayah), new)
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
    def start_run(self, *, trigger: str = "manual", shard: str | None = None, total: int = 0) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(CollectionRun).values(
                    started_at=utcnow(),
                    status="running",
                    trigger=trigger,
                    shard=shard,
                    villages_total=total,
                    villages_ok=0,
                    villages_unchanged=0,
                    villages_failed=0,
                )
            )
            return int(result.inserted_primary_key[0])

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

    def latest_run_id(self) -> int | None:
        """Id of the newest completed run: the cache key of every aggregate."""
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
        """Write one village's dataset in one transaction; return ok, unchanged or failed.

        With rows, the stored values become exactly those rows (inserted, updated, deleted);
        without rows (a 304 or a failure) the stored values are left as they are.
        """
        now = utcnow()
        with self.engine.begin() as conn:
            if rows is not None and status != "failed":
                changed = self._replace_values(conn, run_id, kode_desa, dataset, rows, now)
                status = "ok" if changed else "unchanged"
            conn.execute(
                insert(FetchLog).values(
                    run_id=run_id,
                    kode_desa=kode_desa,
                    dataset=dataset,
                    status=status,
                    http_status=http_status,
                    duration_ms=duration_ms,
                    error=error,
                    fetched_at=now,
                )
            )
            self._update_status(conn, run_id, kode_desa, dataset, status, error, now)
        return status

    def _replace_values(self, conn, run_id, kode_desa, dataset, rows, now) -> int:
        existing = {
            (r.periode, r.kode): r
            for r in conn.execute(
                select(Observation).where(
                    Observation.kode_desa == kode_desa, Observation.dataset == dataset
                )
            )
        }
        inserts, changed = [], 0
        seen = set()
        for row in rows:
            key = (row.periode, row.kode)
            if key in seen:
                raise ValueError(f"desa {kode_desa}, dataset {dataset}: duplicate kode {row.kode}")
            seen.add(key)
            values = {c: getattr(row, c) for c in VALUE_COLUMNS}
            old = existing.get(key)
            if old is None:
                inserts.append(
                    dict(
                        values,
                        kode_desa=kode_desa,
                        dataset=dataset,
                        periode=row.periode,
                        kode=row.kode,
                        first_run_id=run_id,
                        updated_run_id=run_id,
                        updated_at=now,
                    )
                )
            elif any(getattr(old, c) != values[c] for c in VALUE_COLUMNS):
                conn.execute(
                    update(Observation)
                    .where(Observation.id == old.id)
                    .values(**values, updated_run_id=run_id, updated_at=now)
                )
                changed += 1
        if inserts:
            conn.execute(insert(Observation), inserts)
        gone = [r.id for k, r in existing.items() if k not in seen]
        if gone:
            conn.execute(delete(Observation).where(Observation.id.in_(gone)))
        return changed + len(inserts) + len(gone)

    def _update_status(self, conn, run_id, kode_desa, dataset, status, error, now) -> None:
        success = status in ("ok", "unchanged")
        values = dict(last_status=status, last_attempt_at=now)
        if success:
            values.update(last_success_at=now, last_success_run_id=run_id)
        else:
            values.update(last_error=error, last_error_at=now)
        found = conn.execute(
            update(DatasetStatus)
            .where(DatasetStatus.kode_desa == kode_desa, DatasetStatus.dataset == dataset)
            .values(**values)
        ).rowcount
        if not found:
            conn.execute(insert(DatasetStatus).values(kode_desa=kode_desa, dataset=dataset, **values))

    def save_source_state(
        self,
        kode_desa: str,
        endpoint: str,
        *,
        etag: str | None,
        source_app: str | None,
        source_version: str | None,
    ) -> None:
        with self.engine.begin() as conn:
            values = dict(
                etag=etag, source_app=source_app, source_version=source_version, updated_at=utcnow()
            )
            found = conn.execute(
                update(SourceState)
                .where(SourceState.kode_desa == kode_desa, SourceState.endpoint == endpoint)
                .values(**values)
            ).rowcount
            if not found:
                conn.execute(
                    insert(SourceState).values(kode_desa=kode_desa, endpoint=endpoint, **values)
                )

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
            df = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
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
        return self._frame(
            select(DatasetStatus), dates=("last_attempt_at", "last_success_at", "last_error_at")
        )

    def runs_frame(self, limit: int = 50) -> pd.DataFrame:
        return self._frame(
            select(CollectionRun).order_by(CollectionRun.id.desc()).limit(limit),
            dates=("started_at", "finished_at"),
        )

    def fetch_log_frame(self, run_id: int | None = None) -> pd.DataFrame:
        stmt = select(FetchLog).order_by(FetchLog.id)
        if run_id is not None:
            stmt = stmt.where(FetchLog.run_id == run_id)
        return self._frame(stmt, dates=("fetched_at",))

    def source_state_frame(self) -> pd.DataFrame:
        return self._frame(select(SourceState), dates=("updated_at",))
