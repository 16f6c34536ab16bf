"""Helpers for the requests tests: valid form data, look-ups and a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.requests.models import PlacementRequest, PlacementType
from tests.employers.conftest import (  # noqa: F401 - shared helpers re-exported for these tests
    LONG,
    RTL_EMOJI,
    SCRIPT,
    SQL,
    audit,
    emails,
    fresh,
    row,
    text,
)
from tests.factories import placement_type

#: A Tuesday morning in Amsterdam.
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
TODAY = "2026-03-10"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"
PRIVILEGED = {
    "status": "filled",
    "employer_id": "999",
    "municipality_id": "999",
    "created_by_id": "999",
    "submitted_at": "2020-01-01",
    "withdrawn_reason": "hacked",
    "id": "999",
    "code": "hacked",
    "name": "Hacked",
}


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def kind_of(tenant, code: str = "taalstage") -> PlacementType:
    return placement_type(tenant.municipality, code)


def request_data(tenant, type_code: str = "taalstage", **overrides) -> dict:
    """A valid taalstage request on the tenant's workplace (submit button)."""
    data = {
        "placement_type_id": str(kind_of(tenant, type_code).id),
        "workplace_id": str(tenant.workplace.id),
        "role_title": "Hulp in de keuken",
        "tasks": "Groente snijden en afwassen.",
        "positions": "2",
        "hours_per_week": "16",
        "days_per_week": "2",
        "work_days": ["ma", "di"],
        "days_flexible": "y",
        "dutch_level": "A1",
        "dutch_level_tasks": "Veiligheidsregels begrijpen",
        "certificates": "HACCP",
        "desired_start": "2026-04-01",
        "duration_weeks": "13",
        "learning_goals": "Werkinstructies in het Nederlands begrijpen.",
        "supervisor_name": "",
        "action": "submit",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def requests_of(employer) -> list[PlacementRequest]:
    db.session.expire_all()
    query = sa.select(PlacementRequest).where(PlacementRequest.employer_id == employer.id)
    return list(db.session.scalars(query.order_by(PlacementRequest.id)))


def newest_request(employer) -> PlacementRequest:
    return requests_of(employer)[-1]


def type_data(kind: PlacementType, **overrides) -> dict:
    data = {
        "description": kind.description,
        "min_weeks": str(kind.min_weeks),
        "max_weeks": str(kind.max_weeks),
        "min_days_per_week": str(kind.min_days_per_week),
        "max_days_per_week": str(kind.max_days_per_week),
        "max_hours_per_week": str(kind.max_hours_per_week),
        "is_paid": "y" if kind.is_paid else None,
        "keeps_benefit": "y" if kind.keeps_benefit else None,
        "learning_goals_required": "y" if kind.learning_goals_required else None,
        "default_dutch_level": kind.default_dutch_level,
        "is_active": "y" if kind.is_active else None,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
