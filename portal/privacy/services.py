"""Writes of the privacy domain: recording requests and their handling, auditing an export. Each takes
the acting user, checks ``permissions`` and only flushes; the caller commits."""

from __future__ import annotations

from datetime import date

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.time import now_utc, today_local
from portal.extensions import db
from portal.privacy import permissions
from portal.privacy.models import REQUEST_KINDS, PrivacyRequest

#: The audit context (purpose) of an access-request export.
ACCESS_CONTEXT = "access_request"
OUTCOME_NEEDED = "Schrijf op wat er met het verzoek is gedaan."


def _check_dates(received_on: date, handled_on: date | None) -> None:
    if received_on > today_local():
        raise DomainError("De datum van ontvangst kan niet in de toekomst liggen.", field="received_on")
    if handled_on is not None and handled_on > today_local():
        raise DomainError("De datum van afhandeling kan niet in de toekomst liggen.", field="handled_on")
    if handled_on is not None and handled_on < received_on:
        raise DomainError("De afhandeling kan niet vóór de ontvangst liggen.", field="handled_on")


def record_request(
    actor, candidate, *, kind: str, received_on: date, handled_on: date | None = None, outcome: str = ""
) -> PrivacyRequest:
    """Record a request of ``candidate`` about their data (open, or handled at once)."""
    if not permissions.may_handle_requests(actor, candidate):
        raise DomainError("U mag geen verzoeken voor deze kandidaat vastleggen.")
    if kind not in REQUEST_KINDS:
        raise DomainError("Kies het soort verzoek.", field="kind")
    _check_dates(received_on, handled_on)
    outcome = (outcome or "").strip()
    if handled_on is not None and not outcome:
        raise DomainError(OUTCOME_NEEDED, field="outcome")
    request = PrivacyRequest(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        kind=kind,
        received_on=received_on,
        handled_on=handled_on,
        outcome=outcome,
        recorded_by_id=actor.id,
        recorded_at=now_utc(),
        handled_by_id=actor.id if handled_on else None,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "privacy_request.recorded", request, candidate_id=candidate.id, kind=kind)
    if handled_on is not None:
        audit.record(actor, "privacy_request.handled", request, candidate_id=candidate.id, kind=kind)
    return request


def mark_handled(actor, candidate, request: PrivacyRequest, *, handled_on: date, outcome: str) -> None:
    """Close an open request with the date and what was done."""
    if not permissions.may_handle_requests(actor, candidate) or not permissions.may_mark_handled(
        actor, request
    ):
        raise DomainError("Dit verzoek is al afgehandeld.")
    _check_dates(request.received_on, handled_on)
    outcome = (outcome or "").strip()
    if not outcome:
        raise DomainError(OUTCOME_NEEDED, field="outcome")
    request.handled_on = handled_on
    request.outcome = outcome
    request.handled_by_id = actor.id
    db.session.flush()
    audit.record(actor, "privacy_request.handled", request, candidate_id=candidate.id, kind=request.kind)


def record_export(actor, candidate, export_format: str) -> None:
    """The export is itself a consultation of the profile: one audit event, with the purpose (a view in the
    context ``access_request``, so the next export and the profile's access history list it)."""
    if not permissions.may_handle_requests(actor, candidate):
        raise DomainError("U mag de gegevens van deze kandidaat niet opvragen.")
    audit.record_viewed(actor, candidate, ACCESS_CONTEXT, format=export_format)


def record_form_view(actor, candidate) -> None:
    audit.record_viewed(actor, candidate, "privacy_request")
