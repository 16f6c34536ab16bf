"""Matching: ranked candidates for a request, proposals, kennismaking and the employer's decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.candidates.disclosure import identity_for_employer, profile_for_employer, pseudonymised_profile
from portal.core.audit import record_listing, record_viewed
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.forms import EmptyForm, show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.core.time import to_local, today_local
from portal.extensions import db
from portal.matching import forms, permissions, queries, rules, services
from portal.matching.permissions import get_proposal_or_404, get_request_for_matching_or_404
from portal.requests.models import DECLINE_REASONS

bp = Blueprint("matching", __name__)

WARNINGS_UNREAD = "Lees de waarschuwing en vink het vakje aan om toch voor te stellen."
#: Candidates shown at first and added by "Meer tonen"; one page never lists more than MAX_SHOWN.
SHOW_STEP = 25
MAX_SHOWN = 200
#: Candidates per page in the list of one exclusion reason.
EXCLUDED_PER_PAGE = 25


# The municipal contact: ranked candidates and proposing ---------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    """A matchable request's candidates: those that can be proposed, best first, and the rest counted."""

    job: rules.Job
    #: The candidates that can be proposed, best first (their scores are worked out for the rows shown).
    ranked: list
    #: (code, reason, number of candidates) per exclusion reason that applies, in the rules' order.
    excluded: list[tuple[str, str, int]]


def _ranking(placement_request) -> Ranking | None:
    """Two queries whatever the number of candidates: the counts per reason, and the pool to score."""
    if not permissions.is_matchable(placement_request):
        return None
    job = rules.job_from_request(placement_request)
    counts = dict(db.session.execute(queries.exclusion_counts(placement_request)).all())
    pool = [
        queries.RankingRow._make(row) for row in db.session.execute(queries.ranking_pool(placement_request))
    ]
    excluded = [
        (code, rules.exclusion_text(code, job), counts[code])
        for code in rules.EXCLUSION_REASONS
        if counts.get(code)
    ]
    return Ranking(job, rules.rank(pool, job), excluded)


def shown_count(value) -> int:
    """How many ranked candidates to show, from untrusted input (``toon``): SHOW_STEP up to MAX_SHOWN."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return SHOW_STEP
    return min(max(number, SHOW_STEP), MAX_SHOWN)


def _excluded_page(placement_request, ranking: Ranking | None, code: str):
    """One page of the candidates excluded for ``code`` when that filter was chosen, else None."""
    if ranking is None or code not in {item[0] for item in ranking.excluded}:
        return None
    query = queries.excluded_candidates(placement_request, code)
    return paginate(query, page_number(request.args.get("page")), EXCLUDED_PER_PAGE)


def _render_candidates(placement_request, form, warnings=(), *, count: int = SHOW_STEP, selected=()):
    """The ranking page; one audit event names every candidate it shows, committed with this response."""
    ranking = _ranking(placement_request)
    ranked = ranking.ranked if ranking else []
    selected = set(selected)
    deepest = max((n + 1 for n, candidate in enumerate(ranked) if candidate.id in selected), default=0)
    count = min(max(count, deepest), MAX_SHOWN)
    code = request.args.get("reden", "") if request.method == "GET" else ""
    excluded_page = _excluded_page(placement_request, ranking, code)
    html = render_template(
        "matching/candidates_for.html",
        placement_request=placement_request,
        ranking=ranking,
        shown=[rules.Ranked(candidate, rules.score(candidate, ranking.job)) for candidate in ranked[:count]],
        more=min(len(ranked), MAX_SHOWN) - count,
        count=count,
        max_shown=MAX_SHOWN,
        step=SHOW_STEP,
        form=form,
        selected=selected,
        warnings=warnings,
        reason=code if excluded_page else "",
        excluded_page=excluded_page,
        readiness_words=rules.READINESS_WORDS,
    )
    shown_ids = [candidate.id for candidate in ranked[:count]]
    shown_ids += [row.id for row in excluded_page.items] if excluded_page else []
    record_listing(current_user, shown_ids, "matching", request_id=placement_request.id)
    db.session.commit()
    return html


@bp.get("/aanvragen/<int:request_id>/kandidaten")
@roles_required("municipal")
def candidates_for(request_id: int):
    placement_request = get_request_for_matching_or_404(current_user, request_id)
    form = _propose_form(placement_request, forms.ProposeForm(formdata=None))
    return _render_candidates(placement_request, form, count=shown_count(request.args.get("toon")))


def _propose_form(placement_request, form):
    """The propose form with the employer named in the consent box."""
    form.consent_given.label.text = forms.CONSENT_LABEL.format(employer=placement_request.employer.name)
    return form


def _chosen(placement_request, form) -> list:
    """The posted candidates that can be proposed for the request (others stay out of the choices)."""
    ids = {value for value in form.candidate_ids.data or () if valid_id(value)}
    if not ids or len(ids) > MAX_SHOWN or not permissions.is_matchable(placement_request):
        return []
    return list(db.session.scalars(queries.proposable_among(placement_request, ids)))


def _try_propose(placement_request, chosen, form) -> list[str] | None:
    """Propose the chosen candidates; None when done, else the guardrail warnings to show."""
    warnings = services.warnings_for(placement_request, chosen)
    if warnings and not form.confirm_warnings.data:
        form.confirm_warnings.errors = [WARNINGS_UNREAD]
        return warnings
    consent = None
    if form.consent_given.data:
        consent = services.ShareConsent(
            form.consent_method.data, (form.consent_text_version.data or "").strip()
        )
    try:
        services.propose(current_user, placement_request, chosen, form.note.data, consent)
    except DomainError as error:
        show_refusal(form, error)
        return warnings
    return None


@bp.post("/aanvragen/<int:request_id>/voorstellen")
@roles_required("municipal")
def propose(request_id: int):
    """Propose the chosen candidates; the button "Meer tonen" posts here too, to keep the choices."""
    placement_request = get_request_for_matching_or_404(current_user, request_id)
    form = _propose_form(placement_request, forms.ProposeForm())
    chosen = _chosen(placement_request, form)
    form.candidate_ids.choices = [(candidate.id, candidate.pseudonym) for candidate in chosen]
    count = shown_count(request.form.get("toon"))
    warnings: list[str] = []
    if "meer" in request.form:
        count += SHOW_STEP
    elif form.validate_on_submit():
        warnings = _try_propose(placement_request, chosen, form)
        if warnings is None:
            db.session.commit()
            flash("De kandidaten zijn voorgesteld. De werkgever krijgt een e-mail.", "success")
            return redirect(url_for("requests.detail", request_id=placement_request.id))
    selected = [candidate.id for candidate in chosen]
    return _render_candidates(placement_request, form, warnings, count=count, selected=selected)


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
    if permissions.sees_as_employer(current_user):
        profile = profile_for_employer(candidate, employer_id)
        identity = identity_for_employer(candidate, employer_id) if profile is not None else None
        return profile, identity, profile is not None
    shared = not permissions.profile_withdrawn(proposal)
    return pseudonymised_profile(candidate), identity_for_employer(candidate, employer_id), shared


def _render_proposal(proposal, *, invite=None, decline=None, accept=None):
    """The proposal page; the profile comes from ``disclosure`` only, and showing it is audited."""
    placement_request = proposal.request
    profile, identity, shared = _disclosed(proposal)
    html = render_template(
        "matching/proposal.html",
        proposal=proposal,
        placement_request=placement_request,
        profile=profile,
        identity=identity,
        shared=shared,
        staff_name=proposal.candidate.full_name if permissions.sees_name(current_user) else None,
        invite_form=_invite_form(proposal, invite),
        decline_form=decline or forms.DeclineForm(formdata=None),
        accept_form=_accept_form(proposal, accept),
        button_form=EmptyForm(),
        decline_reasons=DECLINE_REASONS,
        is_employer=permissions.sees_as_employer(current_user),
        may_decide=permissions.may_decide(current_user, proposal),
        may_withdraw=permissions.may_withdraw(current_user, proposal),
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
    if not permissions.profile_withdrawn(proposal):
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
        except DomainError as error:
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
        except DomainError as error:
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
        except DomainError as error:
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
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("matching.proposal", proposal_id=proposal.id))
    return _done(proposal, "Het voorstel is ingetrokken.")
