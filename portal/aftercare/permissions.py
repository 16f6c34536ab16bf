"""Who may do what in aftercare: the answers services enforce and templates use to offer the action."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.aftercare.models import CheckIn
from portal.auth.models import User
from portal.core.db import valid_id
from portal.extensions import db
from portal.placements.models import Placement

#: Staff of a placement read its check-ins with their answers; employers only the planned dates.
STAFF = ("municipal", "jobcoach")


def sees_checkins(user: User) -> bool:
    """Whether ``user`` reads the check-ins with their answers (staff) rather than only the dates."""
    return user.role in STAFF


def is_municipal_of(user: User, placement: Placement) -> bool:
    """The municipality of the placement keeps its aftercare: the contract, check-ins and the outcome."""
    return user.role == "municipal" and user.municipality_id == placement.municipality_id


def get_checkin_or_404(placement: Placement, checkin_id: int) -> CheckIn:
    """A check-in of this placement (which the user may see); 404 for a bad id or another placement's."""
    if not valid_id(checkin_id):
        abort(404)
    query = sa.select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.placement_id == placement.id)
    checkin = db.session.scalar(query)
    if checkin is None:
        abort(404)
    return checkin
