"""Numbers and dates the Indonesian way: "1.234,5" and "28 Nov 2026 07.15 WIB"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from dashboard.i18n import DEFAULT_LANGUAGE, month_abbr, t

MISSING = "–"  # shown where a number or a date is not known


def _jakarta() -> timezone | ZoneInfo:
    try:
        return ZoneInfo("Asia/Jakarta")
    except ZoneInfoNotFoundError:  # no tz database: WIB has been UTC+7 without DST since 1964
        return timezone(timedelta(hours=7), "WIB")


WIB = _jakarta()


def _is_missing(x: object) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, float) and math.isnan(x)


def format_number(x: object, decimals: int = 0) -> str:
    """1234.5 → "1.235" (decimals=0) or "1.234,50" (decimals=2); missing → "–".

    Indonesian convention: "." groups thousands, "," marks decimals, whatever the locale.
    """
    if _is_missing(x):
        return MISSING
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    if text in ("-0", "-0." + "0" * decimals):  # rounding a small negative gives "-0"
        text = text[1:]
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


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


def format_date(ts: object, lang: str = DEFAULT_LANGUAGE) -> str:
    """A UTC moment in Jakarta time: "28 Nov 2026 07.15 WIB" (id), "28 Nov 2026, 07:15 WIB" (en)."""
    moment = to_utc(ts)
    if moment is None:
        return MISSING
    local = moment.astimezone(WIB)
    return t(
        "tanggal.format",
        lang,
        hari=local.day,
        bulan=month_abbr(local.month, lang),
        tahun=local.year,
        jam=f"{local.hour:02d}",
        menit=f"{local.minute:02d}",
    )
