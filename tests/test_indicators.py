"""aggregates.indicators on small hand-made villages: ratios, shares, trends."""

from __future__ import annotations

import pandas as pd
import pytest

from aggregates.indicators import compare_villages, indicators, month_ends, trend
from aggregates.population import build_population

KEC_A, KEC_B = "17.03.06", "17.03.07"
A1, A2, B1 = f"{KEC_A}.2001", f"{KEC_A}.2002", f"{KEC_B}.2001"
REGIONS = pd.DataFrame(
    [
        ("17.03", "Bengkulu Utara", "kabupaten", None, None),
        (KEC_A, "Kerkap", "kecamatan", "17.03", None),
        (KEC_B, "Arga Makmur", "kecamatan", "17.03", None),
        (A1, "Talang Jambu", "desa", KEC_A, "desa"),
        (A2, "Kerkap", "desa", KEC_A, "desa"),
        (B1, "Gunung Alam", "desa", KEC_B, "kelurahan"),
    ],
    columns=["kode", "nama", "tingkat", "induk", "jenis"],
)


def _obs(kode_desa, dataset, kode, jumlah, laki=None, perempuan=None, urutan=0, dari=None,
         sampai=None, label=None):  # fmt: skip
    return {
        "kode_desa": kode_desa,
        "dataset": dataset,
        "periode": "",
        "kode": kode,
        "label": label or kode.upper(),
        "urutan": urutan,
        "dari": dari,
        "sampai": sampai,
        "laki_laki": laki,
        "perempuan": perempuan,
        "jumlah": jumlah,
        "updated_run_id": 1,
    }


def _ages(kode_desa: str, brackets: list[tuple[int, int | None, int]]) -> list[dict]:
    return [
        _obs(kode_desa, "rentang-umur", str(i), n, urutan=i, dari=a, sampai=b, label=f"{a}-{b}")
        for i, (a, b, n) in enumerate(brackets, 1)
    ]


@pytest.fixture
def data():
    rows = [
        _obs(A1, "total", "penduduk", 210, 110, 100),
        _obs(A1, "total", "keluarga", 60),
        _obs(A2, "total", "penduduk", 90, 40, 50),
        _obs(A2, "total", "keluarga", 40),
        _obs(B1, "total", "penduduk", 100, 50, 50),
        _obs(B1, "total", "keluarga", 25),
        # A1: default-like brackets split at 15 and 65
        *_ages(A1, [(0, 14, 50), (15, 64, 130), (65, None, 30)]),
        _obs(A1, "rentang-umur", "belum_mengisi", 0, label="BELUM MENGISI"),
        # A2: a bracket straddles 15: cannot be split, left out
        *_ages(A2, [(0, 9, 20), (10, 19, 20), (20, 64, 40), (65, None, 10)]),
        *_ages(B1, [(0, 14, 20), (15, 64, 60), (65, None, 20)]),
        _obs(A1, "agama", "1", 150, urutan=1, label="ISLAM"),
        _obs(A1, "agama", "2", 50, urutan=2, label="KRISTEN"),
        _obs(A1, "agama", "belum_mengisi", 10, urutan=99, label="BELUM MENGISI"),
        _obs(A1, "agama", "total", 210, label="TOTAL"),
        _obs(A2, "agama", "1", 90, urutan=1, label="ISLAM"),
        _obs(B1, "agama", "2", 100, urutan=2, label="KRISTEN"),
    ]
    return build_population(pd.DataFrame(rows), REGIONS)


def test_indicators_per_village(data):
    out = indicators(data, "desa").set_index("kode_wilayah")
    assert out.loc[A1, "rasio_jenis_kelamin"] == pytest.approx(110.0)
    assert out.loc[A1, "penduduk_per_keluarga"] == pytest.approx(3.5)
    assert out.loc[A1, "rasio_ketergantungan"] == pytest.approx((50 + 30) / 130 * 100)
    # A2's brackets straddle 15: no dependency ratio, and it is counted as left out
    assert pd.isna(out.loc[A2, "rasio_ketergantungan"])
    assert out.loc[A2, "desa_umur_dikecualikan"] == 1 and out.loc[A2, "desa_umur"] == 0


def test_indicators_roll_up_and_name_what_was_left_out(data):
    kec = indicators(data, "kecamatan").set_index("kode_wilayah")
    assert kec.loc[KEC_A, "rasio_jenis_kelamin"] == pytest.approx(150 / 150 * 100)
    assert kec.loc[KEC_A, "penduduk_per_keluarga"] == pytest.approx(300 / 100)
    # only A1's ages count in Kerkap
    assert kec.loc[KEC_A, "rasio_ketergantungan"] == pytest.approx(80 / 130 * 100)
    assert (kec.loc[KEC_A, "desa_umur"], kec.loc[KEC_A, "desa_umur_dikecualikan"]) == (1, 1)
    kab = indicators(data, "kabupaten").iloc[0]
    assert kab["kode_wilayah"] == "17.03" and kab["penduduk"] == 400
    assert kab["rasio_ketergantungan"] == pytest.approx((50 + 30 + 20 + 20) / (130 + 60) * 100)
    assert kab["desa_umur_dikecualikan"] == 1
    assert indicators(data, "desa", A2)["kode_wilayah"].tolist() == [A2]


def test_indicators_without_data():
    empty = build_population(pd.DataFrame([_obs(A1, "agama", "1", 1)]).iloc[:0], REGIONS)
    assert indicators(empty, "kecamatan").empty


def test_compare_villages_gives_shares_with_belum_mengisi(data):
    shares = compare_villages(data, "agama", KEC_A)
    assert set(shares["kode_wilayah"]) == {A1, A2}
    assert "total" not in set(shares["kode"])  # the reconciliation row is no category
    sums = shares.groupby("kode_wilayah")["persen"].sum()
    assert sums.round(6).eq(100).all()
    a1 = shares[shares["kode_wilayah"] == A1].set_index("kode")
    assert a1.loc["belum_mengisi", "persen"] == pytest.approx(10 / 210 * 100)
    assert a1.loc["1", "total"] == 210
    # one category order for all villages, belum_mengisi last
    order = shares.drop_duplicates("urutan_kategori").sort_values("urutan_kategori")
    assert order["kode"].tolist() == ["1", "2", "belum_mengisi"]


def test_compare_at_kabupaten_compares_kecamatan(data):
    shares = compare_villages(data, "agama", "17.03")
    assert set(shares["kode_wilayah"]) == {KEC_A, KEC_B}
    kec_b = shares[shares["kode_wilayah"] == KEC_B]
    assert kec_b["persen"].tolist() == [100.0]
    assert compare_villages(data, "pekerjaan", KEC_A).empty


def _history() -> pd.DataFrame:
    ts = pd.Timestamp
    rows = [
        # A1: 200 from January, 210 from March (the January version ended then)
        (A1, "total", "penduduk", 200, ts("2026-01-10", tz="UTC"), ts("2026-03-05", tz="UTC")),
        (A1, "total", "penduduk", 210, ts("2026-03-05", tz="UTC"), pd.NaT),
        (A1, "total", "keluarga", 60, ts("2026-01-10", tz="UTC"), pd.NaT),
        # A2 first reported in February
        (A2, "total", "penduduk", 90, ts("2026-02-20", tz="UTC"), pd.NaT),
        # B1 is in another kecamatan
        (B1, "total", "penduduk", 100, ts("2026-01-10", tz="UTC"), pd.NaT),
        (A1, "agama", "1", 150, ts("2026-01-10", tz="UTC"), pd.NaT),
        (A1, "agama", "belum_mengisi", 10, ts("2026-01-10", tz="UTC"), pd.NaT),
        (A1, "agama", "total", 160, ts("2026-01-10", tz="UTC"), pd.NaT),
    ]
    frame = pd.DataFrame(
        rows, columns=["kode_desa", "dataset", "kode", "jumlah", "valid_from", "valid_to"]
    )
    frame["laki_laki"] = frame["jumlah"] // 2
    frame["perempuan"] = frame["jumlah"] - frame["laki_laki"]
    return frame


def test_month_ends_end_with_now():
    now = pd.Timestamp("2026-04-15 08:00", tz="UTC")
    ends = month_ends(now, 4)
    assert ends[-1] == now
    assert [e.strftime("%Y-%m-%d") for e in ends[:-1]] == ["2026-01-31", "2026-02-28", "2026-03-31"]


def test_trend_takes_the_version_valid_at_each_month_end():
    now = pd.Timestamp("2026-04-15", tz="UTC")
    out = trend(_history(), "total", KEC_A, 5, now=now)
    assert out["jumlah"].isna().tolist() == [True, False, False, False, False]  # December
    assert out["jumlah"].dropna().tolist() == [200, 290, 300, 300]
    assert out["desa"].tolist() == [0, 1, 2, 2, 2]
    keluarga = trend(_history(), "total", A1, 2, now=now, kategori="keluarga")
    assert keluarga["jumlah"].tolist() == [60, 60]
    whole = trend(_history(), "total", "17.03", 1, now=now)
    assert whole["jumlah"].tolist() == [400]


def test_trend_of_a_statistic_sums_categories_not_the_total_row():
    now = pd.Timestamp("2026-04-15", tz="UTC")
    out = trend(_history(), "agama", A1, 1, now=now)
    assert out["jumlah"].tolist() == [160]  # 150 + 10 belum mengisi; "total" is left out
    one = trend(_history(), "agama", A1, 1, now=now, kategori="belum_mengisi")
    assert one["jumlah"].tolist() == [10]
    assert trend(_history().iloc[:0], "agama", A1, 3, now=now)["desa"].tolist() == [0, 0, 0]


def _versions(rows: list[tuple]) -> pd.DataFrame:
    """History rows (Warehouse.history_frame's columns) valid since January, none ended:
    (kode_desa, dataset, kode, label, dari, sampai, jumlah)."""
    frame = pd.DataFrame(
        rows, columns=["kode_desa", "dataset", "kode", "label", "dari", "sampai", "jumlah"]
    )
    frame["urutan"] = range(len(frame))
    frame["laki_laki"] = frame["jumlah"] // 2
    frame["perempuan"] = frame["jumlah"] - frame["laki_laki"]
    frame["valid_from"] = pd.Timestamp("2026-01-10", tz="UTC")
    frame["valid_to"] = pd.NaT
    return frame


def test_trend_of_an_age_bracket_follows_the_harmonised_bracket():
    """Above the desa level a bracket's trend sums what statistic_table shows in that row:
    A2's own 75–79 (its code 21, like the default 75+) and 80+ together fill "75 and over";
    one village's trend follows its own code."""
    now = pd.Timestamp("2026-04-15", tz="UTC")
    history = _versions([
        (A1, "rentang-umur", "21", "75 Tahun ke Atas", 75, 150, 10),
        (A2, "rentang-umur", "21", "75 s/d 79 Tahun", 75, 79, 4),
        (A2, "rentang-umur", "22", "80 Tahun Keatas", 80, 150, 3),
        (A2, "rentang-umur", "23", "60 - 69 Tahun", 60, 69, 7),  # across 64 | 65
        (A2, "rentang-umur", "total", "TOTAL", None, None, 24),
    ])  # fmt: skip
    kec = trend(history, "rentang-umur", KEC_A, 1, now=now, kategori="21")
    assert kec["jumlah"].tolist() == [10 + 4 + 3]
    rest = trend(history, "rentang-umur", KEC_A, 1, now=now, kategori="tidak_diselaraskan")
    assert rest["jumlah"].tolist() == [7]
    own = trend(history, "rentang-umur", A2, 1, now=now, kategori="21")
    assert own["jumlah"].tolist() == [4]  # the village's own 75–79
    assert trend(history, "rentang-umur", KEC_A, 1, now=now)["jumlah"].tolist() == [24]


def test_trend_and_comparison_of_an_aid_statistic_count_recipients_once():
    """bantuan-keluarga: programmes overlap (PKH 5 + BLT 3, 6 families); "all" is every family
    (recipients + non-recipients), never programme rows added; shares are recipients and
    the rest."""
    now = pd.Timestamp("2026-04-15", tz="UTC")
    rows = [
        (A1, "bantuan-keluarga", "1", "PKH", None, None, 5),
        (A1, "bantuan-keluarga", "2", "BLT Dana Desa", None, None, 3),
        (A1, "bantuan-keluarga", "jumlah", "JUMLAH", None, None, 6),
        (A1, "bantuan-keluarga", "belum_mengisi", "BELUM MENGISI", None, None, 20),
        (A1, "bantuan-keluarga", "total", "TOTAL", None, None, 26),
        (A2, "bantuan-keluarga", "4", "PKH", None, None, 2),
        (A2, "bantuan-keluarga", "jumlah", "JUMLAH", None, None, 2),
        (A2, "bantuan-keluarga", "belum_mengisi", "BELUM MENGISI", None, None, 8),
        (A2, "bantuan-keluarga", "total", "TOTAL", None, None, 10),
    ]
    history = _versions(rows)
    assert trend(history, "bantuan-keluarga", KEC_A, 1, now=now)["jumlah"].tolist() == [36]
    once = trend(history, "bantuan-keluarga", KEC_A, 1, now=now, kategori="jumlah")
    assert once["jumlah"].tolist() == [8]
    pkh = trend(history, "bantuan-keluarga", KEC_A, 1, now=now, kategori="PKH")
    assert pkh["jumlah"].tolist() == [7]  # by name: the ids are each village's own
    current = history.drop(columns=["valid_from", "valid_to"])
    shares = compare_villages(build_population(current, REGIONS), "bantuan-keluarga", KEC_A)
    a1 = shares[shares["kode_wilayah"] == A1].set_index("kode")
    assert set(a1.index) == {"jumlah", "belum_mengisi"}
    assert a1["total"].iloc[0] == 26 and a1.loc["jumlah", "persen"] == pytest.approx(600 / 26)


def test_compare_villages_harmonises_age_brackets():
    """Villages side by side share one set of brackets: A2's own 60–69 is its
    tidak_diselaraskan share, its 75–79 and 80+ one "75 and over" share."""
    rows = [
        (A1, "rentang-umur", "19", "65 s/d 69 Tahun", 65, 69, 6),
        (A1, "rentang-umur", "21", "75 Tahun ke Atas", 75, 150, 4),
        (A2, "rentang-umur", "21", "75 s/d 79 Tahun", 75, 79, 4),
        (A2, "rentang-umur", "22", "80 Tahun Keatas", 80, 150, 1),
        (A2, "rentang-umur", "23", "60 - 69 Tahun", 60, 69, 5),
    ]
    current = _versions(rows).drop(columns=["valid_from", "valid_to"])
    shares = compare_villages(build_population(current, REGIONS), "rentang-umur", KEC_A)
    a2 = shares[shares["kode_wilayah"] == A2].set_index("kode")
    assert a2.loc["21", "jumlah"] == 5 and a2.loc["tidak_diselaraskan", "jumlah"] == 5
    assert a2["persen"].sum() == pytest.approx(100)
    order = shares.drop_duplicates("kode").sort_values("urutan_kategori")["kode"].tolist()
    assert order == ["19", "21", "tidak_diselaraskan"]
