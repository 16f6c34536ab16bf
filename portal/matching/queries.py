"""Read-side queries of matching: candidate pools, consents, proposals and the team around a workplace."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.candidates.disclosure import profile_shared_ids
from portal.candidates.models import Candidate
from portal.matching.rules import STARTER_WINDOW_DAYS
from portal.placements.models import Placement
from portal.placements.queries import position_freed
from portal.requests.models import PlacementRequest, Proposal

#: Proposals the employer still has to decide on.
OPEN_PROPOSAL = ("proposed", "meeting")
#: Placements that occupy a place at a workplace.
OCCUPYING_PLACEMENT = ("planned", "onboarding")
#: Requests the municipal contact can propose candidates for.
MATCHABLE_REQUEST = ("submitted", "in_progress", "proposed")


def candidates_of(municipality_id: int) -> sa.Select:
    """Every candidate of the municipality, by pseudonym."""
    return (
        sa.select(Candidate)
        .where(Candidate.municipality_id == municipality_id)
        .order_by(Candidate.pseudonym, Candidate.id)
    )


def share_consented_ids(municipality_id: int) -> sa.Select:
    """Ids of the municipality's candidates with a live consent to share their profile."""
    return profile_shared_ids(municipality_id)


def proposed_candidate_ids(request_id: int) -> sa.Select:
    """Ids of candidates already proposed for this request (in any proposal status)."""
    return sa.select(Proposal.candidate_id).where(Proposal.request_id == request_id)


def candidates_by_ids(municipality_id: int, candidate_ids) -> sa.Select:
    """The municipality's candidates with these ids, by pseudonym."""
    return candidates_of(municipality_id).where(Candidate.id.in_(list(candidate_ids)))


def people_at_workplace(workplace_id: int) -> sa.Select:
    """(candidate id, other languages) of occupying placements and open proposals at a workplace."""
    placed = (
        sa.select(Candidate.id, Candidate.other_languages)
        .join(Placement, Placement.candidate_id == Candidate.id)
        .where(Placement.workplace_id == workplace_id, Placement.status.in_(OCCUPYING_PLACEMENT))
    )
    proposed = (
        sa.select(Candidate.id, Candidate.other_languages)
        .join(Proposal, Proposal.candidate_id == Candidate.id)
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(PlacementRequest.workplace_id == workplace_id, Proposal.status.in_(OPEN_PROPOSAL))
    )
    return sa.union(placed, proposed)


def starters_near(employer_id: int, desired: date) -> sa.Select:
    """How many placements and open proposals at an employer start within the window around ``desired``."""
    low, high = desired - timedelta(days=STARTER_WINDOW_DAYS), desired + timedelta(days=STARTER_WINDOW_DAYS)
    placed = sa.select(Placement.candidate_id).where(
        Placement.employer_id == employer_id,
        Placement.status.in_(OCCUPYING_PLACEMENT),
        Placement.start_date.between(low, high),
    )
    proposed = (
        sa.select(Proposal.candidate_id)
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(
            PlacementRequest.employer_id == employer_id,
            Proposal.status.in_(OPEN_PROPOSAL),
            PlacementRequest.desired_start.between(low, high),
        )
    )
    return sa.select(sa.func.count()).select_from(sa.union(placed, proposed).subquery())


def open_proposals_of_candidate(candidate_id: int, except_id: int | None = None) -> sa.Select:
    """The candidate's open proposals (any request; but ``except_id``), with their request."""
    query = (
        sa.select(Proposal)
        .options(joinedload(Proposal.request))
        .where(Proposal.candidate_id == candidate_id, Proposal.status.in_(OPEN_PROPOSAL))
        .order_by(Proposal.id)
    )
    return query if except_id is None else query.where(Proposal.id != except_id)


def accepted_count(request_id: int) -> sa.Select:
    """How many positions of this request accepted proposals take (an interrupted placement frees one)."""
    return sa.select(sa.func.count(Proposal.id)).where(
        Proposal.request_id == request_id,
        Proposal.status == "accepted",
        ~position_freed(Proposal.id),
    )


def proposals_of_request(request_id: int) -> sa.Select:
    """The proposals of one request with their candidate, oldest first."""
    return (
        sa.select(Proposal)
        .options(joinedload(Proposal.candidate))
        .where(Proposal.request_id == request_id)
        .order_by(Proposal.id)
    )
