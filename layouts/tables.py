"""AG Grid tables: sortable, filterable, numbers right-aligned in the page language's format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import dash_ag_grid as dag
import pandas as pd
from dash import html

from i18n.catalogue import DEFAULT_LANGUAGE, grid_locale, t
from i18n.format import format_date, number_symbols

# JS functions in dashboard/assets/dashAgGridFunctions.js; the grid evaluates these strings.
# angkaID writes the Indonesian separators; angka takes any language's (number_formatter)
NUMBER_FORMATTER = {"function": "angkaID(params.value)"}
TEXT_SUFFIX = "__teks"  # a hidden field holding how a date column is shown
# known columns keep their kind even in an empty (all-object) frame
NUMBER_COLUMNS = frozenset(
    {"laki_laki", "perempuan", "jumlah", "penduduk", "keluarga", "rumah_tangga", "desa_melapor"}
)
DATETIME_COLUMNS = frozenset({"terakhir_berhasil"})
# pattern-matching id types of the links to a grid's API twin (issue 4): API_LINK links follow
# the page's filters in the browser (one clientside callback in dashboard/app.py rewrites their
# href from the URL's query); API_LINK_FIXED links are fixed (a view whose region is its path)
API_LINK = "api-link"
API_LINK_FIXED = "api-link-tetap"
# the twins a grid's line links, in that order (issue 13: the workbook beside the CSV)
LINK_FORMATS = ("csv", "xlsx", "json")
LINK_LABELS = {"csv": "CSV", "xlsx": "Excel", "json": "JSON"}


def number_formatter(lang: str, decimals: int | None = None) -> dict:
    """The grid's valueFormatter for numbers in `lang` (CLDR's decimal mark and thousands
    separator), with `decimals` fixed places (None: whole numbers). Indonesian keeps its own
    function, so its pages are what they were."""
    decimal, group = number_symbols(lang)
    if (decimal, group) == (",", "."):
        places = "" if decimals is None else f", {decimals}"
        return {"function": f"angkaID(params.value{places})"}
    return {"function": f"angka(params.value, {decimals or 0}, {decimal!r}, {group!r})"}


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
                valueFormatter=number_formatter(lang),
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


def _numbers(values: pd.Series) -> list[int | float | None]:
    """Whole numbers as ints, others as floats, missing as None (vectorised: grids can hold
    thousands of rows)."""
    floats = pd.to_numeric(values, errors="coerce").astype(float).tolist()
    return [None if f != f else (int(f) if f.is_integer() else f) for f in floats]


def _texts(values: pd.Series) -> list[str | None]:
    missing = values.isna().tolist()
    return [None if gap else str(v) for v, gap in zip(values.tolist(), missing, strict=True)]


def row_data(df: pd.DataFrame, columns: Sequence[str], lang: str = DEFAULT_LANGUAGE) -> list:
    """JSON-ready rows: missing values as null, integers as ints, dates as ISO UTC + WIB text."""
    # plain Python lists: a DataFrame would turn an int column with a gap into floats and NaN
    fields: dict[str, list] = {}
    for col in columns:
        series = df[col] if col in df else pd.Series([None] * len(df), index=df.index)
        kind = _kind(col, df[col] if col in df else None)
        if kind == "datetime":
            values = list(series)
            fields[col] = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in values]
            fields[col + TEXT_SUFFIX] = [format_date(v, lang) for v in values]
        elif kind == "number":
            fields[col] = _numbers(series)
        else:
            fields[col] = _texts(series)
    names = list(fields)
    return [dict(zip(names, row, strict=True)) for row in zip(*fields.values(), strict=True)]


def grid(
    id: str,
    rows: list,
    defs: list,
    *,
    lang: str = DEFAULT_LANGUAGE,
    height: int | None = 420,
    options: Mapping | None = None,
    default_col: Mapping | None = None,
    column_size: str | None = "responsiveSizeToFit",
    **props: object,
) -> dag.AgGrid:
    """The AG Grid every table is: sortable, filterable and resizable columns, the grid's texts
    in `lang`, selectable cell text; `height` None grows with its rows. `options` and
    `default_col` add to the grid options and the default column definition."""
    grid_options: dict = {
        "localeText": grid_locale(lang),
        "animateRows": False,
        "enableCellTextSelection": True,
        "ensureDomOrder": True,
        **(options or {}),
    }
    style: dict = {"width": "100%"}
    if height is None:
        grid_options["domLayout"] = "autoHeight"
    else:
        style["height"] = f"{height}px"
    if column_size:
        props["columnSize"] = column_size
    return dag.AgGrid(
        id=id,
        rowData=rows,
        columnDefs=defs,
        defaultColDef={
            "sortable": True,
            "filter": True,
            "resizable": True,
            "minWidth": 90,
            **(default_col or {}),
        },
        dashGridOptions=grid_options,
        style=style,
        **props,
    )


def data_grid(
    id: str,
    df: pd.DataFrame,
    columns: Sequence[str],
    *,
    lang: str = DEFAULT_LANGUAGE,
    height: int | None = 420,
    page_size: int | None = None,
) -> dag.AgGrid:
    """An AG Grid of df's columns (in that order) with sorting, filtering and numbers in `lang`."""
    options: dict = {"suppressDragLeaveHidesColumns": True}
    if page_size:
        options.update(pagination=True, paginationPageSize=page_size)
    return grid(
        id,
        row_data(df, columns, lang),
        column_defs(df, columns, lang),
        lang=lang,
        height=height,
        options=options,
        default_col={"floatingFilter": False},
    )


# -- links to a grid's API twin ------------------------------------------------------------
def api_href(
    path: str, params: Mapping[str, str | None], fmt: str = "json", accepted: Sequence[str] = ()
) -> str:
    """`path` (+ `.csv` or `.xlsx`) with the non-empty `params` as its query, in the order of
    `accepted` (else of `params`): the text the browser's callback writes (dashboard/app.py)."""
    keys = list(accepted) or list(params)
    query = {k: str(params[k]) for k in keys if params.get(k)}
    return (
        path
        + ("" if fmt == "json" else f".{fmt}")
        + ("?" + urlencode(query, safe=".") if query else "")
    )


def api_link_id(
    path: str, accepted: Sequence[str], fmt: str, role: str = "tautan", *, follow: bool = True
) -> dict:
    """The id of a link to `path`: `params` lists the query parameters the table accepts (the
    browser copies those from the page's URL); `role` tells the line's link from the button."""
    return {
        "type": API_LINK if follow else API_LINK_FIXED,
        "path": path,
        "fmt": fmt,
        "params": ",".join(accepted),
        "role": role,
    }


def shown_csv_link(grid_id: str, file_stem: str, lang: str = DEFAULT_LANGUAGE) -> html.A:
    """ "CSV seperti tampil": the rows the grid shows now, after its own column filters and
    sort, exported in the browser with plain values and column names (assets/gridExport.js)."""
    return html.A(
        t("api.tampilan", lang),
        href="#",
        title=t("api.tampilan_keterangan", lang),
        className="grid-export",
        role="button",
        **{"data-grid-export": grid_id, "data-file": f"{file_stem}.csv"},
    )


def api_links(
    path: str,
    accepted: Sequence[str],
    params: Mapping[str, str | None],
    lang: str = DEFAULT_LANGUAGE,
    *,
    follow: bool = True,
    grid: str | None = None,
) -> html.P:
    """ "Data ini lewat API: CSV · JSON" under a grid: the same rows, filters and columns;
    with `grid` (its id) also "CSV seperti tampil", the rows as the grid shows them."""
    links = [
        html.A(
            LINK_LABELS[fmt],
            id=api_link_id(path, accepted, fmt, follow=follow),
            href=api_href(path, params, fmt, accepted),
            rel="alternate",
            **({"download": ""} if fmt != "json" else {}),
        )
        for fmt in LINK_FORMATS
    ]
    stem = "_".join([*path.rsplit("/", 2)[-2:], "tampil"])  # e.g. keuangan_apbdes_tampil
    shown = [" · ", shown_csv_link(grid, stem, lang)] if grid else []
    return html.P(
        [t("api.tautan", lang), " ", links[0], " · ", links[1], " · ", links[2], *shown],
        className="panel-note api-tautan",
    )


def csv_button(
    path: str,
    accepted: Sequence[str],
    params: Mapping[str, str | None],
    lang: str = DEFAULT_LANGUAGE,
    *,
    follow: bool = True,
    fmt: str = "csv",
) -> html.A:
    """ "Unduh CSV" (or with fmt="xlsx" "Unduh Excel") as a small button: a link to the grid's
    twin (the server names the file), for grids without a download callback of their own."""
    return html.A(
        t("unduh_xlsx", lang) if fmt == "xlsx" else t("unduh_csv", lang),
        id=api_link_id(path, accepted, fmt, "tombol", follow=follow),
        href=api_href(path, params, fmt, accepted),
        download="",
        className="btn btn-outline-primary btn-sm",
        role="button",
    )
