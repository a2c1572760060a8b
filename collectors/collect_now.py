"""Collect-now requests: the one way to ask for one (the dashboard and the CLI), the villages
a request stands for (the scheduler), and what became of it (the page).

`ask_collect` is the only write path: issue 10 guards it with the signed-in user. The scheduler
process does the HTTP; a request is a row in the warehouse (`Warehouse.request_collect`).
A finished request's `detail` is JSON: for "done" the outcome of its villages
(`{"ok": 17, "unchanged": 0, "failed": 1}`), for "failed" and "rejected" the reason as a code
with the original text for operators (`{"code": "not_in_registry", "error": "…"}`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from warehouse.accounts import Actor, NotPermitted, check_scope, record_audit
from warehouse.store import CollectTicket, Warehouse, request_target

__all__ = [
    "NotPermitted",
    "REASONS",
    "RequestState",
    "UnknownTarget",
    "ask_collect",
    "outcome_detail",
    "reason_detail",
    "request_states",
    "request_villages",
]

# why a request did not run to the end (translated on the page: kumpul.alasan.<code>)
REASONS = ("not_in_registry", "scheduler_stopped", "sweep_broke_off")
ENDED = ("done", "failed", "rejected")


class UnknownTarget(ValueError):
    """The code names no village or kecamatan of the registry."""


def _in_registry(kode: str | None, scope: str, villages: Collection[str]) -> bool:
    if scope == "semua":
        return bool(villages)
    if scope == "kecamatan":
        return any(v.startswith(f"{kode}.") for v in villages)
    return kode in villages


def ask_collect(
    store: Warehouse,
    kode: str | None,
    *,
    villages: Collection[str],
    actor: Actor | None,
    origin: str | None = None,
) -> CollectTicket:
    """Ask the scheduler to collect a village, a kecamatan (by code, dotted or digits) or
    every village (None) now; `villages`: the registry's village codes. A target already
    waiting or running is merged (`CollectTicket.merged`). Raises UnknownTarget for a code
    that is no village or kecamatan of the registry, and NotPermitted (nothing written) when
    `actor` may not ask for it: anonymous (None), or an operator asking outside its kecamatan
    (every village included). Each attempt is in the audit (`origin`: the client's address)."""
    code, scope = request_target(kode)
    target = code or "semua"
    try:
        check_scope(actor, [code])
    except NotPermitted as refused:
        record_audit(store, actor, "kumpulkan", "refused", target=target, ip=origin,
                     detail=f"{scope}: {refused.reason}")  # fmt: skip
        raise
    if not _in_registry(code, scope, set(villages)):
        raise UnknownTarget(f"{kode}: no village or kecamatan of the registry")
    assert actor is not None  # check_scope refused None
    ticket = store.request_collect(code, scope=scope, requested_by=actor.name[:64])
    detail = f"{scope}: request {ticket.id}" + (" (merged)" if ticket.merged else "")
    record_audit(store, actor, "kumpulkan", "ok", target=target, ip=origin, detail=detail)
    return ticket


def request_villages(request: dict, villages: Sequence[str]) -> list[str]:
    """The registry villages (codes, in registry order) a claimed request stands for."""
    kode, scope = request.get("kode_desa"), request.get("scope") or "desa"
    if kode is None:
        scope = "semua"  # rows written before scope existed
    try:
        kode, scope = request_target(kode, scope)
    except ValueError:
        return []
    if scope == "semua":
        return list(villages)
    if scope == "kecamatan":
        return [v for v in villages if v.startswith(f"{kode}.")]
    return [v for v in villages if v == kode]


def outcome_detail(statuses: Iterable[str]) -> str:
    """The `detail` of a done request: how many of its villages were ok, unchanged, failed."""
    found = list(statuses)
    return json.dumps({s: found.count(s) for s in ("ok", "unchanged", "failed")})


def reason_detail(code: str, error: str = "") -> str:
    """The `detail` of a failed or rejected request: a reason code and the original text."""
    if code not in REASONS:
        raise ValueError(f"unknown request reason {code!r}")
    return json.dumps({"code": code, "error": error[:2000]})


@dataclass(frozen=True)
class RequestState:
    """What the page says of one request."""

    id: int
    scope: str  # desa, kecamatan, semua
    kode: str | None
    status: str  # pending, running, done, failed, rejected
    ok: int = 0
    unchanged: int = 0
    failed: int = 0
    reason: str | None = None  # a REASONS code for failed / rejected (None: not recorded)
    error: str | None = None  # the original text, for operators

    @property
    def ended(self) -> bool:
        return self.status in ENDED


def _state(row: pd.Series) -> RequestState:
    try:
        detail = json.loads(row["detail"]) if isinstance(row["detail"], str) else {}
    except ValueError:  # a plain text detail (written before issue 8)
        detail = {"error": row["detail"]}
    if not isinstance(detail, dict):
        detail = {}
    reason = detail.get("code") if detail.get("code") in REASONS else None
    kode = row["kode_desa"] if isinstance(row["kode_desa"], str) else None
    return RequestState(
        id=int(row["id"]),
        scope=str(row.get("scope") or ("semua" if kode is None else "desa")),
        kode=kode,
        status=str(row["status"]),
        ok=int(detail.get("ok", 0)),
        unchanged=int(detail.get("unchanged", 0)),
        failed=int(detail.get("failed", 0)),
        reason=reason,
        error=detail.get("error"),
    )


def request_states(store: Warehouse, ids: Sequence[int]) -> list[RequestState]:
    """The states of the requests `ids`, in the order given (unknown ids left out)."""
    if not ids:
        return []
    frame = store.requests_frame(ids)
    by_id = {int(row["id"]): _state(row) for _, row in frame.iterrows()}
    return [by_id[int(i)] for i in ids if int(i) in by_id]
