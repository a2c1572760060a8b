"""The empty states of a view: why a region shows nothing and which villages have not
reported since when, counted by dashboard.reporting and worded by layouts.empty_states."""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.data import Snapshot
from dashboard.regions import Wilayah, display_name
from dashboard.reporting import named_since, reporting_counts, unreported_villages
from layouts import empty_states


def villages_since(
    snapshot: Snapshot,
    codes: Sequence[str],
    lang: str,
    datasets: Sequence[str] | None = None,
    limit: int = 12,
) -> str:
    """Villages by name with their last successful collection: "Meok (terakhir berhasil 3 Okt
    2026 07.15 WIB), Apoho (belum pernah)"; `datasets`: only those count (all when None)."""
    items = named_since(snapshot, codes, datasets, limit)
    return empty_states.villages_since(items, lang, limit, total=len(codes))


def not_reported_note(snapshot: Snapshot, w: Wilayah, lang: str) -> str:
    """ "Belum melapor: <villages (since when)>." for the region, or "" when all did."""
    codes = unreported_villages(snapshot, w)
    if not codes:
        return ""
    return empty_states.not_reported_text(villages_since(snapshot, codes, lang), lang)


def empty_message(
    snapshot: Snapshot,
    w: Wilayah,
    lang: str,
    statistik: str | None = None,
    *,
    names: bool = True,
) -> str:
    """Why there is nothing to show: how many villages have not reported and (with `names`;
    not inside a chart, where a long line does not fit) which, since when."""
    reported, expected = reporting_counts(snapshot, w)
    collected = expected == 0 or snapshot.last_run()["run_id"] is not None
    text = empty_states.empty_text(
        expected=expected,
        reported=reported,
        collected=collected,
        wilayah=display_name(w, lang) if expected and collected else "",
        lang=lang,
        statistik=statistik,
    )
    counted = expected and collected and not (statistik and expected == reported)
    return text + (" " + not_reported_note(snapshot, w, lang) if names and counted else "")
