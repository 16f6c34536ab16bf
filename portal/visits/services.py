"""Write-side verbs of workplace visits. They flush and audit; the caller commits once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from portal.auth.models import User
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.time import now_utc, today_local
from portal.extensions import db
from portal.placements.permissions import is_open
from portal.tasks.models import TASK_OWNERS
from portal.tasks.services import CARE_FOR_EMPLOYER, create_task, mentions_care
from portal.visits.models import RISK_LEVELS, SPOKEN_WITH, VISIT_MODES, Visit
from portal.visits.permissions import may_record

#: A visit may be recorded this long before the placement's start date (the introduction).
EARLIEST_BEFORE_START = timedelta(days=60)
#: An agreed action is due within this long after the visit.
ACTION_HORIZON = timedelta(days=365)
MAX_ACTIONS = 3
DURATION_MIN, DURATION_MAX = 1, 480
OBSERVATIONS_MAX = 5000
RISK_REASON_MAX = 2000
ACTION_TITLE_MAX = 300

NOT_OPEN = "Deze plaatsing is afgesloten of uitgevallen. U kunt geen bezoek meer vastleggen."
NOT_YOUR_PLACEMENT = "Alleen de jobcoach van deze plaatsing kan een bezoek vastleggen."
DATE_IN_FUTURE = "De datum van het bezoek mag niet in de toekomst liggen."
DATE_TOO_EARLY = "Kies een datum vanaf {earliest}: hoogstens 60 dagen voor de start van de plaatsing."
BAD_DURATION = f"Vul een getal van {DURATION_MIN} tot en met {DURATION_MAX} in."
BAD_MODE = "Kies hoe het bezoek ging."
BAD_SPOKEN_WITH = "Kies met wie u heeft gesproken."
BAD_RISK = "Kies het risico."
RISK_REASON_NEEDED = "Schrijf op waarom het risico middel of hoog is."
TOO_MANY_ACTIONS = f"Vul hoogstens {MAX_ACTIONS} afspraken in."
ACTION_INCOMPLETE = "Vul bij elke afspraak in wat er is afgesproken, wie het doet en wanneer het klaar is."
DUE_BEFORE_VISIT = "De afspraak kan niet klaar zijn voor de datum van het bezoek."
DUE_TOO_LATE = "Kies een datum binnen een jaar na het bezoek."
NOT_THE_EMPLOYER = "Alleen de werkgever van deze plaatsing kan een bezoek bevestigen."


def date_window(placement) -> tuple[date, date]:
    """The first and last day a visit of this placement can have taken place."""
    return placement.start_date - EARLIEST_BEFORE_START, today_local()


def due_window(visit_date: date) -> tuple[date, date]:
    """The first and last due date of an action agreed at a visit on ``visit_date``."""
    return visit_date, visit_date + ACTION_HORIZON


def _check_visit(placement, values: dict[str, Any]) -> None:
    earliest, latest = date_window(placement)
    visit_date = values.get("visit_date")
    if not isinstance(visit_date, date) or visit_date > latest:
        raise DomainError(DATE_IN_FUTURE, "visit_date")
    if visit_date < earliest:
        raise DomainError(DATE_TOO_EARLY.format(earliest=format_date(earliest)), "visit_date")
    duration = values.get("duration_minutes")
    if not isinstance(duration, int) or not DURATION_MIN <= duration <= DURATION_MAX:
        raise DomainError(BAD_DURATION, "duration_minutes")
    if values.get("mode") not in VISIT_MODES:
        raise DomainError(BAD_MODE, "mode")
    spoken = values.get("spoken_with") or []
    if any(code not in SPOKEN_WITH for code in spoken):
        raise DomainError(BAD_SPOKEN_WITH, "spoken_with")
    if values.get("contact_made") and not spoken:
        raise DomainError(BAD_SPOKEN_WITH, "spoken_with")
    if values.get("risk") not in RISK_LEVELS:
        raise DomainError(BAD_RISK, "risk")
    if values.get("risk") != "low" and not values.get("risk_reason"):
        raise DomainError(RISK_REASON_NEEDED, "risk_reason")


def _check_actions(visit_date: date, actions: list[dict[str, Any]]) -> None:
    if len(actions) > MAX_ACTIONS:
        raise DomainError(TOO_MANY_ACTIONS)
    first, last = due_window(visit_date)
    for action in actions:
        due = action.get("due_date")
        if not action.get("title") or action.get("owner") not in TASK_OWNERS or not isinstance(due, date):
            raise DomainError(ACTION_INCOMPLETE)
        if due < first:
            raise DomainError(DUE_BEFORE_VISIT)
        if due > last:
            raise DomainError(DUE_TOO_LATE)
        if employer_reads(action) and mentions_care(action["title"]):
            raise DomainError(CARE_FOR_EMPLOYER)


def employer_reads(action: dict[str, Any]) -> bool:
    """An agreed action is staff only, unless marked for the employer or carried out by the employer."""
    return bool(action.get("visible_to_employer")) or action.get("owner") == "employer"


def record_visit(actor: User, placement, values: dict[str, Any], actions: list[dict[str, Any]]) -> Visit:
    """A visit by ``actor`` (the placement's jobcoach) and one open task per agreed action.

    ``values``: visit_date, duration_minutes, mode, spoken_with (codes), contact_made, observations,
    risk, risk_reason. ``actions``: dicts of title, owner, due_date and visible_to_employer (staff only
    unless true; an action of the employer is always visible to it).
    """
    if not is_open(placement):
        raise DomainError(NOT_OPEN)
    if not may_record(actor, placement):
        raise DomainError(NOT_YOUR_PLACEMENT)
    _check_visit(placement, values)
    _check_actions(values["visit_date"], actions)
    contact_made = bool(values.get("contact_made"))
    spoken = [code for code in SPOKEN_WITH if code in (values.get("spoken_with") or [])]
    visit = Visit(
        placement_id=placement.id,
        jobcoach_id=actor.id,
        visit_date=values["visit_date"],
        duration_minutes=values["duration_minutes"],
        mode=values["mode"],
        spoken_with=" ".join(spoken) if contact_made else "",
        contact_made=contact_made,
        observations=(values.get("observations") or None),
        risk=values["risk"],
        risk_reason=(values.get("risk_reason") or None),
    )
    db.session.add(visit)
    db.session.flush()
    record(
        actor,
        "visit.recorded",
        visit,
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        mode=visit.mode,
        contact_made=contact_made,
        risk=visit.risk,
        actions=len(actions),
    )
    for action in actions:
        create_task(
            actor,
            placement,
            title=action["title"][:ACTION_TITLE_MAX],
            owner=action["owner"],
            kind="action",
            due_date=action["due_date"],
            visit_id=visit.id,
            visible_to_employer=employer_reads(action),
        )
    return visit


def confirm_visit(actor: User, visit: Visit, placement) -> bool:
    """The employer confirms the visit took place; False (nothing changes) when it already was."""
    if (
        actor.role != "employer"
        or placement.id != visit.placement_id
        or placement.employer_id != actor.employer_id
        or placement.municipality_id != actor.municipality_id
    ):
        raise DomainError(NOT_THE_EMPLOYER)
    if visit.confirmed_at is not None:
        return False
    visit.confirmed_at = now_utc()
    visit.confirmed_by_id = actor.id
    db.session.flush()
    record(
        actor,
        "visit.confirmed",
        visit,
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
    )
    return True
