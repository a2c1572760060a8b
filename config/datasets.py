"""Catalogue of the datasets other than population counts: grain, measures, import templates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetDef:
    name: str  # stable id: warehouse, URLs, CSV
    judul: str
    title: str
    grain: str  # snapshot, tahun, bulan, semester
    level: str = "desa"  # desa or kecamatan
    measures: tuple[str, ...] = ()
    # OpenDK import template: file column -> measure (the village column is desa_id)
    template: tuple[tuple[str, str], ...] = ()
    key_column: str | None = None  # a per-row item code column (e.g. penyakit_id), if any
    percent: tuple[str, ...] = ()  # measures that are percentages (0–100), not counts

    @property
    def importable(self) -> bool:
        return bool(self.template)


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


DATASETS: tuple[DatasetDef, ...] = (
    DatasetDef("identitas", "Identitas Desa", "Village identity", "snapshot",
               measures=("profil", "dusun", "rw", "rt")),
    DatasetDef("bantuan", "Program Bantuan", "Social aid programmes", "snapshot",
               measures=("peserta",)),
    DatasetDef("apbdes", "APBDes", "Village budget", "tahun",
               measures=("anggaran", "realisasi"),
               template=(("jumlah", "realisasi"),), key_column="no_akun"),
    DatasetDef("pembangunan", "Pembangunan", "Development projects", "tahun",
               measures=("anggaran", "progres")),
    DatasetDef("aki-akb", "AKI & AKB", "Maternal and infant deaths", "bulan",
               measures=("jumlah_aki", "jumlah_akb"),
               template=_same("jumlah_aki", "jumlah_akb")),
    DatasetDef("imunisasi", "Imunisasi", "Immunisation", "bulan",
               measures=("cakupan_imunisasi",), template=_same("cakupan_imunisasi"),
               percent=("cakupan_imunisasi",)),
    DatasetDef("epidemi-penyakit", "Epidemi Penyakit", "Disease outbreaks", "bulan",
               measures=("jumlah_penderita",), template=_same("jumlah_penderita"),
               key_column="penyakit_id"),
    DatasetDef("toilet-sanitasi", "Toilet & Sanitasi", "Toilets and sanitation", "bulan",
               measures=("toilet", "sanitasi"), template=_same("toilet", "sanitasi")),
    DatasetDef("tingkat-pendidikan", "Tingkat Pendidikan", "Education attainment", "semester",
               measures=("tidak_tamat_sekolah", "tamat_sd", "tamat_smp", "tamat_sma",
                         "tamat_diploma_sederajat"),
               template=(("tidak_tamat_sekolah", "tidak_tamat_sekolah"),
                         ("tamat_sd_sederajat", "tamat_sd"),
                         ("tamat_smp_sederajat", "tamat_smp"),
                         ("tamat_sma_sederajat", "tamat_sma"),
                         ("tamat_diploma_sederajat", "tamat_diploma_sederajat"))),
    DatasetDef("putus-sekolah", "Putus Sekolah", "School enrolment", "semester",
               measures=("siswa_paud", "anak_usia_paud", "siswa_sd", "anak_usia_sd",
                         "siswa_smp", "anak_usia_smp", "siswa_sma", "anak_usia_sma"),
               template=(("siswa_paud_ra", "siswa_paud"), ("anak_usia_paud_ra", "anak_usia_paud"),
                         ("siswa_sd_mi", "siswa_sd"), ("anak_usia_sd_mi", "anak_usia_sd"),
                         ("siswa_smp_mts", "siswa_smp"), ("anak_usia_smp_mts", "anak_usia_smp"),
                         ("siswa_sma_ma", "siswa_sma"), ("anak_usia_sma_ma", "anak_usia_sma"))),
    DatasetDef("fasilitas-paud", "Fasilitas PAUD", "Early-childhood facilities", "semester",
               measures=("jumlah_paud", "jumlah_guru_paud", "jumlah_siswa_paud"),
               template=(("jumlah_paud_ra", "jumlah_paud"),
                         ("jumlah_guru_paud_ra", "jumlah_guru_paud"),
                         ("jumlah_siswa_paud_ra", "jumlah_siswa_paud"))),
    DatasetDef("anggaran-kecamatan", "Anggaran Kecamatan", "Kecamatan budget", "bulan",
               level="kecamatan",
               measures=("total_anggaran", "total_belanja", "belanja_pegawai",
                         "belanja_barang_jasa", "belanja_modal", "belanja_tidak_langsung"),
               template=_same("total_anggaran", "total_belanja", "belanja_pegawai",
                              "belanja_barang_jasa", "belanja_modal", "belanja_tidak_langsung")),
)  # fmt: skip

BY_NAME: dict[str, DatasetDef] = {d.name: d for d in DATASETS}


def period_id(tahun: int, *, bulan: int | None = None, semester: int | None = None) -> str:
    """Sortable period ids: 2026, 2026S1, 202611."""
    if not 2000 <= tahun <= 2100:
        raise ValueError(f"tahun {tahun} is out of range")
    if bulan is not None:
        if not 1 <= bulan <= 12:
            raise ValueError(f"bulan {bulan} must be 1–12")
        return f"{tahun}{bulan:02d}"
    if semester is not None:
        if semester not in (1, 2):
            raise ValueError(f"semester {semester} must be 1 or 2")
        return f"{tahun}S{semester}"
    return str(tahun)


# what one scheduled sweep pulls; None (no group) pulls everything
def dataset_groups() -> dict[str, tuple[str, ...]]:
    from config.statistik import PULLED_SLUGS, TOTALS_DATASET

    return {
        "penduduk": (TOTALS_DATASET, *PULLED_SLUGS, "identitas"),
        "keuangan": ("apbdes", "pembangunan", "bantuan"),
    }
