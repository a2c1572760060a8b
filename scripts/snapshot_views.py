"""Every page, filter callback, CSV download and API answer of the dashboard, written to files,
so two versions of the code can be compared byte for byte (issue 9: a restructuring that must
not change what anyone sees, except what it means to change).

    # a fixed warehouse: 3 monthly runs, a sweep in which 8 villages fail, the sample sheets
    .venv/bin/python scripts/snapshot_views.py build --out /tmp/views.db
    # the views of the code this script sits in (copy the script into another tree for that one)
    .venv/bin/python scripts/snapshot_views.py dump --db /tmp/views.db --out /tmp/views-before
    .venv/bin/python scripts/snapshot_views.py compare /tmp/views-before /tmp/views-after

`dump` drives the app in-process, as the browser does (Flask's test client): for each page of
PAGE_MODULES, in both languages, at the kabupaten, a kecamatan and a desa (and with each choice
a page's tables accept), the router's layout, every filter callback with the values that layout
holds, and every CSV download callback; the shell and the HTML page; and every /api/v1 answer,
JSON and CSV: each statistic at each level, penduduk, desa, each dataset, the kamus, and every
page twin with every value of each parameter (read from the API's own 400 answers, so the
script needs nothing of the code's insides). Only the request time of the JSON answers'
`meta.generated_at`, the assets' cache-busting query and Dash's random `end_id` are blanked;
the dump runs with PYTHONHASHSEED=0, since Dash writes a component's data-* attributes in the
order of a set.

`compare` lists the files that differ. For an English page it also checks the one change
issue 9 means: numbers and dates written the English way (CLDR) where they were Indonesian. It
rewrites the old text's Indonesian numbers ("1.234,5") and dates ("28 Nov 2026, 07:15 WIB")
into the new English ones and reports whether the files are then equal.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script, from this tree
    sys.path.insert(0, str(ROOT))

LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "dasbor_bahasa"
LEVELS = {"kabupaten": None, "kecamatan": "17.03.06", "desa": "17.03.06.2001"}
FAILING_DESA = "17.03.06.2002"  # failing in the fixed warehouse: its profile shows the reason
ROUTER = "_pages_content.children"
CLICK_PROPS = {"n_clicks", "clickData", "cellClicked", "selectedData", "selectedRows",
               "cellDoubleClicked", "hoverData", "n_submit", "contents", "filename",
               "last_modified"}  # fmt: skip
MAX_CHOICES = 40  # values of one parameter tried (a statistik has 29)
# the villages made to fail in the fixed warehouse (as scripts/screenshots.py's demo)
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


# -- build ---------------------------------------------------------------------------------
def build(out: Path, months: int) -> None:
    """A warehouse that exercises every page: history, failures with reasons, imports."""
    from dataclasses import replace
    from datetime import datetime

    sys.path.insert(0, str(ROOT / "scripts"))
    import build_history

    from collectors.sweep import run_sweep
    from config.registry import load_registry
    from config.settings import DEFAULT_REGISTRY, Settings
    from simulator.spreadsheets import load_samples
    from simulator.villages import Simulator
    from warehouse.store import Warehouse

    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{out}"
    build_history.build(url, months=months, seed=0)
    villages = load_registry(DEFAULT_REGISTRY)
    store = Warehouse(url)
    settings = Settings(concurrency=16, read_timeout=3, retries=0, backoff=0.01)
    with Simulator(villages, port=0, seed=7, faults=FAULTS) as sim:
        pointed = [replace(v, base_url=f"{sim.url}/{v.kode_digits}") for v in villages]
        summary = run_sweep(pointed, store, settings)
    print(f"sweep with faults: {summary.count('failed')} failed", flush=True)
    count = load_samples(store, villages, tahun=datetime.now().year)
    print(f"imported {count} sample spreadsheets", flush=True)
    store.engine.dispose()


# -- dump ----------------------------------------------------------------------------------
class Client:
    """The browser's side of the app: pages through the router, callbacks, HTTP."""

    def __init__(self, app: Any) -> None:
        self.http = app.server.test_client()
        assert self.http.get("/").status_code == 200  # the first request registers the router
        self.deps: list[dict] = self.http.get("/_dash-dependencies").get_json()

    def language(self, lang: str) -> None:
        self.http.set_cookie(LANGUAGE_COOKIE, lang)

    def dep(self, output: str) -> dict:
        for dep in self.deps:
            if first_output(dep) == output:
                return dep
        raise KeyError(output)

    def call(self, dep: dict, values: dict[str, Any], changed: str | None = None) -> object:
        outputs = []
        for part in dep["output"].strip(".").split("..."):
            ident, prop = part.rsplit(".", 1)
            outputs.append({"id": ident, "property": prop.split("@")[0]})

        def items(specs: list[dict]) -> list[dict]:
            return [{"id": s["id"], "property": s["property"],
                     "value": values.get(f"{s['id']}.{s['property']}")} for s in specs]  # fmt: skip

        first = dep["inputs"][0]
        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": items(dep["inputs"]),
            "state": items(dep["state"]),
            "changedPropIds": [changed or f"{first['id']}.{first['property']}"],
        }
        resp = self.http.post("/_dash-update-component", json=body)
        if resp.status_code == 204:
            return {"status": 204}
        text = resp.get_data(as_text=True)
        if resp.status_code != 200:
            return {"status": resp.status_code, "body": text[:2000]}
        return json.loads(text)

    def layout(self, pathname: str, search: str) -> object:
        values = {"_pages_location.pathname": pathname, "_pages_location.search": search}
        return self.call(self.dep(ROUTER), values)


def first_output(dep: dict) -> str:
    return dep["output"].strip(".").split("...")[0].split("@")[0]


def walk(tree: object) -> Iterator[dict]:
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


def components(layout: object) -> dict[str, dict]:
    return {c["props"]["id"]: c for c in walk(layout) if isinstance(c["props"].get("id"), str)}


def page_callbacks(deps: list[dict], found: dict[str, dict]) -> Iterator[tuple[str, dict, dict]]:
    """(kind, callback, values) of the server callbacks a layout drives: filters (inputs on
    the page, none a click) and CSV downloads (a button's click into a dcc.Download)."""
    props = {k: c["props"] for k, c in found.items()}
    for dep in deps:
        if dep.get("clientside_function") or not dep["inputs"]:
            continue
        specs = dep["inputs"] + dep["state"]
        if any(not isinstance(s["id"], str) or s["id"] not in props for s in specs):
            continue
        values = {f"{s['id']}.{s['property']}": props[s["id"]].get(s["property"]) for s in specs}
        clicks = [s for s in dep["inputs"] if s["property"] in CLICK_PROPS]
        if not clicks:
            yield "filter", dep, values
            continue
        out_id = first_output(dep).rsplit(".", 1)[0]
        target = found.get(out_id)
        if (
            target is not None
            and target.get("type") == "Download"
            and [s["property"] for s in clicks] == ["n_clicks"]
        ):
            values[f"{clicks[0]['id']}.n_clicks"] = 1
            yield "download", dep, values


def page_urls(module: Any, choices: dict[str, list[tuple[str, str]]]) -> Iterator[tuple]:
    """(name, pathname, search) of a page: each level, then each extra choice at a kecamatan
    (a desa for the village profile)."""
    template = getattr(module, "PATH_TEMPLATE", None)
    if template and "<kode>" in template:
        for kode in (LEVELS["desa"], FAILING_DESA):
            yield f"desa-{kode}", template.replace("<kode>", kode), ""
        return
    for level, kode in LEVELS.items():
        yield level, module.PATH, f"?wilayah={kode}" if kode else ""
    for key, value in choices.get(module.__name__.rsplit(".", 1)[-1], []):
        query = urlencode({"wilayah": LEVELS["kecamatan"], key: value})
        yield f"kecamatan-{key}-{value}", module.PATH, "?" + query


def write(out: Path, rel: str, data: bytes | str) -> None:
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def pretty(obj: object) -> str:
    # key order kept as the server sent it: a reordering is a difference too
    return json.dumps(obj, indent=1, ensure_ascii=False) + "\n"


ASSET_STAMP = re.compile(r"([?&]m=)[0-9.]+|(\.v[0-9_a-z]+m)[0-9]+")
END_ID = re.compile(r'"end_id":"[^"]*"')  # Dash's random id of each app


def blank_stamps(text: str) -> str:
    text = END_ID.sub('"end_id":"<random>"', text)
    return ASSET_STAMP.sub(lambda m: (m.group(1) or m.group(2)) + "<mtime>", text)


def api_get(client: Client, path: str, args: dict[str, str]) -> tuple[int, bytes]:
    resp = client.http.get(path + ("?" + urlencode(args) if args else ""))
    body = resp.get_data()
    if resp.mimetype == "application/json":
        data = json.loads(body)
        if isinstance(data.get("meta"), dict) and "generated_at" in data["meta"]:
            data["meta"]["generated_at"] = "<generated_at>"
        body = pretty(data).encode("utf-8")
    else:
        head = f"status {resp.status_code}\n"
        for name in ("Content-Type", "Content-Disposition", "X-Run-Id"):
            head += f"{name}: {resp.headers.get(name)}\n"
        body = head.encode("utf-8") + b"\n" + body
    return resp.status_code, body


def listed(message: str, after: str) -> list[str]:
    """The names an API error lists after `after` ("...; tables: a, b")."""
    if after not in message:
        return []
    tail = message.split(after, 1)[1].strip()
    return [x.strip() for x in tail.split(",") if x.strip() and x.strip() != "none"]


def error_of(client: Client, path: str, args: dict[str, str]) -> str:
    resp = client.http.get(path + ("?" + urlencode(args) if args else ""))
    data = resp.get_json(silent=True) or {}
    return str(data.get("error", ""))


def twin_choices(client: Client, page: str, table: str, base: dict[str, str]) -> dict:
    """Each parameter of a page twin (besides wilayah) with the values it accepts."""
    path = f"/api/v1/halaman/{page}/{table}"
    accepted = listed(error_of(client, path, {**base, "__x": "1"}), "accepts:")
    found = {}
    for key in accepted:
        if key == "wilayah":
            continue
        values = listed(error_of(client, path, {**base, key: "__x"}), "expected one of:")
        found[key] = values[:MAX_CHOICES]
    return found


def dump_api(client: Client, out: Path) -> dict[str, list[tuple[str, str]]]:
    """Every API answer; returns the choices of each page's twins (page → (key, value))."""
    from config.datasets import DATASETS
    from config.statistik import STATISTICS

    def both(name: str, path: str, args: dict[str, str]) -> int:
        status, body = api_get(client, path, args)
        write(out, f"api/{name}.json", body)
        _, body = api_get(client, path + ".csv", args)
        write(out, f"api/{name}.csv", body)
        return status

    ranks = {"kabupaten": 0, "kecamatan": 1, "desa": 2}
    for level, kode in LEVELS.items():
        where = {"wilayah": kode} if kode else {}
        for tingkat in ranks:
            if ranks[tingkat] < ranks[level]:
                continue
            args = {**where, "tingkat": tingkat}
            both(f"penduduk/{level}-{tingkat}", "/api/v1/penduduk", args)
            for stat in STATISTICS:
                both(f"statistik/{stat.slug}/{level}-{tingkat}", f"/api/v1/statistik/{stat.slug}",
                     args)  # fmt: skip
        both(f"desa/{level}", "/api/v1/desa", where)
        for ds in DATASETS:
            both(f"dataset/{ds.name}/{level}", f"/api/v1/dataset/{ds.name}", where)
            both(f"dataset/{ds.name}/{level}-semua", f"/api/v1/dataset/{ds.name}",
                 {**where, "periode": "semua"})  # fmt: skip
    both("kamus", "/api/v1/kamus", {})
    # errors keep their shape and words
    for name, path, args in (
        ("error-wilayah", "/api/v1/penduduk", {"wilayah": "99.99"}),
        ("error-tingkat", "/api/v1/penduduk", {"wilayah": "17.03.06", "tingkat": "kabupaten"}),
        ("error-param", "/api/v1/desa", {"tahun": "2026"}),
        ("error-resource", "/api/v1/tidak-ada", {}),
        ("error-statistik", "/api/v1/statistik/tidak-ada", {}),
    ):
        both(name, path, args)

    pages = listed(error_of(client, "/api/v1/halaman/__x/__x", {}), "pages with tables:")
    choices: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        tables = listed(error_of(client, f"/api/v1/halaman/{page}/__x", {}), "tables:")
        for table in tables:
            path = f"/api/v1/halaman/{page}/{table}"
            levels = dict(LEVELS)
            if page == "desa":
                levels = {"desa": LEVELS["desa"], "desa-gagal": FAILING_DESA,
                          "kecamatan": LEVELS["kecamatan"]}  # fmt: skip
            for level, kode in levels.items():
                where = {"wilayah": kode} if kode else {}
                both(f"halaman/{page}/{table}/{level}", path, where)
                params = twin_choices(client, page, table, where)
                for key, values in params.items():
                    for value in values:
                        one = {**where, key: value}
                        both(f"halaman/{page}/{table}/{level}-{key}-{value}", path, one)
                        if level != "kecamatan":
                            continue
                        choices.setdefault(page, [])
                        if (key, value) not in choices[page]:
                            choices[page].append((key, value))
                        # the other parameters given this one (a period given a dataset)
                        for key2, values2 in twin_choices(client, page, table, one).items():
                            if key2 == key:
                                continue
                            for value2 in values2:
                                both(f"halaman/{page}/{table}/{level}-{key}-{value}-{key2}-"
                                     f"{value2}", path, {**one, key2: value2})  # fmt: skip
    return choices


def dump(db: Path, out: Path) -> None:
    import importlib
    import logging

    import dashboard.pages as pages_pkg
    from config.settings import Settings
    from dashboard.app import create_app
    from warehouse.store import Warehouse

    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    store = Warehouse(f"sqlite:///{db}")
    app = create_app(store, Settings())
    client = Client(app)
    write(out, "dependencies.json", pretty(client.deps))
    choices = dump_api(client, out)
    write(out, "choices.json", pretty(choices))
    print(f"api: {time.perf_counter() - started:.0f} s", flush=True)
    for lang in LANGUAGES:
        client.language(lang)
        write(out, f"shell/index-{lang}.html", blank_stamps(client.http.get("/").get_data(True)))
        write(out, f"shell/layout-{lang}.json", pretty(client.http.get("/_dash-layout").get_json()))
        write(out, f"shell/404-{lang}.json", pretty(client.layout("/tidak-ada", "")))
        for name in pages_pkg.PAGE_MODULES:
            module = importlib.import_module(name)
            short = name.rsplit(".", 1)[-1]
            for view, pathname, search in page_urls(module, choices):
                layout = client.layout(pathname, search)
                base = f"pages/{short}/{view}-{lang}"
                write(out, f"{base}.json", pretty(layout))
                tree = layout.get("response", {}).get("_pages_content", {}).get("children")
                found = components(tree)
                for kind, dep, values in page_callbacks(client.deps, found):
                    answer = client.call(dep, values)
                    safe = first_output(dep).replace("/", "_")
                    write(out, f"{base}/{kind}/{safe}.json", pretty(answer))
        print(f"pages {lang}: {time.perf_counter() - started:.0f} s", flush=True)
    store.engine.dispose()


# -- compare -------------------------------------------------------------------------------
ID_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)(?!\d|,\d|\.\d)")
SPACED_PERCENT = re.compile(r"(\d) %")  # "12,3 %" on Indonesian pages, CLDR's "12.3%" in English
GRID_FORMATTER = re.compile(r"angkaID\(params\.value(?:, (\d+))?\)")
EN_DATE_BEFORE = re.compile(r"(\d{1,2}) (\w{3}) (\d{4}), (\d{2}):(\d{2}) WIB")


def english_numbers(text: str) -> str:
    """Indonesian numbers in a text written the English way: 1.234,5 → 1,234.5."""
    return ID_NUMBER.sub(lambda m: m.group(1).translate(str.maketrans(".,", ",.")), text)


def english_dates(text: str, render: Callable[[str, str, str, str, str], str]) -> str:
    return EN_DATE_BEFORE.sub(lambda m: render(*m.groups()), text)


def rewrite_strings(obj: object, fn: Callable[[str], str]) -> object:
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, list):
        return [rewrite_strings(v, fn) for v in obj]
    if isinstance(obj, dict):
        return {k: rewrite_strings(v, fn) for k, v in obj.items()}
    return obj


def files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def expected_english(before: str, date_render: Callable | None) -> str:
    """The old English view with its numbers (and dates) as issue 9 writes them."""

    def fix(text: str) -> str:
        grid = GRID_FORMATTER.fullmatch(text)
        if grid:  # the grid's number formatter with the English separators
            return f"angka(params.value, {grid.group(1) or 0}, '.', ',')"
        text = SPACED_PERCENT.sub(r"\1%", english_numbers(text))
        return english_dates(text, date_render) if date_render else text

    data = rewrite_strings(json.loads(before), fix)
    return pretty(english_separators(data))


def english_separators(obj: object) -> object:
    """Plotly's `separators` of a figure: ",." (Indonesian) becomes ".," on English pages."""
    if isinstance(obj, list):
        return [english_separators(v) for v in obj]
    if isinstance(obj, dict):
        return {k: ".," if k == "separators" and v == ",." else english_separators(v)
                for k, v in obj.items()}  # fmt: skip
    return obj


def compare(before: Path, after: Path, report: Path | None, date_render: Callable | None) -> dict:
    a, b = files(before), files(after)
    result: dict[str, Any] = {"files_before": len(a), "files_after": len(b),
                              "only_before": sorted(a - b), "only_after": sorted(b - a),
                              "identical": 0, "differ": [], "english_only_formats": []}  # fmt: skip
    lines: list[str] = []
    for rel in sorted(a & b):
        old, new = (before / rel).read_bytes(), (after / rel).read_bytes()
        if old == new:
            result["identical"] += 1
            continue
        if rel.endswith(".json") and "-en" in rel and (rel.startswith(("pages/", "shell/"))):
            if expected_english(old.decode(), date_render) == new.decode():
                result["english_only_formats"].append(rel)
                continue
        result["differ"].append(rel)
        diff = difflib.unified_diff(
            old.decode(errors="replace").splitlines(),
            new.decode(errors="replace").splitlines(),
            f"before/{rel}",
            f"after/{rel}",
            n=1,
            lineterm="",
        )
        lines.extend(list(diff)[:200])
    if report is not None:
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result["digest_before"] = hashlib.sha256(
        b"".join((before / r).read_bytes() for r in sorted(a))
    ).hexdigest()[:16]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="the fixed warehouse")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--months", type=int, default=3)
    p = sub.add_parser("dump", help="every view and answer of this tree's code")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("compare", help="two dumps")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    p.add_argument("--report", type=Path, help="unified diffs of the files that differ")
    p.add_argument(
        "--english-dates",
        action="store_true",
        help="also rewrite the old English dates with this tree's i18n.format.format_date",
    )
    args = parser.parse_args()
    if args.command == "build":
        build(args.out.resolve(), args.months)
    elif args.command == "dump":
        if os.environ.get("PYTHONHASHSEED") != "0":  # data-* attributes in one order
            os.execve(
                sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"}
            )
        if args.out.exists() and any(args.out.iterdir()):
            raise SystemExit(f"{args.out} is not empty")
        dump(args.db.resolve(), args.out)
    else:
        render = None
        if args.english_dates:
            from datetime import datetime, timedelta, timezone

            from i18n.format import format_date  # the new code's English dates

            months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                      "Nov", "Dec")  # fmt: skip

            def render(day: str, mon: str, year: str, hour: str, minute: str) -> str:
                wib = timezone(timedelta(hours=7))
                when = datetime(int(year), months.index(mon) + 1, int(day), int(hour),
                                int(minute), tzinfo=wib)  # fmt: skip
                return format_date(when, "en")

        result = compare(args.before, args.after, args.report, render)
        print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
