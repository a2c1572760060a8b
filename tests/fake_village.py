"""A fake village on loopback for the hostile-village tests (issue 10): a real HTTP server whose
answers the test writes, route by route; whatever the test does not answer is served by a
simulator behind it (the village simulator or the Gabungan one), so every other request of a
pull gets the real answer. Every request is recorded, its headers and body included, so a test
can show what reached a server and what did not."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from simulator.http import HttpApp, Reply


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    raw_path: str
    headers: Mapping[str, str]  # the request's own header object (case-insensitive get)
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.raw_path).path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.raw_path).query).items()}

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


Answer = Callable[[Seen], Reply | None]  # None: let the simulator behind answer


class FakeVillage(HttpApp):
    """Serves `answer(seen)`; when it returns None, the simulator `behind` answers (or 404)."""

    name = "fake-village"

    def __init__(self, answer: Answer | None = None, *, behind: HttpApp | None = None) -> None:
        super().__init__("127.0.0.1", 0, False)
        self.answer_with = answer
        self.behind = behind
        self.seen: list[Seen] = []
        self._seen_lock = threading.Lock()

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        return self._answer(Seen("GET", raw_path, headers, b""))

    def answer_post(self, raw_path: str, headers: Mapping[str, str], body: bytes) -> Reply | None:
        return self._answer(Seen("POST", raw_path, headers, body))

    def _answer(self, seen: Seen) -> Reply | None:
        with self._seen_lock:
            self.seen.append(seen)
        reply = self.answer_with(seen) if self.answer_with is not None else None
        if reply is not None:
            return reply
        if self.behind is None:
            return Reply(404, b"not here", {"Content-Type": "text/plain"})
        if seen.method == "POST":
            return self.behind.answer_post(seen.raw_path, seen.headers, seen.body)
        return self.behind.answer(seen.raw_path, seen.headers)


def json_answer(payload: object, status: int = 200, headers: Mapping[str, str] | None = None,
                *, raw: Mapping[str, str] | None = None) -> Reply:  # fmt: skip
    """A JSON reply as a hostile village sends it: NaN and Infinity as the bare literals
    Python's json writes and reads; `raw` replaces quoted placeholders by literal text (a
    number such as 1e309 that no float can carry)."""
    text = json.dumps(payload, allow_nan=True)
    for placeholder, literal in (raw or {}).items():
        text = text.replace(json.dumps(placeholder), literal)
    return Reply(status, text.encode(), {"Content-Type": "application/json", **(headers or {})})
