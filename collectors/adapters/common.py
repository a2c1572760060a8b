"""Parsing helpers every adapter shares: counts, statistics, the sum rule."""

from __future__ import annotations

import math
import re
from functools import cache
from operator import attrgetter

from collectors.model import CategoryRow, Counts, PayloadError, Statistic
from warehouse.bounds import KODE, LABEL

# The bounds every adapter holds a village's answer to (issue 10: one village with 150,000
# categories made the kabupaten's pages take minutes). Lengths are the warehouse's columns
# (warehouse.bounds); the others are ours, far above any real village.
MAX_CATEGORIES = 1000  # categories of one statistic: OpenSID's longest table (pekerjaan) has 89
MAX_ITEMS = 2000  # items of one other dataset: APBDes accounts, projects, aid programmes
MAX_COUNT = 10**12  # one count of people, families or households
MAX_AMOUNT = 10**15  # one amount in rupiah (a village's budget is some 10**9)
MAX_LABEL = LABEL  # a category's label
MAX_KODE = KODE  # a category's or item's code

_INT_STRING = re.compile(r"^\s*-?\d+\s*$")
_RANGE = re.compile(r"(\d+)\s*(?:s/d|-|–|sampai)\s*(\d+)", re.IGNORECASE)
_ABOVE = re.compile(r"(?:di\s*atas|>=|≥|lebih dari)\s*(\d+)", re.IGNORECASE)
_BELOW = re.compile(r"(?:di\s*bawah|<)\s*(\d+)", re.IGNORECASE)


def parse_count(value: object, where: str, *, allow_string: bool = True) -> int:
    """An integer count ≥ 0; OpenSID may send "424" as a string."""
    if isinstance(value, bool):
        raise PayloadError(
            f"{where}: count {value!r} is not a number",
            code="count.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    if isinstance(value, float) and not math.isfinite(value):
        # NaN, Infinity and 1e309 (json reads them all as floats)
        raise PayloadError(
            f"{where}: count {value!r} is not a number",
            code="count.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif allow_string and isinstance(value, str) and _INT_STRING.match(value):
        number = int(value)
    else:
        raise PayloadError(
            f"{where}: count {value!r} is not a whole number",
            code="count.not_whole",
            params={"tempat": where, "nilai": repr(value)[:40]},
        )
    if number < 0:
        raise PayloadError(
            f"{where}: negative count {number}",
            code="count.negative",
            params={"tempat": where, "nilai": number},
        )
    if number > MAX_COUNT:
        raise PayloadError(
            f"{where}: count {str(number)[:40]} is more than {MAX_COUNT:,}",
            code="count.too_large",
            params={"tempat": where, "nilai": str(number)[:40], "batas": MAX_COUNT},
        )
    return number


def check_amount(value: float, where: str) -> float:
    """An amount already read as a number: finite, ≥ 0 and at most MAX_AMOUNT (NaN,
    Infinity and 1e309 are refused, never stored as "Rp inf")."""
    if not math.isfinite(value):
        raise PayloadError(
            f"{where}: amount {value!r} is not a finite number",
            code="amount.not_number",
            params={"tempat": where, "nilai": repr(value)},
        )
    if value < 0:
        raise PayloadError(
            f"{where}: negative amount {value:,.0f}",
            code="amount.negative",
            params={"tempat": where, "nilai": round(value)},
        )
    if value > MAX_AMOUNT:
        raise PayloadError(
            f"{where}: amount {value:,.0f} is more than {MAX_AMOUNT:,}",
            code="amount.too_large",
            params={"tempat": where, "nilai": f"{value:.6g}", "batas": MAX_AMOUNT},
        )
    return value + 0.0  # no negative zero


def check_many(count: int, where: str, limit: int = MAX_CATEGORIES) -> None:
    """Refuse a statistic with more than `limit` categories before reading them."""
    if count > limit:
        raise PayloadError(
            f"{where}: {count} rows, more than {limit} categories",
            code="category.too_many",
            params={"tempat": where, "jumlah": count, "batas": limit},
        )


def check_items(count: int, where: str, limit: int = MAX_ITEMS) -> None:
    """Refuse a list (APBDes lines, projects, programmes) longer than `limit` items."""
    if count > limit:
        raise PayloadError(
            f"{where}: {count} items, more than {limit}",
            code="items.too_many",
            params={"tempat": where, "jumlah": count, "batas": limit},
        )


def text_field(value: object, where: str, limit: int) -> str:
    """A short text field (a code, a label, a name), stripped; None is empty, numbers are
    read as their digits; anything else, or a text over `limit` characters, is refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = str(value)
    elif isinstance(value, int):
        value = str(value)
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value)
    if not isinstance(value, str):
        raise PayloadError(
            f"{where}: expected text, got {type(value).__name__}",
            code="field.not_text",
            params={"tempat": where, "tipe": type(value).__name__},
        )
    text = value.strip()
    if len(text) > limit:
        raise PayloadError(
            f"{where}: {len(text)} characters, more than {limit}",
            code="field.too_long",
            params={"tempat": where, "jumlah": len(text), "batas": limit},
        )
    return text


def plain_counts(total: object, laki: object, perempuan: object) -> Counts | None:
    """The usual answer, three whole numbers ≥ 0, as Counts without building a message per
    count (a first sweep reads ~44,000 of them); None sends the caller the careful way, which
    names what is wrong (bool is not int)."""
    if (
        type(total) is int
        and type(laki) is int
        and type(perempuan) is int
        and 0 <= total <= MAX_COUNT
        and 0 <= laki <= MAX_COUNT
        and 0 <= perempuan <= MAX_COUNT
    ):
        return Counts(total, laki, perempuan)
    return None


def parse_counts(obj: object, where: str, *, keys=("total", "laki", "perempuan"), **kw) -> Counts:
    if not isinstance(obj, dict):
        raise PayloadError(
            f"{where}: expected an object with {', '.join(keys)}",
            code="payload.expected_counts",
            params={"tempat": where, "field": ", ".join(keys)},
        )
    k_total, k_laki, k_perempuan = keys
    total, laki, perempuan = obj.get(k_total), obj.get(k_laki), obj.get(k_perempuan)
    plain = plain_counts(total, laki, perempuan)
    if plain is not None:
        return plain
    return Counts(
        parse_count(total, f"{where}.{k_total}", **kw),
        parse_count(laki, f"{where}.{k_laki}", **kw),
        parse_count(perempuan, f"{where}.{k_perempuan}", **kw),
    )


def age_range(label: str) -> tuple[int | None, int | None]:
    """Age bounds read from a bracket label such as '5 s/d 9 Tahun' or 'Di atas 75 Tahun'."""
    if m := _RANGE.search(label):
        return int(m.group(1)), int(m.group(2))
    if m := _ABOVE.search(label):
        return int(m.group(1)), None
    if m := _BELOW.search(label):
        return 0, max(int(m.group(1)) - 1, 0)
    return None, None


def check_sums(stat: Statistic, where: str) -> None:
    """Rows plus not-filled-in must add up to the total, for total, male and female."""
    counts = [r.counts for r in stat.rows]
    for field, name in (("jumlah", "total"), ("laki_laki", "laki"), ("perempuan", "perempuan")):
        rows = sum(map(attrgetter(field), counts))
        belum = getattr(stat.belum_mengisi, field)
        total = getattr(stat.total, field)
        if rows + belum != total:
            raise PayloadError(
                f"{where}: rows ({rows}) + belum mengisi ({belum}) = {rows + belum}, "
                f"but {name} is {total}",
                code="sum.rows_total",
                params={"tempat": where, "baris": rows, "belum": belum, "jumlah": rows + belum,
                        "kolom": name, "total": total},
            )  # fmt: skip


def check_overlapping(stat: Statistic, where: str) -> None:
    """Aid programmes: a recipient of two programmes is in two rows but counted once in the
    source's own sum (jumlah), so only jumlah ≤ the rows' sum and jumlah ≤ total can hold."""
    if stat.jumlah is None:
        raise PayloadError(
            f"{where}: no JUMLAH (666) row: the number of distinct recipients",
            code="sum.no_recipients",
            params={"tempat": where},
        )
    for field, name in (("jumlah", "total"), ("laki_laki", "laki"), ("perempuan", "perempuan")):
        rows = sum(getattr(r.counts, field) for r in stat.rows)
        distinct = getattr(stat.jumlah, field)
        if distinct > rows:
            raise PayloadError(
                f"{where}: {distinct} distinct recipients ({name}) but the programmes' rows "
                f"add up to only {rows}",
                code="sum.recipients_over_rows",
                params={"tempat": where, "penerima": distinct, "kolom": name, "baris": rows},
            )


def make_statistic(
    slug: str,
    rows: list[CategoryRow],
    belum: Counts,
    total: Counts,
    where: str,
    *,
    jumlah: Counts | None = None,
) -> Statistic:
    """A checked Statistic: rows + belum mengisi = total, or for the catalogue's overlapping
    (aid programme) statistics the weaker rule of check_overlapping. Every adapter's
    statistics come through here: at most MAX_CATEGORIES categories, codes and labels
    within the warehouse's columns."""
    check_many(len(rows), where)
    too_long = rows and (
        max(len(r.kode) for r in rows) > MAX_KODE or max(len(r.label) for r in rows) > MAX_LABEL
    )
    for r in rows if too_long else ():
        for name, text, limit in (("kode", r.kode, MAX_KODE), ("label", r.label, MAX_LABEL)):
            if len(text) > limit:
                at = f"{where}, kode {r.kode[:20]}, {name}"
                raise PayloadError(
                    f"{at}: {len(text)} characters, more than {limit}",
                    code="field.too_long",
                    params={"tempat": at, "jumlah": len(text), "batas": limit},
                )
    codes = [r.kode for r in rows]
    dupes = {c for c in codes if codes.count(c) > 1} if len(set(codes)) != len(codes) else ()
    if dupes:
        shown = ", ".join(sorted(dupes))
        raise PayloadError(
            f"{where}: duplicate category code(s) {shown}",
            code="category.duplicate",
            params={"tempat": where, "kode": shown},
        )
    if _additive(slug):
        stat = Statistic(slug=slug, rows=tuple(rows), belum_mengisi=belum, total=total)
        check_sums(stat, where)
    else:
        stat = Statistic(slug, tuple(rows), belum_mengisi=belum, total=total, jumlah=jumlah)
        check_overlapping(stat, where)
    return stat


def unknown_codes_warning(stat: Statistic) -> str | None:
    """Category codes the catalogue does not know: kept, and said so."""
    known = _known_codes(stat.slug)
    if not known:  # age brackets, suku and programmes are the village's own
        return None
    unknown = [f"{r.kode} ({r.label[:60]})" for r in stat.rows if r.kode not in known]
    if not unknown:
        return None
    more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
    shown = ", ".join(unknown[:20])
    return f"statistik {stat.slug}: unknown category code(s) kept: {shown}{more}"


@cache
def _additive(slug: str) -> bool:
    from config.statistik import BY_SLUG

    return slug not in BY_SLUG or BY_SLUG[slug].additive


@cache
def _known_codes(slug: str) -> frozenset[str]:
    from config.statistik import BY_SLUG

    stat = BY_SLUG.get(slug)
    if stat is None or not stat.fixed_codes:
        return frozenset()
    return frozenset(code for code, _ in stat.codes)


def check_budget_tree(amounts: dict, children: dict, name_of: dict, where: str) -> None:
    """APBDes: a parent account's anggaran and realisasi must equal the sums of its children.

    `amounts` maps an account to (anggaran, realisasi), `children` an account to its child
    accounts, `name_of` an account to how the error names it (code or uraian).
    """
    for account, kids in children.items():
        if not kids or account not in amounts:
            continue
        own = amounts[account]
        for i, measure in enumerate(("anggaran", "realisasi")):
            total = sum(amounts[k][i] for k in kids)
            if abs(own[i] - total) > 0.5:
                raise PayloadError(
                    f"{where}, {name_of[account]}: {measure} {own[i]:,.0f} is not the sum of "
                    f"its sub-accounts ({total:,.0f})",
                    code="apbdes.not_sum",
                    params={"tempat": f"{where}, {name_of[account]}", "ukuran": measure,
                            "nilai": round(own[i]), "jumlah": round(total)},
                )  # fmt: skip
