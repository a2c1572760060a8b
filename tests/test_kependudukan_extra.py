"""Indicators, village comparison and trend on Kependudukan; map and changes on Ringkasan."""

from __future__ import annotations

import pytest

from aggregates.indicators import compare_villages, indicators
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource
from dashboard.pages import kependudukan as kpd
from dashboard.pages import ringkasan as rks
from i18n.format import format_number
from tests.test_dashboard_callbacks import DashClient, find, texts, values
from warehouse.store import Warehouse

KABUPATEN = "17.03"
KECAMATAN = "17.03.06"
DESA = "17.03.06.2001"


@pytest.fixture(scope="module")
def one_run(collected_db):
    """The collected 220-village warehouse (one run) with its snapshot."""
    store = Warehouse(collected_db)
    yield store, DataSource(store).snapshot()
    store.engine.dispose()


@pytest.fixture
def client(one_run) -> DashClient:
    return DashClient(create_app(one_run[0], Settings()))


def _extra_inputs(kecamatan: str, desa: str | None, statistik: str) -> dict:
    return {
        f"{kpd.ID_KECAMATAN}.value": kecamatan,
        f"{kpd.ID_DESA}.value": desa,
        f"{kpd.ID_STATISTIK}.value": statistik,
    }


# -- Kependudukan ----------------------------------------------------------------------------
def test_indicator_cards_equal_the_aggregate(client, one_run):
    _, snap = one_run
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}")
    row = indicators(snap.population, "kecamatan").set_index("kode_wilayah").loc[KECAMATAN]
    for key, decimals in kpd.INDICATOR_CARDS.items():
        shown = find(page, f"kpd-indikator-{key}")["props"]["children"]
        assert shown == format_number(row[key], "id", decimals), key
    # the old ids and parts stay where they were
    for ident in (kpd.ID_GRAFIK, kpd.ID_PIRAMIDA, kpd.ID_GRID, kpd.ID_BANDINGKAN, kpd.ID_TREN):
        assert find(page, ident) is not None, ident


def test_comparison_is_shares_of_each_village(client, one_run):
    _, snap = one_run
    out = client.call(f"{kpd.ID_INDIKATOR}.children", _extra_inputs(KECAMATAN, DESA, "agama"))
    figure = out[kpd.ID_BANDINGKAN]["figure"]
    bars = figure["data"]
    shares = compare_villages(snap.population, "agama", KECAMATAN)
    assert len(bars) == shares["urutan_kategori"].nunique()
    villages = shares["kode_wilayah"].nunique()
    assert villages == 18
    # every bar stacks to 100 %, and each point carries its village's code for the click
    totals = [sum(values(b["x"])[i] for b in bars) for i in range(villages)]
    assert all(abs(s - 100) < 1e-6 for s in totals)
    assert {c[0] for c in bars[0]["customdata"]} == set(shares["kode_wilayah"])
    assert figure["layout"]["barmode"] == "stack" and figure["layout"]["separators"] == ",."
    assert all(b["type"] == "bar" and b["orientation"] == "h" for b in bars)
    options = out[kpd.ID_TREN_KATEGORI]["options"]
    assert options[0]["value"] == kpd.TREND_ALL and len(options) > 1
    assert out[kpd.ID_TREN_KATEGORI]["value"] == kpd.TREND_ALL


def test_comparison_at_kabupaten_compares_kecamatan(client, one_run):
    _, snap = one_run
    out = client.call(f"{kpd.ID_INDIKATOR}.children", _extra_inputs(KABUPATEN, None, "pekerjaan"))
    bars = out[kpd.ID_BANDINGKAN]["figure"]["data"]
    codes = {c[0] for c in bars[0]["customdata"]}
    kecamatan = snap.regions[snap.regions["tingkat"] == "kecamatan"]["kode"]
    assert codes == set(kecamatan)


def test_trend_says_one_collection_is_no_trend(client):
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}&statistik=agama")
    figure = find(page, kpd.ID_TREN)["props"]["figure"]
    assert figure["data"] == []
    assert "Riwayat baru satu pengumpulan" in figure["layout"]["annotations"][0]["text"]


def test_trend_after_two_collections(two_runs):
    store, _, codes = two_runs
    client = DashClient(create_app(store, Settings()))
    inputs = {**_extra_inputs(KECAMATAN, None, "agama"), f"{kpd.ID_TREN_KATEGORI}.value": "semua"}
    figure = client.call(f"{kpd.ID_TREN}.figure", inputs)[kpd.ID_TREN]["figure"]
    (line,) = figure["data"]
    current = store.observations_frame(datasets=["agama"])
    current = current[current["kode"] != "total"]
    # both collections ran this month: the month's point is the current value
    assert values(line["y"])[-1] == int(current["jumlah"].sum())
    assert values(line["customdata"])[-1] == len(codes)
    assert figure["layout"]["separators"] == ",."


def test_english_page_renders_the_new_parts(one_run):
    client = DashClient(create_app(one_run[0], Settings(language="en")))
    shown = texts(client.page("/kependudukan", f"?wilayah={DESA}"))
    assert "Compare villages" in shown and "Sex ratio" in shown


# -- Ringkasan -------------------------------------------------------------------------------
def test_ringkasan_map_follows_indicator_and_level(client, one_run):
    _, snap = one_run
    page = client.page("/", "?indikator=rasio_jenis_kelamin")
    assert find(page, rks.ID_INDIKATOR)["props"]["value"] == "rasio_jenis_kelamin"
    (trace,) = find(page, rks.ID_PETA)["props"]["figure"]["data"]
    kec = indicators(snap.population, "kecamatan")
    assert sorted(trace["locations"]) == sorted(kec["kode_wilayah"])
    expected = dict(zip(kec["kode_wilayah"], kec["rasio_jenis_kelamin"].round(1), strict=True))
    for kode, z in zip(trace["locations"], values(trace["z"]), strict=True):
        assert z == pytest.approx(expected[kode])
    out = client.call(
        f"{rks.ID_PETA}.figure",
        {
            f"{rks.ID_KECAMATAN}.value": KECAMATAN,
            f"{rks.ID_DESA}.value": DESA,
            f"{rks.ID_INDIKATOR}.value": "penduduk_per_keluarga",
        },
    )
    (trace,) = out[rks.ID_PETA]["figure"]["data"]
    assert len(trace["locations"]) == 18 and DESA in trace["locations"]
    assert "Penduduk per keluarga per desa" in out[rks.ID_PETA]["figure"]["layout"]["title"]["text"]


def test_unknown_indicator_falls_back(client):
    page = client.page("/", "?indikator=nope")
    assert find(page, rks.ID_INDIKATOR)["props"]["value"] == "penduduk"


def test_changes_grid_empty_after_one_collection(client):
    page = client.page("/", f"?wilayah={KECAMATAN}")
    assert find(page, rks.ID_PERUBAHAN)["props"]["rowData"] == []
    message = texts(find(page, rks.ID_PERUBAHAN_PESAN))
    assert "Tidak ada nilai yang berubah di Kecamatan Kerkap" in message


def test_changes_grid_lists_the_latest_run(two_runs):
    store, run_id, codes = two_runs
    client = DashClient(create_app(store, Settings()))
    audit = store.audit_frame(run_id=run_id)
    assert not audit.empty
    out = client.call(
        f"{rks.ID_PERUBAHAN}.rowData",
        {f"{rks.ID_KECAMATAN}.value": KECAMATAN, f"{rks.ID_DESA}.value": codes[0]},
    )
    rows = out[rks.ID_PERUBAHAN]["rowData"]
    mine = audit[audit["kode_desa"] == codes[0]]
    # a statistic's TOTAL row (the sum of its categories) is not listed as a change
    mine = mine[~((mine["kode"] == "total") & (mine["dataset"] != "total"))]
    assert len(rows) == len(mine) > 0
    assert not any(r["label"] == "TOTAL" for r in rows)
    assert {r["kode_desa"] for r in rows} == {codes[0]}
    pend = mine[(mine["dataset"] == "total") & (mine["kode"] == "penduduk")].iloc[0]
    row = next(r for r in rows if r["statistik"] == "Jumlah" and r["lama"] == pend["lama_jumlah"])
    assert row["baru"] == pend["baru_jumlah"]
    assert "nilai berubah" in texts(out[rks.ID_PERUBAHAN_PESAN]["children"])


def test_new_callbacks_answer_the_same_from_the_cache(client):
    """The per-run cache keeps the new parts as quick as the old ones (bound leaves CI room)."""

    calls = [
        (f"{kpd.ID_INDIKATOR}.children", _extra_inputs(KECAMATAN, None, "pekerjaan")),
        (
            f"{rks.ID_PETA}.figure",
            {
                f"{rks.ID_KECAMATAN}.value": KABUPATEN,
                f"{rks.ID_DESA}.value": None,
                f"{rks.ID_INDIKATOR}.value": "penduduk",
            },
        ),
    ]
    # speed is measured by bench/pages.py; here: the cached answer is the fresh one
    for output, inputs in calls:
        first = client.call(output, inputs)  # fills the cache
        assert client.call(output, inputs) == first
