"""Read-side queries of workplace visits."""

from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import User
from portal.placements.models import Placement
from portal.placements.queries import scoped
from portal.visits.models import Visit


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
