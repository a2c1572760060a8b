"""Texts of the freshness lines and notes shared by every page with figures (issue 8)."""

ID = {
    "segar.catatan_tanpa_waktu": "{n} dari {m} desa",
    "segar.tertinggal": (
        "Data {n} desa bukan yang terbaru, karena pengumpulan terakhirnya gagal: {daftar}."
    ),
}

EN = {
    "segar.catatan_tanpa_waktu": "{n} of {m} villages",
    "segar.tertinggal": (
        "The data of {n} villages is not current, as their latest collection failed: {daftar}."
    ),
}
