"""Who may end a placement, and how: the answers services enforce and pages use to offer the action."""

from __future__ import annotations

from portal.auth.models import User
from portal.placements.models import Placement
from portal.placements.permissions import is_open

NOT_YOUR_DECISION = "Alleen de gemeente van deze plaatsing kan het besluit vastleggen."
DECISION_CLOSED = {
    "planned": (
        "Deze plaatsing is nog niet gestart. U kunt pas een besluit vastleggen als de kandidaat werkt."
    ),
    "nazorg": (
        "Over deze plaatsing is al besloten: de kandidaat heeft een contract. De plaatsing is in nazorg."
    ),
    "closed": "Deze plaatsing is afgesloten. U kunt geen besluit meer vastleggen.",
    "interrupted": "Deze plaatsing is uitgevallen. U kunt geen besluit meer vastleggen.",
}
NOT_YOUR_PREFERENCE = "Alleen de werkgever van deze plaatsing kan een voorkeur doorgeven."
PREFERENCE_CLOSED = "U kunt alleen een voorkeur doorgeven zolang de kandidaat bij u inwerkt."
NOT_YOUR_DROPOUT = "Alleen de gemeente of de jobcoach van deze plaatsing kan uitval melden."
DROPOUT_CLOSED = "Deze plaatsing is al beëindigd. U kunt geen uitval meer melden."


def is_municipal_of(user: User, placement: Placement) -> bool:
    """The municipality of the placement records the decision."""
    return user.role == "municipal" and user.municipality_id == placement.municipality_id


def is_employer_of(user: User, placement: Placement) -> bool:
    """The placement's employer gives its preference."""
    return user.role == "employer" and user.employer_id == placement.employer_id


def dropout_actor(user: User, placement: Placement) -> bool:
    """The municipality of the placement or its assigned jobcoach."""
    if user.municipality_id != placement.municipality_id:
        return False
    return user.role == "municipal" or (user.role == "jobcoach" and placement.jobcoach_id == user.id)


def decision_problem(placement: Placement) -> str | None:
    """Why no decision can be recorded for the placement now (a Dutch message), or None."""
    return DECISION_CLOSED.get(placement.status)


def may_decide(user: User, placement: Placement) -> bool:
    """Whether ``user`` may record the end-of-placement decision now (the page links to it)."""
    return is_municipal_of(user, placement) and placement.status == "onboarding"


def preference_problem(placement: Placement) -> str | None:
    """Why the employer cannot give its preference now (a Dutch message), or None."""
    return None if placement.status == "onboarding" else PREFERENCE_CLOSED


def may_give_preference(user: User, placement: Placement) -> bool:
    """Whether ``user`` may tell what it would like at the end (the page shows the form when due)."""
    return is_employer_of(user, placement) and placement.status == "onboarding"


def dropout_problem(placement: Placement) -> str | None:
    """Why no uitval can be registered for the placement now (a Dutch message), or None."""
    return None if is_open(placement) else DROPOUT_CLOSED


def may_register_dropout(user: User, placement: Placement) -> bool:
    """Whether ``user`` may register uitval for this placement now (it is still open)."""
    return is_open(placement) and dropout_actor(user, placement)
