"""A resident's age exactly as OpenSID's statistics compute it, so pushed and pulled agree.

OpenSID 2508 counts age brackets in MySQL with
`DATE_FORMAT(FROM_DAYS(TO_DAYS(NOW()) - TO_DAYS(tanggallahir)), '%Y') + 0`: the days lived,
read as a date counted from year 0, of which the year is taken. That is not the age by
birthday: leap days are counted from year 4 of that calendar, not from the birth year, so on
their birthday many residents are still a year younger (born 2000-03-01, on 2026-03-01 this
gives 25). MySQL gives the zero date (year 0) for 365 days or fewer, and for a birth date in
the future. Below are MySQL's own day-number rules (calc_daynr / get_date_from_daynr).
"""

from __future__ import annotations

from datetime import date

_LAST_DAYNR = 3652500  # MySQL's FROM_DAYS gives the zero date from here on


def _days_in_year(year: int) -> int:
    """MySQL's year length; its year 0 has 365 days."""
    leap = (year & 3) == 0 and (year % 100 != 0 or (year % 400 == 0 and year != 0))
    return 366 if leap else 365


def opensid_age(born: date, on: date) -> int:
    """The age OpenSID gives a resident born on `born`, on the day `on`."""
    days = on.toordinal() - born.toordinal()  # TO_DAYS(on) - TO_DAYS(born)
    if days <= 365 or days >= _LAST_DAYNR:
        return 0
    year = days * 100 // 36525
    day_of_year = days - year * 365 - (year - 1) // 4 + (((year - 1) // 100 + 1) * 3) // 4
    while day_of_year > (length := _days_in_year(year)):
        day_of_year -= length
        year += 1
    return year
