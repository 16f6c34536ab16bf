"""Aftercare (nazorg) pages: the settings (admins), the contract correction, a check-in and the outcome
(municipal), and the aftercare part of the placement page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.aftercare import forms, permissions, queries, services, settings
from portal.aftercare.models import (
    CheckIn,
)
from portal.aftercare.planning import sync_checkins
from portal.candidates.disclosure import label_for
from portal.core.audit import record_viewed
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.security import roles_required
from portal.core.time import today_local
from portal.extensions import db
from portal.placements.models import (
    SCORED_ASPECTS,
    Placement,
)
from portal.placements.permissions import get_placement_or_404

bp = Blueprint("aftercare", __name__)

#: The plan's fields: a change re-flows the check-ins of every placement in nazorg.
PLAN_FIELDS = ("checkin_weeks", "aftercare_months")
#: Ids are 32-bit integers in the database: larger ones cannot exist (and PostgreSQL would refuse them).


def _to_placement(placement: Placement):
    return redirect(url_for("placements.detail", placement_id=placement.id, _anchor="nazorg"))


def _label(placement: Placement) -> str:
    return label_for(current_user, placement.candidate)


# Settings (admins) ----------------------------------------------------------------------------------------


@bp.route("/beheer/nazorg", methods=["GET", "POST"], endpoint="settings")
@roles_required("admin")
def settings_page():
    current = settings.settings_for(current_user.municipality_id)
    if request.method == "POST":
        form = forms.SettingsForm()
    else:
        form = forms.SettingsForm(formdata=None, obj=current)
    if form.validate_on_submit():
        try:
            _, changed = settings.save_settings(current_user, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            message = "De instellingen voor de nazorg zijn opgeslagen."
            if set(changed) & set(PLAN_FIELDS):
                counts = sync_checkins(today_local(), municipality_id=current_user.municipality_id)
                message += (
                    " De nazorggesprekken die nog niet zijn gehouden, volgen het nieuwe plan"
                    f" ({_changes_in_words(counts)})."
                )
            elif not changed:
                message = "Er is niets veranderd aan de instellingen voor de nazorg."
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("aftercare.settings"))
    return render_template(
        "aftercare/settings.html",
        form=form,
        saved=current.id is not None,
        defaults=settings.defaults(),
        thresholds=settings.THRESHOLDS,
    )


def _changes_in_words(counts: dict[str, int]) -> str:
    words = (
        ("checkins_planned", "erbij gepland"),
        ("checkins_moved", "verschoven"),
        ("checkins_cancelled", "vervallen"),
    )
    return ", ".join(f"{counts[key]} {text}" for key, text in words)


# The contract ---------------------------------------------------------------------------------------------


@bp.post("/plaatsingen/<int:placement_id>/contract")
@roles_required("municipal")
def contract(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    problem = services.contract_problem(placement)
    if problem:
        flash(problem, "error")
        return _to_placement(placement)
    form = forms.ContractForm()
    if form.validate_on_submit():
        try:
            changed = services.correct_contract(current_user, placement, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            if changed:
                flash(
                    "Het contract is aangepast. De nazorggesprekken die nog niet zijn gehouden, zijn opnieuw"
                    " gepland.",
                    "success",
                )
            else:
                flash(services.NOTHING_CHANGED, "info")
            return _to_placement(placement)
    first, last = services.contract_start_window(placement)
    html = render_template(
        "aftercare/contract.html",
        placement=placement,
        label=_label(placement),
        form=form,
        first=first,
        last=last,
    )
    record_viewed(current_user, placement.candidate, "placement_contract", placement_id=placement.id)
    db.session.commit()
    return html


# A check-in -----------------------------------------------------------------------------------------------


def _checkin_form(placement: Placement, checkin: CheckIn) -> forms.CheckInForm:
    if request.method == "POST":
        form = forms.CheckInForm()
    else:
        form = forms.CheckInForm(formdata=None, held_on=today_local(), contact_made="yes")
        if checkin.is_held:
            form.fill_from(checkin)
    form.earliest = placement.contract_start_date
    return form


@bp.route("/plaatsingen/<int:placement_id>/nazorg/<int:checkin_id>", methods=["GET", "POST"])
@roles_required("municipal")
def checkin(placement_id: int, checkin_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    item = permissions.get_checkin_or_404(placement, checkin_id)
    problem = services.checkin_problem(placement, item)
    was_held = item.is_held
    form = _checkin_form(placement, item)
    if problem is None and form.validate_on_submit():
        try:
            services.record_checkin(current_user, placement, item, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                "Het nazorggesprek is aangepast." if was_held else "Het nazorggesprek is vastgelegd.",
                "success",
            )
            return _to_placement(placement)
    html = render_template(
        "aftercare/checkin.html",
        placement=placement,
        label=_label(placement),
        checkin=item,
        was_held=was_held,
        form=form,
        problem=problem,
        aspects=SCORED_ASPECTS,
        today=today_local(),
    )
    record_viewed(current_user, placement.candidate, "placement_checkin", placement_id=placement.id)
    db.session.commit()
    return html


# The outcome ----------------------------------------------------------------------------------------------


def _outcome_form(placement: Placement) -> forms.OutcomeForm:
    if request.method == "POST":
        return forms.OutcomeForm()
    return forms.OutcomeForm(
        formdata=None, contract_type=placement.contract_type, hours=placement.contract_hours
    )


OUTCOME_DONE = {
    "employed": "De nazorg is afgerond: de kandidaat werkt hier nog. De plaatsing is afgesloten.",
    "dropped_out": (
        "De nazorg is afgerond: de kandidaat is uitgevallen. De plaatsing is afgesloten en er staat een"
        " intakegesprek klaar voor de contactpersoon van de gemeente."
    ),
    "moved": "De nazorg is afgerond: de kandidaat werkt op een andere werkplek. De plaatsing is afgesloten.",
}


@bp.route("/plaatsingen/<int:placement_id>/nazorg/afronden", methods=["GET", "POST"])
@roles_required("municipal")
def outcome(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    current = settings.settings_for(placement.municipality_id)
    problem = services.outcome_problem(placement, current, today_local())
    form = _outcome_form(placement)
    if problem is None and form.validate_on_submit():
        try:
            services.record_outcome(current_user, placement, current, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(OUTCOME_DONE[form.outcome.data], "success")
            return _to_placement(placement)
    html = render_template(
        "aftercare/outcome.html",
        placement=placement,
        label=_label(placement),
        form=form,
        problem=problem,
        planned_left=db.session.scalar(queries.count_planned(placement.id)),
    )
    record_viewed(current_user, placement.candidate, "placement_outcome", placement_id=placement.id)
    db.session.commit()
    return html
