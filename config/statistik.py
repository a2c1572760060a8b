"""Catalogue of population statistics: OpenSID keys, slugs, titles and default code lists."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatDef:
    key: str  # OpenSID internal_api key
    slug: str  # our stable name, used in URLs, CSV and the warehouse
    judul: str  # Indonesian title
    title: str  # English title
    unit: str = "penduduk"  # what is counted: penduduk, keluarga, rumah_tangga
    codes: tuple[tuple[str, str], ...] = ()


def _codes(*labels: str, start: int = 1) -> tuple[tuple[str, str], ...]:
    return tuple((str(i), label) for i, label in enumerate(labels, start=start))


# default age brackets (rentang umur); villages may edit theirs
RENTANG_UMUR_DEFAULT: tuple[tuple[int, int | None], ...] = (
    (0, 1), (2, 4), (5, 9), (10, 14), (15, 19), (20, 24), (25, 29), (30, 34), (35, 39),
    (40, 44), (45, 49), (50, 54), (55, 59), (60, 64), (65, 69), (70, 74), (75, None),
)  # fmt: skip

KATEGORI_UMUR_DEFAULT: tuple[tuple[str, int, int | None], ...] = (
    ("BALITA", 0, 5), ("ANAK-ANAK", 6, 17), ("DEWASA", 18, 30), ("TUA", 31, None),
)  # fmt: skip


def rentang_label(dari: int, sampai: int | None) -> str:
    if sampai is None:
        return f"Di atas {dari} Tahun"
    return f"{dari} s/d {sampai} Tahun"


STATISTICS: tuple[StatDef, ...] = (
    StatDef("4", "jenis-kelamin", "Jenis Kelamin", "Sex", codes=_codes("LAKI-LAKI", "PEREMPUAN")),
    StatDef(
        "13",
        "rentang-umur",
        "Rentang Umur",
        "Age brackets",
        codes=tuple(
            (str(i), rentang_label(a, b)) for i, (a, b) in enumerate(RENTANG_UMUR_DEFAULT, 1)
        ),
    ),
    StatDef(
        "15",
        "kategori-umur",
        "Kategori Umur",
        "Age categories",
        codes=_codes(*(c[0] for c in KATEGORI_UMUR_DEFAULT)),
    ),
    StatDef(
        "0",
        "pendidikan-dalam-kk",
        "Pendidikan dalam KK",
        "Education (family card)",
        codes=_codes(
            "TIDAK/BELUM SEKOLAH",
            "BELUM TAMAT SD/SEDERAJAT",
            "TAMAT SD/SEDERAJAT",
            "SLTP/SEDERAJAT",
            "SLTA/SEDERAJAT",
            "DIPLOMA I/II",
            "AKADEMI/DIPLOMA III/S. MUDA",
            "DIPLOMA IV/STRATA I",
            "STRATA II",
            "STRATA III",
        ),  # fmt: skip
    ),
    StatDef(
        "14",
        "pendidikan-sedang-ditempuh",
        "Pendidikan Sedang Ditempuh",
        "Education in progress",
        codes=_codes(
            "BELUM MASUK TK/KELOMPOK BERMAIN",
            "SEDANG TK/KELOMPOK BERMAIN",
            "TIDAK PERNAH SEKOLAH",
            "SEDANG SD/SEDERAJAT",
            "TIDAK TAMAT SD/SEDERAJAT",
            "SEDANG SLTP/SEDERAJAT",
            "SEDANG SLTA/SEDERAJAT",
            "SEDANG D-1/SEDERAJAT",
            "SEDANG D-3/SEDERAJAT",
            "SEDANG S-1/SEDERAJAT",
            "SEDANG S-2",
            "SEDANG S-3",
            "TIDAK SEDANG SEKOLAH",
        ),  # fmt: skip
    ),
    StatDef(
        "1",
        "pekerjaan",
        "Pekerjaan",
        "Occupation",
        codes=(
            ("1", "BELUM/TIDAK BEKERJA"),
            ("2", "MENGURUS RUMAH TANGGA"),
            ("3", "PELAJAR/MAHASISWA"),
            ("4", "PENSIUNAN"),
            ("5", "PEGAWAI NEGERI SIPIL (PNS)"),
            ("6", "TENTARA NASIONAL INDONESIA (TNI)"),
            ("7", "KEPOLISIAN RI (POLRI)"),
            ("8", "PERDAGANGAN"),
            ("9", "PETANI/PEKEBUN"),
            ("10", "PETERNAK"),
            ("11", "NELAYAN/PERIKANAN"),
            ("12", "INDUSTRI"),
            ("13", "KONSTRUKSI"),
            ("14", "TRANSPORTASI"),
            ("15", "KARYAWAN SWASTA"),
            ("19", "BURUH HARIAN LEPAS"),
            ("20", "BURUH TANI/PERKEBUNAN"),
            ("86", "GURU"),
            ("88", "WIRASWASTA"),
            ("89", "LAINNYA"),
        ),  # fmt: skip
    ),
    StatDef(
        "2",
        "status-perkawinan",
        "Status Perkawinan",
        "Marital status",
        codes=_codes("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"),
    ),
    StatDef(
        "3",
        "agama",
        "Agama",
        "Religion",
        codes=_codes(
            "ISLAM", "KRISTEN", "KATHOLIK", "HINDU", "BUDHA", "KHONGHUCU", "KEPERCAYAAN/LAINNYA"
        ),
    ),
    StatDef(
        "5",
        "warga-negara",
        "Warga Negara",
        "Citizenship",
        codes=_codes("WNI", "WNA", "DUA KEWARGANEGARAAN"),
    ),  # fmt: skip
    StatDef(
        "7",
        "golongan-darah",
        "Golongan Darah",
        "Blood type",
        codes=_codes(
            "A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "TIDAK TAHU"
        ),
    ),
    StatDef(
        "9",
        "penyandang-cacat",
        "Penyandang Cacat",
        "Disability",
        codes=_codes(
            "CACAT FISIK",
            "CACAT NETRA/BUTA",
            "CACAT RUNGU/WICARA",
            "CACAT MENTAL/JIWA",
            "CACAT FISIK DAN MENTAL",
            "CACAT LAINNYA",
            "TIDAK CACAT",
        ),  # fmt: skip
    ),
    StatDef(
        "19",
        "asuransi-kesehatan",
        "Asuransi Kesehatan",
        "Health insurance",
        codes=(
            ("1", "TIDAK/BELUM PUNYA"),
            ("2", "BPJS PENERIMA BANTUAN IURAN"),
            ("3", "BPJS NON PENERIMA BANTUAN IURAN"),
            ("99", "LAINNYA"),
        ),  # fmt: skip
    ),
    StatDef(
        "10",
        "penyakit-menahun",
        "Penyakit Menahun",
        "Chronic illness",
        codes=_codes(
            "JANTUNG",
            "LEVER",
            "PARU-PARU",
            "KANKER",
            "STROKE",
            "DIABETES MELITUS",
            "GINJAL",
            "MALARIA",
            "LEPRA/KUSTA",
            "HIV/AIDS",
            "GILA/STRESS",
            "TBC",
            "ASTHMA",
            "TIDAK ADA/TIDAK SAKIT",
        ),  # fmt: skip
    ),
    StatDef(
        "16",
        "akseptor-kb",
        "Akseptor KB",
        "Contraception users",
        unit="pasangan_usia_subur",
        codes=(
            ("1", "PIL"),
            ("2", "IUD"),
            ("3", "SUNTIK"),
            ("4", "KONDOM"),
            ("5", "SUSUK KB"),
            ("6", "STERILISASI WANITA"),
            ("7", "STERILISASI PRIA"),
            ("99", "TIDAK MENGGUNAKAN"),
        ),  # fmt: skip
    ),
    StatDef(
        "17",
        "akta-kelahiran",
        "Akta Kelahiran",
        "Birth certificates",
        codes=_codes("MEMILIKI AKTA KELAHIRAN", "TIDAK MEMILIKI AKTA KELAHIRAN"),
    ),
    StatDef(
        "18",
        "kepemilikan-ktp",
        "Kepemilikan KTP",
        "Identity cards",
        unit="wajib_ktp",  # residents aged 17 or married: fewer than penduduk
        codes=_codes("BELUM REKAM", "SUDAH REKAM", "KTP-EL TERCETAK"),
    ),
    StatDef(
        "hubungan_kk",
        "hubungan-kk",
        "Hubungan dalam KK",
        "Relation to family head",
        codes=_codes(
            "KEPALA KELUARGA",
            "SUAMI",
            "ISTRI",
            "ANAK",
            "MENANTU",
            "CUCU",
            "ORANGTUA",
            "MERTUA",
            "FAMILI LAIN",
            "PEMBANTU",
            "LAINNYA",
        ),  # fmt: skip
    ),
    StatDef(
        "bantuan_penduduk",
        "bantuan-penduduk",
        "Penerima Bantuan (Penduduk)",
        "Aid recipients (residents)",
        codes=(),  # the village's own programmes for individuals; belum mengisi = not a recipient
    ),
    StatDef(
        "bantuan_keluarga",
        "bantuan-keluarga",
        "Penerima Bantuan (Keluarga)",
        "Aid recipients (families)",
        unit="keluarga",
        codes=(),  # the village's own programmes for families
    ),
    StatDef(
        "kelas_sosial",
        "kelas-sosial",
        "Kelas Sosial",
        "Family welfare class",
        unit="keluarga",
        codes=_codes(
            "KELUARGA PRA SEJAHTERA",
            "KELUARGA SEJAHTERA I",
            "KELUARGA SEJAHTERA II",
            "KELUARGA SEJAHTERA III",
            "KELUARGA SEJAHTERA III PLUS",
        ),  # fmt: skip
    ),
    StatDef(
        "bdt",
        "bdt",
        "Basis Data Terpadu",
        "Unified social registry",
        unit="rumah_tangga",
        codes=_codes("DESIL 1", "DESIL 2", "DESIL 3", "DESIL 4", "TIDAK MASUK DESIL"),
    ),
)

BY_KEY: dict[str, StatDef] = {s.key: s for s in STATISTICS}
BY_SLUG: dict[str, StatDef] = {s.slug: s for s in STATISTICS}

# the statistics pulled since issue 2 (both adapters), in this order
POPULATION_KEYS: tuple[str, ...] = ("4", "13", "15", "0", "14", "1", "2", "3", "7", "9", "19")
POPULATION_SLUGS: tuple[str, ...] = tuple(BY_KEY[k].slug for k in POPULATION_KEYS)

# every statistic pulled (issue 3): the population keys plus family and household statistics
PULLED_KEYS: tuple[str, ...] = (
    *POPULATION_KEYS,
    *(s.key for s in STATISTICS if s.key not in POPULATION_KEYS),
)
PULLED_SLUGS: tuple[str, ...] = tuple(BY_KEY[k].slug for k in PULLED_KEYS)

# OpenSID before 2501 numbered some statistics differently; labels tell which one answered
OLD_IDS: dict[str, str] = {"9": "8", "10": "9", "13": "10", "14": "11", "15": "12"}

# totals dataset: per village penduduk (by sex), keluarga and rumah tangga
TOTALS_DATASET = "total"
TOTAL_CODES = ("penduduk", "keluarga", "rumah_tangga")
