"""Profil desa ("/desa/<kode>"): one village's identity and system, totals, all population
statistics, APBDes, projects, aid programmes, collection history and freshness."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from aggregates import finance
from aggregates.population import NOT_CATEGORIES
from config.regions import RegionCodeError, normalize_code
from config.statistik import BY_SLUG
from dashboard.app import (
    data_source,
    display_name,
    failure_alert,
    guarded,
    language,
    resolve_wilayah,
    totals_of,
)
from dashboard.data import Snapshot
from dashboard.i18n import statistic_title, t
from dashboard.pages.keuangan import card_row, measurements
from layouts import finance_figures as ff
from layouts.format import format_date, format_number

log = logging.getLogger(__name__)

PATH = "/desa"
PATH_TEMPLATE = "/desa/<kode>"
ORDER = 90
NAME_KEY = "desa.nav"
NAV = False

ID_PENDUDUK = "desa-penduduk"
ID_APBDES = "desa-apbdes"
ID_PEMBANGUNAN = "desa-pembangunan"
ID_BANTUAN = "desa-bantuan"
ID_RIWAYAT = "desa-riwayat"
ID_KESEGARAN = "desa-kesegaran"
ID_NOT_FOUND = "desa-tidak-ditemukan"

POPULATION_COLUMNS = ["statistik", "label", "laki_laki", "perempuan", "jumlah"]
ACCOUNT_COLUMNS = ["kode", "label", "anggaran", "realisasi", "serapan"]
FETCH_COLUMNS = ["waktu", "run_id", "dataset", "status", "http_status", "duration_ms", "error"]
STATUS_COLUMNS = ["dataset", "last_status", "berhasil_terakhir", "last_error"]
RECENT_RUNS = 5


def layout(kode: str | None = None, **_query: Any) -> html.Div:
    lang = language()
    return guarded(__name__, lambda: _layout(kode, lang), lambda: failure_alert(lang))


def not_found(kode: object, lang: str) -> html.Div:
    return html.Div(
        [
            html.H1(t("desa.tidak_ditemukan", lang), className="h3"),
            html.P(t("desa.tidak_ditemukan_teks", lang, kode=kode or "")),
            dcc.Link(t("app.kembali", lang), href="/"),
        ],
        id=ID_NOT_FOUND,
        className="panel",
    )


def _layout(kode: str | None, lang: str) -> html.Div:
    snapshot = data_source().snapshot()
    try:
        code = normalize_code(str(kode or ""))
    except RegionCodeError:
        return not_found(kode, lang)
    w, unknown = resolve_wilayah(snapshot, code)
    if unknown is not None or w.tingkat != "desa":
        return not_found(kode, lang)
    meas = measurements(snapshot)
    kec = resolve_wilayah(snapshot, w.kecamatan)[0]
    sections = [
        html.H1(display_name(w, lang), className="h3 mb-1"),
        html.P(t("desa.subjudul", lang, kecamatan=kec.nama, kode=w.kode), className="mb-3"),
        identity_panel(finance.identity(meas, w.kode), lang),
        dbc.Row(totals_cards(snapshot, w), className="g-3 mb-3"),
        section(t("desa.penduduk", lang), grid(ID_PENDUDUK, population(snapshot, w.kode), lang)),
    ]
    sections += finance_sections(snapshot, meas, w, lang)
    sections += history_sections(snapshot, w.kode, lang)
    return html.Div(sections)


def section(title: str, body: Any) -> html.Section:
    return html.Section([html.H2(title), body], className="panel")


def grid(ident: str, frame: pd.DataFrame, lang: str) -> Any:
    """A grid of `frame` (headers from desa.kolom.* or the finance pages'), or a note."""
    if frame.empty:
        return html.P(t("desa.kosong", lang), id=ident)
    columns = list(frame.columns)
    heads = {}
    for c in columns:
        for prefix in ("desa", "keu", "pbg", "bnt"):
            key = f"{prefix}.kolom.{c}"
            try:
                heads[c] = t(key, lang)
                break
            except KeyError:
                continue
    numbers = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c])]
    return ff.finance_grid(
        ident, frame, columns, heads, numbers=numbers, lang=lang, height=None, link=False
    )


def identity_panel(info: dict, lang: str) -> html.Section:
    if not info:
        return section(t("desa.identitas", lang), html.P(t("desa.belum_ada_identitas", lang)))
    system = " ".join(str(info.get(k, "")) for k in ("source_app", "source_version")).strip()
    website = info.get("website")
    rows = [
        (t("desa.sistem", lang), system or "–"),
        (t("desa.situs", lang), html.A(website, href=website) if website else "–"),
        (t("desa.data_terakhir", lang), format_date(info.get("source_data_last_updated"), lang)),
        (t("desa.diterima", lang), format_date(info.get("updated_at"), lang)),
    ]
    items = []
    for label, value in rows:
        items += [html.Dt(label, className="col-sm-4"), html.Dd(value, className="col-sm-8")]
    return section(t("desa.identitas", lang), html.Dl(items, className="row mb-0"))


def totals_cards(snapshot: Snapshot, w) -> list:
    totals = totals_of(snapshot, w) or {}
    keys = ("penduduk", "laki_laki", "perempuan", "keluarga")
    return card_row([(t(f"rks.kartu.{k}", language()), format_number(totals.get(k))) for k in keys])


def population(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """Every population statistic of the village: statistic title, category, counts."""
    obs = snapshot.population.observations
    rows = obs[(obs["kode_desa"] == kode) & ~obs["dataset"].isin(NOT_CATEGORIES)]
    lang = language()
    titles = {s: statistic_title(s, lang) if s in BY_SLUG else s for s in rows["dataset"].unique()}
    out = pd.DataFrame(
        {
            "statistik": rows["dataset"].map(titles),
            "label": rows["label"],
            "laki_laki": rows["laki_laki"],
            "perempuan": rows["perempuan"],
            "jumlah": rows["jumlah"],
        }
    )
    return out.reset_index(drop=True)


def finance_sections(snapshot: Snapshot, meas: pd.DataFrame, w, lang: str) -> list:
    years = finance.apbdes_years(meas)
    tahun = years[0] if years else ""
    accounts = finance.account_table(finance.apbdes_lines(meas, tahun, w.kode))
    if accounts.empty and w.jenis == "kelurahan":
        apbdes: Any = html.P(t("keu.kelurahan_ini", lang, wilayah=display_name(w, lang)))
    else:
        apbdes = grid(ID_APBDES, accounts[ACCOUNT_COLUMNS], lang)
    items = finance.projects(meas, snapshot.regions, None, w.kode)
    aid = finance.bantuan_rows(meas, snapshot.regions, w.kode)
    return [
        section(t("desa.apbdes", lang, tahun=tahun), apbdes),
        section(
            t("desa.pembangunan", lang),
            grid(
                ID_PEMBANGUNAN,
                items.drop(columns=["kode_desa", "nama_desa", "nama_kecamatan"]),
                lang,
            ),
        ),
        section(
            t("desa.bantuan", lang),
            grid(ID_BANTUAN, aid.drop(columns=["kode_desa", "nama_desa", "nama_kecamatan"]), lang),
        ),
    ]


def history_sections(snapshot: Snapshot, kode: str, lang: str) -> list:
    store = data_source().store
    log_frame = store.fetch_log_frame(kode_desa=kode)
    if not log_frame.empty:
        runs = sorted(log_frame["run_id"].unique())[-RECENT_RUNS:]
        log_frame = log_frame[log_frame["run_id"].isin(runs)].sort_values(
            ["fetched_at", "dataset"], ascending=[False, True]
        )
        log_frame = log_frame.assign(waktu=[format_date(v, lang) for v in log_frame["fetched_at"]])
        log_frame = log_frame[FETCH_COLUMNS].reset_index(drop=True)
    status = snapshot.dataset_status
    status = status[status["kode_desa"] == kode] if not status.empty else status
    if not status.empty:
        status = (
            status.assign(
                berhasil_terakhir=[format_date(v, lang) for v in status["last_success_at"]],
                last_status=[
                    t(f"status.{s}", lang) if s in ("ok", "unchanged", "failed") else s
                    for s in status["last_status"]
                ],
            )[STATUS_COLUMNS]
            .sort_values("dataset")
            .reset_index(drop=True)
        )
    return [
        section(t("desa.kesegaran", lang), grid(ID_KESEGARAN, status, lang)),
        section(t("desa.riwayat", lang), grid(ID_RIWAYAT, log_frame, lang)),
    ]


def register_callbacks(app: dash.Dash) -> None:
    """The profile is static per request: no callbacks."""
