"""Ending a placement: the decision (contract, extend once, stop), the employer's preference and uitval."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.core.audit import record_viewed
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.forms import show_refusal
from portal.core.security import roles_required
from portal.core.time import today_local
from portal.ending import forms, permissions, queries, services
from portal.extensions import db
from portal.placements.permissions import get_placement_or_404
from portal.placements.queries import page_context

bp = Blueprint("ending", __name__)

DECIDED = {
    "contract": "Het besluit is vastgelegd: de kandidaat krijgt een contract. De nazorg is begonnen.",
    "contract_later": (
        "Het besluit is vastgelegd: de kandidaat krijgt een contract. De inwerkperiode loopt door tot en"
        " met {end}. De nazorg begint op {start}."
    ),
    "extend": "Het besluit is vastgelegd: de plaatsing is verlengd.",
    "stop": "Het besluit is vastgelegd: de plaatsing stopt en is afgesloten.",
}


def _done(placement, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("placements.detail", placement_id=placement.id))


@bp.post("/plaatsingen/<int:placement_id>/voorkeur")
@roles_required("employer")
def preference(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    form = forms.PreferenceForm()
    problem = permissions.preference_problem(placement)
    if problem:
        flash(problem, "error")
    elif form.validate_on_submit():
        try:
            services.record_preference(
                current_user, placement, form.preference.data, form.preference_note.data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            return _done(placement, "Dank u wel. De gemeente heeft uw voorkeur ontvangen.")
    html = render_template("placements/detail.html", **page_context(placement, current_user, preference=form))
    record_viewed(current_user, placement.candidate, "placement", placement_id=placement.id)
    db.session.commit()
    return html


def _decision_form(placement) -> forms.DecisionForm:
    if request.method == "POST":
        return forms.DecisionForm()
    return forms.DecisionForm(formdata=None, last_day=placement.planned_end_date)


@bp.route("/plaatsingen/<int:placement_id>/besluit", methods=["GET", "POST"])
@roles_required("municipal")
def decide(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    problem = permissions.decision_problem(placement)
    form = _decision_form(placement)
    if problem is None and form.validate_on_submit():
        try:
            services.record_decision(current_user, placement, form.kind.data, form.values())
        except DomainError as error:
            show_refusal(form, error)
        except IntegrityError:
            # Someone recorded the same kind of decision at the same moment (one per kind, in the database).
            db.session.rollback()
            flash(services.DECIDED_MEANWHILE, "error")
            return redirect(url_for("ending.decide", placement_id=placement_id))
        else:
            key = "contract_later" if services.contract_pending(placement) else form.kind.data
            message = DECIDED[key].format(
                end=format_date(placement.planned_end_date), start=format_date(placement.contract_start_date)
            )
            return _done(placement, message)
    html = render_template(
        "ending/decide.html", **queries.decision_context(placement, current_user, form, problem)
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
    problem = permissions.dropout_problem(placement)
    form = _dropout_form(placement)
    if problem is None and form.validate_on_submit():
        try:
            services.register_dropout(
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
        "ending/dropout.html", **queries.dropout_context(placement, current_user, form, problem)
    )
    record_viewed(current_user, placement.candidate, "placement_dropout", placement_id=placement.id)
    db.session.commit()
    return html
