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
    # OpenDK's template as shipped (storage/app/public/template_upload/): its file name, sheet
    # and header row. A template without the region column has the region chosen at import
    # (OpenDK's upload form), as has its period.
    opendk_file: str = ""
    opendk_sheet: str = "Sheet1"
    opendk_header: tuple[str, ...] = ()
    # the period grain of an import when it differs from the dataset's (OpenDK's APBDes is
    # monthly; the villages' own APBDes is yearly)
    import_grain: str | None = None

    @property
    def importable(self) -> bool:
        return bool(self.template)

    @property
    def region_in_template(self) -> bool:
        """Whether OpenDK's template has the desa_id (or kecamatan) column."""
        return bool(self.opendk_header) and self.opendk_header[0] in ("desa_id", "kecamatan_id")


def _same(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


DATASETS: tuple[DatasetDef, ...] = (
    DatasetDef("identitas", "Identitas Desa", "Village identity", "snapshot",
               measures=("profil", "dusun", "rw", "rt")),
    DatasetDef("bantuan", "Program Bantuan", "Social aid programmes", "snapshot",
               measures=("peserta",)),
    DatasetDef("apbdes", "APBDes", "Village budget", "tahun",
               measures=("anggaran", "realisasi"),
               # OpenDK's jumlah is the budget (anggaran) of the month chosen
               template=(("jumlah", "anggaran"),), key_column="no_akun", import_grain="bulan",
               opendk_file="Format_Upload_APBDes.xlsx", opendk_sheet="APBDES",
               opendk_header=("no_akun", "nama_akun", "jumlah")),
    DatasetDef("pembangunan", "Pembangunan", "Development projects", "tahun",
               measures=("anggaran", "progres")),
    DatasetDef("aki-akb", "AKI & AKB", "Maternal and infant deaths", "bulan",
               measures=("jumlah_aki", "jumlah_akb"),
               template=_same("jumlah_aki", "jumlah_akb"),
               opendk_file="Format_Upload_AKI_&_AKB.xlsx", opendk_sheet="FORM AKI & AKB",
               opendk_header=("desa_id", "jumlah_aki", "jumlah_akb")),
    DatasetDef("imunisasi", "Imunisasi", "Immunisation", "bulan",
               # OpenDK stores a whole number (children immunised), not a percentage
               measures=("cakupan_imunisasi",), template=_same("cakupan_imunisasi"),
               opendk_file="Format_Upload_Cakupan_Imunisasi.xlsx", opendk_sheet="FORM IMUNISASI",
               opendk_header=("desa_id", "cakupan_imunisasi")),
    DatasetDef("epidemi-penyakit", "Epidemi Penyakit", "Disease outbreaks", "bulan",
               measures=("jumlah_penderita",), template=_same("jumlah_penderita"),
               key_column="penyakit_id",
               opendk_file="Format_Upload_Epidemi_Penyakit.xlsx", opendk_sheet="EPIDEMI PENYAKIT",
               opendk_header=("desa_id", "jumlah_penderita")),
    DatasetDef("toilet-sanitasi", "Toilet & Sanitasi", "Toilets and sanitation", "bulan",
               measures=("toilet", "sanitasi"), template=_same("toilet", "sanitasi"),
               opendk_file="Format_Upload_Toilet_&_Sanitasi.xlsx",
               opendk_header=("desa_id", "sanitasi", "toilet")),
    DatasetDef("tingkat-pendidikan", "Tingkat Pendidikan", "Education attainment", "semester",
               measures=("tidak_tamat_sekolah", "tamat_sd", "tamat_smp", "tamat_sma",
                         "tamat_diploma_sederajat"),
               template=(("tidak_tamat_sekolah", "tidak_tamat_sekolah"),
                         ("tamat_sd_sederajat", "tamat_sd"),
                         ("tamat_smp_sederajat", "tamat_smp"),
                         ("tamat_sma_sederajat", "tamat_sma"),
                         ("tamat_diploma_sederajat", "tamat_diploma_sederajat")),
               opendk_file="Format_Upload_Tingkat_Pendidikan.xlsx",
               opendk_header=("tidak_tamat_sekolah", "tamat_sd_sederajat", "tamat_smp_sederajat",
                              "tamat_sma_sederajat", "tamat_diploma_sederajat")),
    DatasetDef("putus-sekolah", "Putus Sekolah", "School enrolment", "semester",
               measures=("siswa_paud", "anak_usia_paud", "siswa_sd", "anak_usia_sd",
                         "siswa_smp", "anak_usia_smp", "siswa_sma", "anak_usia_sma"),
               template=(("siswa_paud_ra", "siswa_paud"), ("anak_usia_paud_ra", "anak_usia_paud"),
                         ("siswa_sd_mi", "siswa_sd"), ("anak_usia_sd_mi", "anak_usia_sd"),
                         ("siswa_smp_mts", "siswa_smp"), ("anak_usia_smp_mts", "anak_usia_smp"),
                         ("siswa_sma_ma", "siswa_sma"), ("anak_usia_sma_ma", "anak_usia_sma")),
               opendk_file="Format_Upload_Putus_Sekolah.xlsx",
               opendk_header=("siswa_paud_ra", "anak_usia_paud_ra", "siswa_sd_mi",
                              "anak_usia_sd_mi", "siswa_smp_mts", "anak_usia_smp_mts",
                              "siswa_sma_ma", "anak_usia_sma_ma")),
    DatasetDef("fasilitas-paud", "Fasilitas PAUD", "Early-childhood facilities", "semester",
               measures=("jumlah_paud", "jumlah_guru_paud", "jumlah_siswa_paud"),
               template=(("jumlah_paud_ra", "jumlah_paud"),
                         ("jumlah_guru_paud_ra", "jumlah_guru_paud"),
                         ("jumlah_siswa_paud_ra", "jumlah_siswa_paud")),
               opendk_file="Format_Upload_Fasilitas_PAUD.xlsx",
               opendk_header=("jumlah_paud_ra", "jumlah_guru_paud_ra", "jumlah_siswa_paud_ra")),
    DatasetDef("anggaran-kecamatan", "Anggaran Kecamatan", "Kecamatan budget", "bulan",
               level="kecamatan",
               measures=("total_anggaran", "total_belanja", "belanja_pegawai",
                         "belanja_barang_jasa", "belanja_modal", "belanja_tidak_langsung"),
               template=_same("total_anggaran", "total_belanja", "belanja_pegawai",
                              "belanja_barang_jasa", "belanja_modal", "belanja_tidak_langsung"),
               opendk_file="Format_Upload_Anggaran_Realisasi.xlsx",
               opendk_header=("total_anggaran", "total_belanja", "belanja_pegawai",
                              "belanja_barang_jasa", "belanja_modal", "belanja_tidak_langsung")),
    # OpenDK 2026: facilities per village; item = category and name, the label the name
    DatasetDef("sarana", "Data Sarana", "Facilities", "snapshot",
               measures=("jumlah",), template=_same("jumlah"),
               opendk_file="Format_Upload_Data_Sarana.xlsx",
               opendk_sheet="Format_Upload_Data_Sarana",
               opendk_header=("desa_id", "nama", "jumlah", "kategori", "keterangan")),
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
