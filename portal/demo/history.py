"""A year and a half of the Eindhoven team's journey data, so the monitoring pages have figures at once.

Monthly cohorts of aanmeldingen (8 to 15 invented candidates a month, K-2026-7001 and up, all called
"... Voorbeeld") go through the intakes, klantbeeld (with a screening) and trajectbepaling (a route), on
to a voortraject or vervolgtraject; some step up their ABC plan, some are placed, go into nazorg and
leave for work, others leave for education, a move or another reason; about a third of the exits are to
work. Work exits get their retention follow-ups at 6 and 12 months, most answered "still working", a
couple overdue. Three specialists share the caseload; the team's norm is set low so one is over it.

The candidates that the other demo modules created (the matching pool and the placement scenarios) get
a short journey that ends where their placement stands, and the contracts in nazorg propose an exit
that waits for the contact's confirmation.

The history is planned first, from a seeded random generator and today's date only (so it is the same
every time), then written. The journey's rows are written directly, in the steps below, with their own
dates in the past. Idempotent: a history candidate that exists is skipped whole; a candidate that has a
stage already gets no journey; the exit of a placement and the team's settings are only added once.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate, CandidateVersion
from portal.demo.accounts import SPECIALIST_EMAILS, find_user
from portal.demo.candidates import candidate_rows
from portal.demo.context import Demo, at
from portal.employers.models import Employer
from portal.extensions import db
from portal.journey.models import (
    DEFAULT_PLAN_REVIEW_WEEKS,
    Exit,
    PlanStep,
    RetentionFollowUp,
    Screening,
    StageChange,
    TeamSettings,
)
from portal.placements.models import Placement

#: Aanmeldingen per month, oldest month first (18 months ago up to last month), then this month's.
COHORT_SIZES = (8, 9, 8, 10, 9, 11, 12, 9, 14, 11, 13, 10, 15, 12, 9, 13, 11, 14)
THIS_MONTH = 6
FIRST_NUMBER = 7001
#: The team's caseload norm in the demo: low, so the busiest specialist is over it.
CASELOAD_NORM = 60
#: Share of the history candidates per specialist (SPECIALIST_EMAILS order).
SPECIALIST_WEIGHTS = (3, 4, 3)
SEED = 20260101

FIRST_NAMES = (
    "Adil", "Bashir", "Ceylan", "Dalia", "Elias", "Farah", "Gebre", "Hiba", "Idris", "Jana", "Kidane",
    "Leyla", "Musa", "Nadia", "Osman", "Parwin", "Qasim", "Reem", "Saba", "Tamer", "Usman", "Wafa",
    "Yasin", "Zahra", "Abel", "Basma", "Daniel", "Eden", "Faris", "Ghada", "Hamid", "Iman", "Jamila",
    "Kamal", "Lubna", "Mehari", "Nahom", "Rania", "Senait", "Walid",
)  # fmt: skip

#: The fates a history candidate can have, cycled through in a shuffled order.
FATES = (
    ("moved",) * 3
    + ("other",) * 3
    + ("education",) * 3
    + ("leerwerk", "work_placement", "work_placement", "work_direct", "dropout")
    + ("staying",) * 6
)
#: The oldest cohort mostly found work early, so there are answered follow-ups after 12 months too.
FIRST_FATES = (
    "work_direct",
    "work_placement",
    "work_direct",
    "leerwerk",
    "work_direct",
    "moved",
    "education",
)
PROVIDERS = {
    "activering": "Activeringscentrum De Stap (demo)",
    "opleiding": "Taalschool Lichtstad (demo)",
    "zorg": "Welzijn Eindhoven (demo)",
    "werk": "Werkleerbedrijf Eindhoven (demo)",
    "leerwerk": "Leerwerkloket Eindhoven (demo)",
}
SCREENING_OUTCOMES = (
    "Leert snel; wil graag in de techniek werken.",
    "Taalniveau A2. Kan met uitleg zelfstandig werken.",
    "Heeft eerst structuur in de week nodig.",
    "Goede werkhouding; praktisch ingesteld.",
    "Wil een opleiding volgen naast het werk.",
    "Werkte in het land van herkomst als monteur.",
)
EXIT_REASONS = {
    "work_fulltime": "Contract van {hours} uur per week na de plaatsing.",
    "work_parttime": "Contract van {hours} uur per week, naast de taalles.",
    "leerwerk": "Begint met een BBL-opleiding bij een leerbedrijf.",
    "education": "Gaat voltijd naar een mbo-opleiding.",
    "moved": "Verhuisd naar familie in een andere gemeente.",
    "other": "Wil eerst de inburgering afronden; later weer aanmelden.",
}
DIRECT_EMPLOYERS = (
    "Bouwbedrijf Stevig (demo)",
    "Kringloop De Tweede Kans (demo)",
    "Hotel De Lichtstad (demo)",
)
#: The placement scenarios' contracts in nazorg that propose an exit (pseudonyms).
PROPOSED_EXITS = ("K-2026-9105", "K-2026-9201")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The plan ---------------------------------------------------------------------------------------------


@dataclass
class Step:
    stage: str
    on: date
    source: str | None = None
    route: str | None = None
    provider: str | None = None
    ends_on: date | None = None
    note: str | None = None


@dataclass
class FollowUpPlan:
    months: int
    due_on: date
    answered_on: date | None = None
    via: str | None = None
    still_employed: bool | None = None
    note: str | None = None


@dataclass
class ExitPlan:
    kind: str
    on: date
    hours: int | None = None
    contract_type: str | None = None
    employer_kvk: str | None = None
    employer_name: str | None = None
    followups: list[FollowUpPlan] = field(default_factory=list)


@dataclass
class Journey:
    """One history candidate: who, with which specialist, and what happened when."""

    number: int
    first_name: str
    specialist: int
    steps: list[Step] = field(default_factory=list)
    screening: tuple[str, date, str] | None = None
    plan_agreed_on: date | None = None
    plan_step: tuple[str, str, date] | None = None
    exit: ExitPlan | None = None


def plan_history(today: date) -> list[Journey]:
    """Every history candidate's journey, from the seeded generator and ``today`` only."""
    rng = random.Random(SEED)
    fates = list(FATES)
    rng.shuffle(fates)
    journeys: list[Journey] = []
    sizes = (*COHORT_SIZES, THIS_MONTH)
    first_of_month = today.replace(day=1)
    for months_ago, size in zip(range(len(sizes) - 1, -1, -1), sizes, strict=True):
        month = add_months(first_of_month, -months_ago)
        for _ in range(size):
            number = FIRST_NUMBER + len(journeys)
            registered = min(month + timedelta(days=rng.randrange(28)), today)
            specialist = rng.choices(range(len(SPECIALIST_EMAILS)), weights=SPECIALIST_WEIGHTS)[0]
            journey = Journey(number, FIRST_NAMES[len(journeys) % len(FIRST_NAMES)], specialist)
            index = len(journeys)
            fate = FIRST_FATES[index] if index < len(FIRST_FATES) else fates[index % len(fates)]
            walk_journey(journey, fate, registered, today, rng)
            journeys.append(journey)
    plan_followups(journeys, today, rng)
    return journeys


ROUTE_OF_FATE = {
    "education": "opleiding",
    "leerwerk": "leerwerk",
    "work_placement": "werk",
    "work_direct": "werk",
    "dropout": "werk",
}


class Walk:
    """One candidate's way through the stages, one dated step at a time, never past today."""

    def __init__(self, journey: Journey, registered: date, today: date, rng: random.Random):
        self.journey, self.day, self.today, self.rng = journey, registered, today, rng

    def reach(self, stage: str, after: tuple[int, int], **values) -> bool:
        """Enter ``stage`` some days (within ``after``) later; False when that would be after today."""
        day = self.day + timedelta(days=self.rng.randint(*after))
        if day > self.today:
            return False
        self.day = day
        self.journey.steps.append(Step(stage, day, **values))
        return True

    def leave(self, fate: str, after: tuple[int, int]) -> None:
        leave(self.journey, fate, self.day + timedelta(days=self.rng.randint(*after)), self.today, self.rng)


def walk_journey(journey: Journey, fate: str, registered: date, today: date, rng: random.Random) -> None:
    """The candidate's stages from aanmelding, as far as today allows, towards their fate."""
    source = rng.choice(("coa_tvs", "coa_tvs", "banenbalie", "vluchtelingenwerk", "self", "other"))
    journey.steps.append(Step("aanmelding", registered, source=source))
    walk = Walk(journey, registered, today, rng)
    if fate == "moved" and rng.random() < 0.5:
        walk.leave("moved", (10, 30))
    elif intakes_and_klantbeeld(walk):
        if fate == "moved":
            walk.leave("moved", (10, 40))
        elif route_chosen(walk, fate):
            if fate == "other":
                walk.leave("other", (20, 90))
            else:
                towards_work(walk, fate)


def intakes_and_klantbeeld(walk: Walk) -> bool:
    """Both intakes and the klantbeeld, with a screening; False when today comes first."""
    if not (
        walk.reach("intake_rechtmatigheid", (5, 12))
        and walk.reach("intake_doelmatigheid", (7, 20))
        and walk.reach("klantbeeld", (10, 30))
    ):
        return False
    instrument = walk.rng.choice(("incheck", "noa", "brede_intake", "leerbaarheidstoets", "pps_v"))
    walk.journey.screening = (instrument, walk.day, walk.rng.choice(SCREENING_OUTCOMES))
    return True


def route_chosen(walk: Walk, fate: str) -> bool:
    """Trajectbepaling: the route that suits the fate, and the plan agreed that day."""
    route = ROUTE_OF_FATE.get(fate) or walk.rng.choice(("werk", "werk", "activering", "zorg", "opleiding"))
    if not walk.reach("trajectbepaling", (10, 25), route=route):
        return False
    walk.journey.plan_agreed_on = walk.day
    return True


def towards_work(walk: Walk, fate: str) -> None:
    """A voortraject first for some routes, then the vervolgtraject, a plan step, and the fate's end."""
    route = next(s.route for s in walk.journey.steps if s.stage == "trajectbepaling")
    if route in ("activering", "zorg", "opleiding"):
        weeks = walk.rng.randint(10, 20)
        if not walk.reach("voortraject", (7, 14), provider=PROVIDERS[route]):
            return
        walk.journey.steps[-1].ends_on = walk.day + timedelta(weeks=weeks)
        if fate == "education":
            leave(walk.journey, "education", walk.day + timedelta(weeks=weeks), walk.today)
            return
        if not walk.reach("vervolgtraject", (weeks * 7, weeks * 7 + 14), provider=PROVIDERS["werk"]):
            return
    elif not walk.reach("vervolgtraject", (7, 21), provider=PROVIDERS[route]):
        return
    if walk.rng.random() < 0.4:
        stepped = walk.day + timedelta(days=walk.rng.randint(30, 100))
        if stepped <= walk.today:
            walk.journey.plan_step = ("c", walk.rng.choice(("b", "b", "a")), stepped)
    if fate == "leerwerk":
        walk.leave("leerwerk", (40, 90))
    elif fate == "work_direct":
        walk.leave("work_direct", (30, 80))
    elif fate in ("work_placement", "dropout"):
        place(walk.journey, fate, walk.day, walk.today, walk.rng)


def place(journey: Journey, fate: str, after: date, today: date, rng: random.Random) -> None:
    """An older placement written as plain stages: it must be over by today, else it is left out."""
    placed = after + timedelta(days=rng.randint(20, 50))
    if fate == "dropout":
        back = placed + timedelta(weeks=rng.randint(3, 8))
        if back <= today:
            journey.steps.append(Step("plaatsing", placed))
            journey.steps.append(
                Step(
                    "vervolgtraject",
                    back,
                    provider=PROVIDERS["werk"],
                    note="Terug na uitval bij de plaatsing.",
                )
            )
        return
    contract = placed + timedelta(weeks=rng.randint(10, 13))
    left = contract + timedelta(weeks=rng.randint(4, 10))
    if left > today:
        return
    hours = rng.choice((16, 24, 32, 36, 38))
    kind = "work_fulltime" if hours >= 32 else "work_parttime"
    journey.steps.append(Step("plaatsing", placed))
    journey.steps.append(Step("nazorg", contract))
    journey.steps.append(Step("uitstroom", left))
    journey.exit = ExitPlan(
        kind,
        left,
        hours=hours,
        contract_type=rng.choice(("fixed_term", "fixed_term", "permanent", "temp_agency")),
        employer_kvk=rng.choice(("90000001", "90000002", "90000003", "90000004", "90000006")),
    )


def leave(journey: Journey, fate: str, day: date, today: date, rng: random.Random | None = None) -> None:
    """The exit (uitstroom) on ``day``, if that is not after today."""
    if day > today:
        return
    journey.steps.append(Step("uitstroom", day))
    if fate == "work_direct":
        hours = rng.choice((24, 32, 38))
        journey.exit = ExitPlan(
            "work_fulltime" if hours >= 32 else "work_parttime",
            day,
            hours=hours,
            contract_type=rng.choice(("fixed_term", "temp_agency", "on_call")),
            employer_name=rng.choice(DIRECT_EMPLOYERS),
        )
    elif fate == "leerwerk":
        journey.exit = ExitPlan("leerwerk", day, hours=32, contract_type="bbl", employer_kvk="90000002")
    else:
        journey.exit = ExitPlan(fate, day)


def plan_followups(journeys: list[Journey], today: date, rng: random.Random) -> None:
    """6 and 12 months after each work exit; past ones answered (most still working), two left overdue."""
    asked: list[FollowUpPlan] = []
    for journey in journeys:
        exit_plan = journey.exit
        if exit_plan is None or exit_plan.kind not in ("work_fulltime", "work_parttime", "leerwerk"):
            continue
        for months in (6, 12):
            followup = FollowUpPlan(months, add_months(exit_plan.on, months))
            exit_plan.followups.append(followup)
            if followup.due_on >= today:
                continue
            asked.append(followup)
            followup.answered_on = min(followup.due_on + timedelta(days=rng.randint(1, 12)), today)
            followup.via = rng.choice(("employer", "employer", "specialist"))
            followup.still_employed = rng.random() < 0.85
            if not followup.still_employed:
                followup.note = "Het contract is niet verlengd. Zoekt ander werk."
                break
    for followup in sorted(asked, key=lambda f: f.due_on, reverse=True)[:2]:  # the two latest: overdue
        followup.answered_on = followup.via = followup.still_employed = followup.note = None


# Writing it ---------------------------------------------------------------------------------------------


def seed_history(demo: Demo) -> None:
    """The team's settings, its specialists' history candidates, and journeys for the other candidates."""
    specialists = [find_user(email) for email in SPECIALIST_EMAILS]
    if any(user is None for user in specialists):
        return
    team_settings(demo)
    employers = employers_by_kvk(demo)
    for journey in missing_journeys(plan_history(demo.today)):
        write_history_candidate(demo, journey, specialists, employers)
    db.session.flush()
    journeys_of_current_candidates(demo)
    propose_exits_after_contracts(demo)
    every_candidate_has_a_specialist(demo)
    db.session.flush()


def team_settings(demo: Demo) -> None:
    """Eindhoven's caseload norm (only when the team has no settings yet)."""
    exists = db.session.scalar(
        sa.select(TeamSettings.id).where(TeamSettings.municipality_id == demo.municipality.id)
    )
    if exists is None:
        db.session.add(TeamSettings(municipality_id=demo.municipality.id, caseload_norm=CASELOAD_NORM))


def employers_by_kvk(demo: Demo) -> dict[str, Employer]:
    return {
        e.kvk_number: e
        for e in db.session.scalars(
            sa.select(Employer).where(Employer.municipality_id == demo.municipality.id)
        )
    }


def missing_journeys(journeys: list[Journey]) -> list[Journey]:
    """The planned history candidates that do not exist yet."""
    pseudonyms = {f"K-2026-{j.number}": j for j in journeys}
    existing = set(
        db.session.scalars(sa.select(Candidate.pseudonym).where(Candidate.pseudonym.in_(pseudonyms)))
    )
    return [journey for pseudonym, journey in pseudonyms.items() if pseudonym not in existing]


def write_history_candidate(demo: Demo, journey: Journey, specialists: list[User], employers) -> None:
    """One history candidate with all their rows."""
    specialist = specialists[journey.specialist]
    candidate = add_history_candidate(demo, journey, specialist)
    add_stage_changes(demo, candidate, journey.steps, specialist)
    add_screening(demo, candidate, journey, specialist)
    add_plan_step(demo, candidate, journey, specialist)
    if journey.exit is not None:
        add_exit(demo, candidate, journey.exit, specialist, employers)


def add_history_candidate(demo: Demo, journey: Journey, specialist: User) -> Candidate:
    """The profile (one of the pool's, with its own name), its stage, plan dates and first version."""
    template = candidate_rows()[journey.number % 28]
    values = {k: v for k, v in template.items() if k != "share_consent"}
    last = journey.steps[-1]
    klantbeeld = next((s.on for s in journey.steps if s.stage == "klantbeeld"), None)
    exited = last.stage == "uitstroom"
    values.update(
        pseudonym=f"K-2026-{journey.number}",
        first_name=journey.first_name,
        last_name="Voorbeeld",
        email=f"kandidaat{journey.number}@demo.werkbrug.nl",
        phone=f"06 0000 {journey.number}",
        home_town="Eindhoven",
    )
    candidate = Candidate(
        municipality_id=demo.municipality.id,
        screened_on=klantbeeld,
        screened_by_id=specialist.id if klantbeeld else None,
        status="inactive" if exited else "active",
        specialist_id=specialist.id,
        stage=last.stage,
        stage_since=last.on,
        plan_agreed_on=journey.plan_agreed_on,
        plan_agreed_by_id=specialist.id if journey.plan_agreed_on else None,
        plan_review_on=None if exited else plan_review(journey.plan_agreed_on, demo.today),
        **values,
    )
    candidate.created_at = candidate.updated_at = at(journey.steps[0].on, 9)
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id, version=1, changed_by_id=specialist.id,
            changed_at=at(journey.steps[0].on, 9), changes={"created": True},
        )
    )  # fmt: skip
    demo.created["candidates"] += 1
    return candidate


def plan_review(agreed: date | None, today: date) -> date | None:
    """The next review of the plan: every eight weeks from agreement; a few are a little overdue."""
    if agreed is None:
        return None
    review = agreed + timedelta(weeks=DEFAULT_PLAN_REVIEW_WEEKS)
    while review < today - timedelta(days=10):
        review += timedelta(weeks=DEFAULT_PLAN_REVIEW_WEEKS)
    return review


def add_stage_changes(
    demo: Demo, candidate: Candidate, steps: list[Step], specialist: User, placement_id: int | None = None
) -> None:
    """The dated stage rows; the system stages (plaatsing, nazorg, uitstroom) have no recorder."""
    for step in steps:
        system = step.stage in ("plaatsing", "nazorg", "uitstroom")
        db.session.add(
            StageChange(
                municipality_id=demo.municipality.id,
                candidate_id=candidate.id,
                stage=step.stage,
                entered_on=step.on,
                source=step.source,
                route=step.route,
                provider=step.provider,
                ends_on=step.ends_on,
                placement_id=placement_id if step.stage in ("plaatsing", "nazorg") else None,
                note=step.note,
                recorded_by_id=None if system else specialist.id,
                recorded_at=at(step.on, 11),
            )
        )
        demo.created["stage_changes"] += 1


def add_screening(demo: Demo, candidate: Candidate, journey: Journey, specialist: User) -> None:
    if journey.screening is None:
        return
    instrument, done_on, outcome = journey.screening
    db.session.add(
        Screening(
            municipality_id=demo.municipality.id, candidate_id=candidate.id, instrument=instrument,
            done_on=done_on, outcome=outcome, recorded_by_id=specialist.id, recorded_at=at(done_on, 14),
        )
    )  # fmt: skip
    demo.created["screenings"] += 1


def add_plan_step(demo: Demo, candidate: Candidate, journey: Journey, specialist: User) -> None:
    if journey.plan_step is None:
        return
    from_level, to_level, stepped_on = journey.plan_step
    db.session.add(
        PlanStep(
            municipality_id=demo.municipality.id, candidate_id=candidate.id, from_level=from_level,
            to_level=to_level, stepped_on=stepped_on, note="Een stap hoger in het plan.",
            recorded_by_id=specialist.id, recorded_at=at(stepped_on, 15),
        )
    )  # fmt: skip
    demo.created["plan_steps"] += 1


def add_exit(demo: Demo, candidate: Candidate, plan: ExitPlan, specialist: User, employers) -> None:
    """A confirmed exit with its reason, and for work its retention follow-ups."""
    employer = employers.get(plan.employer_kvk) if plan.employer_kvk else None
    moment = at(plan.on, 12)
    row = Exit(
        municipality_id=demo.municipality.id,
        candidate_id=candidate.id,
        status="confirmed",
        exit_on=plan.on,
        kind=plan.kind,
        reason=EXIT_REASONS[plan.kind].format(hours=plan.hours),
        employer_id=employer.id if employer else None,
        employer_name=plan.employer_name,
        direct_hire=plan.employer_name is not None,
        contract_type=plan.contract_type,
        hours_per_week=plan.hours,
        recorded_by_id=specialist.id,
        confirmed_by_id=specialist.id,
        confirmed_at=moment,
        created_at=moment,
        updated_at=moment,
    )
    db.session.add(row)
    db.session.flush()
    demo.created["exits"] += 1
    for followup in plan.followups:
        add_followup(demo, candidate, row, followup, specialist)


def add_followup(
    demo: Demo, candidate: Candidate, exit_row: Exit, plan: FollowUpPlan, specialist: User
) -> None:
    """A retention follow-up: asked on its due date when that has passed, answered or still open."""
    asked = plan.due_on <= demo.today
    answered = plan.answered_on is not None
    db.session.add(
        RetentionFollowUp(
            municipality_id=demo.municipality.id,
            candidate_id=candidate.id,
            exit_id=exit_row.id,
            months=plan.months,
            due_on=plan.due_on,
            employer_id=exit_row.employer_id,
            question_sent_at=at(plan.due_on, 8) if asked and exit_row.employer_id else None,
            answered_at=at(plan.answered_on, 13) if answered else None,
            answered_via=plan.via,
            answered_by_id=specialist.id if plan.via == "specialist" else None,
            still_employed=plan.still_employed,
            hours_per_week=exit_row.hours_per_week if plan.still_employed else None,
            contract_extended=(plan.months == 12) if plan.still_employed else None,
            note=plan.note,
            created_at=at(exit_row.exit_on, 12),
            updated_at=at(plan.answered_on, 13) if answered else at(exit_row.exit_on, 12),
        )
    )
    demo.created["followups"] += 1


# The other demo candidates -----------------------------------------------------------------------------


def journeys_of_current_candidates(demo: Demo) -> None:
    """A short journey for each candidate without a stage: up to where their latest placement stands."""
    candidates = db.session.scalars(
        sa.select(Candidate)
        .where(Candidate.municipality_id == demo.municipality.id, Candidate.stage.is_(None))
        .order_by(Candidate.id)
    ).all()
    placements = latest_placements([c.id for c in candidates])
    for candidate in candidates:
        placement = placements.get(candidate.id)
        steps = journey_until_now(demo, candidate, placement)
        add_stage_changes(demo, candidate, steps, demo.contact, placement.id if placement else None)
        candidate.stage, candidate.stage_since = steps[-1].stage, steps[-1].on
        agreed = next(s.on for s in steps if s.stage == "trajectbepaling")
        candidate.plan_agreed_on, candidate.plan_agreed_by_id = agreed, demo.contact.id
        candidate.plan_review_on = plan_review(agreed, demo.today)


def latest_placements(candidate_ids: list[int]) -> dict[int, Placement]:
    rows = db.session.scalars(
        sa.select(Placement).where(Placement.candidate_id.in_(candidate_ids)).order_by(Placement.id)
    )
    return {placement.candidate_id: placement for placement in rows}


def journey_until_now(demo: Demo, candidate: Candidate, placement: Placement | None) -> list[Step]:
    """Aanmelding six weeks before the klantbeeld (the screening), then on to the placement, if any."""
    screened = min(candidate.screened_on or demo.today, demo.today)
    route = "zorg" if candidate.care_first else "werk"
    chosen = min(screened + timedelta(days=7), demo.today)
    steps = [
        Step("aanmelding", screened - timedelta(days=45), source="coa_tvs"),
        Step("intake_rechtmatigheid", screened - timedelta(days=35)),
        Step("intake_doelmatigheid", screened - timedelta(days=21)),
        Step("klantbeeld", screened),
        Step("trajectbepaling", chosen, route=route),
    ]
    onwards = min(chosen + timedelta(days=7), demo.today)
    if candidate.care_first:
        steps.append(
            Step("voortraject", onwards, provider=PROVIDERS["zorg"], ends_on=onwards + timedelta(weeks=16))
        )
    else:
        steps.append(Step("vervolgtraject", onwards, provider=PROVIDERS["werk"]))
    if placement is None or placement.actual_start_date is None:
        return steps
    steps.append(Step("plaatsing", placement.actual_start_date))
    if placement.status == "nazorg":
        steps.append(Step("nazorg", min(placement.contract_start_date, demo.today)))
    elif placement.status in ("closed", "interrupted"):
        back = min(placement.ended_on + timedelta(days=1), demo.today)
        steps.append(Step("vervolgtraject", back, provider=PROVIDERS["werk"], note="Terug na de plaatsing."))
    return steps


def propose_exits_after_contracts(demo: Demo) -> None:
    """The contracts in nazorg of PROPOSED_EXITS propose an exit to work, waiting for confirmation."""
    placements = db.session.scalars(
        sa.select(Placement)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .outerjoin(Exit, Exit.placement_id == Placement.id)
        .where(
            Placement.municipality_id == demo.municipality.id,
            Placement.status == "nazorg",
            Candidate.pseudonym.in_(PROPOSED_EXITS),
            Exit.id.is_(None),
        )
    ).all()
    for placement in placements:
        hours = placement.contract_hours
        kind = "work_fulltime" if hours and hours >= 32 else "work_parttime"
        db.session.add(
            Exit(
                municipality_id=demo.municipality.id,
                candidate_id=placement.candidate_id,
                status="proposed",
                exit_on=placement.contract_start_date,
                kind=kind,
                reason=EXIT_REASONS[kind].format(hours=hours),
                placement_id=placement.id,
                employer_id=placement.employer_id,
                contract_type=placement.contract_type,
                hours_per_week=hours,
            )
        )
        demo.created["exits"] += 1


def every_candidate_has_a_specialist(demo: Demo) -> None:
    """The candidates of the other demo modules are the fixed contact's caseload."""
    db.session.execute(
        sa.update(Candidate)
        .where(Candidate.municipality_id == demo.municipality.id, Candidate.specialist_id.is_(None))
        .values(specialist_id=demo.contact.id)
    )
