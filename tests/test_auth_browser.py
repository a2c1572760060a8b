"""Signing in with headless Chromium (issue 10): the form, the navbar, and a writing callback
that only passes because Dash's renderer sends the session's CSRF token from its cookie."""

from __future__ import annotations

import pytest

from config.registry import load_registry
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import pemantauan as pmt
from tests.auth_support import PASSWORD
from tests.browser_support import (
    assert_no_console_errors,
    click,
    requires_chromium,
    serve_app,
    wait_for,
)
from warehouse.accounts import audit_frame, create_user
from warehouse.store import Warehouse

pytestmark = [pytest.mark.browser, requires_chromium]
KERKAP = "17.03.06"


def test_an_operator_signs_in_asks_for_its_kecamatan_and_signs_out(tmp_path, browser):
    from selenium.webdriver.common.by import By

    store = Warehouse(f"sqlite:///{tmp_path / 'masuk.db'}")
    store.upgrade()
    store.sync_regions(load_registry(Settings().villages))
    create_user(store, "kerkap", PASSWORD, "operator", KERKAP)
    try:
        with serve_app(create_app(store, Settings()), name="dasbor-masuk") as url:
            browser.get(f"{url}/pemantauan?wilayah={KERKAP}")
            panel = wait_for(browser, lambda d: d.find_element(By.ID, pmt.ID_KUMPULKAN_KECAMATAN),
                             "the collect panel")  # fmt: skip
            assert not panel.is_displayed()  # hidden from the public
            click(browser, browser.find_element(By.ID, "app-akun-masuk"))
            wait_for(browser, lambda d: d.find_element(By.ID, "username"), "the sign-in form")
            browser.find_element(By.ID, "username").send_keys("kerkap")
            browser.find_element(By.ID, "password").send_keys("salah-sekali-123")
            browser.find_element(By.ID, "tombol-masuk").click()
            wait_for(browser, lambda d: "salah" in d.page_source, "the wrong password said")
            browser.get_log("browser")  # the 401 of the wrong password is the one expected error
            browser.find_element(By.ID, "password").send_keys(PASSWORD)
            browser.find_element(By.ID, "tombol-masuk").click()
            # back where the visitor was, signed in
            wait_for(browser, lambda d: "/pemantauan" in d.current_url, "back on the page")
            name = wait_for(browser, lambda d: d.find_element(By.ID, "app-akun-nama"), "name")
            assert "kerkap" in name.text
            button = wait_for(browser, lambda d: d.find_element(By.ID, pmt.ID_KUMPULKAN_KECAMATAN),
                              "the collect button")  # fmt: skip
            wait_for(browser, lambda d: button.is_displayed() and button.is_enabled(), "enabled")
            click(browser, button)
            wait_for(browser, lambda _d: not store.requests_frame().empty, "the request written")
            frame = store.requests_frame()
            assert list(frame["kode_desa"]) == [KERKAP]
            assert list(frame["requested_by"]) == ["user:kerkap"]
            wait_for(browser, lambda d: d.find_element(By.ID, pmt.ID_KUMPULKAN_PESAN).text,
                     "the request's state shown")  # fmt: skip
            assert_no_console_errors(browser)
            click(browser, browser.find_element(By.ID, "app-akun-keluar"))
            wait_for(browser, lambda d: d.find_elements(By.ID, "app-akun-masuk"), "signed out")
    finally:
        store.engine.dispose()
    actions = list(audit_frame(store)["action"])
    assert actions == ["keluar", "kumpulkan", "masuk", "masuk"]
