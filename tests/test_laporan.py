"""Issue 13: the laporan of a region and period, as HTML (/laporan), as PDF (/laporan.pdf,
headless Chromium) and from `dasbor laporan`; its figures equal the warehouse's. The PDF's
text is read back with pypdf, page by page."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from click.testing import CliRunner

from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.cli import main
from dashboard.laporan import chromium_path
from i18n.format import format_number
from simulator.spreadsheets import load_samples
from tests.conftest import pointed_at
from warehouse.store import Warehouse

KEC = "17.03.06"
SECTIONS = [
    "Kependudukan",
    "Kesehatan",
    "Pendidikan",
    "Program Bantuan",
    "Keuangan Desa (APBDes 2026)",
    "Pembangunan 2026",
    "Status pelaporan",
]
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="no chromium (make browser)")


def fill(store: Warehouse, simulator, default_villages) -> list:
    villages = [v for v in default_villages if v.kode_kecamatan == KEC][:5]
    store.sync_regions(villages)
    settings = Settings(concurrency=5, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    run_sweep(pointed_at(villages, simulator.url), store, settings)
    load_samples(store, villages, tahun=2026)
    return villages


def pdf_pages(body: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages]


def expected_figures(store: Warehouse, villages) -> dict[str, int]:
    """The kecamatan's population and APBDes belanja, straight from the warehouse."""
    codes = {v.kode_desa for v in villages}
    meas = store.measurements_frame(["apbdes"])
    meas = meas[meas["kode_wilayah"].isin(codes) & (meas["periode"].astype(str) == "2026")]
    # account 5 is BELANJA, its budget the "anggaran" measure (as OpenSID's APBDes has it)
    belanja = meas[(meas["kode"] == "5") & (meas["ukuran"] == "anggaran")]["nilai"]
    obs = store.observations_frame(["jenis-kelamin"])
    obs = obs[obs["kode"] != "total"]
    return {
        "belanja": int(pd.to_numeric(belanja).sum()),
        "penduduk": int(obs["jumlah"].sum()),
    }


@needs_chromium
def test_the_laporan_pdf_has_every_section_and_the_warehouse_figures(
    store, simulator, default_villages
):
    villages = fill(store, simulator, default_villages)
    app = create_app(store, Settings())
    http = app.server.test_client()
    page = http.get("/laporan", query_string={"wilayah": KEC, "periode": "2026"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/laporan.pdf?wilayah=17.03.06&amp;periode=2026" in html  # the download button
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org", "")
    resp = http.get("/laporan.pdf", query_string={"wilayah": KEC, "periode": "2026"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/pdf"
    assert 'filename="laporan_17.03.06_2026.pdf"' in resp.headers["Content-Disposition"]
    pages = pdf_pages(resp.get_data())
    assert len(pages) >= len(SECTIONS)
    # each section starts a page of its own, in order, under the print header
    starts = []
    for title in SECTIONS:
        found = [i for i, text in enumerate(pages) if title in text]
        assert found, title
        starts.append(found[0])
    assert starts == sorted(starts) and len(set(starts)) == len(SECTIONS)
    for i in starts:
        assert "Laporan Kecamatan Kerkap · Periode 2026 · dicetak" in pages[i]
    text = "\n".join(pages)
    figures = expected_figures(store, villages)
    assert format_number(figures["penduduk"], "id") in pages[starts[0]]
    assert "Rp " + format_number(figures["belanja"], "id") in pages[starts[4]]
    for v in villages:
        assert v.nama_desa in text
    assert f"{len(villages)} / {len(villages)}" in pages[starts[0]]  # villages reporting


def test_the_laporan_html_speaks_english_and_refuses_bad_input(sqlite_store, simulator,
                                                              default_villages):  # fmt: skip
    fill(sqlite_store, simulator, default_villages)
    http = create_app(sqlite_store, Settings(language="en")).server.test_client()
    html = http.get("/laporan", query_string={"wilayah": KEC}).get_data(as_text=True)
    assert "Village finance (APBDes 2026)" in html and "Reporting status" in html
    bad = http.get("/laporan", query_string={"wilayah": "99.99"})
    assert bad.status_code == 400 and "99.99" in bad.get_data(as_text=True)
    bad = http.get("/laporan", query_string={"periode": "semester-1"})
    assert bad.status_code == 400 and "not a year" in bad.get_data(as_text=True)


@needs_chromium
def test_dasbor_laporan_writes_pdf_and_html(tmp_path, simulator, default_villages, monkeypatch):
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    store = Warehouse(url)
    store.upgrade()
    villages = fill(store, simulator, default_villages)
    figures = expected_figures(store, villages)
    store.engine.dispose()
    monkeypatch.setenv("DASBOR_DATABASE_URL", url)
    runner = CliRunner()
    pdf = tmp_path / "laporan.pdf"
    out = runner.invoke(
        main, ["laporan", "--wilayah", "170306", "--periode", "2026", "-o", str(pdf)]
    )
    assert out.exit_code == 0, out.output
    pages = pdf_pages(pdf.read_bytes())
    text = "\n".join(pages)
    assert "Laporan Kecamatan Kerkap" in pages[0]
    assert format_number(figures["penduduk"], "id") in text
    assert "Rp " + format_number(figures["belanja"], "id") in text
    html = tmp_path / "laporan.html"
    out = runner.invoke(main, ["laporan", "--wilayah", KEC, "-o", str(html)])
    assert out.exit_code == 0, out.output
    assert "Keuangan Desa (APBDes 2026)" in html.read_text(encoding="utf-8")
    bad = runner.invoke(main, ["laporan", "--wilayah", "99.99", "-o", str(html)])
    assert bad.exit_code != 0 and "99.99" in bad.output
    # dasbor export -o FILE.xlsx: the API's workbook
    xlsx = tmp_path / "agama.xlsx"
    out = runner.invoke(main, ["export", "--statistik", "agama", "--tingkat", "kecamatan",
                               "--kode", KEC, "-o", str(xlsx)])  # fmt: skip
    assert out.exit_code == 0, out.output
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).worksheets[0]
    assert any(
        c.value == "kode_wilayah" for c in ws[ws.freeze_panes and int(ws.freeze_panes[1:]) - 1]
    )


def test_the_laporan_escapes_what_villages_send():
    from layouts.report import Bar, Section, render_report

    hostile = '<script>alert(1)</script> & "Desa"'
    html = render_report(
        title="Laporan",
        lines=[hostile],
        sections=[
            Section("s", hostile, bars=[Bar(hostile, 3.0, "3")], head=[hostile], rows=[[hostile]])
        ],
        page_head=hostile,
        lang="id",
    )
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") >= 5  # line, title, bar label, header, cell
