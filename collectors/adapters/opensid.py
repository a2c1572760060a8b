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
from warehouse.values import MeasurementRow

SUMMARY_IDS = {"666": "jumlah", "777": "belum_mengisi", "888": "total"}
SUMMARY_LABELS = {
    "JUMLAH": "jumlah",
    "BELUM MENGISI": "belum_mengisi",
    "TOTAL": "total",
    "TOTAL KESELURUHAN": "total",
}
# datasets from endpoints other than statistik
EXTRA_DATASETS = ("identitas", "pembangunan", "bantuan")
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
    everything = (TOTALS_DATASET, *PULLED_SLUGS, *EXTRA_DATASETS)
    wanted = [d for d in everything if datasets is None or d in datasets]
    keys: list[str] = []
    for d in wanted:
        if d in EXTRA_DATASETS:
            continue
        keys.extend(TOTAL_KEYS if d == TOTALS_DATASET else (BY_SLUG[d].key,))
    pull = VillagePull(kode_desa=village.kode_desa)
    start = time.perf_counter()
    # the identity endpoint names the village and its version: a wrong code or a village that
    # does not answer at all fails the whole pull at once
    try:
        identity = _identitas(village, client, tahun, pull)
    except (FetchError, PayloadError) as exc:
        http = getattr(exc, "http_status", None) or (200 if isinstance(exc, PayloadError) else None)
        identity = DatasetResult("identitas", "failed", error=str(exc), http_status=http)
        fatal = str(exc).startswith("wrong village code") or getattr(exc, "timeout", False)
        if fatal or http is None:
            pull.duration_ms = int((time.perf_counter() - start) * 1000)
            pull.results = [
                DatasetResult(d, "failed", error=str(exc), http_status=http) for d in wanted
            ]
            return pull
    identity.duration_ms = int((time.perf_counter() - start) * 1000)
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
        if dataset in EXTRA_DATASETS:
            continue
        if dataset == TOTALS_DATASET:
            pull.results.append(result(dataset, TOTAL_KEYS, lambda: _totals(fetched)))
        else:
            key = BY_SLUG[dataset].key
            pull.results.append(result(dataset, (key,), lambda k=key: fetched[k]))
    if "identitas" in wanted:
        pull.results.append(identity)
    for dataset in (d for d in wanted if d in EXTRA_DATASETS and d != "identitas"):
        if gave_up:
            pull.results.append(DatasetResult(dataset, "failed", error=gave_up))
            continue
        fetch = {"pembangunan": _pembangunan, "bantuan": _bantuan}
        t0 = time.perf_counter()
        try:
            result_ = fetch[dataset](village, client, tahun, pull)
        except FetchError as exc:
            result_ = DatasetResult(dataset, "failed", error=str(exc), http_status=exc.http_status)
            if exc.timeout:
                gave_up = f"skipped: village gave no answer in time on {dataset}"
        except PayloadError as exc:
            result_ = DatasetResult(dataset, "failed", error=str(exc), http_status=200)
        result_.duration_ms = int((time.perf_counter() - t0) * 1000)
        pull.results.append(result_)
    pull.duration_ms = int((time.perf_counter() - start) * 1000)
    return pull


def _get_json(client: HttpClient, url: str, what: str, params: dict | None = None):
    resp = client.get(url, params=params, headers={"Accept": "application/json"})
    if resp.status != 200:
        raise FetchError(f"{what}: {describe_status(resp.status)}", http_status=resp.status)
    try:
        return json.loads(resp.body), resp
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{what}: invalid JSON: {exc}") from None


def _attributes(doc: object, what: str) -> list[tuple[str | None, dict]]:
    if not isinstance(doc, dict) or "data" not in doc:
        raise PayloadError(f"{what}: expected a JSON:API object with data")
    data = doc["data"]
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise PayloadError(f"{what}: an entry has no attributes")
        out.append((None if item.get("id") is None else str(item["id"]), item["attributes"]))
    return out


def _number(value: object, where: str, *, percent: bool = False) -> float:
    """A non-negative amount; OpenSID sends some as strings, progress as "80%"."""
    text = value
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip().replace(",", ".")
    try:
        number = float(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PayloadError(f"{where}: {value!r} is not a number") from None
    if isinstance(value, bool) or number != number:
        raise PayloadError(f"{where}: {value!r} is not a number")
    if number < 0:
        raise PayloadError(f"{where}: negative amount {value}")
    if percent and number > 100:
        raise PayloadError(f"{where}: {value} is over 100%")
    return number


def _identitas(village: Village, client: HttpClient, tahun: int, pull: VillagePull):
    what = "identitas (wilayah/administratif)"
    doc, resp = _get_json(client, f"{village.base_url}/internal_api/wilayah/administratif", what)
    ((_, attrs),) = _attributes(doc, what)[:1] or [(None, {})]
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    raw = str(attrs.get("kode_desa") or "").replace(".", "").strip()
    if len(raw) == 4 and raw.isdigit():  # older installs keep only the village part
        raw = village.kode_kecamatan.replace(".", "") + raw
    if raw != village.kode_digits:
        raise PayloadError(
            f"wrong village code: wilayah/administratif says {attrs.get('kode_desa')!r}, "
            f"registry says {village.kode_desa}"
        )
    pull.source_app = str(meta.get("app") or "OpenSID")
    pull.source_version = meta.get("version") or resp.headers.get("X-OpenSID-Version")
    fields = {
        k: attrs.get(k)
        for k in ("nama_desa", "sebutan_desa", "nama_kecamatan", "website")
        if attrs.get(k) is not None
    }
    fields.update(source_app=pull.source_app, source_version=pull.source_version)
    if meta.get("data_last_updated"):
        fields["source_data_last_updated"] = meta["data_last_updated"]
    return DatasetResult("identitas", "ok", data=[MeasurementRow("profil", None, atribut=fields)])


MAX_PAGES = 50  # a village with more than 5,000 projects is a loop, not a village


def _pembangunan(village: Village, client: HttpClient, tahun: int, pull: VillagePull):
    rows: list[MeasurementRow] = []
    seen: set[str] = set()
    page = 1
    while True:
        what = f"pembangunan, page {page}"
        doc, _ = _get_json(
            client,
            f"{village.base_url}/internal_api/pembangunan",
            what,
            {"page[number]": page, "page[size]": 100},
        )
        for ident, attrs in _attributes(doc, what):
            ident = ident or str(attrs.get("id") or "")
            if not ident:
                raise PayloadError(f"{what}: a project has no id")
            if ident in seen:
                raise PayloadError(f"pembangunan {ident}: listed twice")
            seen.add(ident)
            where = f"pembangunan {ident}"
            tahun_anggaran = attrs.get("tahun_anggaran")
            try:
                periode = str(int(str(tahun_anggaran)))
            except ValueError:
                raise PayloadError(f"{where}: tahun_anggaran {tahun_anggaran!r}") from None
            anggaran = _number(attrs.get("anggaran"), f"{where}.anggaran")
            progres = _number(
                attrs.get("persentase", attrs.get("progres")), f"{where}.progres", percent=True
            )
            atribut = {
                "sumber_dana": attrs.get("sumber_dana"),
                "volume": attrs.get("volume"),
                "pelaksana": attrs.get("pelaksana_kegiatan", attrs.get("pelaksana")),
                "lokasi": attrs.get("lokasi"),
            }
            label = str(attrs.get("judul") or ident)
            for ukuran, nilai in (("anggaran", anggaran), ("progres", progres)):
                rows.append(MeasurementRow(ukuran, nilai, ident, label, periode, atribut))
        pagination = (doc.get("meta") or {}).get("pagination") or {}
        last = pagination.get("total_pages")
        more = (doc.get("links") or {}).get("next") if last is None else page < int(last)
        if not more:
            break
        page += 1
        if page > MAX_PAGES:
            raise PayloadError(f"pembangunan: more than {MAX_PAGES} pages; stopped")
    periods = tuple(sorted({r.periode for r in rows}))
    return DatasetResult("pembangunan", "ok", data=rows, http_status=200, periods=periods)


def _bantuan(village: Village, client: HttpClient, tahun: int, pull: VillagePull):
    rows: list[MeasurementRow] = []
    seen: set[str] = set()
    for target in ("bantuan_penduduk", "bantuan_keluarga"):
        what = f"bantuan ({target})"
        doc, _ = _get_json(
            client, f"{village.base_url}/internal_api/peserta_bantuan/{target}", what
        )
        for ident, attrs in _attributes(doc, what):
            program = ident or str(attrs.get("id") or "")
            if not program or program in seen:
                raise PayloadError(f"{what}: program id missing or listed twice ({program!r})")
            seen.add(program)
            where = f"bantuan, program {program}"
            peserta = parse_count(attrs.get("jumlah_peserta"), f"{where}.jumlah_peserta")
            atribut = {k: attrs.get(k) for k in ("sasaran", "asal_dana", "mulai", "selesai")}
            label = str(attrs.get("nama") or program)
            rows.append(MeasurementRow("peserta", float(peserta), program, label, atribut=atribut))
    return DatasetResult("bantuan", "ok", data=rows, http_status=200)


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


def parse_statistik(
    body: bytes | dict,
    slug: str,
    key: str,
    *,
    fields: tuple[str, str, str] = ("jumlah", "laki", "perempuan"),
    summary_ids: dict[str, str] = SUMMARY_IDS,
) -> Statistic:
    """Parse one statistics response, separating summary rows from categories.

    OpenSID's internal_api by default; the API Database Gabungan names its fields laki_laki
    and perempuan and numbers its summary rows 66666/77777/88888.
    """
    where = f"statistik {slug} (key {key})"
    if isinstance(body, dict):
        doc = body
    else:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PayloadError(f"{where}: invalid JSON: {exc}") from None
    rows: list[CategoryRow] = []
    summary: dict[str, Counts] = {}
    for i, attrs in enumerate(_items(doc, where)):
        label = str(attrs.get("nama") or "").strip()
        code = str(attrs.get("id") if attrs.get("id") is not None else attrs.get("no", i + 1))
        kind = summary_ids.get(code) or SUMMARY_LABELS.get(label.upper())
        counts = Counts(
            *(parse_count(attrs.get(f), f"{where}, {label or code}.{f}") for f in fields)
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
