"""Browser benchmark: every page in headless Chromium until it stops changing, beside a bare
Dash page (one graph, one AG Grid) measured in the same run. Prints JSON.

    .venv/bin/python bench/browser.py --db var/bench.db [--warm 3] [--first 2] [--page ringkasan]
    .venv/bin/python bench/browser.py --kabupaten 11.08     # builds var/bench-1108.db first

The app (`create_app`, no background warmer) and the baseline are served in this process by
waitress on loopback; Chromium (selenium, /usr/bin/chromium, the flags of the browser tests)
opens each page's default URL (the whole region; the village profile for one desa):

- **warm**: the page again, its views in the server's per-run cache;
- **first view after a run**: what a new run leaves the web process with, its run snapshot
  and view cache dropped just before the page is opened (as when the warmer has not reached it).

"Until it stops changing": a MutationObserver installed before the page's own scripts notes
the time of every DOM change (but changes inside elements not rendered, such as the hidden
print header); the page is settled once nothing changed and no request was in
flight for `--quiet-ms` (1 s). The time is the last change, from navigation start. What the
browser spent it on: the CDP Performance domain (script, layout and style recalculation time of
the renderer), the callbacks' requests (resource timing of /_dash-update-component: how many,
the time at least one was in flight, their server time measured in-process), and the rest
(parsing, painting, idle waits between callbacks).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--window-size=1400,1000")  # fmt: skip
CALLBACK_PATH = "/_dash-update-component"

# Before any script of the page: note every DOM change and every request in flight.
OBSERVER_JS = """
window.__bench = {last: 0, pending: 0, started: 0};
// a change inside an element that is not rendered (display: none, such as the print-only
// header print.js fills 1.5 s after load) is nothing a visitor waits for
new MutationObserver((records) => {
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (!el || !el.isConnected || el.getClientRects().length || el === document.documentElement) {
      window.__bench.last = performance.now();
      return;
    }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
const realFetch = window.fetch;
window.fetch = function (...args) {
  window.__bench.pending += 1; window.__bench.started += 1;
  return realFetch.apply(this, args).finally(() => {
    window.__bench.pending -= 1; window.__bench.last = performance.now();
  });
};
const realSend = XMLHttpRequest.prototype.send;
XMLHttpRequest.prototype.send = function (...args) {
  window.__bench.pending += 1; window.__bench.started += 1;
  this.addEventListener("loadend", () => {
    window.__bench.pending -= 1; window.__bench.last = performance.now();
  });
  return realSend.apply(this, args);
};
"""
STATE_JS = """
const r = performance.getEntriesByType("resource").filter((e) => e.name.includes(arguments[0]));
const spans = r.map((e) => [e.startTime, e.responseEnd]).sort((a, b) => a[0] - b[0]);
let busy = 0, end = -1;
for (const [s, e] of spans) { if (s > end) { busy += e - s; end = e; }
                              else if (e > end) { busy += e - end; end = e; } }
return {now: performance.now(), last: window.__bench.last, pending: window.__bench.pending,
        started: window.__bench.started,
        loading: document.querySelectorAll('[data-dash-is-loading="true"]').length,
        ready: document.readyState, callbacks: r.length, callbacks_in_flight_ms: busy,
        callbacks_sum_ms: r.reduce((a, e) => a + e.duration, 0),
        dom_content_loaded_ms: performance.getEntriesByType("navigation")[0]
          ?.domContentLoadedEventEnd || 0};
"""
METRICS = ("ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "TaskDuration")


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    if not ordered:
        return {"n": 0}
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else 0
    return {"n": len(ordered), "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(p95 if len(ordered) > 1 else ordered[0], 1),
            "max_ms": round(ordered[-1], 1)}  # fmt: skip


@contextmanager
def served(wsgi_app: Any) -> Iterator[str]:
    """waitress (as `dasbor serve`) on a free loopback port, in a thread."""
    from waitress import create_server

    server = create_server(wsgi_app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


class ServerTime:
    """In-process server time of the callback requests (a Flask before/after hook)."""

    def __init__(self, flask_app: Any) -> None:
        from flask import g, request

        self.total_ms = 0.0
        self.count = 0
        self._lock = threading.Lock()

        @flask_app.before_request
        def _start() -> None:
            g._bench_start = time.perf_counter()

        @flask_app.after_request
        def _stop(response: Any) -> Any:
            if request.path.endswith(CALLBACK_PATH) and hasattr(g, "_bench_start"):
                with self._lock:
                    self.total_ms += (time.perf_counter() - g._bench_start) * 1000
                    self.count += 1
            return response

    def take(self) -> tuple[float, int]:
        with self._lock:
            out = (self.total_ms, self.count)
            self.total_ms, self.count = 0.0, 0
        return out


def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='bench-chrome-')}")
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": OBSERVER_JS})
    driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "timeTicks"})
    driver.set_page_load_timeout(60)
    return driver


def metrics(driver: Any) -> dict[str, float]:
    found = driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
    return {m["name"]: m["value"] for m in found if m["name"] in METRICS}


def open_page(driver: Any, url: str, server: ServerTime, quiet_ms: float, timeout: float) -> dict:
    """Navigate to url and wait until the page stops changing; what it cost."""
    before = metrics(driver)  # the same renderer: pages of one origin
    server.take()
    driver.get(url)
    deadline = time.monotonic() + timeout
    state: dict = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(STATE_JS, CALLBACK_PATH)
        # Dash renders after its scripts ran and fetched the layout: a page that has not
        # started a request or still marks components loading is not settled yet
        if (state["ready"] == "complete" and state["pending"] == 0 and state["started"] > 0
                and state["loading"] == 0 and state["last"] > 0
                and state["now"] - state["last"] >= quiet_ms):  # fmt: skip
            break
        time.sleep(0.05)
    else:
        state["timeout"] = True
    after = metrics(driver)
    # a new renderer process (none shared with the previous page) starts its counters at 0
    fresh = after.get("TaskDuration", 0) < before.get("TaskDuration", 0)
    spent = {k: round((after.get(k, 0) - (0 if fresh else before.get(k, 0))) * 1000, 1)
             for k in METRICS}  # fmt: skip
    server_ms, server_n = server.take()
    settled = state.get("last", 0) or state.get("dom_content_loaded_ms", 0)
    return {
        "settled_ms": round(settled, 1),
        "timeout": bool(state.get("timeout")),
        "dom_content_loaded_ms": round(state.get("dom_content_loaded_ms", 0), 1),
        "callbacks": state.get("callbacks", 0),
        "callbacks_in_flight_ms": round(state.get("callbacks_in_flight_ms", 0), 1),
        "callbacks_server_ms": round(server_ms, 1),
        "callbacks_served": server_n,
        "script_ms": spent["ScriptDuration"],
        "layout_ms": spent["LayoutDuration"],
        "style_ms": spent["RecalcStyleDuration"],
        "renderer_tasks_ms": spent["TaskDuration"],
    }


def bare_app() -> Any:
    """The baseline: a bare Dash page, one dropdown, a graph of 220 villages × 2 series and a
    220-row AG Grid, both filled by one callback."""
    import dash
    import dash_ag_grid as dag
    import plotly.graph_objects as go
    from dash import Input, Output, dcc, html

    rng = random.Random(0)
    names = [f"Desa {i:03d}" for i in range(220)]
    male = [rng.randint(300, 3000) for _ in names]
    female = [rng.randint(300, 3000) for _ in names]
    app = dash.Dash(__name__, serve_locally=True)
    app.layout = html.Div(
        [dcc.Dropdown(["a", "b"], "a", id="pilih"), dcc.Graph(id="grafik"),
         dag.AgGrid(id="grid", columnDefs=[{"field": f} for f in ("desa", "l", "p", "jumlah")])]
    )  # fmt: skip

    @app.callback(Output("grafik", "figure"), Output("grid", "rowData"), Input("pilih", "value"))
    def update(_value: str):
        fig = go.Figure(
            [go.Bar(name="Laki-laki", x=names, y=male), go.Bar(name="Perempuan", x=names, y=female)]
        )
        fig.update_layout(barmode="group", title="Penduduk per desa")
        rows = [{"desa": n, "l": m, "p": f, "jumlah": m + f}
                for n, m, f in zip(names, male, female, strict=True)]  # fmt: skip
        return fig, rows

    return app


def page_urls(store: Any, only: list[str] | None) -> dict[str, str]:
    """Each page's default path (the village profile: the first village's)."""
    import dashboard.pages as pages_pkg

    desa = store.regions_frame().query("tingkat == 'desa'")["kode"].tolist()
    out = {}
    for name in pages_pkg.PAGE_MODULES:
        short = name.rsplit(".", 1)[-1]
        if only and short not in only:
            continue
        module = importlib.import_module(name)
        template = getattr(module, "PATH_TEMPLATE", None) or ""
        out[short] = template.replace("<kode>", desa[0]) if "<kode>" in template else module.PATH
    return out


def new_run_state(app: Any, store: Any, settings: Any) -> Callable[[], None]:
    """What a new run leaves the web process with: no snapshot of it yet, an empty view cache."""
    from dashboard.context import DATA_SOURCE
    from dashboard.data import DataSource
    from dashboard.view_cache import VIEW_CACHE, ViewCache

    params = inspect.signature(DataSource).parameters
    rollups = bool(getattr(settings, "rollups", False))
    kwargs = {"rollups": rollups} if "rollups" in params else {}

    def reset() -> None:
        app.server.config[DATA_SOURCE] = DataSource(store, **kwargs)
        app.server.config[VIEW_CACHE] = ViewCache()

    return reset


def measure(driver: Any, url: str, server: ServerTime, args: argparse.Namespace,
            reset: Callable[[], None] | None) -> dict:  # fmt: skip
    first = []
    for _ in range(args.first):
        if reset is not None:
            reset()
        first.append(open_page(driver, url, server, args.quiet_ms, args.timeout))
    open_page(driver, url, server, args.quiet_ms, args.timeout)  # warm the view cache
    warm = [open_page(driver, url, server, args.quiet_ms, args.timeout) for _ in range(args.warm)]
    out = {}
    for label, samples in (("first_view_after_a_run", first), ("warm", warm)):
        keys = [k for k in samples[0] if k != "timeout"]
        out[label] = {
            "settled": summary([s["settled_ms"] for s in samples]),
            "timeouts": sum(s["timeout"] for s in samples),
            "median_breakdown": {
                k: round(statistics.median(s[k] for s in samples), 1) for k in keys
            },
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="var/bench.db", help="warehouse from build_history.py")
    parser.add_argument("--kabupaten", help="build (or reuse) a warehouse of this kabupaten")
    parser.add_argument("--provinsi", help="build (or reuse) a warehouse of this provinsi")
    parser.add_argument("--database-url", help="the warehouse (PostgreSQL: an empty database)")
    parser.add_argument("--months", type=int, default=12, help="monthly runs when building")
    parser.add_argument("--rebuild", action="store_true", help="build the warehouse again")
    parser.add_argument("--warm", type=int, default=3, help="warm views per page")
    parser.add_argument("--first", type=int, default=2, help="first views after a run per page")
    parser.add_argument("--quiet-ms", type=float, default=1000, help="settled after this quiet")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per view at most")
    parser.add_argument("--page", action="append", help="only these pages (module name end)")
    args = parser.parse_args()

    import logging

    logging.basicConfig(level=logging.CRITICAL)
    from pages import bench_warehouse

    from config.settings import Settings
    from dashboard.app import create_app
    from warehouse.store import Warehouse

    url, built = bench_warehouse(args)
    store = Warehouse(url)
    settings = Settings(warm_interval=0)
    result: dict[str, Any] = {
        "db": url.split("@")[-1],
        "built": built,
        "villages": int((store.regions_frame()["tingkat"] == "desa").sum()),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "quiet_ms": args.quiet_ms,
    }
    driver = browser()
    try:
        base = bare_app()
        base_time = ServerTime(base.server)
        with served(base.server) as base_url:
            result["baseline_bare_dash_graph_and_grid"] = measure(
                driver, base_url + "/", base_time, args, None
            )
        app = create_app(store, settings)
        server = ServerTime(app.server)
        reset = new_run_state(app, store, settings)
        result["pages"] = {}
        with served(app.server) as app_url:
            for short, path in page_urls(store, args.page).items():
                started = time.perf_counter()
                try:
                    result["pages"][short] = {"path": path} | measure(
                        driver, app_url + path, server, args, reset
                    )
                except Exception as exc:  # a page being edited: record, go on
                    result["pages"][short] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                print(f"{short}: {time.perf_counter() - started:.0f} s", file=sys.stderr,
                      flush=True)  # fmt: skip
    finally:
        driver.quit()
        store.engine.dispose()
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
