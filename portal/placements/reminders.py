"""Scheduled sweep: remind employers of a missing weekly log on the last working day of the week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.holidays import last_working_day_of_week, week_start
from portal.core.models import OutboxEmail
from portal.core.outbox import queue_emails
from portal.core.sql import conflict_insert, in_ids
from portal.core.time import LOCAL_TZ, as_utc, now_utc
from portal.employers.models import Employer
from portal.extensions import db
from portal.placements.models import LogReminder, Placement, WeeklyLog


def remind_missing_weekly_logs(now: datetime | None = None) -> dict[str, Any]:
    """Queue one reminder per employer user for each onboarding placement without this week's log. Idempotent.

    Runs every half hour but only acts on the last working day of the ISO week (Europe/Amsterdam), so
    never on a weekend or a Dutch public holiday. Each reminder is a ``LogReminder`` row (unique per
    placement, week and user) beside its e-mail, so it is sent once per user per week; the e-mail's dedupe
    key says the same while the outbox keeps the message.
    """
    today = as_utc(now or now_utc()).astimezone(LOCAL_TZ).date()
    if last_working_day_of_week(today) != today:
        return {"reminders": 0}
    monday = week_start(today)
    rows = db.session.execute(placements_missing_log(monday, today)).all()
    recipients = _employer_users({placement.employer_id for placement, _ in rows})
    reminded = _reminded(monday, [placement.id for placement, _ in rows])
    messages = {
        (placement.id, user.id): _reminder(placement, pseudonym, user, monday)
        for placement, pseudonym in rows
        for user in recipients[placement.employer_id]
        if (placement.id, user.id) not in reminded
    }
    queued = queue_emails(list(messages.values()))
    bookkept = [
        {
            "placement_id": placement_id,
            "week_start": monday,
            "user_id": user_id,
            "outbox_email_id": queued[message["dedupe_key"]],
            "created_at": now_utc(),
        }
        for (placement_id, user_id), message in messages.items()
        if message["dedupe_key"] in queued
    ]
    if bookkept:
        db.session.execute(conflict_insert(LogReminder).on_conflict_do_nothing(), bookkept)
    return {"reminders": len(bookkept)}


def _reminded(monday: date, placement_ids: list[int]) -> set[tuple[int, int]]:
    """(placement, user) of the reminders about the week of ``monday`` already sent (one query)."""
    if not placement_ids:
        return set()
    rows = db.session.execute(
        sa.select(LogReminder.placement_id, LogReminder.user_id).where(
            LogReminder.week_start == monday, in_ids(LogReminder.placement_id, placement_ids)
        )
    )
    return {tuple(row) for row in rows}


def reminder_weeks(placement_ids: list[int]) -> dict[int, set[date]]:
    """Mondays of the weeks with a delivered weekly-log reminder, per placement (two short queries).

    A reminder counts once its e-mail was sent (several employer users of one week are one reminder):
    its message is marked sent, or was pruned from the outbox (only sent messages are). The reminders
    and their unsent messages are looked up by key apart: joined, the planner may scan the whole outbox
    for the few unsent messages.
    """
    weeks: dict[int, set[date]] = defaultdict(set)
    if not placement_ids:
        return weeks
    rows = db.session.execute(
        sa.select(LogReminder.placement_id, LogReminder.week_start, LogReminder.outbox_email_id).where(
            in_ids(LogReminder.placement_id, placement_ids)
        )
    ).all()
    messages = {row.outbox_email_id for row in rows if row.outbox_email_id is not None}
    pending = sa.select(OutboxEmail.id).where(in_ids(OutboxEmail.id, messages), OutboxEmail.status != "sent")
    unsent = set(db.session.scalars(pending)) if messages else set()
    for placement_id, week, message in rows:
        if message not in unsent:
            weeks[placement_id].add(week)
    return weeks


def placements_missing_log(monday: date, today: date) -> sa.Select:
    """(Placement, pseudonym) of started onboarding placements without a log for the week of ``monday``
    (none after the planned end once a contract is decided: see ``services.last_log_week``)."""
    has_log = sa.exists().where(WeeklyLog.placement_id == Placement.id, WeeklyLog.week_start == monday)
    return (
        sa.select(Placement, Candidate.pseudonym)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .options(joinedload(Placement.workplace))
        .where(
            Placement.status == "onboarding",
            Placement.actual_start_date.is_not(None),
            Placement.actual_start_date <= today,
            # After the planned end a decided contract has not started yet: no log is asked for.
            sa.or_(Placement.contract_start_date.is_(None), Placement.planned_end_date >= monday),
            ~has_log,
        )
        .order_by(Placement.id)
    )


def _employer_users(employer_ids: set[int]) -> dict[int, list[User]]:
    """The active users of approved employers among ``employer_ids``, by employer id (one query)."""
    by_employer: dict[int, list[User]] = defaultdict(list)
    if not employer_ids:
        return by_employer
    users = db.session.scalars(
        sa.select(User)
        .join(Employer, Employer.id == User.employer_id)
        .where(
            User.employer_id.in_(employer_ids),
            User.is_active.is_(True),
            Employer.status == "approved",
        )
        .order_by(User.id)
    )
    for user in users:
        by_employer[user.employer_id].append(user)
    return by_employer


def _reminder(placement: Placement, pseudonym: str, user: User, monday: date) -> dict[str, Any]:
    """The reminder e-mail for ``user`` (arguments of ``queue_emails``)."""
    return {
        "to": user.email,
        "template": "placements/weekly_log_reminder",
        "dedupe_key": f"placements.log_reminder:{placement.id}:{monday.isoformat()}:{user.id}",
        "municipality_id": placement.municipality_id,
        "placement": placement,
        "pseudonym": pseudonym,
        "workplace": placement.workplace,
        "week_start": monday,
        "week_number": monday.isocalendar().week,
        "recipient": user,
    }
