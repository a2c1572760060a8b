"""The pages' freshness lines: "data per <when>, N dari M desa" per figure (issue 8), from
aggregates.freshness, and the note naming the villages behind."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aggregates.freshness import Freshness, figure_freshness
from dashboard.data import Snapshot
from dashboard.empty_states import villages_since
from dashboard.view_cache import cached
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
        snapshot.dataset_status,
        snapshot.import_status,
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
