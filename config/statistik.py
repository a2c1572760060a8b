"""The catalogue of population statistics, read from `statistik.toml` (the one place for it).

Keys, reference ids and labels are OpenSID 2508's own (see the TOML's header); slugs are ours and
stable: URLs, CSV and the warehouse use them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("statistik.toml")
JENIS = ("kategori", "umur", "bebas", "rtm", "bantuan")


@dataclass(frozen=True)
class Bracket:
    """One age bracket of an `umur` statistic, as OpenSID's tweb_penduduk_umur holds it."""

    code: str
    label: str
    dari: int
    sampai: int


@dataclass(frozen=True)
class StatDef:
    key: str  # OpenSID internal_api key
    slug: str  # our stable name, used in URLs, CSV and the warehouse
    judul: str  # Indonesian title
    title: str  # English title
    unit: str = "penduduk"  # what the total counts: penduduk, keluarga, rumah_tangga, ...
    codes: tuple[tuple[str, str], ...] = ()  # reference id -> label (defaults for `umur`)
    jenis: str = "kategori"
    brackets: tuple[Bracket, ...] = ()  # `umur`: the default brackets
    sisa: str | None = None  # what belum mengisi (777) means, where it is not "not filled in"
    sisa_en: str | None = None

    @property
    def additive(self) -> bool:
        """Whether rows + belum mengisi = total holds (all but the aid programmes)."""
        return self.jenis != "bantuan"

    @property
    def fixed_codes(self) -> bool:
        """Whether the reference ids are OpenSID's own (a village cannot add categories)."""
        return self.jenis in ("kategori", "rtm")


def _load(path: Path) -> tuple[StatDef, ...]:
    with path.open("rb") as fh:
        entries = tomllib.load(fh)["statistik"]
    by_slug: dict[str, StatDef] = {}
    out = []
    for entry in entries:
        jenis = entry.get("jenis", "kategori")
        if jenis not in JENIS:
            raise ValueError(f"{path.name}: statistik {entry['slug']}: unknown jenis {jenis!r}")
        raw = entry.get("codes")
        if raw is None:
            raw_codes = by_slug[entry["codes_from"]].codes
            brackets: tuple[Bracket, ...] = ()
        else:
            raw_codes = tuple((str(c[0]), str(c[1])) for c in raw)
            brackets = tuple(
                Bracket(str(c[0]), c[1], int(c[2]), int(c[3])) for c in raw if len(c) == 4
            )
        stat = StatDef(
            key=str(entry["key"]),
            slug=entry["slug"],
            judul=entry["judul"],
            title=entry["title"],
            unit=entry.get("unit", "penduduk"),
            codes=raw_codes,
            jenis=jenis,
            brackets=brackets,
            sisa=entry.get("sisa"),
            sisa_en=entry.get("sisa_en"),
        )
        by_slug[stat.slug] = stat
        out.append(stat)
    return tuple(out)


STATISTICS: tuple[StatDef, ...] = _load(CATALOGUE_FILE)
BY_KEY: dict[str, StatDef] = {s.key: s for s in STATISTICS}
BY_SLUG: dict[str, StatDef] = {s.slug: s for s in STATISTICS}

# OpenSID's default age brackets (tweb_penduduk_umur): rentang umur (status 1) and kategori umur
# (status 0); the open end is sampai 150, as OpenSID stores it
RENTANG_UMUR_DEFAULT: tuple[tuple[int, int], ...] = tuple(
    (b.dari, b.sampai) for b in BY_SLUG["rentang-umur"].brackets
)
KATEGORI_UMUR_DEFAULT: tuple[Bracket, ...] = BY_SLUG["kategori-umur"].brackets
OPEN_END = 150  # OpenSID's sampai of the last bracket: "and over"

# the statistics the Kependudukan page offered from issue 2 to 7: pulled first, in this order
POPULATION_KEYS: tuple[str, ...] = ("4", "13", "15", "0", "14", "1", "2", "3", "7", "9", "19")
POPULATION_SLUGS: tuple[str, ...] = tuple(BY_KEY[k].slug for k in POPULATION_KEYS)

# the Kependudukan page offers every statistic pulled (issue 8), grouped by theme in its
# selector; each theme's statistics in the order shown
THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("penduduk", ("jenis-kelamin", "rentang-umur", "kategori-umur", "status-perkawinan", "agama",
                  "warga-negara", "status-penduduk", "hubungan-kk", "suku")),
    ("pendidikan", ("pendidikan-dalam-kk", "pendidikan-sedang-ditempuh", "pekerjaan")),
    ("kesehatan", ("golongan-darah", "penyandang-cacat", "penyakit-menahun", "akseptor-kb",
                   "status-kehamilan", "asuransi-kesehatan", "status-asuransi-kesehatan",
                   "bpjs-ketenagakerjaan")),
    ("dokumen", ("akta-kelahiran", "kepemilikan-ktp", "kepemilikan-kia", "buku-nikah",
                 "akta-kematian")),
    ("keluarga", ("kelas-sosial", "bdt")),
    ("bantuan", ("bantuan-penduduk", "bantuan-keluarga")),
)  # fmt: skip
THEME_OF: dict[str, str] = {slug: theme for theme, slugs in THEMES for slug in slugs}

# every statistic pulled: the population keys first, then the rest in catalogue order
PULLED_KEYS: tuple[str, ...] = (
    *POPULATION_KEYS,
    *(s.key for s in STATISTICS if s.key not in POPULATION_KEYS),
)
PULLED_SLUGS: tuple[str, ...] = tuple(BY_KEY[k].slug for k in PULLED_KEYS)

# totals dataset: per village penduduk (by sex), keluarga and rumah tangga
TOTALS_DATASET = "total"
TOTAL_CODES = ("penduduk", "keluarga", "rumah_tangga")


def rentang_label(dari: int, sampai: int | None) -> str:
    """A bracket label in OpenSID's default wording ("5 s/d 9 Tahun", "75 Tahun ke Atas")."""
    if sampai is None or sampai >= OPEN_END:
        return f"{dari} Tahun ke Atas"
    return f"{dari} s/d {sampai} Tahun"
