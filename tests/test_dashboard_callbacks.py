"""The dashboard in-process (Flask test client): pages answer, and callbacks return exactly
what the aggregates say."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from aggregates.population import export_frame, pyramid
from aggregates.status import VILLAGE_STATUS_COLUMNS
from config.registry import Village
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource
from dashboard.pages import kependudukan as kpd
from dashboard.pages import ringkasan as rks
from i18n.format import format_date, format_number
from tests.auth_support import sign_in
from warehouse.store import Warehouse

KABUPATEN = "17.03"
KECAMATAN, KECAMATAN_NAMA = "17.03.06", "Kerkap"
DESA, DESA_NAMA = "17.03.06.2001", "Talang Jambu"
ROUTER = "_pages_content"


class DashClient:
    """Calls a Dash app's callbacks the way the browser does, through /_dash-update-component."""

    def __init__(self, app) -> None:
        self.app = app
        self.http = app.server.test_client()
        assert self.http.get("/").status_code == 200  # first request registers the router
        self.deps = self.http.get("/_dash-dependencies").get_json()

    def dependency(self, first_output: str) -> dict:
        """The callback whose first output is `id.property`."""
        for dep in self.deps:
            outputs = dep["output"].strip(".").split("...")
            if outputs[0].split("@")[0] == first_output:
                return dep
        raise AssertionError(f"no callback outputs {first_output}")

    def call(self, first_output: str, inputs: dict, state: dict | None = None) -> dict:
        """POST one callback; inputs and state as {"id.property": value}; returns {id: {prop}}."""
        dep = self.dependency(first_output)
        state = state or {}

        def items(specs: list, values: dict) -> list:
            out = []
            for spec in specs:
                key = f"{spec['id']}.{spec['property']}"
                out.append({"id": spec["id"], "property": spec["property"], "value": values[key]})
            return out

        outputs = []
        for part in dep["output"].strip(".").split("..."):
            ident, prop = part.rsplit(".", 1)
            outputs.append({"id": ident, "property": prop.split("@")[0]})
        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": items(dep["inputs"], inputs),
            "state": items(dep["state"], state),
            "changedPropIds": [next(iter(inputs))],
        }
        resp = self.http.post("/_dash-update-component", json=body)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
        return resp.get_json()["response"]

    def page(self, pathname: str, search: str = "") -> dict:
        """The layout the router renders for a URL (what a browser gets on loading it)."""
        inputs = {"_pages_location.pathname": pathname, "_pages_location.search": search}
        return self.call(f"{ROUTER}.children", inputs)[ROUTER]["children"]


def find(tree: object, ident: str) -> dict | None:
    """The component with this id in a serialised layout."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and props.get("id") == ident:
            return tree
        for value in (props or tree).values() if isinstance(props, dict) else tree.values():
            hit = find(value, ident)
            if hit is not None:
                return hit
    elif isinstance(tree, list):
        for item in tree:
            hit = find(item, ident)
            if hit is not None:
                return hit
    return None


def texts(tree: object) -> str:
    """All strings of a serialised layout, joined (what a reader would see, roughly)."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, dict):
        return " ".join(texts(v) for k, v in tree.items() if k not in ("type", "namespace"))
    if isinstance(tree, list):
        return " ".join(texts(v) for v in tree)
    return ""


def values(array: object) -> list:
    """A figure array as a list, whether plain JSON or plotly's base64 typed array."""
    if isinstance(array, dict) and "bdata" in array:
        raw = base64.b64decode(array["bdata"])
        return np.frombuffer(raw, dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def grid_rows(table: pd.DataFrame, columns: list[str]) -> list[dict]:
    """What a grid should hold for an aggregate table: plain ints, None for gaps."""
    rows = []
    for rec in table[columns].to_dict("records"):
        rows.append(
            {
                k: (None if pd.isna(v) else (int(v) if k != "label" else str(v)))
                for k, v in rec.items()
            }
        )
    return rows


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def snapshot_db(collected_db):
    """The collected 220-village warehouse (from conftest) with its snapshot."""
    store = Warehouse(collected_db)
    yield store, DataSource(store).snapshot()
    store.engine.dispose()


@pytest.fixture
def client(snapshot_db) -> DashClient:
    store, _ = snapshot_db
    return DashClient(create_app(store, Settings()))


@pytest.fixture
def snap(snapshot_db):
    return snapshot_db[1]


def _subset(villages: list[Village], *kecamatan: str) -> list[Village]:
    return [v for v in villages if v.kode_kecamatan in kecamatan]


@pytest.fixture(scope="module")
def faulty_db(tmp_path_factory, default_villages):
    """Two kecamatan: Enggano's villages all fail, one Kerkap village fails, one never tried."""
    from collectors.sweep import run_sweep
    from simulator.villages import Simulator

    villages = _subset(default_villages, "17.03.01", KECAMATAN)
    enggano = [v.kode_desa for v in villages if v.kode_kecamatan == "17.03.01"]
    faults = {k: "500" for k in enggano} | {"17.03.06.2002": "bad-json"}
    never = "17.03.06.2003"
    path = tmp_path_factory.mktemp("faulty") / "wh.db"
    store = Warehouse(f"sqlite:///{path}")
    store.upgrade()
    store.sync_regions(villages)
    settings = Settings(concurrency=8, read_timeout=2, retries=0, backoff=0.01, tahun=2026)
    with Simulator(villages, port=0, seed=7, faults=faults) as sim:
        pointed = [
            replace(v, base_url=f"{sim.url}/{v.kode_digits}")
            for v in villages
            if v.kode_desa != never
        ]
        summary = run_sweep(pointed, store, settings)
    assert summary.count("failed") == len(enggano) + 1
    store.engine.dispose()
    return f"sqlite:///{path}"


# -- pages ---------------------------------------------------------------------------------
def test_pages_answer_and_use_no_cdn(client):
    for path in ("/", "/kependudukan", f"/kependudukan?wilayah={DESA}&statistik=pekerjaan"):
        resp = client.http.get(path)
        assert resp.status_code == 200, path
        html = resp.get_data(as_text=True)
        assert '<html lang="id">' in html
        assert "/assets/vendor/bootstrap.min.css" in html
        # Any absolute URL in src/href would load from elsewhere; random hashes in the
        # page config may contain "cdn", so look at the URLs themselves.
        urls = re.findall(r'(?:src|href)="([^"]*)"', html)
        assert urls and all(u.startswith("/") for u in urls), urls
        assert not re.search(r"https?://[^\s\"']*(cdn|unpkg|plot\.ly)", html, re.I)
    assert client.http.get("/assets/vendor/bootstrap.min.css").status_code == 200
    assert client.http.get("/assets/dashAgGridFunctions.js").status_code == 200
    shell = client.http.get("/_dash-layout").get_json()
    assert "Dasbor Kecamatan" in texts(shell)
    assert "Ringkasan" in texts(shell) and "Kependudukan" in texts(shell)


def test_url_sets_the_filters_on_kependudukan(client, snap):
    page = client.page("/kependudukan", f"?wilayah={DESA}&statistik=pekerjaan")
    assert find(page, kpd.ID_KECAMATAN)["props"]["value"] == KECAMATAN
    desa = find(page, kpd.ID_DESA)["props"]
    assert desa["value"] == DESA and not desa["disabled"]
    assert DESA in [o["value"] for o in desa["options"]]
    assert find(page, kpd.ID_STATISTIK)["props"]["value"] == "pekerjaan"
    table = snap.statistic("pekerjaan", "desa", DESA)
    grid = find(page, kpd.ID_GRID)["props"]
    assert grid["rowData"] == grid_rows(kpd.shown_table(table, "pekerjaan", "id"), kpd.GRID_COLUMNS)
    assert [d["headerName"] for d in grid["columnDefs"]] == [
        "Kategori",
        "Laki-laki",
        "Perempuan",
        "Jumlah",
    ]
    figure = find(page, kpd.ID_GRAFIK)["props"]["figure"]
    assert values(figure["data"][0]["x"]) == [int(v) for v in table["laki_laki"]]
    assert f"Desa {DESA_NAMA}" in texts(find(page, kpd.ID_JUDUL))


def test_digit_codes_and_defaults(client):
    page = client.page("/kependudukan", "?wilayah=1703062001")
    assert find(page, kpd.ID_DESA)["props"]["value"] == DESA
    assert find(page, kpd.ID_STATISTIK)["props"]["value"] == "agama"
    page = client.page("/kependudukan")
    assert find(page, kpd.ID_KECAMATAN)["props"]["value"] == KABUPATEN
    desa = find(page, kpd.ID_DESA)["props"]
    assert desa["disabled"] and desa["options"] == []


def test_kelurahan_is_named_as_such(client, snap):
    regions = snap.regions
    kelurahan = regions[regions["jenis"] == "kelurahan"].iloc[0]
    page = client.page("/kependudukan", f"?wilayah={kelurahan['kode']}")
    assert f"Kependudukan Kelurahan {kelurahan['nama']}" in texts(find(page, kpd.ID_JUDUL))


def test_unknown_filters_fall_back_with_a_notice(client):
    page = client.page("/kependudukan", "?wilayah=99.99.99&statistik=zodiak")
    assert find(page, kpd.ID_KECAMATAN)["props"]["value"] == KABUPATEN
    assert find(page, kpd.ID_STATISTIK)["props"]["value"] == "agama"
    shown = texts(page)
    assert "Kode wilayah 99.99.99 tidak dikenal" in shown
    assert "Statistik zodiak tidak dikenal" in shown
    page = client.page("/", "?wilayah=bukan-kode")
    assert "Kode wilayah bukan-kode tidak dikenal" in texts(page)


def test_unknown_path_shows_the_not_found_page(client):
    page = client.page("/tidak-ada")
    assert "Halaman tidak ditemukan" in texts(page)


# -- Kependudukan callbacks -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("kecamatan", "desa", "tingkat", "kode", "slug"),
    [
        (KABUPATEN, None, "kabupaten", KABUPATEN, "agama"),
        (KECAMATAN, None, "kecamatan", KECAMATAN, "pekerjaan"),
        (KECAMATAN, DESA, "desa", DESA, "golongan-darah"),
        ("17.03.07", None, "kecamatan", "17.03.07", "rentang-umur"),
    ],
)
def test_statistic_callback_equals_the_aggregate(
    client, snap, kecamatan, desa, tingkat, kode, slug
):
    out = client.call(
        f"{kpd.ID_JUDUL}.children",
        {
            f"{kpd.ID_KECAMATAN}.value": kecamatan,
            f"{kpd.ID_DESA}.value": desa,
            f"{kpd.ID_STATISTIK}.value": slug,
        },
    )
    table = snap.statistic(slug, tingkat, kode)
    assert not table.empty
    assert (table["kode_wilayah"] == kode).all()
    # the numbers of the aggregate; belum mengisi in words (the CSV keeps the code's label)
    rows = out[kpd.ID_GRID]["rowData"]
    assert rows == grid_rows(kpd.shown_table(table, slug, "id"), kpd.GRID_COLUMNS)
    assert rows[-1]["label"] == "Belum mengisi" and table["kode"].iloc[-1] == "belum_mengisi"
    figure = out[kpd.ID_GRAFIK]["figure"]
    male, female = figure["data"]
    assert values(male["x"]) == [int(v) for v in table["laki_laki"]]
    assert values(female["x"]) == [int(v) for v in table["perempuan"]]
    assert len(male["y"]) == len(table)
    assert figure["layout"]["separators"] == ",."
    # as of the oldest success among the villages shown (a sweep may straddle a minute)
    status = snap.dataset_status
    shown = status[(status["dataset"] == slug) & status["kode_desa"].str.startswith(kode)]
    as_of = pd.to_datetime(shown["last_success_at"], utc=True).min()
    assert f"data per {format_date(as_of, 'id')}," in figure["layout"]["title"]["text"]
    assert out[kpd.ID_PESAN]["children"] is None  # every village reported


def test_pyramid_callback_equals_the_aggregate(client, snap):
    out = client.call(
        f"{kpd.ID_PIRAMIDA}.figure",
        {f"{kpd.ID_KECAMATAN}.value": KECAMATAN, f"{kpd.ID_DESA}.value": None},
    )
    pyr = pyramid(snap.population, KECAMATAN)
    male, female = out[kpd.ID_PIRAMIDA]["figure"]["data"]
    assert list(male["y"]) == list(pyr["label"])
    assert values(male["x"]) == [-int(v) for v in pyr["laki_laki"]]
    assert values(female["x"]) == [int(v) for v in pyr["perempuan"]]


def test_filter_data_lists_the_villages_of_each_kecamatan(client, snap):
    """The browser switches desa options from this data (no server round trip)."""
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}")
    data = find(page, kpd.ID_WILAYAH_DATA)["props"]["data"]
    regions = snap.regions
    kecamatan = regions[regions["tingkat"] == "kecamatan"]
    assert set(data["desa"]) == set(kecamatan["kode"])
    expected = set(regions[(regions["tingkat"] == "desa") & (regions["induk"] == KECAMATAN)].kode)
    assert {o["value"] for o in data["desa"][KECAMATAN]} == expected
    assert sum(len(v) for v in data["desa"].values()) == 220
    assert data["kabupaten"] == KABUPATEN
    assert data["extra"]["statistik"]["default"] == "agama"
    assert len(data["extra"]["statistik"]["values"]) == 29  # every statistic collected
    assert (data["url"], data["kecamatan"]) == (kpd.ID_URL, kpd.ID_KECAMATAN)
    desa = find(page, kpd.ID_DESA)["props"]
    assert desa["options"] == data["desa"][KECAMATAN]
    assert desa["placeholder"] == "Semua desa"


def test_csv_download_is_the_table_in_export_schema(client, snap):
    out = client.call(
        f"{kpd.ID_DOWNLOAD}.data",
        {f"{kpd.ID_UNDUH}.n_clicks": 1},
        {
            f"{kpd.ID_KECAMATAN}.value": KECAMATAN,
            f"{kpd.ID_DESA}.value": None,
            f"{kpd.ID_STATISTIK}.value": "pendidikan-dalam-kk",
        },
    )[kpd.ID_DOWNLOAD]["data"]
    assert out["filename"] == f"pendidikan-dalam-kk_{KECAMATAN}.csv"
    assert out["base64"] is False
    expected = export_frame(snap.statistic("pendidikan-dalam-kk", "kecamatan", KECAMATAN))
    got = pd.read_csv(io.StringIO(out["content"]), dtype={"kode_wilayah": str, "kode": str})
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert "." not in out["content"].split("\n")[1].split(",")[-1]  # plain 21992, not 21.992


# -- Ringkasan callbacks --------------------------------------------------------------------
def test_ringkasan_cards_and_village_table(client, snap):
    out = client.call(
        f"{rks.ID_JUDUL}.children",
        {f"{rks.ID_KECAMATAN}.value": KECAMATAN, f"{rks.ID_DESA}.value": None},
    )
    totals = snap.totals("kecamatan", KECAMATAN).iloc[0]
    cards = texts(out[rks.ID_KARTU]["children"])
    for key in rks.CARDS:
        assert format_number(totals[key], "id") in cards
    villages = snap.village_status(KECAMATAN)
    rows = out[rks.ID_GRID]["rowData"]
    assert [r["kode_desa"] for r in rows] == list(villages["kode_desa"])
    assert [r["penduduk"] for r in rows] == [int(v) for v in villages["penduduk"]]
    assert rows[0]["status_terakhir"] == "Berhasil"
    assert rows[0]["terakhir_berhasil__teks"].endswith("WIB")
    status = texts(out[rks.ID_STATUS]["children"])
    assert f"{len(villages)} desa melapor pada pengumpulan terakhir, 0 gagal" in status
    assert "Kecamatan Kerkap" in texts(out[rks.ID_JUDUL])


def test_ringkasan_kabupaten_matches_last_run(client, snap):
    page = client.page("/")
    totals = snap.totals("kabupaten").iloc[0]
    assert find(page, "rks-kartu-penduduk")["props"]["children"] == format_number(
        totals["penduduk"], "id"
    )
    run = snap.last_run()
    status = texts(find(page, rks.ID_STATUS))
    assert f"{run['ok'] + run['unchanged']} desa melapor" in status
    assert f"{run['failed']} gagal" in status
    assert len(find(page, rks.ID_GRID)["props"]["rowData"]) == 220


def test_ringkasan_csv(client, snap):
    out = client.call(
        f"{rks.ID_DOWNLOAD}.data",
        {f"{rks.ID_UNDUH}.n_clicks": 1},
        {f"{rks.ID_KECAMATAN}.value": KECAMATAN, f"{rks.ID_DESA}.value": DESA},
    )[rks.ID_DOWNLOAD]["data"]
    got = pd.read_csv(io.StringIO(out["content"]), dtype=str)
    assert list(got.columns) == VILLAGE_STATUS_COLUMNS
    assert list(got["kode_desa"]) == [DESA]
    row = snap.village_status(DESA).iloc[0]
    assert got.loc[0, "penduduk"] == str(int(row["penduduk"]))
    assert got.loc[0, "status_terakhir"] == "ok"
    assert got.loc[0, "terakhir_berhasil"].endswith("Z")


# -- empty and partial data -----------------------------------------------------------------
def test_empty_warehouse_shows_an_empty_state(sqlite_store):
    client = DashClient(create_app(sqlite_store, Settings()))
    assert client.http.get("/kependudukan").status_code == 200
    page = client.page("/")
    assert "Daftar desa belum dimuat" in texts(page)
    page = client.page("/kependudukan")
    figure = find(page, kpd.ID_GRAFIK)["props"]["figure"]
    assert figure["data"] == []
    assert "Daftar desa belum dimuat" in figure["layout"]["annotations"][0]["text"]


def test_no_completed_run_names_the_villages_waiting(sqlite_store, default_villages):
    sqlite_store.sync_regions(default_villages)
    sqlite_store.start_run(total=len(default_villages))  # running, not completed
    client = DashClient(create_app(sqlite_store, Settings()))
    message = "Belum ada pengumpulan data yang selesai: 220 desa belum melapor."
    page = client.page("/")
    assert message in texts(page)
    assert find(page, "rks-kartu-penduduk")["props"]["children"] == "–"
    assert len(find(page, rks.ID_GRID)["props"]["rowData"]) == 220  # villages, all "never"
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}")
    message = "Belum ada pengumpulan data yang selesai: 18 desa belum melapor."  # in Kerkap
    assert message in texts(page)
    for graph in (kpd.ID_GRAFIK, kpd.ID_PIRAMIDA):
        figure = find(page, graph)["props"]["figure"]
        assert figure["data"] == [] and message in figure["layout"]["annotations"][0]["text"]


def test_failed_villages_are_counted_and_named(faulty_db):
    store = Warehouse(faulty_db)
    try:
        client = DashClient(create_app(store, Settings()))
        sign_in(client.http, store)  # an admin sees the original error texts (issue 10)
        out = client.call(
            f"{kpd.ID_JUDUL}.children",
            {
                f"{kpd.ID_KECAMATAN}.value": "17.03.01",
                f"{kpd.ID_DESA}.value": None,
                f"{kpd.ID_STATISTIK}.value": "agama",
            },
        )
        message = "Belum ada data Agama untuk Kecamatan Enggano: 6 dari 6 desa belum melapor."
        assert message in texts(out[kpd.ID_PESAN])
        assert "Meok (belum pernah)" in texts(out[kpd.ID_PESAN])  # which, since when
        assert out[kpd.ID_GRAFIK]["figure"]["layout"]["annotations"][0]["text"] == message
        assert out[kpd.ID_GRID]["rowData"] == []
        out = client.call(
            f"{kpd.ID_JUDUL}.children",
            {
                f"{kpd.ID_KECAMATAN}.value": KECAMATAN,
                f"{kpd.ID_DESA}.value": None,
                f"{kpd.ID_STATISTIK}.value": "agama",
            },
        )
        assert "2 dari 18 desa di Kecamatan Kerkap belum melapor." in texts(out[kpd.ID_PESAN])
        out = client.call(
            f"{rks.ID_JUDUL}.children",
            {f"{rks.ID_KECAMATAN}.value": KECAMATAN, f"{rks.ID_DESA}.value": None},
        )
        status = texts(out[rks.ID_STATUS]["children"])
        assert "16 desa melapor pada pengumpulan terakhir, 1 gagal" in status
        assert "1 desa belum pernah melapor" in status
        rows = {r["kode_desa"]: r for r in out[rks.ID_GRID]["rowData"]}
        assert rows["17.03.06.2002"]["status_terakhir"] == "Gagal"
        assert rows["17.03.06.2002"]["galat_terakhir"]
        assert rows["17.03.06.2003"]["status_terakhir"] == "Belum pernah"
        assert rows["17.03.06.2003"]["penduduk"] is None
    finally:
        store.engine.dispose()


# -- the app itself -------------------------------------------------------------------------
def test_two_apps_in_one_process(snapshot_db, sqlite_store):
    store, snap = snapshot_db
    first = DashClient(create_app(store, Settings()))
    second = DashClient(create_app(sqlite_store, Settings()))
    inputs = {f"{rks.ID_KECAMATAN}.value": KABUPATEN, f"{rks.ID_DESA}.value": None}
    assert len(first.call(f"{rks.ID_JUDUL}.children", inputs)[rks.ID_GRID]["rowData"]) == 220
    assert second.call(f"{rks.ID_JUDUL}.children", inputs)[rks.ID_GRID]["rowData"] == []
    assert first.app.server.config["DATA_SOURCE"].store is store


def test_english_catalogue_renders(snapshot_db):
    store, _ = snapshot_db
    client = DashClient(create_app(store, Settings(language="en")))
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}")
    shown = texts(page)
    assert "Population of Sub-district Kerkap" in shown
    assert "Download CSV" in shown


def test_cached_answers_equal_fresh_ones(client):
    """Answers served from the per-run cache are the ones computed fresh (speed itself is
    measured by bench/pages.py, not asserted here)."""
    inputs = {
        f"{kpd.ID_KECAMATAN}.value": KECAMATAN,
        f"{kpd.ID_DESA}.value": None,
        f"{kpd.ID_STATISTIK}.value": "pekerjaan",
    }
    first = client.call(f"{kpd.ID_JUDUL}.children", inputs)  # fills the per-run cache
    for _ in range(3):
        assert client.call(f"{kpd.ID_JUDUL}.children", inputs) == first


def test_a_failing_aggregate_shows_a_notice_not_a_traceback(snapshot_db, monkeypatch):
    store, _ = snapshot_db
    client = DashClient(create_app(store, Settings()))

    def broken(self, *args, **kwargs):
        raise RuntimeError("no such column: dataset_status.something_new")

    monkeypatch.setattr(DataSource, "snapshot", broken)
    for path in ("/", "/kependudukan"):
        page = client.page(path, f"?wilayah={KECAMATAN}")
        assert "Terjadi galat." in texts(page)
        assert "no such column" not in texts(page)  # details go to the log, not to users
        assert find(page, kpd.ID_GRID if path != "/" else rks.ID_GRID) is not None
    out = client.call(
        f"{kpd.ID_JUDUL}.children",
        {
            f"{kpd.ID_KECAMATAN}.value": KECAMATAN,
            f"{kpd.ID_DESA}.value": None,
            f"{kpd.ID_STATISTIK}.value": "agama",
        },
    )
    assert "Terjadi galat." in texts(out[kpd.ID_PESAN])
