"""Sweep benchmark: the project's collector vs a naive sequential loop, same simulator.

Prints JSON. Run: .venv/bin/python bench/collect.py [--latency-ms 100] [--concurrency 32]
The simulator runs in its own process (simulator.process) so it does not share the collector's
GIL.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collectors.adapters.summary_v1 import PATH  # noqa: E402
from collectors.http import HttpClient  # noqa: E402
from collectors.sweep import run_sweep  # noqa: E402
from config.registry import load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from simulator.process import SimulatorProcess, free_port  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402


class _Counter:
    """Requests the collector sends (every adapter goes through HttpClient.request)."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def wrap(self, request):
        def counted(client, *args, **kwargs):
            with self._lock:
                self.value += 1
            return request(client, *args, **kwargs)

        return counted


REQUESTS = _Counter()
HttpClient.request = REQUESTS.wrap(HttpClient.request)


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
    sim = SimulatorProcess(
        DEFAULT_REGISTRY, port=port, extra=["--latency-ms", str(args.latency_ms)]
    )
    sim.start()
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
        with tempfile.TemporaryDirectory() as tmp:
            store = Warehouse(f"sqlite:///{os.path.join(tmp, 'bench.db')}")
            store.upgrade()
            before = REQUESTS.value
            first = run_sweep(villages, store, settings)  # empty warehouse: every row inserted
            n_requests = REQUESTS.value - before  # counted, not assumed
            second = run_sweep(villages, store, settings)  # conditional requests: 304s
            store.engine.dispose()
        # the latency bound: every request waits latency_ms, `concurrency` at a time
        bound = n_requests * args.latency_ms / 1000 / args.concurrency
        if args.adapter == "summary-v1":
            naive = naive_loop(villages, 2026)
        else:  # one village after another through the same adapter, scaled from a sample
            sample = villages[:: max(1, len(villages) // 10)]
            with tempfile.TemporaryDirectory() as tmp:
                store = Warehouse(f"sqlite:///{os.path.join(tmp, 'naive.db')}")
                store.upgrade()
                t = run_sweep(sample, store, replace(settings, concurrency=1)).seconds
                store.engine.dispose()
            naive = t * len(villages) / len(sample)
        result = {
            "villages": len(villages),
            "adapter": args.adapter,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
            "requests": n_requests,
            "requests_per_village": round(n_requests / len(villages), 1),
            "latency_bound_s": round(bound, 3),
            "collector_first_sweep_s": round(first.seconds, 3),
            "collector_second_sweep_s": round(second.seconds, 3),
            "first_sweep_failed": first.count("failed"),
            "second_sweep_unchanged": second.count("unchanged"),
            "collector_vs_bound": round(first.seconds / bound, 2),
        }
        if naive is not None:
            result["naive_sequential_s"] = round(naive, 3)
            if args.adapter != "summary-v1":
                result["naive_sequential_note"] = "10 % sample, one village at a time, scaled"
            result["speedup_vs_naive"] = round(naive / first.seconds, 1)
            result["speedup_vs_naive_repeat"] = round(naive / second.seconds, 1)
        result["load_average_before"] = load_before
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(result, indent=2))
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
