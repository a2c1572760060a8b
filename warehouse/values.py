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
from functools import cache, cached_property
from itertools import chain, repeat
from operator import attrgetter, itemgetter

from sqlalchemy import Table, bindparam, delete, select, update

from warehouse.models import Measurement, MeasurementHistory, Observation, ObservationHistory


@dataclass(frozen=True, slots=True)  # no __dict__: a first sweep holds ~44,000 rows
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


@dataclass(frozen=True, slots=True)
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

    @cached_property
    def item_of(self):
        """A function: a pulled row's keys, then its values, as one tuple in column order
        (atribut as JSON). One C-level attribute fetch per row: the first sweep reads ~44,000."""
        plain = tuple(c for c in self.values if c != "atribut")
        getter = _getter((*self.keys, *plain))
        if len(plain) == len(self.values):
            return getter
        if self.values[-1] != "atribut":
            raise ValueError("atribut must be the last value column")
        return lambda row: (*getter(row), row.atribut_json())

    @cached_property
    def stored_values(self):
        """A function: the value columns of a stored row, as a tuple."""
        return _getter(self.values)

    @cached_property
    def insert_columns(self) -> tuple[str, ...]:
        """Columns of a new current row: region and dataset, item_of's tuple, the run stamps
        and where the value came from (sumber: collection, import or push)."""
        return (
            self.region, "dataset", *self.keys, *self.values,
            "first_run_id", "updated_run_id", "updated_at", "sumber",
        )  # fmt: skip


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
    inserts: list[tuple] = field(default_factory=list)  # new rows, as ValueTable.item_of
    updates: list[dict] = field(default_factory=list)
    retired: list[dict] = field(default_factory=list)  # old versions going to history
    deletes: list[int] = field(default_factory=list)
    region: str = ""
    dataset: str = ""
    run_id: int = 0
    now: datetime | None = None
    sumber: str = "collection"  # the kind of the run: collection, import or push

    @property
    def empty(self) -> bool:
        return not (self.inserts or self.updates or self.deletes)

    @property
    def changes(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deletes)

    def apply(self, conn) -> None:
        """Run the plan on a connection inside a transaction (the caller commits)."""
        apply_plans(conn, [self])


def apply_plans(conn, plans: Sequence[Plan]) -> None:
    """Run several plans (datasets of one region, say) with one statement per table and kind
    of change where one will do. Inside a transaction; the caller commits."""
    for spec in {id(p.spec): p.spec for p in plans}.values():
        mine = [p for p in plans if p.spec is spec]
        retired = [r for p in mine for r in p.retired]
        if retired:
            insert_many(conn, spec.history, retired)
        with_inserts = [p for p in mine if p.inserts]
        # the rows of a dataset share a run and a time: so, as a rule, do one pull's datasets
        for run_id, now, sumber in dict.fromkeys((p.run_id, p.now, p.sumber) for p in with_inserts):
            groups = [
                ((p.region, p.dataset), p.inserts)
                for p in with_inserts
                if (p.run_id, p.now, p.sumber) == (run_id, now, sumber)
            ]
            insert_groups(
                conn, spec.table, spec.insert_columns, groups, tail=(run_id, run_id, now, sumber)
            )
        updates = [u for p in mine for u in p.updates]
        if updates:
            conn.execute(_update_statement(spec), updates)
        deletes = [d for p in mine for d in p.deletes]
        if deletes:
            conn.execute(delete(spec.table).where(spec.table.c.id.in_(deletes)))


_UPDATES: dict[str, object] = {}


def _update_statement(spec: ValueTable):
    # built once per table: statement construction dominates small writes
    stmt = _UPDATES.get(spec.table.name)
    if stmt is None:
        stmt = (
            update(spec.table)
            .where(spec.table.c.id == bindparam("b_id"))
            .values(
                {c: bindparam(c) for c in (*spec.values, "updated_run_id", "updated_at", "sumber")}
            )
        )
        _UPDATES[spec.table.name] = stmt
    return stmt


# one statement carries many rows: SQLite allows 32,766 parameters, PostgreSQL 65,535
_MAX_PARAMS = 30_000
_MAX_ROWS = 256


@cache
def _values_sql(paramstyle: str, table: str, columns: tuple[str, ...], rows: int) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    one = f"({', '.join([mark] * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"


def insert_rows(
    conn,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple],
    *,
    head: tuple = (),
    tail: tuple = (),
) -> None:
    """Insert rows given as tuples: `head` + row + `tail` in `columns` order (see
    insert_groups); `head` and `tail` are the same for every row."""
    insert_groups(conn, table, columns, [(head, rows)], tail=tail)


def insert_groups(
    conn,
    table: Table,
    columns: Sequence[str],
    groups: Sequence[tuple[tuple, Sequence[tuple]]],
    *,
    tail: tuple = (),
) -> None:
    """Insert groups of rows, each group a (head, rows) pair: a row's values in `columns`
    order are its group's head (region and dataset), the row, then `tail` (run and time).

    The rows go to the driver as multi-row INSERT ... VALUES statements, a few per table for
    a whole village (see _chunks): SQLAlchemy's per-row parameter handling, and on SQLite one
    statement step per row (each releasing and retaking the GIL the fetching threads want),
    were most of a first sweep's write time. Values go through each column type's own bind
    processor, so what is stored is what SQLAlchemy would have stored. Must run inside a
    transaction.
    """
    groups = [(h, rows) for h, rows in groups if rows]
    if not groups:
        return
    if not conn.in_transaction():
        raise RuntimeError("insert_groups runs inside a transaction")
    columns = tuple(columns)
    dialect = conn.dialect
    processors = _processors(table, columns, dialect)
    nhead = len(groups[0][0])
    end = len(columns) - len(tail)
    tail = tuple(_bound(p, v) for p, v in zip(processors[end:], tail, strict=True))
    head_procs = processors[:nhead]
    # columns in the rows that need converting (timestamps on SQLite, floats): each distinct
    # value converted once
    convert = [(i, p) for i, p in enumerate(processors[nhead:end]) if p is not None]
    seen: dict[tuple[int, object], object] = {}

    def bound(i: int, proc, value: object) -> object:
        if value is None:
            return None
        key = (i, value)
        if key not in seen:
            seen[key] = proc(value)
        return seen[key]

    triples: list[tuple] = []  # (head, row, tail) of every row
    for head, rows in groups:
        if len(head) != nhead:
            raise ValueError("every group's head has the same columns")
        head = tuple(_bound(p, v) for p, v in zip(head_procs, head, strict=True))
        if convert:
            converted = []
            for row in rows:
                row = list(row)
                for i, proc in convert:
                    row[i] = bound(i, proc, row[i])
                converted.append(row)
            rows = converted
        triples.extend(zip(repeat(head), rows, repeat(tail)))
    start = 0
    for size in _chunks(len(triples), len(columns)):
        chunk = triples[start : start + size]
        start += size
        params = tuple(chain.from_iterable(chain.from_iterable(chunk)))
        if len(params) != size * len(columns):
            raise ValueError(f"{table.name}: a row does not have {len(columns)} values")
        conn.exec_driver_sql(_values_sql(dialect.paramstyle, table.name, columns, size), params)


def _chunks(rows: int, width: int) -> list[int]:
    """Statement sizes for `rows` rows: powers of two, largest first (150 = 128 + 16 + 4 + 2),
    so a handful of statement texts serve every village and the driver's prepared statements
    are reused (a village's row count varies; preparing a 2,000-parameter statement costs
    about as much as running it)."""
    largest = 1
    while largest * 2 <= min(_MAX_ROWS, _MAX_PARAMS // width):
        largest *= 2
    sizes = []
    while rows:
        size = largest
        while size > rows:
            size //= 2
        sizes.append(size)
        rows -= size
    return sizes


def _processors(table: Table, columns: tuple[str, ...], dialect) -> list:
    return [table.c[c].type._cached_bind_processor(dialect) for c in columns]


def _bound(proc, value: object) -> object:
    return value if proc is None or value is None else proc(value)


def insert_many(conn, table: Table, rows: list[dict]) -> None:
    """Insert rows given as dicts with the same keys (see insert_rows)."""
    if not rows:
        return
    columns = tuple(rows[0])
    getter = _itemgetter(columns)
    insert_rows(conn, table, columns, [getter(r) for r in rows])


@cache
def _itemgetter(columns: tuple[str, ...]):
    getter = itemgetter(*columns)
    return (lambda row: (getter(row),)) if len(columns) == 1 else getter


_EXISTING: dict[tuple[str, int], object] = {}


def load_existing(conn, spec: ValueTable, region: str, datasets: Sequence[str]) -> dict:
    """Current rows of a region's datasets: {dataset: {key: row}}."""
    datasets = list(dict.fromkeys(datasets))
    # built once per table and number of datasets, with one parameter per dataset (an
    # expanding IN re-renders the statement on every call)
    stmt = _EXISTING.get((spec.table.name, len(datasets)))
    if stmt is None:
        t = spec.table
        stmt = select(t).where(
            t.c[spec.region] == bindparam("region"),
            t.c.dataset.in_([bindparam(f"d{i}") for i in range(len(datasets))]),
        )
        _EXISTING[(spec.table.name, len(datasets))] = stmt
    params = {"region": region, **{f"d{i}": d for i, d in enumerate(datasets)}}
    found: dict[str, dict] = {}
    key_of = _getter(spec.keys)
    for r in conn.execute(stmt, params).fetchall():  # one fetch, not one per row
        found.setdefault(r.dataset, {})[key_of(r)] = r
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
    sumber: str = "collection",
) -> Plan:
    """Plan inserts, updates and deletes; raise ValueError on a duplicate key.

    With `periods`, only values of those periods may be removed (a monthly file replaces its
    month, not the whole history of the dataset). `sumber` is where the new values come from
    (the run's kind: collection, import, push); a value that does not change keeps its own.
    """
    plan = Plan(spec, region=region, dataset=dataset, run_id=run_id, now=now, sumber=sumber)
    nkeys = len(spec.keys)
    item_of, stored_values = spec.item_of, spec.stored_values
    inserts = plan.inserts
    seen: set[tuple] = set()
    for row in rows:
        item = item_of(row)
        key = item[:nkeys]
        if key in seen:
            shown = ", ".join(f"{k} {v}" for k, v in zip(spec.keys, key, strict=True) if v != "")
            level = "desa" if len(region) == 13 else "kecamatan"
            raise ValueError(f"{level} {region}, dataset {dataset}: duplicate {shown}")
        seen.add(key)
        old = existing.get(key) if existing else None
        if old is None:
            inserts.append(item)
        elif stored_values(old) != item[nkeys:]:
            plan.retired.append(_retire(spec, old, run_id, now, "update"))
            plan.updates.append(
                dict(
                    zip(spec.values, item[nkeys:], strict=True),
                    b_id=old.id,
                    updated_run_id=run_id,
                    updated_at=now,
                    sumber=sumber,
                )
            )
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
        sumber=getattr(old, "sumber", None),
        valid_to_run=run_id,
        valid_to=now,
        change=change,
    )
