"""Every statistic of config/statistik.toml for one village and year: category mixes by sex
and age band, and the builders that turn them into summary-document entries."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence

from config.statistik import KATEGORI_UMUR_DEFAULT, Bracket, StatDef
from simulator.numbers import apportion, category_noise, remove_some, share_of
from simulator.population import (
    AGE_BANDS,
    KTP_AGE,
    MAX_AGE,
    SEXES,
    WHOLE_LIFE,
    Sex,
    Traits,
    VillageState,
    Weights,
    band_total,
    umur_label,
)


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
    """OpenSID's ids 1-20: 1 BELUM MASUK TK, 2 SEDANG TK, 3 TIDAK PERNAH SEKOLAH, 4 SEDANG SD,
    5 TIDAK TAMAT SD, 6 SEDANG SLTP, 7 SEDANG SLTA, 8-13 SEDANG D-1 … S-3, 14-16 SLB A/B/C,
    17 TIDAK DAPAT MEMBACA …, 18 TIDAK SEDANG SEKOLAH, 19/20 TIDAK TAMAT SLTP/SLTA."""
    table: dict[int, Weights] = {
        0: {"1": 0.85, "2": 0.15},
        5: {"1": 0.15, "2": 0.6, "4": 0.25},
        7: {"4": 0.97, "3": 0.005, "14": 0.001, "15": 0.001, "16": 0.002, "18": 0.01},
        13: {"6": 0.85, "4": 0.05, "18": 0.07, "19": 0.02, "16": 0.002},
        16: {"7": 0.7, "6": 0.05, "18": 0.18, "19": 0.03, "20": 0.03},
        19: {"11": 0.12, "10": 0.02, "8": 0.01, "9": 0.004, "18": 0.78, "20": 0.04, "5": 0.02},
        25: {"11": 0.01, "12": 0.002, "18": 0.92, "5": 0.03, "3": 0.02, "17": 0.005,
             "20": 0.01},
        40: {"18": 0.88, "5": 0.07, "3": 0.03, "17": 0.012, "13": 0.0002},
        60: {"18": 0.75, "5": 0.12, "3": 0.08, "17": 0.05},
    }  # fmt: skip
    return table[lo]


# OpenSID's pekerjaan ids (tweb_penduduk_pekerjaan): 65 GURU, 84 PEDAGANG, 85 PERANGKAT DESA,
# 86 KEPALA DESA, 88 WIRASWASTA, 89 LAINNYA
_KERJA_ADULT_L: Weights = {
    "9": 0.42, "88": 0.11, "19": 0.07, "20": 0.07, "15": 0.05, "5": 0.02, "6": 0.004,
    "7": 0.004, "8": 0.03, "84": 0.015, "10": 0.01, "11": 0.01, "12": 0.003, "13": 0.015,
    "26": 0.015, "27": 0.01, "14": 0.01, "81": 0.012, "18": 0.01, "65": 0.01, "85": 0.012,
    "89": 0.02, "1": 0.03, "35": 0.004, "16": 0.002, "41": 0.002,
}  # fmt: skip
_KERJA_ADULT_P: Weights = {
    "2": 0.45, "9": 0.22, "88": 0.05, "8": 0.04, "84": 0.02, "65": 0.025, "5": 0.012,
    "15": 0.03, "20": 0.03, "19": 0.01, "1": 0.04, "89": 0.01, "30": 0.006, "73": 0.003,
    "74": 0.003, "18": 0.012, "85": 0.004, "12": 0.004,
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
                    "15": 0.07, "13": 0.03, "14": 0.02, "8": 0.02, "89": 0.02, "11": 0.005,
                    "18": 0.01, "81": 0.01},
        (19, "P"): {"2": 0.3, "1": 0.2, "3": 0.15, "9": 0.1, "15": 0.07, "88": 0.06, "8": 0.04,
                    "65": 0.01, "20": 0.03, "19": 0.02, "89": 0.02, "18": 0.01},
        (25, "L"): _KERJA_ADULT_L,
        (25, "P"): _KERJA_ADULT_P,
        (40, "L"): _KERJA_ADULT_L,
        (40, "P"): _KERJA_ADULT_P,
        (60, "L"): {"9": 0.55, "1": 0.15, "4": 0.05, "88": 0.06, "20": 0.04, "89": 0.03,
                    "8": 0.03, "10": 0.02, "11": 0.005, "41": 0.005},
        (60, "P"): {"2": 0.5, "9": 0.2, "1": 0.2, "4": 0.02, "8": 0.03},
    }  # fmt: skip
    weights = dict(table[(lo, sex)])
    if t.coastal and "11" in weights:  # fishing villages
        weights["11"] *= 20
    if t.kelurahan:  # towns farm less and trade more
        weights["9"] = weights.get("9", 0) * 0.35
        for code in ("8", "15", "88", "5", "84"):
            weights[code] = weights.get(code, 0) * 2.0
    return weights


def _w_perkawinan(sex: Sex, lo: int, t: Traits) -> Weights:
    if lo < 16:
        return {"1": 1}
    return _KAWIN[(lo, sex)]


_KAWIN: dict[tuple[int, Sex], Weights] = {
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


def _w_agama(sex: Sex, lo: int, t: Traits) -> Weights:
    return t.agama


def _w_warga_negara(sex: Sex, lo: int, t: Traits) -> Weights:
    return {"1": 1.0, "2": 0.00003, "3": 0.00001}  # foreigners are rare


def _w_status_penduduk(sex: Sex, lo: int, t: Traits) -> Weights:
    return {"1": 0.97, "2": 0.06 if t.kelurahan else 0.025}  # TETAP, TIDAK TETAP


def _w_golongan_darah(sex: Sex, lo: int, t: Traits) -> Weights:
    return {
        "1": 0.05, "2": 0.05, "3": 0.012, "4": 0.07, "5": 0.004, "6": 0.0005, "7": 0.004,
        "8": 0.0005, "9": 0.001, "10": 0.0002, "11": 0.005, "12": 0.0005, "13": 0.8,
    }  # fmt: skip


def _w_cacat(sex: Sex, lo: int, t: Traits) -> Weights:
    factor = 3.0 if lo >= 60 else 1.0  # disability grows with age
    weights = {"1": 0.003, "2": 0.001, "3": 0.001, "4": 0.001, "5": 0.0005, "6": 0.0005}
    return {**{k: v * factor for k, v in weights.items()}, "7": 0.99}


def _w_penyakit(sex: Sex, lo: int, t: Traits) -> Weights:
    age = 0.15 if lo < 19 else 1.0 if lo < 40 else 2.5 if lo < 60 else 5.0
    sick = {
        "1": 0.004, "2": 0.0006, "3": 0.002, "4": 0.001, "5": 0.002, "6": 0.006, "7": 0.001,
        "8": 0.0005, "9": 0.0001, "10": 0.0002, "11": 0.002, "12": 0.002, "13": 0.003,
    }  # fmt: skip
    return {**{k: v * age for k, v in sick.items()}, "14": 0.97 if lo < 40 else 0.9}


def _w_asuransi(sex: Sex, lo: int, t: Traits) -> Weights:
    return {"1": 0.3, "2": 0.45, "3": 0.22, "99": 0.03}


WeightFn = Callable[[Sex, int, Traits], Weights]

# slug -> (weights by sex and age band, the age bands to mix over); the unit is penduduk
PENDUDUK_MIXES: dict[str, tuple[WeightFn, tuple[tuple[int, int], ...]]] = {
    "pendidikan-dalam-kk": (_w_pendidikan_kk, AGE_BANDS),
    "pendidikan-sedang-ditempuh": (_w_pendidikan_sedang, AGE_BANDS),
    "pekerjaan": (_w_pekerjaan, AGE_BANDS),
    "status-perkawinan": (_w_perkawinan, AGE_BANDS),
    "agama": (_w_agama, WHOLE_LIFE),
    "warga-negara": (_w_warga_negara, WHOLE_LIFE),
    "status-penduduk": (_w_status_penduduk, WHOLE_LIFE),
    "golongan-darah": (_w_golongan_darah, WHOLE_LIFE),
    "penyandang-cacat": (_w_cacat, AGE_BANDS),
    "penyakit-menahun": (_w_penyakit, AGE_BANDS),
    "asuransi-kesehatan": (_w_asuransi, WHOLE_LIFE),
}
# statistics nearly everyone is recorded in (no share left unfilled)
_ALWAYS_FILLED = frozenset({"warga-negara", "status-penduduk"})


def _mix_by_age(
    codes: Sequence[str],
    ages: Mapping[Sex, Sequence[int]],
    weight_fn: WeightFn,
    bands: Sequence[tuple[int, int]],
    traits: Traits,
    trait_rng: random.Random,
    year_rng: random.Random,
) -> dict[Sex, list[int]]:
    """Counts per category and sex, mixing each age band with its own weights."""
    jitter = category_noise(codes, trait_rng)
    out: dict[Sex, list[int]] = {}
    for sex in SEXES:
        counts = [0] * len(codes)
        for lo, hi in bands:
            n = band_total(ages[sex], lo, hi)
            table = weight_fn(sex, lo, traits)
            weights = [table.get(code, 0.0) * jitter[code] for code in codes]
            if sum(weights) <= 0:
                weights = [1.0] * len(codes)
            for i, c in enumerate(apportion(n, weights, year_rng)):
                counts[i] += c
        out[sex] = counts
    return out


def _belum_share(trait_rng: random.Random) -> float:
    """Share of people not filled in for a statistic: zero in about half, else up to 3 %."""
    if trait_rng.random() < 0.45:
        return 0.0
    return trait_rng.uniform(0.002, 0.03)


def triple(laki: int, perempuan: int) -> dict[str, int]:
    return {"total": laki + perempuan, "laki": laki, "perempuan": perempuan}


def statistic_entry(
    stat: StatDef,
    categories: Sequence[tuple[str, str]],
    laki: Sequence[int],
    perempuan: Sequence[int],
    whole: tuple[int, int],
    *,
    extra: Sequence[Mapping[str, object]] | None = None,
    jumlah: tuple[int, int] | None = None,
) -> dict:
    """One `statistics[]` entry of the document. `whole` is what the statistic's unit counts
    (row 888); belum mengisi is whole minus the rows, or for overlapping aid programmes whole
    minus `jumlah` (the distinct recipients)."""
    rows = []
    for i, (code, label) in enumerate(categories):
        row: dict[str, object] = {"code": code, "label": label}
        if extra is not None:
            row.update(extra[i])
        row.update(triple(laki[i], perempuan[i]))
        rows.append(row)
    entry: dict[str, object] = {"key": stat.key, "slug": stat.slug, "rows": rows}
    counted = (sum(laki), sum(perempuan))
    if jumlah is not None:
        entry["jumlah"] = triple(*jumlah)
        counted = jumlah
    belum = (whole[0] - counted[0], whole[1] - counted[1])
    if min(belum) < 0:
        raise ValueError(f"{stat.slug}: rows {counted} exceed the whole {whole}")
    entry["belum_mengisi"] = triple(*belum)
    entry["total"] = triple(*whole)
    return entry


def _codes(stat: StatDef) -> list[str]:
    return [code for code, _ in stat.codes]


def _bracket_extra(brackets: Sequence[Bracket]) -> list[dict[str, int]]:
    return [{"dari": b.dari, "sampai": b.sampai} for b in brackets]


def _penduduk_mix(stat: StatDef, v: VillageState) -> dict:
    weight_fn, bands = PENDUDUK_MIXES[stat.slug]
    trait_rng, year_rng = v.trait_rng(stat.slug), v.year_rng(stat.slug)
    codes = _codes(stat)
    counts = _mix_by_age(codes, v.ages, weight_fn, bands, v.traits, trait_rng, year_rng)
    share = 0.0 if stat.slug in _ALWAYS_FILLED else _belum_share(trait_rng)
    belum = [round(sum(counts[sex]) * share) for sex in SEXES]
    laki = remove_some(counts["L"], belum[0], year_rng)
    perempuan = remove_some(counts["P"], belum[1], year_rng)
    if stat.slug == "pekerjaan" and not v.traits.kelurahan and "86" in codes:
        _one_kepala_desa(codes, laki, perempuan, trait_rng)
    return statistic_entry(stat, stat.codes, laki, perempuan, v.penduduk)


def _one_kepala_desa(
    codes: list[str], laki: list[int], perempuan: list[int], rng: random.Random
) -> None:
    """A desa has exactly one KEPALA DESA (86), mostly a man: taken from the largest row."""
    counts = laki if rng.random() < 0.9 or not any(perempuan) else perempuan
    if not any(counts):
        counts = perempuan if counts is laki else laki
    if not any(counts):
        return
    donor = max(range(len(codes)), key=lambda i: counts[i])
    counts[donor] -= 1
    counts[codes.index("86")] += 1


def _jenis_kelamin(stat: StatDef, v: VillageState) -> dict:
    laki, perempuan = v.penduduk
    return statistic_entry(stat, stat.codes, [laki, 0], [0, perempuan], v.penduduk)


def _by_brackets(
    ages: Mapping[Sex, Sequence[int]], brackets: Sequence[Bracket]
) -> dict[Sex, list[int]]:
    return {sex: [band_total(ages[sex], b.dari, b.sampai) for b in brackets] for sex in SEXES}


def _rentang_umur(stat: StatDef, v: VillageState) -> dict:
    counts = _by_brackets(v.ages, v.brackets)
    return statistic_entry(
        stat,
        [(b.code, b.label) for b in v.brackets],
        counts["L"],
        counts["P"],
        v.penduduk,
        extra=_bracket_extra(v.brackets),
    )


def _kategori_umur(stat: StatDef, v: VillageState) -> dict:
    counts = _by_brackets(v.ages, KATEGORI_UMUR_DEFAULT)
    return statistic_entry(
        stat,
        stat.codes,
        counts["L"],
        counts["P"],
        v.penduduk,
        extra=_bracket_extra(KATEGORI_UMUR_DEFAULT),
    )


_AKTA_SHARE = {0: 0.85, 5: 0.9, 7: 0.93, 13: 0.93, 16: 0.92, 19: 0.88, 25: 0.75, 40: 0.55, 60: 0.3}


def _akta_share(age: int) -> float:
    band = max(lo for lo, _ in AGE_BANDS if lo <= age)
    return _AKTA_SHARE[band]


def _akta_kelahiran(stat: StatDef, v: VillageState) -> dict:
    """The village's rentang-umur brackets, each counting residents WITH a birth certificate;
    the rest (777) have none."""
    factor = v.trait_rng(stat.slug, "share").uniform(0.9, 1.05)
    counts = {sex: [0] * len(v.brackets) for sex in SEXES}
    for sex in SEXES:
        for i, b in enumerate(v.brackets):
            for age in range(b.dari, min(b.sampai, MAX_AGE) + 1):
                n = v.ages[sex][age]
                counts[sex][i] += round(n * min(1.0, _akta_share(age) * factor))
    return statistic_entry(
        stat,
        [(b.code, umur_label(b.dari, b.sampai)) for b in v.brackets],
        counts["L"],
        counts["P"],
        v.penduduk,
        extra=_bracket_extra(v.brackets),
    )


def _deceased_ages(v: VillageState) -> dict[Sex, list[int]]:
    """Deceased residents still in the register (status_dasar 2), by the age they would have
    now (how OpenSID's akta-kematian counts them): a small number per village."""
    rng = v.trait_rng("meninggal")
    year_rng = v.year_rng("meninggal")
    penduduk = sum(v.penduduk)
    deceased = max(1, round(penduduk * rng.uniform(0.008, 0.03)))
    men = round(deceased * rng.uniform(0.5, 0.6))
    top = 110
    weights = []
    for age in range(top + 1):
        if age <= 4:
            w = 0.3  # infants who died in the last years
        elif age < 40:
            w = 0.04
        else:
            w = math.exp(0.07 * (min(age, 88) - 40)) * (1.0 if age <= 95 else 0.5)
        weights.append(w)
    return {sex: apportion(n, weights, year_rng) for sex, n in (("L", men), ("P", deceased - men))}


def _akta_kematian(stat: StatDef, v: VillageState) -> dict:
    dead = _deceased_ages(v)
    share = v.trait_rng(stat.slug).uniform(0.35, 0.7)
    year_rng = v.year_rng(stat.slug)
    counts = {sex: [0] * len(v.brackets) for sex in SEXES}
    for sex in SEXES:
        for i, b in enumerate(v.brackets):
            n = band_total(dead[sex], b.dari, b.sampai)
            counts[sex][i] = apportion(n, [share, 1 - share], year_rng)[0]
    return statistic_entry(
        stat,
        [(b.code, umur_label(b.dari, b.sampai)) for b in v.brackets],
        counts["L"],
        counts["P"],
        (sum(dead["L"]), sum(dead["P"])),
        extra=_bracket_extra(v.brackets),
    )


# akseptor KB: share of each sex and age band using a method, and the methods' mix
# (OpenSID's tweb_cara_kb: 1 Pil, 2 IUD, 3 Suntik, 4 Kondom, 5 Susuk KB, 6 Sterilisasi
# Wanita, 7 Sterilisasi Pria, 99 Lainnya)
_KB_USERS: dict[tuple[Sex, int], float] = {
    ("P", 16): 0.05, ("P", 19): 0.42, ("P", 25): 0.58, ("P", 40): 0.3,
    ("L", 19): 0.004, ("L", 25): 0.02, ("L", 40): 0.02,
}  # fmt: skip
_KB_METHODS: dict[Sex, Weights] = {
    "P": {"1": 0.2, "2": 0.08, "3": 0.5, "5": 0.11, "6": 0.04, "99": 0.02},
    "L": {"4": 0.8, "7": 0.15, "99": 0.05},
}


def _akseptor_kb(stat: StatDef, v: VillageState) -> dict:
    """Residents using a method; everyone else is belum mengisi (OpenSID counts every
    resident in 888)."""
    codes = _codes(stat)
    jitter = category_noise(codes, v.trait_rng(stat.slug), sigma=0.2)
    year_rng = v.year_rng(stat.slug)
    counts = {sex: [0] * len(codes) for sex in SEXES}
    for sex in SEXES:
        weights = [_KB_METHODS[sex].get(c, 0.0) * jitter[c] for c in codes]
        for lo, hi in AGE_BANDS:
            users = share_of(band_total(v.ages[sex], lo, hi), _KB_USERS.get((sex, lo), 0.0))
            for i, c in enumerate(apportion(users, weights, year_rng)):
                counts[sex][i] += c
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], v.penduduk)


def _married_under_ktp_age(v: VillageState) -> dict[Sex, int]:
    """Residents below 17 who are (or were) married: they must hold a KTP too."""
    return {sex: share_of(v.ages[sex][16], 1 - _KAWIN[(16, sex)]["1"]) for sex in SEXES}


def _wajib_ktp(v: VillageState) -> tuple[int, int]:
    married = _married_under_ktp_age(v)
    return tuple(  # type: ignore[return-value]
        sum(v.ages[sex][KTP_AGE:]) + married[sex] for sex in SEXES
    )


_KTP_NEW: Weights = {"1": 0.3, "2": 0.25, "3": 0.1, "6": 0.05, "7": 0.15, "8": 0.15}
_KTP_ADULT: Weights = {
    "1": 0.05, "2": 0.07, "3": 0.12, "4": 0.02, "5": 0.01, "6": 0.02, "7": 0.68, "8": 0.01,
}  # fmt: skip


def _kepemilikan_ktp(stat: StatDef, v: VillageState) -> dict:
    """KTP-el recording status of residents who must hold one (17+ or ever married)."""
    codes = _codes(stat)
    trait_rng, year_rng = v.trait_rng(stat.slug), v.year_rng(stat.slug)
    jitter = category_noise(codes, trait_rng, sigma=0.2)
    unset = trait_rng.uniform(0.01, 0.06)  # status_rekam never filled in
    married = _married_under_ktp_age(v)
    counts = {sex: [0] * len(codes) for sex in SEXES}
    for sex in SEXES:
        groups = (
            (band_total(v.ages[sex], KTP_AGE, 18) + married[sex], _KTP_NEW),
            (band_total(v.ages[sex], 19, MAX_AGE), _KTP_ADULT),
        )
        for n, table in groups:
            recorded = share_of(n, 1 - unset)
            weights = [table.get(c, 0.0) * jitter[c] for c in codes]
            for i, c in enumerate(apportion(recorded, weights, year_rng)):
                counts[sex][i] += c
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], _wajib_ktp(v))


_KIA: Weights = {"7": 0.6, "3": 0.15, "8": 0.25}  # CARD ISSUED, CARD PRINTED, BELUM WAJIB


def _kepemilikan_kia(stat: StatDef, v: VillageState) -> dict:
    """Children (17 and younger) holding a KIA, by the recording status of their card."""
    codes = _codes(stat)
    share = v.trait_rng(stat.slug).uniform(0.35, 0.65)
    year_rng = v.year_rng(stat.slug)
    anak = {sex: sum(v.ages[sex][: KTP_AGE + 1]) for sex in SEXES}
    counts = {
        sex: apportion(share_of(anak[sex], share), [_KIA.get(c, 0.0) for c in codes], year_rng)
        for sex in SEXES
    }
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], (anak["L"], anak["P"]))


def _status_kehamilan(stat: StatDef, v: VillageState) -> dict:
    """Women only: pregnant (1), recorded as not pregnant (2); most are never filled in."""
    rng = v.trait_rng(stat.slug)
    fertile = band_total(v.ages["P"], 15, 49)
    hamil = share_of(fertile, rng.uniform(0.025, 0.05))
    tidak = share_of(fertile - hamil, rng.uniform(0.2, 0.7))
    per_code = {"1": hamil, "2": tidak}
    perempuan = [per_code.get(c, 0) for c in _codes(stat)]
    return statistic_entry(stat, stat.codes, [0] * len(perempuan), perempuan, (0, v.penduduk[1]))


def _buku_nikah(stat: StatDef, v: VillageState) -> dict:
    """Residents ever married (KAWIN, CERAI HIDUP, CERAI MATI) holding a marriage book;
    BELUM KAWIN is never counted."""
    kawin = v.rows_of("status-perkawinan")
    rng = v.trait_rng(stat.slug)
    share = {"2": rng.uniform(0.6, 0.85), "3": rng.uniform(0.3, 0.6), "4": rng.uniform(0.4, 0.7)}
    laki = [share_of(kawin[c]["laki"], share[c]) if c in share else 0 for c in _codes(stat)]
    perempuan = [
        share_of(kawin[c]["perempuan"], share[c]) if c in share else 0 for c in _codes(stat)
    ]
    whole = tuple(sum(kawin[c][f] for c in share) for f in ("laki", "perempuan"))
    return statistic_entry(stat, stat.codes, laki, perempuan, whole)  # type: ignore[arg-type]


# share of each occupation registered with BPJS Ketenagakerjaan
_BPJS_TK: Weights = {
    "5": 0.35, "6": 0.5, "7": 0.5, "15": 0.45, "16": 0.9, "17": 0.8, "18": 0.15, "85": 0.6,
    "86": 1.0, "65": 0.3, "64": 0.5, "72": 0.4, "73": 0.4, "74": 0.4, "75": 0.4, "13": 0.05,
    "14": 0.04, "81": 0.05, "19": 0.02, "20": 0.01, "9": 0.005, "88": 0.02, "11": 0.02,
}  # fmt: skip


def _bpjs_ketenagakerjaan(stat: StatDef, v: VillageState) -> dict:
    """Residents with BPJS Ketenagakerjaan, by occupation: mostly formal workers."""
    kerja = v.rows_of("pekerjaan")
    factor = v.trait_rng(stat.slug).uniform(0.7, 1.2)
    counts = {
        sex: [
            share_of(kerja[c][field] if c in kerja else 0, min(1.0, _BPJS_TK.get(c, 0.0) * factor))
            for c in _codes(stat)
        ]
        for sex, field in (("L", "laki"), ("P", "perempuan"))
    }
    if "86" in _codes(stat) and "86" in kerja:  # every kepala desa is insured
        i = _codes(stat).index("86")
        counts["L"][i], counts["P"][i] = kerja["86"]["laki"], kerja["86"]["perempuan"]
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], v.penduduk)


def _status_asuransi(stat: StatDef, v: VillageState) -> dict:
    """Holders of BPJS (asuransi 2 and 3) with an active (1) or lapsed (0) membership; the
    others have no status."""
    asuransi = v.rows_of("asuransi-kesehatan")
    rng = v.trait_rng(stat.slug)
    aktif_share, lapsed_share = rng.uniform(0.75, 0.9), rng.uniform(0.4, 0.8)
    counts: dict[Sex, list[int]] = {}
    for sex, field in (("L", "laki"), ("P", "perempuan")):
        holders = sum(asuransi[c][field] for c in ("2", "3") if c in asuransi)
        aktif = share_of(holders, aktif_share)
        lapsed = share_of(holders - aktif, lapsed_share)
        counts[sex] = [{"1": aktif, "0": lapsed}.get(c, 0) for c in _codes(stat)]
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], v.penduduk)


def _suku_weights(t: Traits, rng: random.Random) -> dict[str, float]:
    """Ethnic groups of Bengkulu Utara and how a village of this kind mixes them."""
    if t.enggano:
        base = {"Enggano": 0.6, "Jawa": 0.12, "Serawai": 0.08, "Bugis": 0.08, "Batak": 0.05,
                "Minang": 0.04, "Rejang": 0.03}  # fmt: skip
    elif t.transmigrasi:
        base = {"Jawa": 0.6, "Sunda": 0.1, "Rejang": 0.12, "Serawai": 0.06, "Bali": 0.04,
                "Batak": 0.03, "Minang": 0.03, "Madura": 0.02}  # fmt: skip
    elif t.coastal:
        base = {"Rejang": 0.3, "Serawai": 0.2, "Melayu": 0.12, "Jawa": 0.15, "Minang": 0.08,
                "Bugis": 0.07, "Pekal": 0.05, "Batak": 0.03}  # fmt: skip
    else:
        base = {"Rejang": 0.55, "Jawa": 0.18, "Serawai": 0.07, "Lembak": 0.05, "Minang": 0.05,
                "Sunda": 0.03, "Batak": 0.03, "Melayu": 0.03, "Pekal": 0.01}  # fmt: skip
    if t.transmigrasi and rng.random() < 0.25:
        base["Bali"] = base.get("Bali", 0.0) + rng.uniform(0.1, 0.3)
    return {name: w * math.exp(rng.gauss(0.0, 0.35)) for name, w in base.items()}


def _suku(stat: StatDef, v: VillageState) -> dict:
    """Free text (the label is the code), typed the village's way (Rejang or REJANG); rows
    are the groups present, in OpenSID's GROUP BY order (alphabetical, case-insensitive)."""
    rng = v.trait_rng(stat.slug)
    year_rng = v.year_rng(stat.slug)
    weights = _suku_weights(v.traits, rng)
    upper = rng.random() < 0.3
    unset = rng.uniform(0.05, 0.6)  # many operators leave suku empty
    names = sorted(weights, key=str.casefold)
    counts = {}
    for sex, n in zip(SEXES, v.penduduk, strict=True):
        counts[sex] = apportion(share_of(n, 1 - unset), [weights[s] for s in names], year_rng)
    present = [i for i, _ in enumerate(names) if counts["L"][i] + counts["P"][i] > 0]
    labels = [names[i].upper() if upper else names[i] for i in present]
    return statistic_entry(
        stat,
        [(label, label) for label in labels],
        [counts["L"][i] for i in present],
        [counts["P"][i] for i in present],
        v.penduduk,
    )


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


def _first(label: str, table: Sequence[tuple[str, float]], default: float) -> float:
    return next((w for word, w in table if word in label), default)


def _hubungan_kk(stat: StatDef, v: VillageState) -> dict:
    """Relationship to the head of family: the KEPALA KELUARGA row equals the number of
    families, split by sex as in kelas-sosial; everyone else by age band and sex."""
    labels = [label.upper() for _, label in stat.codes]
    head = next(i for i, lb in enumerate(labels) if "KEPALA" in lb)
    year_rng = v.year_rng(stat.slug)
    jitter = category_noise(_codes(stat), v.trait_rng(stat.slug), sigma=0.15)
    fallback = next(i for i, lb in enumerate(labels) if "LAINNYA" in lb)
    counts: dict[Sex, list[int]] = {}
    for sex in SEXES:
        sizes = [band_total(v.ages[sex], lo, hi) for lo, hi, _ in _HEAD_BANDS]
        n_heads = min(v.keluarga_heads[sex], sum(sizes))
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
            n = band_total(v.ages[sex], lo, hi) - heads_at.get(16 if lo == 0 else lo, 0)
            table = _HUBUNGAN[(sex, lo)]
            weights = [
                0.0 if i == head else _first(lb, table, 0.0) * jitter[stat.codes[i][0]]
                for i, lb in enumerate(labels)
            ]
            if sum(weights) <= 0:
                weights = [1.0 if i == fallback else 0.0 for i in range(len(labels))]
            for i, c in enumerate(apportion(n, weights, year_rng)):
                row[i] += c
        counts[sex] = row
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], v.penduduk)


_KELAS: tuple[Weights, Weights] = (
    {"1": 0.22, "2": 0.3, "3": 0.27, "4": 0.16, "5": 0.05},  # families headed by a man
    {"1": 0.4, "2": 0.3, "3": 0.18, "4": 0.09, "5": 0.03},  # by a woman
)


def _kelas_sosial(stat: StatDef, v: VillageState) -> dict:
    """Families (keluarga aktif) by welfare class, split by the sex of their head."""
    codes = _codes(stat)
    trait_rng, year_rng = v.trait_rng(stat.slug, "mix"), v.year_rng(stat.slug)
    jitter = category_noise(codes, trait_rng)
    share = _belum_share(trait_rng)
    counts = {}
    for sex, table in zip(SEXES, _KELAS, strict=True):
        units = v.keluarga_heads[sex]
        classed = units - round(units * share)
        counts[sex] = apportion(classed, [table.get(c, 0.01) * jitter[c] for c in codes], year_rng)
    heads = (v.keluarga_heads["L"], v.keluarga_heads["P"])
    return statistic_entry(stat, stat.codes, counts["L"], counts["P"], heads)


def _bdt(stat: StatDef, v: VillageState) -> dict:
    """Households (rumah tangga) in the BDT, the unified social registry: poorer,
    female-headed households more often."""
    rng = v.trait_rng(stat.slug)
    share = rng.uniform(0.25, 0.45)
    terdata = [
        share_of(v.rt_heads["L"], share),
        share_of(v.rt_heads["P"], min(1.0, share * 1.4)),
    ]
    codes = _codes(stat)
    laki = [terdata[0] if i == 0 else 0 for i in range(len(codes))]
    perempuan = [terdata[1] if i == 0 else 0 for i in range(len(codes))]
    return statistic_entry(stat, stat.codes, laki, perempuan, (v.rt_heads["L"], v.rt_heads["P"]))


def _default_mix(stat: StatDef, v: VillageState) -> dict:
    """A statistic the generator has no mix for (added to the catalogue later): a falling
    share per category over the statistic's whole, or everyone not filled in."""
    whole = {
        "keluarga": (v.keluarga_heads["L"], v.keluarga_heads["P"]),
        "rumah_tangga": (v.rt_heads["L"], v.rt_heads["P"]),
    }.get(stat.unit, v.penduduk)
    if not stat.codes:
        return statistic_entry(stat, (), [], [], whole)
    rng = v.year_rng(stat.slug)
    weights = [1.0 / (i + 1) ** 1.5 for i in range(len(stat.codes))]
    laki = apportion(round(whole[0] * 0.9), weights, rng)
    perempuan = apportion(round(whole[1] * 0.9), weights, rng)
    return statistic_entry(stat, stat.codes, laki, perempuan, whole)


BUILDERS: dict[str, Callable[[StatDef, VillageState], dict]] = {
    "jenis-kelamin": _jenis_kelamin,
    "rentang-umur": _rentang_umur,
    "kategori-umur": _kategori_umur,
    "akseptor-kb": _akseptor_kb,
    "akta-kelahiran": _akta_kelahiran,
    "kepemilikan-ktp": _kepemilikan_ktp,
    "hubungan-kk": _hubungan_kk,
    "suku": _suku,
    "status-kehamilan": _status_kehamilan,
    "buku-nikah": _buku_nikah,
    "akta-kematian": _akta_kematian,
    "bpjs-ketenagakerjaan": _bpjs_ketenagakerjaan,
    "status-asuransi-kesehatan": _status_asuransi,
    "kepemilikan-kia": _kepemilikan_kia,
    "kelas-sosial": _kelas_sosial,
    "bdt": _bdt,
}
# built first: others derive from them
DERIVED_FROM = ("status-perkawinan", "pekerjaan", "asuransi-kesehatan")


def build_statistic(stat: StatDef, v: VillageState) -> dict:
    if stat.slug in BUILDERS:
        return BUILDERS[stat.slug](stat, v)
    if stat.slug in PENDUDUK_MIXES:
        return _penduduk_mix(stat, v)
    return _default_mix(stat, v)
