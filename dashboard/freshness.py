"""The pages' freshness lines: "data per <when>, N dari M desa" per figure (issue 8), from
aggregates.freshness, and the note naming the villages behind."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd

from aggregates.freshness import Freshness, figure_freshness
from dashboard.data import Snapshot
from dashboard.empty_states import villages_since
from dashboard.view_cache import cached, cached_if_app
from i18n.catalogue import t
from i18n.format import format_number
from layouts.figures import freshness_note


def region_villages(snapshot: Snapshot, kode: str | None) -> tuple[str, ...]:
    """The registry's village codes under a region (all of them for None), once per run."""

    def compute() -> tuple[str, ...]:
        regions = snapshot.regions
        if regions.empty:
            return ()
        codes = regions.loc[regions["tingkat"] == "desa", "kode"].astype(str)
        if kode:
            codes = codes[(codes == kode) | codes.str.startswith(kode + ".")]
        return tuple(sorted(codes))

    return cached(snapshot, ("region_villages", kode), compute)


def of_datasets(snapshot: Snapshot, frame: str, datasets: Sequence[str]) -> pd.DataFrame:
    """The rows of the snapshot's `dataset_status` or `import_status` for `datasets`: split
    by dataset once per run, so a figure's freshness filters its own rows, not every
    village's every dataset (~26 a village; a provinsi's are 200,000 rows)."""
    table: pd.DataFrame = getattr(snapshot, frame)
    if table is None or table.empty or "dataset" not in table:
        return table
    parts = cached_if_app(
        snapshot, ("by_dataset", frame), lambda: dict(tuple(table.groupby("dataset", sort=False)))
    )
    found = [parts[d] for d in dict.fromkeys(datasets) if d in parts]
    return pd.concat(found) if found else table.iloc[0:0]


def freshness_of(
    snapshot: Snapshot,
    kode: str | None,
    datasets: Sequence[str],
    with_data: Collection[str],
    periods: Collection[str] | None = None,
) -> Freshness:
    """A figure's freshness: `datasets` over the region `kode`, showing data of the villages
    `with_data`, for the stored `periods` (None: any)."""
    return figure_freshness(
        of_datasets(snapshot, "dataset_status", datasets),
        of_datasets(snapshot, "import_status", datasets),
        region_villages(snapshot, kode),
        list(datasets),
        with_data,
        periods,
    )


def note(f: Freshness, lang: str) -> str:
    """ "data per 3 Des 2026 01.00 WIB, 214 dari 220 desa" (or that nothing arrived yet)."""
    if f.as_of is None and f.current:
        # data whose arrival left no record (a warehouse older than that record): no date
        n, m = format_number(f.current, lang), format_number(f.expected, lang)
        return t("segar.catatan_tanpa_waktu", lang, n=n, m=m)
    return freshness_note(f.as_of, f.current, f.expected, lang)


def behind_note(snapshot: Snapshot, f: Freshness, datasets: Sequence[str], lang: str) -> str:
    """ "Data 2 desa bukan yang terbaru, …: Meok (terakhir berhasil …), …" or ""."""
    if not f.behind:
        return ""
    names = cached(snapshot, ("region_names",), lambda: snapshot.regions.set_index("kode")["nama"])
    codes = sorted(f.behind, key=lambda k: (str(names.get(k, k)), k))
    daftar = villages_since(snapshot, codes, lang, datasets=list(datasets))
    return t("segar.tertinggal", lang, n=len(codes), daftar=daftar)
