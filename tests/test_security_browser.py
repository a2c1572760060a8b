"""Issue 10: every page renders in headless Chromium under the dashboard's
Content-Security-Policy, with no violation reported and no console error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from config.settings import Settings
from dashboard.app import create_app
from tests.browser_support import assert_no_console_errors, requires_chromium, serve_app, wait_for
from warehouse.store import Warehouse

pytestmark = [pytest.mark.browser, requires_chromium]

# a page and an element its callbacks or layout draw (a script blocked by the CSP leaves none);
# between them every bundle the app loads: plotly (bars, maps), AG Grid, the upload, the router
PAGES = [
    ("/", "#rks-peta .js-plotly-plot"),
    ("/kependudukan?wilayah=17.03.06", "#kpd-grafik .js-plotly-plot"),
    ("/pemantauan", "#pmt-peta .js-plotly-plot"),
    ("/unggah", "#ung-upload"),
    ("/unduh", "#unduh-grid .ag-root"),
    ("/kamus", ".ag-root, table"),
]
# collects what the browser reports as violating the page's CSP (before any page script runs)
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


@pytest.fixture(scope="module")
def live(collected_db) -> Iterator[str]:
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings(mode="demo"))) as url:
            yield url
    finally:
        store.engine.dispose()


def test_pages_render_under_the_csp(live, browser):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    for path, drawn in PAGES:
        browser.get(live + path)
        wait_for(
            browser, lambda d, s=drawn: d.find_elements(By.CSS_SELECTOR, s), f"{path}: {drawn}"
        )
        # the clientside callbacks (inline scripts allowed by hash) ran: the nav links carry
        # the page's query, the language links the current view
        wait_for(
            browser,
            lambda d: (
                "next=" in d.find_element(By.ID, "app-bahasa-en").get_attribute("href")
                and "%2F" in d.find_element(By.ID, "app-bahasa-en").get_attribute("href")
            ),
            f"{path}: the language link follows the view",
        )
        violations = browser.execute_script("return window.__csp")
        assert violations == [], (path, violations)
        assert_no_console_errors(browser)


def test_a_script_outside_the_policy_is_reported(collected_db, browser, monkeypatch):
    """The watch above sees violations: without the hashes, Dash's inline scripts are refused."""
    import dashboard.security_headers as sh

    real = sh.content_security_policy

    def without_hashes(app) -> str:
        return real(app).split("; script-src")[0] + "; script-src 'self'"

    monkeypatch.setattr(sh, "content_security_policy", without_hashes)
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings(mode="demo"))) as url:
            browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
            browser.get(url + "/kamus")
            found = wait_for(
                browser, lambda d: d.execute_script("return window.__csp"), "a CSP violation"
            )
            assert any("script-src" in v for v in found), found
    finally:
        store.engine.dispose()
