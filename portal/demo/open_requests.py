"""Demo data for matching, as the users would click it in the last few days: the candidate pool, open
requests of every type and state (a draft, submitted, taken on, with proposals), proposals in every
state (proposed, kennismaking planned, accepted, declined, withdrawn) and the one planned placement
that the accepted proposal made.

Requests are created and submitted by the employer's account and taken on by the contact
(``portal.requests.services``); proposals go through ``portal.matching.services``. Natural keys keep it
idempotent: candidates by pseudonym, requests by employer and role title, proposals by request and
candidate.
"""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import Municipality
from portal.core.time import clock_at, now_utc, today_local
from portal.demo.accounts import find_user
from portal.demo.candidates import SHARE_WHEN_PROPOSED, candidate_rows, ensure_pool_candidate
from portal.demo.hiring import proposal_of
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.matching.services import accept, decline, plan_meeting, propose, withdraw
from portal.requests.defaults import ensure_default_types
from portal.requests.models import PlacementRequest, PlacementType, Proposal
from portal.requests.services import create_request, take_request

#: Employer KvK number → the account that asks for its requests.
REQUESTERS = {
    "90000001": "werkgever@demo.werkbrug.nl",
    "90000002": "werkgever.metaal@demo.werkbrug.nl",
    "90000003": "werkgever.groen@demo.werkbrug.nl",
    "90000004": "werkgever.logistiek@demo.werkbrug.nl",
}
#: (employer KvK, type code, role title, status, positions, days per week, Dutch level)
REQUESTS = (
    ("90000001", "taalstage", "Hulp in de bakkerij", "submitted", 2, 2, "A1"),
    ("90000001", "stage", "Verkoopmedewerker winkel", "draft", 1, 2, "A2"),
    ("90000002", "proefplaatsing", "Productiemedewerker metaal", "in_progress", 1, 2, "A2"),
    ("90000003", "werkervaringsplaats", "Medewerker groenonderhoud", "proposed", 2, 2, "A1"),
    ("90000004", "stage", "Orderpicker", "proposed", 2, 2, "A2"),
)
#: (request role title, candidate index in the pool, proposal status)
PROPOSALS = (
    ("Medewerker groenonderhoud", 2, "proposed"),
    ("Medewerker groenonderhoud", 11, "meeting"),
    ("Orderpicker", 3, "accepted"),
    ("Orderpicker", 13, "declined"),
    ("Orderpicker", 23, "withdrawn"),
)
NOTE = "Gemotiveerd, komt op tijd en leert snel. Spreekt al een beetje Nederlands."
PLACE = "Op de werkplek, vraag naar de werkbegeleider"


def days_ago(days: int, hour: int = 10):
    """A moment ``days`` days back, at ``hour`` o'clock UTC, never later than now."""
    moment = now_utc() - timedelta(days=days)
    return min(moment.replace(hour=hour, minute=0, second=0, microsecond=0), now_utc())


def seed_open_requests(
    municipality: Municipality, employers: dict[str, Employer], contact: User, created: Counter
) -> None:
    """The candidate pool, the open requests and their proposals."""
    ensure_default_types(municipality.id)
    types = {
        t.code: t
        for t in db.session.scalars(
            sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
        )
    }
    candidates = [ensure_pool_candidate(row, municipality, contact, created) for row in candidate_rows()]
    requests = {}
    for kvk, code, title, status, positions, days, level in REQUESTS:
        request = open_request(employers[kvk], types[code], title, status, (positions, days, level), created)
        if status in ("in_progress", "proposed") and request.status == "submitted":
            with clock_at(days_ago(4)):
                take_request(contact, request)
        requests[title] = request
    for title, index, status in PROPOSALS:
        request, candidate = requests[title], candidates[index]
        if proposal_of(request, candidate) is None:
            with clock_at(days_ago(3)):
                (proposal,) = propose(contact, request, [candidate], NOTE, SHARE_WHEN_PROPOSED)
            created["proposals"] += 1
            answer(contact, proposal, status, created)


def answer(contact: User, proposal: Proposal, status: str, created: Counter) -> None:
    """What became of the proposal: a kennismaking, accepted, declined or withdrawn (or nothing yet)."""
    employer = find_user(REQUESTERS[proposal.request.employer.kvk_number])
    if status == "meeting":
        meet(employer, proposal, days_from_now=3)
    elif status == "accepted":
        meet(employer, proposal, days_from_now=-1)
        first_day = today_local() + timedelta(days=14)
        with clock_at(days_ago(0, 8)):
            accept(
                employer, proposal, first_day, first_day + timedelta(weeks=proposal.request.duration_weeks)
            )
        created["placements"] += 1
    elif status == "declined":
        with clock_at(days_ago(1)):
            decline(employer, proposal, "availability", "Wij zoeken iemand voor de ochtend.")
    elif status == "withdrawn":
        with clock_at(days_ago(2)):
            withdraw(contact, proposal)


def open_request(
    employer: Employer,
    kind: PlacementType,
    title: str,
    status: str,
    size: tuple[int, int, str],
    created: Counter,
) -> PlacementRequest:
    """The employer's request ``title`` at its first workplace: a draft, or submitted five days ago by the
    employer's account. ``size`` is (positions, days per week, Dutch level)."""
    positions, days, level = size
    found = db.session.scalar(
        sa.select(PlacementRequest).where(
            PlacementRequest.employer_id == employer.id, PlacementRequest.role_title == title
        )
    )
    if found is not None:
        return found
    workplace = db.session.scalars(
        sa.select(Workplace).where(Workplace.employer_id == employer.id).order_by(Workplace.id)
    ).first()
    data = {
        "placement_type_id": kind.id,
        "workplace_id": workplace.id,
        "role_title": title,
        "tasks": f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
        "positions": positions,
        "hours_per_week": min(16, kind.max_hours_per_week),
        "days_per_week": max(days, kind.min_days_per_week),
        "dutch_level": level,
        "desired_start": today_local() + timedelta(days=21),
        "duration_weeks": max(kind.min_weeks, min(13, kind.max_weeks)),
        "learning_goals": "Werkinstructies in het Nederlands begrijpen en op tijd komen.",
        "supervisor_name": workplace.buddy_name,
    }
    with clock_at(days_ago(5)):
        request = create_request(find_user(REQUESTERS[employer.kvk_number]), data, submit=status != "draft")
    created["requests"] += 1
    return request


def meet(employer: User, proposal: Proposal, *, days_from_now: int) -> None:
    """The employer invited the candidate two days ago to a kennismaking at two in the afternoon."""
    day = today_local() + timedelta(days=days_from_now)
    with clock_at(days_ago(2)):
        plan_meeting(employer, proposal, day, time(14), PLACE)
