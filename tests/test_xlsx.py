"""Issue 13: every CSV also as .xlsx. Each workbook is opened with openpyxl and compared cell by
cell with the CSV of the same request (numbers typed as numbers, times as dates, text as text),
its two header rows (the page language's and the stable names), the freeze, the lines above
the table and the dictionary sheet; a formula-looking text stays text."""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from openpyxl import load_workbook

from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.context import LANGUAGE_COOKIE
from i18n.catalogue import t
from layouts.xlsx import Column, build_workbook
from tests.conftest import pointed_at
from tests.test_api_pages import DESA, KECAMATAN, TABLES, TWINS
from warehouse.store import Warehouse

WIB = ZoneInfo("Asia/Jakarta")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RESOURCES = [
    ("/api/v1/statistik/agama", {"wilayah": KECAMATAN}),
    ("/api/v1/statistik/rentang-umur", {"tingkat": "kecamatan"}),
    ("/api/v1/penduduk", {"tingkat": "kecamatan"}),
    ("/api/v1/desa", {"wilayah": KECAMATAN}),
    ("/api/v1/dataset/apbdes", {"wilayah": KECAMATAN}),
    ("/api/v1/kamus", {}),
    *((f"/api/v1/halaman/{p}/{tb}", {"wilayah": KECAMATAN}) for p, tb, _, _ in TABLES),
    *((f"/api/v1/halaman/{p}/{tb}", params) for p, tb, params in TWINS),
    ("/api/v1/halaman/ringkasan/desa", {"wilayah": DESA}),
]
IDS = [path.removeprefix("/api/v1/") for path, _ in RESOURCES]


@pytest.fixture(scope="module")
def http(collected_db):
    store = Warehouse(collected_db)
    app = create_app(store, Settings())
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    yield client
    store.engine.dispose()


def open_table(body: bytes):
    """(data sheet, its header rows' index, the dictionary sheet) of a workbook."""
    wb = load_workbook(io.BytesIO(body))
    assert len(wb.sheetnames) == 2, wb.sheetnames
    ws, kamus = wb[wb.sheetnames[0]], wb[wb.sheetnames[1]]
    # the stable names row is the one right above the frozen first data row
    first = ws.freeze_panes
    assert first is not None and first.startswith("A"), first
    names_row = int(first[1:]) - 1
    return ws, names_row, kamus


def csv_of(http, path, params, cookies=None) -> pd.DataFrame:
    resp = http.get(path + ".csv", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return pd.read_csv(io.StringIO(resp.get_data(as_text=True)), dtype=str, keep_default_na=False)


def same(text: str, cell) -> bool:
    """A CSV cell and the workbook's cell: typed as the CSV's text says."""
    value = cell.value
    if text == "":
        return value is None
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isclose(float(text), float(value), rel_tol=0, abs_tol=1e-9)
    if isinstance(value, datetime) and len(text) == 10:  # a date (openpyxl reads datetimes)
        return value == datetime.combine(date.fromisoformat(text), datetime.min.time())
    if isinstance(value, datetime):
        stamp = pd.Timestamp(text)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
        return stamp.tz_convert(WIB).tz_localize(None).floor("s").to_pydatetime() == value
    if isinstance(value, date):
        return date.fromisoformat(text) == value
    if text.startswith("'") and cell.quotePrefix:  # the CSV's quote is Excel's prefix here
        return cell.data_type == "s" and value == text[1:]
    return cell.data_type == "s" and value == text


def looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return not text.startswith("0") or text == "0" or text.startswith("0.")


@pytest.mark.parametrize(("path", "params"), RESOURCES, ids=IDS)
def test_every_cell_is_the_csv_cell(http, path, params):
    csv = csv_of(http, path, params)
    resp = http.get(path + ".xlsx", query_string=params)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == XLSX
    name = resp.headers["Content-Disposition"]
    assert name.endswith('.xlsx"')
    ws, names_row, kamus = open_table(resp.get_data())
    columns = list(csv.columns)
    assert [ws.cell(names_row, j + 1).value for j in range(len(columns))] == columns
    assert ws.cell(names_row, len(columns) + 1).value is None
    # the header in the page's language (Indonesian by default), from the grid's texts
    headers = [ws.cell(names_row - 1, j + 1).value for j in range(len(columns))]
    assert all(headers)
    if "nama_desa" in columns:
        assert headers[columns.index("nama_desa")] == t("kolom.nama_desa", "id")
    assert ws.max_row == names_row + len(csv) or (csv.empty and ws.max_row == names_row)
    typed_numbers = 0
    for i, row in enumerate(csv.itertuples(index=False), start=names_row + 1):
        for j, text in enumerate(row, start=1):
            cell = ws.cell(i, j)
            assert same(text, cell), (path, columns[j - 1], text, cell.value, cell.data_type)
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                typed_numbers += 1
    # numbers typed as numbers: a CSV count column is never text in the workbook
    for col in ("jumlah", "penduduk", "laki_laki", "anggaran_belanja", "peserta", "nilai"):
        if col in columns and (csv[col] != "").any():
            j = columns.index(col) + 1
            cells = [ws.cell(i, j).value for i in range(names_row + 1, names_row + 1 + len(csv))]
            assert all(isinstance(v, int | float) for v in cells if v is not None), col
            assert typed_numbers
    # the dictionary: one row per column, stable name, heading, type and description
    rows = list(kamus.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == columns
    assert [r[1] for r in rows] == headers


def test_times_are_dates_and_the_lines_say_where_and_how_fresh(http):
    path, params = "/api/v1/halaman/pemantauan/desa", {"wilayah": KECAMATAN}
    csv = csv_of(http, path, params)
    ws, names_row, _ = open_table(http.get(path + ".xlsx", query_string=params).get_data())
    j = list(csv.columns).index("terakhir_berhasil") + 1
    cell = ws.cell(names_row + 1, j)
    assert isinstance(cell.value, datetime) and cell.is_date
    above = [ws.cell(i, 1).value for i in range(1, names_row - 1)]
    text = "\n".join(str(x) for x in above if x)
    assert "Kecamatan Kerkap" in text and KECAMATAN in text
    n = csv["kode_desa"].nunique()
    assert f"{n} dari {n} desa" in text, text  # every village of the kecamatan collected
    assert "data per" in text


def test_the_header_follows_the_visitors_language(http):
    path = "/api/v1/halaman/ringkasan/desa"
    http.set_cookie(LANGUAGE_COOKIE, "en")
    try:
        body = http.get(path + ".xlsx", query_string={"wilayah": KECAMATAN}).get_data()
    finally:
        http.delete_cookie(LANGUAGE_COOKIE)
    ws, names_row, kamus = open_table(body)
    columns = [c.value for c in ws[names_row] if c.value]
    headers = [ws.cell(names_row - 1, j + 1).value for j in range(len(columns))]
    assert headers[columns.index("nama_desa")] == t("kolom.nama_desa", "en")
    assert kamus.title == t("xlsx.lembar_kamus", "en")
    above = " ".join(str(ws.cell(i, 1).value) for i in range(2, names_row - 1))
    assert " of " in above and "villages" in above, above  # "data as of …, N of M villages"


def test_format_parameter_is_the_suffix(http):
    path, params = "/api/v1/halaman/keuangan/apbdes", {"wilayah": KECAMATAN}
    a = open_table(http.get(path + ".xlsx", query_string=params).get_data())[0]
    b = open_table(http.get(path, query_string={**params, "format": "xlsx"}).get_data())[0]
    assert [list(r) for r in a.iter_rows(min_row=5, values_only=True)] == [
        list(r) for r in b.iter_rows(min_row=5, values_only=True)
    ]
    bad = http.get(path + ".xlsx", query_string={**params, "format": "csv"})
    assert bad.status_code == 400 and bad.get_json()["ok"] is False


HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_formula_looking_text_stays_text():
    frame = pd.DataFrame({"nama_desa": HOSTILE, "jumlah": range(len(HOSTILE))})
    columns = [Column("nama_desa", "=judul"), Column("jumlah", "Jumlah")]
    body = build_workbook(frame, columns, title="=1+1", lines=["@baris"], lang="id")
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode(), name  # no formula anywhere
    ws, names_row, _ = open_table(body)
    assert ws["A1"].value == "=1+1" and ws["A1"].data_type == "s"
    got = [ws.cell(names_row + 1 + i, 1) for i in range(len(HOSTILE))]
    # XML keeps no bare CR: "\r=1" reads back as "\n=1", still text
    assert [c.value for c in got] == [h.replace("\r", "\n") for h in HOSTILE]
    assert {c.data_type for c in got} == {"s"}
    assert all(c.quotePrefix for c in got)  # Excel keeps them text even when edited
    assert ws["A1"].quotePrefix and not ws.cell(names_row + 1, 2).quotePrefix
    assert [ws.cell(names_row + 1 + i, 2).value for i in range(len(HOSTILE))] == list(
        range(len(HOSTILE))
    )


def test_a_workbook_of_the_warehouse_on_every_backend(store, simulator, default_villages):
    """SQLite and PostgreSQL: a kecamatan swept, its population workbook equals the warehouse's
    observations."""
    villages = [v for v in default_villages if v.kode_kecamatan == KECAMATAN][:4]
    # a registry row whose name a spreadsheet would run: the CSV quotes it, the workbook keeps
    # it as text with Excel's quote prefix
    villages[0] = replace(villages[0], nama_desa=HOSTILE[0])
    store.sync_regions(villages)
    settings = Settings(concurrency=4, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    run_sweep(pointed_at(villages, simulator.url), store, settings)
    app = create_app(store, Settings())
    http = app.server.test_client()
    resp = http.get("/api/v1/statistik/agama.xlsx", query_string={"wilayah": KECAMATAN})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    ws, names_row, _ = open_table(resp.get_data())
    names = [c.value for c in ws[names_row]]
    rows = [dict(zip(names, r, strict=True)) for r in ws.iter_rows(min_row=names_row + 1,
                                                                     values_only=True)]  # fmt: skip
    desa_csv = csv_of(http, "/api/v1/desa", {"wilayah": KECAMATAN})
    assert "'" + HOSTILE[0] in desa_csv["nama_desa"].tolist()
    ws_desa, row0, _ = open_table(
        http.get("/api/v1/desa.xlsx", query_string={"wilayah": KECAMATAN}).get_data()
    )
    for i, row in enumerate(desa_csv.itertuples(index=False), start=row0 + 1):
        for j, text in enumerate(row, start=1):
            assert same(text, ws_desa.cell(i, j)), (text, ws_desa.cell(i, j).value)
    hostile = [ws_desa.cell(i, 2) for i in range(row0 + 1, row0 + 1 + len(desa_csv))]
    assert any(c.value == HOSTILE[0] and c.quotePrefix for c in hostile)
    obs = store.observations_frame(["agama"])
    obs = obs[obs["kode"] != "total"]
    expected = obs.groupby("kode")[["laki_laki", "perempuan", "jumlah"]].sum()
    by_kode: dict = {}
    for r in rows:
        assert r["kode_wilayah"] in {v.kode_desa for v in villages}
        for col in ("laki_laki", "perempuan", "jumlah"):
            assert isinstance(r[col], int), (col, r[col])  # typed, not text
            by_kode.setdefault(r["kode"], {}).setdefault(col, 0)
            by_kode[r["kode"]][col] += r[col]
    assert sorted(by_kode) == sorted(expected.index)
    for kode, sums in by_kode.items():
        assert [sums[c] for c in ("laki_laki", "perempuan", "jumlah")] == [
            int(v) for v in expected.loc[kode]
        ], kode
