"""AG Grid tables: sortable, filterable, numbers right-aligned in Indonesian format."""

from __future__ import annotations

from collections.abc import Sequence

import dash_ag_grid as dag
import pandas as pd

from dashboard.i18n import DEFAULT_LANGUAGE, grid_locale, t
from layouts.format import format_date

# JS functions in dashboard/assets/dashAgGridFunctions.js; the grid evaluates these strings
NUMBER_FORMATTER = {"function": "angkaID(params.value)"}
TEXT_SUFFIX = "__teks"  # a hidden field holding how a date column is shown
# known columns keep their kind even in an empty (all-object) frame
NUMBER_COLUMNS = frozenset(
    {"laki_laki", "perempuan", "jumlah", "penduduk", "keluarga", "rumah_tangga", "desa_melapor"}
)
DATETIME_COLUMNS = frozenset({"terakhir_berhasil"})


def _kind(col: str, series: pd.Series | None) -> str:
    if col in NUMBER_COLUMNS:
        return "number"
    if col in DATETIME_COLUMNS:
        return "datetime"
    if series is None or pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "text"


def _text_width(df: pd.DataFrame, col: str) -> int:
    """A minimum width that shows a text column's usual content (about 8 px a character)."""
    if col not in df or df.empty:
        return 120
    longest = df[col].dropna().astype(str).str.len()
    typical = int(longest.quantile(0.9)) if len(longest) else 10
    return max(100, min(8 * typical + 48, 280))


def column_defs(df: pd.DataFrame, columns: Sequence[str], lang: str = DEFAULT_LANGUAGE) -> list:
    """Column definitions: translated headers; numbers right-aligned, dates in WIB."""
    defs = []
    for col in columns:
        kind = _kind(col, df[col] if col in df else None)
        d: dict = {"field": col, "headerName": t(f"kolom.{col}", lang), "headerTooltip": col}
        if kind == "number":
            d.update(
                type="rightAligned",
                filter="agNumberColumnFilter",
                valueFormatter=NUMBER_FORMATTER,
                # a cellClass replaces the one of type rightAligned: keep its class too
                cellClass=["ag-right-aligned-cell", "angka"],
                minWidth=120,
            )
        elif kind == "datetime":
            # the cell holds the ISO UTC time (sorts correctly); it shows and filters as WIB text
            shown = {"function": f"params.data ? params.data['{col}{TEXT_SUFFIX}'] : ''"}
            d.update(
                filter="agTextColumnFilter",
                valueFormatter=shown,
                filterValueGetter=shown,
                minWidth=190,
            )
        else:
            d.update(filter="agTextColumnFilter", tooltipField=col, minWidth=_text_width(df, col))
        defs.append(d)
    return defs


def _number(v: object) -> int | float | None:
    if pd.isna(v):
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def row_data(df: pd.DataFrame, columns: Sequence[str], lang: str = DEFAULT_LANGUAGE) -> list:
    """JSON-ready rows: missing values as null, integers as ints, dates as ISO UTC + WIB text."""
    # plain Python lists: a DataFrame would turn an int column with a gap into floats and NaN
    fields: dict[str, list] = {}
    for col in columns:
        values = list(df[col]) if col in df else [None] * len(df)
        kind = _kind(col, df[col] if col in df else None)
        if kind == "datetime":
            fields[col] = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in values]
            fields[col + TEXT_SUFFIX] = [format_date(v, lang) for v in values]
        elif kind == "number":
            fields[col] = [_number(v) for v in values]
        else:
            fields[col] = [None if pd.isna(v) else str(v) for v in values]
    names = list(fields)
    return [dict(zip(names, row, strict=True)) for row in zip(*fields.values(), strict=True)]


def data_grid(
    id: str,
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    lang: str = DEFAULT_LANGUAGE,
    height: int | None = 420,
    page_size: int | None = None,
) -> dag.AgGrid:
    """An AG Grid of df's columns (in that order) with sorting, filtering and Indonesian numbers."""
    options: dict = {
        "localeText": grid_locale(lang),
        "animateRows": False,
        "suppressDragLeaveHidesColumns": True,
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
    }
    style: dict = {"width": "100%"}
    if height is None:
        options["domLayout"] = "autoHeight"
    else:
        style["height"] = f"{height}px"
    if page_size:
        options.update(pagination=True, paginationPageSize=page_size)
    return dag.AgGrid(
        id=id,
        rowData=row_data(df, columns, lang),
        columnDefs=column_defs(df, columns, lang),
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "floatingFilter": False,
            "minWidth": 90,
        },
        columnSize="responsiveSizeToFit",
        dashGridOptions=options,
        style=style,
    )
