"""Workplace visits: the jobcoach records one, the employer confirms it took place."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.candidates.disclosure import label_for
from portal.core.audit import record_viewed
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.security import roles_required
from portal.core.time import today_local
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.permissions import get_placement_or_404
from portal.visits import forms, services
from portal.visits.permissions import get_visit_or_404, may_record

bp = Blueprint("visits", __name__)


def _to_placement(placement):
    return redirect(url_for("placements.detail", placement_id=placement.id))


def _render(placement, form=None, problem=None):
    """The visit form; the candidate it names is audited."""
    html = render_template(
        "visits/new.html",
        placement=placement,
        label=label_for(current_user, placement.candidate),
        form=form,
        problem=problem,
    )
    record_viewed(current_user, placement.candidate, "visit_form", placement_id=placement.id)
    db.session.commit()
    return html


def _visit_form(placement) -> forms.VisitForm:
    if request.method == "POST":
        form = forms.VisitForm()
    else:
        form = forms.VisitForm(formdata=None, visit_date=today_local(), mode="on_site", contact_made="yes")
    form.earliest = services.date_window(placement)[0]
    return form


@bp.route("/plaatsingen/<int:placement_id>/bezoeken/nieuw", methods=["GET", "POST"])
@roles_required("jobcoach")
def new(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    if not may_record(current_user, placement):
        return _render(placement, problem=services.NOT_OPEN)
    form = _visit_form(placement)
    if form.validate_on_submit():
        try:
            services.record_visit(current_user, placement, form.values(), form.actions())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Het bezoek is vastgelegd.", "success")
            return _to_placement(placement)
    return _render(placement, form)


@bp.post("/bezoeken/<int:visit_id>/bevestigen")
@roles_required("employer")
def confirm(visit_id: int):
    visit = get_visit_or_404(current_user, visit_id)
    placement = db.session.get(Placement, visit.placement_id)
    try:
        changed = services.confirm_visit(current_user, visit, placement)
    except DomainError as error:
        flash(error.message, "error")
        return _to_placement(placement)
    db.session.commit()
    if changed:
        flash("Dank u wel. U heeft bevestigd dat het bezoek is geweest.", "success")
    else:
        flash("Dit bezoek was al bevestigd. Er is niets veranderd.", "info")
    return _to_placement(placement)
