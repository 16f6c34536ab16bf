"""Placements: lists, one placement's details and timeline, start, jobcoach and the weekly log (the end of a
placement is portal/ending)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import is_employer
from portal.candidates.disclosure import label_for, labels_for
from portal.core.audit import record_listing, record_viewed
from portal.core.errors import DomainError
from portal.core.forms import choices, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.extensions import db
from portal.placements import forms, queries, services
from portal.placements.models import (
    SCORED_ASPECTS,
)
from portal.placements.permissions import get_placement_or_404

bp = Blueprint("placements", __name__)


@bp.get("/plaatsingen")
@roles_required("employer", "jobcoach", "municipal")
def index():
    query = queries.placements_for(current_user)
    if query is None:
        abort(404)
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    shown = {placement.candidate_id for placement in page.items}
    html = render_template(
        "placements/index.html",
        page=page,
        labels=labels_for(current_user, shown),
        is_employer=is_employer(current_user),
    )
    record_listing(current_user, shown, "placements_list")
    db.session.commit()
    return html


def _render_detail(placement, **bound):
    """The placement page with its timeline; the candidate shown is audited and committed."""
    html = render_template("placements/detail.html", **queries.page_context(placement, current_user, **bound))
    record_viewed(current_user, placement.candidate, "placement", placement_id=placement.id)
    db.session.commit()
    return html


@bp.get("/plaatsingen/<int:placement_id>")
@roles_required("employer", "jobcoach", "municipal")
def detail(placement_id: int):
    return _render_detail(get_placement_or_404(current_user, placement_id))


def _done(placement, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("placements.detail", placement_id=placement.id))


@bp.post("/plaatsingen/<int:placement_id>/starten")
@roles_required("employer", "municipal")
def start(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    form = forms.StartForm()
    if form.validate_on_submit():
        try:
            services.start(current_user, placement, form.actual_start_date.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(placement, "De plaatsing is gestart. Vul elke week een weekverslag in.")
    return _render_detail(placement, start=form)


@bp.post("/plaatsingen/<int:placement_id>/jobcoach")
@roles_required("municipal")
def assign_jobcoach(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    form = queries.jobcoach_form(placement, current_user, forms.JobcoachForm())
    if form is not None and form.validate_on_submit():
        try:
            services.assign_jobcoach(current_user, placement, form.jobcoach_id.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(placement, "De jobcoach is gekoppeld aan de plaatsing.")
    elif form is None:
        flash(services.CLOSED, "error")
    return _render_detail(placement, jobcoach=form)


# The weekly log -------------------------------------------------------------------------------------------


def parse_week(value: str) -> date:
    """The Monday in the URL; anything else (malformed, not a Monday) is 404."""
    try:
        week_start = date.fromisoformat(value)
    except ValueError:
        abort(404)
    if week_start.isoformat() != value or week_start.weekday() != 0:
        abort(404)
    return week_start


def _log_form(placement, log) -> forms.WeeklyLogForm:
    if request.method == "POST":
        form = forms.WeeklyLogForm()
    else:
        form = forms.WeeklyLogForm(formdata=None, days_present=placement.days_per_week, hours_absent=0)
        if log is not None:
            form.fill_from(log)
    form.days_present.choices = choices(
        (n, f"{n} {'dag' if n == 1 else 'dagen'}") for n in range(placement.days_per_week + 1)
    )
    return form


def _render_log(placement, week_start, form, log, problem=None):
    """The weekly log form; the candidate it names is audited."""
    html = render_template(
        "placements/log_week.html",
        placement=placement,
        label=label_for(current_user, placement.candidate),
        week_start=week_start,
        week_end=week_start + timedelta(days=6),
        form=form,
        log=log,
        problem=problem,
        taalstage=placement.placement_type.code == "taalstage",
        goals=placement_goals(placement),
        aspects=SCORED_ASPECTS,
    )
    record_viewed(current_user, placement.candidate, "weekly_log", placement_id=placement.id)
    db.session.commit()
    return html


def placement_goals(placement) -> str | None:
    """The workplace language goals agreed in the request (shown on a taalstage's log)."""
    return placement.request.learning_goals if placement.request else None


@bp.route("/plaatsingen/<int:placement_id>/week/<week_start>", methods=["GET", "POST"])
@roles_required("employer")
def log_week(placement_id: int, week_start: str):
    placement = get_placement_or_404(current_user, placement_id)
    week = parse_week(week_start)
    problem = services.week_problem(placement, week)
    log = db.session.scalar(queries.log_for_week(placement.id, week))
    form = _log_form(placement, log)
    if problem is None and form.validate_on_submit():
        taalstage = placement.placement_type.code == "taalstage"
        try:
            services.save_weekly_log(
                current_user, placement, week, form.values(placement.days_per_week, taalstage)
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(placement, "Dank u wel. Het weekverslag is opgeslagen.")
    return _render_log(placement, week, form, log, problem)
