"""Object access for tasks: through the placement the task belongs to; else 404."""

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
