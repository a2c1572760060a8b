"""Adapter for OpenSID's public `internal_api`, as OpenSID 2508 really serves it.

What the real system does is recorded in tests/fixtures/opensid-2508 (README there); in short:
- no endpoint names the village or its version: the village is who the registry says it is;
- `statistik/{key}` answers JSON:API rows with reference ids, then 666 JUMLAH, 777 BELUM
  MENGISI, 888 TOTAL; an unknown key answers 200 with pendidikan dalam KK, so every answer is
  checked against the categories of the statistic asked for and never retried under another key;
- `bdt` drops its rows (666 = households in the BDT); the aid programmes' rows overlap (666 =
  distinct recipients);
- `pembangunan` keeps progress in `pembangunan_dokumentasi[].persentase`; `peserta_bantuan` is one
  row per recipient with NIK, name and address: counted here, never kept; both page by 30.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from collectors.adapters.common import (
    MAX_CATEGORIES,
    MAX_KODE,
    MAX_LABEL,
    check_amount,
    check_items,
    check_many,
    make_statistic,
    parse_count,
    unknown_codes_warning,
)
from collectors.http import FetchError, HttpClient, status_error
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
from config.registry import Village
from config.statistik import BY_KEY, BY_SLUG, OPEN_END, PULLED_SLUGS, TOTALS_DATASET, StatDef
from warehouse.bounds import MEASUREMENT_LABEL
from warehouse.values import MeasurementRow

SOURCE_APP = "OpenSID"
SUMMARY_IDS = {"666": "jumlah", "777": "belum_mengisi", "888": "total"}
# datasets from endpoints other than statistik
EXTRA_DATASETS = ("identitas", "pembangunan", "bantuan")
# totals come from three statistics: sex (penduduk), kelas sosial (families), BDT (households)
TOTAL_KEYS = ("4", "kelas_sosial", "bdt")
# OpenSID caps page[size] at 30 (spatie json-api-paginate); asking for more costs nothing and
# serves a later release that allows it
PAGE_SIZE = 100
MAX_PAGES = 1000  # 30,000 recipients or projects: past that it is a loop, not a village
# MAX_CATEGORIES, MAX_LABEL, MAX_KODE, MAX_ITEMS: the bounds every adapter shares (common)
BANTUAN_TARGETS = ("bantuan_penduduk", "bantuan_keluarga")  # sasaran 1 and 2


def pull(
    village: Village,
    client: HttpClient,
    *,
    tahun: int,
    etag: str | None = None,  # internal_api sends no validators
    deadline_s: float | None = None,
    datasets: Sequence[str] | None = None,
) -> VillagePull:
    """Fetch the wanted datasets of one village; stop early if the village hangs."""
    everything = (TOTALS_DATASET, *PULLED_SLUGS, *EXTRA_DATASETS)
    wanted = [d for d in everything if datasets is None or d in datasets]
    keys: list[str] = []
    for d in wanted:
        if d == TOTALS_DATASET:
            keys.extend(TOTAL_KEYS)
        elif d not in EXTRA_DATASETS:
            keys.append(BY_SLUG[d].key)
    site = _Site(village, client, tahun, deadline_s)
    pull = VillagePull(kode_desa=village.kode_desa, endpoint="opensid", source_app=SOURCE_APP)
    fetched = {
        key: site.run(f"statistik {BY_KEY[key].slug}", _statistic, key)
        for key in dict.fromkeys(keys)
    }
    for dataset in wanted:
        if dataset == TOTALS_DATASET:
            pull.results.append(_totals_result(fetched))
        elif dataset in EXTRA_DATASETS:
            fetch = {"identitas": _identitas, "pembangunan": _pembangunan, "bantuan": _bantuan}
            pull.results.append(site.run(dataset, fetch[dataset]).result(dataset))
        else:
            pull.results.append(fetched[BY_SLUG[dataset].key].result(dataset))
    pull.duration_ms = site.elapsed_ms()
    return pull


# ------------------------------------------------------------------ requests and their outcome


@dataclass
class _Outcome:
    """What one fetch gave: data (with a warning) or a failure's reason, with its HTTP status
    and time."""

    data: object = None
    error: Reason | None = None
    http_status: int | None = None
    duration_ms: int = 0
    warning: str | None = None
    periods: tuple[str, ...] | None = None

    def result(self, dataset: str) -> DatasetResult:
        if self.error is not None:
            return DatasetResult.failure(
                dataset, self.error, http_status=self.http_status, duration_ms=self.duration_ms
            )
        return DatasetResult(
            dataset, "ok", data=self.data, http_status=self.http_status,
            duration_ms=self.duration_ms, warning=self.warning, periods=self.periods,
        )  # fmt: skip


@dataclass
class _Site:
    """One village's internal_api for one pull: GETs with a deadline for the whole village."""

    village: Village
    client: HttpClient
    tahun: int
    deadline_s: float | None
    start: float = field(default_factory=time.perf_counter)
    gave_up: Reason | None = None
    requests: int = 0
    _ms: int = 0
    _status: int | None = None

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.start) * 1000)

    def run(self, what: str, fetch: Callable, *args) -> _Outcome:
        """Call fetch(self, *args) -> (data, warning, periods); a failure becomes an outcome."""
        if self.gave_up:
            return _Outcome(error=self.gave_up)
        self._ms, self._status = 0, None
        try:
            data, warning, periods = fetch(self, *args)
            outcome = _Outcome(data, None, self._status, self._ms, warning, periods)
        except FetchError as exc:
            outcome = _Outcome(error=exc.reason.at(what), http_status=exc.http_status)
            outcome.duration_ms = self._ms
            if exc.timeout:
                self.gave_up = Reason(
                    f"skipped: the village gave no answer in time on {what}",
                    code="skipped.no_answer",
                    params={"bagian": what},
                )
        except PayloadError as exc:
            outcome = _Outcome(error=exc.reason.at(what), http_status=self._status)
            outcome.duration_ms = self._ms
        if (
            not self.gave_up
            and self.deadline_s
            and time.perf_counter() - self.start > self.deadline_s
        ):
            self.gave_up = Reason(
                f"skipped: the village took longer than {self.deadline_s:g} s in all",
                code="skipped.deadline",
                params={"detik": self.deadline_s},
            )
        return outcome

    def get_json(self, path: str, what: str, params: dict | None = None) -> object:
        if self.gave_up:
            raise FetchError.of(self.gave_up)
        resp = self.client.get(
            f"{self.village.base_url}/internal_api/{path}",
            params=params,
            headers={"Accept": "application/json"},
            until=self.start + self.deadline_s if self.deadline_s else None,
        )
        self.requests += 1
        self._ms += resp.duration_ms
        self._status = resp.status
        if resp.status != 200:
            raise status_error(resp.status, what)
        try:
            return json.loads(resp.body)
        except (ValueError, UnicodeDecodeError) as exc:
            # CodeIgniter answers an unknown path with an HTML page, never JSON
            raise _not_json(what, exc) from None

    def pages(self, path: str, what: str) -> Iterator[list[tuple[str | None, dict]]]:
        """Every page of a paginated internal_api list: (JSON:API id, attributes) per item."""
        number, last = 1, 1
        while number <= last:
            if number > MAX_PAGES:
                raise PayloadError(
                    f"{what}: more than {MAX_PAGES} pages; stopped",
                    code="pages.too_many",
                    params={"tempat": what, "batas": MAX_PAGES},
                )
            page_what = f"{what}, page {number}"
            doc = self.get_json(path, page_what, {"page[number]": number, "page[size]": PAGE_SIZE})
            yield _items(doc, page_what)
            pagination = (
                (doc.get("meta") or {}).get("pagination") if isinstance(doc, dict) else None
            )
            if not isinstance(pagination, dict):
                raise PayloadError(
                    f"{page_what}: no meta.pagination",
                    code="field.missing",
                    params={"tempat": page_what, "field": "meta.pagination"},
                )
            last = parse_count(pagination.get("total_pages"), f"{page_what}: total_pages")
            if self.deadline_s and time.perf_counter() - self.start > self.deadline_s:
                raise FetchError(
                    f"{what}: the village took longer than {self.deadline_s:g} s in all",
                    code="village.deadline",
                    params={"tempat": what, "detik": self.deadline_s},
                )
            number += 1


def _not_json(what: str, exc: Exception) -> PayloadError:
    return PayloadError(
        f"{what}: not JSON ({type(exc).__name__})",
        code="json.not_json",
        params={"tempat": what, "detail": type(exc).__name__},
    )


def _items(doc: object, where: str) -> list[tuple[str | None, dict]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise PayloadError(
            f"{where}: expected a JSON:API object with a data list",
            code="jsonapi.no_data",
            params={"tempat": where},
        )
    out = []
    for item in doc["data"]:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise PayloadError(
                f"{where}: a data entry has no attributes",
                code="jsonapi.no_attributes",
                params={"tempat": where},
            )
        ident = item.get("id")
        out.append((None if ident is None else str(ident), item["attributes"]))
    return out


# ------------------------------------------------------------------ statistics


def _statistic(site: _Site, key: str) -> tuple[Statistic, str | None, None]:
    stat = BY_KEY[key]
    what = f"statistik {stat.slug} (key {key})"
    doc = site.get_json(f"statistik/{key}", what, {"tahun": site.tahun})
    parsed = parse_statistik(doc, stat.slug, key)
    check_categories(parsed, stat, site.village)
    return parsed, unknown_codes_warning(parsed), None


def parse_statistik(
    body: bytes | dict,
    slug: str,
    key: str,
    *,
    fields: tuple[str, str, str] = ("jumlah", "laki", "perempuan"),
    summary_ids: dict[str, str] = SUMMARY_IDS,
) -> Statistic:
    """One statistics answer: category rows apart from the summary rows, checked.

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
            raise _not_json(where, exc) from None
    items = _items(doc, where)
    if len(items) > MAX_CATEGORIES + len(summary_ids):
        check_many(len(items), where)
    stat_def = BY_SLUG.get(slug)
    jenis = stat_def.jenis if stat_def is not None else "kategori"
    rows: list[CategoryRow] = []
    summary: dict[str, Counts] = {}
    for ident, attrs in items:
        label = str(attrs.get("nama") if attrs.get("nama") is not None else "").strip()
        if ident is None or not ident.strip():
            raise PayloadError(
                f"{where}: a row ({label[:40]!r}) has no id",
                code="category.no_id",
                params={"tempat": where, "label": label[:40]},
            )
        if len(label) > MAX_LABEL or len(ident) > MAX_KODE:
            raise PayloadError(
                f"{where}, id {ident[:20]}: label or id longer than {MAX_LABEL}",
                code="category.too_long",
                params={"tempat": f"{where}, id {ident[:20]}", "batas": MAX_LABEL},
            )
        counts = Counts(*(parse_count(attrs.get(f), f"{where}, id {ident}.{f}") for f in fields))
        kind = summary_ids.get(ident)
        if kind:
            summary[kind] = counts
            continue
        dari = sampai = None
        if jenis == "umur" and "dari" in attrs:
            dari, sampai = _bounds(attrs, f"{where}, id {ident}")
        rows.append(CategoryRow(ident, label or ident, counts, dari, sampai))
    for row in rows:
        c = row.counts
        if c.laki_laki + c.perempuan != c.jumlah:
            raise PayloadError(
                f"{where}, kode {row.kode}: laki ({c.laki_laki}) + perempuan ({c.perempuan}) "
                f"is not jumlah ({c.jumlah})",
                code="sum.sexes",
                params={"tempat": f"{where}, kode {row.kode}", "laki": c.laki_laki,
                        "perempuan": c.perempuan, "jumlah": c.jumlah},
            )  # fmt: skip
    for ident, kind in summary_ids.items():
        if kind in ("belum_mengisi", "total") and kind not in summary:
            raise PayloadError(
                f"{where}: no summary row {ident} ({kind.replace('_', ' ')})",
                code="summary.missing",
                params={"tempat": where, "baris": ident, "jenis": kind},
            )
    jumlah = summary.get("jumlah")
    if jenis == "umur" and any(r.dari is None for r in rows):
        other = _looks_like(rows)
        raise PayloadError(
            f"{where}: the rows {_describe(rows)} carry no dari/sampai, so they are not age "
            f"brackets{_hint(other)}",
            code="age.no_bounds",
            params={"tempat": where, "baris": _describe(rows), "mirip": other},
        )
    if jenis == "umur":
        _check_brackets(rows, where)
    if jenis == "rtm":
        # OpenSID drops the BDT's rows and keeps their sum: the households in the BDT
        if rows:
            other = _looks_like(rows)
            raise PayloadError(
                f"{where}: category rows {_describe(rows)} where OpenSID 2508 sends none"
                f"{_hint(other)}",
                code="bdt.rows",
                params={"tempat": where, "baris": _describe(rows), "mirip": other},
            )
        if jumlah is None:
            raise PayloadError(
                f"{where}: no JUMLAH (666) row: the households in the BDT",
                code="bdt.no_jumlah",
                params={"tempat": where, "baris": "666"},
            )
        code, name = stat_def.codes[0]
        rows = [CategoryRow(code, name, jumlah)]
    return make_statistic(
        slug, rows, summary["belum_mengisi"], summary["total"], where, jumlah=jumlah
    )


def _bounds(attrs: dict, where: str) -> tuple[int, int]:
    """An age bracket's bounds, from its `dari`/`sampai` (OpenSID's tweb_penduduk_umur)."""
    dari = parse_count(attrs.get("dari"), f"{where}.dari")
    sampai = parse_count(attrs.get("sampai"), f"{where}.sampai")
    if dari > sampai or sampai > OPEN_END:
        raise PayloadError(
            f"{where}: age bracket {dari}–{sampai} is not a range within 0–{OPEN_END}",
            code="age.range",
            params={"tempat": where, "dari": dari, "sampai": sampai, "batas": OPEN_END},
        )
    return dari, sampai


def _check_brackets(rows: list[CategoryRow], where: str) -> None:
    """Brackets that overlap count a resident twice, and OpenSID's 777 goes wrong with them."""
    spans = sorted((r.dari, r.sampai, r.kode) for r in rows)
    for (a0, b0, k0), (a1, b1, k1) in zip(spans, spans[1:], strict=False):
        if a1 <= b0:
            raise PayloadError(
                f"{where}: age brackets {k0} ({a0}–{b0}) and {k1} ({a1}–{b1}) overlap; "
                "the village must correct them in OpenSID",
                code="age.overlap",
                params={"tempat": where, "kode": k0, "dari": a0, "sampai": b0, "kode_2": k1,
                        "dari_2": a1, "sampai_2": b1},
            )  # fmt: skip


def _normal(label: str) -> str:
    """A label compared loosely: case, spaces and the spaces around '/' do not count."""
    return re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", label.strip().upper()))


def _describe(rows: Sequence[CategoryRow], limit: int = 4) -> str:
    shown = ", ".join(f"{r.kode} {r.label!r}" for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"[{shown}{more}]"


def _looks_like(rows: Sequence[CategoryRow]) -> str | None:
    """The catalogued statistic whose reference ids and labels these rows carry, if any."""
    pairs = {(r.kode, _normal(r.label)) for r in rows}
    if not pairs:
        return None
    for other in BY_SLUG.values():
        if other.fixed_codes and other.codes:
            known = {(c, _normal(label)) for c, label in other.codes}
            if len(pairs & known) >= 0.8 * len(pairs):
                return other.slug
    return None


def check_categories(stat: Statistic, stat_def: StatDef, village: Village) -> None:
    """Refuse an answer whose categories are not those of the statistic asked for.

    OpenSID answers a key it does not know (an older release, a typo) with pendidikan dalam KK
    and HTTP 200, so a wrong answer looks like any other; it must never be stored as another
    statistic, nor retried under another key.
    """
    where = f"statistik {stat_def.slug} (key {stat_def.key})"
    rows = list(stat.rows)
    other = _looks_like(rows) if stat_def.jenis != "rtm" else None
    if stat_def.jenis == "kategori":
        known = {(c, _normal(label)) for c, label in stat_def.codes}
        pairs = {(r.kode, _normal(r.label)) for r in rows}
        wrong = pairs and len(pairs & known) < 0.5 * len(pairs) and other != stat_def.slug
    else:  # age brackets, suku and programmes never carry a reference table's ids and labels
        wrong = other is not None
    if wrong:
        raise PayloadError(
            f"{where}: village {village.kode_desa} answered with the categories {_describe(rows)}, "
            f"which are not those of {stat_def.slug}{_hint(other)}",
            code="category.other_statistic",
            params={"tempat": where, "kode_desa": village.kode_desa, "baris": _describe(rows),
                    "statistik": stat_def.slug, "mirip": other},
        )  # fmt: skip


def _hint(other: str | None) -> str:
    if other == "pendidikan-dalam-kk":
        return (
            "; they are pendidikan dalam KK, OpenSID's answer to a statistic it does not know "
            "(an older release?)"
        )
    return f"; they look like {other}" if other else ""


def _totals_result(fetched: dict[str, _Outcome]) -> DatasetResult:
    parts = [fetched[k] for k in TOTAL_KEYS]
    errors = [p.error for p in parts if p.error]
    ms = sum(p.duration_ms for p in parts)
    http = next((p.http_status for p in parts if p.http_status not in (None, 200)), None)
    if errors:
        return DatasetResult.failure(TOTALS_DATASET, Reason.combine(errors),
                                     http_status=http or parts[0].http_status,
                                     duration_ms=ms)  # fmt: skip
    sex, families, households = (p.data for p in parts)
    totals = Totals(
        penduduk=sex.total, keluarga=families.total.jumlah, rumah_tangga=households.total.jumlah
    )
    return DatasetResult(TOTALS_DATASET, "ok", data=totals, http_status=200, duration_ms=ms)


# ------------------------------------------------------------------ other endpoints


def _identitas(site: _Site) -> tuple[list[MeasurementRow], None, None]:
    """What the village itself says about its system (nothing names it or its version) and
    its dusun, RW and RT from wilayah/administratif."""
    dusun = rw = rt = 0
    for items in site.pages("wilayah/administratif", "identitas (wilayah/administratif)"):
        for ident, attrs in items:
            where = f"wilayah/administratif, dusun {ident}"
            dusun += 1
            rw += parse_count(attrs.get("rws_count", 0), f"{where}.rws_count")
            rt += parse_count(attrs.get("rts_count", 0), f"{where}.rts_count")
    v = site.village
    profil = {
        "nama_desa": v.nama_desa,
        "source_app": SOURCE_APP,
        "source_api": "internal_api",
        "sumber_identitas": "registry",  # OpenSID's internal_api does not name the village
    }
    rows = [
        MeasurementRow("profil", None, atribut=profil),
        MeasurementRow("dusun", float(dusun)),
        MeasurementRow("rw", float(rw)),
        MeasurementRow("rt", float(rt)),
    ]
    return rows, None, None


def _amount(value: object, where: str) -> float:
    """A rupiah amount ≥ 0, a number or a numeric string."""
    if isinstance(value, bool):
        raise PayloadError(
            f"{where}: {value!r} is not an amount",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise PayloadError(
            f"{where}: {str(value)[:40]!r} is not an amount",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(str(value)[:40])},
        ) from None
    except OverflowError:  # an integer past any float
        number = float("inf")
    return check_amount(number, where)  # finite, ≥ 0, at most MAX_AMOUNT


_PERCENT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


def progress(entries: object, where: str) -> float | None:
    """A project's progress: the highest of its documentation entries' `persentase` ("80%", or
    a hand-typed "95"), as OpenSID's own admin list shows it; None when there is no entry."""
    if entries is None:
        return None
    if not isinstance(entries, list):
        raise PayloadError(
            f"{where}.pembangunan_dokumentasi: not a list",
            code="payload.expected_list",
            params={"tempat": f"{where}.pembangunan_dokumentasi"},
        )
    best: float | None = None
    for i, entry in enumerate(entries):
        raw = entry.get("persentase") if isinstance(entry, dict) else None
        m = _PERCENT.match(str(raw)) if raw is not None else None
        at = f"{where}.pembangunan_dokumentasi[{i}].persentase"
        if m is None:
            raise PayloadError(
                f"{at}: {str(raw)[:20]!r} is not a percentage",
                code="progress.not_percent",
                params={"tempat": at, "nilai": repr(str(raw)[:20])},
            )
        value = float(m.group(1).replace(",", "."))
        if value > 100:
            raise PayloadError(
                f"{at}: {value:g} is over 100%",
                code="progress.over_100",
                params={"tempat": at, "nilai": value},
            )
        best = value if best is None else max(best, value)
    return best


def _pembangunan(site: _Site) -> tuple[list[MeasurementRow], None, tuple[str, ...]]:
    rows: list[MeasurementRow] = []
    seen: set[str] = set()
    for items in site.pages("pembangunan", "pembangunan"):
        for ident, attrs in items:
            if not ident:
                raise PayloadError(
                    "pembangunan: a project has no id",
                    code="item.no_id",
                    params={"tempat": "pembangunan"},
                )
            if ident in seen:
                raise PayloadError(
                    f"pembangunan {ident}: listed twice",
                    code="item.twice",
                    params={"tempat": f"pembangunan {ident}"},
                )
            seen.add(ident)
            check_items(len(seen), "pembangunan")
            _short(ident, "pembangunan, id")
            where = f"pembangunan {ident}"
            raw_year = str(attrs.get("tahun_anggaran") or "").strip()
            if not (raw_year.isdigit() and 2000 <= int(raw_year) <= 2100):
                raise PayloadError(
                    f"{where}: tahun_anggaran {raw_year[:10]!r} is not a year",
                    code="field.not_year",
                    params={"tempat": where, "field": "tahun_anggaran",
                            "nilai": repr(raw_year[:10])},
                )  # fmt: skip
            anggaran = _amount(attrs.get("anggaran"), f"{where}.anggaran")
            atribut = {
                "sumber_dana": attrs.get("sumber_dana"),
                "volume": attrs.get("volume"),
                "pelaksana": attrs.get("pelaksana_kegiatan"),
                "lokasi": attrs.get("lokasi"),
                "sifat_proyek": attrs.get("sifat_proyek"),
            }
            atribut = {k: str(v)[:MAX_LABEL] for k, v in atribut.items() if v not in (None, "")}
            label = str(attrs.get("judul") or ident).strip()[:MEASUREMENT_LABEL]
            value = progress(attrs.get("pembangunan_dokumentasi"), where)
            rows.append(MeasurementRow("anggaran", anggaran, ident, label, raw_year, atribut))
            rows.append(MeasurementRow("progres", value, ident, label, raw_year, atribut))
    return rows, None, tuple(sorted({r.periode for r in rows}))


def _bantuan(site: _Site) -> tuple[list[MeasurementRow], None, None]:
    """Programmes of residents and of families with their recipients, counted from the per-
    recipient listing. Only programme fields are read; every personal field is dropped here."""
    programmes: dict[str, dict] = {}
    recipients: dict[str, set[bytes]] = {}
    for target in BANTUAN_TARGETS:
        what = f"bantuan ({target})"
        for items in site.pages(f"peserta_bantuan/{target}", what):
            for ident, attrs in items:
                program = ident or str(attrs.get("program_id") or "")
                if not program:
                    raise PayloadError(
                        f"{what}: a recipient row has no programme id",
                        code="bantuan.no_program",
                        params={"tempat": what},
                    )
                if program not in programmes:
                    _short(program, f"{what}, programme id")
                    check_items(len(programmes) + 1, what)
                    programmes[program] = _programme(attrs, target)
                who = attrs.get("peserta")
                if who in (None, ""):
                    raise PayloadError(
                        f"{what}, programme {program}: a recipient row has no peserta",
                        code="bantuan.no_peserta",
                        params={"tempat": f"{what}, programme {program}"},
                    )
                # distinct recipients, without keeping who they are
                recipients.setdefault(program, set()).add(
                    hashlib.sha256(str(who).encode()).digest()
                )
    rows = [
        MeasurementRow("peserta", float(len(recipients[p])), p, info.pop("nama"), atribut=info)
        for p, info in programmes.items()
    ]
    return rows, None, None


def _short(ident: str, where: str) -> None:
    """An item's id, kept as its code: at most MAX_KODE characters."""
    if len(ident) > MAX_KODE:
        raise PayloadError(
            f"{where}: {len(ident)} characters, more than {MAX_KODE}",
            code="field.too_long",
            params={"tempat": where, "jumlah": len(ident), "batas": MAX_KODE},
        )


def _programme(attrs: dict, target: str) -> dict:
    """The programme's own fields of a recipient row (never the recipient's)."""
    return {
        "nama": str(attrs.get("nama") or "").strip()[:MEASUREMENT_LABEL] or "?",
        "sasaran": BANTUAN_TARGETS.index(target) + 1,  # OpenSID lists one sasaran per key
        "asal_dana": attrs.get("asaldana"),
        "mulai": str(attrs.get("sdate") or "")[:10] or None,
        "selesai": str(attrs.get("edate") or "")[:10] or None,
    }
