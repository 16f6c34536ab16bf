"""Read-side queries of aftercare: a placement's check-ins, outcomes due and the aftercare part of a
placement's page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.aftercare.models import CheckIn
from portal.auth.models import User
from portal.placements.models import Placement


def checkins_of(placement_id: int) -> sa.Select:
    """The check-ins of a placement in plan order."""
    return sa.select(CheckIn).where(CheckIn.placement_id == placement_id).order_by(CheckIn.number)


def checkin_of(placement_id: int, checkin_id: int) -> sa.Select:
    """One check-in of one placement (none when it belongs to another placement)."""
    return sa.select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.placement_id == placement_id)


#: The home page lists at most this many placements whose aftercare can be closed.
HOME_OUTCOMES = 10


def outcomes_due(contact: User, today: date) -> sa.Select:
    """The contact's placements in nazorg whose last planned check-in is due (the outcome can be recorded),
    the longest waiting first; candidate and employer loaded."""
    last_due = (
        sa.select(CheckIn.placement_id, sa.func.max(CheckIn.due_date).label("last_due"))
        .where(CheckIn.status != "cancelled")
        .group_by(CheckIn.placement_id)
        .subquery()
    )
    return (
        sa.select(Placement)
        .options(joinedload(Placement.candidate), joinedload(Placement.employer))
        .join(last_due, last_due.c.placement_id == Placement.id)
        .where(
            Placement.municipality_id == contact.municipality_id,
            Placement.contact_id == contact.id,
            Placement.status == "nazorg",
            Placement.outcome.is_(None),
            last_due.c.last_due <= today,
        )
        .order_by(last_due.c.last_due, Placement.id)
        .limit(HOME_OUTCOMES)
    )
