"""Notices a page shows above its content: a region code the dashboard does not know, a page
that could not be built."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from i18n.catalogue import t


def unknown_region_notice(kode: str, wilayah: str, lang: str) -> dbc.Alert:
    """ "Kode wilayah 99 tidak dikenal; ditampilkan seluruh <kabupaten>."."""
    return dbc.Alert(t("filter.wilayah_tidak_dikenal", lang, kode=kode, wilayah=wilayah),
                     color="warning")  # fmt: skip


def failure_alert(lang: str) -> dbc.Alert:
    """What a page shows when building it failed (the traceback goes to the server log)."""
    return dbc.Alert(
        [html.Strong(t("galat.judul", lang)), " ", t("galat.teks", lang)], color="danger"
    )
