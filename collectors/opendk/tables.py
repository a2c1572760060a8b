"""A pushed zip's data file as a header and a stream of rows, CSV or XLSX alike.

OpenDK imports the first `.csv` or `.xlsx` entry of each zip (`.xlsx` only for residents);
so do we. Rows come one at a time and are never kept: the caller reduces them as they pass.
Row numbers are those a spreadsheet shows (the header is row 1). Empty cells are None, and a
row of empty cells (OpenSID's placeholder row of an empty export) is skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from collectors.opendk.archive import find_member, open_member, open_zip, read_member
from collectors.opendk.errors import Bad
from collectors.opendk.limits import Limits
from collectors.opendk.xlsx import Cell, xlsx_rows


@dataclass
class Table:
    columns: dict[str, int]  # header name (stripped, lower case) -> position
    rows: Iterator[tuple[int, list[Cell]]]  # data rows, empty ones left out
    kind: str  # "csv" or "xlsx"

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.columns:
                raise Bad("column.missing", column=name)


def open_table(upload: bytes, limits: Limits, extensions: tuple[str, ...]) -> Table:
    """The data file of an uploaded zip (the first entry with one of the extensions)."""
    if len(upload) > limits.upload_bytes:
        raise Bad("upload.too_large", size=len(upload), limit=limits.upload_bytes)
    archive = open_zip(upload, limits)
    info = find_member(archive, extensions)
    if info is None:
        raise Bad("zip.no_data_file", wanted=" or ".join(e.lstrip(".") for e in extensions))
    if info.filename.lower().endswith(".xlsx"):
        data = read_member(archive, info, limits, limits.xlsx_bytes)
        return _table(xlsx_rows(data, limits), "xlsx", limits)
    stream = open_member(archive, info, limits, limits.member_bytes)
    return _table(_csv_rows(stream, limits), "csv", limits)


def _table(rows: Iterator[tuple[int, list[Cell]]], kind: str, limits: Limits) -> Table:
    header: list[Cell] | None = None
    for _number, cells in rows:
        if any(c is not None and str(c).strip() for c in cells):
            header = cells
            break
    if header is None:
        raise Bad("table.empty", file=kind.upper())
    columns: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = str(raw).strip().lower() if raw is not None else ""
        if not name:
            continue
        if name in columns:
            raise Bad("header.duplicate", column=name[:60])
        columns[name] = position
    return Table(columns, _data_rows(rows, len(header)), kind)


def _data_rows(
    rows: Iterator[tuple[int, list[Cell]]], width: int
) -> Iterator[tuple[int, list[Cell]]]:
    for number, cells in rows:
        if not any(c is not None and c != "" for c in cells):
            continue
        if len(cells) > width and any(c not in (None, "") for c in cells[width:]):
            extra = sum(1 for c in cells if c not in (None, ""))
            raise Bad("table.extra_cells", row=number, n=extra, m=width)
        yield number, cells


class _Record:
    """Characters read for the CSV record being parsed, so one record cannot grow unbounded
    (a quoted field may span many lines)."""

    def __init__(self) -> None:
        self.chars = 0
        self.number = 0


def _lines(text: io.TextIOBase, limits: Limits, record: _Record) -> Iterator[str]:
    while line := text.readline(limits.record_chars + 1):
        record.chars += len(line)
        if record.chars > limits.record_chars:
            raise Bad("table.record_too_long", row=record.number + 1, limit=limits.record_chars)
        yield line


def _csv_rows(stream, limits: Limits) -> Iterator[tuple[int, list[Cell]]]:
    """OpenSpout's CSV (UTF-8 with a BOM, `,` and `"`, PHP fputcsv quoting) record by record."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    record = _Record()
    reader = csv.reader(_lines(text, limits, record), delimiter=",", quotechar='"', strict=True)
    with text:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise Bad("csv.encoding") from None
            except csv.Error as exc:
                if "field limit" in str(exc):  # the csv module's own bound on one field
                    limit = csv.field_size_limit()
                    raise Bad("table.cell_too_long", row=record.number + 1, limit=limit) from None
                raise Bad("csv.invalid", row=record.number + 1) from None
            record.number += 1
            record.chars = 0
            if record.number > limits.rows + 1:
                raise Bad("table.too_many_rows", limit=limits.rows)
            if len(fields) > limits.columns:
                raise Bad("table.too_many_columns", row=record.number, limit=limits.columns)
            cells: list[Cell] = []
            for field in fields:
                if len(field) > limits.cell_chars:
                    raise Bad("table.cell_too_long", row=record.number, limit=limits.cell_chars)
                cells.append(field if field != "" else None)
            yield record.number, cells
