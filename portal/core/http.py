"""Response headers every page gets, and the absolute session timeout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

COOKIELESS_ATTR = "_werkbrug_cookieless"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

#: Browser features no page of the portal uses: switched off for the page and anything it would embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)


def cookieless(view: Callable) -> Callable:
    """Never write a session cookie in the answer of this view (e.g. a feed a calendar app fetches)."""
    setattr(view, COOKIELESS_ATTR, True)
    return view


#: An unchanged session cookie is signed again (its idle timeout moved on) at most this often.
REFRESH_SECONDS = 60

#: The session key Flask-Login keeps the signed-in user under.
USER_KEY = "_user_id"


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except that views marked ``@cookieless`` never save it, and that only a
    signed-in session expires after ``PERMANENT_SESSION_LIFETIME`` of inactivity.

    Someone who is not signed in (registering as an employer, choosing a new password) keeps the form's
    CSRF token for ``WTF_CSRF_TIME_LIMIT``, so a form filled in slowly does not expire with the idle
    timeout that protects a signed-in session.
    """

    def get_signing_serializer(self, app: Flask):
        """Flask's serializer, made once per key (the same keys give the same one; a changed key a new one),
        instead of twice per request."""
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = getattr(self, "_serializer", None)
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            self._serializer = cached
        return cached[1]

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        idle = app.permanent_session_lifetime.total_seconds()
        longest = max(idle, float(app.config.get("WTF_CSRF_TIME_LIMIT") or idle))
        try:
            data, signed_at = serializer.loads(value, max_age=longest, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if USER_KEY in data and (datetime.now(UTC) - signed_at).total_seconds() > idle:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        """A changed session always; an unchanged one (to move its idle timeout on) once it is older than
        REFRESH_SECONDS, not on every request: signing is most of what a page served from the cache costs."""
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or (datetime.now(UTC) - signed_at).total_seconds() >= REFRESH_SECONDS

    def save_session(self, app: Flask, session, response: Response) -> None:
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if getattr(view, COOKIELESS_ATTR, False):
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
            # Pages may show personal data: never store them in a shared or browser cache (a view may
            # only make this stricter, e.g. the calendar feed's "private, no-store").
            response.headers["Cache-Control"] = "no-store"
        return response
