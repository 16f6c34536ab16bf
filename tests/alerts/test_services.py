"""Alert services: acknowledge and resolve, the immediate e-mail for high alerts and the daily digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.alerts import services as alerts
from portal.alerts.models import Alert
from portal.alerts.reconcile import reconcile
from portal.alerts.services import digest_cutoff, mail_digests, mail_high
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db
from tests import factories
from tests.alerts.signals import FIRST_WEEK, T0, local, make_log, onboarding, outbox, outbox_keys

TUESDAY = date(2026, 3, 10)


@pytest.fixture
def placement(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    return onboarding(seed.a)


def normal_alert(placement, opened_at, rule="absence_hours", **kw):
    return factories.make_alert(
        placement,
        rule=rule,
        severity="normal",
        opened_at=opened_at,
        reason=f"Reden {rule}.",
        evidence_key=kw.pop("evidence_key", f"log:{opened_at.timestamp():.0f}"),
        **kw,
    )


# Acknowledge and resolve ----------------------------------------------------------------------------------


def test_acknowledge_then_resolve_with_a_note(seed, placement):
    alert = factories.make_alert(placement)
    alerts.acknowledge(seed.a.jobcoach, alert, placement)
    assert (alert.status, alert.acknowledged_by_id) == ("acknowledged", seed.a.jobcoach.id)
    with pytest.raises(DomainError, match="al opgepakt"):
        alerts.acknowledge(seed.a.municipal, alert, placement)
    alerts.resolve(seed.a.municipal, alert, placement, "  Gebeld met de werkgever.  ")
    assert (alert.status, alert.resolved_by_id, alert.resolution_note) == (
        "resolved",
        seed.a.municipal.id,
        "Gebeld met de werkgever.",
    )
    assert alert.acknowledged_by_id == seed.a.jobcoach.id  # kept
    with pytest.raises(DomainError, match="al afgehandeld"):
        alerts.resolve(seed.a.municipal, alert, placement, "Nog een keer.")
    with pytest.raises(DomainError, match="al afgehandeld"):
        alerts.acknowledge(seed.a.municipal, alert, placement)
    actions = [
        (e.action, e.actor_id, e.detail)
        for e in db.session.query(AuditEvent)
        .filter(AuditEvent.object_type == "Alert")
        .order_by(AuditEvent.id)
    ]
    assert actions == [
        ("alert.acknowledged", seed.a.jobcoach.id, {"placement_id": placement.id, "rule": "concern"}),
        ("alert.resolved", seed.a.municipal.id, {"placement_id": placement.id, "rule": "concern"}),
    ]


def test_resolving_an_open_alert_also_picks_it_up(seed, placement):
    alert = factories.make_alert(placement)
    alerts.resolve(seed.a.municipal, alert, placement, "Opgelost.")
    assert alert.acknowledged_by_id == seed.a.municipal.id
    assert alert.acknowledged_at == alert.resolved_at == T0


@pytest.mark.parametrize(
    ("note", "message"),
    [(None, alerts.NOTE_NEEDED), ("   ", alerts.NOTE_NEEDED), ("x" * 2001, alerts.NOTE_TOO_LONG)],
)
def test_resolving_needs_a_note_of_at_most_2000_characters(seed, placement, note, message):
    alert = factories.make_alert(placement)
    with pytest.raises(DomainError) as error:
        alerts.resolve(seed.a.municipal, alert, placement, note)
    assert (error.value.message, error.value.field) == (message, "note")
    assert alert.status == "open"
    alerts.resolve(seed.a.municipal, alert, placement, "x" * 2000)
    assert alert.status == "resolved"


def test_only_the_municipality_and_the_placements_own_jobcoach_handle_alerts(seed, placement):
    alert = factories.make_alert(placement)
    other_coach = factories.make_user("jobcoach", seed.a.municipality)
    for user in (other_coach, seed.b.municipal, seed.b.jobcoach, seed.a.employer_user, seed.a.admin):
        with pytest.raises(DomainError, match="niet afhandelen"):
            alerts.acknowledge(user, alert, placement)
        with pytest.raises(DomainError, match="niet afhandelen"):
            alerts.resolve(user, alert, placement, "Klaar.")
    colleague = factories.make_user("municipal", seed.a.municipality)
    alerts.acknowledge(colleague, alert, placement)
    assert alert.status == "acknowledged"


# Immediate e-mail for high alerts ------------------------------------------------------------------------


def test_a_high_alert_is_mailed_at_once_to_the_contact_and_the_jobcoach(seed, placement):
    factories.make_visit(
        placement, seed.a.jobcoach, visit_date=date(2026, 3, 9), risk="high", risk_reason="Ruzie."
    )
    make_log(placement, FIRST_WEEK)
    make_log(placement, date(2026, 3, 2))
    counts = reconcile()
    (alert,) = db.session.query(Alert).filter(Alert.placement_id == placement.id).all()
    assert alert.rule == "high_risk"
    assert counts["emails_queued"] == 2
    assert outbox_keys("alert:") == [
        f"alert:{alert.id}:{seed.a.municipal.id}",
        f"alert:{alert.id}:{seed.a.jobcoach.id}",
    ]
    message = outbox("alert:")[0]
    assert message.to_address == seed.a.municipal.email
    assert message.subject.startswith(f"Signaal over kandidaat {placement.candidate.pseudonym}: ")
    assert alert.reason in message.body_text
    assert f"http://localhost{alert.evidence_path}" in message.body_text
    assert "http://localhost/signalen" in message.body_text
    assert placement.candidate.full_name not in message.body_text
    assert alert.mailed_at == T0
    assert reconcile()["emails_queued"] == 0


def test_a_concern_alert_mails_only_the_jobcoach_the_contact_had_the_log_mail(seed, placement):
    make_log(placement, FIRST_WEEK, has_concern=True)
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    make_log(placement, date(2026, 3, 2))
    counts = reconcile()
    (alert,) = db.session.query(Alert).filter(Alert.placement_id == placement.id).all()
    assert alert.rule == "concern"
    assert counts["emails_queued"] == 1
    assert outbox_keys("alert:") == [f"alert:{alert.id}:{seed.a.jobcoach.id}"]
    message = outbox("alert:")[0]
    assert message.subject == (
        f"Signaal over kandidaat {placement.candidate.pseudonym}: de werkgever maakt zich zorgen"
    )


def test_high_alert_without_a_jobcoach_or_with_an_inactive_contact(seed, placement):
    placement.jobcoach_id = None
    first = factories.make_alert(placement, rule="low_score")
    assert mail_high() == 1
    assert outbox_keys("alert:") == [f"alert:{first.id}:{seed.a.municipal.id}"]
    seed.a.municipal.is_active = False
    placement.jobcoach_id = seed.a.jobcoach.id
    second = factories.make_alert(placement, rule="high_risk")
    assert mail_high() == 1
    assert outbox_keys(f"alert:{second.id}:") == [f"alert:{second.id}:{seed.a.jobcoach.id}"]


def test_no_mail_for_closed_placements_or_alerts_already_picked_up(seed, placement):
    closed = onboarding(seed.a, status="closed")
    dropped = onboarding(seed.a, status="interrupted")
    for gone in (closed, dropped):
        factories.make_alert(gone, rule="concern")
    picked_up = factories.make_alert(placement, rule="concern", status="acknowledged")
    assert mail_high() == 0
    assert outbox_keys("alert:") == []
    assert picked_up.mailed_at is None


# The daily digest -----------------------------------------------------------------------------------------


def test_the_digest_goes_out_from_eight_oclock_once_a_day(seed, placement, time_machine):
    early = normal_alert(placement, local(TUESDAY, 6))
    time_machine.move_to(local(TUESDAY, 7, 59), tick=False)
    assert mail_digests() == 0
    time_machine.move_to(local(TUESDAY, 8), tick=False)
    assert mail_digests() == 2
    assert outbox_keys("alerts-digest:") == [
        f"alerts-digest:{seed.a.municipal.id}:2026-03-10",
        f"alerts-digest:{seed.a.jobcoach.id}:2026-03-10",
    ]
    digest = outbox("alerts-digest:")[0]
    assert digest.subject == "1 nieuw signaal over uw plaatsingen"
    assert "Reden absence_hours." in digest.body_text
    assert placement.candidate.pseudonym in digest.body_text
    assert early.mailed_at == local(TUESDAY, 8)

    time_machine.move_to(local(TUESDAY, 12), tick=False)
    later = normal_alert(placement, local(TUESDAY, 11), rule="logs_missing")
    assert mail_digests() == 0  # today's digest went out; the new alert waits for tomorrow
    assert later.mailed_at is None
    time_machine.move_to(local(TUESDAY + timedelta(days=1), 8, 5), tick=False)
    assert mail_digests() == 2
    tomorrow = outbox(f"alerts-digest:{seed.a.municipal.id}:2026-03-11")[0]
    assert "Reden logs_missing." in tomorrow.body_text
    assert "Reden absence_hours." not in tomorrow.body_text
    assert mail_digests() == 0


def test_a_person_added_later_in_the_day_gets_the_same_alerts(seed, placement, time_machine):
    placement.jobcoach_id = None
    alert = normal_alert(placement, local(TUESDAY, 6))
    time_machine.move_to(local(TUESDAY, 9), tick=False)
    assert mail_digests() == 1
    placement.jobcoach_id = seed.a.jobcoach.id
    time_machine.move_to(local(TUESDAY, 11), tick=False)
    assert mail_digests() == 1
    assert alert.reason in outbox(f"alerts-digest:{seed.a.jobcoach.id}:")[0].body_text
    assert alert.mailed_at == local(TUESDAY, 9)


def test_the_digest_leaves_out_high_resolved_and_closed(seed, placement, time_machine):
    factories.make_alert(placement, rule="concern", opened_at=local(TUESDAY, 6))  # high: mailed at once
    normal_alert(placement, local(TUESDAY, 6), rule="logs_missing", status="resolved", resolved_at=T0)
    closed = onboarding(seed.a, status="closed")
    normal_alert(closed, local(TUESDAY, 6))
    time_machine.move_to(local(TUESDAY, 9), tick=False)
    assert mail_digests() == 0


@pytest.mark.parametrize(
    ("day", "eight_utc"),
    [
        (date(2026, 3, 29), datetime(2026, 3, 29, 6, 0, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 25, 7, 0, tzinfo=UTC)),
    ],
)
def test_one_digest_a_day_on_daylight_saving_days(seed, time_machine, day, eight_utc):
    assert digest_cutoff(local(day, 12)) == eight_utc
    time_machine.move_to(local(day - timedelta(days=1), 20), tick=False)
    placement = onboarding(
        seed.a,
        start_date=day - timedelta(days=3),
        actual_start_date=day - timedelta(days=3),
        planned_end_date=day + timedelta(days=60),
    )
    for offset in (-1, 0, 1):
        normal_alert(placement, local(day + timedelta(days=offset), 1), rule=f"r{offset}")
    now, end = local(day - timedelta(days=1), 20), local(day + timedelta(days=1), 10)
    while now <= end:  # every ten minutes through both transitions of the clock
        time_machine.move_to(now, tick=False)
        reconcile()
        now += timedelta(minutes=10)
    digests = outbox(f"alerts-digest:{seed.a.municipal.id}:")
    assert [(m.dedupe_key.rsplit(":", 1)[1], m.created_at) for m in digests] == [
        ((day - timedelta(days=1)).isoformat(), local(day - timedelta(days=1), 20)),
        (day.isoformat(), eight_utc),
        ((day + timedelta(days=1)).isoformat(), local(day + timedelta(days=1), 8)),
    ]
    assert [f"Reden r{offset}." in m.body_text for m, offset in zip(digests, (-1, 0, 1), strict=True)] == [
        True
    ] * 3
    assert len(outbox(f"alerts-digest:{seed.a.jobcoach.id}:")) == 3
