"""Excel workbooks of a table (issue 13): a frame and what to say above it in, `.xlsx` bytes
out; no database, no request. Every CSV of the dashboard has this twin.

Sheet one: the title, the region, period and freshness lines, then two header rows (the
column's name in the page's language, then its stable CSV name, so a formula or a script can
rely on it), a frozen header, an autofilter, the rows with typed cells (whole numbers as
integers, decimals as numbers, ISO 8601 times as Excel dates) and column widths that fit.
Sheet two: the data dictionary of the columns (the Kamus's descriptions).

Text is always written as a string cell, never a formula: openpyxl takes a value starting
with "=" for a formula, so a village name such as "=HYPERLINK(...)" would run in the reader's
Excel; here every text cell is typed `s` after it is set, and one the CSV neutralises
(layouts.safe_cells: =, +, -, @, tab, CR) also carries Excel's quote prefix, so editing it
does not turn it into a formula either. The text itself is kept as the village sent it.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from i18n.catalogue import DEFAULT_LANGUAGE, t
from layouts.safe_cells import neutralise

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.####"
MAX_WIDTH = 60  # characters: a long error text wraps in its cell, it does not push the sheet
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
SHEET_TITLE_LIMIT = 31  # Excel refuses longer sheet names


@dataclass(frozen=True)
class Column:
    """One column: its stable (CSV) name, its header in the page's language, its type as the
    Kamus names it (integer, number, datetime, string, json) and what it means."""

    name: str
    header: str
    tipe: str = ""
    description: str = ""


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def column_kind(values: pd.Series) -> str:
    """How a column's cells are typed: "number", "datetime", "date" or "text" (by its values:
    a page's frame keeps pandas types, an API answer plain Python values)."""
    present = [v for v in values.tolist() if not _is_missing(v)]
    if pd.api.types.is_bool_dtype(values) or any(isinstance(v, bool) for v in present):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        return "number"
    if not present:
        return "text"
    if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in present):
        return "number"
    if all(isinstance(v, str) for v in present):
        if all(_ISO_DATE.match(v) for v in present):
            return "date"
        if all(_ISO_TIME.match(v) for v in present):
            return "datetime"
    return "text"


def _local(value: object, tz: ZoneInfo) -> datetime:
    # Excel has no time zones: a time is written as the clock in `tz` (the dashboard's WIB)
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    # whole seconds: Excel keeps milliseconds at best, and a reader needs no more
    return stamp.tz_convert(tz).tz_localize(None).floor("s").to_pydatetime()


def cell_value(value: object, kind: str, tz: ZoneInfo) -> object:
    """The value a cell holds: None for a gap, a number, a datetime/date, or text."""
    if _is_missing(value):
        return None
    if kind == "number":
        f = float(value)  # type: ignore[arg-type]
        if math.isinf(f):
            return None
        return int(f) if f.is_integer() else f
    if kind == "datetime":
        return _local(value, tz)
    if kind == "date":
        return date.fromisoformat(str(value))
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _set_text(ws: Worksheet, row: int, col: int, text: object) -> None:
    cell = ws.cell(row=row, column=col, value=None if text is None else str(text))
    if text is not None:
        cell.data_type = "s"  # never a formula, whatever it starts with
        if neutralise(str(text)) != str(text):
            # what the CSV marks with a leading quote (layouts.safe_cells, issue 10), Excel's
            # own flag keeps as text even when someone edits the cell and presses Enter
            cell.quotePrefix = True


def _width(texts: Sequence[str]) -> float:
    longest = max((len(x) for x in texts if x), default=6)
    return float(min(max(longest + 2, 8), MAX_WIDTH))


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "2026-12-31 23:59"
    if isinstance(value, date):
        return "2026-12-31"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def sheet_name(text: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", text).strip() or "data"
    return cleaned[:SHEET_TITLE_LIMIT]


def build_workbook(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    title: str,
    lines: Sequence[str] = (),
    lang: str = DEFAULT_LANGUAGE,
    tz: str = "Asia/Jakarta",
    sheet: str | None = None,
) -> bytes:
    """The workbook of `frame`'s `columns` (in that order) as .xlsx bytes: `title` and
    `lines` (region, period, "data per …, N dari M desa") above the table, the data
    dictionary of the columns on a second sheet."""
    zone = ZoneInfo(tz)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(sheet or t("xlsx.lembar_data", lang))
    _set_text(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    for i, line in enumerate(lines, start=2):
        _set_text(ws, i, 1, line)
    header_row = len(lines) + 3  # one blank row between the lines and the table
    names_row = header_row + 1
    first = names_row + 1
    kinds = [
        column_kind(frame[c.name] if c.name in frame else pd.Series([], dtype=object))
        for c in columns
    ]
    shown: list[list[str]] = [[c.header, c.name] for c in columns]
    for j, c in enumerate(columns, start=1):
        _set_text(ws, header_row, j, c.header)
        _set_text(ws, names_row, j, c.name)
        head = ws.cell(row=header_row, column=j)
        head.font = Font(bold=True)
        head.fill = HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        name = ws.cell(row=names_row, column=j)
        name.font = Font(italic=True, color="595959", size=9)
        name.fill = HEADER_FILL
    for j, (c, kind) in enumerate(zip(columns, kinds, strict=True), start=1):
        series = frame[c.name].tolist() if c.name in frame else [None] * len(frame)
        fmt = {"datetime": DATETIME_FORMAT, "date": DATE_FORMAT}.get(kind)
        for i, raw in enumerate(series, start=first):
            value = cell_value(raw, kind, zone)
            if value is None:
                continue
            if isinstance(value, str):
                _set_text(ws, i, j, value)
            else:
                cell = ws.cell(row=i, column=j, value=value)
                if fmt:
                    cell.number_format = fmt
                elif isinstance(value, int):
                    cell.number_format = INTEGER_FORMAT
                elif isinstance(value, float):
                    cell.number_format = DECIMAL_FORMAT
            if i - first < 500:  # widths from the first rows: enough, and fast on big tables
                shown[j - 1].append(_shown(value))
    for j, texts in enumerate(shown, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(texts)
    ws.freeze_panes = ws.cell(row=first, column=1)
    if columns:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{names_row}:{last}{max(first - 1 + len(frame), names_row)}"
    ws.print_title_rows = f"{header_row}:{names_row}"  # the header on every printed page
    ws.page_setup.orientation = "landscape" if len(columns) > 7 else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _dictionary(wb, columns, lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _dictionary(wb: Workbook, columns: Sequence[Column], lang: str) -> None:
    ws = wb.create_sheet(sheet_name(t("xlsx.lembar_kamus", lang)))
    head = [t("xlsx.kamus.kolom", lang), t("xlsx.kamus.judul", lang),
            t("xlsx.kamus.tipe", lang), t("xlsx.kamus.deskripsi", lang)]  # fmt: skip
    for j, text in enumerate(head, start=1):
        _set_text(ws, 1, j, text)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.cell(row=1, column=j).fill = HEADER_FILL
    for i, c in enumerate(columns, start=2):
        for j, text in enumerate((c.name, c.header, c.tipe, c.description), start=1):
            _set_text(ws, i, j, text or None)
            ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    for j, width in enumerate((24, 28, 12, 80), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
