"""Adapter for the API Database Gabungan: one shared OpenSID database serving many villages.

Built from the server's own code (OpenSID/API-Database-Gabungan v2506.0.0) and from how its two
consumers call it (OpenSID/OpenKab, OpenSID/OpenDK); tests/test_gabungan_adapter.py names the
files read. One registry row may stand for every village of a kecamatan or kabupaten; each
village is still pulled on its own.

- Region codes are OpenSID's `config.kode_desa`: ten digits, no dots (OpenDK strips the dots of
  its kecamatan code before asking). The dotted code is tried only when the digits are unknown.
- `GET /api/v1/wilayah/penduduk?filter[kode_desa]=` (public) comes first: the village's config
  id and its resident count. A village the server does not know fails every dataset at once.
- Statistics: `GET /api/v1/statistik-web/penduduk?filter[id]=<slug>&filter[desa]=<kode>`
  (public, one answer, no pagination; `filter[tahun]` empty: today's snapshot, as OpenKab asks).
  Kelas sosial comes from `statistik-web/keluarga` with `config_desa=<config id>`, BDT from
  `statistik-web/rtm` and suku with the header `X-Desa: <kode>`: the only ways the server narrows
  those to one village. Rows are JSON:API items whose `id` is the category (summary rows
  66666/77777/88888); each row's `kriteria` names the column it counts and is checked against
  the statistic asked for; age brackets carry their bounds there (`umur_dari`, `umur_sampai`).
  A statistic counting residents may not total more than the village's resident count.
- APBDes: `GET /api/v1/keuangan/summary?filter[kode_desa]=&filter[tahun]=` (Sanctum token),
  `page[size]` up to the server's 500. `template_uuid` is the account code ("4.2.1",
  "5.1.1.90-99"), amounts are decimal strings. OpenSID keeps levels 2 and 3 the sums of their
  sub-accounts but never updates level 1, so a top-level account is taken as the sum of its own.
- Sign-in: the registry token is the Sanctum token itself (what OpenKab and OpenDK are given:
  made on the server's Token page), or `email:password` (a literal or `env:VAR`) for
  `POST /api/v1/signin` → `access_token`. The server deletes every other token of an account
  when it signs in, so give the collector an account of its own; sign-in happens once per source
  and account, shared by the sweep's threads, and again once when a token stops working. The
  server locks sign-in for 10 minutes after 5 failures: a refused sign-in is not repeated sooner.
- Rate limit: 60 requests a minute per client address, on every route. Requests to one source
  are spaced by the limit the server announces (`X-RateLimit-Limit`); that wait does not count
  against the village deadline.
- Not pulled, because the server cannot answer them for one village: see NOT_SERVED.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from collectors.adapters.common import (
    MAX_CATEGORIES,
    MAX_ITEMS,
    MAX_KODE,
    MAX_LABEL,
    check_amount,
    check_budget_tree,
    check_many,
    make_statistic,
    parse_count,
    plain_counts,
    text_field,
    unknown_codes_warning,
)
from collectors.http import FetchError, HttpClient, Response, status_error, status_reason
from collectors.model import (
    CategoryRow,
    Counts,
    DatasetResult,
    PayloadError,
    Reason,
    Statistic,
    Totals,
    VillagePull,
)
from config.registry import RegistryError, Village
from config.statistik import BY_SLUG, OPEN_END, PULLED_SLUGS, TOTALS_DATASET
from warehouse.bounds import MEASUREMENT_LABEL
from warehouse.values import MeasurementRow

SIGNIN = "/api/v1/signin"
WILAYAH = "/api/v1/wilayah/penduduk"
STATISTIK = "/api/v1/statistik-web/penduduk"
STATISTIK_KELUARGA = "/api/v1/statistik-web/keluarga"
STATISTIK_RTM = "/api/v1/statistik-web/rtm"
KEUANGAN = "/api/v1/keuangan/summary"
SUMMARY_IDS = {"66666": "jumlah", "77777": "belum_mengisi", "88888": "total"}
FIELDS = ("jumlah", "laki_laki", "perempuan")
PAGE_SIZE = 500  # the server's json-api-paginate max_results
MAX_PAGES = 20
MAX_ROWS = MAX_ITEMS  # items of one answer, or of all pages of one dataset (common's bound)
MAX_TEXT = MAX_LABEL  # a label or name
SIGNIN_LOCKOUT_S = 600  # the server's AuthController: 5 failures lock sign-in this long
RATE_MARGIN = 1.1  # space requests this much wider than the announced limit
TOTAL_SLUGS = ("jenis-kelamin", "kelas-sosial", "bdt")  # penduduk, keluarga, rumah tangga
SOURCE_APP = "OpenSID (Database Gabungan)"


@dataclass(frozen=True)
class Source:
    """Where the server answers one statistic for one village."""

    path: str
    filter_id: str  # the server's filter[id]
    kriteria: tuple[str, ...] = ()  # the columns a category row's `kriteria` names
    by: str = "desa"  # desa: filter[desa]; config: also config_desa; header: also X-Desa


def _penduduk(filter_id: str, *kriteria: str, by: str = "desa") -> Source:
    return Source(STATISTIK, filter_id, kriteria, by)


_UMUR = ("umur_dari", "umur_sampai")
# our slug -> the server's statistic (PendudukRepository::listStatistik and tabelReferensi)
SOURCES: dict[str, Source] = {
    "jenis-kelamin": _penduduk("jenis-kelamin", "sex"),
    "rentang-umur": _penduduk("rentang-umur", *_UMUR),
    "kategori-umur": _penduduk("kategori-umur", *_UMUR),
    "pendidikan-dalam-kk": _penduduk("pendidikan-dalam-kk", "pendidikan_kk_id"),
    "pendidikan-sedang-ditempuh": _penduduk("pendidikan-sedang-ditempuh", "pendidikan_sedang_id"),
    "pekerjaan": _penduduk("pekerjaan", "pekerjaan_id"),
    "status-perkawinan": _penduduk("status-perkawinan", "status_kawin"),
    "agama": _penduduk("agama", "agama_id"),
    "golongan-darah": _penduduk("golongan-darah", "golongan_darah_id"),
    "penyandang-cacat": _penduduk("penyandang-cacat", "cacat_id"),
    "asuransi-kesehatan": _penduduk("asuransi-kesehatan", "id_asuransi"),
    "warga-negara": _penduduk("warga-negara", "warganegara_id"),
    "status-penduduk": _penduduk("status-penduduk", "status"),
    "penyakit-menahun": _penduduk("penyakit-menahun", "sakit_menahun_id"),
    "akseptor-kb": _penduduk("akseptor-kb", "cara_kb_id"),
    "akta-kelahiran": _penduduk("akta-kelahiran", *_UMUR),
    "hubungan-kk": _penduduk("hubungan-dalam-kk", "kk_level"),
    "suku": _penduduk("suku", "suku", by="header"),
    "status-kehamilan": _penduduk("status-kehamilan", "hamil"),
    "bpjs-ketenagakerjaan": _penduduk("bpjs-ketenagakerjaan", "pekerjaan_id"),
    "kelas-sosial": Source(STATISTIK_KELUARGA, "kelas-sosial", ("kelas_sosial",), by="config"),
    "bdt": Source(STATISTIK_RTM, "bdt", by="header"),
}
# catalogue statistics the server cannot give for one village, and why (v2506.0.0)
NOT_SERVED: dict[str, str] = {
    "kepemilikan-ktp": "its `ktp` rows count the whole database whatever the village asked",
    "buku-nikah": "it has akta-nikah, age brackets of married residents, a different statistic",
    "akta-kematian": "no such statistic",
    "status-asuransi-kesehatan": "no such statistic",
    "kepemilikan-kia": "no such statistic",
    "bantuan-penduduk": "statistik-web/bantuan is not pulled here (programmes of the database)",
    "bantuan-keluarga": "statistik-web/bantuan is not pulled here (programmes of the database)",
}

_tokens: dict[tuple[str, str], str] = {}
_refused: dict[tuple[str, str, str], tuple[float, Reason, int]] = {}
_lock = threading.Lock()
_ACCOUNT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,63}$")
_AMOUNT = re.compile(r"^\s*-?\d{1,15}(\.\d{1,6})?\s*$")
_TOKEN = re.compile(r"^[\x21-\x7e]{1,512}$")  # printable, no spaces: safe in a header
_LOCAL_INT = re.compile(r"^\d{1,3}(\.\d{3})*$|^\d{1,12}$")  # angka_lokal: "1.234"


# ------------------------------------------------------------------ credentials and tokens


def credentials(village: Village) -> tuple[str | None, str | None, str | None]:
    """(token, email, password) from the registry token: the Sanctum token itself, or
    `email:password` to sign in with; all None when the row has no token."""
    spec = (village.resolve_token() or "").strip()
    if not spec:
        return None, None, None
    email, sep, password = spec.partition(":")
    if sep and "@" in email:
        if not password:
            raise RegistryError(f"village {village.kode_desa}: the gabungan token has no password")
        return None, email.strip(), password
    token = spec.removeprefix("Bearer ").strip()
    if not _TOKEN.match(token):
        raise RegistryError(
            f"village {village.kode_desa}: a gabungan token is the server's Sanctum token "
            "(id|secret) or email:password (literal or env:VARNAME)"
        )
    return token, None, None


def _signin_refused(status: int) -> Reason:
    if status == 401:
        return Reason(
            "sign-in refused (HTTP 401): wrong email or password in the registry token",
            code="gabungan.signin_wrong",
        )
    if status == 403:
        return Reason(
            "sign-in refused (HTTP 403): the server locks sign-in for 10 minutes after 5 failed "
            "attempts from this address; check the registry token, then wait",
            code="gabungan.signin_locked",
        )
    return Reason(
        f"sign-in refused (HTTP {status}): the server did not accept the email and password",
        code="gabungan.signin_refused",
        params={"http_status": status},
    )


def _token(call: _Call, *, stale: str | None = None) -> str:
    """The bearer token for this village's source; signs in when there is none yet, or when
    `stale` (a token the server just refused) is still the one held."""
    village = call.village
    try:
        token, email, password = credentials(village)
    except RegistryError as exc:
        raise FetchError(str(exc), code="gabungan.token_invalid") from None
    if token:
        return token
    if not email or not password:
        raise FetchError(
            "needs the registry token: the server's Sanctum token, or email:password to sign in",
            code="gabungan.token_missing",
        )
    key = (village.base_url, email)
    refusal = (village.base_url, email, hashlib.sha256(password.encode()).hexdigest())
    with _lock:  # one sign-in per source and account, whatever the number of threads
        held = _tokens.get(key)
        if held and held != stale:
            return held
        refused = _refused.get(refusal)
        if refused and time.monotonic() - refused[0] < SIGNIN_LOCKOUT_S:
            raise FetchError(
                refused[1].text + " (not tried again yet)",
                code="gabungan.signin_waiting",
                params={"http_status": refused[2]},
                http_status=refused[2],
            )
        resp = call.send("POST", SIGNIN, payload={"email": email, "password": password})
        if resp.status in (401, 403, 422):
            reason = _signin_refused(resp.status)
            _refused[refusal] = (time.monotonic(), reason, resp.status)
            raise FetchError.of(reason, http_status=resp.status)
        if resp.status != 200:
            raise status_error(resp.status, "sign-in")
        _refused.pop(refusal, None)
        doc = _json(resp, "sign-in")
        data = doc.get("data") if isinstance(doc.get("data"), dict) else {}
        found = doc.get("access_token") or data.get("access_token") or data.get("token")
        if not isinstance(found, str) or not _TOKEN.match(found):
            raise PayloadError(
                "sign-in: no usable access_token in the answer",
                code="gabungan.no_access_token",
                params={"tempat": "sign-in"},
            )
        _tokens[key] = found
        return found


# ------------------------------------------------------------------ requests


class _Pace:
    """Spaces the requests to one source by the limit it announces per minute
    (X-RateLimit-Limit, Laravel's throttle), with a margin; no wait until it announces one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.interval = 0.0
        self._next = 0.0

    def wait(self) -> float:
        """Sleep until this request's turn; the seconds slept."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next)
            self._next = at + self.interval
        if at > now:
            time.sleep(at - now)
        return at - now

    def learn(self, headers: Mapping[str, str]) -> None:
        for name, value in headers.items():
            if name.lower() == "x-ratelimit-limit":
                text = str(value).strip()
                if text.isdigit() and 0 < int(text) <= 100_000:
                    self.interval = 60.0 / int(text) * RATE_MARGIN
                return


_paces: dict[str, _Pace] = {}
_paces_lock = threading.Lock()  # not _lock: signing in (under _lock) paces its request too


def _pace(base_url: str) -> _Pace:
    with _paces_lock:
        return _paces.setdefault(base_url, _Pace())


def _describe(status: int, what: str) -> Reason:
    if status == 400:
        return Reason(
            f"{what}: HTTP 400: the server refused the query's filters",
            code="gabungan.filters_refused",
            params={"tempat": what},
        )
    if status == 403:
        return Reason(
            f"{what}: HTTP 403: the token may not read this (Sanctum ability missing)",
            code="gabungan.forbidden",
            params={"tempat": what},
        )
    if status == 500:
        return Reason(
            f"{what}: HTTP 500: server error (it also answers 500 for a statistic it lacks)",
            code="gabungan.server_error",
            params={"tempat": what},
        )
    return status_reason(status).at(what)


def _json(resp: Response, what: str) -> dict:
    try:
        doc = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(
            f"{what}: invalid JSON: {exc}",
            code="json.invalid",
            params={"tempat": what, "detail": str(exc)[:200]},
        ) from None
    if not isinstance(doc, dict):
        raise PayloadError(
            f"{what}: expected a JSON object, got {type(doc).__name__}",
            code="json.expected_object",
            params={"tempat": what, "tipe": type(doc).__name__},
        )
    return doc


class _Call:
    """One village's requests to its source: pacing, tokens, and the time spent waiting."""

    def __init__(
        self, village: Village, client: HttpClient, deadline_s: float | None = None
    ) -> None:
        self.village = village
        self.client = client
        self.paced = 0.0  # seconds waited for the source's rate limit
        self.deadline_s = deadline_s
        self.start = time.perf_counter()

    def until(self) -> float | None:
        """When the village's deadline passes (time.perf_counter()): a Retry-After that asks
        to wait beyond it is not waited for. The source's pacing does not count."""
        return self.start + self.paced + self.deadline_s if self.deadline_s else None

    def send(self, method: str, path: str, *, params=None, headers=None, payload=None):
        pace = _pace(self.village.base_url)
        self.paced += pace.wait()
        url = self.village.base_url + path
        headers = {"Accept": "application/json", **(headers or {})}
        if method == "POST":
            resp = self.client.post_json(url, payload or {}, headers=headers, until=self.until())
        else:
            resp = self.client.get(url, params=params, headers=headers, until=self.until())
        pace.learn(resp.headers)
        return resp

    def get(self, path: str, params: dict, what: str, *, auth: bool = False, headers=None):
        """The JSON object of a 200 answer. Public routes go without a token; one that asks
        for it (401) gets it. A refused token is renewed once when the row signs in."""
        stale: str | None = None
        renewed = False
        while True:
            sent = dict(headers or {})
            token = None
            if auth:
                try:
                    token = _token(self, stale=stale)
                except (FetchError, PayloadError) as exc:
                    status = getattr(exc, "http_status", None)
                    # said of what was asked for (sign-in failed while fetching it)
                    inner = exc.params.get("tempat")
                    place = f"{what}: {inner}" if inner else what
                    reason = Reason(f"{what}: {exc}", exc.code, {**exc.params, "tempat": place})
                    raise FetchError.of(reason, http_status=status) from None
                sent["Authorization"] = f"Bearer {token}"
            resp = self.send("GET", path, params=params, headers=sent)
            if resp.status == 401 and not auth:
                auth = True
                continue
            if resp.status == 401 and not renewed and credentials(self.village)[1]:
                stale, renewed = token, True  # the token was deleted (a sign-in elsewhere)
                continue
            if resp.status == 401:
                if renewed:
                    raise FetchError(
                        f"{what}: HTTP 401: the server refused the token even after signing in "
                        "again",
                        code="gabungan.token_refused_again",
                        params={"tempat": what},
                        http_status=401,
                    )
                raise FetchError(
                    f"{what}: HTTP 401: the server refused the token (deleted or regenerated?)",
                    code="gabungan.token_refused",
                    params={"tempat": what},
                    http_status=401,
                )
            if resp.status != 200:
                raise FetchError.of(_describe(resp.status, what), http_status=resp.status)
            return _json(resp, what)


def _data_list(doc: dict, what: str) -> list:
    data = doc.get("data")
    if not isinstance(data, list):
        raise PayloadError(
            f"{what}: expected a JSON:API data list",
            code="jsonapi.no_data",
            params={"tempat": what},
        )
    if len(data) > MAX_ROWS:
        raise PayloadError(
            f"{what}: {len(data)} items, more than {MAX_ROWS}",
            code="items.too_many",
            params={"tempat": what, "jumlah": len(data), "batas": MAX_ROWS},
        )
    return data


def _all_pages(call: _Call, path: str, params: dict, what: str, *, auth: bool) -> list:
    items: list = []
    page = 1
    while True:
        query = {**params, "page[size]": PAGE_SIZE, "page[number]": page}
        doc = call.get(path, query, what, auth=auth)
        items.extend(_data_list(doc, what))
        if len(items) > MAX_ROWS:
            raise PayloadError(
                f"{what}: more than {MAX_ROWS} items over {page} pages; stopped",
                code="items.too_many_pages",
                params={"tempat": what, "batas": MAX_ROWS, "halaman": page},
            )
        meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
        pagination = meta.get("pagination") if isinstance(meta.get("pagination"), dict) else {}
        last = pagination.get("total_pages")
        if isinstance(last, int) and not isinstance(last, bool):
            if last > MAX_PAGES:
                raise PayloadError(
                    f"{what}: {last} pages, more than {MAX_PAGES}",
                    code="pages.too_many",
                    params={"tempat": what, "batas": MAX_PAGES},
                )
            more = page < last
        else:
            links = doc.get("links") if isinstance(doc.get("links"), dict) else {}
            more = bool(links.get("next"))
        if not more:
            return items
        page += 1
        if page > MAX_PAGES:
            raise PayloadError(
                f"{what}: more than {MAX_PAGES} pages; stopped",
                code="pages.too_many",
                params={"tempat": what, "batas": MAX_PAGES},
            )


def _text(value: object, where: str, *, limit: int = MAX_TEXT) -> str:
    """A short text field (an id, a label); numbers are read as their digits, and a JSON
    true/false is no text here (empty), unlike common.text_field."""
    if isinstance(value, bool):
        return ""
    return text_field(value, where, limit)


# ------------------------------------------------------------------ the village


@dataclass(frozen=True)
class _Desa:
    kode: str  # the village's kode_desa as the server stores it
    config_id: str
    penduduk: int | None  # living residents, as wilayah/penduduk counts them


def _local_int(value: object) -> int | None:
    """A count as angka_lokal writes it ("1.234"), or a plain number; None if neither."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _LOCAL_INT.match(value.strip()):
        return int(value.strip().replace(".", ""))
    return None


def _find_desa(call: _Call) -> _Desa:
    """The village on the server: its config id and resident count (wilayah/penduduk)."""
    v = call.village
    what = f"desa {v.kode_desa}, wilayah/penduduk"
    for kode in dict.fromkeys((v.kode_digits, v.kode_desa)):
        doc = call.get(WILAYAH, {"filter[kode_desa]": kode, "page[size]": 2}, what)
        items = _data_list(doc, what)
        if not items:
            continue
        if len(items) > 1:
            raise PayloadError(
                f"{what}: more than one village answers to kode_desa {kode}",
                code="gabungan.desa_twice",
                params={"tempat": what, "kode": kode},
            )
        item = items[0]
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(attrs, dict):
            raise PayloadError(
                f"{what}: the village has no attributes",
                code="jsonapi.no_attributes",
                params={"tempat": what},
            )
        found = _text(attrs.get("kode_desa"), f"{what}, kode_desa", limit=20)
        if found and found != kode:
            raise PayloadError(
                f"{what}: asked for kode_desa {kode}, the server answered {found}",
                code="gabungan.desa_other",
                params={"tempat": what, "kode": kode, "jawaban": found},
            )
        config_id = _text(item.get("id", attrs.get("id")), f"{what}, id", limit=12)
        if not config_id.isdigit():
            raise PayloadError(
                f"{what}: no config id for kode_desa {kode}",
                code="gabungan.no_config_id",
                params={"tempat": what, "kode": kode},
            )
        return _Desa(kode, config_id, _local_int(attrs.get("penduduk_count")))
    raise PayloadError(
        f"{what}: the server knows neither kode_desa {v.kode_digits} nor {v.kode_desa}; "
        "is the village on this Database Gabungan?",
        code="gabungan.desa_unknown",
        params={"tempat": what, "kode": v.kode_digits, "kode_2": v.kode_desa},
    )


# ------------------------------------------------------------------ statistics


def _kriteria(value: object) -> dict:
    """The row's `kriteria`, a JSON object in a string ("{\"agama_id\":1}"); {} if unreadable."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and len(value) <= 1000:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _bounds(kriteria: dict, where: str) -> tuple[int, int]:
    """An age bracket's bounds, from its kriteria (umur_dari/umur_sampai, tweb_penduduk_umur);
    never from the label, which does not say them all ("Di bawah 1 Tahun")."""
    if "umur_dari" not in kriteria or "umur_sampai" not in kriteria:
        raise PayloadError(
            f"{where}: an age bracket without umur_dari/umur_sampai in kriteria",
            code="age.no_kriteria",
            params={"tempat": where},
        )
    dari = parse_count(kriteria["umur_dari"], f"{where}.umur_dari")
    sampai = parse_count(kriteria["umur_sampai"], f"{where}.umur_sampai")
    if dari > sampai or sampai > OPEN_END:
        raise PayloadError(
            f"{where}: age bracket {dari}–{sampai} is not within 0–{OPEN_END}",
            code="age.range",
            params={"tempat": where, "dari": dari, "sampai": sampai, "batas": OPEN_END},
        )
    return dari, sampai


def parse_statistik(doc: dict, slug: str, where: str) -> Statistic:
    """One statistics answer of the server (StatistikTransformer in JSON:API): category rows
    and the summary rows 66666 JUMLAH, 77777 BELUM MENGISI, 88888 TOTAL."""
    source, stat_def = SOURCES[slug], BY_SLUG[slug]
    rows: list[CategoryRow] = []
    summary: dict[str, Counts] = {}
    data = doc.get("data")
    if isinstance(data, list) and len(data) > MAX_CATEGORIES + len(SUMMARY_IDS):
        check_many(len(data), where)  # the bound every adapter shares
    items = _data_list(doc, where)
    for i, item in enumerate(items):
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(attrs, dict):
            raise PayloadError(
                f"{where}: item {i + 1} has no attributes",
                code="jsonapi.item_no_attributes",
                params={"tempat": where, "nomor": i + 1},
            )
        code = _text(item.get("id", attrs.get("id")), f"{where}, item {i + 1} id", limit=MAX_KODE)
        if not code:
            raise PayloadError(
                f"{where}: item {i + 1} has no id",
                code="jsonapi.item_no_id",
                params={"tempat": where, "nomor": i + 1},
            )
        label = _text(attrs.get("nama"), f"{where}, {code}.nama") or code
        here = f"{where}, {label}"
        counts = plain_counts(*(attrs.get(f) for f in FIELDS)) or Counts(
            *(parse_count(attrs.get(f), f"{here}.{f}") for f in FIELDS)
        )
        kriteria = _kriteria(attrs.get("kriteria"))
        kind = SUMMARY_IDS.get(code)
        if kind:
            named = [v for v in kriteria.values() if isinstance(v, str)]
            if named and named[0] != source.filter_id:
                raise PayloadError(
                    f"{where}: the server answered statistic {named[0][:40]!r}, "
                    f"not {source.filter_id!r}",
                    code="gabungan.other_statistic",
                    params={"tempat": where, "jawaban": named[0][:40],
                            "statistik": source.filter_id},
                )  # fmt: skip
            if kind in summary:
                raise PayloadError(
                    f"{where}: summary row {code} twice",
                    code="summary.twice",
                    params={"tempat": where, "baris": code},
                )
            summary[kind] = counts
            continue
        if kriteria and source.kriteria and not set(source.kriteria) <= set(kriteria):
            counted = ", ".join(sorted(str(k)[:40] for k in kriteria))
            raise PayloadError(
                f"{where}: row {code} ({label}) counts {counted}, not "
                f"{', '.join(source.kriteria)}: not the statistic asked for",
                code="gabungan.other_kriteria",
                params={"tempat": where, "kode": code, "label": label, "kriteria": counted,
                        "harapan": ", ".join(source.kriteria)},
            )  # fmt: skip
        if counts.laki_laki + counts.perempuan != counts.jumlah:
            raise PayloadError(
                f"{here}: laki ({counts.laki_laki}) + perempuan ({counts.perempuan}) is not "
                f"jumlah ({counts.jumlah})",
                code="sum.sexes",
                params={"tempat": here, "laki": counts.laki_laki,
                        "perempuan": counts.perempuan, "jumlah": counts.jumlah},
            )  # fmt: skip
        dari = sampai = None
        if stat_def.jenis == "umur":
            dari, sampai = _bounds(kriteria, here)
        rows.append(CategoryRow(code, label, counts, dari, sampai))
    for ident, kind in SUMMARY_IDS.items():
        if kind in ("belum_mengisi", "total") and kind not in summary:
            raise PayloadError(
                f"{where}: no summary row {ident} ({kind.replace('_', ' ')})",
                code="summary.missing",
                params={"tempat": where, "baris": ident, "jenis": kind},
            )
    total, jumlah = summary["total"], summary.get("jumlah")
    if stat_def.jenis == "rtm":  # the server sends no rows: 66666 is the households in the BDT
        if rows:
            raise PayloadError(
                f"{where}: {len(rows)} category rows where the server sends none",
                code="gabungan.bdt_rows",
                params={"tempat": where, "jumlah": len(rows)},
            )
        if jumlah is None:
            raise PayloadError(
                f"{where}: no summary row 66666 (households in the BDT)",
                code="bdt.no_jumlah",
                params={"tempat": where, "baris": "66666"},
            )
        code, name = stat_def.codes[0]
        rows = [CategoryRow(code, name, jumlah)]
    if stat_def.jenis == "umur" and not rows and total.jumlah:
        raise PayloadError(
            f"{where}: no age brackets for {total.jumlah} residents (the server reads the "
            "brackets of its first village, config id 1)",
            code="gabungan.no_age_brackets",
            params={"tempat": where, "jumlah": total.jumlah},
        )
    return make_statistic(slug, rows, summary["belum_mengisi"], total, where, jumlah=jumlah)


def _statistik(call: _Call, desa: _Desa, slug: str) -> tuple[Statistic, str | None]:
    """One statistic of the village, and a warning when its total is below the village's
    resident count (residents without a sex are in the count only)."""
    source = SOURCES[slug]
    what = f"desa {call.village.kode_desa}, statistik {slug}"
    params = {
        "filter[id]": source.filter_id,
        "filter[desa]": desa.kode,
        "filter[tahun]": "",  # keluarga and rtm read both keys; empty is today's snapshot
        "filter[bulan]": "",
    }
    headers = {"X-Desa": desa.kode} if source.by == "header" else None
    if source.by == "config":
        params["config_desa"] = desa.config_id
    stat = parse_statistik(call.get(source.path, params, what, headers=headers), slug, what)
    if BY_SLUG[slug].unit != "penduduk" or desa.penduduk is None:
        return stat, None
    # the statistic counts a subset of the residents wilayah/penduduk counts; more is another
    # village's numbers (or the whole database's)
    if stat.total.jumlah > desa.penduduk:
        raise PayloadError(
            f"{what}: TOTAL {stat.total.jumlah} is more than the village's {desa.penduduk} "
            "residents (wilayah/penduduk): not this village's numbers, or changed meanwhile",
            code="gabungan.total_over_residents",
            params={"tempat": what, "jumlah": stat.total.jumlah, "penduduk": desa.penduduk},
        )
    if stat.total.jumlah < desa.penduduk:
        return stat, (
            f"{what}: TOTAL {stat.total.jumlah} is below the village's {desa.penduduk} "
            "residents (wilayah/penduduk)"
        )
    return stat, None


# ------------------------------------------------------------------ the pull


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,  # the API sends no validators
    deadline_s: float | None = None,
    datasets: Sequence[str] | None = None,
) -> VillagePull:
    """Every statistic the server gives for one village, its totals and its APBDes."""
    served = [s for s in PULLED_SLUGS if s in SOURCES]
    everything = (TOTALS_DATASET, *served, "apbdes")
    wanted = [d for d in everything if datasets is None or d in datasets]
    pull = VillagePull(kode_desa=village.kode_desa, source_app=SOURCE_APP)
    call = _Call(village, client, deadline_s)
    start = call.start

    def elapsed() -> float:  # waiting for the source's rate limit is not the village's fault
        return time.perf_counter() - start - call.paced

    def failed(dataset: str, errors: list) -> DatasetResult:
        http = next((e.http_status for e in errors if getattr(e, "http_status", None)), None)
        reason = Reason.combine(e.reason for e in errors)
        return DatasetResult.failure(dataset, reason, http_status=http)

    def finish() -> VillagePull:
        pull.duration_ms = int((time.perf_counter() - start) * 1000)
        for r in pull.results:
            r.duration_ms = pull.duration_ms // max(1, len(pull.results))
        return pull

    if not wanted:
        return finish()
    try:
        desa = _find_desa(call)
    except (FetchError, PayloadError) as exc:
        pull.results.extend(failed(d, [exc]) for d in wanted)
        return finish()

    slugs: list[str] = []
    for d in wanted:
        if d == TOTALS_DATASET:
            slugs.extend(TOTAL_SLUGS)
        elif d != "apbdes":
            slugs.append(d)
    stats: dict[str, Statistic | FetchError | PayloadError] = {}
    notes: dict[str, str | None] = {}
    gave_up: Reason | None = None
    for slug in dict.fromkeys(slugs):
        if gave_up:
            stats[slug] = FetchError.of(gave_up)
            continue
        try:
            stats[slug], notes[slug] = _statistik(call, desa, slug)
        except (FetchError, PayloadError) as exc:
            stats[slug] = exc
            if isinstance(exc, FetchError) and exc.timeout:
                gave_up = Reason(
                    f"skipped: the source gave no answer in time on statistik {slug}",
                    code="skipped.no_answer",
                    params={"bagian": f"statistik {slug}"},
                )
            elif isinstance(exc, FetchError) and exc.http_status == 429:
                gave_up = Reason(
                    f"skipped: the source kept refusing requests (HTTP 429) on {slug}",
                    code="skipped.rate_limited",
                    params={"bagian": slug},
                )
        if deadline_s and not gave_up and elapsed() > deadline_s:
            gave_up = Reason(
                f"skipped: village took longer than {deadline_s:g} s in all",
                code="skipped.deadline",
                params={"detik": deadline_s},
            )

    for dataset in wanted:
        if dataset == "apbdes":
            if gave_up:
                pull.results.append(DatasetResult.failure("apbdes", gave_up))
                continue
            try:
                rows, warning = _apbdes(call, desa, tahun)
            except (FetchError, PayloadError) as exc:
                pull.results.append(failed("apbdes", [exc]))
                continue
            pull.results.append(
                DatasetResult("apbdes", "ok", rows, 200, warning=warning, periods=(str(tahun),))
            )
            continue
        parts = list(TOTAL_SLUGS) if dataset == TOTALS_DATASET else [dataset]
        errors = [stats[p] for p in parts if not isinstance(stats[p], Statistic)]
        if errors:
            pull.results.append(failed(dataset, errors))
        elif dataset == TOTALS_DATASET:
            sex, families, households = (stats[p] for p in parts)
            totals = Totals(sex.total, families.total.jumlah, households.total.jumlah)
            pull.results.append(DatasetResult(dataset, "ok", totals, 200))
        else:
            stat = stats[dataset]
            found = (notes.get(dataset), unknown_codes_warning(stat))
            warning = "; ".join(w for w in found if w) or None
            pull.results.append(DatasetResult(dataset, "ok", stat, 200, warning=warning))
    return finish()


# ------------------------------------------------------------------ APBDes


def _apbdes(call: _Call, desa: _Desa, tahun: int) -> tuple[list[MeasurementRow], str | None]:
    what = f"desa {call.village.kode_desa}, apbdes {tahun} (keuangan/summary)"
    params = {"filter[kode_desa]": desa.kode, "filter[tahun]": tahun}  # no tahun: all years
    items = _all_pages(call, KEUANGAN, params, what, auth=True)
    return parse_apbdes(items, tahun, what)


def _account(value: object, where: str) -> str:
    code = _text(value, where, limit=MAX_KODE)
    if not _ACCOUNT.match(code):
        raise PayloadError(
            f"{where}: {code[:40]!r} is not an account code",
            code="apbdes.account_code",
            params={"tempat": where, "nilai": repr(code[:40])},
        )
    return code


def _amount(value: object, where: str) -> float:
    """A sum of anggaran or realisasi: a decimal string from MySQL, a number, or null (0)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise PayloadError(
            f"{where} {value!r} is not a number",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    if isinstance(value, int | float):
        number = float(value) if isinstance(value, float) or abs(value) < 10**300 else math.inf
    elif isinstance(value, str) and _AMOUNT.match(value):
        number = float(value)
    else:
        raise PayloadError(
            f"{where} {str(value)[:40]!r} is not a number",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(str(value)[:40])},
        )
    if not math.isfinite(number):
        raise PayloadError(
            f"{where} {value!r} is not a number",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    if number < 0:
        raise PayloadError(
            f"{where}: negative {number:,.0f}",
            code="amount.negative",
            params={"tempat": where, "nilai": round(number)},
        )
    return check_amount(number, where)  # and at most MAX_AMOUNT


def parse_apbdes(items: list, tahun: int, where: str) -> tuple[list[MeasurementRow], str | None]:
    """The APBDes accounts of one village and year (KeuanganSummaryTransformer): anggaran and
    realisasi per account code; parents must be the sums of their sub-accounts."""
    amounts: dict[str, tuple[float, float]] = {}
    parents: dict[str, str | None] = {}
    uraian: dict[str, str] = {}
    for item in items:
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(attrs, dict):
            raise PayloadError(
                f"{where}: an account has no attributes",
                code="jsonapi.no_attributes",
                params={"tempat": where},
            )
        code = _account(attrs.get("template_uuid") or item.get("id"), f"{where}, template_uuid")
        if code in amounts:
            raise PayloadError(
                f"{where}: account {code} twice",
                code="apbdes.account_twice",
                params={"tempat": where, "akun": code},
            )
        label = (
            _text(attrs.get("uraian"), f"{where}, {code}.uraian", limit=MEASUREMENT_LABEL) or code
        )
        here = f"{where}, {code} {label}"
        raw_parent = attrs.get("parent_uuid")
        parents[code] = None if raw_parent in (None, "") else _account(raw_parent, here)
        amounts[code] = (
            _amount(attrs.get("anggaran"), f"{here}: anggaran"),
            _amount(attrs.get("realisasi"), f"{here}: realisasi"),
        )
        uraian[code] = label
    children = {code: [c for c, p in parents.items() if p == code] for code in amounts}
    notes = []
    for code, kids in children.items():
        if parents[code] is not None or not kids:
            continue
        # OpenSID updates levels 2 and 3 when a sub-account is saved, never level 1
        derived = tuple(sum(amounts[k][i] for k in kids) for i in (0, 1))
        stored = amounts[code]
        if any(stored) and any(abs(a - b) > 0.5 for a, b in zip(stored, derived, strict=True)):
            notes.append(f"{code}: {stored[0]:,.0f}/{stored[1]:,.0f} → {derived[0]:,.0f}/"
                         f"{derived[1]:,.0f}")  # fmt: skip
        amounts[code] = (derived[0], derived[1])
    check_budget_tree(amounts, children, {c: f"{c} {u}" for c, u in uraian.items()}, where)
    rows: list[MeasurementRow] = []
    for code, values in amounts.items():
        atribut = {"parent_uuid": parents[code]}
        for name, value in zip(("anggaran", "realisasi"), values, strict=True):
            rows.append(MeasurementRow(name, value, code, uraian[code], str(tahun), atribut))
    warning = None
    if notes:
        warning = (
            f"{where}: top-level accounts taken as the sums of their sub-accounts "
            f"(anggaran/realisasi stored → summed): {'; '.join(notes)}"
        )
    elif not rows:
        warning = f"{where}: no APBDes accounts for {tahun}"
    return rows, warning
