"""The scheduler process: triggers, collect-now requests, job events, a clean stop on signals."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from apscheduler.schedulers.background import BackgroundScheduler

import collectors.scheduler as sched
from collectors.scheduler import (
    REQUEST_JOB_ID,
    SchedulerJobs,
    SweepStopped,
    build_scheduler,
    collect_requests,
    crontab_trigger,
)
from config.datasets import dataset_groups
from config.settings import DEFAULT_REGISTRY, Settings
from tests.conftest import ROOT, pointed_at

WIB = ZoneInfo("Asia/Jakarta")
VILLAGE = "17.03.06.2001"
KERKAP = "17.03.06"
SMALL_KECAMATAN = "17.03.01"  # 6 villages: an "all villages" request stays fast
UNKNOWN = "17.03.06.9999"


def wait_for(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result is not None and result is not False:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def events_of(store, job_id: str, event: str) -> pd.DataFrame:
    df = store.job_events_frame()
    return df[(df["job_id"] == job_id) & (df["event"] == event)]


def one_event(store, job_id: str, event: str) -> pd.Series:
    def found():
        rows = events_of(store, job_id, event)
        return rows.iloc[0] if len(rows) else None

    return wait_for(found, what=f"{event} event of {job_id}")


def done_request(store, request_id: int) -> pd.Series:
    def found():
        row = store.requests_frame().set_index("id").loc[request_id]
        return row if row["status"] == "done" else None

    return wait_for(found, what=f"request {request_id} to be done")


@pytest.fixture
def kerkap(default_villages, simulator):
    return pointed_at([v for v in default_villages if v.kode_kecamatan == KERKAP], simulator.url)


@pytest.fixture
def started():
    """Start a scheduler built by the test; always shut it down."""
    schedulers = []

    def start(scheduler):
        scheduler.start()
        schedulers.append(scheduler)
        return scheduler

    yield start
    for s in schedulers:
        if s.running:
            s.shutdown(wait=True)


# -- (1) registration --------------------------------------------------------------------
def test_jobs_registered_with_cron_triggers_in_wib(sqlite_store, default_villages):
    settings = Settings()
    scheduler = build_scheduler(
        sqlite_store, default_villages, settings, scheduler_cls=BackgroundScheduler
    )
    jobs = {j.id: j for j in scheduler.get_jobs()}
    assert set(jobs) == {"sweep-penduduk", "sweep-keuangan", REQUEST_JOB_ID}
    expected = {
        "penduduk": {"minute": "0", "hour": "1", "day": "*", "month": "*", "day_of_week": "*"},
        # crontab weekday 0 is Sunday; APScheduler 3 would read a bare 0 as Monday
        "keuangan": {"minute": "0", "hour": "2", "day": "*", "month": "*", "day_of_week": "sun"},
    }
    for group, fields in expected.items():
        job = jobs[f"sweep-{group}"]
        trigger = job.trigger
        got = {f.name: str(f) for f in trigger.fields if f.name in fields}
        assert got == fields, group
        assert str(trigger.timezone) == "Asia/Jakarta"
        assert trigger.jitter == 900
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600
        assert list(job.args) == [group]
    # the keuangan sweep fires on Sunday 02:00 WIB plus at most 15 minutes of jitter
    monday = datetime(2026, 11, 30, 12, 0, tzinfo=WIB)
    fire = jobs["sweep-keuangan"].trigger.get_next_fire_time(None, monday).astimezone(WIB)
    assert fire.date() == datetime(2026, 12, 6).date() and fire.strftime("%a") == "Sun"
    assert fire.hour == 2 and fire.minute < 15
    poll = jobs[REQUEST_JOB_ID]
    assert poll.trigger.interval == timedelta(seconds=5)
    assert poll.coalesce is True and poll.max_instances == 1 and poll.misfire_grace_time is None


def test_crontab_weekdays_and_bad_schedules(sqlite_store, default_villages):
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=WIB)
    days = []
    trigger, t = crontab_trigger("30 6 * * 1-5", "Asia/Jakarta"), None
    for _ in range(6):
        t = trigger.get_next_fire_time(t, monday if t is None else t + timedelta(seconds=1))
        days.append(t.strftime("%a %H:%M"))
    assert days == ["Mon 06:30", "Tue 06:30", "Wed 06:30", "Thu 06:30", "Fri 06:30", "Mon 06:30"]
    assert str(crontab_trigger("0 2 * * 7", "Asia/Jakarta").fields[4]) == "sun"
    assert crontab_trigger("0 2 * * 0", "Asia/Jakarta", 0).jitter is None
    with pytest.raises(ValueError, match="schedule_keuangan"):
        build_scheduler(
            sqlite_store,
            default_villages,
            Settings(schedule_keuangan="0 2 * *"),
            scheduler_cls=BackgroundScheduler,
        )


# -- (2) collect-now requests --------------------------------------------------------------
@pytest.mark.parametrize("written_as", [VILLAGE, VILLAGE.replace(".", "")])
def test_request_job_collects_exactly_the_requested_village(
    store, kerkap, fast_settings, written_as
):
    request_id = store.request_collect(written_as, requested_by="test").id
    run_id = collect_requests(store, kerkap, fast_settings)
    assert run_id is not None
    run = store.runs_frame().set_index("id").loc[run_id]
    assert run["trigger"] == "request" and run["status"] == "completed"
    assert run["villages_total"] == 1 and run["villages_ok"] == 1
    assert set(store.fetch_log_frame(run_id)["kode_desa"]) == {VILLAGE}
    request = store.requests_frame().set_index("id").loc[request_id]
    assert request["status"] == "done" and request["run_id"] == run_id
    assert collect_requests(store, kerkap, fast_settings) is None  # nothing pending any more
    assert len(store.runs_frame()) == 1


def test_request_for_all_villages_and_unknown_codes(
    store, default_villages, simulator, fast_settings
):
    small = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == SMALL_KECAMATAN], simulator.url
    )
    # the unknown village first: asked after "all", it would be merged into that request
    unknown_id = store.request_collect(UNKNOWN, requested_by="test").id
    all_id = store.request_collect(None, requested_by="test").id
    run_id = collect_requests(store, small, fast_settings)
    run = store.runs_frame().set_index("id").loc[run_id]
    assert run["villages_total"] == len(small) == 6 and run["villages_failed"] == 0
    assert set(store.fetch_log_frame(run_id)["kode_desa"]) == {v.kode_desa for v in small}
    requests = store.requests_frame().set_index("id")
    assert requests.loc[all_id, "status"] == "done" and requests.loc[all_id, "run_id"] == run_id
    assert requests.loc[unknown_id, "status"] == "rejected"
    assert "not in the registry" in requests.loc[unknown_id, "detail"]
    assert pd.isna(requests.loc[unknown_id, "run_id"])
    rejected = events_of(store, REQUEST_JOB_ID, "rejected")
    assert len(rejected) == 1 and UNKNOWN in rejected.iloc[0]["detail"]
    # only unknown villages: no run at all
    store.request_collect(UNKNOWN)
    assert collect_requests(store, small, fast_settings) is None
    assert len(store.runs_frame()) == 1 and len(events_of(store, REQUEST_JOB_ID, "rejected")) == 2


def test_started_scheduler_picks_up_a_request(store, kerkap, fast_settings, started):
    settings = replace(fast_settings, request_poll=0.1)
    scheduler = build_scheduler(store, kerkap, settings, scheduler_cls=BackgroundScheduler)
    for group in ("penduduk", "keuangan"):  # nothing but the poll may run in this test
        scheduler.remove_job(f"sweep-{group}")
    started(scheduler)
    request_id = store.request_collect(VILLAGE, requested_by="test").id
    request = done_request(store, request_id)
    executed = one_event(store, REQUEST_JOB_ID, "executed")
    assert executed["run_id"] == request["run_id"]
    run = store.runs_frame().set_index("id").loc[int(request["run_id"])]
    assert run["trigger"] == "request" and run["villages_total"] == 1
    assert set(store.fetch_log_frame(int(request["run_id"]))["kode_desa"]) == {VILLAGE}
    time.sleep(0.3)  # idle polls leave no rows
    assert len(store.job_events_frame()) == 1


def test_scheduled_sweep_pulls_its_group(store, kerkap, fast_settings, started):
    scheduler = build_scheduler(store, kerkap, fast_settings, scheduler_cls=BackgroundScheduler)
    scheduler.remove_job(REQUEST_JOB_ID)
    scheduler.remove_job("sweep-penduduk")
    started(scheduler)
    scheduler.modify_job("sweep-keuangan", next_run_time=datetime.now(WIB))
    run_id = int(one_event(store, "sweep-keuangan", "executed")["run_id"])
    run = store.runs_frame().set_index("id").loc[run_id]
    assert run["trigger"] == "schedule" and run["status"] == "completed"
    assert run["villages_total"] == len(kerkap) and run["villages_failed"] == 0
    pulled = set(store.fetch_log_frame(run_id)["dataset"])
    assert pulled and pulled <= set(dataset_groups()["keuangan"])


def test_stop_flag_aborts_sweeps_and_finishes_requests(store, kerkap, fast_settings):
    jobs = SchedulerJobs(store, kerkap, fast_settings)
    jobs.stop.set()
    with pytest.raises(SweepStopped):
        jobs.sweep("penduduk")
    request_id = store.request_collect(None).id
    with pytest.raises(SweepStopped):
        jobs.collect_requests()
    assert set(store.runs_frame()["status"]) == {"aborted"}
    request = store.requests_frame().set_index("id").loc[request_id]
    assert request["status"] == "failed" and pd.isna(request["run_id"])  # not left "running"
    assert "stop" in request["detail"]
    assert jobs.running == 0


# -- (3) listeners -------------------------------------------------------------------------
def _explode() -> None:
    raise RuntimeError("village server exploded")


def _answer() -> int:
    return 42


def test_listener_records_errors_and_missed_runs(store, kerkap, fast_settings, started):
    scheduler = build_scheduler(store, kerkap, fast_settings, scheduler_cls=BackgroundScheduler)
    scheduler.remove_all_jobs()
    started(scheduler)
    now = datetime.now(UTC)
    scheduler.add_job(_explode, "date", run_date=now, id="boom")
    late = (now - timedelta(seconds=30)).replace(microsecond=0)
    scheduler.add_job(_answer, "date", run_date=late, id="late", misfire_grace_time=1)
    error = one_event(store, "boom", "error")
    assert "village server exploded" in error["detail"] and "RuntimeError" in error["detail"]
    missed = one_event(store, "late", "missed")
    # stored as UTC, read back as the same instant on both backends
    assert missed["scheduled_at"] == pd.Timestamp(late)
    assert missed["detail"].startswith("missed by")
    # the failing job did not take the scheduler down
    assert scheduler.running
    scheduler.add_job(_answer, "date", run_date=datetime.now(UTC), id="after")
    assert one_event(store, "after", "executed")["run_id"] == 42


def test_request_poll_runs_beside_a_long_sweep(store, kerkap, fast_settings, started, monkeypatch):
    """Enough workers for the poll while a sweep runs; an overlapping sweep is recorded."""
    release = threading.Event()
    calls: list[tuple[str, str | None, list[str]]] = []

    def fake_run_sweep(villages, store_, settings, *, trigger, group=None, on_village=None):
        calls.append((trigger, group, [v.kode_desa for v in villages]))
        if trigger == "schedule":
            release.wait(20)
        run_id = 101 if trigger == "schedule" else 202
        return SimpleNamespace(run_id=run_id, count=lambda _status: 0, seconds=0.0, outcomes=[])

    monkeypatch.setattr(sched, "run_sweep", fake_run_sweep)
    settings = replace(fast_settings, request_poll=0.1)
    scheduler = build_scheduler(store, kerkap, settings, scheduler_cls=BackgroundScheduler)
    started(scheduler)
    try:
        scheduler.modify_job("sweep-penduduk", next_run_time=datetime.now(WIB))
        wait_for(lambda: any(c[0] == "schedule" for c in calls), what="the sweep to start")
        request_id = store.request_collect(VILLAGE).id
        done_request(store, request_id)  # while the sweep still runs
        assert ("request", None, [VILLAGE]) in calls
        scheduler.modify_job("sweep-penduduk", next_run_time=datetime.now(WIB))
        skipped = one_event(store, "sweep-penduduk", "max_instances")
        assert "still going" in skipped["detail"]
    finally:
        release.set()
    assert one_event(store, "sweep-penduduk", "executed")["run_id"] == 101
    assert calls[0] == ("schedule", "penduduk", [v.kode_desa for v in kerkap])


# -- (4) the process -------------------------------------------------------------------------
SCRIPT = """
import logging, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
from collectors.scheduler import run_scheduler
from config.registry import load_registry
from config.settings import Settings
from warehouse.store import Warehouse
store = Warehouse(sys.argv[1])
store.upgrade()
run_scheduler(store, load_registry(sys.argv[2]), Settings(request_poll=0.2), stop_timeout=5)
print("returned", flush=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_scheduler_exits_cleanly_on_signal(tmp_path, signum):
    lines = DEFAULT_REGISTRY.read_text(encoding="utf-8").splitlines()
    registry = tmp_path / "villages.csv"
    registry.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'wh.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, url, str(registry)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        wait_for(
            lambda: any(f"job {REQUEST_JOB_ID}" in line for line in log),
            timeout=30,
            what="the scheduler to start",
        )
        proc.send_signal(signum)
        sent = time.monotonic()
        proc.wait(timeout=10)
        out = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=5)
    text = "".join(log)
    assert proc.returncode == 0, text
    assert time.monotonic() - sent < 5
    assert "returned" in out
    assert "job sweep-keuangan" in text and "WIB" in text and "scheduler stopped" in text
