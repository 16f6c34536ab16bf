"""Read-side queries of tasks."""

from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.placements.models import Placement
from portal.placements.queries import scoped
from portal.tasks.models import EMPLOYER_KINDS, Task


def tasks_of_placement(placement_id: int) -> sa.Select:
    """Every task of a placement: open first, then by due date."""
    return (
        sa.select(Task)
        .where(Task.placement_id == placement_id)
        .order_by((Task.status != "open"), Task.due_date.is_(None), Task.due_date, Task.id)
    )


def open_tasks_of_placement(placement_id: int, kinds=None) -> sa.Select:
    """The open tasks of a placement (of these ``kinds`` when given), oldest first."""
    query = sa.select(Task).where(Task.placement_id == placement_id, Task.status == "open").order_by(Task.id)
    return query.where(Task.kind.in_(list(kinds))) if kinds is not None else query


def employer_may_read() -> sa.ColumnElement[bool]:
    """The tasks an employer's users may read: actions and the preference request marked visible to the
    employer (never staff work such as an intake, never a staff-only action)."""
    return sa.and_(Task.kind.in_(EMPLOYER_KINDS), Task.visible_to_employer.is_(True))


def visible_to(query: sa.Select, user: User) -> sa.Select:
    """Limit a query on Task to what ``user`` may read: employers only ``employer_may_read``."""
    if user.role == "employer":
        return query.where(employer_may_read())
    return query


def task_for(user: User, task_id: int) -> sa.Select | None:
    """(task, placement) of one task on a placement ``user`` may see; None when the role sees none."""
    query = scoped(sa.select(Task, Placement).join(Placement, Placement.id == Task.placement_id), user)
    if query is None:
        return None
    return visible_to(query, user).where(Task.id == task_id)


#: Kinds a jobcoach does not get on the task list: the employer's preference request (the contact decides)
#: and the specialist's follow-up after an exit (answered on /navraag, a municipal page).
NOT_FOR_JOBCOACHES = ("preference", "followup")


def open_tasks_for(user: User) -> sa.Select | None:
    """(task, placement, candidate pseudonym) rows of the user's open tasks, soonest due first.

    Municipal staff: tasks in their municipality assigned to them or on placements they are the
    contact of, also work about a candidate without a placement (a follow-up after an exit to work found
    outside Werkbrug: its placement is None). Jobcoaches: tasks on their placements, except the
    specialist's follow-ups after an exit. Staff never get the employer's preference request (theirs is
    the decision). Employers: the employer's own actions and preference requests on their placements.
    None when the role has no tasks.
    """
    query = (
        sa.select(Task, Placement, Candidate.pseudonym)
        .outerjoin(Placement, Placement.id == Task.placement_id)
        .join(Candidate, Candidate.id == Task.candidate_id)
        .where(
            Task.status == "open",
            Task.municipality_id == user.municipality_id,
            Candidate.municipality_id == user.municipality_id,
        )
        .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
    )
    if user.role == "municipal":
        return query.where(
            sa.or_(Placement.id.is_(None), Placement.municipality_id == user.municipality_id),
            sa.or_(Task.assignee_id == user.id, Placement.contact_id == user.id),
            Task.kind != "preference",
        )
    # Jobcoaches and employers: only tasks on their placements (``scoped`` leaves out those without one).
    if user.role == "jobcoach":
        return scoped(query, user).where(Task.kind.not_in(NOT_FOR_JOBCOACHES))
    if user.role == "employer" and user.employer_id is not None:
        return scoped(query, user).where(employer_may_read(), Task.owner == "employer")
    return None
