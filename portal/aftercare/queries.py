"""Read-side queries of aftercare: a placement's check-ins, outcomes due and the aftercare part of a
placement's page."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.aftercare import forms, services, settings
from portal.aftercare.models import CHECKIN_STATUSES, CHECKIN_WITH, RISK_LEVELS, CheckIn
from portal.aftercare.permissions import is_municipal_of, sees_checkins
from portal.aftercare.plan import aftercare_end
from portal.auth.models import User
from portal.core.signals import placement_page
from portal.core.time import today_local
from portal.extensions import db
from portal.placements.models import (
    AFTERCARE_OUTCOMES,
    CONTRACT_TYPES,
    DROPOUT_REASONS,
    SCALE,
    SCORED_ASPECTS,
    Placement,
)


def checkins_of(placement_id: int) -> sa.Select:
    """The check-ins of a placement in plan order."""
    return sa.select(CheckIn).where(CheckIn.placement_id == placement_id).order_by(CheckIn.number)


def count_planned(placement_id: int) -> sa.Select:
    """How many check-ins of a placement are still planned (the outcome page says they lapse)."""
    return sa.select(sa.func.count(CheckIn.id)).where(
        CheckIn.placement_id == placement_id, CheckIn.status == "planned"
    )


#: The home page lists at most this many placements whose aftercare can be closed.
HOME_OUTCOMES = 10


def outcomes_due(contact: User, today: date) -> sa.Select:
    """The contact's placements in nazorg whose last planned check-in is due (the outcome can be recorded),
    the longest waiting first; the employer loaded (the home page names candidates through their labels).
    The last due date is a correlated subquery per placement of the contact (their check-ins by index), not
    an aggregate over every check-in."""
    last_due = (
        sa.select(sa.func.max(CheckIn.due_date))
        .where(CheckIn.placement_id == Placement.id, CheckIn.status != "cancelled")
        .correlate(Placement)
        .scalar_subquery()
    )
    return (
        sa.select(Placement)
        .options(joinedload(Placement.employer))
        .where(
            Placement.municipality_id == contact.municipality_id,
            Placement.contact_id == contact.id,
            Placement.status == "nazorg",
            Placement.outcome.is_(None),
            last_due <= today,
        )
        .order_by(last_due, Placement.id)
        .limit(HOME_OUTCOMES)
    )


# The placement's page -------------------------------------------------------------------------------------


def contract_form(placement: Placement) -> forms.ContractForm:
    return forms.ContractForm(
        formdata=None,
        contract_type=placement.contract_type,
        contract_hours=placement.contract_hours,
        contract_start_date=placement.contract_start_date,
    )


def aftercare_context(placement: Placement, user: User) -> dict[str, Any]:
    """``aftercare``: what the placement page's aftercare part shows (None before a contract).

    Staff see every check-in with its answers; employers only the dates of the planned ones. The
    municipality also gets the links to record a check-in and the outcome, and the contract form (also
    while a decided contract has not started: ``pending``, no check-ins yet).
    At most three queries.
    """
    if placement.contract_start_date is None and placement.outcome is None:
        return {"aftercare": None}
    staff = sees_checkins(user)
    municipal = is_municipal_of(user, placement)
    pending = services.contract_pending(placement)
    rows = [] if pending else db.session.scalars(checkins_of(placement.id)).all()
    if not staff:
        rows = [row for row in rows if row.status == "planned"]
    held = [row for row in rows if row.status == "held"]
    ids = {row.held_by_id for row in held} - {None}
    people = (
        dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())
        if ids and staff
        else {}
    )
    running = services.aftercare_problem(placement) is None
    today = today_local()
    opens = outcome_allowed = current = None
    if staff and (running or pending):
        current = settings.settings_for(placement.municipality_id)
    if municipal and running:
        opens = services.outcome_opens(placement, current)
        outcome_allowed = opens is None or today >= opens
    months = settings.months_of(current) if current is not None else None
    return {
        "aftercare": {
            "checkins": rows,
            "held": held if staff else [],
            "people": people,
            "staff": staff,
            "running": running,
            "pending": pending,
            "may_record": municipal and running,
            "contract_form": contract_form(placement) if municipal and (running or pending) else None,
            "outcome_opens": opens,
            "outcome_allowed": outcome_allowed,
            "ends": aftercare_end(placement.contract_start_date, months) if months else None,
            "today": today,
            "statuses": CHECKIN_STATUSES,
            "with": CHECKIN_WITH,
            "risks": RISK_LEVELS,
            "outcomes": AFTERCARE_OUTCOMES,
            "contract_types": CONTRACT_TYPES,
            "dropout_reasons": DROPOUT_REASONS,
            "aspects": SCORED_ASPECTS,
            "scale": SCALE,
        }
    }


@placement_page.connect
def placement_page_part(placement: Placement, *, user: User, bound: dict[str, Any]) -> dict[str, Any]:
    """The aftercare part of the placement's page, and the held check-ins on its timeline."""
    part = aftercare_context(placement, user)
    held = part["aftercare"]["held"] if part["aftercare"] else ()
    return {
        **part,
        "events": [{"kind": "checkin", "at": checkin.updated_at, "checkin": checkin} for checkin in held],
    }
