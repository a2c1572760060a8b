"""The OpenDK-compatible receiver: the routes OpenSID's "Sinkronisasi ke OpenDK" calls.

A village switches by setting OpenSID's OpenDK address (`api_opendk_server`) to this
dashboard and its key (`api_opendk_key`) to the token `dasbor tokens issue KODE_DESA`
printed. Paths and answers are OpenDK v2608.0.1's (../shared/domain/opensid-opendk-sync.md);
the reading and landing are collectors/opendk's.

Bounds: a request body over the receiver's limit is refused from its Content-Length before
anything is read (and a chunked one as soon as it passes the limit); multipart bodies are
parsed into memory (never a temporary file, as werkzeug would for a large part; waitress is
told to keep bodies in memory too, `server_options`). Bodies are never logged; the token is
only compared as a hash.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from collectors.model import DatasetResult
from collectors.opendk.answers import (
    LOGIN_REFUSED,
    NO_MESSAGES,
    UNAUTHENTICATED,
    UNKNOWN_VILLAGE_MESSAGES,
    refusal,
    success,
)
from collectors.opendk.errors import PushError
from collectors.opendk.limits import KIB, LIMITS, Limits
from collectors.opendk.receive import ROUTES, PushRequest, failure_reason, land_push, receive
from config.settings import Settings
from warehouse.push_tokens import village_of_token
from warehouse.store import Warehouse

PREFIX = "/api/v1"
JSON_PATHS = ("laporan-penduduk", "laporan-apbdes")
FORM_PATHS = ("identitas-desa",)
MAX_FORM_PARTS = 16  # OpenSID sends at most two (file, desa_id)
PESAN_REFUSED = {"status": False, "message": "Dasbor Kecamatan tidak menerima pesan"}


def server_options(limits: Limits = LIMITS) -> dict:
    """waitress options for the receiver: refuse a body over the limit, and keep bodies in
    memory up to it (waitress spools anything over `inbuf_overflow` to a temporary file)."""
    return {"max_request_body_size": limits.request_bytes, "inbuf_overflow": limits.request_bytes}


def _json(status: int, body: object) -> Response:
    # json.dumps keeps OpenDK's key order (Flask's jsonify sorts keys)
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _in_memory(total_content_length, content_type, filename, content_length=None):
    return io.BytesIO()


def _form_parser(limits: Limits) -> FormDataParser:
    return FormDataParser(
        stream_factory=_in_memory,
        # the identitas boundary (`path`) is the longest field; urlencoded it may triple
        max_form_memory_size=3 * limits.form_field_chars + 64 * KIB,
        max_content_length=limits.request_bytes,
        max_form_parts=MAX_FORM_PARTS,
    )


def opendk_blueprint(store: Warehouse, settings: Settings, limits: Limits = LIMITS) -> Blueprint:
    """A new blueprint per app (create_app may run many times in one process)."""
    bp = Blueprint("opendk_receiver", __name__, url_prefix=PREFIX)
    zone = ZoneInfo(settings.timezone)

    def today() -> date:
        return datetime.now(zone).date()  # the push's date where the villages are

    def authenticated() -> str | None:
        return village_of_token(store, _bearer())

    def too_large(path: str, kode: str) -> Response:
        push = ROUTES[path][2]
        size = request.content_length
        if path in JSON_PATHS:
            error = PushError(
                push, "json.too_large", kode, size=size or "?", limit=limits.json_bytes
            )
        else:
            error = PushError(push, "upload.too_large", kode, size=size or "?",
                              limit=limits.upload_bytes)  # fmt: skip
        results = [DatasetResult.failure(d, failure_reason(error)) for d in ROUTES[path][1]]
        land_push(store, kode, results, trigger=f"opendk:{path}")
        return _json(*refusal(path, error))

    def push(path: str) -> Response:
        kode = authenticated()  # before a byte of the body is read
        if kode is None:
            return _json(*UNAUTHENTICATED)
        if request.content_length is not None and request.content_length > limits.request_bytes:
            return too_large(path, kode)
        request.max_content_length = limits.request_bytes
        try:
            if path in JSON_PATHS:
                parts = PushRequest(path, body=request.get_data(cache=False))
            else:
                _, form, files = _form_parser(limits).parse(
                    request.stream, request.mimetype, request.content_length,
                    request.mimetype_params,
                )  # fmt: skip
                upload = files.get("file")
                data = upload.read() if upload is not None else None
                parts = PushRequest(path, form={k: form.get(k) for k in form}, upload=data)
        except RequestEntityTooLarge:
            return too_large(path, kode)
        outcome = receive(store, kode, parts, today=today(), limits=limits)
        return _json(outcome.status, outcome.answer)

    for path in ROUTES:
        bp.add_url_rule(
            f"/{path}", endpoint=f"push_{path.replace('/', '_').replace('-', '_')}",
            view_func=lambda path=path: push(path), methods=["POST"],
        )  # fmt: skip

    @bp.get("/test")
    def test() -> Response:  # OpenDK's "is the API up" route, behind the token
        if authenticated() is None:
            return _json(*UNAUTHENTICATED)
        return _json(200, "Welcome to api route")

    @bp.post("/penduduk")
    def hapus_penduduk() -> Response:
        # deletions of residents (never sent by OpenSID 2508): we keep no residents, only
        # counts, which the next residents' push recomputes; the body is not read
        if authenticated() is None:
            return _json(*UNAUTHENTICATED)
        return _json(*success("penduduk"))

    @bp.post("/pesan/getpesan")
    def get_pesan() -> Response:
        # asked on every OpenSID dashboard load: the kecamatan's messages are not ours
        kode = authenticated()
        if kode is None:
            return _json(*UNAUTHENTICATED)
        request.max_content_length = 64 * KIB
        named = (request.form.get("kode_desa") or "").strip()
        if named and named != kode:
            return _json(*UNKNOWN_VILLAGE_MESSAGES)
        return _json(*NO_MESSAGES)

    @bp.post("/pesan")
    def pesan() -> Response:
        if authenticated() is None:
            return _json(*UNAUTHENTICATED)
        return _json(200, PESAN_REFUSED)

    @bp.route("/auth/login", methods=["POST", "OPTIONS"])
    def login() -> Response:
        # OpenSID's "Buat Key" signs in from the operator's browser; our tokens are issued by
        # `dasbor tokens issue`, never for a password, so the sign-in is always refused
        response = _json(*LOGIN_REFUSED) if request.method == "POST" else Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
        response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        return response

    @bp.errorhandler(Exception)
    def failed(exc: Exception) -> Response:
        # Laravel's JSON answer to an error; the traceback goes to the log (a pushed body never
        # does: the personal readers raise only PushError, whose text names rows and columns)
        code = getattr(exc, "code", None)
        if isinstance(code, int) and 400 <= code < 500:
            return _json(code, {"message": str(getattr(exc, "description", "")) or "Error"})
        current_app.logger.exception("OpenDK receiver: %s failed", request.path)
        return _json(500, {"message": "Server Error"})

    return bp
