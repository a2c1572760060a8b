"""Memory benchmark: resident memory of a real `dasbor serve` process over the history warehouse.

Prints JSON. Run (build the warehouse first, see scripts/build_history.py):

    .venv/bin/python bench/memory.py --db var/bench.db

Starts `dasbor serve` (waitress, 8 threads) as a subprocess with DASBOR_DATABASE_URL set, reads
VmRSS / VmHWM from /proc/<pid>/status right after start-up (the baseline: the app built, no page
requested), then loads every page of dashboard.pages.PAGE_MODULES over HTTP for the kabupaten
and a few kecamatan and desa (the page's HTML, its router request and each filter callback, as a
browser would) and reads the memory again after each round, and once more when the server's
view warmer has logged that it finished (`--warm-wait` seconds at most).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import (  # noqa: E402
    ROUTER,
    applies,
    callback_body,
    component_props,
    filter_callbacks,
    first_output,
    page_url,
    regions_of,
    router_values,
)


def bench_regions(db: Path) -> list[tuple[str, str]]:
    """The regions visited: the top region, three kecamatan and three desa of the warehouse
    (bench/pages.py's choice: Bengkulu Utara's named ones first, then a seeded shuffle)."""
    from warehouse.store import Warehouse

    store = Warehouse(f"sqlite:///{db}")
    try:
        found = regions_of(store, 3)
    finally:
        store.engine.dispose()
    return [(level, kode) for level, codes in found.items() for kode in codes if kode]


AIM_MB = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak) of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)  # kB
    return out


def start_server(db: Path, port: int, log: Path) -> subprocess.Popen:
    # demo mode: a random session key (issue 10: production refuses to start without one)
    env = dict(os.environ, DASBOR_DATABASE_URL=f"sqlite:///{db}", DASBOR_MODE="demo")
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"dasbor serve exited with {proc.returncode}; see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/_dash-layout", timeout=5).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"dasbor serve did not answer in 60 s; see {log}")


def load_page(http: requests.Session, base: str, deps: list[dict], module: Any,
              level: str, kode: str) -> list[str]:  # fmt: skip
    """Open one page for one region like a browser; return the errors met."""
    errors = []
    if not applies(module, level):
        return errors
    path, search = page_url(module, kode, level)
    resp = http.get(base + path + search, timeout=60)
    if resp.status_code != 200:
        errors.append(f"GET {path}{search}: {resp.status_code}")
    router = next(d for d in deps if first_output(d) == ROUTER)
    resp = http.post(base + "/_dash-update-component", timeout=120,
                     json=callback_body(router, router_values(path, search)))  # fmt: skip
    if resp.status_code != 200:
        return errors + [f"router {path}{search}: {resp.status_code}"]
    props = component_props(resp.json()["response"]["_pages_content"]["children"])
    for dep in filter_callbacks(deps, props):
        values = {
            f"{s['id']}.{s['property']}": props[s["id"]].get(s["property"])
            for s in dep["inputs"] + dep["state"]
        }
        resp = http.post(base + "/_dash-update-component", json=callback_body(dep, values),
                         timeout=120)  # fmt: skip
        if resp.status_code not in (200, 204):
            errors.append(f"{dep['output'][:60]} {path}{search}: {resp.status_code}")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="var/bench.db", help="warehouse from build_history.py")
    parser.add_argument(
        "--warm-wait", type=float, default=180, help="seconds to wait for the view warmer"
    )
    args = parser.parse_args()
    db = Path(args.db).resolve()
    if not db.exists():
        raise SystemExit(f"{db} missing: run scripts/build_history.py --out {args.db} first")
    from dashboard.pages import PAGE_MODULES

    port = free_port()
    log = Path("/tmp") / f"dasbor-memory-{port}.log"
    server = start_server(db, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        time.sleep(1)
        result: dict[str, Any] = {
            "db": str(db),
            "pid": server.pid,
            "baseline_after_start_mb": memory_mb(server.pid),
            "rounds": [],
            "errors": [],
        }
        http = requests.Session()
        deps = http.get(base + "/_dash-dependencies", timeout=30).json()
        modules = []
        for name in PAGE_MODULES:
            try:
                modules.append(importlib.import_module(name))
            except Exception as exc:  # a page being edited: the server has it or not
                result["errors"].append(f"{name}: {type(exc).__name__}: {exc}")
        started = time.perf_counter()
        for level, kode in bench_regions(db):
            for module in modules:
                try:
                    result["errors"] += load_page(http, base, deps, module, level, kode)
                except (requests.RequestException, ValueError, KeyError) as exc:
                    result["errors"].append(f"{module.__name__} {kode}: {exc}")
            result["rounds"].append({"kode": kode, **memory_mb(server.pid)})
        result["seconds"] = round(time.perf_counter() - started, 1)
        # the server's warmer (dashboard.warm) renders every page for the kabupaten and each
        # kecamatan in the background after start-up: measure once it has finished too
        deadline = time.time() + args.warm_wait
        while time.time() < deadline and "warmed " not in log.read_text(errors="replace"):
            time.sleep(1)
        warmed = [ln for ln in log.read_text(errors="replace").splitlines() if "warmed " in ln]
        result["warmer"] = warmed[-1].split(": ", 1)[-1] if warmed else "not finished"
        result["rounds"].append({"kode": "after the warmer", **memory_mb(server.pid)})
        final = result["rounds"][-1]
        result["final_rss_mb"] = final["VmRSS"]
        result["peak_rss_mb"] = final["VmHWM"]
        result["aim_mb"] = AIM_MB
        result["within_aim"] = final["VmHWM"] < AIM_MB
        print(json.dumps(result, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
