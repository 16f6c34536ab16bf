"""Object access for placements: the employer's own, the jobcoach's assigned, the municipality's; else 404."""

from __future__ import annotations

from flask import abort

from portal.auth.models import User
from portal.core.db import valid_id
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.queries import placements_for


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
