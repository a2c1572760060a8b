"""`dasbor worker` as a child process, as the tests and bench/sweep_queue.py start workers: one
process per worker, as on separate machines (each its own interpreter, broker connection and
database connections)."""

from __future__ import annotations

from pathlib import Path

from collectors.child_process import DasborProcess
from collectors.worker import STARTED

__all__ = ["WorkerProcess"]


class WorkerProcess(DasborProcess):
    """`python -m dashboard.cli [--config FILE] worker --villages REGISTRY [--threads N]`;
    `env` carries DASBOR_BROKER_URL and the other settings. `stop()` (SIGTERM) lets the
    tasks in hand finish; `kill()` (SIGKILL) is a lost worker: RabbitMQ gives its
    unacknowledged tasks to the other workers."""

    name = "worker"
    subcommand = "worker"
    started_line = STARTED

    def __init__(self, registry: Path | str, *, threads: int | None = None, **kwargs) -> None:
        super().__init__(registry, args=["--threads", str(threads)] if threads else [], **kwargs)
