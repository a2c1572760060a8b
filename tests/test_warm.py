"""Warming the view cache: every page's view of the current run is computed ahead of visitors,
and again only when a new collection run lands."""

from __future__ import annotations

import shutil
from dataclasses import replace

from config.settings import Settings, load_settings
from dashboard.app import create_app
from dashboard.context import data_source
from dashboard.pages import pemantauan as pmt
from dashboard.view_cache import VIEW_CACHE, ViewCache
from dashboard.warm import Warmer, warm_regions, warm_views, warmable_pages
from tests.test_dashboard_callbacks import DashClient
from warehouse.store import Warehouse

KECAMATAN = "17.03.06"


def cache_keys(app) -> list[tuple]:
    with app.server.app_context():
        snapshot = data_source().snapshot()
    return app.server.config[VIEW_CACHE].keys(snapshot)


def test_pages_and_regions_to_warm(collected_store):
    names = {m.__name__.rsplit(".", 1)[-1] for m in warmable_pages()}
    assert {"ringkasan", "kependudukan", "keuangan", "pemantauan", "unduh"} <= names
    assert "desa" not in names  # the one-village profile: 220 of them, visited one by one
    regions = warm_regions(collected_store.regions_frame())
    assert regions[0] is None and KECAMATAN in regions and len(regions) == 1 + 19


def test_warming_fills_the_cache_the_pages_then_use(collected_store):
    app = create_app(collected_store, Settings())
    assert cache_keys(app) == []
    result = warm_views(app, regions=[None, KECAMATAN])
    pages = len(warmable_pages())
    assert result["failed"] == 0 and result["views"] == 2 * pages
    assert result["run_id"] == collected_store.latest_run_id()
    keys = cache_keys(app)
    warmed = {k[1] for k in keys if k[0] == "pemantauan-view"}
    assert warmed == {"17.03", KECAMATAN}
    # a visitor's callback for a warmed region computes nothing new for its view
    client = DashClient(app)
    before = len(cache_keys(app))
    out = client.call(
        f"{pmt.ID_JUDUL}.children",
        {f"{pmt.ID_KECAMATAN}.value": KECAMATAN, f"{pmt.ID_DESA}.value": None},
    )
    assert "Kerkap" in out[pmt.ID_JUDUL]["children"]
    assert len(cache_keys(app)) == before


def test_warmer_warms_once_per_run(collected_db, tmp_path):
    path = tmp_path / "wh.db"
    shutil.copy(collected_db.removeprefix("sqlite:///"), path)
    store = Warehouse(f"sqlite:///{path}")
    try:
        app = create_app(store, Settings())
        # the pemantauan page for the kabupaten only, to keep the test short
        warmer = Warmer(app, interval=3600, pause=0, regions=[None], pages=[pmt])
        first = warmer.step()
        assert first is not None and first["views"] == 1
        assert first["run_id"] == store.latest_run_id()
        assert warmer.step() is None  # the same run: nothing to do
        run = store.start_run(trigger="test")
        store.finish_run(run, ok=0, unchanged=0, failed=0)
        again = warmer.step()
        assert again is not None and again["run_id"] == run and again["views"] == 1
        assert {k[1] for k in cache_keys(app) if k[0] == "pemantauan-view"} == {"17.03"}
        # the thread: starts, warms nothing new, stops when asked
        warmer.start()
        warmer.stop()
        warmer.join(timeout=30)
        assert not warmer.is_alive()
    finally:
        store.engine.dispose()


def test_warm_interval_setting(monkeypatch):
    assert Settings().warm_interval == 30.0
    monkeypatch.setenv("DASBOR_WARM_INTERVAL", "0")
    assert load_settings().warm_interval == 0.0


def test_view_cache_keeps_the_most_recently_used(collected_store):
    app = create_app(collected_store, Settings())
    with app.server.app_context():
        snapshot = data_source().snapshot()
    cache = ViewCache(maxsize=3)
    computed: list[str] = []

    def get(key: str) -> str:
        return cache.get(snapshot, (key,), lambda: computed.append(key) or key.upper())

    assert [get(k) for k in ("a", "b", "c")] == ["A", "B", "C"]
    assert get("a") == "A"  # a hit: "a" is now the most recent
    get("d")  # over the size: the least recently used ("b") goes
    assert cache.keys(snapshot) == [("c",), ("a",), ("d",)]
    get("b")
    assert computed == ["a", "b", "c", "d", "b"]
    # another run's snapshot starts afresh
    other = replace(snapshot, run_id=(snapshot.run_id or 0) + 1)
    assert cache.keys(other) == []
    cache.get(other, ("a",), lambda: "new")
    assert cache.keys(snapshot) == [] and cache.keys(other) == [("a",)]
