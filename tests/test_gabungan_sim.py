"""The API Database Gabungan simulator: sign-in, tokens, paginated statistics, APBDes, faults."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from collectors.gabungan import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    GABUNGAN_FAULT_MODES,
    GabunganSimulator,
    sum_statistic,
    template_uuid,
)
from collectors.synthetic import find_statistic, village_document
from config.registry import Village, load_registry
from config.statistik import BY_KEY

ROOT = Path(__file__).resolve().parents[1]
SIGNIN = "/api/v1/signin"
STATISTIK = "/api/v1/statistik-web/penduduk"
KEUANGAN = "/api/v1/keuangan/summary"
KERKAP = "17.03.06"
SUMMARY_IDS = (66666, 77777, 88888)


@pytest.fixture(scope="module")
def villages() -> list[Village]:
    return load_registry(ROOT / "config" / "villages-17.03.csv")


@pytest.fixture(scope="module")
def kerkap(villages) -> list[Village]:
    return [v for v in villages if v.kode_kecamatan == KERKAP]


@pytest.fixture(scope="module")
def gab(kerkap):
    # one kecamatan's villages on a shared database
    with GabunganSimulator(kerkap, port=0) as simulator:
        yield simulator


@pytest.fixture()
def http():
    with requests.Session() as session:
        yield session


def signin(sim: GabunganSimulator, http, email=DEFAULT_EMAIL, password=DEFAULT_PASSWORD) -> dict:
    r = http.post(sim.url + SIGNIN, json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['data']['token']}"}


@pytest.fixture()
def auth(gab, http) -> dict:
    return signin(gab, http)


def all_pages(http, url: str, params: dict, headers: dict) -> tuple[list[dict], list[dict]]:
    """Every row of a paginated answer, following links.next; also each page's pagination."""
    r = http.get(url, params=params, headers=headers)
    assert r.status_code == 200, r.text
    rows, metas = [], []
    while True:
        payload = r.json()
        metas.append(payload["meta"]["pagination"])
        rows += payload["data"]
        if not payload["links"]["next"]:
            return rows, metas
        r = http.get(payload["links"]["next"], headers=headers)
        assert r.status_code == 200


def expected_rows(entry: dict) -> list[tuple]:
    rows = [(int(r["code"]), r["label"], r["total"], r["laki"], r["perempuan"])
            for r in entry["rows"]]  # fmt: skip
    jumlah = [sum(r[f] for r in entry["rows"]) for f in ("total", "laki", "perempuan")]
    rows.append((66666, "JUMLAH", *jumlah))
    b, t = entry["belum_mengisi"], entry["total"]
    rows.append((77777, "BELUM MENGISI", b["total"], b["laki"], b["perempuan"]))
    rows.append((88888, "TOTAL", t["total"], t["laki"], t["perempuan"]))
    return rows


def got_rows(items: list[dict]) -> list[tuple]:
    return [
        (a["id"], a["nama"], a["jumlah"], a["laki_laki"], a["perempuan"])
        for a in (i["attributes"] for i in items)
    ]


# ------------------------------------------------------------------ sign-in and tokens


def test_signin_and_bearer_tokens(gab, http):
    assert (
        http.post(gab.url + SIGNIN, json={"email": DEFAULT_EMAIL, "password": "x"}).status_code
        == 401
    )
    wrong = http.post(gab.url + SIGNIN, json={"email": "nobody@x.id", "password": "x"})
    assert wrong.status_code == 401 and wrong.json()["message"]
    missing = http.post(gab.url + SIGNIN, json={"email": DEFAULT_EMAIL})
    assert missing.status_code == 422 and "password" in missing.json()["errors"]
    garbage = http.post(gab.url + SIGNIN, data=b"not json", headers={"Content-Type": "text/plain"})
    assert garbage.status_code == 422
    params = {"filter[id]": "agama"}
    assert http.get(gab.url + STATISTIK, params=params).status_code == 401
    bad = http.get(gab.url + STATISTIK, params=params, headers={"Authorization": "Bearer 1|no"})
    assert bad.status_code == 401 and bad.json() == {"message": "Unauthenticated."}
    headers = signin(gab, http)
    token = headers["Authorization"].split()[1]
    assert "|" in token
    assert http.get(gab.url + STATISTIK, params=params, headers=headers).status_code == 200


def test_expire_switch_and_ttl(kerkap, http):
    with GabunganSimulator(kerkap, port=0) as sim:
        headers = signin(sim, http)
        params = {"filter[id]": "3"}
        assert http.get(sim.url + STATISTIK, params=params, headers=headers).status_code == 200
        sim.expire_tokens()
        assert http.get(sim.url + STATISTIK, params=params, headers=headers).status_code == 401
        fresh = signin(sim, http)
        assert http.get(sim.url + KEUANGAN, headers=fresh).status_code == 200
    with GabunganSimulator(kerkap, port=0, token_ttl_s=0.3) as sim:
        headers = signin(sim, http)
        assert http.get(sim.url + KEUANGAN, headers=headers).status_code == 200
        time.sleep(0.4)
        assert http.get(sim.url + KEUANGAN, headers=headers).status_code == 401


def test_credentials_from_the_registry_are_scoped(villages, http, monkeypatch):
    monkeypatch.setenv("GABUNGAN_KERKAP", "kerkap@bengkuluutara.test:s3cret")
    kerkap = [replace(v, adapter="gabungan", token_spec="env:GABUNGAN_KERKAP", scope=KERKAP)
              for v in villages if v.kode_kecamatan == KERKAP]  # fmt: skip
    other = [replace(v, adapter="gabungan", token_spec="lain@x.test:pw")
             for v in villages if v.kode_kecamatan == "17.03.07"]  # fmt: skip
    with GabunganSimulator(kerkap + other, port=0) as sim:
        assert http.post(sim.url + SIGNIN, json={"email": DEFAULT_EMAIL,
                         "password": DEFAULT_PASSWORD}).status_code == 401  # fmt: skip
        headers = signin(sim, http, "kerkap@bengkuluutara.test", "s3cret")
        ok = http.get(sim.url + STATISTIK, params={"filter[id]": "agama",
                      "filter[kecamatan]": KERKAP}, headers=headers)  # fmt: skip
        assert ok.status_code == 200
        denied = http.get(sim.url + STATISTIK, params={"filter[id]": "agama",
                          "filter[desa]": other[0].kode_desa}, headers=headers)  # fmt: skip
        assert denied.status_code == 403 and denied.json()["errors"][0]["status"] == "403"


# ------------------------------------------------------------------ statistik-web


def test_village_numbers_match_the_document_over_pages(gab, kerkap, auth, http):
    v = kerkap[0]
    doc = village_document(v)
    for code in (v.kode_desa, v.kode_digits):  # dotted or digits
        for key in ("1", "pekerjaan"):
            params = {"filter[id]": key, "filter[desa]": code, "filter[tahun]": 2026,
                      "page[size]": 7}  # fmt: skip
            rows, metas = all_pages(http, gab.url + STATISTIK, params, auth)
            entry = find_statistic(doc, "pekerjaan")
            assert got_rows(rows) == expected_rows(entry)
            total = len(entry["rows"]) + 3
            assert len(metas) == metas[0]["total_pages"] == -(-total // 7) >= 3
            assert [m["current_page"] for m in metas] == list(range(1, len(metas) + 1))
            assert all(m["total"] == total and m["per_page"] == 7 for m in metas)
            assert sum(m["count"] for m in metas) == total
    item = rows[0]
    assert item["type"] == "statistik-web" and item["id"] == str(item["attributes"]["id"])
    a = rows[-1]["attributes"]
    assert a["persentase_jumlah"] == 100.0
    assert a["persentase_laki_laki"] + a["persentase_perempuan"] == pytest.approx(100, abs=0.02)


def test_every_statistic_and_the_kecamatan_sum(gab, kerkap, auth, http):
    docs = [village_document(v) for v in kerkap]
    for stat in BY_KEY.values():
        for wanted in (stat.key, stat.slug, stat.slug.replace("-", "_")):
            params = {"filter[id]": wanted, "filter[kecamatan]": KERKAP, "page[size]": 100}
            r = http.get(gab.url + STATISTIK, params=params, headers=auth)
            assert r.status_code == 200, wanted
        entry = sum_statistic([find_statistic(d, stat.key) for d in docs])
        assert got_rows(r.json()["data"]) == expected_rows(entry), stat.slug
        total = r.json()["data"][-1]["attributes"]
        if stat.unit == "penduduk":
            assert total["jumlah"] == sum(d["totals"]["penduduk"]["total"] for d in docs)
    everything = http.get(gab.url + STATISTIK, params={"filter[id]": "4"}, headers=auth).json()
    assert everything["data"][-1]["attributes"]["id"] == 88888
    assert everything["data"][-1]["attributes"]["jumlah"] == total_penduduk(docs)


def total_penduduk(docs: list[dict]) -> int:
    return sum(d["totals"]["penduduk"]["total"] for d in docs)


def test_statistik_errors(gab, kerkap, auth, http):
    def status(**params) -> int:
        return http.get(gab.url + STATISTIK, params=params, headers=auth).status_code

    assert status() == 422  # filter[id] is required
    assert status(**{"filter[id]": "nothing"}) == 404
    assert status(**{"filter[id]": "3", "filter[desa]": "17.03.01.2001"}) == 404  # not here
    assert status(**{"filter[id]": "3", "filter[kecamatan]": "17.03.01"}) == 404
    other_kec = {"filter[id]": "3", "filter[desa]": kerkap[0].kode_desa,
                 "filter[kecamatan]": "17.03.07"}  # fmt: skip
    assert status(**other_kec) == 404
    assert status(**{"filter[id]": "3", "page[size]": "many"}) == 422
    body = http.get(gab.url + STATISTIK, params={"filter[id]": "x"}, headers=auth).json()
    assert body["errors"][0]["status"] == "404" and body["errors"][0]["detail"]
    assert http.get(gab.url + "/api/v1/nothing", headers=auth).status_code == 404


# ------------------------------------------------------------------ keuangan


def test_keuangan_summary_tree(gab, kerkap, auth, http):
    desa = next(v for v in kerkap if v.kode_desa[-4] == "2")
    doc = village_document(desa)
    r = http.get(gab.url + KEUANGAN, params={"filter[desa]": desa.kode_digits,
                 "filter[tahun]": 2026}, headers=auth)  # fmt: skip
    rows = [i["attributes"] for i in r.json()["data"]]
    assert [(a["uraian"], a["anggaran"], a["realisasi"]) for a in rows] == [
        (a["uraian"], a["anggaran"], a["realisasi"]) for a in doc["apbdes"]
    ]
    by_uuid = {a["template_uuid"]: a for a in rows}
    for account, a in zip(doc["apbdes"], rows, strict=True):
        assert a["template_uuid"] == template_uuid(account["kode"])
        parent = account["kode"].rsplit(".", 1)[0] if "." in account["kode"] else None
        assert a["parent_uuid"] == (template_uuid(parent) if parent else None)
        children = [c for c in rows if c["parent_uuid"] == a["template_uuid"]]
        if children:  # parents are sums of their children
            assert a["anggaran"] == sum(c["anggaran"] for c in children)
        assert a["parent_uuid"] is None or a["parent_uuid"] in by_uuid
    kec = http.get(gab.url + KEUANGAN, params={"filter[kecamatan]": KERKAP}, headers=auth).json()
    dana_desa = next(
        i["attributes"] for i in kec["data"] if i["attributes"]["uraian"] == "Dana Desa"
    )
    assert dana_desa["anggaran"] == sum(
        a["anggaran"] for v in kerkap for a in village_document(v)["apbdes"] if a["kode"] == "4.2.1"
    )
    assert kec["meta"]["pagination"]["total_pages"] == 1


def test_kelurahan_have_no_budget(villages, http):
    kelurahan = [v for v in villages if v.kode_desa[-4] == "1"][:1]
    with GabunganSimulator(kelurahan, port=0) as sim:
        headers = signin(sim, http)
        r = http.get(sim.url + KEUANGAN, params={"filter[desa]": kelurahan[0].kode_desa},
                     headers=headers)  # fmt: skip
        assert r.status_code == 200 and r.json()["data"] == []
        assert r.json()["meta"]["pagination"]["total"] == 0


# ------------------------------------------------------------------ faults


def test_faults_by_village_kecamatan_or_everything(kerkap, http):
    a, b = kerkap[0], kerkap[1]
    with GabunganSimulator(kerkap, port=0, faults={a.kode_desa: "500"}) as sim:
        headers = signin(sim, http)

        def get(**params) -> requests.Response:
            return http.get(sim.url + STATISTIK, params={"filter[id]": "3", **params},
                            headers=headers)  # fmt: skip

        assert get(**{"filter[desa]": a.kode_digits}).status_code == 500
        assert get(**{"filter[kecamatan]": KERKAP}).status_code == 500  # includes village a
        assert get(**{"filter[desa]": b.kode_digits}).status_code == 200
        sim.set_fault(a.kode_desa, None)
        sim.set_fault(b.kode_digits, "429")
        for _ in range(2):
            r = get(**{"filter[desa]": b.kode_digits})
            assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        assert get(**{"filter[desa]": b.kode_digits}).status_code == 200
        sim.set_fault("*", "401")
        assert get(**{"filter[desa]": a.kode_digits}).status_code == 401
        sim.set_fault("*", None)
        with pytest.raises(ValueError):
            sim.set_fault("*", "wrong-code")
    assert "sum-mismatch" in GABUNGAN_FAULT_MODES


def test_data_faults(kerkap, http):
    a = kerkap[0]
    params = {"filter[id]": "agama", "filter[desa]": a.kode_desa, "page[size]": 100}
    with GabunganSimulator(kerkap, port=0) as sim:
        headers = signin(sim, http)

        def rows_with(mode: str) -> list[dict]:
            sim.set_fault(a.kode_desa, mode)
            r = http.get(sim.url + STATISTIK, params=params, headers=headers)
            assert r.status_code == 200
            return [i["attributes"] for i in r.json()["data"]]

        rows = rows_with("sum-mismatch")
        by_id = {r["id"]: r for r in rows}
        assert by_id[66666]["jumlah"] + by_id[77777]["jumlah"] != by_id[88888]["jumlah"]
        rows = rows_with("unknown-code")
        assert any(r["id"] == 99 and r["nama"] == "LAINNYA (BARU)" for r in rows)
        by_id = {r["id"]: r for r in rows}
        assert by_id[66666]["jumlah"] + by_id[77777]["jumlah"] == by_id[88888]["jumlah"]
        rows = rows_with("unknown-fields")
        assert all("x_catatan" in r for r in rows)
        rows = rows_with("negative")
        assert rows[0]["laki_laki"] < 0
        sim.set_fault(a.kode_desa, "bad-json")
        with pytest.raises(ValueError):
            http.get(sim.url + STATISTIK, params=params, headers=headers).json()


def test_transport_faults(kerkap, http):
    a = kerkap[0]
    params = {"filter[id]": "agama", "filter[desa]": a.kode_desa}
    with GabunganSimulator(kerkap, port=0, slow_ms=300, drip_seconds=0.8, drip_gap=0.1,
                           hold_seconds=5) as sim:  # fmt: skip
        headers = signin(sim, http)
        sim.set_fault(a.kode_desa, "slow")
        start = time.perf_counter()
        assert http.get(sim.url + STATISTIK, params=params, headers=headers).status_code == 200
        assert time.perf_counter() - start >= 0.3
        sim.set_fault(a.kode_desa, "drip")
        start = time.perf_counter()
        r = http.get(sim.url + STATISTIK, params=params, headers=headers, timeout=(2, 0.5))
        assert r.status_code == 200 and r.json()["data"]
        assert time.perf_counter() - start >= 0.7
        sim.set_fault(a.kode_desa, "too-large")
        with http.get(sim.url + STATISTIK, params=params, headers=headers, stream=True) as r:
            assert int(r.headers["Content-Length"]) > 25 * 1024 * 1024
            assert next(r.iter_content(16)).startswith(b"{")
        sim.set_fault(a.kode_desa, "timeout")
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.get(sim.url + STATISTIK, params=params, headers=headers, timeout=(2, 0.3))
