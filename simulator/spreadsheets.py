"""Deterministic demo spreadsheets for the health and education datasets.

No real puskesmas or school-office files exist offline, so the demo generates them: one CSV per
dataset and period in the OpenDK import template (`;`-separated with decimal commas, as an
Indonesian Excel saves them), loaded through `collectors.spreadsheet.import_file` so the demo
exercises the real import path. Every number comes from `random.Random` seeded with strings
("{seed}:{kode}:{dataset}:{periode}"), so the same arguments always give the same files.

Village sizes (penduduk, rumah tangga) come from `simulator.synthetic.village_record`, the
same source as the simulator, so households with a toilet never exceed the village's
households and school-age children follow its population.

Disease ids (`penyakit_id`) used for epidemi penyakit are OpenDK's (config.penyakit): 1 Demam
Berdarah, 2 Kolera, 3 Malaria, 4 Influensa. Imunisasi is OpenDK's whole number: the children
immunised in the month.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from config.datasets import BY_NAME, period_id
from config.registry import Village
from simulator.synthetic import village_record

if TYPE_CHECKING:
    from warehouse.store import Warehouse

__all__ = ["PENYAKIT", "SampleFile", "load_samples", "sample_files"]

# OpenDK's ids -> name; dengue and cholera peak in the rainy season, influenza in the dry one
PENYAKIT: dict[str, str] = {
    "1": "Demam Berdarah",
    "2": "Kolera",
    "3": "Malaria",
    "4": "Influensa",
}
# cases per 1,000 residents per month (base rate) and the month of the seasonal peak
_PENYAKIT_RATE = {"1": (0.25, 1), "2": (0.05, 12), "3": (0.3, 2), "4": (3.0, 8)}
MONTHLY = ("aki-akb", "imunisasi", "epidemi-penyakit", "toilet-sanitasi")
SEMESTERLY = ("tingkat-pendidikan", "putus-sekolah", "fasilitas-paud")
DELIMITER = ";"


@dataclass(frozen=True)
class SampleFile:
    """One import file: what to pass to `import_file` and the CSV text itself."""

    dataset: str
    tahun: int
    bulan: int | None
    semester: int | None
    penyakit_id: str | None
    filename: str
    csv: str

    @property
    def periode(self) -> str:
        return period_id(self.tahun, bulan=self.bulan, semester=self.semester)


@dataclass(frozen=True)
class _Size:
    penduduk: int
    rumah_tangga: int


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def _sizes(villages: Sequence[Village], seed: int, tahun: int) -> dict[str, _Size]:
    out = {}
    for v in villages:
        totals = village_record(v, seed=seed, tahun=tahun).document["totals"]
        out[v.kode_desa] = _Size(int(totals["penduduk"]["total"]), int(totals["rumah_tangga"]))
    return out


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=DELIMITER, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _decimal(value: float) -> str:
    """85.4 → "85,4": the way an Indonesian operator types a percentage."""
    return f"{value:.1f}".replace(".", ",")


def _months(tahun: int, months: int, end_month: int) -> list[tuple[int, int]]:
    """(tahun, bulan) of the `months` months ending with end_month of tahun, oldest first."""
    last = tahun * 12 + end_month - 1
    return [divmod(i, 12) for i in range(last - months + 1, last + 1)]


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth for small means, a rounded normal for large ones)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _monthly_files(
    villages: Sequence[Village], sizes: dict[str, _Size], tahun: int, bulan: int, seed: int
) -> list[SampleFile]:
    periode = period_id(tahun, bulan=bulan)
    aki, imun, toilet = [], [], []
    sakit: dict[str, list] = {p: [] for p in PENYAKIT}
    for v in villages:
        size = sizes[v.kode_desa]
        rng = _rng(seed, v.kode_desa, periode, "kesehatan")
        trait = _rng(seed, v.kode_desa, "kesehatan")  # constant per village: its character
        # about 18 births per 1,000 a year; maternal and infant deaths are rare events
        births = size.penduduk * 0.018 / 12
        aki.append([v.kode_desa, _poisson(rng, births * 0.003), _poisson(rng, births * 0.02)])
        base = trait.uniform(78, 96)
        coverage = min(100.0, max(70.0, base + rng.gauss(0, 3))) / 100
        # infants under one immunised this month: a whole number, as OpenDK stores it
        imun.append([v.kode_desa, round(size.penduduk * 0.018 * coverage)])
        for pid, (rate, peak) in _PENYAKIT_RATE.items():
            season = 1 + 0.8 * math.cos(2 * math.pi * (bulan - peak) / 12)
            mean = size.penduduk / 1000 * rate * season * trait.uniform(0.5, 1.5)
            sakit[pid].append([v.kode_desa, _poisson(rng, mean)])
        # households with a toilet grow slowly over the months; sanitation lags behind
        months_in = (tahun - 2020) * 12 + bulan
        share = min(0.98, trait.uniform(0.55, 0.85) + 0.002 * months_in)
        with_toilet = min(size.rumah_tangga, round(size.rumah_tangga * share))
        sanitasi = round(with_toilet * trait.uniform(0.6, 0.9))
        toilet.append([v.kode_desa, sanitasi, with_toilet])

    def make(dataset: str, header: list[str], rows: list, pid: str | None = None) -> SampleFile:
        name = f"{dataset}_{periode}" + (f"_penyakit{pid}" if pid else "") + ".csv"
        return SampleFile(dataset, tahun, bulan, None, pid, name, _csv(header, rows))

    files = [
        make("aki-akb", ["desa_id", "jumlah_aki", "jumlah_akb"], aki),
        make("imunisasi", ["desa_id", "cakupan_imunisasi"], imun),
    ]
    # OpenDK's form: one file per disease, the disease chosen on the form
    files += [
        make("epidemi-penyakit", ["desa_id", "jumlah_penderita"], sakit[pid], pid)
        for pid in PENYAKIT
    ]
    files.append(make("toilet-sanitasi", ["desa_id", "sanitasi", "toilet"], toilet))
    return files


def _semester_files(
    villages: Sequence[Village], sizes: dict[str, _Size], tahun: int, semester: int, seed: int
) -> list[SampleFile]:
    periode = period_id(tahun, semester=semester)
    pendidikan, sekolah, paud = [], [], []
    for v in villages:
        size = sizes[v.kode_desa]
        rng = _rng(seed, v.kode_desa, periode, "pendidikan")
        trait = _rng(seed, v.kode_desa, "pendidikan")
        adults = round(size.penduduk * trait.uniform(0.62, 0.7))
        weights = [
            trait.uniform(0.12, 0.25),  # tidak tamat sekolah
            trait.uniform(0.25, 0.35),  # SD
            trait.uniform(0.17, 0.23),  # SMP
            trait.uniform(0.18, 0.28),  # SMA
            trait.uniform(0.03, 0.10),  # diploma and higher
        ]
        counts = [round(adults * w / sum(weights)) for w in weights]
        pendidikan.append([v.kode_desa, *counts])

        # school-age shares of the population: PAUD 3–6, SD 7–12, SMP 13–15, SMA 16–18
        row: list[object] = [v.kode_desa]
        for age_share, (lo, hi) in (
            (0.07, (0.35, 0.7)),
            (0.11, (0.95, 1.0)),
            (0.055, (0.8, 0.96)),
            (0.055, (0.6, 0.88)),
        ):
            anak = max(1, round(size.penduduk * age_share * rng.uniform(0.93, 1.07)))
            siswa = min(anak, round(anak * trait.uniform(lo, hi) * rng.uniform(0.97, 1.03)))
            row += [siswa, anak]
        sekolah.append(row)

        lembaga = max(1, round(size.penduduk / 900 * trait.uniform(0.6, 1.4)))
        guru = lembaga * trait.randint(2, 4) + rng.randint(0, 1)
        paud.append([v.kode_desa, lembaga, guru, row[1]])  # the PAUD pupils counted above

    def make(dataset: str, rows: list) -> SampleFile:
        header = ["desa_id", *(col for col, _ in BY_NAME[dataset].template)]
        name = f"{dataset}_{periode}.csv"
        return SampleFile(dataset, tahun, None, semester, None, name, _csv(header, rows))

    return [
        make("tingkat-pendidikan", pendidikan),
        make("putus-sekolah", sekolah),
        make("fasilitas-paud", paud),
    ]


def sample_files(
    villages: Sequence[Village],
    *,
    tahun: int,
    months: int = 12,
    seed: int = 0,
    end_month: int = 12,
) -> list[SampleFile]:
    """Import files for the `months` months ending with `end_month` of `tahun` (AKI & AKB,
    imunisasi, epidemi penyakit per disease, toilet & sanitasi) and for both semesters of
    `tahun` (tingkat pendidikan, putus sekolah, fasilitas PAUD), oldest period first."""
    sizes = _sizes(villages, seed, tahun)
    files: list[SampleFile] = []
    for year, month in _months(tahun, months, end_month):
        files += _monthly_files(villages, sizes, year, month + 1, seed)
    for semester in (1, 2):
        files += _semester_files(villages, sizes, tahun, semester, seed)
    return files


def load_samples(
    store: Warehouse, villages: Sequence[Village], *, tahun: int, seed: int = 0
) -> int:
    """Import every sample file through `import_file` (the real import path of
    collectors.spreadsheet); returns the number of files loaded.

    Raises ValueError naming the file if one is rejected (a bug in this generator)."""
    from collectors.spreadsheet import import_file
    from warehouse.accounts import Actor

    files = sample_files(villages, tahun=tahun, seed=seed)
    for f in files:
        report = import_file(
            store,
            f.dataset,
            f.csv.encode("utf-8"),
            f.filename,
            tahun=f.tahun,
            bulan=f.bulan,
            semester=f.semester,
            villages=list(villages),
            penyakit_id=f.penyakit_id,
            actor=Actor.system("demo"),  # the demo's own sample files
        )
        if not report.ok:
            raise ValueError(f"{f.filename}: {report.summary()}")
    return len(files)
