"""Audit ("/audit"): who signed in, uploaded, asked for a collection or changed a user, when
and from where; and the accounts (issue 10). For admins only: the navbar shows it to them
alone, and the page (and its API twin /api/v1/audit) refuse everyone else on the server."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard.auth import SIGN_IN_PATH, current_actor
from dashboard.context import data_source, language
from i18n.catalogue import t
from i18n.format import format_date
from warehouse.accounts import audit_frame, list_users

PATH = "/audit"
ORDER = 9
NAME_KEY = "audit.nav"
ADMIN_ONLY = True

ID_TABEL = "audit-tabel"
ID_PENGGUNA = "audit-pengguna"
ID_TOLAK = "audit-tolak"
SHOWN = 500
API = "/api/v1/audit"


def layout(**_query: Any) -> html.Div:
    lang = language()
    actor = current_actor()
    if actor is None or not actor.is_admin:
        text = t("audit.hanya_admin", lang)
        link = (
            html.A(t("akun.masuk", lang), href=f"{SIGN_IN_PATH}?next={PATH}")
            if actor is None
            else None
        )
        return html.Div(
            [
                html.H1(t("audit.judul", lang), className="h3"),
                dbc.Alert([text, " ", link] if link else text, color="warning", id=ID_TOLAK),
            ]  # fmt: skip
        )
    store = data_source().store
    frame = audit_frame(store, limit=SHOWN)
    return html.Div(
        [
            html.H1(t("audit.judul", lang), className="h3 mb-2"),
            html.P(
                [
                    t("audit.pengantar", lang, n=SHOWN),
                    " ",
                    html.A("CSV", href=f"{API}.csv"),
                    " · ",
                    html.A("JSON", href=API),
                ]
            ),
            _events(frame, lang),
            html.H2(t("audit.pengguna", lang), className="h5 mt-4"),
            _users(list_users(store), lang),
        ]
    )


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: Any) -> str:
    return "–" if _missing(value) or value == "" else str(value)


def _when(value: Any, lang: str) -> str:
    return format_date(value, lang)


def _events(frame: pd.DataFrame, lang: str) -> html.Div:
    if frame.empty:
        return html.P(t("audit.kosong", lang), id=ID_TABEL)
    heads = ("waktu", "pelaku", "aksi", "hasil", "sasaran", "alamat", "rincian")
    rows = [
        html.Tr(
            [
                html.Td(_when(r.at, lang)),
                html.Td(r.actor),
                html.Td(r.action),
                html.Td(r.outcome),
                html.Td(_text(r.target)),
                html.Td(_text(r.ip)),
                html.Td(
                    _text(r.detail) + ("" if _missing(r.run_id) else f" (run {int(r.run_id)})")
                ),
            ]
        )
        for r in frame.itertuples(index=False)
    ]
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"audit.th.{h}", lang), scope="col") for h in heads])),
            html.Tbody(rows),
        ],  # fmt: skip
        id=ID_TABEL,
        bordered=True,
        size="sm",
        striped=True,
        responsive=True,
    )


def _users(users: list, lang: str) -> dbc.Table:
    heads = ("nama", "peran", "kecamatan", "aktif", "terakhir")
    rows = [
        html.Tr(
            [
                html.Td(u.username),
                html.Td(t(f"akun.peran.{u.role}", lang)),
                html.Td(u.kode_kecamatan or "–"),
                html.Td(t("audit.ya", lang) if u.active else t("audit.tidak", lang)),
                html.Td(_when(u.last_sign_in_at, lang)),
            ]
        )
        for u in users
    ]
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"audit.th.{h}", lang), scope="col") for h in heads])),
            html.Tbody(rows),
        ],  # fmt: skip
        id=ID_PENGGUNA,
        bordered=True,
        size="sm",
        striped=True,
    )


def register_callbacks(app: dash.Dash) -> None:
    """No callbacks: the page is rendered whole for each admin's visit."""
