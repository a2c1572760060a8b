"""The "Kumpulkan sekarang" panel: collect the chosen village, its kecamatan or every village,
and follow each request until it ends (issue 8).

A click writes a request through `collectors.collect_now.ask_collect` (the one write path;
the scheduler process does the HTTP). The page then polls the requests it asked for with a
dcc.Interval, enabled only while one of them is waiting or running, and shows each state:
menunggu, berjalan, selesai with its outcome, gagal or ditolak with the reason. A target already
waiting or running is not asked twice: the page says it is queued and follows that request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update

from collectors.collect_now import (
    NotPermitted,
    RequestState,
    UnknownTarget,
    ask_collect,
    request_states,
)
from dashboard.auth import client_address, current_actor, writing_output
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.freshness import region_villages
from dashboard.regions import Wilayah, display_name, resolve_wilayah, wilayah_from_filters
from i18n.catalogue import t
from i18n.format import format_number

log = logging.getLogger(__name__)

POLL_MS = 2000  # how often an open request is looked at
FOLLOWED = 5  # requests a page follows at most (the newest)


@dataclass(frozen=True)
class CollectIds:
    """Component ids of one page's panel, prefixed by the page."""

    prefix: str

    @property
    def desa(self) -> str:
        return f"{self.prefix}-kumpulkan"

    @property
    def kecamatan(self) -> str:
        return f"{self.prefix}-kumpulkan-kecamatan"

    @property
    def semua(self) -> str:
        return f"{self.prefix}-kumpulkan-semua"

    @property
    def hint(self) -> str:
        return f"{self.prefix}-kumpulkan-teks"

    @property
    def message(self) -> str:
        return f"{self.prefix}-kumpulkan-pesan"

    @property
    def asked(self) -> str:  # dcc.Store: [{"id": …, "merged": …}] of the requests followed
        return f"{self.prefix}-permintaan"

    @property
    def poll(self) -> str:
        return f"{self.prefix}-permintaan-interval"


def buttons_state(snapshot: Snapshot | None, w: Wilayah, lang: str) -> dict:
    """Label and disabled flag of each button, and the hint, for the region shown."""
    has_villages = snapshot is not None and w.kode is not None
    desa = (False, t("kumpul.tombol.desa", lang, wilayah=display_name(w, lang)))
    if w.tingkat != "desa" or not w.desa:
        desa = (True, t("kumpul.tombol.desa_pilih", lang))
    kecamatan = (True, t("kumpul.tombol.kecamatan_pilih", lang))
    if snapshot is not None and w.tingkat in ("kecamatan", "desa") and w.kecamatan:
        kec = resolve_wilayah(snapshot, w.kecamatan)[0]
        kecamatan = (False, t("kumpul.tombol.kecamatan", lang, wilayah=display_name(kec, lang)))
    # one literal key per call: pybabel extract reads the first argument's strings as one
    hint = (
        t("kumpul.petunjuk", lang)
        if w.tingkat not in ("kabupaten", "provinsi")
        else t("kumpul.petunjuk_pilih", lang)
    )
    return {
        "desa": desa,
        "kecamatan": kecamatan,
        "semua": (not has_villages, t("kumpul.tombol.semua", lang)),
        "teks": hint,
        # the targets, so each visitor's own buttons can be narrowed (for_actor)
        "kode": {"desa": w.desa, "kecamatan": w.kecamatan, "semua": None},
    }


def for_actor(state: dict) -> tuple[dict, bool]:
    """The buttons as the visitor of this request may use them, and whether the panel shows:
    hidden from the public, an operator's buttons outside its kecamatan disabled. A
    convenience only: ask_collect checks the signed-in user again on the server."""
    actor = current_actor()
    if actor is None:
        return state, False
    codes = state.get("kode", {})
    narrowed = dict(state)
    for key in ("desa", "kecamatan", "semua"):
        disabled, label = state[key]
        narrowed[key] = (disabled or not actor.covers(codes.get(key)), label)
    return narrowed, True


def collect_panel(ids: CollectIds, state: dict, lang: str) -> html.Div:
    """The three buttons, the hint, the request messages, and the (idle) poll; hidden from
    those who may not ask (for_actor)."""
    state, shown = for_actor(state)

    def button(ident: str, key: str, color: str) -> dbc.Button:
        disabled, label = state[key]
        return dbc.Button(label, id=ident, color=color, disabled=disabled)

    return html.Div(
        [
            html.Strong(t("kumpul.judul", lang)),
            button(ids.desa, "desa", "primary"),
            button(ids.kecamatan, "kecamatan", "outline-primary"),
            button(ids.semua, "semua", "outline-secondary"),
            html.Span(state["teks"], id=ids.hint, className="text-muted small"),
            html.Div(id=ids.message, role="status", className="w-100"),
            dcc.Store(id=ids.asked, data=[]),
            dcc.Interval(id=ids.poll, interval=POLL_MS, disabled=True),
        ],
        # d-none, not a style: Bootstrap's d-flex would win over display: none
        className="d-flex align-items-center flex-wrap gap-2 mb-3" if shown else "d-none",
    )


# -- what a request's state says ---------------------------------------------------------------
def target_name(snapshot: Snapshot, scope: str, kode: str | None, lang: str) -> str:
    """ "Desa Talang Jambu", "Kecamatan Kerkap", "semua desa" (a code unknown here: itself)."""
    if scope == "semua" or kode is None:
        return t("kumpul.sasaran.semua", lang)
    w, unknown = resolve_wilayah(snapshot, kode)
    return kode if unknown is not None or w.kode != kode else display_name(w, lang)


def state_text(snapshot: Snapshot, state: RequestState, lang: str) -> str:
    """One request in words, in the page's language."""
    n, sasaran = state.id, target_name(snapshot, state.scope, state.kode, lang)
    if state.status == "pending":
        return t("kumpul.menunggu", lang, n=n, sasaran=sasaran)
    if state.status == "running":
        return t("kumpul.berjalan", lang, n=n, sasaran=sasaran)
    if state.status == "done":
        counts = {k: format_number(getattr(state, k), lang) for k in ("ok", "unchanged", "failed")}
        return t("kumpul.selesai", lang, n=n, sasaran=sasaran, **counts)
    reason = t(f"kumpul.alasan.{state.reason or 'tidak_tercatat'}", lang)
    key = "kumpul.ditolak" if state.status == "rejected" else "kumpul.gagal"
    return t(key, lang, n=n, sasaran=sasaran, alasan=reason)


def _colour(states: list[RequestState]) -> str:
    if any(not s.ended for s in states):
        return "info"
    if any(s.status != "done" or s.failed for s in states):
        return "warning"
    return "success"


def requests_view(
    snapshot: Snapshot, asked: list[dict], states: list[RequestState], lang: str
) -> dbc.Alert | None:
    """The requests a page follows, newest first; a merged one says it was already queued."""
    if not states:
        return None
    merged = {int(a["id"]) for a in asked if a.get("merged")}
    lines = []
    for state in reversed(states):
        text = state_text(snapshot, state, lang)
        if state.id in merged and not state.ended:
            sasaran = target_name(snapshot, state.scope, state.kode, lang)
            queued = t("kumpul.sudah_antre", lang, n=state.id, sasaran=sasaran)
            text = f"{queued[:1].upper()}{queued[1:]} {text}"
        lines.append(html.Div(text, **{"data-status": state.status}))
    return dbc.Alert(lines, color=_colour(states), className="py-2 mb-0")


# -- callbacks ---------------------------------------------------------------------------------
def register_collect_callbacks(app: dash.Dash, ids: CollectIds, kecamatan: str, desa: str) -> None:
    """The panel follows the filter bar (`kecamatan`, `desa`: its dropdown ids), asks on a
    click, and polls while a request it follows is open."""
    writing_output(app, ids.asked, "kumpulkan")  # the asking callback writes (auth's guard)

    @app.callback(
        Output(ids.desa, "disabled"),
        Output(ids.desa, "children"),
        Output(ids.kecamatan, "disabled"),
        Output(ids.kecamatan, "children"),
        Output(ids.semua, "disabled"),
        Output(ids.hint, "children"),
        Input(kecamatan, "value"),
        Input(desa, "value"),
        prevent_initial_call=True,  # the layout rendered the region of the URL already
    )
    def follow_filters(kec: str | None, des: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            state = buttons_state(snapshot, wilayah_from_filters(snapshot, kec, des), lang)
            state, _shown = for_actor(state)
        except Exception:
            log.exception("collect panel: the buttons failed for %s", des or kec)
            return True, no_update, True, no_update, True, no_update
        return (*state["desa"], *state["kecamatan"], state["semua"][0], state["teks"])

    @app.callback(
        Output(ids.asked, "data"),
        Output(ids.poll, "disabled"),
        Output(ids.message, "children", allow_duplicate=True),
        Input(ids.desa, "n_clicks"),
        Input(ids.kecamatan, "n_clicks"),
        Input(ids.semua, "n_clicks"),
        State(kecamatan, "value"),
        State(desa, "value"),
        State(ids.asked, "data"),
        prevent_initial_call=True,
    )
    def ask(_desa: int | None, _kec: int | None, _semua: int | None, kec: str | None,
            des: str | None, asked: list | None):  # fmt: skip
        lang = language()
        trigger = dash.ctx.triggered_id
        clicks = {ids.desa: _desa, ids.kecamatan: _kec, ids.semua: _semua}.get(trigger)
        if not clicks:
            return no_update, no_update, no_update
        asked = list(asked or [])
        try:
            source = data_source()
            snapshot = source.snapshot()
            w = wilayah_from_filters(snapshot, kec, des)
            target = {ids.desa: w.desa, ids.kecamatan: w.kecamatan, ids.semua: None}[trigger]
            # a kabupaten of a provinsi registry is no kecamatan either (issue 12)
            if trigger != ids.semua and (not target or len(target) < len("17.03.06")):
                return no_update, no_update, no_update  # the button is disabled then
            ticket = ask_collect(
                source.store, target, villages=region_villages(snapshot, None),
                actor=current_actor(), origin=client_address(),
            )  # fmt: skip
        except NotPermitted as refused:
            key = "kumpul.tolak_anonim" if refused.reason == "anonim" else "kumpul.tolak_wilayah"
            return no_update, no_update, dbc.Alert(t(key, lang), color="danger")
        except UnknownTarget:
            return (
                no_update,
                no_update,
                dbc.Alert(t("kumpul.tidak_dikenal", lang, kode=target), color="warning"),
            )
        except Exception:
            log.exception("collect panel: the request failed for %s", des or kec)
            return no_update, no_update, dbc.Alert(t("kumpul.gagal_catat", lang), color="danger")
        asked = [a for a in asked if int(a["id"]) != ticket.id]
        asked = [*asked, {"id": ticket.id, "merged": ticket.merged}][-FOLLOWED:]
        states = request_states(source.store, [int(a["id"]) for a in asked])
        view = requests_view(snapshot, asked, states, lang)
        return asked, all(s.ended for s in states), view

    @app.callback(
        Output(ids.poll, "disabled", allow_duplicate=True),
        Output(ids.message, "children", allow_duplicate=True),
        Input(ids.poll, "n_intervals"),
        State(ids.asked, "data"),
        prevent_initial_call=True,
    )
    def poll(_n: int | None, asked: list | None):
        asked = list(asked or [])
        if not asked:
            return True, no_update
        lang = language()
        try:
            source = data_source()
            states = request_states(source.store, [int(a["id"]) for a in asked])
            view = requests_view(source.snapshot(), asked, states, lang)
        except Exception:
            log.exception("collect panel: the requests could not be read")
            return no_update, no_update  # the next tick tries again
        # the interval stops once every request followed has ended
        return all(s.ended for s in states), view
