"""Write-side verbs of the candidates domain. They flush and audit; the caller commits once."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates import queries
from portal.candidates.disclosure import (
    FOR_EMPLOYER,
    RECEIVE_DATA,
    SHARE_PROFILE,
    discloses,
    is_live,
    live_consent_id,
)
from portal.candidates.models import (
    CONSENT_KINDS,
    CONSENT_METHODS,
    CONSENT_SOURCES,
    PROFILE_FIELDS,
    TEXT_VERSION_DEFAULT,
    Candidate,
    CandidateVersion,
    Consent,
)
from portal.core.audit import record, record_viewed
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.signals import collected, profile_unshared
from portal.core.sql import is_unique_violation
from portal.core.time import LOCAL_TZ, now_utc, today_local
from portal.extensions import db

logger = logging.getLogger(__name__)

#: Columns that may not be None (empty text is stored as "").
NOT_NULL_TEXT = ("other_languages", "certificates", "available_days", "class_days", "desired_sectors")
PSEUDONYM_ATTEMPTS = 5
ANONYMISED = (
    "Deze kandidaat is geanonimiseerd na de bewaartermijn. Het profiel kan niet meer worden aangevuld."
)
STALE_VERSION = (
    "Iemand anders heeft dit profiel intussen gewijzigd. Controleer de gegevens en sla opnieuw op."
)
#: What to choose when a consent for one employer has none.
EMPLOYER_NEEDED = {
    "share_profile": "Kies de werkgever die het profiel zonder naam mag zien.",
    "reveal_identity": "Kies de werkgever die naam en telefoonnummer mag zien.",
}


def _check_staff(actor: User, municipality_id: int) -> None:
    if actor is None or actor.role != "municipal" or actor.municipality_id != municipality_id:
        raise DomainError("U mag de kandidaten van deze gemeente niet beheren.")


def _values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in PROFILE_FIELDS if name in data}
    for name in NOT_NULL_TEXT:
        if name in values and values[name] is None:
            values[name] = ""
    values["care_first"] = bool(values.get("care_first"))
    values["education_completed_nl"] = bool(values.get("education_completed_nl"))
    values["work_experience"] = list(values.get("work_experience") or [])
    return values


def _json(value: Any) -> Any:
    """A value as it can be stored in the JSON version history."""
    return value.isoformat() if isinstance(value, date | datetime) else value


# Create and edit -------------------------------------------------------------------------------


def _next_pseudonym(year: int) -> str:
    prefix = f"K-{year}-"
    last = db.session.scalar(queries.last_pseudonym(prefix))
    tail = last[len(prefix) :] if last else ""
    number = int(tail) + 1 if tail.isdigit() else 1
    return f"{prefix}{number:04d}"


def _insert_with_pseudonym(candidate: Candidate) -> None:
    """Give the candidate the next free pseudonym of this year; retry when another insert took it.

    Only a clash on the pseudonym is retried; any other integrity error (a CHECK, NOT NULL or foreign key
    the form should have prevented) is a fault and propagates as it is.
    """
    year = today_local().year
    for _attempt in range(PSEUDONYM_ATTEMPTS):
        candidate.pseudonym = _next_pseudonym(year)
        try:
            with db.session.begin_nested():
                db.session.add(candidate)
                db.session.flush()
            return
        except sa.exc.IntegrityError as error:
            if not is_unique_violation(error, "candidates", "pseudonym"):
                raise
            logger.info("Pseudonym collision, retrying")
    raise DomainError("Het lukte niet om een code voor de kandidaat te maken. Probeer het opnieuw.")


def create_candidate(actor: User, municipality_id: int, data: dict[str, Any]) -> Candidate:
    """Add a screened candidate with a new pseudonym; the actor is the screener."""
    _check_staff(actor, municipality_id)
    values = _values(data)
    values["screened_on"] = values.get("screened_on") or today_local()
    # The screener is the candidate's first responsible specialist (the team can reassign).
    candidate = Candidate(
        municipality_id=municipality_id,
        screened_by_id=actor.id,
        specialist_id=actor.id,
        status="active",
        version=1,
    )
    for name, value in values.items():
        setattr(candidate, name, value)
    _insert_with_pseudonym(candidate)
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id,
            version=1,
            changed_by_id=actor.id,
            changed_at=now_utc(),
            changes={"created": True},
        )
    )
    record(actor, "candidate.created", candidate, fields=sorted(values))
    db.session.flush()
    return candidate


def update_candidate(
    actor: User, candidate: Candidate, data: dict[str, Any], *, expected_version: int | None = None
) -> list[str]:
    """Change a profile; keep the old and new value of each changed field as a new version."""
    _check_staff(actor, candidate.municipality_id)
    if candidate.anonymised_at is not None:
        raise DomainError(ANONYMISED)
    if expected_version is not None and expected_version != candidate.version:
        raise DomainError(STALE_VERSION, "version")
    changes = {
        name: [_json(getattr(candidate, name)), _json(value)]
        for name, value in _values(data).items()
        if getattr(candidate, name) != value
    }
    values = _values(data)
    return _apply_changes(actor, candidate, {name: values[name] for name in changes}, changes)


def _apply_changes(
    actor: User, candidate: Candidate, values: dict[str, Any], changes: dict[str, list]
) -> list[str]:
    """Set ``values``, bump the version and keep ``changes`` ({field: [old, new]}) as the new version."""
    if not changes:
        return []
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.version += 1
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id,
            version=candidate.version,
            changed_by_id=actor.id,
            changed_at=now_utc(),
            changes=changes,
        )
    )
    record(actor, "candidate.updated", candidate, fields=sorted(changes), version=candidate.version)
    db.session.flush()
    return sorted(changes)


def set_available(actor: User, candidate: Candidate, available: bool) -> list[str]:
    """Mark a candidate available for matching again, or not (moved, other route); placed ones stay placed."""
    _check_staff(actor, candidate.municipality_id)
    if candidate.status == "placed":
        raise DomainError("Deze kandidaat is geplaatst. Dat verandert pas als de plaatsing stopt.")
    status = "active" if available else "inactive"
    changes = {} if candidate.status == status else {"status": [candidate.status, status]}
    return _apply_changes(actor, candidate, {"status": status}, changes)


def record_view(actor: User, candidate: Candidate, context: str) -> None:
    """Note that ``actor`` saw (part of) this candidate's profile, and where."""
    record_viewed(actor, candidate, context)
    db.session.flush()


def import_candidates(actor: User, municipality_id: int, rows: list[dict[str, Any]]) -> list[Candidate]:
    """Add every row as a candidate, or none: one failure leaves nothing behind."""
    _check_staff(actor, municipality_id)
    with db.session.begin_nested():
        created = [create_candidate(actor, municipality_id, row) for row in rows]
    record(actor, "candidate.imported", None, municipality_id=municipality_id, count=len(created))
    db.session.flush()
    return created


# Consent -------------------------------------------------------------------------------


def _given_at(given_on: date) -> datetime:
    """Today's consent gets the current instant; an earlier date gets noon of that day (Amsterdam)."""
    if given_on >= today_local():
        return now_utc()
    return datetime.combine(given_on, time(12, 0), tzinfo=LOCAL_TZ).astimezone(UTC)


def _check_consent(
    candidate: Candidate, kind: str, employer_id: int | None, source: str | None, given_on: date | None
) -> None:
    if kind not in CONSENT_KINDS:
        raise DomainError("Kies waarvoor de kandidaat toestemming geeft.", "kind")
    if kind in FOR_EMPLOYER:
        found = valid_id(employer_id) and db.session.scalar(
            queries.approved_employer(candidate.municipality_id, employer_id)
        )
        if not found:
            raise DomainError(EMPLOYER_NEEDED[kind], "employer_id")
        if source:
            raise DomainError("Kies geen organisatie: deze toestemming is voor een werkgever.", "source")
    if kind == RECEIVE_DATA:
        if source not in CONSENT_SOURCES:
            raise DomainError("Kies van welke organisatie de gegevens komen.", "source")
        if employer_id is not None:
            raise DomainError(
                "Kies geen werkgever: deze toestemming is voor het ontvangen van gegevens.", "employer_id"
            )
    if given_on is None or given_on > today_local():
        raise DomainError("Deze datum mag niet in de toekomst liggen.", "given_on")
    if db.session.scalar(live_consent_id(candidate.id, kind, employer_id, source)) is not None:
        raise DomainError(
            "Deze toestemming is al vastgelegd. Trek de oude eerst in als u een nieuwe wilt vastleggen.",
            "kind",
        )


def record_consent(
    actor: User,
    candidate: Candidate,
    *,
    kind: str,
    employer_id: int | None,
    method: str,
    text_version: str,
    given_on: date,
    source: str | None = None,
    via: str = "candidate_page",
) -> Consent:
    """Record a candidate's consent for one employer (share the profile, show the identity) or from one
    source (receive data); ``via`` says where it was recorded (the candidate page, proposing)."""
    _check_staff(actor, candidate.municipality_id)
    if candidate.anonymised_at is not None:
        raise DomainError(ANONYMISED)
    source = source or None
    _check_consent(candidate, kind, employer_id, source, given_on)
    if method not in CONSENT_METHODS:
        raise DomainError("Kies hoe de toestemming is gegeven.", "method")
    consent = Consent(
        candidate_id=candidate.id,
        kind=kind,
        employer_id=employer_id,
        source=source,
        given_at=_given_at(given_on),
        method=method,
        text_version=text_version or TEXT_VERSION_DEFAULT,
        recorded_by_id=actor.id,
        recorded_at=now_utc(),
    )
    db.session.add(consent)
    db.session.flush()
    record(
        actor,
        "consent.recorded",
        candidate,
        consent_id=consent.id,
        kind=kind,
        employer_id=employer_id,
        source=source,
        method=method,
        text_version=consent.text_version,
        via=via,
    )
    return consent


def withdraw_consent(actor: User, candidate: Candidate, consent: Consent) -> list:
    """Withdraw a consent (and the per-employer consents converted from it); every page asks
    ``disclosure`` per request, so the effect is immediate.

    Withdrawing a consent to share the profile with an employer also ends the candidate's open proposals
    to that employer (it gets a note without the candidate's pseudonym) and cancels unsent e-mail that
    would show the proposal to its users. Returns the proposals that ended.
    """
    _check_staff(actor, candidate.municipality_id)
    if consent.candidate_id != candidate.id:
        raise DomainError("Deze toestemming hoort niet bij deze kandidaat.")
    if not is_live(consent):
        raise DomainError("Deze toestemming is al ingetrokken.")
    withdrawn = [consent, *db.session.scalars(queries.live_converted_from(consent.id))]
    moment = now_utc()
    for item in withdrawn:
        item.withdrawn_at = moment
        item.withdrawn_by_id = actor.id
        record(
            actor,
            "consent.withdrawn",
            candidate,
            consent_id=item.id,
            kind=item.kind,
            employer_id=item.employer_id,
            source=item.source,
        )
    db.session.flush()
    employer_ids = sorted(
        {item.employer_id for item in withdrawn if item.kind == SHARE_PROFILE and discloses(item)}
    )
    if not employer_ids:
        return []
    # Matching ends the proposals (it sits above candidates, so it listens rather than being called).
    sent = profile_unshared.send(candidate, actor=actor, employer_ids=employer_ids)
    return [proposal for ended in collected(sent) for proposal in ended]
