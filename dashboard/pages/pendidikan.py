"""Pendidikan ("/pendidikan"): tingkat pendidikan (shares by level), partisipasi sekolah
(siswa vs anak usia sekolah per jenjang: PAUD, SD, SMP, SMA) and fasilitas PAUD per semester
or year; built on the spreadsheet pages' scaffolding (`dashboard.scaffold.periods`)."""

from __future__ import annotations

from typing import Any

import dash
from dash import html

from aggregates import health_education as he
from dashboard.scaffold.periods import Spec, build_layout, register, spec_tables

SPEC = Spec(
    prefix="pdk",
    page="pendidikan",
    datasets=he.EDUCATION,
    grains=he.GRAINS["semester"],
    series={
        "tingkat-pendidikan": tuple(
            f"persen_{m}"
            for m in ("tidak_tamat_sekolah", "tamat_sd", "tamat_smp", "tamat_sma",
                      "tamat_diploma_sederajat")
        ),
        "putus-sekolah": tuple(f"partisipasi_{lvl}" for lvl in he.LEVELS),
        "fasilitas-paud": ("jumlah_paud", "jumlah_guru_paud", "jumlah_siswa_paud"),
    },
    stacked=frozenset({"tingkat-pendidikan"}),
)  # fmt: skip
PATH = "/pendidikan"
ORDER = 4.6
NAME_KEY = "pdk.nav"
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
