"""A village's development projects (`pembangunan`) of every year with their progress."""

from __future__ import annotations

from collections.abc import Sequence

from simulator.numbers import seeded
from simulator.population import PEMBANGUNAN_SINCE, VillageState
from simulator.records import Dusun, Progress, Project

SUMBER_DANA = (  # OpenSID's list (Referensi_model SUMBER_DANA)
    "Pendapatan Asli Daerah",
    "Alokasi Anggaran Pendapatan dan Belanja Negara (Dana Desa)",
    "Bagian Hasil Pajak Daerah dan Retribusi Daerah Kabupaten/Kota",
    "Alokasi Dana Desa",
    "Bantuan Keuangan dari APBD Provinsi dan APBD Kabupaten/Kota",
    "Hibah dan Sumbangan yang Tidak Mengikat dari Pihak Ketiga",
    "Lain-lain Pendapatan Desa yang Sah",
)
_PROYEK = (  # judul, volume, min, max, cost per unit, manfaat
    ("Rabat Beton Jalan Dusun {d}", "{n} m", 100, 400, 400_000, "Memperlancar akses warga"),
    ("Pembangunan Drainase RT {r}", "{n} m", 80, 300, 350_000, "Mencegah genangan air"),
    ("Pembangunan Talud Penahan Tanah {d}", "{n} m", 30, 120, 900_000,
     "Mencegah longsor di tepi jalan"),
    ("Pembangunan Sumur Bor {d}", "{n} unit", 1, 3, 45_000_000, "Air bersih untuk warga"),
    ("Pengadaan Lampu Jalan Tenaga Surya", "{n} unit", 5, 20, 8_500_000,
     "Penerangan jalan desa"),
    ("Rehab Gedung Posyandu {d}", "1 unit", 1, 1, 60_000_000, "Pelayanan kesehatan ibu dan anak"),
    ("Pembangunan Jembatan Beton {d}", "{n} m", 6, 20, 9_000_000, "Menghubungkan antar dusun"),
    ("Pembangunan Gorong-gorong RT {r}", "{n} unit", 1, 4, 15_000_000, "Saluran air jalan"),
    ("Pembangunan Jalan Usaha Tani {d}", "{n} m", 200, 800, 250_000,
     "Mempermudah angkut hasil kebun"),
    ("Pembangunan MCK Umum {d}", "1 unit", 1, 1, 55_000_000, "Sanitasi warga"),
)  # fmt: skip
_PROGRES_NOTE = {"0%": "Pekerjaan persiapan", "30%": "Pengerjaan tahap awal",
                 "80%": "Hampir selesai", "95": "Tinggal finishing",
                 "100%": "Pekerjaan selesai"}  # fmt: skip
_PROGRES_STEPS = ("30%", "80%", "100%")  # the form's list offers 0/30/80/100 %


def _year_projects(
    v: VillageState, year: int, first_id: int, dusun: Sequence[Dusun], pelaksana: str
) -> list[Project]:
    """The projects of one budget year: the same in every later year's record, except the
    progress reports, which appear as the year goes on."""
    rng = seeded(v.seed, v.kode, year, "pembangunan")
    count = rng.randint(1, 3) if v.traits.kelurahan else rng.randint(4, 9)
    clusters = [(rw, d) for d in dusun for rw in d.rws] + [
        (rt, d) for d in dusun for rw in d.rws for rt in rw.rts
    ]
    today = f"{v.tahun:04d}-11-20 00:00:00"
    out = []
    for i in range(count):
        judul, volume, lo, hi, unit_cost, manfaat = rng.choice(_PROYEK)
        place = rng.choice(clusters)
        dusun_name = place[1].nama.title()
        n = rng.randint(lo, hi)
        anggaran = int(round(n * unit_cost * rng.uniform(0.85, 1.15) / 100_000) * 100_000)
        if v.traits.kelurahan:
            sumber = SUMBER_DANA[4]
            biaya = (0, 0, anggaran, 0)
        else:
            sumber = rng.choice((SUMBER_DANA[1], SUMBER_DANA[1], SUMBER_DANA[1], SUMBER_DANA[3],
                                 SUMBER_DANA[0]))  # fmt: skip
            swadaya = rng.choice((0, 0, 0, int(anggaran * 0.05) // 1000 * 1000))
            biaya = (anggaran - swadaya, 0, 0, swadaya)
        month = rng.randint(2, 6)
        created = f"{year:04d}-{month:02d}-{rng.randint(1, 28):02d} {rng.randint(8, 15):02d}:" \
                  f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"  # fmt: skip
        roll = rng.random()
        if roll < 0.25:
            steps: tuple[str, ...] = ()  # nobody reported progress
        elif roll < 0.32:
            steps = ("0%",)
        elif roll < 0.37:
            steps = ("95", "100%")  # a hand-typed percentage
        else:
            steps = _PROGRES_STEPS[: rng.choice((1, 2, 3, 3, 3))]
        progress, day = [], 0
        for k, step in enumerate(steps):
            day += rng.randint(20, 70)
            stamp = _add_days(year, month, day)
            tanggal = f"{stamp} {rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}:00"
            if stamp <= today[:10]:  # reported by now
                note = _PROGRES_NOTE.get(step, "Laporan kemajuan")
                progress.append(Progress((first_id + i) * 10 + k, step, note, tanggal))
        with_cluster = rng.random() < 0.8
        ident = first_id + i
        out.append(
            Project(
                id=ident,
                judul=judul.format(d=dusun_name, r=f"{rng.randint(1, 12):02d}"),
                keterangan=rng.choice(
                    ("", "Sesuai RKPDes", f"Kegiatan tahun {year}", "Swakelola")
                ),  # fmt: skip
                sumber_dana=sumber,
                anggaran=anggaran,
                perubahan_anggaran=rng.choice((0, 0, 0, None)),
                biaya=biaya,
                volume=volume.format(n=n),
                tahun_anggaran=year,
                pelaksana=pelaksana,
                lokasi=None if with_cluster else f"Jalan Poros Desa Km {rng.randint(1, 9)}",
                cluster_id=place[0].id if with_cluster else None,
                manfaat=manfaat,
                waktu=rng.randint(1, 6),
                satuan_waktu=rng.choice((2, 3, 3)),
                sifat_proyek=rng.choice(("BARU", "BARU", "BARU", "LANJUTAN")),
                active=rng.random() > 0.05,
                created_at=created,
                progress=tuple(progress),
            )
        )
    return out


def _add_days(year: int, month: int, days: int) -> str:
    from datetime import date, timedelta

    return (date(year, month, 1) + timedelta(days=days)).isoformat()


def projects_of(v: VillageState, dusun: Sequence[Dusun]) -> tuple[Project, ...]:
    pelaksana = (
        f"LPM Kelurahan {v.village.nama_desa}"
        if v.traits.kelurahan
        else f"TPK Desa {v.village.nama_desa}"
    )
    out: list[Project] = []
    for year in range(PEMBANGUNAN_SINCE, v.tahun + 1):
        out += _year_projects(v, year, len(out) + 1, dusun, pelaksana)
    return tuple(out)


def pembangunan_rows(projects: Sequence[Project], dusun: Sequence[Dusun]) -> list[dict]:
    """The active projects as summary v1 lists them (progres 0 where none was reported)."""
    places = _places(dusun)
    return [
        {
            "id": str(p.id),
            "judul": p.judul,
            "sumber_dana": p.sumber_dana,
            "anggaran": p.anggaran,
            "volume": p.volume,
            "tahun_anggaran": p.tahun_anggaran,
            "pelaksana": p.pelaksana,
            "lokasi": p.lokasi if p.cluster_id is None else places[p.cluster_id],
            "progres": p.progres or 0,
        }
        for p in projects
        if p.active
    ]


def _places(dusun: Sequence[Dusun]) -> dict[int, str]:
    """How OpenSID writes a location: "RT 001 / RW - - SUKA MAJU" (RW rows: "RT - / …")."""
    out = {}
    for d in dusun:
        for rw in d.rws:
            out[rw.id] = f"RT - / RW {rw.rw} - {d.nama}"
            for rt in rw.rts:
                out[rt.id] = f"RT {rt.rt} / RW {rt.rw} - {d.nama}"
    return out
