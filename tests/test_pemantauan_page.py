"""The Pemantauan page: in-process callbacks over collected warehouses (all ok, some failing),
and the page in headless Chromium with no network (collect-now: tests/test_collect_now.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
import pytest

from aggregates import monitoring as mon
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import pemantauan as pmt
from tests.auth_support import sign_in
from tests.browser_support import (
    assert_no_console_errors,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.conftest import sweep_with_failures
from tests.test_dashboard_callbacks import DashClient
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
DESA = "17.03.06.2001"
# pages other engineers are still writing must not break this page's tests
PAGES = ("dashboard.pages.ringkasan", "dashboard.pages.pemantauan")


@pytest.fixture
def only_our_pages(monkeypatch):
    import dashboard.pages

    monkeypatch.setattr(dashboard.pages, "PAGE_MODULES", PAGES)


def client_for(store: Warehouse) -> DashClient:
    client = DashClient(create_app(store, Settings()))
    sign_in(client.http, store)  # an admin: the original error texts are a role's (issue 10)
    return client


def update(client: DashClient, kecamatan: str | None, desa: str | None) -> dict:
    inputs = {f"{pmt.ID_KECAMATAN}.value": kecamatan, f"{pmt.ID_DESA}.value": desa}
    return client.call(f"{pmt.ID_JUDUL}.children", inputs)


def card(response: dict, key: str) -> str:
    """The number shown on one headline card."""
    for col in response[pmt.ID_KARTU]["children"]:
        body = col["props"]["children"]["props"]["children"]["props"]["children"]
        value = body[1]["props"]
        if value["id"] == f"pmt-kartu-{key}":
            return value["children"]
    raise AssertionError(key)


def test_page_over_a_full_sweep(collected_store, only_our_pages):
    client = client_for(collected_store)
    assert client.http.get("/pemantauan").status_code == 200
    layout = str(client.page("/pemantauan"))
    assert "Pemantauan Kabupaten Bengkulu Utara" in layout or "Pemantauan" in layout
    assert "/assets/topojson/" in layout  # the map's topojsonURL is local

    r = update(client, "17.03", None)
    assert card(r, "aktif") == "220" and card(r, "gagal") == "0"
    assert card(r, "belum_pernah") == "0"
    assert len(r[pmt.ID_GRID_DESA]["rowData"]) == 220
    assert len(r[pmt.ID_GRID_KECAMATAN]["rowData"]) == 19
    figure = r[pmt.ID_PETA]["figure"]
    assert sum(len(tr["locations"]) for tr in figure["data"]) == 220
    # the polygons are fetched once by the browser from the boundary route, not sent per answer
    assert {tr["geojson"] for tr in figure["data"]} == {"/batas/desa-17.03.geojson"}
    served = client.http.get("/batas/desa-17.03.geojson")
    assert served.status_code == 200 and served.headers["Cache-Control"].startswith("public")
    ids = {f["id"] for f in json.loads(served.get_data())["features"]}
    assert {loc for tr in figure["data"] for loc in tr["locations"]} <= ids
    assert client.http.get("/batas/ATTRIBUTION.md").status_code == 404
    # no way out of the boundaries folder: at most Dash's own page answers
    escaped = client.http.get("/batas/..%2F..%2Fconfig%2Fsettings.py")
    assert escaped.status_code == 404 or escaped.mimetype == "text/html"
    assert b"load_settings" not in escaped.get_data()
    assert "220 dari 220 desa" in figure["layout"]["title"]["text"]
    heat = r[pmt.ID_KELENGKAPAN]["figure"]["data"][0]
    assert heat["type"] == "heatmap" and len(heat["y"]) == 220

    r = update(client, KECAMATAN, None)
    rows = r[pmt.ID_GRID_DESA]["rowData"]
    assert rows and {row["nama_kecamatan"] for row in rows} == {"Kerkap"}
    assert all(row["terakhir_berhasil__teks"].endswith("WIB") for row in rows)
    assert [row["kode_kecamatan"] for row in r[pmt.ID_GRID_KECAMATAN]["rowData"]] == [KECAMATAN]

    # the CSV: machine values, stable columns, the kecamatan's villages
    state = {f"{pmt.ID_KECAMATAN}.value": KECAMATAN, f"{pmt.ID_DESA}.value": None}
    out = client.call(f"{pmt.ID_DOWNLOAD}.data", {f"{pmt.ID_UNDUH}.n_clicks": 1}, state)
    csv = pd.read_csv(io.StringIO(out[pmt.ID_DOWNLOAD]["data"]["content"]), dtype=str)
    assert list(csv.columns) == mon.FRESHNESS_COLUMNS
    assert len(csv) == len(rows) and set(csv["kelas"]) == {"aktif"}
    assert csv["terakhir_berhasil"].str.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").all()


def test_failed_and_never_reported_villages(tmp_path, simulator, default_villages, only_our_pages):
    subset = [v for v in default_villages if v.kode_desa.startswith(KECAMATAN + ".")][:5]
    failing = subset[:2]
    store = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
    sweep_with_failures(store, subset, failing, simulator, default_villages)
    client = client_for(store)

    r = update(client, "17.03", None)
    assert card(r, "gagal") == "2" and card(r, "melapor") == "3"
    assert card(r, "aktif") == "3"
    assert card(r, "belum_pernah") == str(len(default_villages) - 3)
    rows = {row["kode_desa"]: row for row in r[pmt.ID_GRID_DESA]["rowData"]}
    bad = rows[failing[0].kode_desa]
    assert bad["kelas"] == "Belum pernah" and bad["galat_terakhir"]
    # the reason in the page's language, the original text beside it (issue 8)
    assert bad["alasan_gagal"].startswith("HTTP 500: galat server di desa (dan ")
    assert bad["galat_terakhir"] == "HTTP 500: server error at the village"
    summary = {row["kode_kecamatan"]: row for row in r[pmt.ID_GRID_KECAMATAN]["rowData"]}
    assert summary[KECAMATAN]["gagal"] == 2 and summary[KECAMATAN]["melapor"] == 3
    heat = r[pmt.ID_KELENGKAPAN]["figure"]["data"][0]
    assert heat["colorbar"]["ticktext"] == ["Berhasil", "Tidak berubah", "Gagal", "Belum pernah"]
    store.engine.dispose()


def test_empty_warehouse_shows_words_not_a_blank_chart(sqlite_store, only_our_pages):
    client = client_for(sqlite_store)
    layout = str(client.page("/pemantauan"))
    assert "belum ada pengumpulan data" in layout
    assert "Traceback" not in layout


# -- the browser (tests/conftest.py, tests/browser_support.py) -----------------------------
WAIT = 30  # seconds; the map draws 220 village polygons


@pytest.fixture
def live(collected_db, only_our_pages) -> Iterator[str]:
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings()), name="pmt-test") as url:
            yield url
    finally:
        store.engine.dispose()


@pytest.fixture
def offline_browser(browser):
    """The shared browser with no network beyond the dashboard itself: a CDN fetch of
    topojson would fail the map."""
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*cdn.plot.ly*", "https://*"]})
    return browser


def map_locations(driver) -> int | None:
    return driver.execute_script(
        """
        const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);
        if (!el || !el.data) { return null; }
        return el.data.reduce((n, t) => n + (t.locations || []).length, 0);
        """,
        pmt.ID_PETA,
    )


@pytest.mark.browser
@requires_chromium
def test_map_draws_offline_and_console_is_clean(live, offline_browser):
    browser = offline_browser
    browser.get(live + "/pemantauan")
    wait_for(browser, lambda d: map_locations(d) == 220, "map data with 220 villages", timeout=WAIT)
    # drawn, not only given: the polygons are in the SVG
    wait_for(
        browser,
        lambda d: (
            d.execute_script(
                "return document.querySelectorAll(arguments[0]).length",
                f"#{pmt.ID_PETA} path.choroplethlocation",
            )
            == 220
        ),
        "220 village polygons drawn",
        timeout=WAIT,
    )
    assert_no_console_errors(browser)


def test_a_kecamatan_view_computes_only_its_villages_and_the_same_rows(collected_store):
    """A kecamatan's (and its desa's) monitoring frames cover its villages only, and hold
    exactly their rows of the whole registry's frames."""
    from dashboard.regions import resolve_wilayah

    app = create_app(collected_store, Settings())
    with app.server.app_context():
        snapshot = app.server.config["DATA_SOURCE"].snapshot()
        now = pmt.now_utc()
        whole = pmt.monitoring_frames(snapshot, now, None)
        for kode in ("17.03.06", "17.03.06.2001"):
            w = resolve_wilayah(snapshot, kode)[0]
            scope = pmt.monitoring_scope(w)
            assert scope == "17.03.06"
            part = pmt.monitoring_frames(snapshot, now, scope)
            assert 0 < len(part["fresh"]) < len(whole["fresh"])
            columns = {"fresh": "kode_desa", "complete": "kode_desa",
                       "outliers": "kode_desa", "summary": "kode_kecamatan"}  # fmt: skip
            for name, col in columns.items():
                want = pmt._under(whole[name], scope, col)
                pd.testing.assert_frame_equal(part[name], want, check_dtype=False, obj=name)
        kabupaten = resolve_wilayah(snapshot, "17.03")[0]
        assert pmt.monitoring_scope(kabupaten) is None  # the registry's whole region
