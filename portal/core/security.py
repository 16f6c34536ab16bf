"""Access declarations for routes, the default-deny guard and safe redirects.

Every view declares who may use it with exactly one of:

- ``@public``: anyone, logged in or not;
- ``@login_required_any``: any logged-in user, also an employer whose organisation awaits approval;
- ``@roles_required("municipal", ...)``: logged-in users with one of these roles (employers only once
  their organisation is approved).

A view without a declaration is refused for everyone (``enforce_declarations``), and a test walks
``app.url_map`` so such a view never ships.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

ACCESS_ATTR = "_werkbrug_access"

ROLES = ("employer", "jobcoach", "municipal", "admin")
STAFF_ROLES = ("jobcoach", "municipal", "admin")


def _declare(view: Callable, access: tuple) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: Callable) -> Callable:
    """Anyone may use this route."""
    return _declare(view, ("public",))


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def login_required_any(view: Callable) -> Callable:
    """Any logged-in user, including an employer still waiting for approval."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _login_redirect()
        return view(*args, **kwargs)

    return _declare(wrapped, ("login",))


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Logged-in users with one of ``roles``; others get 403, anonymous users the login page."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"unknown roles: {unknown or 'none given'}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            if current_user.role not in roles:
                abort(403)
            if current_user.role == "employer" and not current_user.employer_is_approved:
                return redirect(url_for("auth.waiting"))
            return view(*args, **kwargs)

        return _declare(wrapped, ("roles", *roles))

    return decorator


def access_of(view: Callable | None) -> tuple | None:
    return getattr(view, ACCESS_ATTR, None)


def enforce_declarations(app: Flask) -> None:
    """Refuse any request whose view has no access declaration (default deny)."""

    @app.before_request
    def deny_undeclared():
        if request.endpoint is None:
            return None  # 404/405: nothing to protect
        if request.endpoint == "static" or request.endpoint.endswith(".static"):
            return None
        if access_of(app.view_functions.get(request.endpoint)) is None:
            app.logger.error("Route %s has no access declaration; refused", request.endpoint)
            abort(403)
        return None


def safe_next_url(target: str | None, fallback: str) -> str:
    """Return ``target`` only when it is a local path on this site, else ``fallback``."""
    if not target:
        return fallback
    target = target.strip()
    if any(ch in target for ch in ("\\", "\t", "\n", "\r")) or not target.startswith("/"):
        return fallback
    if target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
