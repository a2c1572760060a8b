"""The bounds of every value the warehouse stores, in one place, derived from its models.

A value the database would refuse (a label longer than its column, a count past BIGINT, a NUL
character PostgreSQL cannot store) must never reach SQL: on PostgreSQL it would abort the
transaction, on SQLite it would be stored as it came (SQLite does not enforce VARCHAR lengths),
so the two databases would disagree. Every dataset is checked here before its diff is planned
(`check_rows`), the same on both databases; a value out of bounds fails that dataset with a
reason (`BoundError`), and the village's other datasets land. The collectors read their limits
from here too (labels, codes, periods, ETags, system versions), so an adapter can refuse a field
with its own reason before it gets this far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sqlalchemy import BigInteger, Integer, String, Table

from warehouse.models import Measurement, Observation, SourceState

INT32 = (-(2**31), 2**31 - 1)  # INTEGER on PostgreSQL (SQLite would take more)
INT64 = (-(2**63), 2**63 - 1)  # BIGINT, and SQLite's INTEGER
# a JSON object of descriptive fields (measurement.atribut, TEXT): our bound, not the database's
# (a page shows them whole; no village has a reason to send more)
ATRIBUT_CHARS = 4000


def length(table: Table, column: str) -> int:
    """The declared length of a VARCHAR column."""
    kind = table.c[column].type
    if not isinstance(kind, String) or kind.length is None:
        raise TypeError(f"{table.name}.{column} is not a VARCHAR with a length")
    return kind.length


_OBS = Observation.__table__
_MEAS = Measurement.__table__
_SOURCE = SourceState.__table__

# what the collectors check against (one name per limit, each the column's own)
KODE = length(_OBS, "kode")  # a category or item code (64; measurement.kode is the same)
LABEL = length(_OBS, "label")  # a population category's label (200)
MEASUREMENT_LABEL = length(_MEAS, "label")  # a project's, account's, programme's name (300)
PERIODE = length(_OBS, "periode")  # 16
UKURAN = length(_MEAS, "ukuran")  # 64
ETAG = length(_SOURCE, "etag")  # 200
SOURCE_APP = length(_SOURCE, "source_app")  # 64
SOURCE_VERSION = length(_SOURCE, "source_version")  # 64
assert length(_MEAS, "kode") == KODE, "observation.kode and measurement.kode differ"


class BoundError(ValueError):
    """A value the warehouse cannot store as it is: the message names the village, the dataset,
    the item and what was wrong; `code` and `params` say it for the pages (collectors.model's
    Reason)."""

    def __init__(self, message: str, *, code: str, params: Mapping[str, object]) -> None:
        super().__init__(message)
        self.code = code
        self.params = dict(params)


def _columns(table: Table, names: Sequence[str]) -> list[tuple[str, str, object]]:
    """(column, kind, bound) for the value columns of a table: text with its length,
    integers with their range, floats (finite), JSON text (ATRIBUT_CHARS)."""
    out = []
    for name in names:
        kind = table.c[name].type
        if name == "atribut":
            out.append((name, "json", ATRIBUT_CHARS))
        elif isinstance(kind, String) and kind.length:
            out.append((name, "text", kind.length))
        elif isinstance(kind, BigInteger):
            out.append((name, "int", INT64))
        elif isinstance(kind, Integer):
            out.append((name, "int", INT32))
        else:
            out.append((name, "float", None))
    return out


# the value columns of each table, as the adapters' rows carry them
OBSERVATION_COLUMNS = _columns(
    _OBS, ("kode", "label", "periode", "urutan", "dari", "sampai", "laki_laki", "perempuan",
           "jumlah"),
)  # fmt: skip
MEASUREMENT_COLUMNS = _columns(_MEAS, ("kode", "ukuran", "label", "periode", "nilai", "atribut"))
_NULLABLE = frozenset({"dari", "sampai", "laki_laki", "perempuan", "nilai", "atribut"})


def check_rows(kind: str, region: str, dataset: str, rows: Sequence) -> None:
    """Raise BoundError for the first value of `rows` (ObservationRow or MeasurementRow values,
    `kind` observation or measurement) the warehouse cannot store as it is.

    One pass per column with C-level checks (a first sweep lands ~50,000 rows): the offending
    row is looked for only once a column is known to hold one.
    """
    if not rows:
        return
    columns = OBSERVATION_COLUMNS if kind == "observation" else MEASUREMENT_COLUMNS
    level = "desa" if len(region) == 13 else "kecamatan"
    where = f"{level} {region}, dataset {dataset}"
    for name, sort, bound in columns:
        if sort == "json":
            values = [r.atribut_json() for r in rows]
        else:
            values = [getattr(r, name) for r in rows]
        if sort in ("text", "json"):
            _check_texts(values, rows, name, bound, where, nullable=name in _NULLABLE)
        elif sort == "int":
            _check_ints(values, rows, name, bound, where, nullable=name in _NULLABLE)
        else:
            _check_floats(values, rows, name, where)


def _item(row) -> str:
    kode = getattr(row, "kode", "")
    ukuran = getattr(row, "ukuran", None)
    periode = getattr(row, "periode", "")
    parts = [f"kode {str(kode)[:40]}" if kode not in ("", None) else ""]
    if periode:
        parts.append(f"periode {str(periode)[:20]}")
    if ukuran:
        parts.append(str(ukuran)[:40])
    return " ".join(p for p in parts if p) or "a value"


def _check_texts(values, rows, name, limit, where, *, nullable) -> None:
    present = [v for v in values if v is not None] if nullable else values
    if not all(type(v) is str for v in present):
        i = next(i for i, v in enumerate(values) if v is not None and type(v) is not str)
        raise BoundError(
            f"{where}, {_item(rows[i])}: {name} is a {type(values[i]).__name__}, not text",
            code="value.not_text",
            params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name,
                    "tipe": type(values[i]).__name__},
        )  # fmt: skip
    if not present:
        return
    if max(map(len, present)) > limit:
        i = next(i for i, v in enumerate(values) if v is not None and len(v) > limit)
        raise BoundError(
            f"{where}, {_item(rows[i])}: {name} is {len(values[i])} characters, more than the "
            f"{limit} the warehouse keeps",
            code="value.too_long",
            params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name,
                    "jumlah": len(values[i]), "batas": limit},
        )  # fmt: skip
    joined = "\n".join(present)
    if "\x00" in joined:
        i = next(i for i, v in enumerate(values) if v is not None and "\x00" in v)
        raise BoundError(
            f"{where}, {_item(rows[i])}: {name} holds a NUL character (\\x00), which "
            "PostgreSQL cannot store",
            code="value.nul",
            params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name},
        )
    if not joined.isascii():
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:
            i = next(i for i, v in enumerate(values) if v is not None and not _encodes(v))
            raise BoundError(
                f"{where}, {_item(rows[i])}: {name} is not valid Unicode (a lone surrogate, "
                "e.g. from a JSON \\ud800 escape)",
                code="value.not_unicode",
                params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name},
            ) from None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_ints(values, rows, name, bounds, where, *, nullable) -> None:
    present = [v for v in values if v is not None] if nullable else values
    if not all(type(v) is int for v in present):
        i = next(i for i, v in enumerate(values) if v is not None and type(v) is not int)
        raise BoundError(
            f"{where}, {_item(rows[i])}: {name} {str(values[i])[:40]!r} is not a whole number",
            code="value.not_integer",
            params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name,
                    "nilai": repr(values[i])[:40]},
        )  # fmt: skip
    if not present:
        return
    low, high = bounds
    if min(present) < low or max(present) > high:
        i = next(i for i, v in enumerate(values) if v is not None and not low <= v <= high)
        raise BoundError(
            f"{where}, {_item(rows[i])}: {name} {str(values[i])[:40]} is outside what the "
            f"warehouse stores ({low} to {high})",
            code="value.out_of_range",
            params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name,
                    "nilai": str(values[i])[:40], "batas": f"{low}..{high}"},
        )  # fmt: skip


def _check_floats(values, rows, name, where) -> None:
    for i, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise BoundError(
                f"{where}, {_item(rows[i])}: {name} {str(v)[:40]!r} is not a number",
                code="value.not_number",
                params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name,
                        "nilai": repr(v)[:40]},
            )  # fmt: skip
        if not math.isfinite(v):
            raise BoundError(
                f"{where}, {_item(rows[i])}: {name} {v!r} is not a finite number",
                code="value.not_finite",
                params={"tempat": f"{where}, {_item(rows[i])}", "kolom": name, "nilai": repr(v)},
            )


def text_fits(value: object, limit: int) -> bool:
    """A text a VARCHAR(limit) column of either database stores as it is."""
    return (
        isinstance(value, str) and len(value) <= limit and "\x00" not in value and _encodes(value)
    )


def etag_fits(value: object) -> bool:
    """An ETag we can keep and send back: printable ASCII (RFC 9110's entity-tag), at most the
    column's length."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= ETAG
        and value.isascii()
        and value.isprintable()
    )
