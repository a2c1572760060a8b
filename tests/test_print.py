"""Issue 13: every page prints cleanly. Headless Chromium prints a page to PDF (DevTools
Page.printToPDF, what "Print → Save as PDF" does, after the browser's beforeprint event): the
PDF has the print header (the page, the region, its freshness, the print date), no navigation,
filters or buttons, A4 pages, each section on a page of its own, and the grid's every row."""

from __future__ import annotations

import base64
import io

import pytest

from config.settings import Settings
from dashboard.app import create_app
from tests.browser_support import assert_no_console_errors, requires_chromium, serve_app, wait_for
from warehouse.store import Warehouse

KEC = "17.03.06"
A4 = (595, 842)  # points, portrait


def print_pdf(driver, landscape: bool = False) -> bytes:
    driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    out = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True,
         "printBackground": True, "landscape": landscape},
    )  # fmt: skip
    return base64.b64decode(out["data"])


def pages_of(body: bytes):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return [(p.extract_text() or "", p.mediabox) for p in reader.pages]


@pytest.mark.browser
@requires_chromium
def test_a_page_prints_with_its_header_and_without_navigation(collected_db, browser):
    from selenium.webdriver.common.by import By

    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings())) as base:
            browser.get(f"{base}/keuangan?wilayah={KEC}&tahun=2026")
            wait_for(
                browser,
                lambda d: (
                    d.find_elements(By.CSS_SELECTOR, ".ag-row")
                    and "Kerkap"
                    in d.find_element(By.ID, "cetak-kepala").get_attribute("textContent")
                ),
                "the grid and the filled print header",
            )
            header = browser.find_element(By.ID, "cetak-kepala")
            assert not header.is_displayed()  # on screen: hidden
            segar = wait_for(
                browser,
                lambda d: header.find_element(By.CLASS_NAME, "cetak-segar").get_attribute(
                    "textContent"
                ),
                "the freshness line in the print header",
            )
            assert segar.startswith("data per") and "desa" in segar, segar
            names = browser.execute_script(
                "return dash_ag_grid.getApi(arguments[0]).getDisplayedRowCount()",
                browser.find_element(By.CSS_SELECTOR, ".ag-root-wrapper")
                .find_element(By.XPATH, "./ancestor::*[@id][1]")
                .get_attribute("id"),
            )
            pages = pages_of(print_pdf(browser))
            assert_no_console_errors(browser)
    finally:
        store.engine.dispose()
    text = "\n".join(p for p, _ in pages)
    first = pages[0][0]
    assert "Keuangan" in first and "Kerkap" in first and "2026" in first
    assert segar in first.replace("\n", " ") and "dicetak" in first
    for hidden in ("Data ini lewat API", "Unduh CSV", "ID | EN", "Laporan"):
        assert hidden not in text, hidden
    # A4, each section on a page of its own (the grid's section turns its page)
    sizes = {(round(float(b.width)), round(float(b.height))) for _, b in pages}
    assert sizes <= {A4, A4[::-1]}, sizes
    assert A4[::-1] in sizes  # the wide grid printed landscape
    assert len(pages) >= 3
    # the grid printed whole: every village of the kecamatan, not only the rows in view
    assert names >= 15
    villages = ["Aur Gading", "Talang Jambu", "Tebat Pacur", "Perbo", "Kedu Baru"]
    for name in villages:
        assert name in text, name


@pytest.mark.browser
@requires_chromium
def test_the_laporan_link_carries_the_region(collected_db, browser):
    from selenium.webdriver.common.by import By

    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings())) as base:
            browser.get(f"{base}/?wilayah={KEC}")
            link = wait_for(
                browser,
                lambda d: [
                    a
                    for a in d.find_elements(By.CSS_SELECTOR, "a.laporan-tautan")
                    if f"wilayah={KEC}" in (a.get_attribute("href") or "")
                ],
                "the Laporan link with the region",
            )[0]
            browser.get(link.get_attribute("href"))
            assert "Laporan Kecamatan Kerkap" in browser.find_element(By.TAG_NAME, "h1").text
            pdf = browser.find_element(By.PARTIAL_LINK_TEXT, "PDF").get_attribute("href")
            assert f"/laporan.pdf?wilayah={KEC}" in pdf
            assert_no_console_errors(browser)
    finally:
        store.engine.dispose()


PAGES = [("/", "Ringkasan"), ("/pemantauan", "Pemantauan"), ("/kependudukan", "Kependudukan")]


@pytest.mark.browser
@requires_chromium
def test_every_page_prints_its_header_and_no_controls(collected_db, browser):
    from selenium.webdriver.common.by import By

    printed = {}
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings())) as base:
            for path, _ in PAGES:  # one server and browser for all: each page its own print
                browser.get(f"{base}{path}?wilayah={KEC}")
                segar = wait_for(
                    browser,
                    lambda d: d.find_element(
                        By.CSS_SELECTOR, "#cetak-kepala .cetak-segar"
                    ).get_attribute("textContent"),
                    f"the freshness line in the print header of {path}",
                )
                printed[path] = (segar, pages_of(print_pdf(browser)))
    finally:
        store.engine.dispose()
    for path, title in PAGES:
        segar, pages = printed[path]
        first = pages[0][0].replace("\n", " ")
        assert "Kerkap" in first and "dicetak" in first and segar in first, (path, first[:400])
        assert title.lower() in first.lower(), path
        text = "\n".join(p for p, _ in pages)
        for hidden in ("Data ini lewat API", "Unduh CSV", "ID | EN"):
            assert hidden not in text, (path, hidden)
        sizes = {(round(float(b.width)), round(float(b.height))) for _, b in pages}
        assert sizes <= {A4, A4[::-1]}, (path, sizes)
