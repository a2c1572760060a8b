"""`dasbor import`: OpenDK template spreadsheets checked whole, loaded in one run — on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from collectors.spreadsheet import (
    RowError,
    import_file,
    parse_number,
    read_table,
    validate,
)
from config.datasets import BY_NAME
from warehouse.accounts import Actor
from warehouse.imports import record_import
from warehouse.store import DatasetWrite, MeasurementRow

# Kecamatan Kerkap (17.03.06) and Kota Arga Makmur (17.03.07), Bengkulu Utara
TALANG_JAMBU = "17.03.06.2001"
TEBAT_PACUR = "17.03.06.2002"
TALANG_CURUP = "17.03.06.2003"
LUBUK_DURIAN = "17.03.06.1009"  # a kelurahan
PURWODADI = "17.03.07.1026"

AKI_AKB_NOV = f"""desa_id,jumlah_aki,jumlah_akb
{TALANG_JAMBU},0,1
{TEBAT_PACUR},1,2
1703062003,0,0
{LUBUK_DURIAN},0,3
"""


def _csv(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _xlsx(tmp_path, name: str, rows: list[list], *, percent_cells: tuple[str, ...] = ()):
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    for ref in percent_cells:
        sheet[ref].number_format = "0.0%"
    path = tmp_path / name
    book.save(path)
    return path


def _values(store, dataset: str) -> dict[tuple, float]:
    df = store.measurements_frame(datasets=[dataset])
    return {
        (r.kode_wilayah, r.periode, r.kode, r.ukuran): r.nilai for r in df.itertuples(index=False)
    }


def _load(store, villages, path, dataset="aki-akb", **period):
    period.setdefault("tahun", 2026)
    report = import_file(
        store, dataset, path, path.name, villages=villages, **period, actor=Actor.system("test")
    )
    assert report.ok, report.summary()
    return report


def _places(errors: list[RowError]) -> list[tuple[int, str]]:
    return [(e.line, e.column) for e in errors]


# -- reading -------------------------------------------------------------------------------------
def test_read_csv_semicolon_bom_headers_and_row_numbers(tmp_path):
    text = "\ufeffDesa ID ; Jumlah AKI;JUMLAH_AKB\n17.03.06.2001;0;1\n\n1703062002;;12,5\n"
    df = read_table(_csv(tmp_path, "aki.csv", text), "aki.csv")
    assert list(df.columns) == ["desa_id", "jumlah_aki", "jumlah_akb"]
    # the header is row 1; a blank row keeps its number so later rows match the spreadsheet
    assert list(df.index) == [2, 3, 4]
    assert df.loc[4].tolist() == ["1703062002", "", "12,5"]
    assert df.attrs["errors"] == []


def test_read_csv_from_bytes_with_comma_and_quoted_decimal_comma():
    data = b'desa_id,cakupan_imunisasi\n17.03.06.2001,"95,5"\n17.03.06.2002,87,5\n'
    df = read_table(data, "imunisasi.csv")
    assert df.loc[2, "cakupan_imunisasi"] == "95,5"
    # an unquoted decimal comma splits the cell: the row is reported, not silently cut
    assert _places(df.attrs["errors"]) == [(3, "")]
    assert df.attrs["errors"][0].message.startswith(
        "baris berisi 3 nilai, padahal judul kolom hanya 2"
    )


def test_read_xlsx_first_sheet_numbers_as_typed(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Desa_ID", "Cakupan Imunisasi", "catatan"])
    sheet.append([1703062001, 95.5, "ok"])
    sheet.append([])
    sheet.append(["17.03.06.2002", 0.875, None])  # typed as 87,5 % in a percent cell
    sheet.append(["17.03.06.2003", 1.234, None])
    sheet["B4"].number_format = "0.0%"
    other = book.create_sheet("Petunjuk")
    other.append(["bukan data"])
    book.active = 1  # the operator saved with the instructions sheet open
    path = tmp_path / "imunisasi.xlsx"
    book.save(path)

    df = read_table(path, "imunisasi.xlsx")
    assert list(df.columns) == ["desa_id", "cakupan_imunisasi", "catatan"]
    assert list(df.index) == [2, 3, 4, 5]
    assert df["desa_id"].tolist() == ["1703062001", "", "17.03.06.2002", "17.03.06.2003"]
    assert df["cakupan_imunisasi"].tolist() == ["95.5", "", "87.5", "1.2340"]
    assert [parse_number(v) for v in ("95.5", "87.5", "1.2340")] == [95.5, 87.5, 1.234]


def test_read_table_refuses_unreadable_files(tmp_path, sqlite_store, default_villages):
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
    latin1 = "desa_id,jumlah_aki,jumlah_akb\n17.03.06.2001,0,1 # catatan bidan\xe9\n".encode(
        "latin-1"
    )
    cases = [
        (old_excel, "aki.xls", "format .xls lama tidak didukung"),
        (latin1, "aki.csv", "bukan teks UTF-8"),
        (b"\n\n", "aki.csv", "berkas kosong"),
        (b"not a zip", "aki.xlsx", "berkas XLSX tidak dapat dibaca"),
        (b"%PDF-1.7", "aki.pdf", "bukan CSV atau XLSX"),
    ]
    for data, name, message in cases:
        report = import_file(
            sqlite_store,
            "aki-akb",
            data,
            name,
            tahun=2026,
            bulan=11,
            villages=default_villages,
            actor=Actor.system("test"),
        )
        assert not report.ok and report.run_id is None
        assert message in report.errors[-1].message, (name, report.errors)
    assert sqlite_store.runs_frame().empty


@pytest.mark.parametrize(
    "text, value",
    [
        ("1.234", 1234.0),
        ("1.234.567", 1234567.0),
        ("1.234,5", 1234.5),
        ("12,5", 12.5),
        ("12.5", 12.5),
        (" 7 ", 7.0),
        ("-3", -3.0),
        ("x", None),
        ("1e3", None),
        ("12,5,1", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


# -- a clean monthly file --------------------------------------------------------------------------
def test_aki_akb_month_loads_in_one_run(store, default_villages, tmp_path):
    path = _csv(tmp_path, "aki-akb-2026-11.csv", AKI_AKB_NOV)
    report = _load(store, default_villages, path, bulan=11)

    assert (report.villages, report.rows, report.periode) == (4, 8, "202611")
    assert report.summary().startswith("4 desa, 8 nilai dimuat untuk periode 2026-11")
    assert report.summary("en").startswith("4 villages, 8 values loaded for period 2026-11")
    values = _values(store, "aki-akb")
    assert len(values) == 8
    assert values[(TEBAT_PACUR, "202611", "", "jumlah_akb")] == 2.0
    assert values[(TALANG_CURUP, "202611", "", "jumlah_aki")] == 0.0  # digits-only code

    runs = store.runs_frame()
    assert len(runs) == 1
    run = runs.iloc[0]
    assert (run["id"], run["trigger"], run["status"]) == (report.run_id, "import", "completed")
    assert run["kind"] == "import"
    assert (run["villages_total"], run["villages_ok"], run["villages_unchanged"]) == (4, 4, 0)
    # the import's own fetch log, under its run
    log = store.fetch_log_frame(report.run_id)
    assert sorted(log["kode_desa"]) == sorted(
        [TALANG_JAMBU, TEBAT_PACUR, TALANG_CURUP, LUBUK_DURIAN]
    )
    assert set(log["status"]) == {"ok"} and set(log["dataset"]) == {"aki-akb"}
    # the last import per region, dataset and period, with the file's name; a file is no
    # collection: the villages' collection status is not touched (issue 8)
    imports = store.import_status_frame().set_index("kode_wilayah")
    assert sorted(imports.index) == sorted(log["kode_desa"])
    assert set(imports["dataset"]) == {"aki-akb"} and set(imports["periode"]) == {"202611"}
    assert set(imports["run_id"]) == {report.run_id}
    assert set(imports["source"]) == {"aki-akb-2026-11.csv"}
    assert store.dataset_status_frame().empty
    events = store.job_events_frame()
    assert events.iloc[-1]["run_id"] == report.run_id
    assert "aki-akb-2026-11.csv" in events.iloc[-1]["detail"]


def test_reimporting_the_same_file_changes_nothing(store, default_villages, tmp_path):
    path = _csv(tmp_path, "aki.csv", AKI_AKB_NOV)
    first = _load(store, default_villages, path, bulan=11)
    before = store.measurements_frame(datasets=["aki-akb"])

    again = _load(store, default_villages, path, bulan=11)
    assert set(again.statuses.values()) == {"unchanged"}
    assert again.summary().endswith("(0 desa berubah, 4 tidak berubah)")
    after = store.measurements_frame(datasets=["aki-akb"])
    assert after.equals(before)
    assert set(after["updated_run_id"]) == {first.run_id}
    assert store.audit_frame("measurement").empty
    assert store.history_frame("measurement")["valid_to_run"].isna().all()
    run = store.runs_frame().iloc[0]
    assert (run["id"], run["villages_ok"], run["villages_unchanged"]) == (again.run_id, 0, 4)
    assert set(store.fetch_log_frame(again.run_id)["status"]) == {"unchanged"}
    # an unchanged file is an import all the same: the last import is this one
    imports = store.import_status_frame()
    assert len(imports) == 4 and set(imports["run_id"]) == {again.run_id}
    assert store.dataset_status_frame().empty


def test_next_month_keeps_the_previous_month(store, default_villages, tmp_path):
    _load(store, default_villages, _csv(tmp_path, "nov.csv", AKI_AKB_NOV), bulan=11)
    december = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},1,0\n{PURWODADI},0,4\n"
    report = _load(store, default_villages, _csv(tmp_path, "des.csv", december), bulan=12)
    assert report.summary().startswith("2 desa, 4 nilai dimuat untuk periode 2026-12")

    values = _values(store, "aki-akb")
    assert len(values) == 12
    assert values[(TALANG_JAMBU, "202611", "", "jumlah_akb")] == 1.0
    assert values[(TALANG_JAMBU, "202612", "", "jumlah_aki")] == 1.0
    assert values[(PURWODADI, "202612", "", "jumlah_akb")] == 4.0
    assert store.audit_frame("measurement").empty


def test_corrected_file_updates_only_its_villages(store, default_villages, tmp_path):
    first = _load(store, default_villages, _csv(tmp_path, "nov.csv", AKI_AKB_NOV), bulan=11)
    # the bidan corrects Tebat Pacur; the file now lists only two villages
    corrected = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},0,1\n{TEBAT_PACUR},1,3\n"
    report = _load(store, default_villages, _csv(tmp_path, "nov2.csv", corrected), bulan=11)
    assert report.statuses == {TALANG_JAMBU: "unchanged", TEBAT_PACUR: "ok"}

    values = _values(store, "aki-akb")
    assert values[(TEBAT_PACUR, "202611", "", "jumlah_akb")] == 3.0
    assert values[(LUBUK_DURIAN, "202611", "", "jumlah_akb")] == 3.0  # not in the file: stays
    audit = store.audit_frame("measurement")
    assert len(audit) == 1
    change = audit.iloc[0]
    assert (
        change["kode_wilayah"],
        change["ukuran"],
        change["lama_nilai"],
        change["baru_nilai"],
        change["berubah"],
    ) == (TEBAT_PACUR, "jumlah_akb", 2.0, 3.0, "nilai")
    assert (change["run_id"], change["change"]) == (report.run_id, "update")
    assert report.run_id > first.run_id


# -- a bad file ------------------------------------------------------------------------------------
BAD_AKI_AKB = f"""desa_id,jumlah_aki,jumlah_akb,nama_desa
{TALANG_JAMBU},0,1,Talang Jambu
17.03.06.2999,0,0,Desa Fiktif
{TEBAT_PACUR},-1,2,Tebat Pacur
{TALANG_CURUP},x,0,Talang Curup
1703062001,1,0,Talang Jambu lagi
{LUBUK_DURIAN},,1,Lubuk Durian
{PURWODADI},2,1.5,Purwodadi
17.3.6.2004,0,0,Banyu Mas Lama
"""


def test_bad_file_loads_nothing_and_reports_every_error(store, default_villages, tmp_path):
    _load(store, default_villages, _csv(tmp_path, "nov.csv", AKI_AKB_NOV), bulan=11)
    before = store.measurements_frame()
    runs_before = len(store.runs_frame())

    path = _csv(tmp_path, "des.csv", BAD_AKI_AKB)
    report = import_file(
        store,
        "aki-akb",
        path,
        "des.csv",
        tahun=2026,
        bulan=12,
        semester=2,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert not report.ok
    assert (report.run_id, report.villages, report.rows) == (None, 0, 0)
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (0, "semester", "semester tidak berlaku untuk dataset aki-akb (data bulanan)"),
        (3, "desa_id", "17.03.06.2999 bukan desa dalam registri"),
        (4, "jumlah_aki", "nilai '-1' tidak boleh negatif"),
        (5, "jumlah_aki", "nilai 'x' bukan angka"),
        (6, "desa_id", f"desa {TALANG_JAMBU} juga ada di baris 2"),
        (7, "jumlah_aki", "kosong, wajib diisi"),
        (8, "jumlah_akb", "nilai '1.5' harus bilangan bulat"),
        (9, "desa_id", "'17.3.6.2004' bukan kode desa (contoh 17.03.06.2001)"),
    ]
    summary = report.summary().splitlines()
    assert summary[0] == "Berkas ditolak: 8 kesalahan"
    assert "baris 5, kolom jumlah_aki: nilai 'x' bukan angka" in summary
    assert "row 5, column jumlah_aki: value 'x' is not a number" in report.summary("en")
    # nothing landed: no run, no value, no bookkeeping
    assert len(store.runs_frame()) == runs_before
    assert store.measurements_frame().equals(before)
    assert "202612" not in set(store.measurements_frame()["periode"])


def test_missing_column_is_one_error_naming_it(store, default_villages, tmp_path):
    path = _xlsx(
        tmp_path, "aki.xlsx", [["desa_id", "jumlah_aki"], [TALANG_JAMBU, 0], [TEBAT_PACUR, 1]]
    )
    report = import_file(
        store,
        "aki-akb",
        path,
        "aki.xlsx",
        tahun=2026,
        bulan=11,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert [(e.line, e.column) for e in report.errors] == [(1, "jumlah_akb")]
    assert report.errors[0].line_text() == (
        "baris 1, kolom jumlah_akb: kolom jumlah_akb tidak ada "
        "(kolom wajib: desa_id, jumlah_aki, jumlah_akb)"
    )
    assert store.measurements_frame().empty and store.runs_frame().empty


def test_imunisasi_is_a_whole_number_as_opendk_stores_it(store, default_villages, tmp_path):
    """OpenDK's cakupan_imunisasi is a count (children immunised), not a percentage: 134 and
    1.234 (thousands dot) load; a fraction is refused as any count's would be (issue 11)."""
    rows = [
        ["desa_id", "cakupan_imunisasi"],
        [TALANG_JAMBU, "95,5"],
        [TEBAT_PACUR, 100],
        [TALANG_CURUP, "134"],
        [PURWODADI, "1.234"],
    ]
    path = _xlsx(tmp_path, "imunisasi.xlsx", rows)
    report = import_file(
        store,
        "imunisasi",
        path,
        "imunisasi.xlsx",
        tahun=2026,
        bulan=11,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "cakupan_imunisasi", "nilai '95,5' harus bilangan bulat"),
    ]
    assert store.measurements_frame().empty

    good = _xlsx(tmp_path, "imunisasi2.xlsx", [rows[0], [TALANG_JAMBU, 96], *rows[2:]])
    _load(store, default_villages, good, dataset="imunisasi", bulan=11)
    assert _values(store, "imunisasi") == {
        (TALANG_JAMBU, "202611", "", "cakupan_imunisasi"): 96.0,
        (TEBAT_PACUR, "202611", "", "cakupan_imunisasi"): 100.0,
        (TALANG_CURUP, "202611", "", "cakupan_imunisasi"): 134.0,
        (PURWODADI, "202611", "", "cakupan_imunisasi"): 1234.0,
    }


@pytest.mark.parametrize(
    "dataset, period, message",
    [
        ("aki-akb", {}, "bulan wajib diisi untuk dataset aki-akb (data bulanan)"),
        ("aki-akb", {"semester": 1}, "bulan wajib diisi untuk dataset aki-akb (data bulanan)"),
        ("aki-akb", {"bulan": 13}, "bulan 13 harus 1–12"),
        (
            "tingkat-pendidikan",
            {"bulan": 7},
            "semester wajib diisi untuk dataset tingkat-pendidikan (data semesteran)",
        ),
        ("tingkat-pendidikan", {"semester": 3}, "semester 3 harus 1 atau 2"),
        # OpenDK's APBDes is monthly (the villages' own is yearly)
        ("apbdes", {}, "bulan wajib diisi untuk dataset apbdes (data bulanan)"),
        ("apbdes", {"bulan": 1, "tahun": 1999}, "tahun 1999 di luar rentang 2000–2100"),
    ],
)
def test_period_arguments_must_fit_the_grain(dataset, period, message):
    period = {"tahun": 2026, **period}
    df = read_table(AKI_AKB_NOV.encode(), "x.csv")
    result = validate(df, BY_NAME[dataset], known_villages=None, **period)
    assert not result.ok and result.rows == [] and result.periode == ""
    assert message in [e.message for e in result.errors if e.line == 0]


def test_wrong_period_loads_nothing(store, default_villages, tmp_path):
    path = _csv(tmp_path, "aki.csv", AKI_AKB_NOV)
    report = import_file(
        store,
        "aki-akb",
        path,
        "aki.csv",
        tahun=2026,
        semester=2,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert report.summary().splitlines() == [
        "Berkas ditolak: 2 kesalahan",
        "bulan wajib diisi untuk dataset aki-akb (data bulanan)",
        "semester tidak berlaku untuk dataset aki-akb (data bulanan)",
    ]
    assert "bulan is required for dataset aki-akb (monthly data)" in report.summary("en")
    assert store.measurements_frame().empty and store.runs_frame().empty


# -- the other templates ---------------------------------------------------------------------------
def test_epidemi_penyakit_with_penyakit_id_argument(store, default_villages, tmp_path):
    demam = _csv(
        tmp_path, "dbd.csv", f"desa_id,jumlah_penderita\n{TALANG_JAMBU},4\n{TEBAT_PACUR},0\n"
    )
    kolera = _csv(tmp_path, "kolera.csv", f"desa_id,jumlah_penderita\n{TALANG_JAMBU},7\n")
    _load(store, default_villages, demam, dataset="epidemi-penyakit", bulan=11, penyakit_id=3)
    _load(store, default_villages, kolera, dataset="epidemi-penyakit", bulan=11, penyakit_id="2")
    # the second disease of the same month leaves the first in place
    assert _values(store, "epidemi-penyakit") == {
        (TALANG_JAMBU, "202611", "3", "jumlah_penderita"): 4.0,
        (TEBAT_PACUR, "202611", "3", "jumlah_penderita"): 0.0,
        (TALANG_JAMBU, "202611", "2", "jumlah_penderita"): 7.0,
    }
    # without the argument the column is required
    report = import_file(
        store,
        "epidemi-penyakit",
        kolera,
        "kolera.csv",
        tahun=2026,
        bulan=11,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert _places(report.errors) == [(1, "penyakit_id")]


def test_epidemi_penyakit_from_a_column(store, default_villages, tmp_path):
    text = (
        "desa_id;penyakit_id;jumlah_penderita\n"
        f"{TALANG_JAMBU};3;4\n{TALANG_JAMBU};2;7\n{TEBAT_PACUR};3;1\n{TALANG_JAMBU};3;2\n"
    )
    path = _csv(tmp_path, "epidemi.csv", text)
    report = import_file(
        store,
        "epidemi-penyakit",
        path,
        "epidemi.csv",
        tahun=2026,
        bulan=11,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    # the same village twice is fine for two diseases, not for one
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (5, "desa_id", f"desa {TALANG_JAMBU} (penyakit_id 3) juga ada di baris 2"),
    ]
    fixed = _csv(tmp_path, "epidemi2.csv", text.rsplit("\n", 2)[0] + "\n")
    _load(store, default_villages, fixed, dataset="epidemi-penyakit", bulan=11)
    assert _values(store, "epidemi-penyakit") == {
        (TALANG_JAMBU, "202611", "3", "jumlah_penderita"): 4.0,
        (TALANG_JAMBU, "202611", "2", "jumlah_penderita"): 7.0,
        (TEBAT_PACUR, "202611", "3", "jumlah_penderita"): 1.0,
    }


def test_tingkat_pendidikan_semester(store, default_villages, tmp_path):
    header = [
        "desa_id",
        "tidak_tamat_sekolah",
        "tamat_sd_sederajat",
        "tamat_smp_sederajat",
        "tamat_sma_sederajat",
        "tamat_diploma_sederajat",
    ]
    path = _xlsx(
        tmp_path,
        "pendidikan.xlsx",
        [header, [TALANG_JAMBU, 120, 340, 210, 180, 25], [PURWODADI, 80, "1.020", 640, 590, 112]],
    )
    report = _load(store, default_villages, path, dataset="tingkat-pendidikan", semester=1)
    assert report.periode == "2026S1"
    assert report.summary().startswith("2 desa, 10 nilai dimuat untuk periode 2026 semester 1")
    values = _values(store, "tingkat-pendidikan")
    assert values[(TALANG_JAMBU, "2026S1", "", "tamat_sd")] == 340.0  # template column mapped
    assert values[(PURWODADI, "2026S1", "", "tamat_sd")] == 1020.0
    assert values[(PURWODADI, "2026S1", "", "tamat_diploma_sederajat")] == 112.0
    assert {k[3] for k in values} == set(BY_NAME["tingkat-pendidikan"].measures)


APBDES = f"""desa_id,no_akun,nama_akun,jumlah
{TALANG_JAMBU},4.2.1,Dana Desa,"980.500.000,50"
{TALANG_JAMBU},5.1,Belanja Pegawai,312000000
{TEBAT_PACUR},421-01,Dana Desa,875.000.000
"""


def test_apbdes_month_with_account_codes(store, default_villages, tmp_path):
    """A file (with a desa_id column, dotted or OpenDK codes) is the anggaran of its month,
    rolled up to the parent accounts; the collected year is left alone (issue 11)."""
    run = store.start_run()
    collected = [
        MeasurementRow("anggaran", 1_000_000_000.0, kode="4.2.1", label="Dana Desa", periode="2026")
    ]
    store.record_village(
        run, TALANG_JAMBU, [DatasetWrite("apbdes", "ok", collected, kind="measurement")]
    )

    report = _load(
        store, default_villages, _csv(tmp_path, "apbdes.csv", APBDES), dataset="apbdes", bulan=5
    )
    assert (report.periode, report.villages, report.rows) == ("202605", 2, 3)
    df = store.measurements_frame(datasets=["apbdes"], kode=TALANG_JAMBU)
    rows = {(r.periode, r.kode, r.ukuran): (r.label, r.nilai) for r in df.itertuples(index=False)}
    assert rows == {
        ("2026", "4.2.1", "anggaran"): ("Dana Desa", 1_000_000_000.0),  # the village's own
        ("202605", "4.2.1", "anggaran"): ("Dana Desa", 980_500_000.5),
        ("202605", "4.2", "anggaran"): ("Transfer", 980_500_000.5),
        ("202605", "4", "anggaran"): ("PENDAPATAN", 980_500_000.5),
        ("202605", "5.1", "anggaran"): ("Belanja Pegawai", 312_000_000.0),
        ("202605", "5", "anggaran"): ("BELANJA", 312_000_000.0),
    }
    tebat = store.measurements_frame(datasets=["apbdes"], kode=TEBAT_PACUR)
    assert set(tebat["kode"]) == {"4.2.1.01", "4.2.1", "4.2", "4"}

    # a file names the accounts it replaces: one left out of the next file stays
    corrected = _csv(
        tmp_path,
        "apbdes2.csv",
        APBDES.replace(f"{TALANG_JAMBU},5.1,Belanja Pegawai,312000000\n", "").replace(
            '"980.500.000,50"', "990.000.000"
        ),
    )
    _load(store, default_villages, corrected, dataset="apbdes", bulan=5)
    kept = store.measurements_frame(datasets=["apbdes"], kode=TALANG_JAMBU)
    month = kept[kept["periode"] == "202605"]
    assert dict(zip(month["kode"], month["nilai"], strict=True)) == {
        "4.2.1": 990_000_000.0, "4.2": 990_000_000.0, "4": 990_000_000.0,
        "5.1": 312_000_000.0, "5": 312_000_000.0,
    }  # fmt: skip

    bad = _csv(
        tmp_path,
        "apbdes3.csv",
        "desa_id,no_akun,nama_akun,jumlah\n"
        f"{TALANG_JAMBU},4.x,Dana Desa,10\n"
        f"{TALANG_JAMBU},,Tanpa kode,10\n",
    )
    report = import_file(
        store,
        "apbdes",
        bad,
        "apbdes3.csv",
        tahun=2026,
        bulan=5,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "no_akun", "'4.x' bukan kode rekening (contoh 412-01 atau 4.2.1)"),
        (3, "no_akun", "kosong, wajib diisi"),
    ]


def test_anggaran_kecamatan_by_kecamatan_id(store, default_villages, tmp_path):
    header = (
        "kecamatan_id,total_anggaran,total_belanja,belanja_pegawai,belanja_barang_jasa,"
        "belanja_modal,belanja_tidak_langsung\n"
    )
    text = header + (
        "17.03.06,2.500.000.000,1.100.000.000,600.000.000,300.000.000,150.000.000,50.000.000\n"
        "170307,3100000000,1250000000,700000000,350000000,150000000,50000000\n"
    )
    report = _load(
        store,
        default_villages,
        _csv(tmp_path, "kec.csv", text),
        dataset="anggaran-kecamatan",
        bulan=6,
    )
    assert report.summary().startswith("2 kecamatan, 12 nilai dimuat untuk periode 2026-06")
    values = _values(store, "anggaran-kecamatan")
    assert values[("17.03.06", "202606", "", "total_anggaran")] == 2_500_000_000.0
    assert values[("17.03.07", "202606", "", "belanja_modal")] == 150_000_000.0
    assert set(store.fetch_log_frame(report.run_id)["kode_desa"]) == {"17.03.06", "17.03.07"}

    wrong = header + (
        f"{TALANG_JAMBU},1,1,1,1,1,1\n"  # a village code where a kecamatan belongs
        "17.03.02,1,1,1,1,1,1\n"  # a kecamatan of Bengkulu Utara outside the registry
    )
    report = import_file(
        store,
        "anggaran-kecamatan",
        _csv(tmp_path, "kec2.csv", wrong),
        "kec2.csv",
        tahun=2026,
        bulan=7,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert [(e.line, e.column, e.message) for e in report.errors] == [
        (2, "kecamatan_id", f"'{TALANG_JAMBU}' bukan kode kecamatan (contoh 17.03.06)"),
        (3, "kecamatan_id", "17.03.02 bukan kecamatan dalam registri"),
    ]
    # a desa_id column is not the kecamatan template
    as_villages = _csv(tmp_path, "kec3.csv", text.replace("kecamatan_id", "desa_id", 1))
    report = import_file(
        store,
        "anggaran-kecamatan",
        as_villages,
        "kec3.csv",
        tahun=2026,
        bulan=7,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert _places(report.errors) == [(1, "kecamatan_id")]


def test_a_header_only_file_is_rejected(sqlite_store, default_villages):
    report = import_file(
        sqlite_store,
        "aki-akb",
        b"desa_id,jumlah_aki,jumlah_akb\n",
        "aki.csv",
        tahun=2026,
        bulan=11,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert report.summary() == "Berkas ditolak: 1 kesalahan\nberkas tidak berisi baris data"


def test_unknown_and_non_importable_datasets(sqlite_store, default_villages):
    data = AKI_AKB_NOV.encode()
    unknown = import_file(
        sqlite_store,
        "aki",
        data,
        "a.csv",
        tahun=2026,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert unknown.errors[0].message == "dataset aki tidak dikenal"
    pulled = import_file(
        sqlite_store,
        "identitas",
        data,
        "a.csv",
        tahun=2026,
        villages=default_villages,
        actor=Actor.system("test"),
    )
    assert pulled.errors[0].message == "dataset identitas tidak dapat diimpor dari berkas"


# -- one transaction -------------------------------------------------------------------------------
def test_record_import_is_all_or_nothing(store):
    run_id = store.start_run(trigger="import", total=3)
    row = MeasurementRow("jumlah_aki", 1.0, periode="202611")
    writes = {
        TALANG_JAMBU: DatasetWrite("aki-akb", "ok", [row], kind="measurement", periods=("202611",)),
        TEBAT_PACUR: DatasetWrite("aki-akb", "ok", [row], kind="measurement", periods=("202611",)),
        # the third village repeats a value: the diff refuses it after two villages are planned
        TALANG_CURUP: DatasetWrite(
            "aki-akb", "ok", [row, row], kind="measurement", periods=("202611",)
        ),
    }
    with pytest.raises(ValueError, match="duplicate"):
        record_import(store, run_id, "aki-akb", writes)
    assert store.measurements_frame().empty
    assert store.fetch_log_frame().empty and store.import_status_frame().empty

    del writes[TALANG_CURUP]
    assert record_import(store, run_id, "aki-akb", writes) == {
        TALANG_JAMBU: "ok",
        TEBAT_PACUR: "ok",
    }
    assert len(store.measurements_frame()) == 2
