"""Who may do what with a retention follow-up; the same answers for services and templates.

Staff of the follow-up's municipality (municipal contacts) list them and record answers; an employer only
ever answers through the e-mailed link, while it is unused and unexpired.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort

from portal.auth.models import User
from portal.core.db import valid_id
from portal.core.time import as_utc
from portal.extensions import db
from portal.followups import queries
from portal.journey.models import RetentionFollowUp

#: Roles that work with follow-ups (the candidate's municipality only).
STAFF_ROLES = ("municipal",)


def may_see(user: User, followup: RetentionFollowUp) -> bool:
    return user.role in STAFF_ROLES and followup.municipality_id == user.municipality_id


def may_record_answer(user: User, followup: RetentionFollowUp) -> bool:
    """A contact of the municipality records the answer of an unanswered follow-up."""
    return may_see(user, followup) and followup.answered_at is None


def link_state(followup: RetentionFollowUp | None, now: datetime) -> str:
    """What the employer's link does now: ``open`` (answer it), ``answered`` or ``invalid`` (unknown,
    expired or never sent: one answer for all, so the page tells nobody which)."""
    if followup is None or followup.token_expires_at is None:
        return "invalid"
    if followup.answered_at is not None:
        return "answered"
    if as_utc(followup.token_expires_at) <= now:
        return "invalid"
    return "open"


def get_followup_or_404(user: User, followup_id: int) -> tuple:
    """(follow-up, exit, candidate) of the user's municipality; anything else is 404."""
    if user.role not in STAFF_ROLES or not valid_id(followup_id):
        abort(404)
    row = db.session.execute(queries.followup_of(user, followup_id)).first()
    if row is None:
        abort(404)
    return tuple(row)
