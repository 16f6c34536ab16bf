"""Write-side verbs of matching: propose, kennismaking, decline, accept, withdraw. They flush and audit."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from portal.auth.models import User
from portal.candidates.disclosure import SHARE_PROFILE, shares_profile
from portal.candidates.models import Candidate, CandidateVersion
from portal.candidates.services import record_consent
from portal.core.audit import record, record_viewed
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.outbox import cancel_pending_about, queue_email
from portal.core.signals import profile_unshared
from portal.core.time import LOCAL_TZ, now_utc, today_local
from portal.employers.queries import employer_addresses, users_of_employer
from portal.extensions import db
from portal.matching import queries, rules
from portal.matching.permissions import (
    is_contact_of,
    is_employer_of,
    is_matchable,
    is_open,
    profile_withdrawn,
)
from portal.placements.models import Placement
from portal.placements.services import create_placement_from_proposal, fixed_contact_id
from portal.requests.models import DECLINE_REASONS, PlacementRequest, Proposal
from portal.requests.services import mark_position_filled, mark_proposed

logger = logging.getLogger(__name__)


NOT_MATCHABLE = "Voor deze aanvraag kunt u geen kandidaten (meer) voorstellen."
NOT_ELIGIBLE = "Kandidaat {pseudonym} kan niet worden voorgesteld: {reason}"
NOT_OPEN = "Over dit voorstel is al besloten."
ACCEPT_NEEDS_MEETING = "U kunt een kandidaat pas aannemen na de kennismaking. Plan eerst een kennismaking."
POSITIONS_TAKEN = "Alle plekken van deze aanvraag zijn al vervuld."
CANDIDATE_UNAVAILABLE = "Deze kandidaat is niet meer beschikbaar."
NO_SHARE_CONSENT = (
    "Nog geen toestemming om het profiel met {employer} te delen voor: {pseudonyms}. Vraag de kandidaat om"
    " toestemming en vink het vakje aan, of kies deze kandidaat niet."
)
PROFILE_WITHDRAWN = (
    "De kandidaat deelt het profiel niet meer. Daarom is dit voorstel ingetrokken en kunt u er niets meer mee"
    " doen. Heeft u vragen? Neem contact op met uw contactpersoon bij de gemeente."
)


def record_view(actor: User, candidate: Candidate, context: str, **detail: Any) -> None:
    """Audit that ``actor`` saw (part of) this candidate's profile in ``context``."""
    record_viewed(actor, candidate, context, **detail)


# Guardrails (read-only) ---------------------------------------------------------------------------------


def team_for(request: PlacementRequest) -> rules.Team:
    """The people at the request's workplace and the starters at its employer around the desired start."""
    people = db.session.execute(queries.people_at_workplace(request.workplace_id)).all()
    languages = {row[0]: rules.first_language(row[1]) for row in people}
    return rules.Team(
        capacity=request.workplace.capacity,
        at_workplace=len(languages),
        starters_near=db.session.scalar(queries.starters_near(request.employer_id, request.desired_start))
        or 0,
        languages=list(languages.values()),
    )


def warnings_for(request: PlacementRequest, candidates: list[Candidate]) -> list[str]:
    """Guardrail warnings (Dutch) for proposing these candidates for this request."""
    new_languages = [rules.first_language(c.other_languages) for c in candidates]
    return rules.guardrail_warnings(team_for(request), new_languages)


# Proposing ----------------------------------------------------------------------------------------------


def _check_eligible(request: PlacementRequest, candidates: list[Candidate]) -> None:
    """Refuse when any of these candidates cannot be proposed for the request (one query, any number)."""
    job = rules.job_from_request(request)
    rows = db.session.execute(queries.exclusions_among(request, [c.id for c in candidates])).all()
    for row in sorted(rows, key=lambda row: row.pseudonym):
        if row.municipality_id != request.municipality_id:
            reason = "Deze kandidaat hoort bij een andere gemeente."
        elif row.code is not None:
            reason = rules.exclusion_text(row.code, job)
        else:
            continue
        raise DomainError(
            NOT_ELIGIBLE.format(pseudonym=row.pseudonym, reason=reason.lower()), "candidate_ids"
        )


@dataclass(frozen=True)
class ShareConsent:
    """The candidates' consent, just given to the contact, to share the profile with the request's employer:
    how (channel, ``CONSENT_METHODS``) and which version of the consent text they heard or read."""

    method: str
    text_version: str


def _ensure_share_consent(
    actor: User, request: PlacementRequest, candidates: list[Candidate], consent: ShareConsent | None
) -> list[Candidate]:
    """Make sure each candidate shares the profile with the request's employer: record ``consent`` for
    those without a live one, or refuse when there is none to record. Returns those it was recorded for.

    Whether a consent counts is ``disclosure``'s rule; recording it is ``candidates.services``'s.
    """
    consented = set(db.session.scalars(queries.consented_among(request, [c.id for c in candidates])))
    missing = sorted((c for c in candidates if c.id not in consented), key=lambda c: c.pseudonym)
    if not missing:
        return []
    if consent is None:
        raise DomainError(
            NO_SHARE_CONSENT.format(
                pseudonyms=", ".join(c.pseudonym for c in missing), employer=request.employer.name
            ),
            "consent_given",
        )
    with db.session.begin_nested():
        for candidate in missing:
            record_consent(
                actor,
                candidate,
                kind=SHARE_PROFILE,
                employer_id=request.employer_id,
                method=consent.method,
                text_version=consent.text_version,
                given_on=today_local(),
                via="proposal",
            )
    return missing


def propose(
    actor: User,
    request: PlacementRequest,
    candidates: list[Candidate],
    note: str | None,
    consent: ShareConsent | None = None,
) -> list:
    """Propose candidates for a request with a note for the employer; e-mail the employer's users.

    Each candidate must share the profile with the request's employer: ``consent`` is recorded for those
    that do not yet (the contact asked them); without it they cannot be proposed.
    """
    if not is_contact_of(actor, request.municipality_id):
        raise DomainError("Alleen een contactpersoon van deze gemeente kan kandidaten voorstellen.")
    if not is_matchable(request):
        raise DomainError(NOT_MATCHABLE)
    if not candidates:
        raise DomainError("Kies minstens één kandidaat.", "candidate_ids")
    _check_eligible(request, candidates)
    _ensure_share_consent(actor, request, candidates, consent)
    proposals = [
        Proposal(request_id=request.id, candidate_id=c.id, proposed_by_id=actor.id, note=note or None)
        for c in candidates
    ]
    db.session.add_all(proposals)
    db.session.flush()
    for proposal, candidate in zip(proposals, candidates, strict=True):
        record(
            actor,
            "proposal.created",
            proposal,
            municipality_id=request.municipality_id,
            request_id=request.id,
            candidate_id=candidate.id,
        )
    mark_proposed(request, actor=actor)
    _mail_new_proposals(request, proposals)
    return proposals


def _mail_new_proposals(request: PlacementRequest, proposals: list[Proposal]) -> None:
    """One e-mail per employer user for this batch: links to the proposals, no pseudonym or profile.

    A sent e-mail cannot follow a later withdrawal of consent; the proposal page behind the link does.
    """
    batch = min(p.id for p in proposals)
    _mail_employer(
        request,
        "matching/new_proposals",
        f"{request.id}:{batch}",
        proposals=[{"id": p.id} for p in proposals],
    )


def _mail_employer(request: PlacementRequest, template: str, key: str, **context: Any) -> None:
    """Queue ``template`` for each active user of the request's employer (dedupe: template, key, user)."""
    for user in db.session.scalars(users_of_employer(request.employer_id, active_only=True)):
        queue_email(
            to=user.email,
            template=template,
            dedupe_key=f"{template}:{key}:{user.id}",
            municipality_id=request.municipality_id,
            user=user,
            request=request,
            **context,
        )


# The employer's decisions --------------------------------------------------------------------------------


def _check_employer(actor: User, proposal: Proposal) -> None:
    if not is_employer_of(actor, proposal):
        raise DomainError("Alleen de werkgever van deze aanvraag kan dit doen.")
    if profile_withdrawn(proposal):
        raise DomainError(PROFILE_WITHDRAWN)


def _recipients(proposal: Proposal) -> list[User]:
    """The municipal contact (the employer's fixed contact, else the proposer) and the employer's users."""
    request = proposal.request
    contact = db.session.get(User, fixed_contact_id(proposal))
    users = [contact] if contact is not None and contact.is_active else []
    users += list(db.session.scalars(users_of_employer(request.employer_id, active_only=True)))
    return list({user.id: user for user in users}.values())


def _mail_both(proposal: Proposal, template: str, key: str, **context: Any) -> None:
    """Mail the contact and the employer's users; the employer's copies are cancelled while unsent if the
    candidate stops sharing the profile (they carry the pseudonym)."""
    for user in _recipients(proposal):
        queue_email(
            to=user.email,
            template=template,
            dedupe_key=f"{template}:{proposal.id}:{key}:{user.id}",
            municipality_id=proposal.request.municipality_id,
            candidate_id=proposal.candidate_id if user.role == "employer" else None,
            user=user,
            proposal=proposal,
            request=proposal.request,
            pseudonym=proposal.candidate.pseudonym,
            **context,
        )


def meeting_moment(day: date, at: time) -> datetime:
    """A local date and time (Europe/Amsterdam) as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def plan_meeting(actor: User, proposal: Proposal, day: date, at: time, place: str) -> Proposal:
    """Invite the candidate to a kennismaking, or change it (proposed/meeting → meeting)."""
    _check_employer(actor, proposal)
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)
    if day < today_local():
        raise DomainError("Kies vandaag of een dag in de toekomst.", "meeting_date")
    changed = proposal.status == "meeting"
    proposal.status = "meeting"
    proposal.meeting_at = meeting_moment(day, at)
    proposal.meeting_place = place
    db.session.flush()
    record(
        actor,
        "proposal.meeting_changed" if changed else "proposal.meeting_planned",
        proposal,
        municipality_id=proposal.request.municipality_id,
        request_id=proposal.request_id,
    )
    digest = hashlib.sha256(f"{proposal.meeting_at.isoformat()}|{place}".encode()).hexdigest()[:16]
    _mail_both(
        proposal,
        "matching/meeting",
        digest,
        changed=changed,
        meeting_at=proposal.meeting_at,
        meeting_place=place,
    )
    return proposal


def decline(actor: User, proposal: Proposal, reason: str, text: str | None) -> Proposal:
    """The employer declines a proposed candidate with a structured reason (proposed/meeting → declined)."""
    _check_employer(actor, proposal)
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)
    if reason not in DECLINE_REASONS:
        raise DomainError("Kies een reden uit de lijst.", "reason")
    proposal.status = "declined"
    proposal.decline_reason = reason
    proposal.decline_text = text or None
    proposal.decided_at = now_utc()
    db.session.flush()
    record(
        actor,
        "proposal.declined",
        proposal,
        municipality_id=proposal.request.municipality_id,
        request_id=proposal.request_id,
        reason=reason,
    )
    _mail_both(proposal, "matching/declined", "declined", reason_label=DECLINE_REASONS[reason])
    return proposal


def period_problem(kind, start: date, end: date) -> tuple[str, str] | None:
    """(field, message) when the dates do not fit the placement type, else None."""
    if start < today_local():
        return "start_date", "De startdatum kan niet in het verleden liggen."
    if end <= start:
        return "end_date", "De einddatum moet na de startdatum liggen."
    earliest, latest = start + timedelta(weeks=kind.min_weeks), start + timedelta(weeks=kind.max_weeks)
    if not earliest <= end <= latest:
        return "end_date", (
            f"Een {kind.name.lower()} duurt {kind.min_weeks} tot {kind.max_weeks} weken. Kies een einddatum "
            f"van {format_date(earliest)} tot en met {format_date(latest)}."
        )
    return None


def _check_accept(actor: User, proposal: Proposal, start: date, end: date) -> None:
    _check_employer(actor, proposal)
    if proposal.status != "meeting":
        raise DomainError(ACCEPT_NEEDS_MEETING if is_open(proposal) else NOT_OPEN)
    request = proposal.request
    if not is_matchable(request):
        raise DomainError(NOT_MATCHABLE)
    if (db.session.scalar(queries.accepted_count(request.id)) or 0) >= request.positions:
        raise DomainError(POSITIONS_TAKEN)
    if proposal.candidate.status != "active":
        raise DomainError(CANDIDATE_UNAVAILABLE)
    problem = period_problem(request.placement_type, start, end)
    if problem:
        raise DomainError(problem[1], problem[0])


def accept(actor: User, proposal: Proposal, start: date, end: date) -> Placement:
    """The employer accepts after the kennismaking: a planned placement; the candidate's other offers end."""
    _check_accept(actor, proposal, start, end)
    proposal.status = "accepted"
    proposal.decided_at = now_utc()
    db.session.flush()
    record(
        actor,
        "proposal.accepted",
        proposal,
        municipality_id=proposal.request.municipality_id,
        request_id=proposal.request_id,
    )
    placement = create_placement_from_proposal(actor, proposal, start, end)
    set_candidate_status(actor, proposal.candidate, "placed")
    _withdraw_other_offers(actor, proposal)
    mark_position_filled(proposal.request, actor=actor)
    _mail_both(proposal, "matching/accepted", "accepted", placement=placement)
    return placement


def set_candidate_status(actor: User, candidate: Candidate, status: str) -> None:
    """Change the candidate's status and keep the version history."""
    before = candidate.status
    candidate.status = status
    candidate.version += 1
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id,
            version=candidate.version,
            changed_by_id=actor.id,
            changed_at=now_utc(),
            changes={"status": [before, status]},
        )
    )
    db.session.flush()


def _close_withdrawn(actor: User | None, proposal: Proposal, reason: str) -> None:
    """An open proposal ends as withdrawn (proposed/meeting → withdrawn), with the reason in the audit."""
    proposal.status = "withdrawn"
    proposal.decided_at = now_utc()
    db.session.flush()
    record(
        actor,
        "proposal.withdrawn",
        proposal,
        municipality_id=proposal.request.municipality_id,
        request_id=proposal.request_id,
        reason=reason,
    )


def _withdraw_other_offers(actor: User, proposal: Proposal) -> None:
    """Other open proposals of the same candidate (for any request) end now that the candidate is placed."""
    for other in db.session.scalars(
        queries.open_proposals_of_candidate(proposal.candidate_id, proposal.id)
    ).all():
        _close_withdrawn(actor, other, "candidate_placed")


def withdraw(actor: User, proposal: Proposal) -> Proposal:
    """The municipal contact withdraws an open proposal (proposed/meeting → withdrawn)."""
    if not is_contact_of(actor, proposal.request.municipality_id):
        raise DomainError("Alleen een contactpersoon van deze gemeente kan een voorstel intrekken.")
    if not is_open(proposal):
        raise DomainError(NOT_OPEN)
    _close_withdrawn(actor, proposal, "by_municipality")
    return proposal


@profile_unshared.connect
def _withdraw_when_unshared(candidate: Candidate, *, actor: User, employer_ids: list[int]) -> list[Proposal]:
    return withdraw_unshared(actor, candidate, employer_ids)


def withdraw_unshared(actor: User, candidate: Candidate, employer_ids: list[int]) -> list[Proposal]:
    """After the candidate stopped sharing the profile with these employers: end the open proposals to
    employers that may no longer see it, tell those employers (without naming the candidate) and cancel
    unsent e-mail that would still show it to their users. Returns the proposals that ended."""
    unshared = [employer_id for employer_id in employer_ids if not shares_profile(candidate.id, employer_id)]
    if unshared:
        cancelled = cancel_pending_about(candidate.id, employer_addresses(unshared))
        if cancelled:
            record(actor, "outbox.cancelled", candidate, reason="consent_withdrawn", message_ids=cancelled)
    ended = []
    for proposal in db.session.scalars(queries.open_proposals_of_candidate(candidate.id)).all():
        if profile_withdrawn(proposal):
            meeting_at = proposal.meeting_at if proposal.status == "meeting" else None
            _close_withdrawn(actor, proposal, "consent_withdrawn")
            _mail_employer_withdrawn(proposal, meeting_at)
            ended.append(proposal)
    return ended


def _mail_employer_withdrawn(proposal: Proposal, meeting_at: datetime | None) -> None:
    """Tell the employer's users that a proposal ended; no pseudonym or profile, only the request."""
    _mail_employer(proposal.request, "matching/withdrawn", str(proposal.id), meeting_at=meeting_at)
