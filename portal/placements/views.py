"""Placements: lists, one placement's details and timeline, start, jobcoach, the weekly log, and the end:
the decision, the employer's preference and uitval."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.aftercare.alert_queries import alerts_of_placement
from portal.aftercare.views import aftercare_context
from portal.auth.models import User
from portal.auth.permissions import is_employer
from portal.candidates.disclosure import identity_for_employer, label_for, labels_for
from portal.core.audit import record_listing, record_viewed
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.forms import choices, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.core.time import today_local
from portal.extensions import db
from portal.placements import ending, forms, permissions, queries, services
from portal.placements.models import (
    CONTRACT_TYPES,
    DECISION_KINDS,
    DROPOUT_REASONS,
    PLACEMENT_STATUSES,
    SCALE,
    SCORED_ASPECTS,
    STOP_REASONS,
)
from portal.placements.permissions import get_placement_or_404
from portal.requests.models import PlacementRequest
from portal.visits.context import placement_context

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


def _start_form(placement, form=None) -> forms.StartForm | None:
    if form is not None or not permissions.may_start(current_user, placement):
        return form
    earliest, latest = services.start_window(placement)
    return forms.StartForm(formdata=None, actual_start_date=min(max(placement.start_date, earliest), latest))


def _jobcoach_form(placement, form=None) -> forms.JobcoachForm | None:
    if not permissions.may_assign_jobcoach(current_user, placement):
        return None
    form = form or forms.JobcoachForm(formdata=None, jobcoach_id=placement.jobcoach_id)
    coaches = db.session.scalars(queries.active_jobcoaches(placement.municipality_id)).all()
    form.jobcoach_id.choices = choices([("", "Kies een jobcoach"), *((c.id, c.full_name) for c in coaches)])
    return form


def _lead() -> int:
    return current_app.config["DECISION_LEAD_WORKING_DAYS"]


def _preference_form(placement, due: bool, form=None) -> forms.PreferenceForm | None:
    """The employer's preference form while the decision is due (or after a post with errors)."""
    if not permissions.may_give_preference(current_user, placement):
        return None
    if form is not None:
        return form
    if not due:
        return None
    return forms.PreferenceForm(
        formdata=None,
        preference=placement.employer_preference,
        preference_note=placement.employer_preference_note,
    )


def _render_detail(placement, *, start=None, jobcoach=None, preference=None):
    """The placement page with its timeline; the candidate shown is audited and committed."""
    employer_side = is_employer(current_user)
    changes = db.session.execute(queries.status_changes_of(placement.id)).all()
    logs = db.session.scalars(queries.logs_of(placement.id)).all()
    decisions = db.session.execute(queries.end_decisions_of(placement.id)).all()
    context = placement_context(placement, current_user)
    identity = identity_for_employer(placement.candidate, placement.employer_id) if employer_side else None
    today, lead = today_local(), _lead()
    due = ending.decision_due(placement, today, lead)
    values = dict(context)
    values.update(aftercare_context(placement, current_user))
    alerts = [] if employer_side else db.session.scalars(alerts_of_placement(placement.id)).all()
    values.update(
        placement=placement,
        label=label_for(current_user, placement.candidate),
        identity=identity,
        contact=db.session.get(User, placement.contact_id),
        jobcoach=db.session.get(User, placement.jobcoach_id) if placement.jobcoach_id else None,
        is_employer=employer_side,
        show_care=permissions.sees_care(current_user),
        start_form=_start_form(placement, start),
        jobcoach_form=_jobcoach_form(placement, jobcoach),
        events=queries.timeline(
            changes,
            logs,
            decisions,
            context["visits"],
            context["tasks"],
            is_employer=employer_side,
            checkins=values["aftercare"]["held"] if values["aftercare"] else (),
            alerts=alerts,
        ),
        logs=sorted(logs, key=lambda log: log.week_start),
        aspects=SCORED_ASPECTS,
        scale=SCALE,
        status_labels=PLACEMENT_STATUSES,
        this_week=services.monday_of(today),
        log_this_week=services.week_problem(placement, services.monday_of(today)) is None,
        decision_due=due,
        preference_form=_preference_form(placement, due, preference),
        may_decide=permissions.may_decide(current_user, placement),
        may_dropout=ending.may_register_dropout(current_user, placement),
        contract_types=CONTRACT_TYPES,
        stop_reasons=STOP_REASONS,
        dropout_reasons=DROPOUT_REASONS,
        decision_kinds=DECISION_KINDS,
        preference_choices=forms.PREFERENCE_CHOICES,
        alerts=alerts,
    )
    html = render_template("placements/detail.html", **values)
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
    form = _jobcoach_form(placement, forms.JobcoachForm())
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
    placement_request = db.session.get(PlacementRequest, placement.request_id)
    return placement_request.learning_goals if placement_request else None


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


# The end of a placement -----------------------------------------------------------------------------------

DECIDED = {
    "contract": "Het besluit is vastgelegd: de kandidaat krijgt een contract. De nazorg is begonnen.",
    "contract_later": (
        "Het besluit is vastgelegd: de kandidaat krijgt een contract. De inwerkperiode loopt door tot en"
        " met {end}. De nazorg begint op {start}."
    ),
    "extend": "Het besluit is vastgelegd: de plaatsing is verlengd.",
    "stop": "Het besluit is vastgelegd: de plaatsing stopt en is afgesloten.",
}


@bp.post("/plaatsingen/<int:placement_id>/voorkeur")
@roles_required("employer")
def preference(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    form = forms.PreferenceForm()
    if not permissions.may_give_preference(current_user, placement):
        flash(ending.PREFERENCE_CLOSED, "error")
    elif form.validate_on_submit():
        try:
            ending.record_preference(current_user, placement, form.preference.data, form.preference_note.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(placement, "Dank u wel. De gemeente heeft uw voorkeur ontvangen.")
    return _render_detail(placement, preference=form)


def _decision_form(placement) -> forms.DecisionForm:
    if request.method == "POST":
        return forms.DecisionForm()
    return forms.DecisionForm(formdata=None, last_day=placement.planned_end_date)


@bp.route("/plaatsingen/<int:placement_id>/besluit", methods=["GET", "POST"])
@roles_required("municipal")
def decide(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    problem = (
        None
        if permissions.may_decide(current_user, placement)
        else ending.DECISION_CLOSED.get(placement.status)
    )
    form = _decision_form(placement)
    if problem is None and form.validate_on_submit():
        try:
            ending.record_decision(current_user, placement, form.kind.data, form.values())
        except DomainError as error:
            show_refusal(form, error)
        except IntegrityError:
            # Someone recorded the same kind of decision at the same moment (one per kind, in the database).
            db.session.rollback()
            flash(ending.DECIDED_MEANWHILE, "error")
            return redirect(url_for("placements.decide", placement_id=placement_id))
        else:
            key = "contract_later" if ending.contract_pending(placement) else form.kind.data
            message = DECIDED[key].format(
                end=format_date(placement.planned_end_date), start=format_date(placement.contract_start_date)
            )
            return _done(placement, message)
    extended = db.session.scalar(queries.decision_of_kind(placement.id, "extend"))
    html = render_template(
        "placements/decide.html",
        placement=placement,
        label=label_for(current_user, placement.candidate),
        form=form,
        problem=problem,
        extended=extended,
        latest_end=ending.latest_end(placement),
        contract_pending=ending.contract_pending(placement),
        opens=ending.decision_opens(placement, _lead()),
        decision_kinds=DECISION_KINDS,
        preference_choices=forms.PREFERENCE_CHOICES,
    )
    record_viewed(current_user, placement.candidate, "placement_decision", placement_id=placement.id)
    db.session.commit()
    return html


def _dropout_form(placement) -> forms.DropoutForm:
    if request.method == "POST":
        return forms.DropoutForm()
    return forms.DropoutForm(formdata=None, last_day=today_local())


@bp.route("/plaatsingen/<int:placement_id>/uitval", methods=["GET", "POST"])
@roles_required("municipal", "jobcoach")
def dropout(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    problem = None if permissions.is_open(placement) else ending.DROPOUT_CLOSED
    form = _dropout_form(placement)
    if problem is None and form.validate_on_submit():
        try:
            ending.register_dropout(
                current_user, placement, form.reason.data, form.text.data, form.last_day.data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(
                placement,
                "De uitval is vastgelegd. De open taken zijn vervallen en er staat een intakegesprek klaar "
                "voor de contactpersoon van de gemeente.",
            )
    html = render_template(
        "placements/dropout.html",
        placement=placement,
        label=label_for(current_user, placement.candidate),
        form=form,
        problem=problem,
        earliest=ending.dropout_earliest(placement),
        frees_position=queries.frees_position(placement),
        contact=db.session.get(User, placement.contact_id),
    )
    record_viewed(current_user, placement.candidate, "placement_dropout", placement_id=placement.id)
    db.session.commit()
    return html
