"""Rollup benchmark (issue 12): the rollup time of a run, then every page's first view and warm
view served from the stored rollup against the same pages computed from the observations (the
path before issue 12), measured in the same run on the same warehouse. Prints JSON.

    .venv/bin/python bench/rollups.py --db var/bench.db [--repeat 10] [--cold-repeat 5]

The warehouse comes from scripts/build_history.py (or `bench/pages.py --kabupaten CODE`, which
builds var/bench-CODE.db). The rollup is computed `--rollups` times from the observations
(`aggregates.rollup.compute_rollup`, what every run does at its end and `dasbor rollup` does by
hand); then bench/pages.py runs twice, each in its own process (so each has its own memory
figure): `--from-observations` (before) and from the rollup (after). Per mode it reports the
worst p95 over every page and level of the first view after a run (`cold`: an empty view
cache; with rollups that reads the rollup's slices) and of warm views, with the page and
level where it happened, the snapshot's load time and the process's memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aggregates.rollup import compute_rollup  # noqa: E402
from warehouse.rollups import rollups_frame  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

TARGETS = {"first_view_p95_ms": 50.0, "warm_p95_ms": 20.0}  # issue 12, at 220 villages


def worst(pages: dict, mode: str) -> dict[str, Any]:
    """The highest p95 of `mode` (warm or cold) over every page, level, layout and filter
    callback, and where it was; plus the worst layout alone."""
    found: dict[str, Any] = {
        "p95_ms": 0.0,
        "where": None,
        "layout_p95_ms": 0.0,
        "layout_where": None,
    }
    for page, res in pages.items():
        for level, lv in res.get("levels", {}).items():
            measures = {"layout": lv.get("layout", {})} | lv.get("callbacks", {})
            for name, m in measures.items():
                p95 = (m.get(mode) or {}).get("p95_ms")
                if p95 is None:
                    continue
                if p95 > found["p95_ms"]:
                    found["p95_ms"], found["where"] = p95, f"{page} {level} {name}"
                if name == "layout" and p95 > found["layout_p95_ms"]:
                    found["layout_p95_ms"], found["layout_where"] = p95, f"{page} {level}"
    return found


def per_page(pages: dict, mode: str) -> dict[str, float]:
    """Per page, the worst p95 of `mode` over its levels, layout and callbacks."""
    out = {}
    for page, res in pages.items():
        values = []
        for lv in res.get("levels", {}).values():
            measures = {"layout": lv.get("layout", {})} | lv.get("callbacks", {})
            values += [(m.get(mode) or {}).get("p95_ms") for m in measures.values()]
        values = [v for v in values if v is not None]
        if values:
            out[page] = max(values)
    return out


def run_pages(db_args: list[str], extra: list[str]) -> dict:
    cmd = [sys.executable, str(ROOT / "bench" / "pages.py"), *db_args, *extra]
    print("running", " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench/pages.py failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="var/bench.db", help="SQLite warehouse")
    parser.add_argument("--database-url", help="another warehouse (PostgreSQL)")
    parser.add_argument("--repeat", type=int, default=10, help="warm calls per measure")
    parser.add_argument("--cold-repeat", type=int, default=5, help="cold calls per measure")
    parser.add_argument("--rollups", type=int, default=3, help="rollups computed and timed")
    parser.add_argument("--page", action="append", help="only these pages (module name end)")
    args = parser.parse_args()
    if args.database_url:
        url, db_args = args.database_url, ["--database-url", args.database_url]
    else:
        db = Path(args.db).resolve()
        if not db.exists():
            raise SystemExit(f"{db} missing: run scripts/build_history.py --out {args.db} first")
        url, db_args = f"sqlite:///{db}", ["--db", str(db)]

    store = Warehouse(url)
    store.upgrade()
    seconds = []
    for _ in range(args.rollups):
        start = time.perf_counter()
        compute_rollup(store)
        seconds.append(round(time.perf_counter() - start, 2))
    last = rollups_frame(store, limit=1).iloc[0]
    villages = int((store.regions_frame()["tingkat"] == "desa").sum())
    store.engine.dispose()

    extra = ["--repeat", str(args.repeat), "--cold-repeat", str(args.cold_repeat)]
    for page in args.page or []:
        extra += ["--page", page]
    modes = {}
    for mode, flag in (("from_observations", ["--from-observations"]), ("from_rollup", [])):
        res = run_pages(db_args, extra + flag)
        modes[mode] = {
            "first_view": worst(res["pages"], "cold"),
            "warm": worst(res["pages"], "warm"),
            "first_view_per_page": per_page(res["pages"], "cold"),
            "warm_per_page": per_page(res["pages"], "warm"),
            "snapshot_load_ms": res.get("snapshot_load_ms"),
            "memory_mb_at_end": res.get("memory_mb_at_end"),
            "warming_after_a_run": res.get("warming_after_a_run"),
            "first_desa_view_after_warming": res.get("first_desa_view_after_warming"),
            "errors": {p: r["error"] for p, r in res["pages"].items() if "error" in r},
            "load_average": [res.get("load_average"), res.get("load_average_after")],
        }
    print(json.dumps({
        "db": url.split("@")[-1],
        "villages": villages,
        "rollup_seconds": seconds,
        "rollup_frames": int(last["frames"]) if last["frames"] == last["frames"] else None,
        "targets": TARGETS,
        "modes": modes,
    }, indent=2, default=str))  # fmt: skip


if __name__ == "__main__":
    main()
