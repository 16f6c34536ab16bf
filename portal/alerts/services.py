"""Write-side verbs of alerts: open, acknowledge, resolve, close by themselves, escalate and mail. They
flush; the caller commits.

Who hears about an alert: the placement's municipal contact and, when it has one, its jobcoach. High
alerts are mailed at once; normal ones in one digest per person per day, from 08:00 Europe/Amsterdam.
An alert left open (not acknowledged) for more than ``escalation_working_days`` working days goes to
the municipality's admins in one digest per admin per day (high ones first). Nothing is
mailed about a placement that has closed or dropped out by then. Every e-mail has a dedupe key, so a
second run (or a run after downtime) queues nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from portal.aftercare.settings import settings_by_municipality
from portal.alerts.models import Alert
from portal.alerts.permissions import ALREADY_RESOLVED, NOT_YOURS, acknowledge_problem, may_handle
from portal.alerts.rules import ENDED, STATE_RULES, Finding, condition_ended
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.audit import record, record_many
from portal.core.errors import DomainError
from portal.core.holidays import working_days_between
from portal.core.models import OutboxEmail
from portal.core.outbox import queue_emails
from portal.core.signals import conditions_ended, placement_ended
from portal.core.sql import conflict_insert, in_ids
from portal.core.time import LOCAL_TZ, as_utc, now_utc
from portal.extensions import db
from portal.placements.models import Placement

NOTE_MAX = 2000
#: Alerts of placements in these statuses are mailed and escalated (closed or interrupted ones never).
MAILED_STATUSES = ("onboarding", "nazorg")
#: The daily digest goes out from this local time.
DIGEST_AT = time(8, 0)
NOTE_NEEDED = "Schrijf op wat er met dit signaal is gedaan."
NOTE_TOO_LONG = f"Gebruik hoogstens {NOTE_MAX} tekens."


# --- Opening ------------------------------------------------------------------------------------------------


def open_alert(placement: Placement, finding: Finding, now: datetime | None = None) -> Alert | None:
    """Insert the alert for a finding; None when it exists (same evidence) or one is still unresolved."""
    opened = open_alerts([(placement, finding)], now)
    return db.session.get(Alert, opened[0]) if opened else None


def open_alerts(findings: list[tuple[Any, Finding]], now: datetime | None = None) -> list[int]:
    """Insert the alerts for these (placement, finding) pairs (a placement or a row with its ``id`` and
    ``municipality_id``) in one executemany (sent as multi-row
    INSERTs); the ids of the new ones.

    ``INSERT ... ON CONFLICT DO NOTHING`` without a target covers both unique rules (the evidence key
    and the partial index of one unresolved alert per rule), so concurrent runs never fail or duplicate.
    Each new alert gets its ``alert.opened`` audit event (added, chained at the next flush).
    """
    if not findings:
        return []
    now = now or now_utc()
    table = Alert.__table__
    values = [
        {
            "municipality_id": placement.municipality_id,
            "placement_id": placement.id,
            "rule": finding.rule,
            "evidence_key": finding.evidence_key,
            "severity": finding.severity,
            "status": "open",
            "reason": finding.reason,
            "evidence_path": finding.evidence_path,
            "opened_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for placement, finding in findings
    ]
    statement = (
        conflict_insert(Alert)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.municipality_id, table.c.placement_id, table.c.rule, table.c.severity)
    )
    rows = sorted(db.session.execute(statement, values).all())
    record_many(
        None,
        "alert.opened",
        "Alert",
        (
            (alert_id, municipality_id, {"placement_id": placement_id, "rule": rule, "severity": severity})
            for alert_id, municipality_id, placement_id, rule, severity in rows
        ),
    )
    return [row[0] for row in rows]


# --- Handling in the inbox ----------------------------------------------------------------------------------


def acknowledge(actor: User, alert: Alert, placement: Placement) -> Alert:
    """open → acknowledged (someone picked it up; it no longer escalates)."""
    problem = acknowledge_problem(actor, alert, placement)
    if problem:
        raise DomainError(problem)
    alert.status = "acknowledged"
    alert.acknowledged_at = now_utc()
    alert.acknowledged_by_id = actor.id
    db.session.flush()
    record(actor, "alert.acknowledged", alert, placement_id=placement.id, rule=alert.rule)
    return alert


def resolve(actor: User, alert: Alert, placement: Placement, note: str | None) -> Alert:
    """open or acknowledged → resolved, with a note of what was done (required, at most 2000 characters)."""
    if not may_handle(actor, placement):
        raise DomainError(NOT_YOURS)
    if alert.status == "resolved":
        raise DomainError(ALREADY_RESOLVED)
    note = (note or "").strip()
    if not note:
        raise DomainError(NOTE_NEEDED, "note")
    if len(note) > NOTE_MAX:
        raise DomainError(NOTE_TOO_LONG, "note")
    now = now_utc()
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by_id = actor.id
    alert.status = "resolved"
    alert.resolved_at = now
    alert.resolved_by_id = actor.id
    alert.resolution_note = note
    db.session.flush()
    record(actor, "alert.resolved", alert, placement_id=placement.id, rule=alert.rule)
    return alert


# --- Closing by itself -------------------------------------------------------------------------------------

#: Why every unresolved alert of a placement closes when the placement ends.
PLACEMENT_ENDED = {
    "interrupted": "De plaatsing is uitgevallen.",
    "stopped": "De plaatsing is gestopt.",
    "outcome": "De nazorg is afgerond.",
}


def close_alerts(
    placement_ids,
    reason: str,
    *,
    rules=None,
    alert_ids=None,
    evidence_key: str | None = None,
    now: datetime | None = None,
) -> int:
    """Resolve the unresolved alerts of these placements by the system: the condition behind them ended.

    Only ``rules`` / ``alert_ids`` / the one ``evidence_key`` when given. ``reason`` (Dutch) becomes the
    note staff read on the placement's timeline; ``resolved_by_id`` stays empty. One conditional UPDATE,
    so an alert someone resolves at the same moment keeps their note. Returns how many closed.
    """
    ids = [placement_ids] if isinstance(placement_ids, int) else list(placement_ids)
    if not ids:
        return 0
    now = as_utc(now or now_utc())
    conditions = [Alert.placement_id.in_(ids), Alert.status != "resolved"]
    if rules is not None:
        conditions.append(Alert.rule.in_(list(rules)))
    if alert_ids is not None:
        conditions.append(Alert.id.in_(list(alert_ids)))
    if evidence_key is not None:
        conditions.append(Alert.evidence_key == evidence_key)
    closed = db.session.execute(
        sa.update(Alert)
        .where(*conditions)
        .values(
            status="resolved",
            resolved_at=now,
            resolution_note=reason,
            acknowledged_at=sa.func.coalesce(Alert.acknowledged_at, now),
            updated_at=now,
        )
        .returning(Alert.id, Alert.municipality_id, Alert.placement_id, Alert.rule),
        execution_options={"synchronize_session": False},
    ).all()
    _expire_loaded(row[0] for row in closed)
    record_many(
        None,
        "alert.closed",
        "Alert",
        (
            (alert_id, municipality_id, {"placement_id": placement_id, "rule": rule})
            for alert_id, municipality_id, placement_id, rule in sorted(closed)
        ),
    )
    db.session.flush()
    return len(closed)


def _set_loaded(alert_ids, *, only_empty: bool = False, **values) -> None:
    """Give alerts already loaded in the session the values an UPDATE just stored (no query, not dirty);
    ``only_empty``: only where the attribute was empty, as the UPDATE's condition."""
    for alert_id in alert_ids:
        alert = db.session.identity_map.get(identity_key(Alert, alert_id))
        if alert is None:
            continue
        for name, value in values.items():
            if not only_empty or getattr(alert, name) is None:
                set_committed_value(alert, name, value)


def _expire_loaded(alert_ids) -> None:
    """Alerts already loaded in the session read their new state on next use (no query for the others)."""
    for alert_id in alert_ids:
        alert = db.session.identity_map.get(identity_key(Alert, alert_id))
        if alert is not None:
            db.session.expire(alert)


def close_all_of(placement: Placement, cause: str) -> int:
    """Every unresolved alert of a placement that ended (``cause``: a key of PLACEMENT_ENDED)."""
    return close_alerts(placement.id, PLACEMENT_ENDED[cause])


@conditions_ended.connect
def _close_when_condition_ended(
    placement_ids, *, condition: str, rules=None, evidence_key=None, now=None
) -> int:
    """Another domain says the condition behind these alerts ended (``condition``: a key of ENDED)."""
    return close_alerts(placement_ids, ENDED[condition], rules=rules, evidence_key=evidence_key, now=now)


@placement_ended.connect
def _close_when_placement_ended(placement: Placement, *, cause: str) -> int:
    return close_all_of(placement, cause)


def close_ended(now: datetime | None = None) -> int:
    """The reconcile's backstop for placements that ended (uitval, stopped, outcome recorded): their
    unresolved alerts close. Returns how many closed."""
    closed = 0
    ended = db.session.execute(
        sa.select(Placement.id, Placement.status, Placement.outcome)
        .where(
            sa.or_(Placement.status.in_(("closed", "interrupted")), Placement.outcome.is_not(None)),
            sa.exists().where(Alert.placement_id == Placement.id, Alert.status != "resolved"),
        )
        .order_by(Placement.id)
    ).all()
    by_cause: dict[str, list[int]] = defaultdict(list)
    for placement_id, status, outcome in ended:
        cause = "outcome" if outcome else "interrupted" if status == "interrupted" else "stopped"
        by_cause[cause].append(placement_id)
    for cause, placement_ids in by_cause.items():
        closed += close_alerts(placement_ids, PLACEMENT_ENDED[cause], now=now)
    return closed


def close_stale(pairs, now: datetime | None = None) -> int:
    """The reconcile's backstop for running placements: ``pairs`` are (placement, rules snapshot); an
    unresolved alert of a STATE_RULES rule whose condition ended (``rules.condition_ended``) closes with
    that reason. One query when nothing ended. Returns how many closed."""
    snapshot_of = {placement.id: snapshot for placement, snapshot in pairs}
    if not snapshot_of:
        return 0
    unresolved = db.session.execute(
        sa.select(Alert.id, Alert.placement_id, Alert.rule, Alert.evidence_key)
        .where(
            Alert.status != "resolved",
            Alert.rule.in_(STATE_RULES),
            in_ids(Alert.placement_id, snapshot_of),
        )
        .order_by(Alert.id)
    ).all()
    by_reason: dict[str, dict[int, int]] = defaultdict(dict)
    for alert_id, placement_id, rule, key in unresolved:
        reason = condition_ended(rule, key, snapshot_of[placement_id])
        if reason is not None:
            by_reason[reason][alert_id] = placement_id
    return sum(
        close_alerts(set(alerts.values()), reason, alert_ids=list(alerts), now=now)
        for reason, alerts in by_reason.items()
    )


# --- Escalation ---------------------------------------------------------------------------------------------


def _local_date(value: datetime):
    return as_utc(value).astimezone(LOCAL_TZ).date()


def is_overdue_for_escalation(opened_at: datetime, today, working_days: int) -> bool:
    """Open for more than ``working_days`` working days: opened Tuesday with 2 escalates on Friday."""
    return working_days_between(_local_date(opened_at), today) > working_days


def _alert_rows(*conditions) -> list:
    """(alert, placement, pseudonym) of alerts on placements that still run, oldest first."""
    return db.session.execute(
        sa.select(Alert, Placement, Candidate.pseudonym)
        .join(Placement, Placement.id == Alert.placement_id)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .where(Placement.status.in_(MAILED_STATUSES), *conditions)
        .order_by(Alert.opened_at, Alert.id)
    ).all()


def _users(ids) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active.is_(True)))
    return {user.id: user for user in users}


def escalation_digest_key(admin_id: int, day) -> str:
    return f"alerts-escalated:{admin_id}:{day.isoformat()}"


def escalation_due(now: datetime | None = None) -> list[int]:
    """The municipalities with alerts to escalate now (the reconcile escalates each in a transaction)."""
    return sorted({municipality for _, municipality in _due_for_escalation(as_utc(now or now_utc()))})


def _due_for_escalation(now: datetime, municipality_id: int | None = None) -> list[tuple[int, int]]:
    """(alert id, municipality id) of the alerts overdue by ``now`` of municipalities whose admins got no
    escalation digest today; none before 08:00. Plain columns only: the runs after the day's digest load no
    alerts."""
    if now < digest_cutoff(now):
        return []
    today = _local_date(now)
    conditions = [
        Placement.status.in_(MAILED_STATUSES),
        Alert.status == "open",
        Alert.escalated_at.is_(None),
        Alert.opened_at <= now - timedelta(days=1),
    ]
    if municipality_id is not None:
        conditions.append(Alert.municipality_id == municipality_id)
    waiting = db.session.execute(
        sa.select(Alert.id, Alert.municipality_id, Alert.opened_at)
        .join(Placement, Placement.id == Alert.placement_id)
        .where(*conditions)
    ).all()
    if not waiting:
        return []
    settings = settings_by_municipality(row.municipality_id for row in waiting)
    overdue = [
        row
        for row in waiting
        if is_overdue_for_escalation(
            row.opened_at, today, settings[row.municipality_id].escalation_working_days
        )
    ]
    digested = _digested_today(_admins({row.municipality_id for row in overdue}), today)
    return [(row.id, row.municipality_id) for row in overdue if row.municipality_id not in digested]


def escalate(now: datetime | None = None, municipality_id: int | None = None) -> tuple[int, int]:
    """Escalate alerts left open too long to the admins of their municipality; (alerts, e-mails queued).

    One digest per admin per local day, from 08:00 local time: every alert overdue by then (high and
    normal; high ones first) escalates at once, in one e-mail per admin. Each alert escalates once
    (``escalated_at``: when the admins were told). Once a municipality's digest of the day went out,
    alerts that became overdue later that day wait for the next one, so no admin gets two. Overdue counts
    in working days, so an alert becomes overdue at midnight and waits at most until 08:00; a high alert
    already reached the contact and jobcoach at once.
    """
    now = as_utc(now or now_utc())
    today = _local_date(now)
    due_ids = [alert_id for alert_id, _ in _due_for_escalation(now, municipality_id)]
    if not due_ids:
        return 0, 0
    due = _alert_rows(in_ids(Alert.id, due_ids))
    municipalities = {alert.municipality_id for alert, _, _ in due}
    admins = _admins(municipalities)
    settings = settings_by_municipality(municipalities)
    escalated = set(
        db.session.scalars(
            sa.update(Alert)
            .where(in_ids(Alert.id, [alert.id for alert, _, _ in due]), Alert.escalated_at.is_(None))
            .values(escalated_at=now)
            .returning(Alert.id),
            execution_options={"synchronize_session": False},
        )
    )
    _set_loaded(escalated, escalated_at=now)
    due = [row for row in due if row[0].id in escalated]
    record_many(
        None,
        "alert.escalated",
        "Alert",
        (
            (alert.id, alert.municipality_id, {"placement_id": placement.id, "rule": alert.rule})
            for alert, placement, _ in due
        ),
    )
    contacts = _users(placement.contact_id for _, placement, _ in due)
    per_municipality: dict[int, list[tuple]] = defaultdict(list)
    for alert, placement, pseudonym in sorted(due, key=lambda row: row[0].severity != "high"):
        per_municipality[alert.municipality_id].append((alert, pseudonym, contacts.get(placement.contact_id)))
    messages = [
        {
            "to": admin.email,
            "template": "alerts/escalated_digest",
            "dedupe_key": escalation_digest_key(admin.id, today),
            "municipality_id": municipality_id,
            "rows": digest_rows,
            "days": settings[municipality_id].escalation_working_days,
            "recipient": admin,
        }
        for municipality_id, digest_rows in per_municipality.items()
        for admin in admins[municipality_id]
    ]
    queued = len(queue_emails(messages))
    db.session.flush()
    return len(due), queued


def _admins(municipality_ids) -> dict[int, list[User]]:
    """The active admins of these municipalities, by municipality."""
    admins: dict[int, list[User]] = defaultdict(list)
    for admin in db.session.scalars(
        sa.select(User)
        .where(User.role == "admin", User.is_active.is_(True), User.municipality_id.in_(municipality_ids))
        .order_by(User.id)
    ):
        admins[admin.municipality_id].append(admin)
    return admins


def _digested_today(admins: dict[int, list[User]], day) -> set[int]:
    """Municipalities whose escalation digest of ``day`` went to an admin already."""
    keys = {
        escalation_digest_key(admin.id, day): municipality
        for municipality, group in admins.items()
        for admin in group
    }
    if not keys:
        return set()
    sent = db.session.scalars(sa.select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(list(keys))))
    return {keys[key] for key in sent}


# --- E-mail ------------------------------------------------------------------------------------------------


def _recipients(placement: Placement, users: dict[int, User]) -> list[User]:
    """The placement's contact and jobcoach (active accounts), each once."""
    found = [users.get(placement.contact_id), users.get(placement.jobcoach_id)]
    unique: dict[int, User] = {}
    for user in found:
        if user is not None:
            unique.setdefault(user.id, user)
    return list(unique.values())


def mail_high(now: datetime | None = None) -> int:
    """Mail every open high alert not mailed yet to its contact and jobcoach; the number of e-mails queued.

    A concern already reached the contact when the log was saved, so only the jobcoach gets that one.
    """
    now = as_utc(now or now_utc())
    rows = _alert_rows(Alert.severity == "high", Alert.status == "open", Alert.mailed_at.is_(None))
    if not rows:
        return 0
    users = _users(
        user_id for _, placement, _ in rows for user_id in (placement.contact_id, placement.jobcoach_id)
    )
    messages = [
        {
            "to": user.email,
            "template": "alerts/high",
            "dedupe_key": f"alert:{alert.id}:{user.id}",
            "municipality_id": alert.municipality_id,
            "alert": alert,
            "pseudonym": pseudonym,
            "recipient": user,
        }
        for alert, placement, pseudonym in rows
        for user in _recipients(placement, users)
        # the contact was mailed when the employer saved the log (placements/concern)
        if not (alert.rule == "concern" and user.id == placement.contact_id)
    ]
    queued = queue_emails(messages)
    _mark_mailed([alert.id for alert, _, _ in rows], now)
    return len(queued)


def _mark_mailed(alert_ids: list[int], now: datetime) -> None:
    """Set ``mailed_at`` of these alerts where it is empty (one UPDATE)."""
    if not alert_ids:
        return
    db.session.execute(
        sa.update(Alert).where(Alert.id.in_(alert_ids), Alert.mailed_at.is_(None)).values(mailed_at=now),
        execution_options={"synchronize_session": False},
    )
    _set_loaded(alert_ids, mailed_at=now, only_empty=True)
    db.session.flush()


def digest_cutoff(now: datetime) -> datetime:
    """08:00 Europe/Amsterdam on ``now``'s local date, in UTC (also on daylight-saving days)."""
    local_day = _local_date(now)
    return datetime.combine(local_day, DIGEST_AT, tzinfo=LOCAL_TZ).astimezone(UTC)


def digest_key(user_id: int, day) -> str:
    return f"alerts-digest:{user_id}:{day.isoformat()}"


def _digest_waits(conditions, day) -> bool:
    """Whether someone still waits for the digest of ``day`` about the alerts these conditions select
    (plain columns only: the many runs of a day after the digests went out load no alerts)."""
    rows = db.session.execute(
        sa.select(Placement.contact_id, Placement.jobcoach_id)
        .join(Alert, Alert.placement_id == Placement.id)
        .where(Placement.status.in_(MAILED_STATUSES), *conditions)
        .distinct()
    ).all()
    users = _users(user_id for row in rows for user_id in row)
    recipients = {user.id for row in rows for user in _recipients(row, users)}
    if not recipients:
        return False
    keys = [digest_key(user_id, day) for user_id in recipients]
    sent = db.session.scalar(sa.select(sa.func.count()).where(OutboxEmail.dedupe_key.in_(keys)))
    return sent < len(keys)


def mail_digests(now: datetime | None = None) -> int:
    """From 08:00 local time: one digest per person per local date of their open normal alerts.

    A digest of day D holds the open normal alerts opened before 08:00 on D that no earlier day's
    digest held (``mailed_at`` empty, or set today by another person's digest). Alerts opened later
    wait for the next day, so everyone gets the same alerts whatever time their digest is made.
    Returns the number of e-mails queued.
    """
    now = as_utc(now or now_utc())
    cutoff = digest_cutoff(now)
    if now < cutoff:
        return 0
    day = _local_date(now)
    conditions = (
        Alert.severity == "normal",
        Alert.status == "open",
        Alert.opened_at < cutoff,
        sa.or_(Alert.mailed_at.is_(None), Alert.mailed_at >= cutoff),
    )
    if not _digest_waits(conditions, day):
        return 0
    rows = _alert_rows(*conditions)
    users = _users(
        user_id for _, placement, _ in rows for user_id in (placement.contact_id, placement.jobcoach_id)
    )
    per_user: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        for user in _recipients(row[1], users):
            per_user[user.id].append(row)
    messages = [
        {
            "to": users[user_id].email,
            "template": "alerts/digest",
            "dedupe_key": digest_key(user_id, day),
            "municipality_id": users[user_id].municipality_id,
            "rows": user_rows,
            "day": day,
            "recipient": users[user_id],
        }
        for user_id, user_rows in per_user.items()
    ]
    queued = queue_emails(messages)
    mailed = {
        alert.id
        for user_id, user_rows in per_user.items()
        if digest_key(user_id, day) in queued
        for alert, _, _ in user_rows
    }
    _mark_mailed(sorted(mailed), now)
    return len(queued)
