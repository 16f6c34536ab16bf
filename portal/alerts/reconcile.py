"""The one idempotent aftercare sweep: start nazorg when a contract begins, close tasks whose purpose is
gone and ask employers for their preference at the end, plan check-ins, close alerts whose condition
ended, evaluate the risk rules, open and escalate alerts, queue e-mail.

Running it twice, from several processes at once, or once after days of downtime gives the same rows
as running it on time: check-ins and alerts are inserted with ``ON CONFLICT DO NOTHING`` against their
unique keys, every e-mail has a dedupe key, and on PostgreSQL each run first takes a transaction-level
advisory lock, so concurrent runs take turns and each sees what the previous one committed.
The facts are loaded in bulk (a fixed number of queries per chunk of placements).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.planning import sync_checkins
from portal.aftercare.settings import settings_by_municipality
from portal.alerts import services
from portal.alerts.models import Alert
from portal.alerts.rules import (
    EVALUATED_STATUSES,
    CheckInFact,
    LogFact,
    Snapshot,
    Thresholds,
    VisitFact,
    evaluate,
)
from portal.core.models import OutboxEmail
from portal.core.time import LOCAL_TZ, as_utc, now_utc
from portal.ending.services import ask_preferences, begin_aftercare, close_stale_tasks
from portal.extensions import db
from portal.placements.models import EndDecision, Placement, WeeklyLog
from portal.placements.queries import FINAL_DECISIONS
from portal.visits.models import Visit

#: The transaction-level advisory lock of the reconcile ("Nazorg" in ASCII); differs from the scheduler's.
RECONCILE_LOCK_KEY = 0x4E617A6F7267
#: Placements evaluated per round (bounds memory and statement size).
CHUNK = 500
#: Dedupe keys of the weekly-log reminders: placements.log_reminder:<placement>:<monday>:<user>
#: (portal/placements/reminders.py).
REMINDER_PREFIX = "placements.log_reminder:"


def reconcile(now: datetime | None = None) -> dict[str, Any]:
    """Run the sweep once for ``now`` (default: the clock) and commit; return counts of what it created."""
    now = as_utc(now) if now is not None else now_utc()
    today = now.astimezone(LOCAL_TZ).date()
    serialize()
    counts: dict[str, Any] = {"placements_to_nazorg": begin_aftercare(today, now)}
    counts["tasks_closed"] = close_stale_tasks(now)
    counts["tasks_opened"] = ask_preferences(today, current_app.config["DECISION_LEAD_WORKING_DAYS"])
    counts.update(sync_checkins(today))
    closed = services.close_ended(now)
    counts["alerts_opened"], counts["alerts_closed"] = open_alerts(today, now)
    counts["alerts_closed"] += closed
    escalated, escalation_mails = services.escalate(now)
    counts["alerts_escalated"] = escalated
    counts["emails_queued"] = escalation_mails + services.mail_high(now) + services.mail_digests(now)
    db.session.commit()
    return counts


def serialize() -> None:
    """On PostgreSQL wait for the reconcile lock, held until this transaction ends (SQLite: a no-op)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECONCILE_LOCK_KEY})


def thresholds_of(settings: AftercareSettings) -> Thresholds:
    return Thresholds(
        absence_hours=settings.absence_hours_threshold,
        no_contact_days=settings.no_contact_days,
        checkin_overdue_working_days=settings.checkin_overdue_working_days,
        end_without_decision_days=settings.end_without_decision_days,
        ignored_reminders=settings.ignored_reminders,
    )


def evaluated_placements() -> sa.Select:
    """Placements the rules look at: started, in onboarding or nazorg, without a recorded outcome."""
    return (
        sa.select(Placement)
        .where(
            Placement.status.in_(EVALUATED_STATUSES),
            Placement.actual_start_date.is_not(None),
            Placement.outcome.is_(None),
        )
        .order_by(Placement.id)
    )


def open_alerts(today: date, now: datetime) -> tuple[int, int]:
    """Evaluate every rule for every evaluated placement: first close the alerts whose condition ended,
    then open the new ones. Returns (opened, closed)."""
    db.session.flush()
    placements = db.session.scalars(evaluated_placements()).all()
    opened = closed = 0
    for start in range(0, len(placements), CHUNK):
        chunk = placements[start : start + CHUNK]
        pairs = snapshots(chunk, today)
        closed += services.close_stale(pairs, now)
        known, unresolved = _known_alerts([p.id for p in chunk])
        for placement, snapshot in pairs:
            for finding in evaluate(snapshot):
                key = (placement.id, finding.rule)
                if (*key, finding.evidence_key) in known or key in unresolved:
                    continue
                if services.open_alert(placement, finding, now) is not None:
                    opened += 1
                    unresolved.add(key)
    return opened, closed


def _known_alerts(placement_ids: list[int]) -> tuple[set[tuple], set[tuple]]:
    """(placement, rule, evidence key) of every alert and (placement, rule) of the unresolved ones."""
    known, unresolved = set(), set()
    for placement_id, rule, key, status in db.session.execute(
        sa.select(Alert.placement_id, Alert.rule, Alert.evidence_key, Alert.status).where(
            Alert.placement_id.in_(placement_ids)
        )
    ):
        known.add((placement_id, rule, key))
        if status != "resolved":
            unresolved.add((placement_id, rule))
    return known, unresolved


def snapshots(placements: list[Placement], today: date) -> list[tuple[Placement, Snapshot]]:
    """A rules snapshot per placement, from a fixed number of queries whatever the number of placements."""
    if not placements:
        return []
    ids = [p.id for p in placements]
    settings = settings_by_municipality(p.municipality_id for p in placements)
    logs = _grouped(
        sa.select(
            WeeklyLog.placement_id,
            WeeklyLog.id,
            WeeklyLog.week_start,
            WeeklyLog.days_planned,
            WeeklyLog.days_present,
            WeeklyLog.hours_absent,
            WeeklyLog.punctuality,
            WeeklyLog.has_concern,
        ).where(WeeklyLog.placement_id.in_(ids)),
        LogFact,
    )
    visits = _grouped(
        sa.select(Visit.placement_id, Visit.id, Visit.visit_date, Visit.contact_made, Visit.risk).where(
            Visit.placement_id.in_(ids)
        ),
        VisitFact,
    )
    checkins = _grouped(
        sa.select(
            CheckIn.placement_id,
            CheckIn.id,
            CheckIn.number,
            CheckIn.week,
            CheckIn.due_date,
            CheckIn.status,
            CheckIn.held_on,
            CheckIn.risk,
            CheckIn.scores,
        ).where(CheckIn.placement_id.in_(ids)),
        _checkin_fact,
    )
    decided = set(
        db.session.scalars(
            sa.select(EndDecision.placement_id).where(
                EndDecision.placement_id.in_(ids), EndDecision.kind.in_(FINAL_DECISIONS)
            )
        )
    )
    reminders = reminder_weeks(placements)
    return [
        (
            p,
            Snapshot(
                placement_id=p.id,
                status=p.status,
                actual_start_date=p.actual_start_date,
                planned_end_date=p.planned_end_date,
                today=today,
                thresholds=thresholds_of(settings[p.municipality_id]),
                logs=logs[p.id],
                visits=visits[p.id],
                checkins=checkins[p.id],
                has_final_decision=p.id in decided,
                reminder_weeks=sorted(reminders[p.id]),
            ),
        )
        for p in placements
    ]


def _checkin_fact(*values) -> CheckInFact:
    *columns, scores = values
    punctuality = (scores or {}).get("punctuality") if isinstance(scores, dict) else None
    return CheckInFact(*columns, punctuality=punctuality if isinstance(punctuality, int) else None)


def _grouped(query: sa.Select, fact) -> dict[int, list]:
    """Rows whose first column is the placement id, as ``fact`` objects per placement."""
    grouped: dict[int, list] = defaultdict(list)
    for placement_id, *values in db.session.execute(query):
        grouped[placement_id].append(fact(*values))
    return grouped


def reminder_weeks(placements: list[Placement]) -> dict[int, set[date]]:
    """Mondays of the delivered weekly-log reminders per onboarding placement (one query).

    Read from the outbox: the reminder's dedupe key names the placement and the week; a reminder counts
    once it was sent (several employer users of one week are one reminder).
    """
    onboarding = {p.id: p for p in placements if p.status == "onboarding"}
    weeks: dict[int, set[date]] = defaultdict(set)
    if not onboarding:
        return weeks
    earliest = min(p.actual_start_date for p in onboarding.values()) - timedelta(days=7)
    keys = db.session.scalars(
        sa.select(OutboxEmail.dedupe_key).where(
            OutboxEmail.dedupe_key.like(REMINDER_PREFIX + "%"),
            OutboxEmail.status == "sent",
            OutboxEmail.municipality_id.in_({p.municipality_id for p in onboarding.values()}),
            OutboxEmail.created_at >= datetime.combine(earliest, time.min, tzinfo=UTC),
        )
    )
    for key in keys:
        parsed = parse_reminder_key(key)
        if parsed is not None and parsed[0] in onboarding:
            weeks[parsed[0]].add(parsed[1])
    return weeks


def parse_reminder_key(key: str) -> tuple[int, date] | None:
    """``placements.log_reminder:12:2026-03-02:7`` → (12, date(2026, 3, 2)); None when malformed."""
    parts = key.removeprefix(REMINDER_PREFIX).split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        return None
    try:
        return int(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        return None
