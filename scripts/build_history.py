"""A warehouse of the 220 default villages with a year of history: one collection run a month.

Month 1 is a real sweep of the village simulator (every dataset). Months 2–N write, through
`Warehouse.record_village` (the collector's write path), each village's population counts grown
by a small monthly rate (every statistic keeps rows + belum mengisi = total); the other datasets
are logged as unchanged, as a `304 Not Modified` would be. The warehouse clock is set to each
month's date while it is written, so runs, fetches and history rows are a month apart, the last
one today. Used by bench/pages.py, bench/memory.py and scripts/screenshots.py.

    .venv/bin/python scripts/build_history.py --out var/bench.db [--months 12] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import warehouse.store as store_module  # noqa: E402
from collectors.sweep import run_sweep  # noqa: E402
from config.registry import Village, load_registry  # noqa: E402
from config.settings import DEFAULT_REGISTRY, Settings  # noqa: E402
from simulator.synthetic import BASE_YEAR  # noqa: E402
from simulator.villages import Simulator  # noqa: E402
from warehouse.store import DatasetWrite, ObservationRow, Warehouse  # noqa: E402

MONTH = timedelta(days=30)
TOTAL_KODE, BELUM_KODE = "total", "belum_mengisi"
TOTALS_DATASET = "total"  # penduduk, keluarga, rumah_tangga


@contextmanager
def clock_at(when: datetime) -> Iterator[None]:
    """Let the warehouse stamp what it writes with `when` (advancing with real time)."""
    real = store_module.utcnow
    offset = when - real()
    store_module.utcnow = lambda: real() + offset
    try:
        yield
    finally:
        store_module.utcnow = real


def month_dates(months: int, now: datetime | None = None) -> list[datetime]:
    """Oldest first, the last one `now`, 30 days apart."""
    now = now or datetime.now(UTC)
    return [now - MONTH * (months - 1 - i) for i in range(months)]


def _grow(value: object, rate: float) -> int | None:
    return None if value is None or pd.isna(value) else int(round(int(value) * rate))


def grown_rows(frame: pd.DataFrame, rate: float) -> list[ObservationRow]:
    """One dataset of one village with every count × rate, its sums kept consistent.

    Each sex is scaled on its own; the rounding remainder goes to the largest category, so
    categories + belum mengisi = total still holds, and equal totals stay equal.
    """
    rows = {r.kode: r for r in frame.itertuples(index=False)}
    new: dict[str, dict] = {
        k: {"laki_laki": _grow(r.laki_laki, rate), "perempuan": _grow(r.perempuan, rate),
            "jumlah": _grow(r.jumlah, rate)}
        for k, r in rows.items()
    }  # fmt: skip
    if TOTAL_KODE in rows:
        categories = [k for k in rows if k not in (TOTAL_KODE, BELUM_KODE)]
        for sex in ("laki_laki", "perempuan"):
            if new[TOTAL_KODE][sex] is None or not categories:
                continue
            parts = sum(new[k][sex] or 0 for k in categories if k != BELUM_KODE)
            parts += new.get(BELUM_KODE, {}).get(sex) or 0
            largest = max(categories, key=lambda k: new[k][sex] or 0)
            new[largest][sex] = (new[largest][sex] or 0) + new[TOTAL_KODE][sex] - parts
        for v in new.values():
            if v["laki_laki"] is not None and v["perempuan"] is not None:
                v["jumlah"] = v["laki_laki"] + v["perempuan"]
    elif "penduduk" in new:  # the totals dataset: penduduk = laki-laki + perempuan
        p = new["penduduk"]
        if p["laki_laki"] is not None and p["perempuan"] is not None:
            p["jumlah"] = p["laki_laki"] + p["perempuan"]
    return [
        ObservationRow(
            kode=str(r.kode),
            label=str(r.label),
            jumlah=new[r.kode]["jumlah"] or 0,
            laki_laki=new[r.kode]["laki_laki"],
            perempuan=new[r.kode]["perempuan"],
            urutan=int(r.urutan),
            dari=None if pd.isna(r.dari) else int(r.dari),
            sampai=None if pd.isna(r.sampai) else int(r.sampai),
            periode=str(r.periode or ""),
        )
        for r in rows.values()
    ]


def first_sweep(store: Warehouse, villages: list[Village], seed: int) -> int:
    """Collect every village once from the simulator; return the run id."""
    settings = Settings(concurrency=16, read_timeout=10, retries=1, backoff=0.01, tahun=BASE_YEAR)
    with Simulator(villages, port=0, seed=seed, tahun=BASE_YEAR) as sim:
        pointed = [replace(v, base_url=f"{sim.url}/{v.kode_digits}") for v in villages]
        summary = run_sweep(pointed, store, settings, trigger="schedule")
    if summary.count("failed"):
        raise SystemExit(f"first sweep: {summary.count('failed')} villages failed")
    return summary.run_id


def grown_run(store: Warehouse, villages: list[Village], rng: random.Random) -> int:
    """One monthly run: population counts grown 0.05–0.6 %, other datasets unchanged."""
    observations = store.observations_frame()
    status = store.dataset_status_frame()
    by_village = {k: f for k, f in observations.groupby("kode_desa", sort=False)}
    datasets_of = status.groupby("kode_desa")["dataset"].apply(list).to_dict()
    run_id = store.start_run(kind="collection", trigger="schedule", total=len(villages))
    ok = unchanged = 0
    for v in villages:
        rate = 1 + rng.uniform(0.0005, 0.006)
        frame = by_village.get(v.kode_desa)
        writes: list[DatasetWrite] = []
        grown: set[str] = set()
        if frame is not None:
            for dataset, rows in frame.groupby("dataset", sort=False):
                writes.append(
                    DatasetWrite(str(dataset), "ok", grown_rows(rows, rate), 200, 40)
                )  # fmt: skip
                grown.add(str(dataset))
        for dataset in datasets_of.get(v.kode_desa, []):
            if dataset not in grown:
                writes.append(DatasetWrite(dataset, "unchanged", None, 304, 30, kind="measurement"))
        statuses = store.record_village(run_id, v.kode_desa, writes)
        if "failed" in statuses.values():
            raise SystemExit(f"{v.kode_desa}: the warehouse refused {statuses}")
        if "ok" in statuses.values():
            ok += 1
        else:
            unchanged += 1
    store.finish_run(run_id, ok=ok, unchanged=unchanged, failed=0)
    return run_id


def build(
    url: str,
    *,
    months: int = 12,
    seed: int = 0,
    quiet: bool = False,
    villages: list[Village] | None = None,
) -> list[int]:
    """Fill the (empty) warehouse at url with `months` monthly runs of `villages` (default:
    the 220 of the default registry); return their ids."""
    if months < 1:
        raise ValueError("months must be at least 1")
    villages = villages if villages is not None else load_registry(DEFAULT_REGISTRY)
    store = Warehouse(url)
    store.upgrade()
    if store.latest_run_id() is not None:
        raise SystemExit(f"{url} already holds collection runs; give an empty warehouse")
    rng = random.Random(seed)
    runs: list[int] = []
    try:
        for i, when in enumerate(month_dates(months)):
            started = time.perf_counter()
            with clock_at(when):
                if i == 0:
                    runs.append(first_sweep(store, villages, seed))
                else:
                    runs.append(grown_run(store, villages, rng))
            if not quiet:
                print(
                    f"run {runs[-1]} ({when:%Y-%m-%d}): {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
    finally:
        store.engine.dispose()
    return runs


def region_villages(kabupaten: str | None, provinsi: str | None) -> list[Village] | None:
    """The registry of a kabupaten or provinsi from the region reference (None: the default)."""
    if not kabupaten and not provinsi:
        return None
    from config.registry import build_registry_rows, parse_registry, registry_csv

    rows = build_registry_rows(kabupaten, provinsi=provinsi)
    return parse_registry(registry_csv(rows), source=kabupaten or provinsi or "")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="var/bench.db", help="SQLite file to create")
    parser.add_argument("--months", type=int, default=12, help="monthly collection runs")
    parser.add_argument("--seed", type=int, default=0, help="simulator and growth seed")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.add_argument("--kabupaten", help="every village of this kabupaten (issue 12)")
    parser.add_argument("--provinsi", help="every village of this provinsi (issue 12)")
    args = parser.parse_args(argv)
    villages = region_villages(args.kabupaten, args.provinsi)
    out = Path(args.out).resolve()
    if out.exists():
        if not args.force:
            raise SystemExit(f"{out} exists; pass --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{out}{suffix}").unlink(missing_ok=True)
    runs = build(f"sqlite:///{out}", months=args.months, seed=args.seed, villages=villages)
    print(f"{out}: {len(runs)} completed runs ({runs[0]}–{runs[-1]})")


if __name__ == "__main__":
    main()
