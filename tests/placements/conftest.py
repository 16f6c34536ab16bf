"""The placements tests share the matching helpers (a fresh employer site and a frozen clock)."""

from __future__ import annotations

import html
from datetime import date

import pytest

from tests import factories
from tests.matching.conftest import T0, frozen  # noqa: F401 - a fixture, used by name

#: The frozen clock (tests.matching.conftest.T0) is Tuesday 10 March 2026: this week began on Monday 9 March.
THIS_WEEK = date(2026, 3, 9)
LAST_WEEK = date(2026, 3, 2)
FIRST_WEEK = date(2026, 2, 23)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def log_url(placement, week) -> str:
    return f"/plaatsingen/{placement.id}/week/{week.isoformat()}"


def valid_log(**changes) -> dict:
    """A complete weekly log as the form posts it."""
    data = {
        "days_present": "3",
        "hours_absent": "0",
        "punctuality": "4",
        "task_progress": "3",
        "dutch_at_work": "2",
        "teamwork": "3",
        "motivation": "4",
        "needs_from_municipality": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def started(seed, time_machine):
    """Tenant A's employer has a taalstage placement in onboarding since Monday 23 February, 3 days a week."""
    time_machine.move_to(T0, tick=False)
    return factories.make_placement(
        seed.a,
        request=seed.a.request,
        status="onboarding",
        start_date=FIRST_WEEK,
        planned_end_date=date(2026, 6, 1),
        actual_start_date=FIRST_WEEK,
        days_per_week=3,
    )
