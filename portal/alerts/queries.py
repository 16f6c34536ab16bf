"""Read-side queries of alerts: the inbox, one alert, a placement's alerts and the home pages (with the
contact's overdue check-ins, most at risk first)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from portal.aftercare.models import CheckIn
from portal.alerts.models import ALERT_STATUSES, Alert
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.prebuilt import BoundUser, day, prebuilt, values
from portal.core.signals import placement_page
from portal.extensions import db
from portal.placements.models import Placement, WeeklyLog
from portal.placements.queries import scoped
from portal.visits.models import Visit

#: Home pages show this many alerts; the inbox has the rest.
HOME_ALERTS = 10
#: High alerts first, then the newest.
INBOX_ORDER = (sa.case((Alert.severity == "high", 0), else_=1), Alert.opened_at.desc(), Alert.id.desc())


def inbox_status(value: str | None) -> str:
    """The inbox's status filter from the address: a known alert status, else "open"."""
    return value if value in ALERT_STATUSES else "open"


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


@placement_page.connect
def placement_page_part(placement: Placement, *, user: User, bound: dict[str, Any]) -> dict[str, Any]:
    """The alerts of the placement's page and timeline (an alert when it opened and again when it was
    resolved or closed itself); employers never see alerts."""
    alerts = [] if user.role == "employer" else db.session.scalars(alerts_of_placement(placement.id)).all()
    events = []
    for alert in alerts:
        events.append({"kind": "alert", "at": alert.opened_at, "alert": alert})
        if alert.status == "resolved" and alert.resolved_at:
            events.append({"kind": "alert_closed", "at": alert.resolved_at, "alert": alert})
    return {"alerts": alerts, "events": events}


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


# The contact's overdue check-ins, most at risk first (municipal home page) --------------------------------

#: The municipal home page shows this many overdue check-ins; the count says how many there are.
HOME_OVERDUE = 10

#: Open alerts first by severity, then the latest known risk: lower sorts first. No alert ranks after
#: every severity; no known risk ranks before a known low risk (nobody has looked yet).
SEVERITY_RANK = {"high": 0, "normal": 1}

RISK_RANK = {"high": 0, "medium": 1, "low": 3}

UNKNOWN_RISK_RANK = 2


def _rank(column, ranks: dict[str, int], otherwise: int):
    return sa.case(*((column == code, rank) for code, rank in ranks.items()), else_=otherwise)


def _latest_risk_events() -> sa.Subquery:
    """The visits and held check-ins of the placement in the enclosing query (correlated, so answered from
    that placement's own rows by index)."""
    return sa.union_all(
        sa.select(
            Visit.visit_date.label("day"),
            sa.literal(0).label("source"),
            Visit.id.label("row_id"),
            Visit.risk.label("risk"),
        )
        .where(Visit.placement_id == Placement.id)
        .correlate(Placement),
        sa.select(CheckIn.held_on, sa.literal(1), CheckIn.id, CheckIn.risk)
        .where(CheckIn.placement_id == Placement.id, CheckIn.status == "held")
        .correlate(Placement),
    ).subquery()


def latest_risk(rank: bool = False) -> sa.ScalarSelect:
    """The risk noted at the newest visit or held check-in of the placement in the enclosing query (or, with
    ``rank``, that risk's rank in RISK_RANK); None when nobody looked yet."""
    events = _latest_risk_events()
    value = _rank(events.c.risk, RISK_RANK, UNKNOWN_RISK_RANK) if rank else events.c.risk
    return (
        sa.select(value)
        .order_by(events.c.day.desc(), events.c.source.desc(), events.c.row_id.desc())
        .limit(1)
        .scalar_subquery()
    )


def alert_severity(placement_id) -> sa.ScalarSelect:
    """The rank of the most severe open or acknowledged alert of the placement ``placement_id`` (a column
    of the enclosing query; None without one): a correlated subquery."""
    return (
        sa.select(sa.func.min(_rank(Alert.severity, SEVERITY_RANK, len(SEVERITY_RANK))))
        .where(Alert.placement_id == placement_id, Alert.status.in_(("open", "acknowledged")))
        .scalar_subquery()
    )


def _contacts_placements(contact: User) -> sa.Select:
    """Ids of the placements in nazorg (no outcome yet) whose fixed municipal contact is ``contact``."""
    return sa.select(Placement.id).where(
        Placement.municipality_id == contact.municipality_id,
        Placement.contact_id == contact.id,
        Placement.status == "nazorg",
        Placement.outcome.is_(None),
    )


def _is_overdue(contact: User, today: date):
    return sa.and_(
        CheckIn.placement_id.in_(_contacts_placements(contact)),
        CheckIn.status == "planned",
        CheckIn.due_date < today,
    )


def overdue_checkins(contact: User, today: date) -> sa.Select:
    """(check-in, placement, alert rank, latest risk) of the contact's planned check-ins due before today.

    Only placements in nazorg of the contact's municipality whose fixed contact is ``contact``. Sorted by
    risk: the most severe open or acknowledged alert first (high, then normal, then none), then the
    latest risk of a visit or held check-in (high, medium, not known yet, low), then the oldest due
    date. The employer and the candidate's pseudonym are loaded.
    """
    alert_rank = sa.func.coalesce(alert_severity(Placement.id), len(SEVERITY_RANK)).label("alert_rank")
    risk_rank = sa.func.coalesce(latest_risk(rank=True), UNKNOWN_RISK_RANK)
    return (
        sa.select(CheckIn, Placement, alert_rank, latest_risk().label("risk"))
        .join(Placement, Placement.id == CheckIn.placement_id)
        .options(
            joinedload(Placement.candidate).load_only(Candidate.pseudonym), joinedload(Placement.employer)
        )
        .where(_is_overdue(contact, today))
        .order_by(alert_rank, risk_rank, CheckIn.due_date, CheckIn.id)
    )


def count_overdue(contact: User, today: date) -> sa.Select:
    return sa.select(sa.func.count(CheckIn.id)).where(_is_overdue(contact, today))


def overdue_for_home(contact: User, today: date) -> dict[str, Any]:
    """``overdue_checkins`` (at most HOME_OVERDUE rows) and ``overdue_checkin_count``, for the municipal
    home page (two queries, built once: ``portal.core.prebuilt``)."""
    listed, counted = _overdue_statements()
    params = values(contact, today=today)
    return {
        "overdue_checkins": db.session.execute(listed, params).unique().all(),
        "overdue_checkin_count": db.session.scalar(counted, params) or 0,
    }


@prebuilt
def _overdue_statements() -> tuple[sa.Select, sa.Select]:
    contact, today = BoundUser("municipal", has_employer=False), day("today")
    return overdue_checkins(contact, today).limit(HOME_OVERDUE), count_overdue(contact, today)
