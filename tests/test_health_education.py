"""Demo sample files (clean, deterministic) and the health/education aggregates."""

from __future__ import annotations

import pandas as pd
import pytest

from aggregates import health_education as he
from collectors.spreadsheet import read_table, validate
from config.datasets import BY_NAME
from simulator.spreadsheets import PENYAKIT, sample_files

KAB, KEC = "17.03", "17.03.06"
A, B, C = "17.03.06.2001", "17.03.06.2002", "17.03.07.2001"


def test_sample_files_validate_for_all_villages_and_are_deterministic(default_villages):
    files = sample_files(default_villages, tahun=2026)
    # 12 months × (aki-akb, imunisasi, 4 diseases, toilet) + 2 semesters × 3 datasets
    assert len(files) == 12 * (3 + len(PENYAKIT)) + 2 * 3
    known = {v.kode_desa for v in default_villages}
    for f in files:
        result = validate(
            read_table(f.csv.encode(), f.filename),
            BY_NAME[f.dataset],
            tahun=f.tahun,
            bulan=f.bulan,
            semester=f.semester,
            known_villages=known,
            penyakit_id=f.penyakit_id,
        )
        assert result.ok, (f.filename, result.errors[:3])
        assert len(result.by_region()) == 220
        assert result.periode == f.periode
    assert sample_files(default_villages[:5], tahun=2026) == sample_files(
        default_villages[:5], tahun=2026
    )
    assert sample_files(default_villages[:5], tahun=2026, seed=1) != sample_files(
        default_villages[:5], tahun=2026
    )


def test_sample_values_are_plausible(default_villages):
    files = sample_files(default_villages[:40], tahun=2026, months=3, end_month=6)
    assert {f.periode for f in files if f.bulan} == {"202604", "202605", "202606"}

    def frame(dataset: str) -> pd.DataFrame:
        parts = [
            pd.read_csv(pd.io.common.StringIO(f.csv), sep=";", decimal=",")
            for f in files
            if f.dataset == dataset
        ]
        return pd.concat(parts)

    imun = frame("imunisasi")["cakupan_imunisasi"]
    # OpenDK's imunisasi: infants immunised in the month, a whole number (issue 11)
    assert imun.dtype.kind == "i" and imun.between(0, 200).all() and imun.mean() > 3
    aki = frame("aki-akb")
    assert aki["jumlah_aki"].max() <= 2 and (aki["jumlah_aki"] == 0).mean() > 0.9
    toilet = frame("toilet-sanitasi")
    assert (toilet["sanitasi"] <= toilet["toilet"]).all()
    ps = frame("putus-sekolah")
    for lvl in ("paud_ra", "sd_mi", "smp_mts", "sma_ma"):
        assert (ps[f"siswa_{lvl}"] <= ps[f"anak_usia_{lvl}"]).all()


def _meas(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kode_wilayah", "dataset", "periode", "kode", "ukuran",
                                       "nilai"]).assign(label="")  # fmt: skip


@pytest.fixture
def regions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (KAB, "Bengkulu Utara", "kabupaten", "17", None),
            (KEC, "Kerkap", "kecamatan", KAB, None),
            ("17.03.07", "Arga Makmur", "kecamatan", KAB, None),
            (A, "Talang Jambu", "desa", KEC, "desa"),
            (B, "Air Sebayur", "desa", KEC, "desa"),
            (C, "Gunung Alam", "desa", "17.03.07", "desa"),
        ],
        columns=["kode", "nama", "tingkat", "induk", "jenis"],
    )


@pytest.fixture
def meas() -> pd.DataFrame:
    rows = []
    for month, (a_akb, b_akb) in zip((1, 2, 3, 4), ((1, 0), (0, 2), (1, 1), (0, 0)), strict=True):
        p = f"2026{month:02d}"
        rows += [(A, "aki-akb", p, "", "jumlah_akb", a_akb), (A, "aki-akb", p, "", "jumlah_aki", 0)]
        if month != 3:  # B skipped March
            rows += [(B, "aki-akb", p, "", "jumlah_akb", b_akb),
                     (B, "aki-akb", p, "", "jumlah_aki", 0)]  # fmt: skip
        rows += [(A, "toilet-sanitasi", p, "", "toilet", 100 + month),
                 (A, "imunisasi", p, "", "cakupan_imunisasi", 80 + month)]  # fmt: skip
    rows += [(B, "imunisasi", "202601", "", "cakupan_imunisasi", 90)]
    rows += [(A, "epidemi-penyakit", "202601", "1", "jumlah_penderita", 3),
             (A, "epidemi-penyakit", "202601", "2", "jumlah_penderita", 5),
             (C, "epidemi-penyakit", "202602", "2", "jumlah_penderita", 7)]  # fmt: skip
    for sem, (siswa, anak) in (("2026S1", (40, 50)), ("2026S2", (45, 50))):
        rows += [(A, "putus-sekolah", sem, "", f"siswa_{lvl}", siswa) for lvl in he.LEVELS]
        rows += [(A, "putus-sekolah", sem, "", f"anak_usia_{lvl}", anak) for lvl in he.LEVELS]
    rows += [(B, "putus-sekolah", "2026S1", "", f"{k}_{lvl}", 10)
             for lvl in he.LEVELS for k in ("siswa", "anak_usia")]  # fmt: skip
    rows += [(A, "tingkat-pendidikan", "2026S1", "", m, v) for m, v in zip(
        BY_NAME["tingkat-pendidikan"].measures, (10, 30, 20, 30, 10), strict=True)]  # fmt: skip
    return _meas(rows)


def test_periods_and_grains(meas):
    assert he.period_of("202611", "triwulan") == "2026Q4"
    assert he.period_of("202603", "triwulan") == "2026Q1"
    assert he.period_of("2026S2", "tahun") == "2026"
    assert he.periods(meas, "aki-akb", "triwulan") == ["2026Q2", "2026Q1"]
    assert he.periods(meas, "aki-akb", "bulan")[0] == "202604"
    assert he.grains("putus-sekolah") == ("semester", "tahun")
    assert he.periods(meas, "fasilitas-paud", "semester") == []


def test_flows_sum_over_quarter_and_year(meas, regions):
    q1 = he.village_table(meas, regions, "aki-akb", "triwulan", "2026Q1", KEC)
    by = q1.set_index("kode_desa")
    assert by.loc[A, "jumlah_akb"] == 2 and by.loc[B, "jumlah_akb"] == 2
    assert by.loc[A, "laporan"] == 3 and by.loc[B, "laporan"] == 2  # B missed March
    tot = he.totals(q1, "aki-akb")
    assert tot["jumlah_akb"] == 4 and tot["desa_melapor"] == 2 and tot["desa"] == 2
    year = he.totals(he.village_table(meas, regions, "aki-akb", "tahun", "2026", KEC), "aki-akb")
    assert year["jumlah_akb"] == float(meas.query("ukuran == 'jumlah_akb'")["nilai"].sum())
    trend = he.trend(meas, "aki-akb", "triwulan", KEC)
    assert list(trend["periode"]) == ["2026Q1", "2026Q2"]
    assert list(trend["jumlah_akb"]) == [4, 0] and list(trend["desa_melapor"]) == [2, 2]


def test_stocks_take_latest_and_imunisasi_is_a_count_summed(meas, regions):
    q1 = he.village_table(meas, regions, "toilet-sanitasi", "triwulan", "2026Q1", KEC)
    assert q1.set_index("kode_desa").loc[A, "toilet"] == 103  # March, not the sum
    imun = he.village_table(meas, regions, "imunisasi", "triwulan", "2026Q1", KEC)
    # OpenDK's imunisasi counts children: a quarter is the sum of its months (issue 11)
    assert imun.set_index("kode_desa").loc[A, "cakupan_imunisasi"] == 81 + 82 + 83
    assert he.totals(imun, "imunisasi")["cakupan_imunisasi"] == 81 + 82 + 83 + 90
    year = he.village_table(meas, regions, "putus-sekolah", "tahun", "2026", KEC)
    tot = he.totals(year, "putus-sekolah")
    assert tot["siswa_sd"] == 45 + 10  # A's semester 2, B's semester 1 (its latest)
    assert tot["partisipasi_sd"] == pytest.approx(55 / 60 * 100)
    tp = he.village_table(meas, regions, "tingkat-pendidikan", "semester", "2026S1", KEC)
    row = tp.set_index("kode_desa").loc[A]
    assert row["jumlah"] == 100 and row["persen_tamat_sd"] == 30


def test_epidemi_per_disease_rollup_and_empty_period(meas, regions):
    table = he.village_table(meas, regions, "epidemi-penyakit", "tahun", "2026", KAB)
    assert {"penyakit_1", "penyakit_2"} <= set(table.columns)
    up = he.rollup(table, regions, "epidemi-penyakit", "kecamatan").set_index("kode_wilayah")
    assert up.loc[KEC, "jumlah_penderita"] == 8 and up.loc["17.03.07", "penyakit_2"] == 7
    assert list(up["desa"]) == [2, 1] and up.loc[KEC, "desa_melapor"] == 1
    kab = he.rollup(table, regions, "epidemi-penyakit", "kabupaten")
    assert kab["jumlah_penderita"].iloc[0] == 15 == he.totals(table, "epidemi-penyakit")[
        "jumlah_penderita"]  # fmt: skip
    empty = he.village_table(meas, regions, "aki-akb", "bulan", "202612", KEC)
    assert not empty["melapor"].any() and he.totals(empty, "aki-akb")["desa_melapor"] == 0
    assert he.not_reported(empty) == ["Talang Jambu", "Air Sebayur"]
    assert he.rollup(empty, regions, "aki-akb", "kecamatan")["desa_melapor"].tolist() == [0]
    none = he.trend(meas.iloc[0:0], "fasilitas-paud", "semester", KEC)
    assert none.empty and "siswa_per_guru" in none.columns
