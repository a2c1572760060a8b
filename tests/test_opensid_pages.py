"""Every page on data that came through the opensid adapter, as `make demo` shows it with a
registry made by `dasbor villages init --adapter opensid`: the simulator answers as OpenSID 2508
does, and the pages show what was collected."""

from __future__ import annotations

import pytest

from aggregates.load import load_population
from aggregates.population import statistic_table
from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from tests.conftest import pointed_at
from tests.test_dashboard_callbacks import DashClient, texts
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
PAGES = ("/", "/kependudukan", "/keuangan", "/pembangunan", "/bantuan", "/kesehatan",
         "/pendidikan", "/pemantauan", "/unduh", "/kamus")  # fmt: skip


@pytest.fixture(scope="module")
def opensid_store(tmp_path_factory, simulator, default_villages):
    villages = [v for v in default_villages if v.kode_kecamatan == KECAMATAN]
    store = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('opensid-pages') / 'wh.db'}")
    store.upgrade()
    settings = Settings(concurrency=8, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    summary = run_sweep(pointed_at(villages, simulator.url, "opensid"), store, settings)
    assert summary.count("failed") == 0, summary.failed[:3]
    store.sync_regions(villages)
    yield store, villages
    store.engine.dispose()


@pytest.fixture(scope="module")
def client(opensid_store) -> DashClient:
    return DashClient(create_app(opensid_store[0], Settings()))


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_kecamatan_and_desa(client, opensid_store, path):
    desa = opensid_store[1][0].kode_desa
    for wilayah in ("", KECAMATAN, desa):
        page = client.page(path, f"?wilayah={wilayah}" if wilayah else "")
        words = texts(page)
        assert "Terjadi galat" not in words and "Traceback" not in words, (path, wilayah)


def test_village_profile_renders(client, opensid_store):
    desa = opensid_store[1][0]
    store = opensid_store[0]
    words = texts(client.page(f"/desa/{desa.kode_desa}"))
    ident = store.measurements_frame(["identitas"])
    ident = ident[ident["kode_wilayah"] == desa.kode_desa].set_index("ukuran")["nilai"]
    assert desa.nama_desa in words and "OpenSID" in words
    assert f"{int(ident['dusun'])} dusun, {int(ident['rw'])} RW, {int(ident['rt'])} RT" in words


@pytest.mark.parametrize("slug", ["agama", "pekerjaan", "rentang-umur", "kepemilikan-ktp"])
def test_statistics_equal_what_was_collected(client, opensid_store, slug):
    store = opensid_store[0]
    table = statistic_table(load_population(store), slug, "kecamatan", KECAMATAN)
    obs = store.observations_frame([slug])
    categories = obs[~obs["kode"].isin(["total", "jumlah"])]
    assert int(table["jumlah"].sum()) == int(categories["jumlah"].sum()) > 0
    resp = client.http.get(
        f"/api/v1/statistik/{slug}", query_string={"tingkat": "kecamatan", "wilayah": KECAMATAN}
    )
    rows = resp.get_json()["rows"]
    assert sum(r["jumlah"] for r in rows) == int(table["jumlah"].sum())
