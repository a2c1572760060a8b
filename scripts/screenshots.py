"""Screenshots of the dashboard for the docs: docs/ringkasan.png and docs/kependudukan.png.

Without DASBOR_DATABASE_URL it starts the village simulator, collects every village of the
default registry once into a temporary SQLite warehouse (two villages made to fail, so the
status table shows what a failure looks like), serves the dashboard on a free port and
photographs both pages in headless Chromium at 1400×1000.

    .venv/bin/python scripts/screenshots.py [--out docs] [--no-faults]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from config.registry import load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 1000
FAULTS = {"17.03.01.2006": "500", "17.03.11.2009": "bad-json"}  # two villages that fail
PAGES = (
    ("ringkasan.png", "/", "rks-kartu-penduduk"),
    ("kependudukan.png", "/kependudukan?wilayah=17.03.06&statistik=pendidikan-dalam-kk", None),
)


def collect(url: str, faults: dict[str, str]) -> None:
    """One sweep of the default registry from the simulator into the warehouse at url."""
    from collectors.simulator import Simulator
    from collectors.sweep import run_sweep

    villages = load_registry(DEFAULT_REGISTRY)
    store = Warehouse(url)
    store.upgrade()
    settings = Settings(concurrency=16, read_timeout=5, retries=0, backoff=0.01)
    with Simulator(villages, port=0, seed=7, faults=faults) as sim:
        pointed = [replace(v, base_url=f"{sim.url}/{v.kode_digits}") for v in villages]
        summary = run_sweep(pointed, store, settings)
    store.engine.dispose()
    print(f"collected {len(villages)} villages: {summary.count('failed')} failed", flush=True)


def serve(url: str):
    """The dashboard on a free loopback port, in a thread; returns (base URL, server)."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    app = create_app(Warehouse(url), Settings())
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def browser(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    # the viewport itself, not the window, is 1400×1000
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def wait_until_drawn(driver, wait_id: str | None, timeout: float = 30) -> None:
    """Wait for the page's charts and grids to be drawn (and the named element to exist)."""
    deadline = time.monotonic() + timeout
    script = """
        const graphs = document.querySelectorAll('.js-plotly-plot');
        const drawn = Array.from(graphs).every((g) => g.data && g.data.length > 0
            || (g.layout && g.layout.annotations && g.layout.annotations.length));
        const grids = document.querySelectorAll('.ag-root');
        const rows = document.querySelectorAll('.ag-row').length;
        const wanted = arguments[0] ? document.getElementById(arguments[0]) !== null : true;
        return wanted && drawn && (grids.length === 0 || rows > 0);
    """
    while time.monotonic() < deadline:
        if driver.execute_script(script, wait_id):
            time.sleep(1.0)  # fonts, transitions
            return
        time.sleep(0.2)
    raise TimeoutError(f"page not drawn within {timeout} s: {driver.current_url}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files")
    parser.add_argument("--no-faults", action="store_true", help="let every village succeed")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dasbor-shots-") as tmp:
        url = os.environ.get("DASBOR_DATABASE_URL")
        if not url:
            url = f"sqlite:///{Path(tmp) / 'warehouse.db'}"
            collect(url, {} if args.no_faults else FAULTS)
        base, server = serve(url)
        driver = browser(str(Path(tmp) / "profile"))
        try:
            for name, path, wait_id in PAGES:
                driver.get(base + path)
                wait_until_drawn(driver, wait_id)
                target = out / name
                driver.save_screenshot(str(target))
                print(f"saved {target}", flush=True)
        finally:
            driver.quit()
            server.shutdown()


if __name__ == "__main__":
    main()
