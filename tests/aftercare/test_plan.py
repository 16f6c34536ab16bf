"""The pure check-in plan: property-based over two years of start dates (DST days and holidays among
them), and the examples that show the rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from portal.aftercare.models import DEFAULT_AFTERCARE_MONTHS, DEFAULT_CHECKIN_WEEKS
from portal.aftercare.plan import PlannedCheckIn, add_months, aftercare_end, checkin_plan, parse_weeks
from portal.aftercare.settings import latest_week
from portal.core.holidays import dutch_public_holidays, is_working_day

FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)
#: Daylight saving time starts on 29 March 2026 and ends on 25 October 2026 (and 28 March / 31 October 2027).
DST_DAYS = (date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31))
HOLIDAYS = tuple(day for year in (2026, 2027) for day in dutch_public_holidays(year))

starts = st.one_of(st.dates(FIRST, LAST), st.sampled_from(DST_DAYS + HOLIDAYS))
months = st.integers(1, 24)


@st.composite
def fitting_plans(draw):
    """(start, weeks, months) where every week fits the period whatever the start (as settings allow)."""
    length = draw(months)
    weeks = draw(st.sets(st.integers(1, latest_week(length)), min_size=1, max_size=15))
    return draw(starts), weeks, length


def check_invariants(start: date, weeks, length: int, plan: list[PlannedCheckIn]) -> None:
    last = aftercare_end(start, length)
    assert [item.number for item in plan] == list(range(1, len(plan) + 1))
    assert all(is_working_day(item.due_date) for item in plan)
    assert all(start <= item.due_date <= last for item in plan)
    dues = [item.due_date for item in plan]
    assert dues == sorted(dues)
    assert len(set(dues)) == len(dues)
    plan_weeks = [item.week for item in plan]
    assert plan_weeks == sorted(set(plan_weeks))
    assert set(plan_weeks) <= set(weeks)
    for item in plan:
        # Never more than a few days from its week: over a weekend and the holidays next to it.
        assert abs((item.due_date - (start + timedelta(weeks=item.week))).days) <= 4


@settings(max_examples=400, deadline=None)
@given(fitting_plans())
@example((date(2026, 3, 29), frozenset(DEFAULT_CHECKIN_WEEKS), DEFAULT_AFTERCARE_MONTHS))
@example((date(2026, 10, 25), frozenset(DEFAULT_CHECKIN_WEEKS), DEFAULT_AFTERCARE_MONTHS))
@example((date(2026, 12, 18), frozenset(DEFAULT_CHECKIN_WEEKS), DEFAULT_AFTERCARE_MONTHS))
@example((date(2027, 1, 31), frozenset({1, 2, 3}), 1))
def test_every_configured_checkin_is_planned_on_a_working_day_inside_the_period(case):
    start, weeks, length = case
    plan = checkin_plan(start, weeks, length)
    assert len(plan) == len(weeks)
    check_invariants(start, weeks, length, plan)


@settings(max_examples=300, deadline=None)
@given(starts, st.sets(st.integers(-5, 120), max_size=20), months)
def test_any_weeks_give_a_valid_plan_without_the_weeks_that_do_not_fit(start, weeks, length):
    plan = checkin_plan(start, weeks, length)
    check_invariants(start, weeks, length, plan)
    last = aftercare_end(start, length)
    assert all(item.week > 0 and start + timedelta(weeks=item.week) <= last for item in plan)


@settings(max_examples=200, deadline=None)
@given(fitting_plans())
def test_the_plan_is_deterministic_and_ignores_order_and_duplicates(case):
    start, weeks, length = case
    assert checkin_plan(start, sorted(weeks, reverse=True) * 2, length) == checkin_plan(start, weeks, length)


@settings(max_examples=200, deadline=None)
@given(starts, st.integers(-60, 60))
def test_moving_the_start_moves_every_due_date_with_it(start, shift):
    moved = start + timedelta(days=shift)
    before = checkin_plan(start, DEFAULT_CHECKIN_WEEKS, DEFAULT_AFTERCARE_MONTHS)
    after = checkin_plan(moved, DEFAULT_CHECKIN_WEEKS, DEFAULT_AFTERCARE_MONTHS)
    assert [item.week for item in before] == [item.week for item in after] == list(DEFAULT_CHECKIN_WEEKS)
    for old, new in zip(before, after, strict=True):
        assert abs((new.due_date - old.due_date).days - shift) <= 4


def test_the_default_plan_from_a_monday_before_pinksteren():
    start = date(2026, 5, 18)
    assert checkin_plan(start, DEFAULT_CHECKIN_WEEKS, DEFAULT_AFTERCARE_MONTHS) == [
        PlannedCheckIn(1, 1, date(2026, 5, 26)),  # Monday 25 May is Tweede Pinksterdag
        PlannedCheckIn(2, 2, date(2026, 6, 1)),
        PlannedCheckIn(3, 4, date(2026, 6, 15)),
        PlannedCheckIn(4, 6, date(2026, 6, 29)),
        PlannedCheckIn(5, 8, date(2026, 7, 13)),
        PlannedCheckIn(6, 12, date(2026, 8, 10)),
        PlannedCheckIn(7, 16, date(2026, 9, 7)),
    ]


def test_christmas_and_new_year_move_to_the_next_working_day():
    plan = checkin_plan(date(2026, 12, 18), (1, 2), 4)
    assert [item.due_date for item in plan] == [date(2026, 12, 28), date(2027, 1, 4)]


def test_koningsdag_and_hemelvaart_are_skipped():
    assert checkin_plan(date(2026, 4, 20), (1,), 4)[0].due_date == date(
        2026, 4, 28
    )  # Koningsdag, Monday 27 April
    assert checkin_plan(date(2026, 5, 7), (1,), 4)[0].due_date == date(
        2026, 5, 15
    )  # Hemelvaart, Thursday 14 May


def test_weeks_after_the_end_of_the_period_are_left_out():
    # One month from Saturday 31 January 2026 ends on Friday 27 February: week 4 (Saturday 28) is out.
    assert checkin_plan(date(2026, 1, 31), (3, 4), 1) == [PlannedCheckIn(1, 3, date(2026, 2, 23))]
    # Week 3 from Sunday 1 February 2026 is Sunday 22 February: forward to Monday 23.
    assert checkin_plan(date(2026, 2, 1), (3,), 1)[0].due_date == date(2026, 2, 23)


def test_a_target_moves_back_when_the_next_working_day_is_after_the_period():
    # From Saturday 7 March 2026 one month ends on Monday 6 April (Tweede Paasdag). Week 4 is Saturday
    # 4 April; the next working day (Tuesday 7 April) lies outside, so it moves back to Friday 3 April.
    assert checkin_plan(date(2026, 3, 7), (4,), 1)[0].due_date == date(2026, 4, 3)
    # From Saturday 3 October 2026 the period ends on Monday 2 November: week 4 (Saturday 31 October)
    # moves forward to that Monday, which is still inside.
    assert checkin_plan(date(2026, 10, 3), (4,), 1)[0].due_date == date(2026, 11, 2)


def test_parse_weeks_and_add_months():
    assert parse_weeks("16, 1 2 2 x -3 0 4") == (1, 2, 4, 16)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert aftercare_end(date(2026, 5, 18), 4) == date(2026, 9, 17)


@pytest.mark.parametrize(("length", "weeks"), [(1, 3), (4, 17), (12, 52), (24, 104)])
def test_latest_week_fits_every_start(length, weeks):
    assert latest_week(length) == weeks
    for n in range(0, 4 * 366, 3):
        start = date(2025, 1, 1) + timedelta(days=n)
        assert start + timedelta(weeks=weeks) <= aftercare_end(start, length)
