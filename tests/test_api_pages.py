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
from config.statistik import BY_SLUG
from dashboard import api_tables
from dashboard.app import create_app
from dashboard.pages import (
    bantuan,
    desa,
    kependudukan,
    kesehatan,
    keuangan,
    pemantauan,
    pembangunan,
    pendidikan,
    ringkasan,
)
from i18n.catalogue import t
from layouts.tables import API_LINK, API_LINK_FIXED
from tests.browser_support import (
    assert_no_console_errors,
    choose,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.test_dashboard_callbacks import DashClient, find
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
def dash_app(collected_db):
    store = Warehouse(collected_db)
    yield create_app(store, Settings())
    store.engine.dispose()


@pytest.fixture(scope="module")
def app(dash_app):
    http = dash_app.server.test_client()
    assert http.get("/").status_code == 200  # the first request registers the router
    return http


@pytest.fixture(scope="module")
def pages(dash_app) -> DashClient:
    """The same app, its pages rendered the way the browser asks for them."""
    return DashClient(dash_app)


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


def test_every_page_table_is_listed(dash_app):
    with dash_app.server.app_context():
        tables = api_tables.page_tables()
    listed = {(p, t) for p, t, _, _ in TABLES} | {(p, t) for p, t, _ in TWINS}
    assert listed == {(p, t) for p in tables for t in tables[p]}


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


# -- the twins of the grids without a download callback (issue 4) --------------------------
DESA_TABLES = (
    "statistik", "apbdes", "pembangunan", "bantuan", "sarana", "kesegaran", "riwayat",
)  # fmt: skip
# page, table, query: each answered with the same rows as JSON and as CSV
TWINS = [
    ("ringkasan", "perubahan", {"wilayah": KECAMATAN}),
    ("pemantauan", "kecamatan", {"wilayah": KECAMATAN}),
    ("pemantauan", "pencilan", {}),
    ("pemantauan", "kelengkapan", {"wilayah": KECAMATAN}),
    ("pemantauan", "peringatan", {"wilayah": KECAMATAN}),  # issue 13 (tests/test_alerts.py)
    ("pemantauan", "kiriman", {"wilayah": KECAMATAN}),
    ("bantuan", "sasaran", {"wilayah": KECAMATAN}),
    *(("desa", name, {"wilayah": DESA}) for name in DESA_TABLES),
]
TWIN_IDS = [f"{page}/{table}" for page, table, _ in TWINS]


def rows_of(http, page: str, table: str, params: dict) -> dict:
    resp = http.get(url(page, table), query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_json()


def grid_of(tree: dict, ident: str) -> list[dict]:
    """A grid's rows in a rendered layout (a page shows a note instead of an empty grid)."""
    node = find(tree, ident)
    assert node is not None, ident
    return node["props"].get("rowData") or []


@pytest.mark.parametrize(("page", "table", "params"), TWINS, ids=TWIN_IDS)
def test_twin_json_is_its_csv(app, page, table, params):
    body = rows_of(app, page, table, params)
    assert body["ok"] is True and body["meta"]["filters"]["halaman"] == page
    resp = app.get(url(page, table, csv=True), query_string=params)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.csv"')
    csv = pd.read_csv(io.StringIO(resp.get_data(as_text=True)), dtype=str, keep_default_na=False)
    assert list(csv.columns) == body["columns"] and len(csv) == len(body["rows"])
    for got, row in zip(csv.to_dict("records"), body["rows"], strict=True):
        assert list(row) == body["columns"]
        for col in body["columns"]:
            assert same_cell(got[col], row[col]), (page, table, col, got[col], row[col])
            # machine values: no Indonesian thousands, no markdown links
            assert not (isinstance(row[col], str) and row[col].startswith("[")), row[col]


def test_pemantauan_kecamatan_is_its_grid_and_its_villages(app, pages):
    body = rows_of(app, "pemantauan", "kecamatan", {"wilayah": KECAMATAN})
    assert body["columns"] == pemantauan.mon.SUMMARY_COLUMNS
    page = pages.page("/pemantauan", f"?wilayah={KECAMATAN}")
    grid = grid_of(page, pemantauan.ID_GRID_KECAMATAN)
    assert [{c: r[c] for c in body["columns"]} for r in grid] == body["rows"]
    villages = rows_of(app, "pemantauan", "desa", {"wilayah": KECAMATAN})["rows"]
    (row,) = body["rows"]
    assert row["kode_kecamatan"] == KECAMATAN and row["desa"] == len(villages) > 0
    melapor = sum(v["status_terakhir"] in ("ok", "unchanged") for v in villages)
    assert row["melapor"] == melapor and row["gagal"] == 0
    for kelas in pemantauan.mon.KELAS:
        assert row[kelas] == sum(v["kelas"] == kelas for v in villages), kelas
    # the whole kabupaten: one row per kecamatan, every registered village counted once
    whole = rows_of(app, "pemantauan", "kecamatan", {})
    assert sum(r["desa"] for r in whole["rows"]) == whole["meta"]["desa_total"] == 220


def test_pemantauan_pencilan_is_its_grid_in_codes(app, pages):
    body = rows_of(app, "pemantauan", "pencilan", {})
    # the grid's columns, and the kecamatan's code beside the village (issue 8)
    columns = pemantauan.PENCILAN_COLUMNS
    assert body["columns"] == [*columns[:2], "kode_kecamatan", *columns[2:]]
    grid = grid_of(pages.page("/pemantauan"), pemantauan.ID_GRID_PENCILAN)
    assert len(grid) == len(body["rows"])
    for shown, row in zip(grid, body["rows"], strict=True):
        assert shown["kode_desa"] == row["kode_desa"]
        for col in ("nilai", "pembanding", "skor"):
            assert shown[col] == pytest.approx(row[col]), col
        assert shown["indikator"] == t(f"pmt.indikator.{row['indikator']}", "id")
        assert shown["alasan"] == t(f"pmt.alasan.{row['alasan']}", "id")


def test_pemantauan_kelengkapan_is_tidy_long(app, collected_store):
    from dashboard.data import DataSource

    body = rows_of(app, "pemantauan", "kelengkapan", {"wilayah": KECAMATAN})
    assert body["columns"] == ["kode_desa", "nama_desa", "kode_kecamatan", "dataset", "status"]
    villages = {v["kode_desa"] for v in rows_of(app, "pemantauan", "desa",
                                                 {"wilayah": KECAMATAN})["rows"]}  # fmt: skip
    datasets = list(dict.fromkeys(r["dataset"] for r in body["rows"]))
    assert {r["kode_desa"] for r in body["rows"]} == villages
    assert len(body["rows"]) == len(villages) * len(datasets) > 0
    status = DataSource(collected_store).snapshot().dataset_status
    latest = {(r.kode_desa, r.dataset): r.last_status for r in status.itertuples()}
    for row in body["rows"]:
        assert row["status"] == latest.get((row["kode_desa"], row["dataset"]), "never"), row


def test_desa_profile_tables_are_its_grids(app, pages):
    page = pages.page(f"/desa/{DESA}")
    grids = {
        "statistik": desa.ID_PENDUDUK,
        "apbdes": desa.ID_APBDES,
        "pembangunan": desa.ID_PEMBANGUNAN,
        "bantuan": desa.ID_BANTUAN,
        "kesegaran": desa.ID_KESEGARAN,
        "riwayat": desa.ID_RIWAYAT,
    }
    same = {  # columns the grid shows as the API has them
        "statistik": ["label", "laki_laki", "perempuan", "jumlah"],
        "apbdes": ["kode", "label", "anggaran", "realisasi"],
        "pembangunan": ["kode", "anggaran", "progres"],
        "bantuan": ["kode", "peserta"],
        "kesegaran": ["dataset", "last_error"],
        "riwayat": ["run_id", "dataset", "http_status"],
    }
    for name, ident in grids.items():
        body = rows_of(app, "desa", name, {"wilayah": DESA})
        assert body["meta"]["filters"]["wilayah"] == DESA
        grid = grid_of(page, ident)
        assert len(grid) == len(body["rows"]), name
        assert body["rows"] or name in ("pembangunan", "bantuan"), f"desa/{name} is empty"
        for shown, row in zip(grid, body["rows"], strict=True):
            for col in same[name]:
                assert shown[col] == row[col], (name, col, shown[col], row[col])
    stats = rows_of(app, "desa", "statistik", {"wilayah": DESA})["rows"]
    assert {r["statistik"] for r in stats} <= set(BY_SLUG)  # slugs, not titles
    history = rows_of(app, "desa", "riwayat", {"wilayah": DESA})["rows"]
    assert all(r["fetched_at"].endswith("Z") for r in history)
    fresh = rows_of(app, "desa", "kesegaran", {"wilayah": DESA})["rows"]
    assert {r["last_status"] for r in fresh} <= {"ok", "unchanged", "failed"}
    assert all(r["last_success_at"] is None or r["last_success_at"].endswith("Z") for r in fresh)


def test_desa_statistik_reconciles_with_the_warehouse(app, collected_store):
    from dashboard.data import DataSource

    rows = rows_of(app, "desa", "statistik", {"wilayah": DESA})["rows"]
    obs = DataSource(collected_store).snapshot().population.observations
    mine = obs[(obs["kode_desa"] == DESA) & (obs["dataset"] != "total")]
    # the categories: no statistic's TOTAL row, JUMLAH only as an aid statistic's recipients
    aid = mine["dataset"].str.startswith("bantuan-")
    mine = mine[(mine["kode"] != "total") & ((mine["kode"] != "jumlah") | aid)]
    assert len(rows) == len(mine) > 0
    assert sum(r["jumlah"] for r in rows) == int(mine["jumlah"].sum())
    assert {r["kode"] for r in rows if r["statistik"] == "agama"} >= {"1", "belum_mengisi"}
    assert not any(r["kode"] == "total" for r in rows)


DESA_ERRORS = [
    ({"wilayah": KECAMATAN}, KECAMATAN),  # a kecamatan is not a village
    ({"wilayah": "17.03"}, "17.03"),
    ({}, "wilayah"),
    ({"wilayah": "99.99.99.9999"}, "99.99.99.9999"),
]


@pytest.mark.parametrize("table", DESA_TABLES)
@pytest.mark.parametrize(("params", "named"), DESA_ERRORS)
def test_desa_tables_need_one_village(app, table, params, named):
    resp = app.get(url("desa", table, csv=True), query_string=params)
    assert resp.status_code == 400
    body = resp.get_json()
    assert set(body) == {"ok", "error", "status"} and named in body["error"]


def test_twins_refuse_what_they_do_not_take(app):
    for page, table, params in [
        ("ringkasan", "perubahan", {"tahun": "2026"}),
        ("pemantauan", "kecamatan", {"wilayah": "bukan"}),
        ("desa", "apbdes", {"wilayah": DESA, "tahun": "1999"}),
        ("desa", "riwayat", {"wilayah": DESA, "tahun": "2026"}),
    ]:
        resp = app.get(url(page, table), query_string=params)
        assert resp.status_code == 400, (page, table)
        assert resp.get_json()["error"]


def test_changes_are_the_grid_and_the_audit(two_runs):
    from i18n.catalogue import statistic_title

    store, run_id, codes = two_runs
    client = DashClient(create_app(store, Settings()))
    body = rows_of(client.http, "ringkasan", "perubahan", {"wilayah": KECAMATAN})
    assert body["meta"]["run_id"] == run_id
    columns = ringkasan.CHANGE_CSV_COLUMNS
    assert body["columns"] == [*columns[:2], "kode_kecamatan", *columns[2:]]
    audit = store.audit_frame(run_id=run_id)
    audit = audit[~((audit["kode"] == "total") & (audit["dataset"] != "total"))]

    def count(v: object) -> int | None:
        return None if pd.isna(v) else int(v)

    expected = sorted(
        (r.kode_desa, r.dataset, r.kode, count(r.lama_jumlah), count(r.baru_jumlah))
        for r in audit.itertuples()
    )
    got = sorted((r["kode_desa"], r["dataset"], r["kode"], r["lama"], r["baru"])
                 for r in body["rows"])  # fmt: skip
    assert got == expected and len(got) > 0
    # the grid: the same rows in the same order, statistics by title
    grid = grid_of(client.page("/", f"?wilayah={KECAMATAN}"), ringkasan.ID_PERUBAHAN)
    assert len(grid) == len(body["rows"])
    for shown, row in zip(grid, body["rows"], strict=True):
        assert (shown["kode_desa"], shown["lama"], shown["baru"]) == (
            row["kode_desa"], row["lama"], row["baru"])  # fmt: skip
        title = "Jumlah" if row["dataset"] == "total" else statistic_title(row["dataset"], "id")
        assert row["dataset"] in BY_SLUG or row["dataset"] == "total"
        assert shown["statistik"] == title
    # one village: only its changes
    one = rows_of(client.http, "ringkasan", "perubahan", {"wilayah": codes[0]})["rows"]
    assert one and {r["kode_desa"] for r in one} == {codes[0]}
    text = client.http.get(url("ringkasan", "perubahan", csv=True),
                           query_string={"wilayah": KECAMATAN}).get_data(as_text=True)  # fmt: skip
    assert len(pd.read_csv(io.StringIO(text))) == len(body["rows"])


# -- the "CSV · JSON" links under every grid -----------------------------------------------
def link_nodes(tree: object) -> list[dict]:
    """The props of every API link (pattern-matching ids) in a rendered layout."""
    found: list[dict] = []
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict):
            ident = props.get("id")
            if isinstance(ident, dict) and ident.get("type") in (API_LINK, API_LINK_FIXED):
                found.append(props)
            for value in props.values():
                found += link_nodes(value)
        else:
            for value in tree.values():
                found += link_nodes(value)
    elif isinstance(tree, list):
        for item in tree:
            found += link_nodes(item)
    return found


def grid_ids(tree: object) -> list[str]:
    if isinstance(tree, dict):
        here = [tree["props"]["id"]] if tree.get("type") == "AgGrid" else []
        return here + [i for v in tree.values() for i in grid_ids(v)]
    if isinstance(tree, list):
        return [i for v in tree for i in grid_ids(v)]
    return []


def shown_exports(tree: object) -> list[str]:
    """The grid ids named by "CSV seperti tampil" links (data-grid-export)."""
    if isinstance(tree, dict):
        props = tree.get("props")
        marked = isinstance(props, dict) and "data-grid-export" in props
        here = [props["data-grid-export"]] if marked else []
        return here + [i for v in tree.values() for i in shown_exports(v)]
    if isinstance(tree, list):
        return [i for v in tree for i in shown_exports(v)]
    return []


def grid_count(tree: object) -> int:
    if isinstance(tree, dict):
        here = int(tree.get("type") == "AgGrid")
        return here + sum(grid_count(v) for v in tree.values())
    if isinstance(tree, list):
        return sum(grid_count(v) for v in tree)
    return 0


# path, query, the region and choices every link must carry, the tables linked
LINKED = [
    ("/", {"wilayah": KECAMATAN}, {"wilayah": KECAMATAN}, {"desa", "perubahan"}),
    ("/kependudukan", {"wilayah": DESA, "statistik": "pekerjaan"},
     {"wilayah": DESA, "statistik": "pekerjaan"}, {"statistik"}),
    ("/keuangan", {"wilayah": KECAMATAN}, {"wilayah": KECAMATAN}, {"apbdes"}),
    ("/pembangunan", {"wilayah": KECAMATAN}, {"wilayah": KECAMATAN}, {"kegiatan"}),
    ("/bantuan", {"wilayah": DESA}, {"wilayah": DESA}, {"penerima", "sasaran"}),
    ("/kesehatan", {"wilayah": KECAMATAN, "data": "imunisasi"},
     {"wilayah": KECAMATAN, "data": "imunisasi"}, {"desa"}),
    ("/pendidikan", {"data": "fasilitas-paud"}, {"data": "fasilitas-paud"}, {"desa"}),
    ("/pemantauan", {"wilayah": KECAMATAN}, {"wilayah": KECAMATAN},
     {"desa", "kecamatan", "pencilan", "kelengkapan", "peringatan", "kiriman"}),
    (f"/desa/{DESA}", {}, {"wilayah": DESA}, set(DESA_TABLES)),
]  # fmt: skip


@pytest.mark.parametrize(("path", "query", "carried", "tables"), LINKED,
                         ids=[p for p, *_ in LINKED])  # fmt: skip
def test_every_grid_links_its_api_twin(app, pages, path, query, carried, tables):
    from urllib.parse import parse_qs, urlencode, urlsplit

    tree = pages.page(path, "?" + urlencode(query) if query else "")
    links = link_nodes(tree)
    page = path.strip("/").split("/")[0] or "ringkasan"
    linked = {props["id"]["path"].rsplit("/", 1)[-1] for props in links}
    assert linked == tables
    for props in links:
        assert props["id"]["path"].startswith(f"/api/v1/halaman/{page}/")
    # every grid has its line "CSV · JSON" (and the completeness heatmap too)
    lines = [p for p in links if p["id"]["role"] == "tautan" and p["id"]["fmt"] == "csv"]
    assert len(lines) >= grid_count(tree) > 0
    # and every grid its "CSV seperti tampil" (exported in the browser, as the grid shows it)
    assert sorted(shown_exports(tree)) == sorted(grid_ids(tree))
    for props in links:
        ident, href = props["id"], props["href"]
        parts = urlsplit(href)
        assert parts.path == ident["path"] + ("" if ident["fmt"] == "json" else f".{ident['fmt']}")
        got = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert set(got) <= set(ident["params"].split(","))
        for key, value in carried.items():
            assert got.get(key) == value, (href, key)
        assert (ident["type"] == API_LINK_FIXED) == path.startswith("/desa/")
        resp = app.get(href)
        assert resp.status_code == 200, (href, resp.get_data(as_text=True)[:300])
        if ident["fmt"] == "json":
            filters = resp.get_json()["meta"]["filters"]
            assert {k: filters[k] for k in got} == got
        else:
            assert "attachment" in resp.headers["Content-Disposition"]
            assert props.get("download") == ""


def test_one_clientside_callback_rewrites_the_links(pages):
    """One clientside callback, from the URL's query (app-search) to every link's href."""
    deps = [d for d in pages.deps if API_LINK in d["output"] and d.get("clientside_function")]
    assert len(deps) == 1
    (dep,) = deps
    assert dep["output"].endswith(".href")
    assert [i["id"] for i in dep["inputs"]] == ["app-search"]


def test_links_speak_english(collected_db):
    store = Warehouse(collected_db)
    try:
        client = DashClient(create_app(store, Settings(language="en")))
        assert "This data over the API:" in str(client.page("/pemantauan"))
    finally:
        store.engine.dispose()


# -- in the browser: the links follow the filter bar ---------------------------------------
@pytest.mark.browser
@requires_chromium
def test_links_follow_the_region_filter_in_the_browser(collected_db, browser):
    from selenium.webdriver.common.by import By

    def hrefs(driver) -> list[str]:
        links = driver.find_elements(By.CSS_SELECTOR, ".api-tautan a[rel=alternate]")
        return [a.get_attribute("href") for a in links]

    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings())) as base:
            browser.get(base + "/keuangan")
            first = wait_for(browser, lambda d: hrefs(d), "the API links under the grid")
            assert [h.split("?")[0] for h in first] == [
                base + url("keuangan", "apbdes", csv=True),
                base + url("keuangan", "apbdes") + ".xlsx",
                base + url("keuangan", "apbdes"),
            ]
            choose(browser, keuangan.ID_KECAMATAN, KECAMATAN)
            wait_for(
                browser,
                lambda d: all(f"wilayah={KECAMATAN}" in h and "tahun=" in h for h in hrefs(d)),
                "the links carry the chosen kecamatan and the year",
            )
            csv_link = hrefs(browser)[0]
            assert browser.execute_script(f"return (await fetch('{csv_link}')).status") == 200
            assert_no_console_errors(browser)
    finally:
        store.engine.dispose()


def test_kamus_lists_every_page_table(pages):
    from dashboard.pages import kamus
    from tests.test_dashboard_callbacks import texts

    shown = texts(find(pages.page("/kamus"), kamus.ID_HALAMAN))
    with pages.app.server.app_context():
        every = api_tables.page_tables()
    for page, tables in every.items():
        for table in tables:
            assert f"/api/v1/halaman/{page}/{table}" in shown
    assert "wilayah, tahun" in shown and "wilayah, data, skala, periode" in shown
