"""Who may do what with visits, for the services (which refuse) and the pages (which offer) alike; a visit
loads through the placement it belongs to, else 404."""

from __future__ import annotations

from portal.auth.models import User
from portal.placements.permissions import first_through_placement_or_404, is_open
from portal.visits.models import Visit
from portal.visits.queries import visit_for


def get_visit_or_404(user: User, visit_id: int) -> Visit:
    """A visit on a placement the user may see (own employer, assigned jobcoach, own municipality); else 404.

    Its placement is loaded in the same query: ``db.session.get(Placement, visit.placement_id)`` is free.
    """
    return first_through_placement_or_404(visit_for, user, visit_id)


def may_record(user: User, placement) -> bool:
    """Only the placement's own jobcoach, and only while the placement runs (planned, onboarding, nazorg)."""
    return (
        user.role == "jobcoach"
        and placement.jobcoach_id == user.id
        and placement.municipality_id == user.municipality_id
        and is_open(placement)
    )
