"""A `dasbor` command in a process of its own: the scheduler beside the demo
(collectors/scheduler_process.py), queue workers in the tests and the benchmark
(collectors/worker_process.py).

The child runs this tree's code with the given settings, registry and warehouse; its log goes
to a file, which also tells when it has started (the line its command logs once it is ready).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Self

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class DasborProcess:
    """`python -m dashboard.cli [--config FILE] COMMAND --villages REGISTRY [ARGS]` on the
    warehouse at `database_url`; `env`: extra DASBOR_* settings for the child (over the
    parent's). Subclasses name the command and the line it logs once started."""

    name = "process"  # for messages
    subcommand = ""
    started_line = ""

    def __init__(
        self,
        registry: Path | str,
        *,
        database_url: str,
        log_path: Path | str,
        config_path: Path | str | None = None,
        env: Mapping[str, str] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.registry = Path(registry).resolve()
        self.database_url = database_url
        self.log_path = Path(log_path).resolve()
        self.config_path = Path(config_path).resolve() if config_path else None
        self.env = dict(env or {})
        self.args = list(args)
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
        return [sys.executable, "-m", "dashboard.cli", *config, self.subcommand,
                "--villages", str(self.registry), *self.args]  # fmt: skip

    def start(self, timeout_s: float = 60.0) -> Self:
        """Start the child and wait until it has logged its start (or fail, with its log)."""
        env = {**os.environ, **self.env, "DASBOR_DATABASE_URL": self.database_url}
        env["PYTHONUNBUFFERED"] = "1"  # its log is read while it runs
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
            if self.started_line in text:
                return self
            if self._proc.poll() is not None:
                self._close()
                raise RuntimeError(f"the {self.name} stopped at start: {text.strip()[-800:]}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"the {self.name} did not start in {timeout_s:.0f} s; see {self.log_path}"
        )

    def _read_log(self, start: int = 0) -> str:
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(start)
                return fh.read().decode(errors="replace")
        except OSError:
            return ""

    def log_text(self) -> str:
        """Everything the child has logged so far."""
        return self._read_log()

    def stop(self, timeout_s: float = 40.0) -> None:
        """SIGTERM (the command stops cleanly), then kill if it lingers."""
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

    def kill(self) -> None:
        """SIGKILL: the child gets no chance to finish anything (a lost machine)."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
