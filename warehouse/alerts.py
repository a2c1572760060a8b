"""Alert state and the send log in the warehouse (issue 13): the SQL of aggregates/alerts.py
and notify/. One row per alert key (open or cleared), one row per attempt to tell one
recipient of one alert on one channel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, case, func, insert, select, update

from warehouse.bounds import length
from warehouse.models import (
    VILLAGE_RUN_KINDS,
    AlertSend,
    AlertState,
    AppUser,
    CollectionRun,
    FetchLog,
)
from warehouse.store import Warehouse

_STATE = AlertState.__table__
_SEND = AlertSend.__table__
ERROR_CHARS = 2000
RECENT_RUNS = 200  # runs a village's "M in a row" is looked for in (nightly: over 6 months)
RECIPIENT_CHARS = length(_SEND, "recipient")


def _cut(text: object, limit: int) -> str | None:
    if text is None:
        return None
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def village_runs_frame(store: Warehouse, *, per_village: int) -> pd.DataFrame:
    """Each village's newest `per_village` collection (or push) runs: kode_desa, run_id,
    failed (any dataset of the village failed in that run), at (its last fetch)."""
    f = FetchLog.__table__
    # the newest runs only: the check runs after every sweep and must not read a year of log
    runs = (
        select(CollectionRun.id)
        .where(CollectionRun.kind.in_(list(VILLAGE_RUN_KINDS)))
        .order_by(CollectionRun.id.desc())
        .limit(RECENT_RUNS)
        .scalar_subquery()
    )
    per_run = (
        select(
            f.c.kode_desa,
            f.c.run_id,
            func.max(case((f.c.status == "failed", 1), else_=0)).label("failed"),
            func.max(f.c.fetched_at).label("at"),
        )
        .where(f.c.run_id.in_(runs))
        .group_by(f.c.kode_desa, f.c.run_id)
        .subquery()
    )
    ranked = select(
        per_run,
        func.row_number()
        .over(partition_by=per_run.c.kode_desa, order_by=per_run.c.run_id.desc())
        .label("rn"),
    ).subquery()
    stmt = (
        select(ranked.c.kode_desa, ranked.c.run_id, ranked.c.failed, ranked.c.at)
        .where(ranked.c.rn <= per_village)
        .order_by(ranked.c.kode_desa, ranked.c.run_id)
    )
    df = store._frame(stmt, dates=("at",))
    df["failed"] = df["failed"].astype(bool)
    return df


def states_frame(store: Warehouse) -> pd.DataFrame:
    """Every alert's state (open and cleared)."""
    return store._frame(
        select(AlertState).order_by(AlertState.key),
        dates=("opened_at", "last_seen_at", "cleared_at"),
    )


def sends_frame(store: Warehouse, *, limit: int = 200) -> pd.DataFrame:
    """The newest send attempts, newest first."""
    return store._frame(select(AlertSend).order_by(AlertSend.id.desc()).limit(limit), dates=("at",))


def apply_changes(
    store: Warehouse,
    opened: pd.DataFrame,
    still: pd.DataFrame,
    cleared_keys: Sequence[str],
    now: datetime,
) -> None:
    """Store one check's outcome in one transaction: opened alerts (new rows, or cleared rows
    opened again from scratch), still-open ones seen again (their values as now), cleared."""
    with store.engine.begin() as conn:
        known = set(conn.execute(select(_STATE.c.key)).scalars())
        for row in opened.to_dict("records"):
            values = dict(
                rule=row["rule"],
                kode_desa=row["kode_desa"],
                kode_kecamatan=row["kode_kecamatan"],
                dataset=row["dataset"],
                params=row["params"],
                status="open",
                opened_at=now,
                last_seen_at=now,
                cleared_at=None,
            )
            if row["key"] in known:
                conn.execute(update(_STATE).where(_STATE.c.key == row["key"]).values(**values))
            else:
                conn.execute(insert(_STATE).values(key=row["key"], **values))
        for row in still.to_dict("records"):
            conn.execute(
                update(_STATE)
                .where(_STATE.c.key == row["key"])
                .values(last_seen_at=now, params=row["params"], dataset=row["dataset"])
            )
        if cleared_keys:
            conn.execute(
                update(_STATE)
                .where(_STATE.c.key.in_(list(cleared_keys)), _STATE.c.status == "open")
                .values(status="cleared", cleared_at=now)
            )


def record_sends(store: Warehouse, rows: Iterable[Mapping[str, object]]) -> None:
    """Append send attempts (at, batch, kind, alert_key, kode_kecamatan, channel, recipient,
    ok, error); the error is cut to ERROR_CHARS."""
    rows = [
        {
            **r,
            "recipient": _cut(r["recipient"], RECIPIENT_CHARS),
            "error": _cut(r.get("error"), ERROR_CHARS),
        }
        for r in rows
    ]
    if rows:
        with store.engine.begin() as conn:
            conn.execute(insert(_SEND), rows)


def delivered_frame(store: Warehouse) -> pd.DataFrame:
    """Successful open and clear notices since each alert was last opened: alert_key, kind,
    channel, recipient (who already knows, so nobody is told twice)."""
    stmt = (
        select(_SEND.c.alert_key, _SEND.c.kind, _SEND.c.channel, _SEND.c.recipient)
        .join(
            _STATE,
            and_(_STATE.c.key == _SEND.c.alert_key, _SEND.c.at >= _STATE.c.opened_at),
        )
        .where(_SEND.c.ok.is_(True), _SEND.c.kind.in_(["open", "clear"]))
        .distinct()
    )
    return store._frame(stmt)


def digest_delivered(store: Warehouse, keys: Sequence[str]) -> set[tuple[str, str, str]]:
    """(alert_key, channel, recipient) of the digests among `keys` already sent."""
    if not keys:
        return set()
    stmt = select(_SEND.c.alert_key, _SEND.c.channel, _SEND.c.recipient).where(
        _SEND.c.kind == "digest", _SEND.c.ok.is_(True), _SEND.c.alert_key.in_(list(keys))
    )
    with store.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(stmt)}


# -- users' own addresses (issue 10's accounts) --------------------------------------------------
def user_contacts_frame(store: Warehouse) -> pd.DataFrame:
    """Active users with an alert address: username, role, kode_kecamatan, alert_email,
    alert_telegram, alert_language."""
    u = AppUser.__table__
    stmt = (
        select(
            u.c.username,
            u.c.role,
            u.c.kode_kecamatan,
            u.c.alert_email,
            u.c.alert_telegram,
            u.c.alert_language,
        )
        .where(
            u.c.active.is_(True),
            (u.c.alert_email.is_not(None)) | (u.c.alert_telegram.is_not(None)),
        )
        .order_by(u.c.username)
    )
    return store._frame(stmt)


def set_user_contact(
    store: Warehouse,
    username: str,
    *,
    email: str | None,
    telegram: str | None,
    language: str | None,
) -> bool:
    """Set where a user's alerts go (None clears); False when there is no such user."""
    u = AppUser.__table__
    with store.engine.begin() as conn:
        done = conn.execute(
            update(u)
            .where(u.c.username == username)
            .values(alert_email=email, alert_telegram=telegram, alert_language=language)
        )
    return bool(done.rowcount)
