"""What each role's home page shows, and the health report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal.aftercare.queries import outcomes_due
from portal.alerts.models import Alert
from portal.alerts.queries import HOME_ALERTS, alerts_for, escalated_in, overdue_for_home
from portal.candidates.disclosure import labels_for
from portal.candidates.models import Candidate
from portal.core.holidays import add_working_days
from portal.core.models import OutboxEmail, SchedulerHeartbeat
from portal.core.prebuilt import BoundUser, day, prebuilt, shape, values
from portal.core.time import now_utc, today_local
from portal.employers.queries import employer_with_contact, pending_registrations, workplaces_of
from portal.extensions import db
from portal.followups.queries import HOME_LIMIT as FOLLOWUPS_ON_HOME
from portal.followups.queries import overdue_for_home as followups_overdue_query
from portal.journey.queries import proposed_exits_for, retention_warnings
from portal.placements.models import Placement, WeeklyLog
from portal.placements.queries import (
    assigned_to,
    decisions_due,
    logged_weeks,
    onboarding_of_employer,
    scoped,
)
from portal.placements.services import last_log_week
from portal.privacy.queries import open_requests
from portal.requests.queries import drafts_of, proposals_waiting_for, waiting_for_proposals
from portal.tasks.models import Task
from portal.tasks.queries import open_tasks_for

HEARTBEAT_JOB = "core.heartbeat"


def home_context(user) -> dict[str, Any]:
    """The data for ``main/home_<role>.html``: what needs this user's attention now.

    ``named_candidates`` holds the ids of every candidate the page names (the view audits them as one
    listing) and ``candidate_labels`` how this user may see each of them named.
    """
    context = _attention(user)
    named = named_candidate_ids(context)
    context.update(named_candidates=named, candidate_labels=labels_for(user, named))
    return context


def named_candidate_ids(context: dict[str, Any]) -> set[int]:
    """Ids of the candidates a home page names: of each placement, candidate, alert, task or row with a
    ``candidate_id`` in its lists (plain lists and ``first_rows`` dicts)."""
    ids: set[int] = set()
    placements: set[int] = set()
    alert_placements: set[int] = set()
    for value in context.values():
        if isinstance(value, dict) and "items" in value:  # a list of first_rows()
            value = value["items"]
        if not isinstance(value, list | tuple):
            continue
        for row in value:
            if isinstance(row, sa.Row) and "candidate_id" in row._mapping:
                ids.add(row.candidate_id)
            for item in row if isinstance(row, tuple | sa.Row) else (row,):
                if isinstance(item, Placement):
                    ids.add(item.candidate_id)
                    placements.add(item.id)
                elif isinstance(item, Candidate):
                    ids.add(item.id)
                elif isinstance(item, Alert):
                    alert_placements.add(item.placement_id)
                elif isinstance(item, Task) and item.candidate_id is not None:
                    ids.add(item.candidate_id)  # work about a candidate, with or without a placement
    if alert_placements - placements:
        query = sa.select(Placement.candidate_id).where(Placement.id.in_(alert_placements - placements))
        ids.update(db.session.scalars(query))
    return ids


def _attention(user) -> dict[str, Any]:
    if user.role == "employer":
        employer = db.session.scalar(employer_with_contact(user.employer_id))
        workplaces = db.session.scalars(workplaces_of(user.employer_id)).all()
        due, overdue = weekly_logs_to_do(user.employer_id)
        decisions = decisions_to_take(user)
        return {
            "employer": employer,
            "workplaces": workplaces,
            "logs_due": due,
            "logs_overdue": overdue,
            "decisions": decisions,
            "proposals": first_rows(proposals_waiting_for(user.employer_id)),
            "drafts": first_rows(drafts_of(user.employer_id), scalars=True),
            **open_tasks(user),
        }
    if user.role == "jobcoach":
        return {
            "assigned": db.session.execute(_assigned_statement(), values(user)).unique().all(),
            "to_start": placements_to_start(user),
            **open_alerts(user),
            **open_tasks(user),
        }
    if user.role == "municipal":
        return _municipal(user)
    if user.role == "admin":
        return {
            "failed_mail": count(
                sa.select(OutboxEmail).where(
                    OutboxEmail.status == "failed", OutboxEmail.municipality_id == user.municipality_id
                )
            ),
            "pending_count": count(pending_registrations(user.municipality_id)),
            "scheduler_age": scheduler_age_seconds(),
            **escalated_alerts(user),
            "privacy_requests": first_rows(open_requests(user.municipality_id)),
            "today": today_local(),
            "failed_jobs": db.session.scalars(
                sa.select(SchedulerHeartbeat)
                .where(SchedulerHeartbeat.last_ok.is_(False))
                .order_by(SchedulerHeartbeat.job_id)
            ).all(),
        }
    return {}


#: The employer's home page lists at most this many missing weekly logs.
MAX_LOGS_TO_DO = 50


def weekly_logs_to_do(employer_id: int) -> tuple[list[tuple], list[tuple]]:
    """(due, overdue): (placement, week_start) of missing logs this week and in earlier weeks."""
    placements = db.session.scalars(onboarding_of_employer(employer_id)).unique().all()
    if not placements:
        return [], []
    logged = {tuple(r) for r in db.session.execute(logged_weeks(p.id for p in placements))}
    this_week = _monday(today_local())
    due, overdue = [], []
    for placement in placements:
        week = _monday(placement.actual_start_date)
        last = min(this_week, last_log_week(placement) or this_week)
        while week <= last and len(overdue) < MAX_LOGS_TO_DO:
            if (placement.id, week) not in logged:
                (due if week == this_week else overdue).append((placement, week))
            week += timedelta(days=7)
    return due, sorted(overdue, key=lambda item: item[1])


#: Home pages show this many open tasks and recent concerns; the rest is one click away.
HOME_TASKS = 10

#: A concern in a weekly log stays on the municipal home page this long.
CONCERN_DAYS = 14


def first_rows(query: sa.Select, *, scalars: bool = False, limit: int = HOME_TASKS) -> dict[str, Any]:
    """``items``: the first ``limit`` rows of a list on a home page, ``more``: whether there are more
    (one query: one row more than shown is fetched)."""
    result = db.session.execute(query.limit(limit + 1))
    return _first((result.unique().scalars() if scalars else result).all(), limit)


def _first(rows: list, limit: int = HOME_TASKS) -> dict[str, Any]:
    """``first_rows`` of the rows of a statement that fetched ``limit + 1``."""
    return {"items": rows[:limit], "more": len(rows) > limit}


def _count_of(query: sa.Select) -> sa.Select:
    return sa.select(sa.func.count()).select_from(query.order_by(None).subquery())


# The municipal contact's home page: twenty statements on every rendering, so each is built once per
# worker and run with the contact's ids and today's dates as bind parameters (portal/core/prebuilt.py).


@prebuilt
def _municipal_statements() -> dict[str, sa.Select]:
    contact = BoundUser("municipal", has_employer=False)
    municipality_id = contact.municipality_id
    pending = pending_registrations(municipality_id)
    return {
        "pending": pending.limit(10),
        "pending_count": _count_of(pending),
        "new_requests": waiting_for_proposals(municipality_id, contact.id, HOME_TASKS + 1),
        "outcomes": outcomes_due(contact, day("today")),
        "exits_proposed": proposed_exits_for(contact).limit(HOME_TASKS + 1),
        "followups": followups_overdue_query(contact, day("late_before")).limit(FOLLOWUPS_ON_HOME),
        "followup_count": _count_of(followups_overdue_query(contact, day("late_before"))),
        "privacy_requests": open_requests(municipality_id, specialist_id=contact.id).limit(HOME_TASKS + 1),
    }


def _municipal(user) -> dict[str, Any]:
    today = today_local()
    params = values(
        user, today=today, late_before=today - timedelta(days=current_app.config["FOLLOWUP_ANSWER_DAYS"])
    )
    statements = _municipal_statements()

    def rows(name: str, *, scalars: bool = False) -> list:
        result = db.session.execute(statements[name], params)
        return (result.unique().scalars() if scalars else result).all()

    followups = rows("followups")
    return {
        "pending": rows("pending", scalars=True),
        "pending_count": db.session.scalar(statements["pending_count"], params),
        "new_requests": _first(rows("new_requests", scalars=True)),
        "to_start": placements_to_start(user),
        "decisions": decisions_to_take(user),
        "concerns": recent_concerns(user),
        **open_alerts(user),
        **overdue_for_home(user, today),
        "outcomes": rows("outcomes", scalars=True),
        "exits_proposed": _first(rows("exits_proposed")),
        **open_tasks(user),
        "overdue_followups": followups,
        "overdue_followup_count": (
            len(followups)
            if len(followups) < FOLLOWUPS_ON_HOME
            else db.session.scalar(statements["followup_count"], params)
        ),
        "retention": retention_warnings(user, today),
        "privacy_requests": _first(rows("privacy_requests")),
    }


@prebuilt
def _assigned_statement() -> sa.Select:
    return assigned_to(BoundUser("jobcoach", has_employer=False))


# Lists on the home pages of several roles: built once per shape of user (role, employer or not).


def _listed_placements(role: str, has_employer: bool) -> sa.Select | None:
    """The placements the home page of a user of this shape lists: the contact's own, the
    jobcoach's or the employer's (``scoped``; None for other roles), with the employer and workplace loaded.
    Candidates are named through ``candidate_labels``, so their profiles are not loaded."""
    user = BoundUser(role, has_employer=has_employer)
    query = sa.select(Placement).options(joinedload(Placement.employer), joinedload(Placement.workplace))
    scope = scoped(query, user)
    if scope is not None and role == "municipal":
        scope = scope.where(Placement.contact_id == user.id)
    return scope


@prebuilt
def _to_start_statement(role: str, has_employer: bool) -> sa.Select | None:
    scope = _listed_placements(role, has_employer)
    if scope is None:
        return None
    return (
        scope.where(Placement.status == "planned")
        .order_by(Placement.created_at.desc(), Placement.id.desc())
        .limit(HOME_TASKS + 1)
    )


def placements_to_start(user) -> dict[str, Any]:
    """Planned placements waiting to start, newest first: the contact's own, or the jobcoach's."""
    statement = _to_start_statement(*shape(user))
    if statement is None:
        return _first([])
    return _first(db.session.execute(statement, values(user)).unique().scalars().all())


def _listed_and_counted(query: sa.Select | None, limit: int) -> tuple[sa.Select, sa.Select] | None:
    """The first ``limit`` rows of ``query`` and its count, as two statements (None without a query)."""
    return None if query is None else (query.limit(limit), _count_of(query))


@prebuilt
def _task_statements(role: str, has_employer: bool) -> tuple[sa.Select, sa.Select] | None:
    return _listed_and_counted(open_tasks_for(BoundUser(role, has_employer=has_employer)), HOME_TASKS)


def open_tasks(user) -> dict[str, Any]:
    """``tasks`` (task, placement, pseudonym) soonest due first, ``task_count`` and ``today``."""
    statements = _task_statements(*shape(user))
    if statements is None:
        return {"tasks": [], "task_count": 0, "today": today_local()}
    listed, counted = statements
    params = values(user)
    rows = db.session.execute(listed, params).all()
    return {"tasks": rows, "task_count": db.session.scalar(counted, params), "today": today_local()}


@prebuilt
def _alert_statements(role: str, has_employer: bool) -> tuple[sa.Select, sa.Select] | None:
    return _listed_and_counted(alerts_for(BoundUser(role, has_employer=has_employer), "open"), HOME_ALERTS)


def open_alerts(user) -> dict[str, Any]:
    """``alerts`` (alert, placement, candidate) of the user's placements that nobody picked up yet,
    high first, and ``alert_count``: the contact's placements, or the jobcoach's."""
    statements = _alert_statements(*shape(user))
    if statements is None:
        return {"alerts": [], "alert_count": 0}
    listed, counted = statements
    params = values(user)
    rows = db.session.execute(listed, params).all()
    total = len(rows) if len(rows) < HOME_ALERTS else db.session.scalar(counted, params)
    return {"alerts": rows, "alert_count": total}


def escalated_alerts(user) -> dict[str, Any]:
    """``escalated`` (alert, pseudonym, contact name) of the admin's municipality and ``escalated_count``."""
    query = escalated_in(user.municipality_id)
    rows = db.session.execute(query.limit(HOME_ALERTS)).all()
    return {
        "escalated": rows,
        "escalated_count": len(rows) if len(rows) < HOME_ALERTS else count(query),
    }


@prebuilt
def _decisions_statement(role: str, has_employer: bool) -> sa.Select | None:
    scope = _listed_placements(role, has_employer)
    return None if scope is None else decisions_due(scope, day("ends_by"))


def decisions_to_take(user) -> list:
    """Placements waiting for the end-of-placement decision: the employer's own, or the contact's."""
    statement = _decisions_statement(*shape(user))
    if statement is None:
        return []
    ends_by = add_working_days(today_local(), current_app.config["DECISION_LEAD_WORKING_DAYS"])
    return db.session.scalars(statement, values(user, ends_by=ends_by)).unique().all()


@prebuilt
def _concerns_statement(role: str, has_employer: bool) -> sa.Select | None:
    scope = _listed_placements(role, has_employer)
    if scope is None:
        return None
    return (
        scope.add_columns(WeeklyLog)
        .join(WeeklyLog, WeeklyLog.placement_id == Placement.id)
        .where(
            Placement.status.in_(("onboarding", "nazorg")),
            WeeklyLog.has_concern.is_(True),
            WeeklyLog.week_start >= day("since"),
        )
        .order_by(WeeklyLog.week_start.desc(), WeeklyLog.id.desc())
        .limit(HOME_TASKS)
    )


def recent_concerns(user) -> list:
    """(log, placement) of weekly logs with "ik maak me zorgen" in the last two weeks, for the contact."""
    statement = _concerns_statement(*shape(user))
    if statement is None:
        return []
    since = _monday(today_local()) - timedelta(days=CONCERN_DAYS)
    rows = db.session.execute(statement, values(user, since=since)).unique().all()
    return [(log, placement) for placement, log in rows]


def _monday(value: date) -> date:
    return value - timedelta(days=value.weekday())


def count(query: sa.Select) -> int:
    return db.session.scalar(_count_of(query)) or 0


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
