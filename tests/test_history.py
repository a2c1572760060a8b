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


def test_one_pull_of_both_kinds_history_and_idempotency(store):
    """A pull of population counts and measurements lands in one go; the same pull again
    changes nothing and writes no history; a changed and a removed value of each kind move to
    history with the run that ended them, and only the periods a dataset names are replaced."""
    from warehouse.store import DatasetWrite, MeasurementRow, ObservationRow

    desa = "17.03.06.2001"
    agama = [ObservationRow("1", "ISLAM", 10, 4, 6, urutan=1),
             ObservationRow("2", "KRISTEN", 3, 2, 1, urutan=2)]  # fmt: skip
    apbdes = [MeasurementRow("anggaran", 100.0, "4", "PENDAPATAN", "2026"),
              MeasurementRow("realisasi", 40.0, "4", "PENDAPATAN", "2026"),
              MeasurementRow("anggaran", 90.0, "4", "PENDAPATAN", "2025")]  # fmt: skip
    bantuan = [MeasurementRow("peserta", 5.0, "7", "BPNT", atribut={"sasaran": 2})]

    def pull(run, agama, apbdes, bantuan):
        return store.record_village(
            run,
            desa,
            [DatasetWrite("agama", "ok", agama),
             DatasetWrite("apbdes", "ok", apbdes, kind="measurement",
                          periods=tuple(sorted({r.periode for r in apbdes}))),
             DatasetWrite("bantuan", "ok", bantuan, kind="measurement")],
        )  # fmt: skip

    run1 = store.start_run()
    assert set(pull(run1, agama, apbdes, bantuan).values()) == {"ok"}
    run2 = store.start_run()
    assert set(pull(run2, agama, apbdes, bantuan).values()) == {"unchanged"}
    for kind in ("observation", "measurement"):
        assert store.audit_frame(kind).empty
        assert store.history_frame(kind)["valid_to_run"].isna().all()

    run3 = store.start_run()
    statuses = pull(
        run3,
        [replace(agama[0], jumlah=11, laki_laki=5)],  # KRISTEN removed
        [replace(apbdes[1], nilai=55.0)],  # 2026 anggaran removed, 2025 not named: kept
        bantuan,
    )
    assert statuses == {"agama": "ok", "apbdes": "ok", "bantuan": "unchanged"}
    obs = store.audit_frame("observation").set_index("kode")
    assert obs.loc["1", "change"] == "update" and obs.loc["1", "baru_jumlah"] == 11
    assert obs.loc["2", "change"] == "delete" and set(obs["run_id"]) == {run3}
    meas = store.audit_frame("measurement").set_index(["periode", "ukuran"])
    assert meas.loc[("2026", "realisasi"), "baru_nilai"] == 55.0
    assert meas.loc[("2026", "anggaran"), "change"] == "delete"
    assert ("2025", "anggaran") not in meas.index
    current = store.measurements_frame().set_index(["dataset", "periode", "ukuran"])["nilai"]
    assert current.loc[("apbdes", "2025", "anggaran")] == 90.0
    assert current.loc[("bantuan", "", "peserta")] == 5.0
