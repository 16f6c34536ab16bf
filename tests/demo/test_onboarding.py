"""Demo data for onboarding (portal/demo/onboarding.py): every placement status, weekly logs, visits,
actions and decisions, dated relative to the day it is seeded, consistent and idempotent."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.db import Base
from portal.core.holidays import add_working_days
from portal.core.time import as_utc, to_local, today_local
from portal.demo import DEMO_PASSWORD
from portal.demo.accounts import EMPLOYER_ACCOUNTS
from portal.demo.open_requests import REQUESTERS
from portal.extensions import db
from portal.main.queries import weekly_logs_to_do
from portal.placements.models import (
    DROPOUT_REASONS,
    PLACEMENT_STATUSES,
    SCORED_ASPECTS,
    STOP_REASONS,
    EndDecision,
    Placement,
    PlacementStatusChange,
    WeeklyLog,
)
from portal.placements.queries import position_freed
from portal.requests.models import PlacementRequest, Proposal
from portal.tasks.models import Task
from portal.visits.models import Visit
from tests.test_accessibility import page_problems

CONTACT = "gemeente@demo.werkbrug.nl"
JOBCOACH = "jobcoach@demo.werkbrug.nl"
BAKERY = "werkgever@demo.werkbrug.nl"
#: Days the demo may be seeded on: a Tuesday, a Monday, a Sunday, Easter Monday and Christmas Day.
DAYS = (
    datetime(2026, 3, 10, 9, tzinfo=UTC),
    datetime(2026, 3, 9, 6, tzinfo=UTC),
    datetime(2026, 3, 15, 12, tzinfo=UTC),
    datetime(2026, 4, 6, 9, tzinfo=UTC),
    datetime(2026, 12, 25, 9, tzinfo=UTC),
)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def seed(cli) -> None:
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def eindhoven_placements() -> list[Placement]:
    contact = user(CONTACT)
    return db.session.scalars(
        sa.select(Placement)
        .where(Placement.municipality_id == contact.municipality_id)
        .order_by(Placement.id)
    ).all()


def count_all_rows() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def final_decision(placement: Placement) -> EndDecision | None:
    return db.session.scalar(
        sa.select(EndDecision).where(
            EndDecision.placement_id == placement.id, EndDecision.kind.in_(("contract", "stop"))
        )
    )


@pytest.mark.parametrize("moment", DAYS, ids=lambda moment: moment.date().isoformat())
def test_demo_has_every_status_with_a_consistent_story(cli, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    seed(cli)
    today = today_local()
    placements = eindhoven_placements()
    by_status = {status: [p for p in placements if p.status == status] for status in PLACEMENT_STATUSES}
    assert all(by_status.values()), {status: len(rows) for status, rows in by_status.items()}
    assert len(by_status["onboarding"]) >= 4

    jobcoach, contact = user(JOBCOACH), user(CONTACT)
    started = [p for p in placements if p.status != "planned"]
    assert sum(p.jobcoach_id == jobcoach.id for p in started) >= len(started) - 1
    assert any(p.jobcoach_id is None for p in by_status["onboarding"])  # one still to assign

    for placement in started:
        assert placement.actual_start_date is not None
        assert placement.actual_start_date <= today
        assert placement.contact_id == contact.id
        changes = db.session.scalars(
            sa.select(PlacementStatusChange)
            .where(PlacementStatusChange.placement_id == placement.id)
            .order_by(PlacementStatusChange.id)
        ).all()
        assert changes[0].from_status is None
        assert changes[0].to_status == "planned"
        assert [c.from_status for c in changes[1:]] == [c.to_status for c in changes[:-1]]
        assert changes[-1].to_status == placement.status
        moments = [as_utc(c.changed_at) for c in changes]
        assert moments == sorted(moments)
        assert moments[-1] <= moment
        logs = db.session.scalars(sa.select(WeeklyLog).where(WeeklyLog.placement_id == placement.id)).all()
        assert 3 <= len(logs) <= 13
        for log in logs:
            assert placement.actual_start_date - timedelta(days=6) <= log.week_start <= today
            assert log.days_present <= log.days_planned == placement.days_per_week
            assert not log.hours_absent or log.absence_reason
            if placement.ended_on:
                assert log.week_start <= placement.ended_on
            assert as_utc(log.created_at) <= moment

    # Near the end of onboarding without a decision: exactly one.
    near = [
        p
        for p in by_status["onboarding"]
        if p.planned_end_date <= add_working_days(today, 10) and final_decision(p) is None
    ]
    assert len(near) == 1
    assert near[0].planned_end_date >= today

    # Nazorg after a contract: this demo's one and those of the aftercare demo (portal/demo/aftercare.py).
    for nazorg in by_status["nazorg"]:
        decision = final_decision(nazorg)
        assert decision.kind == "contract"
        assert (nazorg.contract_type, nazorg.contract_hours, nazorg.contract_start_date) == (
            decision.contract_type,
            decision.contract_hours,
            decision.contract_start,
        )
        assert nazorg.contract_start_date > nazorg.actual_start_date
        assert nazorg.candidate.status == "placed"

    (closed,) = by_status["closed"]
    decision = final_decision(closed)
    assert decision.kind == "stop"
    assert decision.stop_reason == closed.end_reason
    assert closed.end_reason in STOP_REASONS
    assert closed.ended_on == closed.planned_end_date < today
    assert closed.candidate.status == "active"

    (interrupted,) = by_status["interrupted"]
    assert interrupted.end_reason in DROPOUT_REASONS
    assert interrupted.end_note
    assert interrupted.ended_on < today
    assert interrupted.candidate.status == "inactive"
    intake = db.session.scalars(
        sa.select(Task).where(Task.placement_id == interrupted.id, Task.kind == "intake")
    ).one()
    assert (intake.status, intake.owner, intake.assignee_id) == ("open", "municipal", contact.id)
    assert intake.due_date >= today
    assert not db.session.scalars(
        sa.select(Task).where(
            Task.placement_id == interrupted.id, Task.kind == "action", Task.status == "open"
        )
    ).all()

    # Every candidate is obviously fictional, and each placement comes from an accepted proposal.
    for placement in placements:
        assert placement.candidate.last_name == "Voorbeeld"
        proposal = db.session.get(Proposal, placement.proposal_id)
        assert proposal.status == "accepted"
        assert proposal.request_id == placement.request_id
        assert proposal.candidate_id == placement.candidate_id
    for request in db.session.scalars(sa.select(PlacementRequest)):
        taken = db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(
                Proposal.request_id == request.id, Proposal.status == "accepted", ~position_freed(Proposal.id)
            )
        )
        assert taken <= request.positions, request.role_title
        if request.status == "filled":
            assert taken == request.positions


def test_demo_has_worrying_weeks_visits_and_actions(cli, time_machine):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    today = today_local()
    logs = db.session.scalars(sa.select(WeeklyLog)).all()
    concerns = [log for log in logs if log.has_concern]
    assert concerns
    assert all(log.concern_text for log in concerns)
    assert any(log.needs_from_municipality for log in logs)
    assert any(log.hours_absent and log.absence_reason for log in logs)
    assert any(getattr(log, name) == 1 for log in logs for name in SCORED_ASPECTS)
    assert any(log.notes for log in logs)
    assert any(log.language_goals_met for log in logs)

    visits = db.session.scalars(sa.select(Visit)).all()
    assert {v.mode for v in visits} >= {"on_site", "phone"}
    assert {v.risk for v in visits} == {"low", "medium", "high"}
    assert all(v.risk_reason for v in visits if v.risk != "low")
    assert all(v.visit_date <= today for v in visits)
    assert any(v.confirmed_at is not None for v in visits)
    assert any(v.confirmed_at is None for v in visits)
    for visit in visits:
        placement = db.session.get(Placement, visit.placement_id)
        assert visit.jobcoach_id == placement.jobcoach_id
        assert visit.visit_date >= placement.actual_start_date
        if visit.confirmed_by_id:
            assert db.session.get(User, visit.confirmed_by_id).employer_id == placement.employer_id

    actions = db.session.scalars(sa.select(Task).where(Task.kind == "action")).all()
    open_actions = [t for t in actions if t.status == "open"]
    assert {t.owner for t in open_actions} == {"employer", "candidate", "jobcoach", "municipal"}
    assert any(t.due_date < today for t in open_actions)  # overdue
    assert any(t.due_date >= today for t in open_actions)
    assert any(t.status == "done" and t.done_by_id for t in actions)
    assert any(t.status == "cancelled" for t in actions)
    assert all(t.visit_id is not None for t in actions)
    for task in actions:
        visit = db.session.get(Visit, task.visit_id)
        assert task.due_date >= visit.visit_date
        assert to_local(task.created_at).date() == visit.visit_date  # dated with its visit
        assert task.placement_id == visit.placement_id


def test_employer_home_shows_this_weeks_log_as_due(cli, time_machine, make_client):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    bakery = user(BAKERY)
    due, overdue = weekly_logs_to_do(bakery.employer_id)
    assert len(due) == 1
    assert overdue == []
    client = make_client()
    client.login(BAKERY, DEMO_PASSWORD)
    body = html.unescape(client.get("/").get_data(as_text=True))
    assert "U moet deze week nog één weekverslag invullen." in body


def test_demo_placement_pages_render_for_contact_jobcoach_and_employers(cli, time_machine, make_client):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    placements = eindhoven_placements()
    jobcoach = user(JOBCOACH)
    viewers = {CONTACT: placements, JOBCOACH: [p for p in placements if p.jobcoach_id == jobcoach.id]}
    for email in EMPLOYER_ACCOUNTS.values():
        viewers[email] = [p for p in placements if p.employer_id == user(email).employer_id]
    for email, visible in viewers.items():
        assert visible, email
        client = make_client()
        client.login(email, DEMO_PASSWORD)
        for placement in visible:
            response = client.get(f"/plaatsingen/{placement.id}")
            assert response.status_code == 200, (email, placement.status)
            assert page_problems(response.get_data()) == [], (email, placement.status)
            body = html.unescape(response.get_data(as_text=True))
            if placement.status != "planned":
                assert "Grafiek van de scores per week" in body
                assert "Scores uit de weekverslagen" in body
    # Employers never see another employer's placement.
    client = make_client()
    client.login(BAKERY, DEMO_PASSWORD)
    other = next(p for p in placements if p.employer_id != user(BAKERY).employer_id)
    assert client.get(f"/plaatsingen/{other.id}").status_code == 404


def test_employer_sees_the_name_only_after_consent(cli, time_machine, make_client):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    bakery = user(BAKERY)
    client = make_client()
    client.login(BAKERY, DEMO_PASSWORD)
    for placement in eindhoven_placements():
        if placement.employer_id != bakery.employer_id:
            continue
        body = html.unescape(client.get(f"/plaatsingen/{placement.id}").get_data(as_text=True))
        assert "Zorg gaat eerst" not in body
        if placement.candidate.pseudonym == "K-2026-9101":
            assert placement.candidate.full_name in body
        else:
            assert placement.candidate.full_name not in body


def test_second_run_adds_nothing(cli, time_machine):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    first = count_all_rows()
    assert first["weekly_logs"] >= 30
    assert first["visits"] >= 5
    time_machine.move_to(DAYS[0] + timedelta(days=9), tick=False)  # a later day: still nothing new
    result = cli("seed-demo")
    assert result.exit_code == 0
    assert "0 placements, 0 weekly_logs, 0 visits, 0 tasks, 0 decisions" in result.output
    assert count_all_rows() == first


def test_demo_runs_on_a_real_today(cli):
    seed(cli)
    statuses = {p.status for p in eindhoven_placements()}
    assert statuses == set(PLACEMENT_STATUSES)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) >= 35
    assert date.today() - today_local() <= timedelta(days=1)


def test_employers_never_read_health_or_care_words_in_the_demo(cli, time_machine, make_client):
    """Everything a demo employer's pages show is free of health and care words (architecture §2)."""
    from portal.tasks.services import care_words_in

    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    placements = eindhoven_placements()
    for email in sorted(set(EMPLOYER_ACCOUNTS.values()) | set(REQUESTERS.values())):
        client = make_client()
        client.login(email, DEMO_PASSWORD)
        employer_id = user(email).employer_id
        urls = ["/", "/plaatsingen", "/taken"]
        urls += [f"/plaatsingen/{p.id}" for p in placements if p.employer_id == employer_id]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (email, url)
            page = html.unescape(response.get_data(as_text=True))
            assert care_words_in(page) == [], (email, url)
