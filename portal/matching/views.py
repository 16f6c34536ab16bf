"""Matching: ranked candidates for a request, proposals, kennismaking and the employer's decision."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.candidates.disclosure import identity_for_employer, profile_for_employer, pseudonymised_profile
from portal.core.audit import record_viewed
from portal.core.forms import EmptyForm, show_refusal
from portal.core.security import roles_required
from portal.core.time import to_local, today_local
from portal.extensions import db
from portal.matching import forms, queries, rules, services
from portal.matching.permissions import get_proposal_or_404, get_request_for_matching_or_404
from portal.matching.services import MatchingError
from portal.requests.models import DECLINE_REASONS

bp = Blueprint("matching", __name__)

WARNINGS_UNREAD = "Lees de waarschuwing en vink het vakje aan om toch voor te stellen."


# The municipal contact: ranked candidates and proposing ---------------------------------------------------


def _ranking(placement_request) -> tuple[list, list]:
    """(ranked, excluded) for a matchable request in a fixed number of queries; empty otherwise."""
    if placement_request.status not in queries.MATCHABLE_REQUEST:
        return [], []
    municipality_id = placement_request.municipality_id
    candidates = db.session.scalars(queries.candidates_of(municipality_id)).all()
    consented = set(db.session.scalars(queries.share_consented_ids(municipality_id)))
    proposed = set(db.session.scalars(queries.proposed_candidate_ids(placement_request.id)))
    job = rules.job_from_request(placement_request)
    return rules.rank(candidates, job, consented=consented, proposed=proposed)


def _propose_form(ranked, form=None) -> forms.ProposeForm:
    form = form or forms.ProposeForm(formdata=None)
    form.candidate_ids.choices = [(item.candidate.id, item.candidate.pseudonym) for item in ranked]
    return form


def _render_candidates(placement_request, ranked, excluded, form, warnings=()):
    """The ranked list; every candidate shown leaves one audit event, committed with this response."""
    html = render_template(
        "matching/candidates_for.html",
        placement_request=placement_request,
        ranked=ranked,
        excluded=excluded,
        form=form,
        selected=set(form.candidate_ids.data or ()),
        warnings=warnings,
        matchable=placement_request.status in queries.MATCHABLE_REQUEST,
    )
    shown = [item.candidate for item in [*ranked, *excluded]]
    services.record_views(current_user, shown, "matching", request_id=placement_request.id)
    db.session.commit()
    return html


@bp.get("/aanvragen/<int:request_id>/kandidaten")
@roles_required("municipal")
def candidates_for(request_id: int):
    placement_request = get_request_for_matching_or_404(current_user, request_id)
    ranked, excluded = _ranking(placement_request)
    return _render_candidates(placement_request, ranked, excluded, _propose_form(ranked))


def _try_propose(placement_request, ranked, form) -> list[str] | None:
    """Propose the chosen candidates; None when done, else the guardrail warnings to show."""
    chosen = [item.candidate for item in ranked if item.candidate.id in set(form.candidate_ids.data)]
    warnings = services.warnings_for(placement_request, chosen)
    if warnings and not form.confirm_warnings.data:
        form.confirm_warnings.errors = [WARNINGS_UNREAD]
        return warnings
    try:
        services.propose(current_user, placement_request, chosen, form.note.data)
    except MatchingError as error:
        show_refusal(form, error)
        return warnings
    return None


@bp.post("/aanvragen/<int:request_id>/voorstellen")
@roles_required("municipal")
def propose(request_id: int):
    placement_request = get_request_for_matching_or_404(current_user, request_id)
    ranked, excluded = _ranking(placement_request)
    form = _propose_form(ranked, forms.ProposeForm())
    warnings: list[str] = []
    if form.validate_on_submit():
        warnings = _try_propose(placement_request, ranked, form)
        if warnings is None:
            db.session.commit()
            flash("De kandidaten zijn voorgesteld. De werkgever krijgt een e-mail.", "success")
            return redirect(url_for("requests.detail", request_id=placement_request.id))
    return _render_candidates(placement_request, ranked, excluded, form, warnings)


# A proposal: the employer's view and decisions ------------------------------------------------------------


def _invite_form(proposal, form=None) -> forms.InviteForm:
    if form is not None:
        return form
    form = forms.InviteForm(formdata=None)
    if proposal.meeting_at is not None:
        local = to_local(proposal.meeting_at)
        form.meeting_date.data, form.meeting_time.data = local.date(), local.time()
        form.meeting_place.data = proposal.meeting_place
    return form


def _accept_form(proposal, form=None) -> forms.AcceptForm:
    if form is not None:
        return form
    placement_request = proposal.request
    start = max(placement_request.desired_start, today_local())
    return forms.AcceptForm(
        formdata=None, start_date=start, end_date=start + timedelta(weeks=placement_request.duration_weeks)
    )


def _disclosed(proposal) -> tuple[dict | None, dict | None, bool]:
    """(profile, identity, shared) of the proposal's candidate as the current user may see them.

    The employer sees the pseudonymised profile (and identity after its consent) only while the candidate
    shares the profile; staff always see it, with whether the employer does.
    """
    candidate, employer_id = proposal.candidate, proposal.request.employer_id
    if current_user.role == "employer":
        profile = profile_for_employer(candidate, employer_id)
        identity = identity_for_employer(candidate, employer_id) if profile is not None else None
        return profile, identity, profile is not None
    shared = not services.profile_withdrawn(proposal)
    return pseudonymised_profile(candidate), identity_for_employer(candidate, employer_id), shared


def _render_proposal(proposal, *, invite=None, decline=None, accept=None):
    """The proposal page; the profile comes from ``disclosure`` only, and showing it is audited."""
    placement_request = proposal.request
    profile, identity, shared = _disclosed(proposal)
    is_open = proposal.status in queries.OPEN_PROPOSAL
    html = render_template(
        "matching/proposal.html",
        proposal=proposal,
        placement_request=placement_request,
        profile=profile,
        identity=identity,
        shared=shared,
        staff_name=proposal.candidate.full_name if current_user.role == "municipal" else None,
        invite_form=_invite_form(proposal, invite),
        decline_form=decline or forms.DeclineForm(formdata=None),
        accept_form=_accept_form(proposal, accept),
        button_form=EmptyForm(),
        decline_reasons=DECLINE_REASONS,
        is_employer=current_user.role == "employer",
        is_open=is_open,
        may_decide=is_open and shared,
    )
    if profile is not None:
        record_viewed(current_user, proposal.candidate, "proposal", proposal_id=proposal.id)
    db.session.commit()
    return html


@bp.get("/voorstellen/<int:proposal_id>")
@roles_required("employer", "municipal")
def proposal(proposal_id: int):
    return _render_proposal(get_proposal_or_404(current_user, proposal_id))


def _done(proposal, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("matching.proposal", proposal_id=proposal.id))


def _employer_proposal_or_404(proposal_id: int):
    """(proposal, refusal): the refusal redirects back when the candidate no longer shares the profile.

    Checked before the form, so nothing typed into a form the page no longer shows can come back.
    """
    proposal = get_proposal_or_404(current_user, proposal_id)
    if not services.profile_withdrawn(proposal):
        return proposal, None
    flash(services.PROFILE_WITHDRAWN, "error")
    return proposal, redirect(url_for("matching.proposal", proposal_id=proposal.id))


@bp.post("/voorstellen/<int:proposal_id>/kennismaking")
@roles_required("employer")
def invite(proposal_id: int):
    proposal, refusal = _employer_proposal_or_404(proposal_id)
    if refusal is not None:
        return refusal
    form = forms.InviteForm()
    if form.validate_on_submit():
        data = form.data
        try:
            services.plan_meeting(
                current_user, proposal, data["meeting_date"], data["meeting_time"], data["meeting_place"]
            )
        except MatchingError as error:
            show_refusal(form, error)
        else:
            return _done(proposal, "De kennismaking staat gepland. De gemeente krijgt een e-mail.")
    return _render_proposal(proposal, invite=form)


@bp.post("/voorstellen/<int:proposal_id>/afwijzen")
@roles_required("employer")
def decline(proposal_id: int):
    proposal, refusal = _employer_proposal_or_404(proposal_id)
    if refusal is not None:
        return refusal
    form = forms.DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(current_user, proposal, form.reason.data, form.text.data)
        except MatchingError as error:
            show_refusal(form, error)
        else:
            return _done(proposal, "U heeft de kandidaat afgewezen. De gemeente krijgt een e-mail.")
    return _render_proposal(proposal, decline=form)


@bp.post("/voorstellen/<int:proposal_id>/aannemen")
@roles_required("employer")
def accept(proposal_id: int):
    proposal, refusal = _employer_proposal_or_404(proposal_id)
    if refusal is not None:
        return refusal
    form = forms.AcceptForm()
    if form.validate_on_submit():
        try:
            services.accept(current_user, proposal, form.start_date.data, form.end_date.data)
        except MatchingError as error:
            show_refusal(form, error)
        else:
            return _done(proposal, "U heeft de kandidaat aangenomen. De plaatsing is gepland.")
    return _render_proposal(proposal, accept=form)


@bp.post("/voorstellen/<int:proposal_id>/intrekken")
@roles_required("municipal")
def withdraw(proposal_id: int):
    proposal = get_proposal_or_404(current_user, proposal_id)
    try:
        services.withdraw(current_user, proposal)
    except MatchingError as error:
        flash(error.message, "error")
        return redirect(url_for("matching.proposal", proposal_id=proposal.id))
    return _done(proposal, "Het voorstel is ingetrokken.")
