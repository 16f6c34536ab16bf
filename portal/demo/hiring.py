"""The start of every placement scenario: the employer's request, the accepted proposal and the placement,
created and started with the real placement services on the scenario's dates.

A request spec is (employer KvK, workplace name, type code, positions, days per week, hours per week).
Natural keys keep it idempotent: requests by employer and role title, proposals by request and
candidate; a scenario whose placement exists is skipped whole.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate, Consent
from portal.core.time import clock_at
from portal.demo.candidates import set_candidate_status
from portal.demo.context import Demo, at
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.queries import position_freed
from portal.placements.services import create_placement_from_proposal, start
from portal.requests.models import PlacementRequest, Proposal

RequestSpec = tuple[str, str, str, int, int, int]


def employer_user(demo: Demo, spec: RequestSpec) -> User:
    """The employer account that acts for the request's employer (writes the weekly logs)."""
    return demo.accounts[spec[0]]


def scenario_request(demo: Demo, title: str, spec: RequestSpec, first_start: date) -> PlacementRequest:
    """The employer's request ``title`` (in progress), submitted five weeks before the first start."""
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
    request = PlacementRequest(
        municipality_id=demo.municipality.id,
        employer_id=employer.id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=demo.accounts[kvk].id,
        role_title=title,
        tasks=f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
        positions=positions,
        hours_per_week=min(hours, kind.max_hours_per_week),
        days_per_week=days,
        work_days="",
        dutch_level="A1",
        desired_start=first_start,
        duration_weeks=max(kind.min_weeks, min(13, kind.max_weeks)),
        learning_goals="Werkinstructies in het Nederlands begrijpen en op tijd komen.",
        supervisor_name=workplace.buddy_name,
        status="in_progress",
        submitted_at=at(first_start - timedelta(days=35)),
    )
    db.session.add(request)
    db.session.flush()
    demo.new_requests.append(request)
    demo.created["requests"] += 1
    return request


def accepted_proposal(demo: Demo, request: PlacementRequest, candidate: Candidate, begin: date) -> Proposal:
    """The contact's proposal of ``candidate``, met and accepted about two weeks before ``begin``."""
    found = db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id, Proposal.candidate_id == candidate.id)
    )
    if found is not None:
        return found
    proposal = Proposal(
        request_id=request.id,
        candidate_id=candidate.id,
        proposed_by_id=demo.contact.id,
        note="Gemotiveerd en wil graag leren. Spreekt al een beetje Nederlands.",
        status="accepted",
        meeting_at=at(begin - timedelta(days=12), 14),
        meeting_place="Op de werkplek, vraag naar de werkbegeleider",
        decided_at=at(begin - timedelta(days=11)),
    )
    db.session.add(proposal)
    db.session.flush()
    demo.created["proposals"] += 1
    return proposal


def placement_exists(proposal: Proposal) -> bool:
    return db.session.scalar(sa.select(Placement.id).where(Placement.proposal_id == proposal.id)) is not None


def plan_placement(demo: Demo, proposal: Proposal, begin: date, end: date) -> Placement:
    """The planned placement, created the day the proposal was accepted (11 days before ``begin``)."""
    accepted_on = begin - timedelta(days=11)
    with clock_at(at(accepted_on)):
        placement = create_placement_from_proposal(demo.contact, proposal, begin, end)
    set_candidate_status(demo, proposal.candidate, "placed", accepted_on)
    return placement


def reveal_identity(demo: Demo, placement: Placement, day: date) -> None:
    """The candidate agreed that this employer may see their name."""
    db.session.add(
        Consent(
            candidate_id=placement.candidate_id, kind="reveal_identity", employer_id=placement.employer_id,
            given_at=at(day), method="conversation", text_version="2026-1", recorded_by_id=demo.contact.id,
        )
    )  # fmt: skip


def start_placement(demo: Demo, placement: Placement, begin: date) -> None:
    """Planned → onboarding on its first day, at nine in the morning."""
    with clock_at(at(begin, 9)):
        start(demo.contact, placement, begin)


def settle_requests(demo: Demo) -> None:
    """Requests created in this run: filled when every position is taken, else still in progress."""
    for request in demo.new_requests:
        taken = db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(
                Proposal.request_id == request.id,
                Proposal.status == "accepted",
                ~position_freed(Proposal.id),
            )
        )
        if taken >= request.positions:
            request.status = "filled"
            request.closed_at = db.session.scalar(
                sa.select(sa.func.max(Proposal.decided_at)).where(
                    Proposal.request_id == request.id, Proposal.status == "accepted"
                )
            )
    db.session.flush()
