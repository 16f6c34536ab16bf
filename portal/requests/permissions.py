"""Object access for placement types and requests: load through a tenant-scoped query or answer 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.auth.models import User
from portal.extensions import db
from portal.requests import queries
from portal.requests.models import PlacementRequest, PlacementType

STAFF = ("municipal", "admin")


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
    if not queries.valid_id(request_id):
        abort(404)
    query = scope_request(queries.request_detail(request_id), user)
    request = db.session.scalar(query) if query is not None else None
    if request is None:
        abort(404)
    return request


def get_type_or_404(user: User, type_id: int) -> PlacementType:
    """A placement type of the user's municipality; else 404."""
    if not queries.valid_id(type_id):
        abort(404)
    kind = db.session.scalar(
        sa.select(PlacementType).where(
            PlacementType.id == type_id, PlacementType.municipality_id == user.municipality_id
        )
    )
    if kind is None:
        abort(404)
    return kind
