"""Texts naming the population statistics (dashboard/statistik.py): the selector's themes,
what each total counts, the special rows (stat.*)."""

ID = {
    # the Kependudukan selector's groups (config.statistik.THEMES)
    "stat.tema.penduduk": "Penduduk",
    "stat.tema.pendidikan": "Pendidikan dan pekerjaan",
    "stat.tema.kesehatan": "Kesehatan dan jaminan sosial",
    "stat.tema.dokumen": "Dokumen kependudukan",
    "stat.tema.keluarga": "Keluarga dan rumah tangga",
    "stat.tema.bantuan": "Bantuan sosial",
    # what a total counts (config/statistik.toml `unit`)
    "stat.satuan.penduduk": "penduduk",
    "stat.satuan.keluarga": ("keluarga (laki-laki/perempuan: jenis kelamin kepala keluarga)"),
    "stat.satuan.rumah_tangga": (
        "rumah tangga (laki-laki/perempuan: jenis kelamin kepala rumah tangga)"
    ),
    "stat.satuan.wajib_ktp": "penduduk wajib KTP (berumur 17 tahun ke atas atau pernah kawin)",
    "stat.satuan.anak": "anak berumur 17 tahun ke bawah",
    "stat.satuan.perempuan": "penduduk perempuan",
    "stat.satuan.penduduk_kawin": "penduduk yang pernah kawin",
    "stat.satuan.penduduk_meninggal": "penduduk yang meninggal",
    "stat.satuan_pendek.penduduk": "penduduk",
    "stat.satuan_pendek.keluarga": "keluarga",
    "stat.satuan_pendek.rumah_tangga": "rumah tangga",
    "stat.satuan_pendek.wajib_ktp": "wajib KTP",
    "stat.satuan_pendek.anak": "anak ≤ 17 tahun",
    "stat.satuan_pendek.perempuan": "perempuan",
    "stat.satuan_pendek.penduduk_kawin": "pernah kawin",
    "stat.satuan_pendek.penduduk_meninggal": "meninggal",
    "stat.sumbu.penduduk": "Jumlah penduduk",
    "stat.sumbu.keluarga": "Jumlah keluarga",
    "stat.sumbu.rumah_tangga": "Jumlah rumah tangga",
    "stat.sumbu.wajib_ktp": "Penduduk wajib KTP",
    "stat.sumbu.anak": "Anak (17 tahun ke bawah)",
    "stat.sumbu.perempuan": "Penduduk perempuan",
    "stat.sumbu.penduduk_kawin": "Penduduk yang pernah kawin",
    "stat.sumbu.penduduk_meninggal": "Penduduk yang meninggal",
    # rows that are not plain categories
    "stat.kategori.jumlah": "Penerima (tanpa dobel)",
    "stat.kategori.tidak_diselaraskan": "Rentang desa yang tidak diselaraskan",
    "stat.tidak_diselaraskan": (
        "Tidak diselaraskan: {jumlah} {satuan} dari {n} desa, di rentang umur desa yang "
        "melintasi rentang bawaan (klik untuk daftar per desa)"
    ),
    # the line under the selector
    "stat.keterangan": "{statistik} menghitung {satuan}.",
    "stat.keterangan_belum": "„{sisa}“: datanya belum diisi.",
    "stat.keterangan_sisa": "„{sisa}“: sisa dari jumlah yang tidak masuk kategori mana pun.",
    "stat.keterangan_bantuan": (
        "Satu penerima bisa ikut beberapa program, jadi baris program tidak dijumlahkan: "
        "„{penerima}“ menghitung tiap penerima sekali, „{sisa}“ sisanya."
    ),
    "stat.keterangan_selaras": (
        "Rentang umur desa diselaraskan ke rentang bawaan OpenSID; rentang desa yang melintasi "
        "batas rentang bawaan tidak dapat dibagi tanpa menebak dan dijumlahkan sebagai "
        "„{rest}“ (daftarnya di bawah tabel)."
    ),
}

EN = {
    "stat.tema.penduduk": "Residents",
    "stat.tema.pendidikan": "Education and work",
    "stat.tema.kesehatan": "Health and social insurance",
    "stat.tema.dokumen": "Civil documents",
    "stat.tema.keluarga": "Families and households",
    "stat.tema.bantuan": "Social aid",
    "stat.satuan.penduduk": "residents",
    "stat.satuan.keluarga": "families (male/female: the sex of the head of the family)",
    "stat.satuan.rumah_tangga": ("households (male/female: the sex of the head of the household)"),
    "stat.satuan.wajib_ktp": (
        "residents required to hold an identity card (aged 17 or over, or ever married)"
    ),
    "stat.satuan.anak": "children aged 17 or younger",
    "stat.satuan.perempuan": "female residents",
    "stat.satuan.penduduk_kawin": "residents ever married",
    "stat.satuan.penduduk_meninggal": "deceased residents",
    "stat.satuan_pendek.penduduk": "residents",
    "stat.satuan_pendek.keluarga": "families",
    "stat.satuan_pendek.rumah_tangga": "households",
    "stat.satuan_pendek.wajib_ktp": "KTP age",
    "stat.satuan_pendek.anak": "children ≤ 17",
    "stat.satuan_pendek.perempuan": "women",
    "stat.satuan_pendek.penduduk_kawin": "ever married",
    "stat.satuan_pendek.penduduk_meninggal": "deceased",
    "stat.sumbu.penduduk": "Residents",
    "stat.sumbu.keluarga": "Families",
    "stat.sumbu.rumah_tangga": "Households",
    "stat.sumbu.wajib_ktp": "Residents of KTP age",
    "stat.sumbu.anak": "Children (17 or younger)",
    "stat.sumbu.perempuan": "Female residents",
    "stat.sumbu.penduduk_kawin": "Residents ever married",
    "stat.sumbu.penduduk_meninggal": "Deceased residents",
    "stat.kategori.jumlah": "Recipients (each once)",
    "stat.kategori.tidak_diselaraskan": "Village brackets not harmonised",
    "stat.tidak_diselaraskan": (
        "Not harmonised: {jumlah} {satuan} of {n} villages, in village age brackets across the "
        "default ones (click for the list by village)"
    ),
    "stat.keterangan": "{statistik} counts {satuan}.",
    "stat.keterangan_belum": "“{sisa}”: the data is not filled in.",
    "stat.keterangan_sisa": "“{sisa}”: what the total holds beyond every category.",
    "stat.keterangan_bantuan": (
        "A recipient may be in several programmes, so the programme rows are not added up: "
        "“{penerima}” counts each recipient once, “{sisa}” the rest."
    ),
    "stat.keterangan_selaras": (
        "Villages' age brackets are mapped onto OpenSID's default brackets; a village bracket "
        "across a default bound cannot be split without guessing and is summed as “{rest}” "
        "(listed below the table)."
    ),
}
