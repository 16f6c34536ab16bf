"""Who may do what with tasks, for the services (which refuse) and the pages (which offer) alike; a task
loads through the placement it belongs to, else 404."""

from __future__ import annotations

from portal.auth.models import User
from portal.placements.permissions import first_through_placement_or_404
from portal.tasks.models import Task
from portal.tasks.queries import task_for


def get_task_or_404(user: User, task_id: int) -> Task:
    """A task on a placement the user may see (employers: only actions); else 404.

    Its placement is loaded in the same query: ``db.session.get(Placement, task.placement_id)`` is free.
    """
    return first_through_placement_or_404(task_for, user, task_id)


def may_complete(user: User, task: Task, placement) -> bool:
    """Staff of the placement complete any task; an employer user only the employer's own actions.
    Nobody ticks off the preference request: it closes itself (``close_tasks``), nor a task
    ``closed_by_answer``: the answer counts in the figures, a tick would not."""
    if task.closed_by_answer or task.kind == "preference":
        return False
    if task.municipality_id != user.municipality_id or placement.id != task.placement_id:
        return False
    if user.role == "municipal":
        return True
    if user.role == "jobcoach":
        return placement.jobcoach_id == user.id
    if user.role == "employer":
        return (
            task.owner == "employer"
            and task.visible_to_employer
            and placement.employer_id == user.employer_id
        )
    return False
