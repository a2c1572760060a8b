"""Adapter for OpenSID 2025+ internal_api: one request per statistic, JSON:API rows."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from collectors.adapters.common import (
    age_range,
    make_statistic,
    parse_count,
    unknown_codes_warning,
)
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
from config.statistik import (
    BY_KEY,
    BY_SLUG,
    OLD_IDS,
    PULLED_SLUGS,
    STATISTICS,
    TOTALS_DATASET,
)

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
    datasets: Sequence[str] | None = None,
) -> VillagePull:
    """Fetch the wanted statistics of one village; stop early if the village hangs."""
    wanted = [d for d in (TOTALS_DATASET, *PULLED_SLUGS) if datasets is None or d in datasets]
    keys: list[str] = []
    for d in wanted:
        keys.extend(TOTAL_KEYS if d == TOTALS_DATASET else (BY_SLUG[d].key,))
    pull = VillagePull(kode_desa=village.kode_desa)
    start = time.perf_counter()
    fetched: dict[str, Statistic | str] = {}  # key -> statistic or error text
    status_of: dict[str, int | None] = {}
    ms_of: dict[str, int] = {}
    notes: dict[str, str] = {}
    gave_up: str | None = None
    for key in dict.fromkeys(keys):
        if gave_up:
            fetched[key] = gave_up
            continue
        try:
            stat, status, ms, note = _fetch_statistic(village, client, key, tahun)
            fetched[key], status_of[key], ms_of[key] = stat, status, ms
            if note:
                notes[key] = note
        except FetchError as exc:
            fetched[key], status_of[key] = str(exc), exc.http_status
            if exc.timeout:
                gave_up = f"skipped: village gave no answer in time on statistik {key}"
        if deadline_s and time.perf_counter() - start > deadline_s and not gave_up:
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
        data = build()
        warnings = [notes[k] for k in keys if k in notes]
        if isinstance(data, Statistic) and (unknown := unknown_codes_warning(data)):
            warnings.append(unknown)
        return DatasetResult(
            dataset, "ok", data=data, http_status=http, duration_ms=ms,
            warning="; ".join(warnings) or None,
        )  # fmt: skip

    for dataset in wanted:
        if dataset == TOTALS_DATASET:
            pull.results.append(result(dataset, TOTAL_KEYS, lambda: _totals(fetched)))
        else:
            key = BY_SLUG[dataset].key
            pull.results.append(result(dataset, (key,), lambda k=key: fetched[k]))
    return pull


def _fetch_statistic(
    village: Village, client: HttpClient, key: str, tahun: int
) -> tuple[Statistic | str, int, int, str | None]:
    """One statistic, checked by its labels: OpenSID before 2501 numbered some differently.

    Returns (statistic or error, HTTP status, milliseconds, note on what was done).
    """
    slug = BY_KEY[key].slug
    ms = 0
    tried = [key] + ([OLD_IDS[key]] if key in OLD_IDS else [])
    problem: str | None = None
    last_status = 0
    for ident in tried:
        url = f"{village.base_url}/internal_api/statistik/{ident}"
        resp = client.get(url, params={"tahun": tahun}, headers={"Accept": "application/json"})
        ms += resp.duration_ms
        last_status = resp.status
        if resp.status != 200:
            problem = problem or describe_status(resp.status)
            continue
        try:
            stat = parse_statistik(resp.body, slug, ident)
        except PayloadError as exc:
            problem = problem or str(exc)
            continue
        other = looks_like(stat)
        if other is not None and other != slug:
            problem = problem or (
                f"statistik {slug}: id {ident} answered with the categories of {other} "
                "(another OpenSID version's numbering)"
            )
            continue
        note = None
        if ident != key:
            note = f"statistik {slug}: read from id {ident} (OpenSID numbering before 2501)"
        return stat, resp.status, ms, note
    return problem or "no usable answer", last_status, ms, None


def looks_like(stat: Statistic) -> str | None:
    """Which catalogued statistic these category labels belong to, when they clearly do."""
    labels = {r.label.strip().upper() for r in stat.rows}
    if not labels:
        return None
    if sum(1 for r in stat.rows if age_range(r.label) != (None, None)) >= 0.8 * len(stat.rows):
        # numeric brackets: rentang umur (kategori umur has named categories)
        return "rentang-umur"
    best, best_share = None, 0.0
    for sdef in STATISTICS:
        if not sdef.codes or sdef.slug == "rentang-umur":
            continue
        known = {label.upper() for _, label in sdef.codes}
        share = len(labels & known) / len(labels)
        if share > best_share:
            best, best_share = sdef.slug, share
    return best if best_share >= 0.6 else None


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
