"""Parsing helpers every adapter shares: counts, statistics, the sum rule."""

from __future__ import annotations

import re
from functools import cache
from operator import attrgetter

from collectors.model import CategoryRow, Counts, PayloadError, Statistic

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
    return number


def plain_counts(total: object, laki: object, perempuan: object) -> Counts | None:
    """The usual answer, three whole numbers ≥ 0, as Counts without building a message per
    count (a first sweep reads ~44,000 of them); None sends the caller the careful way, which
    names what is wrong (bool is not int)."""
    if (
        type(total) is int
        and type(laki) is int
        and type(perempuan) is int
        and total >= 0
        and laki >= 0
        and perempuan >= 0
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
    (aid programme) statistics the weaker rule of check_overlapping."""
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
    unknown = [f"{r.kode} ({r.label})" for r in stat.rows if r.kode not in known]
    if not unknown:
        return None
    return f"statistik {stat.slug}: unknown category code(s) kept: {', '.join(unknown)}"


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
