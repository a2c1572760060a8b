"""Rollup tables (issue 12): every aggregate the pages and the API show, computed once per run
by `aggregates.rollup` and stored here, read back as slices (one level, one statistic or
period, one region) exactly as pandas computed them.

A rollup is written whole in one transaction, which also makes it `current` and the one
before it `superseded`: a reader resolves the current rollup once (its id) and reads that
rollup's slices, never half of a newer one. The previous rollup's rows are kept until the
next one lands, so a reader that resolved it just before the switch still finds its slices;
older ones are deleted. A rollup that fails is recorded as `failed` with its error in a
transaction of its own, and the current one stays served.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, or_, select, update

from warehouse.models import Rollup, RollupFrame, RollupSlice

if TYPE_CHECKING:
    from warehouse.store import Warehouse

log = logging.getLogger(__name__)

CURRENT, SUPERSEDED, FAILED = "current", "superseded", "failed"
# frames with one of these columns (the first found) are sliced by it: a per-region table by
# its region, a per-village table by its village; a frame with neither is one slice
REGION_COLUMNS = ("kode_wilayah", "kode_desa")
# a village's rows go into its kecamatan's slice: a tenth of the slices to write and to read
# for a kecamatan or a kabupaten (the common views); a village's view filters its slice
SLICE_CODE_LENGTH = len("17.03.01")
KEEP_SUPERSEDED = 1  # rollups kept behind the current one, for readers mid-switch
INSERT_BATCH = 2000


@dataclass(frozen=True)
class FrameKey:
    """Where one aggregate table of a rollup lives: `statistik` and `periode` are "" when the
    aggregate has none."""

    aggregat: str
    tingkat: str
    statistik: str = ""
    periode: str = ""


@dataclass(frozen=True)
class CurrentRollup:
    id: int
    run_id: int | None
    finished_at: datetime | None


# -- encoding: a frame's cells as JSON and back, dtypes kept ------------------------------------
def _cell(value: object) -> object:
    """One cell as JSON: NA kinds and timestamps tagged so they read back as they were."""
    if value is None:
        return None
    if value is pd.NA:
        return {"na": 1}
    if value is pd.NaT:
        return {"nat": 1}
    if isinstance(value, pd.Timestamp):
        return {"ts": value.isoformat()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return {"nan": 1}
    if isinstance(value, datetime):
        return {"ts": pd.Timestamp(value).isoformat()}
    return value


def _uncell(value: object) -> object:
    if isinstance(value, dict):
        if "na" in value:
            return pd.NA
        if "nat" in value:
            return pd.NaT
        if "nan" in value:
            return float("nan")
        if "ts" in value:
            return pd.Timestamp(value["ts"])
    return value


_NUMPY_DTYPES = frozenset({"int64", "float64", "bool", "int32", "float32"})


def _column(values: list, dtype: str) -> pd.Series | list:
    if dtype == "object":
        return pd.Series(values, dtype=object)
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype=dtype)
    return pd.Series(values, dtype=object).astype(dtype)


def _cells(column: pd.Series) -> list:
    """A column's cells as JSON values (fast paths for the dtypes aggregates produce)."""
    values = column.tolist()
    kind = column.dtype.kind
    if kind in "iub" and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return values  # plain numpy ints and bools: Python ints and bools already
    if kind == "f" and not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return values  # NaN as JSON's NaN literal (allow_nan): no tag to undo per cell
    if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and kind in "iufb":
        return [_NA if v is pd.NA else v for v in values]  # Int64, Float64, boolean
    return [v if type(v) in _PLAIN else _cell(v) for v in values]


_NA = {"na": 1}
_PLAIN = (str, int, bool, type(None))


def _region_column(columns: Iterable[str]) -> str | None:
    names = set(columns)
    return next((c for c in REGION_COLUMNS if c in names), None)


def encode_frame(frame: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """(columns JSON, {region code: slice JSON}) of a frame; one slice "" without regions.

    A slice holds its rows' positions in the frame and its cells column by column."""
    kolom = json.dumps([[str(c), str(frame[c].dtype)] for c in frame.columns])
    cells = [_cells(frame[c]) for c in frame.columns]
    region = _region_column(frame.columns)
    if region is not None and len(frame):
        codes = frame[region].astype(str).str.slice(0, SLICE_CODE_LENGTH)
        groups = frame.groupby(codes, sort=False).indices
    else:
        groups = {"": np.arange(len(frame))}
    slices = {}
    for code, positions in groups.items():
        index = positions.tolist()
        part = {"pos": index, "cols": [[column[i] for i in index] for column in cells]}
        slices[str(code)] = json.dumps(part, allow_nan=True)
    return kolom, slices


def decode_frame(kolom: str, slices: Iterable[str]) -> pd.DataFrame:
    """The frame (or the part of it the slices hold), rows in the frame's order."""
    columns = json.loads(kolom)
    positions: list[int] = []
    values: list[list] = [[] for _ in columns]
    for text in slices:
        part = json.loads(text)
        positions.extend(part["pos"])
        for target, cells in zip(values, part["cols"], strict=True):
            target.extend(cells)
    if not positions:
        return _empty(columns)
    at = np.asarray(positions)
    # slices come back in code order, which is the frame's order for frames sorted by region
    in_order = bool(np.all(at[1:] > at[:-1]))
    order = None if in_order else np.argsort(at, kind="stable")
    data = {}
    for (name, dtype), cells in zip(columns, values, strict=True):
        ordered = cells if order is None else [cells[i] for i in order]
        if dtype in _NUMPY_DTYPES:
            try:
                data[name] = pd.Series(np.asarray(ordered, dtype=dtype))
                continue
            except (TypeError, ValueError):  # a rollup from before: NaN tagged per cell
                pass
        if any(type(v) is dict for v in ordered):
            ordered = [_uncell(v) for v in ordered]
        data[name] = _column(ordered, dtype)
    return pd.DataFrame(data).reset_index(drop=True)


def _empty(columns: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in columns})


# -- writes ---------------------------------------------------------------------------------
def write_rollup(
    store: Warehouse,
    run_id: int | None,
    frames: Iterable[tuple[FrameKey, pd.DataFrame]],
    started_at: datetime,
    seconds_so_far: Callable[[], float] | None = None,
) -> int:
    """Store a whole rollup and make it current, in one transaction; returns its id."""
    from warehouse.store import utcnow

    encoded = [(key, *encode_frame(frame)) for key, frame in frames]
    with store.engine.begin() as conn:
        rollup_id = conn.execute(
            insert(Rollup).values(run_id=run_id, status="building", started_at=started_at)
        ).inserted_primary_key[0]
        slices: list[dict] = []
        for key, kolom, parts in encoded:
            frame_id = conn.execute(
                insert(RollupFrame).values(
                    rollup_id=rollup_id,
                    aggregat=key.aggregat,
                    tingkat=key.tingkat,
                    statistik=key.statistik,
                    periode=key.periode,
                    kolom=kolom,
                )
            ).inserted_primary_key[0]
            slices.extend(
                {"frame_id": frame_id, "kode_wilayah": code, "baris": text}
                for code, text in parts.items()
            )
            if len(slices) >= INSERT_BATCH:
                conn.execute(insert(RollupSlice), slices)
                slices = []
        if slices:
            conn.execute(insert(RollupSlice), slices)
        previous = conn.execute(
            select(Rollup.id).where(Rollup.status == CURRENT).order_by(Rollup.id.desc())
        ).scalars()
        previous = list(previous)
        if previous:
            conn.execute(update(Rollup).where(Rollup.id.in_(previous)).values(status=SUPERSEDED))
        conn.execute(
            update(Rollup)
            .where(Rollup.id == rollup_id)
            .values(
                status=CURRENT,
                finished_at=utcnow(),
                seconds=round(seconds_so_far(), 3) if seconds_so_far else None,
                frames=len(encoded),
            )
        )
        _prune(conn, keep_after=rollup_id)
    return int(rollup_id)


def _prune(conn, keep_after: int) -> None:
    """Delete the rows of superseded rollups but the newest KEEP_SUPERSEDED (their records
    stay, as the history of rollups)."""
    old = list(
        conn.execute(
            select(Rollup.id)
            .where(Rollup.status == SUPERSEDED, Rollup.id < keep_after)
            .order_by(Rollup.id.desc())
        ).scalars()
    )[KEEP_SUPERSEDED:]
    if not old:
        return
    frame_ids = select(RollupFrame.id).where(RollupFrame.rollup_id.in_(old))
    conn.execute(delete(RollupSlice).where(RollupSlice.frame_id.in_(frame_ids)))
    conn.execute(delete(RollupFrame).where(RollupFrame.rollup_id.in_(old)))


def record_failure(store: Warehouse, run_id: int | None, started_at: datetime, error: str) -> int:
    """A failed rollup, in its own transaction (the current rollup stays current)."""
    from warehouse.store import utcnow

    with store.engine.begin() as conn:
        return int(
            conn.execute(
                insert(Rollup).values(
                    run_id=run_id,
                    status=FAILED,
                    started_at=started_at,
                    finished_at=utcnow(),
                    error=error[:4000],
                )
            ).inserted_primary_key[0]
        )


# -- reads ----------------------------------------------------------------------------------
def current_rollup(store: Warehouse) -> CurrentRollup | None:
    """The rollup served now (None: none computed yet)."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(Rollup.id, Rollup.run_id, Rollup.finished_at)
            .where(Rollup.status == CURRENT)
            .order_by(Rollup.id.desc())
            .limit(1)
        ).first()
    return None if row is None else CurrentRollup(int(row.id), row.run_id, row.finished_at)


def read_frame(
    store: Warehouse, rollup_id: int, key: FrameKey, kode: str | None = None
) -> pd.DataFrame | None:
    """One aggregate table of a rollup, or the rows of region `kode` and the regions under it
    (a code range, so the primary key's index serves it); None when the rollup has no such
    table."""
    with store.engine.connect() as conn:
        frame = conn.execute(
            select(RollupFrame.id, RollupFrame.kolom).where(
                RollupFrame.rollup_id == rollup_id,
                RollupFrame.aggregat == key.aggregat,
                RollupFrame.tingkat == key.tingkat,
                RollupFrame.statistik == key.statistik,
                RollupFrame.periode == key.periode,
            )
        ).first()
        if frame is None:
            return None
        stmt = select(RollupSlice.baris).where(RollupSlice.frame_id == frame.id)
        if kode and len(kode) > SLICE_CODE_LENGTH:  # a village: its kecamatan's slice
            stmt = stmt.where(RollupSlice.kode_wilayah == kode[:SLICE_CODE_LENGTH])
        elif kode:
            # codes are digits and dots (no LIKE wildcards); the frame's part of the primary
            # key narrows the scan to one level's regions
            stmt = stmt.where(
                or_(RollupSlice.kode_wilayah == kode, RollupSlice.kode_wilayah.like(kode + ".%"))
            )
        texts = conn.execute(stmt).scalars().all()
    found = decode_frame(frame.kolom, texts)
    if kode and len(kode) > SLICE_CODE_LENGTH:
        region = _region_column(found.columns)
        if region is not None:
            codes = found[region].astype(str)
            found = found[(codes == kode) | codes.str.startswith(kode + ".")]
            found = found.reset_index(drop=True)
    return found


def rollups_frame(store: Warehouse, limit: int = 20) -> pd.DataFrame:
    """The newest rollups, current, superseded and failed, newest first."""
    t = Rollup.__table__
    stmt = select(t).order_by(t.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[c.name for c in t.c])
