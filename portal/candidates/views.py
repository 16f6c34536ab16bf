"""Candidates: screened profiles with their versions, consent records, access history and import."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.auth.models import ROLE_LABELS, User
from portal.candidates import forms, importer, queries, services
from portal.candidates.disclosure import is_live
from portal.candidates.models import (
    CANDIDATE_STATUSES,
    CONSENT_KINDS,
    CONSENT_METHODS,
    CONSENT_SCOPES,
    CONSENT_SOURCES,
    EDUCATION_LEVELS,
    LEARNING_ROUTES,
    WORK_READINESS,
)
from portal.candidates.permissions import get_candidate_or_404, get_consent_or_404
from portal.core.audit import CONTEXT_LABELS, record_listing, record_viewed
from portal.core.codes import JOURNEY_STAGES, LANGUAGE_LEVELS, WEEKDAYS, split_codes
from portal.core.errors import DomainError
from portal.core.forms import EmptyForm, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.employers.models import SECTORS
from portal.extensions import db

bp = Blueprint("candidates", __name__)

STAFF_PROFILE = "staff_profile"
#: Where a profile was seen (audit detail "context"), in words.
CONTEXTS = CONTEXT_LABELS


def code_labels(value: str | None, options: dict[str, str]) -> str:
    """'ma,di' → 'maandag, dinsdag' (unknown codes are left out)."""
    return ", ".join(options[code] for code in split_codes(value) if code in options)


LABELS = {
    "statuses": CANDIDATE_STATUSES,
    "education_levels": EDUCATION_LEVELS,
    "routes": LEARNING_ROUTES,
    "readiness": WORK_READINESS,
    "levels": LANGUAGE_LEVELS,
    "weekdays": WEEKDAYS,
    "sectors": SECTORS,
    "consent_kinds": CONSENT_KINDS,
    "consent_methods": CONSENT_METHODS,
    "consent_sources": CONSENT_SOURCES,
    "consent_scopes": CONSENT_SCOPES,
    "split_codes": split_codes,
    "code_labels": code_labels,
    "roles": ROLE_LABELS,
    "contexts": CONTEXTS,
    "field_labels": forms.FIELD_LABELS,
    "is_live": is_live,
    "stages": JOURNEY_STAGES,
}


# List -------------------------------------------------------------------------------


@bp.get("/kandidaten")
@roles_required("municipal")
def index():
    form = forms.CandidateSearchForm(formdata=request.args)
    form.specialist.choices = forms.specialist_choices(
        db.session.scalars(queries.specialists(current_user.municipality_id))
    )
    form.validate()
    filters = {
        name: "" if getattr(form, name).errors else (getattr(form, name).data or "")
        for name in ("status", "dutch_level", "work_readiness", "stage")
    }
    search = "" if form.q.errors else (form.q.data or "")
    whose = "mijn" if form.specialist.errors else (form.specialist.data or "mijn")
    query = queries.candidates_list(
        current_user.municipality_id, search=search, specialist=_specialist_filter(whose), **filters
    )
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    keep = {key: value for key, value in {"q": search, **filters}.items() if value}
    if whose != "mijn":
        keep["specialist"] = whose
    html = render_template("candidates/index.html", form=form, page=page, keep=keep, whose=whose, **LABELS)
    record_listing(current_user, [row[0].id for row in page.items], "candidates_list")
    db.session.commit()
    return html


def _specialist_filter(value: str) -> int | str:
    """The list's specialist choice as a filter: the user's own id for "mijn", an id, or "alle"/"geen"."""
    if value == "mijn":
        return current_user.id
    if value.isdigit() and len(value) < 10:
        return int(value)
    return value


# Create and edit -------------------------------------------------------------------------------


@bp.route("/kandidaten/nieuw", methods=["GET", "POST"])
@roles_required("municipal")
def new():
    form = forms.CandidateForm()
    if form.validate_on_submit():
        try:
            candidate = services.create_candidate(
                current_user, current_user.municipality_id, form.profile_data()
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(f"Kandidaat {candidate.pseudonym} is toegevoegd.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/form.html", form=form, candidate=None, **LABELS)


def _expected_version(form) -> int | None:
    value = (form.version.data or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/kandidaten/<int:candidate_id>/bewerken", methods=["GET", "POST"])
@roles_required("municipal")
def edit(candidate_id: int):
    candidate = get_candidate_or_404(current_user, candidate_id)
    if request.method == "GET":
        form = forms.CandidateEditForm(data=forms.form_data(candidate))
    else:
        form = forms.CandidateEditForm()
    if form.validate_on_submit():
        try:
            services.update_candidate(
                current_user, candidate, form.profile_data(), expected_version=_expected_version(form)
            )
        except DomainError as error:
            show_refusal(form, error)
            form.version.data = str(candidate.version)
        else:
            db.session.commit()
            flash("Het profiel is opgeslagen.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    html = render_template("candidates/form.html", form=form, candidate=candidate, **LABELS)
    record_viewed(current_user, candidate, "candidate_edit")
    db.session.commit()
    return html


# Detail and consent -------------------------------------------------------------------------------


def _consent_form(candidate, form=None):
    form = form or forms.ConsentForm(formdata=None)
    employers = db.session.scalars(queries.approved_employers(candidate.municipality_id)).all()
    form.employer_id.choices = forms.employer_choices(employers)
    return form


def _render_detail(candidate, consent_form=None):
    """The full staff profile; showing it is an access the candidate may ask about, so it is audited."""
    services.record_view(current_user, candidate, STAFF_PROFILE)
    db.session.commit()
    return render_template(
        "candidates/detail.html",
        candidate=candidate,
        consent_form=_consent_form(candidate, consent_form),
        button_form=EmptyForm(),
        consents=db.session.execute(queries.candidate_consents(candidate.id)).all(),
        versions=db.session.execute(queries.candidate_versions(candidate.id)).all(),
        history=db.session.execute(queries.access_history(candidate.id)).all(),
        screener=db.session.get(User, candidate.screened_by_id) if candidate.screened_by_id else None,
        specialist=db.session.get(User, candidate.specialist_id) if candidate.specialist_id else None,
        specialists=db.session.scalars(queries.specialists(candidate.municipality_id)).all(),
        **LABELS,
    )


@bp.get("/kandidaten/<int:candidate_id>")
@roles_required("municipal")
def detail(candidate_id: int):
    return _render_detail(get_candidate_or_404(current_user, candidate_id))


@bp.post("/kandidaten/<int:candidate_id>/toestemming")
@roles_required("municipal")
def consent_new(candidate_id: int):
    candidate = get_candidate_or_404(current_user, candidate_id)
    form = _consent_form(candidate, forms.ConsentForm())
    if form.validate_on_submit():
        try:
            services.record_consent(
                current_user,
                candidate,
                kind=form.kind.data,
                employer_id=form.employer_id.data,
                source=form.source.data,
                method=form.method.data,
                text_version=form.text_version.data,
                given_on=form.given_on.data,
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("De toestemming is vastgelegd.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id, _anchor="toestemming"))
    return _render_detail(candidate, form)


@bp.post("/kandidaten/<int:candidate_id>/beschikbaarheid")
@roles_required("municipal")
def set_availability(candidate_id: int):
    candidate = get_candidate_or_404(current_user, candidate_id)
    available = request.form.get("beschikbaar") == "ja"
    if EmptyForm().validate_on_submit():
        try:
            services.set_available(current_user, candidate, available)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("Beschikbaar voor werk." if available else "Niet meer beschikbaar voor werk.", "success")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))


def _ended_in_words(proposals) -> str:
    if not proposals:
        return ""
    if len(proposals) == 1:
        return " Het open voorstel aan een werkgever is ingetrokken. De werkgever krijgt een e-mail."
    return f" De {len(proposals)} open voorstellen zijn ingetrokken. De werkgevers krijgen een e-mail."


@bp.post("/kandidaten/<int:candidate_id>/toestemming/<int:consent_id>/intrekken")
@roles_required("municipal")
def consent_withdraw(candidate_id: int, consent_id: int):
    candidate, consent = get_consent_or_404(current_user, candidate_id, consent_id)
    if EmptyForm().validate_on_submit():
        try:
            ended = services.withdraw_consent(current_user, candidate, consent)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"De toestemming is ingetrokken. Dit geldt meteen.{_ended_in_words(ended)}", "success")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id, _anchor="toestemming"))


# Import -------------------------------------------------------------------------------


def _render_import(form, parsed=None, payload=None):
    return render_template(
        "candidates/import.html",
        form=form,
        parsed=parsed,
        confirm_form=forms.ImportConfirmForm(formdata=None, payload=payload) if payload else None,
        max_rows=importer.MAX_ROWS,
        headings=sorted(importer.HEADINGS),
        journey_headings=importer.JOURNEY_COLUMN_NAMES,
        stage_labels=JOURNEY_STAGES,
        **LABELS,
    )


def _read_and_close(upload) -> bytes:
    """The uploaded bytes (one more than the limit at most, so a too-big file is noticed)."""
    try:
        return upload.read(importer.MAX_BYTES + 1)
    finally:
        upload.close()


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """A file over the request limit: say so on the import form itself, not on a bare error page."""
    if request.endpoint != "candidates.import_upload":
        return error
    form = forms.ImportUploadForm(formdata=None)
    megabytes = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    form.file.errors = [
        f"Het bestand is te groot: het mag hoogstens {megabytes} MB zijn. "
        "Splits de lijst in kleinere bestanden en importeer ze na elkaar."
    ]
    return _render_import(form), 413


@bp.route("/kandidaten/importeren", methods=["GET", "POST"])
@roles_required("municipal")
def import_upload():
    form = forms.ImportUploadForm()
    if not form.validate_on_submit():
        return _render_import(form)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = ["Kies een bestand."]
        return _render_import(form)
    try:
        parsed = importer.parse(upload.filename, _read_and_close(upload), current_user.municipality_id)
    except DomainError as error:
        form.file.errors = [error.message]
        return _render_import(form)
    payload = None
    if not parsed.errors:
        payload = importer.sign_rows(parsed.rows, current_user.id, current_user.municipality_id)
    return _render_import(form, parsed, payload)


@bp.post("/kandidaten/importeren/bevestigen")
@roles_required("municipal")
def import_confirm():
    form = forms.ImportConfirmForm()
    rows = importer.load_rows(form.payload.data, current_user.id, current_user.municipality_id)
    try:
        created = (
            importer.import_rows(current_user, current_user.municipality_id, rows)
            if rows and form.validate_on_submit()
            else None
        )
    except DomainError as error:
        db.session.rollback()
        flash(f"{error.message} Er is niets geïmporteerd.", "error")
        return redirect(url_for("candidates.import_upload"))
    if created is None:
        flash("De import is verlopen, niet geldig of bevat fouten. Er is niets geïmporteerd.", "error")
        return redirect(url_for("candidates.import_upload"))
    db.session.commit()
    flash(f"{len(created)} kandidaten zijn geïmporteerd.", "success")
    return redirect(url_for("candidates.index"))
