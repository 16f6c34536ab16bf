"""Calendar feed tests: tenant A's contact and jobcoach with placements in nazorg and onboarding.

The clock is frozen on Tuesday 10 March 2026 (tests.matching.conftest.T0), before the seed is made, so the
seed's own visit and task are dated around that day too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from icalendar import Calendar

from portal.aftercare.models import CheckIn
from portal.extensions import db
from portal.placements.models import EndDecision
from tests import factories
from tests.matching.conftest import T0

TODAY = date(2026, 3, 10)
#: A name that appears nowhere else, so a leak is easy to find.
FIRST, LAST = "Zsófia", "Oudenbroekhuizen"
PHONE, EMAIL = "06 99887766", "zsofia.oudenbroekhuizen@example.org"


def make_checkin(placement, number: int, due: date, status: str = "planned", **kw) -> CheckIn:
    checkin = CheckIn(
        placement_id=placement.id,
        number=number,
        week=kw.pop("week", number),
        due_date=due,
        status=status,
        held_on=kw.pop("held_on", due if status == "held" else None),
        **kw,
    )
    db.session.add(checkin)
    db.session.flush()
    return checkin


def make_decision(placement, kind: str, by) -> EndDecision:
    values = {
        "contract": {"contract_type": "permanent", "contract_hours": 24, "contract_start": date(2026, 4, 1)},
        "stop": {"stop_reason": "no_vacancy"},
    }[kind]
    decision = EndDecision(placement_id=placement.id, kind=kind, decided_by_id=by.id, **values)
    db.session.add(decision)
    db.session.flush()
    return decision


def new_feed(client) -> str:
    """Make a feed address through the page; returns its path (/agenda/<secret>.ics)."""
    response = client.post("/agenda/nieuw-adres")
    assert response.status_code == 303
    assert response.headers["Location"] == "/agenda/nieuw-adres"
    response = client.get("/agenda/nieuw-adres")
    assert response.status_code == 200
    match = re.search(
        r'value="http://localhost(/agenda/[A-Za-z0-9_-]+\.ics)"', response.get_data(as_text=True)
    )
    assert match, "the new address is not on the page"
    return match.group(1)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def parse(response) -> Calendar:
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, dict]:
    """UID → {"day", "summary", "description", "location", "url"} of every VEVENT."""
    found = {}
    for event in calendar.walk("VEVENT"):
        found[str(event["UID"])] = {
            "day": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "description": str(event["DESCRIPTION"]),
            "location": str(event["LOCATION"]),
            "url": str(event["URL"]),
        }
    return found


def all_text(calendar: Calendar) -> str:
    """Every property value of the calendar, unfolded and unescaped, in one string."""
    parts = []
    for component in calendar.walk():
        for value in component.values():
            parts.append(str(value))
    return "\n".join(parts)


@dataclass
class World:
    seed: object
    nazorg: object
    onboarding: object
    decided: object
    stopped: object
    other_contact_placement: object
    checkins: dict = field(default_factory=dict)
    tasks: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)


@pytest.fixture
def world(time_machine, _db):
    """Tenant A: the contact's nazorg placement (distinctive candidate) with check-ins, an undecided
    onboarding placement ending 31 March, two decided ones, tasks and visits; tenant B mirrors a little.
    """
    time_machine.move_to(T0, tick=False)
    seed = factories.two_tenants()
    a = seed.a
    candidate = factories.make_candidate(
        a.municipality, first_name=FIRST, last_name=LAST, phone=PHONE, email=EMAIL, pseudonym="K-2026-0042"
    )
    nazorg = factories.make_placement(
        a,
        candidate=candidate,
        status="nazorg",
        start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 2, 27),
        actual_start_date=date(2026, 1, 5),
        contract_type="permanent",
        contract_hours=24,
        contract_start_date=date(2026, 3, 2),
        jobcoach_id=a.jobcoach.id,
    )
    onboarding = factories.make_placement(
        a,
        status="onboarding",
        start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 3, 31),
        actual_start_date=date(2026, 1, 5),
        jobcoach_id=a.jobcoach.id,
    )
    decided = factories.make_placement(
        a,
        status="onboarding",
        start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 3, 20),
        jobcoach_id=a.jobcoach.id,
    )
    make_decision(decided, "contract", a.municipal)
    stopped = factories.make_placement(
        a,
        status="onboarding",
        start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 3, 24),
        jobcoach_id=a.jobcoach.id,
    )
    make_decision(stopped, "stop", a.municipal)
    colleague = factories.make_user("municipal", a.municipality)
    other = factories.make_placement(
        a, status="nazorg", start_date=date(2026, 1, 5), planned_end_date=date(2026, 3, 2)
    )
    other.contact_id = colleague.id
    w = World(seed, nazorg, onboarding, decided, stopped, other)
    w.checkins = {
        "held": make_checkin(nazorg, 1, date(2026, 3, 9), status="held"),
        "too_old": make_checkin(nazorg, 2, date(2026, 3, 2)),
        "late": make_checkin(nazorg, 3, date(2026, 3, 5)),
        "next": make_checkin(nazorg, 4, date(2026, 3, 17)),
        "cancelled": make_checkin(nazorg, 5, date(2026, 3, 24), status="cancelled"),
        "last_in": make_checkin(nazorg, 6, date(2026, 7, 8)),
        "too_far": make_checkin(nazorg, 7, date(2026, 7, 9)),
        "colleague": make_checkin(other, 1, date(2026, 3, 16)),
    }
    w.tasks = {
        "intake": factories.make_task(
            nazorg,
            kind="intake",
            owner="municipal",
            assignee_id=a.municipal.id,
            due_date=date(2026, 3, 12),
            title=f"Bel {FIRST} {LAST} over het rooster",
        ),
        "no_date": factories.make_task(nazorg, owner="municipal", assignee_id=a.municipal.id, due_date=None),
        "done": factories.make_task(
            nazorg, owner="municipal", assignee_id=a.municipal.id, due_date=date(2026, 3, 13), status="done"
        ),
        "jobcoach": factories.make_task(
            onboarding, owner="jobcoach", due_date=date(2026, 3, 20), title=f"Langs bij {LAST}"
        ),
        "employer": factories.make_task(onboarding, owner="employer", due_date=date(2026, 3, 18)),
    }
    w.visits = {
        "recent": factories.make_visit(nazorg, a.jobcoach, visit_date=date(2026, 3, 4)),
        "old": factories.make_visit(nazorg, a.jobcoach, visit_date=date(2026, 2, 7)),
        "edge": factories.make_visit(nazorg, a.jobcoach, visit_date=date(2026, 2, 8)),
    }
    db.session.commit()
    return w
