"""The real app in headless Chromium: pages load, filters drive chart, table and URL, the CSV
download matches the aggregate, and the browser console stays free of errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from aggregates.population import export_frame
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource, Snapshot
from dashboard.pages import kependudukan as kpd
from dashboard.pages import ringkasan as rks
from i18n.catalogue import t
from i18n.format import format_number
from tests.browser_support import (
    assert_no_console_errors,
    choose,
    click,
    graph_data,
    grid_column,
    requires_chromium,
    serve_app,
    wait_for,
)
from warehouse.store import Warehouse

KECAMATAN, KECAMATAN_NAMA = "17.03.06", "Kerkap"
DESA, DESA_NAMA = "17.03.06.2001", "Talang Jambu"

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def live(collected_db) -> Iterator[tuple[str, Snapshot]]:
    """The dashboard over the collected warehouse, served by werkzeug on a free port."""
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings())) as url:
            yield url, DataSource(store).snapshot()
    finally:
        store.engine.dispose()


# -- helpers -------------------------------------------------------------------------------
def shown_value(driver, dropdown_id: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, f"{dropdown_id}-value").text.strip()


def expected_x(table, col: str) -> list[int]:
    return [int(v) for v in table[col]]


# -- tests ---------------------------------------------------------------------------------
def test_ringkasan_loads_and_filters(live, browser):
    from selenium.webdriver.common.by import By

    url, snap = live
    browser.get(url + "/")
    totals = snap.totals("kabupaten").iloc[0]
    wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "rks-kartu-penduduk").text
            == format_number(totals["penduduk"], "id")
        ),  # e.g. "304.123"
        "penduduk card shows the kabupaten total",
    )
    assert (
        "desa melapor pada pengumpulan terakhir" in browser.find_element(By.ID, rks.ID_STATUS).text
    )
    wait_for(browser, lambda d: grid_column(d, rks.ID_GRID, "penduduk"), "village rows")
    first = snap.village_status().iloc[0]
    assert grid_column(browser, rks.ID_GRID, "nama_desa")[0] == first["nama_desa"]
    assert grid_column(browser, rks.ID_GRID, "penduduk")[0] == format_number(
        first["penduduk"], "id"
    )
    assert grid_column(browser, rks.ID_GRID, "terakhir_berhasil")[0].endswith("WIB")
    assert browser.title.startswith("Ringkasan")

    choose(browser, rks.ID_KECAMATAN, KECAMATAN)
    wait_for(browser, lambda d: f"wilayah={KECAMATAN}" in d.current_url, "URL follows the filter")
    kec = snap.totals("kecamatan", KECAMATAN).iloc[0]
    wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "rks-kartu-penduduk").text == format_number(kec["penduduk"], "id")
        ),
        "cards follow the filter",
    )
    wait_for(
        browser,
        lambda d: set(grid_column(d, rks.ID_GRID, "nama_kecamatan")) == {KECAMATAN_NAMA},
        "village table follows the filter",
    )
    assert_no_console_errors(browser)


def test_kependudukan_filter_changes_chart_table_url_and_download(live, browser, downloads):
    from selenium.webdriver.common.by import By

    url, snap = live
    browser.get(url + "/kependudukan")
    kab = snap.statistic("agama", "kabupaten", "17.03")
    wait_for(browser, lambda d: graph_data(d, kpd.ID_GRAFIK), "bar chart drawn")
    male, female = graph_data(browser, kpd.ID_GRAFIK)
    assert (male["name"], female["name"]) == ("Laki-laki", "Perempuan")
    assert male["x"] == expected_x(kab, "laki_laki")
    assert grid_column(browser, kpd.ID_GRID, "jumlah") == [
        format_number(v, "id") for v in kab["jumlah"]
    ]
    pyramid = graph_data(browser, kpd.ID_PIRAMIDA)
    assert pyramid and all(x <= 0 for x in pyramid[0]["x"]) and all(x >= 0 for x in pyramid[1]["x"])

    # kecamatan: chart, table, pyramid and URL follow
    before_pyramid = pyramid[1]["x"]
    choose(browser, kpd.ID_KECAMATAN, KECAMATAN)
    kec = snap.statistic("agama", "kecamatan", KECAMATAN)
    wait_for(
        browser,
        lambda d: graph_data(d, kpd.ID_GRAFIK)[0]["x"] == expected_x(kec, "laki_laki"),
        "bar chart follows the kecamatan",
    )
    wait_for(
        browser,
        lambda d: (
            grid_column(d, kpd.ID_GRID, "jumlah") == [format_number(v, "id") for v in kec["jumlah"]]
        ),
        "table follows the kecamatan",
    )
    wait_for(
        browser,
        lambda d: graph_data(d, kpd.ID_PIRAMIDA)[1]["x"] != before_pyramid,
        "pyramid follows the kecamatan",
    )
    assert f"wilayah={KECAMATAN}" in browser.current_url
    assert "statistik=agama" in browser.current_url  # the whole view, for a shareable link
    assert KECAMATAN_NAMA in browser.find_element(By.ID, kpd.ID_JUDUL).text

    # desa, then another statistic
    choose(browser, kpd.ID_DESA, DESA)
    wait_for(browser, lambda d: f"wilayah={DESA}" in d.current_url, "URL follows the desa")
    choose(browser, kpd.ID_STATISTIK, "pekerjaan")
    table = snap.statistic("pekerjaan", "desa", DESA)
    wait_for(
        browser,
        # belum mengisi in words; the CSV below keeps the machine label
        lambda d: (
            grid_column(d, kpd.ID_GRID, "label")
            == list(kpd.shown_table(table, "pekerjaan", "id")["label"])
        ),
        "table follows the statistic",
    )
    assert graph_data(browser, kpd.ID_GRAFIK)[1]["x"] == expected_x(table, "perempuan")
    assert "statistik=pekerjaan" in browser.current_url

    # the CSV download is exactly the table, in the export schema
    click(browser, browser.find_element(By.ID, kpd.ID_UNDUH))
    target = downloads / f"pekerjaan_{DESA}.csv"
    wait_for(browser, lambda d: target.exists() and target.stat().st_size > 0, "CSV downloaded")
    time.sleep(0.2)  # let Chromium finish writing
    expected = export_frame(table).to_csv(index=False, lineterminator="\n")
    assert target.read_text(encoding="utf-8") == expected

    # the nav link carries the filters to the other page
    link = browser.find_element(By.CSS_SELECTOR, "a.nav-link[href^='/?']")
    assert f"wilayah={DESA}" in link.get_attribute("href")
    click(browser, link)
    desa_totals = snap.totals("desa", DESA).iloc[0]
    wait_for(
        browser,
        lambda d: (
            d.find_elements(By.ID, "rks-kartu-penduduk")
            and d.find_element(By.ID, "rks-kartu-penduduk").text
            == format_number(desa_totals["penduduk"], "id")
        ),
        "Ringkasan opens on the same desa",
    )
    assert shown_value(browser, rks.ID_DESA) == DESA_NAMA
    assert_no_console_errors(browser)


def test_a_link_reproduces_the_view(live, browser):
    from selenium.webdriver.common.by import By

    url, snap = live
    browser.get(f"{url}/kependudukan?wilayah={DESA}&statistik=golongan-darah")
    table = snap.statistic("golongan-darah", "desa", DESA)
    wait_for(browser, lambda d: graph_data(d, kpd.ID_GRAFIK), "bar chart drawn")
    assert graph_data(browser, kpd.ID_GRAFIK)[0]["x"] == expected_x(table, "laki_laki")
    assert shown_value(browser, kpd.ID_KECAMATAN) == KECAMATAN_NAMA
    assert shown_value(browser, kpd.ID_DESA) == DESA_NAMA
    assert shown_value(browser, kpd.ID_STATISTIK) == "Golongan Darah · penduduk"  # its unit
    assert f"Desa {DESA_NAMA}" in browser.find_element(By.ID, kpd.ID_JUDUL).text

    # back to the previous filter with the browser's back button
    choose(browser, kpd.ID_KECAMATAN, "17.03.07")
    wait_for(browser, lambda d: "wilayah=17.03.07" in d.current_url, "URL follows")
    browser.back()
    wait_for(browser, lambda d: f"wilayah={DESA}" in d.current_url, "back restores the URL")
    wait_for(
        browser,
        lambda d: (
            shown_value(d, kpd.ID_DESA) == DESA_NAMA
            and graph_data(d, kpd.ID_GRAFIK)[0]["x"] == expected_x(table, "laki_laki")
        ),
        "back restores the view",
    )
    assert_no_console_errors(browser)


def _page_paths() -> list[str]:
    import importlib

    from dashboard.pages import PAGE_MODULES

    paths = []
    for name in PAGE_MODULES:
        page = importlib.import_module(name)
        template = getattr(page, "PATH_TEMPLATE", None)
        paths.append(template.replace("<kode>", DESA) if template else page.PATH)
    return paths


@pytest.mark.parametrize("path", _page_paths())
def test_every_page_opens_without_errors(live, browser, path):
    """Each page renders its content (figures or tables or words), never the error notice,
    and the browser console stays clean."""
    from selenium.webdriver.common.by import By

    url, _ = live
    browser.get(url + path)
    wait_for(
        browser,
        lambda d: d.find_elements(
            By.CSS_SELECTOR, ".js-plotly-plot, .ag-root, .alert, table, input[type=file]"
        ),
        f"content of {path}",
    )
    time.sleep(0.5)  # let the first round of callbacks settle before reading the page
    body = browser.find_element(By.TAG_NAME, "body").text
    assert t("galat.judul") not in body, body[:500]
    assert t("app.halaman_tidak_ada") not in body
    assert_no_console_errors(browser)
