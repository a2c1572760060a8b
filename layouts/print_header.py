"""The print header of every page (issue 13): rendered in the app's shell, shown only in print
(assets/print.css); assets/print.js fills in the page, its region and choices, its freshness
line and the print date."""

from __future__ import annotations

from dash import html

from i18n.catalogue import DEFAULT_LANGUAGE, raw_text, t

ID_CETAK_KEPALA = "cetak-kepala"


def print_header(lang: str = DEFAULT_LANGUAGE, timezone: str = "Asia/Jakarta") -> html.Div:
    """An empty header whose lines print.js fills; the texts it needs come in `lang`."""
    marker = raw_text("segar.catatan", lang).split("{")[0].strip()  # "data per", "data as of"
    return html.Div(
        [
            html.Div(className="cetak-judul"),
            html.Div(className="cetak-pilihan"),
            html.Div(className="cetak-segar"),
            html.Div(className="cetak-waktu"),
        ],
        id=ID_CETAK_KEPALA,
        className="cetak-kepala",
        **{
            "data-dicetak": t("laporan.dicetak", lang, waktu="").strip(),
            "data-zona": timezone,
            "data-penanda": marker,
        },
    )
