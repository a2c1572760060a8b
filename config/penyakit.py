"""The diseases of the epidemi-penyakit dataset, as data: OpenDK's ids and any added in settings.

OpenDK seeds `ref_penyakit` with 1 Demam Berdarah, 2 Kolera, 3 Malaria, 4 Influensa, and its
admins add more; a file's disease is chosen by that id. Our defaults are the same four (their
names in the gettext catalogue, `kes.penyakit.<id>`), and a kecamatan adds its own with the
`penyakit` setting ("5=Diare;6=ISPA"), so an OpenDK file's ids keep their meaning here.

Before issue 11 this dashboard named 2 Diare, 3 ISPA and 4 Malaria. Migration 0007 moved the
values stored under those ids: Malaria to 3, Diare to 101 and ISPA to 102 (ids OpenDK never
seeds), which stay known so their history keeps its names.
"""

from __future__ import annotations

__all__ = ["DEFAULT_IDS", "MIGRATED", "extra_names", "known_ids", "parse_setting"]

DEFAULT_IDS: tuple[str, ...] = ("1", "2", "3", "4")
MIGRATED: dict[str, str] = {"101": "Diare", "102": "ISPA"}


class PenyakitSettingError(ValueError):
    pass


def parse_setting(text: str) -> dict[str, str]:
    """ "5=Diare;6=ISPA" → {"5": "Diare", "6": "ISPA"}; an id must be a whole number."""
    out: dict[str, str] = {}
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        kode, sep, nama = part.partition("=")
        kode, nama = kode.strip(), nama.strip()
        if not sep or not kode.isdigit() or not nama:
            raise PenyakitSettingError(
                f"setting 'penyakit': {part.strip()!r} is not ID=NAME (e.g. 5=Diare)"
            )
        if kode in DEFAULT_IDS:
            raise PenyakitSettingError(
                f"setting 'penyakit': id {kode} is one of OpenDK's defaults (1–4)"
            )
        out[str(int(kode))] = nama[:100]
    return out


def extra_names(setting: str = "") -> dict[str, str]:
    """The diseases besides OpenDK's four: the migrated ones and the `penyakit` setting's."""
    return {**MIGRATED, **parse_setting(setting)}


def known_ids(setting: str = "") -> list[str]:
    """Every disease id a file may use, in numeric order."""
    return sorted({*DEFAULT_IDS, *extra_names(setting)}, key=int)
