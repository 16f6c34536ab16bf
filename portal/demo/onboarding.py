"""Demo data for onboarding and beyond: placements in every status, weekly logs, visits, actions, decisions.

Everything is dated relative to today, so the demo tells the same story on any day it is first seeded:
three placements in onboarding (one worrying, one with this week's log still to do), one onboarding
placement whose planned end is near without a decision, one in nazorg after a contract, one closed after
a stop decision and one interrupted (uitval) with an open intake task. The demo jobcoach has visited most
of them and agreed actions with owners.

Each scenario is a small function: the placement starts (``portal.demo.hiring``), the employer writes
its weekly logs (the real ``save_weekly_log``, on the day each was written), the jobcoach records
visits, and some end (``portal.demo.endings``). A scenario whose placement exists is skipped whole.
All people are invented.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal.core.holidays import add_working_days
from portal.core.time import clock_at, now_utc
from portal.demo.candidates import scenario_candidate
from portal.demo.context import Demo, at
from portal.demo.endings import end_with_contract, end_with_dropout, end_with_stop
from portal.demo.hiring import (
    RequestSpec,
    employer_user,
    hire,
    proposal_of,
    reveal_identity,
    scenario_request,
    start_placement,
)
from portal.extensions import db
from portal.placements.models import SCORED_ASPECTS, Placement
from portal.placements.services import assign_jobcoach, monday_of, save_weekly_log
from portal.tasks.models import Task
from portal.tasks.services import complete_task
from portal.visits.services import confirm_visit
from portal.visits.services import record_visit as record_visit_service

#: Role title → (employer KvK, workplace name, type code, positions, days per week, hours per week).
REQUESTS = {
    "Bakkershulp in de productie": ("90000001", "Bakkerij (productie)", "taalstage", 2, 2, 12),
    "Hulp in de winkel": ("90000001", "Winkel Stratum", "stage", 1, 2, 12),
    "Medewerker magazijn": ("90000002", "Magazijn en expeditie", "proefplaatsing", 2, 3, 20),
    "Medewerker buitendienst": ("90000003", "Buitendienst groenonderhoud", "werkervaringsplaats", 2, 3, 20),
}

#: Invented candidates for these placements: (pseudonym number, first name); the last name is "Voorbeeld".
CANDIDATES = {
    "bakery": (9101, "Abdi"),
    "bakery_closed": (9102, "Meron"),
    "shop_near_end": (9103, "Karim"),
    "warehouse_worrying": (9104, "Jamal"),
    "warehouse_nazorg": (9105, "Sara"),
    "green": (9106, "Rahel"),
    "green_dropout": (9107, "Nabil"),
}


def scores(punctuality, progress, dutch, teamwork, motivation) -> dict[str, int]:
    return dict(zip(SCORED_ASPECTS, (punctuality, progress, dutch, teamwork, motivation), strict=True))


#: Good weeks, slowly getting better (one tuple per week, in SCORED_ASPECTS order).
STEADY = (
    (3, 2, 2, 3, 4),
    (3, 3, 2, 3, 4),
    (4, 3, 2, 3, 4),
    (4, 3, 3, 3, 4),
    (4, 3, 3, 4, 4),
    (4, 4, 3, 4, 4),
)


def steady(week: int) -> dict[str, Any]:
    return {"scores": STEADY[min(week, len(STEADY) - 1)]}


def log_week(scores, **extra) -> dict[str, Any]:
    return {"scores": scores, **extra}


#: The weekly logs of each scenario, oldest first. Extras: hours_absent + absence_reason, concern,
#: needs (from the municipality), notes ({aspect: text}), language (taalstage goals met).
LOGS: dict[str, list[dict[str, Any]]] = {
    "bakery": [
        log_week((3, 2, 1, 3, 4), notes={"dutch_at_work": "Begrijpt korte instructies als we ze voordoen."}),
        log_week((3, 2, 2, 3, 4), language="Hij kent de namen van de broden en de machines."),
        log_week(
            (2, 2, 2, 3, 3),
            hours_absent=4,
            absence_reason="Afspraak bij de IND (gemeld)",
            notes={"punctuality": "Twee keer te laat: de eerste bus is te laat voor 5 uur."},
        ),
        log_week((3, 3, 2, 3, 4), language="Vraagt zelf om uitleg als hij iets niet begrijpt."),
        log_week((3, 3, 3, 4, 4)),
    ],
    "bakery_closed": [
        log_week((3, 2, 1, 3, 3)),
        log_week((3, 2, 1, 3, 3)),
        log_week((3, 2, 1, 2, 3), notes={"dutch_at_work": "Klanten begrijpen haar nog moeilijk."}),
        log_week((4, 2, 1, 3, 3)),
        log_week((4, 3, 2, 3, 3)),
        log_week((4, 3, 1, 3, 2), needs="Kan zij extra taalles krijgen naast het werk?"),
        log_week((4, 3, 2, 3, 3)),
        log_week((4, 3, 2, 3, 3)),
        log_week((4, 3, 2, 3, 3)),
        log_week((3, 3, 2, 3, 2)),
        log_week((4, 3, 2, 3, 3)),
        log_week((4, 3, 2, 3, 3)),
        log_week((4, 3, 2, 3, 3)),
    ],
    "shop_near_end": [steady(week) for week in range(8)],
    "warehouse_worrying": [
        log_week((3, 3, 2, 3, 4)),
        log_week((2, 3, 2, 3, 3), notes={"punctuality": "Twee keer een half uur te laat."}),
        log_week((2, 2, 2, 2, 3), hours_absent=8, absence_reason="Ziek gemeld"),
        log_week(
            (1, 2, 2, 2, 2),
            hours_absent=6,
            absence_reason="Niet gekomen, niet afgemeld",
            concern="Hij komt vaak te laat en lijkt moe. Ik weet niet of dit werk nu bij hem past.",
            needs="Graag deze week een gesprek met de jobcoach erbij.",
        ),
        log_week(
            (1, 1, 2, 2, 1),
            hours_absent=12,
            absence_reason="Ziek gemeld",
            concern="Weer veel afwezig. Het tillen in het magazijn lijkt hem zwaar te vallen.",
        ),
    ],
    "warehouse_nazorg": [steady(week + 1) for week in range(8)],
    "green": [steady(week) for week in range(4)],
    "green_dropout": [
        log_week((3, 3, 2, 3, 4)),
        log_week((3, 3, 2, 3, 3)),
        log_week((3, 2, 2, 3, 3), hours_absent=6, absence_reason="Ziek gemeld"),
        log_week(
            (2, 2, 2, 3, 2),
            hours_absent=12,
            absence_reason="Ziek gemeld",
            concern="Het bukken en tillen gaat hem steeds moeilijker af. Ik maak me zorgen of dit werk gaat.",
            needs="Kan de jobcoach met hem praten over ander werk?",
        ),
        log_week((2, 2, 2, 3, 2), hours_absent=18, absence_reason="Ziek gemeld"),
        log_week((1, 1, 2, 3, 1), hours_absent=18, absence_reason="Ziek gemeld"),
    ],
}


def visit(day, mode, minutes, spoken, risk, observations, *, reason=None, confirmed=False, actions=()):
    """A visit spec; actions are (title, owner, due in days from today, done)."""
    return {
        "visit_date": day,
        "mode": mode,
        "duration_minutes": minutes,
        "spoken_with": spoken,
        "risk": risk,
        "risk_reason": reason,
        "observations": observations,
        "confirmed": confirmed,
        "actions": actions,
    }


# The steps of a scenario ---------------------------------------------------------------------------------


def started_placement(
    demo: Demo,
    key: str,
    title: str,
    spec: RequestSpec,
    candidate: tuple[int, str],
    begin: date,
    end: date,
    *,
    identity: bool = False,
) -> Placement | None:
    """Request, candidate, accepted proposal and the placement started on ``begin``; None if it exists."""
    request = scenario_request(demo, title, spec, begin)
    person = scenario_candidate(demo, *candidate, screened=begin - timedelta(days=60))
    if proposal_of(request, person) is not None:
        return None
    placement = hire(demo, request, person, begin, end)
    if identity:
        reveal_identity(demo, placement)
    start_placement(demo, placement, begin)
    return placement


def log_values(placement: Placement, spec: dict[str, Any]) -> dict[str, Any]:
    """The weekly log form's values for a spec (scores and the optional extras)."""
    hours_absent = spec.get("hours_absent", 0)
    days_missed = min(placement.days_per_week, hours_absent // 6)
    concern = spec.get("concern")
    return {
        "days_planned": placement.days_per_week,
        "days_present": placement.days_per_week - days_missed,
        "hours_absent": hours_absent,
        "absence_reason": spec.get("absence_reason"),
        **scores(*spec["scores"]),
        "notes": spec.get("notes", {}),
        "language_goals_met": spec.get("language"),
        "has_concern": concern is not None,
        "concern_text": concern,
        "needs_from_municipality": spec.get("needs"),
    }


def write_weekly_logs(demo: Demo, placement: Placement, author, specs, begin: date, last: date) -> None:
    """One log per week from the week of ``begin`` up to the week of ``last``, each on its Friday."""
    week = monday_of(begin)
    for spec in specs:
        if week > last:
            break
        with clock_at(at(min(week + timedelta(days=4), demo.today), 15)):
            save_weekly_log(author, placement, week, log_values(placement, spec))
        demo.created["weekly_logs"] += 1
        week += timedelta(weeks=1)


def last_log_week(demo: Demo, end: date, *, this_week: bool, until: date | None) -> date:
    """The last week with a log: last week (or this one), never past the planned end or before ``until``."""
    last = monday_of(demo.today) if this_week else monday_of(demo.today) - timedelta(weeks=1)
    last = min(last, monday_of(end - timedelta(days=1)))
    if until is not None:
        last = min(last, until - timedelta(weeks=1))
    return last


def record_visit(demo: Demo, placement: Placement, author, spec: dict[str, Any]) -> None:
    """The jobcoach records the visit that afternoon; the employer confirms it the next morning (when the
    spec says so); actions marked done were done the day before they were due."""
    day = spec["visit_date"]
    actions = [
        {"title": title, "owner": owner, "due_date": max(day, demo.today + timedelta(days=due_in))}
        for title, owner, due_in, _done in spec["actions"]
    ]
    values = {
        "visit_date": day,
        "duration_minutes": spec["duration_minutes"],
        "mode": spec["mode"],
        "spoken_with": spec["spoken_with"].split(),
        "contact_made": True,
        "observations": spec["observations"],
        "risk": spec["risk"],
        "risk_reason": spec["risk_reason"],
    }
    with clock_at(at(day, 16)):
        entry = record_visit_service(demo.jobcoach, placement, values, actions)
    demo.created["visits"] += 1
    demo.created["tasks"] += len(actions)
    if spec["confirmed"]:
        with clock_at(at(day + timedelta(days=1), 11)):
            confirm_visit(author, entry, placement)
    tasks = db.session.scalars(sa.select(Task).where(Task.visit_id == entry.id).order_by(Task.id)).all()
    for task, (_title, owner, _due_in, done) in zip(tasks, spec["actions"], strict=True):
        if done:
            with clock_at(at(task.due_date - timedelta(days=1), 15)):
                complete_task(author if owner == "employer" else demo.jobcoach, task, placement)


def onboarding_placement(
    demo: Demo,
    key: str,
    title: str,
    begin: date,
    end: date,
    *,
    visits=(),
    log_this_week=False,
    log_until: date | None = None,
    jobcoach=True,
    identity=False,
) -> Placement | None:
    """A started placement with its jobcoach, weekly logs and visits; None when it exists already."""
    spec = REQUESTS[title]
    placement = started_placement(demo, key, title, spec, CANDIDATES[key], begin, end, identity=identity)
    if placement is None:
        return None
    author = employer_user(demo, spec)
    if jobcoach:
        assign_jobcoach(demo.contact, placement, demo.jobcoach.id)
    last = last_log_week(demo, end, this_week=log_this_week, until=log_until)
    write_weekly_logs(demo, placement, author, LOGS[key], begin, last)
    for entry in visits:
        record_visit(demo, placement, author, entry)
    demo.created["placements"] += 1
    return placement


def employer_prefers(placement: Placement, preference: str, note: str) -> None:
    """The employer's answer to "how should this continue?", given two days ago."""
    placement.employer_preference, placement.employer_preference_note = preference, note
    placement.employer_preference_at = now_utc() - timedelta(days=2)


# The scenarios ---------------------------------------------------------------------------------------------


def seed_onboarding(demo: Demo) -> None:
    """The onboarding scenarios, oldest first; each is skipped when its placement exists."""
    bakery_closed_after_stop(demo)
    bakery_in_onboarding(demo)
    shop_near_its_end(demo)
    warehouse_in_nazorg(demo)
    warehouse_worrying(demo)
    green_dropout(demo)
    green_without_jobcoach(demo)
    db.session.flush()


def bakery_closed_after_stop(demo: Demo) -> None:
    """Closed after a stop decision (not enough Dutch yet for the shop floor)."""
    placement = onboarding_placement(
        demo,
        "bakery_closed",
        "Bakkershulp in de productie",
        demo.weeks_ago(20),
        demo.weeks_ago(7),
        visits=[
            visit(
                demo.weeks_ago(14) + timedelta(days=2),
                "on_site",
                45,
                "candidate supervisor",
                "low",
                "Werkt hard en is altijd op tijd. Het Nederlands gaat langzaam vooruit.",
            ),
        ],
    )
    if placement is not None:
        end_with_stop(
            demo,
            placement,
            "more_language",
            "Het Nederlands is nog te moeilijk. Eerst de taalcursus afmaken.",
        )


def bakery_in_onboarding(demo: Demo) -> None:
    """Onboarding at the bakery; this week's log is still to do (the employer's home page shows it)."""
    begin = demo.weeks_ago(5)
    onboarding_placement(
        demo,
        "bakery",
        "Bakkershulp in de productie",
        begin,
        begin + timedelta(weeks=26),
        visits=[
            visit(
                demo.today - timedelta(days=25),
                "on_site",
                60,
                "candidate supervisor",
                "low",
                "Goede start. Hij werkt zorgvuldig en de collega's helpen hem met de taal.",
                confirmed=True,
                actions=[("Werkinstructies op papier maken, met foto's", "employer", -18, True)],
            ),
            visit(
                demo.today - timedelta(days=4),
                "phone",
                20,
                "candidate",
                "medium",
                "Beginnen om 5 uur is moeilijk: de eerste bus rijdt later.",
                reason="Te laat komen door het vroege begin; dat kan de plaatsing in gevaar brengen.",
                actions=[
                    ("Een fiets regelen via de fietsenbank", "municipal", 7, False),
                    ("De fietsroute naar de bakkerij oefenen", "candidate", 3, False),
                ],
            ),
        ],
        identity=True,
    )


def shop_near_its_end(demo: Demo) -> None:
    """Planned end within ten working days, no decision yet; the employer would like a contract."""
    placement = onboarding_placement(
        demo,
        "shop_near_end",
        "Hulp in de winkel",
        demo.weeks_ago(7),
        add_working_days(demo.today, 7),
        log_this_week=True,
        visits=[
            visit(
                demo.today - timedelta(days=6),
                "phone",
                15,
                "supervisor",
                "low",
                "Het gaat goed. De werkgever denkt aan een contract.",
                actions=[
                    ("Het rooster van de laatste weken met de kandidaat bespreken", "employer", 5, False)
                ],
            ),
        ],
    )
    if placement is not None:
        employer_prefers(
            placement, "contract", "Wij willen graag verder met een tijdelijk contract van 16 uur."
        )


def warehouse_in_nazorg(demo: Demo) -> None:
    """Nazorg: a contract followed the placement eight weeks ago."""
    end = demo.weeks_ago(8)
    placement = onboarding_placement(
        demo,
        "warehouse_nazorg",
        "Medewerker magazijn",
        demo.weeks_ago(16),
        end,
        visits=[
            visit(
                demo.today - timedelta(days=12),
                "on_site",
                30,
                "candidate manager",
                "low",
                "Werkt nu met een contract en is tevreden. De werkgever ook.",
                confirmed=True,
                actions=[("Na drie maanden contract een evaluatie plannen", "employer", 30, False)],
            ),
        ],
    )
    if placement is not None:
        end_with_contract(
            demo,
            placement,
            employer_user(demo, REQUESTS["Medewerker magazijn"]),
            "fixed_term",
            24,
            end + timedelta(days=1),
        )


def warehouse_worrying(demo: Demo) -> None:
    """Onboarding with worrying weeks and a high risk visit with overdue actions."""
    begin = demo.weeks_ago(4)
    onboarding_placement(
        demo,
        "warehouse_worrying",
        "Medewerker magazijn",
        begin,
        begin + timedelta(weeks=13),
        log_this_week=True,
        visits=[
            visit(
                demo.today - timedelta(days=8),
                "on_site",
                90,
                "candidate supervisor manager",
                "high",
                "Hij komt vaak te laat en heeft last van zijn rug. De werkbegeleider twijfelt.",
                reason="Veel afwezig en te laat; de werkgever overweegt te stoppen.",
                actions=[
                    ("Een vaste werkbegeleider voor de ochtend aanwijzen", "employer", -2, False),
                    ("Met de huisarts praten over de rugklachten", "candidate", 5, False),
                    ("Een gesprek plannen met kandidaat, werkbegeleider en jobcoach", "jobcoach", -1, False),
                ],
            ),
        ],
    )


def green_dropout(demo: Demo) -> None:
    """Interrupted (uitval) a few working days ago; the municipal contact has an open intake task."""
    last_day = add_working_days(demo.today, -3)
    this_week = monday_of(last_day) == monday_of(demo.today)
    placement = onboarding_placement(
        demo,
        "green_dropout",
        "Medewerker buitendienst",
        demo.weeks_ago(6) if this_week else demo.weeks_ago(7),
        demo.weeks_ago(6) + timedelta(weeks=26),
        log_until=monday_of(last_day),
        visits=[
            visit(
                last_day - timedelta(days=8),
                "on_site",
                45,
                "candidate supervisor",
                "medium",
                "Veel pijn in zijn rug bij het tillen. Hij wil wel, maar het gaat moeilijk.",
                reason="Vaak ziek door rugklachten.",
                actions=[("Een afspraak maken bij de huisarts", "candidate", 10, False)],
            ),
        ],
    )
    if placement is not None:
        end_with_dropout(
            demo,
            placement,
            "health",
            "Door rugklachten kan hij dit werk niet meer doen. Hij wil eerst herstellen.",
            last_day,
        )


def green_without_jobcoach(demo: Demo) -> None:
    """Onboarding without a jobcoach yet (the municipal contact can assign one)."""
    begin = demo.weeks_ago(3)
    onboarding_placement(
        demo,
        "green",
        "Medewerker buitendienst",
        begin,
        begin + timedelta(weeks=26),
        log_this_week=True,
        jobcoach=False,
    )
