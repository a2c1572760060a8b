"""A hostile or broken village cannot hurt the sweep or the warehouse (issue 10).

Every case is a fake village on loopback (tests/fake_village.py: a real HTTP server answering
what the test writes, the simulator answering everything else) pulled by a real sweep into a
warehouse on SQLite and on PostgreSQL: the village's bad dataset fails with a reason that names
the village, the dataset and what was wrong, its previous values stay, and every other dataset
and village lands.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import replace

import pandas as pd
import pytest

from collectors.sweep import run_sweep
from config.settings import Settings
from simulator.gabungan import DEFAULT_EMAIL, DEFAULT_PASSWORD, GabunganSimulator
from simulator.http import Reply
from tests.conftest import pointed_at
from tests.fake_village import FakeVillage, Seen, json_answer
from warehouse.accounts import Actor

KERKAP = "17.03.06"
SUMMARY = "/api/village-summary/v1"
SETTINGS = Settings(
    concurrency=8, connect_timeout=2, read_timeout=5, retries=1, backoff=0.01, tahun=2026
)


def kerkap_desa(villages, count: int) -> list:
    """Desa (not kelurahan: they have an APBDes) of Kerkap."""
    return [v for v in villages if v.kode_kecamatan == KERKAP and v.kode_desa[9] == "2"][:count]


def digits_of(seen: Seen) -> str:
    return seen.path.split("/")[1]


def log_of(store, run_id: int) -> pd.DataFrame:
    return store.fetch_log_frame(run_id).set_index(["kode_desa", "dataset"])


def failed_of(store, run_id: int) -> dict[str, dict[str, str]]:
    """kode_desa -> {dataset: error_code} of a run's failed datasets."""
    log = store.fetch_log_frame(run_id)
    out: dict[str, dict[str, str]] = {}
    for r in log[log.status == "failed"].itertuples():
        out.setdefault(r.kode_desa, {})[r.dataset] = r.error_code
    return out


def codes_of(log: pd.DataFrame) -> set[str]:
    """The reason codes of fetch log rows, the parts of combined reasons included (an OpenSID
    village's totals come from three statistics)."""
    codes = set()
    for code, params in zip(log["error_code"], log["error_params"], strict=True):
        if code == "beberapa":
            codes |= {p["code"] for p in json.loads(params)["bagian"]}
        else:
            codes.add(code)
    return codes


def values(store, kode: str, dataset: str) -> list[dict]:
    """A village's stored values of a dataset, comparable (gaps as None)."""
    obs = store.observations_frame([dataset])
    if not obs.empty:
        mine = obs[obs.kode_desa == kode].drop(columns="updated_run_id").sort_values("kode")
    else:
        meas = store.measurements_frame([dataset], kode=kode)
        mine = meas.drop(columns=["updated_run_id", "updated_at"])
        mine = mine.sort_values(["periode", "kode", "ukuran"])
    return mine.astype(object).where(mine.notna(), None).to_dict("records")


# ------------------------------------------------------------------ 1. bounds, both databases


def test_values_the_warehouse_cannot_store_fail_their_dataset_never_the_sweep(
    store, simulator, default_villages
):
    """An ETag of 5,000 characters, a system version of 100, a label of 120,000, a NUL in a
    label, an age bound past INTEGER, a lone surrogate, an atribut of 5,000 characters: each
    fails its own dataset (or drops the validator) with a reason, the same on SQLite and
    PostgreSQL, the run completes, and nothing out of bounds is stored."""
    a, b, c, d, e, f = kerkap_desa(default_villages, 6)
    hostile = {"on": False}

    def answer(seen: Seen) -> Reply | None:
        digits, tahun = digits_of(seen), int(seen.query["tahun"])
        doc = copy.deepcopy(simulator.document(digits, tahun)[0])
        headers = {"ETag": f'"{digits}-{tahun}"'}
        if hostile["on"]:
            stats = {s["slug"]: s for s in doc["statistics"]}
            if digits == a.kode_digits:
                headers["ETag"] = '"' + "e" * 4998 + '"'
            elif digits == b.kode_digits:
                doc["source"]["version"] = "9" * 100
            elif digits == c.kode_digits:
                stats["agama"]["rows"][0]["label"] = "ISLAM" * 24_000
                stats["pekerjaan"]["rows"][0]["label"] += "\x00"
            elif digits == d.kode_digits:
                stats["rentang-umur"]["rows"][0]["dari"] = 10**10
                doc["bantuan"][0]["nama"] = "Bantuan \ud800"
            elif digits == e.kode_digits:
                doc["pembangunan"][0]["lokasi"] = "x" * 5000
        return json_answer(doc, headers=headers)

    with FakeVillage(answer) as fake:
        villages = pointed_at([a, b, c, d, e, f], fake.url)
        first = run_sweep(villages, store, replace(SETTINGS, tahun=2025))
        assert first.count("failed") == 0
        before = {
            (v.kode_desa, ds): values(store, v.kode_desa, ds)
            for v in villages
            for ds in ("agama", "pekerjaan", "rentang-umur", "bantuan", "pembangunan", "identitas")
        }
        hostile["on"] = True
        started = time.perf_counter()
        second = run_sweep(villages, store, SETTINGS)
    assert time.perf_counter() - started < 30
    assert len(second.outcomes) == 6  # every village was pulled and landed or failed
    runs = store.runs_frame().set_index("id")
    assert runs.loc[second.run_id, "status"] == "completed"
    assert failed_of(store, second.run_id) == {
        b.kode_desa: {"identitas": "field.too_long"},
        c.kode_desa: {"agama": "field.too_long", "pekerjaan": "value.nul"},
        d.kode_desa: {"rentang-umur": "value.out_of_range", "bantuan": "value.not_unicode"},
        e.kode_desa: {"pembangunan": "value.too_long"},
    }
    log = log_of(store, second.run_id)

    def first_of(v, slug: str) -> str:
        doc = simulator.document(v.kode_digits, 2026)[0]
        return next(s for s in doc["statistics"] if s["slug"] == slug)["rows"][0]["code"]

    # the reasons name the village, the dataset and what was wrong
    assert log.loc[(b.kode_desa, "identitas"), "error"] == (
        "source.version: 100 characters, more than 64"
    )
    assert log.loc[(c.kode_desa, "agama"), "error"] == (
        f"statistik agama, kode {first_of(c, 'agama')}.label: 120000 characters, more than 200"
    )
    assert log.loc[(c.kode_desa, "pekerjaan"), "error"] == (
        f"desa {c.kode_desa}, dataset pekerjaan, kode {first_of(c, 'pekerjaan')}: label holds a "
        "NUL character (\\x00), which PostgreSQL cannot store"
    )
    assert log.loc[(d.kode_desa, "rentang-umur"), "error"] == (
        f"desa {d.kode_desa}, dataset rentang-umur, kode {first_of(d, 'rentang-umur')}: dari "
        "10000000000 is outside what the warehouse stores (-2147483648 to 2147483647)"
    )
    program = simulator.document(d.kode_digits, 2026)[0]["bantuan"][0]["program_id"]
    assert log.loc[(d.kode_desa, "bantuan"), "error"] == (
        f"desa {d.kode_desa}, dataset bantuan, kode {program} peserta: label is not valid "
        "Unicode (a lone surrogate, e.g. from a JSON \\ud800 escape)"
    )
    project = simulator.document(e.kode_digits, 2026)[0]["pembangunan"][0]
    assert log.loc[(e.kode_desa, "pembangunan"), "error"].startswith(
        f"desa {e.kode_desa}, dataset pembangunan, kode {project['id']} periode "
        f"{project['tahun_anggaran']} anggaran: atribut is "
    )
    assert json.loads(log.loc[(e.kode_desa, "pembangunan"), "error_params"])["batas"] == 4000
    # the refused datasets kept their previous values; the others landed this year's
    for kode, datasets in failed_of(store, second.run_id).items():
        for ds in datasets:
            assert values(store, kode, ds) == before[(kode, ds)], (kode, ds)
    for v in (a, b, c, d, e, f):
        served = simulator.document(v.kode_digits, 2026)[0]["totals"]["penduduk"]["total"]
        totals = store.observations_frame(["total"]).set_index(["kode_desa", "kode"])["jumlah"]
        assert totals[(v.kode_desa, "penduduk")] == served
    # an ETag the warehouse cannot keep: landed all the same, no validator, a warning says so
    assert {o.kode_desa: o.status for o in second.outcomes}[a.kode_desa] == "ok"
    state = store.source_state_frame().set_index("kode_desa")
    assert pd.isna(state.loc[a.kode_desa, "etag"])
    assert "ETag not kept (5000 characters" in log.loc[(a.kode_desa, "total"), "warning"]
    assert state.loc[f.kode_desa, "etag"] == f'"{f.kode_digits}-2026"'
    # a system version the column cannot hold is not stored; the one seen before stays
    assert (
        state.loc[b.kode_desa, "source_version"]
        == (simulator.document(b.kode_digits, 2025)[0]["source"]["version"])
    )
    # nothing out of bounds reached either database
    obs, meas = store.observations_frame(), store.measurements_frame()
    assert obs["label"].str.len().max() <= 200 and meas["label"].str.len().max() <= 300
    assert not obs["label"].str.contains("\x00").any()
    assert obs[["dari", "sampai"]].max().max() <= 2**31 - 1


# ------------------------------------------------------------------ 5. categories and labels


def _opensid_statistic(simulator, seen: Seen) -> dict:
    reply = simulator.answer(seen.raw_path, seen.headers)
    return json.loads(reply.body)


def test_a_village_with_150000_categories_is_refused_by_every_adapter(
    store, simulator, default_villages
):
    """One statistic with 150,000 categories, another with a 100,000-character label, from a
    summary-v1, an OpenSID and a Gabungan village: each refused with a reason naming the
    statistic and the bound every adapter shares, before the pages ever see them; the
    village's other statistics land."""
    from collectors.adapters.common import MAX_CATEGORIES

    s1, osid, gab = kerkap_desa(default_villages, 3)
    many = 150_000
    long_label = "A" * 100_000

    def village_answer(seen: Seen) -> Reply | None:
        digits = digits_of(seen)
        if digits == s1.kode_digits and seen.path.endswith(SUMMARY):
            doc = copy.deepcopy(simulator.document(digits, 2026)[0])
            stats = {s["slug"]: s for s in doc["statistics"]}
            stats["agama"]["rows"] += [
                {"code": f"x{i}", "label": f"X{i}", "total": 0, "laki": 0, "perempuan": 0}
                for i in range(many)
            ]
            stats["pekerjaan"]["rows"][0]["label"] = long_label
            return json_answer(doc)
        if digits == osid.kode_digits and "/internal_api/statistik/" in seen.path:
            key = seen.path.rsplit("/", 1)[1]
            if key not in ("3", "1"):
                return None
            doc = _opensid_statistic(simulator, seen)
            if key == "3":
                extra = [{"type": "statistik", "id": f"9{i}", "attributes": {
                    "nama": f"X{i}", "jumlah": 0, "laki": 0, "perempuan": 0}}
                    for i in range(many)]  # fmt: skip
                doc["data"] = extra + doc["data"]
            else:
                doc["data"][0]["attributes"]["nama"] = long_label
            return json_answer(doc)
        return None

    gab_sim = GabunganSimulator([gab], port=0)

    def gabungan_answer(seen: Seen) -> Reply | None:
        if seen.path != "/api/v1/statistik-web/penduduk":
            return None
        which = seen.query.get("filter[id]")
        if which not in ("agama", "pekerjaan"):
            return None
        doc = json.loads(gab_sim.answer(seen.raw_path, seen.headers).body)
        if which == "agama":
            # (no kriteria: the body stays under the 20 MB every answer is held to)
            doc["data"] = [{"type": "statistik", "id": str(1000 + i), "attributes": {
                "nama": f"X{i}", "jumlah": 0, "laki_laki": 0, "perempuan": 0}}
                for i in range(many)] + doc["data"]  # fmt: skip
        else:
            doc["data"][0]["attributes"]["nama"] = long_label
        return json_answer(doc)

    with (
        FakeVillage(village_answer, behind=simulator) as fake,
        gab_sim,
        FakeVillage(gabungan_answer, behind=gab_sim) as fake_gab,
    ):
        villages = [
            *pointed_at([s1], fake.url),
            *pointed_at([osid], fake.url, "opensid"),
            replace(gab, adapter="gabungan", base_url=fake_gab.url,
                    token_spec=f"{DEFAULT_EMAIL}:{DEFAULT_PASSWORD}"),
        ]  # fmt: skip
        started = time.perf_counter()
        summary = run_sweep(villages, store, replace(SETTINGS, read_timeout=10))
    assert time.perf_counter() - started < 60
    assert failed_of(store, summary.run_id) == {
        s1.kode_desa: {"agama": "category.too_many", "pekerjaan": "field.too_long"},
        osid.kode_desa: {"agama": "category.too_many", "pekerjaan": "category.too_long"},
        gab.kode_desa: {"agama": "category.too_many", "pekerjaan": "field.too_long"},
    }
    log = log_of(store, summary.run_id)
    served = simulator.document(s1.kode_digits, 2026)[0]["statistics"]
    agama_rows = len(next(s for s in served if s["slug"] == "agama")["rows"])
    assert log.loc[(s1.kode_desa, "agama"), "error"] == (
        f"statistik agama: {many + agama_rows} rows, more than {MAX_CATEGORIES} categories"
    )
    for v in (osid, gab):
        error = log.loc[(v.kode_desa, "agama"), "error"]
        assert f"rows, more than {MAX_CATEGORIES} categories" in error and "agama" in error
        assert json.loads(log.loc[(v.kode_desa, "agama"), "error_params"])["batas"] == 1000
    obs = store.observations_frame()
    assert obs.groupby(["kode_desa", "dataset"]).size().max() <= MAX_CATEGORIES + 3
    assert not obs[obs.dataset == "agama"]["kode_desa"].isin([s1.kode_desa]).any()
    for v in villages:  # the other statistics landed
        assert {"total", "golongan-darah"} <= set(obs[obs.kode_desa == v.kode_desa]["dataset"])


# ------------------------------------------------------------------ 6. NaN, Infinity, 1e309


def test_nan_infinity_and_1e309_are_refused_as_counts_and_amounts_everywhere(
    store, simulator, default_villages
):
    """NaN, Infinity and 1e309 in counts and amounts, from each adapter: the dataset fails
    with the field named, its previous values stay, and no stored value is not finite
    ("Rp inf" on Keuangan, HTTP 500 on the APBDes API)."""
    s1, osid, gab = kerkap_desa(default_villages, 3)
    hostile = {"on": False}

    def village_answer(seen: Seen) -> Reply | None:
        if not hostile["on"]:
            return None
        digits = digits_of(seen)
        if digits == s1.kode_digits and seen.path.endswith(SUMMARY):
            doc = copy.deepcopy(simulator.document(digits, 2026)[0])
            doc["apbdes"][0]["anggaran"] = float("nan")
            doc["pembangunan"][0]["anggaran"] = float("inf")
            doc["bantuan"][0]["peserta"] = "__1e309__"
            next(s for s in doc["statistics"] if s["slug"] == "agama")["rows"][0]["total"] = float(
                "nan"
            )
            return json_answer(doc, raw={"__1e309__": "1e309"})
        if digits == osid.kode_digits and seen.path.endswith("/internal_api/statistik/3"):
            doc = _opensid_statistic(simulator, seen)
            doc["data"][0]["attributes"]["jumlah"] = "__1e309__"
            return json_answer(doc, raw={"__1e309__": "1e309"})
        if digits == osid.kode_digits and seen.path.endswith("/internal_api/pembangunan"):
            doc = _opensid_statistic(simulator, seen)
            if doc["data"]:
                doc["data"][0]["attributes"]["anggaran"] = "NaN"
            return json_answer(doc)
        return None

    gab_sim = GabunganSimulator([gab], port=0)

    def gabungan_answer(seen: Seen) -> Reply | None:
        if not hostile["on"]:
            return None
        if seen.path == "/api/v1/keuangan/summary":
            doc = json.loads(gab_sim.answer(seen.raw_path, seen.headers).body)
            doc["data"][0]["attributes"]["anggaran"] = "__1e309__"
            return json_answer(doc, raw={"__1e309__": "1e309"})
        if seen.path == "/api/v1/statistik-web/penduduk" and seen.query.get("filter[id]") == (
            "agama"
        ):
            doc = json.loads(gab_sim.answer(seen.raw_path, seen.headers).body)
            doc["data"][0]["attributes"]["laki_laki"] = float("nan")
            return json_answer(doc)
        return None

    with (
        FakeVillage(village_answer, behind=simulator) as fake,
        gab_sim,
        FakeVillage(gabungan_answer, behind=gab_sim) as fake_gab,
    ):
        villages = [
            *pointed_at([s1], fake.url),
            *pointed_at([osid], fake.url, "opensid"),
            replace(gab, adapter="gabungan", base_url=fake_gab.url,
                    token_spec=f"{DEFAULT_EMAIL}:{DEFAULT_PASSWORD}"),
        ]  # fmt: skip
        first = run_sweep(villages, store, SETTINGS)
        assert first.count("failed") == 0, first.failed
        datasets = ("apbdes", "pembangunan", "bantuan", "agama")
        keep = {(v.kode_desa, ds): values(store, v.kode_desa, ds)
                for v in villages for ds in datasets}  # fmt: skip
        hostile["on"] = True
        second = run_sweep(villages, store, SETTINGS)
    failed = failed_of(store, second.run_id)
    assert failed == {
        s1.kode_desa: {"apbdes": "amount.not_number", "pembangunan": "amount.not_number",
                       "bantuan": "count.not_number", "agama": "count.not_number"},
        osid.kode_desa: {"agama": "count.not_number", "pembangunan": "amount.not_number"},
        gab.kode_desa: {"apbdes": "amount.not_number", "agama": "count.not_number"},
    }  # fmt: skip
    log = log_of(store, second.run_id)
    assert log.loc[(s1.kode_desa, "apbdes"), "error"] == (
        "apbdes 2026, akun 4.anggaran: amount nan is not a finite number"
    )
    assert log.loc[(s1.kode_desa, "bantuan"), "error"] == (
        "bantuan, program 2.peserta: count inf is not a number"
    )
    assert "count inf is not a number" in log.loc[(osid.kode_desa, "agama"), "error"]
    assert (
        "anggaran: amount nan is not a finite number"
        in (log.loc[(osid.kode_desa, "pembangunan"), "error"])
    )
    assert "anggaran inf is not a number" in log.loc[(gab.kode_desa, "apbdes"), "error"]
    for kode, datasets in failed.items():
        for ds in datasets:
            assert values(store, kode, ds) == keep[(kode, ds)], (kode, ds)
    nilai = store.measurements_frame()["nilai"].dropna()
    assert nilai.map(math.isfinite).all()


def test_a_spreadsheet_with_nan_infinity_or_1e309_loads_nothing(store, default_villages):
    from collectors.spreadsheet import import_file

    a = kerkap_desa(default_villages, 1)[0]
    lines = ["desa_id,no_akun,nama_akun,jumlah"]
    for i, bad in enumerate(("NaN", "Infinity", "1e309", "1" + "0" * 400, "-inf"), start=1):
        lines.append(f"{a.kode_digits},4.{i},Akun {i},{bad}")
    report = import_file(
        store,
        "apbdes",
        "\n".join(lines).encode(),
        "x.csv",
        tahun=2026,
        bulan=1,
        villages=[a],
        actor=Actor.system("test"),
    )
    assert not report.ok
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "number.invalid"), (3, "number.invalid"), (4, "number.invalid"),
        (5, "number.too_large"), (6, "number.invalid"),
    ]  # fmt: skip
    assert store.measurements_frame().empty


# ------------------------------------------------------------------ 2. imports and validators


def test_an_import_never_stops_the_villages_own_figures_from_being_pulled_again(
    store, simulator, default_villages
):
    """An APBDes upload (OpenDK's: one month's anggaran, issue 11) lands beside the village's
    collected year and never over it; the village's ETag is dropped all the same, so the next
    sweep fetches its document whole and its own figures stand, the month kept beside them.
    A file that changes nothing leaves the validator alone."""
    from collectors.spreadsheet import import_file

    a, b = kerkap_desa(default_villages, 2)
    villages = pointed_at([a, b], simulator.url)
    first = run_sweep(villages, store, SETTINGS)
    assert first.count("ok") == 2
    collected = values(store, a.kode_desa, "apbdes")
    etags = store.etags("summary-v1")
    assert set(etags) == {a.kode_desa, b.kode_desa}
    month = b"no_akun,nama_akun,jumlah\n421-01,Dana Desa,1\n"
    report = import_file(
        store, "apbdes", month, "x.csv", tahun=2026, bulan=1, region=a.kode_desa,
        villages=villages, actor=Actor.system("test"),
    )  # fmt: skip
    assert report.ok and report.statuses == {a.kode_desa: "ok"}
    stored = values(store, a.kode_desa, "apbdes")
    imported = {r["kode"]: r["nilai"] for r in stored if r["periode"] == "202601"}
    assert imported == {"4.2.1.01": 1, "4.2.1": 1, "4.2": 1, "4": 1}
    assert [r for r in stored if r["periode"] != "202601"] == collected  # the village's own
    assert store.etags("summary-v1") == {b.kode_desa: etags[b.kode_desa]}  # a's is dropped
    second = run_sweep(villages, store, SETTINGS)
    outcome = {o.kode_desa: o.status for o in second.outcomes}
    assert outcome[b.kode_desa] == "unchanged" and outcome[a.kode_desa] in ("ok", "unchanged")
    again_stored = values(store, a.kode_desa, "apbdes")
    assert [r for r in again_stored if r["periode"] != "202601"] == collected
    assert store.etags("summary-v1") == etags
    # the same file again changes nothing and leaves the validator alone
    again = import_file(
        store, "apbdes", month, "y.csv", tahun=2026, bulan=1, region=a.kode_desa,
        villages=villages, actor=Actor.system("test"),
    )  # fmt: skip
    assert again.statuses == {a.kode_desa: "unchanged"}
    assert store.etags("summary-v1") == etags


# ------------------------------------------------------------------ 3. Retry-After


def test_retry_after_is_capped_by_the_deadlines_and_said_as_429(store, default_villages):
    """`429 Retry-After: 40` from a summary-v1, an OpenSID and a Gabungan village, with a 30 s
    village deadline: none is waited for (urllib3 would have slept 80 s per village), each
    fails at once with a reason saying HTTP 429 and the wait asked; a Retry-After that fits
    (1 s) is waited out and the village lands."""
    s1, osid, gab, patient = kerkap_desa(default_villages, 4)
    asked = {"patient": 0}

    def answer(seen: Seen) -> Reply | None:
        if seen.path.startswith(f"/{patient.kode_digits}/"):
            asked["patient"] += 1
            if asked["patient"] == 1:
                return Reply(429, b"{}", {"Retry-After": "1"})
            return None
        if seen.path.startswith(f"/{s1.kode_digits}/"):
            # an HTTP date a minute ahead is as good as 60 seconds
            when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
            return Reply(429, b"{}", {"Retry-After": when})
        return Reply(429, b'{"message": "Too Many Attempts."}', {"Retry-After": "40"})

    from simulator.villages import Simulator

    with Simulator([patient], port=0, seed=7) as behind, FakeVillage(answer, behind=behind) as fake:
        villages = [
            *pointed_at([s1, patient], fake.url),
            *pointed_at([osid], fake.url, "opensid"),
            replace(gab, adapter="gabungan", base_url=fake.url + "/gabungan"),
        ]
        settings = replace(SETTINGS, retries=2, village_deadline=30, request_deadline=20)
        started = time.perf_counter()
        summary = run_sweep(villages, store, settings)
        took = time.perf_counter() - started
    assert took < 15, took  # not 40 s, let alone 80 s, per village
    outcome = {o.kode_desa: o.status for o in summary.outcomes}
    assert outcome == {s1.kode_desa: "failed", osid.kode_desa: "failed",
                       gab.kode_desa: "failed", patient.kode_desa: "ok"}  # fmt: skip
    assert asked["patient"] == 2  # the one that fitted was waited out, once
    log = store.fetch_log_frame(summary.run_id)
    for v in (s1, osid, gab):
        mine = log[log.kode_desa == v.kode_desa]
        assert (mine["status"] == "failed").all() and (mine["http_status"] == 429).all()
        assert codes_of(mine) == {"http.retry_after_too_long"}, v.adapter
        for text in mine["error"]:
            assert "HTTP 429" in text and "(Retry-After)" in text and "slow drip" not in text
    agama = log[(log.kode_desa == osid.kode_desa) & (log.dataset == "agama")].iloc[0]
    params = json.loads(agama["error_params"])
    assert params["detik"] == 40 and params["http_status"] == 429 and params["batas"] <= 20


# ------------------------------------------------------------------ 4. redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_credentials_and_tokens_go_only_to_the_origin_configured(
    store, simulator, default_villages, status, monkeypatch
):
    """A village (summary-v1 with a bearer token, OpenSID, a Gabungan sign-in and its token)
    that redirects to another origin: nothing at all reaches that origin, neither the token,
    nor the email and password of the sign-in, nor any request; the dataset fails with a reason
    saying why. A redirect within the village's own origin is followed, token and all."""
    s1, osid, gab, moved = kerkap_desa(default_villages, 4)
    monkeypatch.setenv("HOSTILE_TOKEN", "rahasia-desa")

    with FakeVillage() as elsewhere:
        away = elsewhere.url + "/steal"

        def answer(seen: Seen) -> Reply | None:
            if seen.path.startswith(f"/{moved.kode_digits}/api/"):
                return Reply(
                    status, b"", {"Location": f"/{moved.kode_digits}/v2{SUMMARY}?tahun=2026"}
                )
            if seen.path.startswith(f"/{moved.kode_digits}/v2/"):
                if seen.header("Authorization") != "Bearer rahasia-desa":
                    return Reply(401, b"{}")
                return json_answer(simulator.document(moved.kode_digits, 2026)[0])
            if seen.path.startswith((f"/{s1.kode_digits}/", f"/{osid.kode_digits}/")):
                return Reply(status, b"", {"Location": away})
            if seen.path == "/api/v1/signin":
                return Reply(status, b"", {"Location": away})
            return None

        gab_sim = GabunganSimulator([gab], port=0)
        with gab_sim, FakeVillage(answer, behind=gab_sim) as fake:
            villages = [
                *(replace(v, token_spec="env:HOSTILE_TOKEN")
                  for v in pointed_at([s1, moved], fake.url)),
                *pointed_at([osid], fake.url, "opensid"),
                replace(gab, adapter="gabungan", base_url=fake.url,
                        token_spec=f"{DEFAULT_EMAIL}:{DEFAULT_PASSWORD}"),
            ]  # fmt: skip
            summary = run_sweep(villages, store, SETTINGS)
    assert elsewhere.seen == []  # not one request, header or body reached the other origin
    outcome = {o.kode_desa: o.status for o in summary.outcomes}
    assert outcome == {s1.kode_desa: "failed", osid.kode_desa: "failed",
                       gab.kode_desa: "failed", moved.kode_desa: "ok"}  # fmt: skip
    log = store.fetch_log_frame(summary.run_id)
    failed = log[log.status == "failed"]
    assert codes_of(failed) == {"http.redirect_other_origin"}
    assert set(failed["kode_desa"]) == {s1.kode_desa, osid.kode_desa, gab.kode_desa}
    # the Gabungan village's public statistics landed; only the APBDes needed the sign-in
    assert set(failed[failed.kode_desa == gab.kode_desa]["dataset"]) == {"apbdes"}
    text = failed.iloc[0]["error"]
    assert f"HTTP {status}: redirected to {elsewhere.url}" in text and "base_url" in text
    assert "rahasia" not in " ".join(log["error"].dropna())


# ------------------------------------------------------------------ 9. no address in public text


def test_the_public_reason_of_a_failed_connection_names_no_host(store, default_villages):
    """A village whose system refuses connections: the original text keeps the host and port
    (for operators), the reason the pages render names neither, in either language."""
    import socket

    from i18n.reasons import render_reason

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    a, b = kerkap_desa(default_villages, 2)
    villages = [
        *pointed_at([a], f"http://127.0.0.1:{port}"),
        *pointed_at([b], f"http://127.0.0.1:{port}", "opensid"),
    ]
    summary = run_sweep(villages, store, replace(SETTINGS, retries=0))
    assert summary.count("failed") == 2
    status = store.dataset_status_frame()
    # (OpenSID's totals come from three statistics: their reasons are combined)
    assert set(status["last_error_code"]) == {"http.connection_refused", "beberapa"}
    for r in status.itertuples():
        assert f"127.0.0.1', port={port}" in r.last_error  # the operator's text keeps it
        for lang in ("id", "en"):
            shown = render_reason(r.last_error_code, r.last_error_params, r.last_error, lang)
            assert "127.0.0.1" not in shown and str(port) not in shown, shown
    shown = render_reason(status.iloc[0]["last_error_code"], None, "x", "id")
    assert shown == "sistem desa menolak sambungan (layanan mati atau port salah?)"


def test_connection_failures_are_told_by_kind_and_any_other_detail_loses_its_address():
    from collectors.http import connection_error, host_free

    cases = {
        "http.dns": "HTTPConnection(host='desa.internal', port=8700): Failed to resolve "
        "'desa.internal' ([Errno -2] Name or service not known)",
        "http.connection_reset": "('Connection aborted.', ConnectionResetError(104, "
        "'Connection reset by peer'))",
        "http.unreachable": "HTTPConnection(host='10.0.0.5', port=8700): Failed to establish a "
        "new connection: [Errno 113] No route to host",
    }
    for code, message in cases.items():
        error = connection_error(Exception(message))
        assert (error.code, error.params) == (code, {}), message
        assert str(error).startswith("connection failed: ")  # the original, for operators
    assert "desa.internal" in str(connection_error(Exception(cases["http.dns"])))
    other = connection_error(Exception(
        "HTTPConnectionPool(host='10.0.0.5', port=8700): Max retries exceeded with url: "
        "/1703062001/api/village-summary/v1?tahun=2026 (Caused by ProxyError('Unable to "
        "connect to proxy', OSError('Tunnel connection failed: 403 at proxy.lan:3128')))"
    ))  # fmt: skip
    assert other.code == "http.connection"
    detail = other.params["detail"]
    for secret in ("10.0.0.5", "8700", "proxy.lan", "3128", "1703062001"):
        assert secret not in detail, detail
    assert "Tunnel connection failed: 403" in detail
    assert host_free("see http://10.0.0.5:8700/x and [fe80::1]:80 at 12:30") == (
        "see … and … at 12:30"
    )


# ------------------------------------------------------------------ 10. whole numbers in CSV


def test_dasbor_export_prints_counts_as_whole_numbers(collected_store):
    """Every statistic exported at every level: counts are "97", never "97.0"."""
    import io

    from aggregates.load import load_population
    from aggregates.population import export_frame, statistic_table
    from config.statistik import PULLED_SLUGS

    data = load_population(collected_store)
    for slug in PULLED_SLUGS:
        for tingkat in ("desa", "kabupaten"):
            text = export_frame(statistic_table(data, slug, tingkat, None)).to_csv(index=False)
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            for column in ("laki_laki", "perempuan", "jumlah"):
                assert table[column].str.fullmatch(r"\d*").all(), (slug, tingkat, column)
