"""The end of a placement: the decision at the end of onboarding, the employer's preference, and uitval.

Write-side verbs: they take an explicit actor, flush and audit; the caller commits once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from portal.aftercare.alerts import close_alerts, close_all_of
from portal.aftercare.rules import ENDED
from portal.auth.models import User
from portal.core.audit import record
from portal.core.filters import format_date
from portal.core.holidays import add_working_days
from portal.core.outbox import queue_email
from portal.core.signals import placement_status_changed
from portal.core.time import now_utc, today_local
from portal.employers.queries import users_of_employer
from portal.extensions import db
from portal.matching.services import set_candidate_status
from portal.placements import queries
from portal.placements.models import (
    CONTRACT_TYPES,
    DECISION_KINDS,
    DROPOUT_REASONS,
    STOP_REASONS,
    EndDecision,
    Placement,
    PlacementStatusChange,
)
from portal.placements.services import OPEN_STATUSES, PlacementError, change_status, mail_contact
from portal.requests.models import PlacementRequest
from portal.requests.services import reopen_position
from portal.tasks.models import Task
from portal.tasks.services import cancel_open_tasks, create_task, finish_open_tasks

#: A contract may start at most this long after the planned end of the placement.
CONTRACT_START_LATEST = timedelta(days=90)
CONTRACT_HOURS = (1, 40)
#: Uitval can be dated at most this long before the planned start.
DROPOUT_EARLIEST = timedelta(days=30)
TEXT_MAX = 2000
#: Working days the municipal contact has for the intake after uitval.
INTAKE_WORKING_DAYS = 5

NOT_YOUR_DECISION = "Alleen de gemeente van deze plaatsing kan het besluit vastleggen."
DECISION_CLOSED = {
    "planned": (
        "Deze plaatsing is nog niet gestart. U kunt pas een besluit vastleggen als de kandidaat werkt."
    ),
    "nazorg": (
        "Over deze plaatsing is al besloten: de kandidaat heeft een contract. De plaatsing is in nazorg."
    ),
    "closed": "Deze plaatsing is afgesloten. U kunt geen besluit meer vastleggen.",
    "interrupted": "Deze plaatsing is uitgevallen. U kunt geen besluit meer vastleggen.",
}
DECIDED_MEANWHILE = "Net is er al een besluit van deze soort vastgelegd. Bekijk de plaatsing opnieuw."
UNKNOWN_KIND = "Kies wat er is besloten: contract, verlengen of stoppen."
CONTRACT_TYPE = "Kies de soort contract uit de lijst."
CONTRACT_HOURS_RANGE = "Vul een aantal uren per week van 1 tot en met 40 in."
CONTRACT_START_MISSING = "Vul de startdatum van het contract in."
CONTRACT_START_EARLY = "Het contract kan niet beginnen voor de eerste werkdag ({day}). Kies een latere datum."
CONTRACT_START_LATE = (
    "Het contract moet uiterlijk 90 dagen na de geplande einddatum beginnen. Kies uiterlijk {day}."
)
EXTEND_MISSING = "Vul de nieuwe einddatum in."
EXTEND_TWICE = "Deze plaatsing is al een keer verlengd. U kunt maar één keer verlengen."
EXTEND_NOT_LATER = "Kies een nieuwe einddatum na de huidige einddatum ({day})."
EXTEND_TOO_LATE = "Een {kind} duurt hoogstens {weeks} weken. De nieuwe einddatum kan uiterlijk {day} zijn."
EXTEND_AT_MAXIMUM = (
    "Een {kind} duurt hoogstens {weeks} weken. Deze plaatsing loopt al tot de langst mogelijke datum ({day})."
    " Verlengen kan niet."
)
STOP_REASON = "Kies de reden om te stoppen uit de lijst."
STOP_NOTE_NEEDED = "Schrijf kort op waarom de plaatsing stopt als u 'Andere reden' kiest."
LAST_DAY_EARLY = "De laatste werkdag kan niet voor de eerste werkdag ({day}) liggen."
LAST_DAY_LATE = "De laatste werkdag kan niet na de geplande einddatum ({day}) liggen."
NOTE_TOO_LONG = f"Gebruik hoogstens {TEXT_MAX} tekens."

CONTRACT_ALREADY = (
    "Er is al een contract vastgelegd, vanaf {day}. Moet er iets aan het contract veranderen? Pas het aan"
    " bij de nazorg op de pagina van de plaatsing."
)
EXTEND_AFTER_CONTRACT = (
    "Er is al een contract vastgelegd, vanaf {day}. Verlengen kan dan niet meer. Gaat het contract niet"
    " door? Leg dan stoppen vast."
)
#: The status change when a contract decided before the planned end starts (the reconcile sweep).
AFTERCARE_BEGINS = "Het contract begint op {day}: de inwerkperiode is voorbij en de nazorg begint."

NOT_YOUR_PREFERENCE = "Alleen de werkgever van deze plaatsing kan een voorkeur doorgeven."
PREFERENCE_CLOSED = "U kunt alleen een voorkeur doorgeven zolang de kandidaat bij u inwerkt."
UNKNOWN_PREFERENCE = "Kies wat u wilt: contract, verlengen of stoppen."

NOT_YOUR_DROPOUT = "Alleen de gemeente of de jobcoach van deze plaatsing kan uitval melden."
DROPOUT_CLOSED = "Deze plaatsing is al beëindigd. U kunt geen uitval meer melden."
DROPOUT_REASON = "Kies de reden van de uitval uit de lijst."
DROPOUT_TEXT = "Schrijf kort op wat er is gebeurd."
DROPOUT_FUTURE = "De laatste dag kan niet in de toekomst liggen. Kies vandaag of een eerdere dag."
DROPOUT_EARLY = "De laatste dag kan niet voor {day} liggen."
DROPOUT_TASKS_REASON = "De plaatsing is uitgevallen"
DECISION_TASKS_REASON = "Het besluit over het einde is vastgelegd"
#: The employer's preference request (a task) when the decision window opens.
PREFERENCE_TITLE = "Laten weten wat u wilt als de plaatsing afloopt: een contract, verlengen of stoppen"
#: Alerts about onboarding only: they close when the nazorg begins.
ONBOARDING_RULES = ("logs_missing", "reminders_ignored")


# The decision window --------------------------------------------------------------------------------------


def decision_opens(placement: Placement, lead: int) -> date:
    """The day from which the end-of-placement decision is asked: ``lead`` working days before the end."""
    return add_working_days(placement.planned_end_date, -lead)


def decision_due(placement: Placement, today: date, lead: int) -> bool:
    """Whether the placement waits for its decision: onboarding, window open, no contract or stop yet."""
    return (
        placement.status == "onboarding"
        and placement.contract_type is None
        and placement.end_reason is None
        and today >= decision_opens(placement, lead)
    )


def contract_pending(placement: Placement) -> bool:
    """A contract was decided but has not started: the placement stays in onboarding until the
    contract's first day (the reconcile sweep then moves it to nazorg)."""
    return placement.status == "onboarding" and placement.contract_start_date is not None


def latest_end(placement: Placement) -> date:
    """The latest planned end the placement type allows, counted from the first working day."""
    begin = placement.actual_start_date or placement.start_date
    return begin + timedelta(weeks=placement.placement_type.max_weeks)


# The decision ---------------------------------------------------------------------------------------------


def _check_municipal(actor: User, placement: Placement) -> None:
    if actor.role != "municipal" or actor.municipality_id != placement.municipality_id:
        raise PlacementError(NOT_YOUR_DECISION)


def record_decision(actor: User, placement: Placement, kind: str, values: dict[str, Any]) -> EndDecision:
    """Record the decision at the end of onboarding: contract (→ nazorg), extend once, or stop (→ closed).

    ``values`` holds contract_type/contract_hours/contract_start, new_end_date, or
    stop_reason/last_day; ``note`` for any kind. The employer's users are e-mailed.
    """
    _check_municipal(actor, placement)
    if placement.status != "onboarding":
        raise PlacementError(DECISION_CLOSED.get(placement.status, DECISION_CLOSED["closed"]))
    if contract_pending(placement) and kind in ("contract", "extend"):
        message = CONTRACT_ALREADY if kind == "contract" else EXTEND_AFTER_CONTRACT
        raise PlacementError(message.format(day=format_date(placement.contract_start_date)), "kind")
    note = _note(values.get("note"))
    if kind == "contract":
        decision = _contract(actor, placement, values, note)
    elif kind == "extend":
        decision = _extend(actor, placement, values, note)
    elif kind == "stop":
        decision = _stop(actor, placement, values, note)
    else:
        raise PlacementError(UNKNOWN_KIND, "kind")
    # What waited for this decision closes itself: the alert about the end, the employer's request.
    reason = ENDED["end_without_decision"] if kind != "extend" else ENDED["end_moved"]
    close_alerts(placement.id, reason, rules=("end_without_decision",))
    cancel_open_tasks(actor, placement, DECISION_TASKS_REASON, kinds=("preference",))
    _mail_decision(placement, decision)
    return decision


def _note(value: Any) -> str | None:
    note = value.strip() if isinstance(value, str) else None
    if note and len(note) > TEXT_MAX:
        raise PlacementError(NOTE_TOO_LONG, "note")
    return note or None


def _add_decision(actor: User, placement: Placement, kind: str, **fields: Any) -> EndDecision:
    decision = EndDecision(placement_id=placement.id, kind=kind, decided_by_id=actor.id, **fields)
    db.session.add(decision)
    db.session.flush()
    return decision


def _contract(actor: User, placement: Placement, values: dict[str, Any], note: str | None) -> EndDecision:
    contract_type, hours, starts = (
        values.get(k) for k in ("contract_type", "contract_hours", "contract_start")
    )
    if contract_type not in CONTRACT_TYPES:
        raise PlacementError(CONTRACT_TYPE, "contract_type")
    low, high = CONTRACT_HOURS
    if not isinstance(hours, int) or isinstance(hours, bool) or not low <= hours <= high:
        raise PlacementError(CONTRACT_HOURS_RANGE, "contract_hours")
    if not isinstance(starts, date):
        raise PlacementError(CONTRACT_START_MISSING, "contract_start")
    first_day = placement.actual_start_date or placement.start_date
    if starts < first_day:
        raise PlacementError(CONTRACT_START_EARLY.format(day=format_date(first_day)), "contract_start")
    latest = placement.planned_end_date + CONTRACT_START_LATEST
    if starts > latest:
        raise PlacementError(CONTRACT_START_LATE.format(day=format_date(latest)), "contract_start")
    decision = _add_decision(
        actor,
        placement,
        "contract",
        contract_type=contract_type,
        contract_hours=hours,
        contract_start=starts,
        note=note,
    )
    placement.contract_type, placement.contract_hours, placement.contract_start_date = (
        contract_type,
        hours,
        starts,
    )
    if starts <= today_local():
        change_status(
            actor,
            placement,
            "nazorg",
            reason=f"Besluit: contract ({CONTRACT_TYPES[contract_type].lower()}, {hours} uur per week)"
            f" vanaf {format_date(starts)}. De nazorg begint.",
        )
        close_alerts(placement.id, ENDED["onboarding_over"], rules=ONBOARDING_RULES)
    else:
        db.session.flush()  # onboarding goes on until the contract starts (begin_aftercare)
    record(
        actor,
        "placement.decision_recorded",
        placement,
        decision_id=decision.id,
        kind="contract",
        contract_type=contract_type,
        contract_hours=hours,
        contract_start=starts.isoformat(),
    )
    return decision


def _extend(actor: User, placement: Placement, values: dict[str, Any], note: str | None) -> EndDecision:
    if db.session.scalar(queries.decision_of_kind(placement.id, "extend")) is not None:
        raise PlacementError(EXTEND_TWICE, "kind")
    new_end = values.get("new_end_date")
    if not isinstance(new_end, date):
        raise PlacementError(EXTEND_MISSING, "new_end_date")
    current, latest = placement.planned_end_date, latest_end(placement)
    kind = placement.placement_type.name.lower()
    weeks = placement.placement_type.max_weeks
    if current >= latest:
        raise PlacementError(
            EXTEND_AT_MAXIMUM.format(kind=kind, weeks=weeks, day=format_date(latest)), "kind"
        )
    if new_end <= current:
        raise PlacementError(EXTEND_NOT_LATER.format(day=format_date(current)), "new_end_date")
    if new_end > latest:
        raise PlacementError(
            EXTEND_TOO_LATE.format(kind=kind, weeks=weeks, day=format_date(latest)), "new_end_date"
        )
    decision = _add_decision(
        actor, placement, "extend", previous_end_date=current, new_end_date=new_end, note=note
    )
    placement.planned_end_date = new_end
    db.session.flush()
    record(
        actor,
        "placement.decision_recorded",
        placement,
        decision_id=decision.id,
        kind="extend",
        previous_end_date=current.isoformat(),
        new_end_date=new_end.isoformat(),
    )
    return decision


def _stop(actor: User, placement: Placement, values: dict[str, Any], note: str | None) -> EndDecision:
    reason = values.get("stop_reason")
    if reason not in STOP_REASONS:
        raise PlacementError(STOP_REASON, "stop_reason")
    if reason == "other" and not note:
        raise PlacementError(STOP_NOTE_NEEDED, "note")
    last_day = values.get("last_day") or placement.planned_end_date
    if not isinstance(last_day, date):
        last_day = placement.planned_end_date
    first_day = placement.actual_start_date or placement.start_date
    if last_day < first_day:
        raise PlacementError(LAST_DAY_EARLY.format(day=format_date(first_day)), "last_day")
    if last_day > placement.planned_end_date:
        raise PlacementError(LAST_DAY_LATE.format(day=format_date(placement.planned_end_date)), "last_day")
    decision = _add_decision(actor, placement, "stop", stop_reason=reason, note=note)
    placement.end_reason, placement.end_note, placement.ended_on = reason, note, last_day
    # A contract decided earlier that has not started does not go ahead.
    placement.contract_type = placement.contract_hours = placement.contract_start_date = None
    change_status(actor, placement, "closed", reason=f"Besluit: stoppen. {STOP_REASONS[reason]}.")
    cancel_open_tasks(actor, placement, "De plaatsing is gestopt")
    close_all_of(placement, "stopped")
    set_candidate_status(actor, placement.candidate, "active")
    record(
        actor,
        "placement.decision_recorded",
        placement,
        decision_id=decision.id,
        kind="stop",
        stop_reason=reason,
        ended_on=last_day.isoformat(),
    )
    return decision


def _mail_decision(placement: Placement, decision: EndDecision) -> None:
    for user in db.session.scalars(users_of_employer(placement.employer_id, active_only=True)):
        queue_email(
            to=user.email,
            template="placements/decision",
            dedupe_key=f"placements/decision:{decision.id}:{user.id}",
            municipality_id=placement.municipality_id,
            user=user,
            placement=placement,
            decision=decision,
            pseudonym=placement.candidate.pseudonym,
            contract_types=CONTRACT_TYPES,
            stop_reasons=STOP_REASONS,
        )


# Nazorg begins with the contract -------------------------------------------------------------------------


def begin_aftercare_now(actor: User, placement: Placement) -> None:
    """Onboarding → nazorg for a decided contract whose start is today or past (e.g. after a correction)."""
    if contract_pending(placement) and placement.contract_start_date <= today_local():
        change_status(
            actor,
            placement,
            "nazorg",
            reason=AFTERCARE_BEGINS.format(day=format_date(placement.contract_start_date)),
        )
        close_alerts(placement.id, ENDED["onboarding_over"], rules=ONBOARDING_RULES)


def begin_aftercare(today: date, now: datetime | None = None) -> int:
    """Move every placement whose contract starts on or before ``today`` from onboarding to nazorg.

    A contract decided before the planned end keeps the placement in onboarding (weekly logs, reminders,
    visits) until the contract's first day. Part of the reconcile sweep: one conditional UPDATE, so a
    second run, a concurrent one or one after days of downtime moves each placement once, with one
    status change row (by the system) and one audit event. Returns how many moved.
    """
    due = sa.select(Placement.id).where(
        Placement.status == "onboarding",
        Placement.contract_start_date.is_not(None),
        Placement.contract_start_date <= today,
        sa.exists().where(EndDecision.placement_id == Placement.id, EndDecision.kind == "contract"),
    )
    moved = db.session.execute(
        sa.update(Placement)
        .where(Placement.id.in_(due), Placement.status == "onboarding")
        .values(status="nazorg")
        .returning(Placement.id, Placement.contract_start_date),
        execution_options={"synchronize_session": False},
    ).all()
    for placement_id, starts in moved:
        db.session.add(
            PlacementStatusChange(
                placement_id=placement_id,
                from_status="onboarding",
                to_status="nazorg",
                changed_by_id=None,
                changed_at=now or now_utc(),
                reason=AFTERCARE_BEGINS.format(day=format_date(starts)),
            )
        )
        placement = db.session.get(Placement, placement_id)
        db.session.refresh(placement, ["status"])  # a placement loaded before sees its new status
        record(None, "placement.status_changed", placement, from_status="onboarding", to_status="nazorg")
        placement_status_changed.send(placement, actor=None, old="onboarding", new="nazorg", on=starts)
    if moved:
        close_alerts([row[0] for row in moved], ENDED["onboarding_over"], rules=ONBOARDING_RULES, now=now)
    db.session.flush()
    return len(moved)


# The employer's preference request (a task) ----------------------------------------------------------------


def ask_preferences(today: date, lead: int) -> int:
    """Give the employer of every placement whose decision window opened a task to tell its preference.

    Part of the reconcile sweep: onboarding placements without a contract, stop or preference, whose
    window (``decision_opens``) opened, and without a preference request for their current planned end
    (its due date), so each window asks once, also after an extension. Returns how many were asked.
    """
    asked = sa.exists().where(
        Task.placement_id == Placement.id,
        Task.kind == "preference",
        Task.due_date == Placement.planned_end_date,
    )
    candidates = db.session.scalars(
        sa.select(Placement)
        .where(
            Placement.status == "onboarding",
            Placement.actual_start_date.is_not(None),
            Placement.contract_start_date.is_(None),
            Placement.end_reason.is_(None),
            Placement.employer_preference.is_(None),
            Placement.planned_end_date <= add_working_days(today, lead),
            ~asked,
        )
        .order_by(Placement.id)
    ).all()
    for placement in candidates:
        create_task(
            None,
            placement,
            title=PREFERENCE_TITLE,
            owner="employer",
            kind="preference",
            due_date=placement.planned_end_date,
            visible_to_employer=True,
        )
    return len(candidates)


def close_stale_tasks(now: datetime | None = None) -> int:
    """The reconcile's backstop for tasks whose purpose is gone: open actions and preference requests of
    placements that ended lapse, and so does a preference request once the decision is recorded or the
    planned end moved; one the employer answered is done. Returns how many closed."""
    rows = db.session.execute(
        sa.select(Task, Placement)
        .join(Placement, Placement.id == Task.placement_id)
        .where(
            Task.status == "open",
            sa.or_(
                sa.and_(
                    Task.kind.in_(("action", "preference")),
                    Placement.status.in_(("closed", "interrupted")),
                ),
                sa.and_(
                    Task.kind == "preference",
                    sa.or_(
                        Placement.status != "onboarding",
                        Placement.contract_start_date.is_not(None),
                        Placement.employer_preference.is_not(None),
                        Task.due_date != Placement.planned_end_date,
                    ),
                ),
            ),
        )
        .order_by(Task.id)
    ).all()
    now = now or now_utc()
    for task, placement in rows:
        reason = _lapse_reason(task, placement)
        if reason is None:  # the employer answered the preference request
            task.status, task.done_at = "done", now
            record(None, "task.done", task, placement_id=placement.id)
            continue
        task.status, task.cancelled_reason, task.cancelled_at = "cancelled", reason, now
        record(None, "task.cancelled", task, placement_id=placement.id)
    db.session.flush()
    return len(rows)


def _lapse_reason(task: Task, placement: Placement) -> str | None:
    """Why an open task of ``close_stale_tasks`` lapses; None for a preference request that was answered."""
    if placement.status == "interrupted":
        return DROPOUT_TASKS_REASON
    if placement.status == "closed":
        return "De plaatsing is afgesloten"
    if placement.status != "onboarding" or placement.contract_start_date is not None:
        return DECISION_TASKS_REASON
    if placement.employer_preference is not None:
        return None
    return ENDED["end_moved"].rstrip(".")


# The employer's preference --------------------------------------------------------------------------------


def record_preference(actor: User, placement: Placement, preference: str, note: str | None) -> Placement:
    """What the employer would like at the end (contract, extend or stop); the contact is e-mailed."""
    if actor.role != "employer" or actor.employer_id != placement.employer_id:
        raise PlacementError(NOT_YOUR_PREFERENCE)
    if placement.status != "onboarding":
        raise PlacementError(PREFERENCE_CLOSED)
    if preference not in DECISION_KINDS:
        raise PlacementError(UNKNOWN_PREFERENCE, "preference")
    text = note.strip() if isinstance(note, str) else None
    if text and len(text) > TEXT_MAX:
        raise PlacementError(NOTE_TOO_LONG, "preference_note")
    placement.employer_preference = preference
    placement.employer_preference_note = text or None
    placement.employer_preference_at = now_utc()
    db.session.flush()
    record(actor, "placement.preference_recorded", placement, preference=preference)
    finish_open_tasks(actor, placement, ("preference",))
    mail_contact(
        placement,
        "placements/preference",
        f"placements/preference:{placement.id}:{placement.employer_preference_at.isoformat()}",
        preference_label=DECISION_KINDS[preference],
    )
    return placement


# Uitval ---------------------------------------------------------------------------------------------------


def _dropout_actor(user: User, placement: Placement) -> bool:
    """The municipality of the placement or its assigned jobcoach."""
    if user.municipality_id != placement.municipality_id:
        return False
    return user.role == "municipal" or (user.role == "jobcoach" and placement.jobcoach_id == user.id)


def may_register_dropout(user: User, placement: Placement) -> bool:
    """Whether ``user`` may register uitval for this placement now (it is still open)."""
    return placement.status in OPEN_STATUSES and _dropout_actor(user, placement)


def dropout_earliest(placement: Placement) -> date:
    return placement.start_date - DROPOUT_EARLIEST


def register_dropout(actor: User, placement: Placement, reason: str, text: str, last_day: date) -> Placement:
    """Uitval: the placement is interrupted, its open tasks lapse, the position is freed (before a
    contract), the candidate becomes inactive and the municipal contact gets an intake task.
    """
    if not _dropout_actor(actor, placement):
        raise PlacementError(NOT_YOUR_DROPOUT)
    if placement.status not in OPEN_STATUSES:
        raise PlacementError(DROPOUT_CLOSED)
    if reason not in DROPOUT_REASONS:
        raise PlacementError(DROPOUT_REASON, "reason")
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise PlacementError(DROPOUT_TEXT, "text")
    if len(text) > TEXT_MAX:
        raise PlacementError(NOTE_TOO_LONG, "text")
    today = today_local()
    if not isinstance(last_day, date):
        last_day = today
    if last_day > today:
        raise PlacementError(DROPOUT_FUTURE, "last_day")
    earliest = dropout_earliest(placement)
    if last_day < earliest:
        raise PlacementError(DROPOUT_EARLY.format(day=format_date(earliest)), "last_day")
    before = placement.status
    change_status(actor, placement, "interrupted", reason=f"Uitval: {DROPOUT_REASONS[reason]}.")
    placement.end_reason, placement.end_note, placement.ended_on = reason, text, last_day
    cancelled = cancel_open_tasks(actor, placement, DROPOUT_TASKS_REASON)
    close_all_of(placement, "interrupted")
    if before in queries.POSITION_FREEING:
        reopen_position(db.session.get(PlacementRequest, placement.request_id), actor=actor)
    set_candidate_status(actor, placement.candidate, "inactive")
    pseudonym = placement.candidate.pseudonym
    task = create_task(
        actor,
        placement,
        title=f"Intakegesprek met {pseudonym} na uitval: bespreek wat nu past",
        owner="municipal",
        kind="intake",
        assignee_id=placement.contact_id,
        due_date=add_working_days(today, INTAKE_WORKING_DAYS),
    )
    record(
        actor,
        "placement.dropout_registered",
        placement,
        reason=reason,
        from_status=before,
        ended_on=last_day.isoformat(),
        tasks_cancelled=cancelled,
        intake_task_id=task.id,
    )
    if actor.id != placement.contact_id:
        _mail_dropout(placement, task)
    return placement


def _mail_dropout(placement: Placement, task) -> None:
    mail_contact(
        placement,
        "placements/dropout",
        f"placements/dropout:{placement.id}:{placement.contact_id}",
        task=task,
        reason_label=DROPOUT_REASONS[placement.end_reason],
    )
