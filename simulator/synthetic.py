"""Deterministic, plausible villages, calibrated to Bengkulu Utara: the record of a village.

One `VillageRecord` per village and year: the village-summary v1 document (every statistic of
config/statistik.toml with the catalogue's ids and labels, the totals, programmes, APBDes and
projects) plus what only OpenSID's internal_api shows (every aid programme with its
recipients, every project with its progress entries, the dusun/RW/RT tree). Both routes of
the simulator render the same record, so their numbers agree.

Every number comes from `random.Random` instances seeded with strings such as
"{seed}:{kode digits}:agama", so the same (seed, village, tahun) always gives the same record
in every process. Village traits (size, mixes, edited age brackets, dusun, programme
calendar) depend on (seed, kode) only; the year changes the population size and the rounding.

The parts live beside this module: simulator.population (size, ages, traits, age brackets),
simulator.statistics (every statistic of the catalogue), simulator.programmes (aid and its
recipients), simulator.projects (pembangunan), simulator.wilayah (dusun, RW, RT),
simulator.apbdes, simulator.numbers (seeded randomness, integer splitting) and
simulator.records (what a record holds).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from functools import lru_cache

from config.registry import Village
from config.statistik import STATISTICS
from simulator.apbdes import apbdes_of
from simulator.numbers import apportion, seeded, stable_int
from simulator.population import (
    BASE_YEAR,
    KABUPATEN_PENDUDUK,
    SEX_RATIO,
    VillageState,
    age_brackets,
    ages_by_sex,
    has_edited_brackets,
    is_kelurahan,
    male_head_share,
    population_size,
    source_version,
    traits_of,
)
from simulator.programmes import BANTUAN_SASARAN, bantuan_statistic, pools_of, programmes_of
from simulator.projects import pembangunan_rows, projects_of
from simulator.records import (
    Programme,
    Project,
    VillageRecord,
    recipient_counts,
    running,
)
from simulator.statistics import DERIVED_FROM, build_statistic, triple
from simulator.wilayah import dusun_tree


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


def generated_at(tahun: int) -> str:
    """The fixed generation time of every document for a year (keeps ETags stable)."""
    return f"{tahun:04d}-11-20T03:00:00Z"


# ---------------------------------------------------------------- the record


def village_record(village: Village, *, seed: int = 0, tahun: int = BASE_YEAR) -> VillageRecord:
    """A complete, internally consistent record of the village in the year."""
    return _village_record(village, seed, tahun)


@lru_cache(maxsize=512)
def _village_record(village: Village, seed: int, tahun: int) -> VillageRecord:
    kode = village.kode_digits
    traits = traits_of(village, seed)
    size_rng = seeded(seed, kode, "sex")
    penduduk = population_size(village, seed, tahun)
    laki = round(penduduk * (SEX_RATIO / (100 + SEX_RATIO) + size_rng.gauss(0.0, 0.008)))
    perempuan = penduduk - laki
    keluarga = max(1, round(penduduk / size_rng.uniform(3.3, 3.8)))
    rumah_tangga = max(1, round(keluarga * size_rng.uniform(0.88, 0.97)))
    share = male_head_share(kode, seed)
    heads = {"L": round(keluarga * share), "P": keluarga - round(keluarga * share)}
    rt_heads = {"L": round(rumah_tangga * share), "P": rumah_tangga - round(rumah_tangga * share)}
    v = VillageState(
        village=village,
        traits=traits,
        seed=seed,
        tahun=tahun,
        ages=ages_by_sex(village, laki, perempuan, seed, tahun),
        keluarga_heads=heads,
        rt_heads=rt_heads,
        brackets=age_brackets(kode, seed),
        built={},
    )
    by_slug = {s.slug: s for s in STATISTICS}
    for slug in DERIVED_FROM:
        if slug in by_slug:
            v.built[slug] = build_statistic(by_slug[slug], v)
    for stat in STATISTICS:
        if stat.slug not in v.built and stat.slug not in BANTUAN_SASARAN:
            v.built[stat.slug] = build_statistic(stat, v)

    dusun, sebutan = dusun_tree(v, keluarga)
    programmes = programmes_of(v)
    wholes = {"bantuan-penduduk": (laki, perempuan), "bantuan-keluarga": (heads["L"], heads["P"])}
    for stat in STATISTICS:
        if stat.slug in BANTUAN_SASARAN:
            v.built[stat.slug] = bantuan_statistic(stat, programmes, wholes[stat.slug], tahun)
    projects = projects_of(v, dusun)

    rng = seeded(seed, kode, tahun, "datasets")
    last_updated = _data_last_updated(rng, tahun)
    apbdes = apbdes_of(traits.kelurahan, rng, tahun)
    bantuan = [
        {"program_id": str(p.id), "nama": p.nama, "sasaran": p.sasaran, "asal_dana": p.asaldana,
         "mulai": p.sdate, "selesai": p.edate, "peserta": len(p.recipients)}
        for p in programmes
        if p.runs_in(tahun)
    ]  # fmt: skip
    document = {
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
            "penduduk": triple(laki, perempuan),
            "keluarga": keluarga,
            "rumah_tangga": rumah_tangga,
        },
        "statistics": [v.built[stat.slug] for stat in STATISTICS],
        "bantuan": bantuan,
        "apbdes": apbdes,
        "pembangunan": pembangunan_rows(projects, dusun),
    }
    return VillageRecord(
        document=document,
        brackets=v.brackets,
        programmes=programmes,
        projects=projects,
        dusun=dusun,
        sebutan_dusun=sebutan,
        pools=pools_of(v),
        keluarga_heads=dict(heads),
        tahun=tahun,
    )


def village_document(village: Village, *, seed: int = 0, tahun: int = BASE_YEAR) -> dict:
    """A complete, internally consistent village-summary v1 document (a fresh copy)."""
    return json.loads(document_bytes(village_record(village, seed=seed, tahun=tahun).document))


def document_bytes(document: Mapping) -> bytes:
    """The canonical JSON encoding of a document (UTF-8, compact, key order kept)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def find_statistic(document: Mapping, key_or_slug: str) -> dict | None:
    """The `statistics[]` entry with this OpenSID key or slug, or None."""
    for entry in document.get("statistics", ()):
        if entry.get("key") == key_or_slug or entry.get("slug") == key_or_slug:
            return entry
    return None


__all__ = [
    "BASE_YEAR",
    "KABUPATEN_PENDUDUK",
    "Programme",
    "Project",
    "VillageRecord",
    "generated_at",
    "age_brackets",
    "apportion",
    "document_bytes",
    "find_statistic",
    "has_edited_brackets",
    "recipient_counts",
    "running",
    "source_version",
    "stable_int",
    "village_document",
    "village_record",
]
