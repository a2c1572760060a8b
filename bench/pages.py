"""Page benchmark: server time of every page's layout and filter callbacks, in-process.

Prints JSON. Run (build the warehouse first, see scripts/build_history.py):

    .venv/bin/python bench/pages.py --db var/bench.db [--repeat 20] [--cold-repeat 5] [--page desa]
    .venv/bin/python bench/pages.py --kabupaten 11.08 [--database-url URL] [--months 12]
    .venv/bin/python bench/pages.py --provinsi 33 --database-url postgresql+psycopg://…/bench_33

With --kabupaten or --provinsi the script builds its own year-of-history warehouse of every
village of that region (scripts/build_history.py: a simulator sweep, then monthly grown runs)
in var/bench-<code>.db or the empty database of --database-url, and reuses it when it already
holds runs (--rebuild starts again). A provinsi registry adds the provinsi level.

For each page of dashboard.pages.PAGE_MODULES and each region level (kabupaten, a kecamatan, a
desa) it times, through Flask's test client (no browser, no network):
- `layout`: the router request for the page URL (what a browser gets on opening the link);
- every filter callback of the page (a server callback whose inputs are all in the page and are
  none of click-like properties), with the values the page's own layout holds for that region.
`warm` repeats the same input (the per-run view cache is filled); `cold` empties the view cache
before each call and takes another region of the level each time (the first request after a new
collection run; the run's snapshot itself stays loaded: `snapshot_load_ms` is that cost).
The baseline, in the same process and run: a bare Dash app whose one callback returns a
graph_objects bar figure of 220 villages × 2 series and a 220-row AG Grid table.
A page whose import, layout or callback fails is recorded with its error; the rest go on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dash  # noqa: E402

from config.settings import Settings  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

ROUTER = "_pages_content.children"
ROUTER_INPUTS = ("_pages_location.pathname", "_pages_location.search")
CLICK_PROPS = {"n_clicks", "clickData", "cellClicked", "selectedData", "selectedRows",
               "cellDoubleClicked", "hoverData", "n_submit", "contents", "filename",
               "last_modified"}  # fmt: skip
AIM_MS = 200.0  # issue 4: p95 per callback
TARGET_MS = 50.0  # project target: p95


class ErrorCounter(logging.Handler):
    """Counts ERROR records: pages catch their own failures and log them."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.last = record.getMessage()[:300]


def summary(samples: list[float]) -> dict:
    """Median, p95 and max of samples in ms."""
    ordered = sorted(samples)
    p95 = statistics.quantiles(ordered, n=20, method="inclusive")[18] if len(ordered) > 1 else 0
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95 if len(ordered) > 1 else ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
    }


def callback_outputs(dep: dict) -> list[dict]:
    out = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        out.append({"id": ident, "property": prop.split("@")[0]})
    return out


def callback_body(dep: dict, values: dict[str, Any]) -> dict:
    """The /_dash-update-component request a browser sends; values by "id.property"."""

    def items(specs: list[dict]) -> list[dict]:
        return [
            {"id": s["id"], "property": s["property"],
             "value": values.get(f"{s['id']}.{s['property']}")}
            for s in specs
        ]  # fmt: skip

    outputs = callback_outputs(dep)
    first = dep["inputs"][0]
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items(dep["inputs"]),
        "state": items(dep["state"]),
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }


class Client:
    """Posts callbacks the way the browser does; `timed` returns (ms, response or error)."""

    def __init__(self, app: dash.Dash) -> None:
        self.http = app.server.test_client()
        resp = self.http.get("/")  # the first request registers the pages' router
        if resp.status_code != 200:
            raise RuntimeError(f"GET / answered {resp.status_code}")
        self.deps: list[dict] = self.http.get("/_dash-dependencies").get_json()

    def dep(self, output: str) -> dict:
        for dep in self.deps:
            if first_output(dep) == output:
                return dep
        raise KeyError(output)

    def timed(self, dep: dict, values: dict[str, Any]) -> tuple[float, dict | None, str | None]:
        body = callback_body(dep, values)
        start = time.perf_counter()
        resp = self.http.post("/_dash-update-component", json=body)
        data = resp.get_data()
        ms = (time.perf_counter() - start) * 1000
        if resp.status_code not in (200, 204):
            return ms, None, f"HTTP {resp.status_code}: {data[:300].decode(errors='replace')}"
        return ms, (json.loads(data) if data else {}), None


def walk(tree: object) -> Iterator[dict]:
    """Every component (with props) of a serialised layout."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            yield tree
            for value in props.values():
                yield from walk(value)
        else:
            for value in tree.values():
                yield from walk(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from walk(item)


def component_props(layout: object) -> dict[str, dict]:
    return {
        c["props"]["id"]: c["props"] for c in walk(layout) if isinstance(c["props"].get("id"), str)
    }


def filter_callbacks(deps: list[dict], props: dict[str, dict]) -> list[dict]:
    """Server callbacks driven by this page's filters (not clicks, not the shell)."""
    found = []
    for dep in deps:
        if dep.get("clientside_function") or not dep["inputs"]:
            continue
        ids = [s["id"] for s in dep["inputs"] + dep["state"]]
        if any(not isinstance(i, str) or i not in props for i in ids):
            continue
        if any(s["property"] in CLICK_PROPS for s in dep["inputs"]):
            continue
        found.append(dep)
    return found


def values_from(dep: dict, props: dict[str, dict]) -> dict[str, Any]:
    return {
        f"{s['id']}.{s['property']}": props[s["id"]].get(s["property"])
        for s in dep["inputs"] + dep["state"]
    }


def router_values(path: str, search: str) -> dict[str, Any]:
    return dict(zip(ROUTER_INPUTS, (path, search), strict=True))


def first_output(dep: dict) -> str:
    """ "id.property" of a callback's first output."""
    return dep["output"].strip(".").split("...")[0].split("@")[0]


def applies(module: Any, level: str) -> bool:
    """A page under /<path>/<kode> (the village profile) is only for a desa."""
    template = getattr(module, "PATH_TEMPLATE", None)
    return not (template and "<kode>" in template) or level == "desa"


TOP = {"level": "kabupaten"}  # the registry's whole region: the page's default (main sets it)
ROLLUPS = {"on": 1}  # 0 with --from-observations: the path before issue 12 (main sets it)


def page_url(module: Any, kode: str, level: str) -> tuple[str, str]:
    """(pathname, search) of the page for a region."""
    template = getattr(module, "PATH_TEMPLATE", None)
    if template and "<kode>" in template:
        return template.replace("<kode>", kode), ""
    return module.PATH, ("" if level == TOP["level"] else f"?wilayah={kode}")


def bench_page(
    app: dash.Dash,
    client: Client,
    module: Any,
    regions: dict[str, list[str]],
    repeat: int,
    cold_repeat: int,
    reset_cache: Callable[[], None],
    errors: ErrorCounter,
) -> dict:
    """Layout and filter callbacks of one page at each level, warm and cold."""
    router = client.dep(ROUTER)
    out: dict[str, Any] = {"path": module.PATH, "levels": {}}
    for level, codes in regions.items():
        res: dict[str, Any] = {"kode": codes[0]}
        out["levels"][level] = res
        if not applies(module, level):
            res["skipped"] = "a page per village"
            continue
        errors_before = errors.count

        def layout_of(kode: str, level: str = level) -> tuple[float, dict | None, str | None]:
            ms, data, err = client.timed(router, router_values(*page_url(module, kode, level)))
            if data is not None:
                data = data["response"]["_pages_content"]["children"]
            return ms, data, err

        # warm: the same URL again and again (the first call fills the view cache)
        first_ms, layout, err = layout_of(codes[0])
        if err:
            res["layout"] = {"error": err}
            continue
        warm = [layout_of(codes[0])[0] for _ in range(repeat)]
        cold, layouts = [], {}
        for i in range(cold_repeat):
            reset_cache()
            ms, other, _ = layout_of(codes[i % len(codes)])
            cold.append(ms)
            layouts[i] = other
        res["layout"] = {"first_ms": round(first_ms, 1), "warm": summary(warm),
                         "cold": summary(cold)}  # fmt: skip

        props = component_props(layout)
        res["callbacks"] = {}
        for dep in filter_callbacks(client.deps, props):
            name = first_output(dep)
            values = values_from(dep, props)
            inputs = {f"{s['id']}.{s['property']}" for s in dep["inputs"]}
            entry: dict[str, Any] = {"inputs": {k: v for k, v in values.items() if k in inputs}}
            res["callbacks"][name] = entry
            _, _, err = client.timed(dep, values)
            if err:
                entry["error"] = err
                continue
            entry["warm"] = summary([client.timed(dep, values)[0] for _ in range(repeat)])
            samples = []
            for i in range(cold_repeat):
                # the inputs a browser would send for another region of this level
                other = layouts.get(i)
                if other is None:
                    entry["cold_error"] = "no layout for the region"
                    break
                other_values = values_from(dep, component_props(other))
                reset_cache()
                ms, _, err = client.timed(dep, other_values)
                if err:
                    entry["cold_error"] = err
                    break
                samples.append(ms)
            if samples:
                entry["cold"] = summary(samples)
        if errors.count > errors_before:
            res["logged_errors"] = errors.count - errors_before
            res["last_logged_error"] = errors.last
    return out


def baseline(repeat: int) -> dict:
    """A bare Dash app: one callback returning a go.Bar figure (220 × 2) and a 220-row grid."""
    import dash_ag_grid as dag
    import plotly.graph_objects as go
    from dash import Input, Output, dcc, html

    rng = random.Random(0)
    names = [f"Desa {i:03d}" for i in range(220)]
    male = [rng.randint(300, 3000) for _ in names]
    female = [rng.randint(300, 3000) for _ in names]
    app = dash.Dash(__name__)
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

    client = Client(app)
    dep = client.dep("grafik.figure")
    values = {"pilih.value": "a"}
    client.timed(dep, values)
    return summary([client.timed(dep, values)[0] for _ in range(repeat)])


def make_app(store: Warehouse) -> tuple[dash.Dash | None, dict[str, str]]:
    """The app with every page that imports and registers; the others with their errors."""
    import dashboard.pages as pages_pkg
    from dashboard.app import create_app

    every = tuple(pages_pkg.PAGE_MODULES)
    broken: dict[str, str] = {}
    for name in every:
        try:
            importlib.import_module(name)
        except Exception as exc:
            broken[name] = f"import: {type(exc).__name__}: {exc}"

    def attempt(names: tuple[str, ...]) -> dash.Dash:
        pages_pkg.PAGE_MODULES = names
        try:
            return create_app(store, Settings(rollups=ROLLUPS["on"]))
        finally:
            pages_pkg.PAGE_MODULES = every

    good = tuple(n for n in every if n not in broken)
    try:
        return attempt(good), broken
    except Exception:
        for name in good:  # find the page that breaks create_app
            try:
                attempt((name,))
            except Exception as exc:
                broken[name] = f"create_app: {type(exc).__name__}: {exc}"
        good = tuple(n for n in good if n not in broken)
        return (attempt(good) if good else None), broken


def regions_of(store: Warehouse, count: int) -> dict[str, list[str]]:
    """Codes per level, the named ones of the tests first, then a seeded shuffle."""
    regions = store.regions_frame()
    rng = random.Random(1)
    out = {}
    levels = (("kabupaten", "17.03"), ("kecamatan", "17.03.06"), ("desa", "17.03.06.2001"))
    if (regions["tingkat"] == "kabupaten").sum() > 1:  # a provinsi registry (issue 12)
        levels = (("provinsi", ""), *levels)
    for level, first in levels:
        codes = sorted(regions.loc[regions["tingkat"] == level, "kode"].astype(str))
        rest = [c for c in codes if c != first]
        rng.shuffle(rest)
        out[level] = ([first] if first in codes else []) + rest[: count - 1]
    return out


def misses(pages: dict) -> dict[str, list[str]]:
    """Which measures have a p95 over the aim and over the target."""
    over: dict[str, list[str]] = {"over_200ms": [], "over_50ms": []}
    for page, res in pages.items():
        for level, lv in res.get("levels", {}).items():
            measures = {"layout": lv.get("layout", {})} | lv.get("callbacks", {})
            for name, m in measures.items():
                for mode in ("warm", "cold"):
                    p95 = m.get(mode, {}).get("p95_ms")
                    label = f"{page} {level} {name} {mode} p95={p95}"
                    if p95 is not None and p95 > AIM_MS:
                        over["over_200ms"].append(label)
                    elif p95 is not None and p95 > TARGET_MS:
                        over["over_50ms"].append(label)
    return over


def first_desa_views(client: Client, store: Warehouse, count: int = 8) -> dict:
    """Per page: the router request for desa the warmer did not compute (every 23rd village,
    `count` of them), each the first request for that desa; median and max ms."""
    import dashboard.pages as pages_pkg

    desa = store.regions_frame().query("tingkat == 'desa'")["kode"].tolist()[::23][:count]
    found: dict[str, dict] = {}
    for name in pages_pkg.PAGE_MODULES:
        module = importlib.import_module(name)
        if not applies(module, "kecamatan"):  # the profile: /desa/<kode>, not warmed either
            continue
        samples = []
        for kode in desa:
            values = router_values(module.PATH, f"?wilayah={kode}")
            ms, _, err = client.timed(client.dep(ROUTER), values)
            if err is None:
                samples.append(ms)
        if samples:
            found[name.rsplit(".", 1)[-1]] = summary(samples)
    return found


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and its peak, from /proc (Linux)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[{"VmRSS": "rss", "VmHWM": "peak"}[key]] = round(int(value.split()[0]) / 1024, 1)
    return found


def bench_warehouse(args: argparse.Namespace) -> tuple[str, dict | None]:
    """The warehouse URL to measure, built first for --kabupaten/--provinsi when it holds no
    runs yet (or --rebuild); returns the URL and what building took (None when reused)."""
    code = args.provinsi or args.kabupaten
    if not code:
        if args.database_url:
            return args.database_url, None
        db = Path(args.db).resolve()
        if not db.exists():
            raise SystemExit(f"{db} missing: run scripts/build_history.py --out {args.db} first")
        return f"sqlite:///{db}", None
    sys.path.insert(0, str(ROOT / "scripts"))
    from build_history import build, region_villages

    url = args.database_url
    if not url:
        db = ROOT / "var" / f"bench-{code.replace('.', '')}.db"
        db.parent.mkdir(exist_ok=True)
        if args.rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    elif args.rebuild:
        raise SystemExit("--rebuild with --database-url: drop and create the database yourself")
    store = Warehouse(url)
    store.upgrade()
    held = store.latest_run_id()
    store.engine.dispose()
    built: dict[str, Any] = {"reused": held is not None}
    if held is None:
        villages = region_villages(args.kabupaten, args.provinsi)
        start = time.perf_counter()
        runs = build(url, months=args.months, villages=villages, quiet=True)
        seconds = time.perf_counter() - start
        print(f"built {len(villages or [])} villages × {len(runs)} runs in {seconds:.0f} s",
              file=sys.stderr, flush=True)  # fmt: skip
        built |= {"villages": len(villages or []), "runs": len(runs), "seconds": round(seconds, 1)}
    built["rollup"] = timed_rollup(url)
    return url, built


def timed_rollup(url: str) -> dict:
    """The rollup the latest run gets when it completes (issue 12, aggregates.rollup): built
    here too, as build_history writes its runs without it; its seconds."""
    try:
        from aggregates.rollup import compute_rollup
    except ImportError as exc:  # no rollups in this tree
        return {"error": str(exc)}
    store = Warehouse(url)
    start = time.perf_counter()
    try:
        rollup_id = compute_rollup(store)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    finally:
        store.engine.dispose()
    return {"id": rollup_id, "seconds": round(time.perf_counter() - start, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="var/bench.db", help="warehouse from build_history.py")
    parser.add_argument("--repeat", type=int, default=20, help="calls per measure")
    parser.add_argument("--cold-repeat", type=int, default=5, help="cold calls per measure")
    parser.add_argument("--page", action="append", help="only these pages (module name end)")
    parser.add_argument("--kabupaten", help="build (or reuse) a warehouse of this kabupaten")
    parser.add_argument("--provinsi", help="build (or reuse) a warehouse of this provinsi")
    parser.add_argument("--database-url", help="the warehouse (PostgreSQL: an empty database)")
    parser.add_argument("--months", type=int, default=12, help="monthly runs when building")
    parser.add_argument("--rebuild", action="store_true", help="build the warehouse again")
    parser.add_argument("--from-observations", action="store_true",
                        help="pages compute from the observations, not the stored rollup "
                        "(the baseline of bench/rollups.py)")  # fmt: skip
    args = parser.parse_args()
    ROLLUPS["on"] = 0 if args.from_observations else 1
    url, built = bench_warehouse(args)
    db = url
    logging.basicConfig(level=logging.CRITICAL)  # page failures are counted, not printed
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("werkzeug", "dash"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    store = Warehouse(url)
    TOP["level"] = "provinsi" if "provinsi" in regions_of(store, 1) else "kabupaten"
    base = baseline(args.repeat)
    from dashboard.data import DataSource
    from dashboard.view_cache import VIEW_CACHE, ViewCache

    loads = []
    for _ in range(3):
        start = time.perf_counter()
        DataSource(store, rollups=bool(ROLLUPS["on"])).snapshot()
        loads.append((time.perf_counter() - start) * 1000)

    rss_snapshot = memory_mb()
    app, broken = make_app(store)
    result: dict[str, Any] = {
        "db": str(db).split("@")[-1],
        "villages": int((store.regions_frame()["tingkat"] == "desa").sum()),
        "built": built,
        "memory_mb_after_snapshot": rss_snapshot,
        "memory_mb_after_app": memory_mb(),
        "repeat": args.repeat,
        "cold_repeat": args.cold_repeat,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "baseline_bare_dash_go_bar": base,
        "snapshot_load_ms": summary(loads),
        "pages": {},
    }
    for name, err in broken.items():
        result["pages"][name.rsplit(".", 1)[-1]] = {"error": err}
    if app is not None:
        client = Client(app)

        def reset_cache() -> None:
            app.server.config[VIEW_CACHE] = ViewCache()

        regions = regions_of(store, args.repeat)
        import dashboard.pages as pages_pkg

        for name in pages_pkg.PAGE_MODULES:
            short = name.rsplit(".", 1)[-1]
            if name in broken or (args.page and short not in args.page):
                continue
            started = time.perf_counter()
            try:
                module = importlib.import_module(name)
                result["pages"][short] = bench_page(
                    app, client, module, regions, args.repeat, args.cold_repeat, reset_cache, errors
                )
            except Exception as exc:  # a page being edited: record, go on
                result["pages"][short] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"{short}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            # each page's figures as they come: a run cut short still leaves them
            print(json.dumps({short: result["pages"].get(short)}, default=str), file=sys.stderr)
        if not args.page:
            # what a new run costs the web process in the background (dashboard.warm): every
            # page's layout for the kabupaten and each kecamatan, from an empty view cache
            from dashboard.warm import warm_views

            reset_cache()
            result["warming_after_a_run"] = warm_views(app)
            # what the warmer leaves to the visitor: the first view of a desa, each page
            result["first_desa_view_after_warming"] = first_desa_views(client, store)
    result["misses"] = misses(result["pages"])
    result["memory_mb_at_end"] = memory_mb()  # the web process's RSS and peak (VmHWM)
    result["load_average_after"] = os.getloadavg()
    print(json.dumps(result, indent=2, default=str))
    store.engine.dispose()


if __name__ == "__main__":
    main()
