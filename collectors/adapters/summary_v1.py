"""Adapter for the village-summary v1 document: one request gives every dataset."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from collectors.adapters.common import (
    MAX_KODE,
    MAX_LABEL,
    check_amount,
    check_budget_tree,
    check_items,
    check_many,
    make_statistic,
    parse_count,
    parse_counts,
    plain_counts,
    text_field,
    unknown_codes_warning,
)
from collectors.http import FetchError, HttpClient, status_reason
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
from config.regions import RegionCodeError, normalize_code
from config.registry import Village
from config.statistik import PULLED_SLUGS, TOTALS_DATASET
from warehouse.bounds import ETAG, MEASUREMENT_LABEL, SOURCE_APP, SOURCE_VERSION, etag_fits
from warehouse.values import MeasurementRow

ENDPOINT = "summary-v1"
PATH = "/api/village-summary/v1"
MEASUREMENT_DATASETS = ("identitas", "bantuan", "apbdes", "pembangunan")
DATASETS = (TOTALS_DATASET, *PULLED_SLUGS, *MEASUREMENT_DATASETS)


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,
    deadline_s: float | None = None,  # one request: the read timeout bounds it already
    datasets: Sequence[str] | None = None,
) -> VillagePull:
    """Fetch and parse one village's summary document into per-dataset results."""
    wanted = tuple(d for d in DATASETS if datasets is None or d in datasets)
    pull = VillagePull(kode_desa=village.kode_desa, endpoint=ENDPOINT)
    headers = {"Accept": "application/json"}
    token = village.resolve_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if etag:
        headers["If-None-Match"] = etag
    start = time.perf_counter()
    until = start + deadline_s if deadline_s else None  # bounds the waits of a 429
    try:
        resp = client.get(
            village.base_url + PATH, params={"tahun": tahun}, headers=headers, until=until
        )
    except FetchError as exc:
        pull.duration_ms = int((time.perf_counter() - start) * 1000)
        return _all_failed(pull, wanted, exc.reason, exc.http_status)
    pull.duration_ms = resp.duration_ms
    if resp.status == 304:
        pull.etag = etag
        pull.results = [
            DatasetResult(d, "unchanged", http_status=304, duration_ms=resp.duration_ms)
            for d in wanted
        ]
        return pull
    if resp.status != 200:
        return _all_failed(pull, wanted, status_reason(resp.status), resp.status)
    try:
        doc = parse_document(resp.body, village.kode_desa)
    except PayloadError as exc:
        return _all_failed(pull, wanted, exc.reason, resp.status)
    source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
    try:
        pull.source_app, pull.source_version = parse_source(source)
        source_error = None
    except PayloadError as exc:  # the system says too much about itself: not kept
        source_error = exc
    for dataset in wanted:
        try:
            if dataset == "identitas" and source_error is not None:
                raise source_error  # the dataset that says which system the village runs
            result = parse_dataset(doc, dataset)
            result.http_status = resp.status
            pull.results.append(result)
        except PayloadError as exc:
            pull.results.append(DatasetResult.failure(dataset, exc.reason, http_status=resp.status))
    for r in pull.results:
        r.duration_ms = resp.duration_ms
    if all(r.status == "ok" for r in pull.results):
        etag = resp.headers.get("ETag")
        if etag is None or etag_fits(etag):
            pull.etag = etag
        elif pull.results:  # landed, without a validator: the next pull fetches it all again
            first = pull.results[0]
            note = (
                f"ETag not kept ({len(etag)} characters; at most {ETAG} printable ASCII): the "
                "next pull fetches the whole document again"
            )
            first.warning = f"{first.warning}; {note}" if first.warning else note
    return pull


def parse_source(source: dict) -> tuple[str | None, str | None]:
    """The village's system name and version (`source.app`, `source.version`), as the
    warehouse keeps them; refused when they are not short texts."""
    app = text_field(source.get("app"), "source.app", SOURCE_APP) or None
    version = text_field(source.get("version"), "source.version", SOURCE_VERSION) or None
    return app, version


def _all_failed(
    pull: VillagePull, wanted: Sequence[str], reason: Reason, http_status: int | None
) -> VillagePull:
    pull.results = [
        DatasetResult.failure(d, reason, http_status=http_status, duration_ms=pull.duration_ms)
        for d in wanted
    ]
    return pull


def parse_dataset(doc: dict, dataset: str) -> DatasetResult:
    """One dataset of a checked document; raise PayloadError naming what is wrong."""
    if dataset == TOTALS_DATASET:
        return DatasetResult(dataset, "ok", data=parse_totals(doc))
    if dataset == "identitas":
        return DatasetResult(dataset, "ok", data=parse_identitas(doc))
    if dataset == "bantuan":
        return DatasetResult(dataset, "ok", data=parse_bantuan(doc))
    if dataset == "apbdes":
        rows = parse_apbdes(doc)
        return DatasetResult(dataset, "ok", data=rows, periods=_periods(rows))
    if dataset == "pembangunan":
        rows = parse_pembangunan(doc)
        return DatasetResult(dataset, "ok", data=rows, periods=_periods(rows))
    stat = parse_statistic(doc, dataset)
    return DatasetResult(dataset, "ok", data=stat, warning=unknown_codes_warning(stat))


def _periods(rows: list[MeasurementRow]) -> tuple[str, ...]:
    # a document that lists no rows for a year says nothing about that year: keep it
    return tuple(sorted({r.periode for r in rows}))


def _list(doc: dict, key: str) -> list:
    value = doc.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise PayloadError(
            f"{key}: expected a list", code="payload.expected_list", params={"tempat": key}
        )
    check_items(len(value), key)
    return value


def _amount(value: object, where: str) -> float:
    """A number ≥ 0 (NaN, Infinity and 1e309, which json reads, are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(
            f"{where}: amount {value!r} is not a number",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(value)[:40]},
        )
    try:
        number = float(value)
    except OverflowError:  # an integer past any float
        number = float("inf")
    return check_amount(number, where)


def _year(value: object, where: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise PayloadError(
            f"{where}: {field} {str(value)[:10]!r} is not a year (2000–2100)",
            code="field.not_year",
            params={"tempat": where, "field": field, "nilai": repr(str(value)[:10])},
        )
    return value


def parse_identitas(doc: dict) -> list[MeasurementRow]:
    village = doc.get("village") or {}
    source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
    fields = {
        k: village.get(k)
        for k in ("nama_desa", "sebutan_desa", "nama_kecamatan", "website")
        if village.get(k) is not None
    }
    fields.update({f"source_{k}": v for k, v in source.items() if isinstance(v, str | int | float)})
    return [MeasurementRow("profil", None, atribut=fields)]


def parse_bantuan(doc: dict) -> list[MeasurementRow]:
    rows = []
    for i, item in enumerate(_list(doc, "bantuan"), start=1):
        if not isinstance(item, dict):
            raise PayloadError(
                f"bantuan, item {i}: not an object",
                code="payload.not_object",
                params={"tempat": f"bantuan, item {i}"},
            )
        program = text_field(item.get("program_id"), f"bantuan, item {i}.program_id", MAX_KODE)
        if not program:
            raise PayloadError(
                f"bantuan, item {i}: program_id missing",
                code="field.missing",
                params={"tempat": f"bantuan, item {i}", "field": "program_id"},
            )
        where = f"bantuan, program {program}"
        peserta = parse_count(item.get("peserta"), f"{where}.peserta", allow_string=False)
        sasaran = item.get("sasaran")
        if sasaran not in (1, 2, 3, 4, None):
            raise PayloadError(
                f"{where}: sasaran {sasaran!r} is not 1–4",
                code="bantuan.sasaran",
                params={"tempat": where, "nilai": repr(sasaran)[:40]},
            )
        atribut = {k: item.get(k) for k in ("sasaran", "asal_dana", "mulai", "selesai")}
        label = text_field(item.get("nama"), f"{where}.nama", MEASUREMENT_LABEL) or program
        rows.append(MeasurementRow("peserta", float(peserta), program, label, atribut=atribut))
    return rows


def parse_apbdes(doc: dict) -> list[MeasurementRow]:
    """Budget lines per year; a parent account must equal the sum of its direct children."""
    rows: list[MeasurementRow] = []
    amounts: dict[tuple[str, str], tuple[float, float]] = {}
    for i, item in enumerate(_list(doc, "apbdes"), start=1):
        if not isinstance(item, dict):
            raise PayloadError(
                f"apbdes, line {i}: not an object",
                code="payload.not_object",
                params={"tempat": f"apbdes, line {i}"},
            )
        kode = text_field(item.get("kode"), f"apbdes, line {i}.kode", MAX_KODE)
        tahun = item.get("tahun")
        if not kode or not isinstance(tahun, int):
            raise PayloadError(
                f"apbdes, line {i}: kode and tahun are required",
                code="field.required",
                params={"tempat": f"apbdes, line {i}", "field": "kode, tahun"},
            )
        _year(tahun, f"apbdes, line {i}", "tahun")
        where = f"apbdes {tahun}, akun {kode}"
        anggaran = _amount(item.get("anggaran"), f"{where}.anggaran")
        realisasi = _amount(item.get("realisasi"), f"{where}.realisasi")
        if (str(tahun), kode) in amounts:
            raise PayloadError(
                f"{where}: listed twice", code="item.twice", params={"tempat": where}
            )
        amounts[(str(tahun), kode)] = (anggaran, realisasi)
        label = text_field(item.get("uraian"), f"{where}.uraian", MEASUREMENT_LABEL) or kode
        for ukuran, nilai in (("anggaran", anggaran), ("realisasi", realisasi)):
            rows.append(MeasurementRow(ukuran, nilai, kode, label, periode=str(tahun)))
    for year in {t for t, _ in amounts}:
        mine = {k: v for (t, k), v in amounts.items() if t == year}
        # an account's direct children: one more dot-separated part (4.1 and 4.2 under 4);
        # found by each code's parent, not by comparing every pair of codes
        children: dict[str, list[str]] = {k: [] for k in mine}
        for code in mine:
            parent, dot, _ = code.rpartition(".")
            if dot and parent in children:
                children[parent].append(code)
        check_budget_tree(mine, children, {k: f"akun {k}" for k in mine}, f"apbdes {year}")
    return rows


def parse_pembangunan(doc: dict) -> list[MeasurementRow]:
    rows = []
    for i, item in enumerate(_list(doc, "pembangunan"), start=1):
        if not isinstance(item, dict):
            raise PayloadError(
                f"pembangunan, item {i}: not an object",
                code="payload.not_object",
                params={"tempat": f"pembangunan, item {i}"},
            )
        ident = text_field(item.get("id"), f"pembangunan, item {i}.id", MAX_KODE)
        tahun = item.get("tahun_anggaran")
        if not ident or not isinstance(tahun, int):
            raise PayloadError(
                f"pembangunan, item {i}: id and tahun_anggaran are required",
                code="field.required",
                params={"tempat": f"pembangunan, item {i}", "field": "id, tahun_anggaran"},
            )
        where = f"pembangunan {ident}"
        _year(tahun, where, "tahun_anggaran")
        anggaran = _amount(item.get("anggaran"), f"{where}.anggaran")
        progres = _amount(item.get("progres"), f"{where}.progres")
        if progres > 100:
            raise PayloadError(
                f"{where}: progres {progres:g} is over 100%",
                code="progress.over_100",
                params={"tempat": where, "nilai": progres},
            )
        label = text_field(item.get("judul"), f"{where}.judul", MEASUREMENT_LABEL) or ident
        atribut = {k: item.get(k) for k in ("sumber_dana", "volume", "pelaksana", "lokasi")}
        for ukuran, nilai in (("anggaran", anggaran), ("progres", progres)):
            rows.append(
                MeasurementRow(ukuran, nilai, ident, label, periode=str(tahun), atribut=atribut)
            )
    return rows


def parse_document(body: bytes, expected_kode: str) -> dict:
    """Decode and check the envelope: JSON, schema version, and that it is our village."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(
            f"invalid JSON: {exc}", code="json.invalid", params={"detail": str(exc)[:200]}
        ) from None
    if not isinstance(doc, dict):
        raise PayloadError("invalid document: expected a JSON object", code="document.not_object")
    version = doc.get("schema_version")
    if str(version) != "1":
        raise PayloadError(
            f"schema version {version!r} unknown (expected '1')",
            code="document.schema",
            params={"nilai": repr(version)[:40], "harapan": "1"},
        )
    village = doc.get("village")
    raw = village.get("kode_desa") if isinstance(village, dict) else None
    try:
        got = normalize_code(str(raw))
    except RegionCodeError:
        raise PayloadError(
            f"village code {raw!r} in the document is not a region code",
            code="document.kode_invalid",
            params={"nilai": repr(raw)[:40]},
        ) from None
    if got != expected_kode:
        raise PayloadError(
            f"wrong village code: document says {got}, registry says {expected_kode}",
            code="document.kode_wrong",
            params={"kode": got, "kode_registri": expected_kode},
        )
    return doc


def parse_totals(doc: dict) -> Totals:
    totals = doc.get("totals")
    if not isinstance(totals, dict):
        raise PayloadError(
            "totals: missing from the document",
            code="document.missing",
            params={"tempat": "totals"},
        )
    penduduk = parse_counts(totals.get("penduduk"), "totals.penduduk", allow_string=False)
    if penduduk.laki_laki + penduduk.perempuan != penduduk.jumlah:
        raise PayloadError(
            f"totals.penduduk: laki ({penduduk.laki_laki}) + perempuan ({penduduk.perempuan}) "
            f"is not total ({penduduk.jumlah})",
            code="sum.sexes",
            params={"tempat": "totals.penduduk", "laki": penduduk.laki_laki,
                    "perempuan": penduduk.perempuan, "jumlah": penduduk.jumlah},
        )  # fmt: skip

    def optional(key: str) -> int | None:
        value = totals.get(key)
        return None if value is None else parse_count(value, f"totals.{key}", allow_string=False)

    return Totals(
        penduduk=penduduk, keluarga=optional("keluarga"), rumah_tangga=optional("rumah_tangga")
    )


def parse_statistic(doc: dict, slug: str) -> Statistic:
    stats = doc.get("statistics")
    if not isinstance(stats, list):
        raise PayloadError(
            "statistics: missing from the document",
            code="document.missing",
            params={"tempat": "statistics"},
        )
    entry = next((s for s in stats if isinstance(s, dict) and s.get("slug") == slug), None)
    where = f"statistik {slug}"
    if entry is None:
        raise PayloadError(
            f"statistik {slug}: missing from the document",
            code="document.missing",
            params={"tempat": where},
        )
    rows = []
    raw_rows = entry.get("rows")
    if not isinstance(raw_rows, list):
        raise PayloadError(
            f"{where}: rows missing",
            code="field.missing",
            params={"tempat": where, "field": "rows"},
        )
    check_many(len(raw_rows), where)  # before reading them: 150,000 rows are no village
    for i, raw in enumerate(raw_rows):
        if not isinstance(raw, dict):
            raise PayloadError(
                f"{where}, row {i + 1}: not an object",
                code="payload.not_object",
                params={"tempat": f"{where}, row {i + 1}"},
            )
        code = raw.get("code")
        kode = text_field(code, f"{where}, row {i + 1}.code", MAX_KODE)
        if not kode:
            raise PayloadError(
                f"{where}, row {i + 1}: category code missing",
                code="category.no_code",
                params={"tempat": f"{where}, row {i + 1}"},
            )
        counts = plain_counts(raw.get("total"), raw.get("laki"), raw.get("perempuan"))
        if counts is None:  # only then is the message built
            counts = parse_counts(raw, f"{where}, kode {code}", allow_string=False)
        dari, sampai = raw.get("dari"), raw.get("sampai")
        rows.append(
            CategoryRow(
                kode=kode,
                label=text_field(raw.get("label"), f"{where}, kode {kode}.label", MAX_LABEL)
                or kode,
                counts=counts,
                dari=None if dari is None else _opt_int(dari),
                sampai=None if sampai is None else _opt_int(sampai),
            )
        )
    belum = entry.get("belum_mengisi")
    belum_counts = (
        Counts(0, 0, 0)
        if belum is None
        else parse_counts(belum, f"{where}.belum_mengisi", allow_string=False)
    )
    total = parse_counts(entry.get("total"), f"{where}.total", allow_string=False)
    # overlapping aid programmes: the distinct recipients, which the rows do not add up to
    raw_jumlah = entry.get("jumlah")
    jumlah = (
        None
        if raw_jumlah is None
        else parse_counts(raw_jumlah, f"{where}.jumlah", allow_string=False)
    )
    return make_statistic(slug, rows, belum_counts, total, where, jumlah=jumlah)


def _opt_int(value: object) -> int | None:
    try:
        return None if value is None else parse_count(value, "age bound")
    except PayloadError:
        return None
