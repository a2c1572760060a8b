"""`/api/v1/audit` (JSON) and `/api/v1/audit.csv`: the audit for admins (issue 10).

The public and operators get 401 / 403 in the API's error shape. Filters: `aksi` (an action:
masuk, keluar, unggah, kumpulkan, pengguna.*), `pelaku` (an actor: user:budi, cli:root,
anonim), `batas` (rows, newest first, 1–100000, default 1000).
"""

from __future__ import annotations

import pandas as pd
from flask import Blueprint, Response, request

from dashboard.api_resources import (
    CSV_SUFFIX,
    PREFIX,
    Answer,
    csv_text,
    error_response,
    json_body,
    json_response,
)
from dashboard.auth import current_actor
from dashboard.context import data_source
from warehouse.accounts import audit_frame

PARAMS = ("aksi", "pelaku", "batas", "format")


def audit_table(limit: int = 1000, action: str | None = None, actor: str | None = None):
    """The audit rows as the page and the API show them: times in ISO 8601 UTC."""
    frame = audit_frame(data_source().store, limit=limit, action=action, actor=actor)
    if not frame.empty:
        frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        frame["run_id"] = frame["run_id"].astype("Int64")
    return frame


def _serve(fmt: str) -> Response:
    actor = current_actor()
    if actor is None:
        return error_response("sign in as an admin to read the audit", 401)
    if not actor.is_admin:
        return error_response("the audit is for admins only", 403)
    unknown = sorted(set(request.args) - set(PARAMS))
    if unknown:
        return error_response(
            f"unknown parameter {unknown[0]!r}; audit accepts: {', '.join(PARAMS[:-1])}", 400
        )
    wanted = request.args.get("format")
    if wanted is not None:
        if wanted not in ("json", "csv") or (fmt == "csv" and wanted != "csv"):
            return error_response(f"unknown format {wanted!r}: expected json or csv", 400)
        fmt = wanted
    try:
        limit = int(request.args.get("batas", "1000"))
    except ValueError:
        return error_response("batas: expected a whole number 1–100000", 400)
    if not 1 <= limit <= 100_000:
        return error_response("batas: expected a whole number 1–100000", 400)
    frame = audit_table(limit, request.args.get("aksi") or None, request.args.get("pelaku") or None)
    ans = Answer("audit", frame, {"rows": len(frame)})
    if fmt == "json":
        body = json_body(ans)
        body["rows"] = [
            {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in body["rows"]
        ]
        return json_response(body)
    resp = Response(csv_text(ans), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    return resp


def audit_blueprint() -> Blueprint:
    """A new blueprint per app; its rules outrank the API's catch-all 404 (they are static)."""
    bp = Blueprint("api_audit", __name__, url_prefix=PREFIX)
    bp.add_url_rule("/audit", "audit", lambda: _serve("json"), methods=["GET"])
    bp.add_url_rule(f"/audit{CSV_SUFFIX}", "audit_csv", lambda: _serve("csv"), methods=["GET"])
    return bp
