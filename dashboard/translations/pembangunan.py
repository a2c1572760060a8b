"""Texts of the Pembangunan page (pbg.*)."""

ID = {
    "pbg.nav": "Pembangunan",
    "pbg.judul": "Pembangunan {wilayah}, {tahun}",
    "pbg.sumber_dana": "Anggaran kegiatan menurut sumber dana, {wilayah}",
    "pbg.progres": "Kegiatan menurut progres, {wilayah}",
    "pbg.per_kecamatan": "Anggaran kegiatan per kecamatan, {wilayah} (klik untuk memilih)",
    "pbg.per_desa": "Anggaran kegiatan per desa, {wilayah} (klik untuk memilih)",
    "pbg.sumbu_kegiatan": "Jumlah kegiatan",
    "pbg.tabel": "Kegiatan pembangunan, {wilayah}, {tahun}",
    "pbg.keterangan_tabel": (
        "Klik baris untuk melihat satu desa; klik nama desa untuk profilnya. "
        "Unduhan CSV berisi angka tanpa format."
    ),
    "pbg.kartu.jumlah_kegiatan": "Kegiatan",
    "pbg.kartu.anggaran": "Anggaran",
    "pbg.kartu.rata_progres": "Rata-rata progres",
    "pbg.kartu.kegiatan_selesai": "Selesai (100 %)",
    "pbg.kosong": "Belum ada data pembangunan {tahun} untuk {wilayah}.",
    "pbg.belum_melapor": "{n} dari {m} desa belum melapor kegiatan pembangunan {tahun}: {nama}.",
    "pbg.kolom.kode_desa": "Kode desa",
    "pbg.kolom.nama_desa": "Desa",
    "pbg.kolom.nama_kecamatan": "Kecamatan",
    "pbg.kolom.tahun": "Tahun",
    "pbg.kolom.kode": "ID",
    "pbg.kolom.judul": "Kegiatan",
    "pbg.kolom.sumber_dana": "Sumber dana",
    "pbg.kolom.pelaksana": "Pelaksana",
    "pbg.kolom.lokasi": "Lokasi",
    "pbg.kolom.volume": "Volume",
    "pbg.kolom.anggaran": "Anggaran",
    "pbg.kolom.progres": "Progres (%)",
}

EN = {
    "pbg.nav": "Development",
    "pbg.judul": "Development projects, {wilayah}, {tahun}",
    "pbg.sumber_dana": "Project budget by funding source, {wilayah}",
    "pbg.progres": "Projects by progress, {wilayah}",
    "pbg.per_kecamatan": "Project budget per kecamatan, {wilayah} (click to select)",
    "pbg.per_desa": "Project budget per village, {wilayah} (click to select)",
    "pbg.sumbu_kegiatan": "Projects",
    "pbg.tabel": "Development projects, {wilayah}, {tahun}",
    "pbg.keterangan_tabel": (
        "Click a row to show one village; click a village name for its profile. "
        "The CSV holds unformatted numbers."
    ),
    "pbg.kartu.jumlah_kegiatan": "Projects",
    "pbg.kartu.anggaran": "Budget",
    "pbg.kartu.rata_progres": "Mean progress",
    "pbg.kartu.kegiatan_selesai": "Finished (100 %)",
    "pbg.kosong": "No {tahun} development projects yet for {wilayah}.",
    "pbg.belum_melapor": "{n} of {m} villages have not reported {tahun} projects: {nama}.",
    "pbg.kolom.kode_desa": "Village code",
    "pbg.kolom.nama_desa": "Village",
    "pbg.kolom.nama_kecamatan": "Sub-district",
    "pbg.kolom.tahun": "Year",
    "pbg.kolom.kode": "ID",
    "pbg.kolom.judul": "Project",
    "pbg.kolom.sumber_dana": "Funding source",
    "pbg.kolom.pelaksana": "Executor",
    "pbg.kolom.lokasi": "Location",
    "pbg.kolom.volume": "Volume",
    "pbg.kolom.anggaran": "Budget",
    "pbg.kolom.progres": "Progress (%)",
}
