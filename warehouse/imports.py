"""Land an imported spreadsheet: every region of one file in one transaction.

`Warehouse.record_village` commits each village on its own, which suits a sweep (a failing
village must not undo the others). An operator's file is one decision: it lands whole or not
at all, so a half-loaded month can never be mistaken for a complete one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace

from sqlalchemy import bindparam, insert, select, update

from warehouse.accounts import Actor, check_scope, set_run_actor
from warehouse.bounds import check_rows, length
from warehouse.models import ImportStatus, SourceState
from warehouse.store import DatasetWrite, Warehouse, utcnow
from warehouse.values import diff, load_existing, table_for

_IMPORTS = ImportStatus.__table__
_SOURCE = SourceState.__table__
_IMPORT_UPDATE = (
    update(_IMPORTS)
    .where(
        (_IMPORTS.c.kode_wilayah == bindparam("b_kode"))
        & (_IMPORTS.c.dataset == bindparam("b_dataset"))
        & (_IMPORTS.c.periode == bindparam("b_periode"))
    )
    .values(
        last_import_at=bindparam("last_import_at"),
        run_id=bindparam("run_id"),
        source=bindparam("source"),
    )
)
SOURCE_CHARS = length(_IMPORTS, "source")  # import_status.source: the file's name


def record_import(
    store: Warehouse,
    run_id: int,
    dataset: str,
    writes_by_village: Mapping[str, DatasetWrite],
    *,
    measures: Collection[str] | None = None,
    kodes: Collection[str] | None = None,
    source: str | None = None,
    actor: Actor | None = None,
    expand: Callable[[str, Sequence, Mapping], Sequence] | None = None,
) -> dict[str, str]:
    """Write one dataset for many regions in a single transaction; return each one's status.

    Each write replaces only its `periods` of the dataset for its region (every period when
    None). `measures` and `kodes` narrow that further: stored values of other measures or items
    stay. A file of realisasi keeps the collected anggaran of the same year; a file for one
    penyakit_id keeps the other diseases of the same month. The fetch log (under the import's
    run) and `import_status` per region, dataset and period (`source`: the file's name) are
    written in the same transaction, so the pages see the import exactly when its values land.
    Dataset status is not: it is the village's collections, and a file says nothing of
    whether the village's own system answers (issue 8). Any error rolls back the whole file.

    A file that changes a dataset the collectors also pull (APBDes) drops those villages'
    validators in the same transaction: an import never stops the village's own figures
    from being pulled and landed again by the next collection (issue 10).

    `actor` (issue 10): who brings the file; checked against every region before anything is
    written and named on the import's run (`collection_run.actor`), so each value the file
    changed links to its uploader through `updated_run_id`.

    `expand(region, rows, stored)` (issue 11) completes a region's rows with the values stored
    in the import's scope, inside this transaction: an OpenDK APBDes month rolls its leaves up
    to the parent accounts together with the month's accounts the file does not name. Every
    value written is marked `sumber` = import.
    """
    if actor is not None:
        # the caller checked already (collectors.spreadsheet.import_file); a second caller
        # must not get round it
        check_scope(actor, writes_by_village)
    for kode, write in writes_by_village.items():
        if write.dataset != dataset:
            raise ValueError(f"{kode}: write for {write.dataset} in an import of {dataset}")
    now = utcnow()
    statuses: dict[str, str] = {}
    imported: list[tuple[str, str]] = []  # (region, period) the file brought
    collected = _collected_datasets()
    changed_collected: list[str] = []  # villages whose collected values the file changed
    with store.engine.begin() as conn:
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
                # the file was checked against these bounds already (collectors.spreadsheet);
                # whatever got past is refused here, whole, on both databases alike
                check_rows(write.kind, kode, dataset, write.rows)
                stored = load_existing(conn, spec, kode, [dataset]).get(dataset, {})
                existing = {key: row for key, row in stored.items() if in_scope(row)}
                rows = write.rows
                if expand is not None:
                    rows = list(expand(kode, rows, existing))
                    if not all(in_scope(row) for row in rows):
                        raise ValueError(f"{kode}, dataset {dataset}: expanded outside the import")
                    check_rows(write.kind, kode, dataset, rows)
                plan = diff(spec, kode, dataset, rows, existing, run_id, now, sumber="import")
                if plan.empty:
                    status = "unchanged"
                else:
                    plan.apply(conn)
                    status = "ok"
                    if dataset in collected:
                        changed_collected.append(kode)
                logged = replace(write, status=status)
                periods_of = (
                    write.periods
                    if write.periods is not None
                    else (sorted({row.periode for row in write.rows}))
                )
                imported += [(kode, periode) for periode in periods_of]
            statuses[kode] = status
            store._log(conn, run_id, kode, [logged], None, now)
        _record_import_status(conn, dataset, imported, run_id, now, source)
        if actor is not None:
            set_run_actor(conn, run_id, actor)
        _invalidate_validators(conn, changed_collected)
    return statuses


def _collected_datasets() -> frozenset[str]:
    """The datasets the collectors pull from the villages (every dataset group's)."""
    from config.datasets import dataset_groups

    return frozenset(d for datasets in dataset_groups().values() for d in datasets)


def _invalidate_validators(conn, villages: list[str]) -> None:
    """An import changed a dataset the collectors also pull for these villages: drop their
    validators (source_state ETags, every endpoint), so the next pull fetches the village's
    document whole and lands its own figures again, instead of a 304 that would leave the
    imported ones in place for as long as the village's data does not change."""
    if not villages:
        return
    conn.execute(
        update(_SOURCE)
        .where(_SOURCE.c.kode_desa.in_(sorted(set(villages))), _SOURCE.c.etag.is_not(None))
        .values(etag=None)
    )


def _record_import_status(conn, dataset, imported, run_id, now, source) -> None:
    """The latest import of each (region, period): an unchanged file is an import too."""
    if not imported:
        return
    source = source[:SOURCE_CHARS] if source else None
    regions = sorted({kode for kode, _ in imported})
    existing = {
        (r.kode_wilayah, r.periode)
        for r in conn.execute(
            select(_IMPORTS.c.kode_wilayah, _IMPORTS.c.periode).where(
                _IMPORTS.c.dataset == dataset, _IMPORTS.c.kode_wilayah.in_(regions)
            )
        )
    }
    updates, inserts = [], []
    for kode, periode in dict.fromkeys(imported):
        values = dict(last_import_at=now, run_id=run_id, source=source)
        if (kode, periode) in existing:
            updates.append(dict(b_kode=kode, b_dataset=dataset, b_periode=periode, **values))
        else:
            inserts.append(dict(kode_wilayah=kode, dataset=dataset, periode=periode, **values))
    if updates:
        conn.execute(_IMPORT_UPDATE, updates)
    if inserts:
        conn.execute(insert(_IMPORTS), inserts)
