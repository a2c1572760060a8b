"""Every page download and API twin read back as an analyst would (issue 8): counts and rupiah
are integers ("97", never "97.0"), rows of villages carry their kecamatan's code."""

from __future__ import annotations

import io
import shutil

import pandas as pd
import pytest

from config.settings import Settings
from config.statistik import STATISTICS
from dashboard import api_tables
from dashboard.app import create_app
from simulator.spreadsheets import load_samples
from warehouse.store import Warehouse

KECAMATAN, DESA = "17.03.06", "17.03.06.2001"
# columns that hold whole numbers wherever they appear: counts of people, villages,
# programmes, months, milliseconds, and rupiah
INTEGER_COLUMNS = {
    "laki_laki", "perempuan", "jumlah", "penduduk", "keluarga", "rumah_tangga",
    "desa_melapor", "peserta", "kepesertaan", "penerima", "desa", "jumlah_program", "sasaran",
    "anggaran", "realisasi", "anggaran_pendapatan", "realisasi_pendapatan", "anggaran_belanja",
    "realisasi_belanja", "dana_desa", "alokasi_dana_desa", "peringkat", "jumlah_aki",
    "jumlah_akb", "laporan", "lama", "baru", "run_id", "http_status", "duration_ms", "aktif",
    "tertinggal", "tidak_aktif", "belum_pernah", "melapor", "gagal", "hari_sejak",
    "waktu_respons_ms", "dataset_gagal", "toilet", "sanitasi", "jumlah_penderita",
    "tidak_tamat_sekolah", "tamat_sd", "tamat_smp", "tamat_sma", "tamat_diploma_sederajat",
    "jumlah_paud", "jumlah_guru_paud", "jumlah_siswa_paud",
}  # fmt: skip


@pytest.fixture(scope="module")
def client(collected_db, tmp_path_factory, default_villages):
    """The collected sweep, with sample spreadsheets for one kecamatan (health, education)."""
    path = tmp_path_factory.mktemp("csv") / "wh.db"
    shutil.copy(collected_db.removeprefix("sqlite:///"), path)
    store = Warehouse(f"sqlite:///{path}")
    kec = [v for v in default_villages if v.kode_kecamatan == KECAMATAN]
    load_samples(store, kec, tahun=2026)
    app = create_app(store, Settings())
    with app.server.test_request_context():
        tables = api_tables.page_tables()
    yield app.server.test_client(), tables
    store.engine.dispose()


def read_back(client, path: str, query: dict) -> pd.DataFrame:
    resp = client.get(path, query_string=query)
    assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:300])
    text = resp.get_data(as_text=True)
    return pd.read_csv(io.StringIO(text), dtype_backend="numpy_nullable", keep_default_na=True)


def twins(tables: dict) -> list[tuple[str, str]]:
    return [(page, table) for page, named in tables.items() for table in named]


def test_every_page_csv_reads_back_with_integer_counts(client):
    http, tables = client
    checked = 0
    for page, table in twins(tables):
        for wilayah in (DESA,) if page == "desa" else ("", KECAMATAN):
            frame = read_back(http, f"/api/v1/halaman/{page}/{table}.csv", {"wilayah": wilayah})
            for col in INTEGER_COLUMNS & set(frame.columns):
                if frame[col].notna().any():
                    assert pd.api.types.is_integer_dtype(frame[col]), (page, table, col)
                    checked += 1
    assert checked > 40  # the twins really hold counts (the samples are loaded)


def test_page_csvs_of_villages_carry_the_kecamatan_code(client):
    http, tables = client
    for page, table in twins(tables):
        if page == "desa":  # one village's own tables: the page names it
            continue
        frame = read_back(http, f"/api/v1/halaman/{page}/{table}.csv", {"wilayah": KECAMATAN})
        if "kode_desa" not in frame.columns:
            continue
        assert "kode_kecamatan" in frame.columns, (page, table)
        columns = list(frame.columns)
        if "nama_kecamatan" in columns:  # beside the name, as in halaman/ringkasan/desa
            assert columns.index("kode_kecamatan") + 1 == columns.index("nama_kecamatan")
        codes = frame["kode_desa"].dropna().astype(str)
        assert (frame.loc[codes.index, "kode_kecamatan"] == codes.str.slice(0, 8)).all()


@pytest.mark.parametrize("tingkat", ["desa", "kecamatan", "kabupaten"])
def test_every_statistic_csv_has_integer_counts(client, tingkat):
    http, _ = client
    for stat in STATISTICS:
        frame = read_back(http, f"/api/v1/statistik/{stat.slug}.csv", {"tingkat": tingkat})
        for col in ("laki_laki", "perempuan", "jumlah"):
            if frame[col].notna().any():
                assert pd.api.types.is_integer_dtype(frame[col]), (stat.slug, col)
