"""Helpers for helper D's aftercare tests: a placement in nazorg, the clock, URLs and valid form data.

The fixtures are imported by name in each test module (tests/aftercare has no conftest of its own).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.aftercare.models import CheckIn
from portal.aftercare.planning import sync_checkins
from portal.extensions import db
from tests import factories
from tests.placements.conftest import text  # noqa: F401 - a helper for the tests

#: The contract starts on Monday 18 May 2026; a week later is Tweede Pinksterdag (25 May).
CONTRACT_START = date(2026, 5, 18)
#: The default plan (weeks 1 2 4 6 8 12 16) from that start: week 1 moves past Pinksteren to Tuesday.
DEFAULT_DUES = [
    (1, 1, date(2026, 5, 26)),
    (2, 2, date(2026, 6, 1)),
    (3, 4, date(2026, 6, 15)),
    (4, 6, date(2026, 6, 29)),
    (5, 8, date(2026, 7, 13)),
    (6, 12, date(2026, 8, 10)),
    (7, 16, date(2026, 9, 7)),
]
#: The last day of four months of aftercare from CONTRACT_START.
AFTERCARE_END = date(2026, 9, 17)
#: Wednesday 17 June 2026: check-ins 1 to 3 are overdue, 4 to 7 still to come.
TODAY = date(2026, 6, 17)


def at(day: date, hour: int = 8) -> datetime:
    """``hour`` o'clock UTC on ``day`` (ten o'clock in Amsterdam in summer)."""
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def in_aftercare(tenant, contract_start: date = CONTRACT_START, **kw):
    """A placement of ``tenant`` in nazorg: onboarding from February, a contract from ``contract_start``."""
    values = {
        "request": tenant.request,
        "status": "nazorg",
        "start_date": date(2026, 2, 23),
        "planned_end_date": date(2026, 5, 15),
        "actual_start_date": date(2026, 2, 23),
        "days_per_week": 3,
        "jobcoach_id": tenant.jobcoach.id,
        "contract_type": "fixed_term",
        "contract_hours": 24,
        "contract_start_date": contract_start,
    }
    values.update(kw)
    return factories.make_placement(tenant, **values)


def rows_of(placement) -> list[tuple]:
    """(number, week, due date, status) of the placement's check-ins, in plan order (fresh from the DB)."""
    db.session.expire_all()
    return [
        tuple(row)
        for row in db.session.execute(
            sa.select(CheckIn.number, CheckIn.week, CheckIn.due_date, CheckIn.status)
            .where(CheckIn.placement_id == placement.id)
            .order_by(CheckIn.number)
        )
    ]


def checkin(placement, number: int) -> CheckIn:
    return db.session.scalar(
        sa.select(CheckIn).where(CheckIn.placement_id == placement.id, CheckIn.number == number)
    )


def checkin_url(placement, item) -> str:
    return f"/plaatsingen/{placement.id}/nazorg/{item.id}"


def outcome_url(placement) -> str:
    return f"/plaatsingen/{placement.id}/nazorg/afronden"


def contract_url(placement) -> str:
    return f"/plaatsingen/{placement.id}/contract"


def valid_checkin(**changes) -> dict:
    """A complete check-in as the form posts it (values None are left out)."""
    data = {
        "held_on": TODAY.isoformat(),
        "held_with": "both",
        "contact_made": "yes",
        "punctuality": "3",
        "task_progress": "3",
        "dutch_at_work": "2",
        "teamwork": "4",
        "motivation": "4",
        "problems": "Hij vindt de vroege dienst zwaar.",
        "agreements": "Werkgever kijkt of late diensten kunnen.",
        "risk": "medium",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def today(time_machine):
    """The clock on Wednesday 17 June 2026, ten in the morning in Amsterdam."""
    time_machine.move_to(at(TODAY), tick=False)
    return TODAY


@pytest.fixture
def planned(seed, today):
    """Tenant A's placement in nazorg since 18 May 2026 with its check-ins planned (committed)."""
    placement = in_aftercare(seed.a)
    sync_checkins(today)
    db.session.commit()
    return placement
