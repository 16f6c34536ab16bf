"""Escalation: an alert nobody picked up for more than N working days goes to the municipality's admins."""

from __future__ import annotations

from datetime import date

import pytest

from portal.aftercare.models import AftercareSettings
from portal.alerts.reconcile import reconcile
from portal.alerts.services import escalate, is_overdue_for_escalation
from portal.extensions import db
from portal.placements.models import Placement
from tests import factories
from tests.alerts.signals import local, onboarding, outbox, outbox_keys

#: Thursday 23 April 2026; Monday 27 April is Koningsdag.
OPENED = local(date(2026, 4, 23), 10)


def running(tenant):
    """A placement of ``tenant`` running since Monday 20 April."""
    return onboarding(
        tenant,
        start_date=date(2026, 4, 20),
        actual_start_date=date(2026, 4, 20),
        planned_end_date=date(2026, 7, 1),
    )


@pytest.fixture
def waiting(seed, time_machine):
    """An open alert (opened Thursday 23 April) on a running placement of tenant A."""
    time_machine.move_to(OPENED, tick=False)
    placement = running(seed.a)
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


def test_escalates_after_two_working_days_once_in_the_days_digest_per_admin(seed, waiting, time_machine):
    second_admin = factories.make_user("admin", seed.a.municipality)
    factories.make_user("admin", seed.a.municipality, is_active=False)
    time_machine.move_to(local(date(2026, 4, 28), 18), tick=False)  # Tuesday evening: only 2 working days
    assert reconcile()["alerts_escalated"] == 0
    assert waiting.escalated_at is None
    time_machine.move_to(local(date(2026, 4, 29), 7), tick=False)  # overdue, but the digest waits for 08:00
    assert reconcile()["alerts_escalated"] == 0
    wednesday = local(date(2026, 4, 29), 8)
    time_machine.move_to(wednesday, tick=False)
    counts = reconcile()
    assert (counts["alerts_escalated"], counts["emails_queued"]) == (1, 2)
    db.session.refresh(waiting)
    assert waiting.escalated_at == wednesday
    assert outbox_keys("alerts-escalated:") == [
        f"alerts-escalated:{seed.a.admin.id}:2026-04-29",
        f"alerts-escalated:{second_admin.id}:2026-04-29",
    ]
    message = outbox("alerts-escalated:")[0]
    placement = db.session.get(Placement, waiting.placement_id)
    assert message.to_address == seed.a.admin.email
    assert message.subject == "1 signaal staat te lang open"
    assert "meer dan 2 werkdagen open" in message.body_text
    assert f"Belangrijk signaal. Kandidaat {placement.candidate.pseudonym}" in message.body_text
    assert waiting.reason in message.body_text
    assert seed.a.municipal.full_name in message.body_text
    assert placement.candidate.full_name not in message.body_text
    assert reconcile()["alerts_escalated"] == 0
    assert len(outbox("alerts-escalated:")) == 2


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
    assert outbox_keys("alerts-escalated:") == [f"alerts-escalated:{seed.a.admin.id}:2026-04-28"]


def test_admins_of_another_municipality_hear_nothing(seed, waiting, time_machine):
    time_machine.move_to(local(date(2026, 4, 30)), tick=False)
    escalate()
    assert [m.to_address for m in outbox("alerts-escalated:")] == [seed.a.admin.email]


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


# One digest per admin per day -----------------------------------------------------------------------------


@pytest.fixture
def many(seed, time_machine):
    """Three normal alerts on three placements of tenant A (opened Thursday 23 April), a second admin."""
    time_machine.move_to(OPENED, tick=False)
    made = []
    for rule in ("falling_score", "absence_hours", "low_score"):
        placement = running(seed.a)
        made.append(
            factories.make_alert(
                placement,
                rule=rule,
                severity="normal",
                evidence_key="log:999",
                reason=f"Signaal {rule} over deze week.",
                opened_at=OPENED,
            )
        )
    second = factories.make_user("admin", seed.a.municipality)
    return made, second


def test_normal_alerts_escalate_together_in_one_digest_per_admin_per_day(seed, many, time_machine):
    alerts, second = many
    time_machine.move_to(local(date(2026, 4, 29), 7), tick=False)  # overdue, but before 08:00
    assert escalate() == (0, 0)
    assert all(alert.escalated_at is None for alert in alerts)
    time_machine.move_to(local(date(2026, 4, 29), 8, 5), tick=False)
    assert escalate() == (3, 2)
    assert outbox_keys("alert-escalated:") == []
    assert outbox_keys("alerts-escalated:") == [
        f"alerts-escalated:{seed.a.admin.id}:2026-04-29",
        f"alerts-escalated:{second.id}:2026-04-29",
    ]
    message = outbox("alerts-escalated:")[0]
    assert message.to_address == seed.a.admin.email
    assert message.subject == "3 signalen staan te lang open"
    assert "al meer dan 2 werkdagen open" in message.body_text
    for alert in alerts:
        placement = db.session.get(Placement, alert.placement_id)
        assert placement.candidate.pseudonym in message.body_text
        assert placement.candidate.full_name not in message.body_text
        assert alert.reason in message.body_text
    assert seed.a.municipal.full_name in message.body_text
    assert escalate() == (0, 0)  # the same day again: nothing


def test_an_alert_overdue_after_the_days_digest_waits_for_the_next_one(seed, many, time_machine):
    alerts, _ = many
    late = alerts[0]
    late.opened_at = local(date(2026, 4, 24), 10)  # Friday: overdue one working day later
    time_machine.move_to(local(date(2026, 4, 29), 9), tick=False)
    assert escalate() == (2, 2)
    db.session.add(AftercareSettings(municipality_id=seed.a.municipality.id, escalation_working_days=1))
    db.session.flush()
    time_machine.move_to(local(date(2026, 4, 29), 15), tick=False)
    assert escalate() == (0, 0)  # overdue now, but today's digest went out
    assert late.escalated_at is None
    time_machine.move_to(local(date(2026, 4, 30), 8), tick=False)
    assert escalate() == (1, 2)
    assert {key for key in outbox_keys("alerts-escalated:") if key.endswith("2026-04-30")} == {
        f"alerts-escalated:{admin.id}:2026-04-30" for admin in (seed.a.admin, many[1])
    }
    assert outbox("alerts-escalated:")[-1].subject == "1 signaal staat te lang open"


def test_a_high_alert_goes_first_in_the_days_one_digest(seed, many, waiting, time_machine):
    time_machine.move_to(local(date(2026, 4, 29), 7), tick=False)
    assert escalate() == (0, 0)  # also a high one waits for 08:00
    time_machine.move_to(local(date(2026, 4, 29), 8), tick=False)
    assert escalate() == (4, 2)
    digest = outbox("alerts-escalated:")[0]
    assert digest.subject == "4 signalen staan te lang open"
    body = digest.body_text
    assert body.index(waiting.reason) < min(body.index(alert.reason) for alert in many[0])
    assert body.count("Belangrijk signaal.") == 1
    assert outbox_keys("alert-escalated:") == []


def test_fifty_escalations_give_one_mail_per_admin_and_a_second_run_that_day_none(seed, time_machine):
    time_machine.move_to(OPENED, tick=False)
    second = factories.make_user("admin", seed.a.municipality)
    for n in range(50):
        placement = running(seed.a)
        factories.make_alert(
            placement,
            rule="concern" if n % 5 == 0 else "absence_hours",
            evidence_key=f"log:{n}",
            reason=f"Signaal nummer {n}.",
            opened_at=OPENED,
            mailed_at=OPENED,
        )
    time_machine.move_to(local(date(2026, 4, 29), 9), tick=False)
    counts = reconcile()
    assert (counts["alerts_escalated"], counts["emails_queued"]) == (50, 2)
    assert outbox_keys("alerts-escalated:") == [
        f"alerts-escalated:{seed.a.admin.id}:2026-04-29",
        f"alerts-escalated:{second.id}:2026-04-29",
    ]
    assert outbox_keys("alert-escalated:") == []
    body = outbox("alerts-escalated:")[0].body_text
    assert all(f"Signaal nummer {n}." in body for n in range(50))
    time_machine.move_to(local(date(2026, 4, 29), 17), tick=False)
    again = reconcile()
    assert (again["alerts_escalated"], again["emails_queued"]) == (0, 0)
    assert len(outbox("alerts-escalated:")) == 2


def test_after_days_of_downtime_one_digest_holds_everything(seed, many, time_machine):
    time_machine.move_to(local(date(2026, 5, 6), 10), tick=False)
    assert reconcile()["alerts_escalated"] == 3
    assert len(outbox("alerts-escalated:")) == 2
    assert reconcile()["alerts_escalated"] == 0
    assert len(outbox("alerts-escalated:")) == 2


def test_the_digest_reaches_only_the_admins_of_the_alerts_municipality(seed, many, time_machine):
    time_machine.move_to(local(date(2026, 4, 30), 9), tick=False)
    escalate()
    addresses = {m.to_address for m in outbox("alerts-escalated:")}
    assert seed.b.admin.email not in addresses
    assert seed.a.admin.email in addresses
