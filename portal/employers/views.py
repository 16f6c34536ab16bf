"""Employers: registration, municipal review, and the employer's organisation, workplaces and colleagues."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.core.errors import DomainError
from portal.core.forms import EmptyForm, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import public, roles_required
from portal.core.time import now_utc, to_local, today_local
from portal.employers import forms, permissions, queries, services
from portal.employers.permissions import get_employer_or_404, get_invitation_or_404, get_workplace_or_404
from portal.extensions import db

bp = Blueprint("employers", __name__)

STAFF = ("municipal", "admin")


def _edit_form(form_class, obj):
    """Prefilled from ``obj`` on GET; on POST only what was sent counts (a missing field is an error)."""
    return form_class() if request.method == "POST" else form_class(obj=obj)


def _page_size() -> int:
    return current_app.config["PAGE_SIZE"]


# Registration (public) ------------------------------------------------------------------------------------


def _registration_form() -> forms.RegistrationForm:
    form = forms.RegistrationForm()
    municipalities = db.session.scalars(queries.open_registration_municipalities()).all()
    placeholder = [] if len(municipalities) == 1 else [("", "Kies uw gemeente")]
    form.municipality_id.choices = forms.choices(placeholder + [(m.id, m.name) for m in municipalities])
    return form


def _register(form: forms.RegistrationForm):
    data = form.data
    return services.register_employer(
        None,
        municipality_id=data["municipality_id"],
        kvk_number=data["kvk_number"],
        organisation=data,
        person={"full_name": data["full_name"], "email": data["email"], "phone": data["user_phone"]},
        password=data["password"],
    )


@bp.route("/registreren", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = _registration_form()
    if form.validate_on_submit():
        try:
            _register(form)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            return redirect(url_for("employers.registered"))
    email_taken = services.EMAIL_TAKEN in form.email.errors
    return render_template("employers/register.html", form=form, email_taken=email_taken)


@bp.get("/registreren/ontvangen")
@public
def registered():
    return render_template("employers/registered.html")


# Municipal side -------------------------------------------------------------------------------------------


@bp.get("/werkgevers/aanmeldingen")
@roles_required(*STAFF)
def registrations():
    page = paginate(
        queries.pending_registrations(current_user.municipality_id),
        page_number(request.args.get("page")),
        _page_size(),
    )
    today = today_local()
    waiting = {e.id: (today - to_local(e.created_at).date()).days for e in page.items}
    return render_template("employers/registrations.html", page=page, waiting=waiting)


@bp.get("/werkgevers")
@roles_required(*STAFF)
def index():
    form = forms.EmployerSearchForm(formdata=request.args)
    form.validate()
    search = "" if form.q.errors else (form.q.data or "")
    status = "" if form.status.errors else (form.status.data or "")
    query = queries.employers_list(current_user.municipality_id, search=search, status=status)
    page = paginate(query, page_number(request.args.get("page")), _page_size())
    keep = {key: value for key, value in (("q", search), ("status", status)) if value}
    return render_template(
        "employers/index.html", form=form, page=page, search=search, status=status, keep=keep
    )


def _contact_choices(employer) -> list:
    contacts = db.session.scalars(queries.municipal_contacts(employer.municipality_id)).all()
    return forms.choices((u.id, f"{u.full_name} ({u.email})") for u in contacts)


def _default_contact(choices, current: int | None) -> int | None:
    ids = [choice.value for choice in choices]
    for candidate in (current_user.id, current):
        if candidate in ids:
            return candidate
    return ids[0] if ids else None


def _decision_forms(employer, decision_form=None, contact_form=None):
    choices = _contact_choices(employer)
    if decision_form is None:
        decision_form = forms.DecisionForm(formdata=None)
        decision_form.contact_id.data = _default_contact(choices, employer.contact_id)
    if contact_form is None:
        contact_form = forms.ContactForm(formdata=None, contact_id=employer.contact_id)
    decision_form.contact_id.choices = choices
    contact_form.contact_id.choices = choices
    return decision_form, contact_form


def _render_detail(employer, decision_form=None, contact_form=None):
    decision_form, contact_form = _decision_forms(employer, decision_form, contact_form)
    return render_template(
        "employers/detail.html",
        employer=employer,
        decision_form=decision_form,
        contact_form=contact_form,
        users=db.session.scalars(queries.users_of_employer(employer.id)).all(),
        workplaces=db.session.scalars(queries.workplaces_of(employer.id, include_archived=True)).all(),
        allowed=permissions.decisions_for(current_user, employer),
        decisions=forms.DECISIONS,
    )


@bp.get("/werkgevers/<int:employer_id>")
@roles_required(*STAFF)
def detail(employer_id: int):
    return _render_detail(get_employer_or_404(current_user, employer_id))


@bp.post("/werkgevers/<int:employer_id>/besluit")
@roles_required(*STAFF)
def decide(employer_id: int):
    employer = get_employer_or_404(current_user, employer_id)
    form, _ = _decision_forms(employer, forms.DecisionForm())
    if form.validate_on_submit():
        try:
            services.decide(
                current_user,
                employer,
                form.decision.data,
                reason=form.reason.data,
                contact_id=form.contact_id.data,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                f"Het besluit is opgeslagen. De werkgever heeft nu de status '{employer.status_label}'.",
                "success",
            )
            return redirect(url_for("employers.detail", employer_id=employer.id))
    return _render_detail(employer, decision_form=form)


@bp.post("/werkgevers/<int:employer_id>/contactpersoon")
@roles_required(*STAFF)
def change_contact(employer_id: int):
    employer = get_employer_or_404(current_user, employer_id)
    _, form = _decision_forms(employer, contact_form=forms.ContactForm())
    if form.validate_on_submit():
        try:
            services.change_contact(current_user, employer, form.contact_id.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("De vaste contactpersoon is aangepast.", "success")
            return redirect(url_for("employers.detail", employer_id=employer.id))
    return _render_detail(employer, contact_form=form)


# Employer side --------------------------------------------------------------------------------------------


def _own_employer():
    return get_employer_or_404(current_user, current_user.employer_id or 0)


@bp.route("/organisatie", methods=["GET", "POST"])
@roles_required("employer")
def organisation():
    employer = _own_employer()
    form = _edit_form(forms.OrganisationForm, employer)
    if form.validate_on_submit():
        services.update_organisation(current_user, employer, form.data)
        db.session.commit()
        flash("De gegevens van uw organisatie zijn opgeslagen.", "success")
        return redirect(url_for("employers.organisation"))
    return render_template("employers/organisation.html", employer=employer, form=form)


@bp.get("/werkplekken")
@roles_required("employer")
def workplaces():
    employer = _own_employer()
    return render_template(
        "employers/workplaces.html",
        employer=employer,
        button_form=EmptyForm(),
        active=db.session.scalars(queries.workplaces_of(employer.id)).all(),
        archived_list=db.session.scalars(queries.archived_workplaces_of(employer.id)).all(),
    )


@bp.route("/werkplekken/nieuw", methods=["GET", "POST"])
@roles_required("employer")
def workplace_new():
    employer = _own_employer()
    form = forms.WorkplaceForm(data={"capacity": 1, "reachable_by_public_transport": True})
    if form.validate_on_submit():
        workplace = services.create_workplace(
            current_user, employer, form.data, same_address=form.same_address.data
        )
        db.session.commit()
        flash(f"De werkplek '{workplace.name}' is toegevoegd.", "success")
        return redirect(url_for("employers.workplace_detail", workplace_id=workplace.id))
    return render_template("employers/workplace_form.html", form=form, employer=employer, workplace=None)


@bp.route("/werkplekken/<int:workplace_id>/bewerken", methods=["GET", "POST"])
@roles_required("employer")
def workplace_edit(workplace_id: int):
    workplace = get_workplace_or_404(current_user, workplace_id)
    form = _edit_form(forms.WorkplaceForm, workplace)
    if form.validate_on_submit():
        services.update_workplace(current_user, workplace, form.data, same_address=form.same_address.data)
        db.session.commit()
        flash("De werkplek is opgeslagen.", "success")
        return redirect(url_for("employers.workplace_detail", workplace_id=workplace.id))
    return render_template(
        "employers/workplace_form.html", form=form, employer=workplace.employer, workplace=workplace
    )


def _workplace_button(workplace_id: int, action, done: str):
    workplace = get_workplace_or_404(current_user, workplace_id)
    try:
        action(current_user, workplace)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done.format(name=workplace.name), "success")
    return redirect(url_for("employers.workplaces"))


@bp.post("/werkplekken/<int:workplace_id>/archiveren")
@roles_required("employer")
def workplace_archive(workplace_id: int):
    return _workplace_button(
        workplace_id, services.archive_workplace, "De werkplek '{name}' staat nu in het archief."
    )


@bp.post("/werkplekken/<int:workplace_id>/terugzetten")
@roles_required("employer")
def workplace_restore(workplace_id: int):
    return _workplace_button(
        workplace_id, services.restore_workplace, "De werkplek '{name}' is weer in gebruik."
    )


@bp.get("/werkplekken/<int:workplace_id>")
@roles_required("employer", *STAFF)
def workplace_detail(workplace_id: int):
    workplace = get_workplace_or_404(current_user, workplace_id)
    return render_template(
        "employers/workplace_detail.html",
        workplace=workplace,
        employer=workplace.employer,
        button_form=EmptyForm(),
        is_owner=permissions.is_own_employer(current_user, workplace.employer),
    )


# Colleagues -----------------------------------------------------------------------------------------------


def _render_colleagues(employer, form, status: int = 200):
    return render_template(
        "employers/colleagues.html",
        employer=employer,
        form=form,
        button_form=EmptyForm(),
        colleagues=db.session.scalars(queries.users_of_employer(employer.id)).all(),
        invitations=db.session.scalars(queries.open_invitations(employer.id, now_utc())).all(),
    ), status


@bp.get("/collegas")
@roles_required("employer")
def colleagues():
    return _render_colleagues(_own_employer(), forms.InviteForm(formdata=None))


@bp.post("/collegas/uitnodigen")
@roles_required("employer")
def invite():
    employer = _own_employer()
    form = forms.InviteForm()
    if form.validate_on_submit():
        try:
            services.invite_colleague(current_user, employer, form.email.data)
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                "De uitnodiging is verstuurd. De link in de e-mail werkt "
                f"{current_app.config['INVITATION_DAYS']} dagen.",
                "success",
            )
            return redirect(url_for("employers.colleagues"))
    return _render_colleagues(employer, form)


@bp.post("/collegas/uitnodigingen/<int:invitation_id>/intrekken")
@roles_required("employer")
def revoke_invitation(invitation_id: int):
    invitation = get_invitation_or_404(current_user, invitation_id)
    try:
        services.revoke_invitation(current_user, invitation)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("De uitnodiging is ingetrokken. De link werkt niet meer.", "success")
    return redirect(url_for("employers.colleagues"))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render_template("employers/invitation_invalid.html"), 404
    form = forms.AcceptInvitationForm(invitation_email=invitation.email)
    if form.validate_on_submit():
        try:
            services.accept_invitation(
                None,
                invitation,
                full_name=form.full_name.data,
                phone=form.phone.data,
                password=form.password.data,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(
                "Uw account is klaar. Log in met uw e-mailadres en het wachtwoord dat u net koos.", "success"
            )
            return redirect(url_for("auth.login"))
    return render_template("employers/accept_invitation.html", form=form, invitation=invitation)
