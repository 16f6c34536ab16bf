"""Who may see the team's figures, the lists behind them and the exports, and with or without names.

The same functions answer the services ("may this user do it") and the templates ("should the page
offer it"), so they cannot drift apart. Everything is scoped to the user's own municipality by the
queries; there are no objects of another municipality to reach.
"""

from __future__ import annotations

#: Roles that see the figures of their own municipality.
MONITORING_ROLES = ("municipal", "admin")


def may_view(user) -> bool:
    return getattr(user, "role", None) in MONITORING_ROLES


def sees_names(user) -> bool:
    """Municipal contacts work with candidates by name; a functional administrator sees codes only."""
    return getattr(user, "role", None) == "municipal"


def may_export_with_names(user) -> bool:
    """Municipal contacts, and the system itself (the command line run by the operator)."""
    return user is None or sees_names(user)


def may_open_candidate(user) -> bool:
    """Whether the list links a candidate to their profile page (municipal contacts only)."""
    return sees_names(user)


def may_open_placement(user) -> bool:
    """Whether the list links a placement to its page (municipal contacts only)."""
    return sees_names(user)
