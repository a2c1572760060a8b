"""Adapter for the API Database Gabungan: one shared OpenSID database serving many villages.

One registry row may stand for every village of a kecamatan or kabupaten on the source; each
village is still pulled on its own (`filter[desa]`), with one Sanctum token per source and
account, shared by the sweep's threads. The registry token holds `email:password` (a literal
or `env:VAR`). A 401 signs in again once (tokens expire), then fails with a clear reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence

from collectors.adapters.common import check_budget_tree, unknown_codes_warning
from collectors.adapters.opensid import TOTAL_KEYS, parse_statistik
from collectors.http import FetchError, HttpClient, describe_status
from collectors.model import DatasetResult, PayloadError, Statistic, Totals, VillagePull
from config.registry import RegistryError, Village
from config.statistik import BY_KEY, BY_SLUG, PULLED_SLUGS, TOTALS_DATASET
from warehouse.values import MeasurementRow

SIGNIN = "/api/v1/signin"
STATISTIK = "/api/v1/statistik-web/penduduk"
KEUANGAN = "/api/v1/keuangan/summary"
SUMMARY_IDS = {"66666": "jumlah", "77777": "belum_mengisi", "88888": "total"}
FIELDS = ("jumlah", "laki_laki", "perempuan")
PAGE_SIZE = 100
MAX_PAGES = 50

_tokens: dict[tuple[str, str], str] = {}
_lock = threading.Lock()


def credentials(village: Village) -> tuple[str, str]:
    spec = village.resolve_token() or ""
    email, sep, password = spec.partition(":")
    if not sep or not email or not password:
        raise RegistryError(
            f"village {village.kode_desa}: a gabungan token must be email:password "
            "(literal or env:VARNAME)"
        )
    return email, password


def _token(village: Village, client: HttpClient, *, renew: bool = False) -> str:
    email, password = credentials(village)
    key = (village.base_url, email)
    with _lock:  # one sign-in per source and account, whatever the number of threads
        if renew or key not in _tokens:
            resp = client.post_json(
                village.base_url + SIGNIN, {"email": email, "password": password}
            )
            if resp.status in (401, 403, 422):
                raise FetchError(
                    f"sign-in refused (HTTP {resp.status}): check the email:password "
                    "in the registry token",
                    http_status=resp.status,
                )
            if resp.status != 200:
                raise FetchError(
                    f"sign-in: {describe_status(resp.status)}", http_status=resp.status
                )
            try:
                token = json.loads(resp.body)["data"]["token"]
            except (ValueError, KeyError, TypeError):
                raise PayloadError("sign-in: no data.token in the answer") from None
            _tokens[key] = str(token)
        return _tokens[key]


def _get(village: Village, client: HttpClient, path: str, params: dict, what: str) -> dict:
    for attempt in (1, 2):
        token = _token(village, client, renew=attempt == 2)
        resp = client.get(
            village.base_url + path,
            params=params,
            headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
        )
        if resp.status == 401 and attempt == 1:
            continue  # Sanctum tokens expire: sign in again once
        if resp.status != 200:
            raise FetchError(f"{what}: {describe_status(resp.status)}", http_status=resp.status)
        try:
            return json.loads(resp.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PayloadError(f"{what}: invalid JSON: {exc}") from None
    raise AssertionError("unreachable")


def _all_pages(village: Village, client: HttpClient, path: str, params: dict, what: str) -> list:
    items: list = []
    page = 1
    while True:
        doc = _get(
            village, client, path, {**params, "page[size]": PAGE_SIZE, "page[number]": page}, what
        )
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, list):
            raise PayloadError(f"{what}: expected a JSON:API data list")
        items.extend(data)
        pagination = (doc.get("meta") or {}).get("pagination") or {}
        last = pagination.get("total_pages")
        more = (doc.get("links") or {}).get("next") if last is None else page < int(last)
        if not more:
            return items
        page += 1
        if page > MAX_PAGES:
            raise PayloadError(f"{what}: more than {MAX_PAGES} pages; stopped")


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,  # the API sends no validators
    deadline_s: float | None = None,
    datasets: Sequence[str] | None = None,
) -> VillagePull:
    """Every statistic and the APBDes of one village from the shared source."""
    everything = (TOTALS_DATASET, *PULLED_SLUGS, "apbdes")
    wanted = [d for d in everything if datasets is None or d in datasets]
    pull = VillagePull(kode_desa=village.kode_desa, source_app="OpenSID (Database Gabungan)")
    start = time.perf_counter()
    stats: dict[str, Statistic | FetchError | PayloadError] = {}
    slugs = []
    for d in wanted:
        if d == TOTALS_DATASET:
            slugs.extend(BY_KEY[k].slug for k in TOTAL_KEYS)
        elif d != "apbdes":
            slugs.append(d)
    gave_up: str | None = None
    for slug in dict.fromkeys(slugs):
        if gave_up:
            stats[slug] = FetchError(gave_up)
            continue
        what = f"statistik {slug}"
        try:
            items = _all_pages(
                village, client, STATISTIK,
                {"filter[id]": slug, "filter[tahun]": tahun, "filter[desa]": village.kode_desa},
                what,
            )  # fmt: skip
            stats[slug] = parse_statistik(
                {"data": items}, slug, BY_SLUG[slug].key, fields=FIELDS, summary_ids=SUMMARY_IDS
            )
        except (FetchError, PayloadError) as exc:
            stats[slug] = exc
            if isinstance(exc, FetchError) and exc.timeout:
                gave_up = f"skipped: the source gave no answer in time on {what}"
        if deadline_s and time.perf_counter() - start > deadline_s and not gave_up:
            gave_up = f"skipped: village took longer than {deadline_s:g} s in all"

    def failed(dataset: str, errors: list) -> DatasetResult:
        http = next((e.http_status for e in errors if getattr(e, "http_status", None)), None)
        text = "; ".join(str(e) for e in errors)
        return DatasetResult(dataset, "failed", error=text, http_status=http)

    for dataset in wanted:
        if dataset == "apbdes":
            if gave_up:
                pull.results.append(DatasetResult("apbdes", "failed", error=gave_up))
                continue
            try:
                rows = _apbdes(village, client, tahun)
                periods = (str(tahun),)
                pull.results.append(DatasetResult("apbdes", "ok", rows, 200, periods=periods))
            except (FetchError, PayloadError) as exc:
                pull.results.append(failed("apbdes", [exc]))
            continue
        parts = [BY_KEY[k].slug for k in TOTAL_KEYS] if dataset == TOTALS_DATASET else [dataset]
        errors = [stats[p] for p in parts if not isinstance(stats[p], Statistic)]
        if errors:
            pull.results.append(failed(dataset, errors))
        elif dataset == TOTALS_DATASET:
            sex, families, households = (stats[p] for p in parts)
            totals = Totals(sex.total, families.total.jumlah, households.total.jumlah)
            pull.results.append(DatasetResult(dataset, "ok", totals, 200))
        else:
            stat = stats[dataset]
            warning = unknown_codes_warning(stat)
            pull.results.append(DatasetResult(dataset, "ok", stat, 200, warning=warning))
    pull.duration_ms = int((time.perf_counter() - start) * 1000)
    for r in pull.results:
        r.duration_ms = pull.duration_ms // max(1, len(pull.results))
    return pull


def _apbdes(village: Village, client: HttpClient, tahun: int) -> list[MeasurementRow]:
    """The APBDes tree; accounts are known by template uuid, parents must sum their children."""
    what = "apbdes (keuangan/summary)"
    items = _all_pages(
        village, client, KEUANGAN, {"filter[tahun]": tahun, "filter[desa]": village.kode_desa}, what
    )
    rows: list[MeasurementRow] = []
    amounts: dict[str, tuple[float, float]] = {}
    parents: dict[str, str | None] = {}
    for item in items:
        attrs = item.get("attributes") if isinstance(item, dict) else None
        if not isinstance(attrs, dict) or not attrs.get("template_uuid"):
            raise PayloadError(f"{what}: an account has no template_uuid")
        uid = str(attrs["template_uuid"])
        where = f"apbdes {tahun}, {attrs.get('uraian') or uid}"
        values = []
        for name in ("anggaran", "realisasi"):
            value = attrs.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise PayloadError(f"{where}: {name} {value!r} is not a number")
            if value < 0:
                raise PayloadError(f"{where}: negative {name} {value}")
            values.append(float(value))
        amounts[uid] = (values[0], values[1])
        parents[uid] = attrs.get("parent_uuid")
        label = str(attrs.get("uraian") or uid)
        atribut = {"parent_uuid": attrs.get("parent_uuid")}
        for name, value in zip(("anggaran", "realisasi"), values, strict=True):
            rows.append(MeasurementRow(name, value, uid, label, str(tahun), atribut))
    children = {uid: [c for c, p in parents.items() if p == uid] for uid in amounts}
    labels = {r.kode: r.label for r in rows}
    check_budget_tree(amounts, children, labels, f"apbdes {tahun}")
    return rows
