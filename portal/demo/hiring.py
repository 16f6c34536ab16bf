"""The start of every placement scenario, with the same services a user's clicks call, each on its own
day in the past: the employer submits a request and the contact takes it on; the contact proposes the
candidate, the employer plans the kennismaking and accepts; the candidate agrees to show their name
(some scenarios); the contact records the start.

A request spec is (employer KvK, workplace name, type code, positions, days per week, hours per week).
Natural keys keep it idempotent: requests by employer and role title, and a scenario whose proposal
exists is skipped whole.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.candidates.services import record_consent
from portal.core.time import clock_at
from portal.demo.candidates import SHARE_WHEN_PROPOSED
from portal.demo.context import Demo, at
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.matching.services import accept, plan_meeting, propose
from portal.placements.models import Placement
from portal.placements.services import start
from portal.requests.models import PlacementRequest, Proposal
from portal.requests.services import create_request, take_request

RequestSpec = tuple[str, str, str, int, int, int]
#: Days before the first start that the employer submitted the request.
SUBMITTED_BEFORE = 35
#: Days before a placement's start: proposed, kennismaking planned, kennismaking held and accepted.
PROPOSED_BEFORE, INVITED_BEFORE, MET_BEFORE = 16, 14, 12
ACCEPTED_BEFORE = 11


def employer_user(demo: Demo, spec: RequestSpec) -> User:
    """The employer account that acts for the request's employer (writes the weekly logs)."""
    return demo.accounts[spec[0]]


def scenario_request(demo: Demo, title: str, spec: RequestSpec, first_start: date) -> PlacementRequest:
    """The employer's request ``title``, submitted five weeks before the first start and taken on."""
    kvk, place, code, positions, days, hours = spec
    employer = db.session.scalar(
        sa.select(Employer).where(
            Employer.municipality_id == demo.municipality.id, Employer.kvk_number == kvk
        )
    )
    found = db.session.scalar(
        sa.select(PlacementRequest).where(
            PlacementRequest.employer_id == employer.id, PlacementRequest.role_title == title
        )
    )
    if found is not None:
        return found
    workplace = db.session.scalar(
        sa.select(Workplace).where(Workplace.employer_id == employer.id, Workplace.name == place)
    )
    kind = demo.types[code]
    submitted = first_start - timedelta(days=SUBMITTED_BEFORE)
    with clock_at(at(submitted)):
        request = create_request(
            demo.accounts[kvk],
            {
                "placement_type_id": kind.id,
                "workplace_id": workplace.id,
                "role_title": title,
                "tasks": f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
                "positions": positions,
                "hours_per_week": min(hours, kind.max_hours_per_week),
                "days_per_week": days,
                "dutch_level": "A1",
                "desired_start": first_start,
                "duration_weeks": max(kind.min_weeks, min(13, kind.max_weeks)),
                "learning_goals": "Werkinstructies in het Nederlands begrijpen en op tijd komen.",
                "supervisor_name": workplace.buddy_name,
            },
            submit=True,
        )
    with clock_at(at(submitted + timedelta(days=1), 11)):
        take_request(demo.contact, request)
    demo.created["requests"] += 1
    return request


def proposal_of(request: PlacementRequest, candidate: Candidate) -> Proposal | None:
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id, Proposal.candidate_id == candidate.id)
    )


def hire(demo: Demo, request: PlacementRequest, candidate: Candidate, begin: date, end: date) -> Placement:
    """Proposed, met and accepted in the two weeks before ``begin``: a planned placement."""
    employer = demo.accounts[request.employer.kvk_number]
    with clock_at(at(begin - timedelta(days=PROPOSED_BEFORE))):
        (proposal,) = propose(
            demo.contact,
            request,
            [candidate],
            "Gemotiveerd en wil graag leren. Spreekt al een beetje Nederlands.",
            SHARE_WHEN_PROPOSED,
        )
    with clock_at(at(begin - timedelta(days=INVITED_BEFORE))):
        plan_meeting(
            employer,
            proposal,
            begin - timedelta(days=MET_BEFORE),
            time(14),
            "Op de werkplek, vraag naar de werkbegeleider",
        )
    with clock_at(at(begin - timedelta(days=ACCEPTED_BEFORE))):
        placement = accept(employer, proposal, begin, end)
    demo.created["proposals"] += 1
    return placement


def reveal_identity(demo: Demo, placement: Placement) -> None:
    """The candidate agreed, the day the placement was accepted, that this employer may see their name."""
    day = placement.start_date - timedelta(days=ACCEPTED_BEFORE)
    with clock_at(at(day, 12)):
        record_consent(
            demo.contact,
            placement.candidate,
            kind="reveal_identity",
            employer_id=placement.employer_id,
            method="conversation",
            text_version="2026-1",
            given_on=day,
        )


def start_placement(demo: Demo, placement: Placement, begin: date) -> None:
    """Planned → onboarding on its first day, at nine in the morning."""
    with clock_at(at(begin, 9)):
        start(demo.contact, placement, begin)
