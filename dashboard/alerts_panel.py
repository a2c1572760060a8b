"""The Pemantauan page's "Peringatan" section (issue 13): the alerts open now in the chosen
region and the latest attempts to send them, by e-mail and Telegram.

Read only: the scheduler process checks and sends (notify/); the page shows the warehouse's
alert state and send log through aggregates.alerts, read fresh on each view (a check may run
without a new collection run). The public sees recipients masked and no send errors; an
admin sees them all, an operator those of their kecamatan (dashboard.auth).
"""

from __future__ import annotations

import logging

import dash
import pandas as pd
from dash import Input, Output, html, no_update

from aggregates import alerts as agg
from config.settings import Settings
from dashboard import api_tables
from dashboard.auth import current_actor
from dashboard.context import SETTINGS, data_source, language
from dashboard.regions import Wilayah, wilayah_from_filters
from i18n.alerts import dataset_label, describe
from i18n.catalogue import t
from i18n.format import format_number
from layouts import tables
from layouts.finance_figures import grid_rows
from layouts.panels import panel_section
from layouts.tables import TEXT_SUFFIX
from notify.recipients import mask
from warehouse import alerts as wa

log = logging.getLogger(__name__)

ID_SECTION = "pmt-peringatan"
ID_BODY = "pmt-peringatan-isi"
ID_GRID_OPEN = "pmt-grid-peringatan"
ID_GRID_SENT = "pmt-grid-kiriman"
OPEN_COLUMNS = ["nama_desa", "nama_kecamatan", "aturan", "dataset", "keterangan", "sejak"]
SENT_COLUMNS = ["waktu", "jenis", "kanal", "penerima", "hasil", "tentang", "galat"]
RECENT = 100  # send attempts shown


def open_frame(states: pd.DataFrame, regions: pd.DataFrame, w: Wilayah, lang: str) -> pd.DataFrame:
    rows = agg.in_region(agg.open_alerts(states, regions), _code(w))
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=object)
    out = pd.DataFrame(
        {
            "kode_desa": rows["kode_desa"],
            "nama_desa": rows["nama_desa"],
            "nama_kecamatan": rows["kode_kecamatan"].map(names),
            "aturan": [t(f"alert.nama.{r}", lang) for r in rows["rule"]],
            "dataset": [dataset_label(d, lang) for d in rows["dataset"]],
            "keterangan": [
                describe(r.rule, r.dataset, r.params, lang) for r in rows.itertuples(index=False)
            ],
            "sejak": pd.to_datetime(rows["sejak"], utc=True),
        }
    )
    return out


def sent_frame(sends: pd.DataFrame, regions: pd.DataFrame, w: Wilayah, lang: str) -> pd.DataFrame:
    rows = agg.recent_sends(sends, _code(w)).head(RECENT)
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=object)

    def about(key: str, kind: str) -> str:
        parts = key.split(":")
        if kind == "digest":
            where = names.get(parts[2], t("alert.ringkasan.semua", lang))
            return t("alert.panel.ringkasan", lang, minggu=parts[1], wilayah=where)
        desa = parts[1] if len(parts) > 1 else ""
        return f"{t(f'alert.nama.{parts[0]}', lang)}: {names.get(desa, desa)}"

    return pd.DataFrame(
        {
            "waktu": pd.to_datetime(rows["at"], utc=True),
            "jenis": [t(f"alert.jenis.{k}", lang) for k in rows["kind"]],
            "kanal": [t(f"alert.kanal.{c}", lang) for c in rows["channel"]],
            "penerima": [
                r if _may_see(k) else mask(r)
                for r, k in zip(rows["recipient"], rows["kode_kecamatan"], strict=True)
            ],
            "hasil": [
                t("alert.hasil.ok" if ok else "alert.hasil.gagal", lang) for ok in rows["ok"]
            ],
            "tentang": [
                about(k, kind) for k, kind in zip(rows["alert_key"], rows["kind"], strict=True)
            ],
            "galat": [
                e if _may_see(k) else None
                for e, k in zip(rows["error"], rows["kode_kecamatan"], strict=True)
            ],
        }
    )


def _may_see(kode_kecamatan: object) -> bool:
    """Whole recipients and send errors are details (issue 10's rule for raw errors): an
    admin sees every row, an operator their kecamatan's, the public neither."""
    actor = current_actor()
    if actor is None:
        return False
    if actor.is_admin:
        return True
    return isinstance(kode_kecamatan, str) and actor.covers(kode_kecamatan)


def _code(w: Wilayah) -> str | None:
    return None if not w.kode or w.tingkat == "kabupaten" else w.kode


def _defs(columns: list[str], lang: str) -> list[dict]:
    defs = []
    for col in columns:
        d: dict = {"field": col, "headerName": t(f"alert.kolom.{col}", lang), "headerTooltip": col}
        if col in ("sejak", "waktu"):
            shown = {"function": f"params.data ? params.data['{col}{TEXT_SUFFIX}'] : ''"}
            d.update(valueFormatter=shown, minWidth=180, sort="desc")
        elif col == "nama_desa":
            d.update(cellRenderer="markdown", minWidth=140)
        elif col in ("keterangan", "galat"):
            d.update(tooltipField=col, minWidth=320)
        else:
            d.update(tooltipField=col, minWidth=110)
        d["filter"] = "agTextColumnFilter"
        defs.append(d)
    return defs


def body(w: Wilayah, lang: str) -> list:
    """The section's content for region `w`: two grids (or a line when empty), each with its
    API twin (/api/v1/halaman/pemantauan/peringatan, …/kiriman)."""
    store = data_source().store
    regions = store.regions_frame()
    opened = open_frame(wa.states_frame(store), regions, w, lang)
    sent = sent_frame(wa.sends_frame(store, limit=RECENT * 5), regions, w, lang)
    failed = int((sent["hasil"] == t("alert.hasil.gagal", lang)).sum()) if not sent.empty else 0
    open_grid = (
        tables.grid(
            ID_GRID_OPEN,
            grid_rows(opened, OPEN_COLUMNS, lang),
            _defs(OPEN_COLUMNS, lang),
            lang=lang,
            height=280,
            options={"tooltipShowDelay": 300},
        )  # fmt: skip
        if not opened.empty
        else html.P(t("alert.panel.tidak_ada", lang), className="mb-2")
    )
    sent_grid = (
        tables.grid(
            ID_GRID_SENT,
            tables.row_data(sent, SENT_COLUMNS, lang),
            _defs(SENT_COLUMNS, lang),
            lang=lang,
            height=280,
            options={"tooltipShowDelay": 300},
        )  # fmt: skip
        if not sent.empty
        else html.P(t("alert.panel.belum_dikirim", lang), className="mb-2")
    )
    return [
        html.H3(
            t("alert.panel.terbuka", lang, n=format_number(len(opened), lang)), className="h6 mt-2"
        ),
        open_grid,
        api_tables.links(
            "pemantauan", "peringatan", w, lang, grid=ID_GRID_OPEN if not opened.empty else None
        ),  # fmt: skip
        html.H3(
            t(
                "alert.panel.kiriman",
                lang,
                n=format_number(len(sent), lang),
                gagal=format_number(failed, lang),
            ),
            className="h6 mt-3",
        ),
        sent_grid,
        api_tables.links(
            "pemantauan", "kiriman", w, lang, grid=ID_GRID_SENT if not sent.empty else None
        ),  # fmt: skip
    ]


# -- the API twins (machine values: codes, ISO UTC times; details as the grid shows them) ---
OPEN_API_COLUMNS = ["key", "rule", "kode_desa", "nama_desa", "kode_kecamatan", "dataset",
                    "params", "sejak"]  # fmt: skip
SENT_API_COLUMNS = ["at", "kind", "channel", "recipient", "status", "error", "alert_key",
                    "kode_kecamatan"]  # fmt: skip


def api_open(_snapshot: object, w: Wilayah, _args: object) -> tuple[str, pd.DataFrame, dict]:
    store = data_source().store
    rows = agg.in_region(agg.open_alerts(wa.states_frame(store), store.regions_frame()), _code(w))
    return f"pemantauan-peringatan_{w.kode or 'semua'}", rows[OPEN_API_COLUMNS], {}


def api_sent(_snapshot: object, w: Wilayah, _args: object) -> tuple[str, pd.DataFrame, dict]:
    store = data_source().store
    rows = agg.recent_sends(wa.sends_frame(store, limit=RECENT * 5), _code(w)).head(RECENT)
    frame = pd.DataFrame(
        {
            "at": pd.to_datetime(rows["at"], utc=True),
            "kind": rows["kind"],
            "channel": rows["channel"],
            "recipient": [
                r if _may_see(k) else mask(r)
                for r, k in zip(rows["recipient"], rows["kode_kecamatan"], strict=True)
            ],
            "status": ["ok" if ok else "failed" for ok in rows["ok"]],
            "error": [
                e if _may_see(k) else None
                for e, k in zip(rows["error"], rows["kode_kecamatan"], strict=True)
            ],
            "alert_key": rows["alert_key"],
            "kode_kecamatan": rows["kode_kecamatan"],
        }
    )
    return f"pemantauan-kiriman_{w.kode or 'semua'}", frame[SENT_API_COLUMNS], {}


def _rules_note(settings: Settings, lang: str) -> str:
    return t(
        "alert.panel.keterangan",
        lang,
        hari=format_number(settings.alert_stale_days, lang),
        kali=format_number(settings.alert_failing_runs, lang),
        tenggat=format_number(settings.alert_deadline_days, lang),
    )


def alerts_section(w: Wilayah, lang: str) -> html.Section:
    """The section as the page's layout places it."""
    try:
        content = body(w, lang)
    except Exception:  # the page stands without its alerts (e.g. a warehouse not upgraded)
        log.exception("pemantauan: alerts section failed for %s", w.kode)
        content = [html.P(t("alert.panel.tidak_terbaca", lang), className="mb-0")]
    return panel_section(
        t("alert.panel.judul", lang),
        html.Div(content, id=ID_BODY),
        note=_rules_note(_settings(), lang),
        class_name="panel mb-3",
    )


def _settings() -> Settings:
    from flask import current_app

    found = current_app.config.get(SETTINGS)
    return found if isinstance(found, Settings) else Settings()


def register_alert_callbacks(app: dash.Dash, kecamatan_id: str, desa_id: str) -> None:
    """The section follows the page's region filters."""

    @app.callback(
        Output(ID_BODY, "children"),
        Input(kecamatan_id, "value"),
        Input(desa_id, "value"),
        prevent_initial_call=True,
    )
    def update(kecamatan: str | None, desa: str | None):
        lang = language()
        try:
            snapshot = data_source().snapshot()
            return body(wilayah_from_filters(snapshot, kecamatan, desa), lang)
        except Exception:
            log.exception("pemantauan: alerts update failed for %s", desa or kecamatan)
            return no_update
