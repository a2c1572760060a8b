"""Typed cells of the pushed tables (programmes, recipients, projects, progress): ids, codes,
texts, and the rows of one village.

A bad cell is refused by its row and column, never by its content (a caller may quote a value
of a column without personal data, such as a programme's sasaran).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from collectors.opendk.errors import Bad
from collectors.opendk.tables import Table
from collectors.opendk.village import row_village
from collectors.opendk.xlsx import Cell


def as_number(ident: str) -> tuple[int, str]:
    """A sort key that puts numeric ids in numeric order."""
    return (int(ident), ident) if ident.isdecimal() and len(ident) <= 18 else (10**18, ident)


def village_rows(
    table: Table, kode: str, required: tuple[str, ...]
) -> Iterator[tuple[int, list[Cell]]]:
    """The data rows of a table for one village. OpenSID's empty export has a header without
    desa_id and one all-empty row: that is an empty list, not an error."""
    has_village = "desa_id" in table.columns
    for number, cells in table.rows:
        if not has_village:
            raise Bad("column.missing", column="desa_id")
        table.require(*required)
        raw = cells[table.columns["desa_id"]] if table.columns["desa_id"] < len(cells) else None
        named = row_village(raw, number)
        if named != kode:
            raise Bad("village.mixed", row=number, other=named, kode=kode)
        yield number, cells


def getter(table: Table, cells: list[Cell]) -> Callable[[str], Cell]:
    """A row's cell by column name (None when the column or the cell is missing)."""

    def get(column: str) -> Cell:
        position = table.columns.get(column)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    return get


def whole(value: object, row: int, column: str, *, required: bool = False) -> int | None:
    """A whole number ≥ 0 (an id, a code); None when empty and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Bad("cell.empty", row=row, column=column)
        return None
    if isinstance(value, bool):
        raise Bad("cell.not_integer", row=row, column=column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 18:
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise Bad("cell.not_integer", row=row, column=column)
    return value


def text(value: object, row: int, column: str, *, required: bool = False) -> str:
    """A cell as stripped text ("" when empty, refused when empty and required)."""
    stripped = "" if value is None else str(value).strip()
    if required and not stripped:
        raise Bad("cell.empty", row=row, column=column)
    return stripped
