"""Texts of the Unggah Data (upload) page ("ung.")."""

from __future__ import annotations

ID: dict[str, str] = {
    "ung.nav": "Unggah Data",
    "ung.judul": "Unggah Data",
    "ung.pengantar": (
        "Muat berkas CSV atau XLSX berisi satu baris per wilayah, dengan kolom templat. "
        "Berkas diperiksa seluruhnya dulu: bila ada satu kesalahan saja, tidak ada yang dimuat."
    ),
    "ung.dataset": "Dataset",
    "ung.tahun": "Tahun",
    "ung.bulan": "Bulan",
    "ung.semester": "Semester",
    "ung.semester_ke": "Semester {n}",
    "ung.penyakit": "Kode penyakit (penyakit_id)",
    "ung.penyakit_bantuan": "Kosongkan bila berkas memuat kolom penyakit_id.",
    "ung.templat": "Unduh templat CSV",
    "ung.kolom": "Kolom templat: {kolom}",
    "ung.berkas": "Berkas",
    "ung.seret": "Seret berkas CSV/XLSX ke sini, atau klik untuk memilih",
    "ung.terpilih": "Berkas terpilih: {nama}",
    "ung.kirim": "Muat data",
    "ung.berhasil": "Data dimuat.",
    "ung.ditolak": "Berkas ditolak; tidak ada data yang dimuat.",
    "ung.th.baris": "Baris",
    "ung.th.kolom": "Kolom",
    "ung.th.pesan": "Kesalahan",
    "ung.tanpa_berkas": "Pilih berkas dulu.",
    "ung.tanpa_tahun": "Isi tahun (2000–2100).",
    "ung.tanpa_dataset": "Pilih dataset dulu.",
}

EN: dict[str, str] = {
    "ung.nav": "Upload Data",
    "ung.judul": "Upload Data",
    "ung.pengantar": (
        "Load a CSV or XLSX file with one row per region, in the template's columns. "
        "The whole file is checked first: if it has a single error, nothing is loaded."
    ),
    "ung.dataset": "Dataset",
    "ung.tahun": "Year",
    "ung.bulan": "Month",
    "ung.semester": "Semester",
    "ung.semester_ke": "Semester {n}",
    "ung.penyakit": "Disease code (penyakit_id)",
    "ung.penyakit_bantuan": "Leave empty when the file has a penyakit_id column.",
    "ung.templat": "Download CSV template",
    "ung.kolom": "Template columns: {kolom}",
    "ung.berkas": "File",
    "ung.seret": "Drop a CSV/XLSX file here, or click to choose one",
    "ung.terpilih": "Chosen file: {nama}",
    "ung.kirim": "Load data",
    "ung.berhasil": "Data loaded.",
    "ung.ditolak": "File rejected; no data was loaded.",
    "ung.th.baris": "Row",
    "ung.th.kolom": "Column",
    "ung.th.pesan": "Error",
    "ung.tanpa_berkas": "Choose a file first.",
    "ung.tanpa_tahun": "Fill in the year (2000–2100).",
    "ung.tanpa_dataset": "Choose a dataset first.",
}
