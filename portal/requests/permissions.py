"""Who may do what with placement types and requests, for the services (which refuse) and the pages (which
offer) alike; objects load through a tenant-scoped query or answer 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.auth.models import User
from portal.core.db import valid_id
from portal.extensions import db
from portal.requests import queries
from portal.requests.models import EDITABLE, OPEN_STATUSES, WITHDRAWABLE, PlacementRequest, PlacementType

STAFF = ("municipal", "admin")


def is_owner(user: User, placement_request: PlacementRequest) -> bool:
    """Whether ``user`` belongs to the employer that made the request."""
    return user.role == "employer" and user.employer_id == placement_request.employer_id


def is_contact_of(user: User, placement_request: PlacementRequest) -> bool:
    """Whether ``user`` is a municipal contact of the request's municipality."""
    return user.role == "municipal" and user.municipality_id == placement_request.municipality_id


def sees_as_employer(user: User) -> bool:
    """Whether the request pages show the employer's side (else the municipality's)."""
    return user.role == "employer"


def is_open(placement_request: PlacementRequest) -> bool:
    """Whether the municipality works on the request (submitted, in progress, candidates proposed)."""
    return placement_request.status in OPEN_STATUSES


def may_edit(user: User, placement_request: PlacementRequest) -> bool:
    """Whether ``user`` may change (and submit) the request: its employer, while it is a draft."""
    return is_owner(user, placement_request) and placement_request.status in EDITABLE


def may_withdraw(user: User, placement_request: PlacementRequest) -> bool:
    """Whether ``user`` may withdraw the request: its employer, before it is filled or closed."""
    return is_owner(user, placement_request) and placement_request.status in WITHDRAWABLE


def may_take(user: User, placement_request: PlacementRequest) -> bool:
    """Whether ``user`` may take the request into progress: a contact of its municipality, once submitted."""
    return is_contact_of(user, placement_request) and placement_request.status == "submitted"


def may_look_for_candidates(user: User, placement_request: PlacementRequest) -> bool:
    """Whether the request page links to the ranked candidates: a contact, while the request is open."""
    return is_contact_of(user, placement_request) and is_open(placement_request)


def scope_request(query: sa.Select, user: User) -> sa.Select | None:
    """Staff see their municipality's requests except drafts; an employer sees only its own."""
    query = query.where(PlacementRequest.municipality_id == user.municipality_id)
    if user.role in STAFF:
        return query.where(PlacementRequest.status != "draft")
    if user.role == "employer" and user.employer_id is not None:
        return query.where(PlacementRequest.employer_id == user.employer_id)
    return None


def get_request_or_404(user: User, request_id: int) -> PlacementRequest:
    """A request the user may see (with type, workplace, employer and contact loaded); else 404."""
    if not valid_id(request_id):
        abort(404)
    query = scope_request(queries.request_detail(request_id), user)
    request = db.session.scalar(query) if query is not None else None
    if request is None:
        abort(404)
    return request


def get_type_or_404(user: User, type_id: int) -> PlacementType:
    """A placement type of the user's municipality; else 404."""
    if not valid_id(type_id):
        abort(404)
    kind = db.session.scalar(
        sa.select(PlacementType).where(
            PlacementType.id == type_id, PlacementType.municipality_id == user.municipality_id
        )
    )
    if kind is None:
        abort(404)
    return kind
