"""Read-side queries for placement types and requests. Each returns a Select scoped to a tenant."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.candidates.disclosure import profile_shared
from portal.candidates.models import Candidate
from portal.core.db import valid_id
from portal.employers.models import Employer, Workplace
from portal.placements.models import Placement
from portal.requests.models import WAITING_FOR_PROPOSALS, PlacementRequest, PlacementType, Proposal


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


#: Requests the municipality is still working on (the list's default filter "Open").
OPEN_REQUESTS = ("submitted", "in_progress", "proposed")
#: Requests the employer can still change or that still wait on someone (the employer's "Open").
OPEN_FOR_EMPLOYER = ("draft", *OPEN_REQUESTS)


def open_employer_requests(employer_id: int) -> sa.Select:
    """The employer's requests that are not closed (concepts included), newest first."""
    return employer_requests(employer_id).where(PlacementRequest.status.in_(OPEN_FOR_EMPLOYER))


def drafts_of(employer_id: int) -> sa.Select:
    """The employer's concept requests (not yet submitted), newest first."""
    return employer_requests(employer_id).where(PlacementRequest.status == "draft")


def municipal_requests(municipality_id: int, *, status: str = "", type_id: int | None = None) -> sa.Select:
    """Submitted (non-draft) requests of a municipality, newest submitted first; optional filters.

    ``status``: one status code, "open" (still being worked on) or "" (all).
    """
    query = sa.select(PlacementRequest).where(
        PlacementRequest.municipality_id == municipality_id, PlacementRequest.status != "draft"
    )
    if status == "open":
        query = query.where(PlacementRequest.status.in_(OPEN_REQUESTS))
    elif status:
        query = query.where(PlacementRequest.status == status)
    if valid_id(type_id):
        query = query.where(PlacementRequest.placement_type_id == type_id)
    query = _with_details(query).options(joinedload(PlacementRequest.employer))
    return query.order_by(PlacementRequest.submitted_at.desc(), PlacementRequest.id.desc())


def _waiting() -> sa.ColumnElement[bool]:
    """The requests in WAITING_FOR_PROPOSALS, with the statuses written into the SQL rather than bound: then
    PostgreSQL can use the partial index ix_placement_requests_waiting also in a prepared statement's
    generic plan."""
    statuses = sa.bindparam("waiting", WAITING_FOR_PROPOSALS, expanding=True, literal_execute=True)
    return PlacementRequest.status.in_(statuses)


def waiting_for_proposals(municipality_id: int, contact_id: int, limit: int) -> sa.Select:
    """The newest ``limit`` requests that wait for a proposal (new, or taken without one yet) from the
    employers this contact is the fixed contact of, and from employers without a contact; newest submitted
    first. The newest are chosen on the request and employer rows alone; type, workplace and employer are
    loaded for those only (a large municipality has hundreds waiting)."""
    newest = (
        sa.select(PlacementRequest.id)
        .join(Employer, Employer.id == PlacementRequest.employer_id)
        .where(
            PlacementRequest.municipality_id == municipality_id,
            _waiting(),
            sa.or_(Employer.contact_id == contact_id, Employer.contact_id.is_(None)),
        )
        .order_by(PlacementRequest.submitted_at.desc(), PlacementRequest.id.desc())
        .limit(limit)
    )
    return (
        _with_details(sa.select(PlacementRequest))
        .options(joinedload(PlacementRequest.employer))
        .where(PlacementRequest.id.in_(newest.scalar_subquery()))
        .order_by(PlacementRequest.submitted_at.desc(), PlacementRequest.id.desc())
    )


def request_detail(request_id: int) -> sa.Select:
    """One request with type, workplace, employer and the employer's fixed contact."""
    query = sa.select(PlacementRequest).where(PlacementRequest.id == request_id)
    return _with_details(query).options(
        joinedload(PlacementRequest.employer).joinedload(Employer.contact),
        joinedload(PlacementRequest.employer).joinedload(Employer.municipality),
    )


def proposals_of(request_id: int) -> sa.Select:
    """Rows (proposal id, status, created, candidate id, pseudonym, profile shared with the request's
    employer) of one request, oldest first.

    Only the pseudonym of the candidate is selected: this list is shown to employers too.
    """
    return (
        sa.select(
            Proposal.id,
            Proposal.status,
            Proposal.created_at,
            Proposal.candidate_id,
            Candidate.pseudonym,
            profile_shared(Proposal.candidate_id, PlacementRequest.employer_id).label("shared"),
        )
        .join(Candidate, Candidate.id == Proposal.candidate_id)
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(Proposal.request_id == request_id)
        .order_by(Proposal.created_at, Proposal.id)
    )


#: Open proposals keep a request alive: the employer is still deciding.
OPEN_PROPOSALS = ("proposed", "meeting")


def proposals_waiting_for(employer_id: int) -> sa.Select:
    """Rows (proposal id, status, meeting at, proposed at, candidate id, role title) of the proposals that
    wait for this employer's decision and whose candidate shares the profile with it, newest first (the page
    names the candidate through disclosure).
    """
    return (
        sa.select(
            Proposal.id,
            Proposal.status,
            Proposal.meeting_at,
            Proposal.created_at,
            Proposal.candidate_id,
            PlacementRequest.role_title,
        )
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(
            PlacementRequest.employer_id == employer_id,
            Proposal.status.in_(OPEN_PROPOSALS),
            profile_shared(Proposal.candidate_id, employer_id),
        )
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    )


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
