"""Visits tests: tenant A's onboarding placement with its jobcoach assigned, and a valid visit form."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from tests import factories
from tests.matching.conftest import T0, frozen  # noqa: F401 - a fixture, used by name
from tests.placements.conftest import FIRST_WEEK, text  # noqa: F401 - a helper for the tests

#: The frozen clock (tests.matching.conftest.T0) is Tuesday 10 March 2026.
TODAY = "2026-03-10"


def new_url(placement) -> str:
    return f"/plaatsingen/{placement.id}/bezoeken/nieuw"


def confirm_url(visit) -> str:
    return f"/bezoeken/{visit.id}/bevestigen"


def valid_visit(**changes) -> dict:
    """A complete visit as the form posts it (values None are left out)."""
    data = {
        "visit_date": TODAY,
        "duration_minutes": "45",
        "mode": "on_site",
        "contact_made": "yes",
        "spoken_with": ["candidate", "supervisor"],
        "observations": "Werkt zelfstandig aan de inpaktafel.",
        "risk": "low",
        "risk_reason": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def coached_placement(tenant):
    """The tenant's taalstage placement in onboarding since Monday 23 February 2026, jobcoach assigned."""
    placement = factories.make_placement(
        tenant,
        request=tenant.request,
        status="onboarding",
        start_date=FIRST_WEEK,
        planned_end_date=date(2026, 6, 1),
        actual_start_date=FIRST_WEEK,
        days_per_week=3,
        jobcoach_id=tenant.jobcoach.id,
    )
    db.session.commit()
    return placement


@pytest.fixture
def coached(seed, time_machine):
    """Tenant A's coached placement, with the clock frozen on Tuesday 10 March 2026."""
    time_machine.move_to(T0, tick=False)
    return coached_placement(seed.a)
