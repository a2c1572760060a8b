"""People who may change data, what they may change, and the audit of what they did (issue 10).

Reading is public. Changing anything (an upload, a collect-now request) needs an `Actor`: a
signed-in user (an operator of one kecamatan, or an admin) or the machine's owner at the CLI
(`Actor.system("cli:<os user>")`). The writing functions (`collectors.spreadsheet.import_file`,
`collectors.collect_now.ask_collect`) take the actor and call `check_scope` before anything is
written, whatever a browser sent.

Passwords are hashed with argon2id (argon2-cffi's defaults: 64 MiB, 3 passes); the hash never
leaves this module except into `app_user.password_hash`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from warehouse.bounds import length
from warehouse.models import USER_ROLES, AppUser, AuditEvent, CollectionRun
from warehouse.store import Warehouse, utcnow

__all__ = [
    "Actor",
    "AccountError",
    "NotPermitted",
    "User",
    "audit_frame",
    "authenticate",
    "check_scope",
    "create_user",
    "get_user",
    "list_users",
    "record_audit",
    "set_active",
    "set_password",
    "set_run_actor",
]

_USERS = AppUser.__table__
_AUDIT = AuditEvent.__table__
_RUNS = CollectionRun.__table__
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
KECAMATAN = re.compile(r"\d{2}\.\d{2}\.\d{2}")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
# verified against when the username is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("dasbor-no-such-user")
ROLES = USER_ROLES
AUDIT_COLUMNS = ("id", "at", "actor", "action", "outcome", "target", "ip", "run_id", "detail")


class AccountError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


class NotPermitted(PermissionError):
    """The actor may not change these regions. `reason`: anonim, peran, wilayah; `codes`: the
    regions outside the actor's kecamatan (for wilayah)."""

    def __init__(self, reason: str, codes: Iterable[str] = ()) -> None:
        self.reason = reason
        self.codes = sorted(set(codes))
        named = f": {', '.join(self.codes)}" if self.codes else ""
        super().__init__(f"not permitted ({reason}){named}")


@dataclass(frozen=True)
class Actor:
    """Who acts: `name` as the audit records it ("user:budi", "cli:root"), the role
    (admin, operator, system) and, for an operator, its kecamatan (dotted)."""

    name: str
    role: str
    kode_kecamatan: str | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """The machine's owner (the CLI, the demo): every region."""
        return cls(name=name[:100], role="system")

    @property
    def is_admin(self) -> bool:
        return self.role in ("admin", "system")

    def covers(self, kode: str | None) -> bool:
        """May this actor change region `kode` (a village or kecamatan, dotted; None = all)?"""
        if self.is_admin:
            return True
        if self.role != "operator" or not self.kode_kecamatan or kode is None:
            return False
        return kode == self.kode_kecamatan or kode.startswith(self.kode_kecamatan + ".")


def check_scope(actor: Actor | None, codes: Iterable[str | None]) -> None:
    """Raise NotPermitted unless `actor` may change every region of `codes` (None = all
    villages). An anonymous actor (None) may change nothing."""
    if actor is None:
        raise NotPermitted("anonim")
    if actor.role not in ("admin", "operator", "system"):
        raise NotPermitted("peran")
    outside = [kode or "*" for kode in codes if not actor.covers(kode)]
    if outside:
        raise NotPermitted("wilayah", outside)


@dataclass(frozen=True)
class User:
    """A row of app_user without its password hash."""

    id: int
    username: str
    role: str
    kode_kecamatan: str | None
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor(f"user:{self.username}", self.role, self.kode_kecamatan)


_PUBLIC_COLUMNS = [c for c in _USERS.c if c.name != "password_hash"]


def _user(row) -> User:
    m = row._mapping
    return User(
        id=int(m["id"]),
        username=m["username"],
        role=m["role"],
        kode_kecamatan=m["kode_kecamatan"],
        active=bool(m["active"]),
        created_at=m["created_at"],
        last_sign_in_at=m["last_sign_in_at"],
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("the password is longer than 1024 characters")


def create_user(
    store: Warehouse,
    username: str,
    password: str,
    role: str,
    kode_kecamatan: str | None = None,
) -> User:
    """Add a user. An operator needs a kecamatan (dotted, e.g. 17.03.06); an admin has none."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise AccountError(
            f"username {username!r}: 2-64 characters a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if role == "operator":
        if not kode_kecamatan or not KECAMATAN.fullmatch(kode_kecamatan):
            raise AccountError(
                f"an operator needs a kecamatan code like 17.03.06, got {kode_kecamatan!r}"
            )
    elif kode_kecamatan:
        raise AccountError("an admin has every kecamatan: give no --kecamatan")
    _check_password(password)
    if get_user(store, username) is not None:
        raise AccountError(f"user {username!r} exists already")
    with store.engine.begin() as conn:
        conn.execute(
            insert(_USERS).values(
                username=username,
                password_hash=_HASHER.hash(password),
                role=role,
                kode_kecamatan=kode_kecamatan if role == "operator" else None,
                active=True,
                created_at=utcnow(),
            )
        )
    user = get_user(store, username)
    assert user is not None
    return user


def get_user(store: Warehouse, key: str | int) -> User | None:
    """A user by username or id (active or not)."""
    column = _USERS.c.id if isinstance(key, int) else _USERS.c.username
    value = key if isinstance(key, int) else str(key).strip().lower()
    with store.engine.connect() as conn:
        row = conn.execute(select(*_PUBLIC_COLUMNS).where(column == value)).first()
    return _user(row) if row is not None else None


def list_users(store: Warehouse) -> list[User]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(*_PUBLIC_COLUMNS).order_by(_USERS.c.username)).all()
    return [_user(row) for row in rows]


def set_password(store: Warehouse, username: str, password: str) -> User:
    _check_password(password)
    user = _existing(store, username)
    with store.engine.begin() as conn:
        conn.execute(
            update(_USERS)
            .where(_USERS.c.id == user.id)
            .values(password_hash=_HASHER.hash(password))
        )
    return user


def set_active(store: Warehouse, username: str, active: bool) -> User:
    user = _existing(store, username)
    with store.engine.begin() as conn:
        conn.execute(update(_USERS).where(_USERS.c.id == user.id).values(active=active))
    return _existing(store, username)


def _existing(store: Warehouse, username: str) -> User:
    user = get_user(store, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def authenticate(store: Warehouse, username: str, password: str) -> User | None:
    """The active user with this name and password, its last sign-in updated; else None."""
    name = (username or "").strip().lower()[:64]
    with store.engine.connect() as conn:
        row = conn.execute(
            select(_USERS.c.id, _USERS.c.password_hash, _USERS.c.active).where(
                _USERS.c.username == name
            )
        ).first()
    try:
        _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    values: dict = {"last_sign_in_at": utcnow()}
    if _HASHER.check_needs_rehash(row.password_hash):
        values["password_hash"] = _HASHER.hash(password)
    with store.engine.begin() as conn:
        conn.execute(update(_USERS).where(_USERS.c.id == row.id).values(**values))
    return get_user(store, int(row.id))


# -- the audit ---------------------------------------------------------------------------------
_ACTOR_CHARS = length(_AUDIT, "actor")
_TARGET_CHARS = length(_AUDIT, "target")
_IP_CHARS = length(_AUDIT, "ip")


def record_audit(
    store: Warehouse,
    actor: Actor | str | None,
    action: str,
    outcome: str = "ok",
    *,
    target: str | None = None,
    ip: str | None = None,
    run_id: int | None = None,
    detail: str | None = None,
) -> None:
    """One audit row. `actor` None is an anonymous visitor; no password ever goes in."""
    name = actor.name if isinstance(actor, Actor) else (actor or "anonim")
    with store.engine.begin() as conn:
        conn.execute(
            insert(_AUDIT).values(
                at=utcnow(),
                actor=name[:_ACTOR_CHARS],
                action=action[:32],
                outcome=outcome[:16],
                target=target[:_TARGET_CHARS] if target else None,
                ip=ip[:_IP_CHARS] if ip else None,
                run_id=run_id,
                detail=detail[:4000] if detail else None,
            )
        )


def audit_frame(
    store: Warehouse, *, limit: int = 1000, action: str | None = None, actor: str | None = None
) -> pd.DataFrame:
    """The newest audit rows first (at most `limit`), optionally of one action or actor."""
    query = select(*(_AUDIT.c[c] for c in AUDIT_COLUMNS)).order_by(_AUDIT.c.id.desc())
    if action:
        query = query.where(_AUDIT.c.action == action)
    if actor:
        query = query.where(_AUDIT.c.actor == actor)
    with store.engine.connect() as conn:
        rows = conn.execute(query.limit(max(1, min(limit, 100_000)))).all()
    return pd.DataFrame([dict(r._mapping) for r in rows], columns=list(AUDIT_COLUMNS))


def set_run_actor(conn, run_id: int, actor: Actor) -> None:
    """Name who brought a run (an import): its values link to the user through their run."""
    conn.execute(
        update(_RUNS).where(_RUNS.c.id == run_id).values(actor=actor.name[: length(_RUNS, "actor")])
    )
