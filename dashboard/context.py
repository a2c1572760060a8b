"""What a request of the app knows: its data source, its language, the app's settings. The
app keeps them in `app.server.config` (dashboard.app.create_app); layouts and callbacks read
them through `flask.current_app`."""

from __future__ import annotations

from flask import current_app, has_app_context, has_request_context, request

from config.settings import Settings
from dashboard.data import DataSource
from i18n.catalogue import DEFAULT_LANGUAGE, LANGUAGES

# keys in app.server.config
DATA_SOURCE = "DATA_SOURCE"
LANGUAGE = "DASBOR_LANGUAGE"
SETTINGS = "DASBOR_SETTINGS"  # the Settings the app was made with (the upload page's registry)

# the language a visitor chose, remembered by the browser for a year on every path
LANGUAGE_COOKIE = "dasbor_bahasa"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60


def data_source() -> DataSource:
    """The DataSource of the app serving this request."""
    return current_app.config[DATA_SOURCE]


def settings() -> Settings:
    """The Settings the app serving this request was made with."""
    return current_app.config[SETTINGS]


def language() -> str:
    """The UI language: the visitor's cookie when valid, else the server's setting."""
    if has_request_context():
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in LANGUAGES:
            return chosen
    if has_app_context():
        return current_app.config.get(LANGUAGE, DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE  # Dash calls the layout once at start-up, outside any app
