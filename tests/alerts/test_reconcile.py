"""The reconcile job: opens each alert once, re-arms on new evidence, catches up after downtime."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from portal import scheduler
from portal.aftercare.models import CheckIn
from portal.alerts import services as alerts
from portal.alerts.models import Alert
from portal.alerts.reconcile import reconcile
from portal.core import audit_chain
from portal.core.models import AuditEvent, OutboxEmail
from portal.core.outbox import prune_sent
from portal.extensions import db
from portal.placements.models import LogReminder
from portal.placements.reminders import remind_missing_weekly_logs
from tests import factories
from tests.alerts.signals import (
    FIRST_WEEK,
    T0,
    alert_mail_keys,
    alerts_of,
    checkin_count,
    count,
    local,
    make_log,
    onboarding,
    outbox,
    rules_of,
)

ZERO = {
    "placements_to_nazorg": 0,
    "tasks_closed": 0,
    "tasks_opened": 0,
    "checkins_planned": 0,
    "checkins_moved": 0,
    "checkins_cancelled": 0,
    "alerts_opened": 0,
    "alerts_closed": 0,
    "alerts_escalated": 0,
    "emails_queued": 0,
}
#: The first run also lets the seed's check-ins lapse (their placements are only planned).
FIRST = {**ZERO, "checkins_cancelled": 2}


def test_a_second_run_creates_nothing(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)  # no logs and no visits since Monday 23 February
    counts = reconcile()
    assert counts == {**FIRST, "alerts_opened": 2}
    assert rules_of(placement) == [
        ("logs_missing", "week:2026-02-23", "open"),
        ("no_jobcoach_contact", "since:2026-02-23", "open"),
    ]
    rows = [(a.id, a.rule, a.evidence_key, a.reason) for a in alerts_of(placement)]
    assert reconcile() == ZERO
    assert [(a.id, a.rule, a.evidence_key, a.reason) for a in alerts_of(placement)] == rows
    assert (
        alerts_of(placement)[0].reason
        == "De weekverslagen van de weken van 23 februari en 2 maart ontbreken."
    )


def test_each_alert_is_audited_without_personal_data(seed, time_machine):
    from portal.core.models import AuditEvent

    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    reconcile()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "alert.opened")).all()
    assert {(e.detail["placement_id"], e.detail["rule"]) for e in events} == {
        (placement.id, "logs_missing"),
        (placement.id, "no_jobcoach_contact"),
    }
    assert all(set(e.detail) == {"placement_id", "rule", "severity"} for e in events)


def test_resolved_alert_with_the_same_evidence_stays_resolved_new_evidence_opens_a_new_one(
    seed, time_machine
):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    make_log(placement, FIRST_WEEK)
    worried = make_log(placement, date(2026, 3, 2), has_concern=True, concern_text="Komt te laat.")
    reconcile()
    (alert,) = alerts_of(placement)
    assert (alert.rule, alert.evidence_key, alert.severity) == ("concern", f"log:{worried.id}", "high")
    alerts.resolve(seed.a.municipal, alert, placement, "Gebeld met de werkgever.")
    assert reconcile()["alerts_opened"] == 0  # the same log: no new alert
    assert rules_of(placement) == [("concern", f"log:{worried.id}", "resolved")]

    time_machine.move_to(T0 + timedelta(days=7), tick=False)
    again = make_log(placement, date(2026, 3, 9), has_concern=True)
    assert reconcile()["alerts_opened"] == 1
    assert rules_of(placement) == [
        ("concern", f"log:{worried.id}", "resolved"),
        ("concern", f"log:{again.id}", "open"),
    ]


def test_new_evidence_waits_while_an_alert_of_the_rule_is_unresolved(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    make_log(placement, FIRST_WEEK, hours_absent=12)
    reconcile()
    time_machine.move_to(T0 + timedelta(days=7), tick=False)
    second = make_log(placement, date(2026, 3, 2), hours_absent=20)
    make_log(placement, date(2026, 3, 9))
    reconcile()
    assert [rule for rule, _, _ in rules_of(placement)] == ["absence_hours"]  # one unresolved per rule
    (first,) = alerts_of(placement)
    alerts.acknowledge(seed.a.jobcoach, first, placement)
    alerts.resolve(seed.a.jobcoach, first, placement, "Besproken.")
    reconcile()
    assert rules_of(placement)[-1] == ("absence_hours", f"log:{second.id}", "open")


def test_open_alert_refuses_both_unique_rules_without_an_error(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    from portal.alerts.rules import Finding

    finding = Finding("concern", "log:1", "high", "Zorgen.", "/plaatsingen/1")
    assert alerts.open_alert(placement, finding) is not None
    assert alerts.open_alert(placement, finding) is None  # same evidence
    other = Finding("concern", "log:2", "high", "Zorgen.", "/plaatsingen/1")
    assert alerts.open_alert(placement, other) is None  # one unresolved per rule
    assert count(Alert) == 3  # the seed's two alerts and this one


def test_ignored_reminders_count_once_their_mail_was_sent_also_after_pruning(seed, time_machine, app):
    placement = onboarding(seed.a)
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 6))
    for friday in (date(2026, 2, 27), date(2026, 3, 6)):
        time_machine.move_to(local(friday, 12), tick=False)
        assert remind_missing_weekly_logs()["reminders"] == 1
        assert remind_missing_weekly_logs()["reminders"] == 0  # once per user per week
    reminders = db.session.scalars(sa.select(LogReminder).order_by(LogReminder.id)).all()
    assert [(r.placement_id, r.week_start, r.user_id) for r in reminders] == [
        (placement.id, FIRST_WEEK, seed.a.employer_user.id),
        (placement.id, date(2026, 3, 2), seed.a.employer_user.id),
    ]
    messages = [db.session.get(OutboxEmail, r.outbox_email_id) for r in reminders]
    assert [m.dedupe_key for m in messages] == [
        f"placements.log_reminder:{placement.id}:{week}:{seed.a.employer_user.id}"
        for week in ("2026-02-23", "2026-03-02")
    ]
    time_machine.move_to(local(date(2026, 3, 9), 9), tick=False)
    reconcile()
    assert "reminders_ignored" not in {rule for rule, _, _ in rules_of(placement)}  # not delivered yet
    for message in messages:
        message.status, message.sent_at = "sent", local(date(2026, 3, 6), 13)
    db.session.commit()
    later = local(date(2026, 3, 9), 9) + timedelta(days=app.config["OUTBOX_KEEP_DAYS"])
    assert prune_sent(later)["pruned"] == 2
    assert db.session.scalars(sa.select(LogReminder.outbox_email_id)).all() == [None, None]
    reconcile()
    assert ("reminders_ignored", "week:2026-03-02", "open") in rules_of(placement)


def test_checkins_are_planned_through_the_plan(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    onboarding(
        seed.a,
        status="nazorg",
        contract_type="fixed_term",
        contract_hours=24,
        contract_start_date=date(2026, 3, 2),
    )
    counts = reconcile()
    assert counts["checkins_planned"] == 7
    assert checkin_count() == 7 + 2  # and the seed's two
    assert reconcile()["checkins_planned"] == 0
    assert checkin_count() == 7 + 2


# Downtime ------------------------------------------------------------------------------------------------


def _catch_up_world(seed):
    """Placements whose signals fall in the weekend between Friday 6 and Monday 9 March 2026."""
    tenant = seed.a
    visited = date(2026, 3, 5)
    p1 = onboarding(tenant)  # no logs, no visits: two weeks missing and 14 days silent on Monday
    p2 = onboarding(
        tenant,
        status="nazorg",
        contract_type="fixed_term",
        contract_hours=24,
        contract_start_date=date(2026, 2, 24),  # check-in 1 due Tuesday 3 March
    )
    p3 = onboarding(tenant, planned_end_date=date(2026, 3, 16))
    p0 = onboarding(tenant)
    p4 = onboarding(tenant)
    p5 = onboarding(tenant)
    for placement in (p0, p2, p3, p4, p5):
        factories.make_visit(placement, tenant.jobcoach, visit_date=visited)
    for placement in (p0, p3, p4, p5):
        make_log(
            placement, FIRST_WEEK, has_concern=placement is p0, hours_absent=12 if placement is p4 else 0
        )
        make_log(placement, date(2026, 3, 2))
    escalating = factories.make_alert(
        p3, rule="high_risk", evidence_key="visit:999", opened_at=local(date(2026, 3, 4)), mailed_at=T0
    )
    closing = factories.make_alert(
        p5, rule="absence_hours", evidence_key="log:999", opened_at=local(date(2026, 3, 6), 9)
    )
    return p0, p1, p2, p3, p4, p5, escalating, closing


def test_three_days_of_downtime_are_caught_up_exactly_once(seed, time_machine):
    friday = local(date(2026, 3, 6), 10)
    time_machine.move_to(friday, tick=False)
    p0, p1, p2, p3, p4, p5, escalating, closing = _catch_up_world(seed)
    before = reconcile()
    # p3's decision window is open: its employer is asked for a preference.
    assert before == {
        **FIRST,
        "checkins_planned": 7,
        "alerts_opened": 2,
        "emails_queued": 1,
        "tasks_opened": 1,
    }
    assert [r for r, _, _ in rules_of(p0)] == ["concern"]
    assert [r for r, _, _ in rules_of(p4)] == ["absence_hours"]
    p5.status = "closed"  # during the downtime
    db.session.flush()
    mails_before = set(alert_mail_keys())

    time_machine.move_to(friday + timedelta(hours=72), tick=False)  # Monday 9 March, 10:00
    counts = reconcile()
    # p5's alert closes itself: the placement closed during the downtime.
    assert counts == {
        **ZERO,
        "alerts_opened": 4,
        "alerts_closed": 1,
        "alerts_escalated": 1,
        "emails_queued": 3,
    }
    assert [r for r, _, _ in rules_of(p1)] == ["logs_missing", "no_jobcoach_contact"]
    assert [r for r, _, _ in rules_of(p2)] == ["checkin_overdue"]
    assert [r for r, _, _ in rules_of(p3)] == ["high_risk", "end_without_decision"]
    new_mails = [k for k in alert_mail_keys() if k not in mails_before]
    tenant = seed.a
    assert sorted(new_mails) == sorted(
        [
            f"alerts-escalated:{tenant.admin.id}:2026-03-09",
            f"alerts-digest:{tenant.municipal.id}:2026-03-09",
            f"alerts-digest:{tenant.jobcoach.id}:2026-03-09",
        ]
    )
    digest = outbox(f"alerts-digest:{tenant.municipal.id}:")[0]
    assert p4.candidate.pseudonym in digest.body_text  # opened on Friday, mailed once on Monday
    assert p5.candidate.pseudonym not in digest.body_text  # closed during the downtime
    closed = db.session.get(Alert, closing.id)
    assert closed.mailed_at is None
    assert (closed.status, closed.resolved_by_id, closed.resolution_note) == (
        "resolved",
        None,
        "De plaatsing is gestopt.",
    )
    assert reconcile() == ZERO
    assert checkin_count() == 7 + 2


def test_a_check_in_scored_lowest_on_punctuality_opens_a_low_score_alert(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    held = factories.make_checkin(
        placement,
        1,
        due_date=date(2026, 3, 2),
        status="held",
        held_on=date(2026, 3, 2),
        scores={"punctuality": 1},
    )
    odd = onboarding(seed.a)
    factories.make_checkin(
        odd,
        1,
        due_date=date(2026, 3, 2),
        status="held",
        held_on=date(2026, 3, 2),
        scores={"punctuality": "x"},
    )
    reconcile()
    assert ("low_score", f"checkin:{held.id}", "open") in rules_of(placement)
    assert "low_score" not in {rule for rule, _, _ in rules_of(odd)}  # a malformed score is no score


def test_loading_only_the_latest_logs_gives_the_findings_of_all_logs(seed, time_machine):
    """The reconcile loads the details of the recent logs and the two before them only: the rules find
    the same."""
    import random
    from dataclasses import replace

    from portal.alerts import reconcile as sweep
    from portal.alerts.rules import LogFact, evaluate
    from portal.placements.models import Placement, WeeklyLog

    rng = random.Random(3)
    today = date(2026, 6, 17)
    time_machine.move_to(local(today), tick=False)
    for _ in range(12):
        placement = onboarding(seed.a, actual_start_date=date(2026, 1, 5), planned_end_date=date(2026, 9, 1))
        for week in range(24):
            if rng.random() < 0.25:
                continue
            make_log(
                placement,
                date(2026, 1, 5) + timedelta(weeks=week),
                days_present=rng.choice((3, 2, 1)),
                punctuality=rng.choice((4, 3, 2, 1)),
                hours_absent=rng.choice((0, 4, 12)),
                has_concern=rng.random() < 0.1,
            )
    rows = db.session.connection().execute(sweep.evaluated_placements(limit=100)).all()
    for row, snapshot in sweep.snapshots(rows, today):
        logs = db.session.scalars(sa.select(WeeklyLog).where(WeeklyLog.placement_id == row.id)).all()
        every = [
            LogFact(
                log.id,
                log.week_start,
                log.days_planned,
                log.days_present,
                log.hours_absent,
                log.punctuality,
                log.has_concern,
            )
            for log in logs
        ]
        if db.session.get(Placement, row.id).actual_start_date == date(2026, 1, 5):
            assert len(snapshot.logs) < len(every)
        assert evaluate(snapshot) == evaluate(replace(snapshot, logs=every, earlier_log_weeks=None))


def test_the_audit_chain_stays_intact_after_a_bulk_reconcile(app, seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placements = [onboarding(seed.a) for _ in range(6)]
    make_log(placements[0], FIRST_WEEK, has_concern=True)
    factories.make_alert(
        placements[1], rule="logs_missing", evidence_key="week:2026-01-05", severity="normal"
    )
    placements[1].status = "interrupted"
    db.session.commit()
    before = count(AuditEvent)
    counts = reconcile()
    assert counts["alerts_opened"] >= 10
    assert counts["alerts_closed"] == 1
    assert count(AuditEvent) > before + 10
    assert audit_chain.verify(db.session.connection()) == (count(AuditEvent), None)
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("intact")


def test_run_job_prints_the_counts_as_json(app, seed, time_machine):
    time_machine.move_to(T0, tick=False)
    onboarding(seed.a)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["run-job", "aftercare.reconcile"])
    assert result.exit_code == 0, result.output
    expected = {"job": "aftercare.reconcile", "ok": True, **FIRST, "alerts_opened": 2}
    assert json.loads(result.output) == expected
    again = runner.invoke(args=["run-job", "aftercare.reconcile"])
    assert json.loads(again.output) == {"job": "aftercare.reconcile", "ok": True, **ZERO}


def test_the_job_is_registered_every_five_minutes():
    job = scheduler.get_job("aftercare.reconcile")
    assert (job["func"], job["trigger"], job["minutes"]) == (
        "portal.alerts.reconcile:reconcile",
        "interval",
        5,
    )


def test_bounded_queries_whatever_the_number_of_placements(seed, time_machine, count_queries):
    time_machine.move_to(T0, tick=False)
    few = [onboarding(seed.a) for _ in range(2)]
    for placement in few:
        make_log(placement, FIRST_WEEK)
    reconcile()
    with count_queries() as small:
        reconcile()
    many = [onboarding(seed.a) for _ in range(8)]
    for placement in many:
        make_log(placement, FIRST_WEEK)
    reconcile()
    with count_queries() as large:
        reconcile()
    assert large.count == small.count


def test_checkins_of_the_outbox_and_alerts_never_duplicate_rows(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    make_log(placement, FIRST_WEEK, has_concern=True)
    for _ in range(3):
        reconcile()
    keys = [m.dedupe_key for m in db.session.scalars(sa.select(OutboxEmail))]
    assert len(keys) == len(set(keys))
    pairs = db.session.execute(sa.select(CheckIn.placement_id, CheckIn.number)).all()
    assert len(pairs) == len(set(pairs))


def _in_nazorg(tenant):
    return onboarding(
        tenant,
        status="nazorg",
        contract_type="fixed_term",
        contract_hours=24,
        contract_start_date=date(2026, 3, 2),
    )


def test_steady_statements_bounded_whatever_the_number_of_municipalities(seed, time_machine, count_queries):
    """The check-ins are planned by chunks of placements, not per municipality: municipalities (with or
    without placements in nazorg) add no statement to a run in which nothing changes."""
    time_machine.move_to(T0, tick=False)
    _in_nazorg(seed.a)
    onboarding(seed.a)
    reconcile()
    with count_queries() as small:
        assert reconcile() == ZERO
    for name in ("Veldhoven", "Best", "Geldrop", "Oirschot"):
        factories.make_municipality(name)  # no placements at all
    tenants = [factories.make_tenant(name) for name in ("Son", "Nuenen", "Waalre")]
    for tenant in tenants:
        tenant.request = factories.make_request(tenant.workplace, created_by=tenant.employer_user)
        _in_nazorg(tenant)
        onboarding(tenant)
    db.session.commit()
    reconcile()
    with count_queries() as large:
        assert reconcile() == ZERO
    assert large.count == small.count


def test_loading_only_the_visits_the_rules_read_gives_their_findings(seed, time_machine):
    """The reconcile loads the recent visits and the latest with contact up to today only: the rules find
    the same, and the silence of an open alert ends the same."""
    import random
    from dataclasses import replace

    from portal.alerts import reconcile as sweep
    from portal.alerts.rules import STATE_RULES, VisitFact, condition_ended, evaluate
    from portal.visits.models import Visit

    rng = random.Random(5)
    today = date(2026, 4, 15)
    time_machine.move_to(local(today), tick=False)
    for _ in range(12):
        placement = onboarding(seed.a, actual_start_date=date(2026, 2, 2), planned_end_date=date(2026, 9, 1))
        for _ in range(rng.randrange(0, 9)):
            factories.make_visit(
                placement,
                seed.a.jobcoach,
                visit_date=date(2026, 2, 2) + timedelta(days=rng.randrange(0, 90)),
                contact_made=rng.random() < 0.6,
                risk=rng.choice(("low", "medium", "high")),
            )
    rows = db.session.connection().execute(sweep.evaluated_placements(limit=100)).all()
    loaded = every = 0
    for row, snapshot in sweep.snapshots(rows, today):
        visits = db.session.scalars(sa.select(Visit).where(Visit.placement_id == row.id)).all()
        all_visits = [VisitFact(v.id, v.visit_date, v.contact_made, v.risk) for v in visits]
        full = replace(snapshot, visits=all_visits)
        loaded, every = loaded + len(snapshot.visits), every + len(all_visits)
        assert evaluate(snapshot) == evaluate(full)
        for visit in all_visits:
            key = f"since:{visit.visit_date.isoformat()}"
            assert condition_ended("no_jobcoach_contact", key, snapshot) == condition_ended(
                "no_jobcoach_contact", key, full
            )
        assert "no_jobcoach_contact" in STATE_RULES
    assert loaded < every


def test_the_weeks_with_a_log_are_loaded_whole_for_onboarding_only(seed, time_machine):
    """Onboarding placements get every week with a log up to today (read as runs of weeks); placements in
    nazorg none, as no rule of theirs reads them."""
    import random

    from portal.alerts import reconcile as sweep

    rng = random.Random(7)
    today = date(2026, 6, 17)
    time_machine.move_to(local(today), tick=False)
    expected = {}
    for index in range(8):
        placement = onboarding(seed.a, actual_start_date=date(2026, 1, 5), planned_end_date=date(2026, 9, 1))
        if index == 7:
            placement.status = "nazorg"
        weeks = [date(2026, 1, 5) + timedelta(weeks=w) for w in range(30) if rng.random() < 0.7]
        for week in weeks:
            make_log(placement, week)
        expected[placement.id] = frozenset(w for w in weeks if w <= today) if index < 7 else None
    db.session.commit()
    rows = db.session.connection().execute(sweep.evaluated_placements(limit=100)).all()
    for row, snapshot in sweep.snapshots(rows, today):
        if expected[row.id] is None:
            assert snapshot.earlier_log_weeks == frozenset()
        else:
            assert snapshot.logged_weeks == expected[row.id]
