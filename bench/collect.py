"""Sweep benchmark: the project's collector vs a naive sequential loop, same simulator.

Prints JSON. Run: .venv/bin/python bench/collect.py [--latency-ms 100] [--concurrency 32]
The simulator runs in its own process so it does not share the collector's GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collectors.adapters.summary_v1 import PATH  # noqa: E402
from collectors.sweep import run_sweep  # noqa: E402
from config.registry import load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(port: int, latency_ms: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "simulate", "--port", str(port),
         "--latency-ms", str(latency_ms), "--villages", str(DEFAULT_REGISTRY)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("simulator did not start")


def naive_loop(villages, tahun: int) -> float:
    """What a first script would do: one request after another, no pooling."""
    start = time.perf_counter()
    for v in villages:
        resp = requests.get(v.base_url + PATH, params={"tahun": tahun}, timeout=10)
        resp.json()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--adapter", default="summary-v1", choices=["summary-v1", "opensid"])
    args = parser.parse_args()

    load_before = [round(x, 2) for x in os.getloadavg()]  # 2 shared cores: say how busy
    port = free_port()
    sim = start_simulator(port, args.latency_ms)
    try:
        villages = [
            replace(v, base_url=f"http://127.0.0.1:{port}/{v.kode_digits}", adapter=args.adapter)
            for v in load_registry(DEFAULT_REGISTRY)
        ]
        settings = Settings(concurrency=args.concurrency, tahun=2026)
        # the simulator builds each village's document on first request; build them all
        # before timing, so neither side pays for the simulator's own start-up
        warm = Settings(concurrency=64, tahun=2026)
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Warehouse(f"sqlite:///{os.path.join(tmp, 'warm.db')}")
            scratch.upgrade()
            run_sweep(villages, scratch, warm)
            scratch.engine.dispose()
        requests_per_village = 1 if args.adapter == "summary-v1" else 14
        n_requests = len(villages) * requests_per_village
        bound = n_requests * args.latency_ms / 1000 / args.concurrency
        with tempfile.TemporaryDirectory() as tmp:
            store = Warehouse(f"sqlite:///{os.path.join(tmp, 'bench.db')}")
            store.upgrade()
            first = run_sweep(villages, store, settings)  # empty warehouse: every row inserted
            second = run_sweep(villages, store, settings)  # conditional requests: 304s
            store.engine.dispose()
        naive_villages = villages if args.adapter == "summary-v1" else []
        naive = naive_loop(naive_villages, 2026) if naive_villages else None
        result = {
            "villages": len(villages),
            "adapter": args.adapter,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "requests": n_requests,
            "latency_bound_s": round(bound, 3),
            "collector_first_sweep_s": round(first.seconds, 3),
            "collector_second_sweep_s": round(second.seconds, 3),
            "first_sweep_failed": first.count("failed"),
            "second_sweep_unchanged": second.count("unchanged"),
            "collector_vs_bound": round(first.seconds / bound, 2),
        }
        if naive is not None:
            result["naive_sequential_s"] = round(naive, 3)
            result["speedup_vs_naive"] = round(naive / first.seconds, 1)
            result["speedup_vs_naive_repeat"] = round(naive / second.seconds, 1)
        result["load_average_before"] = load_before
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result, indent=2))
    finally:
        sim.terminate()
        sim.wait(timeout=10)


if __name__ == "__main__":
    main()
