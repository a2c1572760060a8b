"""The village simulator over real HTTP: the summary v1 route, the server, and every fault
mode on both routes (summary v1 and OpenSID's internal_api)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from collectors.adapters.summary_v1 import parse_statistic
from collectors.model import Counts, PayloadError
from config.registry import Village, load_registry
from simulator.faults import FAULT_MODES
from simulator.synthetic import document_bytes, find_statistic, village_document
from simulator.villages import Simulator

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "/api/village-summary/v1"
FIELDS = ("total", "laki", "perempuan")
EMPTY_500 = (500, b"", "text/html; charset=UTF-8")


@pytest.fixture(scope="module")
def villages() -> list[Village]:
    return load_registry(ROOT / "config" / "villages-17.03.csv")


@pytest.fixture(scope="module")
def docs(villages: list[Village]) -> dict[str, dict]:
    return {v.kode_digits: village_document(v) for v in villages[:40]}


@pytest.fixture(scope="module")
def sim(villages: list[Village]):
    with Simulator(villages, port=0) as simulator:
        yield simulator


@pytest.fixture()
def http():
    with requests.Session() as session:
        yield session


def summary_url(sim: Simulator, kode: str) -> str:
    return f"{sim.url}/{kode}{SUMMARY}"


def statistik_url(sim: Simulator, kode: str, key: str) -> str:
    return f"{sim.url}/{kode}/internal_api/statistik/{key}"


def rows_add_up(items: list[dict]) -> bool:
    """internal_api: the categories plus 777 make 888, for total, men and women."""
    summary = {i["id"]: i["attributes"] for i in items[-3:]}
    return all(
        sum(int(i["attributes"][f]) for i in items[:-3]) + int(summary["777"][f])
        == int(summary["888"][f])
        for f in ("jumlah", "laki", "perempuan")
    )


def _strip_unknown(value: object) -> object:
    if isinstance(value, list):
        return [_strip_unknown(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_unknown(v) for k, v in value.items() if not k.startswith("x_")}
    return value


def _every_object_has_unknown_fields(value: object) -> bool:
    if isinstance(value, list):
        return all(_every_object_has_unknown_fields(v) for v in value)
    if isinstance(value, dict):
        own = "x_catatan" in value and "x_meta" in value
        return own and all(
            _every_object_has_unknown_fields(v) for k, v in value.items() if not k.startswith("x_")
        )
    return True


def _agama_adds_up(entry: dict) -> bool:
    return all(
        sum(r[f] for r in entry["rows"]) + entry["belum_mengisi"][f] == entry["total"][f]
        for f in FIELDS
    )


# ------------------------------------------------------------------ the package


def test_collectors_never_import_the_simulator():
    for path in (ROOT / "collectors").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n == "simulator" or n.startswith("simulator.") for n in names), path


def test_python_dash_m_simulator_serves(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "simulator", "--help"], cwd=ROOT, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0 and "--fault-rate" in proc.stdout


# ------------------------------------------------------------------ summary v1


def test_same_seed_same_bytes_other_seed_differs(villages, http):
    kode = villages[10].kode_digits
    with Simulator(villages, port=0) as a, Simulator(villages, port=0) as b:
        body_a = http.get(summary_url(a, kode), params={"tahun": 2026}).content
        body_b = http.get(summary_url(b, kode), params={"tahun": 2026}).content
        stat_a = http.get(statistik_url(a, kode, "1")).content
        assert stat_a == http.get(statistik_url(b, kode, "1")).content
    assert body_a == body_b
    with Simulator(villages, port=0, seed=1) as c:
        assert http.get(summary_url(c, kode), params={"tahun": 2026}).content != body_a
        assert http.get(statistik_url(c, kode, "1")).content != stat_a
    assert document_bytes(village_document(villages[10])) == body_a


def test_summary_document_and_etag(sim, villages, docs, http):
    kode = villages[0].kode_digits
    r = http.get(summary_url(sim, kode), params={"tahun": 2026})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == docs[kode]
    etag = r.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = http.get(
        summary_url(sim, kode), params={"tahun": 2026}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    stale = http.get(summary_url(sim, kode), headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag
    other_year = http.get(summary_url(sim, kode), params={"tahun": 2025})
    assert other_year.headers["ETag"] != etag
    assert http.get(summary_url(sim, kode), params={"tahun": "abc"}).status_code == 400


def test_internal_api_shows_the_village_today_whatever_the_year(sim, villages, http):
    kode = villages[2].kode_digits
    now = http.get(statistik_url(sim, kode, "4")).json()
    assert http.get(statistik_url(sim, kode, "4"), params={"tahun": 2030}).json() == now
    penduduk = sim.document(kode)[0]["totals"]["penduduk"]["total"]
    assert now["data"][-1]["attributes"]["jumlah"] == penduduk
    with Simulator(villages[:3], port=0, tahun=2028) as later:  # the village as it is then
        grown = http.get(statistik_url(later, kode, "4")).json()["data"][-1]["attributes"]
        assert grown["jumlah"] == later.document(kode)[0]["totals"]["penduduk"]["total"]
        assert grown["jumlah"] != penduduk


def test_bantuan_in_summary_v1_carries_the_distinct_recipients(docs):
    overlapping = 0
    for d in docs.values():
        for slug in ("bantuan-penduduk", "bantuan-keluarga"):
            entry = find_statistic(d, slug)
            stat = parse_statistic(d, slug)  # the summary v1 adapter reads jumlah
            j = entry["jumlah"]
            assert stat.jumlah == Counts(j["total"], j["laki"], j["perempuan"])
            overlapping += j["total"] < sum(r["total"] for r in entry["rows"])
    assert overlapping > 20
    d = json.loads(json.dumps(next(iter(docs.values()))))
    del find_statistic(d, "bantuan-keluarga")["jumlah"]
    with pytest.raises(PayloadError, match="no JUMLAH"):
        parse_statistic(d, "bantuan-keluarga")


def test_unknown_village_or_path(sim, villages, http):
    kode = villages[0].kode_digits
    for path in ("/9999999999" + SUMMARY, "/", f"/{kode}/api/nothing"):
        r = http.get(sim.url + path)
        assert r.status_code == 404 and "error" in r.json(), path
    page = http.get(f"{sim.url}/{kode}")  # the village's own site: OpenSID's 404 page
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert "404 Page Not Found" in page.text


def test_bearer_token(villages, http):
    base = villages[0]
    secured = Village(
        base.kode_desa, base.nama_desa, base.kode_kecamatan, base.nama_kecamatan,
        "summary-v1", base.base_url, token_spec="secret",
    )  # fmt: skip
    with Simulator([secured], port=0) as sim:
        url = summary_url(sim, secured.kode_digits)
        missing = http.get(url)
        assert missing.status_code == 401 and "error" in missing.json()
        assert http.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = http.get(url, headers={"Authorization": "Bearer secret"})
        assert ok.status_code == 200 and ok.json()["village"]["kode_desa"] == secured.kode_desa
        # internal_api is public on real sites
        assert http.get(statistik_url(sim, secured.kode_digits, "3")).status_code == 200


# ------------------------------------------------------------------ faults on both routes


def test_faults(villages, docs, http):
    codes = [v.kode_digits for v in villages[:7]]
    faults = dict(zip(codes, ("500", "bad-json", "wrong-code", "negative", "401"), strict=False))
    with Simulator(villages, port=0, faults=faults) as sim, Simulator(villages, port=0) as clean:
        r = http.get(summary_url(sim, codes[0]))
        assert r.status_code == 500 and "error" in r.json()
        r = http.get(statistik_url(sim, codes[0], "3"))  # what OpenSID sends when PHP fails
        assert (r.status_code, r.content, r.headers["Content-Type"]) == EMPTY_500

        for url in (summary_url(sim, codes[1]), statistik_url(sim, codes[1], "3"),
                    f"{sim.url}/{codes[1]}/internal_api/pembangunan"):  # fmt: skip
            r = http.get(url)
            assert r.status_code == 200
            with pytest.raises(ValueError):
                r.json()

        doc = http.get(summary_url(sim, codes[2])).json()
        assert doc["village"]["kode_desa"] != villages[2].kode_desa
        assert doc["village"]["kode_desa"] in {v.kode_desa for v in villages}
        for path in ("statistik/3", "wilayah/administratif"):  # nothing names the village there
            url = f"/{codes[2]}/internal_api/{path}"
            assert (
                http.get(sim.url + url).json()["data"] == http.get(clean.url + url).json()["data"]
            )

        doc = http.get(summary_url(sim, codes[3])).json()
        counts = [r[f] for s in doc["statistics"] for r in s["rows"] for f in FIELDS]
        assert sum(c < 0 for c in counts) == 1
        item = http.get(statistik_url(sim, codes[3], "3")).json()["data"][0]
        assert item["attributes"]["jumlah"] < 0
        project = http.get(f"{sim.url}/{codes[3]}/internal_api/pembangunan").json()["data"][0]
        assert project["attributes"]["anggaran"] < 0

        assert http.get(summary_url(sim, codes[4])).status_code == 401
        assert http.get(statistik_url(sim, codes[4], "3")).status_code == 401

        healthy = http.get(summary_url(sim, codes[5]))
        assert healthy.status_code == 200 and healthy.json() == docs[codes[5]]


def test_timeout_fault_holds_until_client_gives_up(villages, http):
    kode = villages[0].kode_digits
    with Simulator(villages, port=0, faults={kode: "timeout"}) as sim:
        for url in (summary_url(sim, kode), statistik_url(sim, kode, "4")):
            start = time.perf_counter()
            with pytest.raises(requests.exceptions.ReadTimeout):
                http.get(url, timeout=(2, 0.3))
            assert time.perf_counter() - start < 2
        assert http.get(summary_url(sim, villages[1].kode_digits)).status_code == 200


def test_stop_releases_held_requests(villages):
    kode = villages[0].kode_digits
    sim = Simulator(villages, port=0, faults={kode: "timeout"}).start()
    outcome: list[object] = []

    def hang() -> None:
        try:
            outcome.append(requests.get(summary_url(sim, kode), timeout=30).status_code)
        except requests.RequestException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=hang)
    worker.start()
    time.sleep(0.2)
    start = time.perf_counter()
    sim.stop()
    worker.join(timeout=5)
    assert time.perf_counter() - start < 3
    assert not worker.is_alive()
    assert outcome and isinstance(outcome[0], requests.RequestException)


def test_set_fault_at_runtime(sim, villages, http):
    kode = villages[5].kode_digits
    assert http.get(summary_url(sim, kode)).status_code == 200
    sim.set_fault(kode, "500")
    try:
        assert sim.faults == {kode: "500"}
        assert http.get(summary_url(sim, kode)).status_code == 500
        sim.set_fault(villages[5].kode_desa, "401")  # dotted spelling works too
        assert http.get(summary_url(sim, kode)).status_code == 401
    finally:
        sim.set_fault(kode, None)
    assert http.get(summary_url(sim, kode)).status_code == 200
    with pytest.raises(ValueError):
        sim.set_fault(kode, "explode")
    for gone in ("nested-shape", "old-ids", "total-keseluruhan"):  # invented, then removed
        with pytest.raises(ValueError):
            sim.set_fault(kode, gone)


def test_fail_rate_one_gives_503(villages, http):
    with Simulator(villages, port=0, fail_rate=1.0) as sim:
        for v in villages[:3]:
            assert http.get(summary_url(sim, v.kode_digits)).status_code == 503
            assert http.get(statistik_url(sim, v.kode_digits, "4")).status_code == 503


def test_fail_rate_is_partial_and_seeded(villages):
    def statuses() -> list[int]:
        with Simulator(villages, port=0, fail_rate=0.3, seed=7) as sim, requests.Session() as s:
            return [s.get(summary_url(sim, villages[0].kode_digits)).status_code for _ in range(40)]

    first = statuses()
    assert 0 < first.count(503) < 40 and set(first) == {200, 503}
    assert statuses() == first  # one client, in order: the seeded RNG repeats


def test_429_burst_then_serves(villages, http):
    kode, other = villages[0].kode_digits, villages[1].kode_digits
    with Simulator(villages[:3], port=0, faults={kode: "429"}, burst_429=2) as sim:
        for _ in range(2):
            r = http.get(summary_url(sim, kode))
            assert r.status_code == 429 and r.headers["Retry-After"] == "1"
            assert "error" in r.json()
        assert http.get(summary_url(sim, kode)).status_code == 200
        assert http.get(statistik_url(sim, kode, "3")).status_code == 200
        assert http.get(summary_url(sim, other)).status_code == 200
        sim.set_fault(kode, "429")  # setting it again starts a new burst
        assert http.get(statistik_url(sim, kode, "3")).status_code == 429


def test_slow_fault_delays_one_village(villages, http):
    kode, other = villages[0].kode_digits, villages[1].kode_digits
    with Simulator(villages[:2], port=0, faults={kode: "slow"}, slow_ms=400) as sim:
        for url in (summary_url(sim, kode), statistik_url(sim, kode, "3")):
            start = time.perf_counter()
            assert http.get(url).status_code == 200
            assert time.perf_counter() - start >= 0.4
        start = time.perf_counter()
        assert http.get(summary_url(sim, other)).status_code == 200
        assert time.perf_counter() - start < 0.3


def test_drip_outlasts_the_read_timeout_but_no_single_gap_does(villages, docs, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "drip"}, drip_seconds=1.0,
                   drip_gap=0.1) as sim:  # fmt: skip
        start = time.perf_counter()
        r = http.get(summary_url(sim, kode), timeout=(2, 0.5))  # per-read timeout 0.5 s
        elapsed = time.perf_counter() - start
        assert r.status_code == 200 and r.json() == docs[kode]
        assert elapsed >= 0.9  # longer than the read timeout in all: only a deadline catches it
        start = time.perf_counter()
        items = http.get(statistik_url(sim, kode, "3"), timeout=(2, 0.5)).json()["data"]
        assert items[-1]["id"] == "888" and time.perf_counter() - start >= 0.9


def test_sum_mismatch_breaks_agama_only(villages, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "sum-mismatch"}) as sim:
        doc = http.get(summary_url(sim, kode)).json()
        assert not _agama_adds_up(find_statistic(doc, "agama"))
        assert all(_agama_adds_up(s) for s in doc["statistics"]
                   if s["slug"] != "agama" and "jumlah" not in s)  # fmt: skip
        for row in find_statistic(doc, "agama")["rows"]:
            assert row["total"] == row["laki"] + row["perempuan"]
        assert not rows_add_up(http.get(statistik_url(sim, kode, "3")).json()["data"])
        for key in ("0", "1", "4"):
            assert rows_add_up(http.get(statistik_url(sim, kode, key)).json()["data"]), key


def test_unknown_fields_everywhere_but_valid(villages, docs, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "unknown-fields"}) as sim:
        r = http.get(summary_url(sim, kode))
        doc = r.json()
        assert _every_object_has_unknown_fields(doc)
        assert _strip_unknown(doc) == docs[kode]
        again = http.get(summary_url(sim, kode), headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304
        with Simulator(villages[:1], port=0) as clean:
            for path in ("internal_api/statistik/3", "internal_api/pembangunan",
                         "internal_api/peserta_bantuan/bantuan_keluarga",
                         "internal_api/wilayah/administratif"):  # fmt: skip
                odd = http.get(f"{sim.url}/{kode}/{path}").json()
                assert _every_object_has_unknown_fields(odd), path
                normal = http.get(f"{clean.url}/{kode}/{path}").json()
                odd.pop("links", None)  # absolute URLs: the ports differ
                normal.pop("links", None)
                assert _strip_unknown(odd) == normal, path


def test_schema_and_unknown_code(villages, docs, http):
    a, b = villages[0].kode_digits, villages[1].kode_digits
    with Simulator(villages[:2], port=0, faults={a: "schema", b: "unknown-code"}) as sim:
        doc = http.get(summary_url(sim, a)).json()
        assert doc["schema_version"] == "9"
        assert {k: v for k, v in doc.items() if k != "schema_version"} == {
            k: v for k, v in docs[a].items() if k != "schema_version"
        }
        with Simulator(villages[:2], port=0) as clean:  # internal_api has no schema version
            assert (
                http.get(statistik_url(sim, a, "3")).content
                == http.get(statistik_url(clean, a, "3")).content
            )
        doc = http.get(summary_url(sim, b)).json()
        agama = find_statistic(doc, "agama")
        odd = [r for r in agama["rows"] if r["code"] == "99"]
        assert odd and odd[0]["label"] == "LAINNYA (BARU)" and odd[0]["total"] > 0
        assert _agama_adds_up(agama) and agama["total"] == docs[b]["totals"]["penduduk"]
        items = http.get(statistik_url(sim, b, "3")).json()["data"]
        assert "99" in [i["id"] for i in items[:-3]] and rows_add_up(items)


def test_string_counts_is_not_opensid(villages, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "string-counts"}) as sim:
        items = http.get(statistik_url(sim, kode, "3")).json()["data"]
        assert all(isinstance(i["attributes"]["jumlah"], str) for i in items)
        assert rows_add_up(items)
        doc = http.get(summary_url(sim, kode)).json()  # summary v1 unaffected
        assert isinstance(find_statistic(doc, "agama")["total"]["total"], int)


def test_too_large_is_streamed(villages, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "too-large"}) as sim:
        with http.get(summary_url(sim, kode), stream=True, timeout=10) as r:
            assert r.status_code == 200
            length = int(r.headers["Content-Length"])
            assert length > 25 * 1024 * 1024
            received, first = 0, b""
            for chunk in r.iter_content(1024 * 1024):
                first = first or chunk[:40]
                received += len(chunk)
            assert received == length and first.startswith(b'{"data":[]')
        # a client that gives up early does not harm the server
        with http.get(statistik_url(sim, kode, "3"), stream=True) as r:
            next(r.iter_content(1024))
        assert http.get(statistik_url(sim, kode, "3"), stream=True).status_code == 200


def test_fault_rate_assigns_a_seeded_share(villages):
    modes = ("500", "401", "schema")
    sim = Simulator(villages, port=0, fault_rate=0.05, fault_seed=3, fault_modes=modes)
    assigned = sim.assigned_faults()
    assert len(assigned) == round(0.05 * len(villages)) == 11
    assert set(assigned.values()) <= set(modes) and len(set(assigned.values())) > 1
    same = Simulator(villages, port=0, fault_rate=0.05, fault_seed=3, fault_modes=modes)
    assert same.assigned_faults() == assigned
    other = Simulator(villages, port=0, fault_rate=0.05, fault_seed=4, fault_modes=modes)
    assert other.assigned_faults() != assigned
    everything = Simulator(villages, port=0, fault_rate=0.5, seed=9).assigned_faults()
    assert set(everything.values()) <= set(FAULT_MODES) and len(set(everything.values())) > 8
    assert Simulator(villages, port=0, fault_rate=0.05, seed=9).assigned_faults() == (
        Simulator(villages, port=0, fault_rate=0.05, fault_seed=9).assigned_faults()
    )
    kode = next(iter(assigned))
    sim.set_fault(kode, None)
    assert kode not in sim.assigned_faults()
    explicit = Simulator(villages, port=0, fault_rate=0.05, fault_seed=3, fault_modes=modes,
                         faults={kode: "slow"})  # fmt: skip
    assert explicit.assigned_faults()[kode] == "slow"
    with pytest.raises(ValueError):
        Simulator(villages, port=0, fault_rate=0.05, fault_modes=("explode",))


def test_five_percent_sweep_fails_exactly_the_assigned(villages):
    modes = ("500", "401", "bad-json", "schema")
    with Simulator(villages, port=0, fault_rate=0.05, fault_seed=11, fault_modes=modes) as sim:
        assigned = sim.assigned_faults()
        local = threading.local()

        def fetch(v: Village) -> tuple[str, int, bool]:
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
            r = session.get(summary_url(sim, v.kode_digits), timeout=10)
            try:
                ok = r.json().get("schema_version") == "1"
            except ValueError:
                ok = False
            return v.kode_digits, r.status_code, ok

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(fetch, villages))
    failed = {kode for kode, status, ok in results if status != 200 or not ok}
    assert failed == set(assigned)


# ------------------------------------------------------------------ server behaviour


def test_concurrent_keep_alive_clients_and_request_count(sim, villages):
    before = sim.request_count
    local = threading.local()

    def fetch(v: Village) -> tuple[int, int]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        r = session.get(summary_url(sim, v.kode_digits), timeout=10)
        return r.status_code, len(r.content)

    with ThreadPoolExecutor(max_workers=48) as pool:
        results = list(pool.map(fetch, villages))
    assert all(status == 200 and size > 1000 for status, size in results)
    assert sim.request_count - before == len(villages)


def test_latency_is_applied(villages, http):
    with Simulator(villages[:1], port=0, latency_ms=150) as sim:
        start = time.perf_counter()
        assert http.get(summary_url(sim, villages[0].kode_digits)).status_code == 200
        assert time.perf_counter() - start >= 0.15


def test_serve_forever_takes_fault_rate():
    import inspect

    from simulator.villages import serve_forever

    params = inspect.signature(serve_forever).parameters
    assert {"fault_rate", "fail_rate", "latency_ms", "seed", "port", "faults"} <= set(params)
