"""The clock. The only place that reads the current time, so tests can freeze it.

The demo data tells a story that happened in the past: ``clock_at`` makes ``now_utc`` (and so
``today_local``, the column defaults and every service) read a given moment for the code inside the
``with`` block only. It is a context variable, so it never leaks into other requests or threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: Times are stored in UTC and shown and planned in this zone.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

#: A moment that replaces the real clock (only while ``clock_at`` is active).
_override: ContextVar[datetime | None] = ContextVar("werkbrug_clock_override", default=None)


def now_utc() -> datetime:
    """The current instant, timezone-aware in UTC (or the moment ``clock_at`` set)."""
    moment = _override.get()
    if moment is not None:
        return moment
    return datetime.now(UTC)


def today_local() -> date:
    """Today's calendar date in the Netherlands."""
    return now_utc().astimezone(LOCAL_TZ).date()


@contextmanager
def clock_at(moment: datetime) -> Iterator[datetime]:
    """Let ``now_utc`` return ``moment`` inside the block (for the demo's history; never in a request)."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs a timezone-aware moment")
    token = _override.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _override.reset(token)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime (as SQLite returns them) or convert an aware one."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)
