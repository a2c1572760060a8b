"""Signing a test client in as the browser does: the sign-in form with its CSRF token, then
Dash's callbacks with the token as the X-CSRFToken header (Dash's renderer sends it from the
_csrf_token cookie)."""

from __future__ import annotations

import re

from warehouse.accounts import create_user, get_user

PASSWORD = "kata-sandi-uji-2026"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_token(http, path: str = "/masuk") -> str:
    """The CSRF token of the sign-in form (a GET gives the session its token)."""
    page = http.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[:500]
    return found.group(1)


def sign_in(http, store, username: str = "admin", role: str = "admin",
            kecamatan: str | None = None, password: str = PASSWORD):  # fmt: skip
    """Create the user if needed and sign `http` (a Flask test client) in; its later requests
    carry the CSRF header. Returns the sign-in response."""
    if get_user(store, username) is None:
        create_user(store, username, password, role, kecamatan)
    token = form_token(http)
    response = http.post(
        "/masuk", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    cookie = http.get_cookie("_csrf_token")
    assert cookie is not None
    http.environ_base["HTTP_X_CSRFTOKEN"] = cookie.value
    return response
