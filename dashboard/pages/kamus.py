"""Kamus Data ("/kamus"): the data dictionary, from the same table /api/v1/kamus serves."""

from __future__ import annotations

import logging
from typing import Any

import dash
import pandas as pd
from dash import dcc, html

from dashboard import api_resources, api_tables
from dashboard.context import data_source, language
from dashboard.guard import failure_alert, guarded
from dashboard.view_cache import cached
from i18n.catalogue import t

log = logging.getLogger(__name__)

PATH = "/kamus"
ORDER = 6
NAME_KEY = "kamus.nav"

ID_KOLOM = "kamus-kolom"
ID_STATISTIK = "kamus-statistik"
ID_DATASET = "kamus-dataset"
ID_HALAMAN = "kamus-halaman"  # the page tables' API twins (issue 4)
ID_ALASAN = "kamus-alasan"  # the failure reasons' codes (alasan_kode, issue 8)
ID_LINK_CSV = "kamus-link-csv"
ID_LINK_JSON = "kamus-link-json"


def layout(**_query: Any) -> html.Div:
    lang = language()
    return guarded(__name__, lambda: _layout(lang), lambda: _page([failure_alert(lang)], lang))


def _layout(lang: str) -> html.Div:
    snapshot = data_source().snapshot()

    # the dictionary changes only with a run (code lists come from the data): once per language
    def build() -> html.Div:
        return _page(sections(api_resources.answer("kamus", {}).table, lang), lang)

    return cached(snapshot, ("kamus-halaman", lang), build)


def _page(body: list, lang: str) -> html.Div:
    return html.Div(
        [
            html.H1(t("kamus.judul", lang), className="h3 mb-2"),
            html.P(
                [
                    t("kamus.pengantar", lang),
                    " ",
                    html.A(
                        "JSON",
                        id=ID_LINK_JSON,
                        href=api_resources.api_url("kamus", {}),
                        rel="alternate",
                    ),
                    " · ",
                    html.A(
                        "CSV",
                        id=ID_LINK_CSV,
                        href=api_resources.api_url("kamus", {}, "csv"),
                        rel="alternate",
                    ),
                    " · ",
                    dcc.Link(t("unduh.judul", lang), href="/unduh"),
                ]  # fmt: skip
            ),
            # the one rule of which value holds (README: "Where a value comes from")
            html.P(t("kamus.aturan_sumber", lang), id="kamus-aturan-sumber", className="small"),
            *body,
        ]
    )


def _table(head: list[str], rows: list[list[Any]]) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody([html.Tr([html.Td(_text(c)) for c in row]) for row in rows]),
        ],
        className="table table-sm table-striped align-middle mb-3",
    )


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return value if not isinstance(value, str | int | float) else str(value)


def sections(kamus: pd.DataFrame, lang: str) -> list:
    """Three parts: the columns of each table, the statistics with their code lists, and the
    datasets with their measures and periods."""
    desc = "deskripsi_id" if lang == "id" else "deskripsi_en"
    part = {b: kamus[kamus["bagian"] == b] for b in kamus["bagian"].unique()}
    empty = kamus.iloc[0:0]
    kolom = [html.H2(t("kamus.bagian_kolom", lang), className="h4 mt-3")]
    for tabel, rows in part.get("kolom", empty).groupby("tabel", sort=False):
        kolom.append(html.H3(t(f"kamus.tabel.{tabel}", lang), className="h6 mt-3"))
        kolom.append(
            _table(
                [
                    t("kamus.th.kolom", lang),
                    t("kamus.th.tipe", lang),
                    t("kamus.th.deskripsi", lang),
                ],
                [[html.Code(r["nama"]), r["tipe"], r[desc]] for _, r in rows.iterrows()],
            )
        )
    codes = part.get("kode", empty)
    statistik = [html.H2(t("kamus.bagian_statistik", lang), className="h4 mt-4")]
    for _, stat in part.get("statistik", empty).iterrows():
        own = codes[codes["tabel"] == stat["tabel"]]
        statistik.append(
            html.Details(
                [
                    html.Summary([html.Code(stat["nama"]), " ", stat[desc]]),
                    _table(
                        [
                            t("kamus.th.kode", lang),
                            t("kamus.th.label", lang),
                            t("kamus.th.deskripsi", lang),
                        ],
                        [
                            [html.Code(_text(r["kode"])), r["label"], r[desc]]
                            for _, r in own.iterrows()
                        ],
                    ),  # fmt: skip
                ],
                className="mb-2",
            )
        )
    measures = part.get("ukuran", empty)
    periods = part.get("periode", empty)
    dataset_rows = []
    for _, ds in part.get("dataset", empty).iterrows():
        own = measures[measures["tabel"] == ds["tabel"]]
        found = periods.loc[periods["tabel"] == ds["tabel"], "kode"].tolist()
        dataset_rows.append(
            [
                html.Code(ds["nama"]),
                ds[desc],
                html.Ul([html.Li(html.Code(m)) for m in own["nama"]], className="mb-0"),
                ", ".join(found) if found else t("kamus.tanpa_periode", lang),
            ]
        )
    dataset = [
        html.H2(t("kamus.bagian_dataset", lang), className="h4 mt-4"),
        _table(
            [
                t("kamus.th.kolom", lang),
                t("kamus.th.deskripsi", lang),
                t("kamus.th.ukuran", lang),
                t("kamus.th.periode", lang),
            ],
            dataset_rows,
        ),  # fmt: skip
    ]
    reasons = codes[codes["tabel"] == "alasan"]
    alasan = [
        html.H2(t("kamus.bagian_alasan", lang), className="h4 mt-4"),
        html.P(t("kamus.alasan_pengantar", lang)),
        html.Details(
            [
                html.Summary(t("kamus.alasan_daftar", lang, n=len(reasons))),
                _table(
                    [t("kamus.th.kode", lang), t("kamus.th.deskripsi", lang)],
                    [[html.Code(_text(r["kode"])), r[desc]] for _, r in reasons.iterrows()],
                ),
            ]
        ),
    ]
    return [
        html.Section(kolom, id=ID_KOLOM, className="panel"),
        html.Section(page_tables_section(lang), id=ID_HALAMAN, className="panel"),
        html.Section(statistik, id=ID_STATISTIK, className="panel"),
        html.Section(dataset, id=ID_DATASET, className="panel"),
        html.Section(alasan, id=ID_ALASAN, className="panel"),
    ]


def page_tables_section(lang: str) -> list:
    """/api/v1/halaman/<halaman>/<tabel>: every page grid's twin and the filters it takes."""
    rows = []
    for page, module in api_tables.page_modules().items():
        name = t(module.NAME_KEY, lang)  # type: ignore[attr-defined]
        for table in module.TABLES:  # type: ignore[attr-defined]
            params = ", ".join(api_tables.accepted_params(page, table))
            rows.append([html.Code(api_tables.page_path(page, table)), name, html.Code(params)])
    head = [t("kamus.th.alamat", lang), t("kamus.th.halaman", lang), t("kamus.th.parameter", lang)]
    return [
        html.H2(t("kamus.bagian_halaman", lang), className="h4 mt-3"),
        html.P(t("kamus.halaman_pengantar", lang)),
        _table(head, rows),
    ]


def register_callbacks(app: dash.Dash) -> None:
    """A static page: nothing to update in the browser."""
