"""Write-side verbs of aftercare (nazorg): correct the contract, record a check-in, record the outcome.

They take an explicit actor, flush and audit; the caller commits once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from portal.aftercare.models import CHECKIN_WITH, RISK_LEVELS, AftercareSettings, CheckIn
from portal.aftercare.permissions import is_municipal_of
from portal.aftercare.plan import aftercare_end
from portal.aftercare.planning import plan_for, sync_checkins
from portal.aftercare.settings import months_of
from portal.auth.models import User
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.holidays import add_working_days
from portal.core.signals import conditions_ended, placement_ended
from portal.core.time import now_utc, today_local
from portal.ending.services import (
    CONTRACT_HOURS,
    CONTRACT_HOURS_RANGE,
    CONTRACT_START_EARLY,
    CONTRACT_START_LATE,
    CONTRACT_START_LATEST,
    CONTRACT_START_MISSING,
    CONTRACT_TYPE,
    INTAKE_WORKING_DAYS,
    begin_aftercare_now,
    contract_pending,
)
from portal.extensions import db
from portal.matching.services import set_candidate_status
from portal.placements.models import (
    AFTERCARE_OUTCOMES,
    CONTRACT_TYPES,
    DROPOUT_REASONS,
    SCALE,
    SCORED_ASPECTS,
    Placement,
)
from portal.placements.services import change_status
from portal.tasks.services import cancel_open_tasks, create_task

TEXT_MAX = 5000
NOTE_MAX = 2000

NOT_YOURS = "Alleen de gemeente van deze plaatsing kan de nazorg bijhouden."
NOT_STARTED = (
    "De nazorg van deze plaatsing is nog niet begonnen. Dat gebeurt als de kandidaat een contract krijgt."
)
FINISHED = "De nazorg van deze plaatsing is afgerond of gestopt. U kunt hier niets meer aan veranderen."
CANCELLED = "Dit nazorggesprek is vervallen: het hoort niet meer bij het plan. U kunt het niet vastleggen."
NOT_THIS_PLACEMENT = "Dit nazorggesprek hoort niet bij deze plaatsing."
HELD_ON_MISSING = "Vul de datum van het gesprek in."
HELD_ON_FUTURE = "De datum van het gesprek kan niet in de toekomst liggen. Kies vandaag of een eerdere dag."
HELD_ON_EARLY = "Het gesprek kan niet voor de start van het contract ({day}) zijn. Kies een latere datum."
BAD_WITH = "Kies met wie u het gesprek had."
BAD_CONTACT = "Kies of u iemand heeft gesproken."
BAD_SCORE = "Kies hoe het gaat: {aspect}."
BAD_RISK = "Kies het risico."
TEXT_TOO_LONG = f"Gebruik hoogstens {TEXT_MAX} tekens."
NOTE_TOO_LONG = f"Gebruik hoogstens {NOTE_MAX} tekens."
START_AFTER_HELD = "Er is al een nazorggesprek gehouden op {day}. Het contract kan niet na die dag beginnen."
NOTHING_CHANGED = "Er is niets veranderd aan het contract."
OUTCOME_NOT_YET = "U kunt de nazorg afronden vanaf {day}: de dag van het laatste geplande nazorggesprek."
BAD_OUTCOME = "Kies hoe de nazorg afloopt."
OUTCOME_REASON = "Kies de reden van de uitval uit de lijst."
OUTCOME_NOTE_DROPPED = "Schrijf kort op wat er is gebeurd."
OUTCOME_NOTE_MOVED = "Schrijf op naar welke werkplek de kandidaat is gegaan."
OUTCOME_CLOSED_REASON = {
    "employed": "Nazorg afgerond: de kandidaat werkt hier nog, met een contract.",
    "dropped_out": "Nazorg afgerond: de kandidaat werkt hier niet meer.",
    "moved": "Nazorg afgerond: de kandidaat werkt nu op een andere werkplek.",
}
OUTCOME_TASKS_REASON = "De nazorg is afgerond"


# Who, and when --------------------------------------------------------------------------------------------


def aftercare_problem(placement: Placement) -> str | None:
    """Why nothing of the aftercare can be recorded now (a Dutch message), or None while it runs."""
    if placement.status in ("planned", "onboarding"):
        return NOT_STARTED
    if placement.status != "nazorg" or placement.outcome is not None or placement.contract_start_date is None:
        return FINISHED
    return None


def contract_problem(placement: Placement) -> str | None:
    """Why the contract cannot be corrected now (a Dutch message), or None: while the aftercare runs,
    and before it, once a contract was decided that has not started."""
    if contract_pending(placement):
        return None
    return aftercare_problem(placement)


def _check_actor(actor: User, placement: Placement, problem_of=aftercare_problem) -> None:
    if not is_municipal_of(actor, placement):
        raise DomainError(NOT_YOURS)
    problem = problem_of(placement)
    if problem:
        raise DomainError(problem)


def _text(value: Any, limit: int, message: str, field: str) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > limit:
        raise DomainError(message, field)
    return text or None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# The contract ---------------------------------------------------------------------------------------------


def contract_start_window(placement: Placement) -> tuple[date, date]:
    """The first and last day the contract may start (as at the decision: from the first working day
    to 90 days after the planned end)."""
    first_day = placement.actual_start_date or placement.start_date
    return first_day, placement.planned_end_date + CONTRACT_START_LATEST


def first_held_on(placement_id: int) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.min(CheckIn.held_on)).where(
            CheckIn.placement_id == placement_id, CheckIn.status == "held"
        )
    )


def correct_contract(actor: User, placement: Placement, values: dict[str, Any]) -> list[str]:
    """Correct the contract's type, hours or start; check-ins not yet held follow a new start at once.

    Also before the contract starts: a start moved to today or earlier begins the nazorg now.
    Returns the names of the fields that changed (empty: nothing changed, nothing is written).
    """
    _check_actor(actor, placement, contract_problem)
    contract_type = values.get("contract_type")
    hours = values.get("contract_hours")
    starts = values.get("contract_start_date")
    if contract_type not in CONTRACT_TYPES:
        raise DomainError(CONTRACT_TYPE, "contract_type")
    low, high = CONTRACT_HOURS
    if not _whole(hours) or not low <= hours <= high:
        raise DomainError(CONTRACT_HOURS_RANGE, "contract_hours")
    if not isinstance(starts, date):
        raise DomainError(CONTRACT_START_MISSING, "contract_start_date")
    first, last = contract_start_window(placement)
    if starts < first:
        raise DomainError(CONTRACT_START_EARLY.format(day=format_date(first)), "contract_start_date")
    if starts > last:
        raise DomainError(CONTRACT_START_LATE.format(day=format_date(last)), "contract_start_date")
    held = first_held_on(placement.id)
    if held is not None and starts > held:
        raise DomainError(START_AFTER_HELD.format(day=format_date(held)), "contract_start_date")
    new = {"contract_type": contract_type, "contract_hours": hours, "contract_start_date": starts}
    changed = [name for name, value in new.items() if getattr(placement, name) != value]
    if not changed:
        return []
    before = {name: getattr(placement, name) for name in changed}
    for name in changed:
        setattr(placement, name, new[name])
    db.session.flush()
    begin_aftercare_now(actor, placement)
    counts = sync_checkins(today_local(), placement_id=placement.id)
    record(
        actor,
        "placement.contract_corrected",
        placement,
        changed=changed,
        before={k: v.isoformat() if isinstance(v, date) else v for k, v in before.items()},
        after={k: v.isoformat() if isinstance(v, date) else v for k, v in new.items() if k in changed},
        checkins_moved=counts["checkins_moved"],
    )
    return changed


# Check-ins ------------------------------------------------------------------------------------------------


def checkin_problem(placement: Placement, checkin: CheckIn) -> str | None:
    """Why this check-in cannot be recorded now (a Dutch message), or None."""
    if checkin.placement_id != placement.id:
        return NOT_THIS_PLACEMENT
    problem = aftercare_problem(placement)
    if problem:
        return problem
    if checkin.status == "cancelled":
        return CANCELLED
    return None


def _check_checkin(placement: Placement, values: dict[str, Any]) -> dict[str, Any]:
    held_on = values.get("held_on")
    if not isinstance(held_on, date):
        raise DomainError(HELD_ON_MISSING, "held_on")
    if held_on > today_local():
        raise DomainError(HELD_ON_FUTURE, "held_on")
    if held_on < placement.contract_start_date:
        raise DomainError(HELD_ON_EARLY.format(day=format_date(placement.contract_start_date)), "held_on")
    if values.get("held_with") not in CHECKIN_WITH:
        raise DomainError(BAD_WITH, "held_with")
    contact_made = values.get("contact_made")
    if not isinstance(contact_made, bool):
        raise DomainError(BAD_CONTACT, "contact_made")
    scores = {}
    if contact_made:
        given = values.get("scores") or {}
        for name, label in SCORED_ASPECTS.items():
            score = given.get(name)
            if not _whole(score) or score not in SCALE:
                raise DomainError(BAD_SCORE.format(aspect=label.lower()), name)
            scores[name] = score
    if values.get("risk") not in RISK_LEVELS:
        raise DomainError(BAD_RISK, "risk")
    return {
        "held_on": held_on,
        "held_with": values["held_with"],
        "contact_made": contact_made,
        "scores": scores,
        "problems": _text(values.get("problems"), TEXT_MAX, TEXT_TOO_LONG, "problems"),
        "agreements": _text(values.get("agreements"), TEXT_MAX, TEXT_TOO_LONG, "agreements"),
        "risk": values["risk"],
    }


def record_checkin(actor: User, placement: Placement, checkin: CheckIn, values: dict[str, Any]) -> CheckIn:
    """Record a check-in as held (or correct one that was): date, with whom, contact, scores, risk.

    ``values``: held_on, held_with, contact_made (bool), scores ({aspect: 1-4}, required when contact
    was made, else left out), problems, agreements, risk.
    """
    if not is_municipal_of(actor, placement):
        raise DomainError(NOT_YOURS)
    problem = checkin_problem(placement, checkin)
    if problem:
        raise DomainError(problem)
    checked = _check_checkin(placement, values)
    corrected = checkin.status == "held"
    before_risk = checkin.risk
    for name, value in checked.items():
        setattr(checkin, name, value)
    checkin.status = "held"
    checkin.held_by_id = actor.id
    db.session.flush()
    conditions_ended.send(
        placement.id,
        condition="checkin_held",
        rules=("checkin_overdue",),
        evidence_key=f"checkin:{checkin.id}",
    )
    record(
        actor,
        "checkin.corrected" if corrected else "checkin.held",
        checkin,
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        number=checkin.number,
        held_on=checkin.held_on.isoformat(),
        held_with=checkin.held_with,
        contact_made=checkin.contact_made,
        risk=checkin.risk,
        **({"previous_risk": before_risk} if corrected else {}),
    )
    return checkin


# The outcome ----------------------------------------------------------------------------------------------


def outcome_opens(placement: Placement, settings: AftercareSettings) -> date | None:
    """The day from which the outcome can be recorded: the last planned check-in's due date (the
    period's last day when the plan is empty); None without a contract start."""
    if placement.contract_start_date is None:
        return None
    plan = plan_for(placement, settings)
    if plan:
        return plan[-1].due_date
    return aftercare_end(placement.contract_start_date, months_of(settings))


def outcome_problem(placement: Placement, settings: AftercareSettings, today: date) -> str | None:
    """Why the outcome cannot be recorded today (a Dutch message), or None."""
    problem = aftercare_problem(placement)
    if problem:
        return problem
    opens = outcome_opens(placement, settings)
    if opens is not None and today < opens:
        return OUTCOME_NOT_YET.format(day=format_date(opens))
    return None


def _check_outcome(values: dict[str, Any]) -> dict[str, Any]:
    outcome = values.get("outcome")
    if outcome not in AFTERCARE_OUTCOMES:
        raise DomainError(BAD_OUTCOME, "outcome")
    note = _text(values.get("note"), NOTE_MAX, NOTE_TOO_LONG, "note")
    checked = {"outcome": outcome, "contract_type": None, "hours": None, "reason": None, "note": note}
    if outcome == "employed":
        if values.get("contract_type") not in CONTRACT_TYPES:
            raise DomainError(CONTRACT_TYPE, "contract_type")
        hours = values.get("hours")
        low, high = CONTRACT_HOURS
        if not _whole(hours) or not low <= hours <= high:
            raise DomainError(CONTRACT_HOURS_RANGE, "hours")
        checked.update(contract_type=values["contract_type"], hours=hours)
    elif outcome == "dropped_out":
        if values.get("reason") not in DROPOUT_REASONS:
            raise DomainError(OUTCOME_REASON, "reason")
        if not note:
            raise DomainError(OUTCOME_NOTE_DROPPED, "note")
        checked["reason"] = values["reason"]
    elif not note:
        raise DomainError(OUTCOME_NOTE_MOVED, "note")
    return checked


def record_outcome(
    actor: User, placement: Placement, settings: AftercareSettings, values: dict[str, Any]
) -> Placement:
    """The end of aftercare: still employed (contract type, hours), dropped out (reason, note) or moved
    to another workplace (note). The remaining check-ins lapse and the placement closes.

    ``values``: outcome, contract_type, hours, reason, note.
    """
    if not is_municipal_of(actor, placement):
        raise DomainError(NOT_YOURS)
    today = today_local()
    problem = outcome_problem(placement, settings, today)
    if problem:
        raise DomainError(problem)
    checked = _check_outcome(values)
    outcome = checked["outcome"]
    placement.outcome = outcome
    placement.outcome_contract_type = checked["contract_type"]
    placement.outcome_hours = checked["hours"]
    placement.outcome_note = checked["note"]
    placement.outcome_recorded_at = now_utc()
    if outcome == "dropped_out":
        placement.end_reason = checked["reason"]
    change_status(actor, placement, "closed", reason=OUTCOME_CLOSED_REASON[outcome])
    lapsed = db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.placement_id == placement.id, CheckIn.status == "planned")
        .values(status="cancelled"),
        execution_options={"synchronize_session": "fetch"},
    ).rowcount
    tasks = cancel_open_tasks(actor, placement, OUTCOME_TASKS_REASON)
    placement_ended.send(placement, cause="outcome")
    intake_id = _after_dropout(actor, placement, today) if outcome == "dropped_out" else None
    if outcome == "moved" and placement.candidate.status == "placed":
        # Available again, so the contact can propose the candidate for the new workplace.
        set_candidate_status(actor, placement.candidate, "active")
    record(
        actor,
        "placement.outcome_recorded",
        placement,
        outcome=outcome,
        contract_type=checked["contract_type"],
        hours=checked["hours"],
        reason=checked["reason"],
        checkins_cancelled=lapsed,
        tasks_cancelled=tasks,
        intake_task_id=intake_id,
    )
    return placement


def _after_dropout(actor: User, placement: Placement, today: date) -> int:
    """As at uitval: the candidate is not available until the contact has had an intake."""
    set_candidate_status(actor, placement.candidate, "inactive")
    task = create_task(
        actor,
        placement,
        title=f"Intakegesprek met {placement.candidate.pseudonym} na uitval in de nazorg:"
        " bespreek wat nu past",
        owner="municipal",
        kind="intake",
        assignee_id=placement.contact_id,
        due_date=add_working_days(today, INTAKE_WORKING_DAYS),
    )
    return task.id
