"""Read-side queries of tasks."""

from __future__ import annotations

import sqlalchemy as sa

from portal.tasks.models import Task


def tasks_of_placement(placement_id: int) -> sa.Select:
    """Every task of a placement: open first, then by due date."""
    return (
        sa.select(Task)
        .where(Task.placement_id == placement_id)
        .order_by((Task.status != "open"), Task.due_date.is_(None), Task.due_date, Task.id)
    )


def open_tasks_of_placement(placement_id: int) -> sa.Select:
    return sa.select(Task).where(Task.placement_id == placement_id, Task.status == "open").order_by(Task.id)
