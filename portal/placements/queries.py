"""Read-side queries of placements, and the placement's page (its timeline, with the parts of the domains
above placements collected through the ``placement_page`` signal)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.auth.permissions import is_employer
from portal.candidates.disclosure import identity_for_employer, label_for
from portal.core.forms import choices
from portal.core.signals import collected, placement_page
from portal.core.time import as_utc, today_local
from portal.extensions import db
from portal.placements.models import (
    CONTRACT_TYPES,
    DECISION_KINDS,
    DROPOUT_REASONS,
    PLACEMENT_STATUSES,
    SCALE,
    SCORED_ASPECTS,
    STOP_REASONS,
    EndDecision,
    Placement,
    PlacementStatusChange,
    WeeklyLog,
)

#: Jobcoaches and employers never see more than this many placements on their home page.
HOME_LIMIT = 50
#: Uitval in these statuses frees the placement's position on its request (nazorg keeps it: that was a job).
POSITION_FREEING = ("planned", "onboarding")
#: Decisions that end onboarding (an extension keeps it going).
FINAL_DECISIONS = ("contract", "stop")


def scoped(query: sa.Select, user: User) -> sa.Select | None:
    """Limit a query on Placement to what ``user`` may see: own employer, assigned, or own municipality."""
    query = query.where(Placement.municipality_id == user.municipality_id)
    if user.role == "municipal":
        return query
    if user.role == "jobcoach":
        return query.where(Placement.jobcoach_id == user.id)
    if user.role == "employer" and user.employer_id is not None:
        return query.where(Placement.employer_id == user.employer_id)
    return None


def placements_for(user: User) -> sa.Select | None:
    """The user's placements, newest start first, with workplace, type, employer and candidate loaded."""
    query = (
        sa.select(Placement)
        .options(
            joinedload(Placement.workplace),
            joinedload(Placement.placement_type),
            joinedload(Placement.employer),
            joinedload(Placement.candidate),
        )
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    return scoped(query, user)


def active_jobcoaches(municipality_id: int) -> sa.Select:
    """The active jobcoaches of a municipality, by name."""
    return (
        sa.select(User)
        .where(User.municipality_id == municipality_id, User.role == "jobcoach", User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )


def status_changes_of(placement_id: int) -> sa.Select:
    """(change, name of who made it) rows of a placement, newest first."""
    return (
        sa.select(PlacementStatusChange, User.full_name)
        .outerjoin(User, User.id == PlacementStatusChange.changed_by_id)
        .where(PlacementStatusChange.placement_id == placement_id)
        .order_by(PlacementStatusChange.changed_at.desc(), PlacementStatusChange.id.desc())
    )


def logs_of(placement_id: int) -> sa.Select:
    """The weekly logs of a placement, newest week first."""
    return (
        sa.select(WeeklyLog)
        .where(WeeklyLog.placement_id == placement_id)
        .order_by(WeeklyLog.week_start.desc())
    )


def log_for_week(placement_id: int, week_start: date) -> sa.Select:
    """The log of one placement for one week (at most one)."""
    return sa.select(WeeklyLog).where(
        WeeklyLog.placement_id == placement_id, WeeklyLog.week_start == week_start
    )


def onboarding_of_employer(employer_id: int) -> sa.Select:
    """The employer's placements in onboarding with a start date, candidate loaded (home page)."""
    return (
        sa.select(Placement)
        .options(joinedload(Placement.candidate))
        .where(
            Placement.employer_id == employer_id,
            Placement.status == "onboarding",
            Placement.actual_start_date.is_not(None),
        )
        .order_by(Placement.actual_start_date, Placement.id)
        .limit(HOME_LIMIT)
    )


def logged_weeks(placement_ids) -> sa.Select:
    """(placement_id, week_start) of every log of these placements."""
    return sa.select(WeeklyLog.placement_id, WeeklyLog.week_start).where(
        WeeklyLog.placement_id.in_(list(placement_ids))
    )


def assigned_to(jobcoach: User) -> sa.Select:
    """(placement, date of the last weekly log) of the jobcoach's placements, newest start first.

    The last log's week is a correlated subquery per listed placement (the unique index on placement and
    week answers it), not an aggregate over every log in the country.
    """
    last_week = (
        sa.select(sa.func.max(WeeklyLog.week_start))
        .where(WeeklyLog.placement_id == Placement.id)
        .correlate(Placement)
        .scalar_subquery()
        .label("last_week")
    )
    return (
        sa.select(Placement, last_week)
        .options(joinedload(Placement.candidate), joinedload(Placement.employer))
        .where(Placement.municipality_id == jobcoach.municipality_id, Placement.jobcoach_id == jobcoach.id)
        .order_by(Placement.start_date.desc(), Placement.id.desc())
        .limit(HOME_LIMIT)
    )


# The end of a placement -----------------------------------------------------------------------------------


def end_decisions_of(placement_id: int) -> sa.Select:
    """(decision, name of who recorded it) rows of a placement, newest first."""
    return (
        sa.select(EndDecision, User.full_name)
        .outerjoin(User, User.id == EndDecision.decided_by_id)
        .where(EndDecision.placement_id == placement_id)
        .order_by(EndDecision.decided_at.desc(), EndDecision.id.desc())
    )


def decision_of_kind(placement_id: int, kind: str) -> sa.Select:
    """The placement's decision of one kind (there is at most one)."""
    return sa.select(EndDecision).where(EndDecision.placement_id == placement_id, EndDecision.kind == kind)


def position_freed(proposal_id) -> sa.Exists:
    """Whether the placement of this accepted proposal dropped out in planned or onboarding.

    Such a proposal no longer takes a position of its request: the employer can accept someone else.
    Correlates with the outer query when ``proposal_id`` is a column (``Proposal.id``).
    """
    return sa.exists().where(
        Placement.proposal_id == proposal_id,
        PlacementStatusChange.placement_id == Placement.id,
        PlacementStatusChange.to_status == "interrupted",
        PlacementStatusChange.from_status.in_(POSITION_FREEING),
    )


def decisions_due(scope: User | sa.Select, ends_by: date) -> sa.Select | None:
    """Placements that wait for the end-of-placement decision, soonest planned end first (home pages).

    ``scope`` is a user (their placements, as ``placements_for``) or a query on Placement that is
    already limited to what someone may see. A placement is due while it is in onboarding, its planned
    end lies on or before ``ends_by`` (today plus the decision lead in working days, so the decision window
    opened; see ``portal.ending.services.decision_opens``; ended dates in the past are included) and it has
    no contract or stop decision yet. At most HOME_LIMIT rows, loaded as ``scope`` loads them (for a user:
    candidate, employer and workplace). None when the user may see no placements at all.
    """
    query = placements_for(scope) if isinstance(scope, User) else scope
    if query is None:
        return None
    decided = sa.exists().where(
        EndDecision.placement_id == Placement.id, EndDecision.kind.in_(FINAL_DECISIONS)
    )
    return (
        query.where(
            Placement.status == "onboarding",
            Placement.planned_end_date <= ends_by,
            ~decided,
        )
        .order_by(None)
        .order_by(Placement.planned_end_date, Placement.id)
        .limit(HOME_LIMIT)
    )


def frees_position(placement: Placement) -> bool:
    """Whether uitval of this placement frees its position in the request again (before a contract)."""
    return placement.status in POSITION_FREEING


# The placement's page -------------------------------------------------------------------------------------

#: Events at the very same moment, newest first: the status change after what caused it.
EVENT_RANK = {
    "status": 3,
    "decision": 2,
    "alert_closed": 2,
    "task_closed": 2,
    "log": 1,
    "visit": 1,
    "checkin": 1,
    "task": 1,
    "alert": 1,
}
#: Events of the very same moment and rank keep this order (a task and its closing stay together).
EVENT_ORDER = {
    "status": 0,
    "log": 1,
    "decision": 2,
    "visit": 3,
    "checkin": 4,
    "alert": 5,
    "alert_closed": 5,
    "task": 6,
    "task_closed": 6,
}


def timeline(changes, logs, decisions=(), more=()) -> list[dict]:
    """Everything that happened to a placement, newest first by when it happened in Werkbrug.

    Each event has ``kind`` and ``at`` (an aware datetime, shown in one format): a status change or
    decision when it was recorded, a weekly log when it was last saved (not its Monday). ``more`` are the
    events the domains above placements add to its page (visits, tasks, check-ins, alerts: see their
    ``placement_page`` receivers), each already limited to what the viewer may read.
    """
    events = [{"kind": "status", "at": c.changed_at, "change": c, "by": name} for c, name in changes]
    events += [{"kind": "log", "at": log.updated_at or log.created_at, "log": log} for log in logs]
    events += [{"kind": "decision", "at": d.decided_at, "decision": d, "by": name} for d, name in decisions]
    events += sorted(more, key=lambda event: EVENT_ORDER[event["kind"]])
    return sorted(events, key=lambda event: (as_utc(event["at"]), EVENT_RANK[event["kind"]]), reverse=True)


def _start_form(placement: Placement, user: User, form):
    from portal.placements import forms, permissions, services  # here: they read this module

    if form is not None or not permissions.may_start(user, placement):
        return form
    earliest, latest = services.start_window(placement)
    return forms.StartForm(formdata=None, actual_start_date=min(max(placement.start_date, earliest), latest))


def jobcoach_form(placement: Placement, user: User, form=None):
    """The form to (re)assign the jobcoach, for the municipality while the placement is open; else None."""
    from portal.placements import forms, permissions  # here: they read this module

    if not permissions.may_assign_jobcoach(user, placement):
        return None
    form = form or forms.JobcoachForm(formdata=None, jobcoach_id=placement.jobcoach_id)
    coaches = db.session.scalars(active_jobcoaches(placement.municipality_id)).all()
    form.jobcoach_id.choices = choices([("", "Kies een jobcoach"), *((c.id, c.full_name) for c in coaches)])
    return form


def page_context(placement: Placement, user: User, **bound: Any) -> dict[str, Any]:
    """What the placement's page shows ``user``: its own part and the parts of the domains above it.

    ``bound`` holds forms posted with errors, by name (``start``, ``jobcoach``, or a part's own such as
    ``preference``), shown instead of fresh ones. Each ``placement_page`` receiver returns a dict; a part
    may add timeline events under ``events``.
    """
    from portal.placements import permissions, services  # here: they read this module

    employer_side = is_employer(user)
    changes = db.session.execute(status_changes_of(placement.id)).all()
    logs = db.session.scalars(logs_of(placement.id)).all()
    decisions = db.session.execute(end_decisions_of(placement.id)).all()
    values: dict[str, Any] = {}
    more: list[dict] = []
    for part in collected(placement_page.send(placement, user=user, bound=bound)):
        more += part.pop("events", ())
        values.update(part)
    identity = identity_for_employer(placement.candidate, placement.employer_id) if employer_side else None
    today = today_local()
    values.update(
        placement=placement,
        label=label_for(user, placement.candidate),
        identity=identity,
        contact=db.session.get(User, placement.contact_id),
        jobcoach=db.session.get(User, placement.jobcoach_id) if placement.jobcoach_id else None,
        is_employer=employer_side,
        show_care=permissions.sees_care(user),
        start_form=_start_form(placement, user, bound.get("start")),
        jobcoach_form=jobcoach_form(placement, user, bound.get("jobcoach")),
        events=timeline(changes, logs, decisions, more),
        logs=sorted(logs, key=lambda log: log.week_start),
        aspects=SCORED_ASPECTS,
        scale=SCALE,
        status_labels=PLACEMENT_STATUSES,
        this_week=services.monday_of(today),
        log_this_week=services.week_problem(placement, services.monday_of(today)) is None,
        contract_types=CONTRACT_TYPES,
        stop_reasons=STOP_REASONS,
        dropout_reasons=DROPOUT_REASONS,
        decision_kinds=DECISION_KINDS,
    )
    return values
