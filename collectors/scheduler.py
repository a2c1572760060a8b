"""`dasbor scheduler`: APScheduler 3 in its own process, never inside a web worker.

One cron sweep per dataset group, a poll job for collect-now requests, and listeners that
write every executed sweep and every failed, missed or skipped run to the warehouse. With a
broker configured (`broker_url`) a sweep puts its villages on the village queue instead of
pulling them in-process, and its job waits until the workers have completed the run
(collectors/queue.py); without one, the thread pool of collectors/sweep.py pulls them.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from collectors.collect_now import outcome_detail, reason_detail, request_villages
from collectors.queue import queued_sweep
from collectors.sweep import VillageOutcome, run_sweep
from config.datasets import dataset_groups
from config.registry import Village
from config.settings import Settings
from warehouse.store import Warehouse

__all__ = [
    "REQUEST_JOB_ID",
    "ExtraJob",
    "SchedulerJobs",
    "SweepStopped",
    "build_scheduler",
    "collect_requests",
    "crontab_trigger",
    "run_scheduler",
    "sweep_job_id",
]

log = logging.getLogger(__name__)

REQUEST_JOB_ID = "collect-requests"
JOB_EVENTS = EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
_DETAIL_MAX = 2000

# crontab counts weekdays from Sunday (0 and 7); APScheduler 3 counts from Monday, so
# "0 2 * * 0" handed to CronTrigger.from_crontab would run on Mondays. Names mean the same
# in both, so numeric weekdays are rewritten to names.
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def sweep_job_id(group: str) -> str:
    return f"sweep-{group}"


class SweepStopped(RuntimeError):
    """Raised inside a sweep when the scheduler is shutting down and will not wait longer."""


@dataclass(frozen=True)
class ExtraJob:
    """A cron job beside the sweeps, handed in by the command that starts the scheduler (the
    alert digest: dashboard/cli.py wires notify/ in, which collectors may not import)."""

    id: str
    cron: str  # 5 fields, in the scheduler's time zone
    func: Callable[[], object]


# -- triggers ------------------------------------------------------------------------------
def _weekday(token: str, expr: str) -> int:
    token = token.strip().lower()
    if token in _CRON_DAYS:
        return _CRON_DAYS.index(token)
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token)  # 7 stays 7 so that "5-7" is a range; taken mod 7 at the end
    raise ValueError(f"cron {expr!r}: day of week {token!r} is not 0–7 or sun–sat")


def _crontab_weekdays(field: str, expr: str) -> str:
    """A crontab day-of-week field as APScheduler weekday names (same days)."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.split(","):
        span, _, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise ValueError(f"cron {expr!r}: bad step in day of week {item!r}")
        if span == "*":
            first, last = 0, 7  # cron's weekday range is 0–7, which matters with a step
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = _weekday(a, expr), _weekday(b, expr)
            if last < first:
                raise ValueError(f"cron {expr!r}: day-of-week range {span!r} runs backwards")
        else:
            first = _weekday(span, expr)
            last = 7 if step else first  # "1/2" is 1-7/2
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    if len(days) == 7:
        return "*"
    return ",".join(_CRON_DAYS[d] for d in sorted(days))


def crontab_trigger(expr: str, timezone: str, jitter: int | None = None) -> CronTrigger:
    """A CronTrigger that fires when cron(8) would for a 5-field expression (weekday 0 = Sun)."""
    parts = expr.split()
    if len(parts) != 5:
        raise ValueError(f"cron {expr!r}: expected 5 fields (minute hour day month weekday)")
    minute, hour, day, month, dow = parts
    if day != "*" and dow != "*":
        # cron runs when either matches, APScheduler only when both do
        log.warning("cron %r: day and weekday both set; runs only when both match", expr)
    parts[4] = _crontab_weekdays(dow, expr)
    trigger = CronTrigger.from_crontab(" ".join(parts), timezone=timezone)
    trigger.jitter = jitter or None  # from_crontab has no jitter argument; 0 means none
    return trigger


# -- job bodies ----------------------------------------------------------------------------
def collect_requests(
    store: Warehouse,
    villages: Sequence[Village],
    settings: Settings,
    *,
    on_village: Callable[[VillageOutcome], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> int | None:
    """Claim pending collect-now requests and run one sweep for them; return its run id.
    With a broker configured the sweep goes through the village queue (collectors/queue.py):
    `on_wait` is then called while the workers pull, as `on_village` is after each village
    of an in-process sweep.

    Each request stands for its scope: a village, a kecamatan's villages or all of them; the
    sweep pulls the union once. A done request's detail is the outcome of its own villages
    (collectors.collect_now). Requests for a code without villages in the registry are
    finished without a run and named in a "rejected" job event.
    """
    requests = store.claim_requests()
    if not requests:
        return None
    codes = [v.kode_desa for v in villages]
    wanted: dict[int, list[str]] = {}
    unknown: dict[int, str] = {}
    for r in requests:
        found = request_villages(r, codes)
        if found:
            wanted[r["id"]] = found
        else:
            unknown[r["id"]] = str(r["kode_desa"])
    if unknown:
        store.finish_requests(
            list(unknown),
            None,
            status="rejected",
            detail=reason_detail("not_in_registry", "village or kecamatan not in the registry"),
        )
        ids = ", ".join(str(i) for i in unknown)
        listed = ", ".join(sorted(set(unknown.values())))
        store.record_job_event(
            REQUEST_JOB_ID,
            "rejected",
            detail=f"village(s) not in the registry: {listed} (request {ids})",
        )
        log.warning("collect-now: village(s) not in the registry: %s", listed)
    if not wanted:
        return None
    union = {kode for found in wanted.values() for kode in found}
    targets = [v for v in villages if v.kode_desa in union]
    log.info("collect-now: %d request(s), %d village(s)", len(wanted), len(targets))
    try:
        if settings.broker_url:
            summary = queued_sweep(targets, store, settings, trigger="request", on_wait=on_wait)
        else:
            summary = run_sweep(targets, store, settings, trigger="request", on_village=on_village)
    except BaseException as exc:
        # a broken-off sweep still finishes its requests, so none stays "running" for ever;
        # the listener records the error as a job event too
        code = "scheduler_stopped" if isinstance(exc, SweepStopped) else "sweep_broke_off"
        detail = reason_detail(code, f"{type(exc).__name__}: {exc}")
        store.finish_requests(list(wanted), None, status="failed", detail=detail)
        raise
    status_of = {o.kode_desa: o.status for o in summary.outcomes}
    for request_id, found in wanted.items():
        outcome = outcome_detail(status_of.get(kode, "failed") for kode in found)
        store.finish_requests([request_id], summary.run_id, detail=outcome)
    return summary.run_id


class SchedulerJobs:
    """The job functions, with a stop flag and a count of running jobs for a bounded shutdown."""

    def __init__(
        self,
        store: Warehouse,
        villages: Sequence[Village],
        settings: Settings,
        *,
        after_run: Callable[[int], object] | None = None,
    ) -> None:
        self.store = store
        self.villages = list(villages)
        self.settings = settings
        # called with the run id after each sweep (the alert check, issue 13); its failure is
        # logged and never stops the scheduler nor marks the sweep failed
        self.after_run = after_run
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        return self._running

    def _enter(self) -> None:
        with self._lock:
            self._running += 1

    def _leave(self) -> None:
        with self._lock:
            self._running -= 1

    def _after(self, run_id: int | None) -> None:
        if self.after_run is None or run_id is None:
            return
        self._enter()  # counted as running: a shutdown waits for the sends in hand
        try:
            self.after_run(run_id)
        except Exception:
            log.exception("after run %s: the hook failed; the scheduler goes on", run_id)
        finally:
            self._leave()

    def _check_stop(self, _outcome: VillageOutcome | None = None) -> None:
        # called by run_sweep after each village: the sweep ends as "aborted"; and while
        # waiting for a queued run: the wait ends, the workers complete the run
        if self.stop.is_set():
            raise SweepStopped("stopped: the scheduler is shutting down")

    def sweep(self, group: str) -> int:
        """Scheduled sweep of one dataset group; returns the run id. With a broker
        configured the villages go on the queue and the job waits for the workers."""
        self._enter()
        try:
            if self.settings.broker_url:
                summary = queued_sweep(
                    self.villages, self.store, self.settings, trigger="schedule", group=group,
                    on_wait=self._check_stop,
                )  # fmt: skip
            else:
                summary = run_sweep(
                    self.villages,
                    self.store,
                    self.settings,
                    trigger="schedule",
                    group=group,
                    on_village=self._check_stop,
                )
        finally:
            self._leave()
        log.info(
            "sweep %s: run %d, ok %d, unchanged %d, failed %d in %.0f s",
            group,
            summary.run_id,
            summary.count("ok"),
            summary.count("unchanged"),
            summary.count("failed"),
            summary.seconds,
        )
        self._after(summary.run_id)
        return summary.run_id

    def collect_requests(self) -> int | None:
        """Poll job: one sweep for the pending collect-now requests, if any."""
        self._enter()
        try:
            run_id = collect_requests(
                self.store, self.villages, self.settings, on_village=self._check_stop,
                on_wait=self._check_stop,
            )  # fmt: skip
        finally:
            self._leave()
        self._after(run_id)
        return run_id

    def wait_idle(self, timeout: float, give_up: Callable[[], bool] = lambda: False) -> bool:
        """Wait until no job runs (True) or timeout passes or give_up() says so (False)."""
        deadline = time.monotonic() + timeout
        # polling, not a Condition: the main thread also runs signal handlers
        while self._running and time.monotonic() < deadline and not give_up():
            time.sleep(0.1)
        return not self._running


# -- listener --------------------------------------------------------------------------------
def _utc(ts: datetime | None) -> datetime | None:
    # SQLite drops the offset of an aware datetime: store UTC like the rest of the warehouse
    return ts.astimezone(UTC) if ts is not None else None


def _job_listener(store: Warehouse) -> Callable[[object], None]:
    def record(event: JobExecutionEvent | JobSubmissionEvent) -> None:
        job_id = event.job_id
        try:
            if event.code == EVENT_JOB_EXECUTED:
                # an idle poll is not worth a row; a poll that ran a sweep is
                if job_id == REQUEST_JOB_ID and event.retval is None:
                    return
                run_id = event.retval if isinstance(event.retval, int) else None
                store.record_job_event(
                    job_id, "executed", scheduled_at=_utc(event.scheduled_run_time), run_id=run_id
                )
            elif event.code == EVENT_JOB_ERROR:
                exc = event.exception
                detail = f"{exc.__class__.__name__}: {exc}"[:_DETAIL_MAX]
                store.record_job_event(
                    job_id, "error", scheduled_at=_utc(event.scheduled_run_time), detail=detail
                )
            elif event.code == EVENT_JOB_MISSED:
                late = datetime.now(UTC) - event.scheduled_run_time
                store.record_job_event(
                    job_id,
                    "missed",
                    scheduled_at=_utc(event.scheduled_run_time),
                    detail=f"missed by {late.total_seconds():.0f} s",
                )
            elif event.code == EVENT_JOB_MAX_INSTANCES:
                # a poll overlapping a long request sweep is expected, not news
                if job_id == REQUEST_JOB_ID:
                    return
                times = event.scheduled_run_times
                store.record_job_event(
                    job_id,
                    "max_instances",
                    scheduled_at=_utc(times[-1]) if times else None,
                    detail="skipped: the previous run is still going",
                )
        except Exception:  # the warehouse may be down; the scheduler must go on
            log.exception("could not record %s event of job %s", event.code, job_id)

    return record


# -- scheduler -------------------------------------------------------------------------------
def build_scheduler(
    store: Warehouse,
    villages: Sequence[Village],
    settings: Settings,
    *,
    scheduler_cls: type[BaseScheduler] = BlockingScheduler,
    jobs: SchedulerJobs | None = None,
    extra_jobs: Sequence[ExtraJob] = (),
) -> BaseScheduler:
    """A scheduler (not started) with one sweep per dataset group, the request poll job and
    the `extra_jobs`."""
    jobs = jobs or SchedulerJobs(store, villages, settings)
    groups = list(dataset_groups())
    if settings.request_poll <= 0:
        raise ValueError(f"setting request_poll must be > 0, got {settings.request_poll}")
    scheduler = scheduler_cls(
        # one worker per job, plus one: the request poll runs beside a long sweep
        executors={"default": ThreadPoolExecutor(max_workers=len(groups) + 2)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.timezone,
    )
    for group in groups:
        expr = getattr(settings, f"schedule_{group}", None)
        if expr is None:
            raise ValueError(f"dataset group {group!r} has no setting schedule_{group}")
        try:
            trigger = crontab_trigger(expr, settings.timezone, settings.schedule_jitter)
        except ValueError as exc:
            raise ValueError(f"setting schedule_{group}: {exc}") from None
        scheduler.add_job(
            jobs.sweep,
            trigger,
            args=[group],
            id=sweep_job_id(group),
            name=f"sweep {group}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(settings.misfire_grace)),  # APScheduler wants ≥ 1
            replace_existing=True,
        )
    scheduler.add_job(
        jobs.collect_requests,
        IntervalTrigger(seconds=settings.request_poll, timezone=settings.timezone),
        id=REQUEST_JOB_ID,
        name="collect-now requests",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,  # a late poll is still worth doing
        next_run_time=datetime.now(ZoneInfo(settings.timezone)),  # requests left while down
        replace_existing=True,
    )
    for extra in extra_jobs:
        try:
            trigger = crontab_trigger(extra.cron, settings.timezone)
        except ValueError as exc:
            raise ValueError(f"job {extra.id}: {exc}") from None
        scheduler.add_job(
            extra.func,
            trigger,
            id=extra.id,
            name=extra.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(settings.misfire_grace)),
            replace_existing=True,
        )
    scheduler.add_listener(_job_listener(store), JOB_EVENTS)
    _quiet_poll_overlaps()
    return scheduler


class _QuietPollOverlap(logging.Filter):
    """Drop APScheduler's warning when a poll finds the previous one still sweeping."""

    def filter(self, record: logging.LogRecord) -> bool:
        job = record.args[0] if isinstance(record.args, tuple) and record.args else None
        return not (
            getattr(job, "id", None) == REQUEST_JOB_ID
            and "maximum number of running instances" in str(record.msg)
        )


def _quiet_poll_overlaps() -> None:
    # with a 5 s poll, a long collect-now sweep would otherwise log a warning every 5 s
    logger = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _QuietPollOverlap) for f in logger.filters):
        logger.addFilter(_QuietPollOverlap())


def _log_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    tz = ZoneInfo(settings.timezone)
    for job in scheduler.get_jobs():
        when = job.next_run_time
        shown = when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z") if when else "paused"
        jitter = getattr(job.trigger, "jitter", None)
        extra = f", jitter up to {jitter} s" if jitter else ""
        log.info("job %s: %s%s; next run %s", job.id, job.trigger, extra, shown)


def run_scheduler(
    store: Warehouse,
    villages: Sequence[Village],
    settings: Settings,
    *,
    stop_timeout: float = 30.0,
    after_run: Callable[[int], object] | None = None,
    extra_jobs: Sequence[ExtraJob] = (),
) -> None:
    """Run the scheduler until SIGTERM or SIGINT, then stop within about 2 × stop_timeout.

    On the signal no new run starts; running sweeps get stop_timeout seconds to finish, then
    are told to stop after their current village (the run ends "aborted"). A second signal
    skips the wait. Must be called from the main thread (signal handlers).
    """
    requeued = store.requeue_running_requests()
    if requeued:
        log.info(
            "collect-now: %d request(s) left running by a previous scheduler requeued", requeued
        )
    jobs = SchedulerJobs(store, villages, settings, after_run=after_run)
    # a background scheduler keeps APScheduler's locks out of the main thread, where the
    # signal handlers run; the handlers only note the signal
    scheduler = build_scheduler(
        store, villages, settings, scheduler_cls=BackgroundScheduler, jobs=jobs,
        extra_jobs=extra_jobs,
    )  # fmt: skip
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
        log.info("scheduler started: %d villages, time zone %s", len(villages), settings.timezone)
        _log_jobs(scheduler, settings)
        while not received:
            time.sleep(0.2)
        log.info("%s received: stopping the scheduler", signal.Signals(received[0]).name)
        scheduler.shutdown(wait=False)  # no new runs; running ones go on
        if not jobs.wait_idle(stop_timeout, give_up=lambda: len(received) > 1):
            log.warning("%d job(s) still running: stopping them after their village", jobs.running)
            jobs.stop.set()
            if not jobs.wait_idle(stop_timeout):
                log.warning("%d job(s) still running; exiting after them", jobs.running)
        log.info("scheduler stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if scheduler.running:
            scheduler.shutdown(wait=False)
