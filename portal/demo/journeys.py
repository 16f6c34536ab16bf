"""The journey steps of the demo's candidates, recorded with the journey services on their own days.

A step is a stage entered on a date (with its source, route or provider). ``record_steps`` records a
list of them the way a specialist would have on each day; plaatsing, nazorg and uitstroom are the
system's (a started placement, the nazorg after a contract and a confirmed exit record them).
``first_steps`` is the short journey of a candidate up to the klantbeeld and the route, used for the
candidate pool and the placement scenarios' candidates when they are created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.core.time import clock_at
from portal.demo.context import at
from portal.journey.models import SYSTEM_STAGES
from portal.journey.services import agree_plan, record_stage, record_system_stage

#: Who provides the tracks in the demo (all invented).
PROVIDERS = {
    "activering": "Activeringscentrum De Stap (demo)",
    "opleiding": "Taalschool Lichtstad (demo)",
    "zorg": "Welzijn Eindhoven (demo)",
    "werk": "Werkleerbedrijf Eindhoven (demo)",
    "leerwerk": "Leerwerkloket Eindhoven (demo)",
}
#: Weeks between two reviews of the ABC plan in the demo (the team's default).
REVIEW_WEEKS = 8


@dataclass
class Step:
    stage: str
    on: date
    source: str | None = None
    route: str | None = None
    provider: str | None = None
    ends_on: date | None = None
    note: str | None = None


def record_steps(recorder: User, candidate: Candidate, steps: list[Step]) -> int:
    """Each step on its day (late morning); returns how many stage rows were added."""
    added = 0
    for step in steps:
        with clock_at(at(step.on, 11)):
            if step.stage in SYSTEM_STAGES:
                added += record_system_stage(None, candidate, step.stage, step.on) is not None
                continue
            record_stage(
                recorder,
                candidate,
                {
                    "stage": step.stage,
                    "entered_on": step.on,
                    "source": step.source,
                    "route": step.route,
                    "provider": step.provider,
                    "ends_on": step.ends_on,
                    "note": step.note,
                },
            )
            added += 1
    return added


def first_steps(screened: date, today: date, *, care_first: bool, waited_weeks: int = 0) -> list[Step]:
    """Aanmelding six weeks (plus ``waited_weeks``) before the klantbeeld (``screened``), the intakes, a
    route a week later and the track after it (a voortraject when care comes first, else the
    vervolgtraject towards work)."""
    registered = screened - timedelta(days=45 + 7 * waited_weeks)
    chosen = min(screened + timedelta(days=7), today)
    onwards = min(chosen + timedelta(days=7), today)
    route = "zorg" if care_first else "werk"
    track = (
        Step("voortraject", onwards, provider=PROVIDERS["zorg"], ends_on=onwards + timedelta(weeks=16))
        if care_first
        else Step("vervolgtraject", onwards, provider=PROVIDERS["werk"])
    )
    return [
        Step("aanmelding", registered, source="coa_tvs"),
        Step("intake_rechtmatigheid", registered + timedelta(days=10)),
        Step("intake_doelmatigheid", screened - timedelta(days=21)),
        Step("klantbeeld", screened),
        Step("trajectbepaling", chosen, route=route),
        track,
    ]


def agree(
    specialist: User, candidate: Candidate, agreed_on: date, today: date, *, still_active: bool
) -> None:
    """The ABC plan agreed with the specialist at the trajectbepaling, reviewed every eight weeks: a
    candidate still in the caseload agreed it again at the latest review that has passed."""
    dates = [agreed_on]
    while still_active and dates[-1] + timedelta(weeks=REVIEW_WEEKS) < today - timedelta(days=10):
        dates.append(dates[-1] + timedelta(weeks=REVIEW_WEEKS))
    for day in sorted({dates[0], dates[-1]}):
        with clock_at(at(day, 15)):
            agree_plan(
                specialist,
                candidate,
                {
                    "agreed_on": day,
                    "agreed_by_id": specialist.id,
                    "review_on": day + timedelta(weeks=REVIEW_WEEKS),
                },
            )


def back_to_the_track(recorder: User, candidate: Candidate, day: date, note: str) -> None:
    """After a placement that did not go on, the specialist records the candidate back in the
    vervolgtraject."""
    record_steps(recorder, candidate, [Step("vervolgtraject", day, provider=PROVIDERS["werk"], note=note)])
