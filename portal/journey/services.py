"""Write side of the journey: stages (by hand and by the system), screenings, the ABC plan and its steps
up, exits (by hand, or proposed by a placement and confirmed), retention follow-ups, the responsible
specialist, reassigning a caseload and the team settings.

Every verb takes an explicit actor, checks its rules before it changes anything (``DomainError`` with a
Dutch message for the form field), flushes and writes an audit event; the caller commits once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal.aftercare.plan import add_months
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.audit import record
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.time import now_utc, today_local
from portal.extensions import db
from portal.journey import permissions, queries
from portal.journey.models import (
    EXIT_CONTRACT_TYPES,
    EXIT_KINDS,
    PLAN_LEVELS,
    REFERRAL_SOURCES,
    RETENTION_MONTHS_RANGE,
    ROUTES,
    SCREENING_INSTRUMENTS,
    STAGES,
    SYSTEM_STAGES,
    WORK_EXITS,
    Exit,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    TeamSettings,
)
from portal.placements.models import Placement

#: Dates further back than this are a typing error (the programme is not that old).
EARLIEST_YEARS = 20
#: A planned end of a voortraject lies at most this far after its start.
LONGEST_TRACK = timedelta(days=5 * 366)
#: Stages with a provider and an end date.
TRACK_STAGES = ("voortraject", "vervolgtraject")
#: Contract hours from which work counts as full-time.
FULLTIME_HOURS = 36
NOTE_MAX = 500
OUTCOME_MAX = 1000
PROVIDER_MAX = 120
INSTRUMENT_NAME_MAX = 80
EMPLOYER_NAME_MAX = 160
FOLLOWUP_RANGE = (1, 60)
MAX_FOLLOWUPS = 6
CASELOAD_NORM_RANGE = (1, 1000)
PLAN_REVIEW_RANGE = (1, 52)

NOT_YOURS = "U mag het traject van deze kandidaat niet bijhouden."
NOT_YOUR_TEAM = "U mag de caseload van deze gemeente niet verdelen."
NOT_YOUR_SETTINGS = "Alleen de functioneel beheerder van deze gemeente kan de teaminstellingen wijzigen."
STAGE_UNKNOWN = "Kies een fase uit de lijst."
STAGE_BY_SYSTEM = (
    "De fasen plaatsing, nazorg en uitstroom legt Werkbrug zelf vast: bij de start van een plaatsing, het"
    " begin van de nazorg en een bevestigde uitstroom. Kies een andere fase."
)
DATE_MISSING = "Vul een datum in."
DATE_FUTURE = "Deze datum ligt in de toekomst. Kies vandaag of een eerdere dag."
DATE_TOO_EARLY = "Kies een datum na {day}."
SOURCE_MISSING = "Kies waar de aanmelding vandaan komt."
ROUTE_MISSING = "Kies de route die bij de trajectbepaling is gekozen."
ENDS_BEFORE = "De einddatum kan niet voor de startdatum liggen."
ENDS_TOO_LATE = "Kies een einddatum binnen vijf jaar na de start."
TEXT_TOO_LONG = "Gebruik hoogstens {max} tekens."
INSTRUMENT_UNKNOWN = "Kies een instrument uit de lijst."
INSTRUMENT_NAME_MISSING = "Vul de naam van het instrument in."
OUTCOME_MISSING = "Schrijf kort op wat de uitkomst is."
AGREED_BY_UNKNOWN = "Kies de specialist met wie het plan is afgesproken."
REVIEW_BEFORE = "De herziening kan niet voor de datum van het plan liggen."
REVIEW_TOO_LATE = "Kies een herziening binnen een jaar na de datum van het plan."
LEVEL_UNKNOWN = "Kies een plan uit de lijst."
NOT_A_STEP_UP = "Een stap omhoog gaat van plan C naar plan B of A, of van plan B naar plan A."
KIND_UNKNOWN = "Kies de soort uitstroom uit de lijst."
EMPLOYER_UNKNOWN = "Kies een werkgever uit de lijst."
EMPLOYER_TWICE = "Kies een werkgever uit de lijst of vul een naam in, niet allebei."
CONTRACT_UNKNOWN = "Kies de soort contract uit de lijst."
HOURS_RANGE = "Vul een aantal uren per week van 1 tot en met 40 in."
EXIT_NOT_PROPOSED = "Over deze uitstroom is al besloten."
SPECIALIST_UNKNOWN = "Kies een specialist uit de lijst."
CANDIDATES_MISSING = "Kies ten minste één kandidaat."
CANDIDATES_UNKNOWN = "Kies kandidaten uit de lijst."
NOTHING_TO_MOVE = "Deze specialist heeft geen kandidaten om over te dragen."
SAME_SPECIALIST = "Kies een andere specialist dan de huidige."
NORM_RANGE = f"Vul een getal van {CASELOAD_NORM_RANGE[0]} tot en met {CASELOAD_NORM_RANGE[1]} in."
REVIEW_RANGE = f"Vul een aantal weken van {PLAN_REVIEW_RANGE[0]} tot en met {PLAN_REVIEW_RANGE[1]} in."
RETENTION_RANGE = (
    f"Vul een aantal maanden van {RETENTION_MONTHS_RANGE[0]} tot en met {RETENTION_MONTHS_RANGE[1]} in."
)
NOT_CLOSED = "Het dossier van deze kandidaat is nog niet gesloten: er is nog geen bewaartermijn."
ALREADY_EXTENDED = "De bewaartermijn is al een keer verlengd. Dat kan maar één keer."
ALREADY_ANONYMISED = "Deze kandidaat is al geanonimiseerd."
NOT_YOUR_CANDIDATE = "U mag de bewaartermijn van deze kandidaat niet verlengen."
NEED_EXTENSION_REASON = "Schrijf op waarom het dossier langer bewaard moet blijven."
MONTHS_EMPTY = "Vul ten minste één maand in, bijvoorbeeld 6 12."
MONTHS_NOT_NUMBERS = "Gebruik alleen hele getallen met een spatie ertussen, zoals 6 12."
MONTHS_RANGE = f"Kies maanden van {FOLLOWUP_RANGE[0]} tot en met {FOLLOWUP_RANGE[1]}."
MONTHS_TWICE = "Maand {month} staat er meer dan één keer in. Noem elke maand één keer."
MONTHS_TOO_MANY = f"Noem hoogstens {MAX_FOLLOWUPS} momenten."


# Checks shared by the verbs ------------------------------------------------------------------------------


def _check_manager(actor: User | None, candidate: Candidate) -> None:
    if not permissions.may_manage_journey(actor, candidate):
        raise DomainError(NOT_YOURS)


def _past_date(value: Any, field: str, *, today: date | None = None) -> date:
    """A calendar date from the last twenty years up to today."""
    today = today or today_local()
    if not isinstance(value, date):
        raise DomainError(DATE_MISSING, field)
    if value > today:
        raise DomainError(DATE_FUTURE, field)
    earliest = date(today.year - EARLIEST_YEARS, 1, 1)
    if value < earliest:
        raise DomainError(DATE_TOO_EARLY.format(day=format_date(earliest)), field)
    return value


def _text(value: Any, max_length: int, field: str, missing: str | None = None) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if missing:
            raise DomainError(missing, field)
        return None
    if len(text) > max_length:
        raise DomainError(TEXT_TOO_LONG.format(max=max_length), field)
    return text


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Stages ---------------------------------------------------------------------------------------------------


def _sync_current_stage(candidate: Candidate) -> None:
    """Candidate.stage/stage_since follow the latest StageChange by date (a back-dated entry does not
    overwrite a later current stage)."""
    latest = db.session.scalar(queries.latest_stage(candidate.id))
    candidate.stage = latest.stage if latest else None
    candidate.stage_since = latest.entered_on if latest else None


def _add_stage(actor: User | None, candidate: Candidate, stage: str, entered_on: date, **values: Any):
    system = stage in SYSTEM_STAGES
    change = StageChange(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        stage=stage,
        entered_on=entered_on,
        recorded_by_id=None if system else actor.id,
        recorded_at=now_utc(),
        **values,
    )
    db.session.add(change)
    db.session.flush()
    previous = candidate.stage
    _sync_current_stage(candidate)
    db.session.flush()
    record(
        actor,
        "journey.stage_recorded",
        change,
        candidate_id=candidate.id,
        stage=stage,
        entered_on=entered_on.isoformat(),
        by_system=system,
        placement_id=values.get("placement_id"),
        current_stage=candidate.stage,
        previous_stage=previous,
    )
    return change


def record_stage(actor: User, candidate: Candidate, values: dict[str, Any]) -> StageChange:
    """A stage the candidate entered on a date, by hand (never plaatsing, nazorg or uitstroom).

    ``values``: stage, entered_on, source (aanmelding), route (trajectbepaling), provider and ends_on
    (voor- and vervolgtraject), note.
    """
    _check_manager(actor, candidate)
    stage = values.get("stage")
    if stage not in STAGES:
        raise DomainError(STAGE_UNKNOWN, "stage")
    if stage in SYSTEM_STAGES:
        raise DomainError(STAGE_BY_SYSTEM, "stage")
    entered_on = _past_date(values.get("entered_on"), "entered_on")
    extra: dict[str, Any] = {"source": None, "route": None, "provider": None, "ends_on": None}
    if stage == "aanmelding":
        if values.get("source") not in REFERRAL_SOURCES:
            raise DomainError(SOURCE_MISSING, "source")
        extra["source"] = values["source"]
    if stage == "trajectbepaling":
        if values.get("route") not in ROUTES:
            raise DomainError(ROUTE_MISSING, "route")
        extra["route"] = values["route"]
    if stage in TRACK_STAGES:
        extra["provider"] = _text(values.get("provider"), PROVIDER_MAX, "provider")
        ends_on = values.get("ends_on")
        if isinstance(ends_on, date):
            if ends_on < entered_on:
                raise DomainError(ENDS_BEFORE, "ends_on")
            if ends_on > entered_on + LONGEST_TRACK:
                raise DomainError(ENDS_TOO_LATE, "ends_on")
            extra["ends_on"] = ends_on
    extra["note"] = _text(values.get("note"), NOTE_MAX, "note")
    return _add_stage(actor, candidate, stage, entered_on, **extra)


def record_system_stage(
    actor: User | None, candidate: Candidate, stage: str, entered_on: date, *, placement_id: int | None = None
) -> StageChange | None:
    """Plaatsing, nazorg or uitstroom, recorded by the system (once per placement and stage)."""
    if stage not in SYSTEM_STAGES:
        raise ValueError(f"{stage} is not a system stage")
    if placement_id is not None:
        exists = db.session.scalar(
            sa.select(StageChange.id).where(
                StageChange.candidate_id == candidate.id,
                StageChange.stage == stage,
                StageChange.placement_id == placement_id,
            )
        )
        if exists:
            return None
    return _add_stage(actor, candidate, stage, entered_on, placement_id=placement_id)


# Screenings and the ABC plan ----------------------------------------------------------------------------


def record_screening(actor: User, candidate: Candidate, values: dict[str, Any]) -> Screening:
    """An instrument used with the candidate: which (a name for "other"), when, the outcome in words."""
    _check_manager(actor, candidate)
    instrument = values.get("instrument")
    if instrument not in SCREENING_INSTRUMENTS:
        raise DomainError(INSTRUMENT_UNKNOWN, "instrument")
    name = None
    if instrument == "other":
        name = _text(
            values.get("instrument_name"), INSTRUMENT_NAME_MAX, "instrument_name", INSTRUMENT_NAME_MISSING
        )
    done_on = _past_date(values.get("done_on"), "done_on")
    outcome = _text(values.get("outcome"), OUTCOME_MAX, "outcome", OUTCOME_MISSING)
    screening = Screening(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        instrument=instrument,
        instrument_name=name,
        done_on=done_on,
        outcome=outcome,
        recorded_by_id=actor.id,
        recorded_at=now_utc(),
    )
    db.session.add(screening)
    db.session.flush()
    record(
        actor,
        "journey.screening_recorded",
        screening,
        candidate_id=candidate.id,
        instrument=instrument,
        done_on=done_on.isoformat(),
    )
    return screening


def default_review_on(agreed_on: date, settings: TeamSettings) -> date:
    return agreed_on + timedelta(weeks=settings.plan_review_weeks)


def agree_plan(actor: User, candidate: Candidate, values: dict[str, Any]) -> Candidate:
    """The ABC plan was agreed (signed by the candidate) on a date with a specialist; it is revised on
    ``review_on`` (default: the team's plan review weeks later)."""
    _check_manager(actor, candidate)
    agreed_on = _past_date(values.get("agreed_on"), "agreed_on")
    agreed_by = queries.specialist(candidate.municipality_id, values.get("agreed_by_id"))
    if agreed_by is None:
        raise DomainError(AGREED_BY_UNKNOWN, "agreed_by_id")
    review_on = values.get("review_on")
    if not isinstance(review_on, date):
        review_on = default_review_on(agreed_on, queries.team_settings(candidate.municipality_id))
    if review_on < agreed_on:
        raise DomainError(REVIEW_BEFORE, "review_on")
    if review_on > agreed_on + timedelta(days=366):
        raise DomainError(REVIEW_TOO_LATE, "review_on")
    before = (candidate.plan_agreed_on, candidate.plan_agreed_by_id, candidate.plan_review_on)
    candidate.plan_agreed_on, candidate.plan_agreed_by_id, candidate.plan_review_on = (
        agreed_on,
        agreed_by.id,
        review_on,
    )
    db.session.flush()
    record(
        actor,
        "journey.plan_agreed",
        candidate,
        agreed_on=agreed_on.isoformat(),
        agreed_by_id=agreed_by.id,
        review_on=review_on.isoformat(),
        previous_agreed_on=before[0].isoformat() if before[0] else None,
        previous_agreed_by_id=before[1],
    )
    return candidate


STEPS_UP = {("c", "b"), ("c", "a"), ("b", "a")}


def record_plan_step(actor: User, candidate: Candidate, values: dict[str, Any]) -> PlanStep:
    """The candidate moved up the ABC plan: from C to B or A, or from B to A."""
    _check_manager(actor, candidate)
    from_level, to_level = values.get("from_level"), values.get("to_level")
    if from_level not in PLAN_LEVELS:
        raise DomainError(LEVEL_UNKNOWN, "from_level")
    if to_level not in PLAN_LEVELS:
        raise DomainError(LEVEL_UNKNOWN, "to_level")
    if (from_level, to_level) not in STEPS_UP:
        raise DomainError(NOT_A_STEP_UP, "to_level")
    stepped_on = _past_date(values.get("stepped_on"), "stepped_on")
    step = PlanStep(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        from_level=from_level,
        to_level=to_level,
        stepped_on=stepped_on,
        note=_text(values.get("note"), NOTE_MAX, "note"),
        recorded_by_id=actor.id,
        recorded_at=now_utc(),
    )
    db.session.add(step)
    db.session.flush()
    record(
        actor,
        "journey.plan_stepped_up",
        step,
        candidate_id=candidate.id,
        from_level=from_level,
        to_level=to_level,
        stepped_on=stepped_on.isoformat(),
    )
    return step


# Exits ----------------------------------------------------------------------------------------------------


def _exit_values(
    candidate: Candidate, values: dict[str, Any], *, with_employer: bool = True
) -> dict[str, Any]:
    """The checked columns of an exit from form values."""
    checked: dict[str, Any] = {"exit_on": _past_date(values.get("exit_on"), "exit_on")}
    if values.get("kind") not in EXIT_KINDS:
        raise DomainError(KIND_UNKNOWN, "kind")
    checked["kind"] = values["kind"]
    checked["reason"] = _text(values.get("reason"), NOTE_MAX, "reason")
    contract_type = values.get("contract_type") or None
    if contract_type is not None and contract_type not in EXIT_CONTRACT_TYPES:
        raise DomainError(CONTRACT_UNKNOWN, "contract_type")
    checked["contract_type"] = contract_type
    hours = values.get("hours_per_week")
    if hours is not None and (not _whole(hours) or not 1 <= hours <= 40):
        raise DomainError(HOURS_RANGE, "hours_per_week")
    checked["hours_per_week"] = hours
    if with_employer:
        employer_id = values.get("employer_id")
        name = _text(values.get("employer_name"), EMPLOYER_NAME_MAX, "employer_name")
        if employer_id and name:
            raise DomainError(EMPLOYER_TWICE, "employer_name")
        employer = None
        if employer_id:
            employer = queries.approved_employer(candidate.municipality_id, employer_id)
            if employer is None:
                raise DomainError(EMPLOYER_UNKNOWN, "employer_id")
        checked.update(
            employer_id=employer.id if employer else None, employer_name=name, direct_hire=name is not None
        )
    return checked


def record_exit(actor: User, candidate: Candidate, values: dict[str, Any]) -> Exit:
    """An exit recorded by hand (e.g. a direct hire by an employer outside Werkbrug): confirmed at once,
    the system stage uitstroom follows, and an exit to work plans the retention follow-ups."""
    _check_manager(actor, candidate)
    checked = _exit_values(candidate, values)
    exit_ = Exit(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        status="confirmed",
        recorded_by_id=actor.id,
        confirmed_by_id=actor.id,
        confirmed_at=now_utc(),
        **checked,
    )
    db.session.add(exit_)
    db.session.flush()
    record(
        actor,
        "journey.exit_recorded",
        exit_,
        candidate_id=candidate.id,
        kind=exit_.kind,
        exit_on=exit_.exit_on.isoformat(),
        employer_id=exit_.employer_id,
        direct_hire=exit_.direct_hire,
    )
    _after_confirmation(actor, candidate, exit_)
    return exit_


def _after_confirmation(actor: User, candidate: Candidate, exit_: Exit) -> None:
    record_system_stage(actor, candidate, "uitstroom", exit_.exit_on)
    plan_followups(actor, exit_)


def propose_exit(actor: User | None, placement: Placement, on: date) -> Exit | None:
    """A placement ended in a contract: propose the exit (once per placement) for the contact to confirm.

    Employer, contract kind and hours come from the placement; the date is the contract's start.
    """
    existing = db.session.scalar(sa.select(Exit.id).where(Exit.placement_id == placement.id))
    if existing is not None:
        return None
    hours = placement.contract_hours or placement.outcome_hours
    contract_type = placement.contract_type or placement.outcome_contract_type
    exit_ = Exit(
        municipality_id=placement.municipality_id,
        candidate_id=placement.candidate_id,
        status="proposed",
        exit_on=placement.contract_start_date or on,
        kind="work_fulltime" if hours and hours >= FULLTIME_HOURS else "work_parttime",
        placement_id=placement.id,
        employer_id=placement.employer_id,
        direct_hire=False,
        contract_type=contract_type if contract_type in EXIT_CONTRACT_TYPES else None,
        hours_per_week=hours if hours and 1 <= hours <= 40 else None,
        recorded_by_id=None,
    )
    db.session.add(exit_)
    db.session.flush()
    record(
        actor,
        "journey.exit_proposed",
        exit_,
        municipality_id=placement.municipality_id,
        candidate_id=placement.candidate_id,
        placement_id=placement.id,
        exit_on=exit_.exit_on.isoformat(),
    )
    return exit_


def confirm_exit(actor: User, candidate: Candidate, exit_: Exit, values: dict[str, Any]) -> Exit:
    """The contact confirms a proposed exit (date, kind, reason, contract and hours may be adjusted)."""
    _check_manager(actor, candidate)
    if not permissions.may_decide_exit(actor, exit_) or exit_.candidate_id != candidate.id:
        raise DomainError(EXIT_NOT_PROPOSED)
    checked = _exit_values(candidate, values, with_employer=False)
    for name, value in checked.items():
        setattr(exit_, name, value)
    exit_.status = "confirmed"
    exit_.confirmed_by_id = actor.id
    exit_.confirmed_at = now_utc()
    db.session.flush()
    record(
        actor,
        "journey.exit_confirmed",
        exit_,
        candidate_id=candidate.id,
        kind=exit_.kind,
        exit_on=exit_.exit_on.isoformat(),
        placement_id=exit_.placement_id,
    )
    _after_confirmation(actor, candidate, exit_)
    return exit_


def dismiss_exit(actor: User, candidate: Candidate, exit_: Exit) -> Exit:
    """The proposal does not apply (e.g. the candidate stays in the caseload for now)."""
    _check_manager(actor, candidate)
    if not permissions.may_decide_exit(actor, exit_) or exit_.candidate_id != candidate.id:
        raise DomainError(EXIT_NOT_PROPOSED)
    exit_.status = "dismissed"
    exit_.confirmed_by_id = actor.id
    exit_.confirmed_at = now_utc()
    db.session.flush()
    record(actor, "journey.exit_dismissed", exit_, candidate_id=candidate.id, placement_id=exit_.placement_id)
    return exit_


def plan_imported_followups(actor: User, candidate_ids: list[int]) -> list[RetentionFollowUp]:
    """Plan the follow-ups of the work exits an import brought in, from today on: a follow-up whose
    date had already passed at the import is history the team knows, and asking an employer about a job
    of years ago helps nobody."""
    if not candidate_ids:
        return []
    exits = db.session.scalars(
        sa.select(Exit)
        .where(Exit.candidate_id.in_(candidate_ids), Exit.status == "confirmed", Exit.kind.in_(WORK_EXITS))
        .order_by(Exit.id)
    )
    today = today_local()
    planned = []
    for exit_ in exits:
        planned += plan_followups(actor, exit_, not_before=today)
    return planned


def plan_followups(
    actor: User | None, exit_: Exit, not_before: date | None = None
) -> list[RetentionFollowUp]:
    """One retention follow-up per month in the team's settings (default 6 and 12), due that many months
    after the exit date, asking the exit's employer. Months already planned for this exit are skipped,
    so planning twice adds nothing; only a confirmed exit to work has follow-ups. Sending the questions
    is the follow-ups' own business."""
    if exit_.status != "confirmed" or exit_.kind not in WORK_EXITS:
        return []
    settings = queries.team_settings(exit_.municipality_id)
    planned = set(
        db.session.scalars(sa.select(RetentionFollowUp.months).where(RetentionFollowUp.exit_id == exit_.id))
    )
    rows = [
        RetentionFollowUp(
            municipality_id=exit_.municipality_id,
            candidate_id=exit_.candidate_id,
            exit_id=exit_.id,
            months=months,
            due_on=add_months(exit_.exit_on, months),
            employer_id=exit_.employer_id,
        )
        for months in queries.followup_months(settings)
        if months not in planned and (not_before is None or add_months(exit_.exit_on, months) >= not_before)
    ]
    if not rows:
        return []
    db.session.add_all(rows)
    db.session.flush()
    record(
        actor,
        "journey.followups_planned",
        exit_,
        candidate_id=exit_.candidate_id,
        months=[row.months for row in rows],
        due_on=[row.due_on.isoformat() for row in rows],
    )
    return rows


# From the placements (the system stages) -----------------------------------------------------------------


def on_placement_status_changed(placement: Placement, *, actor=None, old=None, new=None, on=None, **_):
    """A placement changed status: record the system stage, and propose the exit for a contract."""
    candidate = db.session.get(Candidate, placement.candidate_id)
    if candidate is None:
        return
    today = on if isinstance(on, date) else today_local()
    if new == "onboarding":
        record_system_stage(
            actor, candidate, "plaatsing", placement.actual_start_date or today, placement_id=placement.id
        )
    elif new == "nazorg":
        record_system_stage(
            actor, candidate, "nazorg", placement.contract_start_date or today, placement_id=placement.id
        )
        propose_exit(actor, placement, today)
    elif new == "closed" and placement.outcome == "employed":
        # Aftercare ended with the candidate still employed: the exit is proposed if it was not yet.
        propose_exit(actor, placement, today)


# The specialist and the caseload ---------------------------------------------------------------------------


def assign_specialist(actor: User, candidate: Candidate, specialist_id: Any) -> Candidate:
    """Make an active municipal contact of the candidate's municipality its responsible specialist."""
    _check_manager(actor, candidate)
    specialist = queries.specialist(candidate.municipality_id, specialist_id)
    if specialist is None:
        raise DomainError(SPECIALIST_UNKNOWN, "specialist_id")
    previous = candidate.specialist_id
    if previous == specialist.id:
        return candidate
    candidate.specialist_id = specialist.id
    db.session.flush()
    record(actor, "journey.specialist_assigned", candidate, specialist_id=specialist.id, previous_id=previous)
    return candidate


def reassign(
    actor: User,
    municipality_id: int,
    *,
    to_specialist_id: Any,
    from_specialist_id: int | None,
    candidate_ids: list[Any] | None = None,
    move_all: bool = False,
) -> list[int]:
    """Move candidates to another specialist in one action (one audit event): the chosen ones of the
    specialist ``from_specialist_id`` (None: candidates without a specialist), or all of them."""
    if not permissions.may_reassign(actor, municipality_id):
        raise DomainError(NOT_YOUR_TEAM)
    target = queries.specialist(municipality_id, to_specialist_id)
    if target is None:
        raise DomainError(SPECIALIST_UNKNOWN, "to_specialist_id")
    if from_specialist_id is not None and target.id == from_specialist_id:
        raise DomainError(SAME_SPECIALIST, "to_specialist_id")
    owner = (
        Candidate.specialist_id.is_(None)
        if from_specialist_id is None
        else Candidate.specialist_id == from_specialist_id
    )
    scope = sa.select(Candidate.id).where(Candidate.municipality_id == municipality_id, owner)
    if move_all:
        ids = list(db.session.scalars(scope.order_by(Candidate.id)))
        if not ids:
            raise DomainError(NOTHING_TO_MOVE, "move_all")
    else:
        wanted = {value for value in candidate_ids or () if valid_id(value)}
        if not candidate_ids:
            raise DomainError(CANDIDATES_MISSING, "candidate_ids")
        if len(wanted) != len(set(candidate_ids)):
            raise DomainError(CANDIDATES_UNKNOWN, "candidate_ids")
        ids = list(db.session.scalars(scope.where(Candidate.id.in_(wanted)).order_by(Candidate.id)))
        if len(ids) != len(wanted):
            raise DomainError(CANDIDATES_UNKNOWN, "candidate_ids")
    db.session.execute(
        sa.update(Candidate)
        .where(Candidate.id.in_(ids), Candidate.municipality_id == municipality_id)
        .values(specialist_id=target.id),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.flush()
    record(
        actor,
        "journey.caseload_reassigned",
        None,
        municipality_id=municipality_id,
        candidate_ids=ids,
        from_specialist_id=from_specialist_id,
        to_specialist_id=target.id,
        all_candidates=bool(move_all),
        count=len(ids),
    )
    return ids


# Team settings ----------------------------------------------------------------------------------------------


def check_followup_months(text: Any) -> str:
    """ "6 12" as typed → the stored text (sorted); a Dutch refusal for anything else."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else []
    if not parts:
        raise DomainError(MONTHS_EMPTY, "followup_months")
    if not all(part.isdigit() and len(part) <= 3 for part in parts):
        raise DomainError(MONTHS_NOT_NUMBERS, "followup_months")
    months = [int(part) for part in parts]
    low, high = FOLLOWUP_RANGE
    if any(not low <= month <= high for month in months):
        raise DomainError(MONTHS_RANGE, "followup_months")
    for month in months:
        if months.count(month) > 1:
            raise DomainError(MONTHS_TWICE.format(month=month), "followup_months")
    if len(months) > MAX_FOLLOWUPS:
        raise DomainError(MONTHS_TOO_MANY, "followup_months")
    return " ".join(str(month) for month in sorted(months))


def save_team_settings(actor: User, municipality_id: int, values: dict[str, Any]) -> TeamSettings:
    """Store the team's caseload norm, follow-up months and plan review weeks (a row is made once)."""
    if not permissions.may_edit_team_settings(actor, municipality_id):
        raise DomainError(NOT_YOUR_SETTINGS)
    norm, weeks = values.get("caseload_norm"), values.get("plan_review_weeks")
    if not _whole(norm) or not CASELOAD_NORM_RANGE[0] <= norm <= CASELOAD_NORM_RANGE[1]:
        raise DomainError(NORM_RANGE, "caseload_norm")
    if not _whole(weeks) or not PLAN_REVIEW_RANGE[0] <= weeks <= PLAN_REVIEW_RANGE[1]:
        raise DomainError(REVIEW_RANGE, "plan_review_weeks")
    months = check_followup_months(values.get("followup_months"))
    retention = values.get("retention_months")
    if not _whole(retention) or not RETENTION_MONTHS_RANGE[0] <= retention <= RETENTION_MONTHS_RANGE[1]:
        raise DomainError(RETENTION_RANGE, "retention_months")
    row = queries.saved_team_settings(municipality_id)
    before = None
    if row is None:
        row = TeamSettings(municipality_id=municipality_id)
        db.session.add(row)
    else:
        before = {
            "caseload_norm": row.caseload_norm,
            "followup_months": row.followup_months,
            "plan_review_weeks": row.plan_review_weeks,
            "retention_months": row.retention_months,
        }
    row.caseload_norm, row.followup_months, row.plan_review_weeks = norm, months, weeks
    row.retention_months = retention
    db.session.flush()
    record(
        actor,
        "journey.team_settings_saved",
        row,
        caseload_norm=norm,
        followup_months=months,
        plan_review_weeks=weeks,
        retention_months=retention,
        before=before,
    )
    return row


# Retention: keeping a closed dossier longer -----------------------------------------------------------------


def extend_retention(actor: User, candidate: Candidate, reason: Any) -> date:
    """Keep a closed dossier 12 months longer than its purge date, once, with a reason (for example an
    objection or a court case is pending); returns the new purge date."""
    if not permissions.may_extend_retention(actor, candidate):
        raise DomainError(NOT_YOUR_CANDIDATE)
    if candidate.anonymised_at is not None:
        raise DomainError(ALREADY_ANONYMISED)
    if candidate.retention_extended_until is not None:
        raise DomainError(ALREADY_EXTENDED)
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise DomainError(NEED_EXTENSION_REASON, "reason")
    if len(reason) > NOTE_MAX:
        raise DomainError(f"Gebruik hoogstens {NOTE_MAX} tekens.", "reason")
    retention = queries.retention_of(candidate)
    if retention is None:
        raise DomainError(NOT_CLOSED)
    until = add_months(retention.purge_on, queries.RETENTION_EXTENSION_MONTHS)
    candidate.retention_extended_until = until
    candidate.retention_extension_reason = reason
    db.session.flush()
    record(
        actor,
        "candidate.retention_extended",
        candidate,
        purge_on=retention.purge_on.isoformat(),
        extended_until=until.isoformat(),
    )
    return until


# The candidates' spreadsheet import -----------------------------------------------------------------------


def on_candidates_imported(actor: User, *, imported: list[tuple[Candidate, dict[str, Any]]]) -> None:
    """The candidates' spreadsheet import added these candidates (``candidates_imported``, connected in
    ``portal.journey.init_app``): write each row's journey, then plan the follow-ups of their work exits."""
    for candidate, journey in imported:
        if journey:
            record_imported_journey(actor, candidate, journey)
    db.session.flush()
    plan_imported_followups(actor, [candidate.id for candidate, _ in imported])


def record_imported_journey(actor: User, candidate: Candidate, journey: dict[str, Any]) -> None:
    """Write an imported row's specialist, stages and exit (recorded by ``actor``)."""
    specialist_id = journey.get("specialist_id")
    if specialist_id is not None:
        still_there = db.session.scalar(
            sa.select(User.id).where(
                User.id == specialist_id,
                User.municipality_id == candidate.municipality_id,
                User.role == "municipal",
                User.is_active.is_(True),
            )
        )
        if still_there is None:
            raise DomainError(
                "Een klantmanager uit het bestand heeft geen account meer. Kies het bestand opnieuw."
            )
        candidate.specialist_id = specialist_id
    now = now_utc()
    stages = []
    for item in journey.get("stages", []):
        stage = StageChange(
            municipality_id=candidate.municipality_id,
            candidate_id=candidate.id,
            stage=item["stage"],
            entered_on=date.fromisoformat(item["on"]),
            route=item.get("route"),
            provider=item.get("provider"),
            note=item.get("note"),
            recorded_by_id=actor.id,
            recorded_at=now,
        )
        db.session.add(stage)
        stages.append(stage)
    if stages:
        candidate.stage, candidate.stage_since = stages[-1].stage, stages[-1].entered_on
    if exit_data := journey.get("exit"):
        db.session.add(
            Exit(
                municipality_id=candidate.municipality_id,
                candidate_id=candidate.id,
                status="confirmed",
                exit_on=date.fromisoformat(exit_data["on"]),
                kind=exit_data["kind"],
                reason=exit_data.get("reason"),
                recorded_by_id=actor.id,
                confirmed_by_id=actor.id,
                confirmed_at=now,
            )
        )
        candidate.status = "inactive"  # left the caseload: not available for matching
    db.session.flush()
    record(
        actor,
        "candidate.journey_imported",
        candidate,
        specialist_id=specialist_id,
        stages=[stage.stage for stage in stages],
        exit_kind=exit_data["kind"] if exit_data else None,
    )
