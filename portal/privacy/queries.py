"""Everything Werkbrug holds about one candidate, for an access request (AVG art. 15).

The tables come from the schema itself: every table with a foreign key to ``candidates``, or to a table
that has one (a placement's weekly logs, a weekly log's earlier versions, ...), is about the candidate.
Each needs a section title in ``SECTIONS`` (or a reason in ``NOT_EXPORTED``): tests/privacy fails for a
new table that has neither. Left out of every row, so the export says nothing about other persons:
columns that point at a user (staff and employer contacts; CJEU C-579/21: their identity is not part of
the answer), secrets, and the columns in ``HIDDEN``. A pointer to an organisation, workplace, placement
form or request is shown by its name.

Consultations come from the audit trail: when, and for what purpose, the profile was seen (alone, in a
list, or exported), with the viewer's role and, for an employer, the organisation; never a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal.core.audit import CONTEXT_LABELS, consulted_candidate
from portal.extensions import db
from portal.models import AuditEvent, Base, Candidate, Employer, User
from portal.privacy.models import PrivacyRequest

#: Table → section title. ``candidates`` (the profile itself) comes first; the rest in this order.
SECTIONS = {
    "candidates": "Profiel",
    "candidate_versions": "Wijzigingen in het profiel",
    "consents": "Toestemming",
    "candidate_stage_changes": "Fasen in het traject",
    "screenings": "Screenings",
    "plan_steps": "Stappen in het plan",
    "proposals": "Voorstellen aan werkgevers",
    "placements": "Plaatsingen",
    "placement_status_changes": "Wijzigingen in de status van een plaatsing",
    "weekly_logs": "Weekverslagen",
    "weekly_log_versions": "Eerdere versies van weekverslagen",
    "log_reminders": "Herinneringen aan de werkgever voor het weekverslag",
    "visits": "Werkplekbezoeken",
    "checkins": "Nazorggesprekken",
    "end_decisions": "Besluiten over het einde van een plaatsing",
    "alerts": "Signalen",
    "tasks": "Taken",
    "exits": "Uitstroom",
    "retention_followups": "Navraag na uitstroom",
    "outbox_emails": "E-mails over de kandidaat",
    "privacy_requests": "Verzoeken over persoonsgegevens",
}
#: Tables that point at a candidate but are not exported, with the reason (none so far).
NOT_EXPORTED: dict[str, str] = {}

#: Columns left out: secrets, internal keys, and what would name other persons (the recipient of an
#: e-mail and its body, which greets them by name).
HIDDEN = {
    "outbox_emails": {"to_address", "body_text", "dedupe_key", "last_error", "contains_secret", "attempts"},
    "log_reminders": {"outbox_email_id"},
    "retention_followups": {"token_hash", "token_expires_at"},
    "alerts": {"evidence_key", "evidence_path"},
}
#: A pointer to one of these tables is shown as that row's name (organisations, not persons).
NAMED_BY = {
    "municipalities": "name",
    "employers": "name",
    "workplaces": "name",
    "placement_types": "name",
    "placement_requests": "role_title",
}
#: Pointers to these tables name a person other than the candidate: the column is left out.
PERSON_TABLES = {"users"}

#: Column name → Dutch label (any table); a column without one is shown by its name.
LABELS = {
    "id": "Nummer",
    "pseudonym": "Code",
    "first_name": "Voornaam",
    "last_name": "Achternaam",
    "email": "E-mailadres",
    "phone": "Telefoonnummer",
    "home_town": "Woonplaats",
    "municipality_id": "Gemeente",
    "employer_id": "Werkgever",
    "employer_name": "Werkgever",
    "workplace_id": "Werkplek",
    "placement_type_id": "Plaatsingsvorm",
    "request_id": "Aanvraag",
    "placement_id": "Plaatsing (nummer)",
    "proposal_id": "Voorstel (nummer)",
    "candidate_id": "Kandidaat (nummer)",
    "log_id": "Weekverslag (nummer)",
    "visit_id": "Werkplekbezoek (nummer)",
    "exit_id": "Uitstroom (nummer)",
    "task_id": "Taak (nummer)",
    "status": "Status",
    "kind": "Soort",
    "note": "Notitie",
    "reason": "Reden",
    "outcome": "Uitkomst",
    "created_at": "Gemaakt op",
    "updated_at": "Laatst gewijzigd op",
    "recorded_at": "Vastgelegd op",
    "changed_at": "Gewijzigd op",
    "version": "Versie",
    "changes": "Wijzigingen",
    "given_at": "Gegeven op",
    "withdrawn_at": "Ingetrokken op",
    "method": "Hoe gegeven",
    "text_version": "Versie van de tekst",
    "education_level": "Opleidingsniveau",
    "education_country": "Land van de opleiding",
    "education_completed_nl": "Opleiding afgerond in Nederland",
    "diploma_evaluation": "Diplomawaardering",
    "work_experience": "Werkervaring",
    "dutch_level": "Niveau Nederlands",
    "english_level": "Niveau Engels",
    "other_languages": "Andere talen",
    "certificates": "Certificaten",
    "available_days": "Dagen beschikbaar",
    "hours_per_week": "Uren per week",
    "class_days": "Lesdagen",
    "learning_route": "Leerroute",
    "plan_a": "Plan A",
    "plan_b": "Plan B",
    "plan_c": "Plan C",
    "desired_sectors": "Gewenste sectoren",
    "work_readiness": "Werkfit",
    "travel_range_km": "Reisafstand (km)",
    "motivation": "Motivatie",
    "screened_on": "Gescreend op",
    "care_first": "Zorg gaat eerst",
    "stage": "Fase",
    "stage_since": "In deze fase sinds",
    "plan_agreed_on": "Plan afgesproken op",
    "plan_review_on": "Plan opnieuw bekijken op",
    "start_date": "Startdatum",
    "planned_end_date": "Geplande einddatum",
    "actual_start_date": "Echte startdatum",
    "ended_on": "Geëindigd op",
    "end_reason": "Reden van het einde",
    "end_note": "Toelichting bij het einde",
    "days_per_week": "Dagen per week",
    "contract_type": "Soort contract",
    "contract_hours": "Uren in het contract",
    "week_start": "Week van",
    "days_planned": "Dagen gepland",
    "days_present": "Dagen aanwezig",
    "hours_absent": "Uren afwezig",
    "absence_reason": "Reden van afwezigheid",
    "notes": "Opmerkingen",
    "concern_text": "Zorg",
    "visit_date": "Datum van het bezoek",
    "observations": "Wat is gezien",
    "risk": "Risico",
    "risk_reason": "Reden van het risico",
    "due_date": "Uiterlijk op",
    "due_on": "Uiterlijk op",
    "held_on": "Gehouden op",
    "title": "Onderwerp",
    "subject": "Onderwerp",
    "sent_at": "Verstuurd op",
    "received_on": "Ontvangen op",
    "handled_on": "Afgehandeld op",
    "entered_on": "Begonnen op",
    "done_on": "Gedaan op",
    "exit_on": "Datum van uitstroom",
    "meeting_at": "Kennismaking op",
    "meeting_place": "Plaats van de kennismaking",
    "decline_reason": "Reden van afwijzing",
    "decline_text": "Toelichting bij afwijzing",
    "from_status": "Van status",
    "to_status": "Naar status",
    "opened_at": "Geopend op",
    "resolved_at": "Afgehandeld op",
    "resolution_note": "Afhandeling",
    "severity": "Ernst",
    "rule": "Regel",
}


@dataclass(frozen=True)
class Section:
    table: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]


def candidate_tables() -> set[str]:
    """Names of every table about a candidate: a foreign key to ``candidates`` or to such a table."""
    found = {"candidates"}
    while True:
        more = {
            table.name
            for table in Base.metadata.tables.values()
            if table.name not in found and any(fk.column.table.name in found for fk in table.foreign_keys)
        }
        if not more:
            return found
        found |= more


def _belongs(table: sa.Table, candidate_id: int, through: frozenset[str]) -> sa.ColumnElement[bool]:
    """WHERE clause: rows of ``table`` that point at the candidate, directly or through another table."""
    if table.name == "candidates":
        return table.c.id == candidate_id
    conditions = []
    for fk in sorted(table.foreign_keys, key=lambda fk: fk.parent.name):
        parent = fk.column.table
        if parent.name == "candidates":
            conditions.append(fk.parent == candidate_id)
        elif parent.name in SECTIONS and parent.name not in through and parent is not table:
            inner = _belongs(parent, candidate_id, through | {table.name})
            conditions.append(fk.parent.in_(sa.select(parent.c.id).where(inner)))
    return sa.or_(*conditions) if conditions else sa.false()


def about_candidate(table: sa.Table, candidate_id: int) -> sa.ColumnElement[bool]:
    """WHERE clause: the rows of ``table`` about the candidate (the same rows an access request exports)."""
    return _belongs(table, candidate_id, frozenset())


def _shown_columns(table: sa.Table) -> list[sa.Column]:
    hidden = HIDDEN.get(table.name, set())
    return [
        column
        for column in table.columns
        if column.name not in hidden
        and not any(fk.column.table.name in PERSON_TABLES for fk in column.foreign_keys)
    ]


def _named_pointer(column: sa.Column) -> str | None:
    return next(
        (fk.column.table.name for fk in column.foreign_keys if fk.column.table.name in NAMED_BY), None
    )


def _names(wanted: dict[str, set[int]]) -> dict[str, dict[int, str]]:
    """One query per kind of organisation/object named: id → name."""
    names: dict[str, dict[int, str]] = {}
    for table_name, ids in wanted.items():
        table = Base.metadata.tables[table_name]
        name = table.c[NAMED_BY[table_name]]
        rows = db.session.execute(sa.select(table.c.id, name).where(table.c.id.in_(sorted(ids)))).all()
        names[table_name] = {row[0]: row[1] for row in rows}
    return names


def sections(candidate_id: int) -> list[Section]:
    """Every row about the candidate, per table, in ``SECTIONS`` order; pointers named (bounded queries)."""
    raw: list[tuple[sa.Table, list[sa.Column], list[sa.Row]]] = []
    wanted: dict[str, set[int]] = {}
    for table_name in SECTIONS:
        table = Base.metadata.tables.get(table_name)
        if table is None:
            continue
        columns = _shown_columns(table)
        query = sa.select(*columns).where(about_candidate(table, candidate_id)).order_by(table.c.id)
        rows = db.session.execute(query).all()
        raw.append((table, columns, rows))
        for column in columns:
            target = _named_pointer(column)
            if target:
                wanted.setdefault(target, set()).update(
                    row._mapping[column.name] for row in rows if row._mapping[column.name] is not None
                )
    names = _names(wanted)
    result = []
    for table, columns, rows in raw:
        pointers = {column.name: _named_pointer(column) for column in columns}
        result.append(
            Section(
                table=table.name,
                title=SECTIONS[table.name],
                columns=[column.name for column in columns],
                rows=[
                    {
                        name: (
                            names[pointers[name]].get(value, value)
                            if pointers[name] and value is not None
                            else value
                        )
                        for name, value in row._mapping.items()
                    }
                    for row in rows
                ],
            )
        )
    return result


def consultations(candidate_id: int) -> list[dict[str, Any]]:
    """When and why the candidate's data was seen, oldest first: date, purpose, role, organisation."""
    rows = db.session.execute(
        sa.select(
            AuditEvent.occurred_at,
            AuditEvent.action,
            AuditEvent.actor_role,
            AuditEvent.detail,
            Employer.name.label("employer_name"),
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Employer, Employer.id == User.employer_id)
        .where(consulted_candidate(candidate_id))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ).all()
    result = []
    for row in rows:
        context = (row.detail or {}).get("context") or ""
        result.append(
            {
                "occurred_at": row.occurred_at,
                "purpose": CONTEXT_LABELS.get(context, context or "Onbekend"),
                "context": context,
                "in_list": row.action == "candidates.listed",
                "role": row.actor_role,
                "organisation": row.employer_name if row.actor_role == "employer" else None,
            }
        )
    return result


def requests_of(candidate_id: int) -> sa.Select:
    """The candidate's requests about their data, newest first."""
    return (
        sa.select(PrivacyRequest)
        .where(PrivacyRequest.candidate_id == candidate_id)
        .order_by(PrivacyRequest.received_on.desc(), PrivacyRequest.id.desc())
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def export_document(candidate: Candidate, generated_at: datetime) -> dict[str, Any]:
    """The machine-readable export: every section, the consultations, plain JSON values."""
    return {
        "document": "Inzage in persoonsgegevens (AVG artikel 15)",
        "candidate": candidate.pseudonym,
        "generated_at": generated_at.isoformat(),
        "sections": {
            section.table: {"title": section.title, "rows": _plain(section.rows)}
            for section in sections(candidate.id)
        },
        "consultations": _plain(consultations(candidate.id)),
    }


def open_requests(municipality_id: int, specialist_id: int | None = None) -> sa.Select:
    """Rows (request, candidate_id) of the municipality's requests not yet handled, newest received first;
    with ``specialist_id`` only those about that specialist's candidates (their home page)."""
    query = (
        sa.select(PrivacyRequest, PrivacyRequest.candidate_id)
        .where(PrivacyRequest.municipality_id == municipality_id, PrivacyRequest.handled_on.is_(None))
        .order_by(PrivacyRequest.received_on.desc(), PrivacyRequest.id.desc())
    )
    if specialist_id is not None:
        query = query.join(Candidate, Candidate.id == PrivacyRequest.candidate_id).where(
            Candidate.specialist_id == specialist_id
        )
    return query
