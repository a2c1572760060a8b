"""Current values and their history: the diff that makes stored values equal pulled ones.

Two value tables share one mechanism: `observation` (population counts by sex) and
`measurement` (every other dataset). A changed or removed value moves to the table's history
with the run that ended it, so any value can be read as of any time and every change audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import attrgetter

from sqlalchemy import Table, bindparam, delete, select, update

from warehouse.models import Measurement, MeasurementHistory, Observation, ObservationHistory


@dataclass(frozen=True)
class ObservationRow:
    """A population count as an adapter delivers it, before it meets the warehouse."""

    kode: str
    label: str
    jumlah: int
    laki_laki: int | None = None
    perempuan: int | None = None
    urutan: int = 0
    dari: int | None = None
    sampai: int | None = None
    periode: str = ""


@dataclass(frozen=True)
class MeasurementRow:
    """Any other value: one measure (ukuran) of one item (kode) in one period."""

    ukuran: str
    nilai: float | None
    kode: str = ""
    label: str = ""
    periode: str = ""
    atribut: dict | None = None  # descriptive fields: sumber dana, pelaksana, sasaran, ...

    def atribut_json(self) -> str | None:
        if self.atribut is None:
            return None
        return json.dumps(self.atribut, sort_keys=True, ensure_ascii=False, default=str)


@cache
def _getter(names: tuple[str, ...]):
    """A fast tuple of attributes (the first sweep reads ~50,000 rows this way)."""
    getter = attrgetter(*names)
    return (lambda row: (getter(row),)) if len(names) == 1 else getter


@dataclass(frozen=True)
class ValueTable:
    table: Table
    history: Table
    region: str  # the column naming the village (or kecamatan)
    keys: tuple[str, ...]  # identify a value within region and dataset
    values: tuple[str, ...]

    def key_of(self, row) -> tuple:
        return _getter(self.keys)(row)

    def values_of(self, row) -> dict:
        values = dict(zip(self.values, _getter(self.values)(row), strict=True))
        if "atribut" in values:
            values["atribut"] = row.atribut_json()
        return values


OBSERVATIONS = ValueTable(
    Observation.__table__,
    ObservationHistory.__table__,
    "kode_desa",
    ("periode", "kode"),
    ("label", "urutan", "dari", "sampai", "laki_laki", "perempuan", "jumlah"),
)
MEASUREMENTS = ValueTable(
    Measurement.__table__,
    MeasurementHistory.__table__,
    "kode_wilayah",
    ("periode", "kode", "ukuran"),
    ("label", "nilai", "atribut"),
)


def table_for(rows_kind: str) -> ValueTable:
    return {"observation": OBSERVATIONS, "measurement": MEASUREMENTS}[rows_kind]


@dataclass
class Plan:
    """The statements that make one dataset's stored values equal to what was pulled."""

    spec: ValueTable
    inserts: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)  # old versions going to history
    deletes: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes)

    @property
    def changes(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deletes)

    def apply(self, conn) -> None:
        if self.retired:
            insert_many(conn, self.spec.history, self.retired)
        if self.inserts:
            insert_many(conn, self.spec.table, self.inserts)
        if self.updates:
            conn.execute(_update_statement(self.spec), self.updates)
        if self.deletes:
            conn.execute(delete(self.spec.table).where(self.spec.table.c.id.in_(self.deletes)))


_UPDATES: dict[str, object] = {}


def _update_statement(spec: ValueTable):
    # built once per table: statement construction dominates small writes
    stmt = _UPDATES.get(spec.table.name)
    if stmt is None:
        stmt = (
            update(spec.table)
            .where(spec.table.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in (*spec.values, "updated_run_id", "updated_at")})
        )
        _UPDATES[spec.table.name] = stmt
    return stmt


def insert_many(conn, table: Table, rows: list[dict]) -> None:
    """executemany straight to the driver: the first sweep inserts ~30,000 rows and SQLAlchemy's
    per-row parameter processing was most of its time. Values go through each column type's
    own bind processor, so what is stored is what SQLAlchemy would have stored."""
    dialect = conn.dialect
    columns = list(rows[0])
    processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    # columns without a processor pass as they are; the others (timestamps on SQLite) mostly
    # carry one value per write, so each distinct value is converted once
    plain = [c for c, proc in zip(columns, processors, strict=True) if proc is None]
    converted = {c: proc for c, proc in zip(columns, processors, strict=True) if proc is not None}
    seen: dict[tuple[str, object], object] = {}

    def convert(column: str, value: object) -> object:
        if value is None:
            return None
        key = (column, value)
        if key not in seen:
            seen[key] = converted[column](value)
        return seen[key]

    plain_set = set(plain)
    params = [tuple(r[c] if c in plain_set else convert(c, r[c]) for c in columns) for r in rows]
    conn.exec_driver_sql(sql, params)


def load_existing(conn, spec: ValueTable, region: str, datasets: Sequence[str]) -> dict:
    """Current rows of a region's datasets: {dataset: {key: row}}."""
    t = spec.table
    found: dict[str, dict] = {}
    stmt = select(t).where(t.c[spec.region] == region, t.c.dataset.in_(list(datasets)))
    for r in conn.execute(stmt):
        found.setdefault(r.dataset, {})[spec.key_of(r)] = r
    return found


def diff(
    spec: ValueTable,
    region: str,
    dataset: str,
    rows: Sequence,
    existing: dict,
    run_id: int,
    now: datetime,
    *,
    periods: Sequence[str] | None = None,
) -> Plan:
    """Plan inserts, updates and deletes; raise ValueError on a duplicate key.

    With `periods`, only values of those periods may be removed (a monthly file replaces its
    month, not the whole history of the dataset).
    """
    plan = Plan(spec)
    seen = set()
    for row in rows:
        key = spec.key_of(row)
        if key in seen:
            shown = ", ".join(f"{k} {v}" for k, v in zip(spec.keys, key, strict=True) if v != "")
            level = "desa" if len(region) == 13 else "kecamatan"
            raise ValueError(f"{level} {region}, dataset {dataset}: duplicate {shown}")
        seen.add(key)
        values = spec.values_of(row)
        old = existing.get(key)
        if old is None:
            plan.inserts.append(
                dict(
                    values,
                    **{spec.region: region},
                    dataset=dataset,
                    **dict(zip(spec.keys, key, strict=True)),
                    first_run_id=run_id,
                    updated_run_id=run_id,
                    updated_at=now,
                )
            )
        elif any(getattr(old, c) != values[c] for c in spec.values):
            plan.retired.append(_retire(spec, old, run_id, now, "update"))
            plan.updates.append(dict(values, b_id=old.id, updated_run_id=run_id, updated_at=now))
    scope = set(periods) if periods is not None else None
    for key, old in existing.items():
        if key in seen or (scope is not None and old.periode not in scope):
            continue
        plan.retired.append(_retire(spec, old, run_id, now, "delete"))
        plan.deletes.append(old.id)
    return plan


def _retire(spec: ValueTable, old, run_id: int, now: datetime, change: str) -> dict:
    return dict(
        **{spec.region: getattr(old, spec.region)},
        dataset=old.dataset,
        **{k: getattr(old, k) for k in spec.keys},
        **{c: getattr(old, c) for c in spec.values},
        valid_from_run=old.updated_run_id,
        valid_from=old.updated_at,
        valid_to_run=run_id,
        valid_to=now,
        change=change,
    )
