"""The translation catalogue: every user-facing string, in Indonesian (default) and English.

A missing key raises `MissingTranslation` instead of showing the key, so a gap fails tests.
"""

from __future__ import annotations

from config.statistik import BY_SLUG

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class MissingTranslation(KeyError):
    """A key has no text in the requested language (or the language is unknown)."""


_MONTHS = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

CATALOGUE: dict[str, dict[str, str]] = {
    "id": {
        # shell
        "app.judul": "Dasbor Kecamatan",
        "app.bahasa": "Bahasa",
        "app.navigasi": "Navigasi utama",
        "app.sumber": "Sumber: sistem informasi desa, dikumpulkan otomatis oleh Dasbor Kecamatan.",
        "app.halaman_tidak_ada": "Halaman tidak ditemukan",
        "app.halaman_tidak_ada_teks": "Alamat ini tidak ada di dasbor.",
        "app.kembali": "Kembali ke Ringkasan",
        "nav.ringkasan": "Ringkasan",
        "nav.kependudukan": "Kependudukan",
        "nav.404": "Tidak ditemukan",
        # filter bar
        "filter.kecamatan": "Kecamatan",
        "filter.desa": "Desa/Kelurahan",
        "filter.statistik": "Statistik",
        "filter.semua_kecamatan": "Semua kecamatan",
        "filter.semua_desa": "Semua desa",
        "filter.pilih_kecamatan_dulu": "Pilih kecamatan dulu",
        "filter.wilayah_tidak_dikenal": (
            "Kode wilayah {kode} tidak dikenal; ditampilkan seluruh {wilayah}."
        ),
        "filter.statistik_tidak_dikenal": (
            "Statistik {slug} tidak dikenal; ditampilkan statistik {judul}."
        ),
        "dropdown.cari": "Cari",
        "dropdown.hapus_cari": "Hapus pencarian",
        "dropdown.hapus_pilihan": "Hapus pilihan",
        "dropdown.tidak_ada": "Tidak ada pilihan yang cocok",
        "dropdown.pilih_semua": "Pilih semua",
        "dropdown.batal_semua": "Batalkan semua",
        "dropdown.terpilih": "{num} dipilih",
        # freshness and empty states
        "segar.catatan": "data per {tanggal}, {n} dari {m} desa",
        "segar.belum_ada": "belum ada pengumpulan data",
        "kosong.judul": "Belum ada data",
        "kosong.tanpa_desa": (
            "Daftar desa belum dimuat ke gudang data. Jalankan pengumpulan data pertama."
        ),
        "kosong.belum_pengumpulan": (
            "Belum ada pengumpulan data yang selesai: {m} desa belum melapor."
        ),
        "kosong.wilayah": "Belum ada data untuk {wilayah}: {belum} dari {m} desa belum melapor.",
        "kosong.statistik": (
            "Belum ada data {statistik} untuk {wilayah}: {belum} dari {m} desa belum melapor."
        ),
        "kosong.statistik_saja": "Belum ada data {statistik} untuk {wilayah}.",
        "kosong.sebagian": "{belum} dari {m} desa di {wilayah} belum melapor.",
        "kosong.daftar": "Belum melapor: {daftar}.",
        "kosong.sejak": "terakhir berhasil {tanggal}",
        "kosong.belum_pernah": "belum pernah",
        "kosong.periode_terakhir": "terakhir {periode}",
        "galat.judul": "Terjadi galat.",
        "galat.teks": (
            "Data tidak dapat ditampilkan; rinciannya tercatat di log server. "
            "Coba muat ulang halaman beberapa saat lagi."
        ),
        # ringkasan
        "rks.judul": "Ringkasan {wilayah}",
        "rks.kartu.penduduk": "Penduduk",
        "rks.kartu.laki_laki": "Laki-laki",
        "rks.kartu.perempuan": "Perempuan",
        "rks.kartu.keluarga": "Keluarga",
        "rks.melapor": "{n} desa melapor pada pengumpulan terakhir, {gagal} gagal",
        "rks.belum_pernah": "{n} desa belum pernah melapor",
        "rks.selesai": "Pengumpulan terakhir selesai {tanggal}.",
        "rks.tabel_desa": "Desa dan status pelaporan",
        # kependudukan
        "kpd.judul": "Kependudukan {wilayah}",
        "kpd.grafik": "{statistik} menurut jenis kelamin, {wilayah}",
        "kpd.piramida": "Piramida penduduk, {wilayah}",
        "kpd.piramida_catatan": (
            "tanpa {jiwa} jiwa dari {n} desa: rentang umurnya melintasi rentang bawaan "
            "(daftarnya di Rentang Umur)"
        ),
        "kpd.tabel": "{statistik}, {wilayah}",
        "kpd.keterangan_tabel": (
            "Angka per kategori untuk wilayah terpilih; unduhan CSV berisi baris yang sama."
        ),
        # shared controls
        "unduh_csv": "Unduh CSV",
        "api.tautan": "Data ini lewat API:",
        "api.tampilan": "CSV seperti tampil",
        "api.tampilan_keterangan": "Baris yang tampil sekarang, dengan saringan dan urutan "
        "tabel ini, dalam angka polos",
        # figures
        "grafik.jumlah_penduduk": "Jumlah penduduk",
        "grafik.kelompok_umur": "Kelompok umur",
        "grafik.kategori": "Kategori",
        "jenis.laki_laki": "Laki-laki",
        "jenis.perempuan": "Perempuan",
        "kategori.belum_mengisi": "Belum mengisi",
        # region levels
        "tingkat.kabupaten": "Kabupaten",
        "tingkat.kecamatan": "Kecamatan",
        "tingkat.desa": "Desa",
        "tingkat.kelurahan": "Kelurahan",
        # village status
        "status.ok": "Berhasil",
        "status.unchanged": "Tidak berubah",
        "status.failed": "Gagal",
        "status.never": "Belum pernah",
        # table columns
        "kolom.kode_wilayah": "Kode wilayah",
        "kolom.nama_wilayah": "Wilayah",
        "kolom.tingkat": "Tingkat",
        "kolom.statistik": "Statistik",
        "kolom.kode": "Kode",
        "kolom.label": "Kategori",
        "kolom.laki_laki": "Laki-laki",
        "kolom.perempuan": "Perempuan",
        "kolom.jumlah": "Jumlah",
        "kolom.penduduk": "Penduduk",
        "kolom.keluarga": "Keluarga",
        "kolom.rumah_tangga": "Rumah tangga",
        "kolom.desa_melapor": "Desa melapor",
        "kolom.kode_desa": "Kode desa",
        "kolom.nama_desa": "Desa",
        "kolom.kode_kecamatan": "Kode kecamatan",
        "kolom.nama_kecamatan": "Kecamatan",
        "kolom.status_terakhir": "Status terakhir",
        "kolom.terakhir_berhasil": "Terakhir berhasil",
        "kolom.galat_terakhir": "Teks asli galat (operator)",
        # dates
        "tanggal.format": "{hari} {bulan} {tahun} {jam}.{menit} WIB",
        # AG Grid's own texts
        "grid.noRowsToShow": "Tidak ada baris",
        "grid.loadingOoo": "Memuat…",
        "grid.searchOoo": "Cari…",
        "grid.filterOoo": "Saring…",
        "grid.selectAll": "(Pilih semua)",
        "grid.blanks": "(Kosong)",
        "grid.equals": "Sama dengan",
        "grid.notEqual": "Tidak sama dengan",
        "grid.lessThan": "Kurang dari",
        "grid.greaterThan": "Lebih dari",
        "grid.lessThanOrEqual": "Kurang dari atau sama dengan",
        "grid.greaterThanOrEqual": "Lebih dari atau sama dengan",
        "grid.inRange": "Di antara",
        "grid.inRangeStart": "Dari",
        "grid.inRangeEnd": "Sampai",
        "grid.contains": "Mengandung",
        "grid.notContains": "Tidak mengandung",
        "grid.startsWith": "Diawali",
        "grid.endsWith": "Diakhiri",
        "grid.blank": "Kosong",
        "grid.notBlank": "Tidak kosong",
        "grid.andCondition": "DAN",
        "grid.orCondition": "ATAU",
        "grid.applyFilter": "Terapkan",
        "grid.resetFilter": "Atur ulang",
        "grid.clearFilter": "Hapus",
        "grid.cancelFilter": "Batal",
        "grid.page": "Halaman",
        "grid.of": "dari",
        "grid.to": "sampai",
        "grid.sortAscending": "Urutkan naik",
        "grid.sortDescending": "Urutkan turun",
    },
    "en": {
        "app.judul": "Kecamatan Dashboard",
        "app.navigasi": "Main navigation",
        "app.bahasa": "Language",
        "app.sumber": "Source: village information systems, collected automatically.",
        "app.halaman_tidak_ada": "Page not found",
        "app.halaman_tidak_ada_teks": "This address does not exist in the dashboard.",
        "app.kembali": "Back to the overview",
        "nav.ringkasan": "Overview",
        "nav.kependudukan": "Population",
        "nav.404": "Not found",
        "filter.kecamatan": "Sub-district",
        "filter.desa": "Village",
        "filter.statistik": "Statistic",
        "filter.semua_kecamatan": "All sub-districts",
        "filter.semua_desa": "All villages",
        "filter.pilih_kecamatan_dulu": "Choose a sub-district first",
        "filter.wilayah_tidak_dikenal": "Unknown region code {kode}; showing all of {wilayah}.",
        "filter.statistik_tidak_dikenal": "Unknown statistic {slug}; showing {judul}.",
        "dropdown.cari": "Search",
        "dropdown.hapus_cari": "Clear search",
        "dropdown.hapus_pilihan": "Clear selection",
        "dropdown.tidak_ada": "No matching options",
        "dropdown.pilih_semua": "Select all",
        "dropdown.batal_semua": "Deselect all",
        "dropdown.terpilih": "{num} selected",
        "segar.catatan": "data as of {tanggal}, {n} of {m} villages",
        "segar.belum_ada": "no data collected yet",
        "kosong.judul": "No data yet",
        "kosong.tanpa_desa": (
            "The village list is not in the warehouse yet. Run the first data collection."
        ),
        "kosong.belum_pengumpulan": "No data collection has finished yet: {m} villages "
        "have not reported.",
        "kosong.wilayah": "No data yet for {wilayah}: {belum} of {m} villages have not reported.",
        "kosong.statistik": (
            "No {statistik} data yet for {wilayah}: {belum} of {m} villages have not reported."
        ),
        "kosong.statistik_saja": "No {statistik} data yet for {wilayah}.",
        "kosong.sebagian": "{belum} of {m} villages in {wilayah} have not reported.",
        "kosong.daftar": "Not reported: {daftar}.",
        "kosong.sejak": "last successful {tanggal}",
        "kosong.belum_pernah": "never",
        "kosong.periode_terakhir": "last for {periode}",
        "galat.judul": "Something went wrong.",
        "galat.teks": (
            "The data cannot be shown; the details are in the server log. "
            "Try reloading the page in a while."
        ),
        "rks.judul": "Overview of {wilayah}",
        "rks.kartu.penduduk": "Residents",
        "rks.kartu.laki_laki": "Male",
        "rks.kartu.perempuan": "Female",
        "rks.kartu.keluarga": "Families",
        "rks.melapor": "{n} villages reported in the last collection, {gagal} failed",
        "rks.belum_pernah": "{n} villages have never reported",
        "rks.selesai": "The last collection finished {tanggal}.",
        "rks.tabel_desa": "Villages and their reporting status",
        "kpd.judul": "Population of {wilayah}",
        "kpd.grafik": "{statistik} by sex, {wilayah}",
        "kpd.piramida": "Population pyramid, {wilayah}",
        "kpd.piramida_catatan": (
            "without {jiwa} residents of {n} villages: their brackets cross the default ones "
            "(listed under Age brackets)"
        ),
        "kpd.tabel": "{statistik}, {wilayah}",
        "kpd.keterangan_tabel": (
            "Counts per category for the selected region; the CSV download holds the same rows."
        ),
        "unduh_csv": "Download CSV",
        "api.tautan": "This data over the API:",
        "api.tampilan": "CSV as shown",
        "api.tampilan_keterangan": "The rows shown now, with this table's filters and sort "
        "order, as plain numbers",
        "grafik.jumlah_penduduk": "Residents",
        "grafik.kelompok_umur": "Age group",
        "grafik.kategori": "Category",
        "jenis.laki_laki": "Male",
        "jenis.perempuan": "Female",
        "kategori.belum_mengisi": "Not filled in",
        "tingkat.kabupaten": "District",
        "tingkat.kecamatan": "Sub-district",
        "tingkat.desa": "Village",
        "tingkat.kelurahan": "Urban village",
        "status.ok": "Succeeded",
        "status.unchanged": "Unchanged",
        "status.failed": "Failed",
        "status.never": "Never",
        "kolom.kode_wilayah": "Region code",
        "kolom.nama_wilayah": "Region",
        "kolom.tingkat": "Level",
        "kolom.statistik": "Statistic",
        "kolom.kode": "Code",
        "kolom.label": "Category",
        "kolom.laki_laki": "Male",
        "kolom.perempuan": "Female",
        "kolom.jumlah": "Total",
        "kolom.penduduk": "Residents",
        "kolom.keluarga": "Families",
        "kolom.rumah_tangga": "Households",
        "kolom.desa_melapor": "Villages reporting",
        "kolom.kode_desa": "Village code",
        "kolom.nama_desa": "Village",
        "kolom.kode_kecamatan": "Sub-district code",
        "kolom.nama_kecamatan": "Sub-district",
        "kolom.status_terakhir": "Last status",
        "kolom.terakhir_berhasil": "Last success",
        "kolom.galat_terakhir": "Original error text (operators)",
        "tanggal.format": "{hari} {bulan} {tahun}, {jam}:{menit} WIB",
        "grid.noRowsToShow": "No rows to show",
        "grid.loadingOoo": "Loading…",
        "grid.searchOoo": "Search…",
        "grid.filterOoo": "Filter…",
        "grid.selectAll": "(Select all)",
        "grid.blanks": "(Blanks)",
        "grid.equals": "Equals",
        "grid.notEqual": "Does not equal",
        "grid.lessThan": "Less than",
        "grid.greaterThan": "Greater than",
        "grid.lessThanOrEqual": "Less than or equal to",
        "grid.greaterThanOrEqual": "Greater than or equal to",
        "grid.inRange": "Between",
        "grid.inRangeStart": "From",
        "grid.inRangeEnd": "To",
        "grid.contains": "Contains",
        "grid.notContains": "Does not contain",
        "grid.startsWith": "Begins with",
        "grid.endsWith": "Ends with",
        "grid.blank": "Blank",
        "grid.notBlank": "Not blank",
        "grid.andCondition": "AND",
        "grid.orCondition": "OR",
        "grid.applyFilter": "Apply",
        "grid.resetFilter": "Reset",
        "grid.clearFilter": "Clear",
        "grid.cancelFilter": "Cancel",
        "grid.page": "Page",
        "grid.of": "of",
        "grid.to": "to",
        "grid.sortAscending": "Sort ascending",
        "grid.sortDescending": "Sort descending",
    },
}


def _merge_page_catalogues() -> None:
    """Add every dashboard/translations/<page>.py (ID and EN dicts) to the catalogue."""
    import importlib
    import pkgutil

    from dashboard import translations

    for info in pkgutil.iter_modules(translations.__path__):
        module = importlib.import_module(f"{translations.__name__}.{info.name}")
        for lang, texts in (("id", module.ID), ("en", module.EN)):
            clash = set(texts) & set(CATALOGUE[lang])
            if clash:
                raise ValueError(f"{module.__name__}: keys defined twice: {sorted(clash)}")
            CATALOGUE[lang].update(texts)


_merge_page_catalogues()


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The text for key in lang, with {placeholders} filled from fmt."""
    try:
        text = CATALOGUE[lang][key]
    except KeyError:
        raise MissingTranslation(f"no {lang!r} text for {key!r} in dashboard/i18n.py") from None
    try:
        return text.format(**fmt)  # always: a forgotten placeholder fails loudly, not as "{n}"
    except KeyError as exc:
        raise MissingTranslation(f"{key!r} needs the value {exc.args[0]!r}") from None


def month_abbr(month: int, lang: str = DEFAULT_LANGUAGE) -> str:
    """Three-letter month name (1 = January)."""
    try:
        return _MONTHS[lang][month - 1]
    except KeyError:
        raise MissingTranslation(f"no {lang!r} month names") from None


def statistic_title(slug: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A statistic's title from the catalogue of statistics (config/statistik.py)."""
    stat = BY_SLUG[slug]
    if lang not in LANGUAGES:
        raise MissingTranslation(f"no {lang!r} title for statistic {slug!r}")
    return stat.judul if lang == "id" else stat.title


def grid_locale(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """AG Grid's localeText for lang (its own menu and filter words)."""
    prefix = "grid."
    return {k[len(prefix) :]: v for k, v in CATALOGUE[lang].items() if k.startswith(prefix)}
