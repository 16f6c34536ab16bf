"""Object access for visits: through the placement the visit belongs to; else 404."""

from __future__ import annotations

from portal.auth.models import User
from portal.placements.permissions import first_through_placement_or_404
from portal.visits.models import Visit
from portal.visits.queries import visit_for


def get_visit_or_404(user: User, visit_id: int) -> Visit:
    """A visit on a placement the user may see (own employer, assigned jobcoach, own municipality); else 404.

    Its placement is loaded in the same query: ``db.session.get(Placement, visit.placement_id)`` is free.
    """
    return first_through_placement_or_404(visit_for, user, visit_id)
