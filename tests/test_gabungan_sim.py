"""The API Database Gabungan simulator answers as the real server does.

The reference is the server's code, OpenSID/API-Database-Gabungan v2506.0.0 (commit f45e501b):
routes/apiv1.php, Api/Auth/AuthController, StatistikController and StatistikRepository,
PendudukRepository, KeluargaRepository, RtmRepository, the Umur/Ktp/KelasSosial/Rtm/Penduduk
models and their scopes (QueryTrait, ConfigIdScope), WilayahController/WilayahRepository,
KeuanganRepository::summary and KeuanganSummaryTransformer, StatistikTransformer, helper
persen() and angka_lokal(), config/json-api-paginate.php, RouteServiceProvider (60 a minute);
and the libraries it locks: Laravel 10.48 (ThrottleRequests, middleware priority, exception
rendering), Sanctum 3.3.3 (token format, findToken, CheckAbilities), spatie query builder
5.7 (InvalidFilterQuery), spatie json-api-paginate 1.16, league/fractal 0.20.2
(JsonApiSerializer). The adapter's facts (collectors/adapters/gabungan.py) must agree.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from collectors.adapters import gabungan as adapter
from config.registry import Village, load_registry
from config.statistik import BY_SLUG, KATEGORI_UMUR_DEFAULT
from simulator.gabungan import (
    DEFAULT_EMAIL,
    DEFAULT_PASSWORD,
    GABUNGAN_FAULT_MODES,
    LOGIN_BLOCKED,
    REFERENSI,
    STATISTIK_IDS,
    GabunganSimulator,
    persen,
)
from simulator.population import has_edited_brackets
from simulator.synthetic import find_statistic, village_record

ROOT = Path(__file__).resolve().parents[1]
SIGNIN = "/api/v1/signin"
WILAYAH = "/api/v1/wilayah/penduduk"
STATISTIK = "/api/v1/statistik-web/penduduk"
KELUARGA = "/api/v1/statistik-web/keluarga"
RTM = "/api/v1/statistik-web/rtm"
KEUANGAN = "/api/v1/keuangan/summary"
KERKAP = "17.03.06"
DESA = "1703062001"  # Talang Jambu, a desa of Kerkap
TOKEN = re.compile(r"^\d+\|[A-Za-z0-9]{40}[0-9a-f]{8}$")
# the config row's columns (WilayahControllerTest::test_wilayah_penduduk), then withCount's
CONFIG_COLUMNS = [
    "app_key",
    "nama_desa",
    "kode_desa",
    "kode_pos",
    "nama_kecamatan",
    "kode_kecamatan",
    "nama_kepala_camat",
    "nip_kepala_camat",
    "nama_kabupaten",
    "kode_kabupaten",
    "nama_propinsi",
    "kode_propinsi",
    "logo",
    "lat",
    "lng",
    "zoom",
    "map_tipe",
    "path",
    "alamat_kantor",
    "email_desa",
    "telepon",
    "nomor_operator",
    "website",
    "kantor_desa",
    "warna",
    "border",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "nama_kontak",
    "hp_kontak",
    "jabatan_kontak",
    "penduduk_count",
]
STAT_ATTRIBUTES = [
    "nama",
    "jumlah",
    "persentase_jumlah",
    "laki_laki",
    "persentase_laki_laki",
    "perempuan",
    "persentase_perempuan",
    "kriteria",
]
KEUANGAN_ATTRIBUTES = [
    "anggaran",
    "realisasi",
    "template_uuid",
    "uraian",
    "parent_uuid",
    "parent_uraian",
    "anggaran_local",
    "realisasi_local",
]


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


def session() -> requests.Session:
    s = requests.Session()
    s.headers["Accept"] = "application/json"  # as the adapter, OpenKab and OpenDK ask
    return s


@pytest.fixture()
def http():
    with session() as s:
        yield s


def signin(sim, http, email=DEFAULT_EMAIL, password=DEFAULT_PASSWORD) -> dict:
    r = http.post(sim.url + SIGNIN, json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def stat(http, sim, path=STATISTIK, headers=None, **params) -> list[dict]:
    r = http.get(sim.url + path, params=params, headers=headers)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"data"}  # no meta, no links
    return r.json()["data"]


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i["attributes"] for i in items}


def counts(a: dict) -> tuple[int, int, int]:
    return a["jumlah"], a["laki_laki"], a["perempuan"]


def doc_of(v: Village, seed: int = 0) -> dict:
    return village_record(v, seed=seed).document


# ------------------------------------------------------------------ sign-in and tokens


def test_signin_answers_as_the_auth_controller(kerkap, http):
    with GabunganSimulator(kerkap, port=0) as sim:
        r = http.post(sim.url + SIGNIN, json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD})
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        body = r.json()
        assert list(body) == ["message", "access_token", "token_type"]
        assert body["message"] == "Login Success " and body["token_type"] == "Bearer"
        assert TOKEN.match(body["access_token"])  # Sanctum 3.3: 40 random + crc32b
        assert r.headers["X-RateLimit-Limit"] == str(sim.rate_limit)
        first = {"Authorization": f"Bearer {body['access_token']}"}
        assert http.get(sim.url + KEUANGAN, headers=first).status_code == 200
        # the secret alone is a token too (PersonalAccessToken::findToken)
        secret = body["access_token"].split("|", 1)[1]
        alone = {"Authorization": f"Bearer {secret}"}
        assert http.get(sim.url + KEUANGAN, headers=alone).status_code == 200
        # the same account again (email case as MySQL compares it): the first token is deleted
        second = signin(sim, http, DEFAULT_EMAIL.upper())
        assert http.get(sim.url + KEUANGAN, headers=first).json() == {"message": "Unauthenticated."}
        assert http.get(sim.url + KEUANGAN, headers=second).status_code == 200
        assert sim.token_count(DEFAULT_EMAIL) == 1
        for payload in (
            {"email": DEFAULT_EMAIL, "password": "x"},
            {"email": "nobody@x.id", "password": DEFAULT_PASSWORD},
            {"password": DEFAULT_PASSWORD},
            {"email": DEFAULT_EMAIL, "password": ""},
            {},
        ):
            refused = http.post(sim.url + SIGNIN, json=payload)
            assert refused.status_code == 401, payload
            assert refused.json() == {"message": "Invalid login details"}
            sim.reset_limits()  # five failures would lock this address out
        # a known email without a password field: Laravel reads the missing key
        assert http.post(sim.url + SIGNIN, json={"email": DEFAULT_EMAIL}).status_code == 500
        form = http.post(
            sim.url + SIGNIN, data={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
        )
        assert form.status_code == 200 and TOKEN.match(form.json()["access_token"])
        garbage = http.post(sim.url + SIGNIN, data=b"{", headers={"Content-Type": "text/json"})
        assert garbage.status_code == 401
        assert http.get(sim.url + SIGNIN).status_code == 405  # POST only


def test_five_failures_lock_the_address_out(kerkap, http):
    with GabunganSimulator(kerkap, port=0, signin_lockout_s=0.6) as sim:
        for _ in range(4):
            assert (
                http.post(sim.url + SIGNIN, json={"email": "a@b.c", "password": "x"}).status_code
                == 401
            )
        signin(sim, http)  # a success clears the count
        for _ in range(5):  # any account counts
            assert (
                http.post(
                    sim.url + SIGNIN, json={"email": DEFAULT_EMAIL, "password": "x"}
                ).status_code
                == 401
            )
        started = time.monotonic()
        blocked = http.post(
            sim.url + SIGNIN, json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
        )
        assert blocked.status_code == 403 and blocked.json() == {"message": LOGIN_BLOCKED}
        assert "10 MENIT" in LOGIN_BLOCKED and "5 KALI" in LOGIN_BLOCKED
        time.sleep(max(0.0, 0.65 - (time.monotonic() - started)))
        signin(sim, http)  # the window of the first failure is over


def test_token_page_and_deleted_tokens(kerkap, http):
    with GabunganSimulator(kerkap, port=0, credentials={"kab@bengkuluutara.test": "pw"}) as sim:
        page = sim.issue_token("kab@bengkuluutara.test")
        assert TOKEN.match(page)
        signed_in = signin(sim, http, "kab@bengkuluutara.test", "pw")  # deletes the page's
        assert (
            http.get(sim.url + KEUANGAN, headers={"Authorization": f"Bearer {page}"}).status_code
            == 401
        )
        again = sim.issue_token("kab@bengkuluutara.test")  # and the page deletes the sign-in's
        assert http.get(sim.url + KEUANGAN, headers=signed_in).status_code == 401
        assert (
            http.get(sim.url + KEUANGAN, headers={"Authorization": f"Bearer {again}"}).status_code
            == 200
        )
        sim.expire_tokens()  # tokens deleted
        assert (
            http.get(sim.url + KEUANGAN, headers={"Authorization": f"Bearer {again}"}).status_code
            == 401
        )
        with pytest.raises(KeyError):
            sim.issue_token(DEFAULT_EMAIL)


def test_accounts_from_the_registry_see_everything(villages, http, monkeypatch):
    monkeypatch.setenv("GABUNGAN_KERKAP", "kerkap@bengkuluutara.test:s3cret")
    kerkap = [
        replace(v, adapter="gabungan", token_spec="env:GABUNGAN_KERKAP")
        for v in villages
        if v.kode_kecamatan == KERKAP
    ]
    other = [
        replace(v, adapter="gabungan", token_spec="lain@x.test:pw")
        for v in villages
        if v.kode_kecamatan == "17.03.07"
    ]
    with GabunganSimulator(kerkap + other, port=0) as sim:
        assert (
            http.post(
                sim.url + SIGNIN, json={"email": DEFAULT_EMAIL, "password": DEFAULT_PASSWORD}
            ).status_code
            == 401
        )
        headers = signin(sim, http, "kerkap@bengkuluutara.test", "s3cret")
        desa = next(v for v in other if v.kode_desa[-4] == "2")  # kelurahan have no APBDes
        elsewhere = {"filter[kode_desa]": desa.kode_digits}
        r = http.get(sim.url + KEUANGAN, params=elsewhere, headers=headers)
        assert r.status_code == 200 and r.json()["data"]  # no per-account scoping
        signin(sim, http, "lain@x.test", "pw")


def test_public_routes_and_the_one_that_needs_a_token(gab, http):
    for path, params in (
        (WILAYAH, {}),
        (STATISTIK, {"filter[id]": "agama"}),
        (KELUARGA, {"filter[id]": "kelas-sosial", "filter[tahun]": ""}),
        (RTM, {"filter[id]": "bdt", "filter[tahun]": ""}),
    ):
        r = http.get(gab.url + path, params=params)
        assert r.status_code == 200, path
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(r.headers)
    r = http.get(gab.url + KEUANGAN)
    assert r.status_code == 401 and r.json() == {"message": "Unauthenticated."}
    assert "X-RateLimit-Limit" not in r.headers  # Sanctum refuses before the throttle counts
    assert http.get(gab.url + KEUANGAN, headers={"Authorization": "bearer x"}).status_code == 401
    # a client that does not ask for JSON gets Laravel's redirect and pages
    plain = requests.get(gab.url + KEUANGAN, allow_redirects=False)
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/login")
    page = requests.get(gab.url + STATISTIK, params={"filter[id]": "nothing"})
    assert page.status_code == 500 and page.headers["Content-Type"].startswith("text/html")
    missing = http.get(gab.url + "/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"message": "The route api/v1/nothing could not be found."}
    assert "X-RateLimit-Limit" not in missing.headers
    assert http.post(gab.url + WILAYAH).status_code == 405


def test_tokens_without_the_ability_and_the_ability_fault(kerkap, http):
    with GabunganSimulator(kerkap, port=0) as sim:
        narrow = sim.issue_token(DEFAULT_EMAIL, abilities=["read-only"])
        r = http.get(sim.url + KEUANGAN, headers={"Authorization": f"Bearer {narrow}"})
        assert r.status_code == 403 and r.json() == {"message": "Invalid ability provided."}
        headers = signin(sim, http)
        assert http.get(sim.url + KEUANGAN, headers=headers).status_code == 200
        sim.set_fault("*", "ability")
        r = http.get(sim.url + KEUANGAN, headers=headers)
        assert r.status_code == 403 and r.json()["message"] == "Invalid ability provided."
        assert http.get(sim.url + STATISTIK, params={"filter[id]": "agama"}).status_code == 200


def test_rate_limit_per_address_and_per_account(kerkap, http):
    with GabunganSimulator(kerkap, port=0, rate_limit=3, rate_window_s=0.8) as sim:
        headers = signin(sim, http)  # the address's first request
        remaining = []
        for _ in range(2):
            r = http.get(sim.url + WILAYAH, params={"page[size]": 1})
            assert r.status_code == 200 and r.headers["X-RateLimit-Limit"] == "3"
            remaining.append(r.headers["X-RateLimit-Remaining"])
        assert remaining == ["1", "0"]
        refused = http.get(sim.url + WILAYAH)
        assert refused.status_code == 429 and refused.json() == {"message": "Too Many Attempts."}
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert (
            0 <= int(refused.headers["Retry-After"]) <= 1 and refused.headers["X-RateLimit-Reset"]
        )
        # keuangan/summary counts per account (authenticated before the throttle)
        r = http.get(sim.url + KEUANGAN, headers=headers)
        assert r.status_code == 200 and r.headers["X-RateLimit-Remaining"] == "2"
        time.sleep(0.85)
        assert http.get(sim.url + WILAYAH).headers["X-RateLimit-Remaining"] == "2"
    assert GabunganSimulator(kerkap, port=0).rate_limit >= 10_000  # tests and the demo: fast


# ------------------------------------------------------------------ wilayah/penduduk


def test_wilayah_penduduk(gab, kerkap, http):
    r = http.get(gab.url + WILAYAH)
    body = r.json()
    assert list(body) == ["data", "meta", "links"]
    assert body["meta"]["pagination"] == {
        "total": len(kerkap),
        "count": len(kerkap),
        "per_page": 30,
        "current_page": 1,
        "total_pages": 1,
    }
    assert list(body["links"]) == ["self", "first", "last"]
    assert [int(i["id"]) for i in body["data"]] == list(range(1, len(kerkap) + 1))
    item = next(i for i in body["data"] if i["attributes"]["kode_desa"] == DESA)
    assert item["type"] == "desa" and item["id"] == str(gab.config_id(DESA))
    a = item["attributes"]
    assert list(a) == CONFIG_COLUMNS  # the config row, its id moved out by fractal
    assert (a["kode_desa"], a["kode_kecamatan"], a["kode_kabupaten"]) == (DESA, "170306", "1703")
    assert (a["nama_desa"], a["nama_kecamatan"]) == ("Talang Jambu", "Kerkap")
    v = next(v for v in kerkap if v.kode_digits == DESA)
    assert a["penduduk_count"] == f"{doc_of(v)['totals']['penduduk']['total']:,}".replace(",", ".")
    for params, found in (
        ({"filter[kode_desa]": DESA}, 1),
        ({"filter[kode_desa]": v.kode_desa}, 0),
        ({"filter[kode_kecamatan]": "170306"}, len(kerkap)),
        ({"filter[kode_kecamatan]": KERKAP}, 0),
        ({"filter[kode_kabupaten]": "1703"}, len(kerkap)),
        ({"filter[search]": "jambu"}, 1),
    ):
        assert len(http.get(gab.url + WILAYAH, params=params).json()["data"]) == found, params
    bad = http.get(gab.url + WILAYAH, params={"filter[desa]": DESA})
    assert bad.status_code == 400
    assert bad.json()["message"] == (
        "Requested filter(s) `desa` are not allowed. Allowed filter(s) are "
        "`kode_kabupaten, kode_kecamatan, kode_desa, search`."
    )
    names = [
        i["attributes"]["nama_desa"]
        for i in http.get(gab.url + WILAYAH, params={"sort": "-nama_desa"}).json()["data"]
    ]
    assert names == sorted(names, key=str.casefold, reverse=True)
    assert http.get(gab.url + WILAYAH, params={"sort": "id"}).status_code == 400
    page = http.get(gab.url + WILAYAH, params={"page[size]": 5, "page[number]": 2}).json()
    assert page["meta"]["pagination"]["per_page"] == 5 and len(page["data"]) == 5
    assert list(page["links"]) == ["self", "first", "prev", "next", "last"]
    assert page["links"]["next"].endswith("page%5Bsize%5D=5&page%5Bnumber%5D=3")
    assert http.get(page["links"]["next"]).json()["meta"]["pagination"]["current_page"] == 3
    huge = http.get(gab.url + WILAYAH, params={"page[size]": 10_000}).json()
    assert huge["meta"]["pagination"]["per_page"] == 500


# ------------------------------------------------------------------ statistik-web/penduduk


def test_a_village_statistic_as_the_server_writes_it(gab, kerkap, http):
    v = next(v for v in kerkap if v.kode_digits == DESA)
    entry = find_statistic(doc_of(v), "agama")
    items = stat(
        http,
        gab,
        **{"filter[id]": "agama", "filter[desa]": DESA, "filter[tahun]": "", "page[size]": 1},
    )
    assert all(
        i["type"] == "statistik-penduduk" and list(i["attributes"]) == STAT_ATTRIBUTES
        for i in items
    )
    rows = [r for r in entry["rows"] if r["total"]]  # categories nobody is in are left out
    assert [i["id"] for i in items] == [r["code"] for r in rows] + ["66666", "77777", "88888"]
    found = by_id(items)
    for r in rows:
        a = found[r["code"]]
        assert a["nama"] == r["label"].upper() and a["kriteria"] == f'{{"agama_id":{r["code"]}}}'
        assert counts(a) == (r["total"], r["laki"], r["perempuan"])
    total, belum = found["88888"], found["77777"]
    assert counts(total) == (
        entry["total"]["total"],
        entry["total"]["laki"],
        entry["total"]["perempuan"],
    )
    assert belum["jumlah"] == total["jumlah"] - found["66666"]["jumlah"]
    assert counts(found["66666"])[0] == sum(r["total"] for r in rows)
    assert [found[k]["nama"] for k in ("66666", "77777", "88888")] == [
        "JUMLAH",
        "BELUM MENGISI",
        "TOTAL",
    ]
    assert [json.loads(found[k]["kriteria"]) for k in ("66666", "77777", "88888")] == [
        {"jumlah": "agama"},
        {"belum mengisi": "agama"},
        {"total": "agama"},
    ]
    whole = total["jumlah"]
    assert total["persentase_jumlah"] == "100,00%"
    first = found[rows[0]["code"]]
    assert first["persentase_laki_laki"] == persen(first["laki_laki"], whole)
    assert re.fullmatch(r"\d{1,3},\d\d%", first["persentase_jumlah"])


def test_persen_as_php_writes_it():
    assert [persen(1, 3), persen(2, 3), persen(0, 0), persen(5, 5), persen(-1, 8)] == [
        "33,33%",
        "66,67%",
        "0,00%",
        "100,00%",
        "-12,50%",
    ]


def test_the_server_s_statistics_and_its_errors(gab, kerkap, http):
    docs = [doc_of(v) for v in kerkap]
    everything = sum(d["totals"]["penduduk"]["total"] for d in docs)
    for ident in STATISTIK_IDS:
        items = stat(http, gab, **{"filter[id]": ident, "filter[desa]": DESA})
        assert [i["id"] for i in items][-3:] == ["66666", "77777", "88888"], ident
    # no filter[desa]: the whole database, whatever filter[kecamatan] says
    whole = by_id(stat(http, gab, **{"filter[id]": "jenis-kelamin"}))
    assert whole["88888"]["jumlah"] == everything
    assert (
        by_id(stat(http, gab, **{"filter[id]": "jenis-kelamin", "filter[kecamatan]": "17.03.07"}))
        == whole
    )
    one = by_id(stat(http, gab, **{"filter[id]": "jenis-kelamin", "config_desa": "2"}))
    assert one == by_id(stat(http, gab, **{"filter[id]": "jenis-kelamin", "filter[desa]": DESA}))

    def status(**params) -> requests.Response:
        return http.get(gab.url + STATISTIK, params=params)

    missing = status()
    assert missing.status_code == 404
    assert missing.json() == {"success": False, "message": "Kategori tidak ditemukan"}
    for wrong in (
        {"filter[id]": "4"},
        {"filter[id]": "nothing"},
        {"filter[id]": "bdt"},
        {"filter[id]": "agama", "filter[desa]": "17.03.06.2001"},
        {"filter[id]": "agama", "filter[desa]": "1703012001"},
        {"filter[id]": "agama", "filter[tahun]": "dua ribu"},
        {"filter[id]": "agama", "filter[bulan]": "13"},
    ):
        r = status(**wrong)
        assert r.status_code == 500 and r.json() == {"message": "Server Error"}, wrong


def test_age_statistics_use_config_1_s_brackets(villages, http):
    seed = 0
    chosen = [v for v in villages if v.kode_digits in ("1703062003", "1703062004", "1703062005")]
    assert has_edited_brackets("1703062003", seed) and not has_edited_brackets("1703062004", seed)
    with GabunganSimulator(chosen, port=0, seed=seed) as sim:
        own = village_record(chosen[0], seed=seed).brackets  # config id 1's
        items = stat(http, sim, **{"filter[id]": "rentang-umur", "filter[desa]": "1703062004"})
        rows = items[:-3]
        expected = sorted(own, key=lambda b: (b.dari, int(b.code)))
        assert [(i["id"], i["attributes"]["nama"]) for i in rows] == [
            (b.code, b.label.upper()) for b in expected
        ]
        assert [json.loads(i["attributes"]["kriteria"]) for i in rows] == [
            {"umur_dari": b.dari, "umur_sampai": b.sampai} for b in expected
        ]
        found = by_id(items)
        pend = doc_of(chosen[1], seed)["totals"]["penduduk"]
        assert counts(found["88888"]) == (pend["total"], pend["laki"], pend["perempuan"])
        assert found["66666"]["jumlah"] == pend["total"]  # the brackets cover every age
        kategori = stat(http, sim, **{"filter[id]": "kategori-umur", "filter[desa]": "1703062004"})
        assert [i["id"] for i in kategori[:-3]] == [b.code for b in KATEGORI_UMUR_DEFAULT]
        # another village's X-Desa leaves tweb_penduduk_umur empty
        other = stat(
            http,
            sim,
            headers={"X-Desa": "1703062005"},
            **{"filter[id]": "rentang-umur", "filter[desa]": "1703062005"},
        )
        assert [i["id"] for i in other] == ["66666", "77777", "88888"]
        assert other[1]["attributes"]["jumlah"] == other[2]["attributes"]["jumlah"]
    # with the default brackets on config id 1, akta-kelahiran is the village's own statistic
    plain = [v for v in villages if v.kode_digits in ("1703062004", "1703062005")]
    with GabunganSimulator(plain, port=0, seed=seed) as sim:
        items = stat(http, sim, **{"filter[id]": "akta-kelahiran", "filter[desa]": "1703062005"})
        entry = find_statistic(doc_of(plain[1], seed), "akta-kelahiran")
        assert [counts(i["attributes"]) for i in items[:-3]] == [
            (r["total"], r["laki"], r["perempuan"]) for r in entry["rows"]
        ]
        nikah = by_id(stat(http, sim, **{"filter[id]": "akta-nikah", "filter[desa]": "1703062005"}))
        kawin = next(
            r
            for r in find_statistic(doc_of(plain[1], seed), "buku-nikah")["rows"]
            if r["code"] == "2"
        )
        assert nikah["66666"]["jumlah"] == kawin["total"]
        assert all(a["jumlah"] == 0 for k, a in nikah.items() if k in ("5", "6", "7", "8"))


def test_ktp_suku_and_kehamilan(gab, kerkap, http):
    v = next(v for v in kerkap if v.kode_digits == DESA)
    doc = doc_of(v)
    ktp = by_id(stat(http, gab, **{"filter[id]": "ktp", "filter[desa]": DESA}))
    everyone = [find_statistic(doc_of(k), "kepemilikan-ktp") for k in kerkap]
    belum_rekam = sum(r["total"] for e in everyone for r in e["rows"] if r["code"] == "1")
    assert ktp["1"]["jumlah"] == belum_rekam  # the whole database's rows
    assert json.loads(ktp["1"]["kriteria"]) == {"status_rekam": "2"}
    assert ktp["88888"]["jumlah"] == find_statistic(doc, "kepemilikan-ktp")["total"]["total"]
    assert ktp["77777"]["jumlah"] < 0  # TOTAL − JUMLAH, as the server computes it
    suku = find_statistic(doc, "suku")
    own = stat(http, gab, headers={"X-Desa": DESA}, **{"filter[id]": "suku", "filter[desa]": DESA})
    assert [i["id"] for i in own[:-3]] == sorted(
        (r["code"] for r in suku["rows"]), key=str.casefold
    )
    assert json.loads(own[0]["attributes"]["kriteria"]) == {"suku": own[0]["id"]}
    assert own[-1]["attributes"]["jumlah"] == doc["totals"]["penduduk"]["total"]
    assert by_id(own)["77777"]["jumlah"] >= 0
    shared = by_id(stat(http, gab, **{"filter[id]": "suku", "filter[desa]": DESA}))
    assert shared["66666"]["jumlah"] > by_id(own)["66666"]["jumlah"]  # the database's rows
    hamil = by_id(stat(http, gab, **{"filter[id]": "status-kehamilan", "filter[desa]": DESA}))
    assert counts(hamil["88888"]) == (
        doc["totals"]["penduduk"]["perempuan"],
        0,
        doc["totals"]["penduduk"]["perempuan"],
    )
    covid = stat(http, gab, **{"filter[id]": "status-covid", "filter[desa]": DESA})
    assert [i["id"] for i in covid] == ["66666", "77777", "88888"]


def test_columns_agree_with_the_adapter():
    for slug, source in adapter.SOURCES.items():
        if source.path == adapter.STATISTIK and source.filter_id in REFERENSI:
            ours, column = REFERENSI[source.filter_id]
            assert ours == slug and (column,) == source.kriteria, slug
        else:
            assert source.filter_id in (*STATISTIK_IDS, "kelas-sosial", "bdt"), slug
    assert set(BY_SLUG) >= {slug for slug, _ in REFERENSI.values()}


# ------------------------------------------------------------------ keluarga, rtm


def test_kelas_sosial_and_bdt(gab, kerkap, http):
    v = next(v for v in kerkap if v.kode_digits == DESA)
    doc = doc_of(v)
    config = str(gab.config_id(DESA))
    params = {
        "filter[id]": "kelas-sosial",
        "filter[desa]": DESA,
        "filter[tahun]": "",
        "filter[bulan]": "",
    }
    shared = by_id(stat(http, gab, KELUARGA, **params))  # filter[desa] does not narrow it
    items = stat(http, gab, KELUARGA, config_desa=config, **params)
    assert {i["type"] for i in items} == {"statistik-keluarga"}
    own = by_id(items)
    assert shared["88888"]["jumlah"] > own["88888"]["jumlah"] == doc["totals"]["keluarga"]
    entry = find_statistic(doc, "kelas-sosial")
    for r in entry["rows"]:
        if r["total"]:
            assert counts(own[r["code"]]) == (r["total"], r["laki"], r["perempuan"])
            assert own[r["code"]]["kriteria"] == f'{{"kelas_sosial":{r["code"]}}}'
    assert json.loads(own["77777"]["kriteria"]) == {"belum_mengisi": "kelas-sosial"}
    no_tahun = http.get(
        gab.url + KELUARGA, params={"filter[id]": "kelas-sosial", "config_desa": config}
    )
    assert no_tahun.status_code == 500
    assert (
        http.get(
            gab.url + KELUARGA,
            params={"filter[id]": "kelas-sosial", "filter[tahun]": "2026", "config_desa": config},
        ).status_code
        == 500
    )
    assert stat(http, gab, KELUARGA, **{"filter[id]": "agama", "filter[tahun]": ""}) == []
    assert http.get(gab.url + KELUARGA).status_code == 404

    bdt = find_statistic(doc, "bdt")
    rtm = stat(
        http,
        gab,
        RTM,
        headers={"X-Desa": DESA},
        **{"filter[id]": "bdt", "filter[tahun]": "", "config_desa": config},
    )
    assert [i["id"] for i in rtm] == ["66666", "77777", "88888"]
    assert {i["type"] for i in rtm} == {"statistik-rtm"}
    found = by_id(rtm)
    assert found["66666"]["jumlah"] == bdt["rows"][0]["total"]
    assert found["88888"]["jumlah"] == doc["totals"]["rumah_tangga"]
    assert found["77777"]["jumlah"] == doc["totals"]["rumah_tangga"] - bdt["rows"][0]["total"]
    everyone = by_id(
        stat(http, gab, RTM, **{"filter[id]": "bdt", "filter[tahun]": "", "config_desa": config})
    )
    assert everyone["88888"]["jumlah"] == sum(doc_of(k)["totals"]["rumah_tangga"] for k in kerkap)
    assert stat(http, gab, RTM) == []
    assert http.get(gab.url + RTM, params={"filter[id]": "bdt"}).status_code == 500


# ------------------------------------------------------------------ keuangan/summary


def children_sum(accounts: dict, code: str, field: str) -> int:
    kids = [a for a in accounts.values() if a["parent_uuid"] == code]
    return sum(int(a[field][:-3]) for a in kids)


def test_keuangan_summary(gab, kerkap, http):
    headers = signin(gab, http)
    v = next(v for v in kerkap if v.kode_digits == DESA)
    doc = doc_of(v)
    r = http.get(
        gab.url + KEUANGAN,
        params={"filter[kode_desa]": DESA, "filter[tahun]": 2026, "page[size]": 500},
        headers=headers,
    )
    body = r.json()
    assert list(body) == ["data", "meta", "links"] and list(body["links"]) == [
        "self",
        "first",
        "last",
    ]
    items = body["data"]
    assert all(
        i["type"] == "keuangan" and list(i["attributes"]) == KEUANGAN_ATTRIBUTES for i in items
    )
    accounts = {i["id"]: i["attributes"] for i in items}
    assert all(i["id"] == i["attributes"]["template_uuid"] for i in items)
    assert "4.2.1.01" in accounts and "5.1.1.90-99" in accounts
    a = accounts["4.2.1"]
    assert a["parent_uuid"] == "4.2" and a["parent_uraian"] == "Pendapatan Transfer"
    assert re.fullmatch(r"\d+\.00", a["anggaran"])
    assert a["anggaran_local"] == "Rp. " + f"{int(a['anggaran'][:-3]):,}".replace(",", ".")
    for code, acc in accounts.items():
        level = code.count(".") + 1
        if level in (2, 3):  # OpenSID keeps these the sums of their children
            for field in ("anggaran", "realisasi"):
                assert int(acc[field][:-3]) == children_sum(accounts, code, field), code
        if level == 1:
            assert acc["parent_uuid"] is None
    # level 1 summed from its children is the village's own budget
    for row in doc["apbdes"]:
        acc = accounts[row["kode"]]
        got = (
            children_sum(accounts, row["kode"], "anggaran")
            if "." not in row["kode"]
            else (int(acc["anggaran"][:-3]))
        )
        assert got == row["anggaran"], row["kode"]
    # as OpenSID leaves it: 0.00, or a figure its sub-accounts no longer add up to
    level_1 = [(accounts[c]["anggaran"], children_sum(accounts, c, "anggaran")) for c in "456"]
    assert any(stored != f"{summed}.00" for stored, summed in level_1)
    assert ("0.00", level_1[0][1]) in level_1 or ("0.00", level_1[1][1]) in level_1
    # without tahun: every year in the database
    years = http.get(
        gab.url + KEUANGAN, params={"filter[kode_desa]": DESA, "page[size]": 500}, headers=headers
    ).json()["data"]
    total = sum(
        int(a["anggaran"])
        for y in gab.apbdes_years
        for a in gab.apbdes(DESA, y)
        if a["kode"] == "4.2.1"
    )
    assert by_id(years)["4.2.1"]["anggaran"] == f"{total}.00" and len(gab.apbdes_years) == 3
    # the whole kecamatan, and the filters the server allows
    kec = http.get(
        gab.url + KEUANGAN,
        params={
            "filter[kode_kecamatan]": "170306",
            "filter[tahun]": 2026,
            "filter[template_uuid_length_eq]": 5,
        },
        headers=headers,
    ).json()
    assert {i["id"] for i in kec["data"]} == {
        "4.2.1",
        "4.2.2",
        "4.2.3",
        "4.1.1",
        "4.3.1",
        "5.1.1",
        "5.2.1",
        "5.3.1",
        "5.4.1",
        "6.1.1",
        "6.2.1",
    }
    dana_desa = by_id(kec["data"])["4.2.1"]["anggaran"]
    everyone = [r["anggaran"] for k in kerkap for r in doc_of(k)["apbdes"] if r["kode"] == "4.2.1"]
    assert dana_desa == f"{sum(everyone)}.00"
    searched = http.get(
        gab.url + KEUANGAN,
        params={"filter[search]": "dana desa", "filter[kode_desa]": DESA, "filter[tahun]": 2026},
        headers=headers,
    )
    assert {i["id"] for i in searched.json()["data"]} >= {"4.2.1", "4.2.1.01"}
    bad = http.get(gab.url + KEUANGAN, params={"filter[desa]": DESA}, headers=headers)
    assert bad.status_code == 400 and bad.json()["message"].startswith(
        "Requested filter(s) `desa` are not allowed. Allowed filter(s) are `config_id, tahun, "
        "kode_desa, kode_kecamatan, template_uuid_length_gt, template_uuid_length_lt, "
        "template_uuid_length_eq, search`."
    )
    assert (
        http.get(gab.url + KEUANGAN, params={"sort": "-anggaran"}, headers=headers).status_code
        == 200
    )
    assert (
        http.get(gab.url + KEUANGAN, params={"sort": "tahun"}, headers=headers).status_code == 500
    )
    assert (
        http.get(gab.url + KEUANGAN, params={"filter[tahun]": 2001}, headers=headers).json()["data"]
        == []
    )
    pages = http.get(
        gab.url + KEUANGAN,
        params={"filter[kode_desa]": DESA, "filter[tahun]": 2026, "page[number]": 2},
        headers=headers,
    ).json()
    assert pages["meta"]["pagination"]["per_page"] == 30
    assert list(pages["links"]) == ["self", "first", "prev", "last"]


def test_kelurahan_have_no_budget(villages, http):
    kelurahan = [v for v in villages if v.kode_desa[-4] == "1"][:1]
    with GabunganSimulator(kelurahan, port=0) as sim:
        headers = signin(sim, http)
        r = http.get(
            sim.url + KEUANGAN,
            params={"filter[kode_desa]": kelurahan[0].kode_digits},
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["data"] == []
        assert r.json()["meta"]["pagination"]["total"] == 0


# ------------------------------------------------------------------ faults


def test_faults_by_village_kecamatan_or_everything(kerkap, http):
    a, b = kerkap[1], kerkap[2]
    with GabunganSimulator(kerkap, port=0, faults={a.kode_desa: "500"}) as sim:

        def get(**params) -> requests.Response:
            return http.get(sim.url + STATISTIK, params={"filter[id]": "agama", **params})

        r = get(**{"filter[desa]": a.kode_digits})
        assert r.status_code == 500 and r.json() == {"message": "Server Error"}
        assert get().status_code == 500  # the whole database includes village a
        assert get(**{"filter[desa]": b.kode_digits}).status_code == 200
        sim.set_fault(a.kode_desa, None)
        sim.set_fault(b.kode_digits, "429")
        for _ in range(2):
            r = get(**{"filter[desa]": b.kode_digits})
            assert r.status_code == 429 and r.headers["Retry-After"] == "1"
            assert r.json() == {"message": "Too Many Attempts."}
            assert r.headers["X-RateLimit-Remaining"] == "0" and r.headers["X-RateLimit-Limit"]
        assert get(**{"filter[desa]": b.kode_digits}).status_code == 200
        sim.set_fault(KERKAP, "401")
        r = get(**{"filter[desa]": a.kode_digits})
        assert r.status_code == 401 and r.json() == {"message": "Unauthenticated."}
        sim.set_fault(KERKAP, None)
        sim.set_fault("*", "500")
        assert http.post(sim.url + SIGNIN, json={}).status_code == 500
        sim.set_fault("*", None)
        with pytest.raises(ValueError):
            sim.set_fault("*", "wrong-code")
    assert {"sum-mismatch", "ability", "token-expiry"} <= set(GABUNGAN_FAULT_MODES)


def test_data_faults(kerkap, http):
    a = kerkap[1]
    params = {"filter[id]": "agama", "filter[desa]": a.kode_digits}
    with GabunganSimulator(kerkap, port=0) as sim:

        def rows_with(mode: str) -> dict[str, dict]:
            sim.set_fault(a.kode_desa, mode)
            r = http.get(sim.url + STATISTIK, params=params)
            assert r.status_code == 200
            return by_id(r.json()["data"])

        rows = rows_with("sum-mismatch")
        assert rows["66666"]["jumlah"] + rows["77777"]["jumlah"] != rows["88888"]["jumlah"]
        rows = rows_with("unknown-code")
        assert (
            rows["99"]["nama"] == "LAINNYA (BARU)" and rows["99"]["kriteria"] == '{"agama_id":99}'
        )
        assert rows["66666"]["jumlah"] + rows["77777"]["jumlah"] == rows["88888"]["jumlah"]
        rows = rows_with("unknown-fields")
        assert all("x_catatan" in r for r in rows.values())
        rows = rows_with("negative")
        assert min(r["laki_laki"] for r in rows.values()) < 0
        sim.set_fault(a.kode_desa, "bad-json")
        with pytest.raises(ValueError):
            http.get(sim.url + STATISTIK, params=params).json()
        headers = signin(sim, http)
        sim.set_fault(a.kode_desa, "sum-mismatch")
        accounts = by_id(
            http.get(
                sim.url + KEUANGAN,
                params={
                    "filter[kode_desa]": a.kode_digits,
                    "filter[tahun]": 2026,
                    "page[size]": 500,
                },
                headers=headers,
            ).json()["data"]
        )
        assert int(accounts["4.1"]["anggaran"][:-3]) != children_sum(accounts, "4.1", "anggaran")


def test_token_expiry_is_only_a_fault(kerkap, http):
    with GabunganSimulator(kerkap, port=0, token_ttl_s=0.2) as sim:
        headers = signin(sim, http)
        time.sleep(0.3)
        assert http.get(sim.url + KEUANGAN, headers=headers).status_code == 200  # Sanctum: never
        sim.set_fault("*", "token-expiry")
        assert http.get(sim.url + KEUANGAN, headers=headers).status_code == 401
        fresh = signin(sim, http)
        assert http.get(sim.url + KEUANGAN, headers=fresh).status_code == 200


def test_transport_faults(kerkap, http):
    a = kerkap[1]
    params = {"filter[id]": "agama", "filter[desa]": a.kode_digits}
    with GabunganSimulator(
        kerkap, port=0, slow_ms=300, drip_seconds=0.8, drip_gap=0.1, hold_seconds=5
    ) as sim:
        sim.set_fault(a.kode_desa, "slow")
        start = time.perf_counter()
        assert http.get(sim.url + STATISTIK, params=params).status_code == 200
        assert time.perf_counter() - start >= 0.3
        sim.set_fault(a.kode_desa, "drip")
        start = time.perf_counter()
        r = http.get(sim.url + STATISTIK, params=params, timeout=(2, 0.5))
        assert r.status_code == 200 and r.json()["data"]
        assert time.perf_counter() - start >= 0.7
        sim.set_fault(a.kode_desa, "too-large")
        with http.get(sim.url + STATISTIK, params=params, stream=True) as r:
            assert int(r.headers["Content-Length"]) > 25 * 1024 * 1024
            assert next(r.iter_content(16)).startswith(b"{")
        sim.set_fault(a.kode_desa, "timeout")
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.get(sim.url + STATISTIK, params=params, timeout=(2, 0.3))
