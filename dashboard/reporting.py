"""Who has reported, for a view: a region's totals, its villages with and without data and
their last successful collections, from aggregates.reporting, cached per run."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aggregates import reporting
from aggregates.status import last_success
from dashboard.data import Snapshot
from dashboard.regions import Wilayah
from dashboard.view_cache import cached


def totals_desa(snapshot: Snapshot) -> pd.DataFrame:
    """The population totals of every village (one rollup per run)."""
    return cached(snapshot, ("totals", "desa"), lambda: snapshot.totals("desa"))


def totals_of(snapshot: Snapshot, w: Wilayah) -> dict | None:
    """The region's totals row (penduduk, laki_laki, …, desa_melapor), or None without data."""
    if w.kode is None:
        return None
    # one rollup per level serves every region of that level
    frame = cached(snapshot, ("totals", w.tingkat), lambda: snapshot.totals(w.tingkat))
    rows = frame[frame["kode_wilayah"] == w.kode]
    return None if rows.empty else rows.iloc[0].to_dict()


def villages_in(snapshot: Snapshot, kode: str | None) -> int:
    """How many villages the registry lists under a region."""
    return reporting.villages_in(snapshot.regions, kode)


def reporting_counts(snapshot: Snapshot, w: Wilayah) -> tuple[int, int]:
    """(villages with data, villages listed) in the region."""
    totals = totals_of(snapshot, w)
    reported = int(totals["desa_melapor"]) if totals else 0
    return reported, villages_in(snapshot, w.kode)


def unreported_villages(snapshot: Snapshot, w: Wilayah) -> list[str]:
    """Codes of the region's villages without population totals, by name."""
    if snapshot.regions.empty or w.kode is None:
        return []
    return reporting.unreported_villages(snapshot.regions, totals_desa(snapshot), w.kode,
                                         w.tingkat)  # fmt: skip


def region_names(snapshot: Snapshot) -> pd.Series:
    """Every region's name by code, once per run."""
    return cached(snapshot, ("region_names",), lambda: snapshot.regions.set_index("kode")["nama"])


def named_since(
    snapshot: Snapshot, codes: Sequence[str], datasets: Sequence[str] | None, limit: int
) -> list[tuple[str, object]]:
    """(name, last successful collection or None) of the first `limit` of `codes`;
    `datasets`: only those count (all when None). An import is no collection: it never makes
    a failing village look fresh (issue 8)."""
    seen = cached(
        snapshot,
        ("last_success", tuple(datasets) if datasets is not None else None),
        lambda: last_success(snapshot.dataset_status, datasets),
    )
    return reporting.named_since(codes, region_names(snapshot), seen, limit)
