"""OpenDK's monthly APBDes in our account tree: a month's leaves rolled up to every parent.

OpenDK's template lists leaf accounts only (`412-01`) and keeps each (village, month, account)
until another file names it again; a second file for the same month adds its accounts to the
first's. So a file replaces the accounts it names (and whatever lay under them) and keeps the
month's others; every parent account (4.1.2, 4.1, 4) is then the sum of the leaves under it,
so a leaf-only file still gives the group totals the finance pages read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from config.opendk_coa import PARENT_NAMES, ancestors
from warehouse.values import MeasurementRow

__all__ = ["complete_month", "roll_up"]


def _leaves(codes: set[str]) -> set[str]:
    parents = {a for c in codes for a in ancestors(c)}
    return codes - parents


def roll_up(leaves: Mapping[str, tuple[str, float]], periode: str, ukuran: str = "anggaran",
            labels: Mapping[str, str] | None = None) -> list[MeasurementRow]:  # fmt: skip
    """Leaves {code: (label, amount)} and every parent as the sum of the leaves under it."""
    totals: dict[str, float] = {}
    for code, (_, amount) in leaves.items():
        for parent in ancestors(code):
            totals[parent] = totals.get(parent, 0.0) + amount
    named = labels or {}
    rows = [
        MeasurementRow(ukuran, amount + 0.0, kode=code, label=label, periode=periode)
        for code, (label, amount) in leaves.items()
    ]
    rows += [
        MeasurementRow(ukuran, total + 0.0, kode=code,
                       label=named.get(code) or PARENT_NAMES.get(code, ""), periode=periode)
        for code, total in totals.items()
    ]  # fmt: skip
    return rows


def complete_month(region: str, rows: Sequence[MeasurementRow], stored: Mapping) -> list:
    """The month's whole tree after a file: its leaves, the stored leaves it does not name
    (nor lies above or below), and every parent rolled up. `stored` are the stored values in
    the import's scope (this region, month and measure)."""
    if not rows:
        return list(rows)
    periode, ukuran = rows[0].periode, rows[0].ukuran
    given = {r.kode: r for r in rows}
    leaves = {c: (given[c].label, float(given[c].nilai or 0.0)) for c in _leaves(set(given))}
    old = {r.kode: r for r in stored.values()}
    labels = {c: r.label for c, r in old.items() if r.label}
    labels.update({c: r.label for c, r in given.items() if r.label})
    for code in _leaves(set(old)):
        above = ancestors(code)
        if code in given or any(a in given for a in above):
            continue  # the file names this account or one above it: the file's figure holds
        if any(code in ancestors(g) for g in given):
            continue  # the file splits this account into finer ones
        leaves[code] = (old[code].label, float(old[code].nilai or 0.0))
    return roll_up(leaves, periode, ukuran, labels)
