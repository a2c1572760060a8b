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
NEW_IDS_SINCE = 2501  # internal_api statistic ids 13/14/15 exist from this release on
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


def version_number(version: str) -> int:
    """The release number of an OpenSID version string: "2407.0.0" -> 2407."""
    head = version.strip().lstrip("vV").split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def uses_old_statistik_ids(kode: str, seed: int = 0) -> bool:
    """Whether internal_api numbers statistics the pre-2501 way (8-12); about 5 % of villages."""
    return version_number(source_version(kode, seed)) < NEW_IDS_SINCE


def uses_nested_shape(kode: str, seed: int = 0) -> bool:
    """Whether internal_api answers in the nested shape (a build seen on some sites); about 5 %."""
    return stable_int(seed, digits(kode), "nested") % 20 == 0


def total_label(kode: str, seed: int = 0) -> str:
    """The label of internal_api's summary row 888: "TOTAL", or on about 1 site in 8
    "TOTAL KESELURUHAN"."""
    return (
        "TOTAL KESELURUHAN" if stable_int(seed, digits(kode), "total-label") % 8 == 0 else "TOTAL"
    )


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
    if stat.slug in HOUSEHOLD_MIXES:
        (lo, hi), w_laki, w_perempuan = HOUSEHOLD_MIXES[stat.slug]
    else:  # a household statistic added later: the default label-driven mix for both sexes
        labels = [label.upper() for _, label in stat.codes]
        default = dict(zip((c for c, _ in stat.codes), _r_default("L", 0, labels)[0], strict=True))
        (lo, hi), w_laki, w_perempuan = (0.8, 0.9), default, default
    trait_rng = _rng(seed, kode, stat.slug)
    year_rng = _rng(seed, kode, tahun, stat.slug)
    male_heads = round(units * trait_rng.uniform(lo, hi))
    codes = [code for code, _ in stat.codes]
    jitter = _jitter(codes, trait_rng)
    # a code the mix does not know gets a small weight rather than a KeyError
    laki = apportion(male_heads, [w_laki.get(c, 0.01) * jitter[c] for c in codes], year_rng)
    perempuan = apportion(
        units - male_heads, [w_perempuan.get(c, 0.01) * jitter[c] for c in codes], year_rng
    )
    share = _belum_share(trait_rng)
    belum = (round(male_heads * share), round((units - male_heads) * share))
    laki = _remove(laki, belum[0], year_rng)
    perempuan = _remove(perempuan, belum[1], year_rng)
    return statistic_entry(stat, stat.codes, laki, perempuan, belum)


# ---------------------------------------------------------------- statistics mixed by label
#
# The statistics below are generated from their catalogue labels, not fixed codes, so they
# stay plausible whatever codes the catalogue gives them. A role function returns, for one
# sex and age band, a weight per label plus the weight of "not filled in" (belum mengisi).

RoleFn = Callable[[Sex, int, Sequence[str]], tuple[list[float], float]]

_SAKIT: tuple[tuple[str, float], ...] = (
    ("JANTUNG", 0.004), ("LEVER", 0.0006), ("PARU", 0.002), ("KANKER", 0.001),
    ("STROKE", 0.002), ("DIABETES", 0.006), ("GINJAL", 0.001), ("MALARIA", 0.0005),
    ("KUSTA", 0.0001), ("LEPRA", 0.0001), ("HIV", 0.0002), ("GILA", 0.001), ("STRES", 0.001),
    ("TBC", 0.002), ("ASTHMA", 0.003), ("ASMA", 0.003),
)  # fmt: skip
_KB_WOMEN: tuple[tuple[str, float], ...] = (
    ("SUNTIK", 0.5), ("PIL", 0.2), ("SUSUK", 0.1), ("IMPLAN", 0.1), ("IUD", 0.07),
    ("WANITA", 0.04), ("LAINNYA", 0.02),
)  # fmt: skip
_KB_MEN: tuple[tuple[str, float], ...] = (("KONDOM", 0.85), ("PRIA", 0.12), ("LAINNYA", 0.03))
_KB_USERS: dict[tuple[Sex, int], float] = {
    ("P", 16): 0.08, ("P", 19): 0.45, ("P", 25): 0.62, ("P", 40): 0.35,
    ("L", 19): 0.01, ("L", 25): 0.025, ("L", 40): 0.02, ("L", 60): 0.003,
}  # fmt: skip
_AKTA_SHARE = {0: 0.85, 5: 0.9, 7: 0.93, 13: 0.93, 16: 0.92, 19: 0.88, 25: 0.75, 40: 0.55, 60: 0.3}
_KTP_STATUS: tuple[tuple[str, float], ...] = (
    ("BELUM", 0.07), ("TIDAK", 0.07), ("SUDAH REKAM", 0.08), ("CETAK", 0.85), ("PRINTED", 0.05),
    ("READY", 0.1), ("SHIPPED", 0.02), ("SENT", 0.03), ("ISSUED", 0.65),
)  # fmt: skip
# couples of fertile age (pasangan usia subur): method shares per couple; the man's methods
# (KONDOM, STERILISASI PRIA) count in the laki column, every other couple in perempuan
_KB_COUPLE: tuple[tuple[str, float], ...] = (
    ("SUNTIK", 0.5), ("PIL", 0.2), ("SUSUK", 0.1), ("IMPLAN", 0.1), ("IUD", 0.07),
    ("WANITA", 0.04), ("KONDOM", 0.03), ("PRIA", 0.005), ("LAINNYA", 0.02),
)  # fmt: skip
_KB_COUPLE_USERS = {13: 0.3, 16: 0.4, 19: 0.6, 25: 0.66, 40: 0.5}
_MARRIED_WOMEN = {13: 0.02, 16: 0.15, 19: 0.52, 25: 0.87, 40: 0.82}  # by age band, for PUS
FERTILE_AGES = (15, 49)
KTP_AGE = 17  # residents of 17 and older (or married) must hold a KTP
KTP_BANDS: tuple[tuple[int, int], ...] = ((0, KTP_AGE - 1), (KTP_AGE, MAX_AGE))


def _first(label: str, table: Sequence[tuple[str, float]], default: float) -> float:
    return next((w for word, w in table if word in label), default)


def _is_negative(label: str) -> bool:
    """A 'none' category: TIDAK ADA, TIDAK MENGGUNAKAN, BELUM MEMILIKI, BUKAN …"""
    return label.startswith(("TIDAK", "BELUM", "BUKAN"))


def _r_default(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """Any statistic: a 'none' category dominates, then falling shares, LAINNYA small."""
    out = []
    for i, label in enumerate(labels):
        if _is_negative(label):
            out.append(3.0)
        elif "LAINNYA" in label:
            out.append(0.03)
        else:
            out.append(1.0 / (i + 1) ** 1.5)
    return out, 0.0


def _r_penyakit(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """Chronic diseases: rare, far more common with age; most people TIDAK ADA."""
    age = 0.15 if lo < 19 else 1.0 if lo < 40 else 2.5 if lo < 60 else 5.0
    healthy = 0.97 if lo < 40 else 0.9
    has_none = any("TIDAK" in label for label in labels)
    out = [healthy if "TIDAK" in lb else _first(lb, _SAKIT, 0.0005) * age for lb in labels]
    return out, 0.0 if has_none else healthy  # without a TIDAK ADA row, the healthy are unset


def _r_akseptor_kb(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """Contraception: mostly married women 19-49 (injections, pills), a few men (condoms)."""
    users = _KB_USERS.get((sex, lo), 0.0)
    table = _KB_WOMEN if sex == "P" else _KB_MEN
    methods = [
        0.0 if _is_negative(lb) or (sex == "P" and "PRIA" in lb) else _first(lb, table, 0.0)
        for lb in labels
    ]
    fertile = sex == "P" and 19 <= lo < 60
    none_rows = [i for i, lb in enumerate(labels) if "TIDAK" in lb]
    out = [users * m / sum(methods) if sum(methods) else 0.0 for m in methods]
    unset = 1.0 - (users if sum(methods) else 0.0)
    if fertile and none_rows:  # women of fertile age not using any method: TIDAK MENGGUNAKAN
        out[none_rows[0]] += 1.0 - users
        unset -= 1.0 - users
    return out, max(unset, 0.0)


def _r_kb_couple(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """Contraception per couple of fertile age; TIDAK MENGGUNAKAN for the rest."""
    users = _KB_COUPLE_USERS.get(lo, 0.0)
    methods = [0.0 if _is_negative(lb) else _first(lb, _KB_COUPLE, 0.0) for lb in labels]
    out = [users * m / sum(methods) if sum(methods) else 0.0 for m in methods]
    none_rows = [i for i, lb in enumerate(labels) if "TIDAK" in lb]
    unset = 1.0 - (users if sum(methods) else 0.0)
    if none_rows:
        out[none_rows[0]] += unset
        unset = 0.0
    return out, unset


def _r_akta(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """Birth certificates: nearly all children have one, few of the elderly."""
    share = _AKTA_SHARE.get(lo, 0.7)
    holders = [i for i, lb in enumerate(labels) if not _is_negative(lb)]
    lacking = [i for i, lb in enumerate(labels) if _is_negative(lb)]
    out = [0.0] * len(labels)
    for i in holders:
        out[i] = share / len(holders)
    for i in lacking:
        out[i] = (1.0 - share) / len(lacking)
    unset = (0.0 if lacking else 1.0 - share) + (0.0 if holders else share)
    return out, unset


def _r_ktp(sex: Sex, lo: int, labels: Sequence[str]) -> tuple[list[float], float]:
    """KTP-el recording status for those who must hold one; the young are BELUM WAJIB."""
    wajib = lo >= KTP_AGE
    out = []
    for label in labels:
        if "WAJIB" in label:  # BELUM WAJIB / TIDAK WAJIB
            out.append(0.0 if wajib else 1.0)
        else:
            out.append(_first(label, _KTP_STATUS, 0.9) if wajib else 0.0)
    has_unwajib = any("WAJIB" in label for label in labels)
    return out, 0.0 if wajib or has_unwajib else 1.0


# slug -> (role function, age bands)
LABEL_MIXES: dict[str, tuple[RoleFn, tuple[tuple[int, int], ...]]] = {
    "penyakit-menahun": (_r_penyakit, AGE_BANDS),
    "akseptor-kb": (_r_akseptor_kb, AGE_BANDS),
    "akta-kelahiran": (_r_akta, AGE_BANDS),
    "kepemilikan-ktp": (_r_ktp, KTP_BANDS),
}

_LABEL_RANGE = re.compile(r"(\d+)\s*(?:s/d|-|–|sampai|hingga)\s*(\d+)", re.IGNORECASE)
_LABEL_ABOVE = re.compile(r"(?:di\s*atas|>=|≥|lebih dari)\s*(\d+)", re.IGNORECASE)
_LABEL_BELOW = re.compile(r"(?:di\s*bawah|<|kurang dari)\s*(\d+)", re.IGNORECASE)


def label_age_range(label: str) -> tuple[int, int | None] | None:
    """Age bounds of an age-bracket label ('5 s/d 9 Tahun', 'Di atas 75 Tahun'), else None."""
    if m := _LABEL_RANGE.search(label):
        return int(m.group(1)), int(m.group(2))
    if m := _LABEL_ABOVE.search(label):
        return int(m.group(1)), None
    if m := _LABEL_BELOW.search(label):
        return 0, max(int(m.group(1)) - 1, 0)
    return None


def _all_unset(stat: StatDef, laki: int, perempuan: int) -> dict:
    """A statistic without categories: everyone is counted as not filled in."""
    return statistic_entry(stat, (), [], [], (laki, perempuan))


def _label_mix(
    stat: StatDef,
    ages: Mapping[Sex, Sequence[int]],
    role_fn: RoleFn,
    bands: Sequence[tuple[int, int]],
    kode: str,
    seed: int,
    tahun: int,
) -> dict:
    """Counts per label-driven category and sex; 'not filled in' comes from the role
    function plus the usual random share of unfinished records."""
    codes = [code for code, _ in stat.codes]
    labels = [label.upper() for _, label in stat.codes]
    trait_rng = _rng(seed, kode, stat.slug)
    year_rng = _rng(seed, kode, tahun, stat.slug)
    jitter = _jitter(codes, trait_rng, sigma=0.2)
    counts: dict[Sex, list[int]] = {}
    unset: dict[Sex, int] = {}
    for sex in SEXES:
        counts[sex], unset[sex] = [0] * len(codes), 0
        for lo, hi in bands:
            n = _band_total(ages[sex], lo, hi)
            weights, unset_weight = role_fn(sex, lo, labels)
            weights = [w * jitter[c] for w, c in zip(weights, codes, strict=True)]
            if sum(weights) + unset_weight <= 0:
                unset[sex] += n
                continue
            parts = apportion(n, [*weights, unset_weight], year_rng)
            for i, c in enumerate(parts[:-1]):
                counts[sex][i] += c
            unset[sex] += parts[-1]
    share = _belum_share(trait_rng)
    extra = {sex: round(sum(counts[sex]) * share) for sex in SEXES}
    laki = _remove(counts["L"], extra["L"], year_rng)
    perempuan = _remove(counts["P"], extra["P"], year_rng)
    belum = (unset["L"] + extra["L"], unset["P"] + extra["P"])
    return statistic_entry(stat, stat.codes, laki, perempuan, belum)


def _age_labelled(
    stat: StatDef,
    ages: Mapping[Sex, Sequence[int]],
    share: Callable[[int], float] | None,
    kode: str,
    seed: int,
) -> dict:
    """A statistic whose categories are age brackets (parsed from the labels): everyone in
    their first matching bracket, times the share counted (e.g. holders of a certificate)."""
    ranges = [label_age_range(label) for _, label in stat.codes]
    factor = _rng(seed, kode, stat.slug, "share").uniform(0.95, 1.03) if share else 1.0
    counts: dict[Sex, list[int]] = {sex: [0] * len(ranges) for sex in SEXES}
    total = {sex: sum(ages[sex]) for sex in SEXES}
    for sex in SEXES:
        for age, n in enumerate(ages[sex]):
            for i, bounds in enumerate(ranges):
                dari, sampai = bounds or (0, -1)
                if dari <= age and (sampai is None or age <= sampai):
                    counted = n if share is None else round(n * min(1.0, share(age) * factor))
                    counts[sex][i] += counted
                    break
    belum = (total["L"] - sum(counts["L"]), total["P"] - sum(counts["P"]))
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], belum)


def unit_ages(
    unit: str, ages: Mapping[Sex, Sequence[int]], kode: str, seed: int = 0
) -> dict[Sex, list[int]]:
    """Who a person-based statistic counts, by sex and single year of age: everyone
    (penduduk), residents of 17 and older (wajib_ktp), or couples of fertile age
    (pasangan_usia_subur: one per married woman of 15-49, in the perempuan column)."""
    if unit == "wajib_ktp":
        return {
            sex: [n if age >= KTP_AGE else 0 for age, n in enumerate(ages[sex])] for sex in SEXES
        }
    if unit == "pasangan_usia_subur":
        factor = _rng(seed, digits(kode), "pus").uniform(0.9, 1.1)
        lo, hi = FERTILE_AGES
        couples = [0] * len(ages["P"])
        for age in range(lo, hi + 1):
            band = max(b for b in _MARRIED_WOMEN if b <= age)
            couples[age] = round(ages["P"][age] * min(1.0, _MARRIED_WOMEN[band] * factor))
        return {"L": [0] * len(ages["L"]), "P": couples}
    return {sex: list(ages[sex]) for sex in SEXES}


def _akseptor_couples(
    stat: StatDef, couples: Mapping[Sex, Sequence[int]], kode: str, seed: int, tahun: int
) -> dict:
    """akseptor-kb counted per couple: the man's methods move to the laki column."""
    entry = _label_mix(stat, couples, _r_kb_couple, AGE_BANDS, kode, seed, tahun)
    for row in entry["rows"]:
        label = row["label"].upper()
        if "KONDOM" in label or ("PRIA" in label and not _is_negative(label)):
            row["laki"], row["perempuan"] = row["perempuan"], 0
    laki = sum(r["laki"] for r in entry["rows"]) + entry["belum_mengisi"]["laki"]
    perempuan = sum(r["perempuan"] for r in entry["rows"]) + entry["belum_mengisi"]["perempuan"]
    entry["total"] = _triple(laki, perempuan)
    return entry


def _akta_share(age: int) -> float:
    band = max(lo for lo, _ in AGE_BANDS if lo <= age)
    return _AKTA_SHARE[band]


def male_head_share(kode: str, seed: int = 0) -> float:
    """Share of families headed by a man (the same draw kelas-sosial makes)."""
    (lo, hi), _, _ = HOUSEHOLD_MIXES["kelas-sosial"]
    return _rng(seed, digits(kode), "kelas-sosial").uniform(lo, hi)


_HUBUNGAN: dict[tuple[Sex, int], tuple[tuple[str, float], ...]] = {
    ("L", 0): (("ANAK", 0.9), ("CUCU", 0.08), ("FAMILI", 0.02)),
    ("P", 0): (("ANAK", 0.9), ("CUCU", 0.08), ("FAMILI", 0.02)),
    ("L", 19): (("ANAK", 0.8), ("MENANTU", 0.05), ("CUCU", 0.05), ("FAMILI", 0.08),
                ("LAINNYA", 0.02)),
    ("P", 19): (("ISTRI", 0.45), ("ANAK", 0.42), ("MENANTU", 0.06), ("FAMILI", 0.05),
                ("PEMBANTU", 0.02)),
    ("L", 25): (("ANAK", 0.45), ("MENANTU", 0.25), ("SUAMI", 0.1), ("FAMILI", 0.15),
                ("LAINNYA", 0.05)),
    ("P", 25): (("ISTRI", 0.85), ("ANAK", 0.08), ("MENANTU", 0.04), ("FAMILI", 0.03)),
    ("L", 40): (("SUAMI", 0.3), ("ANAK", 0.2), ("MENANTU", 0.2), ("FAMILI", 0.25),
                ("LAINNYA", 0.05)),
    ("P", 40): (("ISTRI", 0.9), ("ANAK", 0.03), ("MENANTU", 0.03), ("FAMILI", 0.04)),
    ("L", 60): (("ORANG", 0.35), ("MERTUA", 0.25), ("SUAMI", 0.2), ("FAMILI", 0.2)),
    ("P", 60): (("ISTRI", 0.55), ("ORANG", 0.25), ("MERTUA", 0.15), ("FAMILI", 0.05)),
}  # fmt: skip
# where heads of family are, by age band (relative, times the band's size)
_HEAD_BANDS: tuple[tuple[int, int, float], ...] = (
    (16, 18, 0.002),
    (19, 24, 0.05),
    (25, 39, 0.45),
    (40, 59, 0.6),
    (60, MAX_AGE, 0.45),
)


def _hubungan_kk(
    stat: StatDef,
    ages: Mapping[Sex, Sequence[int]],
    keluarga: int,
    kode: str,
    seed: int,
    tahun: int,
) -> dict:
    """Relationship to the head of family: the KEPALA KELUARGA row equals the number of
    families, split by sex as in kelas-sosial; everyone else by age band and sex."""
    labels = [label.upper() for _, label in stat.codes]
    head = next((i for i, lb in enumerate(labels) if "KEPALA" in lb), None)
    if head is None:
        return _label_mix(stat, ages, _r_default, WHOLE_LIFE, kode, seed, tahun)
    year_rng = _rng(seed, kode, tahun, stat.slug)
    jitter = _jitter([c for c, _ in stat.codes], _rng(seed, kode, stat.slug), sigma=0.15)
    laki_heads = round(keluarga * male_head_share(kode, seed))
    heads = {"L": laki_heads, "P": keluarga - laki_heads}
    fallback = next((i for i, lb in enumerate(labels) if "LAINNYA" in lb and i != head), None)
    if fallback is None:  # no LAINNYA: the last category other than the head
        fallback = next((i for i in reversed(range(len(labels))) if i != head), None)
    counts: dict[Sex, list[int]] = {}
    unset = {"L": 0, "P": 0}
    for sex in SEXES:
        sizes = [_band_total(ages[sex], lo, hi) for lo, hi, _ in _HEAD_BANDS]
        n_heads = min(heads[sex], sum(sizes))  # a tiny village cannot have more heads than adults
        per_band = apportion(
            n_heads,
            [n * w for n, (_, _, w) in zip(sizes, _HEAD_BANDS, strict=True)],
            year_rng,
            caps=sizes,
        )
        heads_at = dict(zip((lo for lo, _, _ in _HEAD_BANDS), per_band, strict=True))
        row = [0] * len(labels)
        row[head] = n_heads
        for lo, hi in ((0, 18), (19, 24), (25, 39), (40, 59), (60, MAX_AGE)):
            n = _band_total(ages[sex], lo, hi) - heads_at.get(16 if lo == 0 else lo, 0)
            table = _HUBUNGAN[(sex, lo)]
            weights = [
                0.0 if i == head else _first(lb, table, 0.0) * jitter[stat.codes[i][0]]
                for i, lb in enumerate(labels)
            ]
            if sum(weights) <= 0:  # no fitting label in this band
                if fallback is None:
                    unset[sex] += n
                    continue
                weights = [1.0 if i == fallback else 0.0 for i in range(len(labels))]
            for i, c in enumerate(apportion(n, weights, year_rng)):
                row[i] += c
        counts[sex] = row
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], (unset["L"], unset["P"]))


BANTUAN_SASARAN = {"bantuan-penduduk": 1, "bantuan-keluarga": 2}  # slug -> programme target


def _bantuan_statistic(
    stat: StatDef,
    programmes: Sequence[Mapping],
    whole: Mapping[str, int],
    split: Callable[[Mapping], tuple[int, int]],
) -> dict:
    """Recipients per programme of one target (rows = the village's programmes, like OpenSID);
    everyone else is belum mengisi (not a recipient), so rows + belum = total."""
    target = BANTUAN_SASARAN[stat.slug]
    chosen = sorted(
        (p for p in programmes if p["sasaran"] == target), key=lambda p: int(p["program_id"])
    )
    laki, perempuan, room = [], [], {"L": whole["laki"], "P": whole["perempuan"]}
    for p in chosen:
        male, female = split(p)
        # a side with no room left passes recipients to the other, so rows keep `peserta`
        if female > room["P"]:
            male, female = male + female - room["P"], room["P"]
        if male > room["L"]:
            male, female = room["L"], min(room["P"], female + male - room["L"])
        room["L"] -= male
        room["P"] -= female
        laki.append(male)
        perempuan.append(female)
    return statistic_entry(
        stat,
        [(p["program_id"], p["nama"]) for p in chosen],
        laki,
        perempuan,
        (room["L"], room["P"]),
    )


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


def _statistic(
    stat: StatDef,
    village: Village,
    ages: Mapping[Sex, Sequence[int]],
    traits: Traits,
    keluarga: int,
    rumah_tangga: int,
    seed: int,
    tahun: int,
) -> dict:
    """One statistics entry: a special mix where the statistic is known, else a default."""
    kode = village.kode_digits
    laki, perempuan = sum(ages["L"]), sum(ages["P"])
    if stat.unit in ("keluarga", "rumah_tangga"):
        units = keluarga if stat.unit == "keluarga" else rumah_tangga
        if not stat.codes:
            heads = round(units * male_head_share(kode, seed))
            return _all_unset(stat, heads, units - heads)
        return _household_mix(stat, units, kode, seed, tahun)
    if stat.slug == "jenis-kelamin":
        return _jenis_kelamin(stat, laki, perempuan)
    if stat.slug == "rentang-umur":
        return _rentang_umur(stat, ages, kode, seed)
    if stat.slug == "kategori-umur":
        return _kategori_umur(stat, ages)
    if stat.slug in PENDUDUK_MIXES and stat.unit == "penduduk":
        return _penduduk_mix(stat, ages, traits, seed, tahun)
    counted = unit_ages(stat.unit, ages, kode, seed)  # unknown units count everyone
    if not stat.codes:
        return _all_unset(stat, sum(counted["L"]), sum(counted["P"]))
    if stat.slug == "hubungan-kk":
        return _hubungan_kk(stat, counted, keluarga, kode, seed, tahun)
    if stat.slug == "akseptor-kb" and stat.unit == "pasangan_usia_subur":
        return _akseptor_couples(stat, counted, kode, seed, tahun)
    if all(label_age_range(label) for _, label in stat.codes):  # categories are age brackets
        share = _akta_share if stat.slug == "akta-kelahiran" else None  # None: everyone
        return _age_labelled(stat, counted, share, kode, seed)
    role_fn, bands = LABEL_MIXES.get(stat.slug, (_r_default, WHOLE_LIFE))
    return _label_mix(stat, counted, role_fn, bands, kode, seed, tahun)


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

    by_key: dict[str, dict] = {}
    for stat in STATISTICS:
        if stat.slug in BANTUAN_SASARAN:
            continue  # needs the programmes, which need asuransi-kesehatan: below
        by_key[stat.key] = _statistic(stat, village, ages, traits, keluarga, rumah_tangga, seed,
                                      tahun)  # fmt: skip

    by_slug = {s["slug"]: s for s in by_key.values()}
    pbi_row = next(
        (r for r in by_slug.get("asuransi-kesehatan", {}).get("rows", ()) if r["code"] == "2"),
        None,
    )
    pbi = pbi_row["total"] if pbi_row else 0
    school_age = {sex: sum(ages[sex][6:19]) for sex in SEXES}
    rng = _rng(seed, kode, tahun, "datasets")
    last_updated = _data_last_updated(rng, tahun)
    bantuan = _bantuan(traits.kelurahan, keluarga, pbi, sum(school_age.values()), rng, tahun)
    apbdes = _apbdes(traits.kelurahan, rng, tahun)
    pembangunan = _pembangunan(traits.kelurahan, rng, tahun)

    split_rng = _rng(seed, kode, tahun, "bantuan-split")
    laki_heads = round(keluarga * male_head_share(kode, seed))

    def person_split(p: Mapping) -> tuple[int, int]:
        if pbi_row is not None and p["program_id"] == "5":  # JKN-KIS PBI is asuransi row 2
            return pbi_row["laki"], pbi_row["perempuan"]
        base = school_age if p["program_id"] == "4" else {"L": laki, "P": perempuan}
        male, female = apportion(p["peserta"], [base["L"] + 1, base["P"] + 1], split_rng)
        return male, female

    def family_split(p: Mapping) -> tuple[int, int]:
        # aid reaches female-headed families more often than their share
        male_share = max(0.0, laki_heads / keluarga - 0.1)
        male, female = apportion(p["peserta"], [male_share, 1 - male_share], split_rng)
        return male, female

    for stat in STATISTICS:
        if stat.slug == "bantuan-penduduk":
            by_key[stat.key] = _bantuan_statistic(
                stat, bantuan, _triple(laki, perempuan), person_split
            )
        elif stat.slug == "bantuan-keluarga":
            families = _triple(laki_heads, keluarga - laki_heads)
            by_key[stat.key] = _bantuan_statistic(stat, bantuan, families, family_split)
    statistics = [by_key[stat.key] for stat in STATISTICS]
    return {
        "schema_version": "1",
        "generated_at": generated_at(tahun),
        "source": {
            "app": "OpenSID",
            "version": source_version(kode, seed),
            "data_last_updated": last_updated,
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
        "bantuan": bantuan,
        "apbdes": apbdes,
        "pembangunan": pembangunan,
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
