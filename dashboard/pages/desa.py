"""Profil desa ("/desa/<kode>"): one village's identity and system, totals, all population
statistics, APBDes, projects, aid programmes, collection history and freshness."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from aggregates import finance
from aggregates import monitoring as mon
from aggregates.reasons import failing_since
from aggregates.rollup_people import DESA_PENDUDUK, village_population
from aggregates.tables import whole_numbers
from config.regions import RegionCodeError, normalize_code
from config.statistik import BY_SLUG
from dashboard import api_tables
from dashboard.auth import may_see_details, redact_details
from dashboard.context import data_source, language
from dashboard.data import Snapshot
from dashboard.guard import failure_alert, guarded
from dashboard.regions import Wilayah, display_name, resolve_wilayah
from dashboard.reporting import totals_of
from dashboard.scaffold.finance import (
    apbdes_lines_of,
    apbdes_years,
    bantuan_rows_of,
    card_row,
    facilities_of,
    identity_of,
    projects_of,
)
from dashboard.view_cache import cached
from i18n.catalogue import statistic_title, t
from i18n.format import format_date, format_number
from i18n.reasons import failure_texts, frame_reasons, render_reason
from layouts import finance_figures as ff
from layouts.panels import panel_section
from warehouse.models import VILLAGE_RUN_KINDS
from warehouse.rollups import FrameKey

log = logging.getLogger(__name__)

PATH = "/desa"
PATH_TEMPLATE = "/desa/<kode>"
ORDER = 90
NAME_KEY = "desa.nav"
NAV = False

ID_PENDUDUK = "desa-penduduk"
ID_APBDES = "desa-apbdes"
ID_SARANA = "desa-sarana"  # Data Sarana: the village's facilities (issue 11)
ID_PEMBANGUNAN = "desa-pembangunan"
ID_BANTUAN = "desa-bantuan"
ID_RIWAYAT = "desa-riwayat"
ID_KESEGARAN = "desa-kesegaran"
ID_NOT_FOUND = "desa-tidak-ditemukan"

POPULATION_COLUMNS = ["statistik", "label", "laki_laki", "perempuan", "jumlah"]
ACCOUNT_COLUMNS = ["kode", "label", "anggaran", "realisasi", "serapan"]
# alasan_gagal: the reason in the page's language (whole on hover); error / last_error: the
# original text, for operators (issue 10 hides it from the public)
FETCH_COLUMNS = [
    "waktu", "run_id", "dataset", "status", "http_status", "duration_ms", "alasan_gagal", "error",
]  # fmt: skip
STATUS_COLUMNS = ["dataset", "last_status", "berhasil_terakhir", "alasan_gagal", "last_error"]
RECENT_RUNS = 5
# the tables of /api/v1/halaman/desa/<tabel>?wilayah=<kode desa>: machine values (codes, plain
# numbers, ISO 8601 UTC times) in a stable order; the grids show the same rows in words
POPULATION_CSV_COLUMNS = ["statistik", "kode", "label", "laki_laki", "perempuan", "jumlah"]
FETCH_CSV_COLUMNS = [
    "fetched_at", "run_id", "dataset", "status", "http_status", "duration_ms", "error",
    "alasan_kode", "alasan_param",
]  # fmt: skip
STATUS_CSV_COLUMNS = [
    "dataset", "last_status", "last_success_at", "last_error", "alasan_kode", "alasan_param",
]  # fmt: skip
ID_KEADAAN = "desa-keadaan"  # the state panel the profile opens with
ID_GALAT = "desa-galat"  # the latest failure's reason, shortened (the whole as its title)
ID_GALAT_RINCI = "desa-galat-rinci"  # the whole reason, and the other failing datasets
ID_GALAT_ASLI = "desa-galat-asli"  # the original text, for operators
KEADAAN_COLOURS = {"gagal": "danger", "tertinggal": "warning", "belum_pernah": "secondary",
                   "baik": "success"}  # fmt: skip


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
    # the profile changes with a new run, and its state with the clock (stale after 7 days):
    # built once per run, village, language and hour
    now = pd.Timestamp.now(tz="UTC")
    # the raw error texts are a role's (issue 10): the public and operators elsewhere get a
    # profile of their own
    key = ("desa-profil", w.kode, lang, now.floor("h"), may_see_details(w.kode))
    return cached(snapshot, key, lambda: profile(snapshot, w, lang, now))


def profile(snapshot: Snapshot, w: Wilayah, lang: str, now: pd.Timestamp | None = None) -> html.Div:
    """Everything the page shows of one village: first its state and its freshness per
    dataset (issue 8: a failing village says so at the top), then its data, then its
    collection history."""
    kec = resolve_wilayah(snapshot, w.kecamatan)[0]
    freshness, history = history_sections(snapshot, w, lang)
    sections = [
        html.H1(display_name(w, lang), className="h3 mb-1"),
        html.P(t("desa.subjudul", lang, kecamatan=kec.nama, kode=w.kode), className="mb-3"),
        state_panel(snapshot, w, lang, now or pd.Timestamp.now(tz="UTC")),
        freshness,
        identity_panel(identity_of(snapshot, w.kode), lang),
        dbc.Row(totals_cards(snapshot, w), className="g-3 mb-3"),
        table_section(
            t("desa.penduduk", lang),
            grid(ID_PENDUDUK, population(snapshot, w.kode), lang),
            "statistik",
            w,
            lang,
        ),
    ]
    sections += finance_sections(snapshot, w, lang)
    sections.append(history)
    return html.Div(sections)


def village_state(snapshot: Snapshot, w: Wilayah, now: pd.Timestamp) -> dict:
    """The village's row of the monitoring frame (state, activity, last success, latest
    failure) and since when it fails (None unless it fails)."""
    status = snapshot.dataset_status
    mine = status[status["kode_desa"] == w.kode] if not status.empty else status
    regions = snapshot.regions
    regions = regions[(regions["kode"] == w.kode) | (regions["tingkat"] != "desa")]
    row = mon.freshness(mine, regions, now).iloc[0].to_dict()
    since = None
    if row["keadaan"] == "gagal":
        log_frame = data_source().store.fetch_log_frame(kode_desa=w.kode, kinds=VILLAGE_RUN_KINDS)
        since = failing_since(log_frame, mine)
    return {**row, "gagal_sejak": since}


def state_panel(snapshot: Snapshot, w: Wilayah, lang: str, now: pd.Timestamp) -> html.Section:
    """The profile's first panel: ok, failing since when (with the reason in the page's
    language: shortened, the whole on hover and on the line below), stale, or never."""
    row = village_state(snapshot, w, now)
    state = row["keadaan"]
    last = row["terakhir_berhasil"]
    if pd.isna(last):
        last_text = t("desa.keadaan.belum_berhasil", lang)
    else:
        last_text = t("desa.keadaan.terakhir", lang, tanggal=format_date(last, lang))
    title = t(f"desa.keadaan.{state}", lang)
    if state == "gagal" and row["gagal_sejak"] is not None:
        title = t("desa.keadaan.gagal_sejak", lang, tanggal=format_date(row["gagal_sejak"], lang))
    headline: list = [html.Strong(title), " "]
    if state == "tertinggal":
        headline.append(
            t("desa.keadaan.hari", lang, n=format_number(row["hari_sejak"], lang)) + " "
        )
    body: list = [html.P([*headline, last_text], className="mb-1")]
    details: list = []
    if state == "gagal":
        details_shown = may_see_details(w.kode)
        original = row["galat_terakhir"] if details_shown else None
        whole = render_reason(row["alasan_kode"], row["alasan_param"], original, lang) or ""
        body.append(html.P(mon.shorten(whole), title=whole, id=ID_GALAT, className="mb-0"))
        every = failure_texts(pd.DataFrame([row]), lang)[0]  # "… (dan 3 dataset lain)"
        rincian = [html.Strong(t("desa.keadaan.rincian", lang) + " "), every]
        details.append(html.P(rincian, id=ID_GALAT_RINCI, className="small mb-1"))
        if details_shown:  # the original text: for its operator and admins
            asli = [t("alasan.kolom.asli", lang) + ": ", html.Code(original)]
            details.append(html.P(asli, id=ID_GALAT_ASLI, className="small text-muted mb-0"))
    return html.Section(
        [
            html.H2(t("desa.keadaan", lang)),
            dbc.Alert(body, color=KEADAAN_COLOURS[state], className="mb-2"),
            *details,
        ],
        id=ID_KEADAAN,
        className="panel",
        **{"data-keadaan": state},
    )


def section(title: str, body: Any) -> html.Section:
    return html.Section([html.H2(title), body], className="panel")


def table_section(title: str, body: Any, table: str, w: Wilayah, lang: str,
                  **choices: str | None) -> html.Section:  # fmt: skip
    """A grid with its CSV download and its "CSV · JSON" API links (fixed: the village is
    the page's path, not a filter)."""
    grid_id = body.id if isinstance(body, dag.AgGrid) else None
    return panel_section(
        title,
        body,
        api_tables.links("desa", table, w, lang, follow=False, grid=grid_id, **choices),
        tools=[api_tables.download_button("desa", table, w, lang, follow=False, **choices)],
    )


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


def _wilayah_counts(info: dict, lang: str) -> str:
    parts = [
        f"{format_number(info[f'jumlah_{k}'], lang)} {name}"
        for k, name in (("dusun", "dusun"), ("rw", "RW"), ("rt", "RT"))
        if f"jumlah_{k}" in info
    ]
    return ", ".join(parts) or "–"


def identity_panel(info: dict, lang: str) -> html.Section:
    if not info:
        return section(t("desa.identitas", lang), html.P(t("desa.belum_ada_identitas", lang)))
    system = " ".join(str(info.get(k, "")) for k in ("source_app", "source_version")).strip()
    website = info.get("website")
    rows = [
        (t("desa.sistem", lang), system or "–"),
        (t("desa.situs", lang), html.A(website, href=website) if website else "–"),
        (t("desa.data_terakhir", lang), format_date(info.get("source_data_last_updated"), lang)),
        (t("desa.wilayah", lang), _wilayah_counts(info, lang)),
        (t("desa.diterima", lang), format_date(info.get("updated_at"), lang)),
    ]
    items = []
    for label, value in rows:
        items += [html.Dt(label, className="col-sm-4"), html.Dd(value, className="col-sm-8")]
    return section(t("desa.identitas", lang), html.Dl(items, className="row mb-0"))


def totals_cards(snapshot: Snapshot, w) -> list:
    lang = language()
    totals = totals_of(snapshot, w) or {}
    keys = ("penduduk", "laki_laki", "perempuan", "keluarga")
    return card_row([(t(f"rks.kartu.{k}", lang), format_number(totals.get(k), lang)) for k in keys])


def population_table(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """Every population statistic of the village: statistic slug, category code and label,
    counts (the API's rows; `population` shows them with titles)."""

    # the rollup's rows of the village, or its observations' (categories only: a statistic's
    # TOTAL row is not one, an aid statistic's JUMLAH is)
    def compute() -> pd.DataFrame:
        obs = snapshot.population.observations
        return village_population(obs[obs["kode_desa"] == kode])

    rows = snapshot.rolled(FrameKey(DESA_PENDUDUK, "desa"), kode, compute)
    return rows.reset_index(drop=True)[POPULATION_CSV_COLUMNS]


def population(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """Every population statistic of the village: statistic title, category, counts."""
    rows = population_table(snapshot, kode)
    lang = language()
    slugs = rows["statistik"].unique()
    titles = {s: statistic_title(s, lang) if s in BY_SLUG else s for s in slugs}
    return rows.assign(statistik=rows["statistik"].map(titles))[POPULATION_COLUMNS]


def finance_sections(snapshot: Snapshot, w, lang: str) -> list:
    """APBDes (the newest year), projects, aid and facilities: the rollup's slices of the
    village (issue 12), or computed from the measurements without a rollup."""
    years = apbdes_years(snapshot)
    tahun = years[0] if years else ""
    accounts = apbdes_table(snapshot, w.kode, tahun)
    if accounts.empty and w.jenis == "kelurahan":
        apbdes: Any = html.P(t("keu.kelurahan_ini", lang, wilayah=display_name(w, lang)))
    else:
        apbdes = grid(ID_APBDES, accounts[ACCOUNT_COLUMNS], lang)
    return [
        table_section(t("desa.apbdes", lang, tahun=tahun), apbdes, "apbdes", w, lang, tahun=tahun),
        table_section(
            t("desa.pembangunan", lang),
            grid(ID_PEMBANGUNAN, projects_table(snapshot, w.kode), lang),
            "pembangunan",
            w,
            lang,
        ),
        table_section(
            t("desa.bantuan", lang),
            grid(ID_BANTUAN, bantuan_table(snapshot, w.kode), lang),
            "bantuan",
            w,
            lang,
        ),
        table_section(
            t("desa.sarana", lang),
            grid(ID_SARANA, sarana_view(snapshot, w.kode, lang), lang),
            "sarana",
            w,
            lang,
        ),  # fmt: skip
    ]


VILLAGE_COLUMNS = ["kode_desa", "nama_desa", "nama_kecamatan"]  # the page says which village


def apbdes_table(snapshot: Snapshot, kode: str, tahun: str) -> pd.DataFrame:
    """The village's APBDes accounts of one year: tahun, kode, label, anggaran, realisasi,
    serapan (%)."""
    accounts = finance.account_table(apbdes_lines_of(snapshot, tahun, kode))
    # rupiah are whole numbers: "1299313000" in the CSV, not "1299313000.0"
    out = whole_numbers(accounts.reindex(columns=ACCOUNT_COLUMNS), ["anggaran", "realisasi"])
    return out.assign(tahun=tahun)[["tahun", *ACCOUNT_COLUMNS]]


def projects_table(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """The village's development projects, every year."""
    items = projects_of(snapshot, None, kode).drop(columns=VILLAGE_COLUMNS)
    return whole_numbers(items, ["anggaran"])


def sarana_table(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """The village's facilities (Data Sarana, OpenDK 2026), machine values: kategori is
    OpenDK's value (posyandu, sd)."""
    return facilities_of(snapshot, kode).drop(columns=["kode_desa"])


def sarana_view(snapshot: Snapshot, kode: str, lang: str) -> pd.DataFrame:
    """sarana_table with the category and its group in the page's language."""
    table = sarana_table(snapshot, kode)
    return table.assign(
        kategori=[t(f"sarana.kategori.{k}", lang) for k in table["kategori"]],
        kelompok=[t(f"sarana.kelompok.{g}", lang) for g in table["kelompok"]],
    )


def bantuan_table(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """The village's aid programmes and recipients."""
    return bantuan_rows_of(snapshot, kode).drop(columns=VILLAGE_COLUMNS)


def _iso(values: pd.Series) -> pd.Series:
    """Times as ISO 8601 UTC text ("2026-11-28T01:02:03Z"); gaps stay empty."""
    return pd.to_datetime(values, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def history_table(kode: str) -> pd.DataFrame:
    """The village's fetches in its latest RECENT_RUNS collections (and pushes), newest first
    (machine values). Imports are not the village's history: a file says nothing of its
    system (issue 8)."""
    log_frame = data_source().store.fetch_log_frame(kode_desa=kode, kinds=VILLAGE_RUN_KINDS)
    if log_frame.empty:
        return pd.DataFrame(columns=FETCH_CSV_COLUMNS)
    runs = sorted(log_frame["run_id"].unique())[-RECENT_RUNS:]
    log_frame = log_frame[log_frame["run_id"].isin(runs)].sort_values(
        ["fetched_at", "dataset"], ascending=[False, True]
    )
    out = log_frame.assign(
        fetched_at=_iso(log_frame["fetched_at"]),
        alasan_kode=log_frame["error_code"],
        alasan_param=log_frame["error_params"],
    )
    for col in ("run_id", "http_status", "duration_ms"):
        out[col] = pd.to_numeric(out[col]).round().astype("Int64")
    return out[FETCH_CSV_COLUMNS].reset_index(drop=True)


def freshness_table(snapshot: Snapshot, kode: str) -> pd.DataFrame:
    """Per dataset of the village: its latest status, last success (ISO UTC), last error."""
    status = snapshot.dataset_status
    status = status[status["kode_desa"] == kode] if not status.empty else status
    if status.empty:
        return pd.DataFrame(columns=STATUS_CSV_COLUMNS)
    out = status.assign(
        last_success_at=_iso(status["last_success_at"]),
        alasan_kode=status["last_error_code"],
        alasan_param=status["last_error_params"],
    )
    return out[STATUS_CSV_COLUMNS].sort_values("dataset").reset_index(drop=True)


def history_sections(snapshot: Snapshot, w: Wilayah, lang: str) -> list:
    """Freshness per dataset and the collection history, times in WIB, statuses and reasons
    in words (the page's language)."""
    fetches = redact_details(history_table(w.kode), kode=w.kode)
    if not fetches.empty:
        waktu = [format_date(pd.Timestamp(v), lang) for v in fetches["fetched_at"]]
        alasan = frame_reasons(fetches, "alasan_kode", "alasan_param", "error", lang)
        fetches = fetches.assign(waktu=waktu, alasan_gagal=alasan)[FETCH_COLUMNS]
    status = redact_details(freshness_table(snapshot, w.kode), kode=w.kode)
    if not status.empty:
        status = status.assign(
            berhasil_terakhir=[
                format_date(pd.Timestamp(v) if isinstance(v, str) else None, lang)
                for v in status["last_success_at"]
            ],
            last_status=[
                t(f"status.{s}", lang) if s in ("ok", "unchanged", "failed") else s
                for s in status["last_status"]
            ],
            alasan_gagal=frame_reasons(status, "alasan_kode", "alasan_param", "last_error", lang),
        )[STATUS_COLUMNS]
    return [
        table_section(
            t("desa.kesegaran", lang), grid(ID_KESEGARAN, status, lang), "kesegaran", w, lang
        ),
        table_section(t("desa.riwayat", lang), grid(ID_RIWAYAT, fetches, lang), "riwayat", w, lang),
    ]


def _api_table(name: str, build: Any, params: tuple[str, ...] = ()) -> api_tables.PageTable:
    """A table of the village profile: `build(snapshot, w, args) -> (frame, filters)`; the
    request must name one village (wilayah=<kode desa>)."""

    def page_build(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[str, pd.DataFrame, dict]:
        api_tables.require_desa(w, args, f"halaman/desa/{name}")
        frame, filters = build(snapshot, w, args)
        stem = "_".join(["desa", name, *(str(v) for v in filters.values() if v), str(w.kode)])
        return stem, frame, filters

    return api_tables.PageTable(params, page_build)


def _api_apbdes(snapshot: Snapshot, w: Wilayah, args: Any) -> tuple[pd.DataFrame, dict]:
    tahun = api_tables.pick(args, "tahun", apbdes_years(snapshot))
    return apbdes_table(snapshot, w.kode, tahun), {"tahun": tahun}


TABLES = {
    "statistik": _api_table("statistik", lambda s, w, _a: (population_table(s, w.kode), {})),
    "apbdes": _api_table("apbdes", _api_apbdes, ("tahun",)),
    "pembangunan": _api_table(
        "pembangunan",
        lambda s, w, _a: (projects_table(s, w.kode), {}),
    ),
    "bantuan": _api_table("bantuan", lambda s, w, _a: (bantuan_table(s, w.kode), {})),
    "sarana": _api_table("sarana", lambda s, w, _a: (sarana_table(s, w.kode), {})),
    "kesegaran": _api_table(
        "kesegaran",
        lambda s, w, _a: (redact_details(freshness_table(s, w.kode), kode=w.kode), {}),
    ),
    "riwayat": _api_table(
        "riwayat", lambda _s, w, _a: (redact_details(history_table(w.kode), kode=w.kode), {})
    ),
}


def register_callbacks(app: dash.Dash) -> None:
    """The profile is static per request: no callbacks."""
