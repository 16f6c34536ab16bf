"""Refusals and error pages: the one domain error type, and Dutch, generic error pages (a rollback before
rendering a 500)."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule refused a change. ``message`` is Dutch and shown to the user (next to ``field``, the
    form field it belongs to, or at the top of the page when there is none): see ``core.forms.show_refusal``.
    A refusal about several fields at once passes ``errors`` (form field -> Dutch message) instead.
    Services check their rules before they change anything, so a refusal leaves nothing to roll back.
    """

    def __init__(self, message: str, field: str | None = None, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = dict(errors or ({field: message} if field else {}))


TITLES = {
    400: "Het verzoek klopt niet",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Dit kan niet op deze manier",
    413: "Te veel gegevens verstuurd",
    429: "Even wachten",
    500: "Er ging iets mis",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/healthz"):
            return {"status": "error", "code": code}, code
        title = TITLES.get(code, error.name)
        return render_template("errors/error.html", code=code, title=title), code

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        db.session.rollback()
        logger.error("Unhandled error on %s %s", request.method, request.endpoint, exc_info=error)
        return render_template("errors/error.html", code=500, title=TITLES[500]), 500
