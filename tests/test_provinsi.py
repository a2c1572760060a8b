"""A registry above one kabupaten (issue 12): two kabupaten of Bengkulu, and the whole province
of DKI Jakarta (31: 267 kelurahan in 6 kota/kabupaten), collected from the simulator into
SQLite and PostgreSQL. The provinsi is one more level: its totals are the sum of its
kabupaten, the filter bar offers it and its kabupaten, the API answers at tingkat=provinsi,
and a provinsi without vendored boundaries gets a treemap where a kabupaten gets its map."""

from __future__ import annotations

import io
import json
import logging

import pandas as pd
import pytest
from click.testing import CliRunner

from aggregates.population import statistic_table, totals_table
from config.regions import villages_under
from config.registry import build_registry_rows, parse_registry, registry_csv
from config.settings import Settings
from dashboard.app import create_app
from dashboard.cli import main as cli
from dashboard.data import DataSource
from dashboard.pages import PAGE_MODULES
from simulator.villages import region_registry
from tests.browser_support import (
    assert_no_console_errors,
    choose,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.conftest import BACKENDS, _postgres_store, pointed_at
from tests.test_dashboard_callbacks import DashClient
from warehouse.store import Warehouse

# two kecamatan of two kabupaten of Bengkulu (17): the smallest registry spanning kabupaten
TWO_KABUPATEN = ("17.03.06", "17.01.01")
PROVINSI = "31"  # DKI Jakarta: the smallest province of the reference


def registry_of(kecamatan: tuple[str, ...] = (), provinsi: str | None = None):
    rows = [r for k in kecamatan for r in build_registry_rows(kecamatan=k)]
    if provinsi:
        rows += build_registry_rows(provinsi=provinsi)
    return parse_registry(registry_csv(rows), source="test")


def collected(store: Warehouse, villages) -> Warehouse:
    from collectors.sweep import run_sweep
    from simulator.villages import Simulator

    settings = Settings(concurrency=16, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    with Simulator(villages, port=0, seed=3) as sim:
        summary = run_sweep(pointed_at(villages, sim.url), store, settings)
    assert summary.count("failed") == 0, summary.failed[:3]
    return store


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, tmp_path_factory):
    """An empty warehouse factory per backend (a fresh SQLite file or PostgreSQL schema)."""
    made = []

    def make() -> Warehouse:
        if request.param == "sqlite":
            path = tmp_path_factory.mktemp("provinsi") / "wh.db"
            wh = Warehouse(f"sqlite:///{path}")
        else:
            gen = _postgres_store()
            wh = next(gen)
            made.append(gen)
        wh.upgrade()
        return wh

    yield make
    for gen in made:
        gen.close()


@pytest.fixture(scope="module")
def two_kabupaten(backend):
    wh = collected(backend(), registry_of(TWO_KABUPATEN))
    yield wh
    wh.engine.dispose()


@pytest.fixture(scope="module")
def provinsi(backend):
    wh = collected(backend(), registry_of(provinsi=PROVINSI))
    yield wh
    wh.engine.dispose()


def client_of(store: Warehouse) -> DashClient:
    return DashClient(create_app(store, Settings()))


# -- the registry -------------------------------------------------------------------------------
def test_villages_init_provinsi_writes_every_village_of_the_province(tmp_path):
    out = tmp_path / "villages.csv"
    result = CliRunner().invoke(cli, ["villages", "init", "--provinsi", "31", "-o", str(out)])
    assert result.exit_code == 0, result.output
    found = parse_registry(out.read_text(encoding="utf-8"), source=str(out))
    assert sorted(v.kode_desa for v in found) == [r.kode for r in villages_under("31")]
    assert len({v.kode_kabupaten for v in found}) == 6
    # the simulator serves a province without a registry file (python -m simulator --wilayah)
    assert [v.kode_desa for v in region_registry("31")] == [v.kode_desa for v in found]
    # several kabupaten in one registry, and a kabupaten outside the provinsi refused
    two = CliRunner().invoke(
        cli, ["villages", "init", "--kabupaten", "17.03", "--kabupaten", "1704"]
    )
    assert two.exit_code == 0, two.output
    kabs = {v.kode_kabupaten for v in parse_registry(two.output, source="stdout")}
    assert kabs == {"17.03", "17.04"}
    bad = CliRunner().invoke(cli, ["villages", "init", "--provinsi", "17", "--kabupaten", "31.71"])
    assert bad.exit_code != 0 and "31.71 is not in provinsi 17" in bad.output


# -- aggregates ---------------------------------------------------------------------------------
def test_provinsi_totals_equal_the_sum_of_its_kabupaten(two_kabupaten):
    check_provinsi_totals(two_kabupaten, "two_kabupaten")


def test_province_registry_totals_equal_the_sum_of_its_kabupaten(provinsi):
    check_provinsi_totals(provinsi, "provinsi")


def check_provinsi_totals(store: Warehouse, registry: str) -> None:
    data = DataSource(store).snapshot().population
    prov = totals_table(data, "provinsi")
    kab = totals_table(data, "kabupaten")
    desa = totals_table(data, "desa")
    assert len(prov) == 1 and prov["kode_wilayah"].iloc[0] == ("17" if registry != "provinsi"
                                                               else PROVINSI)  # fmt: skip
    assert len(kab) == (2 if registry == "two_kabupaten" else 6)
    for col in ("penduduk", "laki_laki", "perempuan", "keluarga", "rumah_tangga", "desa_melapor"):
        assert int(prov[col].iloc[0]) == int(kab[col].sum()) == int(desa[col].sum()), col
    assert int(prov["desa_melapor"].iloc[0]) == len(data.regions.query("tingkat == 'desa'"))
    stat_prov = statistic_table(data, "agama", "provinsi").set_index("kode")["jumlah"]
    stat_kab = statistic_table(data, "agama", "kabupaten").groupby("kode")["jumlah"].sum()
    assert stat_prov.astype(int).to_dict() == stat_kab.astype(int).to_dict()
    assert prov["nama_wilayah"].iloc[0] == ("Bengkulu" if registry != "provinsi"
                                            else "Daerah Khusus Ibukota Jakarta")  # fmt: skip


# -- the filter bar -----------------------------------------------------------------------------
def dropdown(layout: object, ident: str) -> dict:
    found = list(find(layout, ident))
    assert found, ident
    return found[0]


def find(tree: object, ident: str):
    if isinstance(tree, dict):
        props = tree.get("props", {})
        if props.get("id") == ident:
            yield props
        for value in props.values():
            yield from find(value, ident)
    elif isinstance(tree, list):
        for item in tree:
            yield from find(item, ident)


def test_filters_offer_the_provinsi_and_its_kabupaten(two_kabupaten):
    client = client_of(two_kabupaten)
    layout = client.page("/")
    kec = dropdown(layout, "rks-kecamatan")
    values = [o["value"] for o in kec["options"]]
    assert kec["value"] == "17" and values[0] == "17"
    assert "17.03" in values and "17.01" in values
    assert values.index("17.03.06") > values.index("17.03")  # a kecamatan after its kabupaten
    data = dropdown(layout, "rks-wilayah-data")["data"]
    assert data["kabupaten"] == "17" and data["atas"] == ["17.01", "17.03"]
    # a kabupaten chosen: its kecamatan's villages are not offered until one is chosen
    layout = client.page("/", "?wilayah=17.03")
    assert dropdown(layout, "rks-kecamatan")["value"] == "17.03"
    assert dropdown(layout, "rks-desa")["disabled"] is True
    text = json.dumps(client.page("/", "?wilayah=17.03.06"))
    assert "Kecamatan Kerkap" in text


def test_one_kabupaten_registry_offers_no_provinsi(collected_store):
    client = client_of(collected_store)
    layout = client.page("/")
    kec = dropdown(layout, "rks-kecamatan")
    assert kec["value"] == "17.03" and kec["options"][0]["label"] == "Semua kecamatan"
    assert all(len(o["value"]) in (5, 8) for o in kec["options"])
    assert "atas" not in dropdown(layout, "rks-wilayah-data")["data"]
    resp = client.http.get("/api/v1/penduduk", query_string={"tingkat": "provinsi"})
    assert resp.status_code == 400 and "above the region 17.03" in resp.get_json()["error"]


# -- the API ------------------------------------------------------------------------------------
def test_api_answers_at_tingkat_provinsi(provinsi):
    http = client_of(provinsi).http
    prov = http.get("/api/v1/penduduk", query_string={"tingkat": "provinsi"}).get_json()
    kab = http.get("/api/v1/penduduk", query_string={"tingkat": "kabupaten"}).get_json()
    (row,) = prov["rows"]
    assert row["kode_wilayah"] == PROVINSI and row["tingkat"] == "provinsi"
    assert row["penduduk"] == sum(r["penduduk"] for r in kab["rows"]) > 0
    assert prov["meta"]["desa_total"] == len(villages_under(PROVINSI))
    csv = http.get("/api/v1/statistik/agama.csv", query_string={"tingkat": "provinsi"})
    assert csv.status_code == 200
    table = pd.read_csv(io.StringIO(csv.get_data(as_text=True)), dtype={"kode_wilayah": str})
    assert set(table["kode_wilayah"]) == {PROVINSI} and set(table["tingkat"]) == {"provinsi"}
    # a kabupaten of the provinsi is a region of its own; the provinsi is above it
    one = http.get("/api/v1/penduduk", query_string={"tingkat": "kabupaten", "wilayah": "3171"})
    assert [r["kode_wilayah"] for r in one.get_json()["rows"]] == ["31.71"]
    above = http.get("/api/v1/penduduk", query_string={"tingkat": "provinsi", "wilayah": "31.71"})
    assert above.status_code == 400


# -- maps and every page ------------------------------------------------------------------------
def figure_of(layout: object, ident: str) -> dict:
    return dropdown(layout, ident)["figure"]


def test_provinsi_map_is_a_treemap_and_a_kabupaten_with_boundaries_a_map(two_kabupaten):
    client = client_of(two_kabupaten)
    prov = figure_of(client.page("/"), "rks-peta")
    (trace,) = prov["data"]
    assert trace["type"] == "treemap"
    # the boxes: each kabupaten, with its kecamatan inside
    assert {p for p in trace["parents"] if p} == {"k:17.01", "k:17.03"}
    # Bengkulu Utara's boundaries ship (config/boundaries): its kecamatan on a map
    kab = figure_of(client.page("/", "?wilayah=17.03"), "rks-peta")
    assert {t["type"] for t in kab["data"]} == {"choropleth"}
    assert kab["data"][0]["locations"] == ["17.03.06"]


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def test_every_page_renders_at_every_level_of_a_provinsi(provinsi):
    client = client_of(provinsi)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        for name in PAGE_MODULES:
            module = __import__(name, fromlist=["PATH"])
            path = getattr(module, "PATH", None)
            if not path or "<" in path:
                continue
            for kode in ("", "31.71"):  # a kecamatan and a desa are as in any registry
                text = json.dumps(client.page(path, f"?wilayah={kode}" if kode else ""))
                assert "Terjadi kesalahan" not in text, (path, kode)
    finally:
        logging.getLogger().removeHandler(errors)
    assert errors.records == []
    assert "Provinsi Daerah Khusus Ibukota Jakarta" in json.dumps(client.page("/"))


# -- the filter bar in the browser (its JavaScript: no Flask test client runs it) --------------
@pytest.mark.browser
@requires_chromium
def test_browser_filter_walks_provinsi_kabupaten_kecamatan(two_kabupaten, browser, request):
    from selenium.webdriver.common.by import By

    if "postgres" in request.node.callspec.id:
        pytest.skip("the browser reads the same pages on either backend: SQLite only")
    with serve_app(create_app(two_kabupaten, Settings())) as url:
        browser.get(url + "/")
        wait_for(browser, lambda d: "Provinsi Bengkulu" in d.page_source, "the provinsi shown")
        choose(browser, "rks-kecamatan", "17.03")
        wait_for(browser, lambda d: "wilayah=17.03" in d.current_url, "URL follows the kabupaten")
        desa = wait_for(browser, lambda d: d.find_element(By.ID, "rks-desa"), "desa dropdown")
        wait_for(browser, lambda d: "Pilih kecamatan dulu" in desa.text, "no desa of a kabupaten")
        choose(browser, "rks-kecamatan", "17.03.06")
        wait_for(browser, lambda d: "wilayah=17.03.06" in d.current_url, "URL follows")
        wait_for(browser, lambda d: "Semua desa" in d.find_element(By.ID, "rks-desa").text,
                 "the kecamatan's villages offered")  # fmt: skip
        # a link to a kabupaten in digits opens that kabupaten (the filter follows the URL)
        browser.get(url + "/?wilayah=1701")
        wait_for(browser, lambda d: "Kabupaten Bengkulu Selatan" in d.page_source, "by link")
        assert_no_console_errors(browser)
