"""A desa's APBDes: accounts whose parents are the sums of their children."""

from __future__ import annotations

import random


def _rupiah(value: float, step: int = 1000) -> int:
    return int(round(value / step) * step)


def apbdes_of(kelurahan: bool, rng: random.Random, tahun: int) -> list[dict]:
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
