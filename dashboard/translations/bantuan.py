"""Texts of the Program Bantuan page (bnt.*)."""

ID = {
    "bnt.nav": "Program Bantuan",
    "bnt.judul": "Program Bantuan {wilayah}",
    "bnt.grafik": "Penerima per program, {wilayah}",
    "bnt.per_kecamatan": "Penerima per kecamatan, {wilayah} (klik untuk memilih)",
    "bnt.per_desa": "Penerima per desa, {wilayah} (klik untuk memilih)",
    "bnt.sumbu_peserta": "Penerima",
    "bnt.tabel": "Penerima bantuan per desa dan program, {wilayah}",
    "bnt.keterangan_tabel": (
        "Klik baris untuk melihat satu desa; klik nama desa untuk profilnya. Sasaran: "
        "1 perorangan, 2 keluarga, 3 rumah tangga, 4 kelompok."
    ),
    "bnt.kartu.program": "Program",
    "bnt.kartu.peserta": "Penerima",
    "bnt.kartu.desa": "Desa dengan program",
    "bnt.kosong": "Belum ada data program bantuan untuk {wilayah}.",
    "bnt.belum_melapor": "{n} dari {m} desa belum melapor program bantuan: {nama}.",
    "bnt.sasaran.1": "Perorangan",
    "bnt.sasaran.2": "Keluarga",
    "bnt.sasaran.3": "Rumah tangga",
    "bnt.sasaran.4": "Kelompok",
    "bnt.kolom.kode_desa": "Kode desa",
    "bnt.kolom.nama_desa": "Desa",
    "bnt.kolom.nama_kecamatan": "Kecamatan",
    "bnt.kolom.kode": "ID program",
    "bnt.kolom.program": "Program",
    "bnt.kolom.sasaran": "Sasaran",
    "bnt.kolom.asal_dana": "Asal dana",
    "bnt.kolom.mulai": "Mulai",
    "bnt.kolom.selesai": "Selesai",
    "bnt.kolom.peserta": "Penerima",
}

EN = {
    "bnt.nav": "Social Aid",
    "bnt.judul": "Social aid programmes, {wilayah}",
    "bnt.grafik": "Recipients per programme, {wilayah}",
    "bnt.per_kecamatan": "Recipients per kecamatan, {wilayah} (click to select)",
    "bnt.per_desa": "Recipients per village, {wilayah} (click to select)",
    "bnt.sumbu_peserta": "Recipients",
    "bnt.tabel": "Aid recipients per village and programme, {wilayah}",
    "bnt.keterangan_tabel": (
        "Click a row to show one village; click a village name for its profile. Target: "
        "1 individual, 2 family, 3 household, 4 group."
    ),
    "bnt.kartu.program": "Programmes",
    "bnt.kartu.peserta": "Recipients",
    "bnt.kartu.desa": "Villages with programmes",
    "bnt.kosong": "No social aid data yet for {wilayah}.",
    "bnt.belum_melapor": "{n} of {m} villages have not reported aid programmes: {nama}.",
    "bnt.sasaran.1": "Individual",
    "bnt.sasaran.2": "Family",
    "bnt.sasaran.3": "Household",
    "bnt.sasaran.4": "Group",
    "bnt.kolom.kode_desa": "Village code",
    "bnt.kolom.nama_desa": "Village",
    "bnt.kolom.nama_kecamatan": "Sub-district",
    "bnt.kolom.kode": "Programme ID",
    "bnt.kolom.program": "Programme",
    "bnt.kolom.sasaran": "Target",
    "bnt.kolom.asal_dana": "Funding",
    "bnt.kolom.mulai": "Start",
    "bnt.kolom.selesai": "End",
    "bnt.kolom.peserta": "Recipients",
}
