"""Demo data for aftercare (nazorg): placements after a contract with held, due and overdue check-ins,
and open alerts of several kinds, so a newcomer sees the feature at once.

Called by ``portal.demo.seed_demo`` after the onboarding demo (``portal.demo_onboarding``), whose scenario
machinery it reuses for requests, proposals, placements, weekly logs, visits and the contract decision.
Everything is dated relative to today:

- the warehouse placement already in nazorg (K-2026-9105) gets its check-ins: four held, the next due
  this week;
- a welder (K-2026-9201) in nazorg for ten weeks: five check-ins held, the last one two weeks ago with a
  high risk;
- a shop assistant (K-2026-9202) in nazorg for four weeks: the first check-in held, the second one
  overdue, the third due in two working days;
- a gardener (K-2026-9203) in onboarding whose employer has not written the last two weekly logs.

The check-in rows follow the plan (``portal.aftercare.plan.checkin_plan`` through
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

from collections import Counter
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.planning import sync_checkins
from portal.aftercare.services import record_checkin
from portal.aftercare.settings import defaults, save_settings
from portal.alerts.reconcile import reconcile
from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.holidays import add_working_days
from portal.core.models import Municipality
from portal.core.time import now_utc, today_local
from portal.demo_onboarding import EMPLOYER_ACCOUNTS, JOBCOACH_EMAIL, _at, _Demo, _scores, _user, _visit
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.services import (
    assign_jobcoach,
    monday_of,
    save_weekly_log,
)

ADMIN_EMAIL = "beheer@demo.werkbrug.nl"
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


def _held(week, scores, held_with, risk, problems=None, agreements=None) -> dict[str, Any]:
    """A check-in that was held on its due date."""
    return {
        "week": week,
        "scores": _scores(*scores),
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


def seed_aftercare(municipality: Municipality, contact: User, created: Counter) -> None:
    """The aftercare scenarios for ``municipality`` (Eindhoven); then, if anything is new, one reconcile."""
    jobcoach = _user(JOBCOACH_EMAIL)
    accounts = {kvk: _user(email) for kvk, email in EMPLOYER_ACCOUNTS.items()}
    if jobcoach is None or any(user is None for user in accounts.values()):
        return
    today = today_local()
    demo = _AftercareDemo(municipality, contact, jobcoach, accounts, today, created)
    this_monday = monday_of(today)
    weeks_ago = lambda n: this_monday - timedelta(weeks=n)  # noqa: E731 - a short local helper

    _warning_settings(municipality, created)
    demo.hold_existing(WAREHOUSE_PSEUDONYM, "warehouse_nazorg")

    # Ten weeks in nazorg; the last check-in (two weeks ago) found a high risk.
    welding_end = weeks_ago(10)
    demo.aftercare_scenario(
        "welding_nazorg",
        "Hulp in de lasafdeling",
        weeks_ago(22),
        welding_end,
        contract=("permanent", 32, welding_end + timedelta(days=1)),
        visits=[
            _visit(
                weeks_ago(18) + timedelta(days=2),
                "on_site",
                60,
                "candidate supervisor",
                "low",
                "Hij leert snel lassen en werkt netjes. De collega's helpen hem.",
                confirmed=True,
            ),
        ],
    )
    # Four weeks in nazorg: the second check-in is overdue, the third is due in two working days.
    shop_start = add_working_days(today, 2) - timedelta(weeks=4)
    shop_end = shop_start - timedelta(days=1)
    demo.aftercare_scenario(
        "shop_nazorg",
        "Medewerker broodafdeling",
        monday_of(shop_end) - timedelta(weeks=10),
        shop_end,
        contract=("fixed_term", 16, shop_start),
        visits=[
            _visit(
                shop_end - timedelta(days=20),
                "on_site",
                30,
                "candidate supervisor",
                "low",
                "Ze helpt klanten al zelfstandig. De werkgever wil haar een contract geven.",
                confirmed=True,
            ),
        ],
    )
    # Onboarding: the employer has not written the weekly logs of the last two weeks.
    demo.aftercare_scenario(
        "green_logs",
        "Hulp bij het groenonderhoud",
        weeks_ago(6),
        weeks_ago(6) + timedelta(weeks=26),
        logs_until=weeks_ago(3),
        visits=[
            _visit(
                today - timedelta(days=9),
                "phone",
                15,
                "supervisor",
                "low",
                "Het werk gaat goed. De werkbegeleider vergeet wel eens het weekverslag.",
                actions=[("De weekverslagen van de afgelopen weken invullen", "employer", 2, False)],
            ),
        ],
    )
    demo.settle_requests()
    if sum(created.values()):
        counts = reconcile(now_utc())
        created["checkins"] += counts["checkins_planned"]
        created["alerts"] += counts["alerts_opened"]


def _warning_settings(municipality: Municipality, created: Counter) -> None:
    """Eindhoven warns two weeks before a placement ends without a decision (only when it has no settings)."""
    exists = db.session.scalar(
        sa.select(AftercareSettings.id).where(AftercareSettings.municipality_id == municipality.id)
    )
    admin = _user(ADMIN_EMAIL)
    if exists is not None or admin is None or admin.municipality_id != municipality.id:
        return
    save_settings(admin, {**defaults(), "end_without_decision_days": END_WARNING_DAYS})
    created["settings"] += 1


class _AftercareDemo(_Demo):
    """The onboarding demo's machinery with this module's requests, candidates and logs."""

    REQUESTS = REQUESTS
    CANDIDATES = CANDIDATES

    def aftercare_scenario(
        self,
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
        started = self.started_placement(key, title, begin, end)
        if started is None:
            return
        placement, employer_user = started
        assign_jobcoach(self.contact, placement, self.jobcoach.id)
        self._weekly_logs(placement, employer_user, key, begin, end, logs_until)
        for spec in visits:
            self._visit(placement, employer_user, spec)
        if contract:
            self._contract(placement, *contract)
            self._hold(placement, key)
        db.session.flush()
        self.created["placements"] += 1

    def _weekly_logs(self, placement, author, key, begin, end, until) -> None:
        """One log per ended week from the first, never past the planned end or ``until`` (a Monday)."""
        last = min(monday_of(self.today) - timedelta(weeks=1), monday_of(end - timedelta(days=1)))
        if until is not None:
            last = min(last, until)
        week = monday_of(begin)
        for scores in LOGS[key]:
            if week > last:
                break
            log = save_weekly_log(author, placement, week, self._log_values(placement, {"scores": scores}))
            log.created_at = log.updated_at = _at(min(week + timedelta(days=4), self.today), 15)
            self.created["weekly_logs"] += 1
            week += timedelta(weeks=1)

    def hold_existing(self, pseudonym: str, key: str) -> None:
        """Plan and hold the check-ins of an existing placement in nazorg, unless one is held already."""
        placement = db.session.scalar(
            sa.select(Placement)
            .join(Candidate, Candidate.id == Placement.candidate_id)
            .where(
                Candidate.pseudonym == pseudonym,
                Placement.municipality_id == self.municipality.id,
                Placement.status == "nazorg",
            )
        )
        if placement is None:
            return
        held = db.session.scalar(
            sa.select(CheckIn.id)
            .where(CheckIn.placement_id == placement.id, CheckIn.status == "held")
            .limit(1)
        )
        if held is None:
            self._hold(placement, key)

    def _hold(self, placement: Placement, key: str) -> None:
        """The plan's check-in rows, and the ones in HELD recorded as held on their due date."""
        self.created["checkins"] += sync_checkins(self.today, placement_id=placement.id)["checkins_planned"]
        by_week = {
            c.week: c
            for c in db.session.scalars(sa.select(CheckIn).where(CheckIn.placement_id == placement.id))
        }
        for spec in HELD[key]:
            checkin = by_week.get(spec["week"])
            if checkin is None or checkin.status != "planned" or checkin.due_date > self.today:
                continue
            values = {name: value for name, value in spec.items() if name != "week"}
            record_checkin(
                self.contact,
                placement,
                checkin,
                {**values, "held_on": checkin.due_date, "contact_made": True},
            )
            checkin.updated_at = _at(checkin.due_date, 16)
