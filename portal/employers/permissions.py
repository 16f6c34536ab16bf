"""Object access for the employers domain: load through a tenant-scoped query or answer 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload

from portal.auth.models import User
from portal.core.db import MAX_ID
from portal.employers.models import Employer, Invitation, Workplace
from portal.extensions import db

STAFF = ("municipal", "admin")
#: Ids above this cannot exist (64-bit keys); refusing them early keeps huge numbers away from the driver.


def _valid_id(object_id: int) -> bool:
    return isinstance(object_id, int) and 0 < object_id <= MAX_ID


def _scope_employer(query: sa.Select, user: User) -> sa.Select | None:
    """Limit ``query`` (which involves Employer) to what ``user`` may see, or None if nothing."""
    if user.role in STAFF:
        return query.where(Employer.municipality_id == user.municipality_id)
    if user.role == "employer" and user.employer_id is not None:
        return query.where(Employer.id == user.employer_id, Employer.municipality_id == user.municipality_id)
    return None


def _one_or_404(query: sa.Select | None):
    obj = db.session.scalar(query) if query is not None else None
    if obj is None:
        abort(404)
    return obj


def get_employer_or_404(user: User, employer_id: int) -> Employer:
    """An employer of the user's municipality (staff) or the user's own employer; else 404."""
    if not _valid_id(employer_id):
        abort(404)
    query = sa.select(Employer).options(joinedload(Employer.contact)).where(Employer.id == employer_id)
    return _one_or_404(_scope_employer(query, user))


def get_workplace_or_404(user: User, workplace_id: int) -> Workplace:
    """A workplace of the user's own employer or of the staff user's municipality; else 404."""
    if not _valid_id(workplace_id):
        abort(404)
    query = (
        sa.select(Workplace)
        .join(Workplace.employer)
        .options(contains_eager(Workplace.employer))
        .where(Workplace.id == workplace_id)
    )
    return _one_or_404(_scope_employer(query, user))


def get_invitation_or_404(user: User, invitation_id: int) -> Invitation:
    """An invitation of the user's own employer or of the staff user's municipality; else 404."""
    if not _valid_id(invitation_id):
        abort(404)
    query = (
        sa.select(Invitation)
        .join(Invitation.employer)
        .options(contains_eager(Invitation.employer))
        .where(Invitation.id == invitation_id)
    )
    return _one_or_404(_scope_employer(query, user))
