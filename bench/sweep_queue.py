"""Queue benchmark: the 220 default villages through the village queue (RabbitMQ, Dramatiq)
with 1, 2 and 4 `dasbor worker` processes into PostgreSQL, against the latency bound, and the
in-process sweep measured in the same run (into PostgreSQL and into SQLite).

Prints JSON. Run:
    .venv/bin/python bench/sweep_queue.py [--latency-ms 100] [--workers 1,2,4] [--threads 32]
needs the machine's RabbitMQ and PostgreSQL (--broker, --postgres; the defaults are theirs).

The simulator runs in its own process; every village's document is built before timing.
Workers are started and consuming before the clock starts: a queued sweep is timed from the
first message put on the queue until the run is completed in the warehouse (watched every
20 ms). Each measure gets a fresh PostgreSQL schema: the first sweep inserts every value
(about 44,000 rows), the repeat sweep gets 304 Not Modified from every village. The latency
bound is requests × latency ÷ the villages pulled at once (workers × threads).
"""

from __future__ import annotations

import sys
from pathlib import Path

# not named queue.py: bench/ is first on the path of every bench script, and a queue.py
# there would shadow the standard queue module for all of them (bench/memory.py broke)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import replace  # noqa: E402

import pika  # noqa: E402

# requests counted as the collector sends them (bench/collect.py wraps HttpClient.request)
from collect import REQUESTS  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from collectors.queue import enqueue_run, wait_for_run  # noqa: E402
from collectors.sweep import run_sweep  # noqa: E402
from collectors.worker_process import WorkerProcess  # noqa: E402
from config.registry import load_registry, registry_csv, village_rows  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from simulator.process import SimulatorProcess, free_port  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


class _Schema:
    """A fresh schema of the PostgreSQL database, dropped afterwards."""

    def __init__(self, base: str) -> None:
        self.name = "bench_" + uuid.uuid4().hex[:10]
        self.admin = create_engine(base)
        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        self.url = (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={self.name}"})
            .render_as_string(hide_password=False)
        )
        self.store = Warehouse(self.url)
        self.store.upgrade()

    def drop(self) -> None:
        self.store.engine.dispose()
        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.admin.dispose()


def _delete_queue(broker: str, name: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(broker))
    try:
        channel = connection.channel()
        for queue in (name, f"{name}.DQ", f"{name}.XQ"):
            channel.queue_delete(queue)
    finally:
        connection.close()


def _in_process(villages, store: Warehouse, settings: Settings) -> dict:
    first = run_sweep(villages, store, settings)
    repeat = run_sweep(villages, store, settings)
    return {
        "first_s": round(first.seconds, 3),
        "repeat_s": round(repeat.seconds, 3),
        "first_failed": first.count("failed"),
        "repeat_unchanged": repeat.count("unchanged"),
    }


def _queued(villages, settings: Settings, base: str, registry: Path, workers: int, threads: int,
            log_dir: Path) -> dict:  # fmt: skip
    schema = _Schema(base)
    name = f"dasbor-bench-{uuid.uuid4().hex[:8]}"
    settings = replace(settings, queue_name=name)
    env = {"DASBOR_BROKER_URL": settings.broker_url, "DASBOR_QUEUE_NAME": name,
           "DASBOR_TAHUN": str(settings.tahun)}  # fmt: skip
    procs = [
        WorkerProcess(registry, database_url=schema.url, env=env, threads=threads,
                      log_path=log_dir / f"worker-{workers}-{i}.log")
        for i in range(workers)
    ]  # fmt: skip
    try:
        for p in procs:
            p.start()
        times = []
        for _ in range(2):  # first sweep, then the repeat (304s)
            start = time.monotonic()
            run_id = enqueue_run(villages, schema.store, settings)
            summary = wait_for_run(schema.store, run_id, villages, settings, started=start,
                                   poll_s=0.02)  # fmt: skip
            times.append(summary)
        first, repeat = times
        return {
            "workers": workers,
            "first_s": round(first.seconds, 3),
            "repeat_s": round(repeat.seconds, 3),
            "first_ok": first.count("ok"),
            "first_failed": first.count("failed"),
            "repeat_unchanged": repeat.count("unchanged"),
        }
    finally:
        for p in procs:
            p.stop()
        _delete_queue(settings.broker_url, name)
        schema.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--threads", type=int, default=32, help="threads per worker")
    parser.add_argument("--postgres", default=os.environ.get("DASBOR_TEST_POSTGRES_URL", POSTGRES))
    parser.add_argument("--broker", default=os.environ.get("DASBOR_TEST_BROKER_URL", BROKER))
    parser.add_argument("--wilayah", help="every village of this provinsi or kabupaten (e.g. 33)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    load_before = [round(x, 2) for x in os.getloadavg()]
    port = free_port()
    source = Path(DEFAULT_REGISTRY)
    if args.wilayah:  # issue 12: a kabupaten or a whole provinsi from the region reference
        from simulator.villages import region_registry

        source = Path(tempfile.mkdtemp()) / "villages.csv"
        source.write_text(registry_csv(village_rows(region_registry(args.wilayah))))
    sim = SimulatorProcess(source, port=port, extra=["--latency-ms", str(args.latency_ms)])
    sim.start()
    try:
        base_url = f"http://127.0.0.1:{port}"
        villages = [replace(v, base_url=f"{base_url}/{v.kode_digits}")
                    for v in load_registry(source)]  # fmt: skip
        settings = Settings(concurrency=args.threads, tahun=2026, broker_url=args.broker,
                            queue_timeout=600)  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            registry = tmp / "villages.csv"
            registry.write_text(registry_csv(village_rows(villages, base_url=base_url + "/{kode}")))
            # the simulator builds each village's document on first request: all before timing
            scratch = Warehouse(f"sqlite:///{tmp / 'warm.db'}")
            scratch.upgrade()
            run_sweep(villages, scratch, replace(settings, concurrency=64))
            scratch.engine.dispose()

            sqlite = Warehouse(f"sqlite:///{tmp / 'bench.db'}")
            sqlite.upgrade()
            before = REQUESTS.value
            in_sqlite = _in_process(villages, sqlite, settings)
            requests = (REQUESTS.value - before) // 2  # per sweep: counted, not assumed
            sqlite.engine.dispose()
            schema = _Schema(args.postgres)
            try:
                in_postgres = _in_process(villages, schema.store, settings)
            finally:
                schema.drop()
            bound = requests * args.latency_ms / 1000 / args.threads
            for measure in (in_sqlite, in_postgres):
                measure["latency_bound_s"] = round(bound, 3)
                measure["first_vs_bound"] = round(measure["first_s"] / bound, 2)
                measure["repeat_vs_bound"] = round(measure["repeat_s"] / bound, 2)
            queued = []
            for n in counts:
                measure = _queued(villages, settings, args.postgres, registry, n, args.threads, tmp)
                q_bound = requests * args.latency_ms / 1000 / (n * args.threads)
                measure["latency_bound_s"] = round(q_bound, 3)
                measure["first_vs_bound"] = round(measure["first_s"] / q_bound, 2)
                measure["repeat_vs_bound"] = round(measure["repeat_s"] / q_bound, 2)
                measure["first_vs_in_process_postgres"] = round(
                    measure["first_s"] / in_postgres["first_s"], 2
                )
                queued.append(measure)
        result = {
            "villages": len(villages),
            "adapter": "summary-v1",
            "latency_ms": args.latency_ms,
            "threads_per_worker": args.threads,
            "requests_per_sweep": requests,
            "in_process_sqlite": in_sqlite,
            "in_process_postgres": in_postgres,
            "queue_postgres": queued,
            "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "cores": os.cpu_count(),
        }
        print(json.dumps(result, indent=2))
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
