"""The built-in village simulator: a real HTTP server for every village of a registry.

Routes, under `/{kode_desa digits}`:
- `GET /api/village-summary/v1?tahun=YYYY`: the village-summary v1 document (ETag, bearer token);
- `GET /internal_api/statistik/{key}?tahun=YYYY`: OpenSID's public JSON:API statistics shape.
Both serve the same numbers (collectors.synthetic, same seed). Faults per village imitate
what real village servers do: hang, fail, send broken or wrong data.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from collectors.synthetic import (
    BASE_YEAR,
    document_bytes,
    find_statistic,
    sends_string_counts,
    village_document,
)
from config.registry import RegistryError, Village, load_registry
from config.statistik import BY_KEY

FAULT_MODES = ("timeout", "500", "bad-json", "wrong-code", "negative", "401")
SUMMARY_PATH = ("api", "village-summary", "v1")
STATISTIK_PREFIX = ("internal_api", "statistik")
JUMLAH_ID, BELUM_ID, TOTAL_ID = "666", "777", "888"
_NO_TOKEN_KNOWN = object()  # token from an unset env variable: nobody can authenticate


@dataclass
class Reply:
    """What the simulator answers: status, body and extra headers."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json", **(headers or {})})


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return _json_reply(status, {"error": {"status": status, "message": message}}, headers)


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


def opensid_statistik(entry: Mapping, *, string_counts: bool = False) -> dict:
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
        (TOTAL_ID, "TOTAL", entry["total"]),
    ):
        data.append({"type": "statistik", "id": ident, "attributes": attributes(nama, counts)})
    return {"data": data}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # collectors open 32+ connections at once
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator) -> None:
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
    server: _Server

    def do_GET(self) -> None:  # the name is fixed by http.server
        reply = self.server.simulator.answer(self.path, self.headers)
        if reply is None:  # held or stopped: close without a word
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 304:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body and reply.status != 304:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.simulator.verbose:
            super().log_message(format, *args)


class Simulator:
    """Serves synthetic data for the villages over HTTP, in a background thread."""

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
    ) -> None:
        self.villages = {v.kode_digits: v for v in villages}
        self._order = [v.kode_digits for v in villages]
        self.host = host
        self._port = port
        self.latency_ms = latency_ms
        self.fail_rate = fail_rate
        self.seed = seed
        self.tahun = tahun
        self.verbose = verbose
        self.hold_seconds = hold_seconds  # how long the "timeout" fault holds a request
        self._tokens = {v.kode_digits: self._token_of(v) for v in villages}
        self._faults: dict[str, str] = {}
        for kode, mode in (faults or {}).items():
            self.set_fault(kode, mode)
        self._lock = threading.Lock()
        self._fail_rng = random.Random(f"{seed}:fail")
        self._count = 0
        self._cache: dict[tuple[str, int], tuple[dict, bytes, str]] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Simulator:
        """Bind and serve in a daemon thread; port 0 picks a free port."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._stopping.clear()
        self._server = _Server((self.host, self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"village-simulator:{self._port}",
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

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    def village_url(self, kode: str) -> str:
        """The base URL of one village (what a registry's base_url should be)."""
        return f"{self.url}/{kode.replace('.', '')}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._count

    # ------------------------------------------------------------ faults and data

    def set_fault(self, kode: str, mode: str | None) -> None:
        """Apply a fault mode to every request for a village (digits or dotted); None clears."""
        kode = kode.replace(".", "")
        if mode is None:
            self._faults.pop(kode, None)
            return
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault {mode!r}; expected one of {', '.join(FAULT_MODES)}")
        self._faults[kode] = mode

    @property
    def faults(self) -> dict[str, str]:
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

    # ------------------------------------------------------------ answering

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        """The reply to a GET, or None to close the connection without answering."""
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
        query = parse_qs(url.query)
        raw_tahun = (query.get("tahun") or [""])[0]
        try:
            tahun = int(raw_tahun) if raw_tahun else self.tahun
        except ValueError:
            return _error(400, f"tahun {raw_tahun!r} is not a year")
        if not 1900 <= tahun <= 2100:
            return _error(400, f"tahun {tahun} is out of range")
        rest = tuple(parts[1:])
        if rest == SUMMARY_PATH:
            return self._summary(kode, tahun, headers, fault)
        if len(rest) == 3 and rest[:2] == STATISTIK_PREFIX:
            return self._statistik(kode, rest[2], tahun, fault)
        return _error(404, f"unknown path {url.path}")

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
        if fault == "bad-json":
            return Reply(200, body[: len(body) // 2], {"Content-Type": "application/json"})
        if fault in ("wrong-code", "negative"):
            broken = json.loads(body)  # a private copy; the cached document stays intact
            if fault == "wrong-code":
                broken["village"]["kode_desa"] = self._other_code(kode)
            else:
                _make_negative(broken)
            body = document_bytes(broken)
            etag = etag_of(body)
        inm = headers.get("If-None-Match")
        cache_headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if inm and etag_matches(inm, etag):
            return Reply(304, b"", cache_headers)
        return Reply(200, body, {"Content-Type": "application/json", **cache_headers})

    def _statistik(self, kode: str, key: str, tahun: int, fault: str | None) -> Reply:
        if key not in BY_KEY:
            return _error(404, f"unknown statistik {key!r}")
        doc, _, _ = self.document(kode, tahun)
        entry = find_statistic(doc, key)
        if entry is None:
            return _error(404, f"statistik {key!r} not available")
        payload = opensid_statistik(entry, string_counts=sends_string_counts(kode, self.seed))
        if fault == "negative":
            attrs = payload["data"][0]["attributes"]
            value = -int(attrs["jumlah"]) - 1
            attrs["jumlah"] = str(value) if isinstance(attrs["jumlah"], str) else value
        reply = _json_reply(200, payload)
        if fault == "bad-json":
            reply.body = reply.body[: len(reply.body) // 2]
        return reply

    def _other_code(self, kode: str) -> str:
        """Another registry village's dotted code (or a made-up one for a one-village registry)."""
        if len(self._order) > 1:
            other = self._order[(self._order.index(kode) + 1) % len(self._order)]
            return self.villages[other].kode_desa
        dotted = self.villages[kode].kode_desa
        last = dotted[-4:]
        return dotted[:-4] + ("2999" if last != "2999" else "2998")


def _make_negative(doc: dict) -> None:
    """Make one count of one statistic row negative (agama, or the first statistic)."""
    stats = doc["statistics"]
    entry = next((s for s in stats if s["slug"] == "agama"), stats[0])
    row = entry["rows"][0]
    row["laki"] = -row["laki"] - 1


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
    )
    sim.start()
    first = villages[0].kode_digits if villages else "<kode>"
    print(
        f"Village simulator: {len(villages)} villages at {sim.url}/<kode_desa digits>, "
        f"e.g. {sim.url}/{first}/api/village-summary/v1 (Ctrl-C stops)",
        flush=True,
    )
    try:
        while not sim._stopping.wait(0.5):
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
    )


if __name__ == "__main__":
    main()
