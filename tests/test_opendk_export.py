"""A kecamatan's history from OpenDK's own Excel exports (issue 11): each export, written as
OpenDK's export classes write it (their header row, month names, number_format amounts),
loads one import per period, reads back equal, and a file with any error loads nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

from collectors.opendk_export import ExportError, import_opendk_export, plan_export
from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY
from warehouse.accounts import Actor

VILLAGES = load_registry(DEFAULT_REGISTRY)
KERKAP = [v for v in VILLAGES if v.kode_kecamatan == "17.03.06"][:3]
ACTOR = Actor.system("test")
STAMPS = ["2025-02-03 10:00:00", "2025-02-03 10:00:00"]


def export_xlsx(headings: list[str], rows: list[list], title: list[list] | None = None) -> bytes:
    """maatwebsite Excel's sheet: optional title rows, the bold header row, the mapped rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Worksheet"
    for row in title or []:
        sheet.append(row)
    sheet.append(headings)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def measurements(store, dataset: str) -> dict:
    frame = store.measurements_frame([dataset])
    return {(r.kode_wilayah, r.periode, r.kode, r.ukuran): r.nilai for r in frame.itertuples()}


def aki_akb_export(bad_month: str | None = None) -> tuple[bytes, dict]:
    headings = ["ID", "Nama Desa", "Kode Desa", "Jumlah AKI", "Jumlah AKB", "Bulan", "Tahun",
                "Tanggal Dibuat", "Tanggal Diperbarui"]  # fmt: skip
    rows, expected = [], {}
    serial = 0
    for tahun, bulan, name in ((2024, 12, "Desember"), (2025, 1, "Januari"), (2025, 2, "Februari")):
        for i, v in enumerate(KERKAP):
            serial += 1
            aki, akb = i, serial
            rows.append([serial, v.nama_desa, v.kode_desa, aki, akb, name, tahun, *STAMPS])
            periode = f"{tahun}{bulan:02d}"
            expected[(v.kode_desa, periode, "", "jumlah_aki")] = float(aki)
            expected[(v.kode_desa, periode, "", "jumlah_akb")] = float(akb)
    if bad_month:
        rows[-1][5] = bad_month
    return export_xlsx(headings, rows), expected


def test_an_aki_akb_export_loads_each_month_as_its_own_period(store):
    data, expected = aki_akb_export()
    result = import_opendk_export(store, data, "aki_akb.xlsx", villages=VILLAGES, actor=ACTOR)
    assert result.ok, result.summary("en")
    assert [r.periode for r in result.reports] == ["202412", "202501", "202502"]
    got = measurements(store, "aki-akb")
    assert {k: got.get(k) for k in expected} == expected
    runs = store.runs_frame(kinds=["import"])
    assert len(runs) == 3
    # the next export of the same history changes nothing
    again = import_opendk_export(store, data, "aki_akb.xlsx", villages=VILLAGES, actor=ACTOR)
    assert again.ok and all(r.changed == 0 for r in again.reports)


def test_an_export_with_one_bad_row_loads_nothing(store):
    data, _ = aki_akb_export(bad_month="Smarch")
    with pytest.raises(ExportError) as caught:
        import_opendk_export(store, data, "aki_akb.xlsx", villages=VILLAGES, actor=ACTOR)
    assert "Bulan Smarch" in str(caught.value) and "baris 10" in str(caught.value)
    assert store.measurements_frame(["aki-akb"]).empty and store.runs_frame().empty


def test_semester_exports_name_villages_by_name(store):
    headings = ["ID", "Nama Desa", "Tidak Tamat Sekolah", "Tamat SD", "Tamat SMP", "Tamat SMA",
                "Tamat Diploma/Sederajat", "Tahun", "Semester", *["Tanggal Dibuat",
                "Tanggal Diperbarui"]]  # fmt: skip
    rows = [[i, v.nama_desa.upper(), 10 + i, 20, 30, 40, 5, 2025, s, "", ""]
            for s in (1, 2) for i, v in enumerate(KERKAP)]  # fmt: skip
    data = export_xlsx(headings, rows)
    result = import_opendk_export(store, data, "tp.xlsx", villages=VILLAGES, actor=ACTOR,
                                  kecamatan="17.03.06")  # fmt: skip
    assert result.ok, result.summary("en")
    got = measurements(store, "tingkat-pendidikan")
    for i, v in enumerate(KERKAP):
        for s in (1, 2):
            assert got[(v.kode_desa, f"2025S{s}", "", "tidak_tamat_sekolah")] == 10 + i
            assert got[(v.kode_desa, f"2025S{s}", "", "tamat_sd")] == 20
    # a name not in the kecamatan is named
    rows[0][1] = "Desa Entah"
    with pytest.raises(ExportError, match="desa Desa Entah tidak ada di registri"):
        plan_export(export_xlsx(headings, rows), "tp.xlsx", VILLAGES, kecamatan="17.03.06")


def test_the_kecamatan_budget_needs_its_kecamatan_and_reads_openDKs_amounts(store):
    headings = ["ID", "Total Anggaran", "Total Belanja", "Belanja Pegawai",
                "Belanja Barang & Jasa", "Belanja Modal", "Belanja Tidak Langsung", "Bulan",
                "Tahun", "Tanggal Dibuat", "Tanggal Diperbarui"]  # fmt: skip
    rows = [[1, "1.500.000.000", "750.000.000", "250.000.000", "250.000.000", "200.000.000",
             "50.000.000", "Maret", 2025, "", ""]]  # fmt: skip
    data = export_xlsx(headings, rows)
    with pytest.raises(ExportError, match="--kecamatan"):
        plan_export(data, "anggaran.xlsx", VILLAGES)
    result = import_opendk_export(store, data, "anggaran.xlsx", villages=VILLAGES, actor=ACTOR,
                                  kecamatan="17.03.06")  # fmt: skip
    assert result.ok, result.summary("en")
    got = measurements(store, "anggaran-kecamatan")
    assert got[("17.03.06", "202503", "", "total_anggaran")] == 1_500_000_000
    assert got[("17.03.06", "202503", "", "belanja_modal")] == 200_000_000


def test_data_sarana_export_with_its_title_rows(store):
    rows = [[v.kode_desa, v.nama_desa, f"Posyandu {v.nama_desa}", 2, "Posyandu", ""]
            for v in KERKAP]  # fmt: skip
    data = export_xlsx(["ID", "Desa", "Nama Sarana", "Jumlah", "Kategori", "Keterangan"], rows,
                       title=[["Laporan Data Sarana"], [""]])  # fmt: skip
    result = import_opendk_export(store, data, "sarana.xlsx", villages=VILLAGES, actor=ACTOR)
    assert result.ok, result.summary("en")
    frame = store.measurements_frame(["sarana"])
    assert set(frame["kode_wilayah"]) == {v.kode_desa for v in KERKAP}
    assert set(frame["nilai"]) == {2.0}


def test_personal_and_unknown_exports_are_refused():
    with pytest.raises(ExportError, match="data pribadi"):
        plan_export(export_xlsx(["ID", "NIK", "Nama", "Alamat"], [[1, "x", "y", "z"]]),
                    "penduduk.xlsx", VILLAGES)  # fmt: skip
    with pytest.raises(ExportError, match="bukan ekspor OpenDK"):
        plan_export(export_xlsx(["a", "b"], [[1, 2]]), "x.xlsx", VILLAGES)


def test_an_apbdes_export_loads_each_village_and_month(store):
    headings = ["ID", "Desa", "No Akun", "Nama Akun", "Jumlah", "Bulan", "Tahun",
                "Tanggal Dibuat", "Tanggal Diperbarui"]  # fmt: skip
    rows = []
    for v in KERKAP[:2]:
        for bulan in ("Januari", "Februari"):
            rows.append([len(rows) + 1, v.nama_desa, "412-01", "Pengelolaan Tanah Kas Desa",
                         "1,500,000.00", bulan, 2025, "", ""])  # fmt: skip
            rows.append([len(rows) + 1, v.nama_desa, "421-01", "Dana Desa", "800,000,000.50",
                         bulan, 2025, "", ""])  # fmt: skip
    data = export_xlsx(headings, rows)
    result = import_opendk_export(store, data, "apbdes.xlsx", villages=VILLAGES, actor=ACTOR,
                                  kecamatan="17.03.06")  # fmt: skip
    assert result.ok, result.summary("en")
    assert len(result.reports) == 4  # two villages, two months
    frame = store.measurements_frame(["apbdes"])
    leaves = frame[frame["kode"].isin(["4.1.2.01", "4.2.1.01"]) & (frame["ukuran"] == "anggaran")]
    assert set(leaves["kode_wilayah"]) == {v.kode_desa for v in KERKAP[:2]}
    assert sorted(set(leaves["nilai"])) == [1_500_000.0, 800_000_000.5]
    assert len(set(leaves["periode"])) == 2


def test_the_import_command_reads_an_export(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dashboard.cli import main
    from warehouse.store import Warehouse

    url = f"sqlite:///{tmp_path / 'wh.db'}"
    monkeypatch.setenv("DASBOR_DATABASE_URL", url)
    data, expected = aki_akb_export()
    path = tmp_path / "AKI_AKB.xlsx"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["import", "--from-opendk-export", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 periode (202412 … 202502)" in result.output
    store = Warehouse(url)
    got = measurements(store, "aki-akb")
    assert {k: got.get(k) for k in expected} == expected
    store.engine.dispose()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(export_xlsx(["ID", "NIK", "Nama"], [[1, "3201", "x"]]))
    refused = CliRunner().invoke(main, ["import", "--from-opendk-export", str(bad)])
    assert refused.exit_code == 1 and "data pribadi" in refused.output
    usage = CliRunner().invoke(main, ["import"])
    assert usage.exit_code == 2 and "--from-opendk-export" in usage.output
