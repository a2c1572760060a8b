"""The real app in headless Chromium: pages load, filters drive chart, table and URL, the CSV
download matches the aggregate, and the browser console stays free of errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from aggregates.population import export_frame
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource, Snapshot
from dashboard.pages import kependudukan as kpd
from dashboard.pages import ringkasan as rks
from layouts.format import format_number
from warehouse.store import Warehouse

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
WAIT = 20  # seconds; the first page load also computes the kabupaten aggregates
KECAMATAN, KECAMATAN_NAMA = "17.03.06", "Kerkap"
DESA, DESA_NAMA = "17.03.06.2001", "Talang Jambu"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def live(collected_db) -> Iterator[tuple[str, Snapshot]]:
    """The dashboard over the collected warehouse, served by werkzeug on a free port."""
    store = Warehouse(collected_db)
    app = create_app(store, Settings())
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="dasbor-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", DataSource(store).snapshot()
    finally:
        server.shutdown()
        thread.join(timeout=10)
        store.engine.dispose()


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path, downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path / 'chrome-profile'}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()


# -- helpers -------------------------------------------------------------------------------
def wait_for(driver, condition, message: str, timeout: float = WAIT):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Dash re-renders components while callbacks settle: a stale element is worth another look
    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    )
    return wait.until(lambda d: condition(d), message)


def assert_no_console_errors(driver) -> None:
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def graph_data(driver, graph_id: str) -> list[dict] | None:
    """The traces a dcc.Graph has drawn: name, x and y as plain lists."""
    return driver.execute_script(
        """
        const el = document.querySelector(`#${arguments[0]} .js-plotly-plot`);
        if (!el || !el.data) { return null; }
        return el.data.map((t) => ({
            name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []),
        }));
        """,
        graph_id,
    )


def grid_column(driver, grid_id: str, col: str) -> list[str]:
    """Shown texts of one column of an AG Grid, in row order."""
    return driver.execute_script(
        """
        const cells = document.querySelectorAll(
            `#${arguments[0]} .ag-center-cols-container .ag-row`);
        return Array.from(cells)
            .sort((a, b) => Number(a.getAttribute('row-index'))
                            - Number(b.getAttribute('row-index')))
            .map((row) => {
                const cell = row.querySelector(`.ag-cell[col-id="${arguments[1]}"]`);
                return cell ? cell.textContent.trim() : null;
            });
        """,
        grid_id,
        col,
    )


def click(driver, element) -> None:
    """Click like a user, after scrolling the element to the middle of the window."""
    # instant: Bootstrap makes scrolling smooth, and a click mid-scroll misses
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()


def choose(driver, dropdown_id: str, value: str) -> None:
    """Pick an option of a Dash 4 dropdown by its value, as a user would (open, click)."""
    from selenium.webdriver.common.by import By

    # the page renders after its callbacks: wait for the dropdown before opening it
    click(driver, wait_for(driver, lambda d: d.find_element(By.ID, dropdown_id), dropdown_id))
    option = wait_for(
        driver,
        lambda d: d.find_element(
            By.XPATH,
            f"//label[contains(@class, 'dash-dropdown-option')][.//input[@value='{value}']]",
        ),
        f"option {value} of {dropdown_id}",
    )
    click(driver, option)  # long lists scroll inside the menu


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
            d.find_element(By.ID, "rks-kartu-penduduk").text == format_number(totals["penduduk"])
        ),  # e.g. "304.123"
        "penduduk card shows the kabupaten total",
    )
    assert (
        "desa melapor pada pengumpulan terakhir" in browser.find_element(By.ID, rks.ID_STATUS).text
    )
    wait_for(browser, lambda d: grid_column(d, rks.ID_GRID, "penduduk"), "village rows")
    first = snap.village_status().iloc[0]
    assert grid_column(browser, rks.ID_GRID, "nama_desa")[0] == first["nama_desa"]
    assert grid_column(browser, rks.ID_GRID, "penduduk")[0] == format_number(first["penduduk"])
    assert grid_column(browser, rks.ID_GRID, "terakhir_berhasil")[0].endswith("WIB")
    assert browser.title.startswith("Ringkasan")

    choose(browser, rks.ID_KECAMATAN, KECAMATAN)
    wait_for(browser, lambda d: f"wilayah={KECAMATAN}" in d.current_url, "URL follows the filter")
    kec = snap.totals("kecamatan", KECAMATAN).iloc[0]
    wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "rks-kartu-penduduk").text == format_number(kec["penduduk"])
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
    assert grid_column(browser, kpd.ID_GRID, "jumlah") == [format_number(v) for v in kab["jumlah"]]
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
            grid_column(d, kpd.ID_GRID, "jumlah") == [format_number(v) for v in kec["jumlah"]]
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
        lambda d: grid_column(d, kpd.ID_GRID, "label") == list(table["label"]),
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
            == format_number(desa_totals["penduduk"])
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
    assert shown_value(browser, kpd.ID_STATISTIK) == "Golongan Darah"
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
