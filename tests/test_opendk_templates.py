"""OpenDK's ten import templates, in OpenDK's own layout, import for real villages of the
registry and read back equal through /api/v1/dataset/<name> (issue 11) — SQLite and PostgreSQL.

Each file is built with openpyxl from the header row of the template the Unggah page offers
(collectors.opendk_templates, OpenDK's file names, sheets and columns); the village or
kecamatan is chosen at import where OpenDK's template has no column for it.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from collectors.opendk_templates import TEMPLATE_DATASETS, template_filename, template_xlsx
from collectors.spreadsheet import import_file
from config.settings import Settings
from dashboard.app import create_app
from warehouse.accounts import Actor

# Kecamatan Kerkap (17.03.06), Bengkulu Utara
KERKAP = "17.03.06"
TALANG_JAMBU = "17.03.06.2001"
TEBAT_PACUR = "17.03.06.2002"
TALANG_CURUP = "17.03.06.2003"
ACTOR = Actor.system("test:opendk-templates")


def _header(dataset: str) -> list[str]:
    sheet = load_workbook(io.BytesIO(template_xlsx(dataset))).active
    return [c.value for c in sheet[1]]


def _filled(dataset: str, rows: list[list]) -> bytes:
    """The template as an operator fills it: OpenDK's header, then the rows."""
    header = _header(dataset)
    book = Workbook()
    sheet = book.active
    sheet.title = load_workbook(io.BytesIO(template_xlsx(dataset))).active.title
    sheet.append(header)
    for row in rows:
        assert len(row) == len(header)
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# dataset: (import arguments, rows under OpenDK's header, values expected back:
# {(kode_wilayah, periode, kode, ukuran): nilai})
CASES = {
    "aki-akb": (
        dict(tahun=2026, bulan=11),
        [[TALANG_JAMBU, 0, 1], [TEBAT_PACUR, 1, 2]],
        {
            (TALANG_JAMBU, "202611", "", "jumlah_aki"): 0.0,
            (TALANG_JAMBU, "202611", "", "jumlah_akb"): 1.0,
            (TEBAT_PACUR, "202611", "", "jumlah_aki"): 1.0,
            (TEBAT_PACUR, "202611", "", "jumlah_akb"): 2.0,
        },
    ),
    # OpenDK's imunisasi is a whole number of children, not a percentage: 134 is fine
    "imunisasi": (
        dict(tahun=2026, bulan=10),
        [[TALANG_JAMBU, 134], [TALANG_CURUP, 12]],
        {
            (TALANG_JAMBU, "202610", "", "cakupan_imunisasi"): 134.0,
            (TALANG_CURUP, "202610", "", "cakupan_imunisasi"): 12.0,
        },
    ),
    # OpenDK's id 3 is Malaria, chosen on the form
    "epidemi-penyakit": (
        dict(tahun=2026, bulan=9, penyakit_id="3"),
        [[TALANG_JAMBU, 4], [TEBAT_PACUR, 0]],
        {
            (TALANG_JAMBU, "202609", "3", "jumlah_penderita"): 4.0,
            (TEBAT_PACUR, "202609", "3", "jumlah_penderita"): 0.0,
        },
    ),
    # OpenDK's column order: sanitasi before toilet
    "toilet-sanitasi": (
        dict(tahun=2026, bulan=8),
        [[TALANG_JAMBU, 210, 340]],
        {
            (TALANG_JAMBU, "202608", "", "sanitasi"): 210.0,
            (TALANG_JAMBU, "202608", "", "toilet"): 340.0,
        },
    ),
    "tingkat-pendidikan": (
        dict(tahun=2026, semester=1, region=TEBAT_PACUR),
        [[120, 340, 210, 190, 45]],
        {
            (TEBAT_PACUR, "2026S1", "", "tidak_tamat_sekolah"): 120.0,
            (TEBAT_PACUR, "2026S1", "", "tamat_sd"): 340.0,
            (TEBAT_PACUR, "2026S1", "", "tamat_smp"): 210.0,
            (TEBAT_PACUR, "2026S1", "", "tamat_sma"): 190.0,
            (TEBAT_PACUR, "2026S1", "", "tamat_diploma_sederajat"): 45.0,
        },
    ),
    "putus-sekolah": (
        dict(tahun=2026, semester=2, region=TALANG_CURUP),
        [[30, 41, 150, 152, 70, 75, 60, 72]],
        {
            (TALANG_CURUP, "2026S2", "", m): v
            for m, v in zip(
                (
                    "siswa_paud",
                    "anak_usia_paud",
                    "siswa_sd",
                    "anak_usia_sd",
                    "siswa_smp",
                    "anak_usia_smp",
                    "siswa_sma",
                    "anak_usia_sma",
                ),
                (30.0, 41.0, 150.0, 152.0, 70.0, 75.0, 60.0, 72.0),
                strict=True,
            )
        },  # fmt: skip
    ),
    "fasilitas-paud": (
        dict(tahun=2026, semester=1, region=TALANG_JAMBU),
        [[2, 5, 38]],
        {
            (TALANG_JAMBU, "2026S1", "", "jumlah_paud"): 2.0,
            (TALANG_JAMBU, "2026S1", "", "jumlah_guru_paud"): 5.0,
            (TALANG_JAMBU, "2026S1", "", "jumlah_siswa_paud"): 38.0,
        },
    ),
    # OpenDK's account codes, jumlah = anggaran of the month; parents rolled up from leaves
    "apbdes": (
        dict(tahun=2026, bulan=3, region=TALANG_JAMBU),
        [
            ["412-01", "Pengelolaan Tanah Kas Desa", 2_000_000],
            ["412-03", "Pasar Desa", 500_000],
            ["421-01", "Dana Desa", 875_000_000],
            ["522-01", "Belanja Jasa Honorarium Tim", 12_500_000],
        ],
        {
            (TALANG_JAMBU, "202603", "4.1.2.01", "anggaran"): 2_000_000.0,
            (TALANG_JAMBU, "202603", "4.1.2.03", "anggaran"): 500_000.0,
            (TALANG_JAMBU, "202603", "4.1.2", "anggaran"): 2_500_000.0,
            (TALANG_JAMBU, "202603", "4.1", "anggaran"): 2_500_000.0,
            (TALANG_JAMBU, "202603", "4.2.1.01", "anggaran"): 875_000_000.0,
            (TALANG_JAMBU, "202603", "4.2.1", "anggaran"): 875_000_000.0,
            (TALANG_JAMBU, "202603", "4.2", "anggaran"): 875_000_000.0,
            (TALANG_JAMBU, "202603", "4", "anggaran"): 877_500_000.0,
            (TALANG_JAMBU, "202603", "5.2.2.01", "anggaran"): 12_500_000.0,
            (TALANG_JAMBU, "202603", "5.2.2", "anggaran"): 12_500_000.0,
            (TALANG_JAMBU, "202603", "5.2", "anggaran"): 12_500_000.0,
            (TALANG_JAMBU, "202603", "5", "anggaran"): 12_500_000.0,
        },
    ),
    "anggaran-kecamatan": (
        dict(tahun=2026, bulan=6, region=KERKAP),
        [[2_500_000_000, 2_359_257_351, 207_625_000, 509_258_519, 8_982_250, 1_633_391_582]],
        {
            (KERKAP, "202606", "", m): v
            for m, v in zip(
                (
                    "total_anggaran",
                    "total_belanja",
                    "belanja_pegawai",
                    "belanja_barang_jasa",
                    "belanja_modal",
                    "belanja_tidak_langsung",
                ),
                (
                    2_500_000_000.0,
                    2_359_257_351.0,
                    207_625_000.0,
                    509_258_519.0,
                    8_982_250.0,
                    1_633_391_582.0,
                ),
                strict=True,
            )
        },  # fmt: skip
    ),
    # OpenDK 2026's Data Sarana: categories by OpenDK's names, no period
    "sarana": (
        dict(tahun=None),
        [
            [TALANG_JAMBU, "Posyandu Melati", 3, "Posyandu", "Bangunan permanen"],
            [TALANG_JAMBU, "SD Negeri 12", 1, "SD/Sederajat", ""],
            [TEBAT_PACUR, "Pasar Desa", 1, "Pasar", "Perlu perbaikan pagar"],
        ],
        {
            (TALANG_JAMBU, "", "posyandu:posyandu melati", "jumlah"): 3.0,
            (TALANG_JAMBU, "", "sd:sd negeri 12", "jumlah"): 1.0,
            (TEBAT_PACUR, "", "pasar:pasar desa", "jumlah"): 1.0,
        },
    ),
}


def test_every_template_of_opendk_is_offered_in_its_layout():
    assert set(TEMPLATE_DATASETS) == set(CASES)
    assert template_filename("apbdes") == "Format_Upload_APBDes.xlsx"
    assert _header("apbdes") == ["no_akun", "nama_akun", "jumlah"]
    assert _header("toilet-sanitasi") == ["desa_id", "sanitasi", "toilet"]
    assert _header("sarana") == ["desa_id", "nama", "jumlah", "kategori", "keterangan"]
    assert "desa_id" not in _header("tingkat-pendidikan")


def _api(store, dataset: str, periode: str) -> dict[tuple, float]:
    client = create_app(store, Settings()).server.test_client()
    params = {"wilayah": KERKAP}
    if periode:
        params["periode"] = periode
    resp = client.get(f"/api/v1/dataset/{dataset}", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    body = resp.get_json()
    return {
        (r["kode_wilayah"], str(r["periode"] or ""), str(r["kode"] or ""), r["ukuran"]): r["nilai"]
        for r in body["rows"]
    }


@pytest.mark.parametrize("dataset", list(CASES))
def test_an_opendk_template_imports_and_reads_back_equal(store, default_villages, dataset):
    args, rows, expected = CASES[dataset]
    report = import_file(
        store, dataset, _filled(dataset, rows), template_filename(dataset),
        villages=default_villages, actor=ACTOR, **args,
    )  # fmt: skip
    assert report.ok, report.summary()
    assert _api(store, dataset, report.periode) == expected
    if dataset == "sarana":
        meas = store.measurements_frame(datasets=["sarana"])
        posyandu = meas[meas["kode"] == "posyandu:posyandu melati"].iloc[0]
        assert posyandu["label"] == "Posyandu Melati"
        assert '"kategori": "posyandu"' in posyandu["atribut"]
    # every value says it came from a file
    meas = store.measurements_frame(datasets=[dataset])
    with store.engine.connect() as conn:
        from sqlalchemy import text

        sources = set(
            conn.execute(text("SELECT DISTINCT sumber FROM measurement WHERE dataset = :d"),
                         {"d": dataset}).scalars()
        )  # fmt: skip
    assert len(meas) == len(expected) and sources == {"import"}


def test_data_sarana_on_the_village_profile_and_its_twin(sqlite_store, default_villages):
    """The desa profile lists the village's facilities (the category in the page's language);
    its twin /api/v1/halaman/desa/sarana gives the same rows in machine values."""
    from dashboard.pages import desa
    from tests.test_dashboard_callbacks import DashClient, find

    args, rows, _ = CASES["sarana"]
    report = import_file(
        sqlite_store, "sarana", _filled("sarana", rows), "sarana.xlsx",
        villages=default_villages, actor=ACTOR, **args,
    )  # fmt: skip
    assert report.ok, report.summary()
    app = create_app(sqlite_store, Settings())
    resp = app.server.test_client().get(
        "/api/v1/halaman/desa/sarana", query_string={"wilayah": TALANG_JAMBU}
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    got = [
        (r["kategori"], r["kelompok"], r["nama"], r["jumlah"], r["keterangan"])
        for r in resp.get_json()["rows"]
    ]
    assert got == [
        ("posyandu", "kesehatan", "Posyandu Melati", 3, "Bangunan permanen"),
        ("sd", "pendidikan", "SD Negeri 12", 1, ""),
    ]
    client = DashClient(app)
    grid = find(client.page(f"/desa/{TALANG_JAMBU}"), desa.ID_SARANA)
    assert [r["kategori"] for r in grid["props"]["rowData"]] == ["Posyandu", "SD/Sederajat"]
    client.http.get(f"/bahasa/en?next=/desa/{TALANG_JAMBU}")
    grid = find(client.page(f"/desa/{TALANG_JAMBU}"), desa.ID_SARANA)
    assert grid["props"]["rowData"][0]["kelompok"] == "Health"


def test_unknown_category_and_disease_are_refused_naming_the_known(store, default_villages):
    bad = _filled("sarana", [[TALANG_JAMBU, "Gedung", 1, "Gedung Serbaguna", ""]])
    report = import_file(store, "sarana", bad, "s.xlsx", tahun=None, villages=default_villages,
                         actor=ACTOR)  # fmt: skip
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "kategori", "sarana.kategori")
    ]
    assert "Posyandu" in report.errors[0].message and "Balai Pertemuan" in report.errors[0].message
    # a disease outside OpenDK's four (and the settings' own) is refused; added, it loads
    sick = _filled("epidemi-penyakit", [[TALANG_JAMBU, 3]])
    refused = import_file(store, "epidemi-penyakit", sick, "e.xlsx", tahun=2026, bulan=1,
                          penyakit_id="7", villages=default_villages, actor=ACTOR,
                          penyakit_ids=["1", "2", "3", "4"])  # fmt: skip
    assert [e.code for e in refused.errors] == ["key.penyakit"]
    from config.penyakit import known_ids

    added = import_file(store, "epidemi-penyakit", sick, "e.xlsx", tahun=2026, bulan=1,
                        penyakit_id="7", villages=default_villages, actor=ACTOR,
                        penyakit_ids=known_ids("7=Demam Chikungunya"))  # fmt: skip
    assert added.ok, added.summary()
    assert store.measurements_frame().query("dataset == 'epidemi-penyakit'")["kode"].tolist() == [
        "7"
    ]
