"""The aftercare plan as pure functions: which check-ins, due on which working day, until when."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from portal.core.holidays import is_working_day


class PlannedCheckIn(NamedTuple):
    number: int
    week: int
    due_date: date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def aftercare_end(start: date, months: int) -> date:
    """The last day of the aftercare period that begins on ``start``."""
    return add_months(start, months) - timedelta(days=1)


def parse_weeks(text: str) -> tuple[int, ...]:
    """ "1 2 4" → (1, 2, 4): sorted, unique, positive week numbers; anything else is left out."""
    weeks = {int(part) for part in text.replace(",", " ").split() if part.isdigit() and int(part) > 0}
    return tuple(sorted(weeks))


def _working_day_near(day: date, first: date, last: date) -> date | None:
    """``day`` if it is a working day, else the next one; the previous one when that falls after ``last``."""
    forward = day
    while not is_working_day(forward):
        forward += timedelta(days=1)
    if forward <= last:
        return forward
    backward = day
    while backward >= first and not is_working_day(backward):
        backward -= timedelta(days=1)
    return backward if backward >= first else None


def checkin_plan(start: date, weeks: Iterable[int], months: int) -> list[PlannedCheckIn]:
    """The check-ins for an aftercare period beginning on ``start`` (the contract's first day).

    Week ``w`` is due ``w`` weeks after the start, moved to the next working day (Dutch public holidays
    excluded), or to the previous one when the next lies beyond the period. Weeks that end up outside
    [start, end of the period], or on the same day as an earlier check-in, are left out. Dates only: the
    plan is the same in every time zone and on daylight-saving days.
    """
    last = aftercare_end(start, months)
    plan: list[PlannedCheckIn] = []
    for week in sorted(set(weeks)):
        if week <= 0:
            continue
        target = start + timedelta(weeks=week)
        if target > last:
            continue
        due = _working_day_near(target, start, last)
        if due is None or (plan and due <= plan[-1].due_date):
            continue
        plan.append(PlannedCheckIn(len(plan) + 1, week, due))
    return plan
