"""The built-in village simulator: a real HTTP server for every village of a registry.

Routes, under `/{kode_desa digits}` (same numbers everywhere: collectors.synthetic, same seed):
- `GET /api/village-summary/v1?tahun=YYYY`: the village-summary v1 document (ETag, bearer token);
- `GET /internal_api/statistik/{key}?tahun=YYYY`: OpenSID's public JSON:API statistic rows;
- `GET /internal_api/pembangunan?page[number]=N&page[size]=M&tahun=YYYY`: projects, paginated;
- `GET /internal_api/peserta_bantuan/{bantuan_penduduk|bantuan_keluarga|<program_id>}`:
  aid programmes with their number of recipients (never names or NIK);
- `GET /internal_api/wilayah/administratif`: village identity; the OpenSID version is in
  `meta.version` there and in the `X-OpenSID-Version` header of every internal_api answer.

internal_api imitates what live sites do (see docs/README of the domain): villages on OpenSID
older than 2501 use the old statistic ids (8 = penyandang cacat, 9 = penyakit menahun,
10 = rentang umur, 11 = pendidikan sedang ditempuh, 12 = kategori umur) and answer 13/14/15
with 404; about 5 % answer in the nested shape; about 1 in 8 label row 888 "TOTAL KESELURUHAN";
about 1 in 3 send counts as strings. Which village does what: collectors.synthetic
(`uses_old_statistik_ids`, `uses_nested_shape`, `total_label`, `sends_string_counts`).

Faults per village (`faults=`, `set_fault`, or `fault_rate` for a seeded share of villages)
imitate what real village servers do: hang, fail, throttle, drip, send broken, odd or huge data.
See FAULT_MODES and `Simulator.answer` for what each does.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import random
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, urlencode, urlsplit

from collectors.synthetic import (
    BASE_YEAR,
    document_bytes,
    find_statistic,
    sends_string_counts,
    source_version,
    stable_int,
    total_label,
    uses_nested_shape,
    uses_old_statistik_ids,
    village_document,
)
from config.regions import get_region
from config.registry import RegistryError, Village, load_registry
from config.statistik import BY_KEY, OLD_IDS

FAULT_MODES = (
    "timeout",  # hold the request without answering (until hold_seconds or stop)
    "500",  # 500 with a JSON error
    "bad-json",  # 200 with the JSON body cut in half
    "wrong-code",  # 200, but the document / identity names another village
    "negative",  # 200 with one negative count
    "401",  # 401 whatever the token
    "429",  # 429 + Retry-After: 1 for the first burst_429 requests of a window, then serves
    "slow",  # waits slow_ms before answering normally
    "drip",  # sends the body in small pieces with pauses (gaps < a short read timeout)
    "sum-mismatch",  # agama: rows + belum mengisi != total
    "unknown-fields",  # extra unknown fields at every level; valid otherwise
    "schema",  # summary v1 with schema_version "9"
    "too-large",  # 200 with a body (and Content-Length) over 25 MB, streamed
    "unknown-code",  # agama gets a row "99" "LAINNYA (BARU)"; sums stay consistent
)
SUMMARY_PATH = ("api", "village-summary", "v1")
STATISTIK_PREFIX = ("internal_api", "statistik")
JUMLAH_ID, BELUM_ID, TOTAL_ID = "666", "777", "888"
# the old numbering of statistics (before OpenSID 2501): old id -> today's catalogue key
OLD_TO_CURRENT: dict[str, str] = {old: new for new, old in OLD_IDS.items()}
MISMATCH_SLUG = "agama"  # the statistic that sum-mismatch and unknown-code break
UNKNOWN_CODE = ("99", "LAINNYA (BARU)")
TOO_LARGE_BYTES = 26 * 1024 * 1024  # over the collectors' 20 MB cap and over 25 MB
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
VERSION_HEADER = "X-OpenSID-Version"
_NO_TOKEN_KNOWN = object()  # token from an unset env variable: nobody can authenticate
_CHUNK = 64 * 1024


@dataclass
class Reply:
    """What the simulator answers: status, body and extra headers; or a streamed body
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


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return json_reply(status, {"error": {"status": status, "message": message}}, headers)


_json_reply = json_reply  # the old private name


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


def persen(part: int, whole: int) -> str:
    """OpenSID's percentage string: two decimals, decimal comma, e.g. '97,01%'."""
    value = 100.0 * part / whole if whole else 0.0
    return f"{value:.2f}".replace(".", ",") + "%"


def opensid_statistik(
    entry: Mapping, *, string_counts: bool = False, total_nama: str = "TOTAL"
) -> dict:
    """A statistics entry of the summary document in internal_api's flat JSON:API shape."""
    whole = entry["total"]["total"]

    def count(value: int) -> int | str:
        return str(value) if string_counts else value

    def attributes(nama: str, counts: Mapping[str, int]) -> dict:
        return {
            "nama": nama,
            "jumlah": count(counts["total"]),
            "laki": count(counts["laki"]),
            "perempuan": count(counts["perempuan"]),
            "persen": persen(counts["total"], whole),
            "persen1": persen(counts["laki"], whole),
            "persen2": persen(counts["perempuan"], whole),
        }

    data = [
        {
            "type": "statistik",
            "id": row["code"],
            "attributes": {"no": i, **attributes(row["label"], row)},
        }
        for i, row in enumerate(entry["rows"], 1)
    ]
    jumlah = {k: sum(row[k] for row in entry["rows"]) for k in ("total", "laki", "perempuan")}
    for ident, nama, counts in (
        (JUMLAH_ID, "JUMLAH", jumlah),
        (BELUM_ID, "BELUM MENGISI", entry["belum_mengisi"]),
        (TOTAL_ID, total_nama, entry["total"]),
    ):
        data.append({"type": "statistik", "id": ident, "attributes": attributes(nama, counts)})
    return {"data": data}


def nest(payload: Mapping, key: str, label: str) -> dict:
    """The nested shape some builds send: one item whose attributes hold `label` and the rows."""
    outer = {"label": label, "data": payload["data"]}
    return {"data": [{"type": "statistik", "id": key, "attributes": outer}]}


# ---------------------------------------------------------------- broken data for faults


def with_unknown_fields(value: object, depth: int = 0) -> object:
    """A copy with extra, unknown fields in every object (of several JSON types)."""
    if isinstance(value, list):
        return [with_unknown_fields(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_unknown_fields(v, depth + 1) for k, v in value.items()}
    out["x_catatan"] = "field baru dari versi mendatang"
    out["x_meta"] = {"depth": depth, "tags": ["baru", 2], "ok": True, "none": None}
    return out


def break_sums(entry: dict) -> None:
    """rows + belum mengisi != total: the first row gains 3 men (the row itself adds up)."""
    row = entry["rows"][0]
    row["laki"] += 3
    row["total"] += 3


def add_unknown_code(entry: dict) -> None:
    """A category the catalogue does not know, filled by moving people from the largest row."""
    code, label = UNKNOWN_CODE
    if any(r["code"] == code for r in entry["rows"]):
        code = "98"
    donor = max(entry["rows"], key=lambda r: r["total"])
    laki, perempuan = min(2, donor["laki"]), min(1, donor["perempuan"])
    donor["laki"] -= laki
    donor["perempuan"] -= perempuan
    donor["total"] -= laki + perempuan
    entry["rows"].append(
        {"code": code, "label": label, "total": laki + perempuan, "laki": laki,
         "perempuan": perempuan}
    )  # fmt: skip


def _make_negative(doc: dict) -> None:
    """Make one count of one statistic row negative (agama, or the first statistic)."""
    stats = doc["statistics"]
    entry = next((s for s in stats if s["slug"] == "agama"), stats[0])
    row = entry["rows"][0]
    row["laki"] = -row["laki"] - 1


def _mismatch_entry(doc: dict) -> dict:
    stats = doc["statistics"]
    return next((s for s in stats if s["slug"] == MISMATCH_SLUG and s["rows"]), stats[0])


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


_Server = SimServer  # the old private name


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
        return _error(405, "method not allowed", {"Allow": "GET"})


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
    return _error(429, "too many requests (simulated)", {"Retry-After": "1"})


def seeded_faults(
    codes: Sequence[str], rate: float, seed: int, modes: Sequence[str]
) -> dict[str, str]:
    """round(rate * villages) villages, picked by a seeded hash, each with a seeded mode."""
    if rate <= 0 or not modes:
        return {}
    count = min(len(codes), round(rate * len(codes)))
    ranked = sorted(codes, key=lambda kode: stable_int(seed, kode, "fault"))
    return {
        kode: modes[stable_int(seed, kode, "fault-mode") % len(modes)] for kode in ranked[:count]
    }


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


def base_url(headers: Mapping[str, str], fallback: str) -> str:
    host = headers.get("Host")
    return f"http://{host}" if host else fallback


# ---------------------------------------------------------------- the village simulator


class Simulator(HttpApp):
    """Serves synthetic data for the villages over HTTP, in a background thread."""

    name = "village-simulator"

    def __init__(
        self,
        villages: list[Village],
        *,
        host: str = "127.0.0.1",
        port: int = 8700,
        latency_ms: int = 0,
        fail_rate: float = 0.0,
        seed: int = 0,
        tahun: int = BASE_YEAR,
        faults: dict[str, str] | None = None,
        verbose: bool = False,
        hold_seconds: float = 60.0,
        fault_rate: float = 0.0,
        fault_seed: int | None = None,
        fault_modes: Sequence[str] | None = None,
        burst_429: int = 2,
        burst_window_s: float = 60.0,
        slow_ms: int = 2000,
        drip_seconds: float = 3.0,
        drip_gap: float = 0.25,
        too_large_bytes: int = TOO_LARGE_BYTES,
    ) -> None:
        super().__init__(host, port, verbose)
        self.villages = {v.kode_digits: v for v in villages}
        self._order = [v.kode_digits for v in villages]
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.seed = seed
        self.tahun = tahun
        self.hold_seconds = hold_seconds  # how long the "timeout" fault holds a request
        self.slow_ms = slow_ms  # the "slow" fault's extra wait
        self.drip_seconds = drip_seconds  # the "drip" fault: about this long in all ...
        self.drip_gap = drip_gap  # ... with pauses this long between pieces
        self.too_large_bytes = too_large_bytes
        self.bursts = Bursts(burst_429, burst_window_s)
        self._tokens = {v.kode_digits: self._token_of(v) for v in villages}
        self.fault_rate = fault_rate
        self.fault_seed = seed if fault_seed is None else fault_seed
        modes = tuple(fault_modes) if fault_modes is not None else FAULT_MODES
        for mode in modes:
            self._check_mode(mode)
        self._faults: dict[str, str] = seeded_faults(
            self._order, fault_rate, self.fault_seed, modes
        )
        for kode, mode in (faults or {}).items():
            self.set_fault(kode, mode)
        self._fail_rng = random.Random(f"{seed}:fail")
        self._cache: dict[tuple[str, int], tuple[dict, bytes, str]] = {}

    def village_url(self, kode: str) -> str:
        """The base URL of one village (what a registry's base_url should be)."""
        return f"{self.url}/{kode.replace('.', '')}"

    # ------------------------------------------------------------ faults and data

    @staticmethod
    def _check_mode(mode: str) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault {mode!r}; expected one of {', '.join(FAULT_MODES)}")

    def set_fault(self, kode: str, mode: str | None) -> None:
        """Apply a fault mode to every request for a village (digits or dotted); None clears."""
        kode = kode.replace(".", "")
        self.bursts.reset(kode)
        if mode is None:
            self._faults.pop(kode, None)
            return
        self._check_mode(mode)
        self._faults[kode] = mode

    @property
    def faults(self) -> dict[str, str]:
        return dict(self._faults)

    def assigned_faults(self) -> dict[str, str]:
        """Every village with a fault now (seeded by fault_rate, or set): kode digits -> mode."""
        return dict(self._faults)

    @staticmethod
    def _token_of(village: Village) -> object:
        try:
            return village.resolve_token()
        except RegistryError:
            return _NO_TOKEN_KNOWN

    def document(self, kode: str, tahun: int | None = None) -> tuple[dict, bytes, str]:
        """The village's document, its JSON body and ETag (cached; do not mutate the dict)."""
        kode = kode.replace(".", "")
        tahun = self.tahun if tahun is None else tahun
        key = (kode, tahun)
        cached = self._cache.get(key)
        if cached is None:
            doc = village_document(self.villages[kode], seed=self.seed, tahun=tahun)
            body = document_bytes(doc)
            cached = self._cache.setdefault(key, (doc, body, etag_of(body)))
        return cached

    def _faulty_document(self, kode: str, tahun: int, fault: str | None) -> dict:
        """The document as a faulty village serves it (a private copy when broken)."""
        doc, body, _ = self.document(kode, tahun)
        if fault not in ("wrong-code", "negative", "sum-mismatch", "unknown-code", "schema"):
            return doc
        broken = json.loads(body)
        if fault == "wrong-code":
            broken["village"]["kode_desa"] = self._other_code(kode)
        elif fault == "negative":
            _make_negative(broken)
        elif fault == "sum-mismatch":
            break_sums(_mismatch_entry(broken))
        elif fault == "unknown-code":
            add_unknown_code(_mismatch_entry(broken))
        else:
            broken["schema_version"] = "9"
        return broken

    # ------------------------------------------------------------ answering

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        """The reply to a GET, or None to close the connection without answering.

        Fault order: fail_rate (503), latency, then the village's fault: timeout (hold),
        500, 401, 429 (burst), slow (wait, then serve), too-large (any path); then the route
        answers (data faults, bad-json and unknown-fields apply there); then drip."""
        with self._lock:
            self._count += 1
            failed = self.fail_rate > 0 and self._fail_rng.random() < self.fail_rate
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        if failed:
            return _error(503, "service unavailable (simulated)", {"Retry-After": "1"})
        url = urlsplit(raw_path)
        parts = [p for p in url.path.split("/") if p]
        kode = parts[0].replace(".", "") if parts else ""
        if kode not in self.villages:
            return _error(404, f"no village at /{kode}" if kode else "no village in the path")
        fault = self._faults.get(kode)
        if fault == "timeout":
            self._stopping.wait(self.hold_seconds)
            return None
        if fault == "500":
            return _error(500, "internal server error (simulated)")
        if fault == "401":
            return _error(401, "unauthorized (simulated)", {"WWW-Authenticate": "Bearer"})
        if fault == "429" and self.bursts.refuse(kode):
            return too_many_requests()
        if fault == "slow" and self._stopping.wait(self.slow_ms / 1000):
            return None
        if fault == "too-large":
            return too_large_reply(self.too_large_bytes)
        reply = self._route(kode, url.path, tuple(parts[1:]), parse_qs(url.query), headers, fault)
        if fault == "drip":
            reply = drip(reply, self.drip_seconds, self.drip_gap)
        return reply

    def _route(
        self,
        kode: str,
        path: str,
        rest: tuple[str, ...],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        fault: str | None,
    ) -> Reply:
        raw_tahun = (query.get("tahun") or query.get("filter[tahun]") or [""])[0]
        try:
            tahun = int(raw_tahun) if raw_tahun else self.tahun
        except ValueError:
            return _error(400, f"tahun {raw_tahun!r} is not a year")
        if not 1900 <= tahun <= 2100:
            return _error(400, f"tahun {tahun} is out of range")
        if rest == SUMMARY_PATH:
            return self._summary(kode, tahun, headers, fault)
        if rest[:1] != ("internal_api",):
            return _error(404, f"unknown path {path}")
        if len(rest) == 3 and rest[:2] == STATISTIK_PREFIX:
            reply = self._statistik(kode, rest[2], tahun, fault)
        elif rest == ("internal_api", "pembangunan"):
            reply = self._pembangunan(kode, tahun, query, headers, fault)
        elif len(rest) == 3 and rest[1] == "peserta_bantuan":
            reply = self._peserta_bantuan(kode, rest[2], tahun, fault)
        elif rest == ("internal_api", "wilayah", "administratif"):
            reply = self._wilayah(kode, tahun, fault)
        else:
            reply = _error(404, f"unknown path {path}")
        if fault == "unknown-fields" and reply.status == 200:
            reply = json_reply(200, with_unknown_fields(json.loads(reply.body)))
        if fault == "bad-json" and reply.status == 200:
            reply.body = reply.body[: len(reply.body) // 2]
        reply.headers[VERSION_HEADER] = source_version(kode, self.seed)
        return reply

    def _authorized(self, kode: str, authorization: str | None) -> bool:
        token = self._tokens.get(kode)
        if token is None:
            return True
        if token is _NO_TOKEN_KNOWN or not authorization:
            return False
        scheme, _, given = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode(), str(token).encode())

    def _summary(
        self, kode: str, tahun: int, headers: Mapping[str, str], fault: str | None
    ) -> Reply:
        if not self._authorized(kode, headers.get("Authorization")):
            return _error(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
        doc, body, etag = self.document(kode, tahun)
        if fault == "bad-json":  # before the ETag check: a cached copy must not hide it
            return Reply(200, body[: len(body) // 2], {"Content-Type": "application/json"})
        broken = self._faulty_document(kode, tahun, fault)
        if broken is not doc:
            body = document_bytes(broken)
            etag = etag_of(body)
        if fault == "unknown-fields":  # the ETag must be that of the bytes sent
            body = json_body(with_unknown_fields(json.loads(body)))
            etag = etag_of(body)
        inm = headers.get("If-None-Match")
        cache_headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if inm and etag_matches(inm, etag):
            return Reply(304, b"", cache_headers)
        return Reply(200, body, {"Content-Type": "application/json", **cache_headers})

    def catalogue_key(self, kode: str, key: str) -> str | None:
        """Which catalogue statistic a village's internal_api id means (None: no such id)."""
        if uses_old_statistik_ids(kode, self.seed):
            if key in OLD_TO_CURRENT:
                return OLD_TO_CURRENT[key]
            if key in OLD_IDS:  # the new ids (13/14/15) do not exist yet on old versions
                return None
        return key if key in BY_KEY else None

    def _statistik(self, kode: str, key: str, tahun: int, fault: str | None) -> Reply:
        current = self.catalogue_key(kode, key)
        if current is None:
            return _error(404, f"unknown statistik {key!r}")
        doc = self._faulty_document(kode, tahun, fault if fault != "negative" else None)
        entry = find_statistic(doc, current)
        if entry is None:
            return _error(404, f"statistik {key!r} not available")
        payload = opensid_statistik(entry, string_counts=sends_string_counts(kode, self.seed),
                                    total_nama=total_label(kode, self.seed))  # fmt: skip
        if fault == "negative":
            attrs = payload["data"][0]["attributes"]
            value = -int(attrs["jumlah"]) - 1
            attrs["jumlah"] = str(value) if isinstance(attrs["jumlah"], str) else value
        if uses_nested_shape(kode, self.seed):
            payload = nest(payload, key, BY_KEY[current].judul)
        return json_reply(200, payload)

    def _number(self, kode: str, value: int) -> int | str:
        return str(value) if sends_string_counts(kode, self.seed) else value

    def _pembangunan(
        self,
        kode: str,
        tahun: int,
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        fault: str | None,
    ) -> Reply:
        params = page_params(query, DEFAULT_PAGE_SIZE)
        if isinstance(params, str):
            return _error(400, params)
        doc, _, _ = self.document(kode, tahun)
        items = [
            {
                "type": "pembangunan",
                "id": p["id"],
                "attributes": {
                    "judul": p["judul"],
                    "sumber_dana": p["sumber_dana"],
                    "anggaran": self._number(kode, p["anggaran"]),
                    "volume": p["volume"],
                    "tahun_anggaran": p["tahun_anggaran"],
                    "pelaksana_kegiatan": p["pelaksana"],
                    "lokasi": p["lokasi"],
                    "persentase": f"{p['progres']}%",
                },
            }
            for p in doc["pembangunan"]
        ]
        if fault == "negative" and items:
            items[0]["attributes"]["anggaran"] = -int(items[0]["attributes"]["anggaran"])
        base = f"{base_url(headers, self.url)}/{kode}/internal_api/pembangunan"
        data, meta, links = paginate(items, *params, base, query)
        return json_reply(200, {"data": data, "meta": {"pagination": meta}, "links": links})

    def _peserta_bantuan(self, kode: str, which: str, tahun: int, fault: str | None) -> Reply:
        doc, _, _ = self.document(kode, tahun)

        def resource(p: Mapping) -> dict:
            return {
                "type": "program",
                "id": p["program_id"],
                "attributes": {
                    "nama": p["nama"],
                    "sasaran": p["sasaran"],
                    "asal_dana": p["asal_dana"],
                    "mulai": p["mulai"],
                    "selesai": p["selesai"],
                    "jumlah_peserta": self._number(kode, p["peserta"]),
                },
            }

        targets = {"bantuan_penduduk": 1, "bantuan_keluarga": 2}
        if which in targets:
            data = [resource(p) for p in doc["bantuan"] if p["sasaran"] == targets[which]]
            if fault == "negative" and data:
                data[0]["attributes"]["jumlah_peserta"] = -1
            return json_reply(200, {"data": data, "meta": {"total": len(data)}})
        programme = next((p for p in doc["bantuan"] if p["program_id"] == which), None)
        if programme is None:
            return _error(404, f"no programme {which!r}")
        item = resource(programme)
        if fault == "negative":
            item["attributes"]["jumlah_peserta"] = -1
        return json_reply(200, {"data": item})

    def _wilayah(self, kode: str, tahun: int, fault: str | None) -> Reply:
        doc, _, _ = self.document(kode, tahun)
        village = doc["village"]
        kode_desa = village["kode_desa"]
        if fault == "wrong-code":
            kode_desa = self._other_code(kode)
        kode_desa = kode_desa.replace(".", "")
        version = source_version(kode, self.seed)
        if uses_old_statistik_ids(kode, self.seed):  # old installs keep only the last 4 digits
            kode_desa = kode_desa[-4:]
        kabupaten = get_region(village["kode_kabupaten"])
        attributes = {
            "kode_desa": kode_desa,
            "nama_desa": village["nama_desa"],
            "sebutan_desa": village["sebutan_desa"],
            "kode_kecamatan": village["kode_kecamatan"].replace(".", ""),
            "nama_kecamatan": village["nama_kecamatan"],
            "kode_kabupaten": village["kode_kabupaten"].replace(".", ""),
            "nama_kabupaten": kabupaten.nama if kabupaten else "",
            "website": village["website"],
        }
        payload = {
            "data": {"type": "wilayah", "id": kode, "attributes": attributes},
            "meta": {
                "app": "OpenSID",
                "version": version,
                "data_last_updated": doc["source"]["data_last_updated"],
            },
        }
        return json_reply(200, payload)

    def _other_code(self, kode: str) -> str:
        """Another registry village's dotted code (or a made-up one for a one-village registry)."""
        if len(self._order) > 1:
            other = self._order[(self._order.index(kode) + 1) % len(self._order)]
            return self.villages[other].kode_desa
        dotted = self.villages[kode].kode_desa
        last = dotted[-4:]
        return dotted[:-4] + ("2999" if last != "2999" else "2998")


def serve_forever(
    villages: list[Village],
    *,
    port: int = 8700,
    latency_ms: int = 0,
    fail_rate: float = 0.0,
    seed: int = 0,
    host: str = "127.0.0.1",
    tahun: int = BASE_YEAR,
    faults: dict[str, str] | None = None,
    verbose: bool = False,
    fault_rate: float = 0.0,
    fault_seed: int | None = None,
) -> None:
    """Serve until Ctrl-C (for the CLI); prints where the villages are."""
    sim = Simulator(
        villages,
        host=host,
        port=port,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        seed=seed,
        tahun=tahun,
        faults=faults,
        verbose=verbose,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
    )
    sim.start()
    first = villages[0].kode_digits if villages else "<kode>"
    print(
        f"Village simulator: {len(villages)} villages at {sim.url}/<kode_desa digits>, "
        f"e.g. {sim.url}/{first}/api/village-summary/v1 (Ctrl-C stops)",
        flush=True,
    )
    assigned = sim.assigned_faults()
    if assigned:
        listed = ", ".join(f"{k}={m}" for k, m in sorted(assigned.items()))
        print(f"faults in {len(assigned)} villages: {listed}", flush=True)
    try:
        while not sim.stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("stopping the village simulator", flush=True)
    finally:
        sim.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m collectors.simulator`: serve the villages of a registry."""
    parser = argparse.ArgumentParser(description="Serve synthetic village data over HTTP.")
    default_registry = Path(__file__).resolve().parents[1] / "config" / "villages-17.03.csv"
    parser.add_argument("--villages", default=str(default_registry), help="registry CSV")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty villages")
    parser.add_argument("--fault-seed", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tahun", type=int, default=BASE_YEAR)
    parser.add_argument(
        "--fault", action="append", default=[], metavar="KODE=MODE", help=", ".join(FAULT_MODES)
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    faults = dict(item.split("=", 1) for item in args.fault)
    try:
        villages = load_registry(args.villages)
    except RegistryError as exc:
        sys.exit(str(exc))
    serve_forever(
        villages,
        port=args.port,
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        seed=args.seed,
        host=args.host,
        tahun=args.tahun,
        faults=faults,
        verbose=args.verbose,
        fault_rate=args.fault_rate,
        fault_seed=args.fault_seed,
    )


if __name__ == "__main__":
    main()
