"""The Dutch working-day calendar: public holidays and working-day arithmetic. Pure functions, no database.

A working day is Monday to Friday and not one of the generally observed Dutch public holidays
(Nieuwjaarsdag, Easter, Koningsdag, Bevrijdingsdag, Hemelvaartsdag, Whitsun and Christmas). Goede Vrijdag
is not among them: most employers work that day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

#: Saturday and Sunday (date.weekday()).
WEEKEND = (5, 6)


def easter_sunday(year: int) -> date:
    """Easter Sunday of ``year`` by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def kings_day(year: int) -> date:
    """Koningsdag: 27 April, or Saturday 26 April when the 27th is a Sunday."""
    day = date(year, 4, 27)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The holidays in date order; two on one day (Hemelvaart on 5 May, as in 2016) share one entry."""
    easter = easter_sunday(year)
    days: dict[date, list[str]] = {}
    for day, name in (
        (date(year, 1, 1), "Nieuwjaarsdag"),
        (easter, "Eerste Paasdag"),
        (easter + timedelta(days=1), "Tweede Paasdag"),
        (kings_day(year), "Koningsdag"),
        (date(year, 5, 5), "Bevrijdingsdag"),
        (easter + timedelta(days=39), "Hemelvaartsdag"),
        (easter + timedelta(days=49), "Eerste Pinksterdag"),
        (easter + timedelta(days=50), "Tweede Pinksterdag"),
        (date(year, 12, 25), "Eerste Kerstdag"),
        (date(year, 12, 26), "Tweede Kerstdag"),
    ):
        days.setdefault(day, []).append(name)
    return tuple((day, " en ".join(names)) for day, names in sorted(days.items()))


def dutch_public_holidays(year: int) -> dict[date, str]:
    """The generally observed Dutch public holidays of ``year``: {date: Dutch name}, in date order."""
    return dict(_holidays(year))


def holiday_name(day: date) -> str | None:
    """The name of the public holiday on ``day``, or None."""
    return dict(_holidays(day.year)).get(day)


def is_holiday(day: date) -> bool:
    return holiday_name(day) is not None


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Dutch public holiday."""
    return day.weekday() not in WEEKEND and not is_holiday(day)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def last_working_day_of_week(day: date) -> date | None:
    """The last working day in ``day``'s ISO week (Monday to Sunday), or None when the week has none."""
    monday = week_start(day)
    for offset in range(4, -1, -1):  # Friday back to Monday
        candidate = monday + timedelta(days=offset)
        if is_working_day(candidate):
            return candidate
    return None


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after ``day`` (before it when n is negative); ``day`` itself when n is 0."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    So ``working_days_between(d, add_working_days(d, n)) == n`` for every working day ``d``.
    """
    if end < start:
        return -working_days_between(end, start)
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() not in WEEKEND:
            count += 1
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday, _ in _holidays(year)
        if start < holiday <= end and holiday.weekday() not in WEEKEND
    )
    return count - holidays_on_weekdays
