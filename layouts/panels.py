"""Page panels: a section with its title, tools on the right (download buttons), an optional
note under the title, then its content."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from i18n.catalogue import DEFAULT_LANGUAGE, t

# the mode bar of every chart: on hover, without the selection tools a bar chart has no use for
GRAPH_CONFIG = {
    "displaylogo": False,
    "displayModeBar": "hover",
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "zoomIn2d", "zoomOut2d"],
}


def graph_panel(id: str, figure: Any, *, class_name: str = "panel") -> html.Div:
    """A chart in its own panel."""
    return html.Div(dcc.Graph(id=id, figure=figure, config=GRAPH_CONFIG), className=class_name)


def graph_row(graphs: Sequence[tuple[str, Any, int]]) -> dbc.Row:
    """Charts side by side on a wide screen, stacked on a narrow one: (id, figure, width in
    twelfths from the lg breakpoint) each."""
    return dbc.Row([dbc.Col(graph_panel(i, f), lg=lg) for i, f, lg in graphs], className="g-3")


def panel_section(
    title: Any,
    *children: Any,
    title_id: str | None = None,
    tools: Sequence[Any] = (),
    note: Any = None,
    class_name: str = "panel",
) -> html.Section:
    """A titled panel; `note` (text, or a component of its own) sits right under the title."""
    heading = html.H2(title, className="me-auto", **({"id": title_id} if title_id else {}))
    head = html.Div(
        [heading, *tools],
        className="d-flex align-items-center gap-2 " + ("mb-1" if note is not None else "mb-2"),
    )
    if note is not None and not isinstance(note, Component):
        note = html.P(note, className="panel-note")
    return html.Section(
        [head, *([note] if note is not None else []), *children], className=class_name
    )


def csv_download(
    button_id: str, download_id: str, lang: str = DEFAULT_LANGUAGE, *, outline: bool = True
) -> list:
    """ "Unduh CSV": the button a page's download callback listens to, and its dcc.Download."""
    return [
        dbc.Button(
            t("unduh_csv", lang), id=button_id, color="primary", outline=outline, size="sm"
        ),  # fmt: skip
        dcc.Download(id=download_id),
    ]
