"""The language switch: /bahasa/<lang> sets a cookie, and the shell and every page follow it."""

from __future__ import annotations

import importlib
import logging

import pytest

from config.settings import Settings
from dashboard.app import create_app, safe_next
from dashboard.context import LANGUAGE_COOKIE, LANGUAGE_COOKIE_AGE
from dashboard.pages import PAGE_MODULES
from i18n.catalogue import t
from tests.test_dashboard_callbacks import ROUTER, DashClient, texts
from warehouse.store import Warehouse

DESA = "17.03.06.2001"
FAILED = {"id": "Terjadi galat.", "en": "Something went wrong."}


@pytest.fixture(scope="module")
def collected(collected_db):
    store = Warehouse(collected_db)
    yield store
    store.engine.dispose()


@pytest.fixture
def client(collected) -> DashClient:
    return DashClient(create_app(collected, Settings()))


def page_paths() -> list[tuple[str, str]]:
    """(module, a URL of it) for every page of PAGE_MODULES."""
    paths = []
    for name in PAGE_MODULES:
        page = importlib.import_module(name)
        path = page.PATH
        if getattr(page, "PATH_TEMPLATE", None):
            path = page.PATH_TEMPLATE.split("<")[0] + DESA
        paths.append((name, path))
    return paths


def choose(client: DashClient, lang: str, next_path: str = "/") -> None:
    resp = client.http.get(f"/bahasa/{lang}?next={next_path}")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(next_path)


def routed(client: DashClient, pathname: str) -> tuple[object, str]:
    """The page layout and the browser title the router gives for a path."""
    inputs = {"_pages_location.pathname": pathname, "_pages_location.search": ""}
    out = client.call(f"{ROUTER}.children", inputs)
    return out[ROUTER]["children"], out["_pages_store"]["data"]["title"]


def test_default_is_indonesian_then_english_after_the_switch(client):
    html = client.http.get("/").get_data(as_text=True)
    assert '<html lang="id">' in html
    shell = texts(client.http.get("/_dash-layout").get_json())
    assert "Ringkasan" in shell and "Kependudukan" in shell and "Unggah Data" in shell
    _, title = routed(client, "/kependudukan")
    assert title == "Kependudukan · Dasbor Kecamatan"

    choose(client, "en", "/kependudukan?wilayah=17.03.06")
    html = client.http.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<title>Kecamatan Dashboard</title>" in html
    shell = texts(client.http.get("/_dash-layout").get_json())
    assert "Overview" in shell and "Population" in shell and "Upload Data" in shell
    assert "Ringkasan" not in shell and "Kependudukan" not in shell
    assert t("app.sumber", "en") in shell
    page, title = routed(client, "/kependudukan")
    assert title == "Population · Kecamatan Dashboard"
    assert "Population of" in texts(page)

    choose(client, "id")  # and back
    assert "Ringkasan" in texts(client.http.get("/_dash-layout").get_json())


def test_the_cookie_lasts_a_year_on_every_path(client):
    resp = client.http.get("/bahasa/en?next=/unduh")
    cookie = resp.headers["Set-Cookie"]
    assert f"{LANGUAGE_COOKIE}=en" in cookie
    assert f"Max-Age={LANGUAGE_COOKIE_AGE}" in cookie
    assert "Path=/" in cookie
    # a later request (another page, a callback) still carries it
    assert client.http.get_cookie(LANGUAGE_COOKIE).value == "en"
    _, title = routed(client, "/unduh")
    assert title.endswith("Kecamatan Dashboard")


def test_bad_language_or_target_is_refused(client):
    assert client.http.get("/bahasa/fr?next=/").status_code == 404
    assert client.http.get_cookie(LANGUAGE_COOKIE) is None
    for target in ("https://example.org/", "//example.org/x", "kependudukan", ""):
        assert safe_next(target) == "/"
    resp = client.http.get("/bahasa/en?next=//example.org/")
    assert resp.headers["Location"] in ("/", "http://localhost/")
    # a forged cookie value falls back to the server's language
    client.http.set_cookie(LANGUAGE_COOKIE, "xx")
    assert "Ringkasan" in texts(client.http.get("/_dash-layout").get_json())


def test_server_setting_is_the_default(collected):
    client = DashClient(create_app(collected, Settings(language="en")))
    assert "Overview" in texts(client.http.get("/_dash-layout").get_json())
    choose(client, "id")
    assert "Ringkasan" in texts(client.http.get("/_dash-layout").get_json())


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_renders_in_each_language(client, lang, caplog):
    choose(client, lang)
    caplog.set_level(logging.ERROR)
    for name, path in page_paths():
        page, title = routed(client, path)
        shown = texts(page)
        assert shown.strip(), name
        # pages catch their own errors (a MissingTranslation too) and show a notice instead
        assert FAILED[lang] not in shown, name
        assert FAILED["en" if lang == "id" else "id"] not in shown, name
        assert title.endswith(t("app.judul", lang)), (name, title)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
