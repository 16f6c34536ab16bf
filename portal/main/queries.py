"""What each role's home page shows, and the health report."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.core.models import OutboxEmail, SchedulerHeartbeat
from portal.core.time import now_utc
from portal.employers import queries as employer_queries
from portal.extensions import db

HEARTBEAT_JOB = "core.heartbeat"


def home_context(user) -> dict[str, Any]:
    """The data for ``main/home_<role>.html``: what needs this user's attention now."""
    if user.role == "employer":
        employer = db.session.scalar(employer_queries.employer_with_contact(user.employer_id))
        workplaces = db.session.scalars(employer_queries.workplaces_of(user.employer_id)).all()
        return {"employer": employer, "workplaces": workplaces}
    if user.role == "municipal":
        pending = db.session.scalars(
            employer_queries.pending_registrations(user.municipality_id).limit(10)
        ).all()
        pending_count = count(employer_queries.pending_registrations(user.municipality_id))
        return {"pending": pending, "pending_count": pending_count}
    if user.role == "admin":
        return {
            "failed_mail": count(
                sa.select(OutboxEmail).where(
                    OutboxEmail.status == "failed", OutboxEmail.municipality_id == user.municipality_id
                )
            ),
            "pending_count": count(employer_queries.pending_registrations(user.municipality_id)),
            "scheduler_age": scheduler_age_seconds(),
            "failed_jobs": db.session.scalars(
                sa.select(SchedulerHeartbeat)
                .where(SchedulerHeartbeat.last_ok.is_(False))
                .order_by(SchedulerHeartbeat.job_id)
            ).all(),
        }
    return {}


def count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


def scheduler_age_seconds() -> int | None:
    """Seconds since the scheduler's last heartbeat, or None if it never ran."""
    last = db.session.scalar(
        sa.select(SchedulerHeartbeat.last_finished_at).where(SchedulerHeartbeat.job_id == HEARTBEAT_JOB)
    )
    if last is None:
        return None
    return int((now_utc() - last).total_seconds())


def health(stale_minutes: int) -> dict[str, Any]:
    try:
        db.session.execute(sa.text("SELECT 1"))
        age = scheduler_age_seconds()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable", "scheduler_heartbeat_age_seconds": None}
    scheduler_ok = age is not None and age <= stale_minutes * 60
    return {
        "status": "ok" if scheduler_ok else "degraded",
        "database": "ok",
        "scheduler_heartbeat_age_seconds": age,
        "scheduler": "ok" if scheduler_ok else ("never-ran" if age is None else "stale"),
    }
