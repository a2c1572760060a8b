"""Kesehatan ("/kesehatan"): AKI & AKB, imunisasi, epidemi penyakit, toilet & sanitasi per
month, quarter or year; a trend chart, a per-village (or per-kecamatan) chart, the grid
(built on the spreadsheet pages' scaffolding, `dashboard.scaffold.periods`)."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from aggregates import health_education as he
from dashboard.scaffold.periods import Spec, build_layout, register, spec_tables

SPEC = Spec(
    prefix="kes",
    page="kesehatan",
    datasets=he.HEALTH,
    grains=he.GRAINS["bulan"],
    series={
        "aki-akb": ("jumlah_aki", "jumlah_akb"),
        "imunisasi": ("cakupan_imunisasi",),
        "epidemi-penyakit": (),  # one per disease present (penyakit_<id>)
        "toilet-sanitasi": ("toilet", "sanitasi"),
    },
    stacked=frozenset({"epidemi-penyakit"}),
)
PATH = "/kesehatan"
ORDER = 4.5  # after bantuan (4), before unduh (5)
NAME_KEY = "kes.nav"
FILTER = SPEC.filter
ID_KECAMATAN, ID_DESA = FILTER.kecamatan, FILTER.desa
ID_DATA, ID_SKALA, ID_PERIODE = SPEC.id("data"), SPEC.id("skala"), SPEC.id("periode")
ID_JUDUL, ID_PESAN = SPEC.id("judul"), SPEC.id("pesan")
ID_TREN, ID_WILAYAH = SPEC.id("tren"), SPEC.id("per-wilayah")
ID_TABEL_JUDUL, ID_GRID = SPEC.id("tabel-judul"), SPEC.id("grid")
ID_UNDUH, ID_DOWNLOAD = SPEC.id("unduh"), SPEC.id("download")


TABLES = spec_tables(SPEC)


def layout(**query: Any) -> html.Div:
    return build_layout(SPEC, query)


def register_callbacks(app: dash.Dash) -> None:
    register(app, SPEC)
