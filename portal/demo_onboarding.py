"""Demo data for onboarding and beyond: placements in every status, weekly logs, visits, actions, decisions.

Called by ``portal.demo.seed_demo`` after the matching demo. Everything is dated relative to today, so the
demo tells the same story on any day it is first seeded: three placements in onboarding (one worrying,
one with this week's log still to do), one onboarding placement whose planned end is near without a
decision, one in nazorg after a contract, one closed after a stop decision and one interrupted (uitval)
with an open intake task. The demo jobcoach has visited most of them and agreed actions with owners.

Idempotent by natural keys: candidates by pseudonym (K-2026-91xx), requests by employer and role title,
proposals by request and candidate, and each scenario by the placement of its proposal: when that exists,
the scenario is skipped whole. The real services are used where they are stable (start, change_status,
assign_jobcoach, save_weekly_log, create_task); visits, decisions and uitval are written as rows, with
their status history, audit events and candidate status kept consistent. All people are invented.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate, CandidateVersion, Consent
from portal.core.audit import record
from portal.core.filters import format_date
from portal.core.holidays import add_working_days
from portal.core.models import Municipality
from portal.core.time import LOCAL_TZ, now_utc, today_local
from portal.demo_matching import candidate_rows
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.placements.models import (
    CONTRACT_TYPES,
    DROPOUT_REASONS,
    SCORED_ASPECTS,
    STOP_REASONS,
    EndDecision,
    Placement,
    PlacementStatusChange,
)
from portal.placements.services import (
    assign_jobcoach,
    change_status,
    create_placement_from_proposal,
    monday_of,
    save_weekly_log,
    start,
)
from portal.requests.models import PlacementRequest, PlacementType, Proposal
from portal.tasks.models import Task
from portal.tasks.services import create_task
from portal.visits.models import Visit

JOBCOACH_EMAIL = "jobcoach@demo.werkbrug.nl"
#: Employer KvK number → the demo account that writes its weekly logs (see DEMO_ACCOUNTS in portal.demo).
EMPLOYER_ACCOUNTS = {
    "90000001": "werkgever@demo.werkbrug.nl",
    "90000002": "werkgever.metaal@demo.werkbrug.nl",
    "90000003": "werkgever.groen@demo.werkbrug.nl",
}

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


def _scores(punctuality, progress, dutch, teamwork, motivation) -> dict[str, int]:
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


def _steady(week: int) -> dict[str, Any]:
    return {"scores": STEADY[min(week, len(STEADY) - 1)]}


def _week(scores, **extra) -> dict[str, Any]:
    return {"scores": scores, **extra}


#: The weekly logs of each scenario, oldest first. Extras: hours_absent + absence_reason, concern,
#: needs (from the municipality), notes ({aspect: text}), language (taalstage goals met).
LOGS: dict[str, list[dict[str, Any]]] = {
    "bakery": [
        _week((3, 2, 1, 3, 4), notes={"dutch_at_work": "Begrijpt korte instructies als we ze voordoen."}),
        _week((3, 2, 2, 3, 4), language="Hij kent de namen van de broden en de machines."),
        _week(
            (2, 2, 2, 3, 3),
            hours_absent=4,
            absence_reason="Afspraak bij de IND (gemeld)",
            notes={"punctuality": "Twee keer te laat: de eerste bus is te laat voor 5 uur."},
        ),
        _week((3, 3, 2, 3, 4), language="Vraagt zelf om uitleg als hij iets niet begrijpt."),
        _week((3, 3, 3, 4, 4)),
    ],
    "bakery_closed": [
        _week((3, 2, 1, 3, 3)),
        _week((3, 2, 1, 3, 3)),
        _week((3, 2, 1, 2, 3), notes={"dutch_at_work": "Klanten begrijpen haar nog moeilijk."}),
        _week((4, 2, 1, 3, 3)),
        _week((4, 3, 2, 3, 3)),
        _week((4, 3, 1, 3, 2), needs="Kan zij extra taalles krijgen naast het werk?"),
        _week((4, 3, 2, 3, 3)),
        _week((4, 3, 2, 3, 3)),
        _week((4, 3, 2, 3, 3)),
        _week((3, 3, 2, 3, 2)),
        _week((4, 3, 2, 3, 3)),
        _week((4, 3, 2, 3, 3)),
        _week((4, 3, 2, 3, 3)),
    ],
    "shop_near_end": [_steady(week) for week in range(8)],
    "warehouse_worrying": [
        _week((3, 3, 2, 3, 4)),
        _week((2, 3, 2, 3, 3), notes={"punctuality": "Twee keer een half uur te laat."}),
        _week((2, 2, 2, 2, 3), hours_absent=8, absence_reason="Ziek gemeld"),
        _week(
            (1, 2, 2, 2, 2),
            hours_absent=6,
            absence_reason="Niet gekomen, niet afgemeld",
            concern="Hij komt vaak te laat en lijkt moe. Ik weet niet of dit werk nu bij hem past.",
            needs="Graag deze week een gesprek met de jobcoach erbij.",
        ),
        _week(
            (1, 1, 2, 2, 1),
            hours_absent=12,
            absence_reason="Ziek gemeld",
            concern="Weer veel afwezig. Het tillen in het magazijn lijkt hem zwaar te vallen.",
        ),
    ],
    "warehouse_nazorg": [_steady(week + 1) for week in range(8)],
    "green": [_steady(week) for week in range(4)],
    "green_dropout": [
        _week((3, 3, 2, 3, 4)),
        _week((3, 3, 2, 3, 3)),
        _week((3, 2, 2, 3, 3), hours_absent=6, absence_reason="Ziek gemeld"),
        _week(
            (2, 2, 2, 3, 2),
            hours_absent=12,
            absence_reason="Ziek gemeld",
            concern="Het bukken en tillen gaat hem steeds moeilijker af. Ik maak me zorgen of dit werk gaat.",
            needs="Kan de jobcoach met hem praten over ander werk?",
        ),
        _week((2, 2, 2, 3, 2), hours_absent=18, absence_reason="Ziek gemeld"),
        _week((1, 1, 2, 3, 1), hours_absent=18, absence_reason="Ziek gemeld"),
    ],
}


def seed_onboarding(municipality: Municipality, contact: User, created: Counter) -> None:
    """The onboarding scenarios for ``municipality`` (Eindhoven), skipping every one that exists."""
    jobcoach = _user(JOBCOACH_EMAIL)
    accounts = {kvk: _user(email) for kvk, email in EMPLOYER_ACCOUNTS.items()}
    if jobcoach is None or any(user is None for user in accounts.values()):
        return
    today = today_local()
    demo = _Demo(municipality, contact, jobcoach, accounts, today, created)
    this_monday = monday_of(today)
    weeks_ago = lambda n: this_monday - timedelta(weeks=n)  # noqa: E731 - a short local helper

    # Closed after a stop decision (not enough Dutch yet for the shop floor).
    demo.scenario(
        "bakery_closed",
        "Bakkershulp in de productie",
        weeks_ago(20),
        weeks_ago(7),
        visits=[
            _visit(
                weeks_ago(14) + timedelta(days=2),
                "on_site",
                45,
                "candidate supervisor",
                "low",
                "Werkt hard en is altijd op tijd. Het Nederlands gaat langzaam vooruit.",
            ),
        ],
        outcome=("stop", "more_language", "Het Nederlands is nog te moeilijk. Eerst de taalcursus afmaken."),
    )
    # Onboarding at the bakery; this week's log is still to do (the employer's home page shows it).
    demo.scenario(
        "bakery",
        "Bakkershulp in de productie",
        weeks_ago(5),
        weeks_ago(5) + timedelta(weeks=26),
        visits=[
            _visit(
                today - timedelta(days=25),
                "on_site",
                60,
                "candidate supervisor",
                "low",
                "Goede start. Hij werkt zorgvuldig en de collega's helpen hem met de taal.",
                confirmed=True,
                actions=[("Werkinstructies op papier maken, met foto's", "employer", -18, True)],
            ),
            _visit(
                today - timedelta(days=4),
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
        reveal_identity=True,
    )
    # Onboarding, planned end within ten working days, no decision yet; the employer would like a contract.
    near_end = add_working_days(today, 7)
    demo.scenario(
        "shop_near_end",
        "Hulp in de winkel",
        weeks_ago(7),
        near_end,
        log_this_week=True,
        visits=[
            _visit(
                today - timedelta(days=6),
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
        preference=("contract", "Wij willen graag verder met een tijdelijk contract van 16 uur."),
    )
    # Nazorg: a contract followed the placement.
    nazorg_end = weeks_ago(8)
    demo.scenario(
        "warehouse_nazorg",
        "Medewerker magazijn",
        weeks_ago(16),
        nazorg_end,
        visits=[
            _visit(
                today - timedelta(days=12),
                "on_site",
                30,
                "candidate manager",
                "low",
                "Werkt nu met een contract en is tevreden. De werkgever ook.",
                confirmed=True,
                actions=[("Na drie maanden contract een evaluatie plannen", "employer", 30, False)],
            ),
        ],
        outcome=("contract", "fixed_term", 24, nazorg_end + timedelta(days=1)),
    )
    # Onboarding with worrying weeks and a high risk visit with overdue actions.
    demo.scenario(
        "warehouse_worrying",
        "Medewerker magazijn",
        weeks_ago(4),
        weeks_ago(4) + timedelta(weeks=13),
        log_this_week=True,
        visits=[
            _visit(
                today - timedelta(days=8),
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
    # Interrupted (uitval) a few working days ago; the municipal contact has an open intake task.
    last_day = add_working_days(today, -3)
    demo.scenario(
        "green_dropout",
        "Medewerker buitendienst",
        weeks_ago(6) if monday_of(last_day) == this_monday else weeks_ago(7),
        weeks_ago(6) + timedelta(weeks=26),
        log_until=monday_of(last_day),
        visits=[
            _visit(
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
        outcome=(
            "dropout",
            "health",
            "Door rugklachten kan hij dit werk niet meer doen. Hij wil eerst herstellen.",
            last_day,
        ),
    )
    # Onboarding without a jobcoach yet (the municipal contact can assign one).
    demo.scenario(
        "green",
        "Medewerker buitendienst",
        weeks_ago(3),
        weeks_ago(3) + timedelta(weeks=26),
        log_this_week=True,
        jobcoach=False,
    )
    demo.settle_requests()


def _visit(day, mode, minutes, spoken, risk, observations, *, reason=None, confirmed=False, actions=()):
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


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))


def _at(day: date, hour: int = 10) -> datetime:
    """A moment on a local calendar day, in UTC (for backdated history rows), never later than now."""
    return min(datetime.combine(day, time(hour), tzinfo=LOCAL_TZ).astimezone(UTC), now_utc())


class _Demo:
    """Builds the demo's requests, candidates, proposals and placements; subclasses bring their own."""

    #: Request title → (employer KvK, workplace, type code, positions, days, hours).
    REQUESTS = REQUESTS
    #: Candidate key → (pseudonym number, first name).
    CANDIDATES = CANDIDATES

    def __init__(self, municipality, contact, jobcoach, accounts, today, created):
        self.municipality, self.contact, self.jobcoach = municipality, contact, jobcoach
        self.accounts, self.today, self.created = accounts, today, created
        self.types = {
            t.code: t
            for t in db.session.scalars(
                sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
            )
        }
        self.new_requests: list[PlacementRequest] = []

    # Requests, candidates and proposals -------------------------------------------------------------------

    def request(self, title: str, first_start: date) -> PlacementRequest:
        kvk, place, code, positions, days, hours = self.REQUESTS[title]
        employer = db.session.scalar(
            sa.select(Employer).where(
                Employer.municipality_id == self.municipality.id, Employer.kvk_number == kvk
            )
        )
        found = db.session.scalar(
            sa.select(PlacementRequest).where(
                PlacementRequest.employer_id == employer.id, PlacementRequest.role_title == title
            )
        )
        if found is not None:
            return found
        workplace = db.session.scalar(
            sa.select(Workplace).where(Workplace.employer_id == employer.id, Workplace.name == place)
        )
        kind = self.types[code]
        request = PlacementRequest(
            municipality_id=self.municipality.id,
            employer_id=employer.id,
            workplace_id=workplace.id,
            placement_type_id=kind.id,
            created_by_id=self.accounts[kvk].id,
            role_title=title,
            tasks=f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
            positions=positions,
            hours_per_week=min(hours, kind.max_hours_per_week),
            days_per_week=days,
            work_days="",
            dutch_level="A1",
            desired_start=first_start,
            duration_weeks=max(kind.min_weeks, min(13, kind.max_weeks)),
            learning_goals="Werkinstructies in het Nederlands begrijpen en op tijd komen.",
            supervisor_name=workplace.buddy_name,
            status="in_progress",
            submitted_at=_at(first_start - timedelta(days=35)),
        )
        db.session.add(request)
        db.session.flush()
        self.new_requests.append(request)
        self.created["requests"] += 1
        return request

    def candidate(self, key: str, screened: date) -> Candidate:
        number, first_name = self.CANDIDATES[key]
        pseudonym = f"K-2026-{number}"
        found = db.session.scalar(sa.select(Candidate).where(Candidate.pseudonym == pseudonym))
        if found is not None:
            return found
        template = candidate_rows()[number % 28]
        values = {k: v for k, v in template.items() if k != "share_consent"}
        values.update(
            pseudonym=pseudonym,
            first_name=first_name,
            last_name="Voorbeeld",
            email=f"kandidaat{number}@demo.werkbrug.nl",
            phone=f"06 0000 {number}",
            home_town="Eindhoven",
            care_first=False,
            work_readiness="direct",
        )
        candidate = Candidate(
            municipality_id=self.municipality.id,
            screened_on=screened,
            screened_by_id=self.contact.id,
            **values,
        )
        db.session.add(candidate)
        db.session.flush()
        db.session.add(
            CandidateVersion(
                candidate_id=candidate.id, version=1, changed_by_id=self.contact.id, changed_at=_at(screened),
                changes={"created": True},
            )
        )  # fmt: skip
        db.session.add(
            Consent(
                candidate_id=candidate.id, kind="share_profile", given_at=_at(screened),
                method="conversation", text_version="2026-1", recorded_by_id=self.contact.id,
            )
        )  # fmt: skip
        self.created["candidates"] += 1
        return candidate

    def proposal(self, request: PlacementRequest, candidate: Candidate, begin: date) -> Proposal:
        found = db.session.scalar(
            sa.select(Proposal).where(
                Proposal.request_id == request.id, Proposal.candidate_id == candidate.id
            )
        )
        if found is not None:
            return found
        proposal = Proposal(
            request_id=request.id,
            candidate_id=candidate.id,
            proposed_by_id=self.contact.id,
            note="Gemotiveerd en wil graag leren. Spreekt al een beetje Nederlands.",
            status="accepted",
            meeting_at=_at(begin - timedelta(days=12), 14),
            meeting_place="Op de werkplek, vraag naar de werkbegeleider",
            decided_at=_at(begin - timedelta(days=11)),
        )
        db.session.add(proposal)
        db.session.flush()
        self.created["proposals"] += 1
        return proposal

    # One scenario ------------------------------------------------------------------------------------------

    def started_placement(self, key: str, title: str, begin: date, end: date, *, reveal_identity=False):
        """(placement, employer user): accepted from a proposal, started on ``begin``; None if it exists."""
        request = self.request(title, begin)
        candidate = self.candidate(key, begin - timedelta(days=60))
        proposal = self.proposal(request, candidate, begin)
        if db.session.scalar(sa.select(Placement.id).where(Placement.proposal_id == proposal.id)) is not None:
            return None
        employer_user = self.accounts[self.REQUESTS[title][0]]
        placement = create_placement_from_proposal(self.contact, proposal, begin, end)
        self._backdate_last_change(placement, begin - timedelta(days=11))
        self._candidate_status(candidate, "placed", begin - timedelta(days=11))
        if reveal_identity:
            db.session.add(
                Consent(
                    candidate_id=candidate.id, kind="reveal_identity", employer_id=placement.employer_id,
                    given_at=_at(begin - timedelta(days=11)), method="conversation", text_version="2026-1",
                    recorded_by_id=self.contact.id,
                )
            )  # fmt: skip
        start(self.contact, placement, begin)
        self._backdate_last_change(placement, begin, hour=9)
        return placement, employer_user

    def scenario(
        self,
        key: str,
        title: str,
        begin: date,
        end: date,
        *,
        visits=(),
        outcome=None,
        log_this_week=False,
        log_until: date | None = None,
        jobcoach=True,
        preference=None,
        reveal_identity=False,
    ) -> None:
        started = self.started_placement(key, title, begin, end, reveal_identity=reveal_identity)
        if started is None:
            return
        placement, employer_user = started
        if jobcoach:
            assign_jobcoach(self.contact, placement, self.jobcoach.id)
        self._logs(placement, employer_user, key, begin, end, log_this_week, log_until)
        for spec in visits:
            self._visit(placement, employer_user, spec)
        if preference:
            placement.employer_preference, placement.employer_preference_note = preference
            placement.employer_preference_at = now_utc() - timedelta(days=2)
        if outcome:
            getattr(self, f"_{outcome[0]}")(placement, *outcome[1:])
        db.session.flush()
        self.created["placements"] += 1

    def _logs(self, placement, author, key, begin, end, this_week, until) -> None:
        """One log per week from the first week, never past the planned end, this week, or ``until``."""
        last = monday_of(self.today) if this_week else monday_of(self.today) - timedelta(weeks=1)
        last = min(last, monday_of(end - timedelta(days=1)))
        if until is not None:
            last = min(last, until - timedelta(weeks=1))
        week = monday_of(begin)
        for spec in LOGS[key]:
            if week > last:
                break
            log = save_weekly_log(author, placement, week, self._log_values(placement, spec))
            log.created_at = log.updated_at = _at(min(week + timedelta(days=4), self.today), 15)
            self.created["weekly_logs"] += 1
            week += timedelta(weeks=1)

    @staticmethod
    def _log_values(placement, spec) -> dict[str, Any]:
        hours_absent = spec.get("hours_absent", 0)
        days_missed = min(placement.days_per_week, hours_absent // 6)
        concern = spec.get("concern")
        return {
            "days_planned": placement.days_per_week,
            "days_present": placement.days_per_week - days_missed,
            "hours_absent": hours_absent,
            "absence_reason": spec.get("absence_reason"),
            **_scores(*spec["scores"]),
            "notes": spec.get("notes", {}),
            "language_goals_met": spec.get("language"),
            "has_concern": concern is not None,
            "concern_text": concern,
            "needs_from_municipality": spec.get("needs"),
        }

    def _visit(self, placement, employer_user, spec) -> None:
        day = spec["visit_date"]
        visit = Visit(
            placement_id=placement.id,
            jobcoach_id=self.jobcoach.id,
            visit_date=day,
            duration_minutes=spec["duration_minutes"],
            mode=spec["mode"],
            spoken_with=spec["spoken_with"],
            contact_made=True,
            observations=spec["observations"],
            risk=spec["risk"],
            risk_reason=spec["risk_reason"],
        )
        visit.created_at = visit.updated_at = _at(day, 16)
        if spec["confirmed"]:
            visit.confirmed_at, visit.confirmed_by_id = _at(day + timedelta(days=1), 11), employer_user.id
            visit.updated_at = visit.confirmed_at
        db.session.add(visit)
        db.session.flush()
        record(
            self.jobcoach,
            "visit.recorded",
            visit,
            municipality_id=placement.municipality_id,
            placement_id=placement.id,
            mode=visit.mode,
            contact_made=True,
            risk=visit.risk,
            actions=len(spec["actions"]),
        )
        self.created["visits"] += 1
        assignees = {"municipal": placement.contact_id, "jobcoach": self.jobcoach.id}
        for title, owner, due_in, done in spec["actions"]:
            task = create_task(
                self.jobcoach,
                placement,
                title=title,
                owner=owner,
                due_date=max(day, self.today + timedelta(days=due_in)),
                assignee_id=assignees.get(owner),
                visit_id=visit.id,
            )
            task.created_at = task.updated_at = visit.created_at
            if done:
                task.status, task.done_at = "done", _at(task.due_date - timedelta(days=1), 15)
                task.updated_at = task.done_at
                task.done_by_id = employer_user.id if owner == "employer" else self.jobcoach.id
            self.created["tasks"] += 1

    # Outcomes ---------------------------------------------------------------------------------------------

    def _contract(self, placement, contract_type: str, hours: int, contract_start: date) -> None:
        decided = add_working_days(placement.planned_end_date, -5)
        decision = EndDecision(
            placement_id=placement.id, kind="contract", contract_type=contract_type, contract_hours=hours,
            contract_start=contract_start, note="De werkgever en de kandidaat willen graag verder.",
            decided_by_id=self.contact.id, decided_at=_at(decided, 14),
        )  # fmt: skip
        db.session.add(decision)
        placement.contract_type, placement.contract_hours = contract_type, hours
        placement.contract_start_date = contract_start
        placement.employer_preference, placement.employer_preference_at = (
            "contract",
            _at(decided - timedelta(7)),
        )
        change = change_status(
            self.contact, placement, "nazorg",
            reason=f"Besluit: contract ({CONTRACT_TYPES[contract_type].lower()}, {hours} uur per week)"
            f" vanaf {format_date(contract_start)}. De nazorg begint.",
        )  # fmt: skip
        change.changed_at = _at(decided, 14)
        record(
            self.contact, "placement.decision_recorded", placement, decision_id=decision.id, kind="contract",
            contract_type=contract_type, contract_hours=hours, contract_start=contract_start.isoformat(),
        )  # fmt: skip
        self.created["decisions"] += 1

    def _stop(self, placement, reason: str, note: str) -> None:
        last_day = placement.planned_end_date
        decided = add_working_days(last_day, -5)
        decision = EndDecision(
            placement_id=placement.id, kind="stop", stop_reason=reason, note=note,
            decided_by_id=self.contact.id, decided_at=_at(decided, 14),
        )  # fmt: skip
        db.session.add(decision)
        placement.end_reason, placement.end_note, placement.ended_on = reason, note, last_day
        change = change_status(
            self.contact, placement, "closed", reason=f"Besluit: stoppen. {STOP_REASONS[reason]}."
        )
        change.changed_at = _at(decided, 14)
        self._candidate_status(placement.candidate, "active", decided)
        record(
            self.contact, "placement.decision_recorded", placement, decision_id=decision.id, kind="stop",
            stop_reason=reason, ended_on=last_day.isoformat(),
        )  # fmt: skip
        self.created["decisions"] += 1

    def _dropout(self, placement, reason: str, text: str, last_day: date) -> None:
        registered = min(add_working_days(last_day, 1), self.today)
        change = change_status(
            self.contact, placement, "interrupted", reason=f"Uitval: {DROPOUT_REASONS[reason]}."
        )
        change.changed_at = _at(registered, 11)
        placement.end_reason, placement.end_note, placement.ended_on = reason, text, last_day
        for task in db.session.scalars(
            sa.select(Task).where(Task.placement_id == placement.id, Task.status == "open")
        ):
            task.status, task.cancelled_reason = "cancelled", "De plaatsing is uitgevallen"
            task.cancelled_at = task.updated_at = change.changed_at
        self._candidate_status(placement.candidate, "inactive", registered)
        task = create_task(
            self.contact,
            placement,
            title=f"Intakegesprek met {placement.candidate.pseudonym} na uitval: bespreek wat nu past",
            owner="municipal",
            kind="intake",
            assignee_id=placement.contact_id,
            due_date=add_working_days(registered, 5),
        )
        task.created_at = task.updated_at = change.changed_at
        self.created["tasks"] += 1
        record(
            self.contact, "placement.dropout_registered", placement, reason=reason, from_status="onboarding",
            ended_on=last_day.isoformat(), intake_task_id=task.id,
        )  # fmt: skip

    # Consistency helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _backdate_last_change(placement: Placement, day: date, hour: int = 10) -> None:
        change = db.session.scalars(
            sa.select(PlacementStatusChange)
            .where(PlacementStatusChange.placement_id == placement.id)
            .order_by(PlacementStatusChange.id.desc())
        ).first()
        change.changed_at = _at(day, hour)

    def _candidate_status(self, candidate: Candidate, status: str, day: date) -> None:
        before = candidate.status
        if before == status:
            return
        candidate.status = status
        candidate.version += 1
        db.session.add(
            CandidateVersion(
                candidate_id=candidate.id, version=candidate.version, changed_by_id=self.contact.id,
                changed_at=_at(day), changes={"status": [before, status]},
            )
        )  # fmt: skip

    def settle_requests(self) -> None:
        """Requests created in this run: filled when every position is taken, else still in progress."""
        from portal.placements.queries import position_freed

        for request in self.new_requests:
            taken = db.session.scalar(
                sa.select(sa.func.count(Proposal.id)).where(
                    Proposal.request_id == request.id,
                    Proposal.status == "accepted",
                    ~position_freed(Proposal.id),
                )
            )
            if taken >= request.positions:
                request.status = "filled"
                request.closed_at = db.session.scalar(
                    sa.select(sa.func.max(Proposal.decided_at)).where(
                        Proposal.request_id == request.id, Proposal.status == "accepted"
                    )
                )
        db.session.flush()
