"""Placement types (admins) and placement requests: employers ask, municipal contacts pick them up."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.audit import record_listing
from portal.core.codes import LANGUAGE_LEVELS, WEEKDAYS, split_codes
from portal.core.errors import DomainError
from portal.core.forms import EmptyForm, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.core.time import to_local, today_local
from portal.employers.permissions import get_employer_or_404
from portal.employers.queries import workplaces_of
from portal.extensions import db
from portal.requests import forms, permissions, queries, services
from portal.requests.models import PROPOSAL_STATUSES
from portal.requests.permissions import get_request_or_404, get_type_or_404

bp = Blueprint("requests", __name__)

STAFF = ("municipal", "admin")
CANDIDATES_ENDPOINT = "matching.candidates_for"
PROPOSAL_ENDPOINT = "matching.proposal"


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


# Placement types (admin) ----------------------------------------------------------------------------------


@bp.route("/beheer/plaatsingsvormen", methods=["GET", "POST"])
@roles_required("admin")
def types():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        added = services.add_default_types(current_user, current_user.municipality_id)
        db.session.commit()
        flash(
            f"{len(added)} standaardvormen toegevoegd." if added else "De standaardvormen waren er al.",
            "success",
        )
        return redirect(url_for("requests.types"))
    kinds = db.session.scalars(queries.types_of(current_user.municipality_id)).all()
    return render_template("requests/types.html", kinds=kinds, form=form)


@bp.route("/beheer/plaatsingsvormen/<int:type_id>", methods=["GET", "POST"])
@roles_required("admin")
def type_edit(type_id: int):
    kind = get_type_or_404(current_user, type_id)
    form = forms.PlacementTypeForm() if request.method == "POST" else forms.PlacementTypeForm(obj=kind)
    if form.validate_on_submit():
        try:
            services.update_type(current_user, kind, form.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(f"De plaatsingsvorm '{kind.name}' is opgeslagen.", "success")
            return redirect(url_for("requests.types"))
    return render_template("requests/type_form.html", form=form, kind=kind)


# Lists ----------------------------------------------------------------------------------------------------


def _own_employer():
    return get_employer_or_404(current_user, current_user.employer_id or 0)


def _employer_index():
    employer = _own_employer()
    show_all = request.args.get("toon") == "alle"
    query = (
        queries.employer_requests(employer.id) if show_all else queries.open_employer_requests(employer.id)
    )
    page = paginate(query, page_number(request.args.get("page")), _page_size())
    return render_template("requests/index_employer.html", employer=employer, page=page, show_all=show_all)


def _filter_form():
    form = forms.RequestFilterForm(formdata=request.args)
    kinds = db.session.scalars(queries.types_of(current_user.municipality_id)).all()
    form.type_id.choices = forms.choices([("", "Alle"), *((k.id, k.name) for k in kinds)])
    form.validate()
    return form


def waiting_days(placement_request) -> int | None:
    """Whole days since an open request was submitted (None when closed or never submitted)."""
    if not permissions.is_open(placement_request) or placement_request.submitted_at is None:
        return None
    return (today_local() - to_local(placement_request.submitted_at).date()).days


@bp.get("/aanvragen")
@roles_required("employer", *STAFF)
def index():
    if permissions.sees_as_employer(current_user):
        return _employer_index()
    form = _filter_form()
    status = "open" if form.status.errors else (form.status.data or "open")
    type_id = None if form.type_id.errors else form.type_id.data
    query = queries.municipal_requests(
        current_user.municipality_id, status="" if status == "alle" else status, type_id=type_id
    )
    page = paginate(query, page_number(request.args.get("page")), _page_size())
    keep = {key: value for key, value in (("status", status), ("type_id", type_id)) if value}
    waiting = {item.id: waiting_days(item) for item in page.items}
    return render_template(
        "requests/index_municipal.html",
        form=form,
        page=page,
        keep=keep,
        waiting=waiting,
        status=status,
        filtered=status != "open" or type_id is not None,
    )


# Employer: new and edit -----------------------------------------------------------------------------------


def _request_form(data: dict | None = None) -> forms.RequestForm:
    """The request form with this municipality's active types and the employer's active workplaces."""
    form = forms.RequestForm(data=data) if data is not None else forms.RequestForm()
    kinds = db.session.scalars(queries.types_of(current_user.municipality_id, active_only=True)).all()
    form.placement_type_id.choices = forms.choices((k.id, k.name) for k in kinds)
    form.kinds = kinds
    form.mark_learning_goals(kinds)
    workplaces = db.session.scalars(workplaces_of(current_user.employer_id or 0)).all()
    form.workplace_id.choices = forms.choices(
        [("", "Kies een werkplek")] * (len(workplaces) != 1) + [(w.id, w.name) for w in workplaces]
    )
    form.workplaces = workplaces
    return form


def _prefill_new(form: forms.RequestForm) -> None:
    """Sensible starting values on an empty form: one position, flexible days, the buddy as supervisor."""
    form.positions.data, form.days_flexible.data, form.dutch_level.data = 1, True, "A1"
    if len(form.workplaces) == 1:
        form.workplace_id.data = form.workplaces[0].id
        form.supervisor_name.data = form.workplaces[0].buddy_name


def _saved_message(placement_request) -> str:
    if permissions.is_open(placement_request):
        return "Uw aanvraag is ingediend. Uw contactpersoon bij de gemeente heeft een e-mail gekregen."
    return "Uw aanvraag is opgeslagen als concept. U kunt hem later indienen."


@bp.route("/aanvragen/nieuw", methods=["GET", "POST"])
@roles_required("employer")
def new():
    form = _request_form()
    if request.method == "GET":
        _prefill_new(form)
    submit_now = request.form.get("action") == "submit"
    if form.validate_on_submit():
        try:
            created = services.create_request(current_user, form.service_data(), submit=submit_now)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_saved_message(created), "success")
            return redirect(url_for("requests.detail", request_id=created.id))
    return render_template("requests/form.html", form=form, placement_request=None)


def _edit_data(placement_request) -> dict:
    data = {name: getattr(placement_request, name) for name in services.REQUEST_FIELDS}
    data["work_days"] = split_codes(placement_request.work_days)
    data["placement_type_id"] = placement_request.placement_type_id
    data["workplace_id"] = placement_request.workplace_id
    return data


def _update_and_maybe_submit(placement_request, form) -> None:
    services.update_request(current_user, placement_request, form.service_data())
    if request.form.get("action") == "submit":
        services.submit_request(current_user, placement_request)


@bp.route("/aanvragen/<int:request_id>/bewerken", methods=["GET", "POST"])
@roles_required("employer")
def edit(request_id: int):
    placement_request = get_request_or_404(current_user, request_id)
    if not permissions.may_edit(current_user, placement_request):
        flash("Een ingediende aanvraag kunt u niet meer wijzigen.", "error")
        return redirect(url_for("requests.detail", request_id=placement_request.id))
    form = _request_form(_edit_data(placement_request) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            _update_and_maybe_submit(placement_request, form)
        except DomainError as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_saved_message(placement_request), "success")
            return redirect(url_for("requests.detail", request_id=placement_request.id))
    return render_template("requests/form.html", form=form, placement_request=placement_request)


# Detail and buttons ---------------------------------------------------------------------------------------


def _render_detail(placement_request, withdraw_form=None):
    """The request page; the candidates its proposals name (the employer: only shared ones) are audited."""
    proposals = db.session.execute(queries.proposals_of(placement_request.id)).all()
    is_owner = permissions.sees_as_employer(current_user)
    html = render_template(
        "requests/detail.html",
        placement_request=placement_request,
        employer=placement_request.employer,
        proposals=proposals,
        button_form=EmptyForm(),
        withdraw_form=withdraw_form or forms.WithdrawForm(formdata=None),
        may_edit=permissions.may_edit(current_user, placement_request),
        may_withdraw=permissions.may_withdraw(current_user, placement_request),
        may_take=permissions.may_take(current_user, placement_request),
        show_candidates_link=CANDIDATES_ENDPOINT in current_app.view_functions
        and permissions.may_look_for_candidates(current_user, placement_request),
        proposal_links=PROPOSAL_ENDPOINT in current_app.view_functions,
        waiting=waiting_days(placement_request),
        work_days=", ".join(WEEKDAYS.get(code, code) for code in split_codes(placement_request.work_days)),
        language_level=LANGUAGE_LEVELS.get(placement_request.dutch_level, placement_request.dutch_level),
        proposal_statuses=PROPOSAL_STATUSES,
        is_owner=is_owner,
    )
    named = [p.candidate_id for p in proposals if p.shared or not is_owner]
    record_listing(current_user, named, "request_proposals", request_id=placement_request.id)
    db.session.commit()
    return html


@bp.get("/aanvragen/<int:request_id>")
@roles_required("employer", *STAFF)
def detail(request_id: int):
    return _render_detail(get_request_or_404(current_user, request_id))


def _button(request_id: int, action, done: str):
    placement_request = get_request_or_404(current_user, request_id)
    if EmptyForm().validate_on_submit():
        try:
            action(current_user, placement_request)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("requests.detail", request_id=placement_request.id))


@bp.post("/aanvragen/<int:request_id>/indienen")
@roles_required("employer")
def submit(request_id: int):
    return _button(
        request_id,
        services.submit_request,
        "Uw aanvraag is ingediend. Uw contactpersoon bij de gemeente heeft een e-mail gekregen.",
    )


@bp.post("/aanvragen/<int:request_id>/in-behandeling")
@roles_required("municipal")
def take(request_id: int):
    return _button(request_id, services.take_request, "U heeft de aanvraag in behandeling genomen.")


@bp.post("/aanvragen/<int:request_id>/intrekken")
@roles_required("employer")
def withdraw(request_id: int):
    placement_request = get_request_or_404(current_user, request_id)
    form = forms.WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_request(current_user, placement_request, form.reason.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Uw aanvraag is ingetrokken.", "success")
            return redirect(url_for("requests.detail", request_id=placement_request.id))
    return _render_detail(placement_request, withdraw_form=form)
