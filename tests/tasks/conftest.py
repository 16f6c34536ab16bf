"""Tasks tests: tenant A's onboarding placement with its jobcoach, and a few tasks on it."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from tests import factories
from tests.matching.conftest import T0, frozen  # noqa: F401 - a fixture, used by name
from tests.placements.conftest import text  # noqa: F401 - a helper for the tests
from tests.visits.conftest import coached_placement


def done_url(task) -> str:
    return f"/taken/{task.id}/gedaan"


@pytest.fixture
def coached(seed, time_machine):
    """Tenant A's placement in onboarding with its jobcoach, the clock frozen on Tuesday 10 March 2026."""
    time_machine.move_to(T0, tick=False)
    return coached_placement(seed.a)


@pytest.fixture
def tasks(seed, coached):
    """An overdue employer action, a later one for the jobcoach, an intake for the contact, a done one."""
    visit = factories.make_visit(coached, seed.a.jobcoach, visit_date=date(2026, 3, 2))
    made = {
        "late": factories.make_task(coached, visit=visit, title="Rooster delen", due_date=date(2026, 3, 6)),
        "employer": factories.make_task(
            coached, visit=visit, title="Werkkleding regelen", due_date=date(2026, 3, 12)
        ),
        "jobcoach": factories.make_task(
            coached,
            visit=visit,
            title="Bellen met de kandidaat",
            owner="jobcoach",
            due_date=date(2026, 3, 11),
        ),
        "candidate": factories.make_task(
            coached, visit=visit, title="Fiets laten maken", owner="candidate", due_date=date(2026, 3, 10)
        ),
        "intake": factories.make_task(
            coached, kind="intake", title="Intakegesprek plannen", owner="municipal", due_date=None
        ),
        "done": factories.make_task(coached, visit=visit, title="Al gedaan", status="done"),
        "cancelled": factories.make_task(coached, visit=visit, title="Vervallen taak", status="cancelled"),
    }
    db.session.commit()
    return made
