"""The village queue (issue 12): village pulls as Dramatiq tasks on RabbitMQ, taken by worker
processes writing into one PostgreSQL warehouse; each village lands once per run, however
often it is delivered, and the run completes when its last village lands.

The broker tests use the machine's RabbitMQ (DASBOR_TEST_BROKER_URL, else
amqp://guest:guest@127.0.0.1:5672/%2F); they skip, saying so, when it does not answer, unless
DASBOR_TEST_BROKER_URL is set (as .ci/run does): then they fail. Every test has its own queue
and its own PostgreSQL schema. Without a broker configured nothing here changes the embedded
default: `dasbor collect` and the scheduler sweep in-process (tested below)."""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from dataclasses import replace

import pika
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from collectors.collect_now import ask_collect, outcome_detail
from collectors.queue import (
    QueueTimeout,
    enqueue_run,
    queued_sweep,
    safe_url,
    wait_for_run,
)
from collectors.scheduler import SchedulerJobs, collect_requests
from collectors.worker import VillageTasks, run_worker
from collectors.worker_process import WorkerProcess
from config.datasets import dataset_groups
from config.registry import RegistryError, registry_csv, village_rows
from config.settings import Settings
from tests.conftest import PG_URL, pointed_at
from warehouse.accounts import Actor
from warehouse.queued_runs import (
    QUEUED,
    abort_run,
    landed_counts,
    run_status,
    start_queued_run,
    village_lock,
)
from warehouse.store import Warehouse

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"
GIVEN_BROKER = os.environ.get("DASBOR_TEST_BROKER_URL")
FULL_PULL = len(dataset_groups()["penduduk"]) + len(dataset_groups()["keuangan"])


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def broker_url() -> str:
    url = GIVEN_BROKER or DEFAULT_BROKER
    params = pika.URLParameters(url)
    params.connection_attempts, params.socket_timeout, params.blocked_connection_timeout = 1, 3, 3
    try:
        pika.BlockingConnection(params).close()
    except pika.exceptions.AMQPError as exc:
        why = f"RabbitMQ does not answer at {safe_url(url)}: {exc.__class__.__name__} {exc}"
        if GIVEN_BROKER:
            pytest.fail(f"DASBOR_TEST_BROKER_URL is set but {why}")
        pytest.skip(f"{why} (start rabbitmq-server, or set DASBOR_TEST_BROKER_URL)")
    return url


@pytest.fixture
def queue_name(broker_url):
    """A queue of this test's own, deleted afterwards (with Dramatiq's delay and dead-letter
    queues)."""
    name = f"dasbor-test-{uuid.uuid4().hex[:10]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(broker_url))
    try:
        channel = connection.channel()
        for queue in (name, f"{name}.DQ", f"{name}.XQ"):
            channel.queue_delete(queue)
    finally:
        connection.close()


@pytest.fixture
def pg():
    """(URL, Warehouse) of a fresh schema of the test database, dropped afterwards: the URL
    names the schema, so worker processes write into the same warehouse."""
    if not PG_URL:
        pytest.skip("DASBOR_TEST_POSTGRES_URL not set: the queue writes into PostgreSQL")
    schema = "q_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = (
        make_url(PG_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    store = Warehouse(url)
    store.upgrade()
    try:
        yield url, store
    finally:
        store.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _settings(broker_url: str, queue_name: str, **extra) -> Settings:
    base = dict(
        broker_url=broker_url, queue_name=queue_name, tahun=2026, read_timeout=10, retries=1,
        backoff=0.01, queue_timeout=120,
    )  # fmt: skip
    return Settings(**{**base, **extra})


def _workers(tmp_path, villages, simulator, url, broker_url, queue_name, n: int, threads: int):
    registry = tmp_path / "villages.csv"
    registry.write_text(registry_csv(village_rows(villages, base_url=simulator.url + "/{kode}")))
    env = {
        "DASBOR_BROKER_URL": broker_url, "DASBOR_QUEUE_NAME": queue_name, "DASBOR_TAHUN": "2026",
        "DASBOR_READ_TIMEOUT": "10", "DASBOR_RETRIES": "1", "DASBOR_BACKOFF": "0.01",
    }  # fmt: skip
    return [
        WorkerProcess(registry, database_url=url, log_path=tmp_path / f"worker-{i}.log",
                      env=env, threads=threads)
        for i in range(n)
    ]  # fmt: skip


def _assert_each_village_once(store: Warehouse, run_id: int, villages, datasets: int) -> None:
    log = store.fetch_log_frame(run_id)
    assert set(log["kode_desa"]) == {v.kode_desa for v in villages}
    assert log.groupby(["kode_desa", "dataset"]).size().max() == 1  # no dataset logged twice
    assert set(log.groupby("kode_desa").size()) == {datasets}  # every dataset of every village


# -- worker processes on the real broker and PostgreSQL ---------------------------------------
@pytest.mark.postgres
def test_two_worker_processes_sweep_every_village_once(
    pg, broker_url, queue_name, simulator, default_villages, collected_store, tmp_path
):
    url, store = pg
    villages = pointed_at(default_villages, simulator.url)
    workers = _workers(tmp_path, villages, simulator, url, broker_url, queue_name, 2, 8)
    settings = _settings(broker_url, queue_name)
    try:
        for w in workers:
            w.start()
        first = queued_sweep(villages, store, settings)
        second = queued_sweep(villages, store, settings)  # validators kept: every village 304
    finally:
        for w in workers:
            w.stop()
    runs = store.runs_frame().set_index("id")
    run = runs.loc[first.run_id]
    assert (run["status"], run["villages_total"], run["villages_ok"]) == ("completed", 220, 220)
    assert (run["villages_unchanged"], run["villages_failed"]) == (0, 0)
    assert first.count("ok") == 220 and len(first.outcomes) == 220
    _assert_each_village_once(store, first.run_id, villages, FULL_PULL)
    again = runs.loc[second.run_id]
    assert (again["status"], again["villages_unchanged"], again["villages_ok"]) == (
        "completed", 220, 0)  # fmt: skip
    assert set(store.fetch_log_frame(second.run_id)["http_status"]) == {304}
    # both processes took villages, and between them each village once
    landed = re.compile(rf"run {first.run_id}: desa (\S+) (ok|unchanged|failed)$", re.M)
    by_worker = [landed.findall(w.log_text()) for w in workers]
    assert all(by_worker), [len(found) for found in by_worker]
    assert sorted(k for found in by_worker for k, _ in found) == sorted(
        v.kode_desa for v in villages
    )
    # what the workers landed is what the in-process sweep lands from the same simulator
    key = ["kode_desa", "dataset", "kode", "jumlah", "laki_laki", "perempuan"]
    queued = store.observations_frame()[key].sort_values(key[:3]).reset_index(drop=True)
    local = collected_store.observations_frame()[key].sort_values(key[:3]).reset_index(drop=True)
    assert len(queued) > 40_000
    assert queued.astype(str).equals(local.astype(str))


@pytest.mark.postgres
def test_a_worker_killed_mid_task_has_its_village_pulled_by_the_other(
    pg, broker_url, queue_name, simulator, default_villages, tmp_path, monkeypatch
):
    url, store = pg
    villages = pointed_at(default_villages[:40], simulator.url)
    slow = villages[5]
    asked: list[float] = []  # each time the slow village is asked
    arrived = threading.Event()
    answer = simulator.answer

    def watched(raw_path, headers):
        if raw_path.startswith(f"/{slow.kode_digits}/"):
            asked.append(time.monotonic())
            arrived.set()
        return answer(raw_path, headers)

    monkeypatch.setattr(simulator, "answer", watched)
    monkeypatch.setattr(simulator, "slow_ms", 4000)
    workers = _workers(tmp_path, villages, simulator, url, broker_url, queue_name, 2, 4)
    settings = _settings(broker_url, queue_name)
    simulator.set_fault(slow.kode_digits, "slow")
    try:
        for w in workers:
            w.start()
        run_id = enqueue_run(villages, store, settings)
        assert arrived.wait(60), "no worker asked the slow village"
        # the worker waiting for the slow village's answer: killed mid-task, no goodbye
        (holder,) = [w for w in workers if f"desa {slow.kode_desa} pulling" in w.log_text()]
        (survivor,) = [w for w in workers if w is not holder]
        holder.kill()
        simulator.set_fault(slow.kode_digits, None)  # the retry gets its answer at once
        summary = wait_for_run(store, run_id, villages, settings)
    finally:
        simulator.set_fault(slow.kode_digits, None)
        for w in workers:
            w.stop()
    assert f"desa {slow.kode_desa} ok" not in holder.log_text()
    assert f"run {run_id}: desa {slow.kode_desa} ok" in survivor.log_text()
    assert len(asked) >= 2  # asked by the killed worker, then again by the survivor
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["status"], run["villages_total"], run["villages_ok"]) == ("completed", 40, 40)
    assert run["villages_unchanged"] + run["villages_failed"] == 0
    assert summary.count("ok") == 40
    _assert_each_village_once(store, run_id, villages, FULL_PULL)


@pytest.mark.postgres
def test_the_scheduler_enqueues_when_a_broker_is_configured(
    pg, broker_url, queue_name, simulator, default_villages
):
    """Scheduled sweeps and collect-now requests go through the queue, a worker (here a
    thread of this process) pulls them, the jobs wait for the runs and finish the requests."""
    _url, store = pg
    kerkap = pointed_at([v for v in default_villages if v.kode_kecamatan == "17.03.06"],
                        simulator.url)  # fmt: skip
    settings = _settings(broker_url, queue_name)
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker, args=(store, kerkap, settings), kwargs={"threads": 4, "stop": stop}
    )
    worker.start()
    try:
        jobs = SchedulerJobs(store, kerkap, settings)
        run_id = jobs.sweep("penduduk")
        ticket = ask_collect(store, kerkap[0].kode_desa, villages=[v.kode_desa for v in kerkap],
                             actor=Actor.system("test"))  # fmt: skip
        request_run = collect_requests(store, kerkap, settings)
    finally:
        stop.set()
        worker.join(60)
    assert not worker.is_alive()
    runs = store.runs_frame().set_index("id")
    assert (runs.loc[run_id, "status"], runs.loc[run_id, "trigger"]) == ("completed", "schedule")
    assert runs.loc[run_id, "villages_ok"] == len(kerkap)
    log = store.fetch_log_frame(run_id)
    assert set(log["dataset"]) == set(dataset_groups()["penduduk"])  # the group's datasets only
    request = store.requests_frame([ticket.id]).iloc[0]
    assert (request["status"], int(request["run_id"])) == ("done", request_run)
    # every dataset: penduduk unchanged since the sweep, keuangan new
    assert request["detail"] == outcome_detail(["ok"])
    assert set(store.fetch_log_frame(request_run)["status"]) == {"ok", "unchanged"}
    assert runs.loc[run_id, "villages_total"] == len(kerkap)
    assert store.runs_frame().set_index("id").loc[request_run, "villages_total"] == 1


# -- the task itself: once per run and village, whatever the deliveries ------------------------
@pytest.fixture
def tasks(pg, simulator, default_villages):
    _url, store = pg
    villages = pointed_at(default_villages[:3], simulator.url)
    store.sync_regions(villages)
    settings = Settings(tahun=2026, read_timeout=5, retries=1, backoff=0.01)
    return VillageTasks(store, villages, settings), store, villages


def _land_uncounted(work: VillageTasks, run_id: int, village) -> None:
    """What a worker killed between landing a village and counting it leaves behind."""
    from collectors.sweep import land_pull, pull_one

    pull, (writes, source) = pull_one(
        village, work.client, work.settings, tahun=2026, etag=None, datasets=None,
        endpoint="summary-v1",
    )  # fmt: skip
    land_pull(work.store, run_id, pull, writes, source)


@pytest.mark.postgres
def test_a_village_delivered_again_after_landing_is_counted_once(tasks):
    work, store, villages = tasks
    run_id = start_queued_run(store, trigger="manual", total=len(villages))
    a, b, c = villages
    assert work.pull(run_id, a.kode_desa, None, 2026) == "ok"
    # a again, as RabbitMQ redelivers when its worker died before acknowledging: never
    # landed twice; counted in the tally again (it cannot tell whether the first count was
    # made), so the tally runs ahead
    assert work.pull(run_id, a.kode_desa, None, 2026) == "counted"
    # b landed by a worker killed before it counted it, then delivered again: counted now
    _land_uncounted(work, run_id, b)
    assert work.pull(run_id, b.kode_desa, None, 2026) == "counted"
    # the tally says 3 of 3, the fetch log 2 of 3: the fetch log decides
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["status"], run["villages_ok"]) == (QUEUED, 3)
    assert work.pull(run_id, c.kode_desa, None, 2026) == "ok"
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["status"], run["villages_ok"], run["villages_total"]) == ("completed", 3, 3)
    assert run["villages_unchanged"] + run["villages_failed"] == 0
    _assert_each_village_once(store, run_id, villages, FULL_PULL)
    # a completed run's stray delivery does nothing
    assert work.pull(run_id, a.kode_desa, None, 2026) == "dropped"
    assert len(store.fetch_log_frame(run_id)) == 3 * FULL_PULL


@pytest.mark.postgres
def test_two_deliveries_at_once_land_the_village_once(tasks):
    """The village's lock: a second delivery that pulled while the first landed waits, then
    finds it landed and leaves it (the first counts it)."""
    work, store, villages = tasks
    run_id = start_queued_run(store, trigger="manual", total=1)
    kode = villages[0].kode_desa
    result: list[str] = []
    with village_lock(store, run_id, kode) as landed:
        second = threading.Thread(target=lambda: result.append(work.pull(run_id, kode, None, 2026)))
        second.start()
        time.sleep(1.0)  # it has pulled and now waits for the lock
        assert not result and second.is_alive()
        assert not landed()
        # the first delivery lands meanwhile (on its own connection, as another worker would)
        _land_uncounted(work, run_id, villages[0])
        assert landed()
    second.join(30)
    assert result == ["duplicate"]
    assert len(store.fetch_log_frame(run_id)) == FULL_PULL
    assert run_status(store, run_id) == QUEUED  # nobody counted it: the first delivery would


@pytest.mark.postgres
def test_a_village_missing_from_the_workers_registry_or_given_up_fails_with_a_reason(tasks):
    work, store, villages = tasks
    run_id = start_queued_run(store, trigger="manual", total=2)
    stranger = "17.03.01.2099"
    assert work.pull(run_id, stranger, None, 2026) == "failed"
    message = {
        "args": [run_id, villages[1].kode_desa, None, 2026],
        "options": {"traceback": "Traceback …\nOperationalError: the database is down"},
    }
    assert work.gave_up(message, {"retries": 5, "max_retries": 5}) == "failed"
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["status"], run["villages_failed"]) == ("completed", 2)
    log = store.fetch_log_frame(run_id).set_index("kode_desa")
    assert log.loc[stranger, "error_code"] == "queue.not_in_registry"
    given_up = log.loc[villages[1].kode_desa]
    assert given_up["error_code"] == "queue.task_failed"
    assert json.loads(given_up["error_params"]) == {
        "kali": 6, "detail": "OperationalError: the database is down"}  # fmt: skip
    assert "failed 6 times on the queue" in given_up["error"]


@pytest.mark.postgres
def test_a_run_not_done_in_time_is_aborted_and_its_tasks_dropped(tasks):
    work, store, villages = tasks
    run_id = start_queued_run(store, trigger="manual", total=3)
    assert work.pull(run_id, villages[0].kode_desa, None, 2026) == "ok"
    settings = Settings(queue_timeout=0.3)
    with pytest.raises(QueueTimeout, match=r"1 of 3 villages landed"):
        wait_for_run(store, run_id, villages, settings, poll_s=0.05)
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["status"], run["villages_ok"]) == ("aborted", 1)
    assert work.pull(run_id, villages[1].kode_desa, None, 2026) == "dropped"
    assert landed_counts(store, run_id).villages == 1
    assert not abort_run(store, run_id)  # closed once


# -- without a broker: the embedded default ------------------------------------------------------
def _registry_file(tmp_path, villages, simulator):
    path = tmp_path / "villages.csv"
    path.write_text(registry_csv(village_rows(villages, base_url=simulator.url + "/{kode}")))
    return path


def test_without_a_broker_collect_and_the_scheduler_sweep_in_process(
    tmp_path, simulator, default_villages, monkeypatch
):
    import collectors.queue
    from dashboard.cli import main

    def no_queue(*_a, **_k):
        raise AssertionError("the queue was used without a broker configured")

    monkeypatch.setattr(collectors.queue, "make_broker", no_queue)
    monkeypatch.delenv("DASBOR_BROKER_URL", raising=False)
    villages = pointed_at(default_villages[:4], simulator.url)
    registry = _registry_file(tmp_path, villages, simulator)
    monkeypatch.setenv("DASBOR_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DASBOR_TAHUN", "2026")
    result = CliRunner().invoke(main, ["collect", "--villages", str(registry)])
    assert result.exit_code == 0, result.output
    assert "4 villages" in result.output and "ok 4" in result.output
    store = Warehouse(Settings(var_dir=str(tmp_path / "var")).resolved_database_url)
    jobs = SchedulerJobs(store, villages, Settings(tahun=2026, read_timeout=5))
    run_id = jobs.sweep("keuangan")
    runs = store.runs_frame().set_index("id")
    assert list(runs["status"]) == ["completed", "completed"]
    assert runs.loc[run_id, "trigger"] == "schedule"
    assert runs.loc[run_id, "villages_total"] == 4
    store.engine.dispose()


def test_the_queue_says_what_is_missing(tmp_path, simulator, default_villages, monkeypatch):
    from dashboard.cli import main

    villages = pointed_at(default_villages[:2], simulator.url)
    registry = str(_registry_file(tmp_path, villages, simulator))
    monkeypatch.setenv("DASBOR_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("DASBOR_BROKER_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["collect", "--queue", "--villages", registry])
    assert result.exit_code != 0 and "no broker configured: set DASBOR_BROKER_URL" in result.output
    result = runner.invoke(main, ["collect", "--no-wait", "--villages", registry])
    assert result.exit_code != 0 and "--no-wait goes with --queue" in result.output
    monkeypatch.setenv("DASBOR_BROKER_URL", "redis://127.0.0.1:6379/0")
    result = runner.invoke(main, ["collect", "--queue", "--villages", registry])
    assert result.exit_code != 0 and "expected a RabbitMQ URL" in result.output
    # a broker, but the SQLite warehouse: workers on other machines could not reach it
    monkeypatch.setenv("DASBOR_BROKER_URL", "amqp://guest:secret@127.0.0.1:1/%2F")
    for args in (["collect", "--queue"], ["worker"]):
        result = runner.invoke(main, [*args, "--villages", registry])
        assert result.exit_code != 0, args
        assert "PostgreSQL warehouse that every worker reaches" in result.output, args
        assert "secret" not in result.output
    store = Warehouse(Settings(var_dir=str(tmp_path / "var")).resolved_database_url)
    assert store.runs_frame().empty  # nothing was started
    store.engine.dispose()


@pytest.mark.postgres
def test_an_unreachable_broker_starts_no_run(pg, tmp_path, simulator, default_villages):
    from collectors.queue import QueueError

    _url, store = pg
    villages = pointed_at(default_villages[:2], simulator.url)
    settings = Settings(broker_url="amqp://guest:secret@127.0.0.1:1/%2F", tahun=2026)
    with pytest.raises(QueueError, match=r"cannot reach the broker at amqp://guest:\*\*\*@"):
        enqueue_run(villages, store, settings)
    # a gabungan source signed in with email:password: workers would sign each other out
    shared = replace(villages[0], adapter="gabungan", token_spec="operator@kab.example:rahasia")
    with pytest.raises(RegistryError, match=r"cannot be shared by queue workers"):
        enqueue_run([shared, villages[1]], store, settings)
    assert store.runs_frame().empty


def test_settings_name_the_broker(tmp_path):
    from config.settings import load_settings, setting_help

    settings = load_settings(env={"DASBOR_BROKER_URL": "amqp://u:p@mq:5672/dasbor",
                                  "DASBOR_WORKER_THREADS": "4"})  # fmt: skip
    assert (settings.broker_url, settings.worker_threads) == ("amqp://u:p@mq:5672/dasbor", 4)
    assert Settings().broker_url == ""  # no broker: the embedded default
    assert {"broker_url", "queue_name", "worker_threads", "queue_retries", "queue_timeout"} <= set(
        setting_help()
    )
    assert safe_url("amqp://u:p@mq:5672/dasbor") == "amqp://u:***@mq:5672/dasbor"
