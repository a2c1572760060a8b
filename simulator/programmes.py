"""A village's aid programmes (OpenSID's `program`) and who receives them."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from config.statistik import StatDef
from simulator.numbers import stable_int
from simulator.population import MAX_AGE, SEXES, Sex, VillageState, band_total
from simulator.records import Programme, recipient_counts, running, sex_counts
from simulator.statistics import statistic_entry

_NDESC = {
    "PKH": "Program Keluarga Harapan: bantuan sosial bersyarat untuk keluarga miskin yang "
    "terdaftar di DTKS.",
    "BPNT": "Bantuan Pangan Non Tunai melalui kartu elektronik untuk membeli bahan pangan.",
    "Program Sembako": "Bantuan sembako bulanan bagi keluarga penerima manfaat.",
    "BLT Dana Desa": "Bantuan langsung tunai dari Dana Desa untuk keluarga miskin yang tidak "
    "menerima bantuan lain.",
    "BST Kemensos": "Bantuan Sosial Tunai selama pandemi.",
    "Bedah Rumah": "Perbaikan rumah tidak layak huni.",
    "PIP": "Program Indonesia Pintar untuk anak usia sekolah dari keluarga kurang mampu.",
    "Bantuan Sosial Lansia": "Bantuan bagi warga lanjut usia.",
    "Beasiswa Kabupaten": "Beasiswa pemerintah kabupaten untuk siswa berprestasi.",
    "Jamkesmas": "Jaminan kesehatan masyarakat bagi warga miskin.",
}


@dataclass
class _Plan:
    nama: str
    sasaran: int
    asaldana: str
    sdate: str
    edate: str
    ndesc: str
    recipients: list[tuple[int, Sex]]


def _pick(pool: Sequence[tuple[int, Sex]], n: int, rng: random.Random) -> list[tuple[int, Sex]]:
    n = max(0, min(n, len(pool)))
    return sorted(rng.sample(list(pool), n))


def _families(v: VillageState) -> list[tuple[int, Sex]]:
    men = v.keluarga_heads["L"]
    return [(f, "L" if f < men else "P") for f in range(men + v.keluarga_heads["P"])]


def _residents(v: VillageState, group: str) -> list[tuple[int, Sex]]:
    out = []
    for sex, (school, elderly, total) in pools_of(v).items():
        lo, hi = {"school": (0, school), "lansia": (school, school + elderly),
                  "all": (0, total)}[group]  # fmt: skip
        out += [(i, sex) for i in range(lo, hi)]
    return out


def pools_of(v: VillageState) -> dict[Sex, tuple[int, int, int]]:
    return {
        sex: (band_total(v.ages[sex], 6, 18), band_total(v.ages[sex], 60, MAX_AGE),
              sum(v.ages[sex]))
        for sex in SEXES
    }  # fmt: skip


def programmes_of(v: VillageState) -> tuple[Programme, ...]:
    """The village's programmes as of its year, ids in the order they were created (by start
    date), each with its recipients. Families in PKH mostly get Sembako too (so the
    keluarga rows overlap); BLT Dana Desa goes to families with neither."""
    t = v.tahun
    trait = v.trait_rng("programmes")
    rng = v.year_rng("programmes")
    families = _families(v)
    keluarga = len(families)
    female_share = v.keluarga_heads["P"] / keluarga if keluarga else 0.0
    plans: list[_Plan] = []

    def plan(nama: str, sasaran: int, asal: str, start: str, end: str, chosen) -> _Plan:
        base = nama.split(" 20")[0]
        p = _Plan(nama, sasaran, asal, start, end, _NDESC.get(base, nama), chosen)
        if int(start[:4]) <= t:
            plans.append(p)
        return p

    def biased(pool: Sequence[tuple[int, Sex]], n: int) -> list[tuple[int, Sex]]:
        """n families, female-headed ones about twice as likely as their share."""
        women = [f for f in pool if f[1] == "P"]
        men = [f for f in pool if f[1] == "L"]
        n_women = min(len(women), round(n * min(0.6, 2 * female_share)))
        return sorted(_pick(women, n_women, rng) + _pick(men, n - n_women, rng))

    pkh = biased(families, round(keluarga * rng.uniform(0.08, 0.16)))
    plan("PKH", 2, "Pusat", "2016-01-04", "2030-12-31", pkh)
    in_pkh = set(pkh)
    if trait.random() < 0.6:
        overlap = _pick(pkh, round(len(pkh) * 0.5), rng)
        rest = [f for f in families if f not in in_pkh]
        chosen = overlap + _pick(rest, round(keluarga * rng.uniform(0.05, 0.12)), rng)
        plan("BPNT", 2, "Pusat", "2018-02-01", "2020-12-31", sorted(chosen))
    sembako_n = round(keluarga * rng.uniform(0.12, 0.22))
    overlap = _pick(pkh, min(len(pkh), round(sembako_n * rng.uniform(0.4, 0.7))), rng)
    others = _pick([f for f in families if f not in in_pkh], sembako_n - len(overlap), rng)
    sembako = sorted(overlap + others)
    plan("Program Sembako", 2, "Pusat", "2021-01-04", "2030-12-31", sembako)
    if trait.random() < 0.4:
        plan("BST Kemensos", 2, "Pusat", "2020-04-01", "2021-12-31",
             _pick(families, round(keluarga * rng.uniform(0.05, 0.1)), rng))  # fmt: skip
    if not v.traits.kelurahan:  # BLT is paid from the Dana Desa, which kelurahan lack
        helped = in_pkh | set(sembako)
        poor_free = [f for f in families if f not in helped]
        for year in range(2021, t + 1):
            if stable_int(v.seed, v.kode, year, "blt") % 100 < 85:
                n = round(keluarga * rng.uniform(0.04, 0.09))
                plan(f"BLT Dana Desa {year}", 2, "Dana Desa", f"{year}-02-01", f"{year}-12-31",
                     _pick(poor_free, n, rng))  # fmt: skip
    if trait.random() < 0.3:
        year = 2022 + stable_int(v.seed, v.kode, "rtlh") % 4
        plan(f"Bedah Rumah {year}", 2, "Kab/Kota", f"{year}-03-01", f"{year}-11-30",
             _pick(families, rng.randint(1, 6), rng))  # fmt: skip
    if trait.random() < 0.25:
        residents = _residents(v, "all")
        plan("Jamkesmas", 1, "Pusat", "2008-12-13", "2013-12-31",
             _pick(residents, round(len(residents) * rng.uniform(0.03, 0.08)), rng))  # fmt: skip
    school = _residents(v, "school")
    pip = _pick(school, round(len(school) * rng.uniform(0.1, 0.2)), rng)
    plan("PIP", 1, "Pusat", "2019-07-15", "2030-06-30", pip)
    if trait.random() < 0.3:
        lansia = _residents(v, "lansia")
        plan("Bantuan Sosial Lansia", 1, "Provinsi", "2023-03-01", "2025-12-31",
             _pick(lansia, round(len(lansia) * rng.uniform(0.05, 0.15)), rng))  # fmt: skip
    if trait.random() < 0.2:  # mostly PIP pupils: they overlap
        year = 2025 + stable_int(v.seed, v.kode, "beasiswa") % 2
        chosen = _pick(pip, rng.randint(3, 12), rng) + _pick(school, rng.randint(0, 3), rng)
        plan(f"Beasiswa Kabupaten {year}", 1, "Kab/Kota", f"{year}-08-01", f"{year}-12-31",
             sorted(set(chosen)))  # fmt: skip
    plans.sort(key=lambda p: (p.sdate, p.nama))
    return tuple(
        Programme(i, p.nama, p.sasaran, p.asaldana, p.sdate, p.edate, p.ndesc,
                  tuple(p.recipients))
        for i, p in enumerate(plans, 1)
    )  # fmt: skip


def bantuan_statistic(
    stat: StatDef, programmes: Sequence[Programme], whole: tuple[int, int], tahun: int
) -> dict:
    """A row per programme of the target running in the year; jumlah (666) counts each
    recipient once however many programmes they get."""
    sasaran = BANTUAN_SASARAN[stat.slug]
    chosen = running(programmes, sasaran, tahun)
    laki, perempuan = zip(*(sex_counts(p) for p in chosen), strict=True) if chosen else ((), ())
    return statistic_entry(
        stat,
        [(str(p.id), p.nama) for p in chosen],
        list(laki),
        list(perempuan),
        whole,
        jumlah=recipient_counts(chosen),
    )


BANTUAN_SASARAN = {"bantuan-penduduk": 1, "bantuan-keluarga": 2}  # slug -> programme target
