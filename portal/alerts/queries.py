"""Read-side queries of alerts: the inbox, one alert, a placement's alerts and the home pages."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.aftercare.models import CheckIn
from portal.alerts.models import Alert
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.placements.models import Placement, WeeklyLog
from portal.placements.queries import scoped
from portal.visits.models import Visit

#: Home pages show this many alerts; the inbox has the rest.
HOME_ALERTS = 10
#: High alerts first, then the newest.
INBOX_ORDER = (sa.case((Alert.severity == "high", 0), else_=1), Alert.opened_at.desc(), Alert.id.desc())


def alerts_for(user: User, status: str | None = None, *, everyone: bool = False) -> sa.Select | None:
    """(alert, placement, candidate) rows the user may see, high first; None for roles without alerts.

    Municipal staff: alerts of placements they are the contact of, or (``everyone``) of the whole
    municipality. Jobcoaches: alerts of their assigned placements. ``status`` limits to one status.
    """
    if user.role not in ("municipal", "jobcoach"):
        return None
    query = scoped(
        sa.select(Alert, Placement, Candidate)
        .join(Placement, Placement.id == Alert.placement_id)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .where(Alert.municipality_id == user.municipality_id)
        .order_by(*INBOX_ORDER),
        user,
    )
    if user.role == "municipal" and not everyone:
        query = query.where(Placement.contact_id == user.id)
    if status is not None:
        query = query.where(Alert.status == status)
    return query


def alert_for(user: User, alert_id: int) -> sa.Select | None:
    """(alert, placement) of one alert on a placement the user works on; None for other roles."""
    if user.role not in ("municipal", "jobcoach"):
        return None
    query = scoped(sa.select(Alert, Placement).join(Placement, Placement.id == Alert.placement_id), user)
    return query.where(Alert.id == alert_id, Alert.municipality_id == user.municipality_id)


def alerts_of_placement(placement_id: int) -> sa.Select:
    """Every alert of a placement: unresolved first, then high first and newest first."""
    return (
        sa.select(Alert)
        .where(Alert.placement_id == placement_id)
        .order_by((Alert.status == "resolved"), *INBOX_ORDER)
    )


#: Evidence keys that name a row (``log:12``): the kind and the model it is a row of.
EVIDENCE_ROWS = {"log": WeeklyLog, "visit": Visit, "checkin": CheckIn}


def evidence_of(alert: Alert) -> tuple[str, sa.Select] | None:
    """(kind, query of the one row) an alert is about: the weekly log, visit or check-in of its placement
    named by its evidence key; None for an alert about weeks or dates (missing logs, an end date)."""
    kind, _, ident = (alert.evidence_key or "").partition(":")
    model = EVIDENCE_ROWS.get(kind)
    if model is None or not ident.isdigit() or len(ident) > 9:
        return None
    return kind, sa.select(model).where(model.id == int(ident), model.placement_id == alert.placement_id)


def escalated_in(municipality_id: int) -> sa.Select:
    """(alert, pseudonym, contact name) of the municipality's escalated alerts that are not resolved."""
    contact = aliased(User)
    return (
        sa.select(Alert, Candidate.pseudonym, contact.full_name)
        .join(Placement, Placement.id == Alert.placement_id)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .outerjoin(contact, contact.id == Placement.contact_id)
        .where(
            Alert.municipality_id == municipality_id,
            Alert.escalated_at.is_not(None),
            Alert.status != "resolved",
        )
        .order_by(Alert.escalated_at.desc(), Alert.id.desc())
    )
