"""How fresh one figure is: "data per <when>, N dari M desa", true for that figure (issue 8).

Pure pandas over `Warehouse.dataset_status_frame()` (collections, and pushes once they exist:
the latest attempt of each village and dataset) and `Warehouse.import_status_frame()` (the
latest import of each region, dataset and period).

A village counts (N) when the figure shows data of it and its latest arrival of that data
succeeded:

- a collected dataset: the village's latest collection attempt of each of the figure's
  datasets was ok or unchanged; its time is its latest successful collection of them. A
  village whose latest attempt failed still shows its previous data: it is *behind*, named by
  the page with the time of its last success. A file imported after the latest collection
  (APBDes realisasi) makes the village current as of that import.
- an imported dataset (only ever arrives by spreadsheet): every village with data for the
  shown periods counts; its time is its latest import of them.

The figure's time (`as_of`): for a collected dataset the *oldest* time among the villages
counted, so "data per <when>" promises that every counted village's data is at least that
fresh (one village collected again on request does not make 219 others look new); for an
imported dataset the *newest* import among them, "its last import", since a period's report
does not age and a reader wants to know whether a newer upload arrived. No village counted
but data shown (every one behind): the newest of their last successes, when the data shown
was collected.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd

from config.datasets import dataset_groups

SUCCESS = ("ok", "unchanged")


@dataclass(frozen=True)
class Freshness:
    """What a figure's freshness line says, and who is behind."""

    as_of: pd.Timestamp | None  # see the module docstring; None: nothing arrived
    current: int  # N: villages with data in the figure whose latest arrival succeeded
    expected: int  # M: villages of the region
    behind: tuple[str, ...] = ()  # data shown, but the latest collection attempt failed
    kind: str = "collection"  # or "import": how the figure's dataset arrives


def collected_datasets() -> frozenset[str]:
    """Datasets a collection pulls (the rest only ever arrive by spreadsheet)."""
    return frozenset(d for group in dataset_groups().values() for d in group)


def _stamp(value: object) -> pd.Timestamp | None:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _imports(
    import_status: pd.DataFrame | None,
    codes: Collection[str],
    datasets: Sequence[str],
    periods: Collection[str] | None,
) -> pd.Series:
    """kode → its latest import of the datasets (in `periods`), for villages in `codes`."""
    if import_status is None or import_status.empty:
        return pd.Series(dtype="datetime64[ns, UTC]")
    rows = import_status[
        import_status["dataset"].isin(list(datasets))
        & import_status["kode_wilayah"].isin(list(codes))
    ]
    if periods is not None:
        rows = rows[rows["periode"].astype(str).isin([str(p) for p in periods])]
    stamps = pd.to_datetime(rows["last_import_at"], utc=True)
    return stamps.groupby(rows["kode_wilayah"]).max()


def figure_freshness(
    dataset_status: pd.DataFrame,
    import_status: pd.DataFrame | None,
    villages: Collection[str],
    datasets: Sequence[str],
    with_data: Collection[str],
    periods: Collection[str] | None = None,
) -> Freshness:
    """The freshness of a figure of `datasets` over the region whose village codes are
    `villages` (M), showing data of the villages `with_data`; `periods`: the stored periods
    the figure shows (imports are per period; None: any)."""
    region = set(villages)
    shown = sorted(set(with_data) & region)
    collected = any(d in collected_datasets() for d in datasets)
    imported = _imports(import_status, shown, datasets, periods)
    if not collected:
        times = [imported[k] for k in shown if k in imported.index]
        if not times and shown and not dataset_status.empty:
            # values landed by a collection run (older warehouses, tests): their successes
            times = list(_collections(dataset_status, shown, datasets)["success"].dropna())
        as_of = _stamp(max(times)) if times else None
        return Freshness(as_of, len(shown), len(region), (), "import")

    # per village of `shown`, in order (vectorised: a provinsi shows thousands at once)
    per = _collections(dataset_status, shown, datasets).reindex(pd.Index(shown))
    imp = imported.reindex(pd.Index(shown)) if len(imported) else pd.Series(pd.NaT, index=shown)
    imp = pd.to_datetime(imp, utc=True)
    attempt = pd.to_datetime(per["attempt"], utc=True)
    success = pd.to_datetime(per["success"], utc=True)
    has_row = per["ok"].notna()  # a village with a collection status of these datasets
    # never collected, or a file landed after the latest collection attempt: the import
    # counts (a village with neither has data without any record of its arrival)
    has_import = pd.Series(pd.Index(shown).isin(imported.index), index=imp.index)
    by_import = ~has_row | (has_import & (attempt.isna() | (imp > attempt)))
    current = by_import | per["ok"].eq(True)
    behind = [k for k, late in zip(shown, ~current, strict=True) if late]
    current_times = imp.where(by_import, success)[current]
    known = current_times.dropna()
    behind_times = success[~current].dropna()
    if len(known):
        as_of = _stamp(known.min())
    elif len(behind_times):
        as_of = _stamp(behind_times.max())
    else:
        as_of = None
    return Freshness(as_of, len(current_times), len(region), tuple(behind), "collection")


def _collections(
    dataset_status: pd.DataFrame, codes: Collection[str], datasets: Sequence[str]
) -> pd.DataFrame:
    """Per village of `codes` with a collection status for `datasets`: attempt (the latest),
    ok (every dataset's latest attempt succeeded), success (the latest success of any)."""
    columns = ["attempt", "ok", "success"]
    if dataset_status.empty:
        return pd.DataFrame(columns=columns)
    ds = dataset_status[
        dataset_status["dataset"].isin(list(datasets))
        & dataset_status["kode_desa"].isin(list(codes))
    ]
    if ds.empty:
        return pd.DataFrame(columns=columns)
    ds = ds.assign(
        _ok=ds["last_status"].isin(SUCCESS),
        _attempt=pd.to_datetime(ds["last_attempt_at"], utc=True),
        _success=pd.to_datetime(ds["last_success_at"], utc=True),
    )
    grouped = ds.groupby("kode_desa")
    out = pd.DataFrame(
        {
            "attempt": grouped["_attempt"].max(),
            "ok": grouped["_ok"].all(),
            "success": grouped["_success"].max(),
        }
    )
    return out
