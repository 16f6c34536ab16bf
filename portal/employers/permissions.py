"""Who may do what in the employers domain, for the services (which refuse) and the pages (which offer)
alike; objects load through a tenant-scoped query or answer 404."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload

from portal.auth.models import User
from portal.core.db import valid_id
from portal.employers.models import Employer, Invitation, Workplace
from portal.extensions import db

STAFF = ("municipal", "admin")
#: The statuses each decision about an employer can be taken from, in the order the page offers them.
DECISION_FROM = {
    "approve": ("pending", "rejected"),
    "reject": ("pending",),
    "suspend": ("approved",),
    "reinstate": ("suspended",),
}


def is_staff_of(user: User, employer: Employer) -> bool:
    """Whether ``user`` is staff (municipal contact or administrator) of the employer's municipality."""
    return user.role in STAFF and user.municipality_id == employer.municipality_id


def is_own_employer(user: User, employer: Employer) -> bool:
    """Whether ``user`` belongs to this employer (and may change its own data and workplaces)."""
    return user.role == "employer" and user.employer_id == employer.id


def may_decide(user: User, employer: Employer, decision: str) -> bool:
    """Whether ``user`` may take ``decision`` (approve, reject, suspend, reinstate) about the employer now."""
    return is_staff_of(user, employer) and employer.status in DECISION_FROM.get(decision, ())


def decisions_for(user: User, employer: Employer) -> list[str]:
    """The decisions ``user`` may take about the employer now, in the order the page offers them."""
    return [decision for decision in DECISION_FROM if may_decide(user, employer, decision)]


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
    if not valid_id(employer_id):
        abort(404)
    query = sa.select(Employer).options(joinedload(Employer.contact)).where(Employer.id == employer_id)
    return _one_or_404(_scope_employer(query, user))


def get_workplace_or_404(user: User, workplace_id: int) -> Workplace:
    """A workplace of the user's own employer or of the staff user's municipality; else 404."""
    if not valid_id(workplace_id):
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
    if not valid_id(invitation_id):
        abort(404)
    query = (
        sa.select(Invitation)
        .join(Invitation.employer)
        .options(contains_eager(Invitation.employer))
        .where(Invitation.id == invitation_id)
    )
    return _one_or_404(_scope_employer(query, user))
