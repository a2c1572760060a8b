"""The finance pages in-process (callbacks equal the aggregates, totals equal the warehouse)
and once in headless Chromium (drill-down by clicking a village)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator

import pandas as pd
import pytest

from aggregates import finance
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource
from dashboard.pages import bantuan as bnt
from dashboard.pages import desa
from dashboard.pages import keuangan as keu
from dashboard.pages import pembangunan as pbg
from i18n.format import format_number
from tests.browser_support import (
    assert_no_console_errors,
    click,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.test_dashboard_callbacks import DashClient, find, texts, values
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
DESA, DESA_NAMA = "17.03.06.2001", "Talang Jambu"
KELURAHAN = "17.03.06.1009"
TAHUN = "2026"


@pytest.fixture
def client(collected_store) -> DashClient:
    return DashClient(create_app(collected_store, Settings()))


def _sum(meas: pd.DataFrame, dataset: str, ukuran: str, wilayah: str | None = None, **eq) -> float:
    rows = meas[(meas["dataset"] == dataset) & (meas["ukuran"] == ukuran)]
    for col, value in eq.items():
        rows = rows[rows[col] == value]
    if wilayah:
        rows = rows[rows["kode_wilayah"].str.startswith(wilayah)]
    return float(rows["nilai"].sum())


def test_keuangan_callback_equals_aggregates_and_warehouse(client, collected_store):
    meas = collected_store.measurements_frame()
    regions = collected_store.regions_frame()
    out = client.call(
        f"{keu.ID_JUDUL}.children",
        {f"{keu.ID_KECAMATAN}.value": KECAMATAN, f"{keu.ID_DESA}.value": None,
         f"{keu.ID_TAHUN}.value": TAHUN},
    )  # fmt: skip
    table = finance.apbdes_villages(meas, regions, TAHUN, KECAMATAN)
    rows = out[keu.ID_GRID]["rowData"]
    assert [r["kode_desa"] for r in rows] == list(table["kode_desa"])
    assert rows[1]["nama_desa"] == f"[{DESA_NAMA}](/desa/{DESA})"  # links to the profile
    shown = sum(r["anggaran_belanja"] or 0 for r in rows)
    assert shown == _sum(meas, "apbdes", "anggaran", KECAMATAN, kode="5", periode=TAHUN)
    cards = texts(out[keu.ID_KARTU]["children"])
    total = _sum(meas, "apbdes", "realisasi", KECAMATAN, kode="5", periode=TAHUN)
    assert "Rp " + format_number(total, "id") in cards
    assert (
        "Rp " + format_number(_sum(meas, "apbdes", "anggaran", KECAMATAN, kode="4.2.1"), "id")
        in cards
    )
    # per-village bars = the reporting villages' belanja; kelurahan are named as having none
    bars = out[keu.ID_GRAFIK]["figure"]["data"]
    reporting = table[table["melapor"]]
    assert values(bars[0]["x"]) == list(reporting["anggaran_belanja"])
    assert "Lubuk Durian" in texts(out[keu.ID_PESAN]["children"])
    assert "kelurahan" in texts(out[keu.ID_PESAN]["children"]).lower()
    # the ranking lists villages by absorption
    ranked = finance.absorption_ranking(table)
    assert out[keu.ID_PERINGKAT]["figure"]["data"][0]["customdata"] == list(ranked["kode_desa"])


def test_keuangan_kelurahan_says_no_apbdes_and_csv(client, collected_store):
    page = client.page("/keuangan", f"?wilayah={KELURAHAN}&tahun={TAHUN}")
    assert "kelurahan tidak memiliki APBDes" in texts(find(page, keu.ID_PESAN))
    csv = client.call(
        f"{keu.ID_DOWNLOAD}.data",
        {f"{keu.ID_UNDUH}.n_clicks": 1},
        {f"{keu.ID_KECAMATAN}.value": KECAMATAN, f"{keu.ID_DESA}.value": None,
         f"{keu.ID_TAHUN}.value": TAHUN},
    )[keu.ID_DOWNLOAD]["data"]  # fmt: skip
    frame = pd.read_csv(io.StringIO(csv["content"]), dtype={"kode_desa": str})
    assert list(frame.columns) == keu.CSV_COLUMNS
    meas = collected_store.measurements_frame()
    assert frame["dana_desa"].sum() == _sum(meas, "apbdes", "anggaran", KECAMATAN, kode="4.2.1")


def test_drill_down_from_row_and_bar(client):
    dep = f"{keu.ID_KECAMATAN}.value"
    row = {"colId": "anggaran_belanja", "rowId": DESA, "value": 1}
    out = client.call(
        dep,
        {f"{keu.ID_GRID}.cellClicked": row, f"{keu.ID_GRAFIK}.clickData": None,
         f"{keu.ID_PERINGKAT}.clickData": None},
    )  # fmt: skip
    assert out == {keu.ID_KECAMATAN: {"value": KECAMATAN}, keu.ID_DESA: {"value": DESA}}
    bar = {"points": [{"customdata": KECAMATAN}]}
    out = client.call(
        dep,
        {f"{keu.ID_GRAFIK}.clickData": bar, f"{keu.ID_GRID}.cellClicked": None,
         f"{keu.ID_PERINGKAT}.clickData": None},
    )  # fmt: skip
    assert out[keu.ID_KECAMATAN]["value"] == KECAMATAN and out[keu.ID_DESA]["value"] is None


def test_pembangunan_and_bantuan_equal_aggregates(client, collected_store):
    meas = collected_store.measurements_frame()
    regions = collected_store.regions_frame()
    out = client.call(
        f"{pbg.ID_JUDUL}.children",
        {f"{pbg.ID_KECAMATAN}.value": KECAMATAN, f"{pbg.ID_DESA}.value": None,
         f"{pbg.ID_TAHUN}.value": TAHUN},
    )  # fmt: skip
    items = finance.projects(meas, regions, TAHUN, KECAMATAN)
    rows = out[pbg.ID_GRID]["rowData"]
    assert len(rows) == len(items)
    # villages list the projects of every year (as OpenSID does); the page shows one year
    assert sum(r["anggaran"] for r in rows) == _sum(
        meas, "pembangunan", "anggaran", KECAMATAN, periode=TAHUN
    )
    src = finance.by_funding_source(items)
    assert values(out[pbg.ID_SUMBER]["figure"]["data"][0]["x"]) == list(src["anggaran"])
    dist = finance.progress_distribution(items)
    fig = out[pbg.ID_PROGRES]["figure"]["data"][0]
    assert values(fig["y"]) == list(dist["jumlah_kegiatan"])


def _programme_sums(meas: pd.DataFrame, wilayah: str) -> dict[int, float]:
    """Recipients of every programme under a region summed per target (sasaran), from the
    warehouse rows themselves."""
    rows = meas[(meas["dataset"] == "bantuan") & (meas["ukuran"] == "peserta")]
    rows = rows[rows["kode_wilayah"].str.startswith(wilayah)]
    target = rows["atribut"].map(lambda a: json.loads(a)["sasaran"])
    return {int(k): float(v) for k, v in rows.groupby(target)["nilai"].sum().items()}


def test_bantuan_reports_recipients_per_target(client, collected_store):
    """Issue 8: persons, families, households and groups are never added together: a card per
    target (families counted once from the aid statistic, as on Kependudukan), programme bars
    coloured by target, a per-target table whose CSV reads back as integers."""
    meas = collected_store.measurements_frame()
    regions = collected_store.regions_frame()
    out = client.call(
        f"{bnt.ID_JUDUL}.children",
        {f"{bnt.ID_KECAMATAN}.value": KECAMATAN, f"{bnt.ID_DESA}.value": None},
    )
    programs = finance.bantuan_programs(finance.bantuan_rows(meas, regions, KECAMATAN))
    drawn = {
        (name, int(v))
        for trace in out[bnt.ID_GRAFIK]["figure"]["data"]
        for name, v in zip(trace["y"], values(trace["x"]), strict=True)
    }
    assert drawn == {(p, int(n)) for p, n in zip(programs["program"], programs["peserta"],
                                                 strict=True)}  # fmt: skip
    # one legend entry per target present: the colour says whom a programme gives to
    names = [trace["name"] for trace in out[bnt.ID_GRAFIK]["figure"]["data"]]
    assert names == ["Penduduk (perorangan)", "Keluarga"]
    shown = sum(r["peserta"] for r in out[bnt.ID_GRID]["rowData"])
    assert shown == _sum(meas, "bantuan", "peserta", KECAMATAN)
    cards = texts(out[bnt.ID_KARTU]["children"])
    assert "Rp" not in cards
    assert format_number(shown, "id") not in cards  # the sum across targets is nowhere
    sums = _programme_sums(meas, KECAMATAN)
    snapshot = DataSource(collected_store).snapshot()
    families = snapshot.statistic("bantuan-keluarga", "kecamatan", KECAMATAN)
    distinct = int(families.set_index("kode").loc["jumlah", "jumlah"])
    assert distinct < sums[2]  # families in two programmes: counted once here
    assert format_number(distinct, "id") in cards and format_number(sums[2], "id") in cards
    targets = client.call(
        f"{bnt.ID_SASARAN_GRID}.rowData",
        {f"{bnt.ID_KECAMATAN}.value": KECAMATAN, f"{bnt.ID_DESA}.value": None},
    )
    rows = {r["nama_sasaran"]: r for r in targets[bnt.ID_SASARAN_GRID]["rowData"]}
    assert rows["Keluarga"]["kepesertaan"] == sums[2] and rows["Keluarga"]["penerima"] == distinct

    resp = client.http.get(
        "/api/v1/halaman/bantuan/sasaran.csv", query_string={"wilayah": KECAMATAN}
    )
    back = pd.read_csv(io.StringIO(resp.get_data(as_text=True)))
    assert list(back.columns) == bnt.SASARAN_COLUMNS
    for col in ("sasaran", "jumlah_program", "kepesertaan", "penerima", "desa"):
        assert back[col].dtype.kind == "i", col
    assert dict(zip(back["sasaran"], back["kepesertaan"], strict=True)) == sums


def test_pembangunan_and_bantuan_bars_per_region_drill_down(client, collected_store):
    """Kabupaten: one bar per kecamatan (sums of the warehouse rows); kecamatan: one bar per
    reporting village; a desa: its kecamatan's villages, itself highlighted; a click on a bar
    selects that region in the filter bar."""
    meas = collected_store.measurements_frame()
    kabupaten = "17.03"
    cases = ((pbg, "pembangunan", "anggaran", {f"{pbg.ID_TAHUN}.value": TAHUN}),)
    for page, dataset, ukuran, extra in cases:
        rows = meas[(meas["dataset"] == dataset) & (meas["ukuran"] == ukuran)]
        if dataset == "pembangunan":
            rows = rows[rows["periode"] == TAHUN]
        by_kec = rows.groupby(rows["kode_wilayah"].str.slice(0, 8))["nilai"].sum()
        out = client.call(
            f"{page.ID_JUDUL}.children",
            {f"{page.ID_KECAMATAN}.value": kabupaten, f"{page.ID_DESA}.value": None, **extra},
        )
        bar = out[page.ID_WILAYAH]["figure"]["data"][0]
        assert bar["customdata"] == list(by_kec.index), dataset
        assert values(bar["x"]) == [float(v) for v in by_kec], dataset

        out = client.call(
            f"{page.ID_JUDUL}.children",
            {f"{page.ID_KECAMATAN}.value": KECAMATAN, f"{page.ID_DESA}.value": None, **extra},
        )
        in_kec = rows[rows["kode_wilayah"].str.startswith(KECAMATAN + ".")]
        by_desa = in_kec.groupby("kode_wilayah")["nilai"].sum()
        bar = out[page.ID_WILAYAH]["figure"]["data"][0]
        assert bar["customdata"] == list(by_desa.index), dataset
        assert values(bar["x"]) == [float(v) for v in by_desa], dataset

        out = client.call(
            f"{page.ID_JUDUL}.children",
            {f"{page.ID_KECAMATAN}.value": KECAMATAN, f"{page.ID_DESA}.value": DESA, **extra},
        )
        bar = out[page.ID_WILAYAH]["figure"]["data"][0]
        assert bar["customdata"] == list(by_desa.index)
        colours = dict(zip(bar["customdata"], bar["marker"]["color"], strict=True))
        assert len({colours[DESA]} & {colours[k] for k in colours if k != DESA}) == 0

        for code, expected in ((KECAMATAN, (KECAMATAN, None)), (DESA, (KECAMATAN, DESA))):
            drilled = client.call(
                f"{page.ID_KECAMATAN}.value",
                {f"{page.ID_WILAYAH}.clickData": {"points": [{"customdata": code}]},
                 f"{page.ID_GRID}.cellClicked": None},
            )  # fmt: skip
            got = (drilled[page.ID_KECAMATAN]["value"], drilled[page.ID_DESA]["value"])
            assert got == expected, (dataset, code)


def test_bantuan_bars_per_region_are_per_target(client, collected_store):
    """Kabupaten: per kecamatan, one bar per target side by side (never one bar for all);
    kecamatan: per village; a desa: its kecamatan's villages, its name in bold."""
    meas = collected_store.measurements_frame()
    for kecamatan, village, width in (
        ("17.03", None, 8),
        (KECAMATAN, None, 13),
        (KECAMATAN, DESA, 13),
    ):
        out = client.call(
            f"{bnt.ID_JUDUL}.children",
            {f"{bnt.ID_KECAMATAN}.value": kecamatan, f"{bnt.ID_DESA}.value": village},
        )
        traces = out[bnt.ID_WILAYAH]["figure"]["data"]
        assert out[bnt.ID_WILAYAH]["figure"]["layout"]["barmode"] == "group"
        assert [t["name"] for t in traces] == ["Penduduk (perorangan)", "Keluarga"]
        area = kecamatan if width == 13 else "17.03"
        for code, trace in zip((1, 2), traces, strict=True):
            regions = trace["customdata"]
            assert all(len(k) == width for k in regions)
            for region, value in zip(regions, values(trace["x"]), strict=True):
                assert value == _programme_sums(meas, region).get(code), (area, region, code)
        labels = traces[0]["y"]
        if village:
            assert f"<b>{DESA_NAMA}</b>" in labels
    drilled = client.call(
        f"{bnt.ID_KECAMATAN}.value",
        {f"{bnt.ID_WILAYAH}.clickData": {"points": [{"customdata": DESA}]},
         f"{bnt.ID_GRID}.cellClicked": None},
    )  # fmt: skip
    assert (drilled[bnt.ID_KECAMATAN]["value"], drilled[bnt.ID_DESA]["value"]) == (KECAMATAN, DESA)


def test_region_bars_empty_and_values():
    empty = finance.region_values(
        pd.DataFrame(columns=[*finance.BANTUAN_VILLAGE_COLUMNS, "melapor"]),
        "kepesertaan_keluarga",
        "desa",
    )
    assert empty.empty and list(empty.columns) == finance.REGION_COLUMNS
    per_desa = pd.DataFrame(
        {
            "kode_desa": ["17.03.01.2001", "17.03.01.2002", "17.03.02.2001"],
            "nama_desa": ["A", "B", "C"],
            "nama_kecamatan": ["K1", "K1", "K2"],
            "peserta": [10.0, None, 5.0],
            "melapor": [True, False, True],
        }
    )
    kec = finance.region_values(per_desa, "peserta", "kecamatan")
    assert kec.to_dict("list") == {
        "kode": ["17.03.01", "17.03.02"],
        "nama": ["K1", "K2"],
        "nilai": [10.0, 5.0],
        "desa_melapor": [1, 1],
        "desa": [2, 1],
    }
    desa_rows = finance.region_values(per_desa, "peserta", "desa")
    assert list(desa_rows["kode"]) == ["17.03.01.2001", "17.03.02.2001"]
    # a provinsi's bars: per kabupaten, named from the regions (issue 12)
    regions = pd.DataFrame({"kode": ["17.03"], "nama": ["Bengkulu Utara"]})
    kab = finance.region_values(per_desa, "peserta", "kabupaten", regions)
    assert kab.to_dict("list") == {
        "kode": ["17.03"],
        "nama": ["Bengkulu Utara"],
        "nilai": [15.0],
        "desa_melapor": [2],
        "desa": [3],
    }
    with pytest.raises(ValueError, match="tingkat"):
        finance.region_values(per_desa, "peserta", "provinsi")


def test_desa_profile_pages(client):
    page = client.page(f"/desa/{DESA}")
    text = texts(page)
    assert DESA_NAMA in text and "OpenSID" in text and "Terjadi galat" not in text
    for ident in (desa.ID_PENDUDUK, desa.ID_APBDES, desa.ID_PEMBANGUNAN, desa.ID_BANTUAN,
                  desa.ID_RIWAYAT, desa.ID_KESEGARAN):  # fmt: skip
        assert find(page, ident) is not None, ident
    pop = find(page, desa.ID_PENDUDUK)["props"]["rowData"]
    assert {"statistik", "label", "laki_laki", "perempuan", "jumlah"} <= set(pop[0])
    assert "WIB" in texts(find(page, desa.ID_RIWAYAT))
    kel = texts(client.page(f"/desa/{KELURAHAN}"))
    assert "Kelurahan Lubuk Durian" in kel and "kelurahan tidak memiliki APBDes" in kel
    missing = client.page("/desa/17.03.99.9999")
    assert "Desa tidak ditemukan" in texts(missing)
    assert "Desa tidak ditemukan" in texts(client.page("/desa/bukan-kode"))


# -- one browser test (tests/conftest.py, tests/browser_support.py) ------------------------
@pytest.fixture(scope="module")
def live(collected_db) -> Iterator[str]:
    store = Warehouse(collected_db)
    try:
        with serve_app(create_app(store, Settings()), name="dasbor-keu") as url:
            DataSource(store).snapshot()
            yield url
    finally:
        store.engine.dispose()


@pytest.mark.browser
@requires_chromium
def test_keuangan_drill_down_in_browser(live, browser):
    from selenium.webdriver.common.by import By

    def row_count(d) -> int:
        return len(
            d.find_elements(By.CSS_SELECTOR, f"#{keu.ID_GRID} .ag-center-cols-container .ag-row")
        )

    browser.get(f"{live}/keuangan?wilayah={KECAMATAN}")
    wait_for(browser, lambda d: row_count(d) > 5, "the kecamatan's villages in the grid")
    cell = wait_for(
        browser,
        lambda d: d.find_element(
            By.CSS_SELECTOR,
            f"#{keu.ID_GRID} .ag-row[row-id='{DESA}'] .ag-cell[col-id='kode_desa']",
        ),
        "the village's row",
    )
    click(browser, cell)
    wait_for(browser, lambda d: f"wilayah={DESA}" in d.current_url, "the URL names the village")
    wait_for(browser, lambda d: row_count(d) == 1, "the grid shows the one village")
    assert DESA_NAMA in browser.find_element(By.ID, keu.ID_JUDUL).text
    assert_no_console_errors(browser)


@pytest.mark.browser
@requires_chromium
def test_csv_as_shown_follows_the_grid_filter_and_sort(live, browser, downloads, collected_store):
    """ "CSV seperti tampil": the grid's own filter and sort apply; values stay plain numbers
    and the headers are the column names; the rows equal the warehouse's sums."""
    from selenium.webdriver.common.by import By

    browser.get(f"{live}/keuangan?wilayah={KECAMATAN}&tahun={TAHUN}")
    grid = f"#{keu.ID_GRID} .ag-center-cols-container .ag-row"
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, grid)) > 5, "the grid")
    # in the grid: only villages whose name has "an", largest belanja first
    browser.execute_script(
        """
        dash_ag_grid.getApiAsync(arguments[0]).then(api => {
            api.setFilterModel({nama_desa: {filterType: "text", type: "contains", filter: "an"}});
            api.applyColumnState({state: [{colId: "anggaran_belanja", sort: "desc"}]});
        });
        """,
        keu.ID_GRID,
    )
    table = finance.apbdes_villages(
        collected_store.measurements_frame(), collected_store.regions_frame(), TAHUN, KECAMATAN
    )
    shown = table[table["nama_desa"].str.contains("an")]
    shown = shown.sort_values("anggaran_belanja", ascending=False, kind="stable")
    wait_for(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, grid)) == len(shown),
        "the grid filtered",
    )
    click(browser, browser.find_element(By.CSS_SELECTOR, f"[data-grid-export='{keu.ID_GRID}']"))
    target = downloads / "keuangan_apbdes_tampil.csv"
    wait_for(browser, lambda d: target.exists() and target.stat().st_size > 0, "CSV downloaded")
    time.sleep(0.2)  # let Chromium finish writing
    frame = pd.read_csv(target, dtype={"kode_desa": str})
    assert list(frame.columns) == keu.GRID_COLUMNS
    assert list(frame["kode_desa"]) == list(shown["kode_desa"])
    assert list(frame["nama_desa"]) == list(shown["nama_desa"])  # names, not profile links
    belanja = shown["anggaran_belanja"].astype(float)
    assert frame["anggaran_belanja"].fillna(-1).tolist() == belanja.fillna(-1).tolist()
    assert frame["anggaran_belanja"].notna().sum() > 3  # plain numbers: read back as numbers
    assert_no_console_errors(browser)
