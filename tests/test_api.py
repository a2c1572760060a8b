"""The /api/v1 endpoints in-process (Flask test client): JSON and CSV twins hold the same rows,
the numbers equal the warehouse, errors share one shape, and tokens never leak."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pandas as pd
import pytest

from aggregates.population import EXPORT_COLUMNS, TOTALS_COLUMNS
from aggregates.status import VILLAGE_STATUS_COLUMNS
from aggregates.tables import MEASUREMENT_COLUMNS
from config.datasets import DATASETS
from config.settings import Settings
from config.statistik import STATISTICS
from dashboard import api_resources
from dashboard.app import create_app
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
DESA = "17.03.06.2001"

ENDPOINTS = [
    ("/api/v1/statistik/agama", {"tingkat": "kabupaten"}, EXPORT_COLUMNS),
    ("/api/v1/statistik/pekerjaan", {"tingkat": "desa", "wilayah": KECAMATAN}, EXPORT_COLUMNS),
    ("/api/v1/penduduk", {"tingkat": "kecamatan"}, TOTALS_COLUMNS),
    ("/api/v1/penduduk", {"wilayah": "1703062001"}, TOTALS_COLUMNS),
    ("/api/v1/desa", {"wilayah": KECAMATAN}, VILLAGE_STATUS_COLUMNS),
    ("/api/v1/dataset/apbdes", {"wilayah": KECAMATAN, "periode": "2026"}, MEASUREMENT_COLUMNS),
    ("/api/v1/dataset/identitas", {}, MEASUREMENT_COLUMNS),
    ("/api/v1/kamus", {}, api_resources.KAMUS_COLUMNS),
]


@pytest.fixture(scope="module")
def http(collected_db):
    store = Warehouse(collected_db)
    app = create_app(store, Settings())
    yield app.server.test_client()
    store.engine.dispose()


def get_json(http, path: str, params: dict | None = None, status: int = 200) -> dict:
    resp = http.get(path, query_string=params or {})
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/json"
    return resp.get_json()


def get_csv(http, path: str, params: dict | None = None) -> pd.DataFrame:
    resp = http.get(path + ".csv", query_string=params or {})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = resp.get_data().decode("utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def as_text(value: object) -> str:
    """How a JSON value is written in the CSV."""
    return "" if value is None else str(value)


@pytest.mark.parametrize(("path", "params", "columns"), ENDPOINTS)
def test_json_and_csv_are_twins(http, path, params, columns):
    body = get_json(http, path, params)
    assert body["ok"] is True
    assert body["columns"] == columns
    assert set(body["meta"]) == {"run_id", "generated_at", "filters", "desa_melapor", "desa_total"}
    assert body["meta"]["run_id"] is not None and body["rows"]
    csv = get_csv(http, path, params)
    assert list(csv.columns) == columns
    rows = [[as_text(r[c]) for c in columns] for r in body["rows"]]
    assert csv.values.tolist() == rows
    # ?format=csv is the same file as the .csv suffix
    same = http.get(path, query_string={**params, "format": "csv"}).get_data()
    assert same == http.get(path + ".csv", query_string=params).get_data()


def test_csv_numbers_are_plain(http):
    text = http.get("/api/v1/dataset/apbdes.csv").get_data(as_text=True)
    frame = pd.read_csv(io.StringIO(text), dtype=str)
    assert frame["nilai"].str.fullmatch(r"-?\d+(\.\d+)?").all()
    assert not frame["nilai"].str.endswith(".0").any()
    totals = pd.read_csv(io.StringIO(http.get("/api/v1/penduduk.csv").get_data(as_text=True)))
    assert pd.api.types.is_integer_dtype(totals["penduduk"])


def test_kabupaten_agama_sums_equal_the_warehouse(http, collected_store):
    csv = get_csv(http, "/api/v1/statistik/agama", {"tingkat": "kabupaten"})
    obs = collected_store.observations_frame(["agama"])
    obs = obs[obs["kode"] != "total"]
    expected = obs.groupby("kode")[["laki_laki", "perempuan", "jumlah"]].sum()
    got = csv.set_index("kode")[["laki_laki", "perempuan", "jumlah"]].astype(int)
    assert sorted(got.index) == sorted(expected.index)
    for kode, row in got.iterrows():
        assert row.tolist() == [int(v) for v in expected.loc[kode]], kode
    assert (csv["kode_wilayah"] == "17.03").all()


def test_measurement_csv_equals_the_warehouse(http, collected_store):
    for ds in ("apbdes", "bantuan", "pembangunan", "identitas"):
        csv = get_csv(http, f"/api/v1/dataset/{ds}")
        raw = collected_store.measurements_frame([ds])
        assert len(csv) == len(raw), ds
        assert csv["kode_wilayah"].tolist() == raw["kode_wilayah"].tolist()
        assert csv["ukuran"].tolist() == raw["ukuran"].tolist()
        assert csv["kode"].tolist() == raw["kode"].fillna("").tolist()
        assert csv["periode"].tolist() == raw["periode"].fillna("").tolist()
        assert csv["atribut"].tolist() == raw["atribut"].fillna("").tolist()
        values = pd.to_numeric(csv["nilai"].replace("", None))
        assert values.fillna(-1).tolist() == pytest.approx(raw["nilai"].fillna(-1).tolist())
        assert (csv["nama_kecamatan"] != "").all()


def test_filters_narrow_the_rows(http):
    kec = get_json(http, "/api/v1/statistik/agama", {"tingkat": "desa", "wilayah": KECAMATAN})
    assert all(r["kode_wilayah"].startswith(KECAMATAN + ".") for r in kec["rows"])
    assert kec["meta"]["filters"] == {"statistik": "agama", "tingkat": "desa", "wilayah": KECAMATAN}
    assert kec["meta"]["desa_melapor"] == kec["meta"]["desa_total"] > 0
    desa = get_json(http, "/api/v1/dataset/apbdes", {"wilayah": DESA})
    assert {r["kode_wilayah"] for r in desa["rows"]} == {DESA}
    assert desa["meta"]["desa_total"] == 1


ERRORS = [
    ("/api/v1/statistik/tidak-ada", {}, 404),
    ("/api/v1/dataset/tidak-ada.csv", {}, 404),
    ("/api/v1/statistik/agama", {"wilayah": "99.99"}, 400),
    ("/api/v1/statistik/agama.csv", {"wilayah": "bukan-kode"}, 400),
    ("/api/v1/penduduk", {"tingkat": "rt"}, 400),
    ("/api/v1/penduduk", {"tingkat": "kabupaten", "wilayah": KECAMATAN}, 400),
    ("/api/v1/desa", {"format": "xml"}, 400),
    ("/api/v1/desa", {"wilyah": KECAMATAN}, 400),  # a typo is an error, not a silent default
    ("/api/v1/dataset/apbdes", {"periode": "1999"}, 400),
    ("/api/v1/tidak/ada", {}, 404),
]


@pytest.mark.parametrize(("path", "params", "status"), ERRORS)
def test_errors_have_one_shape(http, path, params, status):
    body = get_json(http, path, params, status)
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_kamus_describes_every_column_and_code(http):
    rows = get_json(http, "/api/v1/kamus")["rows"]
    kolom = {(r["tabel"], r["nama"]) for r in rows if r["bagian"] == "kolom"}
    for kind, columns in api_resources.TABLE_COLUMNS.items():
        assert {(kind, c) for c in columns} <= kolom
    assert all(r["deskripsi_id"] and r["deskripsi_en"] for r in rows if r["bagian"] == "kolom")
    assert {r["nama"] for r in rows if r["bagian"] == "statistik"} == {s.slug for s in STATISTICS}
    agama = [(r["kode"], r["label"]) for r in rows if r["tabel"] == "statistik/agama"]
    assert ("1", "ISLAM") in agama and ("belum_mengisi", "BELUM MENGISI") in agama
    assert {r["nama"] for r in rows if r["bagian"] == "dataset"} == {d.name for d in DATASETS}
    apbdes = {(r["bagian"], r["nama"], r["kode"]) for r in rows if r["tabel"] == "dataset/apbdes"}
    assert {("ukuran", "anggaran", None), ("periode", "periode", "2026")} <= apbdes


def test_pages_render_the_kamus_and_unduh(http):
    for path in ("/unduh", "/kamus", "/unduh?data=dataset/apbdes&wilayah=17.03.06"):
        assert http.get(path).status_code == 200


def test_tokens_never_leave_the_server(tmp_path, simulator, default_villages, monkeypatch):
    """A village's bearer token (from an env variable) appears in no API answer or page."""
    from collectors.sweep import run_sweep
    from dashboard.pages import kamus, unduh

    secret = "rahasia-token-5b1c9e"
    monkeypatch.setenv("DASBOR_TEST_TOKEN", secret)
    villages = [
        replace(v, base_url=f"{simulator.url}/{v.kode_digits}", token_spec="env:DASBOR_TEST_TOKEN")
        for v in default_villages[:2]
    ]
    store = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
    store.upgrade()
    store.sync_regions(villages)
    settings = Settings(concurrency=2, read_timeout=5, retries=0, backoff=0.01, tahun=2026)
    run_sweep(villages, store, settings)
    try:
        app = create_app(store, Settings())
        http = app.server.test_client()
        kode = villages[0].kode_desa
        paths = [f"/api/v1/statistik/{s.slug}{ext}" for s in STATISTICS[:3] for ext in ("", ".csv")]
        paths += [f"/api/v1/dataset/{d.name}{ext}" for d in DATASETS for ext in ("", ".csv")]
        paths += [
            f"/api/v1/{p}{ext}" for p in ("penduduk", "desa", "kamus") for ext in ("", ".csv")
        ]
        paths += [f"/api/v1/desa?wilayah={kode}", "/unduh", "/kamus", "/_dash-layout"]
        # every grid's twin, the village profile's tables included
        from dashboard.api_tables import page_tables

        with app.server.app_context():
            every = page_tables()
        paths += [
            f"/api/v1/halaman/{page}/{table}{ext}?wilayah={kode}"
            for page, tables in every.items()
            for table in tables
            for ext in ("", ".csv")
        ]
        for path in paths:
            resp = http.get(path)
            assert resp.status_code == 200, path
            assert secret not in resp.get_data(as_text=True), path
        # the pages' own layouts (what the router sends) hold no token either
        with app.server.test_request_context("/unduh"):
            for choice in unduh.DATA_CHOICES:
                text = json.dumps(unduh.layout(data=choice).to_plotly_json(), default=str)
                assert secret not in text, choice
            assert secret not in json.dumps(kamus.layout().to_plotly_json(), default=str)
    finally:
        store.engine.dispose()
