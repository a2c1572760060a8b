"""Who has reported: the villages of a region, those without population totals, and when each
last succeeded (the figures behind every empty state and "not reported" note)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd


def villages_under(regions: pd.DataFrame, kode: str | None) -> pd.DataFrame:
    """The registry's villages (desa rows of `regions`) under a region; all for None."""
    if regions.empty:
        return regions
    desa = regions[regions["tingkat"] == "desa"]
    if desa.empty or not kode:
        return desa
    return desa[(desa["kode"] == kode) | desa["kode"].str.startswith(kode + ".")]


def villages_in(regions: pd.DataFrame, kode: str | None) -> int:
    """How many villages the registry lists under a region."""
    return len(villages_under(regions, kode))


def unreported_villages(
    regions: pd.DataFrame, totals_desa: pd.DataFrame, kode: str | None, tingkat: str
) -> list[str]:
    """Codes of the region's villages without population totals (`totals_desa`: the totals per
    desa, with desa_melapor), by name."""
    if regions.empty or kode is None:
        return []
    # a kabupaten may be one of a province's (issue 12): always scope by its code
    desa = villages_under(regions, kode)
    if desa.empty:
        return []
    reported = set(totals_desa.loc[totals_desa["desa_melapor"] > 0, "kode_wilayah"])
    missing = desa[~desa["kode"].isin(reported)].sort_values("nama")
    return [str(k) for k in missing["kode"]]


def named_since(
    codes: Sequence[str], names: Mapping[str, object], last: Mapping[str, object], limit: int
) -> list[tuple[str, object]]:
    """(name, last successful collection or None) of the first `limit` villages of `codes`."""
    items = []
    for kode in codes[:limit]:  # only the villages shown are looked up
        when = last.get(kode)
        items.append((str(names.get(kode, kode)), None if when is None or pd.isna(when) else when))
    return items
