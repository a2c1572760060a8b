"""Fake residents for the rows that real OpenSID fills with personal data (peserta_bantuan).

Obviously fake but realistic-looking: common Bengkulu and Javanese names, a NIK and a KK
number of the right shape (the village's kecamatan code, a birth or issue date, and a serial
from 9000 up that marks them as made up), birth places of the region. The same (seed, village,
sex, index) always gives the same person, so a resident in two programmes is one person.
Nothing here is ever a real person's data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

_LAKI = (
    "AHMAD", "SUPRIADI", "SUKARMAN", "HERMAN", "ROZALI", "JUNAIDI", "SAMSUL", "BUDI", "EDI",
    "HENDRA", "SUPARMAN", "SURYADI", "NASRUL", "ZULKARNAIN", "RUSLAN", "ARIFIN", "SUGENG",
    "WAHYU", "DEDI", "YUSUF", "IRWAN", "AGUS", "JONI", "RAHMAT", "SUHARTO", "MUKHLIS", "AMRAN",
    "SAPRIL", "TARMIZI", "KASMIN",
)  # fmt: skip
_PEREMPUAN = (
    "SITI", "NURHAYATI", "YULIANA", "SRI", "RAHMAWATI", "SUSILAWATI", "ERNAWATI", "MARLINA",
    "RATNA", "DESI", "WARTINI", "SUMIATI", "FITRI", "YANTI", "LENI", "HARTATI", "MURNI",
    "ROSMIATI", "SUPRIHATIN", "ASMAWATI", "NURAINI", "EVA", "LILIS", "SURYANI", "MASNAH",
    "KARTINI", "ROHANA", "WATI", "ELIYA", "JUMIATI",
)  # fmt: skip
_TEMPAT_LAHIR = (
    "ARGA MAKMUR", "BENGKULU", "KETAHUN", "LAIS", "CURUP", "MUKOMUKO", "PADANG", "PALEMBANG",
    "KEBUMEN", "PURWOREJO", "BANYUMAS", "LUBUK LINGGAU", "JAKARTA", "MANNA",
)  # fmt: skip
_LAKI_ENDS = ("SAPUTRA", "HIDAYAT", "SETIAWAN", "WIJAYA", "KURNIAWAN", "SANTOSO", "EFENDI",
              "RAHMAN", "PURNAMA", "YANI")  # fmt: skip
_PEREMPUAN_ENDS = ("AMINAH", "HASANAH", "LESTARI", "WATI", "NINGSIH", "SARI", "PURNAMA",
                   "YANI")  # fmt: skip


@dataclass(frozen=True)
class Person:
    nik: str
    nama: str
    tempat_lahir: str
    tanggal_lahir: str  # YYYY-MM-DD


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


def _name(sex: str, rng: random.Random) -> str:
    first = rng.choice(_LAKI if sex == "L" else _PEREMPUAN)
    last = rng.choice(_LAKI_ENDS if sex == "L" else _PEREMPUAN_ENDS) if rng.random() < 0.6 else ""
    return f"{first} {last}".strip()


def _nik(kode: str, born: date, sex: str, serial: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{kode[:6]}{day:02d}{born.month:02d}{born.year % 100:02d}{9000 + serial % 1000:04d}"


def person(
    seed: int, kode: str, sex: str, index: int, *, ages: tuple[int, int], today: date
) -> Person:
    """Resident `index` of one sex of the village, born so that their age is within `ages`."""
    rng = _rng(seed, kode, "penduduk", sex, index)
    age = rng.randint(*ages)
    born = today - timedelta(days=365 * age + rng.randint(0, 364))
    place = rng.choice(_TEMPAT_LAHIR) if rng.random() < 0.5 else "ARGA MAKMUR"
    return Person(_nik(kode, born, sex, index), _name(sex, rng), place, born.isoformat())


def family_card(seed: int, kode: str, index: int, *, today: date) -> str:
    """The KK number of family `index`: region, the date it was issued, a serial."""
    rng = _rng(seed, kode, "kk", index)
    issued = today - timedelta(days=rng.randint(200, 365 * 15))
    return f"{kode[:6]}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}" \
           f"{9000 + index % 1000:04d}"  # fmt: skip


def family_head(seed: int, kode: str, index: int, sex: str, *, today: date) -> Person:
    """The head of family `index` (a man or a woman as the family's record says)."""
    rng = _rng(seed, kode, "kepala", index)
    age = rng.randint(24, 75)
    born = today - timedelta(days=365 * age + rng.randint(0, 364))
    place = rng.choice(_TEMPAT_LAHIR) if rng.random() < 0.5 else "ARGA MAKMUR"
    nik = _nik(kode, born, sex, 500 + index)
    return Person(nik, _name(sex, rng), place, born.isoformat())
