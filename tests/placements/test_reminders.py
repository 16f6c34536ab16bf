"""A missing weekly log: one reminder e-mail per employer user on the last working day of the week."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import url_for

from portal import scheduler
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.placements.models import WeeklyLog
from portal.placements.reminders import remind_missing_weekly_logs
from tests.factories import make_placement, make_user

JOB = "placements.remind_weekly_logs"
MONDAY = date(2026, 3, 9)
#: Friday 13 March 2026, 16:00 in Amsterdam (CET, UTC+1).
FRIDAY = datetime(2026, 3, 13, 15, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)


def onboarding(tenant, status: str = "onboarding", started: date | None = date(2026, 3, 2)):
    return make_placement(tenant, status=status, start_date=date(2026, 3, 2), actual_start_date=started)


def add_log(placement, week_start: date, user) -> WeeklyLog:
    log = WeeklyLog(
        placement_id=placement.id,
        week_start=week_start,
        days_planned=2,
        days_present=2,
        punctuality=3,
        task_progress=3,
        dutch_at_work=2,
        teamwork=4,
        motivation=4,
        submitted_by_id=user.id,
    )
    db.session.add(log)
    db.session.flush()
    return log


def reminders(placement=None) -> list[OutboxEmail]:
    key = "placements.log_reminder:" + (f"{placement.id}:%" if placement else "%")
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like(key)).order_by(OutboxEmail.id)
        )
    )


def run_at(app, time_machine, moment: datetime) -> dict:
    time_machine.move_to(moment, tick=False)
    db.session.commit()
    return scheduler.run_job(app, JOB)


def test_on_friday_the_employer_gets_one_reminder_with_a_link_and_no_name(app, seed, time_machine):
    placement = onboarding(seed.a)
    candidate = placement.candidate
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 1}
    [mail] = reminders()
    assert mail.to_address == seed.a.employer_user.email
    assert mail.dedupe_key == f"placements.log_reminder:{placement.id}:2026-03-09:{seed.a.employer_user.id}"
    assert mail.municipality_id == seed.a.municipality.id
    assert candidate.pseudonym in mail.subject
    assert candidate.pseudonym in mail.body_text
    assert seed.a.workplace.name in mail.body_text
    assert "9 maart 2026" in mail.body_text
    with app.test_request_context():
        link = url_for("placements.log_week", placement_id=placement.id, week_start="2026-03-09")
    assert f"{app.config['BASE_URL']}{link}\n" in mail.body_text
    for personal in (candidate.first_name, candidate.last_name, candidate.email):
        assert personal not in mail.subject + mail.body_text
    assert mail.body_text.rstrip().endswith("Werkbrug")


def test_running_again_adds_nothing(app, seed, time_machine):
    onboarding(seed.a)
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 1}
    assert run_at(app, time_machine, FRIDAY.replace(hour=20)) == {"reminders": 0}
    assert len(reminders()) == 1


@pytest.mark.parametrize(
    "moment",
    [
        THURSDAY,
        datetime(2026, 3, 9, 8, 0, tzinfo=UTC),  # Monday
        datetime(2026, 3, 14, 9, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 3, 13, 23, 30, tzinfo=UTC),  # already Saturday in Amsterdam
    ],
)
def test_no_reminder_on_other_days(app, seed, time_machine, moment):
    onboarding(seed.a)
    assert run_at(app, time_machine, moment) == {"reminders": 0}
    assert reminders() == []


def test_the_day_follows_amsterdam_not_utc(app, seed, time_machine):
    onboarding(seed.a)
    # Thursday 23:30 UTC is Friday 00:30 in Amsterdam.
    assert run_at(app, time_machine, datetime(2026, 3, 12, 23, 30, tzinfo=UTC)) == {"reminders": 1}


def test_christmas_friday_moves_the_reminder_to_thursday(app, seed, time_machine):
    placement = onboarding(seed.a, started=date(2026, 12, 1))
    assert run_at(app, time_machine, datetime(2026, 12, 25, 10, 0, tzinfo=UTC)) == {"reminders": 0}
    assert reminders() == []
    assert run_at(app, time_machine, datetime(2026, 12, 24, 10, 0, tzinfo=UTC)) == {"reminders": 1}
    [mail] = reminders(placement)
    assert mail.dedupe_key.endswith(f":2026-12-21:{seed.a.employer_user.id}")


def test_hemelvaart_thursday_keeps_the_reminder_on_friday(app, seed, time_machine):
    onboarding(seed.a, started=date(2026, 5, 1))
    assert run_at(app, time_machine, datetime(2026, 5, 14, 10, 0, tzinfo=UTC)) == {"reminders": 0}
    assert run_at(app, time_machine, datetime(2026, 5, 15, 10, 0, tzinfo=UTC)) == {"reminders": 1}


def test_a_placement_with_this_weeks_log_gets_none(app, seed, time_machine):
    logged = onboarding(seed.a)
    add_log(logged, MONDAY, seed.a.employer_user)
    only_last_week = onboarding(seed.a)
    add_log(only_last_week, date(2026, 3, 2), seed.a.employer_user)
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 1}
    assert reminders(logged) == []
    assert len(reminders(only_last_week)) == 1


@pytest.mark.parametrize("status", ["planned", "nazorg", "closed", "interrupted"])
def test_only_onboarding_placements_get_reminders(app, seed, time_machine, status):
    onboarding(seed.a, status=status)
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 0}
    assert reminders() == []


@pytest.mark.parametrize("started", [None, date(2026, 3, 16)])
def test_no_reminder_before_the_actual_start(app, seed, time_machine, started):
    onboarding(seed.a, started=started)
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 0}


def test_a_placement_that_started_today_gets_one(app, seed, time_machine):
    onboarding(seed.a, started=date(2026, 3, 13))
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 1}


def test_every_active_user_of_the_employer_and_nobody_else_is_reminded(app, seed, time_machine):
    colleague = make_user("employer", employer=seed.a.employer)
    make_user("employer", employer=seed.a.employer, is_active=False)
    placement = onboarding(seed.a)
    other = onboarding(seed.b)
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 3}
    assert [m.to_address for m in reminders(placement)] == [seed.a.employer_user.email, colleague.email]
    assert [m.to_address for m in reminders(other)] == [seed.b.employer_user.email]
    assert reminders(other)[0].municipality_id == seed.b.municipality.id


def test_a_suspended_employer_gets_no_reminder(app, seed, time_machine):
    onboarding(seed.a)
    seed.a.employer.status = "suspended"
    assert run_at(app, time_machine, FRIDAY) == {"reminders": 0}


def test_one_query_for_the_placements_and_one_for_the_users(app, seed, count_queries):
    for _ in range(4):
        onboarding(seed.a)
    make_user("employer", employer=seed.a.employer)
    onboarding(seed.b)
    db.session.expire_all()
    with count_queries() as counter:
        assert remind_missing_weekly_logs(now=FRIDAY) == {"reminders": 9}
    selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("FROM placements" in s for s in selects) == 1
    assert sum("FROM users" in s for s in selects) == 1
    assert not [s for s in selects if "FROM workplaces" in s or "FROM candidates" in s]
    assert len(reminders()) == 9


def test_the_migration_copies_the_reminders_from_the_outbox_keys(app, seed):
    """Revision d4f6b8c0e2a4 fills log_reminders from the dedupe keys of the reminders still in the outbox."""
    from importlib import import_module

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from portal.placements.models import LogReminder

    revision = import_module("migrations.versions.20261203_1330_d4f6b8c0e2a4_log_reminders")
    placement = onboarding(seed.a)
    user = seed.a.employer_user
    keys = {
        f"placements.log_reminder:{placement.id}:2026-03-09:{user.id}": "sent",
        f"placements.log_reminder:{placement.id}:2026-03-02:{user.id}": "pending",
        f"placements.log_reminder:{placement.id}:2026-02-30:{user.id}": "sent",  # no such day
        f"placements.log_reminder:999999:2026-03-02:{user.id}": "sent",  # no such placement
        f"placements/concern/{placement.id}/1": "sent",
    }
    messages = {}
    for key, status in keys.items():
        message = OutboxEmail(dedupe_key=key, to_address="a@test.werkbrug.nl", subject="s", body_text="b")
        message.status = status
        db.session.add(message)
        messages[key] = message
    db.session.flush()
    with Operations.context(MigrationContext.configure(db.session.connection())):
        revision._copy_from_outbox()
    rows = db.session.execute(
        sa.select(
            LogReminder.placement_id, LogReminder.week_start, LogReminder.user_id, LogReminder.outbox_email_id
        ).order_by(LogReminder.week_start)
    ).all()
    assert [tuple(row) for row in rows] == [
        (
            placement.id,
            date(2026, 3, 2),
            user.id,
            messages[f"placements.log_reminder:{placement.id}:2026-03-02:{user.id}"].id,
        ),
        (
            placement.id,
            date(2026, 3, 9),
            user.id,
            messages[f"placements.log_reminder:{placement.id}:2026-03-09:{user.id}"].id,
        ),
    ]
