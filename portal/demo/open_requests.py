"""Demo data for matching: the candidate pool, open requests of every type, proposals in every state, and
one planned placement.

Natural keys keep it idempotent: candidates by pseudonym, requests by employer and role title, proposals
by request and candidate, placements by proposal.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.models import Municipality
from portal.core.time import now_utc, today_local
from portal.demo.candidates import candidate_rows, ensure_pool_candidate
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.services import create_placement_from_proposal
from portal.requests.defaults import ensure_default_types
from portal.requests.models import PlacementRequest, PlacementType, Proposal

#: (employer KvK, workplace name or None for the first, type code, role title, status, positions, Dutch level)
REQUESTS = (
    ("90000001", None, "taalstage", "Hulp in de bakkerij", "submitted", 2, "A1"),
    ("90000001", None, "stage", "Verkoopmedewerker winkel", "draft", 1, "A2"),
    ("90000002", None, "proefplaatsing", "Productiemedewerker metaal", "in_progress", 1, "A2"),
    ("90000003", None, "werkervaringsplaats", "Medewerker groenonderhoud", "proposed", 2, "A1"),
    ("90000004", None, "stage", "Orderpicker", "proposed", 2, "A2"),
)
#: (request role title, candidate index, proposal status)
PROPOSALS = (
    ("Medewerker groenonderhoud", 2, "proposed"),
    ("Medewerker groenonderhoud", 12, "meeting"),
    ("Orderpicker", 3, "accepted"),
    ("Orderpicker", 13, "declined"),
    ("Orderpicker", 23, "withdrawn"),
)


def seed_open_requests(
    municipality: Municipality, employers: dict[str, Employer], contact: User, created: Counter
) -> None:
    """The candidate pool, open requests, proposals in every state and one planned placement."""
    ensure_default_types(municipality.id)
    types = {
        t.code: t
        for t in db.session.scalars(
            sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
        )
    }
    candidates = [ensure_pool_candidate(row, municipality, contact, created) for row in candidate_rows()]
    requests = {}
    for kvk, _place, code, title, status, positions, level in REQUESTS:
        employer = employers[kvk]
        requests[title] = _ensure_request(employer, types[code], title, status, positions, level, created)
    for title, index, status in PROPOSALS:
        proposal = _ensure_proposal(requests[title], candidates[index], status, contact, created)
        if status == "accepted":
            _ensure_placement(proposal, requests[title], candidates[index], created)


def _first_workplace(employer: Employer) -> Workplace:
    return db.session.scalars(
        sa.select(Workplace).where(Workplace.employer_id == employer.id).order_by(Workplace.id)
    ).first()


def _ensure_request(
    employer: Employer,
    kind: PlacementType,
    title: str,
    status: str,
    positions: int,
    level: str,
    created: Counter,
) -> PlacementRequest:
    found = db.session.scalar(
        sa.select(PlacementRequest).where(
            PlacementRequest.employer_id == employer.id, PlacementRequest.role_title == title
        )
    )
    if found is not None:
        return found
    workplace = _first_workplace(employer)
    creator = db.session.scalars(
        sa.select(User).where(User.employer_id == employer.id).order_by(User.id)
    ).first()
    request = PlacementRequest(
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=creator.id if creator else employer.contact_id,
        role_title=title,
        tasks=f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
        positions=positions,
        hours_per_week=min(16, kind.max_hours_per_week),
        days_per_week=kind.min_days_per_week,
        work_days="",
        dutch_level=level,
        desired_start=today_local() + timedelta(days=21),
        duration_weeks=max(kind.min_weeks, min(13, kind.max_weeks)),
        learning_goals="Werkinstructies in het Nederlands begrijpen en op tijd komen.",
        supervisor_name=workplace.buddy_name,
        status=status,
        submitted_at=None if status == "draft" else now_utc() - timedelta(days=5),
    )
    db.session.add(request)
    db.session.flush()
    created["requests"] += 1
    return request


def _ensure_proposal(
    request: PlacementRequest, candidate: Candidate, status: str, contact: User, created: Counter
) -> Proposal:
    found = db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id, Proposal.candidate_id == candidate.id)
    )
    if found is not None:
        return found
    proposal = Proposal(
        request_id=request.id,
        candidate_id=candidate.id,
        proposed_by_id=contact.id,
        note="Gemotiveerd, komt op tijd en leert snel. Spreekt al een beetje Nederlands.",
        status=status,
    )
    if status in ("meeting", "accepted"):
        proposal.meeting_at = now_utc() + timedelta(days=3)
        proposal.meeting_place = "Op de werkplek, vraag naar de werkbegeleider"
    if status == "declined":
        proposal.decline_reason, proposal.decline_text = "availability", "Wij zoeken iemand voor de ochtend."
    if status in ("accepted", "declined", "withdrawn"):
        proposal.decided_at = now_utc()
    db.session.add(proposal)
    db.session.flush()
    created["proposals"] += 1
    return proposal


def _ensure_placement(
    proposal: Proposal, request: PlacementRequest, candidate: Candidate, created: Counter
) -> None:
    if db.session.scalar(sa.select(Placement.id).where(Placement.proposal_id == proposal.id)) is not None:
        return
    start: date = today_local() + timedelta(days=14)
    create_placement_from_proposal(None, proposal, start, start + timedelta(weeks=request.duration_weeks))
    candidate.status = "placed"
    db.session.flush()
    created["placements"] += 1
