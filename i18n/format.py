"""Numbers, percentages, dates and months in the page's language, by Babel's CLDR data:
"1.234,5" and "28 Nov 2026 07.15 WIB" on Indonesian pages, "1,234.5" and "Nov 28, 2026,
7:15 AM WIB" on English ones. CSV and API answers never come through here: they carry plain
machine values.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime, get_month_names
from babel.numbers import NumberPattern, parse_pattern

from i18n.catalogue import MissingTranslation, t

MISSING = "–"  # shown where a number or a date is not known
# a space before "%" on Indonesian pages, as they have always read ("12,3 %"); CLDR's id
# pattern has none. Other languages take CLDR's own percent pattern.
PERCENT_SPACED = frozenset({"id"})


def _jakarta() -> timezone | ZoneInfo:
    try:
        return ZoneInfo("Asia/Jakarta")
    except ZoneInfoNotFoundError:  # no tz database: WIB has been UTC+7 without DST since 1964
        return timezone(timedelta(hours=7), "WIB")


WIB = _jakarta()


@functools.cache
def locale_of(lang: str) -> Locale:
    """The CLDR locale of a page language ("id", "en")."""
    try:
        return Locale.parse(lang)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        raise MissingTranslation(f"no CLDR data for language {lang!r}") from None


def _is_missing(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float) and math.isnan(x)


@functools.cache
def _decimal_pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@functools.cache
def _percent_affixes(lang: str) -> tuple[str, str]:
    """What CLDR puts before and after a positive percentage ("", "%" for id and en)."""
    loc = locale_of(lang)
    pattern = parse_pattern(loc.percent_formats[None].pattern)
    sign = loc.number_symbols["latn"]["percentSign"]
    prefix, suffix = (a.replace("%", sign) for a in (pattern.prefix[0], pattern.suffix[0]))
    if lang in PERCENT_SPACED and suffix.startswith(sign):
        suffix = " " + suffix
    return prefix, suffix


def _apply(pattern: NumberPattern, value: float, lang: str) -> str:
    # Decimal(value) is the float's exact value: it rounds as Python's own formatting does
    # (half to even on the binary value: 0.125 → "0,12", 2.675 → "2,67")
    text = pattern.apply(Decimal(value), locale_of(lang))
    minus = locale_of(lang).number_symbols["latn"]["minusSign"]
    if text.startswith(minus) and not any(c in "123456789" for c in text):
        text = text[len(minus) :]  # a small negative rounded to zero is "0", not "-0"
    return text


def _number(x: object) -> float | None | str:
    if _is_missing(x):
        return None
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    return None if math.isnan(value) else value


def format_number(x: object, lang: str, decimals: int = 0) -> str:
    """1234.5 → "1.235" (id, decimals=0) or "1,234.50" (en, decimals=2); missing → "–"."""
    value = _number(x)
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    return _apply(_decimal_pattern(decimals), value, lang)


def format_percent(x: object, lang: str, decimals: int = 1) -> str:
    """A percentage (12.34, not 0.1234): "12,3 %" (id), "12.3%" (en); missing → "–"."""
    value = _number(x)
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    # the number as format_number rounds it (never value / 100 × 100 in binary), then CLDR's
    # percent sign where the language puts it
    prefix, suffix = _percent_affixes(lang)
    return prefix + _apply(_decimal_pattern(decimals), value, lang) + suffix


def number_symbols(lang: str) -> tuple[str, str]:
    """(decimal mark, thousands separator) of the language: (",", ".") for id."""
    symbols = locale_of(lang).number_symbols["latn"]
    return symbols["decimal"], symbols["group"]


def plotly_separators(lang: str) -> str:
    """Plotly's `separators` (decimal mark, then thousands) for the language's figures."""
    return "".join(number_symbols(lang))


def month_abbr(month: int, lang: str) -> str:
    """The month's abbreviated name (1 = January): "Agu" (id), "Aug" (en)."""
    return _months(lang)[month - 1]


@functools.cache
def _months(lang: str) -> tuple[str, ...]:
    names = get_month_names("abbreviated", locale=locale_of(lang))
    return tuple(names[m] for m in range(1, 13))


def name_list(items: Sequence[str], limit: int = 12, total: int | None = None) -> str:
    """A readable list of names, shortened after `limit`: "A, B, … (+3)"; `total`: how many
    there are when `items` holds only the first ones."""
    count = len(items) if total is None else total
    shown = ", ".join(items[:limit])
    return shown + (f", … (+{count - limit})" if count > limit else "")


def to_utc(ts: object) -> datetime | None:
    """A timezone-aware UTC datetime from a datetime, Timestamp or ISO string; naive = UTC."""
    if _is_missing(ts):
        return None
    stamp = pd.Timestamp(ts)  # type: ignore[arg-type]
    if pd.isna(stamp):
        return None
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    return stamp.tz_convert(UTC).to_pydatetime()


@functools.cache
def _datetime_pattern(lang: str) -> str:
    """The language's medium date with its short time ("d MMM y HH.mm" for id): CLDR's
    yMMMd skeleton and short time, joined as the locale joins a date and a time."""
    loc = locale_of(lang)
    date = loc.datetime_skeletons["yMMMd"].pattern
    time = loc.time_formats["short"].pattern
    return loc.datetime_formats["medium"].replace("{1}", date).replace("{0}", time)


def format_date(ts: object, lang: str) -> str:
    """A UTC moment in Jakarta time: "28 Nov 2026 07.15 WIB" (id), "Nov 28, 2026, 7:15 AM
    WIB" (en); the zone's name is the catalogue's (tanggal.format)."""
    moment = to_utc(ts)
    if moment is None:
        return MISSING
    local = moment.astimezone(WIB).replace(tzinfo=None)  # shown as Jakarta's wall clock
    when = format_datetime(local, _datetime_pattern(lang), locale=locale_of(lang))
    return t("tanggal.format", lang, waktu=when)
