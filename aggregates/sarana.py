"""Data Sarana (OpenDK 2026): a village's facilities, from the `sarana` measurements.

Each facility is one measurement: kode `<kategori>:<name>`, label the name as typed, nilai
the number (jumlah), atribut {kategori, keterangan}. Pure pandas over
`Warehouse.measurements_frame()`.
"""

from __future__ import annotations

import pandas as pd

from aggregates.finance import parse_atribut
from config.sarana import GROUPS, KATEGORI

__all__ = ["SARANA", "SARANA_COLUMNS", "by_kategori", "facilities"]

SARANA = "sarana"
SARANA_COLUMNS = ["kode_desa", "kategori", "kelompok", "nama", "jumlah", "keterangan"]
_ORDER = {value: i for i, value in enumerate(KATEGORI)}


def facilities(meas: pd.DataFrame, kode: str | None = None) -> pd.DataFrame:
    """One row per facility under a region: kode_desa, kategori (OpenDK's value), kelompok
    (kesehatan, pendidikan, umum), nama, jumlah, keterangan; by village, category, name."""
    if meas.empty:
        return pd.DataFrame(columns=SARANA_COLUMNS)
    rows = meas[(meas["dataset"] == SARANA) & (meas["ukuran"] == "jumlah")]
    if kode:
        codes = rows["kode_wilayah"].astype(str)
        rows = rows[(codes == kode) | codes.str.startswith(kode + ".")]
    if rows.empty:
        return pd.DataFrame(columns=SARANA_COLUMNS)
    attrs = [parse_atribut(v) for v in rows["atribut"]]
    codes = rows["kode"].astype(str)
    kategori = [a.get("kategori") or k.partition(":")[0] for a, k in zip(attrs, codes, strict=True)]
    out = pd.DataFrame(
        {
            "kode_desa": rows["kode_wilayah"].astype(str).to_numpy(),
            "kategori": kategori,
            "kelompok": [KATEGORI.get(k, ("", ""))[1] for k in kategori],
            "nama": rows["label"].astype(str).to_numpy(),
            "jumlah": pd.to_numeric(rows["nilai"]).round().astype("Int64").to_numpy(),
            "keterangan": [a.get("keterangan") or "" for a in attrs],
        }
    )
    out["_urut"] = out["kategori"].map(_ORDER).fillna(len(_ORDER))
    out = out.sort_values(["kode_desa", "_urut", "nama"]).drop(columns="_urut")
    return out.reset_index(drop=True)[SARANA_COLUMNS]


def by_kategori(table: pd.DataFrame) -> pd.DataFrame:
    """Facilities summed per category (every category OpenDK has, 0 where none): kategori,
    kelompok, jumlah, desa (villages with one)."""
    rows = []
    for value, (_, group) in KATEGORI.items():
        part = table[table["kategori"] == value]
        rows.append(
            {
                "kategori": value,
                "kelompok": group,
                "jumlah": int(part["jumlah"].sum()) if not part.empty else 0,
                "desa": int(part["kode_desa"].nunique()),
            }
        )
    out = pd.DataFrame(rows)
    out["_g"] = out["kelompok"].map({g: i for i, g in enumerate(GROUPS)})
    return out.sort_values("_g", kind="stable").drop(columns="_g").reset_index(drop=True)
