"""The built-in village simulator: synthetic data rules and real HTTP behaviour."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from collectors.simulator import FAULT_MODES, Simulator, persen
from collectors.synthetic import (
    KABUPATEN_PENDUDUK,
    age_brackets,
    document_bytes,
    find_statistic,
    has_edited_brackets,
    sends_string_counts,
    village_document,
)
from config.registry import Village, load_registry
from config.statistik import BY_KEY, RENTANG_UMUR_DEFAULT, STATISTICS

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "/api/village-summary/v1"
FIELDS = ("total", "laki", "perempuan")
PERSEN = re.compile(r"^\d{1,3},\d{2}%$")


@pytest.fixture(scope="module")
def villages() -> list[Village]:
    return load_registry(ROOT / "config" / "villages-17.03.csv")


@pytest.fixture(scope="module")
def docs(villages: list[Village]) -> dict[str, dict]:
    return {v.kode_digits: village_document(v) for v in villages}


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


# ------------------------------------------------------------------ synthetic data


def test_same_seed_same_bytes_other_seed_differs(villages, http):
    kode = villages[10].kode_digits
    with Simulator(villages, port=0) as a, Simulator(villages, port=0) as b:
        body_a = http.get(summary_url(a, kode), params={"tahun": 2026}).content
        body_b = http.get(summary_url(b, kode), params={"tahun": 2026}).content
    assert body_a == body_b
    with Simulator(villages, port=0, seed=1) as c:
        assert http.get(summary_url(c, kode), params={"tahun": 2026}).content != body_a
    assert document_bytes(village_document(villages[10])) == body_a


def test_other_year_differs_but_traits_stay(villages):
    v = villages[3]
    now, later = village_document(v, tahun=2026), village_document(v, tahun=2027)
    assert now != later
    assert later["totals"]["penduduk"]["total"] > now["totals"]["penduduk"]["total"] * 0.98
    assert later["source"]["version"] == now["source"]["version"]


def test_calibrated_to_bengkulu_utara(docs):
    penduduk = [d["totals"]["penduduk"] for d in docs.values()]
    total = sum(p["total"] for p in penduduk)
    laki = sum(p["laki"] for p in penduduk)
    perempuan = sum(p["perempuan"] for p in penduduk)
    assert len(docs) == 220
    assert abs(total - KABUPATEN_PENDUDUK) <= 0.1 * KABUPATEN_PENDUDUK
    assert 100 <= 100 * laki / perempuan <= 108
    sizes = sorted(p["total"] for p in penduduk)
    assert sizes[0] < 600 and sizes[-1] > 3000  # a few hundred to several thousand
    for d in docs.values():
        t = d["totals"]
        assert 3.2 <= t["penduduk"]["total"] / t["keluarga"] <= 3.9
        assert t["rumah_tangga"] < t["keluarga"]


def test_kelurahan_are_larger_and_named(docs):
    kel = [d for d in docs.values() if d["village"]["sebutan_desa"] == "kelurahan"]
    desa = [d for d in docs.values() if d["village"]["sebutan_desa"] == "desa"]
    assert len(kel) == 5 and len(desa) == 215
    assert all(d["village"]["kode_desa"][-4] == "1" for d in kel)
    mean = lambda ds: sum(d["totals"]["penduduk"]["total"] for d in ds) / len(ds)  # noqa: E731
    assert mean(kel) > mean(desa)


def test_every_statistic_adds_up(docs):
    for kode, d in docs.items():
        penduduk = d["totals"]["penduduk"]
        assert penduduk["total"] == penduduk["laki"] + penduduk["perempuan"]
        assert [s["key"] for s in d["statistics"]] == [s.key for s in STATISTICS]
        for entry in d["statistics"]:
            where = f"{kode} {entry['slug']}"
            stat = BY_KEY[entry["key"]]
            assert entry["slug"] == stat.slug, where
            for counts in [*entry["rows"], entry["belum_mengisi"], entry["total"]]:
                assert counts["total"] == counts["laki"] + counts["perempuan"], where
                assert min(counts[f] for f in FIELDS) >= 0, where
            for f in FIELDS:
                rows = sum(r[f] for r in entry["rows"])
                assert rows + entry["belum_mengisi"][f] == entry["total"][f], where
            if stat.unit == "penduduk":
                assert entry["total"] == penduduk, where
            elif stat.unit == "keluarga":
                assert entry["total"]["total"] == d["totals"]["keluarga"], where
            else:
                assert entry["total"]["total"] == d["totals"]["rumah_tangga"], where
                assert entry["total"]["laki"] > entry["total"]["perempuan"], where
            if stat.slug not in ("rentang-umur",):  # edited brackets have their own codes
                assert [r["code"] for r in entry["rows"]] == [c for c, _ in stat.codes], where


def test_jenis_kelamin_rows(docs):
    for d in docs.values():
        entry = find_statistic(d, "jenis-kelamin")
        laki, perempuan = entry["rows"]
        assert (laki["code"], laki["label"]) == ("1", "LAKI-LAKI")
        assert laki["laki"] == laki["total"] and laki["perempuan"] == 0
        assert perempuan["perempuan"] == perempuan["total"] and perempuan["laki"] == 0
        assert entry["belum_mengisi"]["total"] == 0


def test_age_statistics_agree_with_totals(docs):
    for d in docs.values():
        penduduk = d["totals"]["penduduk"]
        for slug in ("rentang-umur", "kategori-umur"):
            entry = find_statistic(d, slug)
            assert entry["belum_mengisi"]["total"] == 0
            for f in FIELDS:
                assert sum(r[f] for r in entry["rows"]) == penduduk[f]
        rentang = find_statistic(d, "rentang-umur")["rows"]
        assert rentang[0]["dari"] == 0 and rentang[-1]["sampai"] is None
        for prev, row in zip(rentang, rentang[1:], strict=False):
            assert row["dari"] == prev["sampai"] + 1  # contiguous brackets
        kategori = find_statistic(d, "kategori-umur")["rows"]
        balita = kategori[0]["total"]
        under_5 = sum(r["total"] for r in rentang if r["sampai"] is not None and r["sampai"] <= 4)
        assert balita >= under_5  # BALITA is 0-5, so at least everyone below 5


def test_young_population_and_plausible_mixes(docs):
    def share(slug: str, code: str, f: str = "total") -> float:
        num = sum(
            next(r[f] for r in find_statistic(d, slug)["rows"] if r["code"] == code)
            for d in docs.values()
        )
        return num / sum(find_statistic(d, slug)["total"][f] for d in docs.values())

    assert share("kategori-umur", "1") > 0.08  # BALITA
    assert share("agama", "1") > 0.9  # ISLAM
    assert 0.001 < share("agama", "2") < 0.05
    assert share("golongan-darah", "13") > 0.6  # TIDAK TAHU
    assert share("penyandang-cacat", "7") > 0.95
    assert share("pekerjaan", "2", "perempuan") > 0.2  # MENGURUS RUMAH TANGGA
    assert share("pekerjaan", "2", "laki") < 0.01
    assert share("pekerjaan", "9") > 0.15  # PETANI/PEKEBUN
    assert share("status-perkawinan", "2") > 0.4  # KAWIN
    belum = [find_statistic(d, "agama")["belum_mengisi"]["total"] for d in docs.values()]
    assert any(belum) and not all(belum)


def test_some_villages_edit_their_age_brackets(villages, docs):
    default_codes = [str(i) for i in range(1, len(RENTANG_UMUR_DEFAULT) + 1)]
    edited = []
    for v in villages:
        rows = find_statistic(docs[v.kode_digits], "rentang-umur")["rows"]
        codes = [r["code"] for r in rows]
        assert has_edited_brackets(v.kode_digits) == (codes != default_codes)
        assert [b.label for b in age_brackets(v.kode_desa)] == [r["label"] for r in rows]
        if codes != default_codes:
            edited.append(v)
    assert 0.04 * len(villages) <= len(edited) <= 0.2 * len(villages)
    labels = {tuple(r["label"] for r in find_statistic(docs[v.kode_digits], "13")["rows"])
              for v in edited}  # fmt: skip
    assert len(labels) >= 2


def test_budget_parents_are_sums_of_children(docs):
    for d in docs.values():
        rows = {r["kode"]: r for r in d["apbdes"]}
        if d["village"]["sebutan_desa"] == "kelurahan":
            assert rows == {}
            continue
        for kode, row in rows.items():
            children = [r for k, r in rows.items() if k.rsplit(".", 1)[0] == kode and k != kode]
            if children:
                for f in ("anggaran", "realisasi"):
                    assert row[f] == sum(c[f] for c in children), kode
            assert 0 <= row["realisasi"] <= row["anggaran"]
        assert rows["4.2.1"]["uraian"] == "Dana Desa"
        assert d["pembangunan"] and all(p["progres"] in (0, 30, 80, 100) for p in d["pembangunan"])
        assert d["bantuan"]


# ------------------------------------------------------------------ HTTP: summary v1


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


def test_unknown_village_or_path_is_404(sim, villages, http):
    kode = villages[0].kode_digits
    for path in ("/9999999999" + SUMMARY, f"/{kode}/api/nothing", "/", f"/{kode}"):
        r = http.get(sim.url + path)
        assert r.status_code == 404 and "error" in r.json(), path
    assert http.get(statistik_url(sim, kode, "no-such-key")).status_code == 404


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


# ------------------------------------------------------------------ HTTP: internal_api


def _num(value: int | str) -> int:
    return int(value)


def test_opensid_shape_matches_summary(sim, villages, docs, http):
    kinds = set()
    for v in villages[:12]:
        for stat in STATISTICS:
            r = http.get(statistik_url(sim, v.kode_digits, stat.key), params={"tahun": 2026})
            assert r.status_code == 200
            data = r.json()["data"]
            entry = find_statistic(docs[v.kode_digits], stat.key)
            ids = [item["id"] for item in data]
            assert ids[-3:] == ["666", "777", "888"]
            rows, (jumlah, belum, total) = data[:-3], data[-3:]
            assert [i["attributes"]["nama"] for i in (jumlah, belum, total)] == [
                "JUMLAH", "BELUM MENGISI", "TOTAL"
            ]  # fmt: skip
            assert len(rows) == len(entry["rows"])
            for no, (item, row) in enumerate(zip(rows, entry["rows"], strict=True), 1):
                a = item["attributes"]
                assert item["type"] == "statistik" and item["id"] == row["code"]
                assert a["no"] == no and a["nama"] == row["label"]
                assert (_num(a["jumlah"]), _num(a["laki"]), _num(a["perempuan"])) == (
                    row["total"], row["laki"], row["perempuan"]
                )  # fmt: skip
                assert all(PERSEN.match(a[k]) for k in ("persen", "persen1", "persen2"))
                assert a["persen"] == persen(row["total"], entry["total"]["total"])
                kinds.add(type(a["jumlah"]))
                assert isinstance(a["jumlah"], str) == sends_string_counts(v.kode_digits)
            assert _num(jumlah["attributes"]["jumlah"]) == sum(r["total"] for r in entry["rows"])
            assert _num(belum["attributes"]["laki"]) == entry["belum_mengisi"]["laki"]
            assert _num(total["attributes"]["perempuan"]) == entry["total"]["perempuan"]
    assert kinds == {int, str}


def test_string_counts_for_about_a_third(villages):
    share = sum(sends_string_counts(v.kode_digits) for v in villages) / len(villages)
    assert 0.2 < share < 0.45


def test_percent_strings_use_decimal_comma():
    assert persen(812, 837) == "97,01%"
    assert persen(401, 837) == "47,91%"
    assert persen(0, 0) == "0,00%"


# ------------------------------------------------------------------ faults


def test_faults(villages, http):
    codes = [v.kode_digits for v in villages[:7]]
    faults = dict(zip(codes, ("500", "bad-json", "wrong-code", "negative", "401"), strict=False))
    with Simulator(villages, port=0, faults=faults) as sim:
        r = http.get(summary_url(sim, codes[0]))
        assert r.status_code == 500
        assert http.get(statistik_url(sim, codes[0], "3")).status_code == 500

        r = http.get(summary_url(sim, codes[1]))
        assert r.status_code == 200
        with pytest.raises(ValueError):
            r.json()
        with pytest.raises(ValueError):
            http.get(statistik_url(sim, codes[1], "3")).json()

        doc = http.get(summary_url(sim, codes[2])).json()
        assert doc["village"]["kode_desa"] != villages[2].kode_desa
        assert doc["village"]["kode_desa"] in {v.kode_desa for v in villages}
        assert http.get(statistik_url(sim, codes[2], "3")).status_code == 200

        doc = http.get(summary_url(sim, codes[3])).json()
        counts = [r[f] for s in doc["statistics"] for r in s["rows"] for f in FIELDS]
        assert sum(c < 0 for c in counts) == 1
        item = http.get(statistik_url(sim, codes[3], "3")).json()["data"][0]
        assert int(item["attributes"]["jumlah"]) < 0

        assert http.get(summary_url(sim, codes[4])).status_code == 401

        healthy = http.get(summary_url(sim, codes[5]))
        assert healthy.status_code == 200 and healthy.json()["village"]["kode_desa"]


def test_timeout_fault_holds_until_client_gives_up(villages, http):
    kode = villages[0].kode_digits
    with Simulator(villages, port=0, faults={kode: "timeout"}) as sim:
        start = time.perf_counter()
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.get(summary_url(sim, kode), timeout=(2, 0.3))
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
    assert set(FAULT_MODES) == {"timeout", "500", "bad-json", "wrong-code", "negative", "401"}


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
