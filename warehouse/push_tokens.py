"""Village push tokens (issue 11): issued by `dasbor tokens issue`, revocable, stored hashed.

A token is 32 random bytes (URL-safe base64, 43 characters) shown once when issued; the
warehouse keeps its SHA-256 only. A fast hash is enough: the token is random, not a password
someone chose, so there is nothing to guess from the hash. A village has at most one active
token: issuing a new one revokes the old (a lost or leaked token is replaced in one step).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select, update

from warehouse.models import PushToken
from warehouse.store import Warehouse, utcnow

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 256  # a bearer header longer than this is no token of ours: not hashed


@dataclass(frozen=True)
class IssuedToken:
    kode_desa: str
    token: str  # the only time it is seen: printed by the CLI, never stored
    replaced: int  # active tokens of the village this one revoked


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(store: Warehouse, kode_desa: str, *, by: str = "cli") -> IssuedToken:
    """A new token for the village, revoking any it had."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    t = PushToken.__table__
    with store.engine.begin() as conn:
        replaced = conn.execute(
            update(t)
            .where(t.c.kode_desa == kode_desa, t.c.revoked_at.is_(None))
            .values(revoked_at=now)
        ).rowcount
        conn.execute(
            t.insert().values(
                kode_desa=kode_desa, token_hash=token_hash(token), issued_at=now,
                issued_by=by[:64], revoked_at=None, last_used_at=None,
            )
        )  # fmt: skip
    return IssuedToken(kode_desa, token, int(replaced or 0))


def revoke_tokens(store: Warehouse, kode_desa: str) -> int:
    """Revoke the village's active tokens; how many there were."""
    t = PushToken.__table__
    with store.engine.begin() as conn:
        done = conn.execute(
            update(t)
            .where(t.c.kode_desa == kode_desa, t.c.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
    return int(done or 0)


def village_of_token(store: Warehouse, token: str | None) -> str | None:
    """The village an active token belongs to (and mark it used), or None: no token, an
    unknown one or a revoked one alike."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    t = PushToken.__table__
    digest = token_hash(token)
    with store.engine.begin() as conn:
        row = conn.execute(
            select(t.c.id, t.c.kode_desa).where(t.c.token_hash == digest, t.c.revoked_at.is_(None))
        ).first()
        if row is None:
            return None
        conn.execute(update(t).where(t.c.id == row.id).values(last_used_at=utcnow()))
    return str(row.kode_desa)


def tokens_frame(store: Warehouse) -> pd.DataFrame:
    """Every token ever issued, newest first, without anything that could rebuild it."""
    t = PushToken.__table__
    stmt = select(
        t.c.kode_desa, t.c.issued_at, t.c.issued_by, t.c.last_used_at, t.c.revoked_at
    ).order_by(t.c.issued_at.desc(), t.c.id.desc())
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).fetchall()
    frame = pd.DataFrame(
        rows, columns=["kode_desa", "issued_at", "issued_by", "last_used_at", "revoked_at"]
    )
    frame["active"] = frame["revoked_at"].isna()
    return frame
