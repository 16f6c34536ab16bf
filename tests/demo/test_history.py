"""A year and a half of the Eindhoven team's history (portal/demo/history.py): every stage, every kind of
exit, answered and overdue follow-ups, specialists with caseloads, deterministic and idempotent."""

from __future__ import annotations

import html
from collections import Counter
from datetime import timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.time import today_local
from portal.demo import DEMO_PASSWORD
from portal.demo.accounts import SPECIALIST_EMAILS
from portal.demo.history import CASELOAD_NORM, add_months, plan_history
from portal.extensions import db
from portal.journey.models import (
    EXIT_KINDS,
    STAGES,
    WORK_EXITS,
    Exit,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    TeamSettings,
)
from portal.tasks.services import care_words_in
from tests.demo.test_onboarding import CONTACT, DAYS, count_all_rows, seed, user


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def eindhoven_candidates() -> list[Candidate]:
    municipality_id = user(CONTACT).municipality_id
    return db.session.scalars(sa.select(Candidate).where(Candidate.municipality_id == municipality_id)).all()


def all_of(model) -> list:
    return db.session.scalars(sa.select(model).order_by(model.id)).all()


@pytest.mark.parametrize("moment", DAYS[::2], ids=lambda moment: moment.date().isoformat())
def test_a_year_of_history(cli, time_machine, moment):
    """One seed per day (seeding takes a while), checked from every side below."""
    time_machine.move_to(moment, tick=False)
    seed(cli)
    today = today_local()
    every_stage_and_exit_kind_with_about_a_third_to_work(today)
    each_candidates_stages_in_order_ending_in_the_current_stage()
    follow_ups_mostly_still_working_two_overdue_and_proposed_exits(today)
    a_specialist_for_every_candidate_and_one_caseload_over_the_norm()
    no_health_words_and_fictional_names()


def every_stage_and_exit_kind_with_about_a_third_to_work(today) -> None:
    changes = all_of(StageChange)
    assert {c.municipality_id for c in changes} == {user(CONTACT).municipality_id}  # Helmond stays small
    assert {c.stage for c in changes} == set(STAGES)
    assert all(c.entered_on <= today for c in changes)
    assert {c.route for c in changes if c.stage == "trajectbepaling"} >= {"werk", "activering", "opleiding"}
    assert all(c.source for c in changes if c.stage == "aanmelding")
    registered = Counter((c.entered_on.year, c.entered_on.month) for c in changes if c.stage == "aanmelding")
    assert len(registered) >= 12
    last_year = [(m.year, m.month) for m in (add_months(today.replace(day=1), -n) for n in range(1, 13))]
    assert all(8 <= registered[month] <= 30 for month in last_year), registered

    confirmed = [e for e in all_of(Exit) if e.status == "confirmed"]
    assert {e.kind for e in confirmed} == set(EXIT_KINDS)
    assert all(e.reason and e.exit_on <= today for e in confirmed)
    work = sum(e.kind in WORK_EXITS for e in confirmed)
    assert 0.2 <= work / len(confirmed) <= 0.4
    assert any(e.direct_hire and e.employer_name for e in confirmed)
    assert len(all_of(Screening)) >= 50
    assert len(all_of(PlanStep)) >= 10


def each_candidates_stages_in_order_ending_in_the_current_stage() -> None:
    by_candidate: dict[int, list[StageChange]] = {}
    for change in all_of(StageChange):
        by_candidate.setdefault(change.candidate_id, []).append(change)
    candidates = eindhoven_candidates()
    assert len(candidates) >= 200
    for candidate in candidates:
        rows = by_candidate[candidate.id]
        assert rows[0].stage == "aanmelding"
        assert [r.entered_on for r in rows] == sorted(r.entered_on for r in rows), candidate.pseudonym
        assert (candidate.stage, candidate.stage_since) == (rows[-1].stage, rows[-1].entered_on)
        if candidate.stage == "uitstroom":
            assert candidate.status == "inactive"
        system = [r for r in rows if r.stage in ("plaatsing", "nazorg", "uitstroom")]
        assert all(r.recorded_by_id is None for r in system)
    assert any(c.stage == "uitstroom" for c in candidates)
    # The placement scenarios' candidates: their stage follows their placement.
    placed = {c.pseudonym: c for c in candidates}
    assert placed["K-2026-9105"].stage == "nazorg"
    assert placed["K-2026-9101"].stage == "plaatsing"
    assert placed["K-2026-9102"].stage == "vervolgtraject"  # back after the stop decision
    linked = [r for r in by_candidate[placed["K-2026-9105"].id] if r.stage in ("plaatsing", "nazorg")]
    assert len(linked) == 2
    assert all(r.placement_id for r in linked)


def follow_ups_mostly_still_working_two_overdue_and_proposed_exits(today) -> None:
    followups = all_of(RetentionFollowUp)
    assert {f.months for f in followups} == {6, 12}
    answered = [f for f in followups if f.answered_at is not None]
    assert {f.months for f in answered} == {6, 12}
    assert sum(f.still_employed for f in answered) >= 0.7 * len(answered)
    assert {f.answered_via for f in answered} == {"employer", "specialist"}
    overdue = [f for f in followups if f.answered_at is None and f.due_on + timedelta(days=21) < today]
    assert len(overdue) == 2
    assert all(f.task_id is not None for f in overdue)  # on the specialist's list
    assert all(f.question_sent_at is not None for f in answered if f.answered_via == "employer")
    exits = {e.id: e for e in all_of(Exit)}
    assert all(exits[f.exit_id].kind in WORK_EXITS for f in followups)

    proposed = [e for e in exits.values() if e.status == "proposed"]
    assert len(proposed) >= 2
    assert all(e.placement_id and e.employer_id and e.kind in WORK_EXITS for e in proposed)
    assert all(e.confirmed_at is None for e in proposed)


def a_specialist_for_every_candidate_and_one_caseload_over_the_norm() -> None:
    specialists = {user(email).id for email in SPECIALIST_EMAILS}
    candidates = db.session.scalars(sa.select(Candidate)).all()
    assert all(c.specialist_id in specialists for c in candidates)
    caseloads = Counter(c.specialist_id for c in candidates if c.stage != "uitstroom")
    assert set(caseloads) == specialists
    norm = db.session.scalar(sa.select(TeamSettings.caseload_norm))
    assert norm == CASELOAD_NORM
    assert sum(load > norm for load in caseloads.values()) == 1


def no_health_words_and_fictional_names() -> None:
    texts = [e.reason for e in all_of(Exit)] + [s.outcome for s in all_of(Screening)]
    texts += [c.note for c in all_of(StageChange)] + [f.note for f in all_of(RetentionFollowUp)]
    texts += [p.note for p in all_of(PlanStep)]
    assert [t for t in texts if care_words_in(t)] == []
    for candidate in eindhoven_candidates():
        assert candidate.last_name == "Voorbeeld"
        assert candidate.email.endswith("@demo.werkbrug.nl")


def test_the_plan_is_deterministic_and_a_second_run_on_a_later_day_adds_nothing(cli, time_machine):
    today = DAYS[0].date()
    assert plan_history(today) == plan_history(today)
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    first = count_all_rows()
    assert first["candidate_stage_changes"] >= 1000
    time_machine.move_to(DAYS[0] + timedelta(days=40), tick=False)  # another month: still nothing new
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert "0 stage_changes, 0 screenings, 0 plan_steps, 0 exits, 0 followups" in result.output
    assert count_all_rows() == first


CHARTS = (
    "grafiek-fasen",
    "grafiek-cohorten",
    "grafiek-wachttijden",
    "grafiek-soorten",
    "grafiek-uitstroom",
    "grafiek-retentie",
    "grafiek-caseload",
)


def test_every_chart_has_data_and_the_home_pages_show_what_waits(cli, time_machine, make_client):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    client = make_client()
    client.login(CONTACT, DEMO_PASSWORD)
    response = client.get("/monitoring")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    for chart in CHARTS:
        (svg,) = page.xpath(f"//svg[starts-with(@aria-labelledby, '{chart}-')]")
        widths = [
            float(bar.get("width")) for bar in svg.xpath(".//rect[contains(@class, 'werkbrug-bars__bar')]")
        ]
        assert any(width > 0 for width in widths), chart
    (caseload,) = page.xpath("//svg[starts-with(@aria-labelledby, 'grafiek-caseload-')]")
    assert caseload.xpath(".//line[contains(@class, 'werkbrug-bars__reference')]")

    home = html.unescape(client.get("/").get_data(as_text=True))
    assert "Uitstroom bevestigen" in home  # the proposed exits wait for the contact
    today = today_local()
    late = [
        f
        for f in all_of(RetentionFollowUp)
        if f.answered_at is None and f.due_on + timedelta(days=21) < today
    ]
    owners = {db.session.get(Candidate, f.candidate_id).specialist_id for f in late}
    for owner in owners:
        other = make_client()
        other.login(db.session.get(User, owner).email, DEMO_PASSWORD)
        body = html.unescape(other.get("/").get_data(as_text=True))
        assert "Navraag na uitstroom die te laat is (" in body
