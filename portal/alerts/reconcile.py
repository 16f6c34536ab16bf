"""The one idempotent aftercare sweep: start nazorg when a contract begins, close tasks whose purpose is
gone and ask employers for their preference at the end, plan check-ins, close alerts whose condition
ended, evaluate the risk rules, open and escalate alerts, queue e-mail.

Running it twice, from several processes at once, or once after days of downtime gives the same rows
as running it on time: check-ins and alerts are inserted with ``ON CONFLICT DO NOTHING`` against their
unique keys, every e-mail has a dedupe key, and escalating and mailing mark their alerts with one
conditional UPDATE. The sweep runs in short transactions: the placement-wide steps, the check-ins of one
chunk of placements in nazorg (``RECONCILE_CHUNK``, across municipalities), the rules of one chunk of
placements, the e-mail. Each transaction first takes the transaction-level advisory lock (PostgreSQL) and
commits, so concurrent runs take turns per step, each sees what the previous one committed, and no lock
is held for long. Escalations are committed per municipality (its admins' digests). A run that stops
halfway leaves committed steps that the next run finds done.

The facts of a chunk are loaded in a fixed number of queries; the rules themselves stay Python
(``portal.alerts.rules``, their one definition, tested without a database).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.planning import cancel_ended, in_aftercare, sync_placements
from portal.aftercare.settings import settings_by_municipality
from portal.alerts import services
from portal.alerts.models import Alert
from portal.alerts.rules import (
    EVALUATED_STATUSES,
    LOGS_BEFORE_RECENT,
    RECENT_DAYS,
    CheckInFact,
    LogFact,
    Snapshot,
    Thresholds,
    VisitFact,
    evaluate,
)
from portal.core.sql import in_ids
from portal.core.time import LOCAL_TZ, as_utc, now_utc
from portal.ending.services import ask_preferences, begin_aftercare, close_stale_tasks
from portal.extensions import db
from portal.placements.models import EndDecision, Placement, WeeklyLog
from portal.placements.queries import FINAL_DECISIONS
from portal.placements.reminders import reminder_weeks
from portal.visits.models import Visit

#: Seconds in a week (a log's week start is a Monday: its epoch is whole weeks apart from another's).
WEEK_SECONDS = 7 * 24 * 3600
#: The transaction-level advisory lock of the reconcile ("Nazorg" in ASCII); differs from the scheduler's.
RECONCILE_LOCK_KEY = 0x4E617A6F7267


def reconcile(now: datetime | None = None) -> dict[str, Any]:
    """Run the sweep once for ``now`` (default: the clock), committing step by step; return the counts of
    what it created."""
    now = as_utc(now) if now is not None else now_utc()
    today = now.astimezone(LOCAL_TZ).date()
    serialize()
    counts: dict[str, Any] = {"placements_to_nazorg": begin_aftercare(today, now)}
    counts["tasks_closed"] = close_stale_tasks(now)
    counts["tasks_opened"] = ask_preferences(today, current_app.config["DECISION_LEAD_WORKING_DAYS"])
    closed = services.close_ended(now)
    db.session.commit()
    counts.update(plan_checkins(today))
    counts["alerts_opened"], counts["alerts_closed"] = open_alerts(today, now)
    counts["alerts_closed"] += closed
    counts["alerts_escalated"] = counts["emails_queued"] = 0
    for municipality_id in services.escalation_due(now):  # one transaction per municipality's digests
        serialize()
        escalated, mails = services.escalate(now, municipality_id)
        counts["alerts_escalated"] += escalated
        counts["emails_queued"] += mails
        db.session.commit()
    serialize()
    counts["emails_queued"] += services.mail_high(now) + services.mail_digests(now)
    db.session.commit()
    return counts


def serialize() -> None:
    """On PostgreSQL wait for the reconcile lock, held until this transaction ends (SQLite: a no-op)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECONCILE_LOCK_KEY})


def plan_checkins(today: date) -> dict[str, int]:
    """``sync_checkins`` for every placement in nazorg, by chunks of placements across municipalities:
    one transaction lets the check-ins of ended placements lapse (one UPDATE), then one per chunk of
    placements in nazorg. So a municipality without placements in nazorg costs nothing, and a run in
    which nothing changes takes a few statements per chunk. The plan depends only on stored dates and
    settings, so ``today`` changes nothing. Returns the summed counts."""
    serialize()
    counts = {"checkins_planned": 0, "checkins_moved": 0, "checkins_cancelled": cancel_ended()}
    db.session.commit()
    size, after = current_app.config["RECONCILE_CHUNK"], 0
    while True:
        serialize()
        chunk = db.session.execute(in_aftercare(after=after, limit=size)).all()
        if not chunk:
            db.session.commit()
            return counts
        after = chunk[-1].id
        for key, value in sync_placements(chunk).items():
            counts[key] += value
        db.session.commit()


def thresholds_of(settings: AftercareSettings) -> Thresholds:
    return Thresholds(
        absence_hours=settings.absence_hours_threshold,
        no_contact_days=settings.no_contact_days,
        checkin_overdue_working_days=settings.checkin_overdue_working_days,
        end_without_decision_days=settings.end_without_decision_days,
        ignored_reminders=settings.ignored_reminders,
    )


def evaluated_placements(after: int = 0, limit: int = 500) -> sa.Select:
    """The next ``limit`` placements the rules look at, by id after ``after``: started, in onboarding or
    nazorg, without a recorded outcome. Only the columns the rules read (plain rows, no ORM objects)."""
    return (
        sa.select(
            Placement.id,
            Placement.municipality_id,
            Placement.status,
            Placement.actual_start_date,
            Placement.planned_end_date,
        )
        .where(
            Placement.id > after,
            Placement.status.in_(EVALUATED_STATUSES),
            Placement.actual_start_date.is_not(None),
            Placement.outcome.is_(None),
        )
        .order_by(Placement.id)
        .limit(limit)
    )


def open_alerts(today: date, now: datetime) -> tuple[int, int]:
    """Evaluate every rule for every evaluated placement, a chunk per transaction: first close the alerts
    whose condition ended, then open the new ones. Returns (opened, closed)."""
    opened = closed = after = 0
    size = current_app.config["RECONCILE_CHUNK"]
    while True:
        serialize()
        chunk = db.session.connection().execute(evaluated_placements(after, size)).all()
        if not chunk:
            db.session.commit()
            return opened, closed
        after = chunk[-1].id
        pairs = snapshots(chunk, today)
        closed += services.close_stale(pairs, now)
        known, unresolved = _known_alerts([p.id for p in chunk])
        findings = []
        for placement, snapshot in pairs:
            for finding in evaluate(snapshot):
                key = (placement.id, finding.rule)
                if (*key, finding.evidence_key) in known or key in unresolved:
                    continue
                findings.append((placement, finding))
        opened += len(services.open_alerts(findings, now))
        db.session.commit()


def _known_alerts(placement_ids: list[int]) -> tuple[set[tuple], set[tuple]]:
    """(placement, rule, evidence key) of every alert and (placement, rule) of the unresolved ones."""
    known, unresolved = set(), set()
    for placement_id, rule, key, status in db.session.execute(
        sa.select(Alert.placement_id, Alert.rule, Alert.evidence_key, Alert.status).where(
            in_ids(Alert.placement_id, placement_ids)
        )
    ):
        known.add((placement_id, rule, key))
        if status != "resolved":
            unresolved.add((placement_id, rule))
    return known, unresolved


def snapshots(placements: list, today: date) -> list[tuple[Any, Snapshot]]:
    """A rules snapshot per placement, from a fixed number of queries whatever the number of placements."""
    if not placements:
        return []
    ids = [p.id for p in placements]
    settings = settings_by_municipality(p.municipality_id for p in placements)
    onboarding = [p.id for p in placements if p.status == "onboarding"]
    logs, earlier_weeks = _logs(ids, onboarding, today)
    visits = _visits(ids, today)
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
            # Only the one score the rules read, as text: a malformed value is no score, never an error.
            CheckIn.scores["punctuality"].as_string(),
        ).where(in_ids(CheckIn.placement_id, ids)),
        _checkin_fact,
    )
    decided = set(
        db.session.scalars(
            sa.select(EndDecision.placement_id).where(
                in_ids(EndDecision.placement_id, ids), EndDecision.kind.in_(FINAL_DECISIONS)
            )
        )
    )
    reminders = reminder_weeks(onboarding)
    thresholds = {municipality: thresholds_of(row) for municipality, row in settings.items()}
    return [
        (
            p,
            Snapshot(
                placement_id=p.id,
                status=p.status,
                actual_start_date=p.actual_start_date,
                planned_end_date=p.planned_end_date,
                today=today,
                thresholds=thresholds[p.municipality_id],
                logs=logs[p.id],
                visits=visits[p.id],
                checkins=checkins[p.id],
                has_final_decision=p.id in decided,
                reminder_weeks=sorted(reminders[p.id]),
                earlier_log_weeks=frozenset(earlier_weeks.get(p.id, ())),
            ),
        )
        for p in placements
    ]


def _logs(
    ids: list[int], onboarding: list[int], today: date
) -> tuple[dict[int, list[LogFact]], dict[int, list[date]]]:
    """The details of the logs any rule reads per placement (of the recent weeks and the
    LOGS_BEFORE_RECENT logs before them, none without a recent log), and the weeks with a log of the
    placements in ``onboarding`` (two queries): only the onboarding rules (missing logs, ignored
    reminders) read the weeks with a log. No rule reads a log of a week after today."""
    by_placement = {"partition_by": WeeklyLog.placement_id}
    recent = WeeklyLog.week_start >= today - timedelta(days=RECENT_DAYS)
    ranked = (
        sa.select(
            WeeklyLog.placement_id,
            WeeklyLog.id,
            WeeklyLog.week_start,
            WeeklyLog.days_planned,
            WeeklyLog.days_present,
            WeeklyLog.hours_absent,
            WeeklyLog.punctuality,
            WeeklyLog.has_concern,
            sa.func.row_number().over(**by_placement, order_by=WeeklyLog.week_start.desc()).label("rank"),
            sa.func.sum(sa.case((recent, 1), else_=0)).over(**by_placement).label("recent"),
        )
        .where(in_ids(WeeklyLog.placement_id, ids), WeeklyLog.week_start <= today)
        .subquery()
    )
    read = sa.and_(ranked.c.recent > 0, ranked.c.rank <= ranked.c.recent + LOGS_BEFORE_RECENT)
    logs = _grouped(sa.select(*list(ranked.c)[:-2]).where(read), LogFact)
    weeks: dict[int, list[date]] = defaultdict(list)
    if onboarding:
        # Every week with a log, also those of the details, as runs of consecutive weeks (their first week
        # and length): a week's epoch less a week per log before it is the same along a run.
        number = sa.func.row_number().over(**by_placement, order_by=WeeklyLog.week_start)
        logged = (
            sa.select(
                WeeklyLog.placement_id,
                WeeklyLog.week_start,
                (sa.extract("epoch", WeeklyLog.week_start) - WEEK_SECONDS * number).label("run"),
            )
            .where(in_ids(WeeklyLog.placement_id, onboarding), WeeklyLog.week_start <= today)
            .subquery()
        )
        runs = sa.select(logged.c.placement_id, sa.func.min(logged.c.week_start), sa.func.count()).group_by(
            logged.c.placement_id, logged.c.run
        )
        for placement_id, first, length in db.session.connection().execute(runs).all():
            weeks[placement_id] += [first + timedelta(weeks=week) for week in range(length)]
    return logs, weeks


def _visits(ids: list[int], today: date) -> dict[int, list[VisitFact]]:
    """The visits up to today any rule reads, per placement: the recent ones (``RECENT_DAYS``: a high
    risk) and the latest with contact (how long the jobcoach has been silent, and whether contact came
    after an alert's silence began). No rule reads an older visit, nor one after today."""
    latest_contact = sa.func.row_number().over(
        partition_by=(Visit.placement_id, Visit.contact_made),
        order_by=(Visit.visit_date.desc(), Visit.id.desc()),
    )
    ranked = (
        sa.select(
            Visit.placement_id,
            Visit.id,
            Visit.visit_date,
            Visit.contact_made,
            Visit.risk,
            latest_contact.label("rank"),
        )
        .where(in_ids(Visit.placement_id, ids), Visit.visit_date <= today)
        .subquery()
    )
    recent = ranked.c.visit_date >= today - timedelta(days=RECENT_DAYS)
    latest = sa.and_(ranked.c.contact_made.is_(True), ranked.c.rank == 1)
    return _grouped(sa.select(*list(ranked.c)[:-1]).where(sa.or_(recent, latest)), VisitFact)


def _checkin_fact(*values) -> CheckInFact:
    *columns, punctuality = values
    text = str(punctuality) if punctuality is not None else ""
    return CheckInFact(*columns, punctuality=int(text) if text.isdigit() else None)


def _grouped(query: sa.Select, fact) -> dict[int, list]:
    """Rows whose first column is the placement id, as ``fact`` objects per placement."""
    grouped: dict[int, list] = defaultdict(list)
    # Core rows of plain columns, fetched at once: no ORM loading for the many facts of a chunk.
    for placement_id, *values in db.session.connection().execute(query).all():
        grouped[placement_id].append(fact(*values))
    return grouped
