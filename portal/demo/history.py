"""A year and a half of the Eindhoven team's journey, so the monitoring pages have figures at once.

Monthly cohorts of aanmeldingen (8 to 15 invented candidates a month over the last year, fewer in the
half year before; K-2026-7001 and up, all called "... Voorbeeld") go through the intakes, klantbeeld
(with a screening) and trajectbepaling (a route and the ABC plan), on to a voortraject or
vervolgtraject; some step up their plan, some are placed, go into nazorg and leave for work, others
leave for education, a move or another reason; about a third of the exits are to work. Work exits get
their retention follow-ups at 6 and 12 months, most answered "still working", two overdue. Three
specialists share the caseload; the team's norm is set low so the busiest is over it.

The history is planned first, from a seeded random generator and today's date only (so it is the same
every time), then recorded with the journey services (``portal.demo.journeys`` and
``portal.journey.services``), each step on its own day through the clock override. Older placements
are plain system stages (no placement rows). The follow-ups are started by the follow-up sweep on
their due dates and answered through the employer's link or by the specialist
(``portal.followups.services``). The other demo candidates get their first steps when they are
created (``portal.demo.candidates``) and their placement stages and proposed exits from the placements
themselves.

Idempotent: a history candidate that exists is skipped whole; the team's settings are saved once.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate, CandidateVersion
from portal.core.time import clock_at
from portal.demo.accounts import ADMIN_EMAIL, SPECIALIST_EMAILS, find_user
from portal.demo.candidates import candidate_rows
from portal.demo.context import Demo, at
from portal.demo.journeys import PROVIDERS, REVIEW_WEEKS, Step, agree, record_steps
from portal.employers.models import Employer
from portal.extensions import db
from portal.followups.services import answer_with_link, record_answer, sweep
from portal.journey.models import DEFAULT_RETENTION_MONTHS, Exit, RetentionFollowUp, TeamSettings
from portal.journey.services import (
    record_exit,
    record_plan_step,
    record_screening,
    save_team_settings,
)
from portal.matching.services import set_candidate_status

#: Aanmeldingen per month, oldest month first (18 months ago up to last month), then this month's. The
#: first six months were the team's start (fewer); they give the 12-month follow-ups their answers.
COHORT_SIZES = (6, 5, 6, 5, 6, 6, 12, 9, 14, 11, 13, 10, 15, 12, 9, 13, 11, 14)
THIS_MONTH = 6
FIRST_NUMBER = 7001
#: The team's caseload norm in the demo: low, so the busiest specialist is over it.
CASELOAD_NORM = 50
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
#: The first ones of these cohorts (months ago) found work early, so the answered follow-ups after 6 and
#: 12 months also belong to the cohorts of the last twelve months and the half year before.
FAST_COHORTS = (18,)
#: In these cohorts (months ago) the first two found work within three months (fixed dates, always
#: still working after six months): the retention figures of the last twelve months have answers.
QUICK_COHORTS = (10, 9)
FIRST_FATES = (
    "work_direct",
    "work_placement",
    "work_direct",
    "leerwerk",
    "work_direct",
    "moved",
    "education",
)
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
STEP_NOTE = "Een stap hoger in het plan."
#: Days an employer has to answer a follow-up (the default FOLLOWUP_ANSWER_DAYS): later it is overdue.
ANSWER_DAYS = 21


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# The plan ---------------------------------------------------------------------------------------------


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
    #: Found work quickly and kept it (see quick_work).
    quick: bool = False


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
        for place in range(size):
            number = FIRST_NUMBER + len(journeys)
            registered = min(month + timedelta(days=rng.randrange(28)), today)
            specialist = rng.choices(range(len(SPECIALIST_EMAILS)), weights=SPECIALIST_WEIGHTS)[0]
            journey = Journey(number, FIRST_NAMES[len(journeys) % len(FIRST_NAMES)], specialist)
            fate = fates[len(journeys) % len(fates)]
            if months_ago in QUICK_COHORTS and place < 2:
                quick_work(journey, month + timedelta(days=2), today)
                journeys.append(journey)
                continue
            if months_ago in FAST_COHORTS and place < len(FIRST_FATES):
                fate = FIRST_FATES[place]
            walk_journey(journey, fate, registered, today, rng)
            journeys.append(journey)
    plan_followups(journeys, today, rng)
    return journeys


def quick_work(journey: Journey, registered: date, today: date) -> None:
    """Work found directly in about ten weeks, on fixed days after the aanmelding."""
    journey.quick = True
    offsets = (
        ("aanmelding", 0), ("intake_rechtmatigheid", 7), ("intake_doelmatigheid", 14), ("klantbeeld", 28),
        ("trajectbepaling", 42), ("vervolgtraject", 49),
    )  # fmt: skip
    for stage, days in offsets:
        day = registered + timedelta(days=days)
        if day > today:
            return
        values = {"source": "banenbalie"} if stage == "aanmelding" else {}
        values |= {"route": "werk"} if stage == "trajectbepaling" else {}
        values |= {"provider": PROVIDERS["werk"]} if stage == "vervolgtraject" else {}
        journey.steps.append(Step(stage, day, **values))
        if stage == "klantbeeld":
            journey.screening = ("brede_intake", day, SCREENING_OUTCOMES[3])
        if stage == "trajectbepaling":
            journey.plan_agreed_on = day
    left = registered + timedelta(days=72)
    if left <= today:
        journey.steps.append(Step("uitstroom", left))
        journey.exit = ExitPlan(
            "work_fulltime", left, hours=36, contract_type="fixed_term", employer_name=DIRECT_EMPLOYERS[0]
        )


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
    """6 and 12 months after each work exit: answered within days of the due date (most still working),
    except those whose answer is not in yet and the two latest past their answer time (overdue)."""
    asked: list[FollowUpPlan] = []
    for journey in journeys:
        exit_plan = journey.exit
        if exit_plan is None or exit_plan.kind not in ("work_fulltime", "work_parttime", "leerwerk"):
            continue
        still_working = True
        for months in (6, 12):
            followup = FollowUpPlan(months, add_months(exit_plan.on, months))
            exit_plan.followups.append(followup)
            if followup.due_on >= today:
                continue
            answered_on = followup.due_on + timedelta(days=rng.randint(1, 12))
            if answered_on >= today:
                continue  # asked, the answer is not in yet
            if followup.due_on + timedelta(days=ANSWER_DAYS) < today and not journey.quick:
                asked.append(followup)
            followup.answered_on = answered_on
            followup.via = rng.choice(("employer", "employer", "specialist"))
            still_working = still_working and (journey.quick or rng.random() < 0.85)  # once gone, still gone
            followup.still_employed = still_working
            if not still_working:
                followup.note = "Het contract is niet verlengd. Zoekt ander werk."
    # The two latest whose answer time has passed stay unanswered: overdue.
    for followup in sorted(asked, key=lambda f: f.due_on, reverse=True)[:2]:
        followup.answered_on = followup.via = followup.still_employed = followup.note = None


# Writing it ---------------------------------------------------------------------------------------------


def seed_history(demo: Demo) -> None:
    """The team's settings, then each missing history candidate with their journey."""
    specialists = [find_user(email) for email in SPECIALIST_EMAILS]
    admin = find_user(ADMIN_EMAIL)
    if admin is None or any(user is None for user in specialists):
        return
    team_settings(demo, admin)
    employers = employers_by_kvk(demo)
    followups: list[tuple[RetentionFollowUp, FollowUpPlan, User]] = []
    for journey in missing_journeys(plan_history(demo.today)):
        followups += write_history_candidate(demo, journey, specialists, employers)
    ask_and_answer_followups(demo, followups)
    db.session.flush()


def team_settings(demo: Demo, admin: User) -> None:
    """Eindhoven's caseload norm, set by the admin (only when the team has no settings yet)."""
    exists = db.session.scalar(
        sa.select(TeamSettings.id).where(TeamSettings.municipality_id == demo.municipality.id)
    )
    if exists is None:
        save_team_settings(
            admin,
            demo.municipality.id,
            {
                "caseload_norm": CASELOAD_NORM,
                "followup_months": "6 12",
                "plan_review_weeks": REVIEW_WEEKS,
                "retention_months": DEFAULT_RETENTION_MONTHS,
            },
        )


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


def write_history_candidate(demo: Demo, journey: Journey, specialists: list[User], employers) -> list:
    """One history candidate: the profile, then what happened, each on its day, by their specialist;
    returns their follow-ups with the answers to come, as (row, plan, specialist)."""
    specialist = specialists[journey.specialist]
    candidate = add_history_candidate(demo, journey, specialist)
    before_exit = [step for step in journey.steps if step.stage != "uitstroom"]
    screened = journey.screening[1] if journey.screening else None
    for step in before_exit:
        demo.created["stage_changes"] += record_steps(specialist, candidate, [step])
        if step.on == screened and step.stage == "klantbeeld":
            screen(demo, candidate, journey, specialist)
        if step.stage == "trajectbepaling":
            agree(specialist, candidate, step.on, demo.today, still_active=journey.exit is None)
    if journey.plan_step is not None:
        step_up(demo, candidate, journey, specialist)
    if journey.exit is None:
        return []
    return leave_the_caseload(demo, candidate, journey.exit, specialist, employers)


def add_history_candidate(demo: Demo, journey: Journey, specialist: User) -> Candidate:
    """The profile (one of the pool's, with its own name) registered on the day of the aanmelding."""
    template = candidate_rows()[journey.number % 28]
    values = {k: v for k, v in template.items() if k != "coa_consent"}
    klantbeeld = next((s.on for s in journey.steps if s.stage == "klantbeeld"), None)
    values.update(
        pseudonym=f"K-2026-{journey.number}",
        first_name=journey.first_name,
        last_name="Voorbeeld",
        email=f"kandidaat{journey.number}@demo.werkbrug.nl",
        phone=f"06 0000 {journey.number}",
        home_town="Eindhoven",
    )
    registered = at(journey.steps[0].on, 9)
    candidate = Candidate(
        municipality_id=demo.municipality.id,
        screened_on=klantbeeld,
        screened_by_id=specialist.id if klantbeeld else None,
        specialist_id=specialist.id,
        created_at=registered,
        updated_at=registered,
        **values,
    )
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id, version=1, changed_by_id=specialist.id, changed_at=registered,
            changes={"created": True},
        )
    )  # fmt: skip
    demo.created["candidates"] += 1
    return candidate


def screen(demo: Demo, candidate: Candidate, journey: Journey, specialist: User) -> None:
    """The screening done for the klantbeeld, recorded that afternoon."""
    instrument, done_on, outcome = journey.screening
    with clock_at(at(done_on, 14)):
        record_screening(
            specialist, candidate, {"instrument": instrument, "done_on": done_on, "outcome": outcome}
        )
    demo.created["screenings"] += 1


def step_up(demo: Demo, candidate: Candidate, journey: Journey, specialist: User) -> None:
    """A step up the ABC plan, recorded the day it happened."""
    from_level, to_level, stepped_on = journey.plan_step
    with clock_at(at(stepped_on, 15)):
        record_plan_step(
            specialist,
            candidate,
            {"from_level": from_level, "to_level": to_level, "stepped_on": stepped_on, "note": STEP_NOTE},
        )
    demo.created["plan_steps"] += 1


def leave_the_caseload(demo: Demo, candidate: Candidate, plan: ExitPlan, specialist: User, employers) -> list:
    """The exit on its day (uitstroom follows, and for work the follow-ups are planned); the candidate is
    no longer available. Returns the planned follow-ups with their answers to come."""
    employer = employers.get(plan.employer_kvk) if plan.employer_kvk else None
    with clock_at(at(plan.on, 12)):
        exit_row = record_exit(
            specialist,
            candidate,
            {
                "exit_on": plan.on,
                "kind": plan.kind,
                "reason": EXIT_REASONS[plan.kind].format(hours=plan.hours),
                "contract_type": plan.contract_type,
                "hours_per_week": plan.hours,
                "employer_id": employer.id if employer else None,
                "employer_name": plan.employer_name,
            },
        )
        set_candidate_status(specialist, candidate, "inactive")
    demo.created["exits"] += 1
    demo.created["stage_changes"] += 1
    rows = {
        row.months: row
        for row in db.session.scalars(
            sa.select(RetentionFollowUp).where(RetentionFollowUp.exit_id == exit_row.id)
        )
    }
    demo.created["followups"] += len(rows)
    return [(rows[answer.months], answer, specialist) for answer in plan.followups if answer.months in rows]


def ask_and_answer_followups(
    demo: Demo, followups: list[tuple[RetentionFollowUp, FollowUpPlan, User]]
) -> None:
    """In the order it happened: on each due date the follow-up sweep opens the specialist's task and asks
    the employer; each answer comes in on its day (through the employer's link when a question was sent,
    else recorded by the specialist after a call)."""
    events = [
        (row.due_on, 0, row, plan, specialist)
        for row, plan, specialist in followups
        if row.due_on < demo.today
    ]
    events += [
        (plan.answered_on, 1, row, plan, specialist)
        for row, plan, specialist in followups
        if plan.answered_on
    ]
    for day, kind, row, plan, specialist in sorted(
        events, key=lambda event: (event[0], event[1], event[2].id)
    ):
        if kind == 0:
            with clock_at(at(day, 7)):
                sweep()
        else:
            answer_followup(row, plan, specialist)


def answer_followup(row: RetentionFollowUp, plan: FollowUpPlan, specialist: User) -> None:
    """One answer, on the day it came in."""
    hours = db.session.scalar(sa.select(Exit.hours_per_week).where(Exit.id == row.exit_id))
    values = {
        "still_employed": plan.still_employed,
        "hours_per_week": hours if plan.still_employed else None,
        "contract_extended": (row.months == 12) if plan.still_employed else None,
        "note": plan.note,
    }
    moment = at(plan.answered_on, 13)
    with clock_at(moment):
        if row.token_hash is not None:
            answer_with_link(row, values, moment)
        else:
            record_answer(specialist, row, values)
