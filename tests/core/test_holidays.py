"""The Dutch working-day calendar: known holidays 2024–2030 and working-day arithmetic (property-based)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.core.holidays import (
    add_working_days,
    dutch_public_holidays,
    easter_sunday,
    holiday_name,
    is_working_day,
    last_working_day_of_week,
    week_start,
    working_days_between,
)

EASTER = {
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
}

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
working_dates = dates.filter(is_working_day)
steps = st.integers(min_value=-400, max_value=400)


@pytest.mark.parametrize(("year", "easter"), EASTER.items())
def test_easter_by_the_anonymous_gregorian_algorithm(year, easter):
    assert easter_sunday(year) == easter
    assert easter.weekday() == 6


def test_the_holidays_of_2026():
    assert dutch_public_holidays(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 5): "Eerste Paasdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 24): "Eerste Pinksterdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2024, 5, 9), "Hemelvaartsdag"),
        (date(2024, 5, 20), "Tweede Pinksterdag"),
        (date(2025, 4, 26), "Koningsdag"),  # the 27th is a Sunday: the Saturday before
        (date(2025, 5, 29), "Hemelvaartsdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2027, 3, 29), "Tweede Paasdag"),
        (date(2028, 5, 25), "Hemelvaartsdag"),
        (date(2029, 5, 21), "Tweede Pinksterdag"),
        (date(2030, 5, 30), "Hemelvaartsdag"),
        (date(2030, 12, 26), "Tweede Kerstdag"),
        (date(2016, 5, 5), "Bevrijdingsdag en Hemelvaartsdag"),  # two on one day count once
    ],
)
def test_known_holidays(day, name):
    assert holiday_name(day) == name
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 3),  # Goede Vrijdag is not a general holiday
        date(2025, 4, 25),  # Friday before Koningsdag 2025 (on Saturday 26 April)
        date(2025, 4, 28),  # Monday after it
        date(2026, 12, 24),  # Christmas Eve
        date(2026, 12, 31),  # New Year's Eve
    ],
)
def test_ordinary_weekdays_are_working_days(day):
    assert holiday_name(day) is None
    assert is_working_day(day)


def test_every_year_has_ten_holidays_each_in_its_year():
    for year in range(2024, 2031):
        holidays = dutch_public_holidays(year)
        assert len(holidays) == 10
        assert all(day.year == year for day in holidays)
        assert list(holidays) == sorted(holidays)


def test_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday
    assert is_working_day(date(2026, 3, 9))  # Monday


@pytest.mark.parametrize(
    ("day", "last"),
    [
        (date(2026, 3, 9), date(2026, 3, 13)),  # an ordinary week: Friday
        (date(2026, 3, 15), date(2026, 3, 13)),  # Sunday belongs to the same ISO week
        (date(2026, 12, 21), date(2026, 12, 24)),  # Christmas on Friday: Thursday
        (date(2026, 5, 14), date(2026, 5, 15)),  # Hemelvaart on Thursday: still Friday
        (date(2025, 5, 5), date(2025, 5, 9)),  # Bevrijdingsdag on Monday
    ],
)
def test_last_working_day_of_week(day, last):
    assert last_working_day_of_week(day) == last


@pytest.mark.parametrize(
    ("day", "n", "result"),
    [
        (date(2026, 3, 13), 0, date(2026, 3, 13)),
        (date(2026, 3, 14), 0, date(2026, 3, 14)),  # 0 never moves, even from a Saturday
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday + 1 = Monday
        (date(2026, 3, 16), -1, date(2026, 3, 13)),
        (date(2026, 12, 23), 1, date(2026, 12, 24)),
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # over Christmas and the weekend
        (date(2026, 4, 2), 1, date(2026, 4, 3)),  # Goede Vrijdag is a working day
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # over Easter Monday
        (date(2026, 5, 15), -10, date(2026, 4, 29)),  # back over Hemelvaart and 5 May
    ],
)
def test_add_working_days(day, n, result):
    assert add_working_days(day, n) == result


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 9), date(2026, 3, 13), 4),
        (date(2026, 3, 13), date(2026, 3, 9), -4),
        (date(2026, 12, 21), date(2026, 12, 31), 7),  # without Christmas Friday
        (date(2025, 12, 31), date(2026, 12, 31), 254),  # 261 weekdays, 7 of them holidays
    ],
)
def test_working_days_between(start, end, count):
    assert working_days_between(start, end) == count


@given(dates)
def test_a_working_day_is_never_a_weekend_or_a_holiday(day):
    if is_working_day(day):
        assert day.weekday() < 5
        assert day not in dutch_public_holidays(day.year)
    else:
        assert day.weekday() >= 5 or holiday_name(day) is not None


@given(working_dates, steps)
def test_adding_then_subtracting_returns_the_start(day, n):
    later = add_working_days(day, n)
    assert is_working_day(later) or n == 0
    assert add_working_days(later, -n) == day
    assert working_days_between(day, later) == n


@given(dates, steps)
def test_working_days_between_counts_like_stepping_one_day_at_a_time(day, days):
    other = day + timedelta(days=days)
    start, end = sorted((day, other))
    slow = sum(is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))
    assert working_days_between(start, end) == slow
    assert working_days_between(end, start) == -slow


@given(dates)
def test_last_working_day_is_a_working_day_in_the_same_week(day):
    last = last_working_day_of_week(day)
    assert last is not None  # every real Dutch week has one
    assert week_start(last) == week_start(day)
    assert last.isocalendar()[:2] == day.isocalendar()[:2]
    assert is_working_day(last)
    following = [last + timedelta(days=i) for i in range(1, 7 - last.weekday())]
    assert not any(is_working_day(d) for d in following)
