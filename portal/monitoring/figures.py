"""Pure arithmetic for the dashboard: periods, cohorts and percentiles. No database."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portal.core.filters import MONTHS


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago up to today."""
    return add_months(today, -11), today


def cohort_code(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def cohort_label(code: str) -> str:
    year, month = (int(part) for part in code.split("-"))
    return f"{MONTHS[month - 1]} {year}"


def parse_cohort(code: str | None) -> tuple[int, int] | None:
    """'2026-03' → (2026, 3); anything else None."""
    if not code or len(code) != 7 or code[4] != "-":
        return None
    year, month = code[:4], code[5:]
    if not (year.isdigit() and month.isdigit()):
        return None
    if not 1 <= int(month) <= 12:
        return None
    return int(year), int(month)


def cohorts_between(start: date, end: date) -> list[str]:
    """Every month from ``start`` to ``end`` (both included), oldest first."""
    codes, month = [], month_start(start)
    while month <= end:
        codes.append(cohort_code(month.year, month.month))
        month = add_months(month, 1)
    return codes


@dataclass(frozen=True)
class Period:
    """The dates the figures are about: aanmelding from ``start`` to ``end`` (both included), optionally
    only one cohort (month of aanmelding) within them."""

    start: date
    end: date
    cohort: str | None = None

    @property
    def first(self) -> date:
        if self.cohort:
            year, month = parse_cohort(self.cohort)
            return max(self.start, date(year, month, 1))
        return self.start

    @property
    def last(self) -> date:
        if self.cohort:
            year, month = parse_cohort(self.cohort)
            return min(self.end, month_end(date(year, month, 1)))
        return self.end

    def args(self) -> dict[str, str]:
        """The query string that names this period (for links to the lists behind a figure)."""
        values = {"van": self.start.isoformat(), "tot": self.end.isoformat()}
        if self.cohort:
            values["cohort"] = self.cohort
        return values


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The percentile by linear interpolation between the closest ranks (as PostgreSQL's
    percentile_cont); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of a list of waiting times, and how many there were."""

    count: int
    median: float | None
    p90: float | None


def spread(values: Sequence[float]) -> Spread:
    return Spread(len(values), percentile(values, 0.5), percentile(values, 0.9))


def share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage (None when there is no whole)."""
    return None if not whole else 100.0 * part / whole


def format_number(value: float | None, decimals: int = 1) -> str:
    """A Dutch number: decimal comma, no trailing ",0"; a dash for nothing."""
    if value is None:
        return "–"
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_share(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 0)}%"
