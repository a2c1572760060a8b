"""Land an imported spreadsheet: every region of one file in one transaction.

`Warehouse.record_village` commits each village on its own, which suits a sweep (a failing
village must not undo the others). An operator's file is one decision: it lands whole or not
at all, so a half-loaded month can never be mistaken for a complete one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from sqlalchemy import select

from warehouse.models import DatasetStatus
from warehouse.store import DatasetWrite, Warehouse, utcnow
from warehouse.values import diff, load_existing, table_for

_STATUS = DatasetStatus.__table__


def record_import(
    store: Warehouse,
    run_id: int,
    dataset: str,
    writes_by_village: Mapping[str, DatasetWrite],
    *,
    measures: Collection[str] | None = None,
    kodes: Collection[str] | None = None,
) -> dict[str, str]:
    """Write one dataset for many regions in a single transaction; return each one's status.

    Each write replaces only its `periods` of the dataset for its region (every period when
    None). `measures` and `kodes` narrow that further: stored values of other measures or items
    stay. A file of realisasi keeps the collected anggaran of the same year; a file for one
    penyakit_id keeps the other diseases of the same month. Fetch log and dataset status are
    written in the same transaction, so monitoring sees the import exactly when its values land.
    Any error rolls back the whole file.
    """
    for kode, write in writes_by_village.items():
        if write.dataset != dataset:
            raise ValueError(f"{kode}: write for {write.dataset} in an import of {dataset}")
    now = utcnow()
    statuses: dict[str, str] = {}
    with store.engine.begin() as conn:
        with_status = set(
            conn.execute(
                select(_STATUS.c.kode_desa).where(
                    _STATUS.c.dataset == dataset,
                    _STATUS.c.kode_desa.in_(list(writes_by_village)),
                )
            ).scalars()
        )
        for kode, write in writes_by_village.items():
            if write.rows is None or write.status == "failed":
                status, logged = write.status, write
            else:
                spec = table_for(write.kind)
                periods = set(write.periods) if write.periods is not None else None

                def in_scope(row, periods=periods) -> bool:
                    return (
                        (periods is None or row.periode in periods)
                        and (measures is None or row.ukuran in measures)
                        and (kodes is None or row.kode in kodes)
                    )

                for row in write.rows:
                    # a row outside the scope could collide with a stored value the diff
                    # does not see
                    if not in_scope(row):
                        raise ValueError(f"{kode}, dataset {dataset}: {row} is outside the import")
                stored = load_existing(conn, spec, kode, [dataset]).get(dataset, {})
                existing = {key: row for key, row in stored.items() if in_scope(row)}
                plan = diff(spec, kode, dataset, write.rows, existing, run_id, now)
                if plan.empty:
                    status = "unchanged"
                else:
                    plan.apply(conn)
                    status = "ok"
                logged = replace(write, status=status)
            statuses[kode] = status
            known = {dataset} if kode in with_status else set()
            store._log(conn, run_id, kode, [logged], known, now)
    return statuses
