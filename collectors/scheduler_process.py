"""`dasbor scheduler` as a child process, as `dasbor demo` runs it beside the dashboard.

The scheduler never runs inside a web worker (collectors/scheduler.py): the demo starts it as
a process of its own with the demo's settings, registry and warehouse, so "Kumpulkan sekarang"
is picked up, and stops it when the demo stops. Its log goes to a file, which also tells when
it has started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Self

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STARTED = "scheduler started"  # the line run_scheduler logs once its jobs are scheduled


class SchedulerProcess:
    """`python -m dashboard.cli [--config FILE] scheduler --villages REGISTRY` on the warehouse
    at `database_url`; `env`: extra DASBOR_* settings for the child (over the parent's)."""

    def __init__(
        self,
        registry: Path | str,
        *,
        database_url: str,
        log_path: Path | str,
        config_path: Path | str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.registry = Path(registry).resolve()
        self.database_url = database_url
        self.log_path = Path(log_path).resolve()
        self.config_path = Path(config_path).resolve() if config_path else None
        self.env = dict(env or {})
        self._proc: subprocess.Popen | None = None
        self._log = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def command(self) -> list[str]:
        config = ["--config", str(self.config_path)] if self.config_path else []
        return [sys.executable, "-m", "dashboard.cli", *config, "scheduler",
                "--villages", str(self.registry)]  # fmt: skip

    def start(self, timeout_s: float = 60.0) -> Self:
        """Start the child and wait until it has scheduled its jobs (or fail, with its log)."""
        env = {**os.environ, **self.env, "DASBOR_DATABASE_URL": self.database_url}
        # the child runs this tree's code, installed or not
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        start = self._log.tell()
        self._proc = subprocess.Popen(
            self.command(), env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            text = self._read_log(start)
            if STARTED in text:
                return self
            if self._proc.poll() is not None:
                self._close()
                raise RuntimeError(f"the scheduler stopped at start: {text.strip()[-800:]}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the scheduler did not start in {timeout_s:.0f} s; see {self.log_path}")

    def _read_log(self, start: int) -> str:
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(start)
                return fh.read().decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout_s: float = 40.0) -> None:
        """SIGTERM (the scheduler stops after its current village), then kill if it lingers."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self._close()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
