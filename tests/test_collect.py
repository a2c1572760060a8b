"""End to end against the real simulator over HTTP: sweep, failures, idempotency, export."""

from __future__ import annotations

import io
import json
from collections import Counter
from contextlib import contextmanager

import pandas as pd
import pytest
import requests
from click.testing import CliRunner

from aggregates.load import load_population
from aggregates.population import export_frame, statistic_table
from collectors.sweep import run_sweep, shard_of
from config.registry import registry_csv
from config.statistik import POPULATION_SLUGS, PULLED_SLUGS
from dashboard.cli import main
from tests.conftest import pointed_at

KERKAP = "17.03.06"


@contextmanager
def faults(simulator, **modes):
    """Give some villages a fault mode for the duration of a test."""
    for kode, mode in modes.items():
        simulator.set_fault(kode, mode)
    try:
        yield
    finally:
        for kode in modes:
            simulator.set_fault(kode, None)


def served_document(simulator, village) -> dict:
    url = f"{simulator.url}/{village.kode_digits}/api/village-summary/v1"
    return requests.get(url, params={"tahun": 2026}, timeout=5).json()


def test_full_sweep_equals_what_the_simulator_served(collected_store, simulator, default_villages):
    """The kabupaten export of agama equals the sum over villages of the served documents."""
    served = Counter()
    for v in default_villages:
        doc = served_document(simulator, v)
        stat = next(s for s in doc["statistics"] if s["slug"] == "agama")
        for row in stat["rows"]:
            served[(row["code"], "jumlah")] += row["total"]
            served[(row["code"], "laki_laki")] += row["laki"]
            served[(row["code"], "perempuan")] += row["perempuan"]
        served[("belum_mengisi", "jumlah")] += stat["belum_mengisi"]["total"]
    runs = collected_store.runs_frame()
    assert runs.iloc[0]["villages_ok"] == 220 and runs.iloc[0]["villages_failed"] == 0
    out = export_frame(statistic_table(load_population(collected_store), "agama", "kabupaten"))
    got = Counter()
    for r in out.itertuples():
        got[(r.kode, "jumlah")] += r.jumlah
        if r.kode != "belum_mengisi":
            got[(r.kode, "laki_laki")] += r.laki_laki
            got[(r.kode, "perempuan")] += r.perempuan
    assert +got == +served


def test_every_dataset_lands_for_every_village(collected_store):
    obs = collected_store.observations_frame()
    per_dataset = obs.groupby("dataset")["kode_desa"].nunique()
    assert per_dataset.to_dict() == {d: 220 for d in ("total", *PULLED_SLUGS)}
    meas = collected_store.measurements_frame()
    assert meas[meas.dataset == "identitas"]["kode_wilayah"].nunique() == 220
    # kelurahan have no APBDes (they are not desa); every desa has one
    apbdes = set(meas[meas.dataset == "apbdes"]["kode_wilayah"])
    assert len(apbdes) == 215 and all(k[9] == "2" for k in apbdes)
    log = collected_store.fetch_log_frame()
    assert "failed" not in set(log["status"])  # an empty list (no projects) lands as unchanged
    # each statistic's total row equals the village's population total
    pend = obs[(obs.dataset == "total") & (obs.kode == "penduduk")].set_index("kode_desa")["jumlah"]
    totals = obs[(obs.dataset == "agama") & (obs.kode == "total")].set_index("kode_desa")["jumlah"]
    assert totals.equals(pend.reindex(totals.index))


def test_second_sweep_is_unchanged_and_changes_nothing(
    store, simulator, default_villages, fast_settings
):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP], simulator.url
    )
    first = run_sweep(villages, store, fast_settings)
    assert first.count("ok") == len(villages)
    before = store.observations_frame()
    second = run_sweep(villages, store, fast_settings)
    assert second.count("unchanged") == len(villages)
    assert set(store.fetch_log_frame(second.run_id)["http_status"]) == {304}
    pd.testing.assert_frame_equal(store.observations_frame(), before)


def test_opensid_adapter_reads_the_same_numbers(store, simulator, default_villages, fast_settings):
    villages = [v for v in default_villages if v.kode_kecamatan == KERKAP]
    summary = run_sweep(pointed_at(villages, simulator.url, "opensid"), store, fast_settings)
    assert summary.count("ok") == len(villages), summary.failed[:2]
    obs = store.observations_frame()
    for v in villages[:3]:
        doc = served_document(simulator, v)
        stored = obs[obs.kode_desa == v.kode_desa]
        pend = stored[(stored.dataset == "total") & (stored.kode == "penduduk")].iloc[0]
        assert pend["jumlah"] == doc["totals"]["penduduk"]["total"]
        fam = stored[(stored.dataset == "total") & (stored.kode == "keluarga")].iloc[0]
        assert fam["jumlah"] == doc["totals"]["keluarga"]
        for stat in doc["statistics"]:
            if stat["slug"] not in POPULATION_SLUGS:
                continue
            rows = stored[stored.dataset == stat["slug"]].set_index("kode")
            for row in stat["rows"]:
                assert rows.loc[row["code"], "jumlah"] == row["total"], (v.kode_desa, stat["slug"])
            assert rows.loc["belum_mengisi", "jumlah"] == stat["belum_mengisi"]["total"]


def test_failing_villages_do_not_harm_the_others(store, simulator, default_villages, fast_settings):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP], simulator.url
    )
    first = run_sweep(villages, store, fast_settings)
    assert first.count("failed") == 0
    before = store.observations_frame().set_index(["kode_desa", "dataset", "kode"])
    bad = {v.kode_digits: v.kode_desa for v in villages[:5]}
    modes = dict(zip(bad, ["timeout", "500", "bad-json", "wrong-code", "negative"], strict=True))
    with faults(simulator, **modes):
        second = run_sweep(villages, store, fast_settings)
    failed = {o.kode_desa: " ".join(o.errors) for o in second.failed}
    assert set(failed) == set(bad.values())
    reasons = {bad[k]: mode for k, mode in modes.items()}
    expect = {
        "timeout": "timeout",
        "500": "HTTP 500",
        "bad-json": "invalid JSON",
        "wrong-code": "wrong village code",
        "negative": "negative count",
    }
    for kode, mode in reasons.items():
        assert expect[mode] in failed[kode], (mode, failed[kode])
    after = store.observations_frame().set_index(["kode_desa", "dataset", "kode"])
    pd.testing.assert_frame_equal(after, before)  # failing villages kept their previous data
    log = store.fetch_log_frame(second.run_id)
    assert set(log[log.status == "failed"]["kode_desa"]) == set(bad.values())
    assert (log[~log.kode_desa.isin(bad.values())]["status"] == "unchanged").all()


def test_new_village_lands_while_another_fails(store, simulator, default_villages, fast_settings):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP], simulator.url
    )
    broken = villages[0]
    with faults(simulator, **{broken.kode_digits: "500"}):
        summary = run_sweep(villages, store, fast_settings)
    assert [o.kode_desa for o in summary.failed] == [broken.kode_desa]
    landed = set(store.observations_frame()["kode_desa"])
    assert landed == {v.kode_desa for v in villages[1:]}


def test_two_shards_equal_one_full_sweep(store, simulator, default_villages, fast_settings):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kabupaten == "17.03"][:40], simulator.url
    )
    parts = [shard_of(villages, i, 2) for i in (1, 2)]
    assert not {v.kode_desa for v in parts[0]} & {v.kode_desa for v in parts[1]}
    for part in parts:
        run_sweep(part, store, fast_settings, shard="x/2")
    assert set(store.observations_frame()["kode_desa"]) == {v.kode_desa for v in villages}
    with pytest.raises(ValueError):
        shard_of(villages, 3, 2)


def test_cli_collect_and_export(tmp_path, simulator, default_villages, monkeypatch):
    villages = [v for v in default_villages if v.kode_kecamatan == KERKAP]
    rows = [
        {"kode_desa": v.kode_desa, "nama_desa": v.nama_desa, "kode_kecamatan": v.kode_kecamatan,
         "nama_kecamatan": v.nama_kecamatan, "adapter": "summary-v1",
         "base_url": f"{simulator.url}/{v.kode_digits}", "token": ""}
        for v in villages
    ]  # fmt: skip
    registry = tmp_path / "villages.csv"
    registry.write_text(registry_csv(rows))
    monkeypatch.setenv("DASBOR_VILLAGES", str(registry))
    monkeypatch.setenv("DASBOR_DATABASE_URL", f"sqlite:///{tmp_path / 'wh.db'}")
    monkeypatch.setenv("DASBOR_READ_TIMEOUT", "2")
    runner = CliRunner()
    with faults(simulator, **{villages[0].kode_digits: "500"}):
        result = runner.invoke(main, ["collect"])
    assert result.exit_code == 0, result.output
    assert f"ok {len(villages) - 1}, unchanged 0, failed 1" in result.output
    assert f"FAILED {villages[0].kode_desa}" in result.output and "HTTP 500" in result.output

    result = runner.invoke(main, ["export", "--statistik", "agama", "--tingkat", "kecamatan"])
    assert result.exit_code == 0, result.output
    csv = pd.read_csv(io.StringIO(result.output), dtype={"kode": str, "kode_wilayah": str})
    assert list(csv.columns)[:9] == [
        "kode_wilayah", "nama_wilayah", "tingkat", "statistik", "kode", "label",
        "laki_laki", "perempuan", "jumlah",
    ]  # fmt: skip
    assert set(csv["kode_wilayah"]) == {KERKAP} and set(csv["tingkat"]) == {"kecamatan"}
    assert "belum_mengisi" in set(csv["kode"]) and "total" not in set(csv["kode"])
    served = 0
    for v in villages[1:]:
        doc = served_document(simulator, v)
        served += next(s for s in doc["statistics"] if s["slug"] == "agama")["total"]["total"]
    assert csv["jumlah"].sum() == served

    out = tmp_path / "desa.csv"
    result = runner.invoke(
        main, ["export", "--statistik", "rentang-umur", "--tingkat", "desa", "--kode",
               villages[1].kode_digits, "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["kode_wilayah"]) == {villages[1].kode_desa}


def test_cli_configuration_errors_exit_non_zero(tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text("kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,adapter,base_url,token\n"
                   "17.03.06.2001,X,17.03.06,Kerkap,soap,http://x,\n")  # fmt: skip
    monkeypatch.setenv("DASBOR_DATABASE_URL", f"sqlite:///{tmp_path / 'wh.db'}")
    runner = CliRunner()
    result = runner.invoke(main, ["collect", "--villages", str(bad)])
    assert result.exit_code != 0 and "line 2: unknown adapter 'soap'" in result.output
    result = runner.invoke(main, ["export", "--statistik", "agamaa", "--tingkat", "desa"])
    assert result.exit_code != 0 and "unknown statistik 'agamaa'" in result.output
    monkeypatch.setenv("DASBOR_CONCURENCY", "3")
    result = runner.invoke(main, ["collect"])
    assert result.exit_code != 0 and "DASBOR_CONCURENCY" in result.output


def test_villages_init_cli(tmp_path):
    out = tmp_path / "reg.csv"
    result = CliRunner().invoke(
        main, ["villages", "init", "--kabupaten", "1703", "--kecamatan", "17.03.06",
               "--adapter", "opensid", "--base-url", "https://desa{kode}.test", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (table["kode_kecamatan"] == "17.03.06").all() and (table["adapter"] == "opensid").all()
    assert (
        table["base_url"].iloc[0]
        == "https://desa" + table["kode_desa"].iloc[0].replace(".", "") + ".test"
    )
    assert json.dumps(list(table.columns)) == json.dumps(
        [
            "kode_desa",
            "nama_desa",
            "kode_kecamatan",
            "nama_kecamatan",
            "adapter",
            "base_url",
            "token",
        ]
    )


class StopSweep(Exception):
    pass


def test_adapter_crash_and_early_stop(store, simulator, default_villages, fast_settings,
                                      monkeypatch):  # fmt: skip
    """An adapter that raises fails its village only; a caller that stops the sweep from
    on_village ends the run as aborted, with the villages written so far kept."""
    from collectors.adapters import PULLERS

    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP][:6], simulator.url
    )
    real = PULLERS["summary-v1"]
    broken = villages[2].kode_desa

    def flaky(village, client, **kwargs):
        if village.kode_desa == broken:
            raise RuntimeError("boom")
        return real(village, client, **kwargs)

    monkeypatch.setitem(PULLERS, "summary-v1", flaky)
    summary = run_sweep(villages, store, fast_settings)
    assert [o.kode_desa for o in summary.failed] == [broken]
    assert "adapter error: boom" in summary.failed[0].errors[0]
    assert summary.count("ok") == len(villages) - 1
    assert set(store.observations_frame()["kode_desa"]) == {
        v.kode_desa for v in villages if v.kode_desa != broken
    }

    seen = []

    def stop_after_two(outcome):
        seen.append(outcome.kode_desa)
        if len(seen) == 2:
            raise StopSweep

    with pytest.raises(StopSweep):
        run_sweep(villages, store, fast_settings, on_village=stop_after_two)
    run = store.runs_frame().iloc[0]
    assert run["status"] == "aborted" and run["villages_total"] == len(villages)
    assert run["villages_ok"] + run["villages_unchanged"] + run["villages_failed"] == 2
