"""The village simulator in a process of its own, as the demo and the benchmarks run it.

Real villages are other machines: a simulator in the collector's own process would compete with
it for one interpreter lock, and a village's deadline would then measure that contest instead of
the village.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """`preferred` when nothing listens there, else any free port."""
    for port in (preferred, 0) if preferred else (0,):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise OSError("no free port")


class SimulatorProcess:
    """`python -m simulator` serving the villages of a registry file on loopback."""

    def __init__(self, registry: Path | str, *, port: int, extra: list[str] | None = None):
        self.registry = Path(registry).resolve()
        self.port = port
        self.extra = list(extra or [])
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 30.0) -> Self:
        cmd = [sys.executable, "-m", "simulator", "--villages", str(self.registry),
               "--port", str(self.port), *self.extra]  # fmt: skip
        root = Path(__file__).resolve().parents[1]
        self._proc = subprocess.Popen(
            cmd, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"the village simulator stopped at start: {err.strip()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the village simulator did not listen on port {self.port} in time")

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
