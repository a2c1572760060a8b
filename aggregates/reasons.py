"""Why villages fail, as data: the latest failure of each village and since when it fails
(pure pandas; the pages render the reasons in their language, i18n/reasons.py).

A village's reason is that of its most recent failed dataset (ties: the first dataset in the
frame's order); the others are counted, and the village profile lists them all. The reason is
three columns everywhere: `galat_terakhir` the original English text (for operators),
`alasan_kode` its code and `alasan_param` its values as JSON text (issue 8).
"""

from __future__ import annotations

import pandas as pd

REASON_COLUMNS = ["galat_terakhir", "alasan_kode", "alasan_param"]
FAILURE_COLUMNS = ["dataset", *REASON_COLUMNS, "dataset_gagal"]


def _failed(dataset_status: pd.DataFrame) -> pd.DataFrame:
    if dataset_status.empty or "last_status" not in dataset_status:
        return dataset_status.iloc[0:0]
    return dataset_status[dataset_status["last_status"] == "failed"]


def latest_failures(dataset_status: pd.DataFrame) -> pd.DataFrame:
    """Per village (index kode_desa) with a failed dataset in its latest attempt: that
    dataset, its reason (REASON_COLUMNS) and how many datasets failed (`dataset_gagal`)."""
    failed = _failed(dataset_status)
    if failed.empty:
        return pd.DataFrame(columns=FAILURE_COLUMNS, index=pd.Index([], name="kode_desa"))
    ordered = failed.sort_values("last_attempt_at", ascending=False, kind="stable")
    first = ordered.groupby("kode_desa", sort=True).first()
    out = pd.DataFrame(index=first.index)
    out["dataset"] = first["dataset"]
    out["galat_terakhir"] = first["last_error"]
    out["alasan_kode"] = first["last_error_code"] if "last_error_code" in first else None
    out["alasan_param"] = first["last_error_params"] if "last_error_params" in first else None
    out["dataset_gagal"] = failed.groupby("kode_desa").size().astype(int)
    return out[FAILURE_COLUMNS]


def failing_since(fetch_log: pd.DataFrame, dataset_status: pd.DataFrame) -> pd.Timestamp | None:
    """Since when one village fails: the first failed fetch, after that dataset's last
    success, of the datasets failing now (the earliest of them); None when nothing fails.

    `fetch_log`: the village's collection fetches (fetch_log of collection and push runs);
    `dataset_status`: the village's rows. A failure older than the log kept counts from the
    oldest failure in it.
    """
    failed = _failed(dataset_status)
    if failed.empty:
        return None
    log = fetch_log
    if log.empty:
        stamps = pd.to_datetime(failed["last_error_at"], utc=True).dropna()
        return stamps.min() if not stamps.empty else None
    fetched = pd.to_datetime(log["fetched_at"], utc=True)
    starts = []
    for row in failed.itertuples(index=False):
        mine = log["dataset"] == row.dataset
        since = pd.to_datetime(row.last_success_at, utc=True)
        if not pd.isna(since):
            mine &= fetched > since
        first = fetched[mine & (log["status"] == "failed")].min()
        if pd.isna(first):
            first = pd.to_datetime(row.last_error_at, utc=True)
        if not pd.isna(first):
            starts.append(first)
    return min(starts) if starts else None
