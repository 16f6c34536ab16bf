"""Write-side verbs of placements. They flush and audit; the caller commits once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from portal.auth.models import User
from portal.core.audit import record
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.outbox import queue_email
from portal.core.signals import placement_status_changed
from portal.core.time import today_local
from portal.extensions import db
from portal.placements import models, queries
from portal.placements.models import (
    PLACEMENT_STATUSES,
    SCORED_ASPECTS,
    Placement,
    PlacementStatusChange,
    WeeklyLog,
    WeeklyLogVersion,
)
from portal.placements.permissions import may_assign_jobcoach, may_start
from portal.requests.models import Proposal

#: The only status changes a placement can make; everything else is refused.
TRANSITIONS = {
    "planned": ("onboarding", "interrupted"),
    "onboarding": ("nazorg", "closed", "interrupted"),
    "nazorg": ("closed", "interrupted"),
}
#: The actual start may lie this long before the planned start, and this far ahead of today.
START_EARLIEST = timedelta(days=30)
START_LATEST = timedelta(days=14)
#: What a weekly log stores, apart from the placement, week, author and version.
LOG_FIELDS = (
    "days_planned",
    "days_present",
    "hours_absent",
    "absence_reason",
    *SCORED_ASPECTS,
    "notes",
    "language_goals_met",
    "has_concern",
    "concern_text",
    "needs_from_municipality",
)

TRANSITION_REFUSED = "Een plaatsing met de status {old} kan niet de status {new} krijgen."
NOT_PLANNED = "Deze plaatsing is al gestart of beëindigd."
START_OUT_OF_RANGE = "Kies een startdatum van {earliest} tot en met {latest}."
NOT_A_JOBCOACH = "Kies een jobcoach uit de lijst."
CLOSED = "Deze plaatsing is afgesloten. U kunt geen jobcoach meer koppelen."
LOG_NOT_ONBOARDING = "U kunt alleen een weekverslag invullen als de plaatsing is gestart en nog loopt."
LOG_FUTURE_WEEK = (
    "Deze week is nog niet begonnen. U kunt een weekverslag invullen vanaf de maandag van die week."
)
LOG_BEFORE_START = "Deze week ligt voor de start van de plaatsing. Kies een latere week."
LOG_AFTER_END = (
    "De plaatsing liep tot en met {end}. Voor de weken daarna is geen weekverslag nodig: de kandidaat"
    " krijgt een contract en de nazorg begint op {start}."
)

#: Kept for ``placements.ending``, which still imports both from here; remove when that module is split.
PlacementError = DomainError
OPEN_STATUSES = models.OPEN_STATUSES


def fixed_contact_id(proposal: Proposal) -> int:
    """The employer's fixed municipal contact while active, else the municipal user who proposed."""
    contact = proposal.request.employer.contact
    if contact is not None and contact.is_active and contact.role == "municipal":
        return contact.id
    return proposal.proposed_by_id


def create_placement_from_proposal(actor: User, proposal: Proposal, start: date, end: date) -> Placement:
    """A planned placement for an accepted proposal, with the request's type, workplace and employer."""
    request = proposal.request
    placement = Placement(
        municipality_id=request.municipality_id,
        request_id=request.id,
        proposal_id=proposal.id,
        candidate_id=proposal.candidate_id,
        employer_id=request.employer_id,
        workplace_id=request.workplace_id,
        placement_type_id=request.placement_type_id,
        contact_id=fixed_contact_id(proposal),
        start_date=start,
        planned_end_date=end,
        days_per_week=request.days_per_week,
        status="planned",
    )
    db.session.add(placement)
    db.session.flush()
    db.session.add(
        PlacementStatusChange(
            placement_id=placement.id,
            from_status=None,
            to_status="planned",
            changed_by_id=getattr(actor, "id", None),
        )
    )
    record(actor, "placement.created", placement, proposal_id=proposal.id, request_id=request.id)
    return placement


# Lifecycle ------------------------------------------------------------------------------------------------


def change_status(
    actor: User, placement: Placement, to: str, reason: str | None = None
) -> PlacementStatusChange:
    """Move a placement along the transition table, with a history row and an audit event."""
    old = placement.status
    if to not in TRANSITIONS.get(old, ()):
        raise DomainError(
            TRANSITION_REFUSED.format(
                old=PLACEMENT_STATUSES.get(old, old).lower(), new=PLACEMENT_STATUSES.get(to, to).lower()
            )
        )
    placement.status = to
    change = PlacementStatusChange(
        placement_id=placement.id,
        from_status=old,
        to_status=to,
        changed_by_id=getattr(actor, "id", None),
        reason=reason,
    )
    db.session.add(change)
    db.session.flush()
    record(actor, "placement.status_changed", placement, from_status=old, to_status=to)
    placement_status_changed.send(placement, actor=actor, old=old, new=to, on=today_local())
    return change


def start_window(placement: Placement) -> tuple[date, date]:
    """The earliest and latest actual start date that may be recorded."""
    return placement.start_date - START_EARLIEST, today_local() + START_LATEST


def start(actor: User, placement: Placement, actual_start: date) -> None:
    """Planned → onboarding on the day work actually began."""
    if not may_start(actor, placement):
        raise DomainError(NOT_PLANNED)
    earliest, latest = start_window(placement)
    if not earliest <= actual_start <= latest:
        message = START_OUT_OF_RANGE.format(earliest=format_date(earliest), latest=format_date(latest))
        raise DomainError(message, "actual_start_date")
    placement.actual_start_date = actual_start
    change_status(actor, placement, "onboarding", reason="De plaatsing is gestart.")


def assign_jobcoach(actor: User, placement: Placement, jobcoach_id: int | None) -> None:
    """Make an active jobcoach of the placement's municipality its jobcoach."""
    if not may_assign_jobcoach(actor, placement):
        raise DomainError(CLOSED)
    jobcoach = db.session.get(User, jobcoach_id) if valid_id(jobcoach_id) else None
    if (
        jobcoach is None
        or jobcoach.role != "jobcoach"
        or not jobcoach.is_active
        or jobcoach.municipality_id != placement.municipality_id
    ):
        raise DomainError(NOT_A_JOBCOACH, "jobcoach_id")
    previous = placement.jobcoach_id
    placement.jobcoach_id = jobcoach.id
    db.session.flush()
    record(actor, "placement.jobcoach_assigned", placement, jobcoach_id=jobcoach.id, previous_id=previous)


# Weekly logs ----------------------------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_log_week(placement: Placement) -> date | None:
    """The Monday of the last week a weekly log is asked for: the week of the planned end once a contract
    was decided that starts later (the weeks in between are no onboarding); None while open-ended."""
    if placement.contract_start_date is None:
        return None
    return monday_of(placement.planned_end_date)


def week_problem(placement: Placement, week_start: date) -> str | None:
    """Why no log can be written for this week of this placement (a Dutch message), or None."""
    if placement.status != "onboarding" or placement.actual_start_date is None:
        return LOG_NOT_ONBOARDING
    if week_start > monday_of(today_local()):
        return LOG_FUTURE_WEEK
    if week_start < monday_of(placement.actual_start_date):
        return LOG_BEFORE_START
    last = last_log_week(placement)
    if last is not None and week_start > last:
        return LOG_AFTER_END.format(
            end=format_date(placement.planned_end_date), start=format_date(placement.contract_start_date)
        )
    return None


def week_has_ended(week_start: date) -> bool:
    return today_local() > week_start + timedelta(days=6)


def _snapshot(log: WeeklyLog) -> dict[str, Any]:
    data = {name: getattr(log, name) for name in LOG_FIELDS}
    data["submitted_by_id"] = log.submitted_by_id
    return data


def _keep_version(actor: User, log: WeeklyLog) -> None:
    """Store the log's current values as an earlier version and bump its version number."""
    db.session.add(
        WeeklyLogVersion(log_id=log.id, version=log.version, data=_snapshot(log), replaced_by_id=actor.id)
    )
    log.version += 1


def save_weekly_log(actor: User, placement: Placement, week_start: date, values: dict[str, Any]) -> WeeklyLog:
    """Write (or edit) the placement's log for one week; a concern mails the municipal contact."""
    problem = week_problem(placement, week_start)
    if problem:
        raise DomainError(problem)
    log = db.session.scalar(queries.log_for_week(placement.id, week_start))
    created = log is None
    if created:
        log = WeeklyLog(placement_id=placement.id, week_start=week_start, version=1)
        db.session.add(log)
    elif week_has_ended(week_start):
        _keep_version(actor, log)
    for name in LOG_FIELDS:
        setattr(log, name, values.get(name))
    log.submitted_by_id = actor.id
    db.session.flush()
    record(
        actor,
        "weekly_log.created" if created else "weekly_log.updated",
        log,
        municipality_id=placement.municipality_id,
        placement_id=placement.id,
        week_start=week_start.isoformat(),
        version=log.version,
        concern=bool(log.has_concern),
    )
    if log.has_concern:
        _mail_concern(placement, log)
    return log


def _mail_concern(placement: Placement, log: WeeklyLog) -> None:
    mail_contact(placement, "placements/concern", f"placements/concern/{log.id}/{log.version}", log=log)


def mail_contact(placement: Placement, template: str, dedupe_key: str, **context: Any) -> None:
    """Queue an e-mail about ``placement`` to its fixed municipal contact, while that account is active."""
    contact = db.session.get(User, placement.contact_id)
    if contact is None or not contact.is_active:
        return
    queue_email(
        to=contact.email,
        template=template,
        dedupe_key=dedupe_key,
        municipality_id=placement.municipality_id,
        user=contact,
        placement=placement,
        pseudonym=placement.candidate.pseudonym,
        **context,
    )
