"""Read-side queries for placement types and requests. Each returns a Select scoped to a tenant."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.candidates.disclosure import profile_shared
from portal.candidates.models import Candidate
from portal.core.db import MAX_ID
from portal.employers.models import Employer, Workplace
from portal.placements.models import Placement
from portal.requests.models import PlacementRequest, PlacementType, Proposal

#: Ids above this cannot exist (64-bit keys).


def valid_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def types_of(municipality_id: int, *, active_only: bool = False) -> sa.Select:
    """The placement types of one municipality, by name."""
    query = sa.select(PlacementType).where(PlacementType.municipality_id == municipality_id)
    if active_only:
        query = query.where(PlacementType.is_active.is_(True))
    return query.order_by(PlacementType.name, PlacementType.id)


def active_type(municipality_id: int, type_id) -> sa.Select:
    """One active placement type of this municipality (nothing for a foreign or unknown id)."""
    return types_of(municipality_id, active_only=True).where(
        PlacementType.id == (type_id if valid_id(type_id) else 0)
    )


def own_workplace(employer_id: int | None, workplace_id) -> sa.Select:
    """One active (not archived) workplace of this employer."""
    return sa.select(Workplace).where(
        Workplace.employer_id == (employer_id or 0),
        Workplace.id == (workplace_id if valid_id(workplace_id) else 0),
        Workplace.archived_at.is_(None),
    )


def _with_details(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(PlacementRequest.placement_type),
        joinedload(PlacementRequest.workplace),
    )


def employer_requests(employer_id: int) -> sa.Select:
    """All requests of one employer with type and workplace, newest first."""
    query = sa.select(PlacementRequest).where(PlacementRequest.employer_id == employer_id)
    return _with_details(query).order_by(PlacementRequest.created_at.desc(), PlacementRequest.id.desc())


def municipal_requests(municipality_id: int, *, status: str = "", type_id: int | None = None) -> sa.Select:
    """Submitted (non-draft) requests of a municipality, oldest submitted first; optional filters."""
    query = sa.select(PlacementRequest).where(
        PlacementRequest.municipality_id == municipality_id, PlacementRequest.status != "draft"
    )
    if status:
        query = query.where(PlacementRequest.status == status)
    if valid_id(type_id):
        query = query.where(PlacementRequest.placement_type_id == type_id)
    query = _with_details(query).options(joinedload(PlacementRequest.employer))
    return query.order_by(PlacementRequest.submitted_at, PlacementRequest.id)


def request_detail(request_id: int) -> sa.Select:
    """One request with type, workplace, employer and the employer's fixed contact."""
    query = sa.select(PlacementRequest).where(PlacementRequest.id == request_id)
    return _with_details(query).options(
        joinedload(PlacementRequest.employer).joinedload(Employer.contact),
        joinedload(PlacementRequest.employer).joinedload(Employer.municipality),
    )


def proposals_of(request_id: int) -> sa.Select:
    """Rows (proposal id, status, created, candidate id, pseudonym, profile shared) of one request, oldest
    first.

    Only the pseudonym of the candidate is selected: this list is shown to employers too.
    """
    return (
        sa.select(
            Proposal.id,
            Proposal.status,
            Proposal.created_at,
            Proposal.candidate_id,
            Candidate.pseudonym,
            profile_shared(Proposal.candidate_id).label("shared"),
        )
        .join(Candidate, Candidate.id == Proposal.candidate_id)
        .where(Proposal.request_id == request_id)
        .order_by(Proposal.created_at, Proposal.id)
    )


#: Open proposals keep a request alive: the employer is still deciding.
OPEN_PROPOSALS = ("proposed", "meeting")


def stale_requests(cutoff) -> sa.Select:
    """Open requests whose desired start lies before ``cutoff`` and that have no open proposal (to expire).

    A request whose position opened again because a placement dropped out (uitval) on or after ``cutoff``
    gets the same time as a new one: the municipality is looking for someone else.
    """
    open_proposal = sa.select(Proposal.id).where(
        Proposal.request_id == PlacementRequest.id, Proposal.status.in_(OPEN_PROPOSALS)
    )
    recent_dropout = sa.select(Placement.id).where(
        Placement.request_id == PlacementRequest.id,
        Placement.status == "interrupted",
        Placement.ended_on >= cutoff,
    )
    return (
        sa.select(PlacementRequest)
        .where(
            PlacementRequest.status.in_(("submitted", "in_progress", "proposed")),
            PlacementRequest.desired_start < cutoff,
            ~open_proposal.exists(),
            ~recent_dropout.exists(),
        )
        .order_by(PlacementRequest.id)
        .with_for_update(skip_locked=True)
    )
