"""Shared support for the headless-Chromium tests: the browser's paths and flags, a werkzeug
live server for a Dash app, and helpers that wait, click and read charts and grids like a user.

The `downloads` and `browser` fixtures live in tests/conftest.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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

requires_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"
)


@contextmanager
def serve_app(app, name: str = "dasbor-test") -> Iterator[str]:
    """Serve a Dash app's Flask server with werkzeug on a free loopback port, in a thread;
    yields the base URL and shuts the server down afterwards."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def wait_for(driver, condition, message: str, timeout: float = WAIT):
    """Wait until condition(driver) is truthy and return it; fail with message after timeout."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # Dash re-renders components while callbacks settle: a stale element is worth another look
    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    )
    return wait.until(lambda d: condition(d), message)


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
