"""Read side of monitoring: the dashboard's figures and the lists behind them, for one municipality.

The figures are SQL aggregates: the dashboard runs the same small number of queries whatever the number
of candidates. Waiting times are fetched as a few dates per candidate (one row each, no joins that
multiply) and the median and 90th percentile are computed in Python, which works the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.aftercare.models import AFTERCARE_OUTCOMES, Alert
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.time import LOCAL_TZ, as_utc, to_local
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import (
    DEFAULT_CASELOAD_NORM,
    EXIT_KINDS,
    STAGES,
    WORK_EXITS,
    Exit,
    RetentionFollowUp,
    StageChange,
    TeamSettings,
)
from portal.monitoring.figures import Period, cohort_code, cohorts_between, share, spread
from portal.placements.models import DROPOUT_REASONS, PLACEMENT_STATUSES, STOP_REASONS, Placement
from portal.requests.models import PlacementRequest, PlacementType, Proposal

INTAKE_STAGES = ("intake_rechtmatigheid", "intake_doelmatigheid")
#: Waiting time per transition: code → (label, from milestone, to milestone).
TRANSITIONS = {
    "aanmelding_intake": ("Aanmelding → intake", "registered_on", "intake"),
    "intake_trajectbepaling": ("Intake → trajectbepaling", "intake", "trajectbepaling"),
    "trajectbepaling_voorstel": ("Trajectbepaling → eerste voorstel", "trajectbepaling", "first_proposal"),
    "voorstel_start": ("Eerste voorstel → start plaatsing", "first_proposal", "first_start"),
}
#: The retention questions the dashboard shows (months after the start of work).
RETENTION_MONTHS = (6, 12)
RETENTION_ANSWERS = {"ja": "Werkt nog", "nee": "Werkt niet meer", "open": "Nog geen antwoord"}
#: Free-text exit reasons shown per kind at most.
EXIT_REASON_ROWS = 100
END_REASONS = {**STOP_REASONS, **DROPOUT_REASONS}
#: The bases a list can start from besides the cohort of the period.
CANDIDATE_BASES = ("cohort", "caseload")
PLACEMENT_BASES = ("cohort", "aanvragen", "signalen")


def _start_of(day: date) -> datetime:
    """Midnight at the start of a Dutch calendar day, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


# Building blocks ------------------------------------------------------------------------------------------


def population(municipality_id: int, period: Period) -> sa.Subquery:
    """The candidates who registered (their first aanmelding) within the period: (candidate_id,
    registered_on).

    Written as "an aanmelding in the period with none before it" rather than a HAVING on MIN(): the
    database then estimates the number of rows from the date range, and picks hash joins for thousands.
    """
    earlier = aliased(StageChange)
    return (
        sa.select(
            StageChange.candidate_id.label("candidate_id"), StageChange.entered_on.label("registered_on")
        )
        .where(
            StageChange.municipality_id == municipality_id,
            StageChange.stage == "aanmelding",
            StageChange.entered_on.between(period.first, period.last),
            ~sa.exists().where(
                earlier.municipality_id == municipality_id,
                earlier.candidate_id == StageChange.candidate_id,
                earlier.stage == "aanmelding",
                sa.or_(
                    earlier.entered_on < StageChange.entered_on,
                    sa.and_(earlier.entered_on == StageChange.entered_on, earlier.id < StageChange.id),
                ),
            ),
        )
        .subquery("population")
    )


def _first_date(stages: tuple[str, ...]) -> sa.ColumnElement:
    return sa.func.min(sa.case((StageChange.stage.in_(stages), StageChange.entered_on)))


def milestones(municipality_id: int, period: Period, *, with_stage: bool = True) -> sa.Select:
    """Per candidate of the period: the dates the waiting times run between (one row per candidate), and
    (``with_stage``) the current stage and whether the candidate left to work."""
    pop = population(municipality_id, period)
    stage_dates = (
        sa.select(
            StageChange.candidate_id.label("candidate_id"),
            _first_date(INTAKE_STAGES).label("intake"),
            _first_date(("trajectbepaling",)).label("trajectbepaling"),
        )
        .where(
            StageChange.municipality_id == municipality_id,
            StageChange.stage.in_((*INTAKE_STAGES, "trajectbepaling")),
        )
        .group_by(StageChange.candidate_id)
        .subquery("stage_dates")
    )
    proposals = (
        sa.select(Proposal.candidate_id.label("candidate_id"), sa.func.min(Proposal.created_at).label("at"))
        .join(PlacementRequest, PlacementRequest.id == Proposal.request_id)
        .where(PlacementRequest.municipality_id == municipality_id)
        .group_by(Proposal.candidate_id)
        .subquery("first_proposals")
    )
    starts = (
        sa.select(
            Placement.candidate_id.label("candidate_id"),
            sa.func.min(Placement.actual_start_date).label("on"),
        )
        .where(Placement.municipality_id == municipality_id)
        .group_by(Placement.candidate_id)
        .subquery("first_starts")
    )
    dates = (
        stage_dates.c.intake,
        stage_dates.c.trajectbepaling,
        proposals.c.at.label("first_proposal"),
        starts.c.on.label("first_start"),
    )
    if not with_stage:
        return (
            sa.select(pop.c.candidate_id, pop.c.registered_on, *dates)
            .select_from(pop)
            .outerjoin(stage_dates, stage_dates.c.candidate_id == pop.c.candidate_id)
            .outerjoin(proposals, proposals.c.candidate_id == pop.c.candidate_id)
            .outerjoin(starts, starts.c.candidate_id == pop.c.candidate_id)
        )
    work = (
        sa.select(Exit.candidate_id.label("candidate_id"))
        .where(Exit.municipality_id == municipality_id, Exit.status == "confirmed", Exit.kind.in_(WORK_EXITS))
        .group_by(Exit.candidate_id)
        .subquery("work_exits")
    )
    return (
        sa.select(
            pop.c.candidate_id,
            pop.c.registered_on,
            Candidate.stage,
            work.c.candidate_id.is_not(None).label("to_work"),
            *dates,
        )
        .select_from(pop)
        .join(Candidate, Candidate.id == pop.c.candidate_id)
        .outerjoin(work, work.c.candidate_id == pop.c.candidate_id)
        .outerjoin(stage_dates, stage_dates.c.candidate_id == pop.c.candidate_id)
        .outerjoin(proposals, proposals.c.candidate_id == pop.c.candidate_id)
        .outerjoin(starts, starts.c.candidate_id == pop.c.candidate_id)
    )


def _as_day(value: date | datetime | str | None) -> date | None:
    """A milestone as a calendar day (a proposal's instant counts on its UTC day, as SQL compares it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).date()
    if isinstance(value, str):  # defensive: a raw aggregate on SQLite
        return date.fromisoformat(value[:10])
    return value


def waiting_days(row: Any, transition: str) -> int | None:
    """Days between the two milestones of a transition, or None when one is missing or out of order."""
    _label, start, end = TRANSITIONS[transition]
    first, second = _as_day(getattr(row, start)), _as_day(getattr(row, end))
    if first is None or second is None or second < first:
        return None
    return (second - first).days


# The dashboard ------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    period: Period
    registered: int = 0
    stages: list[dict] = field(default_factory=list)
    cohorts: list[dict] = field(default_factory=list)
    waiting: list[dict] = field(default_factory=list)
    requests: dict = field(default_factory=dict)
    placement_types: list[dict] = field(default_factory=list)
    placement_statuses: list[dict] = field(default_factory=list)
    outcomes: list[dict] = field(default_factory=list)
    dropout: dict = field(default_factory=dict)
    exits: dict = field(default_factory=dict)
    retention: list[dict] = field(default_factory=list)
    caseload: dict = field(default_factory=dict)
    alerts: dict = field(default_factory=dict)


def dashboard(municipality_id: int, period: Period) -> Dashboard:
    """Every figure of the dashboard, in a fixed number of queries."""
    board = Dashboard(period=period)
    _candidate_figures(board, municipality_id, period)
    _request_figures(board, municipality_id, period)
    _placement_figures(board, municipality_id, period)
    _exit_figures(board, municipality_id, period)
    _retention_figures(board, municipality_id, period)
    _caseload_figures(board, municipality_id)
    _alert_figures(board, municipality_id, period)
    return board


def _candidate_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    """Stages, cohorts and waiting times from one row per candidate of the period (one query)."""
    rows = db.session.execute(milestones(municipality_id, period)).all()
    _stage_figures(board, period, rows)
    names = ("registered_on", "intake", "trajectbepaling", "first_proposal", "first_start")
    days = {code: [] for code in TRANSITIONS}
    steps = [(code, names.index(start), names.index(end)) for code, (_l, start, end) in TRANSITIONS.items()]
    for row in rows:
        when = [_as_day(getattr(row, name)) for name in names]
        for code, start, end in steps:
            first, second = when[start], when[end]
            if first is not None and second is not None and second >= first:
                days[code].append((second - first).days)
    board.waiting = [
        {"code": code, "label": label, "spread": spread(days[code])}
        for code, (label, _s, _e) in TRANSITIONS.items()
    ]


def _stage_figures(board: Dashboard, period: Period, rows) -> None:
    per_stage: dict[str | None, int] = defaultdict(int)
    per_cohort: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        registered_on = _as_day(row.registered_on)
        code = cohort_code(registered_on.year, registered_on.month)
        per_stage[row.stage] += 1
        cohort = per_cohort[code]
        cohort["registered"] += 1
        cohort["to_work"] += 1 if row.to_work else 0
        if row.stage == "uitstroom":
            cohort["exited"] += 1
        elif row.stage in ("plaatsing", "nazorg"):
            cohort["placed"] += 1
        else:
            cohort["in_progress"] += 1
    board.registered = sum(per_stage.values())
    board.stages = [
        {"code": code, "label": label, "count": per_stage.get(code, 0)} for code, label in STAGES.items()
    ]
    board.cohorts = []
    for code in cohorts_between(period.first, period.last):
        cohort = per_cohort.get(code, {})
        registered = cohort.get("registered", 0)
        board.cohorts.append(
            {
                "code": code,
                "registered": registered,
                "in_progress": cohort.get("in_progress", 0),
                "placed": cohort.get("placed", 0),
                "exited": cohort.get("exited", 0),
                "to_work": cohort.get("to_work", 0),
                "to_work_share": share(cohort.get("to_work", 0), registered),
            }
        )


def _days_between(start: datetime, end: date | datetime | None) -> float | None:
    if end is None:
        return None
    if isinstance(end, datetime):
        seconds = (as_utc(end) - as_utc(start)).total_seconds()
        return seconds / 86400 if seconds >= 0 else None
    days = (end - to_local(start).date()).days
    return float(days) if days >= 0 else None


def _request_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    rows = db.session.execute(
        sa.select(
            PlacementRequest.submitted_at,
            sa.select(sa.func.min(Proposal.created_at))
            .where(Proposal.request_id == PlacementRequest.id)
            .scalar_subquery()
            .label("first_proposal"),
            sa.select(sa.func.min(Placement.actual_start_date))
            .where(Placement.request_id == PlacementRequest.id)
            .scalar_subquery()
            .label("first_start"),
        ).where(
            PlacementRequest.municipality_id == municipality_id,
            PlacementRequest.submitted_at >= _start_of(period.first),
            PlacementRequest.submitted_at < _start_of(period.last + timedelta(days=1)),
        )
    ).all()
    to_proposal = [
        d for d in (_days_between(r.submitted_at, r.first_proposal) for r in rows) if d is not None
    ]
    to_start = [d for d in (_days_between(r.submitted_at, r.first_start) for r in rows) if d is not None]
    board.requests = {
        "submitted": len(rows),
        "to_proposal": spread(to_proposal),
        "to_start": spread(to_start),
    }


def _placement_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    pop = population(municipality_id, period)
    rows = db.session.execute(
        sa.select(
            Placement.placement_type_id,
            PlacementType.name,
            Placement.status,
            Placement.outcome,
            Placement.end_reason,
            sa.func.count().label("n"),
        )
        .join(PlacementType, PlacementType.id == Placement.placement_type_id)
        .join(pop, pop.c.candidate_id == Placement.candidate_id)
        .where(Placement.municipality_id == municipality_id)
        .group_by(
            Placement.placement_type_id,
            PlacementType.name,
            Placement.status,
            Placement.outcome,
            Placement.end_reason,
        )
    ).all()
    types: dict[int, dict] = {}
    statuses: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    reasons: dict[str, int] = defaultdict(int)
    for row in rows:
        kind = types.setdefault(
            row.placement_type_id,
            {"id": row.placement_type_id, "label": row.name, "count": 0, "interrupted": 0},
        )
        kind["count"] += row.n
        statuses[row.status] += row.n
        if row.outcome:
            outcomes[row.outcome] += row.n
        if row.status == "interrupted":
            kind["interrupted"] += row.n
            reasons[row.end_reason or ""] += row.n
    board.placement_types = sorted(types.values(), key=lambda kind: (-kind["count"], kind["label"]))
    board.placement_statuses = [
        {"code": code, "label": label, "count": statuses.get(code, 0)}
        for code, label in PLACEMENT_STATUSES.items()
    ]
    board.outcomes = [
        {"code": code, "label": label, "count": outcomes.get(code, 0)}
        for code, label in AFTERCARE_OUTCOMES.items()
    ]
    started = sum(count for status, count in statuses.items() if status != "planned")
    interrupted = statuses.get("interrupted", 0)
    board.dropout = {
        "started": started,
        "interrupted": interrupted,
        "rate": share(interrupted, started),
        "reasons": sorted(
            (
                {"code": code, "label": END_REASONS.get(code, "Geen reden vastgelegd"), "count": count}
                for code, count in reasons.items()
            ),
            key=lambda reason: (-reason["count"], reason["label"]),
        ),
    }


def _exit_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    pop = population(municipality_id, period)
    confirmed = sa.and_(Exit.municipality_id == municipality_id, Exit.status == "confirmed")
    pairs = db.session.execute(
        sa.select(Exit.candidate_id, Exit.kind)
        .join(pop, pop.c.candidate_id == Exit.candidate_id)
        .where(confirmed)
        .distinct()
    ).all()
    kinds: dict[str, int] = defaultdict(int)
    for _candidate_id, kind in pairs:
        kinds[kind] += 1
    exited = len({candidate_id for candidate_id, _kind in pairs})
    to_work = len({candidate_id for candidate_id, kind in pairs if kind in WORK_EXITS})
    reasons = db.session.execute(
        sa.select(Exit.kind, Exit.reason, sa.func.count().label("n"))
        .join(pop, pop.c.candidate_id == Exit.candidate_id)
        .where(confirmed)
        .group_by(Exit.kind, Exit.reason)
        .order_by(sa.func.count().desc(), Exit.kind, Exit.reason)
        .limit(EXIT_REASON_ROWS)
    ).all()
    board.exits = {
        "exited": exited,
        "to_work": to_work,
        "to_work_share": share(to_work, board.registered),
        "work_share_of_exits": share(to_work, exited),
        "kinds": [
            {"code": code, "label": label, "count": kinds.get(code, 0), "work": code in WORK_EXITS}
            for code, label in EXIT_KINDS.items()
        ],
        "reasons": [
            {"kind": row.kind, "kind_label": EXIT_KINDS[row.kind], "reason": row.reason, "count": row.n}
            for row in reasons
        ],
    }


def _retention_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    pop = population(municipality_id, period)
    rows = db.session.execute(
        sa.select(
            RetentionFollowUp.months,
            sa.func.count().label("asked"),
            sa.func.count(RetentionFollowUp.answered_at).label("answered"),
            sa.func.sum(sa.case((RetentionFollowUp.still_employed.is_(True), 1), else_=0)).label("employed"),
        )
        .join(Exit, Exit.id == RetentionFollowUp.exit_id)
        .join(pop, pop.c.candidate_id == Exit.candidate_id)
        .where(
            RetentionFollowUp.municipality_id == municipality_id,
            RetentionFollowUp.months.in_(RETENTION_MONTHS),
        )
        .group_by(RetentionFollowUp.months)
    ).all()
    found = {row.months: row for row in rows}
    board.retention = []
    for months in RETENTION_MONTHS:
        row = found.get(months)
        asked, answered = (row.asked, row.answered) if row else (0, 0)
        employed = int(row.employed or 0) if row else 0
        board.retention.append(
            {
                "months": months,
                "asked": asked,
                "answered": answered,
                "employed": employed,
                "not_employed": answered - employed,
                "open": asked - answered,
                "rate": share(employed, answered),
            }
        )


def active_caseload() -> sa.ColumnElement[bool]:
    """Candidates on a specialist's caseload: in the journey and not yet out (uitstroom)."""
    return sa.and_(Candidate.stage.is_not(None), Candidate.stage != "uitstroom")


def _caseload_figures(board: Dashboard, municipality_id: int) -> None:
    norm = db.session.scalar(
        sa.select(TeamSettings.caseload_norm).where(TeamSettings.municipality_id == municipality_id)
    )
    norm = norm or DEFAULT_CASELOAD_NORM
    counts = db.session.execute(
        sa.select(Candidate.specialist_id, User.full_name, sa.func.count().label("n"))
        .outerjoin(User, User.id == Candidate.specialist_id)
        .where(Candidate.municipality_id == municipality_id, active_caseload())
        .group_by(Candidate.specialist_id, User.full_name)
    ).all()
    specialists = [
        {"id": row.specialist_id, "name": row.full_name, "count": row.n, "share": share(row.n, norm)}
        for row in counts
        if row.specialist_id is not None
    ]
    specialists.sort(key=lambda row: (-row["count"], row["name"] or ""))
    unassigned = sum(row.n for row in counts if row.specialist_id is None)
    board.caseload = {
        "norm": norm,
        "specialists": specialists,
        "unassigned": unassigned,
        "over_norm": sum(1 for row in specialists if row["count"] > norm),
    }


def _alert_figures(board: Dashboard, municipality_id: int, period: Period) -> None:
    rows = db.session.execute(
        sa.select(Alert.opened_at, Alert.acknowledged_at, Alert.resolved_at).where(
            Alert.municipality_id == municipality_id,
            Alert.opened_at >= _start_of(period.first),
            Alert.opened_at < _start_of(period.last + timedelta(days=1)),
        )
    ).all()
    pickup, resolve = [], []
    for row in rows:
        opened = as_utc(row.opened_at)
        picked = [as_utc(at) for at in (row.acknowledged_at, row.resolved_at) if at is not None]
        if picked:
            pickup.append(max((min(picked) - opened).total_seconds(), 0) / 3600)
        if row.resolved_at is not None:
            resolve.append(max((as_utc(row.resolved_at) - opened).total_seconds(), 0) / 3600)
    board.alerts = {
        "opened": len(rows),
        "open": len(rows) - len(resolve),
        "pickup_hours": spread(pickup),
        "resolve_hours": spread(resolve),
    }


# The lists behind the figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateFilters:
    basis: str = "cohort"
    stage: str = ""
    transition: str = ""
    exit_kind: str = ""
    retention: str = ""
    specialist: str = ""
    cohort_work: bool = False


def _has_exit(kinds: tuple[str, ...] | None) -> sa.ColumnElement[bool]:
    condition = sa.exists().where(Exit.candidate_id == Candidate.id, Exit.status == "confirmed")
    if kinds is not None:
        condition = sa.exists().where(
            Exit.candidate_id == Candidate.id, Exit.status == "confirmed", Exit.kind.in_(kinds)
        )
    return condition


def _retention_condition(value: str) -> sa.ColumnElement[bool]:
    months, answer = value.split("-")
    conditions = [
        RetentionFollowUp.months == int(months),
        Exit.candidate_id == Candidate.id,
        Exit.id == RetentionFollowUp.exit_id,
    ]
    if answer == "ja":
        conditions.append(RetentionFollowUp.still_employed.is_(True))
    elif answer == "nee":
        conditions.append(RetentionFollowUp.still_employed.is_(False))
    elif answer == "open":
        conditions.append(RetentionFollowUp.answered_at.is_(None))
    return sa.exists().where(*conditions)


def candidate_list(municipality_id: int, period: Period, filters: CandidateFilters) -> sa.Select:
    """Candidates behind a figure: (Candidate, registered_on, specialist name), by pseudonym."""
    specialist = aliased(User)
    registrations = (
        sa.select(
            StageChange.candidate_id.label("candidate_id"),
            sa.func.min(StageChange.entered_on).label("registered_on"),
        )
        .where(StageChange.municipality_id == municipality_id, StageChange.stage == "aanmelding")
        .group_by(StageChange.candidate_id)
        .subquery("registrations")
    )
    if filters.basis == "caseload":
        query = (
            sa.select(Candidate, registrations.c.registered_on, specialist.full_name)
            .outerjoin(registrations, registrations.c.candidate_id == Candidate.id)
            .where(Candidate.municipality_id == municipality_id, active_caseload())
        )
        if filters.specialist == "geen":
            query = query.where(Candidate.specialist_id.is_(None))
        elif filters.specialist:
            query = query.where(Candidate.specialist_id == int(filters.specialist))
    else:
        pop = population(municipality_id, period)
        query = (
            sa.select(Candidate, pop.c.registered_on, specialist.full_name)
            .join(pop, pop.c.candidate_id == Candidate.id)
            .where(Candidate.municipality_id == municipality_id)
        )
        if filters.transition:
            steps = milestones(municipality_id, period, with_stage=False).subquery("steps")
            _label, start, end = TRANSITIONS[filters.transition]
            query = query.join(steps, steps.c.candidate_id == Candidate.id).where(
                steps.c[start].is_not(None), steps.c[end].is_not(None), steps.c[end] >= steps.c[start]
            )
    query = query.outerjoin(specialist, specialist.id == Candidate.specialist_id)
    if filters.stage == "geen":
        query = query.where(Candidate.stage.is_(None))
    elif filters.stage:
        query = query.where(Candidate.stage == filters.stage)
    if filters.exit_kind == "werk":
        query = query.where(_has_exit(WORK_EXITS))
    elif filters.exit_kind == "alle":
        query = query.where(_has_exit(None))
    elif filters.exit_kind:
        query = query.where(_has_exit((filters.exit_kind,)))
    if filters.retention:
        query = query.where(_retention_condition(filters.retention))
    return query.order_by(Candidate.pseudonym, Candidate.id)


@dataclass(frozen=True)
class PlacementFilters:
    basis: str = "cohort"
    type_id: int | None = None
    status: str = ""
    outcome: str = ""
    reason: str = ""


def placement_list(municipality_id: int, period: Period, filters: PlacementFilters) -> sa.Select:
    """Placements behind a figure: (Placement, pseudonym, first name, last name, employer, type), newest
    start first."""
    query = (
        sa.select(
            Placement,
            Candidate.pseudonym,
            Candidate.first_name,
            Candidate.last_name,
            Employer.name.label("employer_name"),
            PlacementType.name.label("type_name"),
        )
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .join(Employer, Employer.id == Placement.employer_id)
        .join(PlacementType, PlacementType.id == Placement.placement_type_id)
        .where(Placement.municipality_id == municipality_id)
    )
    if filters.basis == "aanvragen":
        query = query.join(PlacementRequest, PlacementRequest.id == Placement.request_id).where(
            PlacementRequest.submitted_at >= _start_of(period.first),
            PlacementRequest.submitted_at < _start_of(period.last + timedelta(days=1)),
        )
    elif filters.basis == "signalen":
        query = query.where(
            sa.exists().where(
                Alert.placement_id == Placement.id,
                Alert.opened_at >= _start_of(period.first),
                Alert.opened_at < _start_of(period.last + timedelta(days=1)),
            )
        )
    else:
        pop = population(municipality_id, period)
        query = query.join(pop, pop.c.candidate_id == Placement.candidate_id)
    if filters.type_id:
        query = query.where(Placement.placement_type_id == filters.type_id)
    if filters.status == "started":
        query = query.where(Placement.status != "planned")
    elif filters.status:
        query = query.where(Placement.status == filters.status)
    if filters.outcome:
        query = query.where(Placement.outcome == filters.outcome)
    if filters.reason == "geen":
        query = query.where(Placement.end_reason.is_(None))
    elif filters.reason:
        query = query.where(Placement.end_reason == filters.reason)
    return query.order_by(Placement.start_date.desc(), Placement.id.desc())


def placement_types(municipality_id: int) -> list[tuple[int, str]]:
    return [
        (row.id, row.name)
        for row in db.session.execute(
            sa.select(PlacementType.id, PlacementType.name)
            .where(PlacementType.municipality_id == municipality_id)
            .order_by(PlacementType.name)
        )
    ]


def specialists(municipality_id: int) -> list[tuple[int, str]]:
    """Municipal staff of the municipality (the people a caseload can belong to)."""
    return [
        (row.id, row.full_name)
        for row in db.session.execute(
            sa.select(User.id, User.full_name)
            .where(User.municipality_id == municipality_id, User.role == "municipal")
            .order_by(User.full_name)
        )
    ]
