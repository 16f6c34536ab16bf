"""Access declarations for routes, the default-deny guard and safe redirects.

Every view declares who may use it with exactly one of:

- ``@public``: anyone, logged in or not;
- ``@login_required_any``: any logged-in user, also an employer whose organisation awaits approval;
- ``@roles_required("municipal", ...)``: logged-in users with one of these roles (employers only once
  their organisation is approved);
- ``@password_given``: the pages of the login's second step (the code, linking an app, logging out), open
  to a visitor who gave the right password but not yet the code (a "half" session) and to logged-in users.

A half session is not a login: Flask-Login sees an anonymous visitor, so no other route can be reached
with it; every protected route sends it on to the code page instead of the login page.

``@fresh_login_required`` goes below the declaration of sensitive routes (changing the password or the
app, downloads of personal data): they need the password and code given in the last
``FRESH_LOGIN_MINUTES``, otherwise the user confirms them first and comes back.

A view without a declaration is refused for everyone (``enforce_declarations``), and a test walks
``app.url_map`` so such a view never ships.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_login import current_user, login_fresh

from portal.core.time import now_utc

ACCESS_ATTR = "_werkbrug_access"
FRESH_ATTR = "_werkbrug_fresh"
#: Session keys of the login's second step: the user who gave the password ("<id>:<login token>") and when.
PENDING_KEY = "mfa_pending"
PENDING_AT_KEY = "mfa_pending_at"
#: When the user last gave the password and (if they have one) the code: the start of a fresh login.
FRESH_KEY = "fresh_at"

ROLES = ("employer", "jobcoach", "municipal", "admin")
STAFF_ROLES = ("jobcoach", "municipal", "admin")


def _declare(view: Callable, access: tuple) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: Callable) -> Callable:
    """Anyone may use this route."""
    return _declare(view, ("public",))


def _here() -> str:
    return request.full_path if request.query_string else request.path


def _login_redirect():
    if session.get(PENDING_KEY):
        # The password was given, the code not yet: finish the login first (nothing else is reachable).
        return redirect(url_for("auth.mfa_code"))
    return redirect(url_for("auth.login", next=_here()))


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


def password_given(view: Callable) -> Callable:
    """The login's second step: a visitor who gave the right password (not yet the code), or a logged-in user.

    The view itself finds out which of the two it serves (``portal.auth``); anyone else gets the login page.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated and not session.get(PENDING_KEY):
            return redirect(url_for("auth.login"))
        return view(*args, **kwargs)

    return _declare(wrapped, ("pending",))


def login_is_fresh() -> bool:
    """Whether the password (and code) were given in this session within ``FRESH_LOGIN_MINUTES``."""
    started = session.get(FRESH_KEY)
    if started is None or not login_fresh():
        return False
    limit = current_app.config["FRESH_LOGIN_MINUTES"] * 60
    return 0 <= now_utc().timestamp() - float(started) <= limit


def _same_site_referrer() -> str | None:
    """The page this POST came from, when it is a page of this site (to come back to after confirming)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host:
        return None
    path = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return safe_next_url(path, "") or None


def fresh_login_required(view: Callable) -> Callable:
    """Sensitive routes: a login older than ``FRESH_LOGIN_MINUTES`` first confirms password and code.

    Put it below the access declaration. A GET comes back to itself afterwards; a POST (whose form cannot be
    sent again) comes back to the page the form was on.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and not login_is_fresh():
            back = _here() if request.method == "GET" else _same_site_referrer()
            return redirect(url_for("auth.confirm", next=back))
        return view(*args, **kwargs)

    setattr(wrapped, FRESH_ATTR, True)
    return wrapped


def needs_fresh_login(view: Callable | None) -> bool:
    return bool(getattr(view, FRESH_ATTR, False))


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
