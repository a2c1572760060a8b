"""The alert jobs of the scheduler process: a check after every sweep, the weekly digest on
its cron (`alert_digest`). Handed to collectors.scheduler.run_scheduler by `dasbor
scheduler`; one lock, so two sweeps ending together never tell anyone twice."""

from __future__ import annotations

import logging
import threading

from collectors.scheduler import ExtraJob
from config.settings import Settings
from notify import dispatch
from notify.recipients import from_settings
from warehouse.store import Warehouse

log = logging.getLogger(__name__)

DIGEST_JOB_ID = "alert-digest"


class AlertJobs:
    def __init__(self, store: Warehouse, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._lock = threading.Lock()
        from_settings(settings)  # a wrong recipient stops the scheduler at start, named

    def after_run(self, run_id: int) -> None:
        """The alert check after run `run_id` landed."""
        with self._lock:
            report = dispatch.check(self.store, self.settings)
        log.info(
            "alerts after run %s: %d open (%d new), %d cleared; %d send(s), %d failed",
            run_id, len(report.found), len(report.opened), len(report.cleared),
            len(report.sends), report.failed_sends,
        )  # fmt: skip

    def digest(self) -> None:
        with self._lock:
            sends = dispatch.send_digest(self.store, self.settings)
        log.info("alert digest: %d send(s), %d failed", len(sends),
                 sum(1 for s in sends if not s["ok"]))  # fmt: skip

    def extra_jobs(self) -> list[ExtraJob]:
        if not self.settings.alert_digest.strip():
            return []
        return [ExtraJob(DIGEST_JOB_ID, self.settings.alert_digest, self.digest)]
