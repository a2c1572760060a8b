"""/api/v1/halaman/<page>/<table>: every page grid over HTTP, in-process (Flask test client).
The endpoint's CSV is the page's CSV download (the download callback, called the way the
browser calls it) byte for byte, for the same filters; JSON holds the same rows; errors have
the API's one shape."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from config.settings import Settings
from dashboard import api
from dashboard.app import create_app
from dashboard.pages import (
    bantuan,
    kependudukan,
    kesehatan,
    keuangan,
    pemantauan,
    pembangunan,
    pendidikan,
    ringkasan,
)
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
DESA = "17.03.06.2001"

# page, table, page module, {query parameter: the id of the page control it mirrors}
TABLES = [
    ("ringkasan", "desa", ringkasan, {}),
    ("kependudukan", "statistik", kependudukan, {"statistik": kependudukan.ID_STATISTIK}),
    ("keuangan", "apbdes", keuangan, {"tahun": keuangan.ID_TAHUN}),
    ("pembangunan", "kegiatan", pembangunan, {"tahun": pembangunan.ID_TAHUN}),
    ("bantuan", "penerima", bantuan, {}),
    ("kesehatan", "desa", kesehatan, {
        "data": kesehatan.ID_DATA, "skala": kesehatan.ID_SKALA, "periode": kesehatan.ID_PERIODE,
    }),
    ("pendidikan", "desa", pendidikan, {
        "data": pendidikan.ID_DATA, "skala": pendidikan.ID_SKALA, "periode": pendidikan.ID_PERIODE,
    }),
    ("pemantauan", "desa", pemantauan, {}),
]  # fmt: skip
IDS = [f"{page}/{table}" for page, table, _, _ in TABLES]


@pytest.fixture(scope="module")
def app(collected_db):
    store = Warehouse(collected_db)
    dash_app = create_app(store, Settings())
    http = dash_app.server.test_client()
    assert http.get("/").status_code == 200  # the first request registers the router
    yield http
    store.engine.dispose()


def download(http, module, state: dict) -> dict:
    """Click the page's CSV button with these control values (as the browser posts it)."""
    deps = http.get("/_dash-dependencies").get_json()
    target = f"{module.ID_DOWNLOAD}.data"
    dep = next(d for d in deps if d["output"] == target)
    body = {
        "output": dep["output"],
        "outputs": {"id": module.ID_DOWNLOAD, "property": "data"},
        "inputs": [{"id": module.ID_UNDUH, "property": "n_clicks", "value": 1}],
        "state": [
            {"id": s["id"], "property": s["property"], "value": state.get(s["id"])}
            for s in dep["state"]
        ],
        "changedPropIds": [f"{module.ID_UNDUH}.n_clicks"],
    }
    resp = http.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp.get_json()["response"][module.ID_DOWNLOAD]["data"]


def url(page: str, table: str, csv: bool = False) -> str:
    return f"/api/v1/halaman/{page}/{table}" + (".csv" if csv else "")


def same_cell(text: str, value: object) -> bool:
    """A CSV cell and its JSON value: equal as numbers when numeric, else as text."""
    if value is None:
        return text == ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return math.isclose(float(text), float(value), rel_tol=0, abs_tol=1e-9)
    return text == str(value)


@pytest.mark.parametrize(("page", "table", "module", "controls"), TABLES, ids=IDS)
@pytest.mark.parametrize("desa", [None, DESA], ids=["kecamatan", "desa"])
def test_csv_is_the_page_download(app, page, table, module, controls, desa):
    params = {"wilayah": desa or KECAMATAN}
    body = app.get(url(page, table), query_string=params).get_json()
    assert body["ok"] is True, body
    filters = body["meta"]["filters"]
    assert filters["halaman"] == page and filters["wilayah"] == (desa or KECAMATAN)
    resolved = {param: filters[param] for param in controls}
    # the page's download for the same region and the same (resolved default) choices
    state = {module.FILTER.kecamatan: KECAMATAN, module.FILTER.desa: desa}
    state.update({ident: resolved[param] for param, ident in controls.items()})
    out = download(app, module, state)
    resp = app.get(url(page, table, csv=True), query_string={**params, **resolved})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.get_data(as_text=True) == out["content"]
    assert f'filename="{out["filename"]}"' in resp.headers["Content-Disposition"]
    # leaving the choices out gives the page's defaults: the same file
    default = app.get(url(page, table, csv=True), query_string=params).get_data(as_text=True)
    assert default == out["content"]
    # ?format=csv is the .csv file
    fmt = app.get(url(page, table), query_string={**params, **resolved, "format": "csv"})
    assert fmt.get_data(as_text=True) == out["content"]


@pytest.mark.parametrize(("page", "table", "module", "controls"), TABLES, ids=IDS)
def test_json_rows_are_the_csv_rows(app, page, table, module, controls):
    params = {"wilayah": KECAMATAN}
    body = app.get(url(page, table), query_string=params).get_json()
    assert set(body) == {"ok", "columns", "rows", "meta"}
    assert set(body["meta"]) == {"run_id", "generated_at", "filters", "desa_melapor", "desa_total"}
    text = app.get(url(page, table, csv=True), query_string=params).get_data(as_text=True)
    csv = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(csv.columns) == body["columns"]
    assert len(csv) == len(body["rows"])
    if page != "kesehatan" or body["rows"]:
        assert body["rows"], f"{page}/{table} is empty for {KECAMATAN}"
    for got, row in zip(csv.to_dict("records"), body["rows"], strict=True):
        assert list(row) == body["columns"]
        for col in body["columns"]:
            assert same_cell(got[col], row[col]), (page, col, got[col], row[col])


def test_a_chosen_value_is_followed(app):
    for page, table, param in (("kependudukan", "statistik", "statistik"),):
        for value in ("agama", "pekerjaan"):
            body = app.get(url(page, table), query_string={param: value}).get_json()
            assert body["meta"]["filters"][param] == value
            assert {r["statistik"] for r in body["rows"]} <= {value}
    # every health and education dataset is reachable
    for page, module in (("kesehatan", kesehatan), ("pendidikan", pendidikan)):
        for dataset in module.SPEC.datasets:
            body = app.get(url(page, "desa"), query_string={"data": dataset}).get_json()
            assert body["ok"] is True and body["meta"]["filters"]["data"] == dataset


def test_every_page_table_is_listed(app):
    tables = api.page_tables()
    assert {(p, t) for p, t, _, _ in TABLES} == {(p, t) for p in tables for t in tables[p]}


ERRORS = [
    ("/api/v1/halaman/tidak-ada/desa", {}, 404),
    ("/api/v1/halaman/keuangan/tidak-ada.csv", {}, 404),
    ("/api/v1/halaman/keuangan", {}, 404),
    ("/api/v1/halaman/keuangan/apbdes/lagi", {}, 404),
    ("/api/v1/halaman/unggah/desa", {}, 404),
    ("/api/v1/halaman/keuangan/apbdes", {"tahun": "1999"}, 400),
    ("/api/v1/halaman/keuangan/apbdes", {"thn": "2026"}, 400),
    ("/api/v1/halaman/ringkasan/desa.csv", {"wilayah": "99.99"}, 400),
    ("/api/v1/halaman/bantuan/penerima", {"format": "xml"}, 400),
    ("/api/v1/halaman/kependudukan/statistik", {"statistik": "tidak-ada"}, 400),
    ("/api/v1/halaman/kesehatan/desa", {"data": "fasilitas-paud"}, 400),  # a pendidikan one
]


@pytest.mark.parametrize(("path", "params", "status"), ERRORS)
def test_errors_have_one_shape(app, path, params, status):
    resp = app.get(path, query_string=params)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status and body["error"]
