"""Read side of the journey: a candidate's stages, screenings, plan steps and exits, the caseload per
specialist, the proposed exits waiting on a contact, and the team settings. All scoped to one municipality
by the caller (the permission functions load the candidate or exit first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.aftercare.models import Alert
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import (
    DEFAULT_CASELOAD_NORM,
    DEFAULT_FOLLOWUP_MONTHS,
    DEFAULT_PLAN_REVIEW_WEEKS,
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


def team_settings(municipality_id: int) -> TeamSettings:
    """The municipality's row, or an unsaved instance with the defaults (a missing row means defaults)."""
    row = db.session.scalar(sa.select(TeamSettings).where(TeamSettings.municipality_id == municipality_id))
    return row or TeamSettings(
        municipality_id=municipality_id,
        caseload_norm=DEFAULT_CASELOAD_NORM,
        followup_months=DEFAULT_FOLLOWUP_MONTHS,
        plan_review_weeks=DEFAULT_PLAN_REVIEW_WEEKS,
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
