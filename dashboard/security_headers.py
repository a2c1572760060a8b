"""Security headers on every answer of the dashboard (issue 10).

The Content-Security-Policy is one Dash works under with no inline script allowed: Dash's own
inline scripts (the renderer's start and the clientside callbacks) are allowed by their
SHA-256 hashes (`dash.Dash.csp_hashes`), computed once every callback is registered, i.e. at
the first request. Scripts, styles, fonts and data come from this site only (every asset is
served locally). Styles allow 'unsafe-inline': plotly.js and AG Grid inject `<style>` elements
and style attributes at run time; a style cannot run code. Plotly's and AG Grid's bundles in
this app run without `eval` (checked in headless Chromium, tests/test_security_browser.py), so
no 'unsafe-eval'. No page may be framed (frame-ancestors 'none' and X-Frame-Options DENY).
"""

from __future__ import annotations

import dash
from flask import Response

from dashboard.context import settings

CSP_HEADER = "Content-Security-Policy"
HSTS_AGE = 180 * 24 * 60 * 60  # seconds; only sent when the settings say the site is HTTPS

_FIXED = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],  # plotly's "download as png" makes a data: URL
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def content_security_policy(app: dash.Dash) -> str:
    """The CSP of `app`: its inline scripts by hash, everything else from this site."""
    policy = dict(_FIXED)
    policy["script-src"] = ["'self'", *app.csp_hashes()]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


def install_security_headers(app: dash.Dash) -> None:
    """An after_request hook: the headers above on every answer (pages, assets, API, errors)."""
    cached: list[str] = []

    @app.server.after_request
    def add_security_headers(response: Response) -> Response:
        if not cached:  # every callback (and its inline script) is registered by now
            cached.append(content_security_policy(app))
        headers = response.headers
        headers.setdefault(CSP_HEADER, cached[0])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if getattr(settings(), "https", 0):
            headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_AGE}")
        return response
