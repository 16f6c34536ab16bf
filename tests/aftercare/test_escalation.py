"""Escalation: an alert nobody picked up for more than N working days goes to the municipality's admins."""

from __future__ import annotations

from datetime import date

import pytest

from portal.aftercare.alerts import escalate, is_overdue_for_escalation
from portal.aftercare.models import AftercareSettings
from portal.aftercare.reconcile import reconcile
from portal.extensions import db
from portal.placements.models import Placement
from tests import factories
from tests.aftercare.signals import local, onboarding, outbox, outbox_keys

#: Thursday 23 April 2026; Monday 27 April is Koningsdag.
OPENED = local(date(2026, 4, 23), 10)


@pytest.fixture
def waiting(seed, time_machine):
    """An open alert (opened Thursday 23 April) on a running placement of tenant A."""
    time_machine.move_to(OPENED, tick=False)
    placement = onboarding(
        seed.a,
        start_date=date(2026, 4, 20),
        actual_start_date=date(2026, 4, 20),
        planned_end_date=date(2026, 7, 1),
    )
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 4, 22))
    return factories.make_alert(placement, rule="concern", opened_at=OPENED, mailed_at=OPENED)


@pytest.mark.parametrize(
    ("today", "days", "escalates"),
    [
        (date(2026, 4, 24), 1, False),  # Friday: 1 working day
        (date(2026, 4, 28), 1, True),  # Tuesday: Monday was Koningsdag, so 2
        (date(2026, 4, 28), 2, False),
        (date(2026, 4, 29), 2, True),
    ],
)
def test_more_than_n_working_days_with_a_holiday_in_between(today, days, escalates):
    assert is_overdue_for_escalation(OPENED, today, days) is escalates


def test_escalates_after_two_working_days_once_with_one_mail_per_admin(seed, waiting, time_machine):
    second_admin = factories.make_user("admin", seed.a.municipality)
    factories.make_user("admin", seed.a.municipality, is_active=False)
    time_machine.move_to(local(date(2026, 4, 28), 18), tick=False)  # Tuesday evening: only 2 working days
    assert reconcile()["alerts_escalated"] == 0
    assert waiting.escalated_at is None
    wednesday = local(date(2026, 4, 29), 7)
    time_machine.move_to(wednesday, tick=False)
    counts = reconcile()
    assert (counts["alerts_escalated"], counts["emails_queued"]) == (1, 2)
    db.session.refresh(waiting)
    assert waiting.escalated_at == wednesday
    assert outbox_keys("alert-escalated:") == [
        f"alert-escalated:{waiting.id}:{seed.a.admin.id}",
        f"alert-escalated:{waiting.id}:{second_admin.id}",
    ]
    message = outbox("alert-escalated:")[0]
    placement = db.session.get(Placement, waiting.placement_id)
    assert message.to_address == seed.a.admin.email
    assert message.subject == f"Signaal over kandidaat {placement.candidate.pseudonym} is nog niet opgepakt"
    assert "meer dan 2 werkdagen open" in message.body_text
    assert waiting.reason in message.body_text
    assert seed.a.municipal.full_name in message.body_text
    assert placement.candidate.full_name not in message.body_text
    assert reconcile()["alerts_escalated"] == 0
    assert len(outbox("alert-escalated:")) == 2


def test_a_picked_up_alert_never_escalates(seed, waiting, time_machine):
    waiting.status = "acknowledged"
    time_machine.move_to(local(date(2026, 5, 6)), tick=False)
    assert escalate() == (0, 0)


def test_no_escalation_for_a_placement_that_ended(seed, waiting, time_machine):
    db.session.get(Placement, waiting.placement_id).status = "interrupted"
    time_machine.move_to(local(date(2026, 5, 6)), tick=False)
    assert escalate() == (0, 0)
    assert waiting.escalated_at is None


def test_the_municipal_setting_decides_the_number_of_working_days(seed, waiting, time_machine):
    db.session.add(AftercareSettings(municipality_id=seed.a.municipality.id, escalation_working_days=1))
    db.session.flush()
    time_machine.move_to(local(date(2026, 4, 28), 9), tick=False)
    assert escalate() == (1, 1)
    assert outbox_keys("alert-escalated:") == [f"alert-escalated:{waiting.id}:{seed.a.admin.id}"]


def test_admins_of_another_municipality_hear_nothing(seed, waiting, time_machine):
    time_machine.move_to(local(date(2026, 4, 30)), tick=False)
    escalate()
    assert [m.to_address for m in outbox("alert-escalated:")] == [seed.a.admin.email]


def test_the_admin_home_lists_escalated_alerts(seed, waiting, time_machine, login_as):
    time_machine.move_to(local(date(2026, 4, 30)), tick=False)
    escalate()
    page = login_as(seed.a.admin).get("/").get_data(as_text=True)
    assert "Signalen die te lang open staan (1)" in page
    assert waiting.reason in page
    assert seed.a.municipal.full_name in page
    other = login_as(seed.b.admin).get("/").get_data(as_text=True)
    assert "Signalen die te lang open staan (0)" in other
    assert waiting.reason not in other
