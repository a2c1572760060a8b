"""A loopback HTTP server that answers with the answers recorded from a real OpenSID 2508.

`tests/fixtures/opensid-2508/<village>/index.jsonl` maps each request (path and query, under
the village's base URL) to the status, content type and file recorded. The server gives those
bytes back unchanged; a request that was never recorded gets 599 and is listed in `unrecorded`,
so a test can tell the adapter asked for something the real system was not asked.
Query parameters match in any order (`page[size]=100&page[number]=2` is the same request).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "opensid-2508"
VILLAGE = "5201142005"  # the recorded village (52.01.14.2005)
VILLAGE_DOTTED = "52.01.14.2005"


def request_key(path_and_query: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(path_and_query)
    return parts.path.rstrip("/") or "/", tuple(sorted(parse_qsl(parts.query)))


@dataclass(frozen=True)
class Recorded:
    status: int
    content_type: str
    body: bytes


def load_recordings(village: str = VILLAGE) -> dict[tuple, Recorded]:
    folder = FIXTURES / village
    out = {}
    for line in (folder / "index.jsonl").read_text().splitlines():
        entry = json.loads(line)
        body = (folder / entry["file"]).read_bytes()
        out[request_key(entry["path"])] = Recorded(entry["status"], entry["content_type"], body)
    return out


def recorded_json(path_and_query: str, village: str = VILLAGE) -> dict:
    """The recorded JSON answer of one request (for tests that compute what to expect)."""
    return json.loads(load_recordings(village)[request_key(path_and_query)].body)


@dataclass
class RecordedOpenSID:
    """Serve the recordings at http://127.0.0.1:<port>/<village>; `overrides` replaces the
    answer of a request with another recorded body (bytes) or a JSON document (dict)."""

    village: str = VILLAGE
    overrides: Mapping[str, bytes | dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.answers = load_recordings(self.village)
        for path, body in self.overrides.items():
            raw = json.dumps(body).encode() if isinstance(body, dict) else body
            self.answers[request_key(path)] = Recorded(200, "application/json; charset=utf-8", raw)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # the name is fixed by http.server
                prefix = f"/{server.village}"
                path = self.path[len(prefix) :] if self.path.startswith(prefix) else self.path
                with server._lock:
                    server.requests.append(path)
                answer = server.answers.get(request_key(path))
                if answer is None:
                    with server._lock:
                        server.unrecorded.append(path)
                    answer = Recorded(599, "text/plain", b"not recorded")
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{self.village}"

    def __enter__(self) -> RecordedOpenSID:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
