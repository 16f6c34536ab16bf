"""Write-side verbs of tasks. They flush and audit; the caller commits once."""

from __future__ import annotations

from datetime import date

from portal.auth.models import User
from portal.core.audit import record
from portal.core.time import now_utc
from portal.extensions import db
from portal.tasks import queries
from portal.tasks.models import TASK_OWNERS, Task

TITLE_MAX = 300
NOT_OPEN = "Deze taak is al afgerond of vervallen."
NOT_YOURS = "Deze taak kunt u niet afronden."


class TaskError(Exception):
    """A business rule refused the change; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create_task(
    actor: User | None,
    placement,
    *,
    title: str,
    owner: str,
    kind: str = "action",
    due_date: date | None = None,
    assignee_id: int | None = None,
    visit_id: int | None = None,
) -> Task:
    """An open task on ``placement`` (an action agreed at a visit, or staff follow-up work)."""
    if owner not in TASK_OWNERS:
        raise TaskError("Kies wie dit gaat doen.", "owner")
    task = Task(
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        candidate_id=placement.candidate_id,
        visit_id=visit_id,
        kind=kind,
        title=title[:TITLE_MAX],
        owner=owner,
        assignee_id=assignee_id,
        due_date=due_date,
        status="open",
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(task)
    db.session.flush()
    record(actor, "task.created", task, placement_id=placement.id, kind=kind, owner=owner)
    return task


def may_complete(user: User, task: Task, placement) -> bool:
    """Staff of the placement complete any task; an employer user only the employer's own actions."""
    if task.municipality_id != user.municipality_id or placement.id != task.placement_id:
        return False
    if user.role == "municipal":
        return True
    if user.role == "jobcoach":
        return placement.jobcoach_id == user.id
    if user.role == "employer":
        return task.owner == "employer" and placement.employer_id == user.employer_id
    return False


def complete_task(actor: User, task: Task, placement) -> Task:
    """Mark an open task done."""
    if not may_complete(actor, task, placement):
        raise TaskError(NOT_YOURS)
    if task.status != "open":
        raise TaskError(NOT_OPEN)
    task.status = "done"
    task.done_at = now_utc()
    task.done_by_id = actor.id
    db.session.flush()
    record(actor, "task.done", task, placement_id=task.placement_id)
    return task


def cancel_open_tasks(actor: User | None, placement, reason: str) -> int:
    """Let every open task of ``placement`` lapse (e.g. at uitval); returns how many."""
    tasks = db.session.scalars(queries.open_tasks_of_placement(placement.id)).all()
    for task in tasks:
        task.status = "cancelled"
        task.cancelled_reason = reason[:200]
        record(actor, "task.cancelled", task, placement_id=placement.id)
    db.session.flush()
    return len(tasks)
