"""Reporting status: which villages reported, when, and why the others did not."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aggregates.reasons import REASON_COLUMNS, latest_failures
from config.statistik import TOTALS_DATASET
from warehouse.models import VILLAGE_RUN_KINDS

VILLAGE_STATUS_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "nama_kecamatan",
    "penduduk",
    "laki_laki",
    "perempuan",
    "keluarga",
    "status_terakhir",
    "terakhir_berhasil",
    "galat_terakhir",
    "alasan_kode",
    "alasan_param",
    "dataset_gagal",
]


def last_success(dataset_status: pd.DataFrame, datasets: Sequence[str] | None = None) -> pd.Series:
    """kode_desa → the newest successful collection (UTC) of any of `datasets` (all when None);
    villages never collected are absent."""
    if dataset_status.empty:
        return pd.Series(dtype="datetime64[ns, UTC]")
    ds = dataset_status
    if datasets is not None:
        ds = ds[ds["dataset"].isin(list(datasets))]
    stamps = pd.to_datetime(ds["last_success_at"], utc=True)
    return stamps.groupby(ds["kode_desa"]).max().dropna()


def last_run_summary(runs: pd.DataFrame) -> dict:
    """Counts of the newest completed collection (or push) run (ok, unchanged, failed,
    total), or zeros: an import is never "the last collection" (issue 8)."""
    done = runs[runs["status"] == "completed"] if not runs.empty else runs
    if "kind" in done:
        done = done[done["kind"].isin(VILLAGE_RUN_KINDS)]
    if done.empty:
        return {
            "run_id": None,
            "ok": 0,
            "unchanged": 0,
            "failed": 0,
            "total": 0,
            "finished_at": None,
        }
    last = done.sort_values("id").iloc[-1]
    return {
        "run_id": int(last["id"]),
        "ok": int(last["villages_ok"]),
        "unchanged": int(last["villages_unchanged"]),
        "failed": int(last["villages_failed"]),
        "total": int(last["villages_total"]),
        "finished_at": last["finished_at"],
    }


def village_status(
    regions: pd.DataFrame, totals: pd.DataFrame, dataset_status: pd.DataFrame, kode: str | None
) -> pd.DataFrame:
    """Per village: its totals, the last attempt's status, last success, and the reason of
    its latest failure (aggregates.reasons: original text, code, values) with the number of
    datasets that failed."""
    desa = regions[regions["tingkat"] == "desa"][["kode", "nama", "induk"]]
    if kode:
        desa = desa[(desa["kode"] == kode) | desa["kode"].str.startswith(kode + ".")]
    kec = regions[regions["tingkat"] == "kecamatan"].set_index("kode")["nama"]
    out = desa.rename(columns={"kode": "kode_desa", "nama": "nama_desa", "induk": "kode_kecamatan"})
    out["nama_kecamatan"] = out["kode_kecamatan"].map(kec)
    t = totals.rename(columns={"kode_wilayah": "kode_desa"})[
        ["kode_desa", "penduduk", "laki_laki", "perempuan", "keluarga"]
    ]
    out = out.merge(t, on="kode_desa", how="left")
    if dataset_status.empty:
        st = pd.DataFrame(
            columns=["kode_desa", "status_terakhir", "terakhir_berhasil", *REASON_COLUMNS,
                     "dataset_gagal"]
        )  # fmt: skip
    else:
        # a village's status: its worst dataset in the latest attempt; success = the totals dataset
        ds = dataset_status.copy()
        ds["_failed"] = ds["last_status"] == "failed"
        ds["_ok"] = ds["last_status"] == "ok"
        # vectorised: a provinsi has thousands of villages (a lambda per group took seconds)
        worst = ds.groupby("kode_desa").agg(_failed=("_failed", "any"), _ok=("_ok", "any"))
        worst["status_terakhir"] = np.where(
            worst["_failed"], "failed", np.where(worst["_ok"], "ok", "unchanged")
        )
        tot = ds[ds["dataset"] == TOTALS_DATASET].set_index("kode_desa")
        # one reason per village, whole (the latest failure; the profile lists every one)
        failures = latest_failures(dataset_status)
        st = worst[["status_terakhir"]].copy()
        st["terakhir_berhasil"] = tot["last_success_at"].reindex(st.index)
        for col in (*REASON_COLUMNS, "dataset_gagal"):
            st[col] = failures[col].reindex(st.index)
        st = st.reset_index()
    out = out.merge(st, on="kode_desa", how="left")
    out["status_terakhir"] = out["status_terakhir"].fillna("never")
    out["dataset_gagal"] = pd.to_numeric(out["dataset_gagal"]).fillna(0).astype(int)
    return out[VILLAGE_STATUS_COLUMNS].sort_values("kode_desa").reset_index(drop=True)


DATASET_STATUS_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "nama_kecamatan",
    "dataset",
    "last_status",
    "last_success_at",
    "last_attempt_at",
    "last_error",
]


def dataset_status_long(
    regions: pd.DataFrame, dataset_status: pd.DataFrame, kode: str | None = None
) -> pd.DataFrame:
    """Village × dataset: last attempt's status, last success and last error; villages that
    never reported anything appear once with dataset None and status 'never'."""
    desa = regions[regions["tingkat"] == "desa"][["kode", "nama", "induk"]]
    if kode:
        desa = desa[(desa["kode"] == kode) | desa["kode"].str.startswith(kode + ".")]
    kec = regions[regions["tingkat"] == "kecamatan"].set_index("kode")["nama"]
    desa = desa.rename(
        columns={"kode": "kode_desa", "nama": "nama_desa", "induk": "kode_kecamatan"}
    )
    desa["nama_kecamatan"] = desa["kode_kecamatan"].map(kec)
    cols = [
        "kode_desa",
        "dataset",
        "last_status",
        "last_success_at",
        "last_attempt_at",
        "last_error",
    ]
    ds = dataset_status[cols] if not dataset_status.empty else pd.DataFrame(columns=cols)
    out = desa.merge(ds, on="kode_desa", how="left")
    out["last_status"] = out["last_status"].fillna("never")
    return out[DATASET_STATUS_COLUMNS].sort_values(["kode_desa", "dataset"]).reset_index(drop=True)
