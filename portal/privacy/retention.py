"""Retention: anonymise a candidate whose closed dossier passed the team's retention period (PV-1).

When a dossier closed, and so when it is due, is the journey's business (``portal.journey.queries``:
``dossier_closed_on``, ``expiring``); the team sets the period (``TeamSettings.retention_months``, default
24 months after the dossier closed, the VNG Selectielijst's two years). The nightly job
``privacy.purge`` (``portal.privacy.jobs``) calls ``purge_due`` here.

What the purge does, per table about the candidate (the tables an access request exports, found from the
schema): it overwrites the columns in ``PURGED`` (names, contact data, free text) and keeps the rest
(``KEPT`` says why per text column): the codes, dates, statuses and outcomes the team's figures count.
No row is deleted, so the dashboard's figures do not change. The candidate is marked ``anonymised_at``
and shows as "Geanonimiseerd". The audit trail is never touched: one ``candidate.anonymised`` event says
which tables and columns were overwritten and how many rows, never a value. A second run finds nothing.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from portal.candidates.models import Candidate
from portal.core.audit import record
from portal.core.time import now_utc, to_local
from portal.extensions import db
from portal.journey.queries import Expiring, expiring, team_settings
from portal.models import Base, Municipality
from portal.privacy.queries import about_candidate

logger = logging.getLogger(__name__)

#: How an anonymised candidate is named everywhere.
ANONYMOUS_NAME = "Geanonimiseerd"
#: What a purged e-mail, task title or required text says instead.
PURGED_TEXT = "Verwijderd na de bewaartermijn"
#: Candidates anonymised per transaction: a large run never holds its locks long.
CHUNK = 25

#: Table → column → the value the purge writes. Every text column of a table about a candidate is here
#: or in ``KEPT`` (tests/privacy/test_retention.py fails for a new one that is in neither).
PURGED: dict[str, dict[str, Any]] = {
    "candidates": {
        "first_name": ANONYMOUS_NAME,
        "last_name": "",
        "email": None,
        "phone": None,
        "home_town": "",
        "education_country": None,
        "diploma_evaluation": None,
        "work_experience": [],
        "other_languages": "",
        "certificates": "",
        "plan_a": None,
        "plan_b": None,
        "plan_c": None,
        "motivation": None,
        "retention_extension_reason": None,
    },
    "candidate_versions": {"changes": {}},
    "candidate_stage_changes": {"note": None},
    "screenings": {"outcome": ""},
    "plan_steps": {"note": None},
    "proposals": {"note": None, "decline_text": None, "meeting_place": None},
    "placements": {"employer_preference_note": None, "end_note": None, "outcome_note": None},
    "placement_status_changes": {"reason": None},
    "weekly_logs": {
        "notes": {},
        "absence_reason": None,
        "language_goals_met": None,
        "concern_text": None,
        "needs_from_municipality": None,
    },
    "weekly_log_versions": {"data": {}},
    "visits": {"observations": None, "risk_reason": None},
    "checkins": {"problems": None, "agreements": None},
    "end_decisions": {"note": None},
    "alerts": {"reason": PURGED_TEXT, "resolution_note": None},
    "tasks": {"title": PURGED_TEXT},
    "exits": {"reason": None},
    "retention_followups": {"note": None, "token_hash": None, "token_expires_at": None},
    "outbox_emails": {"subject": PURGED_TEXT, "body_text": PURGED_TEXT},
    "privacy_requests": {"outcome": ""},
}

#: Text columns of tables about a candidate that the purge keeps, and why.
KEPT: dict[str, dict[str, str]] = {
    "candidates": {
        "pseudonym": "a random code; without the name it points at nobody, and exports count by it",
        "available_days": "codes of weekdays",
        "class_days": "codes of weekdays",
        "desired_sectors": "sector codes",
    },
    "consents": {"text_version": "the version of the consent text, a code"},
    "candidate_stage_changes": {"provider": "an organisation (the voortraject's provider)"},
    "screenings": {"instrument_name": "the name of a screening instrument"},
    "visits": {"spoken_with": "role codes"},
    "checkins": {"scores": "the four-point scores the figures use"},
    "alerts": {
        "rule": "the code of a risk rule",
        "evidence_key": "an internal key",
        "evidence_path": "a link inside the portal",
    },
    "tasks": {"cancelled_reason": "written by the portal when a task lapses"},
    "exits": {"employer_name": "an organisation (a direct hire's employer)"},
    "outbox_emails": {
        "dedupe_key": "an internal key of ids",
        "to_address": "the recipient (staff or an employer), not the candidate",
        "last_error": "the mail server's answer",
    },
}


def text_columns(table: sa.Table) -> list[str]:
    """Columns that can hold words about a person: strings of 30 characters or more, texts and JSON."""
    return [
        column.name
        for column in table.columns
        if isinstance(column.type, sa.Text | sa.JSON)
        or (isinstance(column.type, sa.String) and (column.type.length or 0) >= 30)
    ]


def _outbox_about(candidate: Candidate) -> sa.ColumnElement[bool]:
    """E-mails about the candidate: marked with their id, sent to their address, or naming them (by code
    or full name as a whole word: K-2026-004 does not match K-2026-0042)."""
    table = Base.metadata.tables["outbox_emails"]
    marked = about_candidate(table, candidate.id)
    names = [candidate.pseudonym]
    if candidate.first_name and candidate.last_name:
        names.append(f"{candidate.first_name} {candidate.last_name}")
    loose = [marked, *(table.c.body_text.contains(name, autoescape=True) for name in names)]
    if candidate.email:
        loose.append(sa.func.lower(table.c.to_address) == candidate.email.lower())
    rows = db.session.execute(
        sa.select(table.c.id, table.c.to_address, table.c.body_text, marked.label("marked")).where(
            sa.or_(*loose)
        )
    ).all()
    words = re.compile("|".join(rf"(?<![\w-]){re.escape(name)}(?![\w-])" for name in names))
    email = (candidate.email or "").lower()
    ids = [
        row.id
        for row in rows
        if row.marked
        or (email and (row.to_address or "").lower() == email)
        or words.search(row.body_text or "")
    ]
    return table.c.id.in_(ids)


def anonymise(
    candidate: Candidate, *, purge_on: date | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Overwrite everything in ``PURGED`` about the candidate and mark them anonymised (only flushes).

    Returns rows overwritten per table (empty when another run got there first). The audit event names
    the tables, columns and counts only.
    """
    now = now or now_utc()
    outbox = _outbox_about(candidate)  # before the name is gone
    # Claim the candidate first: a second run at the same moment (``flask run-job`` beside the scheduler)
    # waits for this row on PostgreSQL and then finds it anonymised, so nothing is done or audited twice.
    claimed = db.session.execute(
        sa.update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.anonymised_at.is_(None))
        # No longer available: an anonymised profile is never proposed to an employer again.
        .values(anonymised_at=now, status="inactive"),
        execution_options={"synchronize_session": False},
    )
    if not claimed.rowcount:
        db.session.expire(candidate)
        return {}
    counts: dict[str, int] = {}
    for table_name, values in PURGED.items():
        table = Base.metadata.tables[table_name]
        where = outbox if table_name == "outbox_emails" else about_candidate(table, candidate.id)
        if table_name == "outbox_emails":
            # What was still to be sent about them is not sent any more.
            db.session.execute(
                sa.update(table).where(where, table.c.status == "pending").values(status="cancelled")
            )
        result = db.session.execute(sa.update(table).where(where).values(**values))
        if result.rowcount:
            counts[table_name] = result.rowcount
    db.session.expire(candidate)
    record(
        None,
        "candidate.anonymised",
        candidate,
        municipality_id=candidate.municipality_id,
        purge_on=purge_on.isoformat() if purge_on else None,
        tables={name: {"rows": counts[name], "fields": sorted(PURGED[name])} for name in sorted(counts)},
    )
    db.session.flush()
    return counts


def due(municipality_id: int, today: date) -> list[Expiring]:
    """The municipality's candidates whose purge date is today or passed, oldest purge date first."""
    months = team_settings(municipality_id).retention_months
    found = expiring(municipality_id, months, today)
    return sorted(found, key=lambda item: (item.purge_on, item.candidate.id))


def purge_due(now: datetime | None = None) -> dict[str, Any]:
    """Anonymise every candidate past their purge date, municipality by municipality, ``CHUNK`` candidates
    per transaction (each chunk is committed). Idempotent: a second run finds nobody."""
    now = now or now_utc()
    today = to_local(now).date()
    anonymised = rows = 0
    municipality_ids = db.session.scalars(sa.select(Municipality.id).order_by(Municipality.id)).all()
    for municipality_id in municipality_ids:
        items = due(municipality_id, today)
        for start in range(0, len(items), CHUNK):
            for item in items[start : start + CHUNK]:
                counts = anonymise(item.candidate, purge_on=item.purge_on, now=now)
                anonymised += 1 if counts else 0
                rows += sum(counts.values())
            db.session.commit()
    if anonymised:
        logger.info("Retention purge anonymised %s candidates (%s rows)", anonymised, rows)
    return {"candidates_anonymised": anonymised, "rows_purged": rows}
