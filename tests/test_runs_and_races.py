"""Killed runs and processes that start together (issue 10): a collection run whose process
was killed is marked interrupted at the next start, never left "running" for ever; two shards
started together on a new warehouse do not race on its schema or its regions. Processes here
are real (forked) processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text, update

from aggregates.status import last_run_summary
from collectors.sweep import run_sweep, shard_of
from config.settings import Settings
from simulator.http import Reply
from tests.conftest import BACKENDS, PG_URL, pointed_at
from tests.fake_village import FakeVillage, json_answer
from warehouse.models import CollectionRun, FetchLog, Wilayah
from warehouse.store import Warehouse, make_engine, utcnow

FORK = multiprocessing.get_context("fork")
KERKAP = "17.03.06"


def _kerkap(villages, count: int) -> list:
    return [v for v in villages if v.kode_kecamatan == KERKAP][:count]


def _runs(store) -> dict[int, dict]:
    return {int(r["id"]): r for r in store.runs_frame().to_dict("records")}


# ------------------------------------------------------------------ 8. killed runs


def _sweep_in_child(store: Warehouse, villages: list) -> None:
    store.engine.dispose(close=False)  # the parent's connections are not this process's
    settings = Settings(concurrency=2, connect_timeout=2, read_timeout=60, retries=0, tahun=2026)
    run_sweep(villages, store, settings)


def test_a_killed_sweep_is_marked_interrupted_at_the_next_start(store, default_villages):
    """`dasbor collect` killed (SIGKILL) while its villages are still answering: its run
    stays "running" only until the next process opens the warehouse, which marks it
    interrupted with the reason; the pages' last collection is never that run."""
    release = threading.Event()
    asked = threading.Event()

    def answer(_seen) -> Reply | None:
        asked.set()
        release.wait(30)  # the village takes its time; the sweep is killed meanwhile
        return Reply(500, b"{}")

    with FakeVillage(answer) as fake:
        villages = pointed_at(_kerkap(default_villages, 2), fake.url)
        child = FORK.Process(target=_sweep_in_child, args=(store, villages))
        child.start()
        try:
            assert asked.wait(30), "the sweep never asked its villages"
            running = [r for r in _runs(store).values() if r["status"] == "running"]
            assert len(running) == 1 and running[0]["owner_pid"] == child.pid
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.join(10)
            release.set()
    run_id = int(running[0]["id"])
    assert _runs(store)[run_id]["status"] == "running"  # nobody said otherwise, yet
    store.upgrade()  # what every command (collect, scheduler, serve, status) does on start
    run = _runs(store)[run_id]
    assert run["status"] == "interrupted"
    assert run["detail"] == (
        f"interrupted: process {child.pid} on {run['owner_host']} is gone (killed or crashed) "
        "without finishing the run"
    )
    assert run["finished_at"] is not None and run["finished_at"] >= run["started_at"]
    assert last_run_summary(store.runs_frame())["run_id"] is None  # never "the last run"
    assert store.latest_run_id() is None
    assert store.mark_interrupted_runs() == []  # marked once


def test_runs_of_other_machines_are_interrupted_once_their_heartbeat_is_stale(store):
    """A run of another host is taken as gone only when it has been silent for long; a run of
    this process, or one that beat a minute ago, is left alone. The interrupted run's counts
    become what its fetch log holds."""
    now = utcnow()
    ours, fresh, stale, old = (store.start_run(total=2) for _ in range(4))
    t = CollectionRun.__table__
    with store.engine.begin() as conn:
        conn.execute(
            update(t)
            .where(t.c.id == fresh)
            .values(owner_host="mesin-lain", owner_pid=1, heartbeat_at=now - timedelta(minutes=1))
        )
        conn.execute(
            update(t)
            .where(t.c.id == stale)
            .values(owner_host="mesin-lain", owner_pid=1, heartbeat_at=now - timedelta(minutes=20))
        )
        # a run from before runs had owners: only its start to go by
        conn.execute(update(t).where(t.c.id == old).values(
            owner_host=None, owner_pid=None, heartbeat_at=None,
            started_at=now - timedelta(hours=2)))  # fmt: skip
        conn.execute(
            FetchLog.__table__.insert(),
            [dict(run_id=stale, kode_desa="17.03.06.2001", dataset=d, status=s, duration_ms=1,
                  fetched_at=now - timedelta(minutes=21))
             for d, s in (("total", "ok"), ("agama", "unchanged"))]
            + [dict(run_id=stale, kode_desa="17.03.06.2002", dataset="total", status="failed",
                    duration_ms=1, fetched_at=now - timedelta(minutes=21))],
        )  # fmt: skip
    assert sorted(store.mark_interrupted_runs()) == sorted([stale, old])
    runs = _runs(store)
    assert {i: runs[i]["status"] for i in (ours, fresh, stale, old)} == {
        ours: "running", fresh: "running", stale: "interrupted", old: "interrupted"}  # fmt: skip
    assert runs[stale]["detail"].startswith(
        "interrupted: no heartbeat from process 1 on mesin-lain for 1"
    )
    assert (runs[stale]["villages_ok"], runs[stale]["villages_failed"]) == (1, 1)
    assert runs[old]["detail"].startswith("interrupted: no heartbeat from its process for 7")
    # a run marked by mistake (a clock far off) that finishes after all is finished normally
    store.finish_run(stale, ok=2, unchanged=0, failed=0)
    assert _runs(store)[stale]["status"] == "completed"


def test_a_sweep_beats_while_it_waits_for_slow_villages(store, default_villages, monkeypatch):
    """The sweep's writer beats while no village has arrived yet, so a live sweep of slow
    villages is never taken for a killed one."""
    from simulator.villages import Simulator

    monkeypatch.setattr("collectors.sweep.HEARTBEAT_S", 0.2)
    village = _kerkap(default_villages, 1)
    behind = Simulator(village, port=0, seed=7)

    def answer(seen) -> Reply | None:
        time.sleep(1.2)
        return json_answer(behind.document(village[0].kode_digits, 2026)[0])

    with FakeVillage(answer) as fake:
        summary = run_sweep(pointed_at(village, fake.url), store, Settings(tahun=2026))
    run = _runs(store)[summary.run_id]
    assert run["status"] == "completed"
    assert (run["heartbeat_at"] - run["started_at"]).total_seconds() >= 0.8


# ------------------------------------------------------------------ 7. shards on a new warehouse


def _open_in_child(url: str, schema: str | None, shard: int, villages, barrier, results) -> None:
    try:
        kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
        store = Warehouse(make_engine(url, **kwargs))
        barrier.wait(30)
        store.upgrade()  # `dasbor collect --shard I/2` opens the warehouse …
        mine = shard_of(villages, shard, 2)
        store.sync_regions(mine)  # … and its sweep registers its villages' regions
        store.start_run(shard=f"{shard}/2", total=len(mine))
        results.put((shard, None))
    except BaseException as exc:  # reported to the parent, whatever it is
        results.put((shard, f"{type(exc).__name__}: {exc}"[:500]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_shards_started_together_on_a_new_warehouse(backend, tmp_path, default_villages):
    """Two `dasbor collect --shard` processes started at the same moment on an empty
    warehouse, five times over: both open it, migrate it (once) and register their regions
    (the same kabupaten and kecamatan rows), with no UniqueViolation nor duplicate table."""
    admin = create_engine(PG_URL) if backend == "postgres" else None
    regions = {v.kode_desa for v in default_villages}
    regions |= {v.kode_kecamatan for v in default_villages} | {"17.03", "17"}  # and provinsi
    for attempt in range(5):
        schema = url = None
        if backend == "postgres":
            schema = "t_" + uuid.uuid4().hex[:12]
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = PG_URL
        else:
            url = f"sqlite:///{tmp_path / f'wh-{attempt}.db'}"
        try:
            barrier, results = FORK.Barrier(2), FORK.Queue()
            children = [
                FORK.Process(target=_open_in_child,
                             args=(url, schema, shard, default_villages, barrier, results))
                for shard in (1, 2)
            ]  # fmt: skip
            for child in children:
                child.start()
            outcome = dict(results.get(timeout=60) for _ in children)
            for child in children:
                child.join(10)
            assert outcome == {1: None, 2: None}, (attempt, outcome)
            kwargs = {"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}
            engine = make_engine(url, **kwargs)
            with engine.connect() as conn:
                assert set(conn.execute(select(Wilayah.kode)).scalars()) == regions
                assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
                assert conn.execute(select(func.count()).select_from(CollectionRun)).scalar() == 2
            engine.dispose()
        finally:
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    if admin is not None:
        admin.dispose()
