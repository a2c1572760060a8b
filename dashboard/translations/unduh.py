"""Texts of the Unduh Data page ("unduh.") and the data dictionary ("kamus."): the Kamus Data
page and the column descriptions /api/v1/kamus serves in both languages."""

from __future__ import annotations

ID: dict[str, str] = {
    # Unduh Data page
    "unduh.nav": "Unduh Data",
    "unduh.judul": "Unduh Data",
    "unduh.pengantar": (
        "Pilih data, tingkat, wilayah dan periode. Berkas CSV sama persis dengan jawaban API "
        "di bawah; arti setiap kolom ada di"
    ),
    "unduh.data": "Data",
    "unduh.tingkat": "Tingkat",
    "unduh.periode": "Periode",
    "unduh.semua_periode": "Semua periode",
    "unduh.pilihan.statistik": "Statistik: {judul}",
    "unduh.pilihan.penduduk": "Jumlah penduduk, keluarga dan rumah tangga",
    "unduh.pilihan.desa": "Status pelaporan desa",
    "unduh.pilihan.dataset": "Dataset: {judul}",
    "unduh.jumlah_baris": "{n} baris; pratinjau menampilkan {tampil} baris pertama.",
    "unduh.tautan": "Alamat API:",
    "unduh.tingkat_disesuaikan": (
        "Tingkat {tingkat} lebih tinggi dari wilayah terpilih; data ditampilkan per {dipakai}."
    ),
    "unduh.galat_pilihan": "Pilihan ini tidak dapat dijawab: {pesan}",
    # Kamus Data page
    "kamus.nav": "Kamus Data",
    "kamus.judul": "Kamus Data",
    "kamus.pengantar": (
        "Arti setiap kolom dari setiap berkas CSV dan JSON di /api/v1, beserta daftar kode. "
        "Kamus ini juga tersedia sebagai data:"
    ),
    "kamus.bagian_kolom": "Kolom setiap tabel",
    "kamus.bagian_statistik": "Statistik penduduk dan kodenya",
    "kamus.bagian_dataset": "Dataset, ukuran dan periode",
    "kamus.th.kolom": "Kolom",
    "kamus.th.tipe": "Tipe",
    "kamus.th.deskripsi": "Keterangan",
    "kamus.th.kode": "Kode",
    "kamus.th.label": "Label",
    "kamus.th.ukuran": "Ukuran",
    "kamus.th.periode": "Periode di gudang data",
    "kamus.tanpa_periode": "tanpa periode",
    "kamus.bagian_halaman": "Tabel setiap halaman lewat API",
    "kamus.halaman_pengantar": (
        "Setiap tabel di dasbor punya kembaran di /api/v1/halaman/<halaman>/<tabel> (JSON; "
        "CSV dengan .csv) dengan filter yang sama seperti di alamat halamannya; tautan "
        '"CSV · JSON" di bawah setiap tabel membawa filter yang sedang dipilih.'
    ),
    "kamus.th.alamat": "Alamat",
    "kamus.th.halaman": "Halaman",
    "kamus.th.parameter": "Parameter",
    "kamus.tabel.statistik": "Statistik penduduk (/api/v1/statistik/<slug>)",
    "kamus.tabel.penduduk": "Jumlah penduduk (/api/v1/penduduk)",
    "kamus.tabel.desa": "Status pelaporan desa (/api/v1/desa)",
    "kamus.tabel.dataset": "Dataset pengukuran (/api/v1/dataset/<nama>)",
    "kamus.tabel.kamus": "Kamus data ini (/api/v1/kamus)",
    # descriptions served by /api/v1/kamus
    "kamus.statistik": "Jumlahnya menghitung {unit} (satuan {kode}).",
    "kamus.kode_bantuan": (
        "Kategori = program bantuan masing-masing desa (kode = id program; di tingkat kecamatan "
        "dan kabupaten program digabung menurut nama: kode = nama program). Baris program "
        "bertumpang tindih: satu penerima bisa ikut beberapa program."
    ),
    "kamus.kode_bebas": "Kategori dinamai sendiri oleh desa: kode = nama kategori.",
    "kamus.kode_umur": (
        "Kategori = rentang umur desa, dengan batas dari/sampai; desa dapat mengubah dan "
        "menambah rentangnya (kode di atas adalah bawaan OpenSID)."
    ),
    "kamus.belum_mengisi": "Penduduk yang datanya belum diisi untuk statistik ini.",
    "kamus.tidak_diselaraskan": (
        "Di tingkat kecamatan dan kabupaten: rentang umur desa yang melintasi batas rentang "
        "bawaan (tidak dapat dibagi tanpa menebak), dijumlahkan; rentang lainnya dipetakan ke "
        "rentang bawaan yang memuatnya. Rinciannya per desa: tingkat=desa."
    ),
    "kamus.sisa": "Sisa dari total yang tidak masuk kategori mana pun",
    "kamus.jumlah_penerima": (
        "Penerima yang berbeda: satu keluarga bisa menerima beberapa program, sehingga jumlah "
        "baris kategori tidak sama dengan jumlah penerima."
    ),
    "kamus.grain.snapshot": "Keadaan terkini per {level}, tanpa periode.",
    "kamus.grain.tahun": "Per {level} dan tahun (periode 2026).",
    "kamus.grain.bulan": "Per {level} dan bulan (periode 202611 = November 2026).",
    "kamus.grain.semester": "Per {level} dan semester (periode 2026S1).",
    "kamus.ukuran": "Ukuran dataset {dataset} (kolom ukuran; angkanya di kolom nilai).",
    "kamus.ukuran_persen": "Ukuran dataset {dataset}, persen 0–100 (angkanya di kolom nilai).",
    "kamus.kolom.kode_wilayah": "Kode wilayah Kemendagri bertitik (17.03.06.2001).",
    "kamus.kolom.nama_wilayah": "Nama wilayah.",
    "kamus.kolom.tingkat": "Tingkat wilayah baris: desa, kecamatan atau kabupaten.",
    "kamus.kolom.statistik": "Slug statistik (lihat bagian statistik).",
    "kamus.kolom.kode": "Kode kategori statistik (lihat daftar kode); belum_mengisi = belum diisi.",
    "kamus.kolom.label": "Nama kategori seperti dikirim desa.",
    "kamus.kolom.laki_laki": "Jumlah laki-laki.",
    "kamus.kolom.perempuan": "Jumlah perempuan.",
    "kamus.kolom.jumlah": "Jumlah seluruhnya.",
    "kamus.kolom.penduduk": "Jumlah penduduk.",
    "kamus.kolom.keluarga": "Jumlah keluarga (kartu keluarga).",
    "kamus.kolom.rumah_tangga": "Jumlah rumah tangga.",
    "kamus.kolom.desa_melapor": "Banyak desa yang datanya termasuk dalam baris ini.",
    "kamus.kolom.kode_desa": "Kode desa/kelurahan Kemendagri bertitik.",
    "kamus.kolom.nama_desa": "Nama desa/kelurahan.",
    "kamus.kolom.kode_kecamatan": "Kode kecamatan Kemendagri bertitik (17.03.06).",
    "kamus.kolom.nama_kecamatan": "Nama kecamatan.",
    "kamus.kolom.status_terakhir": (
        "Hasil pengumpulan terakhir: ok, unchanged (tidak berubah), failed (gagal), never "
        "(belum pernah)."
    ),
    "kamus.kolom.terakhir_berhasil": "Waktu terakhir data desa berhasil dikumpulkan (ISO, UTC).",
    "kamus.kolom.galat_terakhir": (
        "Alasan kegagalan terakhir, bila ada, dalam teks asli pengumpul (bahasa Inggris, untuk "
        "operator); halaman menampilkannya dalam bahasanya dari alasan_kode dan alasan_param."
    ),
    "kamus.kolom.dataset": "Nama dataset (lihat bagian dataset).",
    "kamus.kolom.periode": (
        "Periode: 2026 (tahun), 2026S1 (semester), 202611 (bulan); kosong bila tanpa periode."
    ),
    "kamus.kolom.ukuran": "Nama ukuran (lihat bagian dataset).",
    "kamus.kolom.nilai": "Nilai ukuran, angka biasa dengan titik desimal.",
    "kamus.kolom.atribut": "Keterangan tambahan baris sebagai teks JSON.",
    "kamus.kolom.dataset.kode": "Kode butir dalam dataset (nomor akun, nomor program, dst.).",
    "kamus.kolom.dataset.label": "Nama butir (akun, program, kegiatan) seperti dikirim desa.",
    "kamus.kolom.bagian": (
        "Jenis baris kamus: kolom, statistik, kode, dataset, ukuran atau periode."
    ),
    "kamus.kolom.tabel": "Tabel yang diterangkan (statistik, penduduk, dataset/apbdes, …).",
    "kamus.kolom.nama": "Nama kolom, statistik, dataset atau ukuran.",
    "kamus.kolom.kamus.kode": (
        "Kode: kategori, kunci OpenSID statistik, tingkat dataset, atau periode."
    ),
    "kamus.kolom.kamus.label": "Label kategori atau judul statistik/dataset.",
    "kamus.kolom.tipe": (
        "Tipe nilai (string, integer, number, datetime, json), satuan statistik, atau "
        "rincian waktu dataset."
    ),
    "kamus.kolom.deskripsi_id": "Keterangan dalam bahasa Indonesia.",
    "kamus.kolom.deskripsi_en": "Keterangan dalam bahasa Inggris.",
}

EN: dict[str, str] = {
    "unduh.nav": "Download data",
    "unduh.judul": "Download data",
    "unduh.pengantar": (
        "Choose the data, level, region and period. The CSV file is exactly the API answer "
        "below; what each column means is in the"
    ),
    "unduh.data": "Data",
    "unduh.tingkat": "Level",
    "unduh.periode": "Period",
    "unduh.semua_periode": "All periods",
    "unduh.pilihan.statistik": "Statistic: {judul}",
    "unduh.pilihan.penduduk": "Residents, families and households",
    "unduh.pilihan.desa": "Village reporting status",
    "unduh.pilihan.dataset": "Dataset: {judul}",
    "unduh.jumlah_baris": "{n} rows; the preview shows the first {tampil}.",
    "unduh.tautan": "API addresses:",
    "unduh.tingkat_disesuaikan": (
        "Level {tingkat} is above the selected region; showing the data per {dipakai}."
    ),
    "unduh.galat_pilihan": "This choice cannot be answered: {pesan}",
    "kamus.nav": "Data dictionary",
    "kamus.judul": "Data dictionary",
    "kamus.pengantar": (
        "What every column of every CSV and JSON file under /api/v1 means, and the code lists. "
        "The dictionary is also available as data:"
    ),
    "kamus.bagian_kolom": "Columns of each table",
    "kamus.bagian_statistik": "Population statistics and their codes",
    "kamus.bagian_dataset": "Datasets, measures and periods",
    "kamus.th.kolom": "Column",
    "kamus.th.tipe": "Type",
    "kamus.th.deskripsi": "Description",
    "kamus.th.kode": "Code",
    "kamus.th.label": "Label",
    "kamus.th.ukuran": "Measures",
    "kamus.th.periode": "Periods in the warehouse",
    "kamus.tanpa_periode": "no periods",
    "kamus.bagian_halaman": "Every page's tables over the API",
    "kamus.halaman_pengantar": (
        "Every table of the dashboard has a twin at /api/v1/halaman/<page>/<table> (JSON; CSV "
        'with .csv) taking the same filters as its page\'s address; the "CSV · JSON" links '
        "under each table carry the filters chosen now."
    ),
    "kamus.th.alamat": "Address",
    "kamus.th.halaman": "Page",
    "kamus.th.parameter": "Parameters",
    "kamus.tabel.statistik": "Population statistics (/api/v1/statistik/<slug>)",
    "kamus.tabel.penduduk": "Population totals (/api/v1/penduduk)",
    "kamus.tabel.desa": "Village reporting status (/api/v1/desa)",
    "kamus.tabel.dataset": "Measurement datasets (/api/v1/dataset/<name>)",
    "kamus.tabel.kamus": "This data dictionary (/api/v1/kamus)",
    "kamus.statistik": "The total counts {unit} (unit {kode}).",
    "kamus.kode_bantuan": (
        "Categories are each village's own aid programmes (code = programme id; at kecamatan "
        "and kabupaten level programmes are joined by name: code = programme name). Programme "
        "rows overlap: a recipient may be in several programmes."
    ),
    "kamus.kode_bebas": "Categories named by the village itself: the code is the category's name.",
    "kamus.kode_umur": (
        "Categories are the village's age brackets, with dari/sampai bounds; villages edit and "
        "add brackets (the codes above are OpenSID's defaults)."
    ),
    "kamus.belum_mengisi": "Residents whose data for this statistic is not filled in.",
    "kamus.tidak_diselaraskan": (
        "At kecamatan and kabupaten level: village age brackets across a default bound (they "
        "cannot be split without guessing), summed; every other bracket is mapped onto the "
        "default bracket holding it. By village: tingkat=desa."
    ),
    "kamus.sisa": "What the total holds beyond every category",
    "kamus.jumlah_penerima": (
        "Distinct recipients: a family may receive several programmes, so the categories do "
        "not add up to the recipients."
    ),
    "kamus.grain.snapshot": "Current state per {level}, no period.",
    "kamus.grain.tahun": "Per {level} and year (period 2026).",
    "kamus.grain.bulan": "Per {level} and month (period 202611 = November 2026).",
    "kamus.grain.semester": "Per {level} and semester (period 2026S1).",
    "kamus.ukuran": "A measure of the {dataset} dataset (column ukuran; the number is in nilai).",
    "kamus.ukuran_persen": "A measure of the {dataset} dataset, percent 0–100 (number in nilai).",
    "kamus.kolom.kode_wilayah": "Dotted Kemendagri region code (17.03.06.2001).",
    "kamus.kolom.nama_wilayah": "Region name.",
    "kamus.kolom.tingkat": "The row's region level: desa, kecamatan or kabupaten.",
    "kamus.kolom.statistik": "Statistic slug (see the statistics part).",
    "kamus.kolom.kode": "Category code of the statistic (see the code list); belum_mengisi = "
    "not filled in.",
    "kamus.kolom.label": "Category name as the village sent it.",
    "kamus.kolom.laki_laki": "Number of males.",
    "kamus.kolom.perempuan": "Number of females.",
    "kamus.kolom.jumlah": "Total number.",
    "kamus.kolom.penduduk": "Number of residents.",
    "kamus.kolom.keluarga": "Number of families (family cards).",
    "kamus.kolom.rumah_tangga": "Number of households.",
    "kamus.kolom.desa_melapor": "How many villages' data this row includes.",
    "kamus.kolom.kode_desa": "Dotted Kemendagri village code.",
    "kamus.kolom.nama_desa": "Village name.",
    "kamus.kolom.kode_kecamatan": "Dotted Kemendagri sub-district code (17.03.06).",
    "kamus.kolom.nama_kecamatan": "Sub-district name.",
    "kamus.kolom.status_terakhir": (
        "Result of the last collection: ok, unchanged, failed, never (never reported)."
    ),
    "kamus.kolom.terakhir_berhasil": "When the village's data was last collected (ISO, UTC).",
    "kamus.kolom.galat_terakhir": (
        "Why the last attempt failed, if it did, in the collector's original words (English, "
        "for operators); pages show it in their language from alasan_kode and alasan_param."
    ),
    "kamus.kolom.dataset": "Dataset name (see the datasets part).",
    "kamus.kolom.periode": (
        "Period: 2026 (year), 2026S1 (semester), 202611 (month); empty when there is none."
    ),
    "kamus.kolom.ukuran": "Measure name (see the datasets part).",
    "kamus.kolom.nilai": "The measure's value, a plain number with a decimal point.",
    "kamus.kolom.atribut": "More about the row, as JSON text.",
    "kamus.kolom.dataset.kode": "Item code within the dataset (account, programme number, …).",
    "kamus.kolom.dataset.label": "Item name (account, programme, project) as the village sent it.",
    "kamus.kolom.bagian": (
        "Kind of dictionary row: kolom, statistik, kode, dataset, ukuran or periode."
    ),
    "kamus.kolom.tabel": "The table described (statistik, penduduk, dataset/apbdes, …).",
    "kamus.kolom.nama": "Name of the column, statistic, dataset or measure.",
    "kamus.kolom.kamus.kode": (
        "Code: a category, a statistic's OpenSID key, a dataset's level, or a period."
    ),
    "kamus.kolom.kamus.label": "Category label or the statistic's/dataset's title.",
    "kamus.kolom.tipe": (
        "Value type (string, integer, number, datetime, json), a statistic's unit, or a "
        "dataset's time grain."
    ),
    "kamus.kolom.deskripsi_id": "Description in Indonesian.",
    "kamus.kolom.deskripsi_en": "Description in English.",
}
