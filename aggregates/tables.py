"""Tidy export tables for analysts: measurements in long format, with region names attached."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

MEASUREMENT_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "kode_kecamatan",
    "nama_kecamatan",
    "dataset",
    "periode",
    "kode",
    "label",
    "ukuran",
    "nilai",
    "atribut",
    "sumber",  # where the value came from: collection, import or push (issue 11)
]
ALL_PERIODS = "semua"  # the periode filter value meaning "every period"


def measurement_table(measurements: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The warehouse's measurements (`Warehouse.measurements_frame`) in the export schema.

    Rows keep the warehouse order (region, dataset, periode, kode, ukuran), so the export is
    stable between requests of one run.
    """
    if measurements.empty:
        return pd.DataFrame(columns=MEASUREMENT_COLUMNS)
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=object)
    out = measurements.copy()
    # kecamatan-level datasets (anggaran-kecamatan) carry the kecamatan code itself
    out["kode_kecamatan"] = out["kode_wilayah"].str.slice(0, 8)
    out["nama_wilayah"] = out["kode_wilayah"].map(names)
    out["nama_kecamatan"] = out["kode_kecamatan"].map(names)
    out["periode"] = out["periode"].fillna("")
    if "sumber" not in out:
        out["sumber"] = None  # a frame built by hand (tests, benches) says nothing of it
    return out[MEASUREMENT_COLUMNS].reset_index(drop=True)


def in_region(frame: pd.DataFrame, kode: str | None, column: str = "kode_wilayah") -> pd.DataFrame:
    """Rows whose region is `kode` or lies under it; every row when kode is None."""
    if not kode or frame.empty:
        return frame
    codes = frame[column].astype(str)
    return frame[(codes == kode) | codes.str.startswith(kode + ".")]


def select_measurements(
    table: pd.DataFrame, dataset: str, *, kode: str | None = None, periode: str | None = None
) -> pd.DataFrame:
    """One dataset's rows of a measurement table, optionally one region and one period."""
    out = table[table["dataset"] == dataset]
    out = in_region(out, kode)
    if periode and periode != ALL_PERIODS:
        out = out[out["periode"] == periode]
    return out.reset_index(drop=True)


def periods_of(table: pd.DataFrame, dataset: str) -> list[str]:
    """The periods a dataset has in the warehouse, newest first (period ids sort as text)."""
    if table.empty:
        return []
    values = table.loc[table["dataset"] == dataset, "periode"].dropna().astype(str)
    return sorted({v for v in values if v}, reverse=True)


KECAMATAN_CODE_LENGTH = len("17.03.06")


def with_kecamatan_code(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of villages with their kecamatan's code, so a CSV can be joined and filtered by
    kecamatan without parsing codes: `kode_kecamatan` (the first part of kode_desa) goes
    before nama_kecamatan, else after nama_desa, as in halaman/ringkasan/desa."""
    if "kode_desa" not in frame or "kode_kecamatan" in frame:
        return frame
    columns = list(frame.columns)
    if "nama_kecamatan" in columns:
        at = columns.index("nama_kecamatan")
    elif "nama_desa" in columns:
        at = columns.index("nama_desa") + 1
    else:
        at = columns.index("kode_desa") + 1
    out = frame.copy()
    codes = frame["kode_desa"].astype(str).str.slice(0, KECAMATAN_CODE_LENGTH)
    out.insert(at, "kode_kecamatan", codes)
    return out


def whole_numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns as nullable integers (rounded): counts and rupiah are written "97", not
    "97.0", and a gap stays a gap."""
    out = frame.copy()
    for col in columns:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    return out


def plain_values(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The columns as plain Python values: whole numbers as int, gaps as None, times as ISO.

    CSV and JSON are written from this one frame, so both show the same values, and a CSV
    reader gets machine numbers (`1276043000`, not `1276043000.0` or `1.276.043.000`).
    """
    data = {}
    for col in columns:
        series = frame[col] if col in frame else pd.Series([None] * len(frame), dtype=object)
        if pd.api.types.is_datetime64_any_dtype(series):
            values = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
        elif pd.api.types.is_bool_dtype(series):
            values = [None if pd.isna(v) else bool(v) for v in series]
        elif pd.api.types.is_numeric_dtype(series):
            values = [_number(v) for v in series]
        else:
            values = [_scalar(v) for v in series]
        data[col] = pd.Series(values, dtype=object, index=frame.index)
    return pd.DataFrame(data, columns=list(columns)).reset_index(drop=True)


def _number(v: object) -> int | float | None:
    if v is None or pd.isna(v):
        return None
    f = float(v)  # type: ignore[arg-type]
    if math.isinf(f):
        return None
    return int(f) if f.is_integer() else f


def _scalar(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float | int) and not isinstance(v, bool):
        return _number(v)
    if isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.isoformat()
    try:
        if pd.isna(v):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):  # list-like values are not missing
        pass
    return str(v)
