"""Who may do what in matching, for the services (which refuse) and the pages (which offer) alike: requests to
match (municipal) and proposals (their employer or municipal); another tenant's object answers 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload

from portal.auth.models import User
from portal.candidates.disclosure import shares_profile
from portal.core.db import valid_id
from portal.extensions import db
from portal.matching.queries import MATCHABLE_REQUEST, OPEN_PROPOSAL
from portal.requests.models import PlacementRequest, Proposal
from portal.requests.permissions import scope_request


def is_matchable(placement_request: PlacementRequest) -> bool:
    """Whether candidates can (still) be proposed for the request (submitted, in progress or proposed)."""
    return placement_request.status in MATCHABLE_REQUEST


def is_open(proposal: Proposal) -> bool:
    """Whether the proposal still waits on a decision (proposed, or a kennismaking planned)."""
    return proposal.status in OPEN_PROPOSAL


def is_contact_of(user: User, municipality_id: int) -> bool:
    """Whether ``user`` is a municipal contact of this municipality (who proposes and withdraws)."""
    return user.role == "municipal" and user.municipality_id == municipality_id


def is_employer_of(user: User, proposal: Proposal) -> bool:
    """Whether ``user`` belongs to the employer the proposal was made to."""
    return user.role == "employer" and user.employer_id == proposal.request.employer_id


def sees_as_employer(user: User) -> bool:
    """Whether the proposal pages show the employer's side (else the municipality's)."""
    return user.role == "employer"


def sees_name(user: User) -> bool:
    """Whether the proposal page shows the candidate's name to this user (municipal contacts only)."""
    return user.role == "municipal"


def profile_withdrawn(proposal: Proposal) -> bool:
    """Whether the proposal's employer may no longer see the candidate's profile (consent withdrawn)."""
    return not shares_profile(proposal.candidate_id, proposal.request.employer_id)


def may_decide(user: User, proposal: Proposal) -> bool:
    """Whether ``user`` may plan a kennismaking, decline or accept: the employer of an open proposal whose
    candidate still shares the profile (accepting also needs a kennismaking and a free position)."""
    return is_employer_of(user, proposal) and is_open(proposal) and not profile_withdrawn(proposal)


def may_withdraw(user: User, proposal: Proposal) -> bool:
    """Whether ``user`` may withdraw the proposal: a contact of its municipality, while it is open."""
    return is_contact_of(user, proposal.request.municipality_id) and is_open(proposal)


def _request_options():
    return (
        joinedload(PlacementRequest.employer),
        joinedload(PlacementRequest.workplace),
        joinedload(PlacementRequest.placement_type),
    )


def get_request_for_matching_or_404(user: User, request_id: int) -> PlacementRequest:
    """A request the municipal user may see (own municipality, never a draft); anything else 404.

    The scope is the request page's own (``scope_request``), so the ranking never shows a request that
    the request page hides.
    """
    if not valid_id(request_id) or user.role != "municipal":
        abort(404)
    query = sa.select(PlacementRequest).options(*_request_options()).where(PlacementRequest.id == request_id)
    query = scope_request(query, user)
    request = db.session.scalar(query) if query is not None else None
    if request is None:
        abort(404)
    return request


def _scope_proposals(query: sa.Select, user: User) -> sa.Select | None:
    query = query.where(PlacementRequest.municipality_id == user.municipality_id)
    if user.role == "municipal":
        return query
    if user.role == "employer" and user.employer_id is not None:
        return query.where(PlacementRequest.employer_id == user.employer_id)
    return None


def get_proposal_or_404(user: User, proposal_id: int) -> Proposal:
    """A proposal for the employer user's own requests, or of the municipal user's municipality; else 404."""
    if not valid_id(proposal_id):
        abort(404)
    query = (
        sa.select(Proposal)
        .join(Proposal.request)
        .options(
            contains_eager(Proposal.request).options(*_request_options()),
            joinedload(Proposal.candidate),
        )
        .where(Proposal.id == proposal_id)
    )
    scoped = _scope_proposals(query, user)
    proposal = db.session.scalar(scoped) if scoped is not None else None
    if proposal is None:
        abort(404)
    return proposal
