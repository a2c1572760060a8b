"""Texts of the Program Bantuan page (bnt.*)."""

ID = {
    "bnt.nav": "Program Bantuan",
    "bnt.judul": "Program Bantuan {wilayah}",
    "bnt.grafik": "Penerima per program, {wilayah}",
    "bnt.per_kecamatan": (
        "Kepesertaan per kecamatan menurut sasaran, {wilayah} (klik untuk memilih)"
    ),
    "bnt.per_desa": "Kepesertaan per desa menurut sasaran, {wilayah} (klik untuk memilih)",
    "bnt.sumbu_peserta": "Penerima",
    "bnt.sumbu_kepesertaan": "Kepesertaan (penerima tiap program dijumlahkan)",
    "bnt.tabel_sasaran": "Penerima menurut sasaran",
    "bnt.keterangan_sasaran": (
        "Penerima dengan sasaran berbeda (penduduk, keluarga, rumah tangga, kelompok) tidak "
        "pernah dijumlahkan. Kepesertaan = penerima tiap program dijumlahkan: keluarga yang ikut "
        "dua program terhitung dua kali. Penerima tanpa dobel dari statistik Penerima Bantuan "
        "(Penduduk) dan (Keluarga) desa, seperti di Kependudukan; untuk rumah tangga dan kelompok "
        "desa tidak melaporkannya."
    ),
    "bnt.tabel": "Penerima bantuan per desa dan program, {wilayah}",
    "bnt.keterangan_tabel": (
        "Klik baris untuk melihat satu desa; klik nama desa untuk profilnya. Sasaran: "
        "1 penduduk (perorangan), 2 keluarga, 3 rumah tangga, 4 kelompok; penerima tiap "
        "program, satu baris per desa dan program."
    ),
    "bnt.kartu.program": "Program",
    "bnt.kartu.desa": "berjalan di {n} desa",
    "bnt.kartu.unik.1": "penduduk penerima, masing-masing dihitung sekali",
    "bnt.kartu.unik.2": "keluarga penerima, masing-masing dihitung sekali",
    "bnt.kartu.kepesertaan": "{n} kepesertaan di {program} program",
    "bnt.kartu.tanpa_unik": (
        "kepesertaan di {program} program: penerima yang ikut beberapa program terhitung di "
        "tiap program"
    ),
    "bnt.kosong": "Belum ada data program bantuan untuk {wilayah}.",
    "bnt.belum_melapor": "{n} dari {m} desa belum melapor program bantuan: {nama}.",
    "bnt.sasaran.1": "Penduduk (perorangan)",
    "bnt.sasaran.2": "Keluarga",
    "bnt.sasaran.3": "Rumah tangga",
    "bnt.sasaran.4": "Kelompok",
    "bnt.sasaran.0": "Sasaran tidak disebut",
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
    "bnt.kolom.nama_sasaran": "Sasaran",
    "bnt.kolom.jumlah_program": "Program",
    "bnt.kolom.kepesertaan": "Kepesertaan",
    "bnt.kolom.penerima": "Penerima tanpa dobel",
    "bnt.kolom.desa": "Desa",
}

EN = {
    "bnt.nav": "Social Aid",
    "bnt.judul": "Social aid programmes, {wilayah}",
    "bnt.grafik": "Recipients per programme, {wilayah}",
    "bnt.per_kecamatan": "Memberships per sub-district by target, {wilayah} (click to select)",
    "bnt.per_desa": "Memberships per village by target, {wilayah} (click to select)",
    "bnt.sumbu_peserta": "Recipients",
    "bnt.sumbu_kepesertaan": "Memberships (recipients of each programme, summed)",
    "bnt.tabel_sasaran": "Recipients by target",
    "bnt.keterangan_sasaran": (
        "Recipients of different targets (residents, families, households, groups) are never "
        "added together. Memberships = the recipients of each programme summed: a family in two "
        "programmes counts twice. Distinct recipients come from the villages' Aid recipients "
        "(residents) and (families) statistics, as on Population; villages do not report them "
        "for households and groups."
    ),
    "bnt.tabel": "Aid recipients per village and programme, {wilayah}",
    "bnt.keterangan_tabel": (
        "Click a row to show one village; click a village name for its profile. Target: "
        "1 residents (individuals), 2 families, 3 households, 4 groups; the recipients of each "
        "programme, one row per village and programme."
    ),
    "bnt.kartu.program": "Programmes",
    "bnt.kartu.desa": "running in {n} villages",
    "bnt.kartu.unik.1": "residents receiving aid, each counted once",
    "bnt.kartu.unik.2": "families receiving aid, each counted once",
    "bnt.kartu.kepesertaan": "{n} memberships in {program} programmes",
    "bnt.kartu.tanpa_unik": (
        "memberships in {program} programmes: a recipient of several programmes counts in each"
    ),
    "bnt.kosong": "No social aid data yet for {wilayah}.",
    "bnt.belum_melapor": "{n} of {m} villages have not reported aid programmes: {nama}.",
    "bnt.sasaran.1": "Residents (individuals)",
    "bnt.sasaran.2": "Families",
    "bnt.sasaran.3": "Households",
    "bnt.sasaran.4": "Groups",
    "bnt.sasaran.0": "Target not given",
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
    "bnt.kolom.nama_sasaran": "Target",
    "bnt.kolom.jumlah_program": "Programmes",
    "bnt.kolom.kepesertaan": "Memberships",
    "bnt.kolom.penerima": "Distinct recipients",
    "bnt.kolom.desa": "Villages",
}
