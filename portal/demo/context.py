"""What every demo scenario needs: the municipality, its people, today, and the tally of rows created."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import Municipality
from portal.core.time import LOCAL_TZ, now_utc, today_local
from portal.demo.accounts import EMPLOYER_ACCOUNTS, JOBCOACH_EMAIL, find_user
from portal.extensions import db
from portal.placements.services import monday_of
from portal.requests.models import PlacementType


def at(day: date, hour: int = 10) -> datetime:
    """A moment on a local calendar day, in UTC (for backdated history rows), never later than now."""
    return min(datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC), now_utc())


@dataclass
class Demo:
    """One municipality's demo: who acts in it, today's date, and the rows created per kind."""

    municipality: Municipality
    contact: User
    jobcoach: User
    #: Employer KvK number → the employer account that writes its weekly logs.
    accounts: dict[str, User]
    today: date
    created: Counter
    types: dict[str, PlacementType] = field(default_factory=dict)

    def weeks_ago(self, weeks: int) -> date:
        """The Monday ``weeks`` weeks before this week's Monday."""
        return monday_of(self.today) - timedelta(weeks=weeks)


def demo_for(municipality: Municipality, contact: User, created: Counter) -> Demo | None:
    """The demo of ``municipality``, or None when its jobcoach or employer accounts are missing."""
    jobcoach = find_user(JOBCOACH_EMAIL)
    accounts = {kvk: find_user(email) for kvk, email in EMPLOYER_ACCOUNTS.items()}
    if jobcoach is None or any(user is None for user in accounts.values()):
        return None
    types = {
        t.code: t
        for t in db.session.scalars(
            sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
        )
    }
    return Demo(municipality, contact, jobcoach, accounts, today_local(), created, types)
