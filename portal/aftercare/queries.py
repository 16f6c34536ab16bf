"""Read-side queries of aftercare: a placement's check-ins and the contact's overdue check-ins."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.aftercare.models import CheckIn
from portal.alerts.models import Alert
from portal.auth.models import User
from portal.extensions import db
from portal.placements.models import Placement
from portal.visits.models import Visit

#: The municipal home page shows this many overdue check-ins; the count says how many there are.
HOME_LIMIT = 10
#: Open alerts first by severity, then the latest known risk: lower sorts first. No alert ranks after
#: every severity; no known risk ranks before a known low risk (nobody has looked yet).
SEVERITY_RANK = {"high": 0, "normal": 1}
RISK_RANK = {"high": 0, "medium": 1, "low": 3}
UNKNOWN_RISK_RANK = 2


def checkins_of(placement_id: int) -> sa.Select:
    """The check-ins of a placement in plan order."""
    return sa.select(CheckIn).where(CheckIn.placement_id == placement_id).order_by(CheckIn.number)


def checkin_of(placement_id: int, checkin_id: int) -> sa.Select:
    """One check-in of one placement (none when it belongs to another placement)."""
    return sa.select(CheckIn).where(CheckIn.id == checkin_id, CheckIn.placement_id == placement_id)


def _rank(column, ranks: dict[str, int], otherwise: int):
    return sa.case(*((column == code, rank) for code, rank in ranks.items()), else_=otherwise)


def latest_risk(placement_ids: sa.Select) -> sa.Subquery:
    """(placement_id, risk) of the newest visit or held check-in of each of these placements."""
    events = sa.union_all(
        sa.select(
            Visit.placement_id.label("placement_id"),
            Visit.visit_date.label("day"),
            sa.literal(0).label("source"),
            Visit.id.label("row_id"),
            Visit.risk.label("risk"),
        ).where(Visit.placement_id.in_(placement_ids)),
        sa.select(CheckIn.placement_id, CheckIn.held_on, sa.literal(1), CheckIn.id, CheckIn.risk).where(
            CheckIn.placement_id.in_(placement_ids), CheckIn.status == "held"
        ),
    ).subquery()
    ranked = sa.select(
        events.c.placement_id,
        events.c.risk,
        sa.func.row_number()
        .over(
            partition_by=events.c.placement_id,
            order_by=(events.c.day.desc(), events.c.source.desc(), events.c.row_id.desc()),
        )
        .label("n"),
    ).subquery()
    return sa.select(ranked.c.placement_id, ranked.c.risk).where(ranked.c.n == 1).subquery()


def alert_severity(placement_ids: sa.Select) -> sa.Subquery:
    """(placement_id, rank) of the most severe open or acknowledged alert of each placement."""
    return (
        sa.select(
            Alert.placement_id,
            sa.func.min(_rank(Alert.severity, SEVERITY_RANK, len(SEVERITY_RANK))).label("rank"),
        )
        .where(Alert.placement_id.in_(placement_ids), Alert.status.in_(("open", "acknowledged")))
        .group_by(Alert.placement_id)
        .subquery()
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
    date. Candidate and
    employer are loaded.
    """
    mine = _contacts_placements(contact)
    alerts = alert_severity(mine)
    risk = latest_risk(mine)
    alert_rank = sa.func.coalesce(alerts.c.rank, len(SEVERITY_RANK))
    return (
        sa.select(CheckIn, Placement, alert_rank.label("alert_rank"), risk.c.risk.label("risk"))
        .join(Placement, Placement.id == CheckIn.placement_id)
        .outerjoin(alerts, alerts.c.placement_id == Placement.id)
        .outerjoin(risk, risk.c.placement_id == Placement.id)
        .options(joinedload(Placement.candidate), joinedload(Placement.employer))
        .where(_is_overdue(contact, today))
        .order_by(alert_rank, _rank(risk.c.risk, RISK_RANK, UNKNOWN_RISK_RANK), CheckIn.due_date, CheckIn.id)
    )


def count_overdue(contact: User, today: date) -> sa.Select:
    return sa.select(sa.func.count(CheckIn.id)).where(_is_overdue(contact, today))


def overdue_for_home(contact: User, today: date) -> dict[str, Any]:
    """``overdue_checkins`` (at most HOME_LIMIT rows), ``overdue_checkin_count`` and the labels of
    risk ranks, for the municipal home page (two queries)."""
    rows = db.session.execute(overdue_checkins(contact, today).limit(HOME_LIMIT)).unique().all()
    return {
        "overdue_checkins": rows,
        "overdue_checkin_count": db.session.scalar(count_overdue(contact, today)) or 0,
    }


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
