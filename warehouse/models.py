"""The warehouse schema: regions, observations, collection runs and the fetch log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
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
    tingkat: Mapped[str] = mapped_column(String(16))  # provinsi, kabupaten, kecamatan, desa
    induk: Mapped[str | None] = mapped_column(String(13), index=True)
    jenis: Mapped[str | None] = mapped_column(String(16))  # desa or kelurahan


RUN_KINDS = ("collection", "import", "push")
# the kinds that speak of a village's own system: its freshness, last success, response time
# and collection history come from these runs only, never from an import (issue 8)
VILLAGE_RUN_KINDS = ("collection", "push")


class CollectionRun(Base):
    """One arrival of data: a collection (we pulled the villages), an import (a file) or a
    push (a village sent). Only collections say anything of a village's own system."""

    __tablename__ = "collection_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # running, completed, aborted, interrupted
    kind: Mapped[str] = mapped_column(String(16), default="collection", server_default="collection")
    trigger: Mapped[str] = mapped_column(String(32), default="manual")
    shard: Mapped[str | None] = mapped_column(String(16))
    villages_total: Mapped[int] = mapped_column(Integer, default=0)
    villages_ok: Mapped[int] = mapped_column(Integer, default=0)
    villages_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    villages_failed: Mapped[int] = mapped_column(Integer, default=0)
    # who runs it and its last sign of life: a run whose process is gone (killed, a machine
    # that went down) is marked interrupted by the next process that opens the warehouse
    owner_host: Mapped[str | None] = mapped_column(String(255))
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    detail: Mapped[str | None] = mapped_column(Text)  # why it ended so (interrupted: ...)
    # who brought it (issue 10): "user:<name>" for an upload, "cli:<os user>" for the CLI
    actor: Mapped[str | None] = mapped_column(String(100))


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
    error: Mapped[str | None] = mapped_column(Text)  # the original text, for operators
    error_code: Mapped[str | None] = mapped_column(String(64))  # the reason, translated on pages
    error_params: Mapped[str | None] = mapped_column(Text)  # JSON object of the reason's values
    warning: Mapped[str | None] = mapped_column(Text)  # landed, but flagged (e.g. unknown codes)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (Index("ix_fetch_log_desa_dataset", "kode_desa", "dataset", "fetched_at"),)


class DatasetStatus(Base):
    """Latest state of one dataset of one village from its collections (and pushes): the fetch
    log's newest entry of those runs, kept current. Imports have their own ImportStatus."""

    __tablename__ = "dataset_status"
    kode_desa: Mapped[str] = mapped_column(String(13), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_status: Mapped[str] = mapped_column(String(16))
    last_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_run_id: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_params: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_warning: Mapped[str | None] = mapped_column(Text)


class ImportStatus(Base):
    """The latest import of one dataset and period for one region (village or kecamatan)."""

    __tablename__ = "import_status"
    kode_wilayah: Mapped[str] = mapped_column(String(13), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    periode: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_import_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(200))  # the file's name


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
    # where the value came from: the kind of the run that wrote it (issue 11)
    sumber: Mapped[str] = mapped_column(String(16), default="collection",
                                        server_default="collection")  # fmt: skip
    __table_args__ = (UniqueConstraint("kode_desa", "dataset", "periode", "kode"),)


class Measurement(Base):
    """One current value of any other dataset: region × dataset × period × item × measure.

    Program bantuan, APBDes, pembangunan, village identity, the monthly and semester datasets
    of puskesmas and schools, and the kecamatan budget. `kode_wilayah` is a village code, or a
    kecamatan code for kecamatan-level datasets.
    """

    __tablename__ = "measurement"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kode_wilayah: Mapped[str] = mapped_column(String(13))
    dataset: Mapped[str] = mapped_column(String(64))
    periode: Mapped[str] = mapped_column(String(16), default="")
    kode: Mapped[str] = mapped_column(String(64), default="")
    ukuran: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    nilai: Mapped[float | None] = mapped_column(Float(precision=53))
    atribut: Mapped[str | None] = mapped_column(Text)  # JSON object of descriptive fields
    first_run_id: Mapped[int] = mapped_column(Integer)
    updated_run_id: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # collection (pulled from the village), import (a file) or push (the village sent it):
    # the kind of the run `updated_run_id` names, kept on the value (issue 11)
    sumber: Mapped[str] = mapped_column(String(16), default="collection",
                                        server_default="collection")  # fmt: skip
    __table_args__ = (UniqueConstraint("kode_wilayah", "dataset", "periode", "kode", "ukuran"),)


class ObservationHistory(Base):
    """Superseded versions of observations: the value, when it held, and which run ended it.

    The current version lives in `observation` (valid since its updated_at), so the first
    sweep writes no history and a value that never changes costs one row.
    """

    __tablename__ = "observation_history"
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
    valid_from_run: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sumber: Mapped[str | None] = mapped_column(String(16))  # the superseded value's
    valid_to_run: Mapped[int] = mapped_column(Integer, index=True)
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    change: Mapped[str] = mapped_column(String(8))  # update or delete
    __table_args__ = (Index("ix_observation_history_key", "kode_desa", "dataset", "kode"),)


class MeasurementHistory(Base):
    """Superseded versions of measurements (see ObservationHistory)."""

    __tablename__ = "measurement_history"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kode_wilayah: Mapped[str] = mapped_column(String(13))
    dataset: Mapped[str] = mapped_column(String(64))
    periode: Mapped[str] = mapped_column(String(16), default="")
    kode: Mapped[str] = mapped_column(String(64), default="")
    ukuran: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    nilai: Mapped[float | None] = mapped_column(Float(precision=53))
    atribut: Mapped[str | None] = mapped_column(Text)
    valid_from_run: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sumber: Mapped[str | None] = mapped_column(String(16))  # the superseded value's
    valid_to_run: Mapped[int] = mapped_column(Integer, index=True)
    valid_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    change: Mapped[str] = mapped_column(String(8))
    __table_args__ = (Index("ix_measurement_history_key", "kode_wilayah", "dataset", "kode"),)


class CollectRequest(Base):
    """A request to collect now, written by the dashboard or CLI, picked up by the scheduler."""

    __tablename__ = "collect_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode_desa: Mapped[str | None] = mapped_column(String(13))  # a village, a kecamatan; None = all
    scope: Mapped[str] = mapped_column(String(16), default="desa", server_default="desa")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    requested_by: Mapped[str] = mapped_column(String(64), default="")
    # pending, running, done, rejected (not in the registry), failed (the sweep broke off)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    picked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


class JobEvent(Base):
    """What the scheduler did: a job ran, failed or missed its time."""

    __tablename__ = "job_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64))
    # executed, error, missed, max_instances, rejected
    event: Mapped[str] = mapped_column(String(16))
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)


USER_ROLES = ("operator", "admin")  # "publik" is whoever is not signed in


class AppUser(Base):
    """A person who may change data: an operator of one kecamatan, or an admin (issue 10)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, never shown
    role: Mapped[str] = mapped_column(String(16))  # operator, admin
    kode_kecamatan: Mapped[str | None] = mapped_column(String(13))  # an operator's scope
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # where this user's alerts go (issue 13, migration 0010): optional, either or both
    alert_email: Mapped[str | None] = mapped_column(String(200))
    alert_telegram: Mapped[str | None] = mapped_column(String(64))  # a chat id
    alert_language: Mapped[str | None] = mapped_column(String(2))  # id (default) or en


class AuditEvent(Base):
    """Who did what, when and from where: sign-ins, uploads, collect-now, user changes."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100))  # user:<name>, cli:<os user>, anonim
    action: Mapped[str] = mapped_column(String(32))  # masuk, keluar, unggah, kumpulkan, pengguna.*
    outcome: Mapped[str] = mapped_column(String(16))  # ok, refused, failed
    target: Mapped[str | None] = mapped_column(String(200))  # a region, a file, a user
    ip: Mapped[str | None] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(Integer)  # an upload's import run
    detail: Mapped[str | None] = mapped_column(Text)


class PushToken(Base):
    """A village's token for pushing as OpenSID pushes to OpenDK (issue 11): only its SHA-256
    is kept, so the warehouse (a dump, a backup) cannot give a token away; revoked, never
    deleted, so who could push when stays known."""

    __tablename__ = "push_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode_desa: Mapped[str] = mapped_column(String(13), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertState(Base):
    """One alert by its stable key (rule:village[:dataset…]): open until its rule no longer
    finds it, then cleared; opened again, it starts over (issue 13)."""

    __tablename__ = "alert_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    kode_desa: Mapped[str | None] = mapped_column(String(13))
    kode_kecamatan: Mapped[str | None] = mapped_column(String(13), index=True)
    dataset: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[str | None] = mapped_column(Text)  # JSON: the values the message names
    status: Mapped[str] = mapped_column(String(16))  # open, cleared
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertSend(Base):
    """Every attempt to tell someone of an alert: channel, recipient, ok or the error. One
    message can carry several alerts; its rows share `batch`."""

    __tablename__ = "alert_send"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    batch: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # open, clear, digest
    alert_key: Mapped[str] = mapped_column(String(200))  # a digest's: digest:<week>:<kecamatan>
    kode_kecamatan: Mapped[str | None] = mapped_column(String(13))
    channel: Mapped[str] = mapped_column(String(16))  # email, telegram
    recipient: Mapped[str] = mapped_column(String(200))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_alert_send_key", "alert_key", "kind", "at"),)


class Rollup(Base):
    """One computation of every aggregate the pages and the API show (issue 12): the one with
    status `current` is served; a new one becomes current and the old one `superseded` in one
    transaction, so readers never see half a rollup; a failed one stays `failed` with its
    error, the previous one still served."""

    __tablename__ = "rollup"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(Integer)  # newest completed run it reflects
    status: Mapped[str] = mapped_column(String(16), index=True)  # current, superseded, failed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    frames: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class RollupFrame(Base):
    """One aggregate table of a rollup (totals of a level, a statistic of a level, …): its
    columns and their dtypes, so a slice reads back exactly as pandas computed it."""

    __tablename__ = "rollup_frame"
    __table_args__ = (UniqueConstraint("rollup_id", "aggregat", "tingkat", "statistik", "periode"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rollup_id: Mapped[int] = mapped_column(ForeignKey("rollup.id", ondelete="CASCADE"))
    aggregat: Mapped[str] = mapped_column(String(32))  # totals, statistik, indikator, …
    tingkat: Mapped[str] = mapped_column(String(16))  # desa, kecamatan, kabupaten, provinsi
    statistik: Mapped[str] = mapped_column(String(64))  # slug or dataset; "" when none
    periode: Mapped[str] = mapped_column(String(16))  # "" when none
    kolom: Mapped[str] = mapped_column(Text)  # JSON [[name, dtype], ...]


class RollupSlice(Base):
    """The rows of one region in one rollup frame (JSON, with their positions in the frame):
    a page of one kecamatan reads its villages' slices by code range, never the whole frame."""

    __tablename__ = "rollup_slice"
    frame_id: Mapped[int] = mapped_column(
        ForeignKey("rollup_frame.id", ondelete="CASCADE"), primary_key=True
    )
    kode_wilayah: Mapped[str] = mapped_column(String(13), primary_key=True)  # "" frame-wide
    baris: Mapped[str] = mapped_column(Text)  # JSON {"pos": [...], "rows": [[...], ...]}
