"""Read-side queries of retention follow-ups: the sweep's work, the staff list, the home page and the feed.

Every staff query is scoped to the user's municipality. "Overdue" means the employer's answer window
(``FOLLOWUP_ANSWER_DAYS`` after the due date) has passed without an answer: the specialist acts now.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.candidates.disclosure import label_column, reveals_identity
from portal.candidates.models import Candidate
from portal.core.models import OutboxEmail
from portal.core.outbox import LINK_REMOVED_TEXT
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import Exit, RetentionFollowUp
from portal.placements.models import Placement
from portal.tasks.models import Task

#: The outbox dedupe key of the question to the employer: this prefix and the follow-up's id.
QUESTION_KEY = "followups.question:"
#: The states the staff list filters on.
STATES = {
    "open": "Te doen (wacht op antwoord of te laat)",
    "due": "Wacht op antwoord",
    "overdue": "Te laat",
    "answered": "Beantwoord",
    "upcoming": "Nog niet aan de beurt",
    "all": "Alle",
}
#: The home page shows this many overdue follow-ups; the rest is on the list.
HOME_LIMIT = 10
#: No feed query returns more rows than this.
FEED_MAX_ROWS = 500


def question_key(followup_id: int) -> str:
    return f"{QUESTION_KEY}{followup_id}"


# The sweep ------------------------------------------------------------------------------------------------


def due_to_start(today: date) -> sa.Select:
    """Follow-ups of confirmed exits due by ``today`` that have no task yet and no answer, oldest first.

    Claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: two sweeps never start the same one.
    """
    return (
        sa.select(RetentionFollowUp)
        .join(Exit, Exit.id == RetentionFollowUp.exit_id)
        .where(
            Exit.status == "confirmed",
            RetentionFollowUp.due_on <= today,
            RetentionFollowUp.task_id.is_(None),
            RetentionFollowUp.answered_at.is_(None),
        )
        .order_by(RetentionFollowUp.due_on, RetentionFollowUp.id)
        .with_for_update(of=RetentionFollowUp, skip_locked=True)
    )


def responsible_user_id(candidate: Candidate, exit_row: Exit) -> int | None:
    """Who gets the task: the candidate's specialist; else the placement's contact; else the employer's
    fixed contact at the municipality; else nobody in particular (every contact sees it on the list)."""
    if candidate.specialist_id is not None:
        return candidate.specialist_id
    if exit_row.placement_id is not None:
        contact = db.session.scalar(
            sa.select(Placement.contact_id).where(Placement.id == exit_row.placement_id)
        )
        if contact is not None:
            return contact
    if exit_row.employer_id is not None:
        return db.session.scalar(sa.select(Employer.contact_id).where(Employer.id == exit_row.employer_id))
    return None


def employer_recipient(employer_id: int, municipality_id: int) -> sa.Select:
    """The first active user of an approved employer of this municipality: who gets the question."""
    return (
        sa.select(User)
        .join(Employer, Employer.id == User.employer_id)
        .where(
            User.employer_id == employer_id,
            User.role == "employer",
            User.is_active.is_(True),
            Employer.status == "approved",
            Employer.municipality_id == municipality_id,
        )
        .order_by(User.id)
        .limit(1)
    )


def questions_still_holding_a_link() -> sa.Select:
    """(message, follow-up) of unsent questions (waiting or failed) whose body still holds the answer link;
    a sent one forgets its body itself (``portal.core.outbox.forget_secret``)."""
    key = sa.literal(QUESTION_KEY) + sa.cast(RetentionFollowUp.id, sa.String)
    return (
        sa.select(OutboxEmail, RetentionFollowUp)
        .join(RetentionFollowUp, OutboxEmail.dedupe_key == key)
        .where(
            OutboxEmail.dedupe_key.like(f"{QUESTION_KEY}%"),
            OutboxEmail.status.in_(("pending", "failed")),
            OutboxEmail.contains_secret.is_(True),
            OutboxEmail.body_text != LINK_REMOVED_TEXT,
        )
        .order_by(OutboxEmail.id)
    )


def employer_label(candidate: Candidate, employer_id: int) -> str:
    """How the employer may see the candidate named: the name only while the candidate's identity consent
    for this employer is live, else the pseudonym the employer knows from the placement."""
    return candidate.full_name if reveals_identity(candidate.id, employer_id) else candidate.pseudonym


def question_context(followup: RetentionFollowUp) -> dict:
    """What the employer's answer page shows: who (as the employer may see them), where, since when."""
    candidate = db.session.get(Candidate, followup.candidate_id)
    exit_row = db.session.get(Exit, followup.exit_id)
    employer_id = followup.employer_id or exit_row.employer_id
    employer = db.session.get(Employer, employer_id) if employer_id is not None else None
    return {
        "label": employer_label(candidate, employer.id) if employer else candidate.pseudonym,
        "employer_name": employer.name if employer else "",
        "months": followup.months,
        "started_on": exit_row.exit_on,
        "expires_at": followup.token_expires_at,
    }


def by_token_hash(token_hash: str) -> sa.Select:
    return sa.select(RetentionFollowUp).where(RetentionFollowUp.token_hash == token_hash)


def question_message(followup_id: int) -> sa.Select:
    return sa.select(OutboxEmail).where(OutboxEmail.dedupe_key == question_key(followup_id))


# Staff: lists, home page, feed --------------------------------------------------------------------------


def _overdue(late_before: date) -> sa.ColumnElement[bool]:
    """Unanswered and due before ``late_before`` (today minus the answer days): the answer window passed."""
    return sa.and_(RetentionFollowUp.answered_at.is_(None), RetentionFollowUp.due_on < late_before)


def _state_condition(state: str, today: date, late_before: date) -> sa.ColumnElement[bool]:
    """Follow-ups in ``state`` (``late_before``: see ``_overdue``)."""
    unanswered = RetentionFollowUp.answered_at.is_(None)
    return {
        "open": sa.and_(unanswered, RetentionFollowUp.due_on <= today),
        "due": sa.and_(
            unanswered, RetentionFollowUp.due_on <= today, RetentionFollowUp.due_on >= late_before
        ),
        "overdue": _overdue(late_before),
        "answered": RetentionFollowUp.answered_at.is_not(None),
        "upcoming": sa.and_(unanswered, RetentionFollowUp.due_on > today),
        "all": sa.true(),
    }[state]


def is_overdue(followup: RetentionFollowUp, today: date, answer_days: int) -> bool:
    """The Python twin of the ``overdue`` state."""
    return followup.answered_at is None and followup.due_on < today - timedelta(days=answer_days)


def _mine(user: User) -> sa.ColumnElement[bool]:
    """Follow-ups of the user's caseload, or whose task is theirs."""
    return sa.or_(Candidate.specialist_id == user.id, Task.assignee_id == user.id)


def _listed(user: User, condition: sa.ColumnElement[bool]) -> sa.Select:
    """(follow-up, exit, candidate label, employer name, candidate id) of the user's municipality that meet
    ``condition``, in one query."""
    employer = aliased(Employer)
    return (
        sa.select(
            RetentionFollowUp,
            Exit,
            label_column(user).label("label"),
            sa.func.coalesce(employer.name, Exit.employer_name).label("employer_name"),
            RetentionFollowUp.candidate_id.label("candidate_id"),
        )
        .join(Exit, Exit.id == RetentionFollowUp.exit_id)
        .join(Candidate, Candidate.id == RetentionFollowUp.candidate_id)
        .outerjoin(employer, employer.id == sa.func.coalesce(RetentionFollowUp.employer_id, Exit.employer_id))
        .outerjoin(Task, Task.id == RetentionFollowUp.task_id)
        .where(
            RetentionFollowUp.municipality_id == user.municipality_id,
            Candidate.municipality_id == user.municipality_id,
            condition,
        )
    )


def followups_for(
    user: User,
    state: str,
    today: date,
    answer_days: int,
    *,
    candidate_id: int | None = None,
    mine: bool = False,
) -> sa.Select:
    """(follow-up, exit, candidate label, employer name, candidate id) of the user's municipality in
    ``state``, in one query: by due date (answered ones: the latest answer first).
    """
    query = _listed(user, _state_condition(state, today, today - timedelta(days=answer_days)))
    if candidate_id is not None:
        query = query.where(RetentionFollowUp.candidate_id == candidate_id)
    if mine:
        query = query.where(_mine(user))
    if state == "answered":
        return query.order_by(RetentionFollowUp.answered_at.desc(), RetentionFollowUp.id.desc())
    return query.order_by(RetentionFollowUp.due_on, RetentionFollowUp.id)


def overdue_for_home(user: User, late_before: date) -> sa.Select:
    """The user's overdue follow-ups (``_overdue``; as ``followups_for`` with ``mine``), newest first: the one
    that became overdue last on top. Its values may be bind parameters (``portal.core.prebuilt``)."""
    return _listed(user, sa.and_(_overdue(late_before), _mine(user))).order_by(
        RetentionFollowUp.due_on.desc(), RetentionFollowUp.id.desc()
    )


def open_for_feed(user: User, last: date) -> sa.Select:
    """The user's unanswered follow-ups due by ``last`` (pseudonym and employer only), soonest first."""
    return (
        sa.select(
            RetentionFollowUp.id,
            RetentionFollowUp.months,
            RetentionFollowUp.due_on,
            RetentionFollowUp.candidate_id,
            Candidate.pseudonym,
            sa.func.coalesce(Employer.name, Exit.employer_name).label("employer_name"),
        )
        .join(Candidate, Candidate.id == RetentionFollowUp.candidate_id)
        .join(Exit, Exit.id == RetentionFollowUp.exit_id)
        .outerjoin(Employer, Employer.id == sa.func.coalesce(RetentionFollowUp.employer_id, Exit.employer_id))
        .outerjoin(Task, Task.id == RetentionFollowUp.task_id)
        .where(
            RetentionFollowUp.municipality_id == user.municipality_id,
            Exit.status == "confirmed",
            RetentionFollowUp.answered_at.is_(None),
            RetentionFollowUp.due_on <= last,
            _mine(user),
        )
        .order_by(RetentionFollowUp.due_on, RetentionFollowUp.id)
        .limit(FEED_MAX_ROWS)
    )


def followup_of(user: User, followup_id: int) -> sa.Select:
    """(follow-up, exit, candidate) of one follow-up in the user's municipality."""
    return (
        sa.select(RetentionFollowUp, Exit, Candidate)
        .join(Exit, Exit.id == RetentionFollowUp.exit_id)
        .join(Candidate, Candidate.id == RetentionFollowUp.candidate_id)
        .where(
            RetentionFollowUp.id == followup_id,
            RetentionFollowUp.municipality_id == user.municipality_id,
            Candidate.municipality_id == user.municipality_id,
        )
    )
