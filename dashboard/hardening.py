"""Issue 10: what the dashboard does against hostile requests, installed by `create_app` with
one call: security headers on every answer, malformed paths answered 404, request bodies and
uploads bounded before anything reads them."""

from __future__ import annotations

import logging

import dash
from flask import Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from collectors import upload_bounds
from dashboard.api_resources import PREFIX, error_response
from dashboard.bad_paths import install_path_guard
from dashboard.context import language
from dashboard.security_headers import install_security_headers
from i18n.catalogue import t

log = logging.getLogger(__name__)

CALLBACK_PATH = "/_dash-update-component"
# a Dash upload arrives base64-encoded (4/3 of the file) inside a JSON body
BASE64 = 4 / 3
BODY_MARGIN = 256 * 1024  # the callback's other inputs and the JSON around them


def request_body_limit(bounds: upload_bounds.UploadBounds) -> int:
    """The largest request body the dashboard reads (Flask MAX_CONTENT_LENGTH): the largest
    file sent (upload_bounds.sent_bytes_limit), base64-encoded, and the callback around it."""
    return int(upload_bounds.sent_bytes_limit(bounds) * BASE64) + BODY_MARGIN


def install_hardening(app: dash.Dash) -> None:
    """Hook the request guards into the app's Flask server (before its routes answer)."""
    from dashboard.context import SETTINGS

    bounds = upload_bounds.configure(app.server.config[SETTINGS])
    app.server.config["MAX_CONTENT_LENGTH"] = request_body_limit(bounds)
    install_path_guard(app)
    install_security_headers(app)

    @app.server.errorhandler(Exception)
    def malformed_callback(exc: Exception) -> Response | HTTPException:
        # a body no Dash renderer sends ({}, a list, inputs that are not a list) fails inside
        # Dash's dispatch, before any callback (and its on_error) runs: that is a bad request
        if isinstance(exc, HTTPException):
            return exc
        if request.path != CALLBACK_PATH:
            raise exc
        log.warning("malformed callback request refused: %s: %.200s", type(exc).__name__, exc)
        return Response("malformed callback request", status=400, mimetype="text/plain")

    @app.server.errorhandler(RequestEntityTooLarge)
    def too_large(_exc: RequestEntityTooLarge) -> Response:
        text = t("unggah.batas.permintaan", language(), batas=upload_bounds.describe(bounds))
        if request.path.startswith(PREFIX + "/"):
            return error_response(text, 413)
        return Response(text, status=413, mimetype="text/plain")
