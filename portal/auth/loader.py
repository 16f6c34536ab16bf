"""Flask-Login wiring: users are loaded by id *and* their current login token.

The session carries ``"<id>:<login_token>"``. Rotating the token (logout, password change,
deactivation) makes every captured session or remember cookie anonymous on its next request.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import Flask, flash, session
from sqlalchemy.orm import joinedload

from portal.core.db import valid_id
from portal.core.security import PENDING_AT_KEY, PENDING_KEY
from portal.core.time import now_utc
from portal.extensions import db, login_manager

AUTH_AT_KEY = "auth_at"
#: Set when this session's login included the code from an app (or linking one).
CODE_GIVEN_KEY = "code_given"


@cache
def _user_by_id() -> sa.Select:
    """The user of a request with the employer and the municipality in the same statement (every request
    asks whether an employer is approved, and of an employer without an app whether the municipality
    requires one), built once instead of per request."""
    from portal.auth.models import User

    return (
        sa.select(User)
        .where(User.id == sa.bindparam("user_id"))
        .options(joinedload(User.employer), joinedload(User.municipality))
    )


def _active_user(value: str | None):
    """The active user named by ``"<id>:<login token>"`` while that token is current, else None."""
    raw_id, _, token = (value or "").partition(":")
    if not raw_id.isdigit() or not token or len(raw_id) > 12 or not valid_id(int(raw_id)):
        return None
    user = db.session.execute(_user_by_id(), {"user_id": int(raw_id)}).scalar_one_or_none()
    if user is None or not user.is_active or not hmac.compare_digest(user.login_token, token):
        return None
    return user


def load_user(user_id: str):
    from portal.auth.permissions import needs_code_step

    user = _active_user(user_id)
    if user is None or _absolute_timeout_passed():
        return None
    if needs_code_step(user) and not session.get(CODE_GIVEN_KEY):
        # A session from before the user needed a code (an older version, or before the municipality
        # required it of its employers) ends: the next login asks for the code.
        return None
    return user


def pending_user():
    """The user who gave the right password in this session but not yet the code (None when it expired)."""
    from flask import current_app

    started = session.get(PENDING_AT_KEY)
    if started is None:
        return None
    limit = current_app.config["MFA_PENDING_MINUTES"] * 60
    if not 0 <= now_utc().timestamp() - float(started) <= limit:
        return None
    return _active_user(session.get(PENDING_KEY))


def _absolute_timeout_passed() -> bool:
    from flask import current_app

    started = session.get(AUTH_AT_KEY)
    if started is None:
        return True
    limit = timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]).total_seconds()
    return now_utc().timestamp() - float(started) > limit


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om verder te gaan."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        from portal.core.security import _login_redirect

        flash("Log in om verder te gaan.", "info")
        return _login_redirect()
