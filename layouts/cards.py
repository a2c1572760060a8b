"""Headline number cards (the KPI row at the top of several pages)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def kpi_card(label: str, value: str, card_id: str, *, note: str | None = None) -> dbc.Card:
    """A label over a big already-formatted number, with an optional small note below."""
    body = [
        html.Div(label, className="kpi-label"),
        html.Div(value, className="kpi-value", id=card_id),
    ]
    if note is not None:
        body.append(html.Div(note, className="small text-muted"))
    return dbc.Card(dbc.CardBody(body), className="kpi-card h-100")
