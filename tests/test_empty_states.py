"""Missing data says which villages have not reported and since when, on every kind of page."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from aggregates.status import last_success
from config.settings import Settings
from dashboard.app import create_app
from dashboard.context import data_source
from dashboard.empty_states import villages_since
from dashboard.pages import bantuan as bnt
from dashboard.pages import kependudukan as kpd
from dashboard.pages import keuangan as keu
from dashboard.pages import ringkasan as rks
from i18n.format import format_date
from tests.conftest import sweep_with_failures
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"
ELSEWHERE = "17.03.01"  # a kecamatan none of whose villages reported
TAHUN = "2026"


@pytest.fixture(scope="module")
def partial(tmp_path_factory, simulator, default_villages) -> Iterator[tuple[Warehouse, list]]:
    """Five villages of one kecamatan swept, two of them failing; the rest never reported."""
    subset = [v for v in default_villages if v.kode_desa.startswith(KECAMATAN + ".")]
    subset = [v for v in subset if v.kode_desa[-4] == "2"][:5]  # desa: they have an APBDes
    store = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('partial') / 'wh.db'}")
    sweep_with_failures(store, subset, subset[:2], simulator, default_villages)
    yield store, subset
    store.engine.dispose()


def test_last_success_per_village():
    status = pd.DataFrame(
        {
            "kode_desa": ["a", "a", "b", "c"],
            "dataset": ["total", "apbdes", "total", "apbdes"],
            "last_success_at": ["2026-10-01 01:00", "2026-11-01 01:00", None, "2026-09-01 02:00"],
        }
    )
    every = last_success(status)
    assert list(every.index) == ["a", "c"]  # "b" never succeeded
    assert every["a"] == pd.Timestamp("2026-11-01 01:00", tz="UTC")
    assert last_success(status, ["total"]).to_dict() == {"a": pd.Timestamp("2026-10-01 01:00",
                                                                            tz="UTC")}  # fmt: skip
    assert last_success(status.iloc[0:0]).empty


def test_village_list_says_since_when(partial):
    store, subset = partial
    ok, failing = subset[2], subset[0]
    app = create_app(store, Settings())
    with app.server.test_request_context("/"):
        snapshot = data_source().snapshot()
        text = villages_since(snapshot, [ok.kode_desa, failing.kode_desa], "id", ["apbdes"])
        when = store.dataset_status_frame().set_index(["kode_desa", "dataset"])
        success = when.loc[(ok.kode_desa, "apbdes"), "last_success_at"]
        assert text == (
            f"{ok.nama_desa} (terakhir berhasil {format_date(success, 'id')}), "
            f"{failing.nama_desa} (belum pernah)"
        )
        english = villages_since(snapshot, [failing.kode_desa], "en")
        assert english == f"{failing.nama_desa} (never)"


def test_population_pages_name_the_missing_villages(partial):
    store, subset = partial
    client = DashClient(create_app(store, Settings()))
    failing = subset[:2]
    # a kecamatan where only some reported: the statistic page lists the others
    page = client.page("/kependudukan", f"?wilayah={KECAMATAN}&statistik=agama")
    shown = texts(find(page, kpd.ID_PESAN))
    reported = {v.kode_desa for v in subset[2:]}
    regions = store.regions_frame()
    here = regions[(regions["induk"] == KECAMATAN) & ~regions["kode"].isin(reported)]
    missing = sorted(here["nama"])
    assert {v.nama_desa for v in failing} <= set(missing)
    assert "Belum melapor: " + ", ".join(f"{n} (belum pernah)" for n in missing[:12]) in shown
    if len(missing) > 12:
        assert f"… (+{len(missing) - 12})" in shown
    assert not any(v.nama_desa in shown for v in subset[2:])  # they reported
    # a kecamatan with nothing at all: the empty state names them (the first 12, then a count)
    page = client.page("/", f"?wilayah={ELSEWHERE}")
    shown = texts(find(page, rks.ID_PESAN))
    assert "Belum ada data" in shown and "(belum pernah)" in shown
    names = store.regions_frame().query("induk == @ELSEWHERE")["nama"]
    assert sum(f"{n} (belum pernah)" in shown for n in names) == min(12, len(names))
    if len(names) > 12:
        assert f"(+{len(names) - 12})" in shown


def test_finance_pages_name_the_missing_villages(partial):
    store, subset = partial
    client = DashClient(create_app(store, Settings()))
    failing = subset[:2]
    out = client.call(
        f"{keu.ID_JUDUL}.children",
        {f"{keu.ID_KECAMATAN}.value": KECAMATAN, f"{keu.ID_DESA}.value": None,
         f"{keu.ID_TAHUN}.value": TAHUN},
    )  # fmt: skip
    shown = texts(out[keu.ID_PESAN]["children"])
    for v in failing:
        assert f"{v.nama_desa} (belum pernah)" in shown
    assert subset[2].nama_desa not in shown.split("Kelurahan")[0]
    out = client.call(
        f"{bnt.ID_JUDUL}.children",
        {f"{bnt.ID_KECAMATAN}.value": KECAMATAN, f"{bnt.ID_DESA}.value": None},
    )
    assert f"{failing[0].nama_desa} (belum pernah)" in texts(out[bnt.ID_PESAN]["children"])
