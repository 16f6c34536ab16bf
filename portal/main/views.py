"""The role home pages and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.permissions import home_template, waits_for_approval
from portal.core import pagecache
from portal.core.audit import record_listing
from portal.core.security import public
from portal.extensions import db
from portal.main import queries

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if waits_for_approval(current_user):
        return redirect(url_for("auth.waiting"))
    html = pagecache.cached_page(current_user)
    if html is not None:
        return html  # unchanged since it was rendered and audited, minutes ago (portal/core/pagecache.py)
    context = queries.home_context(current_user)
    html = render_template(home_template(current_user), **context)
    record_listing(current_user, context["named_candidates"], "home")
    db.session.commit()
    pagecache.keep(current_user, html)
    return html


@bp.get("/healthz")
@public
def healthz():
    report = queries.health(current_app.config["SCHEDULER_STALE_MINUTES"])
    return report, (200 if report["database"] == "ok" else 503)
