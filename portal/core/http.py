"""Response headers every page gets, and the absolute session timeout."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

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


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except that views marked ``@cookieless`` never save it."""

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
