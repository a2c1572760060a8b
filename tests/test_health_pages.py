"""The Kesehatan and Pendidikan pages in-process: callbacks equal the aggregates, totals equal
the warehouse, empty states name the villages that have not reported."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from aggregates import health_education as he
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import kesehatan as kes
from dashboard.pages import pendidikan as pdk
from simulator.spreadsheets import load_samples
from tests.test_dashboard_callbacks import DashClient, find, texts, values
from warehouse.store import Warehouse

KEC = "17.03.06"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, default_villages):
    """Regions of the whole registry; samples for one kecamatan, one village left out."""
    wh = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('he') / 'wh.db'}")
    wh.upgrade()
    wh.sync_regions(default_villages)
    kec = [v for v in default_villages if v.kode_kecamatan == KEC]
    assert load_samples(wh, kec[:-1], tahun=2026) == 90
    yield wh, kec[-1]
    wh.engine.dispose()


@pytest.fixture
def client(warehouse) -> DashClient:
    return DashClient(create_app(warehouse[0], Settings()))


def _inputs(page, data, skala, periode, kecamatan=KEC, desa=None) -> dict:
    return {f"{page.ID_KECAMATAN}.value": kecamatan, f"{page.ID_DESA}.value": desa,
            f"{page.ID_DATA}.value": data, f"{page.ID_SKALA}.value": skala,
            f"{page.ID_PERIODE}.value": periode}  # fmt: skip


def test_kesehatan_quarter_equals_aggregates_and_warehouse(client, warehouse):
    store, missing = warehouse
    meas, regions = store.measurements_frame(), store.regions_frame()
    out = client.call(f"{kes.ID_JUDUL}.children", _inputs(kes, "aki-akb", "triwulan", "2026Q3"))
    table = he.village_table(meas, regions, "aki-akb", "triwulan", "2026Q3", KEC)
    rows = out[kes.ID_GRID]["rowData"]
    assert [r["kode_desa"] for r in rows] == list(table["kode_desa"])
    in_q3 = meas[(meas["dataset"] == "aki-akb") & meas["periode"].isin(["202607", "202608",
                                                                        "202609"])]  # fmt: skip
    assert sum(r["jumlah_akb"] or 0 for r in rows) == in_q3.query("ukuran == 'jumlah_akb'")[
        "nilai"].sum()  # fmt: skip
    bars = out[kes.ID_WILAYAH]["figure"]["data"]
    reporting = table[table["melapor"]]
    assert values(bars[1]["x"]) == list(reporting["jumlah_akb"])
    assert bars[0]["customdata"] == list(reporting["kode_desa"])
    trend = he.trend(meas, "aki-akb", "triwulan", KEC)
    assert values(out[kes.ID_TREN]["figure"]["data"][0]["y"]) == list(trend["jumlah_aki"])
    assert len(trend) == 4
    assert missing.nama_desa in texts(out[kes.ID_PESAN]["children"])  # names the non-reporter
    assert "17 dari 18 desa" in out[kes.ID_TREN]["figure"]["layout"]["title"]["text"]
    assert out[kes.ID_TREN]["figure"]["layout"]["separators"] == ",."
    assert [o["value"] for o in out[kes.ID_PERIODE]["options"]][0] == "2026Q4"


def test_kesehatan_kabupaten_per_kecamatan_and_epidemi(client, warehouse):
    store, _ = warehouse
    meas = store.measurements_frame()
    out = client.call(
        f"{kes.ID_JUDUL}.children", _inputs(kes, "epidemi-penyakit", "tahun", "2026", "17.03")
    )
    fig = out[kes.ID_WILAYAH]["figure"]
    assert fig["layout"]["barmode"] == "stack" and len(fig["data"]) == 4  # one per disease
    assert fig["data"][0]["customdata"] == [KEC]  # only Kerkap reported
    shown = sum(sum(values(tr["x"])) for tr in fig["data"])
    assert shown == meas.query("dataset == 'epidemi-penyakit'")["nilai"].sum()
    assert fig["data"][2]["name"] == "Malaria"  # OpenDK's id 3 (issue 11)
    headers = [c["headerName"] for c in out[kes.ID_GRID]["columnDefs"]]
    assert "Demam Berdarah" in headers and "Penderita (semua penyakit)" in headers


def test_empty_period_names_villages(client):
    out = client.call(f"{kes.ID_JUDUL}.children", _inputs(kes, "imunisasi", "bulan", "202501"))
    # an unknown period falls back to the newest; a kecamatan without data is empty
    assert "Des 2026" in out[kes.ID_JUDUL]["children"]
    out = client.call(
        f"{kes.ID_JUDUL}.children", _inputs(kes, "imunisasi", "bulan", "202612", "17.03.07")
    )
    message = texts(out[kes.ID_PESAN]["children"])
    assert "Belum ada data" in message and "16 dari 16 desa belum melapor" in message
    assert out[kes.ID_WILAYAH]["figure"]["data"] == []


def test_pendidikan_page_and_csv(client, warehouse):
    store, _ = warehouse
    meas, regions = store.measurements_frame(), store.regions_frame()
    page = client.page("/pendidikan", f"?wilayah={KEC}&data=putus-sekolah&periode=2026S1")
    assert "Partisipasi sekolah" in texts(find(page, pdk.ID_JUDUL))
    assert "2026 S1" in texts(find(page, pdk.ID_JUDUL))
    table = he.village_table(meas, regions, "putus-sekolah", "semester", "2026S1", KEC)
    fig = find(page, pdk.ID_WILAYAH)["props"]["figure"]
    assert values(fig["data"][1]["x"]) == pytest.approx(
        list(table.loc[table["melapor"], "partisipasi_sd"])
    )
    csv = client.call(
        f"{pdk.ID_DOWNLOAD}.data",
        {f"{pdk.ID_UNDUH}.n_clicks": 1},
        _inputs(pdk, "putus-sekolah", "semester", "2026S1"),
    )[pdk.ID_DOWNLOAD]["data"]
    frame = pd.read_csv(io.StringIO(csv["content"]), dtype={"kode_desa": str})
    rows = meas[(meas["dataset"] == "putus-sekolah") & (meas["periode"] == "2026S1")]
    assert frame["siswa_sd"].sum() == rows.query("ukuran == 'siswa_sd'")["nilai"].sum()
    assert list(frame.columns[:4]) == ["dataset", "periode", "kode_desa", "nama_desa"]
    out = client.call(
        f"{pdk.ID_JUDUL}.children", _inputs(pdk, "tingkat-pendidikan", "tahun", "2026")
    )
    tot = he.totals(
        he.village_table(meas, regions, "tingkat-pendidikan", "tahun", "2026", KEC),
        "tingkat-pendidikan",
    )
    trend = out[pdk.ID_TREN]["figure"]["data"]
    assert values(trend[1]["y"])[-1] == pytest.approx(tot["persen_tamat_sd"])


def test_kesehatan_page_renders_from_url(client):
    page = client.page("/kesehatan", "?data=toilet-sanitasi&skala=triwulan")
    text = texts(page)
    assert "Toilet & sanitasi" in text and "Terjadi galat" not in text
    assert find(page, kes.ID_PERIODE)["props"]["value"] == "2026Q4"


def test_period_selector_shows_the_period_the_page_shows(client):
    """Issue 8: switching the grain kept the old value ("202612" among the years), so the
    selector was blank while the page showed the newest year. The dropdown's value is the
    period shown, and is left alone when it already is."""
    out = client.call(f"{kes.ID_JUDUL}.children", _inputs(kes, "aki-akb", "tahun", "202612"))
    periode = out[kes.ID_PERIODE]
    assert periode["value"] == "2026"
    assert periode["value"] in [o["value"] for o in periode["options"]]
    assert out[kes.ID_JUDUL]["children"].endswith("2026")  # the view shows that year
    assert "value" not in out[kes.ID_SKALA]  # tahun is shown: no change
    # a grain the dataset has not (pendidikan's semester on a monthly dataset): both follow
    out = client.call(f"{kes.ID_JUDUL}.children", _inputs(kes, "imunisasi", "semester", "2026S2"))
    assert out[kes.ID_SKALA]["value"] == "bulan"
    assert out[kes.ID_PERIODE]["value"] == out[kes.ID_PERIODE]["options"][0]["value"]
    same = client.call(f"{kes.ID_JUDUL}.children", _inputs(kes, "aki-akb", "bulan", "202611"))
    assert "value" not in same[kes.ID_PERIODE] and "value" not in same[kes.ID_SKALA]


def test_period_selector_of_the_first_load_is_the_period_shown(client):
    """The page without ?periode= shows the newest period of its grain, its dropdown holds
    that period, and the filter bar takes it as the URL's default (not the newest period of
    any grain, which the dropdown's options lack)."""
    for search in ("", "?skala=triwulan", "?data=imunisasi&skala=tahun"):
        page = client.page("/kesehatan", search)
        dropdown = find(page, kes.ID_PERIODE)["props"]
        options = [o["value"] for o in dropdown["options"]]
        assert dropdown["value"] == options[0], search
        shown = find(page, kes.ID_JUDUL)["props"]["children"]
        assert shown.endswith(dropdown["options"][0]["label"]), (search, shown)
        data = find(page, kes.FILTER.data)["props"]["data"]
        assert data["extra"]["periode"]["default"] == dropdown["value"], search
        assert data["extra"]["skala"]["default"] == find(page, kes.ID_SKALA)["props"]["value"]
