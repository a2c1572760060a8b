"""Rollups desa → kecamatan → kabupaten and the export schema, on realistic small data."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from aggregates.load import load_population
from aggregates.population import (
    EXPORT_COLUMNS,
    export_frame,
    pyramid,
    statistic_table,
    totals_table,
)
from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY
from config.statistik import BY_SLUG, RENTANG_UMUR_DEFAULT
from warehouse.store import ObservationRow

# three villages in two kecamatan; the third edited its age brackets
A, B, C = "17.03.06.2001", "17.03.06.2002", "17.03.07.1001"


def _agama(islam, kristen, belum):
    rows = [
        ObservationRow("1", "ISLAM", sum(islam), *islam, urutan=1),
        ObservationRow("2", "KRISTEN", sum(kristen), *kristen, urutan=2),
        ObservationRow("belum_mengisi", "BELUM MENGISI", sum(belum), *belum, urutan=9998),
    ]
    tot = [sum(x) for x in zip(islam, kristen, belum, strict=True)]
    rows.append(ObservationRow("total", "TOTAL", sum(tot), *tot, urutan=9999))
    return rows


@pytest.fixture
def population(store):
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    run = store.start_run()
    data = {
        A: ((100, 110), (5, 4), (1, 0)),
        B: ((50, 60), (0, 0), (0, 2)),
        C: ((300, 290), (20, 25), (3, 3)),
    }
    for kode, (islam, kristen, belum) in data.items():
        store.record_dataset(run, kode, "agama", rows=_agama(islam, kristen, belum), status="ok")
        lk = islam[0] + kristen[0] + belum[0]
        pr = islam[1] + kristen[1] + belum[1]
        store.record_dataset(
            run, kode, "total", status="ok",
            rows=[ObservationRow("penduduk", "PENDUDUK", lk + pr, lk, pr, 1),
                  ObservationRow("keluarga", "KELUARGA", (lk + pr) // 3, urutan=2)],
        )  # fmt: skip
    # OpenSID's default brackets (ids 5…21), and a village that replaced them by two
    default = [(b.code, b.label, b.dari, b.sampai) for b in BY_SLUG["rentang-umur"].brackets]
    edited = [("22", "0 s/d 14 Tahun", 0, 14), ("23", "15 Tahun ke Atas", 15, 150)]
    for kode, brackets in ((A, default), (B, default), (C, edited)):
        rows = [
            ObservationRow(code, label, 10 * i + 1, 5 * i, 5 * i + 1, urutan=i, dari=a, sampai=b)
            for i, (code, label, a, b) in enumerate(brackets, 1)
        ]  # fmt: skip
        store.record_dataset(run, kode, "rentang-umur", rows=rows, status="ok")
    store.finish_run(run, ok=3, unchanged=0, failed=0)
    return load_population(store)


def test_rollup_sums_match_villages(population):
    desa = statistic_table(population, "agama", "desa")
    kec = statistic_table(population, "agama", "kecamatan")
    kab = statistic_table(population, "agama", "kabupaten")
    assert set(kab["kode_wilayah"]) == {"17.03"}
    assert kab.set_index("kode")["jumlah"].to_dict() == {
        "1": 210 + 110 + 590,
        "2": 9 + 0 + 45,
        "belum_mengisi": 1 + 2 + 6,
    }
    # each level sums to the same totals, by category and by sex
    for col in ("laki_laki", "perempuan", "jumlah"):
        assert desa.groupby("kode")[col].sum().equals(kab.groupby("kode")[col].sum())
        assert kec.groupby("kode")[col].sum().equals(kab.groupby("kode")[col].sum())
    kerkap = kec[kec["kode_wilayah"] == "17.03.06"].set_index("kode")
    assert kerkap.loc["1", "laki_laki"] == 150 and kerkap.loc["1", "nama_wilayah"] == "Kerkap"
    assert "total" not in set(kab["kode"])  # TOTAL rows are never categories


def test_scope_by_region_code(population):
    only_kerkap = statistic_table(population, "agama", "desa", "17.03.06")
    assert set(only_kerkap["kode_wilayah"]) == {A, B}
    one = statistic_table(population, "agama", "kabupaten", "17.03.07")
    assert one.set_index("kode").loc["1", "jumlah"] == 590


def test_edited_age_brackets_are_kept_apart(population):
    kab = statistic_table(population, "rentang-umur", "kabupaten")
    labels = set(kab["label"])
    assert {"Di bawah 1 Tahun", "75 Tahun ke Atas", "0 s/d 14 Tahun", "15 Tahun ke Atas"} <= labels
    assert len(kab) == len(RENTANG_UMUR_DEFAULT) + 2
    pyr = pyramid(population)
    # the pyramid sums the villages on the default brackets; C's own brackets are named
    assert pyr.attrs["desa_rentang_sendiri"] == [C]
    assert list(pyr["dari"].astype(int)) == [a for a, _ in RENTANG_UMUR_DEFAULT]
    default_only = kab[kab["label"].isin(pyr["label"])]
    assert pyr["jumlah"].sum() == default_only["jumlah"].sum()


def test_totals_by_level(population):
    kab = totals_table(population, "kabupaten").iloc[0]
    desa = totals_table(population, "desa")
    assert kab["penduduk"] == desa["penduduk"].sum() == (210 + 9 + 1) + (110 + 2) + (590 + 45 + 6)
    assert kab["desa_melapor"] == 3
    assert kab["laki_laki"] + kab["perempuan"] == kab["penduduk"]
    assert pd.isna(kab["rumah_tangga"]) or kab["rumah_tangga"] == 0


def test_export_schema_is_stable(population):
    out = export_frame(statistic_table(population, "agama", "kecamatan"))
    assert list(out.columns) == EXPORT_COLUMNS
    text = out.to_csv(index=False)
    back = pd.read_csv(io.StringIO(text), dtype={"kode": str})
    assert back["jumlah"].dtype.kind == "i"  # plain machine numbers
    assert set(back["kode"]) == {"1", "2", "belum_mengisi"}


def test_empty_warehouse_gives_empty_tables(store):
    data = load_population(store)
    assert list(export_frame(statistic_table(data, "agama", "kabupaten")).columns) == EXPORT_COLUMNS
    assert totals_table(data, "desa").empty
