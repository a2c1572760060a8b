"""A simulator of the API Database Gabungan: one shared OpenSID database for many villages.

It answers as the real server does (OpenSID/API-Database-Gabungan v2506.0.0: Laravel 10,
Sanctum 3.3, spatie query builder and json-api-paginate, fractal's JsonApiSerializer), for the
routes the `gabungan` adapter uses. Numbers are those of simulator.synthetic (the same seed and
villages as the village simulator), so both simulators agree. Config ids are 1, 2, … in the
order of the village codes: config id 1 is the served village with the lowest code.

Laravel's ways, everywhere
- JSON as PHP's json_encode writes it; errors are `{"message": ...}`. A client that does not
  ask for JSON (`Accept: application/json`, or an XMLHttpRequest) gets an HTML error page
  instead, and a missing token there is a 302 to /login.
- Query values are trimmed and empty ones are null (TrimStrings, ConvertEmptyStringsToNull):
  `filter[tahun]=` is a key with a null value.
- Rate limit (`throttle:api`): `rate_limit` requests per minute (the server: 60), counted per
  client address, on signed-in routes per account (Sanctum authenticates before the throttle;
  a refused token is not counted). Every reply of a route carries `X-RateLimit-Limit` and
  `X-RateLimit-Remaining`; over the limit: 429 `{"message": "Too Many Attempts."}` with
  `Retry-After` and `X-RateLimit-Reset`. The default limit is very high, so tests and the demo
  are fast; unknown routes (404 "The route … could not be found.") carry none.

`POST /api/v1/signin` (JSON or form fields `email`, `password`)
- 200 `{"message": "Login Success ", "access_token": "<id>|<40 characters><crc32b>",
  "token_type": "Bearer"}`; every other token of that account is deleted.
- A wrong email or password, or no email: 401 `{"message": "Invalid login details"}`. A
  known email without a `password` field: 500 (Laravel reads the missing key).
- After 5 failures from one client address (any account) every sign-in from it gets 403
  `{"message": "USER TELAH DIBLOKIR KARENA GAGAL LOGIN 5 KALI SILAKAN COBA KEMBALI DALAM 10
  MENIT"}` until `signin_lockout_s` (600) after the first of them; a success clears the count.
- `issue_token(email)` is the web Token page (the token OpenKab and OpenDK are given): it
  deletes that account's other tokens too. `expire_tokens()` deletes every token. Tokens never
  expire on their own (Sanctum's expiration is null); the fault `token-expiry` refuses tokens
  older than `token_ttl_s`. A bearer token is `<id>|<secret>`, or the secret alone.
- Accounts: `credentials={email: password}`; else every `email:password` among the villages'
  `token_spec` (a literal or `env:VAR`); else DEFAULT_EMAIL / DEFAULT_PASSWORD. Every account
  sees the whole database.

`GET /api/v1/wilayah/penduduk` (public)
- Filters `filter[kode_desa]`, `filter[kode_kecamatan]`, `filter[kode_kabupaten]` (exact; the
  codes as OpenSID stores them: 10, 6 and 4 digits, no dots) and `filter[search]` (in
  nama_desa); any other filter: 400 "Requested filter(s) `x` are not allowed. …"; `sort`:
  `nama_desa` only. Paginated (`page[size]` 30 by default, at most 500).
- Items `{"type": "desa", "id": "<config id>", "attributes": {...}}`, the attributes being
  the village's `config` row (app_key, nama_desa, kode_desa, kode_pos, nama_kecamatan,
  kode_kecamatan, nama_kepala_camat, nip_kepala_camat, nama_kabupaten, kode_kabupaten,
  nama_propinsi, kode_propinsi, logo, lat, lng, zoom, map_tipe, path, alamat_kantor,
  email_desa, telepon, nomor_operator, website, kantor_desa, warna, border, created_at,
  created_by, updated_at, updated_by, nama_kontak, hp_kontak, jabatan_kontak; made-up values)
  and `penduduk_count`, the living residents as angka_lokal writes them ("1.210").

`GET /api/v1/statistik-web/penduduk` (public)
- `filter[id]`: one of STATISTIK_IDS (no numeric keys); another: 500; none: 404
  `{"success": false, "message": "Kategori tidak ditemukan"}`.
- `filter[desa]`: a kode_desa, exact (digits); unknown (or dotted): 500 `{"message": "Server
  Error"}`; it narrows the answer to that village (`config_desa=<config id>` does the same).
  `filter[kecamatan]` and `filter[kabupaten]` are ignored: without a village the answer counts
  the whole database. `X-Desa: <kode_desa>` narrows some queries too (below).
- `filter[tahun]` / `filter[bulan]`: the state at the end of that month (here: the synthetic
  year, `tahun` at most); a date Carbon cannot parse: 500.
- The answer is `{"data": [...]}`: no meta, no links, `page[...]` ignored. Items
  `{"type": "statistik-penduduk", "id": "<category>", "attributes": {"nama": UPPER CASE,
  "jumlah", "persentase_jumlah": "12,34%", "laki_laki", "persentase_laki_laki", "perempuan",
  "persentase_perempuan", "kriteria": "<JSON text>"}}`; jumlah is laki + perempuan,
  percentages are of TOTAL as the server's persen() writes them. Category rows first (their
  kriteria names the column they count, `{"agama_id":1}`), then 66666 JUMLAH (the rows' sum,
  kriteria `{"jumlah":"<filter id>"}`), 77777 BELUM MENGISI (TOTAL − JUMLAH, `{"belum
  mengisi":"…"}`), 88888 TOTAL (`{"total":"…"}`).
- Statistics with a reference table list only categories someone is in. Age statistics
  (rentang-umur, kategori-umur, akta-kelahiran, akta-nikah) use config id 1's brackets for
  every village, ordered by `dari`, every bracket shown, kriteria `{"umur_dari":0,
  "umur_sampai":1}`; with an X-Desa of another village they have no brackets at all. `ktp`
  rows count the whole database whatever the village (its TOTAL is the village's residents
  who must hold one); `suku` rows are the village's only with X-Desa (else the database's,
  grouped case-insensitively); status-kehamilan counts women only; status-covid has no rows
  (nobody is in the 2020 register).

`GET /api/v1/statistik-web/keluarga` and `…/rtm` (public)
- keluarga: `filter[id]=kelas-sosial` (another: `{"data": []}`; none: 404), narrowed to a
  village only by `config_desa=<config id>`; families by the sex of their head; items
  `statistik-keluarga`, kriteria `{"kelas_sosial":1}`, 77777's `{"belum_mengisi":"…"}`.
- rtm: `filter[id]=bdt` (anything else: `{"data": []}`), narrowed only by X-Desa; no category
  rows: 66666 the households in the BDT, 77777 those not, 88888 all, by the head's sex; items
  `statistik-rtm`.
- Both need the key `filter[tahun]` (empty is fine) and, when it has a value,
  `filter[bulan]`: without them 500.

`GET /api/v1/keuangan/summary` (auth:sanctum, ability synchronize-opendk-create)
- No or an unknown token: 401 `{"message": "Unauthenticated."}`; a token without the ability
  (`issue_token(email, abilities=...)`, or the fault `ability`): 403 `{"message": "Invalid
  ability provided."}`.
- Filters `config_id`, `tahun`, `kode_desa`, `kode_kecamatan`, `template_uuid_length_gt`/
  `_lt`/`_eq`, `search`; any other: 400 ``Requested filter(s) `desa` are not allowed. Allowed
  filter(s) are `…`.``; without `tahun` the sums cover every year in the database
  (`apbdes_years`, the three years up to `tahun`). Sorts as the server allows them (those on
  a column outside the GROUP BY: 500).
- Items (sums over the villages and years chosen, per account) `{"type": "keuangan", "id":
  "<account>", "attributes": {"anggaran": "350000000.00", "realisasi": "…", "template_uuid":
  "4.2.1", "uraian", "parent_uuid": "4.2" | null, "parent_uraian", "anggaran_local": "Rp.
  350.000.000", "realisasi_local"}}`, in account order; paginated as wilayah/penduduk
  (`links` without prev/next at the ends). Leaves are level 4 ("4.2.1.01", "5.1.1.90-99"),
  levels 2 and 3 the sums of their children, level 1 as OpenSID leaves it: "0.00" mostly,
  else a stale figure. Kelurahan have no APBDes.

Faults (`faults={code or "*": mode}`, `set_fault`): a key is a village, kecamatan or kabupaten
code (dotted or digits) and applies to every request whose villages include one it covers (a
request without a village covers them all); "*" applies to every request, sign-in included.
Modes (GABUNGAN_FAULT_MODES): as in simulator.faults (timeout, 500, 401 "Unauthenticated.",
429 with Retry-After and the rate-limit headers, slow, drip, too-large, bad-json,
unknown-fields), data faults (sum-mismatch: TOTAL gains 3 men, or a level-2 account 1,000;
unknown-code: a row 99 "LAINNYA (BARU)" in statistics with reference ids; negative), and
`ability` and `token-expiry` above.

Not modelled: the server's age statistics count permanent residents (status TETAP) only, here
everyone; a past `filter[tahun]` is that year's synthetic village, not a replay of its logs;
only the routes above are served (others: 404).
"""

from __future__ import annotations

import json
import math
import random
import re
import secrets
import string
import threading
import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from http import HTTPStatus
from typing import Self
from urllib.parse import parse_qsl, urlsplit

from config.regions import get_region
from config.registry import RegistryError, Village
from config.statistik import BY_SLUG, KATEGORI_UMUR_DEFAULT, Bracket
from simulator import people
from simulator.faults import UNKNOWN_CODE, with_unknown_fields
from simulator.http import (
    TOO_LARGE_BYTES,
    Bursts,
    HttpApp,
    Reply,
    _Handler,
    base_url,
    drip,
    too_large_reply,
)
from simulator.numbers import apportion, seeded, stable_int
from simulator.opensid import KTP_COLUMNS, _build_query, _nested, php_int, php_json, query_pairs
from simulator.population import (
    BASE_YEAR,
    VillageState,
    ages_by_sex,
    band_total,
    traits_of,
)
from simulator.statistics import build_statistic
from simulator.synthetic import find_statistic, village_record

GABUNGAN_FAULT_MODES = (
    "timeout", "500", "bad-json", "401", "429", "slow", "drip", "too-large", "sum-mismatch",
    "unknown-fields", "unknown-code", "negative", "ability", "token-expiry",
)  # fmt: skip
DEFAULT_EMAIL = "operator@gabungan.test"
DEFAULT_PASSWORD = "rahasia"
SIGNIN_PATH = "/api/v1/signin"
WILAYAH_PATH = "/api/v1/wilayah/penduduk"
STATISTIK_PATH = "/api/v1/statistik-web/penduduk"
KELUARGA_PATH = "/api/v1/statistik-web/keluarga"
RTM_PATH = "/api/v1/statistik-web/rtm"
KEUANGAN_PATH = "/api/v1/keuangan/summary"
GET_ROUTES = (WILAYAH_PATH, STATISTIK_PATH, KELUARGA_PATH, RTM_PATH, KEUANGAN_PATH)
JUMLAH_ID, BELUM_ID, TOTAL_ID = 66666, 77777, 88888  # LabelStatistikEnum
PAGE_SIZE, MAX_PAGE_SIZE = 30, 500  # config/json-api-paginate.php
SERVER_RATE_LIMIT = 60  # RouteServiceProvider: Limit::perMinute(60)
DEFAULT_RATE_LIMIT = 100_000  # the simulator's default: announced, never reached in tests
SIGNIN_MAX_ATTEMPTS = 5  # AuthController::MAX_ATTEMPT
SIGNIN_LOCKOUT_S = 600.0  # AuthController::DECAY_SECOND
ABILITY = "synchronize-opendk-create"  # what keuangan/summary's route group requires
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=UTF-8"

UNAUTHENTICATED = "Unauthenticated."
SERVER_ERROR = "Server Error"
LOGIN_SUCCESS = "Login Success "  # sic: the trailing space is the server's
LOGIN_FAILED = "Invalid login details"
LOGIN_BLOCKED = (
    f"USER TELAH DIBLOKIR KARENA GAGAL LOGIN {SIGNIN_MAX_ATTEMPTS} KALI SILAKAN COBA KEMBALI "
    "DALAM 10 MENIT"
)
INVALID_ABILITY = "Invalid ability provided."
TOO_MANY_ATTEMPTS = "Too Many Attempts."
KATEGORI_NOT_FOUND = {"success": False, "message": "Kategori tidak ditemukan"}

# filter[id] -> (our slug, the column its rows count): PendudukRepository::tabelReferensi
REFERENSI: dict[str, tuple[str, str]] = {
    "jenis-kelamin": ("jenis-kelamin", "sex"),
    "pendidikan-dalam-kk": ("pendidikan-dalam-kk", "pendidikan_kk_id"),
    "pendidikan-sedang-ditempuh": ("pendidikan-sedang-ditempuh", "pendidikan_sedang_id"),
    "pekerjaan": ("pekerjaan", "pekerjaan_id"),
    "status-perkawinan": ("status-perkawinan", "status_kawin"),
    "agama": ("agama", "agama_id"),
    "hubungan-dalam-kk": ("hubungan-kk", "kk_level"),
    "warga-negara": ("warga-negara", "warganegara_id"),
    "status-penduduk": ("status-penduduk", "status"),
    "golongan-darah": ("golongan-darah", "golongan_darah_id"),
    "penyandang-cacat": ("penyandang-cacat", "cacat_id"),
    "penyakit-menahun": ("penyakit-menahun", "sakit_menahun_id"),
    "akseptor-kb": ("akseptor-kb", "cara_kb_id"),
    "asuransi-kesehatan": ("asuransi-kesehatan", "id_asuransi"),
    "status-kehamilan": ("status-kehamilan", "hamil"),
    "bpjs-ketenagakerjaan": ("bpjs-ketenagakerjaan", "pekerjaan_id"),
}
# age statistics -> the tweb_penduduk_umur status of their brackets (1 rentang, 0 kategori)
UMUR: dict[str, int] = {
    "rentang-umur": 1,
    "kategori-umur": 0,
    "akta-kelahiran": 1,
    "akta-nikah": 1,
}
STATISTIK_IDS: tuple[str, ...] = (*UMUR, *REFERENSI, "suku", "ktp", "status-covid")
WILAYAH_FILTERS = ("kode_kabupaten", "kode_kecamatan", "kode_desa", "search")
WILAYAH_SORTS = ("nama_desa",)
KEUANGAN_FILTERS = (
    "config_id", "tahun", "kode_desa", "kode_kecamatan", "template_uuid_length_gt",
    "template_uuid_length_lt", "template_uuid_length_eq", "search",
)  # fmt: skip
KEUANGAN_SORTS = (
    "config_id", "tahun", "anggaran", "realisasi", "template_uuid", "keuangan_template.uraian",
    "config.nama_desa",
)  # fmt: skip
_GROUPED_SORTS = ("anggaran", "realisasi", "template_uuid", "keuangan_template.uraian")
_ALNUM = string.ascii_letters + string.digits  # Str::random


class _ServerError(Exception):
    """What PHP throws on the way (an undefined key, a null config, a bad date): HTTP 500."""


# ------------------------------------------------------------------ PHP's and Laravel's ways


def persen(part: int, whole: int) -> str:
    """The server's persen(): part / whole * 100, number_format with two decimals, a decimal
    comma (and "," between thousands); a zero whole is 0,00%."""
    value = 0.0 if whole == 0 else part / whole * 100
    rounded = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    units, cents = f"{abs(rounded):.2f}".split(".")
    sign = "-" if rounded < 0 else ""
    return f"{sign}{int(units):,},{cents}%"


def angka_lokal(number: int) -> str:
    """The server's angka_lokal(): number_format(n, 0, ',', '.') → "1.210"."""
    return f"{number:,}".replace(",", ".")


def _upper(text: str) -> str:
    """PHP 8's strtoupper: ASCII letters only."""
    return "".join(c.upper() if "a" <= c <= "z" else c for c in text)


def _truthy(value: object) -> bool:
    """PHP's truthiness of a request value: null, "", "0" and [] are false."""
    return value not in (None, "", "0", False) and value != {} and value != []


def _clean(value: object, keep: Iterable[str] = ()) -> object:
    """TrimStrings and ConvertEmptyStringsToNull over a parsed request (nested dicts)."""
    if isinstance(value, dict):
        return {k: (v if k in keep else _clean(v)) for k, v in value.items()}
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _wants_json(headers: Mapping[str, str]) -> bool:
    """Laravel's expectsJson(): the most acceptable type is JSON, or an XMLHttpRequest that
    takes anything (and is not pjax)."""
    ranked = []
    for i, part in enumerate((headers.get("Accept") or "").split(",")):
        kind, _, params = part.strip().partition(";")
        if not kind:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, kind.strip().lower()))
    types = [kind for _, _, kind in sorted(ranked)]
    if types and ("/json" in types[0] or "+json" in types[0]):
        return True
    ajax = headers.get("X-Requested-With") == "XMLHttpRequest"
    return ajax and not headers.get("X-PJAX") and (not types or types[0] in ("*/*", "*"))


def _like(text: str, pattern: str) -> bool:
    """MySQL's LIKE under a case-insensitive collation: % any run, _ one character."""
    regex = "".join(
        ".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern.casefold()
    )
    return re.fullmatch(regex, text.casefold(), re.DOTALL) is not None


def _json_reply(status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, php_json(payload), {"Content-Type": JSON_TYPE, **(headers or {})})


def _html_page(status: int) -> bytes:
    title = HTTPStatus(status).phrase
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}'
        f"</title></head><body><div>{status} | {title}</div></body></html>\n"
    ).encode()


def _account_key(code: str) -> tuple:
    """Account order: "4.2.1.01" < "4.2.1.90-99" < "4.2.2"."""
    key = []
    for part in code.split("."):
        m = re.match(r"\d+", part)
        key.append((int(m.group()) if m else 0, part))
    return tuple(key)


def _rupiah(amount: int) -> str:
    """A sum of DECIMAL(…, 2) as MySQL returns it: "350000000.00"."""
    return f"{amount}.00"


@dataclass(frozen=True)
class Desa:
    """One village's `config` row: its config id and the codes OpenSID stores."""

    config_id: int
    village: Village

    @property
    def kode(self) -> str:  # kode_desa: 10 digits
        return self.village.kode_digits

    @property
    def kode_kecamatan(self) -> str:
        return self.kode[:6]

    @property
    def kode_kabupaten(self) -> str:
        return self.kode[:4]


@dataclass(frozen=True)
class _Row:
    ident: str
    nama: str
    laki: int
    perempuan: int
    kriteria: str


@dataclass(frozen=True)
class _Token:
    id: int
    secret: str
    email: str  # the account's key (lower case)
    abilities: tuple[str, ...]
    issued: float  # time.monotonic()

    def can(self, ability: str) -> bool:
        return "*" in self.abilities or ability in self.abilities


class _Limiter:
    """Laravel's RateLimiter: hits per key in a window that starts with the key's first hit."""

    def __init__(self) -> None:
        self._hits: dict[str, tuple[int, float]] = {}  # key -> (hits, window ends)
        self._lock = threading.Lock()

    def _alive(self, key: str, now: float) -> tuple[int, float] | None:
        found = self._hits.get(key)
        if found is not None and found[1] <= now:
            del self._hits[key]
            return None
        return found

    def too_many(self, key: str, limit: int, now: float) -> bool:
        with self._lock:
            found = self._alive(key, now)
            return found is not None and found[0] >= limit

    def hit(self, key: str, decay_s: float, now: float) -> int:
        with self._lock:
            if len(self._hits) > 10_000:  # bounded: forget the windows that ended
                for stale in [k for k, (_, end) in self._hits.items() if end <= now]:
                    del self._hits[stale]
            hits, until = self._alive(key, now) or (0, now + decay_s)
            self._hits[key] = (hits + 1, until)
            return hits + 1

    def available_in(self, key: str, now: float) -> int:
        with self._lock:
            found = self._alive(key, now)
            return 0 if found is None else max(0, math.ceil(found[1] - now))

    def clear(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._hits.clear()
            else:
                self._hits.pop(key, None)


@dataclass
class _Request:
    path: str
    pairs: list[tuple[str, str]]
    params: dict  # nested as PHP reads it, trimmed, empty values None
    headers: Mapping[str, str]
    client: str
    origin: str  # http://host

    @property
    def wants_json(self) -> bool:
        return _wants_json(self.headers)

    @property
    def filters(self) -> dict:
        found = self.params.get("filter")
        return found if isinstance(found, dict) else {}

    @property
    def url(self) -> str:
        return self.origin + self.path


class _ClientHandler(_Handler):
    """The shared handler, telling the simulator the client's address (the rate limits)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        simulator = self.server.simulator
        self._send(simulator.answer(self.path, self.headers, client=self.client_address[0]))

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        simulator = self.server.simulator
        client = self.client_address[0]
        self._send(simulator.answer_post(self.path, self.headers, body, client=client))


# ------------------------------------------------------------------ numbers of one village


@lru_cache(maxsize=2048)
def umur_counts(
    village: Village, seed: int, tahun: int, kategori: str, brackets: tuple[Bracket, ...]
) -> tuple[tuple[int, int], ...]:
    """(men, women) of one village in each of `brackets` (config id 1's) for an age
    statistic: everyone (rentang-umur, kategori-umur), residents with a birth certificate
    (akta-kelahiran, the generator's own shares), married residents with a marriage
    certificate (akta-nikah: the village's KAWIN holders of buku-nikah, by age from 19)."""
    record = village_record(village, seed=seed, tahun=tahun)
    pend = record.document["totals"]["penduduk"]
    ages = ages_by_sex(village, pend["laki"], pend["perempuan"], seed, tahun)
    if kategori in ("rentang-umur", "kategori-umur"):
        return tuple(
            (band_total(ages["L"], b.dari, b.sampai), band_total(ages["P"], b.dari, b.sampai))
            for b in brackets
        )
    if kategori == "akta-kelahiran":
        state = VillageState(
            village=village,
            traits=traits_of(village, seed),
            seed=seed,
            tahun=tahun,
            ages=ages,
            keluarga_heads=dict(record.keluarga_heads),
            rt_heads={},
            brackets=brackets,
            built={},
        )
        entry = build_statistic(BY_SLUG["akta-kelahiran"], state)
        return tuple((r["laki"], r["perempuan"]) for r in entry["rows"])
    kawin = find_statistic(record.document, "buku-nikah")
    holders = next((r for r in kawin["rows"] if r["code"] == "2"), None) if kawin else None
    rng = seeded(seed, village.kode_digits, tahun, "gabungan", "akta-nikah")
    per_sex = []
    for sex, field in (("L", "laki"), ("P", "perempuan")):
        weights = [band_total(ages[sex], max(b.dari, 19), b.sampai) for b in brackets]
        n = min(holders[field] if holders else 0, sum(weights))
        per_sex.append(apportion(n, weights, rng, caps=weights) if n else [0] * len(brackets))
    return tuple(zip(per_sex[0], per_sex[1], strict=True))


@lru_cache(maxsize=4096)
def apbdes_accounts(village: Village, seed: int, tahun: int) -> tuple[tuple, ...]:
    """The village's APBDes for a year as the database holds it: (account, uraian, parent,
    anggaran, realisasi), whole rupiah. The synthetic accounts' leaves are split into level-4
    sub-accounts (".01" and ".90-99", under a level-3 account where the leaf is level 2);
    levels 2 and 3 are the sums of their children; level 1 is what OpenSID leaves there:
    0 in three villages and years of four, else a stale figure."""
    rows = village_record(village, seed=seed, tahun=tahun).document["apbdes"]
    codes = {r["kode"]: r for r in rows}
    out: dict[str, list] = {}
    for code, r in codes.items():
        parent = code.rsplit(".", 1)[0] if "." in code else None
        out[code] = [r["uraian"], parent, r["anggaran"], r["realisasi"]]
    kode = village.kode_digits
    for code, r in codes.items():
        if any(other.startswith(code + ".") for other in codes):
            continue
        level = code.count(".") + 1
        base = code
        if level == 2:
            base = code + ".1"
            out[base] = [r["uraian"], code, r["anggaran"], r["realisasi"]]
        elif level != 3:
            continue
        share = seeded(seed, kode, tahun, "gabungan", "apbdes", code).uniform(0.7, 0.95)
        anggaran = round(r["anggaran"] * share / 1000) * 1000
        realisasi = min(anggaran, round(r["realisasi"] * share / 1000) * 1000)
        out[base + ".01"] = [r["uraian"], base, anggaran, realisasi]
        out[base + ".90-99"] = [
            f"Lain-lain {r['uraian']}",
            base,
            r["anggaran"] - anggaran,
            r["realisasi"] - realisasi,
        ]
    for code, account in out.items():
        if account[1] is not None:
            continue
        if stable_int(seed, kode, tahun, "gabungan", "apbdes-level-1", code) % 4:
            account[2] = account[3] = 0
        else:
            stale = seeded(seed, kode, tahun, "gabungan", "apbdes-stale", code)
            account[2] = round(account[2] * stale.uniform(0.8, 1.1) / 1000) * 1000
            account[3] = round(account[3] * stale.uniform(0.6, 1.0) / 1000) * 1000
    order = sorted(out, key=_account_key)
    return tuple((code, *out[code]) for code in order)


# ------------------------------------------------------------------ the server


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
        rate_limit: int = DEFAULT_RATE_LIMIT,
        rate_window_s: float = 60.0,
        signin_lockout_s: float = SIGNIN_LOCKOUT_S,
        token_ttl_s: float = 60.0,
        apbdes_years: Sequence[int] | None = None,
        hold_seconds: float = 60.0,
        burst_429: int = 2,
        burst_window_s: float = 60.0,
        slow_ms: int = 2000,
        drip_seconds: float = 3.0,
        drip_gap: float = 0.25,
        too_large_bytes: int = TOO_LARGE_BYTES,
    ) -> None:
        super().__init__(host, port, verbose)
        if rate_limit < 1:
            raise ValueError("rate_limit: at least one request a minute")
        self.villages = {v.kode_digits: v for v in villages}
        ordered = sorted(self.villages.values(), key=lambda v: v.kode_digits)
        self.desa: tuple[Desa, ...] = tuple(Desa(i, v) for i, v in enumerate(ordered, 1))
        self._by_kode = {d.kode: d for d in self.desa}
        self._by_id = {d.config_id: d for d in self.desa}
        self.seed = seed
        self.tahun = tahun
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.rate_window_s = rate_window_s
        self.signin_lockout_s = signin_lockout_s
        self.token_ttl_s = token_ttl_s
        years = apbdes_years if apbdes_years is not None else range(tahun - 2, tahun + 1)
        self.apbdes_years = tuple(sorted(set(years)))
        self.hold_seconds = hold_seconds
        self.slow_ms = slow_ms
        self.drip_seconds = drip_seconds
        self.drip_gap = drip_gap
        self.too_large_bytes = too_large_bytes
        self.bursts = Bursts(burst_429, burst_window_s)
        self._accounts = self._accounts_of(villages, credentials)
        self._tokens: dict[int, _Token] = {}
        self._token_lock = threading.Lock()
        self._next_token_id = 1
        self._limits = _Limiter()  # throttle:api, per address or account
        self._signins = _Limiter()  # AuthController's failed sign-ins, per address
        self._faults: dict[str, str] = {}
        for code, mode in (faults or {}).items():
            self.set_fault(code, mode)
        self._config_rows: dict[int, dict] = {}

    def start(self) -> Self:
        started = super().start()
        assert self._server is not None
        self._server.RequestHandlerClass = _ClientHandler
        return started

    # ------------------------------------------------------------ accounts and tokens

    @staticmethod
    def _accounts_of(
        villages: Sequence[Village], credentials: Mapping[str, str] | None
    ) -> dict[str, tuple[str, str]]:
        """lower-case email -> (email, password); MySQL compares emails case-insensitively."""
        found: dict[str, str] = dict(credentials or {})
        if not found:
            for v in villages:
                try:
                    spec = v.resolve_token() or ""
                except RegistryError:
                    continue  # an unset env variable: that row cannot sign in
                email, sep, password = spec.partition(":")
                if sep and "@" in email and password:
                    found.setdefault(email.strip(), password)
        if not found:
            found = {DEFAULT_EMAIL: DEFAULT_PASSWORD}
        return {email.casefold(): (email, pw) for email, pw in found.items()}

    def _create_token(self, account: str, abilities: Sequence[str]) -> str:
        """Delete the account's tokens, make a new one (Sanctum 3.3: `<id>|` + 40 random
        characters + their crc32b)."""
        with self._token_lock:
            for tid in [t for t, tok in self._tokens.items() if tok.email == account]:
                del self._tokens[tid]
            tid = self._next_token_id
            self._next_token_id += 1
            rng = random.Random(f"{self.seed}:gabungan-token:{tid}")
            entropy = "".join(rng.choice(_ALNUM) for _ in range(40))
            secret = entropy + f"{zlib.crc32(entropy.encode()):08x}"
            self._tokens[tid] = _Token(tid, secret, account, tuple(abilities), time.monotonic())
        return f"{tid}|{secret}"

    def issue_token(self, email: str, abilities: Sequence[str] = ("*",)) -> str:
        """What the server's Token page does for a signed-in user: every other token of the
        account is deleted and a new one made (OpenKab and OpenDK are given this token)."""
        account = email.strip().casefold()
        if account not in self._accounts:
            raise KeyError(f"no account {email!r} on this simulator")
        return self._create_token(account, abilities)

    def expire_tokens(self) -> None:
        """Delete every token issued so far (401 from now on); signing in gives a new one."""
        with self._token_lock:
            self._tokens.clear()

    def token_count(self, email: str | None = None) -> int:
        """Tokens alive, of one account or of all."""
        with self._token_lock:
            if email is None:
                return len(self._tokens)
            account = email.strip().casefold()
            return sum(1 for t in self._tokens.values() if t.email == account)

    def reset_limits(self) -> None:
        """Forget every rate-limit window and failed sign-in."""
        self._limits.clear()
        self._signins.clear()

    def _token_of(self, headers: Mapping[str, str], fault: str | None) -> _Token | None:
        """The request's Sanctum token: Request::bearerToken, then PersonalAccessToken's
        findToken (`<id>|<secret>`, or the secret alone)."""
        header = headers.get("Authorization") or ""
        at = header.rfind("Bearer ")
        if at < 0:
            return None
        plain = header[at + 7 :].split(",", 1)[0]
        tid, sep, secret = plain.partition("|")
        if sep and (not tid.isdigit() or not secret):
            return None
        with self._token_lock:
            if sep:
                token = self._tokens.get(int(tid))
                found = token if token and secrets.compare_digest(token.secret, secret) else None
            else:
                found = next((t for t in self._tokens.values() if t.secret == plain), None)
        if found is None or not plain:
            return None
        if fault == "token-expiry" and time.monotonic() - found.issued > self.token_ttl_s:
            return None
        return found

    # ------------------------------------------------------------ faults

    def set_fault(self, code: str, mode: str | None) -> None:
        """A fault for requests touching a village or region (digits or dotted), or "*"."""
        key = code if code == "*" else code.replace(".", "").strip()
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

    def _fault_for(self, codes: Sequence[str]) -> tuple[str, str | None]:
        faults = dict(self._faults)  # set_fault may run meanwhile
        if "*" in faults:
            return "*", faults["*"]
        for key, mode in faults.items():
            if any(code.startswith(key) for code in codes):
                return key, mode
        return "", None

    def _touched(self, req: _Request) -> list[str]:
        """The village codes a request reads (for faults): the one it names, else all."""
        f = req.filters
        named = None
        for value in (f.get("desa"), f.get("kode_desa")):
            if isinstance(value, str):
                named = [value]
                break
        for value in (req.params.get("config_desa"), f.get("config_id")):
            if named is None and isinstance(value, str) and value.isdigit():
                desa = self._by_id.get(int(value))
                named = [desa.kode] if desa else []
        header = req.headers.get("X-Desa")
        if named is None and header:
            named = [header.strip()]
        for name in ("kode_kecamatan", "kode_kabupaten"):
            value = f.get(name)
            if named is None and isinstance(value, str):
                return [d.kode for d in self.desa if d.kode.startswith(value)]
        if named is not None:
            return [code.replace(".", "") for code in named]
        return [d.kode for d in self.desa]

    def _early_fault(self, key: str, fault: str | None) -> Reply | None | bool:
        """The answer a fault gives before the server's own (None: close), or False."""
        if fault == "timeout":
            self._stopping.wait(self.hold_seconds)
            return None
        if fault == "500":
            return _json_reply(500, {"message": SERVER_ERROR})
        if fault == "401":
            return _json_reply(401, {"message": UNAUTHENTICATED})
        if fault == "429" and self.bursts.refuse(key):
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": "0",
                "Retry-After": "1",
                "X-RateLimit-Reset": str(int(time.time()) + 1),
            }
            return _json_reply(429, {"message": TOO_MANY_ATTEMPTS}, headers)
        if fault == "slow" and self._stopping.wait(self.slow_ms / 1000):
            return None
        if fault == "too-large":
            return too_large_reply(self.too_large_bytes)
        return False

    def _late_fault(self, reply: Reply, fault: str | None) -> Reply:
        if reply.status == 200 and fault == "unknown-fields":
            doc = with_unknown_fields(json.loads(reply.body))
            reply = Reply(200, php_json(doc), reply.headers)
        if reply.status == 200 and fault == "bad-json":
            reply.body = reply.body[: len(reply.body) // 2]
        if fault == "drip":
            reply = drip(reply, self.drip_seconds, self.drip_gap)
        return reply

    # ------------------------------------------------------------ requests and replies

    def _request(self, raw_path: str, headers: Mapping[str, str], client: str) -> _Request:
        url = urlsplit(raw_path)
        path = "/" + url.path.strip("/")
        pairs = query_pairs(url.query)
        params = _clean(_nested(pairs))
        origin = base_url(headers, self.url)
        return _Request(path, pairs, params, headers, client, origin)  # type: ignore[arg-type]

    def _error(self, req: _Request, status: int, message: str, headers=None) -> Reply:
        """An exception as Laravel renders it: `{"message"}` for JSON clients, else a page."""
        if req.wants_json:
            return _json_reply(status, {"message": message}, headers)
        if status == 401:  # Authenticate::redirectTo
            location = req.origin + "/login"
            body = f'<!DOCTYPE html>\n<html><body><a href="{location}">{location}</a></body></html>'
            return Reply(302, body.encode(), {"Content-Type": HTML_TYPE, "Location": location})
        return Reply(status, _html_page(status), {"Content-Type": HTML_TYPE, **(headers or {})})

    def _not_found(self, req: _Request) -> Reply:
        return self._error(req, 404, f"The route {req.path.strip('/')} could not be found.")

    def _not_allowed(self, req: _Request, method: str, allowed: str) -> Reply:
        message = (
            f"The {method} method is not supported for route {req.path.strip('/')}. "
            f"Supported methods: {allowed}."
        )
        return self._error(req, 405, message, {"Allow": allowed})

    def _throttle(self, req: _Request, key: str) -> tuple[dict[str, str], Reply | None]:
        """throttle:api: the headers for the reply, or the 429 that replaces it."""
        now = time.monotonic()
        limit = self.rate_limit
        if self._limits.too_many(key, limit, now):
            retry = self._limits.available_in(key, now)
            headers = {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "Retry-After": str(retry),
                "X-RateLimit-Reset": str(int(time.time()) + retry),
            }
            return {}, self._error(req, 429, TOO_MANY_ATTEMPTS, headers)
        hits = self._limits.hit(key, self.rate_window_s, now)
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(limit - hits)}, None

    def answer(
        self, raw_path: str, headers: Mapping[str, str], client: str = "127.0.0.1"
    ) -> Reply | None:
        """The reply to a GET, or None to close the connection without answering."""
        with self._lock:
            self._count += 1
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        req = self._request(raw_path, headers, client)
        if req.path not in GET_ROUTES:
            if req.path == SIGNIN_PATH:
                return self._not_allowed(req, "GET", "POST")
            return self._not_found(req)
        key, fault = self._fault_for(self._touched(req))
        early = self._early_fault(key, fault)
        if early is not False:
            return early  # type: ignore[return-value]
        try:
            if req.path == KEUANGAN_PATH:
                reply = self._signed_in(req, fault)
            else:
                limits, refused = self._throttle(req, "address:" + req.client)
                if refused is not None:
                    return refused
                reply = self._public(req, fault)
                reply.headers.update(limits)
        except _ServerError:
            return self._error(req, 500, SERVER_ERROR)
        return self._late_fault(reply, fault)

    def _public(self, req: _Request, fault: str | None) -> Reply:
        try:
            if req.path == WILAYAH_PATH:
                return self._wilayah(req)
            if req.path == STATISTIK_PATH:
                return self._statistik_penduduk(req, fault)
            if req.path == KELUARGA_PATH:
                return self._statistik_keluarga(req, fault)
            return self._statistik_rtm(req, fault)
        except _ServerError:
            return self._error(req, 500, SERVER_ERROR)

    def _signed_in(self, req: _Request, fault: str | None) -> Reply:
        """auth:sanctum, then the throttle per account, then the ability, then the route."""
        token = self._token_of(req.headers, fault)
        if token is None:
            return self._error(req, 401, UNAUTHENTICATED)
        limits, refused = self._throttle(req, "account:" + token.email)
        if refused is not None:
            return refused
        if fault == "ability" or not token.can(ABILITY):
            reply = self._error(req, 403, INVALID_ABILITY)
        else:
            try:
                reply = self._keuangan(req, fault)
            except _ServerError:
                reply = self._error(req, 500, SERVER_ERROR)
        reply.headers.update(limits)
        return reply

    # ------------------------------------------------------------ sign-in

    def answer_post(
        self, raw_path: str, headers: Mapping[str, str], body: bytes, client: str = "127.0.0.1"
    ) -> Reply | None:
        with self._lock:
            self._count += 1
        if self.latency_ms > 0 and self._stopping.wait(self.latency_ms / 1000):
            return None
        if self._stopping.is_set():
            return None
        req = self._request(raw_path, headers, client)
        if req.path != SIGNIN_PATH:
            if req.path in GET_ROUTES:
                return self._not_allowed(req, "POST", "GET, HEAD")
            return self._not_found(req)
        key, fault = self._fault_for(())
        early = self._early_fault(key, fault)
        if early is not False:
            return early  # type: ignore[return-value]
        limits, refused = self._throttle(req, "address:" + client)
        if refused is not None:
            return refused
        try:
            reply = self._signin(req, body)
        except _ServerError:
            reply = self._error(req, 500, SERVER_ERROR)
        reply.headers.update(limits)
        return self._late_fault(reply, fault)

    def _input(self, req: _Request, body: bytes) -> dict:
        """$request->input(): the query, then the JSON body or the form fields."""
        found = dict(req.params)
        ctype = (req.headers.get("Content-Type") or "").lower()
        if "/json" in ctype or "+json" in ctype:
            try:
                given = json.loads(body or b"null")
            except (ValueError, UnicodeDecodeError):
                given = None
            if isinstance(given, dict):
                found.update(_clean(given, keep=("password",)))  # type: ignore[arg-type]
        elif "application/x-www-form-urlencoded" in ctype:
            fields = _nested(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            found.update(_clean(fields, keep=("password",)))  # type: ignore[arg-type]
        return found

    def _signin(self, req: _Request, body: bytes) -> Reply:
        """Api/Auth/AuthController::login."""
        key = "|" + req.client  # Str::lower(request('credential')).'|'.ip(): no credential field
        now = time.monotonic()
        if self._signins.too_many(key, SIGNIN_MAX_ATTEMPTS, now):
            return _json_reply(403, {"message": LOGIN_BLOCKED})
        given = self._input(req, body)
        email, password = given.get("email"), given.get("password")
        account = None
        if isinstance(email, str):
            account = self._accounts.get(email.strip().casefold())
        if account is not None and "password" not in given:
            raise _ServerError  # EloquentUserProvider reads $credentials['password']
        if (
            account is None
            or not isinstance(password, str)
            or not secrets.compare_digest(password.encode(), account[1].encode())
        ):
            self._signins.hit(key, self.signin_lockout_s, now)
            return _json_reply(401, {"message": LOGIN_FAILED})
        token = self._create_token(account[0].casefold(), ("*",))
        self._signins.clear(key)
        payload = {"message": LOGIN_SUCCESS, "access_token": token, "token_type": "Bearer"}
        return _json_reply(200, payload)

    # ------------------------------------------------------------ data

    def config_id(self, kode: str) -> int:
        return self._by_kode[kode.replace(".", "")].config_id

    def apbdes(self, kode: str, tahun: int) -> list[dict]:
        """One village's accounts for a year as the database holds them."""
        desa = self._by_kode[kode.replace(".", "")]
        if tahun not in self.apbdes_years:
            return []
        fields = ("kode", "uraian", "parent", "anggaran", "realisasi")
        return [dict(zip(fields, a, strict=True)) for a in self._accounts_for(desa, tahun)]

    def _accounts_for(self, desa: Desa, tahun: int) -> tuple[tuple, ...]:
        return apbdes_accounts(desa.village, self.seed, tahun)

    def _entry(self, desa: Desa, year: int, slug: str) -> Mapping:
        record = village_record(desa.village, seed=self.seed, tahun=year)
        return find_statistic(record.document, slug) or {"rows": [], "total": {}}

    def _restrict(self, config: frozenset[Desa] | None, x_desa: Desa | None = None) -> list[Desa]:
        return [
            d
            for d in self.desa
            if (config is None or d in config) and (x_desa is None or d == x_desa)
        ]

    def _config_scope(self, value: object) -> frozenset[Desa] | None:
        """`config_id = request('config_desa')` when it is truthy; MySQL reads its number."""
        if not _truthy(value) or not isinstance(value, str):
            return None
        desa = self._by_id.get(php_int(value))
        return frozenset((desa,)) if desa else frozenset()

    def _x_desa(self, req: _Request) -> Desa | None:
        """QueryTrait/ConfigIdScope: the X-Desa header narrows to a known kode_desa."""
        header = (req.headers.get("X-Desa") or "").strip()
        return self._by_kode.get(header) if header else None

    def _snapshot(self, year: int) -> int:
        return max(1900, min(year, self.tahun))

    def _penduduk_year(self, f: dict) -> int:
        """countStatistikPendudukHidup: a period when tahun or bulan is set (Carbon parses
        "<tahun>-<bulan or 12>-01"; what it cannot parse is a 500)."""
        tahun, bulan = f.get("tahun"), f.get("bulan")
        if tahun is None and bulan is None:
            return self.tahun
        text_tahun = str(tahun) if tahun is not None else str(self.tahun)
        text_bulan = str(bulan) if bulan is not None else "12"
        if not re.fullmatch(r"\d{1,4}", text_tahun) or not re.fullmatch(r"\d{1,2}", text_bulan):
            raise _ServerError
        if not 1 <= int(text_bulan) <= 12:
            raise _ServerError
        return self._snapshot(int(text_tahun))

    def _period_year(self, f: dict) -> int | None:
        """QueryTrait::scopeFilters: `filter[tahun]` must be a key (and `filter[bulan]` too
        when tahun is set); YEAR(tgl_daftar) <= tahun. None: nobody (tahun not a number)."""
        if "tahun" not in f:
            raise _ServerError
        tahun = f["tahun"]
        if not _truthy(tahun):
            return self.tahun
        if "bulan" not in f:
            raise _ServerError
        if isinstance(tahun, str) and tahun.isdigit():
            return self._snapshot(int(tahun))
        return None

    def _brackets(self, status: int, x_desa: Desa | None) -> tuple[Bracket, ...]:
        """tweb_penduduk_umur of config id 1 (Umur::scopeCountStatistik), ordered by dari;
        its ConfigIdScope leaves nothing when X-Desa names another village."""
        first = self._by_id.get(1)
        if first is None or (x_desa is not None and x_desa.config_id != 1):
            return ()
        if status == 0:
            found = KATEGORI_UMUR_DEFAULT
        else:
            found = village_record(first.village, seed=self.seed, tahun=self.tahun).brackets
        return tuple(sorted(found, key=lambda b: (b.dari, php_int(b.code))))

    def _penduduk_rows(
        self,
        kategori: str,
        year: int,
        config: frozenset[Desa] | None,
        x_desa: Desa | None,
    ) -> tuple[list[_Row], tuple[int, int]]:
        """The header rows of one statistic and its footer total (men, women)."""
        footer = self._restrict(config, x_desa)  # Penduduk::countStatistik + filterDesa

        def whole(slug: str, scope: Sequence[Desa] = footer) -> tuple[int, int]:
            totals = [self._entry(d, year, slug)["total"] for d in scope]
            return sum(t.get("laki", 0) for t in totals), sum(t.get("perempuan", 0) for t in totals)

        def penduduk() -> tuple[int, int]:
            docs = [village_record(d.village, seed=self.seed, tahun=year).document for d in footer]
            pend = [doc["totals"]["penduduk"] for doc in docs]
            return sum(p["laki"] for p in pend), sum(p["perempuan"] for p in pend)

        if kategori in REFERENSI:
            slug, column = REFERENSI[kategori]
            summed = self._summed(self._restrict(config), year, slug)
            rows = [
                _Row(code, label, laki, perempuan, f'{{"{column}":{code}}}')
                for code, (label, laki, perempuan) in summed.items()
                if laki + perempuan > 0
            ]
            rows.sort(key=lambda r: php_int(r.ident))
            return rows, whole(slug)
        if kategori in UMUR:
            brackets = self._brackets(UMUR[kategori], x_desa)
            counts = [[0, 0] for _ in brackets]
            for d in self._restrict(config) if brackets else ():
                for i, (laki, perempuan) in enumerate(
                    umur_counts(d.village, self.seed, year, kategori, brackets)
                ):
                    counts[i][0] += laki
                    counts[i][1] += perempuan
            rows = [
                _Row(b.code, b.label, laki, perempuan,
                     f'{{"umur_dari":{b.dari}, "umur_sampai":{b.sampai}}}')
                for b, (laki, perempuan) in zip(brackets, counts, strict=True)
            ]  # fmt: skip
            return rows, penduduk()
        if kategori == "suku":  # Penduduk::countStatistikSuku: X-Desa only, GROUP BY suku
            groups: dict[str, list] = {}
            for d in self._restrict(None, x_desa):
                for r in self._entry(d, year, "suku")["rows"]:
                    into = groups.setdefault(r["code"].casefold(), [r["code"], 0, 0])
                    into[1] += r["laki"]
                    into[2] += r["perempuan"]
            rows = [
                _Row(name, name, laki, perempuan, php_json({"suku": name}).decode())
                for _, (name, laki, perempuan) in sorted(groups.items())
            ]
            return rows, whole("suku")
        if kategori == "ktp":  # Ktp::countStatistik: subqueries over the whole database
            summed = self._summed(self.desa, year, "kepemilikan-ktp")
            rows = []
            for code, label in BY_SLUG["kepemilikan-ktp"].codes:
                _, laki, perempuan = summed.get(code, (label, 0, 0))
                status_rekam = KTP_COLUMNS.get(code, (2, code))[1]
                kriteria = php_json({"status_rekam": status_rekam}).decode()
                rows.append(_Row(code, label, laki, perempuan, kriteria))
            return rows, whole("kepemilikan-ktp")
        return [], penduduk()  # status-covid: the 2020 register is empty

    def _summed(self, scope: Sequence[Desa], year: int, slug: str) -> dict[str, list]:
        """A statistic's rows added up over villages, by code."""
        out: dict[str, list] = {}
        for d in scope:
            for r in self._entry(d, year, slug)["rows"]:
                into = out.setdefault(r["code"], [r["label"], 0, 0])
                into[1] += r["laki"]
                into[2] += r["perempuan"]
        return out

    def _statistik_items(
        self,
        kind: str,
        kategori: str,
        rows: list[_Row],
        total: tuple[int, int],
        *,
        belum_key: str = "belum mengisi",
        jumlah: tuple[int, int] | None = None,
        fault: str | None = None,
        fixed_ids: bool = False,
    ) -> list[dict]:
        """StatistikRepository::getStatistik through StatistikTransformer and fractal."""
        if fault == "unknown-code" and fixed_ids and rows:
            rows = _with_unknown_code(rows)
        if jumlah is None:
            jumlah = (sum(r.laki for r in rows), sum(r.perempuan for r in rows))
        whole = total[0] + total[1]

        def item(ident: object, nama: str, laki: int, perempuan: int, kriteria: str) -> dict:
            attributes = {
                "nama": _upper(nama),
                "jumlah": laki + perempuan,
                "persentase_jumlah": persen(laki + perempuan, whole),
                "laki_laki": laki,
                "persentase_laki_laki": persen(laki, whole),
                "perempuan": perempuan,
                "persentase_perempuan": persen(perempuan, whole),
                "kriteria": kriteria,
            }
            return {"type": kind, "id": str(ident), "attributes": attributes}

        def named(key: str) -> str:
            return php_json({key: kategori}).decode()

        items = [item(r.ident, r.nama, r.laki, r.perempuan, r.kriteria) for r in rows]
        items += [
            item(JUMLAH_ID, "Jumlah", *jumlah, named("jumlah")),
            item(BELUM_ID, "Belum Mengisi", total[0] - jumlah[0], total[1] - jumlah[1],
                 named(belum_key)),
            item(TOTAL_ID, "Total", *total, named("total")),
        ]  # fmt: skip
        if fault == "sum-mismatch":  # TOTAL counts 3 men nobody else does
            attrs = items[-1]["attributes"]
            attrs["laki_laki"] += 3
            attrs["jumlah"] += 3
        elif fault == "negative":
            attrs = items[0]["attributes"]
            attrs["laki_laki"] = -attrs["laki_laki"] - 1
        return items

    def _statistik_penduduk(self, req: _Request, fault: str | None) -> Reply:
        """StatistikController::penduduk, PendudukRepository::listStatistik."""
        f = req.filters
        kategori = f.get("id")
        if not _truthy(kategori):
            return _json_reply(404, KATEGORI_NOT_FOUND)
        config = req.params.get("config_desa")
        kode = f.get("desa")
        if _truthy(kode):  # Config::where('kode_desa', …)->first()->id
            desa = self._by_kode.get(kode) if isinstance(kode, str) else None
            if desa is None:
                raise _ServerError
            config = str(desa.config_id)
        if not isinstance(kategori, str) or kategori not in STATISTIK_IDS:
            raise _ServerError  # caseWithReferensi of a statistic it has no table for
        year = self._penduduk_year(f)
        rows, total = self._penduduk_rows(kategori, year, self._config_scope(config),
                                          self._x_desa(req))  # fmt: skip
        items = self._statistik_items(
            "statistik-penduduk", kategori, rows, total, fault=fault,
            fixed_ids=kategori in REFERENSI,
        )  # fmt: skip
        return _json_reply(200, {"data": items})

    def _statistik_keluarga(self, req: _Request, fault: str | None) -> Reply:
        """StatistikController::keluarga, KeluargaRepository::caseKelasSosial."""
        f = req.filters
        kategori = f.get("id")
        if not _truthy(kategori):
            return _json_reply(404, KATEGORI_NOT_FOUND)
        if kategori != "kelas-sosial":
            return _json_reply(200, {"data": []})
        year = self._period_year(f)
        scope = self._restrict(self._config_scope(req.params.get("config_desa")))
        rows: list[_Row] = []
        total = (0, 0)
        if year is not None:
            summed = self._summed(scope, year, "kelas-sosial")
            rows = [
                _Row(code, label, laki, perempuan, f'{{"kelas_sosial":{code}}}')
                for code, (label, laki, perempuan) in summed.items()
                if laki + perempuan > 0
            ]
            rows.sort(key=lambda r: php_int(r.ident))
            totals = [self._entry(d, year, "kelas-sosial")["total"] for d in scope]
            total = (sum(t["laki"] for t in totals), sum(t["perempuan"] for t in totals))
        items = self._statistik_items(
            "statistik-keluarga", kategori, rows, total, belum_key="belum_mengisi",
            fault=fault, fixed_ids=True,
        )  # fmt: skip
        return _json_reply(200, {"data": items})

    def _statistik_rtm(self, req: _Request, fault: str | None) -> Reply:
        """StatistikController::rtm, RtmRepository::caseBdt: no rows, only the footer."""
        f = req.filters
        if f.get("id") != "bdt":
            return _json_reply(200, {"data": []})
        year = self._period_year(f)
        in_bdt = total = (0, 0)
        if year is not None:
            entries = [self._entry(d, year, "bdt") for d in self._restrict(None, self._x_desa(req))]
            in_bdt = (
                sum(r["laki"] for e in entries for r in e["rows"]),
                sum(r["perempuan"] for e in entries for r in e["rows"]),
            )
            total = (sum(e["total"]["laki"] for e in entries),
                     sum(e["total"]["perempuan"] for e in entries))  # fmt: skip
        items = self._statistik_items("statistik-rtm", "bdt", [], total, jumlah=in_bdt,
                                      fault=fault)  # fmt: skip
        return _json_reply(200, {"data": items})

    # ------------------------------------------------------------ wilayah/penduduk

    def _config_row(self, desa: Desa) -> dict:
        """The village's `config` row as Config::toArray gives it (no id: fractal moves it)."""
        cached = self._config_rows.get(desa.config_id)
        if cached is not None:
            return cached
        v = desa.village
        rng = seeded(self.seed, desa.kode, "gabungan", "config")
        kabupaten = get_region(v.kode_kabupaten)
        provinsi = get_region(v.kode_desa[:2])
        camat = people.person(self.seed, desa.kode_kecamatan, "L", 0, ages=(42, 56),
                              today=date(self.tahun, 11, 20))  # fmt: skip
        nip = (
            camat.tanggal_lahir.replace("-", "") + f"{rng.randint(1998, 2012)}0{rng.randint(1, 9)}"
        )
        nip += f"1{rng.randint(1, 999):03d}"
        website = village_record(v, seed=self.seed, tahun=self.tahun).document["village"]["website"]
        slug = re.sub(r"[^a-z0-9]", "", v.nama_desa.lower()) or desa.kode
        created = date(2021 + rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
        updated = date(self.tahun - 1, rng.randint(1, 12), rng.randint(1, 28))
        stamp = "T{:02d}:{:02d}:{:02d}.000000Z"
        row = {
            "app_key": f"{stable_int(self.seed, desa.kode, 'app_key'):016x}"
            f"{stable_int(self.seed, desa.kode, 'app_key', 2):016x}",
            "nama_desa": v.nama_desa,
            "kode_desa": desa.kode,
            "kode_pos": f"38{rng.randint(600, 699)}",
            "nama_kecamatan": v.nama_kecamatan,
            "kode_kecamatan": desa.kode_kecamatan,
            "nama_kepala_camat": camat.nama,
            "nip_kepala_camat": nip,
            "nama_kabupaten": (kabupaten.nama if kabupaten else "").removeprefix("Kabupaten "),
            "kode_kabupaten": desa.kode_kabupaten,
            "nama_propinsi": provinsi.nama if provinsi else "",
            "kode_propinsi": desa.kode[:2],
            "logo": f"logo_{desa.kode}.png" if rng.random() < 0.7 else None,
            "lat": f"{-3.2 - rng.random() * 0.8:.7f}",
            "lng": f"{101.5 + rng.random() * 0.8:.7f}",
            "zoom": rng.randint(12, 16),
            "map_tipe": rng.choice(("HYBRID", "roadmap", "satellite")),
            "path": None,
            "alamat_kantor": f"Jl. {v.nama_desa} No. {rng.randint(1, 99)}",
            "email_desa": f"pemdes.{slug}@gmail.com",
            "telepon": f"0737{rng.randint(100000, 999999)}",
            "nomor_operator": f"08{rng.randint(1000000000, 9999999999)}",
            "website": website,
            "kantor_desa": None,
            "warna": None,
            "border": None,
            "created_at": created.isoformat()
            + stamp.format(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
            "created_by": 1,
            "updated_at": updated.isoformat()
            + stamp.format(rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
            "updated_by": 1,
            "nama_kontak": None,
            "hp_kontak": None,
            "jabatan_kontak": None,
        }
        self._config_rows[desa.config_id] = row
        return row

    def _check_query(
        self, req: _Request, allowed_filters: Sequence[str], allowed_sorts: Sequence[str]
    ) -> list[tuple[str, bool]]:
        """spatie/laravel-query-builder: unknown filters or sorts are a 400; the sorts asked
        for as (name, descending)."""
        filters = req.params.get("filter")
        if isinstance(filters, dict):
            unknown = [name for name in filters if name not in allowed_filters]
            if unknown:
                raise _BadQuery(
                    f"Requested filter(s) `{', '.join(unknown)}` are not allowed. "
                    f"Allowed filter(s) are `{', '.join(allowed_filters)}`."
                )
        raw = req.params.get("sort")
        sorts = []
        if isinstance(raw, str):
            for name in (s.strip() for s in raw.split(",")):
                if name:
                    sorts.append((name.lstrip("-"), name.startswith("-")))
            unknown = [name for name, _ in sorts if name not in allowed_sorts]
            if unknown:
                raise _BadQuery(
                    f"Requested sort(s) `{', '.join(unknown)}` is not allowed. "
                    f"Allowed sort(s) are `{', '.join(allowed_sorts)}`."
                )
        return sorts

    def _wilayah(self, req: _Request) -> Reply:
        """WilayahController::penduduk, WilayahRepository::listTotalPenduduk."""
        try:
            sorts = self._check_query(req, WILAYAH_FILTERS, WILAYAH_SORTS)
        except _BadQuery as exc:
            return self._error(req, 400, str(exc))
        f = req.filters
        found = list(self.desa)
        narrowing = (
            ("kode_kabupaten", "kode_kabupaten"),
            ("kode_kecamatan", "kode_kecamatan"),
            ("kode_desa", "kode"),
        )
        for name, attr in narrowing:
            value = f.get(name)
            if value is not None:
                found = [d for d in found if isinstance(value, str) and getattr(d, attr) == value]
        search = f.get("search")
        if isinstance(search, str):
            found = [d for d in found if _like(d.village.nama_desa, f"%{search}%")]
        for _, descending in reversed(sorts):
            found.sort(key=lambda d: d.village.nama_desa.casefold(), reverse=descending)
        items = []
        for d in found:
            pend = village_record(d.village, seed=self.seed, tahun=self.tahun)
            count = pend.document["totals"]["penduduk"]["total"]
            attributes = {**self._config_row(d), "penduduk_count": angka_lokal(count)}
            items.append({"type": "desa", "id": str(d.config_id), "attributes": attributes})
        return _json_reply(200, _paginated(items, req))

    # ------------------------------------------------------------ keuangan/summary

    def _keuangan(self, req: _Request, fault: str | None) -> Reply:
        """KeuanganController::summary, KeuanganRepository::summary."""
        try:
            sorts = self._check_query(req, KEUANGAN_FILTERS, KEUANGAN_SORTS)
        except _BadQuery as exc:
            return self._error(req, 400, str(exc))
        if any(name not in _GROUPED_SORTS for name, _ in sorts):
            raise _ServerError  # ONLY_FULL_GROUP_BY: ORDER BY a column outside the GROUP BY
        f = req.filters
        villages = list(self.desa)
        years = list(self.apbdes_years)
        for name, of in (("config_id", lambda d: str(d.config_id)), ("kode_desa", lambda d: d.kode),
                         ("kode_kecamatan", lambda d: d.kode_kecamatan)):  # fmt: skip
            value = f.get(name)
            if value is not None:
                wanted = value.split(",") if name == "config_id" else [value]
                villages = [d for d in villages if isinstance(value, str) and of(d) in wanted]
        tahun = f.get("tahun")
        if tahun is not None:
            wanted = tahun.split(",") if isinstance(tahun, str) else []
            years = [y for y in years if str(y) in wanted]
        lengths = []
        for name, test in (("template_uuid_length_gt", lambda n, v: n > v),
                           ("template_uuid_length_lt", lambda n, v: n < v),
                           ("template_uuid_length_eq", lambda n, v: n == v)):  # fmt: skip
            value = f.get(name)
            if value is not None:
                if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
                    raise _ServerError  # whereRaw('LENGTH(template_uuid) > '.$value)
                lengths.append((test, int(value)))
        search = f.get("search")
        sums: dict[str, list] = {}
        uraian_of: dict[str, str] = {}  # keuangan_template, for parent_uraian
        for d in villages:
            for year in years:
                for code, uraian, parent, anggaran, realisasi in self._accounts_for(d, year):
                    uraian_of.setdefault(code, uraian)
                    if any(not test(len(code), v) for test, v in lengths):
                        continue
                    if isinstance(search, str) and not (
                        _like(code, f"%{search}%")
                        or _like(uraian, f"%{search}%")
                        or _like(str(year), f"{search}%")
                        or _like(d.village.nama_desa, f"%{search}%")
                    ):
                        continue
                    into = sums.setdefault(code, [uraian, parent, 0, 0])
                    into[2] += anggaran
                    into[3] += realisasi
        items = []
        for code in sorted(sums, key=_account_key):
            uraian, parent, anggaran, realisasi = sums[code]
            attributes = {
                "anggaran": _rupiah(anggaran),
                "realisasi": _rupiah(realisasi),
                "template_uuid": code,
                "uraian": uraian,
                "parent_uuid": parent,
                "parent_uraian": None if parent is None else uraian_of.get(parent),
                "anggaran_local": "Rp. " + angka_lokal(anggaran),
                "realisasi_local": "Rp. " + angka_lokal(realisasi),
            }
            items.append({"type": "keuangan", "id": code, "attributes": attributes})
        if fault == "negative" and items:
            leaf = next((i for i in items if i["id"].count(".") == 3), items[0])
            leaf["attributes"]["realisasi"] = "-1.00"
        if fault == "sum-mismatch":
            for item in items:
                if item["id"].count(".") == 1:
                    attrs = item["attributes"]
                    attrs["anggaran"] = _rupiah(int(attrs["anggaran"][:-3]) + 1000)
                    break
        for name, descending in reversed(sorts):
            items.sort(key=_sort_key(name), reverse=descending)
        return _json_reply(200, _paginated(items, req))


class _BadQuery(Exception):
    """spatie/laravel-query-builder's InvalidFilterQuery / InvalidSortQuery: HTTP 400."""


def _sort_key(name: str):
    if name in ("anggaran", "realisasi"):
        return lambda item: Decimal(item["attributes"][name])
    if name == "template_uuid":
        return lambda item: item["attributes"]["template_uuid"].casefold()
    return lambda item: item["attributes"]["uraian"].casefold()


def _with_unknown_code(rows: list[_Row]) -> list[_Row]:
    """The fault unknown-code: a category the catalogue does not know (99 LAINNYA (BARU)),
    filled by moving 2 men and a woman from the largest row."""
    code, label = UNKNOWN_CODE
    if any(r.ident == code for r in rows):
        code = "98"
    donor = max(range(len(rows)), key=lambda i: rows[i].laki + rows[i].perempuan)
    d = rows[donor]
    laki, perempuan = min(2, d.laki), min(1, d.perempuan)
    column = next(iter(json.loads(d.kriteria)))
    out = list(rows)
    out[donor] = _Row(d.ident, d.nama, d.laki - laki, d.perempuan - perempuan, d.kriteria)
    out.append(_Row(code, label, laki, perempuan, f'{{"{column}":{code}}}'))
    return out


def _page_of(pairs: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """spatie/laravel-json-api-paginate with the server's config: page[size] 30 by default,
    at most 500 (0, negative or not a number: 30); page[number] a whole number ≥ 1, else 1."""
    raw_size = next((v.strip() for k, v in reversed(pairs) if k == "page[size]"), "")
    size = php_int(raw_size) if raw_size else PAGE_SIZE
    if size <= 0:
        size = PAGE_SIZE
    size = min(size, MAX_PAGE_SIZE)
    raw_number = next((v for k, v in reversed(pairs) if k == "page[number]"), None)
    number = 1
    if raw_number is not None and re.fullmatch(r"\s*[+-]?(0|[1-9]\d*)\s*", raw_number):
        number = max(1, int(raw_number))
    return number, size


def _drop_nulls(params: dict) -> dict:
    """http_build_query leaves null values out (ConvertEmptyStringsToNull made them)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict):
            value = _drop_nulls(value)
            if value:
                out[key] = value
        elif value is not None:
            out[key] = value
    return out


def _paginated(items: Sequence[dict], req: _Request) -> dict:
    """One page as fractal's JsonApiSerializer writes a Laravel paginator: meta.pagination
    {total, count, per_page, current_page, total_pages} and links self, first, prev (not on
    the first page), next (not on the last), last; a link keeps the other query parameters
    and puts page[number] last."""
    number, size = _page_of(req.pairs)
    total = len(items)
    last_page = max(1, math.ceil(total / size))
    chunk = list(items[(number - 1) * size : number * size])
    others = _drop_nulls(req.params)
    if isinstance(others.get("page"), dict):
        others["page"].pop("number", None)
        if not others["page"]:
            del others["page"]

    def link(n: int) -> str:
        return f"{req.url}?" + "&".join([*_build_query(others), f"page%5Bnumber%5D={n}"])

    links = {"self": link(number), "first": link(1)}
    if number > 1:
        links["prev"] = link(number - 1)
    if number < last_page:
        links["next"] = link(number + 1)
    links["last"] = link(last_page)
    meta = {"total": total, "count": len(chunk), "per_page": size, "current_page": number,
            "total_pages": last_page}  # fmt: skip
    return {"data": chunk, "meta": {"pagination": meta}, "links": links}


def serve_in_background(villages: list[Village], **kwargs) -> GabunganSimulator:
    """Start a Gabungan simulator (for `dasbor simulate --gabungan-port`) and say where."""
    sim = GabunganSimulator(villages, **kwargs).start()
    email, _ = next(iter(sim._accounts.values()))
    print(
        f"API Database Gabungan simulator: {len(villages)} villages at {sim.url}/api/v1 "
        f"(sign in as {email}; {sim.rate_limit} requests a minute)",
        flush=True,
    )
    return sim
