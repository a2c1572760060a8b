"""Data Sarana (OpenDK 2026): the facilities of a village, by OpenDK's categories.

OpenDK's template `Format_Upload_Data_Sarana` has one row per facility: desa_id, nama, jumlah,
kategori, keterangan, where kategori is the category's name as OpenDK shows it ("Posyandu",
"SD/Sederajat"); OpenDK stores the category's value (`posyandu`, `sd`) and skips a row whose
category it does not know. We store the value too, accept either spelling, and refuse an
unknown category with the list of known ones instead of dropping the row.
"""

from __future__ import annotations

__all__ = ["GROUPS", "KATEGORI", "kategori_value"]

# value -> (OpenDK's name, group)
KATEGORI: dict[str, tuple[str, str]] = {
    "puskesmas": ("Puskesmas", "kesehatan"),
    "puskesmas_pembantu": ("Puskesmas Pembantu", "kesehatan"),
    "posyandu": ("Posyandu", "kesehatan"),
    "pondok_bersalin": ("Pondok Bersalin", "kesehatan"),
    "paud": ("PAUD/Sederajat", "pendidikan"),
    "sd": ("SD/Sederajat", "pendidikan"),
    "smp": ("SMP/Sederajat", "pendidikan"),
    "sma": ("SMA/Sederajat", "pendidikan"),
    "masjid_besar": ("Masjid Besar", "umum"),
    "mushola": ("Mushola", "umum"),
    "gereja": ("Gereja", "umum"),
    "pasar": ("Pasar", "umum"),
    "balai_pertemuan": ("Balai Pertemuan", "umum"),
}
GROUPS = ("kesehatan", "pendidikan", "umum")
_BY_NAME = {name.casefold(): value for value, (name, _) in KATEGORI.items()}


def kategori_value(text: str) -> str | None:
    """ "SD/Sederajat" or "sd" → "sd"; None for a category OpenDK does not have."""
    s = " ".join(text.split()).casefold()
    if s in KATEGORI:
        return s
    return _BY_NAME.get(s)
