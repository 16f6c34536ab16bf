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


def mfa_required(user: User) -> bool:
    """Whether ``user`` must log in with a code from an app: all staff, and employers when their
    municipality says so."""
    return user.is_staff or bool(user.municipality.employer_mfa_required)


def needs_code_step(user: User) -> bool:
    """Whether the login of ``user`` has a second step (the code, or first linking an app)."""
    return user.has_mfa or mfa_required(user)
