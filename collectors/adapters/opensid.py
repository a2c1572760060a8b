"""Adapter for OpenSID 2025+ internal_api: one request per statistic, JSON:API rows."""

from __future__ import annotations

import json
import time

from collectors.adapters.common import age_range, make_statistic, parse_count
from collectors.http import FetchError, HttpClient, describe_status
from collectors.model import (
    CategoryRow,
    Counts,
    DatasetResult,
    PayloadError,
    Statistic,
    Totals,
    VillagePull,
)
from config.registry import Village
from config.statistik import BY_KEY, POPULATION_KEYS, TOTALS_DATASET

SUMMARY_IDS = {"666": "jumlah", "777": "belum_mengisi", "888": "total"}
SUMMARY_LABELS = {
    "JUMLAH": "jumlah",
    "BELUM MENGISI": "belum_mengisi",
    "TOTAL": "total",
    "TOTAL KESELURUHAN": "total",
}
# totals come from three statistics: sex (penduduk), kelas sosial (families), BDT (households)
TOTAL_KEYS = ("4", "kelas_sosial", "bdt")


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,  # internal_api sends no validators
    deadline_s: float | None = None,
) -> VillagePull:
    """Fetch every population statistic of one village; stop early if the village hangs."""
    pull = VillagePull(kode_desa=village.kode_desa)
    start = time.perf_counter()
    fetched: dict[str, Statistic | str] = {}  # key -> statistic or error text
    status_of: dict[str, int | None] = {}
    ms_of: dict[str, int] = {}
    gave_up: str | None = None
    for key in dict.fromkeys((*POPULATION_KEYS, *TOTAL_KEYS)):
        if gave_up:
            fetched[key] = gave_up
            continue
        url = f"{village.base_url}/internal_api/statistik/{key}"
        try:
            resp = client.get(url, params={"tahun": tahun}, headers={"Accept": "application/json"})
        except FetchError as exc:
            fetched[key], status_of[key] = str(exc), exc.http_status
            if exc.timeout:
                gave_up = f"skipped: village gave no answer in time on statistik {key}"
            continue
        status_of[key], ms_of[key] = resp.status, resp.duration_ms
        if resp.status != 200:
            fetched[key] = describe_status(resp.status)
            continue
        try:
            fetched[key] = parse_statistik(resp.body, BY_KEY[key].slug, key)
        except PayloadError as exc:
            fetched[key] = str(exc)
        if deadline_s and time.perf_counter() - start > deadline_s:
            gave_up = f"skipped: village took longer than {deadline_s:g} s in all"
    pull.duration_ms = int((time.perf_counter() - start) * 1000)

    def result(dataset: str, keys: tuple[str, ...], build) -> DatasetResult:
        errors = [_named(k, fetched[k]) for k in keys if isinstance(fetched[k], str)]
        http = next((status_of.get(k) for k in keys if status_of.get(k) not in (None, 200)), None)
        http = http or status_of.get(keys[0])
        ms = sum(ms_of.get(k, 0) for k in keys)
        if errors:
            text = "; ".join(errors)
            return DatasetResult(dataset, "failed", error=text, http_status=http, duration_ms=ms)
        return DatasetResult(dataset, "ok", data=build(), http_status=http, duration_ms=ms)

    pull.results.append(result(TOTALS_DATASET, TOTAL_KEYS, lambda: _totals(fetched)))
    for key in POPULATION_KEYS:
        pull.results.append(result(BY_KEY[key].slug, (key,), lambda k=key: fetched[k]))
    return pull


def _named(key: str, error: str) -> str:
    """Prefix an error with its statistic unless the parser already named it."""
    return error if error.startswith("statistik") else f"statistik {BY_KEY[key].slug}: {error}"


def _totals(fetched: dict) -> Totals:
    sex, families, households = (fetched[k] for k in TOTAL_KEYS)
    return Totals(
        penduduk=sex.total, keluarga=families.total.jumlah, rumah_tangga=households.total.jumlah
    )


def _items(doc: object, where: str) -> list[dict]:
    """Attribute dicts of a response, flat or nested (both shapes are seen on live sites)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise PayloadError(f"{where}: expected a JSON:API object with a data list")
    items = []
    for item in doc["data"]:
        if not isinstance(item, dict):
            raise PayloadError(f"{where}: a data entry is not an object")
        attrs = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        if isinstance(attrs.get("data"), list):  # nested: {"attributes":{"label":..,"data":[..]}}
            for inner in attrs["data"]:
                inner_attrs = inner.get("attributes", inner) if isinstance(inner, dict) else None
                if not isinstance(inner_attrs, dict):
                    raise PayloadError(f"{where}: a nested entry is not an object")
                items.append({"id": inner.get("id", inner_attrs.get("id")), **inner_attrs})
        else:
            items.append({"id": item.get("id"), **attrs})
    return items


def parse_statistik(body: bytes, slug: str, key: str) -> Statistic:
    """Parse one internal_api/statistik response, separating summary rows from categories."""
    where = f"statistik {slug} (key {key})"
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{where}: invalid JSON: {exc}") from None
    rows: list[CategoryRow] = []
    summary: dict[str, Counts] = {}
    for i, attrs in enumerate(_items(doc, where)):
        label = str(attrs.get("nama") or "").strip()
        code = str(attrs.get("id") if attrs.get("id") is not None else attrs.get("no", i + 1))
        kind = SUMMARY_IDS.get(code) or SUMMARY_LABELS.get(label.upper())
        counts = Counts(
            *(
                parse_count(attrs.get(f), f"{where}, {label or code}.{f}")
                for f in ("jumlah", "laki", "perempuan")
            )
        )
        if kind:
            summary[kind] = counts
            continue
        dari, sampai = age_range(label) if slug == "rentang-umur" else (None, None)
        rows.append(
            CategoryRow(kode=code, label=label or code, counts=counts, dari=dari, sampai=sampai)
        )
    for row in rows:
        c = row.counts
        if c.laki_laki + c.perempuan != c.jumlah:
            raise PayloadError(
                f"{where}, kode {row.kode}: laki ({c.laki_laki}) + perempuan ({c.perempuan}) "
                f"is not jumlah ({c.jumlah})"
            )
    belum = summary.get("belum_mengisi", Counts(0, 0, 0))
    total = summary.get("total")
    if total is None:
        jumlah = summary.get("jumlah")
        if jumlah is None:
            raise PayloadError(f"{where}: no TOTAL (888) or JUMLAH (666) row")
        total = Counts(
            jumlah.jumlah + belum.jumlah,
            jumlah.laki_laki + belum.laki_laki,
            jumlah.perempuan + belum.perempuan,
        )
    return make_statistic(slug, rows, belum, total, where)
