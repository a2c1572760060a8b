"""Rollups computed once per run (issue 12): stored equal to a from-scratch pandas
computation after a sweep, an import over it and a sweep with a failed village; a rollup that
fails keeps the run and the previous rollup; every page and API answer the same from the
rollup as from the observations, at the desa, kecamatan and kabupaten levels, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import logging
from dataclasses import replace

import pandas as pd
import plotly
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import aggregates.rollup as rollup_module
import warehouse.rollups as rollups
from aggregates.indicators import indicators
from aggregates.load import load_population
from aggregates.population import statistic_table, totals_table
from aggregates.rollup import INDIKATOR, STATISTIK, TOTALS, compute_rollup, install
from collectors.spreadsheet import import_file
from collectors.sweep import run_sweep
from config.registry import registry_csv
from config.settings import Settings
from config.statistik import BY_SLUG
from dashboard import api_tables
from dashboard.app import create_app
from dashboard.cli import main
from dashboard.data import DataSource
from dashboard.pages import desa as desa_page
from dashboard.warm import warmable_pages
from tests.conftest import pointed_at, sweep_failing
from warehouse.accounts import Actor
from warehouse.models import RollupFrame, RollupSlice
from warehouse.rollups import FrameKey, current_rollup, read_frame, rollups_frame

KECAMATAN = ("17.03.01", "17.03.08")  # two small kecamatan of Bengkulu Utara: 12 villages
# one statistic of each kind (categories, age brackets, free, households, aid)
ONE_OF_EACH_KIND = sorted({stat.jenis: slug for slug, stat in BY_SLUG.items()}.values())
SETTINGS = Settings(concurrency=8, read_timeout=5, retries=0, backoff=0.01, tahun=2026)


@pytest.fixture(scope="module")
def villages(default_villages, simulator):
    return pointed_at([v for v in default_villages if v.kode_kecamatan in KECAMATAN], simulator.url)


@pytest.fixture
def few_statistics(monkeypatch):
    """The rollup of one statistic of each kind, not all 29: the same code path per
    statistic, at a fifth of the time (the page test below rolls up all of them)."""
    subset = {slug: BY_SLUG[slug] for slug in ONE_OF_EACH_KIND}
    monkeypatch.setattr(rollup_module, "BY_SLUG", subset)
    return subset


def from_observations(store) -> dict[FrameKey, pd.DataFrame]:
    """Every rolled-up table computed from scratch with the pandas aggregates, per level the
    regions frame holds (a level they do not group by is not rolled up)."""
    data = load_population(store)
    out: dict[FrameKey, pd.DataFrame] = {}
    for tingkat in sorted(set(data.regions["tingkat"])):
        try:
            out[FrameKey(TOTALS, tingkat)] = totals_table(data, tingkat)
        except ValueError:
            continue
        for slug in rollup_module.BY_SLUG:  # all, or the few_statistics
            out[FrameKey(STATISTIK, tingkat, slug)] = statistic_table(data, slug, tingkat)
        out[FrameKey(INDIKATOR, tingkat)] = indicators(data, tingkat)
    return out


def assert_rollup_is_pandas(store) -> int:
    """The current rollup reflects the newest run and holds exactly the pandas tables."""
    current = current_rollup(store)
    assert current is not None and current.run_id == store.latest_run_id()
    expected = from_observations(store)
    assert {k.tingkat for k in expected} >= {"desa", "kecamatan", "kabupaten"}
    for key, frame in expected.items():
        stored = read_frame(store, current.id, key)
        assert stored is not None, key
        pd.testing.assert_frame_equal(stored, frame, obj=str(key))
    with store.engine.connect() as conn:
        held = conn.execute(
            select(func.count()).where(
                RollupFrame.rollup_id == current.id,
                RollupFrame.aggregat.in_([TOTALS, STATISTIK, INDIKATOR]),
            )
        ).scalar()
    assert held == len(expected)  # the population tables (the other families: their tests)
    return current.id


def _aki_akb(tmp_path, codes):
    path = tmp_path / "aki-akb-2026-11.csv"
    rows = "".join(f"{kode},{i % 2},{i % 3}\n" for i, kode in enumerate(codes))
    path.write_text("desa_id,jumlah_aki,jumlah_akb\n" + rows)
    return path


def test_rollup_follows_sweep_import_and_failed_village(
    store, villages, simulator, tmp_path, few_statistics
):
    install(store)
    run_sweep(villages, store, SETTINGS)
    first = assert_rollup_is_pandas(store)
    # one region's slice: the region and the regions under it, as pandas scopes them
    data, snapshot = load_population(store), DataSource(store).snapshot()
    for kode in (KECAMATAN[0], villages[0].kode_desa):
        for tingkat in ("desa", "kecamatan") if len(kode) == 8 else ("desa",):
            pd.testing.assert_frame_equal(
                snapshot.totals(tingkat, kode), totals_table(data, tingkat, kode)
            )
            for slug in few_statistics:
                got = snapshot.statistic(slug, tingkat, kode)
                pd.testing.assert_frame_equal(got, statistic_table(data, slug, tingkat, kode))
    assert "population" not in snapshot._loaded  # all of it from the rollup's slices
    before = read_frame(store, first, FrameKey(TOTALS, "desa")).set_index("kode_wilayah")

    # an import is a run too: the rollup follows it (pages key on the newest run of any kind)
    report = import_file(
        store, "aki-akb", _aki_akb(tmp_path, [v.kode_desa for v in villages]),
        tahun=2026, bulan=11, villages=villages, actor=Actor.system("test"),
    )  # fmt: skip
    assert report.ok, report.summary()
    second = assert_rollup_is_pandas(store)
    assert second != first and current_rollup(store).run_id == report.run_id

    # a year later one village fails: the others' new counts land, it keeps its previous ones
    failing = villages[0]
    summary = sweep_failing(villages, store, replace(SETTINGS, tahun=2027), simulator, failing)
    assert summary.count("failed") == 1
    third = assert_rollup_is_pandas(store)
    after = read_frame(store, third, FrameKey(TOTALS, "desa")).set_index("kode_wilayah")
    assert after.loc[failing.kode_desa].equals(before.loc[failing.kode_desa])
    assert not after.loc[villages[1].kode_desa].equals(before.loc[villages[1].kode_desa])
    # the superseded rollups: the one before the current kept for readers mid-switch, older
    # ones' rows deleted (their records stay)
    table = rollups_frame(store).set_index("id")
    assert table.loc[third, "status"] == "current"
    assert set(table.loc[[first, second], "status"]) == {"superseded"}
    with store.engine.connect() as conn:
        kept = set(conn.execute(select(RollupFrame.rollup_id).distinct()).scalars())
    assert kept == {second, third}


def test_a_failed_rollup_keeps_the_run_and_the_previous_rollup(
    store, villages, monkeypatch, caplog, few_statistics
):
    install(store)
    run_sweep(villages, store, SETTINGS)
    served = current_rollup(store)
    source = DataSource(store)
    assert source.snapshot().rollup == served

    def broken(data):
        yield from []
        raise RuntimeError("bug in a rollup")

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR, "aggregates.rollup"):
        patch.setattr(rollup_module, "rollup_frames", broken)
        summary = run_sweep(villages, store, replace(SETTINGS, tahun=2027))
    # the run is recorded and completed; its values landed
    runs = store.runs_frame()
    assert runs.iloc[0]["id"] == summary.run_id and runs.iloc[0]["status"] == "completed"
    assert store.latest_run_id() == summary.run_id
    # the failure is recorded and logged; the previous rollup is still current and served
    failed = rollups_frame(store).iloc[0]
    assert failed["status"] == "failed" and failed["run_id"] == summary.run_id
    assert "bug in a rollup" in failed["error"]
    assert any("rollup after run" in r.getMessage() for r in caplog.records)
    assert current_rollup(store) == served
    assert source.snapshot().rollup == served

    # a database error half-way through the write: nothing of it is visible
    def no_prune(conn, keep_after):
        raise RuntimeError("database gone mid-write")

    def totals_only(data):  # a few real frames are enough to write some rows first
        return [(FrameKey(TOTALS, t), totals_table(data, t)) for t in ("desa", "kecamatan")]

    with monkeypatch.context() as patch:
        patch.setattr(rollups, "_prune", no_prune)
        patch.setattr(rollup_module, "rollup_frames", totals_only)
        with pytest.raises(RuntimeError, match="mid-write"):
            compute_rollup(store)
    assert current_rollup(store) == served
    with store.engine.connect() as conn:
        orphans = conn.execute(
            select(func.count()).where(RollupFrame.rollup_id != served.id)
        ).scalar()
        slices = conn.execute(select(func.count()).select_from(RollupSlice)).scalar()
    assert orphans == 0 and slices > 0
    assert rollups_frame(store).iloc[0]["status"] == "failed"

    # repaired (what `dasbor rollup` runs): current again, for the newest run
    compute_rollup(store)
    assert_rollup_is_pandas(store)
    assert source.snapshot().rollup != served


def test_dasbor_rollup_recomputes_from_the_observations(
    tmp_path, villages, monkeypatch, few_statistics
):
    registry = tmp_path / "villages.csv"
    rows = [
        {"kode_desa": v.kode_desa, "nama_desa": v.nama_desa, "kode_kecamatan": v.kode_kecamatan,
         "nama_kecamatan": v.nama_kecamatan, "adapter": "summary-v1", "base_url": v.base_url,
         "token": ""}
        for v in villages
    ]  # fmt: skip
    registry.write_text(registry_csv(rows))
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    monkeypatch.setenv("DASBOR_VILLAGES", str(registry))
    monkeypatch.setenv("DASBOR_DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(main, ["rollup", "--status"])
    assert result.exit_code == 0 and "no rollup yet" in result.output
    result = runner.invoke(main, ["collect", "-q"])
    assert result.exit_code == 0, result.output
    from warehouse.store import Warehouse

    store = Warehouse(url)
    collected = current_rollup(store)  # the CLI's collection computed it
    assert collected is not None and collected.run_id == store.latest_run_id()
    result = runner.invoke(main, ["rollup"])
    assert result.exit_code == 0, result.output
    again = current_rollup(store)
    assert again.id > collected.id
    assert f"rollup {again.id} of run {again.run_id}: current" in result.output
    assert again.run_id == collected.run_id
    result = runner.invoke(main, ["rollup", "--status"])
    assert result.exit_code == 0
    assert f"{again.id:>5} run {again.run_id} current" in result.output
    result = runner.invoke(main, ["status"])
    assert result.exit_code == 0 and "FAILED" not in result.output.split("\n")[0]

    # a failed rollup shows in `dasbor status`, naming what the pages serve instead
    def broken(data):
        raise RuntimeError("bug in a rollup")

    with monkeypatch.context() as patch:
        patch.setattr(rollup_module, "rollup_frames", broken)
        result = runner.invoke(main, ["rollup"])
    assert result.exit_code != 0 and "previous rollup stays served" in result.output
    result = runner.invoke(main, ["status"])
    first = result.output.splitlines()[0]
    assert "FAILED: RuntimeError: bug in a rollup" in first
    assert f"pages serve rollup {again.id} of run {again.run_id}" in first
    store.engine.dispose()


# -- every page and API answer the same from the rollup as from the observations -----------
def _api_paths(regions: dict[str, str]) -> list[str]:
    paths = []
    for tingkat in ("desa", "kecamatan", "kabupaten"):
        for slug in ONE_OF_EACH_KIND:
            paths.append(f"/api/v1/statistik/{slug}?tingkat={tingkat}")
        paths.append(f"/api/v1/penduduk?tingkat={tingkat}")
        paths.append(f"/api/v1/penduduk.csv?tingkat={tingkat}")
    for kode in regions.values():
        paths.append(f"/api/v1/statistik/agama?tingkat=desa&wilayah={kode}")
        paths.append(f"/api/v1/statistik/rentang-umur?wilayah={kode}")
        paths.append(f"/api/v1/statistik/bantuan-penduduk.csv?wilayah={kode}")
        paths.append(f"/api/v1/penduduk?wilayah={kode}")
        paths.append(f"/api/v1/desa?wilayah={kode}")
    paths.append("/api/v1/desa")
    paths.append("/api/v1/desa.csv")
    return paths


def _page_table_paths(app, regions: dict[str, str]) -> list[str]:
    with app.server.app_context():
        tables = api_tables.page_tables()
    paths = []
    for page, grids in tables.items():
        for table in grids:
            for kode in [None, *regions.values()]:
                query = f"?wilayah={kode}" if kode else ""
                paths.append(f"/api/v1/halaman/{page}/{table}{query}")
            paths.append(f"/api/v1/halaman/{page}/{table}.csv")  # the CSV: same rows
    return paths


def _body(response) -> object:
    """The answer without its clock (`meta.generated_at`): JSON parsed, CSV as bytes."""
    if response.mimetype != "application/json":
        return response.data
    body = response.get_json()
    body.get("meta", {}).pop("generated_at", None)
    return body


def _layout(app, module, kode: str | None) -> str:
    path = getattr(module, "PATH", "/")
    with app.server.test_request_context(path + (f"?wilayah={kode}" if kode else "")):
        tree = module.layout(**({"wilayah": kode} if kode else {}))
    return json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def test_pages_and_api_answer_the_same_from_the_rollup(store, villages, tmp_path):
    run_sweep(villages, store, SETTINGS)
    install(store)  # one rollup, after the import over the sweep
    report = import_file(
        store, "aki-akb", _aki_akb(tmp_path, [v.kode_desa for v in villages]),
        tahun=2026, bulan=11, villages=villages, actor=Actor.system("test"),
    )  # fmt: skip
    assert report.ok
    regions = {"kecamatan": KECAMATAN[0], "desa": villages[1].kode_desa}
    rolled = create_app(store, Settings())
    observed = create_app(store, Settings(rollups=0))
    with rolled.server.app_context():
        snapshot = rolled.server.config["DATA_SOURCE"].snapshot()
    assert snapshot.rollup is not None and snapshot.rollup.run_id == report.run_id
    assert_rollup_is_pandas(store)  # all 29 statistics, every level

    new, old = rolled.server.test_client(), observed.server.test_client()
    for path in _api_paths(regions):
        got, want = new.get(path), old.get(path)
        assert got.status_code == want.status_code == 200, (path, got.data[:200])
        assert _body(got) == _body(want), path
    # these answers came from the rollup's slices alone: no observation was loaded
    assert "population" not in snapshot._loaded

    for path in _page_table_paths(rolled, regions):
        got, want = new.get(path), old.get(path)
        assert got.status_code == want.status_code, path
        assert _body(got) == _body(want), path

    for module in [*warmable_pages(), desa_page]:
        codes = [regions["desa"]] if module is desa_page else [None, *regions.values()]
        for kode in codes:
            if module is desa_page:
                assert _layout(rolled, module, kode) == _layout(observed, module, kode)
                continue
            got, want = _layout(rolled, module, kode), _layout(observed, module, kode)
            assert got == want, (module.__name__, kode)


def test_background_rollups_coalesce_and_follow_the_last_run(
    sqlite_store, villages, tmp_path, few_statistics
):
    """The web process's mode (uploads, pushes): the request does not wait for the rollup;
    runs landing meanwhile are covered by one more rollup, never lost."""
    store = sqlite_store
    run_sweep(villages, store, SETTINGS)
    background = install(store, background=True).after_run
    assert current_rollup(store) is None
    for month in (10, 11, 12):
        path = _aki_akb(tmp_path, [v.kode_desa for v in villages])
        report = import_file(
            store, "aki-akb", path, tahun=2026, bulan=month, villages=villages,
            actor=Actor.system("test"),
        )  # fmt: skip
        assert report.ok
    background.wait(120)
    assert background._thread is None or not background._thread.is_alive()
    assert_rollup_is_pandas(store)  # the rollup covers the last of the three imports
    assert len(rollups_frame(store)) <= 3


def test_a_queued_run_completed_by_a_worker_rolls_up_once(sqlite_store):
    """The worker that lands a queued run's last village completes it (queued_runs): the
    hook runs there, once; an aborted run gets no rollup."""
    from warehouse.queued_runs import abort_run, finish_if_complete, start_queued_run

    calls: list[int] = []
    sqlite_store.after_run = lambda store, run_id: calls.append(run_id)
    run_id = start_queued_run(sqlite_store, trigger="manual", total=0)
    assert finish_if_complete(sqlite_store, run_id)
    assert not finish_if_complete(sqlite_store, run_id)  # already closed: no second rollup
    other = start_queued_run(sqlite_store, trigger="manual", total=3)
    assert abort_run(sqlite_store, other)
    assert calls == [run_id]


def test_slices_of_a_per_village_table_are_read_per_region(sqlite_store):
    """A per-village table is stored in kecamatan slices and read back, for the kabupaten, a
    kecamatan and a village, as exactly the rows pandas scopes to that region, in order."""
    from datetime import UTC, datetime

    from aggregates.tables import in_region

    codes = ["17.03.01.2001", "17.03.01.2002", "17.03.01.2010", "17.03.08.2001", "17.04.01.2001"]
    frame = pd.DataFrame(
        {
            "kode_desa": codes * 2,
            "tahun": ["2025"] * 5 + ["2026"] * 5,
            "nilai": pd.array([1, None, 3, 4, 5, 6, 7, None, 9, 10], dtype="Int64"),
            "persen": [0.5, float("nan"), 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0],
        }
    )
    key = FrameKey("test.per-desa", "desa")
    rollup_id = rollups.write_rollup(sqlite_store, None, [(key, frame)], datetime.now(UTC))
    with sqlite_store.engine.connect() as conn:
        stored = set(conn.execute(select(RollupSlice.kode_wilayah)).scalars())
    assert stored == {"17.03.01", "17.03.08", "17.04.01"}  # one slice a kecamatan
    for kode in (None, "17.03", "17.03.01", "17.03.01.2001", "17.03.01.2010", "17.04.01.2001"):
        want = in_region(frame, kode, "kode_desa").reset_index(drop=True)
        pd.testing.assert_frame_equal(read_frame(sqlite_store, rollup_id, key, kode), want)
    assert read_frame(sqlite_store, rollup_id, key, "17.03.01.2099").empty


def test_a_rollup_stored_before_nan_literals_still_reads():
    """Rollups written before NaN was stored as JSON's literal tagged each NaN cell; a
    warehouse upgraded in place keeps serving them until its next rollup."""
    frame = pd.DataFrame(
        {"kode_wilayah": ["17.03.01", "17.03.02"], "x": [1.5, float("nan")], "n": [1, 2]}
    )
    kolom, parts = rollups.encode_frame(frame)
    assert "NaN" in parts["17.03.02"]
    tagged = [text.replace("NaN", '{"nan": 1}') for text in parts.values()]
    pd.testing.assert_frame_equal(rollups.decode_frame(kolom, tagged), frame)
    pd.testing.assert_frame_equal(rollups.decode_frame(kolom, parts.values()), frame)
