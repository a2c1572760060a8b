"""Malformed paths answer 404, never 500 (issue 10): a NUL, a control character, bytes that
are not UTF-8, a backslash, an (encoded) `..` segment or an overlong path, on the asset, boundary
and API routes and everywhere else. Dash itself raises DependencyException (HTTP 500) for a
component-suite file it did not register: that is a 404 too. Nothing is read from disk for such
a path, so nothing can leak."""

from __future__ import annotations

import re

import dash
from dash.exceptions import DependencyException
from flask import Response, request

from dashboard.api_resources import PREFIX, error_response

MAX_PATH = 1024  # characters: the longest real path (a village profile) is under 40
# a NUL or control character, DEL, a backslash, or U+FFFD (werkzeug's stand-in for bytes that
# are not UTF-8)
_BAD_CHARACTER = re.compile(r"[\x00-\x1f\x7f\\\ufffd]")
# the routes that name files or resources: a dot segment there is never a real address
FILE_ROUTES = ("/assets/", "/_dash-component-suites/", "/batas/", PREFIX + "/")
SUITES = "/_dash-component-suites/"


def malformed(path: str) -> bool:
    """True for a request path no page, asset or API resource of this site can have."""
    if len(path) > MAX_PATH or _BAD_CHARACTER.search(path):
        return True
    if path.startswith(FILE_ROUTES):
        segments = path.split("/")
        if any(s in (".", "..") for s in segments) or "//" in path.rstrip("/"):
            return True
    return False


def not_found() -> Response:
    """404 in the API's error shape under /api/v1, plain text elsewhere."""
    if request.path.startswith(PREFIX + "/") or request.path == PREFIX:
        return error_response("no such resource", 404)
    return Response("not found", status=404, mimetype="text/plain")


def install_path_guard(app: dash.Dash) -> None:
    server = app.server

    @server.before_request
    def refuse_malformed_path() -> Response | None:
        # request.path is already %-decoded: "%00" and "%2e%2e" arrive as NUL and ".."
        return not_found() if malformed(request.path) else None

    @server.errorhandler(DependencyException)
    def unregistered_suite_file(exc: DependencyException) -> Response:
        if request.path.startswith(SUITES):
            return not_found()
        raise exc
