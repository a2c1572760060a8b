"""The village simulator: a real HTTP server for every village of a registry.

Routes, under `/{kode_desa digits}` (one record per village and year from
simulator.synthetic, the same numbers on both routes for the same seed):
- `GET /api/village-summary/v1?tahun=YYYY`: the village-summary v1 document (ETag, bearer
  token), simulator.summary;
- `GET /internal_api/...`: OpenSID 2508's internal_api exactly as the real system answers
  (statistik/{key}, pembangunan, peserta_bantuan/{key}, wilayah/administratif; anything else
  an HTML 404 page), simulator.opensid. Like a real village, internal_api shows the
  village as it is today (the simulator's `tahun`): `?tahun` only picks aid programmes;
- any other path under a village: OpenSID's 404 page (`/api/...`: a JSON 404).

Faults per village (`faults=`, `set_fault`, or `fault_rate` for a seeded share of villages)
imitate what real village servers do: hang, fail, throttle, drip, send broken, odd or huge
data. simulator.faults lists them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from config.registry import RegistryError, Village, load_registry
from simulator import opensid, summary
from simulator.faults import (
    FAULT_MODES,
    broken_document,
    check_mode,
    seeded_faults,
    with_unknown_fields,
)
from simulator.http import (
    TOO_LARGE_BYTES,
    Bursts,
    HttpApp,
    Reply,
    base_url,
    drip,
    error_reply,
    etag_of,
    too_large_reply,
    too_many_requests,
)
from simulator.synthetic import BASE_YEAR, VillageRecord, document_bytes, village_record

__all__ = ["FAULT_MODES", "Simulator", "main", "serve_forever"]


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
        self.tahun = tahun  # "today" of every village: what internal_api shows
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
            check_mode(mode)
        self._faults: dict[str, str] = seeded_faults(
            self._order, fault_rate, self.fault_seed, modes
        )
        for kode, mode in (faults or {}).items():
            self.set_fault(kode, mode)
        self._fail_rng = random.Random(f"{seed}:fail")
        self._cache: dict[tuple[str, int], tuple[VillageRecord, bytes, str]] = {}

    def village_url(self, kode: str) -> str:
        """The base URL of one village (what a registry's base_url should be)."""
        return f"{self.url}/{kode.replace('.', '')}"

    # ------------------------------------------------------------ faults and data

    def set_fault(self, kode: str, mode: str | None) -> None:
        """Apply a fault mode to every request for a village (digits or dotted); None clears."""
        kode = kode.replace(".", "")
        self.bursts.reset(kode)
        if mode is None:
            self._faults.pop(kode, None)
            return
        check_mode(mode)
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
            return summary.NO_TOKEN_KNOWN

    def _cached(self, kode: str, tahun: int | None) -> tuple[VillageRecord, bytes, str]:
        kode = kode.replace(".", "")
        key = (kode, self.tahun if tahun is None else tahun)
        cached = self._cache.get(key)
        if cached is None:
            record = village_record(self.villages[kode], seed=self.seed, tahun=key[1])
            body = document_bytes(record.document)
            cached = self._cache.setdefault(key, (record, body, etag_of(body)))
        return cached

    def record(self, kode: str, tahun: int | None = None) -> VillageRecord:
        """The village's record in the year (default: the simulator's); do not mutate."""
        return self._cached(kode, tahun)[0]

    def document(self, kode: str, tahun: int | None = None) -> tuple[dict, bytes, str]:
        """The village's summary document, its JSON body and ETag (cached; do not mutate)."""
        record, body, etag = self._cached(kode, tahun)
        return record.document, body, etag

    # ------------------------------------------------------------ answering

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        """The reply to a GET, or None to close the connection without answering.

        Fault order: fail_rate (503), latency, then the village's fault: timeout (hold),
        500, 401, 429 (burst), slow (wait, then serve), too-large (any path); then the route
        answers (data faults, bad-json, unknown-fields and string-counts apply there); then
        drip."""
        with self._lock:
            self._count += 1
            failed = self.fail_rate > 0 and self._fail_rng.random() < self.fail_rate
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        if failed:
            return error_reply(503, "service unavailable (simulated)", {"Retry-After": "1"})
        url = urlsplit(raw_path)
        parts = [p for p in url.path.split("/") if p]
        kode = parts[0].replace(".", "") if parts else ""
        if kode not in self.villages:
            return error_reply(404, f"no village at /{kode}" if kode else "no village in the path")
        rest = tuple(parts[1:])
        internal = rest[:1] == ("internal_api",)
        fault = self._faults.get(kode)
        if fault == "timeout":
            self._stopping.wait(self.hold_seconds)
            return None
        if fault == "500":
            if internal:
                return opensid.server_error()
            return error_reply(500, "internal server error (simulated)")
        if fault == "401":
            return error_reply(401, "unauthorized (simulated)", {"WWW-Authenticate": "Bearer"})
        if fault == "429" and self.bursts.refuse(kode):
            return too_many_requests()
        if fault == "slow" and self._stopping.wait(self.slow_ms / 1000):
            return None
        if fault == "too-large":
            return too_large_reply(self.too_large_bytes)
        if rest == summary.PATH:
            reply = self._summary(kode, url.query, headers, fault)
        elif internal:
            reply = self._internal_api(kode, rest[1:], url, headers, fault)
        elif rest[:1] == ("api",):
            reply = error_reply(404, f"unknown path {url.path}")
        else:
            reply = opensid.not_found(headers.get("Host") or f"{self.host}:{self.port}")
        if fault == "drip":
            reply = drip(reply, self.drip_seconds, self.drip_gap)
        return reply

    def _summary(
        self, kode: str, raw_query: str, headers: Mapping[str, str], fault: str | None
    ) -> Reply:
        raw_tahun = opensid.last(opensid.query_pairs(raw_query), "tahun") or ""
        try:
            tahun = int(raw_tahun) if raw_tahun else self.tahun
        except ValueError:
            return error_reply(400, f"tahun {raw_tahun!r} is not a year")
        if not 1900 <= tahun <= 2100:
            return error_reply(400, f"tahun {tahun} is out of range")
        record, body, etag = self._cached(kode, tahun)
        return summary.answer(
            record.document,
            body,
            etag,
            headers,
            token=self._tokens.get(kode),
            fault=fault,
            other_code=self._other_code(kode),
        )

    def _internal_api(
        self, kode: str, rest: tuple[str, ...], url, headers: Mapping[str, str], fault: str | None
    ) -> Reply:
        record = self.record(kode)
        if fault == "unknown-code" and rest[:1] == ("statistik",):
            broken = broken_document(record.document, fault, self._other_code(kode))
            record = dataclasses.replace(record, document=broken)
        host = headers.get("Host") or f"{self.host}:{self.port}"
        reply = opensid.answer(
            record,
            rest,
            url.query,
            url=f"{base_url(headers, self.url)}{url.path}",
            host=host,
            seed=self.seed,
            kode=kode,
        )
        if reply.status != 200 or fault is None:
            return reply
        payload = json.loads(reply.body)
        if fault == "sum-mismatch" and rest == ("statistik", "3"):
            first = payload["data"][0]["attributes"]  # a category gains 3 men, 666 does not
            first["jumlah"] += 3
            first["laki"] += 3
        elif fault == "negative" and payload.get("data"):
            _negate_first(payload, rest)
        elif fault == "string-counts" and rest[:1] == ("statistik",):
            for item in payload["data"]:
                attrs = item["attributes"]
                for field in ("jumlah", "laki", "perempuan"):
                    if isinstance(attrs.get(field), int):
                        attrs[field] = str(attrs[field])
        elif fault == "unknown-fields":
            payload = with_unknown_fields(payload)
        elif fault == "bad-json":
            return Reply(200, reply.body[: len(reply.body) // 2], reply.headers)
        return Reply(200, opensid.php_json(payload), reply.headers)

    def _other_code(self, kode: str) -> str:
        """Another registry village's dotted code (or a made-up one for a one-village registry)."""
        if len(self._order) > 1:
            other = self._order[(self._order.index(kode) + 1) % len(self._order)]
            return self.villages[other].kode_desa
        dotted = self.villages[kode].kode_desa
        last = dotted[-4:]
        return dotted[:-4] + ("2999" if last != "2999" else "2998")


def _negate_first(payload: dict, rest: tuple[str, ...]) -> None:
    """The 'negative' fault on internal_api: the first statistic row's jumlah, or the first
    project's anggaran, below zero."""
    attrs = payload["data"][0]["attributes"]
    if rest[:1] == ("statistik",):
        attrs["jumlah"] = -int(attrs["jumlah"]) - 1
    elif rest == ("pembangunan",):
        attrs["anggaran"] = -int(attrs["anggaran"]) - 1


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
        f"e.g. {sim.url}/{first}/api/village-summary/v1 or "
        f"{sim.url}/{first}/internal_api/statistik/4 (Ctrl-C stops)",
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


def region_registry(kode: str) -> list[Village]:
    """Every village of a provinsi, kabupaten or kecamatan of the region reference, as a
    registry (the demo and bench of a province need no registry file)."""
    from config.regions import level_of
    from config.registry import build_registry_rows, parse_registry, registry_csv

    level = level_of(kode)
    if level == "desa":
        raise RegistryError(f"--wilayah {kode}: give a provinsi, kabupaten or kecamatan")
    rows = build_registry_rows(**{level: kode})
    return parse_registry(registry_csv(rows), source=f"--wilayah {kode}")


def main(argv: list[str] | None = None) -> None:
    """`python -m simulator`: serve the villages of a registry."""
    parser = argparse.ArgumentParser(description="Serve synthetic village data over HTTP.")
    default_registry = Path(__file__).resolve().parents[1] / "config" / "villages-17.03.csv"
    parser.add_argument("--villages", default=str(default_registry), help="registry CSV")
    parser.add_argument(
        "--wilayah", help="serve every village of this provinsi or kabupaten instead (e.g. 33)"
    )
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
        villages = region_registry(args.wilayah) if args.wilayah else load_registry(args.villages)
    except (RegistryError, ValueError) as exc:
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
