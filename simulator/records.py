"""What a village record holds besides its summary document: aid programmes with their
recipients, projects with their progress reports, the dusun/RW/RT tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from config.statistik import Bracket

Sex = str  # "L" (laki-laki) or "P" (perempuan)


@dataclass(frozen=True)
class Programme:
    """An aid programme (OpenSID's `program`) with its recipients (`program_peserta`)."""

    id: int
    nama: str
    sasaran: int  # 1 penduduk, 2 keluarga
    asaldana: str  # Pusat, Provinsi, Kab/Kota, Dana Desa, Lain-lain (Hibah)
    sdate: str  # YYYY-MM-DD
    edate: str
    ndesc: str
    # (index, sex): a resident (index within their sex) or a family (index, sex of its head)
    recipients: tuple[tuple[int, Sex], ...]

    def runs_in(self, tahun: int) -> bool:
        """OpenSID's filter: YEAR(sdate) <= tahun <= YEAR(edate)."""
        return int(self.sdate[:4]) <= tahun <= int(self.edate[:4])


@dataclass(frozen=True)
class Progress:
    """One `pembangunan_dokumentasi` entry: a progress report with its percentage as typed."""

    id: int
    persentase: str  # "80%" from the form's list, or hand-typed ("95")
    keterangan: str
    tanggal: str  # local time, YYYY-MM-DD HH:MM:SS


@dataclass(frozen=True)
class Project:
    """One development project (`pembangunan`); inactive (locked) ones are served nowhere."""

    id: int
    judul: str
    keterangan: str
    sumber_dana: str
    anggaran: int
    perubahan_anggaran: int | None
    biaya: tuple[int, int, int, int]  # pemerintah, provinsi, kab/kota, swadaya
    volume: str
    tahun_anggaran: int
    pelaksana: str
    lokasi: str | None  # free text where no cluster (RT/RW) was chosen
    cluster_id: int | None  # id_lokasi: an RW or RT row of the wilayah tree
    manfaat: str
    waktu: int
    satuan_waktu: int  # 1 hari, 2 minggu, 3 bulan, 4 tahun
    sifat_proyek: str  # BARU, LANJUTAN
    active: bool
    created_at: str  # local time
    progress: tuple[Progress, ...]

    @property
    def progres(self) -> int | None:
        """OpenSID's admin list: the highest percentage reported; None: no report yet."""
        values = [int(p.persentase.rstrip("%")) for p in self.progress]
        return max(values) if values else None


@dataclass(frozen=True)
class Rt:
    id: int
    rt: str
    rw: str
    keluarga: int
    laki: int
    perempuan: int


@dataclass(frozen=True)
class Rw:
    id: int
    rw: str  # "-" where the village has no RW
    rts: tuple[Rt, ...]


@dataclass(frozen=True)
class Dusun:
    id: int
    nama: str
    rws: tuple[Rw, ...]


@dataclass(frozen=True)
class VillageRecord:
    """Everything the simulator serves about one village in one year."""

    document: dict  # village-summary v1
    brackets: tuple[Bracket, ...]  # the village's rentang-umur brackets (status 1), id order
    programmes: tuple[Programme, ...]  # every programme, running or not, in id order
    projects: tuple[Project, ...]  # every project, active or not, in id order
    dusun: tuple[Dusun, ...]
    sebutan_dusun: str  # "Dusun", or "Lingkungan" in a kelurahan
    # residents by sex: (school age 6-18, 60 and over, everyone); recipient indices below
    # the first bound are school children, then the elderly, then the others
    pools: Mapping[Sex, tuple[int, int, int]]
    keluarga_heads: Mapping[Sex, int]  # families by sex of their head; index < L's = male
    tahun: int


def running(programmes: Sequence[Programme], sasaran: int, tahun: int | None) -> list[Programme]:
    """The programmes of one target running in `tahun` (None: every programme)."""
    return [p for p in programmes if p.sasaran == sasaran and (tahun is None or p.runs_in(tahun))]


def recipient_counts(programmes: Sequence[Programme]) -> tuple[int, int]:
    """Distinct recipients (men or male-headed, women or female-headed) of the programmes."""
    seen = {r for p in programmes for r in p.recipients}
    men = sum(1 for _, sex in seen if sex == "L")
    return men, len(seen) - men


def sex_counts(programme: Programme) -> tuple[int, int]:
    men = sum(1 for _, sex in programme.recipients if sex == "L")
    return men, len(programme.recipients) - men
