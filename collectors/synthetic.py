"""Deterministic, plausible village-summary v1 documents, calibrated to Bengkulu Utara.

Every number comes from `random.Random` instances seeded with strings such as
"{seed}:{kode digits}:agama", so the same (seed, village, tahun) always gives the same
document, in every process. Village traits (size, mixes, edited age brackets, string counts)
depend on (seed, kode) only; the year changes the population size and the rounding.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from config.registry import Village
from config.statistik import (
    KATEGORI_UMUR_DEFAULT,
    RENTANG_UMUR_DEFAULT,
    STATISTICS,
    StatDef,
    rentang_label,
)

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

CURRENT_VERSION = "2510.0.0"
OLDER_VERSIONS = ("2407.0.0", "2501.0.0", "2504.0.0")
EDITED_BRACKET_CODE_START = 18  # edited brackets get new ids after the 17 defaults

# bands inside which an age-dependent mix (occupation, schooling, marriage) is constant
AGE_BANDS: tuple[tuple[int, int], ...] = (
    (0, 4), (5, 6), (7, 12), (13, 15), (16, 18), (19, 24), (25, 39), (40, 59), (60, MAX_AGE),
)  # fmt: skip
WHOLE_LIFE: tuple[tuple[int, int], ...] = ((0, MAX_AGE),)

# share (%) of each five-year group 0-4 … 70-74 in a young Indonesian pyramid; 75+ get 1.8 %
_PYRAMID_5Y = (8.5, 8.6, 8.4, 8.2, 8.1, 7.9, 7.8, 7.6, 7.2, 6.5, 5.7, 4.7, 3.7, 2.7, 1.7)
_OLD_SHARE = 1.8

# edited rentang-umur sets seen in the wild: (dari, sampai, label); labels differ per village
EDITED_BRACKETS: tuple[tuple[tuple[int, int | None, str], ...], ...] = (
    (
        (0, 4, "0-4 TAHUN"), (5, 14, "5-14 TAHUN"), (15, 24, "15-24 TAHUN"),
        (25, 34, "25-34 TAHUN"), (35, 44, "35-44 TAHUN"), (45, 54, "45-54 TAHUN"),
        (55, 64, "55-64 TAHUN"), (65, None, ">= 65 TAHUN"),
    ),
    (
        (0, 5, "Balita (0-5)"), (6, 12, "Anak (6-12)"), (13, 15, "Remaja Awal (13-15)"),
        (16, 18, "Remaja (16-18)"), (19, 25, "Pemuda (19-25)"), (26, 35, "Dewasa (26-35)"),
        (36, 45, "Dewasa (36-45)"), (46, 59, "Pra Lansia (46-59)"), (60, None, "Lansia (≥ 60)"),
    ),
    (
        (0, 9, "0 sampai 9 Tahun"), (10, 19, "10 sampai 19 Tahun"),
        (20, 29, "20 sampai 29 Tahun"), (30, 39, "30 sampai 39 Tahun"),
        (40, 49, "40 sampai 49 Tahun"), (50, 59, "50 sampai 59 Tahun"),
        (60, 69, "60 sampai 69 Tahun"), (70, 79, "70 sampai 79 Tahun"),
        (80, None, "Di atas 80 Tahun"),
    ),
)  # fmt: skip

Sex = str  # "L" (laki-laki) or "P" (perempuan)
SEXES: tuple[Sex, Sex] = ("L", "P")
Weights = Mapping[str, float]  # category code -> relative weight


@dataclass(frozen=True)
class Bracket:
    """One age bracket of rentang-umur as a village defines it."""

    code: str
    label: str
    dari: int
    sampai: int | None


@dataclass(frozen=True)
class Traits:
    """What makes a village itself, independent of the year."""

    kode: str  # digits
    kelurahan: bool
    coastal: bool
    agama: Weights


# ---------------------------------------------------------------- deterministic randomness


def digits(kode: str) -> str:
    """A village code in digits only, from either spelling."""
    return kode.replace(".", "").strip()


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts that is the same in every process (unlike hash())."""
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _rng(*parts: object) -> random.Random:
    """A generator seeded from a string; random.Random hashes strings with SHA-512."""
    return random.Random(":".join(str(p) for p in parts))


def has_edited_brackets(kode: str, seed: int = 0) -> bool:
    """Whether this village edited its rentang-umur brackets (about 1 village in 10)."""
    return stable_int(seed, digits(kode), "brackets") % 10 == 0


def sends_string_counts(kode: str, seed: int = 0) -> bool:
    """Whether its internal_api sends counts as strings ("424"), as about 1 site in 3 does."""
    return stable_int(seed, digits(kode), "strings") % 3 == 0


def source_version(kode: str, seed: int = 0) -> str:
    """The OpenSID version the village runs: mostly current, about 15 % older."""
    pick = stable_int(seed, digits(kode), "version") % 100
    if pick < 15:
        return OLDER_VERSIONS[pick % len(OLDER_VERSIONS)]
    return CURRENT_VERSION


def age_brackets(kode: str, seed: int = 0) -> tuple[Bracket, ...]:
    """The village's rentang-umur brackets: the OpenSID defaults or one of the edited sets."""
    if not has_edited_brackets(kode, seed):
        return tuple(
            Bracket(str(i), rentang_label(a, b), a, b)
            for i, (a, b) in enumerate(RENTANG_UMUR_DEFAULT, 1)
        )
    variant = EDITED_BRACKETS[stable_int(seed, digits(kode), "variant") % len(EDITED_BRACKETS)]
    return tuple(
        Bracket(str(EDITED_BRACKET_CODE_START + i), label, a, b)
        for i, (a, b, label) in enumerate(variant)
    )


def is_kelurahan(kode: str) -> bool:
    """Last four digits 1xxx are a kelurahan, 2xxx a desa."""
    return digits(kode)[-4:].startswith("1")


# ---------------------------------------------------------------- integer splitting


def apportion(
    n: int, weights: Sequence[float], rng: random.Random, caps: Sequence[int] | None = None
) -> list[int]:
    """Split n into integer parts proportional to weights; leftovers go to random parts."""
    k = len(weights)
    if n <= 0:
        return [0] * k
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("apportion: all weights are zero")
    if caps is not None and n > sum(caps):
        raise ValueError("apportion: n exceeds the caps")
    shares = [n * w / total for w in weights]
    counts = [int(s) for s in shares]
    if caps is not None:
        counts = [min(c, cap) for c, cap in zip(counts, caps, strict=True)]
    room = [caps is None or c < cap for c, cap in zip(counts, caps or counts, strict=True)]
    fracs = [s - c if ok else 0.0 for s, c, ok in zip(shares, counts, room, strict=True)]
    rest = n - sum(counts)
    while rest > 0:
        if sum(fracs) <= 0:  # float dust used up the fractions: fall back to the weights
            fracs = [
                w if caps is None or c < cap else 0.0
                for w, c, cap in zip(weights, counts, caps or counts, strict=True)
            ]
        i = rng.choices(range(k), weights=fracs)[0]
        counts[i] += 1
        fracs[i] = 0.0
        rest -= 1
    return counts


def _remove(counts: list[int], k: int, rng: random.Random) -> list[int]:
    """Take k people out of the categories in proportion to their size."""
    taken = apportion(k, counts, rng, caps=counts)
    return [c - t for c, t in zip(counts, taken, strict=True)]


def _jitter(codes: Sequence[str], rng: random.Random, sigma: float = 0.25) -> dict[str, float]:
    """Per-village multiplicative noise per category, so villages differ in character."""
    return {code: math.exp(rng.gauss(0.0, sigma)) for code in codes}


# ---------------------------------------------------------------- population


def population_size(village: Village, seed: int = 0, tahun: int = BASE_YEAR) -> int:
    """Residents of the village in the year: log-normal, kelurahan larger, Enggano smaller."""
    rng = _rng(seed, village.kode_digits, "size")
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


def _ages(
    village: Village, laki: int, perempuan: int, seed: int, tahun: int
) -> dict[Sex, list[int]]:
    """Residents by single year of age, per sex."""
    trait = _rng(seed, village.kode_digits, "ages")
    year = _rng(seed, village.kode_digits, tahun, "ages")
    tilt = trait.uniform(-0.008, 0.008)  # some villages a little younger, some older
    weights = {sex: _age_weights(sex, tilt, trait) for sex in SEXES}
    return {"L": apportion(laki, weights["L"], year), "P": apportion(perempuan, weights["P"], year)}


def _band_total(per_age: Sequence[int], lo: int, hi: int | None) -> int:
    return sum(per_age[lo : (MAX_AGE if hi is None else hi) + 1])


# ---------------------------------------------------------------- category mixes by age


def _w_pendidikan_kk(sex: Sex, lo: int, t: Traits) -> Weights:
    table: dict[int, Weights] = {
        0: {"1": 1},
        5: {"1": 0.7, "2": 0.3},
        7: {"1": 0.02, "2": 0.98},
        13: {"1": 0.01, "2": 0.25, "3": 0.7, "4": 0.04},
        16: {"1": 0.01, "2": 0.05, "3": 0.25, "4": 0.6, "5": 0.09},
        19: {"1": 0.01, "2": 0.04, "3": 0.15, "4": 0.25, "5": 0.47, "6": 0.01, "7": 0.02,
             "8": 0.05},
        25: {"1": 0.02, "2": 0.06, "3": 0.25, "4": 0.25, "5": 0.3, "6": 0.01, "7": 0.03,
             "8": 0.075, "9": 0.004, "10": 0.0003},
        40: {"1": 0.04, "2": 0.12, "3": 0.38, "4": 0.2, "5": 0.19, "6": 0.01, "7": 0.02,
             "8": 0.04, "9": 0.003, "10": 0.0002},
        60: {"1": 0.15, "2": 0.3, "3": 0.38, "4": 0.09, "5": 0.06, "6": 0.005, "7": 0.005,
             "8": 0.01, "9": 0.0005},
    }  # fmt: skip
    weights = dict(table[lo])
    if sex == "P" and lo >= 40:  # older women had less schooling
        weights["1"] *= 1.4
        weights["2"] *= 1.2
    if t.kelurahan and lo >= 19:
        for code in ("5", "7", "8", "9"):
            weights[code] = weights.get(code, 0) * 1.6
    return weights


def _w_pendidikan_sedang(sex: Sex, lo: int, t: Traits) -> Weights:
    table: dict[int, Weights] = {
        0: {"1": 0.85, "2": 0.15},
        5: {"1": 0.15, "2": 0.6, "4": 0.25},
        7: {"4": 0.97, "3": 0.01, "13": 0.02},
        13: {"6": 0.85, "4": 0.05, "13": 0.1},
        16: {"7": 0.7, "6": 0.05, "13": 0.25},
        19: {"10": 0.12, "9": 0.02, "8": 0.01, "13": 0.83, "5": 0.02},
        25: {"10": 0.01, "11": 0.002, "13": 0.93, "5": 0.04, "3": 0.02},
        40: {"13": 0.9, "5": 0.07, "3": 0.03, "12": 0.0002},
        60: {"13": 0.78, "5": 0.14, "3": 0.08},
    }
    return table[lo]


_KERJA_ADULT_L: Weights = {
    "9": 0.45, "88": 0.12, "19": 0.08, "20": 0.07, "15": 0.05, "5": 0.02, "6": 0.004,
    "7": 0.004, "8": 0.04, "10": 0.01, "11": 0.01, "12": 0.005, "13": 0.03, "14": 0.02,
    "86": 0.015, "89": 0.02, "1": 0.03,
}  # fmt: skip
_KERJA_ADULT_P: Weights = {
    "2": 0.45, "9": 0.25, "88": 0.06, "8": 0.05, "86": 0.025, "5": 0.015, "15": 0.03,
    "20": 0.03, "19": 0.01, "1": 0.04, "89": 0.01, "12": 0.005,
}  # fmt: skip


def _w_pekerjaan(sex: Sex, lo: int, t: Traits) -> Weights:
    young: dict[int, Weights] = {
        0: {"1": 1},
        5: {"1": 0.5, "3": 0.5},
        7: {"3": 0.97, "1": 0.03},
        13: {"3": 0.93, "1": 0.06, "9": 0.01},
    }
    if lo in young:
        return young[lo]
    table: dict[tuple[int, Sex], Weights] = {
        (16, "L"): {"3": 0.7, "1": 0.14, "9": 0.06, "19": 0.05, "20": 0.03, "88": 0.02},
        (16, "P"): {"3": 0.72, "1": 0.14, "2": 0.08, "9": 0.03, "88": 0.02, "15": 0.01},
        (19, "L"): {"1": 0.18, "3": 0.15, "9": 0.25, "19": 0.1, "20": 0.08, "88": 0.08,
                    "15": 0.07, "13": 0.03, "14": 0.02, "8": 0.02, "89": 0.02, "11": 0.005},
        (19, "P"): {"2": 0.3, "1": 0.2, "3": 0.15, "9": 0.1, "15": 0.07, "88": 0.06, "8": 0.04,
                    "86": 0.01, "20": 0.03, "19": 0.02, "89": 0.02},
        (25, "L"): _KERJA_ADULT_L,
        (25, "P"): _KERJA_ADULT_P,
        (40, "L"): _KERJA_ADULT_L,
        (40, "P"): _KERJA_ADULT_P,
        (60, "L"): {"9": 0.55, "1": 0.15, "4": 0.05, "88": 0.06, "20": 0.04, "89": 0.03,
                    "8": 0.03, "10": 0.02, "11": 0.005},
        (60, "P"): {"2": 0.5, "9": 0.2, "1": 0.2, "4": 0.02, "8": 0.03},
    }  # fmt: skip
    weights = dict(table[(lo, sex)])
    if t.coastal and "11" in weights:  # fishing villages
        weights["11"] *= 20
    if t.kelurahan:  # towns farm less and trade more
        weights["9"] = weights.get("9", 0) * 0.35
        for code in ("8", "15", "88", "5"):
            weights[code] = weights.get(code, 0) * 2.0
    return weights


def _w_perkawinan(sex: Sex, lo: int, t: Traits) -> Weights:
    if lo < 16:
        return {"1": 1}
    table: dict[tuple[int, Sex], Weights] = {
        (16, "L"): {"1": 0.97, "2": 0.03},
        (16, "P"): {"1": 0.85, "2": 0.15},
        (19, "L"): {"1": 0.75, "2": 0.24, "3": 0.01},
        (19, "P"): {"1": 0.45, "2": 0.52, "3": 0.025, "4": 0.005},
        (25, "L"): {"1": 0.15, "2": 0.82, "3": 0.025, "4": 0.005},
        (25, "P"): {"1": 0.07, "2": 0.87, "3": 0.04, "4": 0.02},
        (40, "L"): {"1": 0.03, "2": 0.92, "3": 0.02, "4": 0.03},
        (40, "P"): {"1": 0.02, "2": 0.82, "3": 0.05, "4": 0.11},
        (60, "L"): {"1": 0.01, "2": 0.78, "3": 0.02, "4": 0.19},
        (60, "P"): {"1": 0.01, "2": 0.45, "3": 0.04, "4": 0.5},
    }
    return table[(lo, sex)]


def _w_agama(sex: Sex, lo: int, t: Traits) -> Weights:
    return t.agama


def _w_warga_negara(sex: Sex, lo: int, t: Traits) -> Weights:
    return {"1": 1.0, "2": 0.00003, "3": 0.00001}  # foreigners are rare


def _w_golongan_darah(sex: Sex, lo: int, t: Traits) -> Weights:
    return {
        "1": 0.05, "2": 0.05, "3": 0.012, "4": 0.07, "5": 0.004, "6": 0.0005, "7": 0.004,
        "8": 0.0005, "9": 0.001, "10": 0.0002, "11": 0.005, "12": 0.0005, "13": 0.8,
    }  # fmt: skip


def _w_cacat(sex: Sex, lo: int, t: Traits) -> Weights:
    factor = 3.0 if lo >= 60 else 1.0  # disability grows with age
    weights = {"1": 0.003, "2": 0.001, "3": 0.001, "4": 0.001, "5": 0.0005, "6": 0.0005}
    return {**{k: v * factor for k, v in weights.items()}, "7": 0.99}


def _w_asuransi(sex: Sex, lo: int, t: Traits) -> Weights:
    return {"1": 0.3, "2": 0.45, "3": 0.22, "99": 0.03}


WeightFn = Callable[[Sex, int, Traits], Weights]

# slug -> (weights by sex and age band, the age bands to mix over)
PENDUDUK_MIXES: dict[str, tuple[WeightFn, tuple[tuple[int, int], ...]]] = {
    "pendidikan-dalam-kk": (_w_pendidikan_kk, AGE_BANDS),
    "pendidikan-sedang-ditempuh": (_w_pendidikan_sedang, AGE_BANDS),
    "pekerjaan": (_w_pekerjaan, AGE_BANDS),
    "status-perkawinan": (_w_perkawinan, AGE_BANDS),
    "agama": (_w_agama, WHOLE_LIFE),
    "warga-negara": (_w_warga_negara, WHOLE_LIFE),
    "golongan-darah": (_w_golongan_darah, WHOLE_LIFE),
    "penyandang-cacat": (_w_cacat, AGE_BANDS),
    "asuransi-kesehatan": (_w_asuransi, WHOLE_LIFE),
}

# household statistics: slug -> (share of male heads range, weights for male/female heads)
HOUSEHOLD_MIXES: dict[str, tuple[tuple[float, float], Weights, Weights]] = {
    "kelas-sosial": (
        (0.82, 0.9),
        {"1": 0.22, "2": 0.3, "3": 0.27, "4": 0.16, "5": 0.05},
        {"1": 0.4, "2": 0.3, "3": 0.18, "4": 0.09, "5": 0.03},
    ),
    "bdt": (
        (0.8, 0.9),
        {"1": 0.09, "2": 0.09, "3": 0.09, "4": 0.08, "5": 0.65},
        {"1": 0.16, "2": 0.13, "3": 0.1, "4": 0.08, "5": 0.53},
    ),
}


def _traits(village: Village, seed: int) -> Traits:
    """Religious mix, coast and urban status of a village."""
    rng = _rng(seed, village.kode_digits, "traits")
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
        agama=agama,
    )


def _mix_by_age(
    stat: StatDef,
    ages: Mapping[Sex, Sequence[int]],
    weight_fn: WeightFn,
    bands: Sequence[tuple[int, int]],
    traits: Traits,
    trait_rng: random.Random,
    year_rng: random.Random,
) -> dict[Sex, list[int]]:
    """Counts per category and sex, mixing each age band with its own weights."""
    codes = [code for code, _ in stat.codes]
    jitter = _jitter(codes, trait_rng)
    out: dict[Sex, list[int]] = {}
    for sex in SEXES:
        counts = [0] * len(codes)
        for lo, hi in bands:
            n = _band_total(ages[sex], lo, hi)
            table = weight_fn(sex, lo, traits)
            weights = [table.get(code, 0.0) * jitter[code] for code in codes]
            for i, c in enumerate(apportion(n, weights, year_rng)):
                counts[i] += c
        out[sex] = counts
    return out


def _belum_share(trait_rng: random.Random) -> float:
    """Share of people not filled in for a statistic: zero in about half, else up to 3 %."""
    if trait_rng.random() < 0.45:
        return 0.0
    return trait_rng.uniform(0.002, 0.03)


# ---------------------------------------------------------------- statistic entries


def _triple(laki: int, perempuan: int) -> dict[str, int]:
    return {"total": laki + perempuan, "laki": laki, "perempuan": perempuan}


def statistic_entry(
    stat: StatDef,
    categories: Sequence[tuple[str, str]],
    laki: Sequence[int],
    perempuan: Sequence[int],
    belum: tuple[int, int] = (0, 0),
    extra: Sequence[Mapping[str, object]] | None = None,
) -> dict:
    """One `statistics[]` entry of the document; totals are rows plus belum mengisi."""
    rows = []
    for i, (code, label) in enumerate(categories):
        row: dict[str, object] = {"code": code, "label": label}
        if extra is not None:
            row.update(extra[i])
        row.update(_triple(laki[i], perempuan[i]))
        rows.append(row)
    return {
        "key": stat.key,
        "slug": stat.slug,
        "rows": rows,
        "belum_mengisi": _triple(*belum),
        "total": _triple(sum(laki) + belum[0], sum(perempuan) + belum[1]),
    }


def _jenis_kelamin(stat: StatDef, laki: int, perempuan: int) -> dict:
    return statistic_entry(stat, stat.codes, [laki, 0], [0, perempuan])


def _rentang_umur(stat: StatDef, ages: Mapping[Sex, Sequence[int]], kode: str, seed: int) -> dict:
    brackets = age_brackets(kode, seed)
    counts = {sex: [_band_total(ages[sex], b.dari, b.sampai) for b in brackets] for sex in SEXES}
    return statistic_entry(
        stat,
        [(b.code, b.label) for b in brackets],
        counts["L"],
        counts["P"],
        extra=[{"dari": b.dari, "sampai": b.sampai} for b in brackets],
    )


def _kategori_umur(stat: StatDef, ages: Mapping[Sex, Sequence[int]]) -> dict:
    counts = {
        sex: [_band_total(ages[sex], dari, sampai) for _, dari, sampai in KATEGORI_UMUR_DEFAULT]
        for sex in SEXES
    }
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"])


def _penduduk_mix(
    stat: StatDef, ages: Mapping[Sex, Sequence[int]], traits: Traits, seed: int, tahun: int
) -> dict:
    weight_fn, bands = PENDUDUK_MIXES[stat.slug]
    trait_rng = _rng(seed, traits.kode, stat.slug)
    year_rng = _rng(seed, traits.kode, tahun, stat.slug)
    counts = _mix_by_age(stat, ages, weight_fn, bands, traits, trait_rng, year_rng)
    share = _belum_share(trait_rng)
    belum = [round(sum(counts[sex]) * share) for sex in SEXES]
    laki = _remove(counts["L"], belum[0], year_rng)
    perempuan = _remove(counts["P"], belum[1], year_rng)
    return statistic_entry(stat, stat.codes, laki, perempuan, (belum[0], belum[1]))


def _household_mix(stat: StatDef, units: int, kode: str, seed: int, tahun: int) -> dict:
    """Families or households split by the sex of their head, then by class."""
    (lo, hi), w_laki, w_perempuan = HOUSEHOLD_MIXES[stat.slug]
    trait_rng = _rng(seed, kode, stat.slug)
    year_rng = _rng(seed, kode, tahun, stat.slug)
    male_heads = round(units * trait_rng.uniform(lo, hi))
    codes = [code for code, _ in stat.codes]
    jitter = _jitter(codes, trait_rng)
    laki = apportion(male_heads, [w_laki[c] * jitter[c] for c in codes], year_rng)
    perempuan = apportion(units - male_heads, [w_perempuan[c] * jitter[c] for c in codes], year_rng)
    share = _belum_share(trait_rng)
    belum = (round(male_heads * share), round((units - male_heads) * share))
    laki = _remove(laki, belum[0], year_rng)
    perempuan = _remove(perempuan, belum[1], year_rng)
    return statistic_entry(stat, stat.codes, laki, perempuan, belum)


# ---------------------------------------------------------------- other datasets


def _rupiah(value: float, step: int = 1000) -> int:
    return int(round(value / step) * step)


def _apbdes(kelurahan: bool, rng: random.Random, tahun: int) -> list[dict]:
    """APBDes accounts; parents are sums of children. Kelurahan have no village budget."""
    if kelurahan:
        return []
    pendapatan = {
        "4.1": ("Pendapatan Asli Desa", _rupiah(rng.uniform(5e6, 60e6))),
        "4.2.1": ("Dana Desa", _rupiah(rng.uniform(650e6, 1_100e6))),
        "4.2.2": ("Bagi Hasil Pajak dan Retribusi", _rupiah(rng.uniform(15e6, 50e6))),
        "4.2.3": ("Alokasi Dana Desa", _rupiah(rng.uniform(300e6, 520e6))),
        "4.3": ("Pendapatan Lain-lain", _rupiah(rng.choice((0.0, rng.uniform(1e6, 25e6))))),
    }
    penerimaan = _rupiah(rng.uniform(0, 60e6))
    pengeluaran = _rupiah(rng.choice((0.0, rng.uniform(10e6, 50e6))))
    belanja_total = sum(v for _, v in pendapatan.values()) + penerimaan - pengeluaran
    pegawai = _rupiah(belanja_total * rng.uniform(0.28, 0.35))
    barang = _rupiah(belanja_total * rng.uniform(0.3, 0.4))
    tak_terduga = _rupiah(belanja_total * rng.uniform(0.01, 0.04))
    leaves = {
        **pendapatan,
        "5.1": ("Belanja Pegawai", pegawai),
        "5.2": ("Belanja Barang dan Jasa", barang),
        "5.3": ("Belanja Modal", belanja_total - pegawai - barang - tak_terduga),
        "5.4": ("Belanja Tak Terduga", tak_terduga),
        "6.1": ("Penerimaan Pembiayaan", penerimaan),
        "6.2": ("Pengeluaran Pembiayaan", pengeluaran),
    }
    spent = {"4": (0.75, 0.95), "5": (0.55, 0.9), "6": (0.9, 1.0)}  # by late November
    realisasi = {
        kode: min(anggaran, _rupiah(anggaran * rng.uniform(*spent[kode[0]])))
        for kode, (_, anggaran) in leaves.items()
    }
    parents = {
        "4": "PENDAPATAN", "4.2": "Pendapatan Transfer", "5": "BELANJA", "6": "PEMBIAYAAN",
    }  # fmt: skip
    rows = {
        kode: (uraian, anggaran, realisasi[kode]) for kode, (uraian, anggaran) in leaves.items()
    }
    for kode, uraian in parents.items():
        children = [k for k in leaves if k.startswith(kode + ".")]
        rows[kode] = (
            uraian,
            sum(leaves[k][1] for k in children),
            sum(realisasi[k] for k in children),
        )
    order = sorted(rows, key=lambda k: [int(p) for p in k.split(".")])
    return [
        {"tahun": tahun, "kode": k, "uraian": rows[k][0], "anggaran": rows[k][1],
         "realisasi": rows[k][2]}
        for k in order
    ]  # fmt: skip


_PROYEK = (
    ("Rabat beton jalan dusun {d}", "{n} m", 100, 400, 400_000),
    ("Pembangunan drainase RT {r}", "{n} m", 80, 300, 350_000),
    ("Pembangunan talud penahan tanah dusun {d}", "{n} m", 30, 120, 900_000),
    ("Pembangunan sumur bor dusun {d}", "{n} unit", 1, 3, 45_000_000),
    ("Pengadaan lampu jalan tenaga surya", "{n} unit", 5, 20, 8_500_000),
    ("Rehab gedung posyandu dusun {d}", "1 unit", 1, 1, 60_000_000),
    ("Pembangunan jembatan beton dusun {d}", "{n} m", 6, 20, 9_000_000),
    ("Pembangunan gorong-gorong RT {r}", "{n} unit", 1, 4, 15_000_000),
)
_ROMAWI = ("I", "II", "III", "IV", "V", "VI")


def _pembangunan(kelurahan: bool, rng: random.Random, tahun: int) -> list[dict]:
    """A few of this year's village projects with plausible volumes and budgets."""
    first_id = rng.randint(1, 80)
    rows = []
    for i, (judul, volume, lo, hi, unit_cost) in enumerate(rng.sample(_PROYEK, rng.randint(2, 6))):
        dusun = rng.choice(_ROMAWI)
        n = rng.randint(lo, hi)
        rows.append(
            {
                "id": str(first_id + i),
                "judul": judul.format(d=dusun, r=f"{rng.randint(1, 12):02d}"),
                "sumber_dana": "APBD Kabupaten"
                if kelurahan
                else rng.choice(("Dana Desa", "Dana Desa", "Dana Desa", "Alokasi Dana Desa")),
                "anggaran": _rupiah(n * unit_cost * rng.uniform(0.85, 1.15), 100_000),
                "volume": volume.format(n=n),
                "tahun_anggaran": tahun,
                "pelaksana": "LPM" if kelurahan else "TPK",
                "lokasi": f"Dusun {dusun}" if not kelurahan else f"Lingkungan {dusun}",
                "progres": rng.choice((0, 30, 80, 80, 100, 100, 100)),
            }
        )
    return rows


def _bantuan(
    kelurahan: bool, keluarga: int, pbi: int, school_age: int, rng: random.Random, tahun: int
) -> list[dict]:
    """Social aid programmes and how many of the village's people or families receive them."""
    mulai, selesai = f"{tahun}-01-01", f"{tahun}-12-31"
    rows = [
        ("1", "PKH", 2, "Pusat", round(keluarga * rng.uniform(0.08, 0.16))),
        ("2", "BPNT", 2, "Pusat", round(keluarga * rng.uniform(0.12, 0.22))),
        ("4", "PIP", 1, "Pusat", round(school_age * rng.uniform(0.1, 0.2))),
        ("5", "JKN-KIS PBI", 1, "Pusat", pbi),
    ]
    if not kelurahan:  # BLT Dana Desa is paid from the village budget, which kelurahan lack
        blt = round(keluarga * rng.uniform(0.04, 0.09))
        rows.insert(2, ("3", "BLT Dana Desa", 2, "Dana Desa", blt))
    if rng.random() < 0.3:
        rows.append(("6", "Bantuan Bibit Sawit", 4, "Kabupaten", rng.randint(1, 4)))
    return [
        {"program_id": pid, "nama": nama, "sasaran": sasaran, "asal_dana": asal,
         "mulai": mulai, "selesai": selesai, "peserta": peserta}
        for pid, nama, sasaran, asal, peserta in rows
    ]  # fmt: skip


def _website(village: Village) -> str:
    slug = re.sub(r"[^a-z0-9]", "", village.nama_desa.lower()) or village.kode_digits
    if is_kelurahan(village.kode_desa):
        return f"https://{slug}.bengkuluutarakab.go.id"
    return f"https://{slug}.desa.id"


def _data_last_updated(rng: random.Random, tahun: int) -> str:
    """When the operator last touched the data: mostly days ago, some villages long stale."""
    roll = rng.random()
    if roll < 0.85:
        days_ago = rng.randint(0, 3)
    elif roll < 0.95:
        days_ago = rng.randint(10, 60)
    else:
        days_ago = rng.randint(120, 300)
    day_of_year = 324 - days_ago  # 20 November is day 324 (325 in leap years, close enough)
    month, day = _month_day(tahun, day_of_year)
    hh, mm, ss = rng.randint(7, 16), rng.randint(0, 59), rng.randint(0, 59)
    return f"{tahun:04d}-{month:02d}-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}+07:00"


def _month_day(tahun: int, day_of_year: int) -> tuple[int, int]:
    leap = tahun % 4 == 0 and (tahun % 100 != 0 or tahun % 400 == 0)
    lengths = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    for month, length in enumerate(lengths, 1):
        if day_of_year <= length:
            return month, day_of_year
        day_of_year -= length
    return 12, 31


# ---------------------------------------------------------------- the document


def generated_at(tahun: int) -> str:
    """The fixed generation time of every document for a year (keeps ETags stable)."""
    return f"{tahun:04d}-11-20T03:00:00Z"


def village_document(village: Village, *, seed: int = 0, tahun: int = BASE_YEAR) -> dict:
    """A complete, internally consistent village-summary v1 document for the village."""
    kode = village.kode_digits
    traits = _traits(village, seed)
    size_rng = _rng(seed, kode, "sex")
    penduduk = population_size(village, seed, tahun)
    laki = round(penduduk * (SEX_RATIO / (100 + SEX_RATIO) + size_rng.gauss(0.0, 0.008)))
    perempuan = penduduk - laki
    keluarga = max(1, round(penduduk / size_rng.uniform(3.3, 3.8)))
    rumah_tangga = max(1, round(keluarga * size_rng.uniform(0.88, 0.97)))
    ages = _ages(village, laki, perempuan, seed, tahun)

    statistics = []
    for stat in STATISTICS:
        if stat.slug == "jenis-kelamin":
            entry = _jenis_kelamin(stat, laki, perempuan)
        elif stat.slug == "rentang-umur":
            entry = _rentang_umur(stat, ages, kode, seed)
        elif stat.slug == "kategori-umur":
            entry = _kategori_umur(stat, ages)
        elif stat.slug in PENDUDUK_MIXES:
            entry = _penduduk_mix(stat, ages, traits, seed, tahun)
        elif stat.slug in HOUSEHOLD_MIXES:
            units = keluarga if stat.unit == "keluarga" else rumah_tangga
            entry = _household_mix(stat, units, kode, seed, tahun)
        else:  # a statistic added to the catalogue later: everyone in one category
            entry = statistic_entry(stat, stat.codes[:1], [laki], [perempuan])
        statistics.append(entry)

    by_slug = {s["slug"]: s for s in statistics}
    pbi = next(
        (
            r["total"]
            for r in by_slug.get("asuransi-kesehatan", {}).get("rows", ())
            if r["code"] == "2"
        ),
        0,
    )
    school_age = sum(_band_total(ages[sex], 6, 18) for sex in SEXES)
    rng = _rng(seed, kode, tahun, "datasets")
    return {
        "schema_version": "1",
        "generated_at": generated_at(tahun),
        "source": {
            "app": "OpenSID",
            "version": source_version(kode, seed),
            "data_last_updated": _data_last_updated(rng, tahun),
        },
        "village": {
            "kode_desa": village.kode_desa,
            "nama_desa": village.nama_desa,
            "sebutan_desa": "kelurahan" if traits.kelurahan else "desa",
            "kode_kecamatan": village.kode_kecamatan,
            "nama_kecamatan": village.nama_kecamatan,
            "kode_kabupaten": village.kode_kabupaten,
            "website": _website(village),
        },
        "totals": {
            "penduduk": _triple(laki, perempuan),
            "keluarga": keluarga,
            "rumah_tangga": rumah_tangga,
        },
        "statistics": statistics,
        "bantuan": _bantuan(traits.kelurahan, keluarga, pbi, school_age, rng, tahun),
        "apbdes": _apbdes(traits.kelurahan, rng, tahun),
        "pembangunan": _pembangunan(traits.kelurahan, rng, tahun),
    }


def document_bytes(document: Mapping) -> bytes:
    """The canonical JSON encoding of a document (UTF-8, compact, key order kept)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def find_statistic(document: Mapping, key_or_slug: str) -> dict | None:
    """The `statistics[]` entry with this OpenSID key or slug, or None."""
    for entry in document.get("statistics", ()):
        if entry.get("key") == key_or_slug or entry.get("slug") == key_or_slug:
            return entry
    return None
