"""The HTTP plumbing every simulator shares: replies, the threading server, its lifecycle,
429 bursts, slow drips, huge bodies, and generic JSON:API pagination.

Nothing here knows villages or OpenSID; `simulator.villages` and `simulator.gabungan` build
on it.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import urlencode

TOO_LARGE_BYTES = 26 * 1024 * 1024  # over the collectors' 20 MB cap and over 25 MB
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_CHUNK = 64 * 1024


@dataclass
class Reply:
    """What a simulator answers: status, body and extra headers; or a streamed body
    (`chunks`, exactly `length` bytes) written with `gap` seconds between chunks."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunks: Iterable[bytes] | None = None
    length: int | None = None
    gap: float = 0.0


def json_body(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_reply(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(
        status, json_body(payload), {"Content-Type": "application/json", **(headers or {})}
    )


def error_reply(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    """The simulator's own JSON error (not a village's): `{"error": {status, message}}`."""
    return json_reply(status, {"error": {"status": status, "message": message}}, headers)


def etag_of(body: bytes) -> str:
    """A strong ETag: the quoted SHA-256 prefix of the body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored, * matches anything."""
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*":
            return True
        if candidate.startswith("W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


def too_large_reply(size: int = TOO_LARGE_BYTES) -> Reply:
    """A valid JSON object of `size` bytes, generated chunk by chunk (never held in memory)."""
    head, tail = b'{"data":[],"padding":"', b'"}'
    filler = size - len(head) - len(tail)

    def chunks() -> Iterator[bytes]:
        yield head
        block = b"x" * _CHUNK
        left = filler
        while left > 0:
            piece = block if left >= _CHUNK else block[:left]
            left -= len(piece)
            yield piece
        yield tail

    return Reply(200, b"", {"Content-Type": "application/json"}, chunks(), size)


def drip(reply: Reply, seconds: float, gap: float) -> Reply:
    """The same reply, its body sent in pieces `gap` seconds apart over about `seconds`."""
    body = reply.body
    if not body or reply.chunks is not None:
        return reply
    pieces = max(2, math.ceil(seconds / gap) + 1)
    size = max(1, math.ceil(len(body) / pieces))
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return Reply(reply.status, b"", reply.headers, parts, len(body), gap)


# ---------------------------------------------------------------- the HTTP server


class SimServer(ThreadingHTTPServer):
    """A threading HTTP server that can drop its keep-alive connections on stop."""

    daemon_threads = True
    request_queue_size = 256  # collectors open 32+ connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: HttpApp) -> None:
        self.simulator = simulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, object]:
        conn, addr = super().get_request()
        with self._connections_lock:
            self._connections.add(conn)
        return conn, addr

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Drop idle keep-alive connections so their threads end with the simulator."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    server_version = "DasborVillageSimulator/1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 120  # idle keep-alive connections end eventually
    server: SimServer

    def do_GET(self) -> None:  # the name is fixed by http.server
        self._send(self.server.simulator.answer(self.path, self.headers))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        self._send(self.server.simulator.answer_post(self.path, self.headers, body))

    def _send(self, reply: Reply | None) -> None:
        if reply is None:  # held or stopped: close without a word
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status != 304:
                length = reply.length if reply.chunks is not None else len(reply.body)
                self.send_header("Content-Length", str(length))
            self.end_headers()
            if reply.status == 304:
                return
            if reply.chunks is None:
                if reply.body:
                    self.wfile.write(reply.body)
                return
            stopping = self.server.simulator.stopping
            for i, chunk in enumerate(reply.chunks):
                if i and reply.gap > 0 and stopping.wait(reply.gap):
                    self.close_connection = True  # stopped mid-body: the client sees a cut
                    return
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (a too-large body, a timeout)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.simulator.verbose:
            super().log_message(format, *args)


class HttpApp:
    """Lifecycle shared by the simulators: serve in a daemon thread, stop cleanly."""

    name = "simulator"

    def __init__(self, host: str, port: int, verbose: bool) -> None:
        self.host = host
        self._port = port
        self.verbose = verbose
        self._lock = threading.Lock()
        self._count = 0
        self._stopping = threading.Event()
        self._server: SimServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Bind and serve in a daemon thread; port 0 picks a free port."""
        if self._server is not None:
            raise RuntimeError(f"{self.name} already started")
        self._stopping.clear()
        self._server = SimServer((self.host, self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held requests and close connections."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        raise NotImplementedError

    def answer_post(self, raw_path: str, headers: Mapping[str, str], body: bytes) -> Reply | None:
        return error_reply(405, "method not allowed", {"Allow": "GET"})


class Bursts:
    """The '429' fault: the first `size` requests of each window are refused."""

    def __init__(self, size: int, window_s: float) -> None:
        self.size = size
        self.window_s = window_s
        self._state: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def refuse(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            count, since = self._state.get(key, (0, now))
            if now - since > self.window_s:
                count, since = 0, now
            self._state[key] = (count + 1, since)
        return count < self.size

    def reset(self, key: str) -> None:
        with self._lock:
            self._state.pop(key, None)


def too_many_requests() -> Reply:
    return error_reply(429, "too many requests (simulated)", {"Retry-After": "1"})


def base_url(headers: Mapping[str, str], fallback: str) -> str:
    """Where the client reached us: http:// and the Host header (else `fallback`)."""
    host = headers.get("Host")
    return f"http://{host}" if host else fallback


# ---------------------------------------------------------------- generic pagination
# (the Gabungan simulator's; OpenSID's own, spatie/laravel-json-api-paginate, is in
# simulator.opensid)


def page_params(query: Mapping[str, list[str]], default_size: int) -> tuple[int, int] | str:
    """page[number] (from 1) and page[size] (1..MAX_PAGE_SIZE), or an error text."""
    raw_number = (query.get("page[number]") or ["1"])[0]
    raw_size = (query.get("page[size]") or [str(default_size)])[0]
    try:
        number, size = int(raw_number), int(raw_size)
    except ValueError:
        return f"page[number] {raw_number!r} and page[size] {raw_size!r} must be whole numbers"
    if number < 1 or size < 1:
        return "page[number] and page[size] start at 1"
    return number, min(size, MAX_PAGE_SIZE)


def paginate(
    items: Sequence, number: int, size: int, base: str, query: Mapping[str, list[str]]
) -> tuple[list, dict, dict]:
    """One page of items, JSON:API `meta.pagination` and `links` (absolute, null at the ends)."""
    total = len(items)
    pages = max(1, math.ceil(total / size))
    chunk = list(items[(number - 1) * size : number * size])

    def link(n: int | None) -> str | None:
        if n is None:
            return None
        params = {k: v[0] for k, v in query.items() if not k.startswith("page[")}
        params.update({"page[number]": str(n), "page[size]": str(size)})
        return f"{base}?{urlencode(params, safe='[]')}"

    meta = {
        "total": total,
        "count": len(chunk),
        "per_page": size,
        "current_page": number,
        "total_pages": pages,
    }
    links = {
        "self": link(number),
        "first": link(1),
        "last": link(pages),
        "prev": link(number - 1) if 1 < number <= pages + 1 else None,
        "next": link(number + 1) if number < pages else None,
    }
    return chunk, meta, links
