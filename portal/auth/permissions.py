"""Questions about a user's role that pages and services ask alike, answered in one place."""

from __future__ import annotations

from portal.auth.models import User


def is_employer(user: User) -> bool:
    """Whether ``user`` works for an employer: pages show the employer's side and words (else the staff's)."""
    return user.role == "employer"


def waits_for_approval(user: User) -> bool:
    """Whether ``user`` is an employer user whose organisation the municipality has not approved (yet)."""
    return is_employer(user) and not user.employer_is_approved


def is_admin(user: User) -> bool:
    """Whether ``user`` is a functional administrator (who sees the scheduler's state on every page)."""
    return user.role == "admin"


def home_template(user: User) -> str:
    """The home page template of ``user``'s role."""
    return f"main/home_{user.role}.html"
