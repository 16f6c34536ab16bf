"""Write-side verbs of retention follow-ups. They flush and audit; the caller (view or job) commits once.

- ``sweep``: for every follow-up that is due, open the specialist's task and ask the employer one short
  question by e-mail (a single-use link; only its SHA-256 is stored, and the outbox forgets the body once
  sent); cancel questions whose link was used or expired before they went out.
- ``answer_with_link`` / ``record_answer``: the employer's answer through the link, or the specialist's.
  Either closes the task.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.audit import record, record_listing, record_viewed
from portal.core.errors import DomainError
from portal.core.outbox import queue_email, retire_secret
from portal.core.time import as_utc, now_utc, to_local
from portal.core.tokens import hash_token, new_token
from portal.employers.models import Employer
from portal.extensions import db
from portal.followups import permissions, queries
from portal.journey.models import Exit, RetentionFollowUp
from portal.tasks.models import Task
from portal.tasks.services import create_candidate_task, finish_task

ALREADY_ANSWERED = "Deze navraag is al beantwoord."
NOT_YOURS = "Deze navraag kunt u niet vastleggen."
HOURS_RANGE = "Vul een getal van 0 tot en met 40 in."
NOTE_MAX = 500


def answer_days() -> int:
    return current_app.config["FOLLOWUP_ANSWER_DAYS"]


# The sweep ------------------------------------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Start every due follow-up once, and retire answer links; a summary of what it did.

    Idempotent: a started follow-up has its task, so a second run (or a concurrent one: the rows are
    claimed with SKIP LOCKED) starts nothing again; the mail's dedupe key keeps it to one question.
    """
    now = now or now_utc()
    today = to_local(now).date()
    started = asked = 0
    for followup in db.session.scalars(queries.due_to_start(today)).all():
        started += 1
        asked += _start(followup, now)
    retired = retire_links(now)
    db.session.flush()
    return {"started": started, "asked": asked, "links_retired": retired}


def _title(followup: RetentionFollowUp) -> str:
    return f"Navraag {followup.months} maanden na uitstroom: werkt de kandidaat nog?"


def _start(followup: RetentionFollowUp, now: datetime) -> bool:
    """Open the task and ask the employer (when one with an e-mail address is known); whether it asked."""
    candidate = db.session.get(Candidate, followup.candidate_id)
    exit_row = db.session.get(Exit, followup.exit_id)
    task = create_candidate_task(
        None,
        candidate,
        title=_title(followup),
        kind="followup",
        due_date=followup.due_on + timedelta(days=answer_days()),
        assignee_id=queries.responsible_user_id(candidate, exit_row),
        placement_id=exit_row.placement_id,
    )
    followup.task_id = task.id
    employer_id = followup.employer_id or exit_row.employer_id
    recipient = None
    if employer_id is not None:
        recipient = db.session.scalar(queries.employer_recipient(employer_id, followup.municipality_id))
    if recipient is not None:
        _ask(followup, candidate, exit_row, db.session.get(Employer, employer_id), recipient, now)
    record(None, "followup.started", followup, task_id=task.id, asked_employer=recipient is not None)
    db.session.flush()
    return recipient is not None


def _ask(followup, candidate, exit_row, employer, recipient: User, now: datetime) -> None:
    """Queue the one question, with a fresh single-use link; only its hash is kept."""
    raw, hashed = new_token()
    followup.token_hash = hashed
    followup.token_expires_at = now + timedelta(days=answer_days())
    followup.question_sent_at = now
    label = queries.employer_label(candidate, employer.id)
    queue_email(
        to=recipient.email,
        template="followups/question",
        dedupe_key=queries.question_key(followup.id),
        municipality_id=followup.municipality_id,
        contains_secret=True,
        recipient=recipient,
        employer_name=employer.name,
        label=label,
        months=followup.months,
        started_on=exit_row.exit_on,
        token=raw,
        expires_at=followup.token_expires_at,
    )


def retire_links(now: datetime) -> int:
    """Cancel (or, when failed, forget the body of) questions whose link was answered or expired before
    they went out; a delivered question forgets its body by itself. How many it retired."""
    retired = 0
    for message, followup in db.session.execute(queries.questions_still_holding_a_link()).all():
        expired = followup.token_expires_at is not None and as_utc(followup.token_expires_at) <= now
        if followup.answered_at is not None or expired:
            retired += retire_secret(message)
    return retired


# Answers --------------------------------------------------------------------------------------------------


def find_by_link(raw_token: str | None) -> RetentionFollowUp | None:
    """The follow-up whose link carries ``raw_token`` (any state), or None."""
    if not raw_token or len(raw_token) > 200:
        return None
    return db.session.scalar(queries.by_token_hash(hash_token(raw_token)))


def _check_answer(values: dict[str, Any]) -> dict[str, Any]:
    employed = values.get("still_employed")
    if not isinstance(employed, bool):
        raise DomainError("Kies ja of nee.", "still_employed")
    hours = values.get("hours_per_week")
    if hours is not None and (not isinstance(hours, int) or isinstance(hours, bool) or not 0 <= hours <= 40):
        raise DomainError(HOURS_RANGE, "hours_per_week")
    if employed and hours is None:
        raise DomainError("Vul het aantal uur per week in.", "hours_per_week")
    extended = values.get("contract_extended")
    if extended is not None and not isinstance(extended, bool):
        raise DomainError("Kies ja, nee of weet ik niet.", "contract_extended")
    note = values.get("note") or None
    if note is not None and len(note) > NOTE_MAX:
        raise DomainError(f"Gebruik hoogstens {NOTE_MAX} tekens.", "note")
    return {
        "still_employed": employed,
        "hours_per_week": hours if employed else None,
        "contract_extended": extended if employed else None,
        "note": note,
    }


def _answer(actor: User | None, followup: RetentionFollowUp, via: str, values: dict[str, Any]) -> None:
    if followup.answered_at is not None:
        raise DomainError(ALREADY_ANSWERED)
    answer = _check_answer(values)
    now = now_utc()
    for name, value in answer.items():
        setattr(followup, name, value)
    followup.answered_at = now
    followup.answered_via = via
    followup.answered_by_id = getattr(actor, "id", None)
    if followup.task_id is not None:
        task = db.session.get(Task, followup.task_id)
        if task is not None:
            finish_task(actor, task, f"followup_answered_by_{via}")
    message = db.session.scalar(queries.question_message(followup.id))
    if message is not None:
        retire_secret(message)
    record(
        actor,
        "followup.answered",
        followup,
        via=via,
        months=followup.months,
        candidate_id=followup.candidate_id,
        still_employed=answer["still_employed"],
    )
    db.session.flush()


def answer_with_link(
    followup: RetentionFollowUp, values: dict[str, Any], now: datetime | None = None
) -> None:
    """The employer's answer through the e-mailed link (no account: the link is the proof)."""
    if permissions.link_state(followup, now or now_utc()) != "open":
        raise DomainError(ALREADY_ANSWERED if followup.answered_at else "Deze link werkt niet meer.")
    _answer(None, followup, "employer", values)


def record_answer(actor: User, followup: RetentionFollowUp, values: dict[str, Any]) -> None:
    """The specialist records the answer (asked by phone, or the employer did not use the link)."""
    if followup.answered_at is not None:
        raise DomainError(ALREADY_ANSWERED)
    if not permissions.may_record_answer(actor, followup):
        raise DomainError(NOT_YOURS)
    _answer(actor, followup, "specialist", values)


# Audit of what a page showed -----------------------------------------------------------------------------


def record_view(actor: User, candidate: Candidate) -> None:
    """A contact opened a follow-up of this candidate."""
    record_viewed(actor, candidate, "followup")
    db.session.flush()


def record_question_shown(followup: RetentionFollowUp) -> None:
    """The answer page named the candidate to whoever holds the link."""
    record_listing(
        None, [followup.candidate_id], "followup_question", municipality_id=followup.municipality_id
    )
    db.session.flush()
