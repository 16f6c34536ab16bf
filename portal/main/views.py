"""The role home pages and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from portal.core.security import public
from portal.main import queries

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == "employer" and not current_user.employer_is_approved:
        return redirect(url_for("auth.waiting"))
    context = queries.home_context(current_user)
    return render_template(f"main/home_{current_user.role}.html", **context)


@bp.get("/healthz")
@public
def healthz():
    report = queries.health(current_app.config["SCHEDULER_STALE_MINUTES"])
    return report, (200 if report["database"] == "ok" else 503)
