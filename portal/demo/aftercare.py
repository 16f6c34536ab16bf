"""Demo data for aftercare (nazorg): placements after a contract with held, due and overdue check-ins,
and open alerts of several kinds, so a newcomer sees the feature at once.

Runs after the onboarding demo (``portal.demo.onboarding``), whose steps it reuses for requests,
proposals, placements, weekly logs, visits and the contract decision.
Everything is dated relative to today:

- the warehouse placement already in nazorg (K-2026-9105) gets its check-ins: four held, the next due
  this week;
- a welder (K-2026-9201) in nazorg for ten weeks: five check-ins held, the last one two weeks ago with a
  high risk;
- a shop assistant (K-2026-9202) in nazorg for four weeks: the first check-in held, the second one
  overdue, the third due in two working days;
- a gardener (K-2026-9203) in onboarding whose employer has not written the last two weekly logs.

The placements are built with the same services as a user's clicks, each on its day (see
``portal.demo.hiring``). The check-in rows follow the plan (``portal.aftercare.plan.checkin_plan`` through
``portal.aftercare.planning.sync_checkins``) and are recorded as held with the real service. Eindhoven's
aftercare settings warn 14 days before a placement ends without a decision (the default is 7), so the
onboarding demo's placement that ends soon gets its alert. Finally, when this run created anything, the
real aftercare reconcile runs once: it opens the alerts (concern, high risk, overdue check-in, logs
missing, end without decision, ...) with their Dutch reasons and queues their e-mails.

Idempotent: each scenario is skipped whole when the placement of its proposal exists, the warehouse
check-ins are only recorded while none of them is held, the settings only when Eindhoven has none, and a
run that created nothing does not reconcile. All people are invented.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.planning import sync_checkins
from portal.aftercare.services import record_checkin
from portal.aftercare.settings import defaults, save_settings
from portal.alerts.reconcile import reconcile
from portal.candidates.models import Candidate
from portal.core.holidays import add_working_days
from portal.core.time import clock_at, now_utc
from portal.demo.accounts import ADMIN_EMAIL, find_user
from portal.demo.context import Demo, at
from portal.demo.endings import end_with_contract
from portal.demo.hiring import employer_user
from portal.demo.onboarding import record_visit, scores, started_placement, visit, write_weekly_logs
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.services import assign_jobcoach, monday_of

#: The onboarding demo's placement that is in nazorg already.
WAREHOUSE_PSEUDONYM = "K-2026-9105"
#: Eindhoven warns this many days before a placement ends without a decision (the default is 7).
END_WARNING_DAYS = 14

#: Role title → (employer KvK, workplace name, type code, positions, days per week, hours per week).
REQUESTS = {
    "Hulp in de lasafdeling": ("90000002", "Lasafdeling", "werkervaringsplaats", 1, 3, 20),
    "Medewerker broodafdeling": ("90000001", "Winkel Stratum", "stage", 1, 2, 12),
    "Hulp bij het groenonderhoud": (
        "90000003",
        "Buitendienst groenonderhoud",
        "werkervaringsplaats",
        1,
        3,
        20,
    ),
}
#: Scenario → (pseudonym number, first name); the last name is "Voorbeeld".
CANDIDATES = {
    "welding_nazorg": (9201, "Tesfa"),
    "shop_nazorg": (9202, "Mahlet"),
    "green_logs": (9203, "Yared"),
}
#: Weekly logs of each scenario during onboarding, oldest first (scores in SCORED_ASPECTS order).
LOGS = {
    "welding_nazorg": [
        (3, 2, 1, 3, 4),
        (3, 2, 2, 3, 4),
        (4, 3, 2, 3, 4),
        (4, 3, 2, 3, 4),
        (4, 3, 2, 4, 4),
        (4, 3, 3, 4, 4),
        (4, 4, 3, 4, 4),
        (4, 4, 3, 4, 4),
        (4, 4, 3, 4, 4),
        (4, 4, 3, 4, 4),
        (4, 4, 3, 4, 4),
        (4, 4, 3, 4, 4),
    ],
    "shop_nazorg": [(3, 2, 2, 3, 4), (3, 3, 2, 3, 4), (4, 3, 2, 3, 4), (4, 3, 3, 3, 4)]
    + [(4, 3, 3, 4, 4)] * 8,
    "green_logs": [(3, 3, 2, 3, 4), (3, 3, 2, 3, 4), (4, 3, 2, 3, 4), (4, 3, 3, 3, 4)],
}


def _held(week, marks, held_with, risk, problems=None, agreements=None) -> dict[str, Any]:
    """A check-in that was held on its due date."""
    return {
        "week": week,
        "scores": scores(*marks),
        "held_with": held_with,
        "risk": risk,
        "problems": problems,
        "agreements": agreements,
    }


#: The held check-ins per scenario, by plan week. Check-ins not listed stay planned.
HELD = {
    "warehouse_nazorg": [
        _held(1, (4, 3, 3, 3, 4), "both", "low", agreements="Over een week bellen we weer."),
        _held(2, (4, 3, 3, 4, 4), "employer", "low"),
        _held(
            4,
            (3, 3, 3, 3, 3),
            "both",
            "medium",
            problems="De late dienst is zwaar. Hij is soms moe en dan gaan er dingen mis.",
            agreements="De werkgever kijkt of hij vaker in de vroege dienst kan werken.",
        ),
        _held(6, (4, 3, 3, 4, 4), "both", "low", agreements="De vroege diensten helpen. Zo doorgaan."),
    ],
    "welding_nazorg": [
        _held(1, (4, 3, 2, 3, 4), "both", "low"),
        _held(2, (4, 3, 2, 3, 4), "employee", "low"),
        _held(4, (3, 3, 3, 3, 3), "both", "low"),
        _held(
            6,
            (3, 2, 3, 2, 3),
            "both",
            "medium",
            problems="Hij heeft minder zin in het werk sinds hij in een andere ploeg werkt.",
            agreements="De leidinggevende praat met hem over de nieuwe ploeg.",
        ),
        _held(
            8,
            (2, 2, 3, 1, 2),
            "both",
            "high",
            problems="Ruzie met een collega over het werk. Hij zegt dat hij misschien stopt.",
            agreements="De jobcoach gaat volgende week langs. Gesprek met de leidinggevende over een andere"
            " ploeg.",
        ),
    ],
    "shop_nazorg": [
        _held(1, (3, 3, 2, 3, 4), "both", "low", agreements="De volgende keer ook met de werkgever erbij."),
    ],
}


def seed_aftercare(demo: Demo) -> None:
    """The aftercare scenarios; then, if this run created anything, one aftercare reconcile."""
    warning_settings(demo)
    hold_existing_checkins(demo, WAREHOUSE_PSEUDONYM, "warehouse_nazorg")
    welder_with_high_risk(demo)
    shop_with_overdue_checkin(demo)
    gardener_without_logs(demo)
    if sum(demo.created.values()):
        counts = reconcile(now_utc())
        demo.created["checkins"] += counts["checkins_planned"]
        demo.created["alerts"] += counts["alerts_opened"]


def warning_settings(demo: Demo) -> None:
    """Eindhoven warns two weeks before a placement ends without a decision (only when it has no settings)."""
    exists = db.session.scalar(
        sa.select(AftercareSettings.id).where(AftercareSettings.municipality_id == demo.municipality.id)
    )
    admin = find_user(ADMIN_EMAIL)
    if exists is not None or admin is None or admin.municipality_id != demo.municipality.id:
        return
    save_settings(admin, {**defaults(), "end_without_decision_days": END_WARNING_DAYS})
    demo.created["settings"] += 1


def welder_with_high_risk(demo: Demo) -> None:
    """Ten weeks in nazorg; the last check-in (two weeks ago) found a high risk."""
    end = demo.weeks_ago(10)
    aftercare_placement(
        demo,
        "welding_nazorg",
        "Hulp in de lasafdeling",
        demo.weeks_ago(22),
        end,
        contract=("permanent", 32, end + timedelta(days=1)),
        visits=[
            visit(
                demo.weeks_ago(18) + timedelta(days=2),
                "on_site",
                60,
                "candidate supervisor",
                "low",
                "Hij leert snel lassen en werkt netjes. De collega's helpen hem.",
                confirmed=True,
            ),
        ],
    )


def shop_with_overdue_checkin(demo: Demo) -> None:
    """Four weeks in nazorg: the second check-in is overdue, the third is due in two working days."""
    contract_start = add_working_days(demo.today, 2) - timedelta(weeks=4)
    end = contract_start - timedelta(days=1)
    aftercare_placement(
        demo,
        "shop_nazorg",
        "Medewerker broodafdeling",
        monday_of(end) - timedelta(weeks=10),
        end,
        contract=("fixed_term", 16, contract_start),
        visits=[
            visit(
                end - timedelta(days=20),
                "on_site",
                30,
                "candidate supervisor",
                "low",
                "Ze helpt klanten al zelfstandig. De werkgever wil haar een contract geven.",
                confirmed=True,
            ),
        ],
    )


def gardener_without_logs(demo: Demo) -> None:
    """Onboarding: the employer has not written the weekly logs of the last two weeks."""
    begin = demo.weeks_ago(6)
    aftercare_placement(
        demo,
        "green_logs",
        "Hulp bij het groenonderhoud",
        begin,
        begin + timedelta(weeks=26),
        logs_until=demo.weeks_ago(3),
        visits=[
            visit(
                demo.today - timedelta(days=9),
                "phone",
                15,
                "supervisor",
                "low",
                "Het werk gaat goed. De werkbegeleider vergeet wel eens het weekverslag.",
                actions=[("De weekverslagen van de afgelopen weken invullen", "employer", 2, False)],
            ),
        ],
    )


# The steps ---------------------------------------------------------------------------------------------


def aftercare_placement(
    demo: Demo,
    key: str,
    title: str,
    begin: date,
    end: date,
    *,
    contract: tuple[str, int, date] | None = None,
    visits=(),
    logs_until: date | None = None,
) -> None:
    """One placement from request to onboarding; with ``contract`` on to nazorg and its check-ins."""
    spec = REQUESTS[title]
    placement = started_placement(demo, key, title, spec, CANDIDATES[key], begin, end)
    if placement is None:
        return
    author = employer_user(demo, spec)
    assign_jobcoach(demo.contact, placement, demo.jobcoach.id)
    last = min(monday_of(demo.today) - timedelta(weeks=1), monday_of(end - timedelta(days=1)))
    if logs_until is not None:
        last = min(last, logs_until)
    write_weekly_logs(demo, placement, author, [{"scores": s} for s in LOGS[key]], begin, last)
    for entry in visits:
        record_visit(demo, placement, author, entry)
    if contract:
        end_with_contract(demo, placement, author, *contract)
        hold_checkins(demo, placement, key)
    db.session.flush()
    demo.created["placements"] += 1


def hold_existing_checkins(demo: Demo, pseudonym: str, key: str) -> None:
    """Plan and hold the check-ins of an existing placement in nazorg, unless one is held already."""
    placement = db.session.scalar(
        sa.select(Placement)
        .join(Candidate, Candidate.id == Placement.candidate_id)
        .where(
            Candidate.pseudonym == pseudonym,
            Placement.municipality_id == demo.municipality.id,
            Placement.status == "nazorg",
        )
    )
    if placement is None:
        return
    held = db.session.scalar(
        sa.select(CheckIn.id).where(CheckIn.placement_id == placement.id, CheckIn.status == "held").limit(1)
    )
    if held is None:
        hold_checkins(demo, placement, key)


def hold_checkins(demo: Demo, placement: Placement, key: str) -> None:
    """The plan's check-in rows, and the ones in HELD recorded as held on their due date."""
    demo.created["checkins"] += sync_checkins(demo.today, placement_id=placement.id)["checkins_planned"]
    by_week = {
        c.week: c for c in db.session.scalars(sa.select(CheckIn).where(CheckIn.placement_id == placement.id))
    }
    for spec in HELD[key]:
        checkin = by_week.get(spec["week"])
        if checkin is None or checkin.status != "planned" or checkin.due_date > demo.today:
            continue
        values = {name: value for name, value in spec.items() if name != "week"}
        with clock_at(at(checkin.due_date, 16)):  # recorded the afternoon it was held
            record_checkin(
                demo.contact,
                placement,
                checkin,
                {**values, "held_on": checkin.due_date, "contact_made": True},
            )
