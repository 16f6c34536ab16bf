"""How the demo's placements end: a contract (on to nazorg), a stop decision (closed) or uitval.

Each ending is written as it happened on its own day: the decision row, the status change (through
``change_status``, so history and audit stay consistent), the candidate's status and the intake task
after uitval, all dated in the past.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.core.audit import record
from portal.core.filters import format_date
from portal.core.holidays import add_working_days
from portal.demo.candidates import set_candidate_status
from portal.demo.context import Demo, at
from portal.extensions import db
from portal.placements.models import CONTRACT_TYPES, DROPOUT_REASONS, STOP_REASONS, EndDecision, Placement
from portal.placements.services import change_status
from portal.tasks.models import Task
from portal.tasks.services import create_task


def end_with_contract(demo: Demo, placement: Placement, contract_type: str, hours: int, starts: date) -> None:
    """Decided five working days before the planned end: a contract from ``starts``; nazorg begins."""
    decided = add_working_days(placement.planned_end_date, -5)
    decision = EndDecision(
        placement_id=placement.id, kind="contract", contract_type=contract_type, contract_hours=hours,
        contract_start=starts, note="De werkgever en de kandidaat willen graag verder.",
        decided_by_id=demo.contact.id, decided_at=at(decided, 14),
    )  # fmt: skip
    db.session.add(decision)
    placement.contract_type, placement.contract_hours = contract_type, hours
    placement.contract_start_date = starts
    placement.employer_preference, placement.employer_preference_at = (
        "contract",
        at(decided - timedelta(7)),
    )
    change = change_status(
        demo.contact, placement, "nazorg",
        reason=f"Besluit: contract ({CONTRACT_TYPES[contract_type].lower()}, {hours} uur per week)"
        f" vanaf {format_date(starts)}. De nazorg begint.",
    )  # fmt: skip
    change.changed_at = at(decided, 14)
    record(
        demo.contact, "placement.decision_recorded", placement, decision_id=decision.id, kind="contract",
        contract_type=contract_type, contract_hours=hours, contract_start=starts.isoformat(),
    )  # fmt: skip
    demo.created["decisions"] += 1


def end_with_stop(demo: Demo, placement: Placement, reason: str, note: str) -> None:
    """Decided five working days before the planned end (its last day): stop; the candidate is available."""
    last_day = placement.planned_end_date
    decided = add_working_days(last_day, -5)
    decision = EndDecision(
        placement_id=placement.id, kind="stop", stop_reason=reason, note=note,
        decided_by_id=demo.contact.id, decided_at=at(decided, 14),
    )  # fmt: skip
    db.session.add(decision)
    placement.end_reason, placement.end_note, placement.ended_on = reason, note, last_day
    change = change_status(
        demo.contact, placement, "closed", reason=f"Besluit: stoppen. {STOP_REASONS[reason]}."
    )
    change.changed_at = at(decided, 14)
    set_candidate_status(demo, placement.candidate, "active", decided)
    record(
        demo.contact, "placement.decision_recorded", placement, decision_id=decision.id, kind="stop",
        stop_reason=reason, ended_on=last_day.isoformat(),
    )  # fmt: skip
    demo.created["decisions"] += 1


def end_with_dropout(demo: Demo, placement: Placement, reason: str, text: str, last_day: date) -> None:
    """Uitval registered the working day after ``last_day``: open tasks lapse, an intake task follows."""
    registered = min(add_working_days(last_day, 1), demo.today)
    change = change_status(
        demo.contact, placement, "interrupted", reason=f"Uitval: {DROPOUT_REASONS[reason]}."
    )
    change.changed_at = at(registered, 11)
    placement.end_reason, placement.end_note, placement.ended_on = reason, text, last_day
    for task in db.session.scalars(
        sa.select(Task).where(Task.placement_id == placement.id, Task.status == "open")
    ):
        task.status, task.cancelled_reason = "cancelled", "De plaatsing is uitgevallen"
        task.cancelled_at = task.updated_at = change.changed_at
    set_candidate_status(demo, placement.candidate, "inactive", registered)
    task = create_task(
        demo.contact,
        placement,
        title=f"Intakegesprek met {placement.candidate.pseudonym} na uitval: bespreek wat nu past",
        owner="municipal",
        kind="intake",
        assignee_id=placement.contact_id,
        due_date=add_working_days(registered, 5),
    )
    task.created_at = task.updated_at = change.changed_at
    demo.created["tasks"] += 1
    record(
        demo.contact, "placement.dropout_registered", placement, reason=reason, from_status="onboarding",
        ended_on=last_day.isoformat(), intake_task_id=task.id,
    )  # fmt: skip
