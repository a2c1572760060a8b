"""Every grid of every page has a twin at /api/v1/halaman/<page>/<table>: a page module lists
its grids in `TABLES` (PageTable: the query parameters it follows and the function its
download callback calls too, so the twin's CSV is the page's CSV download byte for byte).
`create_app` collects them (`register_page_tables`), so the API and the Kamus page read them
from the app without importing any page; `links` and `download_button` put "CSV · JSON" links
to a twin under its grid, carrying the page's filters (issue 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash
import pandas as pd
from dash import html
from flask import current_app

from dashboard.api_resources import PREFIX, ApiError
from dashboard.data import Snapshot
from dashboard.regions import Wilayah
from layouts.tables import api_href, api_links, csv_button

PAGE_TABLES = "DASBOR_PAGE_TABLES"  # its key in app.server.config

# /api/v1/halaman/<page>/<table>: each page module lists its grids in `TABLES`, a dict of
# PageTable; `build` is the function the page's download callback calls too, so the API's CSV
# is the page's CSV download byte for byte.
PageBuild = Callable[[Snapshot, Wilayah, Mapping[str, str]], tuple[str, pd.DataFrame, dict]]


@dataclass(frozen=True)
class PageTable:
    """One grid of a page: the query parameters it follows (besides `wilayah`) and
    `build(snapshot, w, args) -> (file name stem, the CSV frame, the resolved filters)`."""

    params: tuple[str, ...]
    build: PageBuild


@dataclass(frozen=True)
class PageTables:
    """The page modules that publish tables, by page name (the module's last name)."""

    modules: dict[str, Any]

    @property
    def tables(self) -> dict[str, dict[str, PageTable]]:
        return {page: module.TABLES for page, module in self.modules.items()}


def register_page_tables(app: dash.Dash, pages: Iterable[Any]) -> None:
    """Keep the tables of `pages` (modules with `TABLES`) in the app, for page_tables()."""
    found = {p.__name__.rsplit(".", 1)[-1]: p for p in pages if getattr(p, "TABLES", None)}
    app.server.config[PAGE_TABLES] = PageTables(found)


def page_modules() -> dict[str, Any]:
    """The page modules of the app serving this request that publish tables, by page name."""
    return current_app.config[PAGE_TABLES].modules


def page_tables() -> dict[str, dict[str, PageTable]]:
    """Every page table of the app serving this request: {page: {table: PageTable}}."""
    return current_app.config[PAGE_TABLES].tables


def pick(args: Mapping[str, str], key: str, choices: Sequence[str]) -> str:
    """A page choice from the query (`tahun`, `data`, ...): the default (the first choice, as on
    the page) when left out, a 400 when it is not among the choices."""
    raw = (args.get(key) or "").strip()
    if not raw:
        return choices[0] if choices else ""
    if raw not in choices:
        listed = ", ".join(choices) if choices else "none"
        raise ApiError(f"unknown {key} {raw!r}; expected one of: {listed}", 400)
    return raw


def page_url(page: str, table: str, params: Mapping[str, str | None], fmt: str = "json") -> str:
    """The API address of a page grid for the page's current filters."""
    return api_href(page_path(page, table), params, fmt, accepted_params(page, table))


def page_path(page: str, table: str) -> str:
    return f"{PREFIX}/halaman/{page}/{table}"


def accepted_params(page: str, table: str) -> tuple[str, ...]:
    """The query parameters a page grid's twin accepts: `wilayah`, then its own."""
    return ("wilayah", *page_tables()[page][table].params)


def _link_params(w: Wilayah | None, choices: Mapping[str, str | None]) -> dict:
    # the whole region (kabupaten or provinsi) is the default: the filter bar leaves it out of
    # the URL, so do we
    kode = w.kode if w is not None and w.kode != w.kabupaten else None
    return {"wilayah": kode, **choices}


def links(page: str, table: str, w: Wilayah | None, lang: str, *, follow: bool = True,
          grid: str | None = None, **choices: str | None) -> Any:  # fmt: skip
    """ "Data ini lewat API: CSV · JSON" for a page grid, for region `w` and the page's
    `choices` (tahun=..., data=...); `follow`: the hrefs follow the page's URL in the browser;
    `grid`: the grid's id, for "CSV seperti tampil" (its rows as filtered and sorted)."""
    accepted = accepted_params(page, table)
    params = _link_params(w, choices)
    return api_links(page_path(page, table), accepted, params, lang, follow=follow, grid=grid)


def download_button(page: str, table: str, w: Wilayah | None, lang: str, *, follow: bool = True,
                    **choices: str | None) -> Any:  # fmt: skip
    """ "Unduh CSV" and "Unduh Excel" for a grid without a download callback: links to its CSV
    and .xlsx twins (issue 13)."""
    accepted = accepted_params(page, table)
    params = _link_params(w, choices)
    path = page_path(page, table)
    return html.Span(
        [
            csv_button(path, accepted, params, lang, follow=follow, fmt=fmt)
            for fmt in ("csv", "xlsx")
        ],
        className="d-inline-flex gap-2",
    )


def require_desa(w: Wilayah, args: Mapping[str, str], what: str) -> None:
    """A 400 unless the request names one village (the tables of the village profile)."""
    raw = (args.get("wilayah") or "").strip()
    if not raw:
        raise ApiError(f"{what} needs wilayah=<kode desa>, e.g. 17.03.06.2001", 400)
    if w.tingkat != "desa":
        raise ApiError(
            f"wilayah {raw!r} is a {w.tingkat}, not a desa: {what} needs the code of one "
            "village (kode desa, e.g. 17.03.06.2001)",
            400,
        )
