"""Issue 10: requests an attacker crafts, against the real app (Flask test client): the
language switch leads only to a path of this site, malformed asset, boundary and API paths
answer 404 (never 500, never a file), and every answer carries the security headers."""

from __future__ import annotations

import itertools

import pytest

from config.settings import Settings
from dashboard.app import create_app
from dashboard.next_path import safe_next
from layouts.maps import BOUNDARIES_DIR, BOUNDARY_ROUTE


@pytest.fixture(scope="module")
def http(tmp_path_factory):
    from warehouse.store import Warehouse

    store = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'wh.db'}")
    store.upgrade()
    app = create_app(store, Settings(mode="demo"))
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # Dash registers its resources on the first page
    yield client
    store.engine.dispose()


# -- 1. the language switch ----------------------------------------------------------------
OFF_SITE = [
    "/%09/evil.example",  # a tab: browsers drop it and read //evil.example
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "//evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/\\evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%00/evil.example",
    "/ /evil.example",
    "evil.example",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_leaves_the_site(http, target):
    resp = http.get(f"/bahasa/en?next={target}")
    assert resp.status_code == 303
    location = resp.headers["Location"]
    assert location in ("/", "http://localhost/"), location
    assert "Set-Cookie: x" not in str(resp.headers) and "x=1" not in resp.headers.get_all(
        "Set-Cookie"
    )


def test_the_language_switch_returns_to_the_view(http):
    target = "/kependudukan?wilayah=17.03.06&statistik=agama"
    resp = http.get("/bahasa/en", query_string={"next": target})
    assert resp.headers["Location"].endswith(target)
    assert safe_next("/desa/17.03.06.2001") == "/desa/17.03.06.2001"
    for bad in ("/\t/x", "/\r\n/x", "/x\x7f", None, ""):
        assert safe_next(bad) == "/"


# -- 2. malformed paths -------------------------------------------------------------------
FILE_ROUTES = [
    "/assets/",
    "/assets/vendor/",
    "/_dash-component-suites/dash/",
    "/_dash-component-suites/dash/dcc/",
    "/_dash-component-suites/dash_ag_grid/",
    f"{BOUNDARY_ROUTE}/",
    "/api/v1/",
    "/api/v1/statistik/",
    "/api/v1/halaman/kependudukan/",
    "/api/v1/dataset/",
]
TAILS = [
    "%00",
    "x%00.js",
    "%00.geojson",
    "style.css%00.png",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fconfig%2fsettings.py",
    "..%252f..%252fetc",
    "....//....//etc/passwd",
    "%c0%ae%c0%ae/etc/passwd",
    "..%5c..%5cwindows",
    "..\\..\\windows",
    "%ff%fe",
    "%ff.geojson",
    "%e2%80%ae.js",
    "x%0d%0aSet-Cookie:a=b",
    "%uFFFF",
    ".",
    "..",
    "x/../../../etc/passwd",
    "a" * 5000,
    "a" * 300 + ".geojson",
]


def test_malformed_paths_answer_404_never_500(http):
    probes = [base + tail for base, tail in itertools.product(FILE_ROUTES, TAILS)]
    assert len(probes) > 200
    answers = {}
    for path in probes:
        resp = http.get(path)
        answers[path] = resp.status_code
        body = resp.get_data()
        assert b"root:" not in body and b"DASBOR_" not in body  # nothing of a file leaked
    wrong = {p[:90]: s for p, s in answers.items() if s != 404}
    assert not wrong, f"{len(wrong)} of {len(probes)} did not answer 404: {wrong}"


def test_bytes_that_are_not_utf8_answer_404(http):
    # the raw bytes of a path as a client sends them (WSGI gives them as latin-1)
    for raw in (b"/assets/\xff\xfe.css", b"/batas/\xc0\xae\xc0\xae.geojson", b"/api/v1/\x80"):
        resp = http.get("/", environ_overrides={"PATH_INFO": raw.decode("latin-1")})
        assert resp.status_code == 404, raw


def test_real_files_are_still_served(http):
    assert http.get("/assets/style.css").status_code == 200
    geojson = sorted(p.name for p in BOUNDARIES_DIR.glob("*.geojson"))[0]
    assert http.get(f"{BOUNDARY_ROUTE}/{geojson}").status_code == 200
    page = http.get("/").get_data(as_text=True)
    suite = page.split('src="/_dash-component-suites/')[1].split('"')[0]
    assert http.get("/_dash-component-suites/" + suite).status_code == 200
    assert http.get("/api/v1/kamus").status_code == 200


# -- 5. security headers --------------------------------------------------------------------
def test_every_answer_carries_the_security_headers(http):
    for path in ("/", "/kependudukan", "/assets/style.css", "/api/v1/kamus", "/api/v1/kamus.csv",
                 "/api/v1/nope", "/assets/%00", "/bahasa/en?next=/", "/_dash-layout"):  # fmt: skip
        resp = http.get(path)
        headers = resp.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in csp, path
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, path
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        # Dash's inline scripts by hash, never any inline script or eval
        assert "'sha256-" in script_src and "'unsafe-inline'" not in script_src, path
        assert "'unsafe-eval'" not in script_src, path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", path


def test_the_csp_allows_exactly_the_pages_inline_scripts(http):
    import base64
    import hashlib
    import re

    page = http.get("/")
    csp = page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>",
                        html, flags=re.S)  # fmt: skip
    assert inline, "the index page has Dash's inline scripts"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
