"""Who may do what with a placement, for the services (which refuse) and the pages (which offer) alike.

Placements load for the employer's own users, the assigned jobcoach and the municipality's staff; else 404.
``placements.ending`` still holds the checks for the end of a placement (``may_register_dropout``, the
decision and preference refusals); they move here when that module is split.
"""

from __future__ import annotations

from flask import abort

from portal.auth.models import User
from portal.core.db import valid_id
from portal.extensions import db
from portal.placements.models import OPEN_STATUSES, Placement
from portal.placements.queries import placements_for

#: Roles that record the actual start of a placement.
STARTERS = ("employer", "municipal")


def is_open(placement: Placement) -> bool:
    """Whether the placement still runs (planned, onboarding or nazorg)."""
    return placement.status in OPEN_STATUSES


def may_start(user: User, placement: Placement) -> bool:
    """Whether ``user`` may record the actual start: the employer or the municipality, while planned."""
    return user.role in STARTERS and placement.status == "planned"


def may_assign_jobcoach(user: User, placement: Placement) -> bool:
    """Whether ``user`` may (re)assign the jobcoach: the municipality, while the placement runs."""
    return user.role == "municipal" and is_open(placement)


def may_give_preference(user: User, placement: Placement) -> bool:
    """Whether ``user`` may say what the employer wants at the end: its own users, during onboarding."""
    return (
        user.role == "employer"
        and user.employer_id == placement.employer_id
        and placement.status == "onboarding"
    )


def may_decide(user: User, placement: Placement) -> bool:
    """Whether ``user`` may record the decision at the end of onboarding: the municipality, meanwhile."""
    return user.role == "municipal" and placement.status == "onboarding"


def sees_care(user: User) -> bool:
    """Whether the placement page shows the candidate's care flag (municipal contacts only)."""
    return user.role == "municipal"


def get_placement_or_404(user: User, placement_id: int) -> Placement:
    """A placement the user may see (own employer, assigned jobcoach, own municipality); else 404."""
    if not valid_id(placement_id):
        abort(404)
    query = placements_for(user)
    placement = db.session.scalar(query.where(Placement.id == placement_id)) if query is not None else None
    if placement is None:
        abort(404)
    return placement


def first_through_placement_or_404(query_for, user: User, object_id: int):
    """The first column of ``query_for(user, object_id)``'s first row (an object reached through a
    placement the user may see); 404 for a bad id, a role that sees none, or no row."""
    if not valid_id(object_id):
        abort(404)
    query = query_for(user, object_id)
    row = db.session.execute(query).first() if query is not None else None
    if row is None:
        abort(404)
    return row[0]
