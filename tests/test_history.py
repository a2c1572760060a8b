"""History and audit of values across sweeps, and the measurement datasets of summary v1."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from collectors.adapters.summary_v1 import parse_apbdes, parse_bantuan, parse_pembangunan
from collectors.model import PayloadError
from collectors.sweep import run_sweep
from tests.conftest import pointed_at

KERKAP = "17.03.06"


def test_changed_values_keep_their_history(store, simulator, default_villages, fast_settings):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP][:4], simulator.url
    )
    first = run_sweep(villages, store, fast_settings)
    assert first.count("ok") == len(villages)
    assert store.audit_frame().empty  # first values are not changes
    later = replace(fast_settings, tahun=fast_settings.tahun + 1)  # the simulator's village grew
    second = run_sweep(villages, store, later)
    assert second.count("ok") == len(villages)

    audit = store.audit_frame()
    assert not audit.empty and set(audit["run_id"]) == {second.run_id}
    current = store.observations_frame().set_index(["kode_desa", "dataset", "kode"])
    for r in audit[audit["change"] == "update"].head(80).itertuples():
        now = current.loc[(r.kode_desa, r.dataset, r.kode)]
        changed = r.berubah.split(",")
        assert changed and now["jumlah"] == r.baru_jumlah
        for c in changed:
            assert getattr(r, f"lama_{c}") != getattr(r, f"baru_{c}") == now[c]

    history = store.history_frame(datasets=["total"])
    pend = history[
        (history["kode"] == "penduduk") & (history["kode_desa"] == villages[0].kode_desa)
    ]
    assert len(pend) == 2
    old, new = pend.iloc[0], pend.iloc[1]
    assert old["valid_to_run"] == second.run_id and old["valid_from_run"] == first.run_id
    assert new["valid_from_run"] == second.run_id and new["valid_to"] != new["valid_to"]  # NaT
    assert new["jumlah"] > old["jumlah"]


def test_measurement_datasets_land_per_period(store, simulator, default_villages, fast_settings):
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == KERKAP][:3], simulator.url
    )
    summary = run_sweep(villages, store, fast_settings, group="keuangan")
    assert summary.count("failed") == 0, summary.failed
    meas = store.measurements_frame()
    assert set(meas["dataset"]) <= {"apbdes", "pembangunan", "bantuan"}
    obs = store.observations_frame()
    assert obs.empty  # the keuangan group pulls no population statistics
    for v in villages:
        doc = simulator.document(v.kode_digits, fast_settings.tahun)[0]
        apb = meas[(meas.kode_wilayah == v.kode_desa) & (meas.dataset == "apbdes")]
        for line in doc["apbdes"]:
            got = apb[(apb.kode == line["kode"]) & (apb.ukuran == "anggaran")]["nilai"]
            assert got.iloc[0] == line["anggaran"]
        bantuan = meas[(meas.kode_wilayah == v.kode_desa) & (meas.dataset == "bantuan")]
        assert sorted(bantuan["kode"]) == sorted(str(b["program_id"]) for b in doc["bantuan"])
        atribut = json.loads(bantuan.iloc[0]["atribut"]) if len(bantuan) else {}
        assert not len(bantuan) or "sasaran" in atribut


def _apbdes(lines):
    return {
        "apbdes": [
            dict(zip(("tahun", "kode", "uraian", "anggaran", "realisasi"), x, strict=True))
            for x in lines
        ]
    }


def test_apbdes_parents_must_equal_children():
    good = _apbdes([(2026, "4", "PENDAPATAN", 300, 100), (2026, "4.1", "PAD", 100, 40),
                    (2026, "4.2", "Transfer", 200, 60)])  # fmt: skip
    rows = parse_apbdes(good)
    assert {(r.kode, r.ukuran, r.nilai) for r in rows} >= {
        ("4", "anggaran", 300.0),
        ("4.2", "realisasi", 60.0),
    }
    bad = _apbdes([(2026, "4", "PENDAPATAN", 301, 100), (2026, "4.1", "PAD", 100, 40),
                   (2026, "4.2", "Transfer", 200, 60)])  # fmt: skip
    with pytest.raises(PayloadError, match=r"akun 4: anggaran 301 is not the sum"):
        parse_apbdes(bad)
    with pytest.raises(PayloadError, match="negative amount"):
        parse_apbdes(_apbdes([(2026, "5", "BELANJA", -1, 0)]))


def test_pembangunan_and_bantuan_validation():
    item = {"id": "12", "judul": "Rabat beton", "anggaran": 150_000_000, "tahun_anggaran": 2026,
            "progres": 80, "sumber_dana": "Dana Desa"}  # fmt: skip
    rows = parse_pembangunan({"pembangunan": [item]})
    assert {r.ukuran: r.nilai for r in rows} == {"anggaran": 150_000_000.0, "progres": 80.0}
    assert rows[0].periode == "2026" and rows[0].atribut["sumber_dana"] == "Dana Desa"
    with pytest.raises(PayloadError, match="over 100%"):
        parse_pembangunan({"pembangunan": [dict(item, progres=130)]})
    with pytest.raises(PayloadError, match="sasaran 9 is not 1–4"):
        parse_bantuan(
            {"bantuan": [{"program_id": "7", "nama": "BPNT", "sasaran": 9, "peserta": 3}]}
        )
    with pytest.raises(PayloadError, match="negative count"):
        parse_bantuan(
            {"bantuan": [{"program_id": "7", "nama": "BPNT", "sasaran": 2, "peserta": -3}]}
        )
