"""The journey pages: a candidate's stages, screenings, plan and exits; the caseload and its
reassignment; the team settings. Thin: parse the form, call the service, commit once, redirect/render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.audit import record_listing, record_viewed
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.forms import EmptyForm, choices, show_refusal
from portal.core.security import roles_required
from portal.core.time import today_local
from portal.extensions import db
from portal.journey import forms, permissions, queries, services
from portal.journey.models import (
    EXIT_CONTRACT_TYPES,
    EXIT_KINDS,
    EXIT_STATUSES,
    PLAN_LEVELS,
    REFERRAL_SOURCES,
    ROUTES,
    SCREENING_INSTRUMENTS,
    STAGES,
    SYSTEM_STAGES,
)
from portal.journey.permissions import CASELOAD_ROLES, JOURNEY_ROLES, SETTINGS_ROLES

bp = Blueprint("journey", __name__)

LABELS = {
    "stages": STAGES,
    "system_stages": SYSTEM_STAGES,
    "sources": REFERRAL_SOURCES,
    "routes": ROUTES,
    "instruments": SCREENING_INSTRUMENTS,
    "plan_levels": PLAN_LEVELS,
    "exit_kinds": EXIT_KINDS,
    "exit_statuses": EXIT_STATUSES,
    "contract_types": EXIT_CONTRACT_TYPES,
    "may_decide_exit": permissions.may_decide_exit,
    "may_reassign": permissions.may_reassign,
    "may_edit_team_settings": permissions.may_edit_team_settings,
}


# One candidate's journey ----------------------------------------------------------------------------------


def _forms(candidate, **given):
    """Every form of the journey page; ``given`` holds the one that was just posted (with its errors)."""
    people = db.session.scalars(queries.specialists(candidate.municipality_id)).all()
    employers = db.session.scalars(queries.approved_employers(candidate.municipality_id)).all()
    built = {
        "stage_form": given.get("stage_form") or forms.StageForm(formdata=None),
        "screening_form": given.get("screening_form") or forms.ScreeningForm(formdata=None),
        "plan_form": given.get("plan_form")
        or forms.PlanForm(
            formdata=None,
            data={
                "agreed_on": candidate.plan_agreed_on or today_local(),
                "agreed_by_id": candidate.plan_agreed_by_id or candidate.specialist_id,
                "review_on": candidate.plan_review_on,
            },
        ),
        "step_form": given.get("step_form") or forms.PlanStepForm(formdata=None),
        "exit_form": given.get("exit_form") or forms.ExitForm(formdata=None),
        "specialist_form": given.get("specialist_form")
        or forms.SpecialistForm(formdata=None, data={"specialist_id": candidate.specialist_id}),
    }
    built["plan_form"].agreed_by_id.choices = forms.id_choices(people)
    built["exit_form"].employer_id.choices = forms.id_choices(employers, "Geen of buiten Werkbrug")
    built["specialist_form"].specialist_id.choices = forms.id_choices(people)
    return built


def _render_journey(candidate, status: int = 200, **given):
    settings = queries.team_settings(candidate.municipality_id)
    html = render_template(
        "journey/detail.html",
        candidate=candidate,
        history=queries.stage_history(candidate.id, today_local()),
        screenings=db.session.execute(queries.screenings(candidate.id)).all(),
        steps=db.session.execute(queries.plan_steps(candidate.id)).all(),
        exits=db.session.execute(queries.exits(candidate.id)).all(),
        specialist_name=queries.user_name(candidate.specialist_id),
        plan_agreed_by=queries.user_name(candidate.plan_agreed_by_id),
        settings=settings,
        button_form=EmptyForm(formdata=None),
        **_forms(candidate, **given),
        **LABELS,
    )
    record_viewed(current_user, candidate, "journey")
    db.session.commit()
    return html, status


@bp.get("/kandidaten/<int:candidate_id>/traject")
@roles_required(*JOURNEY_ROLES)
def detail(candidate_id: int):
    return _render_journey(permissions.journey_candidate_or_404(current_user, candidate_id))


def _post(candidate_id: int, form_name: str, form_class, verb, done: str, anchor: str):
    """The pattern of every form on the journey page: validate, call the service, commit, redirect."""
    candidate = permissions.journey_candidate_or_404(current_user, candidate_id)
    form = form_class()
    if form_name == "plan_form":
        form.agreed_by_id.choices = forms.id_choices(
            db.session.scalars(queries.specialists(candidate.municipality_id))
        )
    if form_name == "exit_form":
        employers = db.session.scalars(queries.approved_employers(candidate.municipality_id))
        form.employer_id.choices = forms.id_choices(employers, "Geen of buiten Werkbrug")
    if form_name == "specialist_form":
        form.specialist_id.choices = forms.id_choices(
            db.session.scalars(queries.specialists(candidate.municipality_id))
        )
    if form.validate_on_submit():
        try:
            verb(candidate, form)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("journey.detail", candidate_id=candidate.id, _anchor=anchor))
    return _render_journey(candidate, 200, **{form_name: form})


@bp.post("/kandidaten/<int:candidate_id>/traject/fase")
@roles_required(*JOURNEY_ROLES)
def stage_new(candidate_id: int):
    return _post(
        candidate_id,
        "stage_form",
        forms.StageForm,
        lambda candidate, form: services.record_stage(current_user, candidate, form.values()),
        "De fase is vastgelegd.",
        "fasen",
    )


@bp.post("/kandidaten/<int:candidate_id>/traject/screening")
@roles_required(*JOURNEY_ROLES)
def screening_new(candidate_id: int):
    return _post(
        candidate_id,
        "screening_form",
        forms.ScreeningForm,
        lambda candidate, form: services.record_screening(current_user, candidate, form.values()),
        "De screening is vastgelegd.",
        "screenings",
    )


@bp.post("/kandidaten/<int:candidate_id>/traject/plan")
@roles_required(*JOURNEY_ROLES)
def plan_save(candidate_id: int):
    return _post(
        candidate_id,
        "plan_form",
        forms.PlanForm,
        lambda candidate, form: services.agree_plan(current_user, candidate, form.values()),
        "Het ABC-plan is vastgelegd.",
        "plan",
    )


@bp.post("/kandidaten/<int:candidate_id>/traject/plan/stap")
@roles_required(*JOURNEY_ROLES)
def plan_step(candidate_id: int):
    return _post(
        candidate_id,
        "step_form",
        forms.PlanStepForm,
        lambda candidate, form: services.record_plan_step(current_user, candidate, form.values()),
        "De stap omhoog is vastgelegd.",
        "plan",
    )


@bp.post("/kandidaten/<int:candidate_id>/specialist")
@roles_required(*JOURNEY_ROLES)
def specialist(candidate_id: int):
    return _post(
        candidate_id,
        "specialist_form",
        forms.SpecialistForm,
        lambda candidate, form: services.assign_specialist(current_user, candidate, form.specialist_id.data),
        "De specialist is gewijzigd.",
        "specialist",
    )


@bp.post("/kandidaten/<int:candidate_id>/uitstroom")
@roles_required(*JOURNEY_ROLES)
def exit_new(candidate_id: int):
    return _post(
        candidate_id,
        "exit_form",
        forms.ExitForm,
        lambda candidate, form: services.record_exit(current_user, candidate, form.values()),
        "De uitstroom is vastgelegd.",
        "uitstroom",
    )


@bp.route("/kandidaten/<int:candidate_id>/uitstroom/<int:exit_id>", methods=["GET", "POST"])
@roles_required(*JOURNEY_ROLES)
def exit_confirm(candidate_id: int, exit_id: int):
    candidate, exit_ = permissions.exit_or_404(current_user, candidate_id, exit_id)
    if request.method == "POST":
        form = forms.ExitConfirmForm()
    else:
        form = forms.ExitConfirmForm(
            formdata=None, data={name: getattr(exit_, name) for name in forms.ExitConfirmForm.FIELDS}
        )
    if form.validate_on_submit():
        try:
            services.confirm_exit(current_user, candidate, exit_, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("De uitstroom is bevestigd.", "success")
            return redirect(url_for("journey.detail", candidate_id=candidate.id, _anchor="uitstroom"))
    html = render_template(
        "journey/exit_confirm.html",
        candidate=candidate,
        exit=exit_,
        form=form,
        button_form=EmptyForm(formdata=None),
        werkbrug_employer=queries.employer_name(exit_.employer_id),
        **LABELS,
    )
    record_viewed(current_user, candidate, "exit_confirm")
    db.session.commit()
    return html


@bp.post("/kandidaten/<int:candidate_id>/uitstroom/<int:exit_id>/niet-van-toepassing")
@roles_required(*JOURNEY_ROLES)
def exit_dismiss(candidate_id: int, exit_id: int):
    candidate, exit_ = permissions.exit_or_404(current_user, candidate_id, exit_id)
    if EmptyForm().validate_on_submit():
        try:
            services.dismiss_exit(current_user, candidate, exit_)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                "Het voorstel voor de uitstroom is afgewezen. De kandidaat blijft in de caseload.", "success"
            )
    return redirect(url_for("journey.detail", candidate_id=candidate.id, _anchor="uitstroom"))


# Retention -------------------------------------------------------------------------------------


@bp.route("/kandidaten/<int:candidate_id>/bewaartermijn", methods=["GET", "POST"])
@roles_required(*CASELOAD_ROLES)
def retention(candidate_id: int):
    candidate = permissions.caseload_candidate_or_404(current_user, candidate_id)
    form = forms.RetentionExtensionForm() if request.method == "POST" else forms.RetentionExtensionForm(None)
    if form.validate_on_submit():
        try:
            until = services.extend_retention(current_user, candidate, form.reason.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(f"Het dossier wordt bewaard tot {format_date(until)}.", "success")
            return redirect(url_for("journey.retention", candidate_id=candidate.id))
    html = render_template(
        "journey/retention.html",
        form=form,
        may_extend=permissions.may_extend_retention(current_user, candidate),
        **queries.retention_context(candidate),
    )
    record_viewed(current_user, candidate, "retention")
    db.session.commit()
    return html


# The caseload --------------------------------------------------------------------------------


@bp.get("/caseload")
@roles_required(*CASELOAD_ROLES)
def caseload():
    rows, settings = queries.caseload(current_user.municipality_id)
    return render_template("journey/caseload.html", rows=rows, settings=settings, **LABELS)


UNASSIGNED = "geen"


def _source(people, value: str | None):
    """(specialist or None, value) of the ``van`` choice; an unknown value is a 404."""
    if value in (None, "", UNASSIGNED):
        return None, UNASSIGNED
    if not value.isdigit() or not valid_id(int(value[:10]) if len(value) <= 10 else 0):
        abort(404)
    person = next((one for one in people if one.id == int(value)), None)
    if person is None:
        abort(404)
    return person, value


@bp.route("/caseload/overdragen", methods=["GET", "POST"])
@roles_required(*CASELOAD_ROLES)
def reassign():
    municipality_id = current_user.municipality_id
    people = db.session.scalars(queries.specialists(municipality_id)).all()
    filter_form = forms.CaseloadFilterForm(formdata=request.args)
    filter_form.van.choices = choices(
        [(UNASSIGNED, "Kandidaten zonder specialist"), *((str(p.id), p.full_name) for p in people)]
    )
    if request.method == "POST":
        form = forms.ReassignForm()
        source, value = _source(people, form.from_specialist.data)
    else:
        source, value = _source(people, request.args.get("van"))
        form = forms.ReassignForm(formdata=None, data={"from_specialist": value})
    filter_form.van.data = value
    listed = db.session.scalars(queries.caseload_of(municipality_id, source.id if source else None)).all()
    form.candidate_ids.choices = choices((str(c.id), c.pseudonym) for c in listed)
    form.to_specialist_id.choices = forms.id_choices(
        [p for p in people if source is None or p.id != source.id]
    )
    if request.method == "POST" and form.validate_on_submit():
        try:
            moved = services.reassign(
                current_user,
                municipality_id,
                to_specialist_id=form.to_specialist_id.data,
                from_specialist_id=source.id if source else None,
                candidate_ids=form.chosen_ids(),
                move_all=form.move_all.data,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                f"{len(moved)} {'kandidaat is' if len(moved) == 1 else 'kandidaten zijn'} overgedragen.",
                "success",
            )
            return redirect(url_for("journey.caseload"))
    html = render_template(
        "journey/reassign.html",
        form=form,
        filter_form=filter_form,
        source=source,
        listed=listed,
        **LABELS,
    )
    record_listing(current_user, [c.id for c in listed], "caseload_reassign")
    db.session.commit()
    return html


# Team settings -------------------------------------------------------------------------------


@bp.route("/team/instellingen", methods=["GET", "POST"])
@roles_required(*SETTINGS_ROLES)
def team_settings():
    municipality_id = current_user.municipality_id
    current = queries.team_settings(municipality_id)
    if request.method == "POST":
        form = forms.TeamSettingsForm()
    else:
        form = forms.TeamSettingsForm(
            formdata=None,
            data={
                "caseload_norm": current.caseload_norm,
                "followup_months": current.followup_months,
                "plan_review_weeks": current.plan_review_weeks,
                "retention_months": current.retention_months,
            },
        )
    if form.validate_on_submit():
        try:
            services.save_team_settings(current_user, municipality_id, form.values())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("De teaminstellingen zijn opgeslagen.", "success")
            return redirect(url_for("journey.team_settings"))
    return render_template(
        "journey/team_settings.html",
        form=form,
        saved=queries.saved_team_settings(municipality_id) is not None,
    )
