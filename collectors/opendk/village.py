"""Which village a push names, in the dotted form (52.01.14.2005), from digits or dots.

OpenSID sends `kode_wilayah(kode_desa)`, the dotted 13-character code; older installs or hand-
made requests may send the 10 digits. A push must name one village throughout (the form field
and every row), and, when the caller passes the token's village, that one.
"""

from __future__ import annotations

from collectors.opendk.errors import Bad, shown
from config.regions import RegionCodeError, normalize_code


def village_code(value: object) -> str:
    """The dotted village code of a form field or cell; Bad when it is none."""
    if value is None or str(value).strip() == "":
        raise Bad("village.missing")
    text = str(value).strip()
    try:
        kode = normalize_code(text)
    except RegionCodeError:
        raise Bad("village.invalid", value=shown(text, 24)) from None
    if len(kode) != 13:
        raise Bad("village.invalid", value=shown(text, 24))
    return kode


def check_expected(named: str, expected: str | None) -> None:
    """Refuse a payload for another village than the token's (when the caller knows it)."""
    if expected is None:
        return
    try:
        wanted = normalize_code(expected)
    except RegionCodeError:
        wanted = str(expected)
    if named != wanted:
        raise Bad("village.mismatch", named=named, expected=wanted)


def row_village(value: object, row: int) -> str:
    """The village a table row names (its desa_id cell). A bad cell is named by its row, never
    quoted: in a resident's row a shifted cell could hold anything."""
    if value is None or str(value).strip() == "":
        raise Bad("cell.empty", row=row, column="desa_id")
    try:
        return village_code(value)
    except Bad:
        raise Bad("cell.not_village", row=row, column="desa_id") from None
