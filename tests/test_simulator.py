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
    source_version,
    total_label,
    uses_nested_shape,
    uses_old_statistik_ids,
    village_document,
)
from config.registry import Village, load_registry
from config.statistik import BY_KEY, OLD_IDS, RENTANG_UMUR_DEFAULT, STATISTICS

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "/api/village-summary/v1"
FIELDS = ("total", "laki", "perempuan")
# statistics whose rows are the village's own (edited age brackets, its aid programmes)
DYNAMIC_ROWS = ("rentang-umur", "bantuan-penduduk", "bantuan-keluarga")
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
            elif stat.unit == "rumah_tangga":
                assert entry["total"]["total"] == d["totals"]["rumah_tangga"], where
                assert entry["total"]["laki"] > entry["total"]["perempuan"], where
            else:  # a part of the residents (wajib KTP, couples of fertile age)
                assert 0 < entry["total"]["total"] < penduduk["total"], where
            if stat.slug not in DYNAMIC_ROWS:
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


def opensid_id(kode: str, key: str) -> str:
    """The id under which a village's internal_api serves a catalogue statistic."""
    return OLD_IDS.get(key, key) if uses_old_statistik_ids(kode) else key


def flat_items(payload: dict) -> list[dict]:
    """internal_api items in the flat shape, whichever shape the village answered in."""
    data = payload["data"]
    if len(data) == 1 and isinstance(data[0]["attributes"].get("data"), list):
        return data[0]["attributes"]["data"]
    return data


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
                "JUMLAH", "BELUM MENGISI", total_label(v.kode_digits)
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
    assert set(FAULT_MODES) >= {"timeout", "500", "bad-json", "wrong-code", "negative", "401"}


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


# ------------------------------------------------------------------ every statistic


def _row(entry: dict, word: str) -> dict:
    return next(r for r in entry["rows"] if word in r["label"].upper())


def test_new_statistics_are_plausible(docs):
    if "hubungan-kk" not in {s.slug for s in STATISTICS}:
        pytest.skip("the catalogue has no hubungan-kk yet")
    kepala = istri = ktp = ktp_total = sakit = penduduk = 0
    for d in docs.values():
        keluarga = d["totals"]["keluarga"]
        kelas = find_statistic(d, "kelas-sosial")["total"]
        head = _row(find_statistic(d, "hubungan-kk"), "KEPALA")
        assert head["total"] == keluarga  # one head per family
        assert (head["laki"], head["perempuan"]) == (kelas["laki"], kelas["perempuan"])
        kepala += head["total"]
        istri += _row(find_statistic(d, "hubungan-kk"), "ISTRI")["total"]
        entry = find_statistic(d, "kepemilikan-ktp")
        ktp_total += entry["total"]["total"]
        ktp += sum(r["total"] for r in entry["rows"] if not r["label"].startswith("BELUM"))
        sakit += _row(find_statistic(d, "penyakit-menahun"), "TIDAK")["total"]
        penduduk += d["totals"]["penduduk"]["total"]
        kb = find_statistic(d, "akseptor-kb")
        assert kb["total"]["perempuan"] > 10 * kb["total"]["laki"]  # per couple: mostly women
    assert 0.6 < istri / kepala < 0.95
    assert 0.6 < ktp_total / penduduk < 0.75 and ktp / ktp_total > 0.8
    assert sakit / penduduk > 0.9


def test_aid_statistics_follow_the_programmes(docs):
    for d in docs.values():
        programmes = {p["program_id"]: p for p in d["bantuan"]}
        for slug, sasaran, whole in (
            ("bantuan-penduduk", 1, d["totals"]["penduduk"]["total"]),
            ("bantuan-keluarga", 2, d["totals"]["keluarga"]),
        ):
            entry = find_statistic(d, slug)
            if entry is None:
                continue
            assert entry["total"]["total"] == whole
            expected = sorted(k for k, p in programmes.items() if p["sasaran"] == sasaran)
            assert [r["code"] for r in entry["rows"]] == expected
            for row in entry["rows"]:
                assert row["total"] == programmes[row["code"]]["peserta"], slug
                assert row["label"] == programmes[row["code"]]["nama"]


def test_any_catalogue_statistic_gets_consistent_data(villages, monkeypatch):
    import collectors.synthetic as synthetic
    from config.statistik import StatDef

    extra = (
        StatDef(
            "901",
            "hobi",
            "Hobi",
            "Hobby",
            codes=(("1", "MEMBACA"), ("2", "OLAHRAGA"), ("3", "TIDAK ADA"), ("99", "LAINNYA")),
        ),  # fmt: skip
        StatDef(
            "902",
            "umur-sekolah",
            "Umur",
            "Age",
            codes=(("1", "0 s/d 6 Tahun"), ("2", "7 s/d 18 Tahun"), ("3", "Di atas 18 Tahun")),
        ),  # fmt: skip
        StatDef(
            "903",
            "rumah",
            "Rumah",
            "Housing",
            unit="rumah_tangga",
            codes=(("1", "MILIK SENDIRI"), ("2", "SEWA")),
        ),  # fmt: skip
        StatDef("904", "kosong", "Kosong", "Empty"),
        StatDef("905", "lain", "Lain", "Other unit", unit="lansia", codes=(("1", "YA"),)),
    )
    monkeypatch.setattr(synthetic, "STATISTICS", (*STATISTICS, *extra))
    for v in villages[:30]:
        d = synthetic.village_document(v)
        penduduk = d["totals"]["penduduk"]
        for stat in extra:
            entry = find_statistic(d, stat.slug)
            for f in FIELDS:
                rows = sum(r[f] for r in entry["rows"])
                assert rows + entry["belum_mengisi"][f] == entry["total"][f], stat.slug
            for counts in [*entry["rows"], entry["belum_mengisi"]]:
                assert min(counts[f] for f in FIELDS) >= 0
                assert counts["total"] == counts["laki"] + counts["perempuan"]
            assert [r["code"] for r in entry["rows"]] == [c for c, _ in stat.codes]
        assert find_statistic(d, "hobi")["total"] == penduduk
        assert _row(find_statistic(d, "hobi"), "TIDAK")["total"] > penduduk["total"] / 3
        ages = find_statistic(d, "umur-sekolah")
        assert sum(r["total"] for r in ages["rows"]) == penduduk["total"]
        assert find_statistic(d, "rumah")["total"]["total"] == d["totals"]["rumah_tangga"]
        assert find_statistic(d, "kosong")["belum_mengisi"] == penduduk


# ------------------------------------------------------------------ internal_api versions


def test_village_traits_shares(villages):
    codes = [v.kode_digits for v in villages]
    old = [k for k in codes if uses_old_statistik_ids(k)]
    nested = [k for k in codes if uses_nested_shape(k)]
    keseluruhan = [k for k in codes if total_label(k) == "TOTAL KESELURUHAN"]
    assert 0.02 * len(codes) <= len(old) <= 0.1 * len(codes)
    assert all(source_version(k) < "2501" for k in old)
    assert 0.02 * len(codes) <= len(nested) <= 0.1 * len(codes)
    assert 0.05 * len(codes) <= len(keseluruhan) <= 0.25 * len(codes)


def _items_by_label(payload: dict) -> dict[str, dict]:
    return {i["attributes"]["nama"]: i for i in flat_items(payload)}


def test_old_versions_use_old_statistic_ids(sim, villages, docs, http):
    old = next(v.kode_digits for v in villages if uses_old_statistik_ids(v.kode_digits))
    new = next(v.kode_digits for v in villages if not uses_old_statistik_ids(v.kode_digits))
    doc = docs[old]
    for old_id, slug in (("8", "penyandang-cacat"), ("9", "penyakit-menahun"),
                         ("10", "rentang-umur"), ("11", "pendidikan-sedang-ditempuh"),
                         ("12", "kategori-umur")):  # fmt: skip
        if find_statistic(doc, slug) is None:
            continue
        r = http.get(statistik_url(sim, old, old_id))
        assert r.status_code == 200, old_id
        assert r.headers["X-OpenSID-Version"] == doc["source"]["version"]
        labels = set(_items_by_label(r.json()))
        assert {row["label"] for row in find_statistic(doc, slug)["rows"]} <= labels, old_id
    for new_id in ("13", "14", "15"):
        assert http.get(statistik_url(sim, old, new_id)).status_code == 404
        assert http.get(statistik_url(sim, new, new_id)).status_code == 200
    for gone in ("8", "11", "12"):
        assert http.get(statistik_url(sim, new, gone)).status_code == 404
    # same id, other statistic: "9" is penyandang cacat today, penyakit menahun before 2501
    today = _items_by_label(http.get(statistik_url(sim, new, "9")).json())
    assert "TIDAK CACAT" in today
    assert "TIDAK CACAT" not in _items_by_label(http.get(statistik_url(sim, old, "9")).json())


def test_nested_shape_and_total_keseluruhan(sim, villages, docs, http):
    kode = next(v.kode_digits for v in villages if uses_nested_shape(v.kode_digits))
    payload = http.get(statistik_url(sim, kode, opensid_id(kode, "0"))).json()
    assert len(payload["data"]) == 1
    outer = payload["data"][0]["attributes"]
    assert outer["label"] == BY_KEY["0"].judul
    inner = outer["data"]
    entry = find_statistic(docs[kode], "0")
    assert [i["id"] for i in inner] == [r["code"] for r in entry["rows"]] + ["666", "777", "888"]
    assert int(inner[0]["attributes"]["jumlah"]) == entry["rows"][0]["total"]

    kode = next(v.kode_digits for v in villages if total_label(v.kode_digits) != "TOTAL")
    items = flat_items(http.get(statistik_url(sim, kode, "3")).json())
    assert items[-1]["id"] == "888"
    assert items[-1]["attributes"]["nama"] == "TOTAL KESELURUHAN"
    assert int(items[-1]["attributes"]["jumlah"]) == docs[kode]["totals"]["penduduk"]["total"]


# ------------------------------------------------------------------ internal_api datasets


def test_pembangunan_pages_follow_links(sim, villages, docs, http):
    v = max(villages[:40], key=lambda v: len(docs[v.kode_digits]["pembangunan"]))
    expected = docs[v.kode_digits]["pembangunan"]
    url = f"{sim.url}/{v.kode_digits}/internal_api/pembangunan"
    r = http.get(url, params={"page[number]": 1, "page[size]": 2, "tahun": 2026})
    assert r.status_code == 200
    pagination = r.json()["meta"]["pagination"]
    assert pagination["total"] == len(expected) and pagination["per_page"] == 2
    assert pagination["total_pages"] == -(-len(expected) // 2) >= 2
    seen, pages, payload = [], 0, r.json()
    while True:
        pages += 1
        assert payload["meta"]["pagination"]["current_page"] == pages
        assert payload["meta"]["pagination"]["count"] == len(payload["data"])
        seen += payload["data"]
        if payload["links"]["next"] is None:
            break
        payload = http.get(payload["links"]["next"]).json()
    assert pages == pagination["total_pages"] and payload["links"]["prev"]
    assert len(seen) == len(expected)
    for item, project in zip(seen, expected, strict=True):
        a = item["attributes"]
        assert item["type"] == "pembangunan" and item["id"] == project["id"]
        assert (a["judul"], a["tahun_anggaran"], a["volume"]) == (
            project["judul"], project["tahun_anggaran"], project["volume"]
        )  # fmt: skip
        assert int(a["anggaran"]) == project["anggaran"]
        assert a["persentase"] == f"{project['progres']}%"
        assert a["pelaksana_kegiatan"] == project["pelaksana"]
    whole = http.get(url).json()  # the default page size holds them all
    assert len(whole["data"]) == len(expected) and whole["links"]["next"] is None
    beyond = http.get(url, params={"page[number]": 99}).json()
    assert beyond["data"] == [] and beyond["meta"]["pagination"]["total"] == len(expected)
    assert http.get(url, params={"page[size]": "x"}).status_code == 400


def test_peserta_bantuan_gives_counts_only(sim, villages, docs, http):
    v = next(v for v in villages if docs[v.kode_digits]["village"]["sebutan_desa"] == "desa")
    doc = docs[v.kode_digits]
    base = f"{sim.url}/{v.kode_digits}/internal_api/peserta_bantuan"
    for which, sasaran in (("bantuan_penduduk", 1), ("bantuan_keluarga", 2)):
        payload = http.get(f"{base}/{which}").json()
        expected = [p for p in doc["bantuan"] if p["sasaran"] == sasaran]
        assert payload["meta"]["total"] == len(expected) == len(payload["data"])
        for item, p in zip(payload["data"], expected, strict=True):
            a = item["attributes"]
            assert item["type"] == "program" and item["id"] == p["program_id"]
            assert set(a) == {"nama", "sasaran", "asal_dana", "mulai", "selesai",
                              "jumlah_peserta"}  # fmt: skip
            assert int(a["jumlah_peserta"]) == p["peserta"] and a["sasaran"] == sasaran
    one = doc["bantuan"][0]
    item = http.get(f"{base}/{one['program_id']}").json()["data"]
    assert (
        item["id"] == one["program_id"]
        and int(item["attributes"]["jumlah_peserta"]) == (one["peserta"])
    )
    assert http.get(f"{base}/12345").status_code == 404
    body = http.get(f"{base}/bantuan_keluarga").text.lower()
    assert "nik" not in body and "nama_peserta" not in body


def test_wilayah_administratif_identity_and_version(sim, villages, docs, http):
    for v in villages[:40]:
        doc = docs[v.kode_digits]
        r = http.get(f"{sim.url}/{v.kode_digits}/internal_api/wilayah/administratif")
        assert r.status_code == 200
        payload = r.json()
        a = payload["data"]["attributes"]
        assert payload["meta"]["version"] == doc["source"]["version"]
        assert r.headers["X-OpenSID-Version"] == doc["source"]["version"]
        assert a["nama_desa"] == v.nama_desa and a["website"] == doc["village"]["website"]
        assert a["kode_kecamatan"] == v.kode_kecamatan.replace(".", "")
        assert a["nama_kecamatan"] == v.nama_kecamatan
        if uses_old_statistik_ids(v.kode_digits):  # old installs keep the 4-digit part only
            assert a["kode_desa"] == v.kode_digits[-4:]
        else:
            assert a["kode_desa"] == v.kode_digits


# ------------------------------------------------------------------ new fault modes


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


def _agama_rows_add_up(entry: dict) -> bool:
    return all(
        sum(r[f] for r in entry["rows"]) + entry["belum_mengisi"][f] == entry["total"][f]
        for f in FIELDS
    )


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
        start = time.perf_counter()
        assert http.get(summary_url(sim, kode)).status_code == 200
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


def test_sum_mismatch_breaks_agama_only(villages, docs, http):
    kode = villages[0].kode_digits
    with Simulator(villages[:1], port=0, faults={kode: "sum-mismatch"}) as sim:
        doc = http.get(summary_url(sim, kode)).json()
        assert not _agama_rows_add_up(find_statistic(doc, "agama"))
        assert all(_agama_rows_add_up(s) for s in doc["statistics"] if s["slug"] != "agama")
        for row in find_statistic(doc, "agama")["rows"]:
            assert row["total"] == row["laki"] + row["perempuan"]
        items = {i["id"]: i["attributes"] for i in flat_items(
            http.get(statistik_url(sim, kode, "3")).json())}  # fmt: skip
        jumlah, belum, total = (int(items[i]["jumlah"]) for i in ("666", "777", "888"))
        assert jumlah + belum != total


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
        doc = http.get(summary_url(sim, b)).json()
        agama = find_statistic(doc, "agama")
        odd = [r for r in agama["rows"] if r["code"] == "99"]
        assert odd and odd[0]["label"] == "LAINNYA (BARU)" and odd[0]["total"] > 0
        assert _agama_rows_add_up(agama) and agama["total"] == docs[b]["totals"]["penduduk"]
        items = flat_items(http.get(statistik_url(sim, b, "3")).json())
        assert "99" in [i["id"] for i in items]
        assert sum(int(i["attributes"]["jumlah"]) for i in items[:-3]) + int(
            items[-2]["attributes"]["jumlah"]
        ) == int(items[-1]["attributes"]["jumlah"])


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


def test_data_faults_on_the_other_routes(villages, http):
    a, b, c = (v.kode_digits for v in villages[:3])
    faults = {a: "bad-json", b: "wrong-code", c: "negative"}
    with Simulator(villages[:3], port=0, faults=faults) as sim:
        with pytest.raises(ValueError):
            http.get(f"{sim.url}/{a}/internal_api/pembangunan").json()
        ident = http.get(f"{sim.url}/{b}/internal_api/wilayah/administratif").json()
        assert ident["data"]["attributes"]["kode_desa"] not in (b, b[-4:])
        programme = http.get(f"{sim.url}/{c}/internal_api/peserta_bantuan/1").json()["data"]
        assert int(programme["attributes"]["jumlah_peserta"]) < 0
        assert http.get(f"{sim.url}/{a}/internal_api/nothing").status_code == 404


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


def test_serve_forever_takes_fault_rate():
    import inspect

    from collectors.simulator import serve_forever

    params = inspect.signature(serve_forever).parameters
    assert {"fault_rate", "fail_rate", "latency_ms", "seed", "port", "faults"} <= set(params)
