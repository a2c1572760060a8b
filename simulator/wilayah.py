"""A village's dusun, RW and RT, with families and residents counted in each."""

from __future__ import annotations

import math

from simulator.numbers import apportion
from simulator.population import BASE_YEAR, VillageState, population_size
from simulator.records import Dusun, Rt, Rw

_DUSUN_NAMES = (
    "SUKA MAJU", "SUKA MAKMUR", "SIDO MULYO", "TALANG BARU", "KARANG ANYAR", "PASAR LAMA",
    "TANJUNG HARAPAN", "AIR LELANGI", "BUKIT INDAH", "SUNGAI LIMAU", "TELAGA RAYA",
    "PADANG KUAS", "MEKAR JAYA", "SUMBER REJO", "MARGA SAKTI", "TUNAS HARAPAN", "AIR PUTIH",
    "KOTA BARU", "SIMPANG TIGA", "TANAH HITAM", "KAMPUNG BARU", "SUKA DAMAI", "MULYA JAYA",
    "AIR SEBAYUR",
)  # fmt: skip


def dusun_tree(v: VillageState, keluarga: int) -> tuple[tuple[Dusun, ...], str]:
    """The dusun → RW → RT tree with families and residents per RT (summing to the
    village's totals), and what the village calls a dusun."""
    rng = v.trait_rng("wilayah")
    year_rng = v.year_rng("wilayah")
    laki, perempuan = v.penduduk
    size = population_size(v.village, v.seed, BASE_YEAR)  # the tree does not grow each year
    n_dusun = max(2, min(9, round(size / 450 + rng.uniform(-1, 1))))
    with_rw = v.traits.kelurahan or rng.random() < 0.15
    names = rng.sample(_DUSUN_NAMES, n_dusun)
    shape: list[tuple[str, list[tuple[str, list[str]]]]] = []
    rt_number = 0
    for name in names:
        if with_rw:
            rws = []
            for r in range(rng.randint(1, 3)):
                rws.append((f"{r + 1:03d}", [f"{t + 1:03d}" for t in range(rng.randint(2, 4))]))
        else:
            rts = []
            for _ in range(rng.randint(2, 6)):
                rt_number += 1
                rts.append(f"{rt_number:03d}")
            rws = [("-", rts)]
        shape.append((name, rws))
    n_rt = sum(len(rts) for _, rws in shape for _, rts in rws)
    sizes = [math.exp(rng.gauss(0.0, 0.35)) for _ in range(n_rt)]
    fam = apportion(keluarga, sizes, year_rng)
    men = apportion(laki, sizes, year_rng)
    women = apportion(perempuan, sizes, year_rng)
    dusun, next_id, k = [], 1, 0
    for name, rws in shape:
        dusun_id, next_id = next_id, next_id + 1
        built_rws = []
        for rw, rts in rws:
            rw_id, next_id = next_id, next_id + 1
            built_rts = []
            for rt in rts:
                built_rts.append(Rt(next_id, rt, rw, fam[k], men[k], women[k]))
                next_id += 1
                k += 1
            built_rws.append(Rw(rw_id, rw, tuple(built_rts)))
        dusun.append(Dusun(dusun_id, name, tuple(built_rws)))
    return tuple(dusun), "Lingkungan" if v.traits.kelurahan else "Dusun"
