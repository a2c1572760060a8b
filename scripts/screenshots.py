"""Screenshots of the dashboard for the docs: docs/<page>.png for every page in PAGE_MODULES.

The warehouse: `--db FILE` (e.g. the year of history of scripts/build_history.py), else
DASBOR_DATABASE_URL, else `--history` builds a year of monthly runs in a temporary file, else a
demo: the village simulator collected once into a temporary SQLite warehouse (FAULTS: eight
villages made to fail, so the status table, Pemantauan and a village profile show what a
failure looks like). The dashboard is served on a free port and each page (and the EXTRA
views) photographed in headless Chromium, 1400 wide, once its charts and grids have drawn: the
whole page (at least 1000 high, at most --max-height), or 1400×1000 with --viewport-only.
With --samples the demo's sample health and education spreadsheets are imported too (into a
copy of a --db file), so Kesehatan and Pendidikan have data to show.

    .venv/bin/python scripts/screenshots.py [--db var/bench.db | --history] [--samples] [--out docs]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # build_history beside this file

from config.registry import load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 1000
# villages that fail in the demo: two across the kabupaten, and a third of Kerkap with the
# simulator's usual faults, so Pemantauan and a village profile show failures (issue 8)
FAULTS = {
    "17.03.01.2006": "500",
    "17.03.11.2009": "bad-json",
    "17.03.06.2002": "500",
    "17.03.06.2004": "401",
    "17.03.06.2006": "timeout",
    "17.03.06.2008": "bad-json",
    "17.03.06.2010": "sum-mismatch",
    "17.03.06.2012": "wrong-code",
}
# the URL and an element to wait for, for pages not shown at their plain PATH
SPECIAL = {
    "ringkasan": ("/", "rks-kartu-penduduk"),
    # a kecamatan with a village on age brackets of its own: harmonised, the rest listed
    "kependudukan": ("/kependudukan?wilayah=17.03.06&statistik=rentang-umur", None),
    "desa": ("/desa/17.03.06.2001", None),
}


# views photographed besides each page: failures in sight (issue 8)
EXTRA = (
    ("pemantauan-gagal.png", "/pemantauan?wilayah=17.03.06", "pmt-peta"),
    ("desa-gagal.png", "/desa/17.03.06.2002", "desa-keadaan"),
)


def pages() -> list[tuple[str, str, str | None]]:
    """(file name, URL path, element id to wait for) of every page in PAGE_MODULES, then the
    EXTRA views."""
    import importlib

    from dashboard.pages import PAGE_MODULES

    out = []
    for name in PAGE_MODULES:
        short = name.rsplit(".", 1)[-1]
        if short in SPECIAL:
            path, wait_id = SPECIAL[short]
        else:
            path, wait_id = importlib.import_module(name).PATH, None
        out.append((f"{short}.png", path, wait_id))
    return out + list(EXTRA)


def collect(url: str, faults: dict[str, str]) -> None:
    """One sweep of the default registry from the simulator into the warehouse at url."""
    from collectors.sweep import run_sweep
    from simulator.villages import Simulator

    villages = load_registry(DEFAULT_REGISTRY)
    store = Warehouse(url)
    store.upgrade()
    settings = Settings(concurrency=16, read_timeout=5, retries=0, backoff=0.01)
    with Simulator(villages, port=0, seed=7, faults=faults) as sim:
        pointed = [replace(v, base_url=f"{sim.url}/{v.kode_digits}") for v in villages]
        summary = run_sweep(pointed, store, settings)
    store.engine.dispose()
    print(f"collected {len(villages)} villages: {summary.count('failed')} failed", flush=True)


def import_samples(url: str) -> None:
    """The demo's sample health and education spreadsheets, through the real import path."""
    from datetime import datetime

    from simulator.spreadsheets import load_samples

    store = Warehouse(url)
    count = load_samples(store, load_registry(DEFAULT_REGISTRY), tahun=datetime.now().year)
    store.engine.dispose()
    print(f"imported {count} sample spreadsheets", flush=True)


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


def wait_until_drawn(driver, wait_id: str | None, timeout: float = 60) -> None:
    """Wait until the page's content is there, every chart and grid drawn, no callback
    pending (and the named element exists), and the page has stopped changing for 1.5 s."""
    deadline = time.monotonic() + timeout
    script = """
        const content = document.getElementById('_pages_content');
        if (!content || content.innerText.trim().length === 0) { return null; }
        if (document.querySelector('[data-dash-is-loading="true"]')) { return null; }
        const boxes = document.querySelectorAll('.dash-graph');
        const graphs = document.querySelectorAll('.js-plotly-plot');
        if (graphs.length < boxes.length) { return null; }
        const drawn = Array.from(graphs).every((g) => g.data && g.data.length > 0
            || (g.layout && g.layout.annotations && g.layout.annotations.length));
        const grids = document.querySelectorAll('.ag-root');
        const rows = document.querySelectorAll('.ag-row').length;
        const wanted = arguments[0] ? document.getElementById(arguments[0]) !== null : true;
        if (!(wanted && drawn && (grids.length === 0 || rows > 0))) { return null; }
        return document.body.innerHTML.length;
    """
    last, stable_since = None, time.monotonic()
    while time.monotonic() < deadline:
        size = driver.execute_script(script, wait_id)
        now = time.monotonic()
        if size is None or size != last:
            last, stable_since = size, now
        elif now - stable_since >= 1.5:
            return
        time.sleep(0.25)
    raise TimeoutError(f"page not drawn within {timeout} s: {driver.current_url}")


def capture(driver, target: Path, *, full_page: bool, max_height: int) -> tuple[int, int]:
    """Save the viewport, grown first to the page's height when full_page; return the size."""
    height = HEIGHT
    if full_page:
        page = driver.execute_script("return document.documentElement.scrollHeight")
        height = max(HEIGHT, min(int(page), max_height))
    metrics = {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    if height != HEIGHT:
        time.sleep(0.8)  # charts follow the new viewport
    driver.save_screenshot(str(target))
    if height != HEIGHT:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics | {"height": HEIGHT})
    return WIDTH, height


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNG files")
    parser.add_argument("--db", help="SQLite warehouse file to show (e.g. var/bench.db)")
    parser.add_argument("--history", action="store_true", help="build a year of monthly runs")
    parser.add_argument("--no-faults", action="store_true", help="demo: every village succeeds")
    parser.add_argument(
        "--samples", action="store_true", help="import the sample health/education spreadsheets"
    )
    parser.add_argument("--viewport-only", action="store_true", help="1400×1000, not full page")
    parser.add_argument("--max-height", type=int, default=6000, help="full page: at most this")
    parser.add_argument("--page", action="append", help="only these pages (e.g. ringkasan)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    with tempfile.TemporaryDirectory(prefix="dasbor-shots-") as tmp:
        url = os.environ.get("DASBOR_DATABASE_URL")
        if args.db:
            db = Path(args.db).resolve()
            if not db.exists():
                raise SystemExit(f"{db} does not exist (scripts/build_history.py makes one)")
            if args.samples:  # the given warehouse stays as it is
                db = Path(shutil.copy(db, Path(tmp) / "warehouse.db"))
            url = f"sqlite:///{db}"
        elif not url and args.history:
            from build_history import build

            url = f"sqlite:///{Path(tmp) / 'warehouse.db'}"
            build(url)
        elif not url:
            url = f"sqlite:///{Path(tmp) / 'warehouse.db'}"
            collect(url, {} if args.no_faults else FAULTS)
        if args.samples and (args.db or not os.environ.get("DASBOR_DATABASE_URL")):
            import_samples(url)  # a warehouse of our own (a copy of --db): never the given one
        base, server = serve(url)
        driver = browser(str(Path(tmp) / "profile"))
        try:
            for name, path, wait_id in pages():
                if args.page and name.removesuffix(".png") not in args.page:
                    continue
                driver.get(base + path)
                try:
                    wait_until_drawn(driver, wait_id)
                except TimeoutError as exc:  # keep going: the other pages still get shot
                    print(f"warning: {exc}", flush=True)
                    failed.append(name)
                target = out / name
                size = capture(
                    driver, target, full_page=not args.viewport_only, max_height=args.max_height
                )
                print(f"saved {target} ({size[0]}×{size[1]})", flush=True)
        finally:
            driver.quit()
            server.shutdown()
    if failed:
        raise SystemExit(f"not drawn in time: {', '.join(failed)}")


if __name__ == "__main__":
    main()
