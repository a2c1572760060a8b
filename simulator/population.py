"""Who lives in a village: its size, sexes and ages, its traits (coast, settlers, religion),
its age brackets, and the state every statistic builder of a village and year shares."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from config.registry import Village
from config.statistik import BY_SLUG, Bracket
from simulator.numbers import apportion, digits, seeded, stable_int

BASE_YEAR = 2026
KABUPATEN_PENDUDUK = 304_720  # Dukcapil, semester 2 of 2023
KABUPATEN_DESA = 220
GROWTH_PER_YEAR = 0.02  # about 6,000 residents a year
SEX_RATIO = 104.0  # men per 100 women
MAX_AGE = 95
SIZE_SIGMA = 0.5  # log-normal spread of village sizes: a few hundred to several thousand
KELURAHAN_FACTOR = 2.5  # urban wards are larger
ENGGANO = "17.03.01"  # small island villages
ENGGANO_FACTOR = 0.5
# mean factor over the 220 villages (209 desa, 5 kelurahan, 6 on Enggano) keeps the sum on target
_MEAN_FACTOR = (209 + 5 * KELURAHAN_FACTOR + 6 * ENGGANO_FACTOR) / KABUPATEN_DESA
_CLAMP_BIAS = 1.013  # raising the smallest villages to 180 adds about 1.3 % on average
_SIZE_MU = (
    math.log(KABUPATEN_PENDUDUK / KABUPATEN_DESA / _MEAN_FACTOR / _CLAMP_BIAS) - SIZE_SIGMA**2 / 2
)

COASTAL_KECAMATAN = frozenset(
    {"17.03.01", "17.03.10", "17.03.11", "17.03.12", "17.03.14", "17.03.16", "17.03.20"}
)
TRANSMIGRASI_KECAMATAN = frozenset({"17.03.08", "17.03.09", "17.03.21", "17.03.25"})

CURRENT_VERSION = "2508.0.0"  # the release the OpenSID routes answer as (tests/fixtures)
OLDER_VERSIONS = ("2407.0.0", "2501.0.0", "2504.0.0")
EDITED_BRACKET_CODE_START = 22  # brackets a village adds get ids after the 17 defaults (5..21)
PEMBANGUNAN_SINCE = 2022  # projects are listed from this budget year on
KTP_AGE = 17  # residents of 17 and older (or ever married) must hold a KTP

# bands inside which an age-dependent mix (occupation, schooling, marriage) is constant
AGE_BANDS: tuple[tuple[int, int], ...] = (
    (0, 4), (5, 6), (7, 12), (13, 15), (16, 18), (19, 24), (25, 39), (40, 59), (60, MAX_AGE),
)  # fmt: skip
WHOLE_LIFE: tuple[tuple[int, int], ...] = ((0, MAX_AGE),)

# share (%) of each five-year group 0-4 … 70-74 in a young Indonesian pyramid; 75+ get 1.8 %
_PYRAMID_5Y = (8.5, 8.6, 8.4, 8.2, 8.1, 7.9, 7.8, 7.6, 7.2, 6.5, 5.7, 4.7, 3.7, 2.7, 1.7)
_OLD_SHARE = 1.8

# how villages edit their rentang-umur brackets (tweb_penduduk_umur, status 1): default ids
# dropped, defaults edited in place, brackets added (new ids from 22, labels as typed);
# the result never overlaps and covers every age
EDITED_BRACKETS: tuple[dict, ...] = (
    {"drop": ("18", "19", "20", "21"),
     "add": ((60, 69, "60 - 69 Tahun"), (70, 150, "70 Tahun Keatas"))},
    {"drop": ("5", "6"), "add": ((0, 4, "0 - 4 thn"),)},
    {"drop": tuple(str(i) for i in range(5, 22)),
     "add": ((0, 9, "0-9 TAHUN"), (10, 19, "10-19 TAHUN"), (20, 29, "20-29 TAHUN"),
             (30, 39, "30-39 TAHUN"), (40, 49, "40-49 TAHUN"), (50, 59, "50-59 TAHUN"),
             (60, 69, "60-69 TAHUN"), (70, 79, "70-79 TAHUN"), (80, 150, "80 TAHUN KE ATAS"))},
    {"edit": {"21": (75, 79, "75 s/d 79 Tahun")}, "add": ((80, 150, "80 Tahun Keatas"),)},
)  # fmt: skip

Sex = str  # "L" (laki-laki) or "P" (perempuan)
SEXES: tuple[Sex, Sex] = ("L", "P")
Weights = Mapping[str, float]  # category code -> relative weight


@dataclass(frozen=True)
class Traits:
    """What makes a village itself, independent of the year."""

    kode: str  # digits
    kelurahan: bool
    coastal: bool
    transmigrasi: bool
    enggano: bool
    agama: Weights


def has_edited_brackets(kode: str, seed: int = 0) -> bool:
    """Whether this village edited and added rentang-umur brackets (about 1 village in 10)."""
    return stable_int(seed, digits(kode), "brackets") % 10 == 0


def source_version(kode: str, seed: int = 0) -> str:
    """The OpenSID version the village runs (what summary v1 reports): mostly 2508, about
    15 % older. internal_api answers as 2508 whatever this says (the recorded reference)."""
    pick = stable_int(seed, digits(kode), "version") % 100
    if pick < 15:
        return OLDER_VERSIONS[pick % len(OLDER_VERSIONS)]
    return CURRENT_VERSION


def umur_label(dari: int, sampai: int) -> str:
    """How OpenSID labels a bracket in akta-kelahiran and akta-kematian."""
    return f"UMUR {dari} S/D {sampai} TAHUN"


def age_brackets(kode: str, seed: int = 0) -> tuple[Bracket, ...]:
    """The village's rentang-umur brackets in id order: OpenSID's defaults (5..21), or the
    defaults with some dropped or edited and new ones added (ids from 22)."""
    defaults = BY_SLUG["rentang-umur"].brackets
    if not has_edited_brackets(kode, seed):
        return defaults
    variant = EDITED_BRACKETS[stable_int(seed, digits(kode), "variant") % len(EDITED_BRACKETS)]
    edits = variant.get("edit", {})
    kept = [
        Bracket(b.code, *edits[b.code][2:], *edits[b.code][:2]) if b.code in edits else b
        for b in defaults
        if b.code not in variant.get("drop", ())
    ]
    added = [
        Bracket(str(EDITED_BRACKET_CODE_START + i), label, dari, sampai)
        for i, (dari, sampai, label) in enumerate(variant.get("add", ()))
    ]
    return tuple(kept + added)


def is_kelurahan(kode: str) -> bool:
    """Last four digits 1xxx are a kelurahan, 2xxx a desa."""
    return digits(kode)[-4:].startswith("1")


def population_size(village: Village, seed: int = 0, tahun: int = BASE_YEAR) -> int:
    """Residents of the village in the year: log-normal, kelurahan larger, Enggano smaller."""
    rng = seeded(seed, village.kode_digits, "size")
    size = math.exp(rng.gauss(_SIZE_MU, SIZE_SIGMA))
    if is_kelurahan(village.kode_desa):
        size *= KELURAHAN_FACTOR
    if village.kode_desa.startswith(ENGGANO):
        size *= ENGGANO_FACTOR
    size = min(max(size, 180.0), 9000.0)
    growth = max(0.5, 1.0 + GROWTH_PER_YEAR * (tahun - BASE_YEAR))
    return max(50, round(size * growth))


def _age_weights(sex: Sex, tilt: float, rng: random.Random) -> list[float]:
    """Relative frequency of each single year of age 0..95 for one sex."""
    old = [math.exp(-0.17 * (a - 75)) for a in range(75, MAX_AGE + 1)]
    weights = []
    for age in range(MAX_AGE + 1):
        if age < 75:
            base = _PYRAMID_5Y[age // 5] / 5
        else:
            base = _OLD_SHARE * old[age - 75] / sum(old)
        if sex == "P":  # women live longer
            base *= 1.0 + 0.015 * max(0, age - 55)
        weights.append(base * math.exp(tilt * (age - 30) + rng.gauss(0.0, 0.06)))
    return weights


def ages_by_sex(
    village: Village, laki: int, perempuan: int, seed: int, tahun: int
) -> dict[Sex, list[int]]:
    """Residents by single year of age, per sex."""
    trait = seeded(seed, village.kode_digits, "ages")
    year = seeded(seed, village.kode_digits, tahun, "ages")
    tilt = trait.uniform(-0.008, 0.008)  # some villages a little younger, some older
    weights = {sex: _age_weights(sex, tilt, trait) for sex in SEXES}
    return {"L": apportion(laki, weights["L"], year), "P": apportion(perempuan, weights["P"], year)}


def band_total(per_age: Sequence[int], lo: int, hi: int | None) -> int:
    top = len(per_age) - 1 if hi is None else min(hi, len(per_age) - 1)
    return sum(per_age[lo : top + 1])


def traits_of(village: Village, seed: int) -> Traits:
    """Religious mix, coast, settlers and urban status of a village."""
    rng = seeded(seed, village.kode_digits, "traits")
    kec = village.kode_kecamatan
    coastal = kec in COASTAL_KECAMATAN and (kec == ENGGANO or rng.random() < 0.4)
    agama = {"1": 0.985, "2": 0.007, "3": 0.005, "4": 0.001, "5": 0.0005, "6": 0.0001,
             "7": 0.0004}  # fmt: skip
    roll = rng.random()
    if kec == ENGGANO:  # the island has large Christian congregations
        agama.update({"1": 0.6, "2": 0.3, "3": 0.08})
    elif kec in TRANSMIGRASI_KECAMATAN and roll < 0.1:  # settlers from Bali
        agama.update({"1": 0.7, "4": rng.uniform(0.1, 0.35)})
    elif roll < 0.15:
        agama.update({"2": rng.uniform(0.03, 0.15), "3": rng.uniform(0.01, 0.06)})
    return Traits(
        kode=village.kode_digits,
        kelurahan=is_kelurahan(village.kode_desa),
        coastal=coastal,
        transmigrasi=kec in TRANSMIGRASI_KECAMATAN,
        enggano=kec == ENGGANO,
        agama=agama,
    )


def male_head_share(kode: str, seed: int = 0) -> float:
    """Share of families headed by a man."""
    return seeded(seed, digits(kode), "kelas-sosial").uniform(0.82, 0.9)


@dataclass
class VillageState:
    """What the statistic builders of one village and year share."""

    village: Village
    traits: Traits
    seed: int
    tahun: int
    ages: dict[Sex, list[int]]
    keluarga_heads: dict[Sex, int]
    rt_heads: dict[Sex, int]
    brackets: tuple[Bracket, ...]
    built: dict[str, dict]  # slug -> entry, in the order built

    @property
    def kode(self) -> str:
        return self.traits.kode

    @property
    def penduduk(self) -> tuple[int, int]:
        return sum(self.ages["L"]), sum(self.ages["P"])

    def trait_rng(self, *parts: object) -> random.Random:
        return seeded(self.seed, self.kode, *parts)

    def year_rng(self, *parts: object) -> random.Random:
        return seeded(self.seed, self.kode, self.tahun, *parts)

    def rows_of(self, slug: str) -> dict[str, dict]:
        return {r["code"]: r for r in self.built[slug]["rows"]}
