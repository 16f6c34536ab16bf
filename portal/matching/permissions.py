"""Object access for matching: requests to match (municipal) and proposals (their employer or municipal)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload

from portal.auth.models import User
from portal.employers.permissions import MAX_ID
from portal.extensions import db
from portal.requests.models import PlacementRequest, Proposal
from portal.requests.permissions import scope_request


def _valid_id(object_id: int) -> bool:
    return isinstance(object_id, int) and 0 < object_id <= MAX_ID


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
    if not _valid_id(request_id) or user.role != "municipal":
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
    if not _valid_id(proposal_id):
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
