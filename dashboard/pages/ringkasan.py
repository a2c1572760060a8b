"""Ringkasan ("/"): headline numbers, who reported, and every village of the selected region."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update

from aggregates.status import VILLAGE_STATUS_COLUMNS
from dashboard.app import (
    NO_WILAYAH,
    FilterIds,
    Wilayah,
    cached,
    data_source,
    display_name,
    empty_message,
    failure_alert,
    filter_bar,
    guarded,
    language,
    register_filter_callbacks,
    resolve_wilayah,
    totals_of,
    wilayah_from_filters,
)
from dashboard.data import Snapshot
from dashboard.i18n import t
from layouts.format import format_date, format_number
from layouts.tables import data_grid, row_data

log = logging.getLogger(__name__)

FILTER = FilterIds("rks")
PATH = "/"
ORDER = 0
NAME_KEY = "nav.ringkasan"

ID_URL = FILTER.url  # "rks-url"
ID_KECAMATAN = FILTER.kecamatan  # "rks-kecamatan"
ID_DESA = FILTER.desa  # "rks-desa"
ID_WILAYAH_DATA = FILTER.data  # "rks-wilayah-data": villages per kecamatan, for the browser
ID_JUDUL = "rks-judul"
ID_PESAN = "rks-pesan"
ID_KARTU = "rks-kartu"
ID_STATUS = "rks-status"
ID_GRID = "rks-grid"
ID_UNDUH = "rks-unduh"
ID_DOWNLOAD = "rks-download"

CARDS = ("penduduk", "laki_laki", "perempuan", "keluarga")
GRID_COLUMNS = [
    "nama_desa",
    "kode_desa",
    "nama_kecamatan",
    "penduduk",
    "laki_laki",
    "perempuan",
    "keluarga",
    "status_terakhir",
    "terakhir_berhasil",
    "galat_terakhir",
]
CSV_COLUMNS = VILLAGE_STATUS_COLUMNS  # stable: the columns of aggregates.status.village_status


def layout(wilayah: str | None = None, **_query: Any) -> html.Div:
    """The page for `?wilayah=<kode>` (absent: the whole kabupaten)."""
    lang = language()
    return guarded(
        __name__,
        lambda: _layout(wilayah, lang),
        lambda: _page(None, NO_WILAYAH, blank_view(lang), [failure_alert(lang)], lang),
    )


def _layout(wilayah: str | None, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    w, unknown = resolve_wilayah(snapshot, wilayah)
    notices = []
    if unknown is not None:
        text = t("filter.wilayah_tidak_dikenal", lang, kode=unknown, wilayah=w.nama)
        notices.append(dbc.Alert(text, color="warning"))
    return _page(snapshot, w, render(snapshot, w, lang), notices, lang)


def blank_view(lang: str) -> dict:
    """The parts of the page with no data at all (the data could not be read)."""
    return {
        "judul": t("app.judul", lang),
        "pesan": None,
        "kartu": cards(None, lang),
        "status": "",
        "desa": pd.DataFrame(columns=CSV_COLUMNS),
    }


def _page(snapshot: Snapshot | None, w: Wilayah, view: dict, notices: list, lang: str) -> html.Div:
    return html.Div(
        [
            html.H1(view["judul"], id=ID_JUDUL, className="h3 mb-3"),
            filter_bar(FILTER, snapshot, w, lang),
            html.Div(notices),
            html.Div(view["pesan"], id=ID_PESAN),
            dbc.Row(view["kartu"], id=ID_KARTU, className="g-3 mb-3"),
            html.P(view["status"], id=ID_STATUS, className="mb-3"),
            html.Section(
                [
                    html.Div(
                        [
                            html.H2(t("rks.tabel_desa", lang), className="me-auto"),
                            dbc.Button(
                                t("unduh_csv", lang),
                                id=ID_UNDUH,
                                color="primary",
                                outline=True,
                                size="sm",
                            ),
                            dcc.Download(id=ID_DOWNLOAD),
                        ],
                        className="d-flex align-items-center gap-2 mb-2",
                    ),
                    data_grid(ID_GRID, view["desa"], GRID_COLUMNS, lang=lang, height=520),
                ],
                className="panel",
            ),
        ]
    )


def village_frame(snapshot: Snapshot, w: Wilayah) -> pd.DataFrame:
    """The region's villages with totals, status and last success (aggregates.status)."""
    # one frame of all villages serves every region
    every = cached(snapshot, ("village_status",), lambda: snapshot.village_status())
    if not w.kode or w.tingkat == "kabupaten":
        return every
    codes = every["kode_desa"]
    return every[(codes == w.kode) | codes.str.startswith(w.kode + ".")].reset_index(drop=True)


def grid_frame(villages: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What the grid shows: the status in words; everything else as aggregated."""
    shown = villages.copy()
    shown["status_terakhir"] = [t(f"status.{s}", lang) for s in villages["status_terakhir"]]
    return shown


def render(snapshot: Snapshot, w: Wilayah, lang: str) -> dict:
    """Every changing part of the page for one region (used by the layout and the callback)."""
    name = display_name(w, lang) if w.kode else t("app.judul", lang)
    villages = village_frame(snapshot, w) if w.kode else pd.DataFrame(columns=CSV_COLUMNS)
    totals = totals_of(snapshot, w)
    pesan = None
    if totals is None:
        pesan = dbc.Alert(
            [html.Strong(t("kosong.judul", lang) + ". "), empty_message(snapshot, w, lang)],
            color="info",
        )
    return {
        "judul": t("rks.judul", lang, wilayah=name),
        "pesan": pesan,
        "kartu": cards(totals, lang),
        "status": status_line(snapshot, villages, lang),
        "desa": grid_frame(villages, lang),
    }


def cards(totals: dict | None, lang: str) -> list:
    """Four headline numbers; "–" where there is no data yet."""
    return [
        dbc.Col(
            dbc.Card(
                dbc.CardBody(
                    [
                        html.Div(t(f"rks.kartu.{key}", lang), className="kpi-label"),
                        html.Div(
                            format_number(totals.get(key) if totals else None),
                            className="kpi-value",
                            id=f"rks-kartu-{key}",
                        ),
                    ]
                ),
                className="kpi-card h-100",
            ),
            xs=6,
            lg=3,
        )
        for key in CARDS
    ]


def status_line(snapshot: Snapshot, villages: pd.DataFrame, lang: str) -> list:
    """ "214 desa melapor pada pengumpulan terakhir, 3 gagal; 3 desa belum pernah melapor"."""
    status = villages["status_terakhir"] if not villages.empty else pd.Series(dtype=str)
    ok = int(status.isin(["ok", "unchanged"]).sum())
    failed = int((status == "failed").sum())
    never = int((status == "never").sum())
    parts: list = [t("rks.melapor", lang, n=format_number(ok), gagal=format_number(failed))]
    if never:
        parts.append("; " + t("rks.belum_pernah", lang, n=format_number(never)))
    parts.append(". ")
    finished = snapshot.last_run().get("finished_at")
    if finished is not None and not pd.isna(finished):
        parts.append(t("rks.selesai", lang, tanggal=format_date(finished, lang)))
    return parts


def csv_frame(villages: pd.DataFrame) -> pd.DataFrame:
    """The download: village_status columns, plain numbers, times in ISO 8601 UTC."""
    out = villages.reindex(columns=CSV_COLUMNS).copy()
    stamps = pd.to_datetime(out["terakhir_berhasil"], utc=True)
    out["terakhir_berhasil"] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    for col in ("penduduk", "laki_laki", "perempuan", "keluarga"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out


def register_callbacks(app: dash.Dash) -> None:
    register_filter_callbacks(app, FILTER)

    @app.callback(
        Output(ID_JUDUL, "children"),
        Output(ID_PESAN, "children"),
        Output(ID_KARTU, "children"),
        Output(ID_STATUS, "children"),
        Output(ID_GRID, "rowData"),
        Input(ID_KECAMATAN, "value"),
        Input(ID_DESA, "value"),
        prevent_initial_call=True,  # the layout rendered the region of the URL already
    )
    def update(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            view = render(snapshot, wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("ringkasan: update failed for %s", desa or kecamatan)
            return no_update, failure_alert(lang), no_update, no_update, []
        rows = row_data(view["desa"], GRID_COLUMNS, lang)
        return view["judul"], view["pesan"], view["kartu"], view["status"], rows

    @app.callback(
        Output(ID_DOWNLOAD, "data"),
        Input(ID_UNDUH, "n_clicks"),
        State(ID_KECAMATAN, "value"),
        State(ID_DESA, "value"),
        prevent_initial_call=True,
    )
    def download(_clicks: int | None, kecamatan: str | None, desa: str | None):
        snapshot = data_source().snapshot()
        w = wilayah_from_filters(snapshot, kecamatan, desa)
        villages = village_frame(snapshot, w) if w.kode else pd.DataFrame(columns=CSV_COLUMNS)
        text = csv_frame(villages).to_csv(index=False, lineterminator="\n")
        return dcc.send_string(text, f"status-desa_{w.kode or 'semua'}.csv", type="text/csv")
