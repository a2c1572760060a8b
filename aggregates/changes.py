"""The values an arrival changed, from `Warehouse.audit_frame` (pure pandas).

A collection's changes are Ringkasan's "Perubahan sejak pengumpulan sebelumnya"; an import's
changes are listed with the import (the Unggah page's result), never as a collection's
(issue 8).
"""

from __future__ import annotations

import pandas as pd

from config.statistik import TOTALS_DATASET

IMPORT_CHANGE_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "dataset",
    "periode",
    "kode",
    "ukuran",
    "label",
    "lama",
    "baru",
]


def import_changes(audit: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The measurements one import replaced or removed: `audit` is
    `Warehouse.audit_frame("measurement", run_id=<the import's run>)`; `baru` is empty for a
    removed value. Values the file added anew have no old version and are not listed."""
    if audit.empty:
        return pd.DataFrame(columns=IMPORT_CHANGE_COLUMNS)
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=str)
    out = pd.DataFrame(
        {
            "kode_wilayah": audit["kode_wilayah"],
            "nama_wilayah": audit["kode_wilayah"].map(names).fillna(audit["kode_wilayah"]),
            "dataset": audit["dataset"],
            "periode": audit["periode"],
            "kode": audit["kode"],
            "ukuran": audit["ukuran"],
            "label": audit["baru_label"].where(audit["baru_label"].notna(), audit["lama_label"]),
            "lama": pd.to_numeric(audit["lama_nilai"]),
            "baru": pd.to_numeric(audit["baru_nilai"]),
        }
    )
    out = out.sort_values(["nama_wilayah", "kode_wilayah", "periode", "kode", "ukuran"],
                          kind="stable")  # fmt: skip
    return out.reset_index(drop=True)[IMPORT_CHANGE_COLUMNS]


COLLECTION_CHANGE_COLUMNS = ["kode_desa", "nama_desa", "dataset", "kode", "label", "lama", "baru"]


def collection_changes(audit: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The population values one collection changed (Ringkasan's "Perubahan"): `audit` is
    `Warehouse.audit_frame(run_id=<the collection>)`, every village; old and new count (new
    empty when removed). A statistic's TOTAL row is left out (the sum of its categories)."""
    if audit.empty:
        return pd.DataFrame(columns=COLLECTION_CHANGE_COLUMNS)
    audit = audit[~((audit["kode"] == "total") & (audit["dataset"] != TOTALS_DATASET))]
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=str)
    out = pd.DataFrame(
        {
            "kode_desa": audit["kode_desa"],
            "nama_desa": audit["kode_desa"].map(names).fillna(audit["kode_desa"]),
            "dataset": audit["dataset"],
            "kode": audit["kode"],
            "label": audit["baru_label"].where(audit["baru_label"].notna(), audit["lama_label"]),
            "lama": pd.to_numeric(audit["lama_jumlah"]).astype("Int64"),
            "baru": pd.to_numeric(audit["baru_jumlah"]).astype("Int64"),
        }
    )
    # a stable sort: a region's rows are the rows of every village's table under it, in order
    out = out.sort_values(["nama_desa", "kode_desa", "dataset", "kode"], kind="stable")
    return out.reset_index(drop=True)[COLLECTION_CHANGE_COLUMNS]
