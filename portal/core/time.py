"""The clock. The only place that reads the current time, so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: Times are stored in UTC and shown and planned in this zone.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def now_utc() -> datetime:
    """The current instant, timezone-aware in UTC."""
    return datetime.now(UTC)


def today_local() -> date:
    """Today's calendar date in the Netherlands."""
    return now_utc().astimezone(LOCAL_TZ).date()


def as_utc(value: datetime) -> datetime:
    """Attach UTC to a naive datetime (as SQLite returns them) or convert an aware one."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)
