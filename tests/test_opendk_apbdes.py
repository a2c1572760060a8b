"""OpenDK's APBDes file over collected data (issue 11): the import writes its month and
nothing else; every other value — the villages' own APBDes, the other villages, every other
dataset — is the same before and after, on SQLite and PostgreSQL. Leaves roll up to their
parents, a file that contradicts its own totals loads nothing, a second file for the month
keeps the first one's accounts, and the next collection still lands the village's own."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from sqlalchemy import text

from aggregates import finance
from collectors.spreadsheet import import_file
from collectors.sweep import run_sweep
from config.settings import Settings
from tests.conftest import pointed_at
from warehouse.accounts import Actor

KERKAP = "17.03.06"
SETTINGS = Settings(concurrency=4, connect_timeout=2, read_timeout=5, retries=1, backoff=0.01,
                    tahun=2026)  # fmt: skip
ACTOR = Actor.system("test:opendk-apbdes")


def _desa(villages, count: int) -> list:
    return [v for v in villages if v.kode_kecamatan == KERKAP and v.kode_desa[9] == "2"][:count]


def _apbdes_xlsx(rows: list[tuple[str, str, float]]) -> bytes:
    """OpenDK's APBDes template (no_akun, nama_akun, jumlah), filled."""
    book = Workbook()
    sheet = book.active
    sheet.title = "APBDES"
    sheet.append(["no_akun", "nama_akun", "jumlah"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _everything(store) -> dict[str, pd.DataFrame]:
    """Every stored value of both value tables, comparable across time."""
    with store.engine.connect() as conn:
        meas = pd.read_sql(
            text("SELECT kode_wilayah, dataset, periode, kode, ukuran, label, nilai, atribut, "
                 "updated_run_id, sumber FROM measurement"), conn)  # fmt: skip
        obs = pd.read_sql(
            text("SELECT kode_desa, dataset, periode, kode, label, laki_laki, perempuan, "
                 "jumlah, updated_run_id, sumber FROM observation"), conn)  # fmt: skip
    return {
        "measurement": meas.sort_values(
            ["kode_wilayah", "dataset", "periode", "kode", "ukuran"]
        ).reset_index(drop=True),
        "observation": obs.sort_values(["kode_desa", "dataset", "periode", "kode"]).reset_index(
            drop=True
        ),
    }


def _month(store, kode: str, periode: str) -> dict[str, float]:
    meas = store.measurements_frame(datasets=["apbdes"], kode=kode)
    mine = meas[meas["periode"] == periode]
    assert set(mine["ukuran"]) <= {"anggaran"}
    return dict(zip(mine["kode"], mine["nilai"], strict=True))


def test_an_opendk_apbdes_over_collected_data_changes_nothing_else(
    store, simulator, default_villages
):
    a, b = _desa(default_villages, 2)
    villages = pointed_at([a, b], simulator.url)
    assert run_sweep(villages, store, SETTINGS).count("ok") == 2
    before = _everything(store)
    collected_a = before["measurement"].query(
        "kode_wilayah == @a.kode_desa and dataset == 'apbdes'"
    )
    assert {"anggaran", "realisasi"} <= set(collected_a["ukuran"])
    table_before = finance.apbdes_villages(
        store.measurements_frame(), store.regions_frame(), "2026", KERKAP
    ).set_index("kode_desa")
    assert pd.notna(table_before.loc[a.kode_desa, "peringkat"])

    report = import_file(
        store, "apbdes",
        _apbdes_xlsx([("412-01", "Pengelolaan Tanah Kas Desa", 2_000_000),
                      ("421-01", "Dana Desa", 875_000_000)]),
        "Format_Upload_APBDes.xlsx", tahun=2026, bulan=3, region=a.kode_desa,
        villages=villages, actor=ACTOR,
    )  # fmt: skip
    assert report.ok, report.summary()
    after = _everything(store)

    # the import wrote only its village's month; every other value is as it was, row for row
    new = after["measurement"]
    mine = (
        (new["kode_wilayah"] == a.kode_desa)
        & (new["dataset"] == "apbdes")
        & (new["periode"] == "202603")
    )
    pd.testing.assert_frame_equal(new[~mine].reset_index(drop=True), before["measurement"])
    pd.testing.assert_frame_equal(after["observation"], before["observation"])
    assert set(new[mine]["sumber"]) == {"import"}
    assert set(before["measurement"]["sumber"]) == {"collection"}
    assert _month(store, a.kode_desa, "202603") == {
        "4.1.2.01": 2_000_000.0, "4.1.2": 2_000_000.0, "4.1": 2_000_000.0,
        "4.2.1.01": 875_000_000.0, "4.2.1": 875_000_000.0, "4.2": 875_000_000.0,
        "4": 877_000_000.0,
    }  # fmt: skip

    # the village's own APBDes of the year still decides its row and its rank
    table_after = finance.apbdes_villages(
        store.measurements_frame(), store.regions_frame(), "2026", KERKAP
    ).set_index("kode_desa")
    pd.testing.assert_frame_equal(table_after, table_before)

    # a second file for the month adds its accounts; the first file's stay, parents re-summed
    second = import_file(
        store, "apbdes", _apbdes_xlsx([("412-03", "Pasar Desa", 500_000)]), "maret-2.xlsx",
        tahun=2026, bulan=3, region=a.kode_desa, villages=villages, actor=ACTOR,
    )  # fmt: skip
    assert second.ok, second.summary()
    month = _month(store, a.kode_desa, "202603")
    assert (month["4.1.2.01"], month["4.1.2.03"], month["4.1.2"], month["4"]) == (
        2_000_000.0, 500_000.0, 2_500_000.0, 877_500_000.0,
    )  # fmt: skip

    # the next collection lands the village's own figures, and leaves the month alone
    run_sweep(villages, store, SETTINGS)
    again = _everything(store)["measurement"]
    own = again[(again["dataset"] != "apbdes") | (again["periode"] != "202603")]
    cols = ["kode_wilayah", "dataset", "periode", "kode", "ukuran", "nilai"]
    pd.testing.assert_frame_equal(
        own[cols].reset_index(drop=True), before["measurement"][cols].reset_index(drop=True)
    )
    assert _month(store, a.kode_desa, "202603") == month


def test_leaves_only_in_an_empty_warehouse_give_the_totals_and_the_year(store, default_villages):
    (a,) = _desa(default_villages, 1)
    for bulan, dana_desa in ((1, 300_000_000), (2, 200_000_000)):
        report = import_file(
            store, "apbdes",
            _apbdes_xlsx([("421-01", "Dana Desa", dana_desa), ("511-01", "Siltap Kades", 3e6)]),
            f"apbdes-{bulan}.xlsx", tahun=2026, bulan=bulan, region=a.kode_desa,
            villages=[a], actor=ACTOR,
        )  # fmt: skip
        assert report.ok, report.summary()
    assert finance.apbdes_years(store.measurements_frame()) == ["2026"]
    row = finance.apbdes_villages(
        store.measurements_frame(), store.regions_frame(), "2026", a.kode_desa
    ).iloc[0]
    # OpenDK's year is the sum of its months
    assert row["anggaran_pendapatan"] == 500_000_000.0
    assert row["dana_desa"] == 500_000_000.0
    assert row["anggaran_belanja"] == 6_000_000.0


def test_a_file_that_contradicts_its_own_totals_loads_nothing(store, default_villages):
    (a,) = _desa(default_villages, 1)
    report = import_file(
        store, "apbdes",
        _apbdes_xlsx([("4.1.2", "Hasil Aset", 3_000_000), ("412-01", "Tanah Kas Desa", 2e6),
                      ("412-02", "Tambatan Perahu", 5e5), ("4x2-01", "Salah", 1)]),
        "apbdes.xlsx", tahun=2026, bulan=4, region=a.kode_desa, villages=[a], actor=ACTOR,
    )  # fmt: skip
    assert not report.ok
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "jumlah", "apbdes.not_sum"), (5, "no_akun", "key.account"),
    ]  # fmt: skip
    assert "4.1.2 (3.000.000) bukan jumlah sub-akunnya dalam berkas (2.500.000)" in (
        report.errors[0].message
    )
    assert store.measurements_frame().empty


def test_a_file_without_its_village_says_how_to_choose_it(store, default_villages):
    (a,) = _desa(default_villages, 1)
    data = _apbdes_xlsx([("421-01", "Dana Desa", 1)])
    report = import_file(store, "apbdes", data, "x.xlsx", tahun=2026, bulan=1,
                         villages=[a], actor=ACTOR)  # fmt: skip
    assert [e.code for e in report.errors] == ["region.missing"]
    assert "--desa KODE" in report.errors[0].message
    wrong = import_file(store, "apbdes", data, "x.xlsx", tahun=2026, bulan=1,
                        region="17.03.07.2001", villages=[a], actor=ACTOR)  # fmt: skip
    assert [e.code for e in wrong.errors] == ["code.not_registered"]
    yearly = import_file(store, "apbdes", data, "x.xlsx", tahun=2026, region=a.kode_desa,
                         villages=[a], actor=ACTOR)  # fmt: skip
    assert [e.code for e in yearly.errors] == ["period.required"]
    assert store.measurements_frame().empty
