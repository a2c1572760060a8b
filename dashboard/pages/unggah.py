"""Unggah Data ("/unggah"): load an operator's CSV/XLSX through collectors.spreadsheet.

The file is checked whole by `import_file`; the page shows its summary and the values it
replaced or removed (an import's changes are listed with the import, not as a collection's,
issue 8), or every error with its row and column. The warehouse is written only through
`import_file`.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import date
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, dcc, html, no_update
from flask import current_app

from aggregates.changes import import_changes
from collectors.opendk_templates import template_filename, template_xlsx
from collectors.spreadsheet import ImportReport, import_file, required_columns
from collectors.upload_bounds import sent_bytes_limit
from config.datasets import BY_NAME, DATASETS, DatasetDef
from config.penyakit import DEFAULT_IDS, extra_names, known_ids
from config.registry import load_registry
from dashboard.auth import SIGN_IN_PATH, client_address, current_actor, writing_output
from dashboard.context import SETTINGS, data_source, language
from dashboard.guard import failure_alert
from i18n.catalogue import t
from i18n.format import format_number, month_abbr

log = logging.getLogger(__name__)

PATH = "/unggah"
ORDER = 7
NAME_KEY = "ung.nav"

ID_DATASET = "ung-dataset"
ID_TAHUN = "ung-tahun"
ID_BULAN = "ung-bulan"
ID_BULAN_BOX = "ung-bulan-box"
ID_SEMESTER = "ung-semester"
ID_SEMESTER_BOX = "ung-semester-box"
ID_PENYAKIT = "ung-penyakit"
ID_PENYAKIT_BOX = "ung-penyakit-box"
ID_WILAYAH = "ung-wilayah"  # the village or kecamatan of a template without its column
ID_WILAYAH_BOX = "ung-wilayah-box"
ID_KOLOM = "ung-kolom"
ID_TEMPLAT = "ung-templat"
ID_TEMPLAT_DOWNLOAD = "ung-templat-download"
ID_UPLOAD = "ung-upload"
ID_BERKAS = "ung-berkas"
ID_KIRIM = "ung-kirim"
ID_HASIL = "ung-hasil"
ID_GALAT = "ung-galat"  # the table of errors of a rejected file
ID_PERUBAHAN = "ung-perubahan"  # the table of values a loaded file replaced or removed
CHANGES_SHOWN = 200  # a page, not an export: the first ones

IMPORTABLE: tuple[DatasetDef, ...] = tuple(d for d in DATASETS if d.importable)
HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}


def layout(**_query: Any) -> html.Div:
    """The upload form; the result appears under it after "Muat data". The public sees the
    form's templates but no upload (a convenience: the import refuses them on the server)."""
    lang = language()
    actor = current_actor()
    first = IMPORTABLE[0]
    bulan, semester, penyakit = visibility(first.name)
    return html.Div(
        [
            html.H1(t("ung.judul", lang), className="h3 mb-3"),
            html.P(t("ung.pengantar", lang)),
            _who(actor, lang),
            html.Section(
                [
                    dbc.Row(
                        [
                            _field(
                                t("ung.dataset", lang),
                                dcc.Dropdown(
                                    id=ID_DATASET,
                                    options=dataset_options(lang),
                                    value=first.name,
                                    clearable=False,
                                ),
                                md=4,
                            ),
                            _field(
                                t("ung.tahun", lang),
                                dcc.Input(
                                    id=ID_TAHUN,
                                    type="number",
                                    min=2000,
                                    max=2100,
                                    step=1,
                                    value=default_year(),
                                    className="form-control",
                                ),
                                md=2,
                            ),
                            _field(
                                t("ung.bulan", lang),
                                dcc.Dropdown(
                                    id=ID_BULAN,
                                    options=[
                                        {"label": month_abbr(m, lang), "value": m}
                                        for m in range(1, 13)
                                    ],
                                    value=date.today().month,
                                    clearable=False,
                                ),
                                md=2,
                                box=ID_BULAN_BOX,
                                style=bulan,
                            ),
                            _field(
                                t("ung.semester", lang),
                                dcc.Dropdown(
                                    id=ID_SEMESTER,
                                    options=[
                                        {"label": t("ung.semester_ke", lang, n=n), "value": n}
                                        for n in (1, 2)
                                    ],
                                    value=1 if date.today().month <= 6 else 2,
                                    clearable=False,
                                ),
                                md=2,
                                box=ID_SEMESTER_BOX,
                                style=semester,
                            ),
                            _field(
                                t("ung.penyakit", lang),
                                [
                                    dcc.Dropdown(
                                        id=ID_PENYAKIT,
                                        options=disease_options(lang),
                                        value="",
                                        placeholder=t("ung.penyakit_kolom", lang),
                                    ),
                                    dbc.FormText(t("ung.penyakit_bantuan", lang)),
                                ],
                                md=4,
                                box=ID_PENYAKIT_BOX,
                                style=penyakit,
                            ),
                            _field(
                                t("ung.wilayah", lang),
                                [
                                    dcc.Dropdown(
                                        id=ID_WILAYAH,
                                        options=region_options(first.name, actor),
                                        value=None,
                                    ),
                                    dbc.FormText(t("ung.wilayah_bantuan", lang)),
                                ],
                                md=4,
                                box=ID_WILAYAH_BOX,
                                style=region_visibility(first.name),
                            ),
                        ],
                        className="g-3 mb-3",
                    ),
                    html.Div(
                        [
                            html.Span(template_note(first.name, lang), id=ID_KOLOM),
                            dbc.Button(
                                t("ung.templat", lang),
                                id=ID_TEMPLAT,
                                color="primary",
                                outline=True,
                                size="sm",
                            ),
                            dcc.Download(id=ID_TEMPLAT_DOWNLOAD),
                        ],
                        className="d-flex flex-wrap align-items-center gap-2 mb-3",
                    ),
                    html.Div(
                        [
                            html.Label(
                                t("ung.berkas", lang), htmlFor=ID_UPLOAD, className="form-label"
                            ),
                            dcc.Upload(
                                html.Div(t("ung.seret", lang)),
                                id=ID_UPLOAD,
                                accept=".csv,.xlsx,.txt,.tsv",
                                multiple=False,
                                max_size=sent_bytes_limit(),  # issue 10: bounded uploads
                                className="upload-area mb-2",
                                style={
                                    "border": "2px dashed #8a9ba8",
                                    "borderRadius": "6px",
                                    "padding": "1.5rem",
                                    "textAlign": "center",
                                    "cursor": "pointer",
                                },
                            ),
                            html.P(id=ID_BERKAS, className="small text-muted"),
                            dbc.Button(t("ung.kirim", lang), id=ID_KIRIM, color="primary"),
                        ],
                        style=SHOWN if actor is not None else HIDDEN,
                    ),
                ],
                className="panel mb-3",
            ),
            dcc.Loading(html.Div(id=ID_HASIL), type="default"),
        ]
    )


def _who(actor, lang: str) -> dbc.Alert:
    """Who may upload here: sign in first, or the signed-in account's scope."""
    if actor is None:
        return dbc.Alert(
            [t("ung.masuk_dulu", lang), " ",
             html.A(t("akun.masuk", lang), href=f"{SIGN_IN_PATH}?next={PATH}")],
            color="info", id="ung-akun",
        )  # fmt: skip
    if actor.role == "operator":
        text = t("ung.lingkup_operator", lang, kecamatan=actor.kode_kecamatan)
    else:
        text = t("ung.lingkup_admin", lang)
    return dbc.Alert(text, color="light", id="ung-akun", className="small py-2")


def _field(
    label: str, control: Any, *, md: int, box: str | None = None, style: dict | None = None
) -> dbc.Col:
    extra = {"id": box} if box else {}
    controls = control if isinstance(control, list) else [control]  # the renderer wants one list
    return dbc.Col(
        [html.Div(label, className="form-label"), *controls],
        md=md,
        style=style or SHOWN,
        **extra,
    )


def default_year() -> int:
    """The settings' year (tahun), else this year."""
    settings = current_app.config.get(SETTINGS)
    return (settings.tahun if settings is not None else 0) or date.today().year


def dataset_options(lang: str) -> list[dict]:
    return [{"label": d.judul if lang == "id" else d.title, "value": d.name} for d in IMPORTABLE]


def disease_options(lang: str) -> list[dict]:
    """The diseases a file may be for (config.penyakit: OpenDK's ids, the settings' own)."""
    settings = current_app.config.get(SETTINGS)
    setting = settings.penyakit if settings is not None else ""
    named = extra_names(setting)

    def name(kode: str) -> str:
        return t(f"kes.penyakit.{kode}", lang) if kode in DEFAULT_IDS else named[kode]

    return [{"label": f"{kode} {name(kode)}", "value": kode} for kode in known_ids(setting)]


def region_options(dataset_name: str | None, actor=None) -> list[dict]:
    """The villages (or kecamatan) one may choose for a file: the registry's; an operator's
    are its own kecamatan's only (the import checks the scope again on the server)."""
    dataset = BY_NAME.get(dataset_name or "")
    if dataset is None:
        return []
    settings = current_app.config[SETTINGS]
    villages = load_registry(settings.villages)
    scope = (
        getattr(actor, "kode_kecamatan", None) if getattr(actor, "role", "") == "operator" else None
    )
    if scope:
        villages = [v for v in villages if v.kode_kecamatan == scope]
    if dataset.level == "kecamatan":
        kec = {v.kode_kecamatan: v.nama_kecamatan for v in villages}
        return [{"label": f"{nama} ({kode})", "value": kode} for kode, nama in sorted(kec.items())]
    return [
        {"label": f"{v.nama_desa}, {v.nama_kecamatan} ({v.kode_desa})", "value": v.kode_desa}
        for v in sorted(villages, key=lambda v: v.kode_desa)
    ]


def region_visibility(dataset_name: str | None) -> dict:
    """The region choice shows for OpenDK's templates that have no column for it."""
    dataset = BY_NAME.get(dataset_name or "")
    return SHOWN if dataset is not None and not dataset.region_in_template else HIDDEN


def visibility(dataset_name: str | None) -> tuple[dict, dict, dict]:
    """Styles of the bulan, semester and penyakit_id fields for a dataset's grain and key."""
    dataset = BY_NAME.get(dataset_name or "")
    grain = (dataset.import_grain or dataset.grain) if dataset else None
    return (
        SHOWN if grain == "bulan" else HIDDEN,
        SHOWN if grain == "semester" else HIDDEN,
        SHOWN if dataset and dataset.key_column == "penyakit_id" else HIDDEN,
    )


def template_columns(dataset_name: str) -> list[str]:
    """The header row of a dataset's import template: OpenDK's own where it has one."""
    dataset = BY_NAME[dataset_name]
    return list(dataset.opendk_header) or required_columns(dataset)


def template_note(dataset_name: str | None, lang: str) -> str:
    if dataset_name not in BY_NAME:
        return ""
    return t("ung.kolom", lang, kolom=", ".join(template_columns(dataset_name)))


def decode_upload(contents: str) -> bytes:
    """The bytes of a dcc.Upload value ("data:<type>;base64,<data>")."""
    _, _, encoded = contents.partition(",")
    return base64.b64decode(encoded, validate=True)


def run_import(
    dataset_name: str,
    data: bytes,
    filename: str,
    *,
    tahun: int,
    bulan: int | None,
    semester: int | None,
    penyakit_id: str | None,
    region: str | None = None,
) -> ImportReport:
    """Load the file with the app's warehouse and village registry."""
    settings = current_app.config[SETTINGS]
    dataset = BY_NAME[dataset_name]
    grain = dataset.import_grain or dataset.grain
    # only the period field of the dataset's grain: a hidden field keeps its old value
    return import_file(
        data_source().store,
        dataset_name,
        data,
        filename,
        tahun=None if grain == "snapshot" else tahun,
        bulan=bulan if grain == "bulan" else None,
        semester=semester if grain == "semester" else None,
        villages=load_registry(settings.villages),
        region=(region or None) if not dataset.region_in_template else None,
        penyakit_ids=known_ids(settings.penyakit),
        penyakit_id=(penyakit_id or "").strip() or None
        if dataset.key_column == "penyakit_id"
        else None,
        actor=current_actor(),  # checked against every region of the file before writing
        origin=client_address(),
    )


def report_changes(report: ImportReport) -> pd.DataFrame:
    """The values a loaded file replaced or removed (aggregates.changes.import_changes)."""
    if not report.ok or report.run_id is None:
        return import_changes(pd.DataFrame(), pd.DataFrame())
    store = data_source().store
    audit = store.audit_frame("measurement", run_id=report.run_id)
    return import_changes(audit, store.regions_frame())


def _value(x: object, lang: str) -> str:
    number = float(x)  # type: ignore[arg-type]
    return format_number(number, lang, 0 if number.is_integer() else 2)


def changes_view(changes: pd.DataFrame, lang: str) -> html.Div:
    """The import's changes: how many, and a table of the first CHANGES_SHOWN."""
    if changes.empty:
        return html.P(t("ung.perubahan_kosong", lang), id=ID_PERUBAHAN, className="small")
    shown = changes.head(CHANGES_SHOWN)
    heads = ("wilayah", "periode", "butir", "ukuran", "lama", "baru")
    rows = [
        html.Tr(
            [
                html.Td(f"{r.nama_wilayah} ({r.kode_wilayah})"),
                html.Td(r.periode),
                html.Td(" ".join(str(x) for x in (r.kode, r.label) if x)),
                html.Td(r.ukuran),
                html.Td(_value(r.lama, lang), className="text-end"),
                html.Td(
                    t("ung.dihapus", lang) if pd.isna(r.baru) else _value(r.baru, lang),
                    className="text-end",
                ),  # fmt: skip
            ]
        )
        for r in shown.itertuples(index=False)
    ]
    intro = t("ung.perubahan", lang, n=format_number(len(changes), lang))
    if len(changes) > CHANGES_SHOWN:
        intro += " " + t("ung.perubahan_potong", lang, n=format_number(CHANGES_SHOWN, lang))
    return html.Div(
        [
            html.P(intro, className="small mb-1"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(t(f"ung.th.{h}", lang), scope="col") for h in heads])
                    ),
                    html.Tbody(rows),
                ],
                bordered=True,
                size="sm",
                striped=True,
            ),
        ],
        id=ID_PERUBAHAN,
    )


def report_view(report: ImportReport, lang: str, changes: pd.DataFrame | None = None) -> html.Div:
    """Success: the summary and the values the file replaced or removed. Rejection: the
    summary and one table row per error."""
    if report.ok:
        if changes is None:
            changes = report_changes(report)
        alert = dbc.Alert(
            [html.Strong(t("ung.berhasil", lang)), " ", report.summary(lang)], color="success"
        )
        return html.Div([alert, changes_view(changes, lang)])
    rows = [
        html.Tr(
            [
                html.Td(str(error.line) if error.line > 0 else "–"),
                html.Td(error.column or "–"),
                html.Td(error.text(lang)),
            ]
        )
        for error in report.errors
    ]
    return html.Div(
        [
            dbc.Alert(
                # the summary's first line ("Berkas ditolak: 3 kesalahan"); the table has the rest
                [html.Strong(t("ung.ditolak", lang)), " ", report.summary(lang).splitlines()[0]],
                color="danger",
            ),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(t("ung.th.baris", lang), scope="col"),
                                html.Th(t("ung.th.kolom", lang), scope="col"),
                                html.Th(t("ung.th.pesan", lang), scope="col"),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
                id=ID_GALAT,
                bordered=True,
                size="sm",
                striped=True,
            ),
        ]
    )


def register_callbacks(app: dash.Dash) -> None:
    writing_output(app, ID_HASIL, "unggah")  # the submit callback writes (auth's guard)

    @app.callback(
        Output(ID_BULAN_BOX, "style"),
        Output(ID_SEMESTER_BOX, "style"),
        Output(ID_PENYAKIT_BOX, "style"),
        Output(ID_KOLOM, "children"),
        Input(ID_DATASET, "value"),
        prevent_initial_call=True,  # the layout shows the first dataset's fields already
    )
    def follow_dataset(dataset_name: str | None):
        return (*visibility(dataset_name), template_note(dataset_name, language()))

    @app.callback(
        Output(ID_WILAYAH_BOX, "style"),
        Output(ID_WILAYAH, "options"),
        Output(ID_WILAYAH, "value"),
        Input(ID_DATASET, "value"),
        prevent_initial_call=True,
    )
    def follow_region(dataset_name: str | None):
        return (
            region_visibility(dataset_name),
            region_options(dataset_name, current_actor()),
            None,
        )

    @app.callback(
        Output(ID_BERKAS, "children"),
        Input(ID_UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def chosen(filename: str | None):
        return t("ung.terpilih", language(), nama=filename) if filename else ""

    @app.callback(
        Output(ID_TEMPLAT_DOWNLOAD, "data"),
        Input(ID_TEMPLAT, "n_clicks"),
        State(ID_DATASET, "value"),
        prevent_initial_call=True,
    )
    def template(_clicks: int | None, dataset_name: str | None):
        if dataset_name not in BY_NAME:
            return no_update
        # OpenDK's template as OpenDK ships it: its file name, sheet and header row
        return dcc.send_bytes(template_xlsx(dataset_name), template_filename(dataset_name))

    @app.callback(
        Output(ID_HASIL, "children"),
        Input(ID_KIRIM, "n_clicks"),
        State(ID_UPLOAD, "contents"),
        State(ID_UPLOAD, "filename"),
        State(ID_DATASET, "value"),
        State(ID_TAHUN, "value"),
        State(ID_BULAN, "value"),
        State(ID_SEMESTER, "value"),
        State(ID_PENYAKIT, "value"),
        State(ID_WILAYAH, "value"),
        prevent_initial_call=True,
    )
    def submit(
        _clicks: int | None,
        contents: str | None,
        filename: str | None,
        dataset_name: str | None,
        tahun: int | float | None,
        bulan: int | None,
        semester: int | None,
        penyakit_id: str | None,
        wilayah: str | None = None,
    ):
        lang = language()
        if dataset_name not in BY_NAME:
            return dbc.Alert(t("ung.tanpa_dataset", lang), color="warning")
        if not contents:
            return dbc.Alert(t("ung.tanpa_berkas", lang), color="warning")
        if tahun is None or float(tahun) != int(tahun):
            return dbc.Alert(t("ung.tanpa_tahun", lang), color="warning")
        try:
            data = decode_upload(contents)
        except (binascii.Error, ValueError):
            return dbc.Alert(t("ung.tanpa_berkas", lang), color="warning")
        try:
            report = run_import(
                dataset_name,
                data,
                filename or "berkas.csv",
                tahun=int(tahun),
                bulan=bulan,
                semester=semester,
                penyakit_id=penyakit_id,
                region=wilayah,
            )
        except Exception:
            log.exception("unggah: import of %s into %s failed", filename, dataset_name)
            return failure_alert(lang)
        return report_view(report, lang)
