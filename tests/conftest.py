"""Shared fixtures: warehouses on SQLite (always) and PostgreSQL (when configured), the
default registry, a simulator serving it on a free loopback port, and headless Chromium."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from config.registry import Village, load_registry
from config.settings import DEFAULT_REGISTRY, Settings
from tests.browser_support import CHROME_ARGS, CHROMEDRIVER, CHROMIUM
from warehouse.store import Warehouse, make_engine

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("DASBOR_TEST_POSTGRES_URL")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="DASBOR_TEST_POSTGRES_URL not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def _postgres_store():
    """A Warehouse in a fresh schema of the test database, dropped afterwards."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield Warehouse(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """An upgraded, empty warehouse on each backend."""
    if request.param == "sqlite":
        wh = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
        wh.upgrade()
        yield wh
        wh.engine.dispose()
    else:
        gen = _postgres_store()
        wh = next(gen)
        wh.upgrade()
        yield wh
        gen.close()


@pytest.fixture
def sqlite_store(tmp_path):
    wh = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
    wh.upgrade()
    yield wh
    wh.engine.dispose()


@pytest.fixture(scope="session")
def default_villages() -> list[Village]:
    return load_registry(DEFAULT_REGISTRY)


def pointed_at(villages: list[Village], url: str, adapter: str | None = None) -> list[Village]:
    """The same villages with base_url on a running simulator (and optionally another adapter)."""
    return [
        replace(v, base_url=f"{url}/{v.kode_digits}", adapter=adapter or v.adapter)
        for v in villages
    ]


@pytest.fixture(scope="session")
def simulator(default_villages):
    from simulator.villages import Simulator

    sim = Simulator(default_villages, port=0, seed=7)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def fast_settings() -> Settings:
    return Settings(
        concurrency=16, connect_timeout=2, read_timeout=2, retries=1, backoff=0.01, tahun=2026
    )


@pytest.fixture(scope="session")
def collected_db(tmp_path_factory, simulator, default_villages):
    """A SQLite warehouse holding one full sweep of the 220 default villages (read-only use)."""
    from collectors.sweep import run_sweep

    path = tmp_path_factory.mktemp("collected") / "wh.db"
    wh = Warehouse(f"sqlite:///{path}")
    wh.upgrade()
    settings = Settings(concurrency=16, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    summary = run_sweep(pointed_at(default_villages, simulator.url), wh, settings)
    assert summary.count("failed") == 0, summary.failed[:3]
    wh.engine.dispose()
    return f"sqlite:///{path}"


@pytest.fixture
def collected_store(collected_db):
    wh = Warehouse(collected_db)
    yield wh
    wh.engine.dispose()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, simulator, default_villages):
    """Four Kerkap villages collected twice; the second time their population grew.
    (store, the second run's id, the village codes)."""
    from collectors.sweep import run_sweep

    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == "17.03.06"][:4], simulator.url
    )
    store = Warehouse(f"sqlite:///{tmp_path_factory.mktemp('two-runs') / 'wh.db'}")
    store.upgrade()
    settings = Settings(concurrency=8, read_timeout=5, retries=1, backoff=0.01, tahun=2026)
    run_sweep(villages, store, settings)
    second = run_sweep(villages, store, replace(settings, tahun=2027))
    yield store, second.run_id, [v.kode_desa for v in villages]
    store.engine.dispose()


def sweep_failing(villages: list, store: Warehouse, settings: Settings, simulator, failing):
    """A sweep of `villages` in which the village `failing` answers 500 (its fault cleared
    after); returns the sweep's summary."""
    from collectors.sweep import run_sweep

    simulator.set_fault(failing.kode_digits, "500")
    try:
        return run_sweep(villages, store, settings)
    finally:
        simulator.set_fault(failing.kode_digits, None)


def sweep_with_failures(
    store: Warehouse, villages: list, failing: list, simulator, registry: list
) -> None:
    """One sweep of `villages` (on the simulator) in which `failing` answer 500, then every
    village of `registry` registered, so the others show as never reported."""
    from collectors.sweep import run_sweep

    store.upgrade()
    settings = Settings(concurrency=8, read_timeout=2, retries=0, backoff=0.01, tahun=2026)
    try:
        for v in failing:
            simulator.set_fault(v.kode_digits, "500")
        run_sweep(pointed_at(villages, simulator.url), store, settings)
    finally:
        for v in failing:
            simulator.set_fault(v.kode_digits, None)
    store.sync_regions(registry)


# -- headless Chromium (helpers in tests/browser_support.py) -------------------------------
@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(tmp_path, downloads):
    """Headless Chromium with its own profile, downloads into `downloads`, console logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tmp_path / 'chrome-profile'}")
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield driver
    finally:
        driver.quit()
