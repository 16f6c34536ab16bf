"""Who may handle a candidate's data-subject requests: municipal staff (contact persons and functional
administrators) of the candidate's own municipality. The same functions answer the services ("may this
user do it?") and the templates ("should the page offer it?")."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.core.db import valid_id
from portal.extensions import db
from portal.models import Candidate
from portal.privacy.models import PrivacyRequest

#: The roles that answer access, rectification and erasure requests.
PRIVACY_ROLES = ("municipal", "admin")


def may_handle_requests(user, candidate) -> bool:
    """Whether ``user`` may export this candidate's data and record their requests."""
    return (
        getattr(user, "is_authenticated", False)
        and user.role in PRIVACY_ROLES
        and user.municipality_id is not None
        and user.municipality_id == candidate.municipality_id
    )


def may_mark_handled(user, request: PrivacyRequest) -> bool:
    """Whether the page offers (and the service allows) marking this request as handled."""
    return request.handled_on is None and getattr(user, "municipality_id", None) == request.municipality_id


def get_candidate_or_404(user, candidate_id: int) -> Candidate:
    """A candidate of the user's own municipality that the user may handle requests for; else 404."""
    if not valid_id(candidate_id):
        abort(404)
    candidate = db.session.scalar(
        sa.select(Candidate).where(
            Candidate.id == candidate_id, Candidate.municipality_id == user.municipality_id
        )
    )
    if candidate is None or not may_handle_requests(user, candidate):
        abort(404)
    return candidate


def get_request_or_404(user, candidate_id: int, request_id: int) -> tuple[Candidate, PrivacyRequest]:
    candidate = get_candidate_or_404(user, candidate_id)
    request = (
        db.session.scalar(
            sa.select(PrivacyRequest).where(
                PrivacyRequest.id == request_id, PrivacyRequest.candidate_id == candidate.id
            )
        )
        if valid_id(request_id)
        else None
    )
    if request is None:
        abort(404)
    return candidate, request
