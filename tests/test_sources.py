"""Every source and validation reason over real HTTP: the Gabungan API, OpenSID villages as
real 2508 answers, and each fault mode the simulator can play, recorded with its reason."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

import pytest

from collectors.adapters import gabungan
from collectors.sweep import run_sweep
from config.registry import parse_registry, registry_csv
from config.statistik import PULLED_SLUGS
from simulator.gabungan import GabunganSimulator
from simulator.villages import Simulator
from tests.conftest import pointed_at

KERKAP = "17.03.06"
CREDENTIALS = "operator@desa.test:rahasia-kecamatan"


@contextmanager
def faults(simulator, **modes):
    for kode, mode in modes.items():
        simulator.set_fault(kode, mode)
    try:
        yield
    finally:
        for kode in modes:
            simulator.set_fault(kode, None)


@pytest.fixture
def gabungan_villages(default_villages, monkeypatch):
    """One registry row standing for every village of Kerkap, on a Gabungan source."""
    monkeypatch.setenv("GABUNGAN_LOGIN", CREDENTIALS)
    sim = GabunganSimulator(
        [replace(v, token_spec="env:GABUNGAN_LOGIN") for v in default_villages
         if v.kode_kecamatan == KERKAP],
        port=0, seed=7,
    )  # fmt: skip
    sim.start()
    row = {"kode_desa": KERKAP, "nama_desa": "", "kode_kecamatan": "", "nama_kecamatan": "",
           "adapter": "gabungan", "base_url": sim.url, "token": "env:GABUNGAN_LOGIN"}  # fmt: skip
    villages = parse_registry(registry_csv([row]))
    yield sim, villages
    sim.stop()


def test_gabungan_source_lands_every_village(store, gabungan_villages, simulator, fast_settings):
    sim, villages = gabungan_villages
    assert len(villages) > 10 and {v.scope for v in villages} == {KERKAP}
    summary = run_sweep(villages, store, fast_settings)
    assert summary.count("failed") == 0, summary.failed[:2]
    obs = store.observations_frame()
    # every statistic the server can give one village (gabungan.NOT_SERVED says why not the rest)
    assert set(obs["dataset"]) == {"total", *(s for s in PULLED_SLUGS if s in gabungan.SOURCES)}
    # the same numbers as the village's own summary document (same seed and year)
    for v in villages[:3]:
        doc = simulator.document(v.kode_digits, fast_settings.tahun)[0]
        mine = obs[obs.kode_desa == v.kode_desa]
        pend = mine[(mine.dataset == "total") & (mine.kode == "penduduk")].iloc[0]
        assert pend["jumlah"] == doc["totals"]["penduduk"]["total"]
        pekerjaan = next(s for s in doc["statistics"] if s["slug"] == "pekerjaan")
        rows = mine[mine.dataset == "pekerjaan"].set_index("kode")
        # the server lists only the occupations someone has
        assert {r["code"]: r["total"] for r in pekerjaan["rows"] if r["total"]} == {
            k: rows.loc[k, "jumlah"] for k in rows.index if k not in ("belum_mengisi", "total")
        }
    apbdes = store.measurements_frame(["apbdes"])
    desa = [v for v in villages if v.kode_desa[9] == "2"][0]
    doc = simulator.document(desa.kode_digits, fast_settings.tahun)[0]
    mine = apbdes[(apbdes.kode_wilayah == desa.kode_desa) & (apbdes.ukuran == "anggaran")]
    landed = dict(zip(mine["kode"], mine["nilai"], strict=True))
    # the server's accounts go down to level 4 (sub-accounts of the village's own); level 1,
    # which OpenSID leaves at 0 or stale, is taken as the sum of its children: the village's
    # own budget, account by account
    served = {a["kode"]: a for a in sim.apbdes(desa.kode_digits, fast_settings.tahun)}
    assert set(landed) == set(served) > {a["kode"] for a in doc["apbdes"]}
    assert {a["kode"]: float(a["anggaran"]) for a in doc["apbdes"]} == {
        a["kode"]: landed[a["kode"]] for a in doc["apbdes"]
    }
    assert all(landed[k] == a["anggaran"] for k, a in served.items() if a["parent"])


def test_gabungan_expired_token_signs_in_again(sqlite_store, gabungan_villages, fast_settings):
    sim, villages = gabungan_villages
    run_sweep(villages[:2], sqlite_store, fast_settings)
    sim.expire_tokens()  # deleted, as signing in elsewhere with the same account does
    summary = run_sweep(villages[:2], sqlite_store, fast_settings)
    assert summary.count("failed") == 0
    assert sim.token_count() == 1


def test_gabungan_wrong_password_says_so(
    sqlite_store, gabungan_villages, fast_settings, monkeypatch
):
    sim, villages = gabungan_villages
    monkeypatch.setenv("GABUNGAN_LOGIN", "operator@desa.test:salah")
    gabungan._tokens.clear()
    summary = run_sweep(villages[:2], sqlite_store, fast_settings)
    assert summary.count("failed") == 2
    errors = [e for o in summary.failed for e in o.errors]
    assert any("sign-in refused (HTTP 401)" in e for e in errors), errors
    # only the APBDes needs the token: the public statistics still landed
    status = sqlite_store.dataset_status_frame()
    failed = status[status.last_status == "failed"]
    assert set(failed["dataset"]) == {"apbdes"}
    assert sim.token_count() == 0


def _kerkap(default_villages, url, adapter=None):
    return pointed_at([v for v in default_villages if v.kode_kecamatan == KERKAP][:8], url, adapter)


@pytest.mark.parametrize(
    "mode, reason",
    [
        ("401", "HTTP 401: token wrong or expired"),
        ("schema", "schema version '9' unknown"),
        ("sum-mismatch", "statistik agama: rows"),
        ("too-large", "payload too large"),
        ("drip", "slow drip"),
        ("negative", "negative count"),
    ],
)
def test_each_fault_is_recorded_with_its_reason(
    sqlite_store, simulator, default_villages, fast_settings, mode, reason
):
    villages = _kerkap(default_villages, simulator.url)
    settings = replace(fast_settings, request_deadline=1.5)
    # a year earlier: other numbers and other ETags, so the faulty answer is not a 304
    run_sweep(villages, sqlite_store, replace(settings, tahun=settings.tahun - 1))
    bad = villages[0]
    before = sqlite_store.observations_frame().query("kode_desa == @bad.kode_desa")
    with faults(simulator, **{bad.kode_digits: mode}):
        summary = run_sweep(villages, sqlite_store, settings)
    assert [o.kode_desa for o in summary.failed] == [bad.kode_desa]
    assert any(reason in e for e in summary.failed[0].errors), summary.failed[0].errors
    status = sqlite_store.dataset_status_frame()
    failing = status[(status.kode_desa == bad.kode_desa) & (status.last_status == "failed")]
    assert not failing.empty and failing["last_error"].str.contains(reason, regex=False).any()
    # the datasets that failed kept their previous values (one transaction per dataset: a
    # village whose agama does not add up still lands its other statistics)
    failed_sets = set(failing["dataset"])
    after = sqlite_store.observations_frame().query("kode_desa == @bad.kode_desa")
    kept = after[after.dataset.isin(failed_sets)].reset_index(drop=True)
    assert kept.equals(before[before.dataset.isin(failed_sets)].reset_index(drop=True))
    assert summary.count("ok") == len(villages) - 1  # the others landed their new numbers


def test_429_burst_is_waited_out_and_unknown_fields_ignored(
    sqlite_store, simulator, default_villages, fast_settings
):
    villages = _kerkap(default_villages, simulator.url)
    a, b = villages[0], villages[1]
    settings = replace(fast_settings, retries=3, backoff=0.01)
    with faults(simulator, **{a.kode_digits: "429", b.kode_digits: "unknown-fields"}):
        summary = run_sweep(villages, sqlite_store, settings)
    assert summary.count("failed") == 0, summary.failed
    log = sqlite_store.fetch_log_frame(summary.run_id)
    assert "failed" not in set(log[log.kode_desa == a.kode_desa]["status"])
    assert (log[log.kode_desa == a.kode_desa]["http_status"] == 200).all()


def test_unknown_category_code_is_kept_and_flagged(
    sqlite_store, simulator, default_villages, fast_settings
):
    villages = _kerkap(default_villages, simulator.url)
    bad = villages[2]
    with faults(simulator, **{bad.kode_digits: "unknown-code"}):
        summary = run_sweep(villages, sqlite_store, fast_settings)
    assert summary.count("failed") == 0
    obs = sqlite_store.observations_frame()
    agama = obs[(obs.kode_desa == bad.kode_desa) & (obs.dataset == "agama")]
    assert "99" in set(agama["kode"])
    status = sqlite_store.dataset_status_frame().set_index(["kode_desa", "dataset"])
    assert (
        "unknown category code(s) kept: 99" in status.loc[(bad.kode_desa, "agama"), "last_warning"]
    )


def test_opensid_villages_with_real_quirks_land_every_dataset(
    sqlite_store, simulator, default_villages, fast_settings
):
    """Through the opensid adapter, villages with edited and added age brackets, BDT
    households, a family in two programmes and projects without progress reports land every
    dataset with the numbers the village serves (its summary document says the same)."""
    from simulator.synthetic import has_edited_brackets

    edited = [v for v in default_villages if has_edited_brackets(v.kode_digits, 7)][:3]
    kerkap = [v for v in default_villages if v.kode_kecamatan == KERKAP][:3]
    villages = pointed_at(edited + kerkap, simulator.url, "opensid")
    summary = run_sweep(villages, sqlite_store, fast_settings)
    assert summary.count("failed") == 0, summary.failed
    obs = sqlite_store.observations_frame()
    for v in edited + kerkap:
        record = simulator.record(v.kode_digits)
        doc = record.document
        mine = obs[obs.kode_desa == v.kode_desa]
        assert set(mine["dataset"]) == {"total", *PULLED_SLUGS}, v.kode_desa
        for slug in ("rentang-umur", "bdt", "bantuan-keluarga", "akta-kelahiran", "pekerjaan"):
            stat = next(s for s in doc["statistics"] if s["slug"] == slug)
            rows = mine[mine.dataset == slug].set_index("kode")
            assert {r["code"]: r["total"] for r in stat["rows"]} == {
                k: rows.loc[k, "jumlah"]
                for k in rows.index
                if k not in ("belum_mengisi", "total", "jumlah")
            }, (v.kode_desa, slug)
        totals = mine[mine.dataset == "total"].set_index("kode")["jumlah"]
        assert totals["penduduk"] == doc["totals"]["penduduk"]["total"]
        assert totals["keluarga"] == doc["totals"]["keluarga"]
        assert totals["rumah_tangga"] == doc["totals"]["rumah_tangga"]
    assert any(p.progres is None for v in kerkap for p in simulator.record(v.kode_digits).projects)


def test_five_percent_faults_sweep(sqlite_store, default_villages, fast_settings):
    """All 220 villages with 5% faulty: every fault recorded with its reason, the rest lands,
    and failing villages keep the data of the previous sweep."""
    modes = ("500", "bad-json", "wrong-code", "negative", "schema", "sum-mismatch", "401")
    clean = Simulator(default_villages, port=0, seed=3).start()
    faulty = Simulator(default_villages, port=0, seed=3, fault_rate=0.05, fault_modes=modes)
    faulty.start()
    try:
        first = run_sweep(pointed_at(default_villages, clean.url), sqlite_store, fast_settings)
        assert first.count("failed") == 0
        before = sqlite_store.observations_frame().set_index(["kode_desa", "dataset", "kode"])
        second = run_sweep(pointed_at(default_villages, faulty.url), sqlite_store, fast_settings)
        assigned = {
            f"{k[:2]}.{k[2:4]}.{k[4:6]}.{k[6:]}": m for k, m in faulty.assigned_faults().items()
        }
    finally:
        clean.stop()
        faulty.stop()
    assert len(assigned) == 11  # 5% of 220
    assert {o.kode_desa for o in second.failed} == set(assigned)
    assert second.count("unchanged") == 220 - 11
    after = sqlite_store.observations_frame().set_index(["kode_desa", "dataset", "kode"])
    assert after.drop(columns="updated_run_id").equals(before.drop(columns="updated_run_id"))
    log = sqlite_store.fetch_log_frame(second.run_id)
    failed = log[log.status == "failed"]
    assert set(failed["kode_desa"]) == set(assigned) and failed["error"].notna().all()
