"""The audit trail: every state change and every view of personal data writes one row."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from portal.core import audit_chain
from portal.core.models import AuditEvent
from portal.extensions import AppSession, db

logger = logging.getLogger(__name__)

audit_chain.install(AppSession)

#: One candidate's data was shown on a page (a profile, a form, a placement): ``object_id`` is the candidate.
CANDIDATE_VIEWED = "candidate.viewed"
#: A list page named these candidates: one event per page view, ids in ``detail["candidate_ids"]``.
CANDIDATES_LISTED = "candidates.listed"

#: Where (and so why) a candidate's data was seen: the audit detail "context", in words.
CONTEXT_LABELS = {
    "staff_profile": "Profielpagina van de gemeente",
    "matching": "Lijst met passende kandidaten bij een aanvraag",
    "matching_list": "Lijst met passende kandidaten bij een aanvraag",
    "employer_proposal": "Voorstel aan de werkgever",
    "proposal": "Voorstel aan de werkgever",
    "candidate_edit": "Profiel bewerken",
    "candidates_list": "Lijst met kandidaten",
    "home": "Startpagina",
    "placements_list": "Lijst met plaatsingen",
    "placement": "Pagina van de plaatsing",
    "placement_decision": "Besluit over het einde van de plaatsing",
    "placement_dropout": "Uitval vastleggen",
    "placement_contract": "Contract aanpassen (nazorg)",
    "placement_checkin": "Nazorggesprek",
    "placement_outcome": "Nazorg afronden",
    "weekly_log": "Weekverslag",
    "visit_form": "Werkplekbezoek vastleggen",
    "tasks_list": "Lijst met taken",
    "alerts_list": "Lijst met signalen",
    "alert_resolve": "Signaal afhandelen",
    "request_proposals": "Voorgestelde kandidaten bij een aanvraag",
    "calendar_feed": "Agenda-abonnement",
    "monitoring_list": "Lijst achter een cijfer (Cijfers)",
    "monitoring_export": "Download van de monitoringlijst of de plaatsingen",
    "journey": "Traject van de kandidaat",
    "exit_confirm": "Uitstroom bevestigen",
    "caseload_reassign": "Kandidaten overdragen",
    "followup": "Navraag na uitstroom",
    "followups_list": "Lijst met navragen",
    "followup_question": "Vraag aan de werkgever (link in e-mail)",
    "access_request": "Inzageverzoek van de kandidaat (AVG artikel 15)",
    "privacy_request": "Verzoek over persoonsgegevens vastleggen",
    "retention": "Bewaartermijn van het dossier",
    "mfa_reset": "Inlogcode-app van een gebruiker losgekoppeld door de beheerder",
}


def record(
    actor,
    action: str,
    obj: Any | None = None,
    *,
    municipality_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for ``actor`` doing ``action`` to ``obj`` (flushes nothing; the caller commits).

    ``actor`` is a User or None (the system or an anonymous visitor). ``detail`` holds ids and codes,
    never names, e-mail addresses or free text about a person.
    """
    if municipality_id is None:
        municipality_id = getattr(obj, "municipality_id", None) or getattr(actor, "municipality_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None),
        municipality_id=municipality_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail,
    )
    db.session.add(event)
    logger.info("audit %s on %s %s by user %s", action, event.object_type, event.object_id, event.actor_id)
    return event


def record_many(
    actor, action: str, object_type: str, items: Iterable[tuple[int, int | None, dict[str, Any]]]
) -> int:
    """One event per ``(object id, municipality id, detail)`` of ``object_type`` (a sweep's bulk writer).

    The events are only added: the next flush inserts them together (batched by SQLAlchemy) and chains
    them among themselves in this order (``audit_chain``). Returns how many were added.
    """
    actor_id = getattr(actor, "id", None)
    events = [
        AuditEvent(
            actor_id=actor_id,
            actor_role=getattr(actor, "role", None),
            municipality_id=municipality_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
        for object_id, municipality_id, detail in items
    ]
    db.session.add_all(events)
    if events:
        logger.info("audit %s on %s %s objects by user %s", action, object_type, len(events), actor_id)
    return len(events)


def record_viewed(actor, candidate, context: str, **detail: Any) -> AuditEvent:
    """One event for a page view that showed this candidate's data; ``context`` says where (and why)."""
    return record(actor, CANDIDATE_VIEWED, candidate, context=context, **detail)


def record_listing(
    actor, candidate_ids: Iterable[int], context: str, *, municipality_id: int | None = None, **detail: Any
) -> AuditEvent | None:
    """One event for a page view that named these candidates (none when it named nobody).

    A list consults every candidate it shows; one row per page view (not per candidate) keeps the trail
    small while an access request can still answer who saw whom, when and where (``listed_candidate``).
    """
    ids = sorted({int(candidate_id) for candidate_id in candidate_ids})
    if not ids:
        return None
    return record(
        actor,
        CANDIDATES_LISTED,
        municipality_id=municipality_id,
        context=context,
        candidate_ids=ids,
        **detail,
    )


def listed_candidate(candidate_id: int) -> sa.ColumnElement[bool]:
    """SQL condition: this audit event is a listing that named ``candidate_id``."""
    if db.session.get_bind().dialect.name == "postgresql":
        ids = sa.cast(AuditEvent.detail, postgresql.JSONB)["candidate_ids"]
        named = ids.contains(sa.cast(sa.literal(f"[{int(candidate_id)}]"), postgresql.JSONB))
    else:
        members = sa.func.json_each(AuditEvent.detail, "$.candidate_ids").table_valued("value")
        named = sa.exists(sa.select(1).select_from(members).where(members.c.value == int(candidate_id)))
    return sa.and_(AuditEvent.action == CANDIDATES_LISTED, named)


def consulted_candidate(candidate_id: int) -> sa.ColumnElement[bool]:
    """SQL condition: this audit event shows that someone saw ``candidate_id`` (alone or in a list)."""
    alone = sa.and_(
        AuditEvent.action == CANDIDATE_VIEWED,
        AuditEvent.object_type == "Candidate",
        AuditEvent.object_id == candidate_id,
    )
    return sa.or_(alone, listed_candidate(candidate_id))
