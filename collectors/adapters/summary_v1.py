"""Adapter for the village-summary v1 document: one request gives every dataset."""

from __future__ import annotations

import json
import time

from collectors.adapters.common import make_statistic, parse_count, parse_counts
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
from config.regions import RegionCodeError, normalize_code
from config.registry import Village
from config.statistik import POPULATION_SLUGS, TOTALS_DATASET

ENDPOINT = "summary-v1"
PATH = "/api/village-summary/v1"
DATASETS = (TOTALS_DATASET, *POPULATION_SLUGS)


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,
    deadline_s: float | None = None,  # one request: the read timeout bounds it already
) -> VillagePull:
    """Fetch and parse one village's summary document into per-dataset results."""
    pull = VillagePull(kode_desa=village.kode_desa, endpoint=ENDPOINT)
    headers = {"Accept": "application/json"}
    token = village.resolve_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    start = time.perf_counter()
    try:
        resp = client.get(village.base_url + PATH, params={"tahun": tahun}, headers=headers)
    except FetchError as exc:
        pull.duration_ms = int((time.perf_counter() - start) * 1000)
        return _all_failed(pull, str(exc), exc.http_status)
    pull.duration_ms = resp.duration_ms
    if resp.status == 304:
        pull.etag = etag
        pull.results = [
            DatasetResult(d, "unchanged", http_status=304, duration_ms=resp.duration_ms)
            for d in DATASETS
        ]
        return pull
    if resp.status != 200:
        return _all_failed(pull, describe_status(resp.status), resp.status)
    try:
        doc = parse_document(resp.body, village.kode_desa)
    except PayloadError as exc:
        return _all_failed(pull, str(exc), resp.status)
    source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
    pull.source_app, pull.source_version = source.get("app"), source.get("version")
    for dataset in DATASETS:
        try:
            data = parse_totals(doc) if dataset == TOTALS_DATASET else parse_statistic(doc, dataset)
            pull.results.append(DatasetResult(dataset, "ok", data=data, http_status=resp.status))
        except PayloadError as exc:
            pull.results.append(
                DatasetResult(dataset, "failed", error=str(exc), http_status=resp.status)
            )
    for r in pull.results:
        r.duration_ms = resp.duration_ms
    if all(r.status == "ok" for r in pull.results):
        pull.etag = resp.headers.get("ETag")
    return pull


def _all_failed(pull: VillagePull, error: str, http_status: int | None) -> VillagePull:
    pull.results = [
        DatasetResult(
            d, "failed", error=error, http_status=http_status, duration_ms=pull.duration_ms
        )
        for d in DATASETS
    ]
    return pull


def parse_document(body: bytes, expected_kode: str) -> dict:
    """Decode and check the envelope: JSON, schema version, and that it is our village."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise PayloadError("invalid document: expected a JSON object")
    version = doc.get("schema_version")
    if str(version) != "1":
        raise PayloadError(f"schema version {version!r} unknown (expected '1')")
    village = doc.get("village")
    raw = village.get("kode_desa") if isinstance(village, dict) else None
    try:
        got = normalize_code(str(raw))
    except RegionCodeError:
        raise PayloadError(f"village code {raw!r} in the document is not a region code") from None
    if got != expected_kode:
        raise PayloadError(
            f"wrong village code: document says {got}, registry says {expected_kode}"
        )
    return doc


def parse_totals(doc: dict) -> Totals:
    totals = doc.get("totals")
    if not isinstance(totals, dict):
        raise PayloadError("totals: missing from the document")
    penduduk = parse_counts(totals.get("penduduk"), "totals.penduduk", allow_string=False)
    if penduduk.laki_laki + penduduk.perempuan != penduduk.jumlah:
        raise PayloadError(
            f"totals.penduduk: laki ({penduduk.laki_laki}) + perempuan ({penduduk.perempuan}) "
            f"is not total ({penduduk.jumlah})"
        )

    def optional(key: str) -> int | None:
        value = totals.get(key)
        return None if value is None else parse_count(value, f"totals.{key}", allow_string=False)

    return Totals(
        penduduk=penduduk, keluarga=optional("keluarga"), rumah_tangga=optional("rumah_tangga")
    )


def parse_statistic(doc: dict, slug: str) -> Statistic:
    stats = doc.get("statistics")
    if not isinstance(stats, list):
        raise PayloadError("statistics: missing from the document")
    entry = next((s for s in stats if isinstance(s, dict) and s.get("slug") == slug), None)
    if entry is None:
        raise PayloadError(f"statistik {slug}: missing from the document")
    where = f"statistik {slug}"
    rows = []
    raw_rows = entry.get("rows")
    if not isinstance(raw_rows, list):
        raise PayloadError(f"{where}: rows missing")
    for i, raw in enumerate(raw_rows):
        if not isinstance(raw, dict):
            raise PayloadError(f"{where}, row {i + 1}: not an object")
        code = raw.get("code")
        if code is None or str(code).strip() == "":
            raise PayloadError(f"{where}, row {i + 1}: category code missing")
        counts = parse_counts(raw, f"{where}, kode {code}", allow_string=False)
        rows.append(
            CategoryRow(
                kode=str(code).strip(),
                label=str(raw.get("label") or code).strip(),
                counts=counts,
                dari=_opt_int(raw.get("dari")),
                sampai=_opt_int(raw.get("sampai")),
            )
        )
    belum = entry.get("belum_mengisi")
    belum_counts = (
        Counts(0, 0, 0)
        if belum is None
        else parse_counts(belum, f"{where}.belum_mengisi", allow_string=False)
    )
    total = parse_counts(entry.get("total"), f"{where}.total", allow_string=False)
    return make_statistic(slug, rows, belum_counts, total, where)


def _opt_int(value: object) -> int | None:
    try:
        return None if value is None else parse_count(value, "age bound")
    except PayloadError:
        return None
