"""Kependudukan offers every collected statistic (issue 8): grouped in its selector, each saying
what it counts; the aid statistics' recipients counted once; villages' own age brackets
harmonised above the desa level, the rest listed, and every number equal to the API twin's."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from aggregates.age_brackets import NOT_HARMONISED
from aggregates.population import not_harmonised_table
from config.settings import Settings
from config.statistik import BY_SLUG, RENTANG_UMUR_DEFAULT, THEMES
from dashboard.app import create_app
from dashboard.data import DataSource
from dashboard.pages import kependudukan as kpd
from dashboard.statistik import GROUP_PREFIX, axis_title, unit_short
from tests.test_dashboard_callbacks import DashClient, find, texts, values

KABUPATEN, KECAMATAN = "17.03", "17.03.06"


@pytest.fixture(scope="module")
def client(collected_db) -> DashClient:
    from warehouse.store import Warehouse

    store = Warehouse(collected_db)
    yield DashClient(create_app(store, Settings()))
    store.engine.dispose()


@pytest.fixture(scope="module")
def population(collected_db):
    from warehouse.store import Warehouse

    store = Warehouse(collected_db)
    yield DataSource(store).snapshot().population
    store.engine.dispose()


def show(client: DashClient, slug: str, kecamatan: str = KABUPATEN, desa: str | None = None):
    return client.call(
        f"{kpd.ID_JUDUL}.children",
        {f"{kpd.ID_KECAMATAN}.value": kecamatan, f"{kpd.ID_DESA}.value": desa,
         f"{kpd.ID_STATISTIK}.value": slug},
    )  # fmt: skip


def twin(client: DashClient, slug: str, wilayah: str) -> pd.DataFrame:
    resp = client.http.get(
        "/api/v1/halaman/kependudukan/statistik.csv",
        query_string={"wilayah": wilayah, "statistik": slug},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return pd.read_csv(io.StringIO(resp.get_data(as_text=True)), dtype={"kode": str})


def test_selector_offers_every_statistic_grouped_with_its_unit(client):
    page = client.page("/kependudukan")
    options = find(page, kpd.ID_STATISTIK)["props"]["options"]
    headings = [o for o in options if str(o["value"]).startswith(GROUP_PREFIX)]
    assert [o["value"] for o in headings] == [GROUP_PREFIX + theme for theme, _ in THEMES]
    assert all(o["disabled"] for o in headings)
    shown = [o for o in options if o not in headings]
    assert [o["value"] for o in shown] == [s for _, slugs in THEMES for s in slugs]
    assert len(shown) == len(BY_SLUG) == 29
    for option in shown:  # each says what its total counts, and is found by it
        assert f"· {unit_short(option['value'])}" in texts(option["label"])
        assert unit_short(option["value"]) in option["search"]


@pytest.mark.parametrize("slug", sorted(BY_SLUG))
def test_every_statistic_shows_what_it_counts_and_equals_its_twin(client, slug):
    out = show(client, slug, KECAMATAN)
    assert "galat" not in texts(out[kpd.ID_PESAN]).lower()
    note = texts(out[kpd.ID_KETERANGAN]["children"])
    assert BY_SLUG[slug].judul in note
    if BY_SLUG[slug].sisa:
        assert BY_SLUG[slug].sisa in note  # what belum mengisi means here
    rows = out[kpd.ID_GRID]["rowData"]
    csv = twin(client, slug, KECAMATAN)
    assert [r["jumlah"] for r in rows] == list(csv["jumlah"])
    assert len(rows) > 0 and csv["jumlah"].dtype.kind == "i"
    bars = out[kpd.ID_GRAFIK]["figure"]["data"]
    assert values(bars[0]["x"]) == list(csv["laki_laki"])
    # the count axis says what is counted: families for kelas sosial, not residents
    axis = out[kpd.ID_GRAFIK]["figure"]["layout"]["xaxis"]
    assert axis["title"]["text"] == axis_title(slug, "id")
    assert axis["tickformat"] == ",d"


def test_the_api_agrees_with_the_page(client):
    for slug in ("bantuan-keluarga", "rentang-umur", "kepemilikan-kia"):
        page = twin(client, slug, KECAMATAN)
        query = {"tingkat": "kecamatan", "wilayah": KECAMATAN}
        resp = client.http.get(f"/api/v1/statistik/{slug}.csv", query_string=query)
        api = pd.read_csv(io.StringIO(resp.get_data(as_text=True)), dtype={"kode": str})
        pd.testing.assert_frame_equal(page, api)
    kamus = client.http.get("/api/v1/kamus").get_json()["rows"]
    for stat in BY_SLUG.values():
        codes = {r["kode"] for r in kamus if r["tabel"] == f"statistik/{stat.slug}"}
        assert (NOT_HARMONISED in codes) == (stat.jenis == "umur"), stat.slug
        assert ("jumlah" in codes) == (stat.jenis == "bantuan"), stat.slug
    ktp = next(r for r in kamus if r["bagian"] == "statistik" and r["nama"] == "kepemilikan-ktp")
    assert "wajib KTP" in ktp["deskripsi_id"] and "17 tahun" in ktp["deskripsi_id"]


def test_aid_statistic_counts_each_recipient_once(client, population):
    """The programme rows overlap: the table and chart show the distinct recipients (the
    villages' JUMLAH rows), never the programme rows added up as recipients."""
    obs = population.observations
    mine = obs[(obs["dataset"] == "bantuan-keluarga") & obs["kode_desa"].str.startswith(KECAMATAN)]
    distinct = int(mine.loc[mine["kode"] == "jumlah", "jumlah"].sum())
    programmes = int(mine.loc[~mine["kode"].isin(["jumlah", "belum_mengisi", "total"]),
                              "jumlah"].sum())  # fmt: skip
    assert programmes > distinct > 0
    out = show(client, "bantuan-keluarga", KECAMATAN)
    rows = {r["label"]: r["jumlah"] for r in out[kpd.ID_GRID]["rowData"]}
    assert rows["Penerima (tanpa dobel)"] == distinct
    assert rows["Bukan penerima"] == int(mine.loc[mine["kode"] == "belum_mengisi", "jumlah"].sum())
    assert programmes not in rows.values()
    bars = out[kpd.ID_GRAFIK]["figure"]["data"]
    at = bars[0]["y"].index("Penerima (tanpa dobel)")
    assert values(bars[0]["x"])[at] + values(bars[1]["x"])[at] == distinct
    assert "tidak dijumlahkan" in texts(out[kpd.ID_KETERANGAN]["children"])


def _own_bracket_villages(population) -> list[str]:
    obs = population.observations
    ages = obs[(obs["dataset"] == "rentang-umur") & ~obs["kode"].isin(["total", "belum_mengisi"])]
    bounds = list(zip(ages["dari"], ages["sampai"], strict=True))
    own = ages[[(a, b) not in RENTANG_UMUR_DEFAULT for a, b in bounds]]
    return sorted(set(own["kode_desa"]))


def test_age_brackets_are_harmonised_and_the_rest_listed(client, population):
    own = _own_bracket_villages(population)
    assert own  # the simulator gives some villages brackets of their own
    out = show(client, "rentang-umur")
    labels = [r["label"] for r in out[kpd.ID_GRID]["rowData"]]
    defaults = [b.label.strip() for b in BY_SLUG["rentang-umur"].brackets]
    assert labels == [*defaults, "Rentang desa yang tidak diselaraskan", "Belum mengisi"]
    obs = population.observations
    ages = obs[(obs["dataset"] == "rentang-umur") & (obs["kode"] != "total")]
    assert sum(r["jumlah"] for r in out[kpd.ID_GRID]["rowData"]) == int(ages["jumlah"].sum())
    rest = not_harmonised_table(population, "rentang-umur", KABUPATEN)
    listed = texts(out[kpd.ID_SELARAS]["children"])
    for nama in set(rest["nama_desa"]):
        assert nama in listed
    assert out[kpd.ID_GRID]["rowData"][-2]["jumlah"] == int(rest["jumlah"].sum())
    assert "diselaraskan" in texts(out[kpd.ID_KETERANGAN]["children"])


def test_a_village_with_its_own_brackets_shows_them(client, population):
    """Not "Belum ada data": its pyramid and table are its own brackets."""
    kode = _own_bracket_villages(population)[0]
    page = client.page("/kependudukan", f"?wilayah={kode}&statistik=rentang-umur")
    pyramid = find(page, kpd.ID_PIRAMIDA)["props"]["figure"]
    assert pyramid["data"], "the pyramid of a village with its own brackets is empty"
    obs = population.observations
    mine = obs[(obs["dataset"] == "rentang-umur") & (obs["kode_desa"] == kode)]
    mine = mine[~mine["kode"].isin(["total", "belum_mengisi"])].sort_values("dari")
    assert list(pyramid["data"][1]["y"]) == [str(lb).strip() for lb in mine["label"]]
    assert values(pyramid["data"][1]["x"]) == [int(v) for v in mine["perempuan"]]
    assert find(page, kpd.ID_SELARAS)["props"].get("children") is None  # nothing to list
    assert "Belum ada data" not in texts(page)
