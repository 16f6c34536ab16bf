"""Read-side queries of workplace visits, and the visits and tasks part of a placement's page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.signals import placement_page
from portal.core.time import today_local
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.queries import scoped
from portal.tasks.permissions import may_complete
from portal.tasks.queries import tasks_of_placement, visible_to
from portal.visits.models import SPOKEN_WITH, Visit


def visits_of(placement_id: int) -> sa.Select:
    """The visits of a placement, newest first."""
    return (
        sa.select(Visit)
        .where(Visit.placement_id == placement_id)
        .order_by(Visit.visit_date.desc(), Visit.id.desc())
    )


def visit_for(user: User, visit_id: int) -> sa.Select | None:
    """(visit, placement) of one visit on a placement ``user`` may see; None when the role sees none."""
    query = sa.select(Visit, Placement).join(Placement, Placement.id == Visit.placement_id)
    query = scoped(query, user)
    return query.where(Visit.id == visit_id) if query is not None else None


# The placement's page -------------------------------------------------------------------------------------


def spoken_labels(codes: str | None) -> str:
    """``"candidate supervisor"`` → ``"Kandidaat, Werkbegeleider"`` (unknown codes left out)."""
    return ", ".join(SPOKEN_WITH[code] for code in (codes or "").split() if code in SPOKEN_WITH)


def placement_context(placement, user: User) -> dict[str, Any]:
    """``visits`` (newest first), ``tasks`` (open first) and ``people`` (user id → name) of a placement.

    Also ``spoken`` (visit id → who the jobcoach spoke to, in words), ``may_record`` (the user can
    record a visit), ``completable`` (ids of open tasks the user can mark done) and ``today`` (to mark
    overdue tasks). Employers get only the actions, never staff tasks.
    """
    from portal.visits.permissions import may_record  # here: permissions loads visits through this module

    visits = db.session.scalars(visits_of(placement.id)).all()
    tasks = db.session.scalars(visible_to(tasks_of_placement(placement.id), user)).all()
    ids = {v.jobcoach_id for v in visits} | {v.confirmed_by_id for v in visits}
    ids |= {t.assignee_id for t in tasks} | {t.done_by_id for t in tasks}
    ids.discard(None)
    people = (
        dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    return {
        "visits": visits,
        "tasks": tasks,
        "people": people,
        "spoken": {v.id: spoken_labels(v.spoken_with) for v in visits},
        "may_record": may_record(user, placement),
        "completable": {t.id for t in tasks if t.status == "open" and may_complete(user, t, placement)},
        "today": today_local(),
    }


@placement_page.connect
def placement_page_part(placement, *, user: User, bound: dict[str, Any]) -> dict[str, Any]:
    """The visits and tasks of the placement's page (``placement_context``) and their timeline events.

    Employers never get intake tasks (staff follow-up after uitval) on the timeline; ``tasks`` are
    already what they may read, and the template leaves out a visit's observations and risk for them.
    """
    context = placement_context(placement, user)
    events = [{"kind": "visit", "at": visit.created_at, "visit": visit} for visit in context["visits"]]
    for task in context["tasks"]:
        if user.role == "employer" and task.kind == "intake":
            continue
        events.append({"kind": "task", "at": task.created_at, "task": task})
        closed = task.done_at if task.status == "done" else task.cancelled_at or task.updated_at
        if task.status != "open" and closed:
            events.append({"kind": "task_closed", "at": closed, "task": task})
    return {**context, "events": events}
