"""`POST /api/v1/penduduk/storedata`: every resident ever recorded, reduced to statistics.

OpenSID sends one XLSX (in a zip) with a row per resident of `tweb_penduduk`: 42 columns of
personal data (NIK, KK number, names, parents, birth place and date, address, documents,
health), living or not. Each row is read once and only counted: which categories it falls
in, by sex. Nothing of a row outlives it, except a keyed hash of the KK number of a living
family head (to count families once), held in memory for the call.

The statistics are those OpenSID's own `internal_api` serves, computed the way OpenSID
computes them (see `_KATEGORI` and `_UMUR`): residents with `status_dasar` 1 (alive), codes
of OpenSID's reference tables, ages by OpenSID's MySQL formula on the day of the push, the
default age brackets of the catalogue. Where OpenSID filters after its join (pregnancy,
marriage certificates) only categories with someone in them are listed, as OpenSID lists
them. A code outside the reference table counts as belum mengisi (as OpenSID's join drops it)
and is named in the statistic's warning.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from collectors.adapters.common import make_statistic
from collectors.model import CategoryRow, Counts, DatasetResult, Statistic, Totals, VillagePull
from collectors.opendk.errors import Bad, refusing
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.tables import Table, open_table
from collectors.opendk.umur import opensid_age
from collectors.opendk.village import check_expected, row_village
from config.statistik import BY_SLUG, PULLED_SLUGS, TOTALS_DATASET

PUSH = "penduduk"
SOURCE_APP = "OpenSID"
ENDPOINT = "opendk-push"
ALIVE = 1  # status_dasar HIDUP
KEPALA_KELUARGA = 1  # hubungan_keluarga (kk_level)
KIA = 3  # ktp_el of a child identity card
# OpenSID's tweb_status_ktp: the row id each status_rekam belongs to (its seeded table)
KTP_ROW = {2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 1: "8"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T][0-9:.]*)?$")


@dataclass
class _Resident:
    """What one row contributes, parsed: codes and age only (nothing that names anyone)."""

    sex: int
    age: int | None
    codes: dict[str, int | None]
    flags: dict[str, bool]  # column has a value (akta_lahir, nomor_akta_perkawinan)


def _always(_r: _Resident) -> bool:
    return True


def _woman(r: _Resident) -> bool:
    return r.sex == 2


def _ever_married(r: _Resident) -> bool:
    kawin = r.codes.get("kawin")
    return kawin is not None and kawin != 1


def _wajib_ktp(r: _Resident) -> bool:
    # OpenSID: age >= 17 OR (status_kawin IS NOT NULL AND status_kawin <> 1)
    return (r.age is not None and r.age >= 17) or _ever_married(r)


def _child(r: _Resident) -> bool:
    return r.age is not None and r.age <= 17


@dataclass(frozen=True)
class _Kategori:
    """A statistic of one coded column, over a population (OpenSID's 888)."""

    slug: str
    column: str
    population: Callable[[_Resident], bool] = _always
    counted: Callable[[_Resident], bool] = _always  # the rows' own condition
    listed_only_if_counted: bool = False  # OpenSID filters after its join: no empty rows
    code_to_row: dict[int, str] | None = None  # a column value -> the reference row id
    needs: tuple[str, ...] = ()  # further columns the conditions read


@dataclass(frozen=True)
class _Umur:
    """An age-bracket statistic with the catalogue's default brackets."""

    slug: str
    counted: Callable[[_Resident], bool] = _always
    needs: tuple[str, ...] = ()


_KATEGORI: tuple[_Kategori, ...] = (
    _Kategori("jenis-kelamin", "jenis_kelamin"),
    _Kategori("pendidikan-dalam-kk", "pendidikan_dlm_kk"),
    _Kategori("pendidikan-sedang-ditempuh", "pendidikan_sdg_ditempuh"),
    _Kategori("pekerjaan", "pekerjaan"),
    _Kategori("status-perkawinan", "kawin"),
    _Kategori("agama", "agama"),
    _Kategori("warga-negara", "kewarganegaraan"),
    _Kategori("golongan-darah", "gol_darah"),
    _Kategori("penyandang-cacat", "cacat"),
    _Kategori("akseptor-kb", "cara_kb"),
    _Kategori("hubungan-kk", "hubungan_keluarga"),
    _Kategori("status-kehamilan", "hamil", _woman, listed_only_if_counted=True),
    _Kategori(
        "buku-nikah", "kawin", _ever_married,
        counted=lambda r: r.flags["nomor_akta_perkawinan"] and _ever_married(r),
        listed_only_if_counted=True, needs=("nomor_akta_perkawinan",),
    ),
    _Kategori(
        "kepemilikan-ktp", "status_rekam", _wajib_ktp,
        counted=lambda r: r.codes.get("ktp_el") is not None and r.codes["ktp_el"] != KIA,
        code_to_row=KTP_ROW, needs=("ktp_el", "kawin", "tanggal_lahir"),
    ),
    _Kategori(
        "kepemilikan-kia", "status_rekam", _child,
        counted=lambda r: r.codes.get("ktp_el") == KIA,
        code_to_row=KTP_ROW, needs=("ktp_el", "tanggal_lahir"),
    ),
)  # fmt: skip
_UMUR: tuple[_Umur, ...] = (
    _Umur("rentang-umur"),
    _Umur("kategori-umur"),
    _Umur("akta-kelahiran", lambda r: r.flags["akta_lahir"], needs=("akta_lahir",)),
)
# coded columns read as numbers; flag columns only for "has a value"
_CODED = tuple(dict.fromkeys([k.column for k in _KATEGORI] + ["ktp_el"]))
_FLAGS = ("akta_lahir", "nomor_akta_perkawinan")
_REQUIRED = ("desa_id", "status_dasar", "jenis_kelamin")
# every dataset a residents' push lands (what a refused push marks failed)
DATASETS: tuple[str, ...] = (TOTALS_DATASET, *(k.slug for k in _KATEGORI), *(u.slug for u in _UMUR))


@dataclass
class PendudukPush:
    """What a resident upload gave: the village it names and its statistics, ready to land."""

    kode_desa: str
    pull: VillagePull  # TOTALS_DATASET and one result per derived statistic
    residents: int  # rows read (every resident ever recorded)
    hidup: int  # of them alive (status_dasar 1): the population counted
    keluarga: int  # families with a living head
    not_derived: tuple[str, ...] = field(default=())  # catalogue statistics the file cannot give


class _Tally:
    """Counts by category and sex for one statistic, and its population."""

    def __init__(self) -> None:
        self.rows: dict[str, list[int]] = {}
        self.population = [0, 0, 0]
        self.unknown: dict[int, int] = {}

    @staticmethod
    def add(counts: list[int], sex: int) -> None:
        counts[0] += 1
        counts[sex] += 1  # 1 laki-laki, 2 perempuan


def read_penduduk(
    upload: bytes | None,
    *,
    on: date,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> PendudukPush:
    """Reduce a `penduduk/storedata` upload (the multipart `file`: a zip with an XLSX) to the
    village's statistics on the day `on` (the push's date where the village is).

    `expected` is the token's village: a file naming another is refused. Raises PushError;
    a refused upload gives nothing at all.
    """
    started = time.perf_counter()
    with refusing(PUSH, personal=True, expected=expected) as ctx:
        if not upload:
            raise Bad("upload.missing")
        table = open_table(upload, limits, (".xlsx",))
        table.require(*_REQUIRED)
        reading = _Reading(table, on)
        for number, cells in table.rows:
            kode = reading.village_of(number, cells)
            if reading.residents == 0:
                ctx.kode_desa = kode
                check_expected(kode, expected)
            reading.add(number, cells)
        if reading.residents == 0:
            raise Bad("penduduk.empty")
        if reading.hidup == 0:
            raise Bad("penduduk.none_alive", n=reading.residents)
        kode_desa = ctx.kode_desa
        results = reading.results(ctx.kode_desa or "")
    ms = int((time.perf_counter() - started) * 1000)
    for result in results:
        result.duration_ms = ms
    derived = {r.dataset for r in results}
    pull = VillagePull(
        kode_desa=kode_desa, results=results, source_app=SOURCE_APP, duration_ms=ms,
        endpoint=ENDPOINT,
    )  # fmt: skip
    return PendudukPush(
        kode_desa=kode_desa,
        pull=pull,
        residents=reading.residents,
        hidup=reading.hidup,
        keluarga=reading.keluarga,
        not_derived=tuple(s for s in PULLED_SLUGS if s not in derived),
    )


class _Reading:
    """One pass over the rows: everything is counted as the rows go by."""

    def __init__(self, table: Table, on: date) -> None:
        self.table, self.on = table, on
        col = table.columns
        self.kategori = [k for k in _KATEGORI if table.has(k.column, *k.needs)]
        self.umur = [u for u in _UMUR if table.has("tanggal_lahir", *u.needs)]
        self.coded = [c for c in _CODED if c in col]
        self.flags = [f for f in _FLAGS if f in col]
        self.tallies = {s.slug: _Tally() for s in (*self.kategori, *self.umur)}
        self.brackets = {
            u.slug: [(b.code, b.dari, b.sampai) for b in BY_SLUG[u.slug].brackets]
            for u in self.umur
        }
        self.residents = self.hidup = 0
        self.sexes = [0, 0, 0]
        self.kode: str | None = None
        # families: a keyed hash of the KK numbers of living heads, for this call only
        self._key = os.urandom(16)
        self._families: set[bytes] = set()
        self.has_families = table.has("nomor_kk", "hubungan_keluarga")

    @property
    def keluarga(self) -> int:
        return len(self._families)

    def _cell(self, cells: list, column: str):
        position = self.table.columns[column]
        return cells[position] if position < len(cells) else None

    def village_of(self, number: int, cells: list) -> str:
        kode = row_village(self._cell(cells, "desa_id"), number)
        if self.kode is None:
            self.kode = kode
        elif kode != self.kode:
            raise Bad("village.mixed", row=number, other=kode, kode=self.kode)
        return kode

    def add(self, number: int, cells: list) -> None:
        self.residents += 1
        status = _code(self._cell(cells, "status_dasar"), number, "status_dasar")
        if status is None:
            raise Bad("cell.empty", row=number, column="status_dasar")
        if status != ALIVE:
            return  # dead, moved, lost, gone: not in OpenSID's statistics
        sex = _code(self._cell(cells, "jenis_kelamin"), number, "jenis_kelamin")
        if sex not in (1, 2):
            raise Bad("cell.sex", row=number, column="jenis_kelamin")
        self.hidup += 1
        self.sexes[0] += 1
        self.sexes[sex] += 1
        codes = {c: _code(self._cell(cells, c), number, c) for c in self.coded}
        flags = {f: _filled(self._cell(cells, f)) for f in self.flags}
        age = None
        if "tanggal_lahir" in self.table.columns:
            born = _birth_date(self._cell(cells, "tanggal_lahir"), number)
            age = opensid_age(born, self.on) if born is not None else None
        resident = _Resident(sex, age, codes, flags)
        for spec in self.kategori:
            self._count_kategori(spec, resident)
        for spec in self.umur:
            self._count_umur(spec, resident)
        if self.has_families and codes.get("hubungan_keluarga") == KEPALA_KELUARGA:
            kk = self._cell(cells, "nomor_kk")
            if _filled(kk):
                digest = hashlib.blake2b(str(kk).strip().encode(), key=self._key, digest_size=16)
                self._families.add(digest.digest())

    def _count_kategori(self, spec: _Kategori, r: _Resident) -> None:
        if not spec.population(r):
            return
        tally = self.tallies[spec.slug]
        tally.add(tally.population, r.sex)
        value = r.codes.get(spec.column)
        if value is None or not spec.counted(r):
            return
        code = spec.code_to_row.get(value) if spec.code_to_row else str(value)
        if code is None or code not in _known(spec.slug):
            tally.unknown[value] = tally.unknown.get(value, 0) + 1
            return
        tally.add(tally.rows.setdefault(code, [0, 0, 0]), r.sex)

    def _count_umur(self, spec: _Umur, r: _Resident) -> None:
        tally = self.tallies[spec.slug]
        tally.add(tally.population, r.sex)
        if r.age is None or not spec.counted(r):
            return
        for code, dari, sampai in self.brackets[spec.slug]:
            if dari <= r.age <= sampai:
                tally.add(tally.rows.setdefault(code, [0, 0, 0]), r.sex)
                return

    def results(self, kode: str) -> list[DatasetResult]:
        totals = Totals(penduduk=Counts(*self.sexes), keluarga=self.keluarga if self.has_families
                        else None, rumah_tangga=None)  # fmt: skip
        out = [DatasetResult(TOTALS_DATASET, "ok", data=totals)]
        for spec in self.kategori:
            stat, warning = self._statistic(spec.slug, kode, listed=spec.listed_only_if_counted)
            out.append(DatasetResult(spec.slug, "ok", data=stat, warning=warning))
        for spec in self.umur:
            stat, warning = self._statistic(spec.slug, kode, listed=False)
            out.append(DatasetResult(spec.slug, "ok", data=stat, warning=warning))
        order = {slug: i for i, slug in enumerate(PULLED_SLUGS)}
        out[1:] = sorted(out[1:], key=lambda r: order.get(r.dataset, len(order)))
        return out

    def _statistic(self, slug: str, kode: str, *, listed: bool) -> tuple[Statistic, str | None]:
        stat_def = BY_SLUG[slug]
        tally = self.tallies[slug]
        rows: list[CategoryRow] = []
        brackets = {b.code: b for b in stat_def.brackets}
        for code, label in stat_def.codes:
            counts = tally.rows.get(code)
            if counts is None and listed:
                continue
            counts = counts or [0, 0, 0]
            bracket = brackets.get(code)
            rows.append(
                CategoryRow(
                    code, label, Counts(*counts),
                    dari=bracket.dari if bracket else None,
                    sampai=bracket.sampai if bracket else None,
                )
            )  # fmt: skip
        total = Counts(*tally.population)
        summed = [sum(r.counts.jumlah for r in rows), sum(r.counts.laki_laki for r in rows),
                  sum(r.counts.perempuan for r in rows)]  # fmt: skip
        belum = Counts(*(t - s for t, s in zip(tally.population, summed, strict=True)))
        where = f"village {kode}, {PUSH} push, statistik {slug}"
        stat = make_statistic(slug, rows, belum, total, where)
        warning = None
        if tally.unknown:
            codes = ", ".join(str(c) for c in sorted(tally.unknown)[:10])
            warning = (
                f"statistik {slug}: {sum(tally.unknown.values())} residents with codes outside "
                f"OpenSID's reference ({codes}) counted as belum mengisi"
            )
        return stat, warning


def _known(slug: str) -> frozenset[str]:
    return _KNOWN[slug]


_KNOWN = {s.slug: frozenset(c for c, _ in BY_SLUG[s.slug].codes) for s in _KATEGORI}


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""


def _code(value: object, row: int, column: str) -> int | None:
    """A coded cell: a whole number ≥ 0 or empty (None). The value is never quoted."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise Bad("cell.not_integer", row=row, column=column)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 18:
        number = int(value.strip())
    elif isinstance(value, str) and not value.strip():
        return None
    else:
        raise Bad("cell.not_integer", row=row, column=column)
    if number < 0:
        raise Bad("cell.not_integer", row=row, column=column)
    return number


def _birth_date(value: object, row: int) -> date | None:
    """tanggal_lahir as OpenSID stores it (Y-m-d text); empty and MySQL's zero dates are
    unknown (OpenSID's TO_DAYS gives NULL for them). The value is never quoted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    match = _DATE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise Bad("cell.not_date", row=row, column="tanggal_lahir")
    year, month, day = (int(g) for g in match.groups())
    if year == 0 or month == 0 or day == 0:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        raise Bad("cell.not_date", row=row, column="tanggal_lahir") from None
