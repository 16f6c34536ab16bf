"""Flask-Login wiring: users are loaded by id *and* their current login token.

The session carries ``"<id>:<login_token>"``. Rotating the token (logout, password change,
deactivation) makes every captured session or remember cookie anonymous on its next request.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import Flask, flash, session

from portal.core.time import now_utc
from portal.extensions import db, login_manager

AUTH_AT_KEY = "auth_at"


def load_user(user_id: str):
    from portal.auth.models import User

    raw_id, _, token = (user_id or "").partition(":")
    if not raw_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or not user.is_active or not hmac.compare_digest(user.login_token, token):
        return None
    if _absolute_timeout_passed():
        return None
    return user


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
