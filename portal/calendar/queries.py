"""Read-side queries of the calendar feed: one query per kind of event, whatever the number of rows.

Each query returns plain columns (no ORM objects, nothing lazy-loaded later): the event's own fields,
the placement id, the candidate's pseudonym and the employer's and workplace's names. Never a
candidate's name, phone or e-mail address.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.aftercare.models import CheckIn
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.employers.models import Employer, Workplace
from portal.placements.models import EndDecision, Placement
from portal.placements.queries import FINAL_DECISIONS
from portal.tasks.models import Task
from portal.visits.models import Visit

#: Only these roles have a feed.
FEED_ROLES = ("municipal", "jobcoach")
#: No query of the feed returns more rows than this.
MAX_ROWS = 500

#: Who and where an event is about: only the pseudonym, never the candidate's identity.
LABELS = (
    Placement.id.label("placement_id"),
    Placement.candidate_id.label("candidate_id"),
    Candidate.pseudonym.label("pseudonym"),
    Employer.name.label("employer_name"),
    Workplace.name.label("workplace_name"),
    Workplace.city.label("workplace_city"),
)


def user_by_token_hash(token_hash: str) -> sa.Select:
    """The active municipal contact or jobcoach whose feed secret has this SHA-256 (at most one)."""
    return sa.select(User).where(
        User.calendar_token_hash == token_hash,
        User.is_active.is_(True),
        User.role.in_(FEED_ROLES),
    )


def _labelled(query: sa.Select, user: User) -> sa.Select:
    """Join the placement's candidate, employer and workplace; only placements of the user's municipality."""
    return (
        query.join(Candidate, Candidate.id == Placement.candidate_id)
        .join(Employer, Employer.id == Placement.employer_id)
        .join(Workplace, Workplace.id == Placement.workplace_id)
        .where(Placement.municipality_id == user.municipality_id)
        .limit(MAX_ROWS)
    )


def _mine(user: User):
    """Placements the user is responsible for: the contact's own, or the jobcoach's assigned ones."""
    if user.role == "municipal":
        return Placement.contact_id == user.id
    return Placement.jobcoach_id == user.id


def planned_checkins(user: User, first: date, last: date) -> sa.Select:
    """Planned check-ins due in [first, last] of the contact's placements in nazorg, soonest first."""
    query = (
        sa.select(CheckIn.id, CheckIn.number, CheckIn.due_date, *LABELS)
        .join(Placement, Placement.id == CheckIn.placement_id)
        .where(
            Placement.contact_id == user.id,
            Placement.status == "nazorg",
            CheckIn.status == "planned",
            CheckIn.due_date >= first,
            CheckIn.due_date <= last,
        )
        .order_by(CheckIn.due_date, CheckIn.id)
    )
    return _labelled(query, user)


def undecided_endings(user: User, first: date, last: date) -> sa.Select:
    """The user's placements in onboarding without a contract or stop decision, ending in [first, last]."""
    decided = sa.exists().where(
        EndDecision.placement_id == Placement.id, EndDecision.kind.in_(FINAL_DECISIONS)
    )
    query = (
        sa.select(Placement.planned_end_date, *LABELS)
        .where(
            _mine(user),
            Placement.status == "onboarding",
            ~decided,
            Placement.planned_end_date >= first,
            Placement.planned_end_date <= last,
        )
        .order_by(Placement.planned_end_date, Placement.id)
    )
    return _labelled(query, user)


def recorded_visits(user: User, first: date, last: date) -> sa.Select:
    """The jobcoach's own visits dated in [first, last], oldest first."""
    query = (
        sa.select(Visit.id, Visit.visit_date, Visit.mode, *LABELS)
        .join(Placement, Placement.id == Visit.placement_id)
        .where(Visit.jobcoach_id == user.id, Visit.visit_date >= first, Visit.visit_date <= last)
        .order_by(Visit.visit_date, Visit.id)
    )
    return _labelled(query, user)


def open_tasks(user: User, first: date, last: date) -> sa.Select:
    """Open tasks due in [first, last]: assigned to the contact, or the jobcoach's on their placements."""
    if user.role == "municipal":
        mine = Task.assignee_id == user.id
    else:
        mine = sa.and_(Task.owner == "jobcoach", Placement.jobcoach_id == user.id)
    query = (
        sa.select(Task.id, Task.kind, Task.due_date, *LABELS)
        .join(Placement, Placement.id == Task.placement_id)
        .where(
            mine,
            Task.municipality_id == user.municipality_id,
            Task.status == "open",
            # A retention follow-up has its own event (``portal.followups.queries.open_for_feed``).
            Task.kind != "followup",
            Task.due_date.is_not(None),
            Task.due_date >= first,
            Task.due_date <= last,
        )
        .order_by(Task.due_date, Task.id)
    )
    return _labelled(query, user)
