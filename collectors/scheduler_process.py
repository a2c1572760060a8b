"""`dasbor scheduler` as a child process, as `dasbor demo` runs it beside the dashboard.

The scheduler never runs inside a web worker (collectors/scheduler.py): the demo starts it as
a process of its own with the demo's settings, registry and warehouse, so "Kumpulkan sekarang"
is picked up, and stops it when the demo stops. Its log goes to a file, which also tells when
it has started.
"""

from __future__ import annotations

from collectors.child_process import PROJECT_ROOT, DasborProcess

__all__ = ["PROJECT_ROOT", "STARTED", "SchedulerProcess"]

STARTED = "scheduler started"  # the line run_scheduler logs once its jobs are scheduled


class SchedulerProcess(DasborProcess):
    """`python -m dashboard.cli [--config FILE] scheduler --villages REGISTRY` on the warehouse
    at `database_url`; `env`: extra DASBOR_* settings for the child (over the parent's).
    `stop()` sends SIGTERM: the scheduler stops after its current village."""

    name = "scheduler"
    subcommand = "scheduler"
    started_line = STARTED
