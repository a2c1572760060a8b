"""The wording of empty states: why a region or period shows nothing, which villages have not
reported and since when (aggregates.reporting counts them; dashboard.empty_states joins the
two for a view)."""

from __future__ import annotations

from collections.abc import Sequence

from i18n.catalogue import t
from i18n.format import format_date, name_list


def villages_since(
    items: Sequence[tuple[str, object]], lang: str, limit: int = 12, total: int | None = None
) -> str:
    """ "Meok (terakhir berhasil 3 Okt 2026 07.15 WIB), Apoho (belum pernah)": (name, last
    success or None) each; `total`: how many villages there are in all."""
    shown = []
    for name, when in items:
        since = (
            t("kosong.sejak", lang, tanggal=format_date(when, lang))
            if when is not None
            else t("kosong.belum_pernah", lang)
        )
        shown.append(f"{name} ({since})")
    return name_list(shown, limit, total=len(items) if total is None else total)


def empty_text(
    *,
    expected: int,
    reported: int,
    collected: bool,
    wilayah: str,
    lang: str,
    statistik: str | None = None,
) -> str:
    """Why there is nothing to show: no villages, no collection yet, or how many of the
    `expected` villages of `wilayah` (its display name) have not reported."""
    if expected == 0:
        return t("kosong.tanpa_desa", lang)
    if not collected:  # imports alone are no collection
        return t("kosong.belum_pengumpulan", lang, m=expected)
    belum = expected - reported
    if statistik and belum == 0:  # every village reported, but not this statistic
        return t("kosong.statistik_saja", lang, statistik=statistik, wilayah=wilayah)
    if statistik:
        return t(
            "kosong.statistik", lang, statistik=statistik, wilayah=wilayah, belum=belum, m=expected
        )
    return t("kosong.wilayah", lang, wilayah=wilayah, belum=belum, m=expected)


def not_reported_text(daftar: str, lang: str) -> str:
    """ "Belum melapor: <villages (since when)>."."""
    return t("kosong.daftar", lang, daftar=daftar)
