"""aggregates.finance on small realistic frames: sums reconcile, empty and kelurahan cases."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from aggregates import finance

REGIONS = pd.DataFrame(
    [
        ("17.03", "Bengkulu Utara", "kabupaten", "17", None),
        ("17.03.06", "Kerkap", "kecamatan", "17.03", None),
        ("17.03.06.2001", "Talang Jambu", "desa", "17.03.06", "desa"),
        ("17.03.06.2002", "Tebat Pacur", "desa", "17.03.06", "desa"),
        ("17.03.06.1009", "Lubuk Durian", "desa", "17.03.06", "kelurahan"),
        ("17.03.07", "Arga Makmur", "kecamatan", "17.03", None),
        ("17.03.07.2001", "Kemumu Ilir", "desa", "17.03.07", "desa"),
    ],
    columns=["kode", "nama", "tingkat", "induk", "jenis"],
)


def _m(kode, dataset, periode, item, ukuran, label, nilai, atribut=None) -> dict:
    return dict(
        kode_wilayah=kode, dataset=dataset, periode=periode, kode=item, ukuran=ukuran,
        label=label, nilai=nilai, atribut=json.dumps(atribut) if atribut else None,
    )  # fmt: skip


def _apbdes(kode: str, scale: float) -> list[dict]:
    lines = {"4": 1000, "4.2.1": 600, "4.2.3": 300, "5": 1100, "6": 100}
    out = []
    for item, value in lines.items():
        out.append(_m(kode, "apbdes", "2026", item, "anggaran", f"akun {item}", value * scale))
        out.append(_m(kode, "apbdes", "2026", item, "realisasi", f"akun {item}", value * scale / 2))
    return out


@pytest.fixture
def meas() -> pd.DataFrame:
    rows = _apbdes("17.03.06.2001", 1.0) + _apbdes("17.03.07.2001", 2.0)
    # Tebat Pacur spent 80 % of its belanja: it ranks first
    rows += [
        _m("17.03.06.2002", "apbdes", "2026", "5", "anggaran", "BELANJA", 1000.0),
        _m("17.03.06.2002", "apbdes", "2026", "5", "realisasi", "BELANJA", 800.0),
        _m("17.03.06.2002", "apbdes", "2025", "5", "anggaran", "BELANJA", 5.0),
    ]
    for kode, pid, ang, prog, src in (
        ("17.03.06.2001", "1", 100.0, 100.0, "Dana Desa"),
        ("17.03.06.2001", "2", 50.0, 30.0, "Alokasi Dana Desa"),
        ("17.03.06.1009", "7", 70.0, 0.0, "APBD Kabupaten"),
    ):
        attr = {"sumber_dana": src, "pelaksana": "TPK", "lokasi": "Dusun I", "volume": "1 unit"}
        rows.append(_m(kode, "pembangunan", "2026", pid, "anggaran", f"Proyek {pid}", ang, attr))
        rows.append(_m(kode, "pembangunan", "2026", pid, "progres", f"Proyek {pid}", prog, attr))
    for kode, pid, name, n in (
        ("17.03.06.2001", "1", "PKH", 20.0),
        ("17.03.06.2002", "9", "PKH", 5.0),
        ("17.03.06.2001", "2", "PIP", 7.0),
    ):
        attr = {"sasaran": 2 if name == "PKH" else 1, "asal_dana": "Pusat"}
        rows.append(_m(kode, "bantuan", "", pid, "peserta", name, n, attr))
    return pd.DataFrame(rows)


def test_apbdes_villages_reconcile_and_rank(meas):
    table = finance.apbdes_villages(meas, REGIONS, "2026")
    assert list(table.columns[: len(finance.APBDES_COLUMNS)]) == finance.APBDES_COLUMNS
    assert len(table) == 4  # every registry village, reporting or not
    year = meas[(meas["dataset"] == "apbdes") & (meas["periode"] == "2026")]
    for col, (code, ukuran) in {
        "anggaran_belanja": ("5", "anggaran"),
        "realisasi_belanja": ("5", "realisasi"),
        "dana_desa": ("4.2.1", "anggaran"),
        "alokasi_dana_desa": ("4.2.3", "anggaran"),
    }.items():
        expected = year[(year["kode"] == code) & (year["ukuran"] == ukuran)]["nilai"].sum()
        assert table[col].sum() == pytest.approx(expected)
    by = table.set_index("kode_desa")
    assert by.loc["17.03.06.2002", "serapan_belanja"] == pytest.approx(80.0)
    assert by.loc["17.03.06.2002", "peringkat"] == 1
    assert by.loc["17.03.06.2001", "serapan_belanja"] == pytest.approx(50.0)
    assert pd.isna(by.loc["17.03.06.1009", "peringkat"])
    assert finance.not_reported(table) == ([], ["Lubuk Durian"])
    ranking = finance.absorption_ranking(table)
    assert list(ranking["kode_desa"])[0] == "17.03.06.2002" and len(ranking) == 3


def test_rollups_and_totals(meas):
    table = finance.apbdes_villages(meas, REGIONS, "2026")
    kec = finance.rollup_apbdes(table, REGIONS, "kecamatan").set_index("kode_wilayah")
    assert kec.loc["17.03.06", "anggaran_belanja"] == pytest.approx(2100.0)
    assert kec.loc["17.03.06", "serapan_belanja"] == pytest.approx(1350 / 2100 * 100)
    assert kec.loc["17.03.06", "desa_melapor"] == 2 and kec.loc["17.03.06", "desa"] == 3
    kab = finance.rollup_apbdes(table, REGIONS, "kabupaten").iloc[0]
    totals = finance.apbdes_totals(table)
    assert kab["anggaran_belanja"] == pytest.approx(totals["anggaran_belanja"]) == 4300.0
    assert totals["desa_melapor"] == 3 and totals["desa"] == 4
    with pytest.raises(ValueError):
        finance.rollup_apbdes(table, REGIONS, "desa")


def test_accounts_years_and_scope(meas):
    assert finance.apbdes_years(meas) == ["2026", "2025"]
    lines = finance.apbdes_lines(meas, "2026", "17.03.06.2001")
    groups = finance.group_table(lines)
    assert list(groups["kode"]) == ["4", "5", "6"]
    assert groups.set_index("kode").loc["5", "serapan"] == pytest.approx(50.0)
    accounts = finance.account_table(finance.apbdes_lines(meas, "2026", "17.03.06"))
    assert accounts.set_index("kode").loc["5", "desa_melapor"] == 2


def test_empty_and_kelurahan_only():
    empty = pd.DataFrame(columns=["kode_wilayah", "dataset", "periode", "kode", "ukuran",
                                  "label", "nilai", "atribut"])  # fmt: skip
    table = finance.apbdes_villages(empty, REGIONS, "2026", "17.03.06")
    assert len(table) == 3 and not table["melapor"].any()
    assert finance.not_reported(table) == (["Talang Jambu", "Tebat Pacur"], ["Lubuk Durian"])
    totals = finance.apbdes_totals(table)
    assert totals["anggaran_belanja"] == 0 and math.isnan(totals["serapan_belanja"])
    assert finance.absorption_ranking(table).empty
    assert finance.apbdes_years(empty) == []
    assert finance.projects(empty, REGIONS).empty
    assert finance.by_funding_source(finance.projects(empty, REGIONS)).empty
    assert finance.progress_distribution(finance.projects(empty, REGIONS)).empty
    assert finance.bantuan_programs(finance.bantuan_rows(empty, REGIONS)).empty
    kel = finance.apbdes_villages(empty, REGIONS, "2026", "17.03.06.1009")
    assert finance.not_reported(kel) == ([], ["Lubuk Durian"])


def test_pembangunan(meas):
    items = finance.projects(meas, REGIONS, "2026", "17.03.06")
    assert list(items.columns) == finance.PROJECT_COLUMNS and len(items) == 3
    assert items["anggaran"].sum() == 220.0
    per = finance.pembangunan_villages(items, finance.villages(REGIONS, "17.03.06"))
    by = per.set_index("kode_desa")
    assert by.loc["17.03.06.2001", "jumlah_kegiatan"] == 2
    assert by.loc["17.03.06.2001", "rata_progres"] == pytest.approx(65.0)
    assert by.loc["17.03.06.2001", "kegiatan_selesai"] == 1
    assert (
        by.loc["17.03.06.2002", "jumlah_kegiatan"] == 0 and not by.loc["17.03.06.2002", "melapor"]
    )
    src = finance.by_funding_source(items)
    assert list(src["sumber_dana"]) == ["Dana Desa", "APBD Kabupaten", "Alokasi Dana Desa"]
    assert src["anggaran"].sum() == items["anggaran"].sum()
    dist = finance.progress_distribution(items)
    assert list(dist["progres"]) == [0.0, 30.0, 100.0] and dist["jumlah_kegiatan"].sum() == 3


def test_bantuan(meas):
    rows = finance.bantuan_rows(meas, REGIONS)
    assert list(rows.columns) == finance.BANTUAN_COLUMNS and rows["peserta"].sum() == 32
    assert rows["peserta"].dtype == "Int64"  # counts of people: "20" in the CSV, not "20.0"
    programs = finance.bantuan_programs(rows)
    pkh = programs.set_index("program").loc["PKH"]
    assert pkh["peserta"] == 25 and pkh["desa"] == 2 and pkh["sasaran"] == 2
    per = finance.bantuan_villages(rows, finance.villages(REGIONS)).set_index("kode_desa")
    one = per.loc["17.03.06.2001"]
    # recipients per target, never one sum of persons and families
    assert "peserta" not in per.columns and one["jumlah_program"] == 2
    assert one["kepesertaan_keluarga"] == 20 and one["kepesertaan_penduduk"] == 7
    assert pd.isna(one["kepesertaan_rumah_tangga"])
    assert per.loc["17.03.07.2001", "jumlah_program"] == 0


def test_bantuan_targets_are_never_added_together(meas):
    rows = finance.bantuan_rows(meas, REGIONS)
    targets = finance.bantuan_targets(rows).set_index("sasaran")
    assert list(targets.index) == [1, 2]  # only the targets present
    assert targets.loc[2, "kepesertaan"] == 25 and targets.loc[2, "jumlah_program"] == 1
    assert targets.loc[1, "kepesertaan"] == 7 and targets.loc[1, "desa"] == 1
    assert targets.loc[2, "desa"] == 2
    distinct = finance.with_distinct(finance.bantuan_targets(rows), {2: 22})
    # households and groups have no count of distinct recipients: a gap, not a zero
    assert pd.isna(distinct.loc[0, "penerima"]) and distinct.loc[1, "penerima"] == 22
    # a programme whose source names no target is listed apart, last
    odd = rows.assign(sasaran=pd.array([None, 2, 1], dtype="Int64"))
    assert list(finance.bantuan_targets(odd)["sasaran"]) == [1, 2, finance.TANPA_SASARAN]


def test_identity_parses_atribut():
    meas = pd.DataFrame([{
        **_m("17.03.06.2001", "identitas", "", "", "profil", None, None,
             {"nama_desa": "Talang Jambu", "website": "https://x.desa.id"}),
        "updated_at": pd.Timestamp("2026-11-28", tz="UTC"),
    }])  # fmt: skip
    info = finance.identity(meas, "17.03.06.2001")
    assert info["website"] == "https://x.desa.id"
    assert finance.identity(meas, "17.03.06.2002") == {}
