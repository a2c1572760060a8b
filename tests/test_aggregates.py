"""Rollups desa → kecamatan → kabupaten and the export schema, on realistic small data."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from aggregates.age_brackets import NOT_HARMONISED, harmonise, pooled
from aggregates.load import load_population
from aggregates.population import (
    EXPORT_COLUMNS,
    export_frame,
    not_harmonised_table,
    pyramid,
    statistic_table,
    totals_table,
)
from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY
from config.statistik import BY_SLUG, RENTANG_UMUR_DEFAULT
from warehouse.store import ObservationRow

# three villages in two kecamatan; the third edited its age brackets; a fourth (age brackets
# only) split the last default bracket in two and merged 60–64 and 65–69
A, B, C, D = "17.03.06.2001", "17.03.06.2002", "17.03.07.1001", "17.03.07.2001"


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
    mixed = [*(b for b in default if b[2] < 60), ("22", "60 - 69 Tahun", 60, 69),
             ("20", "70 s/d 74 Tahun", 70, 74), ("21", "75 s/d 79 Tahun", 75, 79),
             ("23", "80 Tahun Keatas", 80, 150)]  # fmt: skip
    for kode, brackets in ((A, default), (B, default), (C, edited), (D, mixed)):
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


def _brackets(population, kode):
    obs = population.observations
    rows = obs[(obs["dataset"] == "rentang-umur") & (obs["kode_desa"] == kode)]
    return rows[~rows["kode"].isin(["total", "belum_mengisi"])]


def test_age_brackets_are_harmonised_to_the_default_ones(population):
    """Kabupaten and kecamatan: every village bracket inside a default bracket counts towards
    it (D's 75–79 and 80+ fill "75 Tahun ke Atas"); brackets across a default bound (all of
    C's, D's 60–69) are summed apart as tidak_diselaraskan; nothing is added to an unlike
    bracket and the counts still equal the warehouse's."""
    kab = statistic_table(population, "rentang-umur", "kabupaten").set_index("kode")
    defaults = BY_SLUG["rentang-umur"].brackets
    assert list(kab.index) == [b.code for b in defaults] + [NOT_HARMONISED]
    assert list(kab["label"].iloc[:-1]) == [b.label.strip() for b in defaults]
    assert [(a, b) for a, b in zip(kab["dari"].iloc[:-1], kab["sampai"].iloc[:-1],
                                   strict=True)] == list(RENTANG_UMUR_DEFAULT)  # fmt: skip
    a, b, c, d = (_brackets(population, k).set_index("kode") for k in (A, B, C, D))
    # a default bracket: A's + B's + D's own (same bounds)
    assert (
        kab.loc["5", "jumlah"] == a.loc["5", "jumlah"] + b.loc["5", "jumlah"] + d.loc["5", "jumlah"]
    )
    # 60–64 and 65–69: D's 60–69 straddles them and is in neither
    assert kab.loc["18", "jumlah"] == a.loc["18", "jumlah"] + b.loc["18", "jumlah"]
    # 75 and over: D's two brackets together
    assert kab.loc["21", "jumlah"] == (
        a.loc["21", "jumlah"]
        + b.loc["21", "jumlah"]
        + d.loc["21", "jumlah"]
        + d.loc["23", "jumlah"]
    )
    assert kab.loc[NOT_HARMONISED, "jumlah"] == c["jumlah"].sum() + d.loc["22", "jumlah"]
    assert pd.isna(kab.loc[NOT_HARMONISED, "dari"])
    for col in ("laki_laki", "perempuan", "jumlah"):  # reconcilable to the warehouse
        assert kab[col].sum() == sum(f[col].sum() for f in (a, b, c, d))
    # each kecamatan alike; the desa level keeps every village's own brackets
    kec = statistic_table(population, "rentang-umur", "kecamatan", "17.03.07").set_index("kode")
    assert kec.loc[NOT_HARMONISED, "jumlah"] == kab.loc[NOT_HARMONISED, "jumlah"]
    own = statistic_table(population, "rentang-umur", "desa", C)
    assert list(own["label"]) == ["0 s/d 14 Tahun", "15 Tahun ke Atas"]
    assert list(own["jumlah"]) == list(c["jumlah"])


def test_not_harmonised_brackets_are_listed_by_village(population):
    rest = not_harmonised_table(population, "rentang-umur", "17.03")
    assert list(zip(rest["kode_desa"], rest["label"], strict=True)) == [
        (C, "0 s/d 14 Tahun"), (C, "15 Tahun ke Atas"), (D, "60 - 69 Tahun")
    ]  # fmt: skip
    assert set(rest["nama_desa"]) == {population.name_of(C), population.name_of(D)}
    kab = statistic_table(population, "rentang-umur", "kabupaten").set_index("kode")
    assert rest["jumlah"].sum() == kab.loc[NOT_HARMONISED, "jumlah"]
    assert not_harmonised_table(population, "rentang-umur", "17.03.06").empty


def test_pyramid_draws_harmonised_brackets_and_a_village_its_own(population):
    pyr = pyramid(population)
    assert list(pyr["dari"].astype(int)) == [a for a, _ in RENTANG_UMUR_DEFAULT]
    rest = pyr.attrs["tidak_diselaraskan"]
    kab = statistic_table(population, "rentang-umur", "kabupaten")
    # the pyramid and what it leaves out are every bracket row of the warehouse
    assert pyr["jumlah"].sum() + rest["jumlah"].sum() == kab["jumlah"].sum()
    assert pyr.attrs["desa_rentang_sendiri"] == [C]  # none of C's brackets could be drawn
    # a village with its own brackets has its own pyramid, never "no data"
    own = pyramid(population, C)
    assert list(own["label"]) == ["0 s/d 14 Tahun", "15 Tahun ke Atas"]
    assert own.attrs["tidak_diselaraskan"].empty and own.attrs["desa_rentang_sendiri"] == []
    assert own["jumlah"].sum() == _brackets(population, C)["jumlah"].sum()


@pytest.mark.parametrize(
    ("dari", "sampai", "expected"),
    [
        (0, 1, "5"),  # a default bracket itself
        (0, 0, "5"),  # inside one
        (80, 150, "21"),  # inside the open last one
        (80, None, "21"),  # an open end left empty
        (90, 200, "21"),  # past OpenSID's 150 is still "and over"
        (60, 69, NOT_HARMONISED),  # across 64 | 65
        (0, 4, NOT_HARMONISED),
        (None, None, NOT_HARMONISED),  # no bounds: nothing to map by
    ],
)
def test_harmonise_maps_a_bracket_by_its_bounds(dari, sampai, expected):
    obs = pd.DataFrame(
        {"kode_desa": ["17.03.06.2001"], "kode": ["99"], "label": ["eigen"], "urutan": [1],
         "dari": [dari], "sampai": [sampai], "laki_laki": [1], "perempuan": [2], "jumlah": [3]}
    )  # fmt: skip
    out = pooled(harmonise(obs, "rentang-umur"))
    assert out["kode"].iloc[0] == expected
    assert out["jumlah"].iloc[0] == 3 and out["kode_asal"].iloc[0] == "99"


def test_aid_statistics_keep_their_distinct_recipients(store):
    """bantuan-keluarga: programme rows overlap; the JUMLAH row (each family once) is kept
    as a category, and above the desa level programmes join by name (ids are the village's)."""
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    run = store.start_run()
    for kode, pkh_id, (pkh, blt, both) in ((A, "1", (5, 3, 2)), (B, "7", (4, 0, 0))):
        rows = [
            ObservationRow(pkh_id, "PKH", pkh, urutan=1),
            ObservationRow("2", "BLT Dana Desa", blt, urutan=2),
            ObservationRow("jumlah", "JUMLAH", pkh + blt - both, urutan=9997),
            ObservationRow("belum_mengisi", "BELUM MENGISI", 20, urutan=9998),
            ObservationRow("total", "TOTAL", 20 + pkh + blt - both, urutan=9999),
        ]
        store.record_dataset(run, kode, "bantuan-keluarga", rows=rows, status="ok")
    store.finish_run(run, ok=2, unchanged=0, failed=0)
    data = load_population(store)
    desa = statistic_table(data, "bantuan-keluarga", "desa", A).set_index("kode")
    assert desa.loc["jumlah", "jumlah"] == 6 and "total" not in desa.index
    kec = statistic_table(data, "bantuan-keluarga", "kecamatan", "17.03.06").set_index("kode")
    assert list(kec.index) == ["PKH", "BLT Dana Desa", "jumlah", "belum_mengisi"]
    assert kec.loc["PKH", "jumlah"] == 9  # one programme in both villages, by name
    assert kec.loc["jumlah", "jumlah"] == 6 + 4  # not 5 + 3 + 4: families counted once
    out = export_frame(statistic_table(data, "bantuan-keluarga", "kecamatan"))
    assert "jumlah" in set(out["kode"])


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
