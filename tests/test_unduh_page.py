"""The Unduh Data page: in-process, its preview and download equal the API's answer for the
same choice; in headless Chromium, a user picks a dataset and downloads the warehouse's rows."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pandas as pd
import pytest

from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import kamus
from dashboard.pages import unduh as und
from tests.browser_support import (
    assert_no_console_errors,
    choose,
    click,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
DESA = "17.03.06.2001"


# -- in-process ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(collected_db):
    wh = Warehouse(collected_db)
    yield wh
    wh.engine.dispose()


@pytest.fixture
def client(store) -> DashClient:
    return DashClient(create_app(store, Settings()))


def filters(kecamatan: str, desa: str | None, data: str, tingkat: str, periode: str) -> dict:
    return {
        f"{und.ID_KECAMATAN}.value": kecamatan,
        f"{und.ID_DESA}.value": desa,
        f"{und.ID_DATA}.value": data,
        f"{und.ID_TINGKAT}.value": tingkat,
        f"{und.ID_PERIODE}.value": periode,
    }


CHOICES = [
    ("17.03", None, "statistik/agama", "kabupaten", "semua"),
    (KECAMATAN, None, "statistik/pekerjaan", "desa", "semua"),
    (KECAMATAN, None, "penduduk", "kecamatan", "semua"),
    (KECAMATAN, DESA, "desa", "desa", "semua"),
    (KECAMATAN, None, "dataset/apbdes", "desa", "2026"),
    ("17.03", None, "dataset/bantuan", "desa", "semua"),
]


@pytest.mark.parametrize("choice", CHOICES)
def test_preview_and_download_equal_the_api(client, choice):
    out = client.call(f"{und.ID_TABEL_JUDUL}.children", filters(*choice))
    csv_url = out[und.ID_LINK_CSV]["href"]
    json_url = out[und.ID_LINK_JSON]["href"]
    assert csv_url.startswith("/api/v1/") and ".csv" in csv_url
    body = client.http.get(json_url).get_json()
    assert body["ok"] is True
    assert out[und.ID_GRID]["rowData"] == body["rows"][: und.PREVIEW_ROWS]
    assert [d["field"] for d in out[und.ID_GRID]["columnDefs"]] == body["columns"]
    assert f"{len(body['rows'])}" in out[und.ID_JUMLAH]["children"]

    state = {k: v for k, v in filters(*choice).items()}
    sent = client.call(f"{und.ID_DOWNLOAD}.data", {f"{und.ID_UNDUH}.n_clicks": 1}, state)
    download = sent[und.ID_DOWNLOAD]["data"]
    api_csv = client.http.get(csv_url).get_data(as_text=True)
    assert download["content"] == api_csv
    assert download["filename"].endswith(".csv")


def test_tingkat_above_the_region_is_made_finer(client):
    out = client.call(
        f"{und.ID_TABEL_JUDUL}.children",
        filters(KECAMATAN, None, "statistik/agama", "kabupaten", "semua"),
    )
    assert "tingkat=kecamatan" in out[und.ID_LINK_CSV]["href"]
    assert out[und.ID_PESAN]["children"] is not None
    assert {r["kode_wilayah"] for r in out[und.ID_GRID]["rowData"]} == {KECAMATAN}


def test_the_url_gives_the_view(client):
    layout = client.page("/unduh", f"?data=dataset/pembangunan&wilayah={DESA}&periode=2026")
    grid = find(layout, und.ID_GRID)["props"]
    assert grid["rowData"] and {r["kode_wilayah"] for r in grid["rowData"]} == {DESA}
    assert {r["dataset"] for r in grid["rowData"]} == {"pembangunan"}
    href = find(layout, und.ID_LINK_CSV)["props"]["href"]
    assert href == f"/api/v1/dataset/pembangunan.csv?wilayah={DESA}&periode=2026"
    assert find(layout, und.ID_DATA)["props"]["value"] == "dataset/pembangunan"
    assert find(layout, und.ID_PERIODE)["props"]["value"] == "2026"


def test_kamus_page_shows_the_api_kamus(client):
    layout = client.page("/kamus")
    shown = texts(layout)
    rows = client.http.get("/api/v1/kamus").get_json()["rows"]
    for row in rows:
        if row["bagian"] in ("kolom", "statistik", "dataset"):
            assert row["deskripsi_id"] in shown, row
        if row["bagian"] == "kode" and row["label"]:
            assert row["label"] in shown
    assert find(layout, kamus.ID_LINK_CSV)["props"]["href"] == "/api/v1/kamus.csv"


# -- in the browser (tests/conftest.py, tests/browser_support.py) ---------------------------
@pytest.fixture(scope="module")
def live(collected_db) -> Iterator[str]:
    wh = Warehouse(collected_db)
    try:
        with serve_app(create_app(wh, Settings()), name="unduh-test") as url:
            yield url
    finally:
        wh.engine.dispose()


@pytest.mark.browser
@requires_chromium
def test_pick_a_dataset_and_download_it(live, browser, downloads, collected_store):
    from selenium.webdriver.common.by import By

    browser.get(live + "/unduh")
    wait_for(browser, lambda d: d.find_elements(By.ID, und.ID_LINK_CSV), "page loaded")
    choose(browser, und.ID_DATA, "dataset/apbdes")
    choose(browser, und.ID_KECAMATAN, KECAMATAN)
    wanted = f"/api/v1/dataset/apbdes.csv?wilayah={KECAMATAN}"
    wait_for(
        browser,
        lambda d: d.find_element(By.ID, und.ID_LINK_CSV).get_attribute("href").endswith(wanted),
        "CSV link follows the choice",
    )
    assert "data=dataset%2Fapbdes" in browser.current_url
    assert f"wilayah={KECAMATAN}" in browser.current_url

    click(browser, browser.find_element(By.ID, und.ID_UNDUH))
    target = downloads / f"dataset_apbdes_{KECAMATAN}.csv"
    wait_for(browser, lambda d: target.exists() and target.stat().st_size > 0, "CSV downloaded")
    time.sleep(0.2)  # let Chromium finish writing
    got = pd.read_csv(io.StringIO(target.read_text(encoding="utf-8")), dtype={"kode": str})
    raw = collected_store.measurements_frame(["apbdes"], KECAMATAN)
    assert len(got) == len(raw) > 0
    assert got["kode_wilayah"].tolist() == raw["kode_wilayah"].tolist()
    assert got["kode"].tolist() == raw["kode"].tolist()
    assert got["ukuran"].tolist() == raw["ukuran"].tolist()
    assert got["nilai"].tolist() == pytest.approx(raw["nilai"].tolist())
    assert_no_console_errors(browser)
