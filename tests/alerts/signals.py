"""Helpers for the alert (signalen) tests: placements, weekly logs, the clock and look-ups.

Used by tests/aftercare/test_alerts*.py, test_reconcile*.py and test_escalation*.py (no conftest here).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from portal.aftercare.models import CheckIn
from portal.alerts.models import Alert
from portal.core.models import OutboxEmail
from portal.core.time import LOCAL_TZ
from portal.extensions import db
from portal.placements.models import WeeklyLog
from tests import factories

#: Tuesday 10 March 2026, 10:00 in Amsterdam (CET): the onboarding below began on Monday 23 February.
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FIRST_WEEK = date(2026, 2, 23)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``hour:minute`` in Amsterdam on ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def onboarding(tenant, **kw):
    """A placement of ``tenant`` in onboarding since Monday 23 February, with its jobcoach, 3 days a week."""
    values = {
        "request": tenant.request,
        "status": "onboarding",
        "start_date": FIRST_WEEK,
        "planned_end_date": date(2026, 6, 1),
        "actual_start_date": FIRST_WEEK,
        "days_per_week": 3,
        "jobcoach_id": tenant.jobcoach.id,
    }
    values.update(kw)
    return factories.make_placement(tenant, **values)


def make_log(placement, week_start: date, **kw) -> WeeklyLog:
    """A weekly log with good scores, all planned days present, unless told otherwise."""
    values = {
        "days_planned": placement.days_per_week,
        "days_present": placement.days_per_week,
        "hours_absent": 0,
        "punctuality": 3,
        "task_progress": 3,
        "dutch_at_work": 3,
        "teamwork": 3,
        "motivation": 3,
        "has_concern": False,
        "notes": {},
    }
    values.update(kw)
    submitted_by = values.pop("submitted_by_id", None)
    if submitted_by is None:
        from portal.auth.models import User

        submitted_by = db.session.scalar(
            sa.select(User.id).where(User.employer_id == placement.employer_id).order_by(User.id).limit(1)
        )
    log = WeeklyLog(placement_id=placement.id, week_start=week_start, submitted_by_id=submitted_by, **values)
    db.session.add(log)
    db.session.flush()
    return log


def logs_for(placement, *weeks: date) -> list[WeeklyLog]:
    return [make_log(placement, week) for week in weeks]


def alerts_of(placement) -> list[Alert]:
    return db.session.scalars(
        sa.select(Alert)
        .where(Alert.placement_id == placement.id)
        .order_by(Alert.id)
        .execution_options(populate_existing=True)
    ).all()


def rules_of(placement) -> list[tuple[str, str, str]]:
    """(rule, evidence key, status) of a placement's alerts, oldest first."""
    return [(a.rule, a.evidence_key, a.status) for a in alerts_of(placement)]


def outbox(prefix: str = "") -> list[OutboxEmail]:
    return db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like(prefix + "%")).order_by(OutboxEmail.id)
    ).all()


def outbox_keys(prefix: str = "") -> list[str]:
    return [m.dedupe_key for m in outbox(prefix)]


def alert_mail_keys() -> list[str]:
    """Dedupe keys of every alert e-mail (immediate, digest and escalation), in order."""
    return [k for k in outbox_keys() if k.startswith(("alert:", "alerts-digest:", "alerts-escalated:"))]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def checkin_count() -> int:
    return count(CheckIn)
