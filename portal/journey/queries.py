"""Read side of the journey: a candidate's stages, screenings, plan steps and exits, the caseload per
specialist, the proposed exits waiting on a contact, and the team settings. All scoped to one municipality
by the caller (the permission functions load the candidate or exit first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.aftercare.plan import add_months
from portal.alerts.models import Alert
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.prebuilt import day, prebuilt
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import (
    DEFAULT_CASELOAD_NORM,
    DEFAULT_FOLLOWUP_MONTHS,
    DEFAULT_PLAN_REVIEW_WEEKS,
    DEFAULT_RETENTION_MONTHS,
    STAGES,
    Exit,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    TeamSettings,
)
from portal.placements.models import Placement

#: Placements that are running (planned, working, or in nazorg).
ACTIVE_PLACEMENTS = ("planned", "onboarding", "nazorg")
#: A candidate in one of these stages has left the caseload.
CLOSED_STAGES = ("uitstroom",)


# Team settings -------------------------------------------------------------------------------------------


@prebuilt
def _team_settings_statement() -> sa.Select:
    return sa.select(TeamSettings).where(
        TeamSettings.municipality_id == sa.bindparam("municipality_id", type_=sa.Integer)
    )


def team_settings(municipality_id: int) -> TeamSettings:
    """The municipality's row, or an unsaved instance with the defaults (a missing row means defaults)."""
    row = db.session.scalar(_team_settings_statement(), {"municipality_id": municipality_id})
    return row or TeamSettings(
        municipality_id=municipality_id,
        caseload_norm=DEFAULT_CASELOAD_NORM,
        followup_months=DEFAULT_FOLLOWUP_MONTHS,
        plan_review_weeks=DEFAULT_PLAN_REVIEW_WEEKS,
        retention_months=DEFAULT_RETENTION_MONTHS,
    )


def saved_team_settings(municipality_id: int) -> TeamSettings | None:
    return db.session.scalar(sa.select(TeamSettings).where(TeamSettings.municipality_id == municipality_id))


def followup_months(settings: TeamSettings) -> tuple[int, ...]:
    """ "6 12" → (6, 12): sorted, unique, within 1..60 (a stored value was checked when it was saved)."""
    months = {int(part) for part in (settings.followup_months or "").split() if part.isdigit()}
    return tuple(sorted(month for month in months if 1 <= month <= 60))


# Specialists ------------------------------------------------------------------------------------------------


def specialists(municipality_id: int) -> sa.Select:
    """Active municipal contacts of the municipality (who can be responsible for candidates), by name."""
    return (
        sa.select(User)
        .where(User.municipality_id == municipality_id, User.role == "municipal", User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )


def specialist(municipality_id: int, user_id: Any) -> User | None:
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id <= 2**31 - 1:
        return None
    return db.session.scalar(specialists(municipality_id).where(User.id == user_id))


# One candidate ------------------------------------------------------------------------------------------


def latest_stage(candidate_id: int) -> sa.Select:
    """The candidate's current stage: the latest entered (the last one recorded on the same day)."""
    return (
        sa.select(StageChange)
        .where(StageChange.candidate_id == candidate_id)
        .order_by(StageChange.entered_on.desc(), StageChange.recorded_at.desc(), StageChange.id.desc())
        .limit(1)
    )


@dataclass
class StageRow:
    change: StageChange
    recorded_by: str | None
    #: Days until the next stage (or until today for the current one).
    days: int
    current: bool


def stage_history(candidate_id: int, today: date) -> list[StageRow]:
    """Every stage of the candidate in date order, with who recorded it and the days spent in it."""
    rows = db.session.execute(
        sa.select(StageChange, User.full_name)
        .outerjoin(User, User.id == StageChange.recorded_by_id)
        .where(StageChange.candidate_id == candidate_id)
        .order_by(StageChange.entered_on, StageChange.recorded_at, StageChange.id)
    ).all()
    history = []
    for index, (change, name) in enumerate(rows):
        last = index == len(rows) - 1
        until = today if last else rows[index + 1][0].entered_on
        history.append(StageRow(change, name, max((until - change.entered_on).days, 0), last))
    return history


def screenings(candidate_id: int) -> sa.Select:
    return (
        sa.select(Screening, User.full_name.label("recorded_by"))
        .outerjoin(User, User.id == Screening.recorded_by_id)
        .where(Screening.candidate_id == candidate_id)
        .order_by(Screening.done_on.desc(), Screening.id.desc())
    )


def plan_steps(candidate_id: int) -> sa.Select:
    return (
        sa.select(PlanStep, User.full_name.label("recorded_by"))
        .outerjoin(User, User.id == PlanStep.recorded_by_id)
        .where(PlanStep.candidate_id == candidate_id)
        .order_by(PlanStep.stepped_on.desc(), PlanStep.id.desc())
    )


def exits(candidate_id: int) -> sa.Select:
    """The candidate's exits (proposed first, then newest) with the Werkbrug employer's name."""
    confirmer = aliased(User)
    return (
        sa.select(Exit, Employer.name.label("werkbrug_employer"), confirmer.full_name.label("confirmed_by"))
        .outerjoin(Employer, Employer.id == Exit.employer_id)
        .outerjoin(confirmer, confirmer.id == Exit.confirmed_by_id)
        .where(Exit.candidate_id == candidate_id)
        .order_by((Exit.status == "proposed").desc(), Exit.exit_on.desc(), Exit.id.desc())
    )


def followups_of(exit_id: int) -> sa.Select:
    return (
        sa.select(RetentionFollowUp)
        .where(RetentionFollowUp.exit_id == exit_id)
        .order_by(RetentionFollowUp.months)
    )


def approved_employers(municipality_id: int) -> sa.Select:
    return (
        sa.select(Employer)
        .where(Employer.municipality_id == municipality_id, Employer.status == "approved")
        .order_by(Employer.name, Employer.id)
    )


def approved_employer(municipality_id: int, employer_id: Any) -> Employer | None:
    if not isinstance(employer_id, int) or isinstance(employer_id, bool) or not 0 < employer_id <= 2**31 - 1:
        return None
    return db.session.scalar(approved_employers(municipality_id).where(Employer.id == employer_id))


def employer_name(employer_id: int | None) -> str | None:
    return (
        db.session.scalar(sa.select(Employer.name).where(Employer.id == employer_id)) if employer_id else None
    )


def user_name(user_id: int | None) -> str | None:
    return db.session.scalar(sa.select(User.full_name).where(User.id == user_id)) if user_id else None


# Waiting work on the home page -----------------------------------------------------------------------


def proposed_exits_for(user: User) -> sa.Select:
    """(exit, candidate) of proposed exits the contact should confirm, newest first: of placements the
    user is the fixed contact of, or of candidates the user is the specialist of."""
    return (
        sa.select(Exit, Candidate)
        .join(Candidate, Candidate.id == Exit.candidate_id)
        .outerjoin(Placement, Placement.id == Exit.placement_id)
        .where(
            Exit.municipality_id == user.municipality_id,
            Exit.status == "proposed",
            sa.or_(Placement.contact_id == user.id, Candidate.specialist_id == user.id),
        )
        .order_by(Exit.created_at.desc(), Exit.id.desc())
    )


# The caseload ---------------------------------------------------------------------------------------------


@dataclass
class CaseloadRow:
    """One specialist's caseload (``specialist`` None: the candidates without a specialist)."""

    specialist: User | None
    active: int = 0
    per_stage: dict[str, int] = field(default_factory=dict)
    placements: int = 0
    alerts: int = 0
    norm: int = DEFAULT_CASELOAD_NORM

    @property
    def over_norm(self) -> bool:
        return self.specialist is not None and self.active > self.norm

    @property
    def over_by(self) -> int:
        return max(self.active - self.norm, 0)


def caseload(municipality_id: int) -> tuple[list[CaseloadRow], TeamSettings]:
    """Per specialist: active candidates (not yet exited), candidates per stage, running placements and
    unresolved alerts. A fixed number of queries (SQL aggregates), whatever the number of rows."""
    settings = team_settings(municipality_id)
    people = db.session.scalars(specialists(municipality_id)).all()
    rows: dict[int | None, CaseloadRow] = {
        person.id: CaseloadRow(person, norm=settings.caseload_norm) for person in people
    }
    unassigned = CaseloadRow(None, norm=settings.caseload_norm)

    def row_of(specialist_id: int | None) -> CaseloadRow:
        return rows.get(specialist_id, unassigned) if specialist_id is not None else unassigned

    stage_counts = db.session.execute(
        sa.select(Candidate.specialist_id, Candidate.stage, sa.func.count(Candidate.id))
        .where(Candidate.municipality_id == municipality_id)
        .group_by(Candidate.specialist_id, Candidate.stage)
    ).all()
    for specialist_id, stage, number in stage_counts:
        row = row_of(specialist_id)
        key = stage if stage in STAGES else ""
        row.per_stage[key] = row.per_stage.get(key, 0) + number
        if stage not in CLOSED_STAGES:
            row.active += number

    placement_counts = db.session.execute(
        sa.select(Candidate.specialist_id, sa.func.count(Placement.id))
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .where(Placement.municipality_id == municipality_id, Placement.status.in_(ACTIVE_PLACEMENTS))
        .group_by(Candidate.specialist_id)
    ).all()
    for specialist_id, number in placement_counts:
        row_of(specialist_id).placements += number

    alert_counts = db.session.execute(
        sa.select(Candidate.specialist_id, sa.func.count(Alert.id))
        .join(Placement, Placement.id == Alert.placement_id)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .where(Alert.municipality_id == municipality_id, Alert.status != "resolved")
        .group_by(Candidate.specialist_id)
    ).all()
    for specialist_id, number in alert_counts:
        row_of(specialist_id).alerts += number

    result = list(rows.values())
    if unassigned.active or unassigned.per_stage or unassigned.placements or unassigned.alerts:
        result.append(unassigned)
    return result, settings


def caseload_of(municipality_id: int, specialist_id: int | None) -> sa.Select:
    """The candidates of one specialist (None: without a specialist), active first, by pseudonym."""
    owner = (
        Candidate.specialist_id.is_(None)
        if specialist_id is None
        else Candidate.specialist_id == specialist_id
    )
    closed = sa.and_(Candidate.stage.is_not(None), Candidate.stage.in_(CLOSED_STAGES))
    return (
        sa.select(Candidate)
        .where(Candidate.municipality_id == municipality_id, owner)
        .order_by(closed, Candidate.pseudonym, Candidate.id)
    )


# Retention: when a closed dossier is due to be anonymised ------------------------------------------------

#: Days before the purge date from which the candidate's specialist sees it on the home page.
RETENTION_WARNING_DAYS = 30
#: How much longer a dossier is kept when it is extended (once, with a reason).
RETENTION_EXTENSION_MONTHS = 12
#: ``add_months`` moves a day back by at most this many days at a month's end (31 → 28 February).
_MONTH_END_SLACK = timedelta(days=3)


class Expiring(NamedTuple):
    """A candidate whose closed dossier reaches its purge date by a given day."""

    candidate: Candidate
    #: The day the dossier closed (see ``dossier_closed_on``).
    closed_on: date
    #: The day the purge anonymises the candidate (closed_on + the team's retention, or the extension).
    purge_on: date


def purge_date(closed_on: date, months: int, extended_until: date | None = None) -> date:
    """The day a dossier that closed on ``closed_on`` is anonymised: ``months`` later, or the extension."""
    due = add_months(closed_on, months)
    return max(due, extended_until) if extended_until else due


def _closing_days(municipality_id: int) -> sa.Subquery:
    """Per candidate of the municipality, the latest day anything in the dossier happened after the
    exit: a confirmed exit, the end of a placement or of its nazorg, a planned follow-up."""
    days = sa.union_all(
        sa.select(Exit.candidate_id.label("candidate_id"), Exit.exit_on.label("day")).where(
            Exit.municipality_id == municipality_id, Exit.status == "confirmed"
        ),
        sa.select(Placement.candidate_id, Placement.ended_on).where(
            Placement.municipality_id == municipality_id, Placement.ended_on.is_not(None)
        ),
        sa.select(Placement.candidate_id, sa.func.date(Placement.outcome_recorded_at)).where(
            Placement.municipality_id == municipality_id, Placement.outcome_recorded_at.is_not(None)
        ),
        sa.select(RetentionFollowUp.candidate_id, RetentionFollowUp.due_on).where(
            RetentionFollowUp.municipality_id == municipality_id
        ),
    ).subquery()
    return (
        sa.select(days.c.candidate_id, sa.func.max(days.c.day).label("closed_on"))
        .group_by(days.c.candidate_id)
        .subquery()
    )


def dossier_closed_on(candidate: Candidate, closing_day: date | None) -> date | None:
    """The day a candidate's dossier closed, or None while it is open.

    A dossier is closed when the candidate's journey ended in uitstroom (the current stage; a journey
    that started again is open) and no placement of theirs still runs. It closed on the latest of: the
    day the candidate entered uitstroom, a confirmed exit's date, the end of a placement or its nazorg,
    and the due date of a follow-up after the exit. A candidate who is only "not available" without an
    exit has an open dossier: the team decides about an exit first.
    """
    if candidate.stage != "uitstroom":
        return None
    known = [day for day in (candidate.stage_since, closing_day) if day is not None]
    return max(known) if known else None


@prebuilt
def _expiring_statement(of_specialist: bool) -> sa.Select:
    """(candidate, closing day) of the candidates ``expiring`` looks at; built once (the municipality, the
    dates and the specialist are bind parameters)."""
    municipality_id = sa.bindparam("municipality_id", type_=sa.Integer)
    bound, by = day("bound"), day("by")
    closing = _closing_days(municipality_id)
    running = sa.exists().where(
        Placement.candidate_id == Candidate.id, Placement.status.in_(ACTIVE_PLACEMENTS)
    )
    query = (
        sa.select(Candidate, closing.c.closed_on)
        .outerjoin(closing, closing.c.candidate_id == Candidate.id)
        .where(
            Candidate.municipality_id == municipality_id,
            Candidate.stage == "uitstroom",
            Candidate.anonymised_at.is_(None),
            sa.or_(Candidate.stage_since.is_not(None), closing.c.closed_on.is_not(None)),
            sa.or_(Candidate.stage_since.is_(None), Candidate.stage_since <= bound),
            sa.or_(closing.c.closed_on.is_(None), closing.c.closed_on <= bound),
            sa.or_(Candidate.retention_extended_until.is_(None), Candidate.retention_extended_until <= by),
            ~running,
        )
    )
    if of_specialist:
        query = query.where(Candidate.specialist_id == sa.bindparam("specialist_id", type_=sa.Integer))
    return query


def expiring(
    municipality_id: int, months: int, by: date, *, specialist_id: int | None = None
) -> list[Expiring]:
    """Candidates not yet anonymised whose closed dossier reaches its purge date on or before ``by``
    (one query; the SQL bound is loose by a few days, the exact date is computed here)."""
    statement = _expiring_statement(specialist_id is not None)
    params = {
        "municipality_id": municipality_id,
        "bound": add_months(by, -months) + _MONTH_END_SLACK,
        "by": by,
        "specialist_id": specialist_id,
    }
    found = []
    for candidate, closing_day in db.session.execute(statement, params).all():
        closed_on = dossier_closed_on(candidate, closing_day)
        if closed_on is None:
            continue
        purge_on = purge_date(closed_on, months, candidate.retention_extended_until)
        if purge_on <= by:
            found.append(Expiring(candidate, closed_on, purge_on))
    return sorted(found, key=lambda item: (item.purge_on, item.candidate.id), reverse=True)


def retention_warnings(user: User, today: date) -> list[Expiring]:
    """The user's candidates (as specialist) whose purge date is at most 30 days away, or passed while
    the purge has not yet run: the latest purge date first."""
    months = team_settings(user.municipality_id).retention_months
    return expiring(
        user.municipality_id, months, today + timedelta(days=RETENTION_WARNING_DAYS), specialist_id=user.id
    )


def retention_of(candidate: Candidate) -> Expiring | None:
    """When this candidate's dossier closed and is due to be anonymised (None while it is open)."""
    if candidate.anonymised_at is not None or candidate.stage != "uitstroom":
        return None
    running = db.session.scalar(
        sa.select(
            sa.exists().where(Placement.candidate_id == candidate.id, Placement.status.in_(ACTIVE_PLACEMENTS))
        )
    )
    if running:
        return None
    closing = _closing_days(candidate.municipality_id)
    closing_day = db.session.scalar(
        sa.select(closing.c.closed_on).where(closing.c.candidate_id == candidate.id)
    )
    closed_on = dossier_closed_on(candidate, closing_day)
    if closed_on is None:
        return None
    months = team_settings(candidate.municipality_id).retention_months
    return Expiring(candidate, closed_on, purge_date(closed_on, months, candidate.retention_extended_until))


def retention_context(candidate: Candidate) -> dict[str, Any]:
    """The retention page: when the dossier closed and is due to be anonymised, and the team's period."""
    return {
        "candidate": candidate,
        "retention": retention_of(candidate),
        "settings": team_settings(candidate.municipality_id),
        "extension_months": RETENTION_EXTENSION_MONTHS,
        "warning_days": RETENTION_WARNING_DAYS,
    }
