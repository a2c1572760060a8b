"""Issue 10: uploads and imports are bounded before they are parsed. A 50 MB CSV, a zip bomb,
a billion-laughs XLSX, an overlong line or too many rows or cells are refused whole with a
clear Indonesian (and English) message, nothing is written, and memory stays small."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from collectors import upload_bounds
from collectors.spreadsheet import import_file
from collectors.upload_bounds import MB, UploadBounds
from config.settings import Settings
from tests.test_csv_injection import _cli_url as cli_url
from warehouse.accounts import Actor

HEADER = "desa_id,jumlah_aki,jumlah_akb\n"
GOOD_ROW = "17.03.06.2001,0,1\n"
PEAK = 16 * MB  # what a refusal may allocate at most, whatever the file's size


@pytest.fixture(autouse=True)
def default_bounds():
    """Each test starts from the default bounds and leaves them so."""
    upload_bounds.configure(Settings())
    yield
    upload_bounds.configure(Settings())


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_member(
    xlsx: bytes, name: str, data: bytes, extra: dict[str, bytes] | None = None
) -> bytes:
    """The XLSX with one member's content replaced (and members added)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, data if info.filename == name else source.read(info))
        for extra_name, extra_data in (extra or {}).items():
            target.writestr(extra_name, extra_data)
    return out.getvalue()


def _import(store, villages, data: bytes | Path, name: str = "berkas.csv"):
    report = import_file(store, "aki-akb", data, name, tahun=2026, bulan=11, villages=villages,
                         actor=Actor.system("test"))  # fmt: skip
    return report


def _refused(report, code: str) -> str:
    assert not report.ok
    assert report.run_id is None  # nothing was written
    codes = [e.code for e in report.errors]
    assert code in codes, (codes, [e.message for e in report.errors])
    error = report.errors[codes.index(code)]
    english = error.text("en")
    assert error.message != english and english  # both languages, from the catalogue
    return error.message


def _peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_50_mb_csv_is_refused_before_it_is_read(store, default_villages, tmp_path):
    big = tmp_path / "besar.csv"
    with big.open("w") as f:
        f.write(HEADER)
        row = GOOD_ROW * 1000
        while f.tell() < 50 * MB:
            f.write(row)
    report, peak = _peak(lambda: _import(store, default_villages, big, big.name))
    message = _refused(report, "unggah.batas.ukuran")
    assert "melebihi batas unggahan 5 MB" in message and "50" in message
    assert peak < PEAK, f"refusing a 50 MB file allocated {peak / MB:.1f} MB"


def test_bytes_over_the_limit_are_refused(store, default_villages):
    data = (HEADER + GOOD_ROW * 400_000).encode()  # ~7 MB, as an upload sends it
    assert len(data) > 5 * MB
    message = _refused(_import(store, default_villages, data), "unggah.batas.ukuran")
    assert "batas unggahan 5 MB" in message


def test_rows_cells_and_line_length_of_a_csv(store, default_villages):
    upload_bounds.configure(Settings(upload_max_rows=100, upload_max_cells=500))
    rows = (HEADER + GOOD_ROW * 101).encode()
    assert "lebih dari 100 baris" in _refused(_import(store, default_villages, rows),
                                              "unggah.batas.baris")  # fmt: skip
    wide = (HEADER + "17.03.06.2001" + ",1" * 600 + "\n").encode()
    assert "500 sel" in _refused(_import(store, default_villages, wide), "unggah.batas.sel")
    upload_bounds.configure(Settings())
    long_line = (HEADER + "17.03.06.2001,0," + "9" * 70_000 + "\n").encode()
    _refused(_import(store, default_villages, long_line), "unggah.batas.panjang_baris")
    # within the bounds the same file loads (the bounds refuse only what they name)
    ok = _import(store, default_villages, (HEADER + GOOD_ROW).encode())
    assert ok.ok, ok.summary()


def test_zip_bomb_xlsx_is_refused_with_little_memory(store, default_villages):
    good = _xlsx([["desa_id", "jumlah_aki", "jumlah_akb"], ["17.03.06.2001", 0, 1]])
    # a sheet member that unpacks to 64 MB of padding (a zip bomb's ratio is ~1000)
    bomb = _replace_member(good, "xl/worksheets/sheet1.xml", b" " * (64 * MB))
    assert len(bomb) < 1 * MB
    report, peak = _peak(lambda: _import(store, default_villages, bomb, "bom.xlsx"))
    message = _refused(report, "unggah.batas.terurai")
    assert "terurai menjadi 64" in message
    assert peak < PEAK, f"refusing a zip bomb allocated {peak / MB:.1f} MB"
    # under the total but compressed past any spreadsheet: refused by its ratio
    dense = _replace_member(good, "xl/worksheets/sheet1.xml", b" " * (20 * MB))
    _refused(_import(store, default_villages, dense, "bom.xlsx"), "unggah.batas.rasio")
    many = _replace_member(good, "", b"", {f"xl/media/x{i}.bin": b"x" for i in range(300)})
    _refused(_import(store, default_villages, many, "banyak.xlsx"), "unggah.batas.arsip")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>desa_id</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>
</sheetData></worksheet>"""


def test_billion_laughs_xlsx_is_refused(store, default_villages):
    good = _xlsx([["desa_id", "jumlah_aki", "jumlah_akb"], ["17.03.06.2001", 0, 1]])
    laughs = _replace_member(good, "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    report, peak = _peak(lambda: _import(store, default_villages, laughs, "tawa.xlsx"))
    assert "deklarasi DTD" in _refused(report, "unggah.batas.xml")
    assert peak < PEAK
    # and openpyxl itself, reading past our check, parses with defusedxml: refused again
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML
    with pytest.raises(Exception) as caught:  # noqa: PT011 (openpyxl wraps the cause)
        load_workbook(io.BytesIO(laughs)).worksheets[0]["A2"].value  # noqa: B018
    chain, exc = [], caught.value
    while exc is not None:
        chain.append(type(exc).__name__)
        exc = exc.__cause__ or exc.__context__
    assert {"DTDForbidden", "EntitiesForbidden"} & set(chain), chain


def test_rows_and_cells_of_an_xlsx_are_counted_before_openpyxl(store, default_villages):
    upload_bounds.configure(Settings(upload_max_rows=50, upload_max_cells=10_000))
    rows = [["desa_id", "jumlah_aki", "jumlah_akb"]] + [["17.03.06.2001", 0, 1]] * 60
    _refused(_import(store, default_villages, _xlsx(rows), "baris.xlsx"), "unggah.batas.baris")
    wide = [["desa_id", *[f"k{i}" for i in range(400)]]] + [["17.03.06.2001", *range(400)]] * 30
    _refused(_import(store, default_villages, _xlsx(wide), "sel.xlsx"), "unggah.batas.sel")
    assert UploadBounds().max_rows == 100_000  # the defaults are back for other tests


def test_dasbor_import_takes_the_bounds_from_the_settings(store, tmp_path, monkeypatch):
    from dashboard.cli import main

    path = tmp_path / "aki.csv"
    path.write_text(HEADER + GOOD_ROW * 30_000)  # ~0.5 MB
    monkeypatch.setenv("DASBOR_DATABASE_URL", cli_url(store))
    monkeypatch.setenv("DASBOR_UPLOAD_MAX_MB", "0.25")
    args = ["import", "--dataset", "aki-akb", "--tahun", "2026", "--bulan", "11", str(path)]
    out = CliRunner().invoke(main, args, catch_exceptions=False)
    assert out.exit_code == 1, out.output
    assert "melebihi batas unggahan 0.2 MB" in out.output or "0.25" in out.output


def test_request_bodies_are_capped(collected_db):
    """A body over the limit is refused with 413 before Dash (or anything) reads it."""
    from dashboard.app import create_app
    from warehouse.store import Warehouse

    store = Warehouse(collected_db)
    try:
        app = create_app(store, Settings(upload_max_mb=0.1, mode="demo"))
        limit = app.server.config["MAX_CONTENT_LENGTH"]
        assert 0.1 * MB * 2 < limit < 0.1 * MB * 3 + 300 * 1024
        http = app.server.test_client()
        body = b'{"output": "ung-hasil.children", "x": "' + b"A" * limit + b'"}'
        resp = http.post("/_dash-update-component", data=body, content_type="application/json")
        assert resp.status_code == 413
        assert "berkas unggahan paling besar 0.1 MB" in resp.get_data(as_text=True)
        # the upload widget tells the browser the same limit, so it never sends more
        from dashboard.pages import unggah

        with app.server.test_request_context("/unggah"):
            upload = _find(unggah.layout(), unggah.ID_UPLOAD)
        assert upload.max_size == 2 * int(0.1 * MB)
    finally:
        store.engine.dispose()


def _find(component, ident):
    if getattr(component, "id", None) == ident:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            hit = _find(child, ident)
            if hit is not None:
                return hit
    return None


def test_the_upload_page_refuses_a_file_over_the_limit_in_words(store, default_villages):
    """Signed in, as the browser posts it to Dash: a file over the limit (but within what the
    browser sends) is refused with the size and the limit, in Indonesian and in English, and
    nothing is written; the callback answers 200 with the page's own report."""
    from dashboard.app import create_app
    from tests.auth_support import sign_in
    from tests.test_auth import post_upload, shown
    from tests.test_dashboard_callbacks import DashClient

    store.sync_regions(default_villages)
    client = DashClient(create_app(store, Settings(tahun=2026, upload_max_mb=0.5, mode="demo")))
    sign_in(client.http, store)
    text = HEADER + GOOD_ROW * 40_000  # ~0.7 MB: over 0.5 MB, under what the browser sends
    response = post_upload(client, text, "besar.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    said = shown(response)
    assert "melebihi batas unggahan 0.5 MB" in said, said[:500]
    assert store.measurements_frame(datasets=["aki-akb"]).empty
    client.http.get("/bahasa/en?next=/unggah")
    said = shown(post_upload(client, text, "besar.csv"))
    assert "over the upload limit of 0.5 MB" in said, said[:500]
