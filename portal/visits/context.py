"""What the placement page needs about visits and tasks (a fixed number of queries)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.time import today_local
from portal.extensions import db
from portal.tasks.queries import tasks_of_placement, visible_to
from portal.tasks.services import may_complete
from portal.visits.models import SPOKEN_WITH
from portal.visits.queries import visits_of
from portal.visits.services import may_record


def spoken_labels(codes: str | None) -> str:
    """``"candidate supervisor"`` → ``"Kandidaat, Werkbegeleider"`` (unknown codes left out)."""
    return ", ".join(SPOKEN_WITH[code] for code in (codes or "").split() if code in SPOKEN_WITH)


def placement_context(placement, user: User) -> dict[str, Any]:
    """``visits`` (newest first), ``tasks`` (open first) and ``people`` (user id → name) of a placement.

    Also ``spoken`` (visit id → who the jobcoach spoke to, in words), ``may_record`` (the user can
    record a visit), ``completable`` (ids of open tasks the user can mark done) and ``today`` (to mark
    overdue tasks). Employers get only the actions, never staff tasks.
    """
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
