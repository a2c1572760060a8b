"""Who is signed in, and what the Flask server under Dash lets through (issue 10).

`init_auth(app, settings)` (one call in dashboard.app.create_app) sets up:

- sessions: Flask's signed cookie (`dasbor_sesi`), HttpOnly, SameSite=Lax, Secure when
  `DASBOR_HTTPS=1`, ended after `DASBOR_SESSION_IDLE` seconds without a request; the key is
  `DASBOR_SECRET_KEY` (in demo mode, when empty, a random key per process);
- Flask-Login's user from the warehouse (`warehouse.accounts`); a disabled user's session ends
  at its next request;
- CSRF: a token per session, in the form of the sign-in and sign-out pages and, for Dash's
  callbacks, in the `_csrf_token` cookie, which Dash's renderer sends back as `X-CSRFToken`;
- a guard before every POST to `/_dash-update-component` whose callback writes (the pages
  mark theirs with `writing_output`): anonymous → 403, no or a wrong token → 403, collect-now
  over `DASBOR_COLLECT_RATE_LIMIT` → 429, before the callback runs. The callbacks and the
  writing functions check role and scope again: the guard is not the only control;
- `DASBOR_SIGN_IN_REQUIRED=1`: every page, callback and API read needs a signed-in user.

Reading stays public otherwise: a visitor who never signs in gets no cookie at all.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

import dash
import pandas as pd
from flask import Flask, current_app, has_request_context, jsonify, redirect, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, logout_user
from limits import parse

from config.settings import Settings, SettingsError
from dashboard.context import data_source
from warehouse.accounts import Actor, User, get_user

log = logging.getLogger(__name__)

SESSION_COOKIE = "dasbor_sesi"
# Dash's renderer reads this cookie (its default csrf_token_name) and sends it back as the
# X-CSRFToken header of every callback POST; a page of another site can read neither
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
SIGN_IN_PATH = "/masuk"
SIGN_OUT_PATH = "/keluar"
DASH_UPDATE = "/_dash-update-component"
LIMITER = "DASBOR_LIMITER"  # keys in app.server.config
WRITING = "DASBOR_WRITING_OUTPUTS"  # {component id: "unggah" | "kumpulkan"}
_SEEN = "dasbor_seen"  # last request of a signed-in session (epoch seconds)
_CSRF = "dasbor_csrf"  # the session's token
# paths that stay open in sign-in-only mode: the sign-in page and what it needs to render
OPEN_PREFIXES = (SIGN_IN_PATH, "/bahasa/", "/assets/", "/_dash-component-suites/", "/_favicon")


def require_secret(settings: Settings) -> None:
    """Start-up check of `dasbor serve`: production needs a secret key of its own."""
    if settings.mode == "production" and not settings.secret_key:
        raise SettingsError(
            "DASBOR_SECRET_KEY is not set: the dashboard signs its session cookies with it. "
            'Set one (e.g. python -c "import secrets; print(secrets.token_hex(32))") in the '
            "environment or as secret_key in dasbor.toml, or run with DASBOR_MODE=demo"
        )
    if settings.secret_key and len(settings.secret_key) < 16:
        raise SettingsError("DASBOR_SECRET_KEY is too short: give at least 16 characters")


@dataclass(frozen=True)
class SignedIn(UserMixin):
    """Flask-Login's user: the warehouse row, without its hash."""

    user: User

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def actor(self) -> Actor:
        return self.user.actor


def current_actor() -> Actor | None:
    """The signed-in user of this request as an Actor; None for the public."""
    if not _has_login():
        return None
    signed = current_user
    if signed is None or not getattr(signed, "is_authenticated", False):
        return None
    return signed.actor


def current_role() -> str:
    """admin, operator or publik."""
    actor = current_actor()
    return actor.role if actor is not None else "publik"


def may_see_details(kode: str | None) -> bool:
    """Raw error texts and response details of region `kode` (None: the whole kabupaten):
    admins everywhere, operators in their kecamatan only."""
    actor = current_actor()
    return actor is not None and actor.covers(kode)


def client_address() -> str | None:
    return request.remote_addr if request else None


def _has_login() -> bool:
    # outside a request (Dash builds layouts once at start-up) nobody is signed in
    return has_request_context() and getattr(current_app, "login_manager", None) is not None


# -- CSRF ----------------------------------------------------------------------------------
def csrf_token() -> str:
    """This session's token, made on first use."""
    token = session.get(_CSRF)
    if not token:
        token = session[_CSRF] = secrets.token_urlsafe(32)
    return token


def csrf_valid(sent: str | None) -> bool:
    expected = session.get(_CSRF)
    return bool(expected and sent) and hmac.compare_digest(str(expected), str(sent))


# -- writing callbacks ---------------------------------------------------------------------
def writing_output(app: dash.Dash, component_id: str, kind: str) -> None:
    """Mark the callback whose output is `component_id` as one that writes (`kind`: unggah or
    kumpulkan): the guard refuses it to the public and without a CSRF token."""
    app.server.config.setdefault(WRITING, {})[component_id] = kind


def _output_ids(output: str) -> list[str]:
    """The component ids of a Dash request's `output` ("a.children" or
    "..a.data...b.disabled@hash..")."""
    text = output.strip(".") if output.startswith("..") else output
    ids = []
    for part in text.split("..."):
        part = part.split("@", 1)[0]
        ident, _, _prop = part.rpartition(".")
        ids.append(ident)
    return ids


def _writing_kind(server: Flask) -> str | None:
    writing = server.config.get(WRITING) or {}
    body = request.get_json(silent=True, cache=True)
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str):
        return None
    for ident in _output_ids(output):
        if ident in writing:
            return writing[ident]
    return None


def _refuse(status: int, message: str):
    response = jsonify({"message": message})
    response.status_code = status
    return response


# -- set-up --------------------------------------------------------------------------------
def init_auth(app: dash.Dash, settings: Settings) -> None:
    """Sessions, Flask-Login, CSRF, rate limits and the guards on the app's Flask server."""
    server = app.server
    key = settings.secret_key
    if not key:
        # demo and tests; `dasbor serve` refuses to start so in production (require_secret)
        key = secrets.token_hex(32)
    server.config.update(
        SECRET_KEY=key,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.https),
        PERMANENT_SESSION_LIFETIME=max(60, int(settings.session_idle)),
        SESSION_REFRESH_EACH_REQUEST=False,  # only when the session changes (idle stamp below)
    )
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.init_app(server)

    @manager.user_loader
    def load_user(user_id: str):
        try:
            user = get_user(data_source().store, int(user_id))
        except (ValueError, TypeError):
            return None
        return SignedIn(user) if user is not None and user.active else None

    limiter = Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.ratelimit_storage,
        default_limits=[],
        headers_enabled=True,
        key_prefix="dasbor",
    )
    server.config[LIMITER] = limiter
    collect_limit = parse(settings.collect_rate_limit)
    idle = float(settings.session_idle)
    sign_in_only = bool(settings.sign_in_required)

    @server.before_request
    def guard():
        now = time.time()
        if _SEEN in session and current_actor() is not None:
            if now - float(session.get(_SEEN, 0)) > idle:
                logout_user()
                session.clear()
            elif now - float(session[_SEEN]) > min(60.0, idle / 10):
                session[_SEEN] = now  # the idle clock restarts (written at most once a minute)
        elif _SEEN in session:
            session.pop(_SEEN)
        path = request.path
        if sign_in_only and current_actor() is None and not path.startswith(OPEN_PREFIXES):
            if path.startswith(("/_dash", "/api/")) and not _is_push(path):
                return _refuse(401, "sign in first")
            if request.method in ("GET", "HEAD") and not path.startswith("/api/"):
                return redirect(f"{SIGN_IN_PATH}?next={_quoted(request.full_path)}", code=303)
        if request.method == "POST" and path == DASH_UPDATE:
            kind = _writing_kind(server)
            if kind is None:
                return None
            actor = current_actor()
            if actor is None:
                return _refuse(403, "sign in to change data")
            if not csrf_valid(request.headers.get(CSRF_HEADER)):
                return _refuse(403, "missing or wrong CSRF token")
            if kind == "kumpulkan" and not limiter.limiter.hit(
                collect_limit, "kumpulkan", actor.name
            ):
                return _refuse(429, f"too many collect-now requests ({collect_limit})")
        return None

    @server.after_request
    def csrf_cookie(response):
        # the page's script reads it for Dash's POSTs; only a signed-in session has one
        token = session.get(_CSRF) if current_actor() is not None else None
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(
                CSRF_COOKIE,
                token,
                path="/",
                samesite="Lax",
                secure=bool(settings.https),
                httponly=False,
            )
        elif not token and CSRF_COOKIE in request.cookies:
            response.delete_cookie(CSRF_COOKIE, path="/")
        return response


def mark_signed_in() -> None:
    """After login_user: start the idle clock and a fresh CSRF token."""
    session.permanent = True
    session[_SEEN] = time.time()
    session[_CSRF] = secrets.token_urlsafe(32)


def _is_push(path: str) -> bool:
    # OpenSID's pushes to the OpenDK receiver carry their own token (dashboard.opendk_receiver)
    return request.method == "POST" and path.startswith("/api/") and not path.startswith("/_dash")


def _quoted(path: str) -> str:
    from urllib.parse import quote

    return quote(path.rstrip("?"), safe="")


# -- what the public sees of failures ----------------------------------------------------------
RAW_ERROR_COLUMNS = ("galat_terakhir", "error", "last_error")
# a composite reason's values carry each part's original text (collectors.model.Reason)
REASON_PARAM_COLUMNS = ("alasan_param", "error_params", "last_error_params")


def _without_texts(value):
    """A reason's JSON values without the parts' original texts (their codes stay)."""
    if not isinstance(value, str) or '"text"' not in value:
        return value
    try:
        values = json.loads(value)
    except ValueError:
        return None
    if isinstance(values, dict) and isinstance(values.get("bagian"), list):
        values["bagian"] = [
            {k: v for k, v in part.items() if k != "text"} if isinstance(part, dict) else part
            for part in values["bagian"]
        ]
    return json.dumps(values, ensure_ascii=False)


def redact_details(frame, kode_column: str = "kode_desa", kode: str | None = None):
    """`frame` with the raw error texts (RAW_ERROR_COLUMNS) emptied where this request's
    visitor may not see them (may_see_details): every row for the public, the rows outside
    its kecamatan for an operator. The reason in words (alasan_kode, alasan_gagal) stays.
    `kode`: the one region all rows belong to (a village's profile), else `kode_column`."""
    columns = [c for c in RAW_ERROR_COLUMNS if c in frame.columns]
    params = [c for c in REASON_PARAM_COLUMNS if c in frame.columns]
    if not (columns or params) or frame.empty:
        return frame
    actor = current_actor()
    if actor is not None and actor.is_admin:
        return frame
    if kode is not None or kode_column not in frame.columns:
        hidden = [not may_see_details(kode)] * len(frame)
    else:
        hidden = [not (actor is not None and actor.covers(str(k))) for k in frame[kode_column]]
    out = frame.copy()
    mask = pd.Series(hidden, index=out.index, dtype=bool)
    for column in columns:
        values = out[column].astype(object)
        values[mask] = None  # None, not NaN: the JSON answers say null
        out[column] = values
    for column in params:
        kept = out[column].tolist()
        out[column] = pd.Series(
            [_without_texts(v) if h else v for v, h in zip(kept, hidden, strict=True)],
            index=out.index,
            dtype=object,
        )
    return out
