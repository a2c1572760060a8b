"""The warehouse schema: regions, observations, collection runs and the fetch log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Wilayah(Base):
    """A region: kabupaten, kecamatan or desa/kelurahan, by dotted Kemendagri code."""

    __tablename__ = "wilayah"
    kode: Mapped[str] = mapped_column(String(13), primary_key=True)
    nama: Mapped[str] = mapped_column(String(200))
    tingkat: Mapped[str] = mapped_column(String(16))  # kabupaten, kecamatan, desa
    induk: Mapped[str | None] = mapped_column(String(13), index=True)
    jenis: Mapped[str | None] = mapped_column(String(16))  # desa or kelurahan


class CollectionRun(Base):
    __tablename__ = "collection_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # running, completed, aborted
    trigger: Mapped[str] = mapped_column(String(32), default="manual")
    shard: Mapped[str | None] = mapped_column(String(16))
    villages_total: Mapped[int] = mapped_column(Integer, default=0)
    villages_ok: Mapped[int] = mapped_column(Integer, default=0)
    villages_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    villages_failed: Mapped[int] = mapped_column(Integer, default=0)


class FetchLog(Base):
    """One village, one dataset, one run: what happened."""

    __tablename__ = "fetch_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("collection_run.id"), index=True)
    kode_desa: Mapped[str] = mapped_column(String(13))
    dataset: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # ok, unchanged, failed
    http_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_fetch_log_desa_dataset", "kode_desa", "dataset", "fetched_at"),)


class DatasetStatus(Base):
    """Latest state of one dataset of one village (derived from the fetch log, kept current)."""

    __tablename__ = "dataset_status"
    kode_desa: Mapped[str] = mapped_column(String(13), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_status: Mapped[str] = mapped_column(String(16))
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_run_id: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SourceState(Base):
    """Per village and endpoint: the validator for conditional requests and the system seen."""

    __tablename__ = "source_state"
    kode_desa: Mapped[str] = mapped_column(String(13), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(64), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(200))
    source_app: Mapped[str | None] = mapped_column(String(64))
    source_version: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Observation(Base):
    """One current value: village × dataset × category (× period)."""

    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kode_desa: Mapped[str] = mapped_column(String(13))
    dataset: Mapped[str] = mapped_column(String(64))
    periode: Mapped[str] = mapped_column(String(16), default="")
    kode: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    urutan: Mapped[int] = mapped_column(Integer, default=0)
    dari: Mapped[int | None] = mapped_column(Integer)
    sampai: Mapped[int | None] = mapped_column(Integer)
    laki_laki: Mapped[int | None] = mapped_column(BigInteger)
    perempuan: Mapped[int | None] = mapped_column(BigInteger)
    jumlah: Mapped[int] = mapped_column(BigInteger)
    first_run_id: Mapped[int] = mapped_column(Integer)
    updated_run_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("kode_desa", "dataset", "periode", "kode"),)
