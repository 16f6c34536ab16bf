"""Who may do what with alerts: the answers services enforce and pages use to offer the action."""

from __future__ import annotations

from portal.alerts import queries
from portal.alerts.models import Alert
from portal.auth.models import User
from portal.placements.models import Placement
from portal.placements.permissions import first_through_placement_or_404

#: The roles that work on alerts (the inbox); employers never see them.
HANDLERS = ("municipal", "jobcoach")

NOT_YOURS = "U kunt dit signaal niet afhandelen. Dat doen de gemeente en de jobcoach van deze plaatsing."
ALREADY_ACKNOWLEDGED = "Dit signaal is al opgepakt."
ALREADY_RESOLVED = "Dit signaal is al afgehandeld."


def get_alert_or_404(user: User, alert_id: int) -> Alert:
    """An alert on a placement the user works on (municipality, or assigned jobcoach); else 404."""
    return first_through_placement_or_404(queries.alert_for, user, alert_id)


def sees_whole_municipality(user: User) -> bool:
    """A municipal contact may widen the inbox to every placement of the municipality."""
    return user.role == "municipal"


def may_handle(user: User, placement: Placement) -> bool:
    """Municipal staff of the placement's municipality, and the placement's own jobcoach."""
    if user.municipality_id != placement.municipality_id:
        return False
    if user.role == "municipal":
        return True
    return user.role == "jobcoach" and placement.jobcoach_id == user.id


def resolve_problem(user: User, alert: Alert, placement: Placement) -> str | None:
    """Why ``user`` cannot resolve this alert now (a Dutch message), or None when they may."""
    if alert.status == "resolved":
        return ALREADY_RESOLVED
    return None if may_handle(user, placement) else NOT_YOURS


def acknowledge_problem(user: User, alert: Alert, placement: Placement) -> str | None:
    """Why ``user`` cannot pick this alert up now (a Dutch message), or None when they may."""
    if not may_handle(user, placement):
        return NOT_YOURS
    if alert.status == "resolved":
        return ALREADY_RESOLVED
    if alert.status != "open":
        return ALREADY_ACKNOWLEDGED
    return None
