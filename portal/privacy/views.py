"""Access requests (AVG art. 15) and the record of a candidate's requests about their data."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.auth.models import ROLE_LABELS
from portal.core.errors import DomainError
from portal.core.filters import format_date, format_datetime
from portal.core.forms import show_refusal
from portal.core.security import fresh_login_required, roles_required
from portal.core.time import now_utc
from portal.extensions import db
from portal.privacy import forms, permissions, queries, services
from portal.privacy.models import REQUEST_KINDS

bp = Blueprint("privacy", __name__)

#: Prefix of the record form's fields (it shares the candidate page with the consent form).
REQUEST_PREFIX = "verzoek"


def request_form(formdata=None) -> forms.PrivacyRequestForm:
    if formdata is None:
        return forms.PrivacyRequestForm(formdata=None, prefix=REQUEST_PREFIX)
    return forms.PrivacyRequestForm(prefix=REQUEST_PREFIX)


def handle_form(request_id: int, submitted: bool = False) -> forms.HandleRequestForm:
    prefix = f"afhandeling-{request_id}"
    if submitted:
        return forms.HandleRequestForm(prefix=prefix)
    return forms.HandleRequestForm(formdata=None, prefix=prefix)


@bp.app_context_processor
def privacy_helpers():
    """For the candidate page: whether to offer the request form and access export, and the empty form."""
    return {
        "may_handle_privacy_requests": permissions.may_handle_requests,
        "privacy_request_form": request_form,
    }


def shown(value) -> str:
    """A stored value in words for the printable document."""
    if value is None or value == "" or value == [] or value == {}:
        return "Niet ingevuld"
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _render_access(candidate, failed: tuple[int, forms.HandleRequestForm] | None = None):
    generated_at = now_utc()
    requests = db.session.scalars(queries.requests_of(candidate.id)).all()
    handle_forms = {request.id: handle_form(request.id) for request in requests}
    if failed is not None:
        handle_forms[failed[0]] = failed[1]
    html = render_template(
        "privacy/access.html",
        candidate=candidate,
        generated_at=generated_at,
        sections=queries.sections(candidate.id),
        consultations=queries.consultations(candidate.id),
        requests=requests,
        handle_forms=handle_forms,
        kinds=REQUEST_KINDS,
        roles=ROLE_LABELS,
        labels=queries.LABELS,
        shown=shown,
        may_mark_handled=permissions.may_mark_handled,
    )
    services.record_export(current_user, candidate, "html")
    db.session.commit()
    return html


@bp.get("/kandidaten/<int:candidate_id>/inzage")
@roles_required("municipal", "admin")
@fresh_login_required
def access(candidate_id: int):
    return _render_access(permissions.get_candidate_or_404(current_user, candidate_id))


@bp.get("/kandidaten/<int:candidate_id>/inzage.json")
@roles_required("municipal", "admin")
@fresh_login_required
def access_json(candidate_id: int):
    candidate = permissions.get_candidate_or_404(current_user, candidate_id)
    document = queries.export_document(candidate, now_utc())
    services.record_export(current_user, candidate, "json")
    db.session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="inzage-{candidate.pseudonym}.json"'},
    )


@bp.route("/kandidaten/<int:candidate_id>/verzoeken/nieuw", methods=["GET", "POST"])
@roles_required("municipal", "admin")
def request_new(candidate_id: int):
    candidate = permissions.get_candidate_or_404(current_user, candidate_id)
    form = request_form(formdata=True)
    if form.validate_on_submit():
        try:
            services.record_request(
                current_user,
                candidate,
                kind=form.kind.data,
                received_on=form.received_on.data,
                handled_on=form.handled_on.data,
                outcome=form.outcome.data or "",
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Het verzoek is vastgelegd.", "success")
            return redirect(url_for("privacy.access", candidate_id=candidate.id, _anchor="verzoeken"))
    html = render_template("privacy/request_new.html", candidate=candidate, form=form)
    services.record_form_view(current_user, candidate)
    db.session.commit()
    return html


@bp.post("/kandidaten/<int:candidate_id>/verzoeken/<int:privacy_request_id>/afgehandeld")
@roles_required("municipal", "admin")
def request_handled(candidate_id: int, privacy_request_id: int):
    candidate, request = permissions.get_request_or_404(current_user, candidate_id, privacy_request_id)
    form = handle_form(request.id, submitted=True)
    if form.validate_on_submit():
        try:
            services.mark_handled(
                current_user, candidate, request, handled_on=form.handled_on.data, outcome=form.outcome.data
            )
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Het verzoek is afgehandeld.", "success")
            return redirect(url_for("privacy.access", candidate_id=candidate.id, _anchor="verzoeken"))
    return _render_access(candidate, (request.id, form))
