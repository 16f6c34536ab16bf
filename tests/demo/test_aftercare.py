"""Demo data for aftercare (portal/demo/aftercare.py): placements in nazorg with held, due and overdue
check-ins that follow the plan, open alerts of several kinds, shown on the contact's home page."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from portal.aftercare.models import CheckIn
from portal.aftercare.plan import checkin_plan
from portal.aftercare.settings import months_of, settings_for, weeks_of
from portal.alerts.models import ALERT_RULES, Alert
from portal.core.time import today_local
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.placements.models import SCORED_ASPECTS, Placement
from tests.demo.test_onboarding import CONTACT, DAYS, count_all_rows, eindhoven_placements, seed, user
from tests.test_accessibility import page_problems

#: Rules the demo shows at least one open alert of.
EXPECTED_RULES = {"concern", "high_risk", "checkin_overdue", "end_without_decision", "logs_missing"}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def checkins_of(placement) -> list[CheckIn]:
    return db.session.scalars(
        sa.select(CheckIn).where(CheckIn.placement_id == placement.id).order_by(CheckIn.number)
    ).all()


@pytest.mark.parametrize("moment", DAYS, ids=lambda moment: moment.date().isoformat())
def test_nazorg_placements_have_held_due_and_overdue_checkins_on_plan(cli, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    seed(cli)
    today = today_local()
    nazorg = [p for p in eindhoven_placements() if p.status == "nazorg"]
    assert {p.candidate.pseudonym for p in nazorg} >= {"K-2026-9105", "K-2026-9201", "K-2026-9202"}
    settings = settings_for(nazorg[0].municipality_id)
    held, overdue, due_soon = [], [], []
    for placement in nazorg:
        assert placement.contract_start_date < today
        rows = checkins_of(placement)
        plan = checkin_plan(placement.contract_start_date, weeks_of(settings), months_of(settings))
        assert [(c.number, c.week, c.due_date) for c in rows] == [tuple(item) for item in plan]
        assert {c.status for c in rows} <= {"planned", "held"}
        for checkin in rows:
            if checkin.status == "held":
                held.append(checkin)
                assert checkin.held_on == checkin.due_date <= today
                assert checkin.contact_made is True
                assert set(checkin.scores) == set(SCORED_ASPECTS)
                assert checkin.held_by_id == placement.contact_id
            elif checkin.due_date < today:
                overdue.append(checkin)
            elif checkin.due_date <= today + timedelta(days=7):
                due_soon.append(checkin)
    assert len(held) >= 8
    assert {c.risk for c in held} == {"low", "medium", "high"}
    assert any(c.problems and c.agreements for c in held)
    assert 1 <= len(overdue) <= 2
    assert due_soon


@pytest.mark.parametrize("moment", DAYS, ids=lambda moment: moment.date().isoformat())
def test_open_alerts_of_several_kinds_with_dutch_reasons(cli, time_machine, moment):
    time_machine.move_to(moment, tick=False)
    seed(cli)
    contact = user(CONTACT)
    alerts = db.session.scalars(
        sa.select(Alert).where(Alert.municipality_id == contact.municipality_id)
    ).all()
    assert {a.status for a in alerts} == {"open"}
    assert {a.rule for a in alerts} >= EXPECTED_RULES
    assert {a.rule for a in alerts} <= set(ALERT_RULES)
    assert {a.severity for a in alerts} == {"high", "normal"}
    for alert in alerts:
        assert alert.reason.endswith(".")
        assert "Voorbeeld" not in alert.reason  # reasons never name a person
        placement = db.session.get(Placement, alert.placement_id)
        assert placement.contact_id == contact.id
    overdue = next(a for a in alerts if a.rule == "checkin_overdue")
    assert db.session.get(Placement, overdue.placement_id).candidate.pseudonym == "K-2026-9202"
    high = [a for a in alerts if a.rule == "high_risk"]
    assert any(a.evidence_key.startswith("checkin:") for a in high)


def test_contact_home_shows_open_alerts_and_overdue_checkins(cli, time_machine, make_client):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    client = make_client()
    client.login(CONTACT, DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert page_problems(response.data) == []
    tree = lxml.html.document_fromstring(response.data)
    (alerts_section,) = tree.xpath("//section[@aria-labelledby='signalen-titel']")
    alerts_text = html.unescape(alerts_section.text_content())
    contact = user(CONTACT)
    open_alerts = db.session.scalars(
        sa.select(Alert).where(Alert.municipality_id == contact.municipality_id, Alert.status == "open")
    ).all()
    assert f"({len(open_alerts)})" in alerts_text
    shown = [a for a in open_alerts if a.reason in alerts_text]
    assert len(shown) >= 5
    assert "Nazorggesprek te laat" in alerts_text or "Einddatum dichtbij zonder besluit" in alerts_text
    (overdue_section,) = tree.xpath("//section[@aria-labelledby='nazorg-te-laat-titel']")
    overdue_text = html.unescape(overdue_section.text_content())
    assert "K-2026-9202" in overdue_text
    assert "Te laat" in overdue_text


def test_a_second_run_adds_nothing(cli, time_machine):
    time_machine.move_to(DAYS[0], tick=False)
    seed(cli)
    first = count_all_rows()
    assert first["checkins"] >= 20
    assert first["alerts"] >= len(EXPECTED_RULES)
    for later in (DAYS[0] + timedelta(hours=2), DAYS[0] + timedelta(days=9)):
        time_machine.move_to(later, tick=False)
        result = cli("seed-demo")
        assert result.exit_code == 0, result.output
        assert "0 checkins, 0 alerts" in result.output
        assert count_all_rows() == first


def test_the_demo_respects_an_existing_settings_row(cli, time_machine):
    """An administrator's own settings are never overwritten by the demo."""
    from portal.aftercare.models import AftercareSettings
    from portal.core.models import Municipality

    time_machine.move_to(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False)
    seed(cli)
    eindhoven = db.session.scalar(sa.select(Municipality).where(Municipality.slug == "eindhoven"))
    row = db.session.scalar(
        sa.select(AftercareSettings).where(AftercareSettings.municipality_id == eindhoven.id)
    )
    assert row.end_without_decision_days == 14
    row.end_without_decision_days = 9
    db.session.commit()
    seed(cli)
    db.session.expire_all()
    assert db.session.get(AftercareSettings, row.id).end_without_decision_days == 9
