"""Text cells that a spreadsheet would run as a formula, made inert (issue 10).

A village's own labels reach every export: a category named `=HYPERLINK("http://…")`,
`+cmd|' /C calc'!A0` or `@SUM(A1:A9)` would run in the reader's Excel or LibreOffice. OWASP's
rule: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading single quote, which the spreadsheet shows as text. Numbers stay numbers: a numeric
column is never touched, and neither is a text cell that is a plain number ("-12", "1.5e3"),
which no spreadsheet runs. Every CSV writer of the dashboard goes through `csv_text`; an
XLSX writer can call `neutralise` per text cell.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: object) -> object:
    """`value` with a leading quote when it is text a spreadsheet would run; else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return QUOTE + value
    return value


def _text_column(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells (and column names) are neutralised; numeric columns
    keep their dtype and values."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            cats = column.cat.categories
            if cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype):
                out[name] = column.cat.rename_categories([neutralise(c) for c in cats])
        elif _text_column(column):
            out[name] = column.map(neutralise, na_action="ignore")
    out.columns = [neutralise(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The dashboard's CSV of a frame: header row, `\\n` line ends, plain machine values, no
    cell a spreadsheet would run."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\n")
