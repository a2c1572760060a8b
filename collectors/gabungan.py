"""A simulator of the API Database Gabungan: one shared OpenSID database for many villages.

The real API (Laravel, Sanctum tokens, JSON:API) is not reachable from here, so the details
below are this simulator's decisions; adapters should still be liberal in what they accept.
Numbers are those of collectors.synthetic.village_document (same seed, same villages).

Authentication
- `POST /api/v1/signin` with JSON `{"email": ..., "password": ...}`
  -> 200 `{"data": {"token": "<id>|<secret>", "token_type": "Bearer"}}`.
  Missing fields or a non-JSON body -> 422 `{"message": ..., "errors": {"email": [...]}}`;
  wrong email or password -> 401 `{"message": "These credentials do not match our records."}`.
- Every other route needs `Authorization: Bearer <token>`; a missing, unknown or expired token
  -> 401 `{"message": "Unauthenticated."}`. `expire_tokens()` ends every token issued so far;
  `token_ttl_s` ends each token that long after sign-in.
- Accounts: `credentials={email: password}`; else taken from the villages' `token_spec`
  (a literal or `env:VAR`) holding `email:password`, an account then seeing only the villages
  whose registry row named it (others -> 403); else DEFAULT_EMAIL / DEFAULT_PASSWORD, seeing all.

`GET /api/v1/statistik-web/penduduk`
- `filter[id]` (required): a catalogue key ("3", "kelas_sosial") or slug ("agama",
  "kelas-sosial", "kelas_sosial"); unknown -> 404. `filter[tahun]`: the year (default: the
  simulator's). `filter[desa]`: a village code, dotted or digits -> that village's numbers;
  else `filter[kecamatan]` (or `filter[kabupaten]`) -> the sum over its villages; neither ->
  the sum over every village served. A region with no village served -> 404.
- Rows: `{"type": "statistik-web", "id": "<id>", "attributes": {"id": <int>, "nama": str,
  "jumlah": int, "persentase_jumlah": float, "laki_laki": int, "persentase_laki_laki": float,
  "perempuan": int, "persentase_perempuan": float}}`; percentages are numbers (of TOTAL, two
  decimals). Category rows first (codes summed across villages; villages with edited age
  brackets contribute their own bracket rows), then 66666 JUMLAH, 77777 BELUM MENGISI,
  88888 TOTAL. The summary rows are part of the paginated list, so they come on the last page.
- Pagination: `page[number]` (from 1), `page[size]` (default 10, at most 100); `meta.pagination`
  = `{total, count, per_page, current_page, total_pages}`; `links` = `{self, first, last, prev,
  next}` (absolute URLs, null at the ends).

`GET /api/v1/keuangan/summary`
- Same filters (`filter[tahun]`, `filter[desa]`, `filter[kecamatan]`), page size default 50.
- Rows: `{"type": "keuangan-summary", "id": <template_uuid>, "attributes": {"template_uuid":
  str, "parent_uuid": str | null, "uraian": str, "anggaran": int, "realisasi": int}}`, in account
  order; a kecamatan sums its villages per account; kelurahan have no APBDes (no rows).
  `template_uuid` is the same for an account in every village: `template_uuid("4.2.1")`.

Errors other than 401/422 use JSON:API: `{"errors": [{"status": "404", "title": ..., "detail":
...}]}`. Faults (`faults={code or "*": mode}`, `set_fault`): a key is a village or kecamatan
code (dotted or digits) and applies to every request whose villages include one it covers;
"*" applies to every request. Modes: GABUNGAN_FAULT_MODES, with the meaning they have in
collectors.simulator.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlsplit

from collectors.simulator import (
    TOO_LARGE_BYTES,
    Bursts,
    HttpApp,
    Reply,
    add_unknown_code,
    base_url,
    break_sums,
    drip,
    json_reply,
    page_params,
    paginate,
    too_large_reply,
    too_many_requests,
    with_unknown_fields,
)
from collectors.synthetic import BASE_YEAR, find_statistic, village_document
from config.registry import RegistryError, Village
from config.statistik import BY_KEY, BY_SLUG

GABUNGAN_FAULT_MODES = (
    "timeout", "500", "bad-json", "401", "429", "slow", "drip", "too-large", "sum-mismatch",
    "unknown-fields", "unknown-code", "negative",
)  # fmt: skip
DEFAULT_EMAIL = "operator@gabungan.test"
DEFAULT_PASSWORD = "rahasia"
SIGNIN_PATH = "/api/v1/signin"
STATISTIK_PATH = "/api/v1/statistik-web/penduduk"
KEUANGAN_PATH = "/api/v1/keuangan/summary"
JUMLAH_ID, BELUM_ID, TOTAL_ID = 66666, 77777, 88888
STATISTIK_PAGE_SIZE = 10
KEUANGAN_PAGE_SIZE = 50
_TEMPLATE_NS = uuid.UUID("5f0c7a8e-2b51-4c1e-9d0e-6a1f3b7c2d40")  # this simulator's namespace
UNAUTHENTICATED = {"message": "Unauthenticated."}


def template_uuid(kode: str) -> str:
    """The APBDes template uuid of an account code ("4.2.1"): the same in every village."""
    return str(uuid.uuid5(_TEMPLATE_NS, f"apbdes:{kode}"))


def _digits(code: str) -> str:
    return code.replace(".", "").strip()


def _api_error(status: int, title: str, detail: str, headers: Mapping[str, str] | None = None):
    error = {"status": str(status), "title": title, "detail": detail}
    return json_reply(status, {"errors": [error]}, headers)


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _row_id(code: str) -> int | str:
    return int(code) if code.isdigit() else code


def sum_statistic(entries: Sequence[Mapping]) -> dict:
    """Several villages' entries of one statistic added up, rows matched by code."""
    fields = ("total", "laki", "perempuan")
    rows: dict[str, dict] = {}
    belum = dict.fromkeys(fields, 0)
    total = dict.fromkeys(fields, 0)
    for entry in entries:
        for row in entry["rows"]:
            into = rows.setdefault(row["code"], {"code": row["code"], "label": row["label"],
                                                 **dict.fromkeys(fields, 0)})  # fmt: skip
            for f in fields:
                into[f] += row[f]
        for f in fields:
            belum[f] += entry["belum_mengisi"][f]
            total[f] += entry["total"][f]
    first = entries[0] if entries else {"key": "", "slug": ""}
    return {
        "key": first["key"],
        "slug": first["slug"],
        "rows": list(rows.values()),
        "belum_mengisi": belum,
        "total": total,
    }


def sum_apbdes(documents: Sequence[Mapping]) -> list[dict]:
    """APBDes accounts added up over villages, in account order."""
    accounts: dict[str, dict] = {}
    for doc in documents:
        for row in doc["apbdes"]:
            into = accounts.setdefault(
                row["kode"], {"kode": row["kode"], "uraian": row["uraian"], "anggaran": 0,
                              "realisasi": 0}
            )  # fmt: skip
            into["anggaran"] += row["anggaran"]
            into["realisasi"] += row["realisasi"]
    order = sorted(accounts, key=lambda k: [int(p) for p in k.split(".")])
    return [accounts[k] for k in order]


class GabunganSimulator(HttpApp):
    """Serves the API Database Gabungan for a list of villages, in a background thread."""

    name = "gabungan-simulator"

    def __init__(
        self,
        villages: list[Village],
        *,
        host: str = "127.0.0.1",
        port: int = 8710,
        latency_ms: int = 0,
        seed: int = 0,
        tahun: int = BASE_YEAR,
        faults: dict[str, str] | None = None,
        verbose: bool = False,
        credentials: Mapping[str, str] | None = None,
        token_ttl_s: float | None = None,
        hold_seconds: float = 60.0,
        burst_429: int = 2,
        burst_window_s: float = 60.0,
        slow_ms: int = 2000,
        drip_seconds: float = 3.0,
        drip_gap: float = 0.25,
        too_large_bytes: int = TOO_LARGE_BYTES,
    ) -> None:
        super().__init__(host, port, verbose)
        self.villages = {v.kode_digits: v for v in villages}
        self.seed = seed
        self.tahun = tahun
        self.latency_ms = latency_ms
        self.token_ttl_s = token_ttl_s
        self.hold_seconds = hold_seconds
        self.slow_ms = slow_ms
        self.drip_seconds = drip_seconds
        self.drip_gap = drip_gap
        self.too_large_bytes = too_large_bytes
        self.bursts = Bursts(burst_429, burst_window_s)
        self._accounts = self._accounts_of(villages, credentials)
        self._tokens: dict[str, tuple[str, float]] = {}  # token -> (email, issued at)
        self._token_lock = threading.Lock()
        self._next_token_id = 1
        self._faults: dict[str, str] = {}
        for code, mode in (faults or {}).items():
            self.set_fault(code, mode)
        self._cache: dict[tuple[str, int], dict] = {}
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------ accounts and tokens

    @staticmethod
    def _accounts_of(
        villages: Sequence[Village], credentials: Mapping[str, str] | None
    ) -> dict[str, tuple[str, frozenset[str] | None]]:
        """email -> (password, the villages it may see or None for all)."""
        if credentials:
            return {email: (password, None) for email, password in credentials.items()}
        seen: dict[str, tuple[str, set[str]]] = {}
        for v in villages:
            try:
                spec = v.resolve_token() or ""
            except RegistryError:
                continue  # an unset env variable: that row cannot sign in
            email, sep, password = spec.partition(":")
            if sep and email and password:
                seen.setdefault(email, (password, set()))[1].add(v.kode_digits)
        if not seen:
            return {DEFAULT_EMAIL: (DEFAULT_PASSWORD, None)}
        return {email: (pw, frozenset(codes)) for email, (pw, codes) in seen.items()}

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (401); signing in again gives a new one."""
        with self._token_lock:
            self._tokens.clear()

    def _account_of(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self._token_lock:
            found = self._tokens.get(token.strip())
            if found is None:
                return None
            email, issued = found
            if self.token_ttl_s is not None and time.monotonic() - issued > self.token_ttl_s:
                del self._tokens[token.strip()]
                return None
        return email

    # ------------------------------------------------------------ faults and data

    def set_fault(self, code: str, mode: str | None) -> None:
        """A fault for requests touching a village or kecamatan (digits or dotted), or "*"."""
        key = code if code == "*" else _digits(code)
        self.bursts.reset(key)
        if mode is None:
            self._faults.pop(key, None)
            return
        if mode not in GABUNGAN_FAULT_MODES:
            expected = ", ".join(GABUNGAN_FAULT_MODES)
            raise ValueError(f"unknown fault {mode!r}; expected one of {expected}")
        self._faults[key] = mode

    @property
    def faults(self) -> dict[str, str]:
        return dict(self._faults)

    def _fault_for(self, codes: Sequence[str]) -> tuple[str, str] | None:
        if "*" in self._faults:
            return "*", self._faults["*"]
        for key, mode in list(self._faults.items()):  # set_fault may run meanwhile
            if any(code.startswith(key) for code in codes):
                return key, mode
        return None

    def document(self, kode: str, tahun: int) -> dict:
        """A village's synthetic document (cached; do not mutate)."""
        key = (_digits(kode), tahun)
        with self._cache_lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = village_document(self.villages[key[0]], seed=self.seed, tahun=tahun)
            with self._cache_lock:
                cached = self._cache.setdefault(key, cached)
        return cached

    # ------------------------------------------------------------ answering

    def answer_post(self, raw_path: str, headers: Mapping[str, str], body: bytes) -> Reply | None:
        with self._lock:
            self._count += 1
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        if urlsplit(raw_path).path.rstrip("/") != SIGNIN_PATH:
            return _api_error(404, "Not Found", f"no route POST {urlsplit(raw_path).path}")
        fault = self._faults.get("*")
        early = self._early_fault("*", fault)
        if early is not False:
            return early
        return self._signin(body)

    def _signin(self, body: bytes) -> Reply:
        try:
            given = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            given = None
        if not isinstance(given, dict):
            given = {}
        errors = {
            name: [f"The {name} field is required."]
            for name in ("email", "password")
            if not isinstance(given.get(name), str) or not given.get(name)
        }
        if errors:
            first = next(iter(errors.values()))[0]
            return json_reply(422, {"message": first, "errors": errors})
        account = self._accounts.get(given["email"])
        if account is None or not secrets.compare_digest(account[0], given["password"]):
            return json_reply(401, {"message": "These credentials do not match our records."})
        with self._token_lock:
            token = f"{self._next_token_id}|{secrets.token_urlsafe(30)}"
            self._next_token_id += 1
            self._tokens[token] = (given["email"], time.monotonic())
        return json_reply(200, {"data": {"token": token, "token_type": "Bearer"}})

    def _early_fault(self, key: str, fault: str | None) -> Reply | None | bool:
        """The answer a fault gives before any data (None: close), or False to go on."""
        if fault == "timeout":
            self._stopping.wait(self.hold_seconds)
            return None
        if fault == "500":
            return _api_error(500, "Server Error", "internal server error (simulated)")
        if fault == "401":
            return json_reply(401, UNAUTHENTICATED, {"WWW-Authenticate": "Bearer"})
        if fault == "429" and self.bursts.refuse(key):
            return too_many_requests()
        if fault == "slow" and self._stopping.wait(self.slow_ms / 1000):
            return None
        if fault == "too-large":
            return too_large_reply(self.too_large_bytes)
        return False

    def answer(self, raw_path: str, headers: Mapping[str, str]) -> Reply | None:
        """The reply to a GET, or None to close the connection without answering."""
        with self._lock:
            self._count += 1
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        url = urlsplit(raw_path)
        path = url.path.rstrip("/")
        if path not in (STATISTIK_PATH, KEUANGAN_PATH):
            return _api_error(404, "Not Found", f"no route GET {url.path}")
        email = self._account_of(headers.get("Authorization"))
        if email is None:
            return json_reply(401, UNAUTHENTICATED, {"WWW-Authenticate": "Bearer"})
        query = parse_qs(url.query)

        def one(name: str) -> str:
            return (query.get(name) or [""])[0].strip()

        raw_tahun = one("filter[tahun]") or one("tahun")
        try:
            tahun = int(raw_tahun) if raw_tahun else self.tahun
        except ValueError:
            return _api_error(422, "Unprocessable Entity", f"filter[tahun] {raw_tahun!r}")
        if not 1900 <= tahun <= 2100:
            return _api_error(422, "Unprocessable Entity", f"filter[tahun] {tahun} out of range")
        codes = self._select(
            one("filter[desa]"), one("filter[kecamatan]"), one("filter[kabupaten]")
        )
        if isinstance(codes, Reply):
            return codes
        allowed = self._accounts[email][1]
        if allowed is not None and not set(codes) <= allowed:
            return _api_error(403, "Forbidden", "this account may not see these villages")
        found = self._fault_for(codes)
        key, fault = found if found else ("", None)
        early = self._early_fault(key, fault)
        if early is not False:
            return early
        base = base_url(headers, self.url) + path
        if path == STATISTIK_PATH:
            reply = self._statistik(one("filter[id]"), codes, tahun, query, base, fault)
        else:
            reply = self._keuangan(codes, tahun, query, base, fault)
        if fault == "unknown-fields" and reply.status == 200:
            reply = json_reply(200, with_unknown_fields(json.loads(reply.body)))
        if fault == "bad-json" and reply.status == 200:
            reply.body = reply.body[: len(reply.body) // 2]
        if fault == "drip":
            reply = drip(reply, self.drip_seconds, self.drip_gap)
        return reply

    def _select(self, desa: str, kecamatan: str, kabupaten: str) -> list[str] | Reply:
        """The village codes (digits) a request's filters name."""
        if desa:
            kode = _digits(desa)
            if kode not in self.villages:
                return _api_error(404, "Not Found", f"desa {desa} is not in this database")
            if kecamatan and not kode.startswith(_digits(kecamatan)):
                return _api_error(404, "Not Found", f"desa {desa} is not in kecamatan {kecamatan}")
            return [kode]
        region = _digits(kecamatan or kabupaten)
        codes = [k for k in self.villages if k.startswith(region)]
        if not codes:
            return _api_error(404, "Not Found", f"no village of {kecamatan or kabupaten} here")
        return codes

    def _statistik(
        self,
        wanted: str,
        codes: Sequence[str],
        tahun: int,
        query: Mapping[str, list[str]],
        base: str,
        fault: str | None,
    ) -> Reply:
        if not wanted:
            return _api_error(422, "Unprocessable Entity", "filter[id] is required")
        stat = BY_KEY.get(wanted) or BY_SLUG.get(wanted) or BY_SLUG.get(wanted.replace("_", "-"))
        if stat is None:
            return _api_error(404, "Not Found", f"no statistic {wanted!r}")
        params = page_params(query, STATISTIK_PAGE_SIZE)
        if isinstance(params, str):
            return _api_error(422, "Unprocessable Entity", params)
        entries = [find_statistic(self.document(k, tahun), stat.key) for k in codes]
        entry = sum_statistic([e for e in entries if e is not None])
        if fault == "sum-mismatch" and entry["rows"]:
            break_sums(entry)
        elif fault == "unknown-code" and entry["rows"]:
            add_unknown_code(entry)
        whole = entry["total"]["total"]

        def item(ident: int | str, nama: str, counts: Mapping[str, int]) -> dict:
            attributes = {
                "id": ident,
                "nama": nama,
                "jumlah": counts["total"],
                "persentase_jumlah": _percent(counts["total"], whole),
                "laki_laki": counts["laki"],
                "persentase_laki_laki": _percent(counts["laki"], whole),
                "perempuan": counts["perempuan"],
                "persentase_perempuan": _percent(counts["perempuan"], whole),
            }
            return {"type": "statistik-web", "id": str(ident), "attributes": attributes}

        items = [item(_row_id(r["code"]), r["label"], r) for r in entry["rows"]]
        jumlah = {f: sum(r[f] for r in entry["rows"]) for f in ("total", "laki", "perempuan")}
        items += [
            item(JUMLAH_ID, "JUMLAH", jumlah),
            item(BELUM_ID, "BELUM MENGISI", entry["belum_mengisi"]),
            item(TOTAL_ID, "TOTAL", entry["total"]),
        ]
        if fault == "negative" and items:
            items[0]["attributes"]["laki_laki"] = -items[0]["attributes"]["laki_laki"] - 1
        data, meta, links = paginate(items, *params, base, query)
        return json_reply(200, {"data": data, "meta": {"pagination": meta}, "links": links})

    def _keuangan(
        self,
        codes: Sequence[str],
        tahun: int,
        query: Mapping[str, list[str]],
        base: str,
        fault: str | None,
    ) -> Reply:
        params = page_params(query, KEUANGAN_PAGE_SIZE)
        if isinstance(params, str):
            return _api_error(422, "Unprocessable Entity", params)
        accounts = sum_apbdes([self.document(k, tahun) for k in codes])
        items = []
        for row in accounts:
            parent = row["kode"].rsplit(".", 1)[0] if "." in row["kode"] else None
            attributes = {
                "template_uuid": template_uuid(row["kode"]),
                "parent_uuid": template_uuid(parent) if parent else None,
                "uraian": row["uraian"],
                "anggaran": row["anggaran"],
                "realisasi": row["realisasi"],
            }
            items.append(
                {"type": "keuangan-summary", "id": attributes["template_uuid"],
                 "attributes": attributes}
            )  # fmt: skip
        if fault == "negative" and items:
            items[0]["attributes"]["realisasi"] = -1
        if fault == "sum-mismatch" and items:  # a parent that is not the sum of its children
            items[0]["attributes"]["anggaran"] += 1000
        data, meta, links = paginate(items, *params, base, query)
        return json_reply(200, {"data": data, "meta": {"pagination": meta}, "links": links})
