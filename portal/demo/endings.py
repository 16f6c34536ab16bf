"""How the demo's placements end, with the services the contact's clicks call, each on its own day:
a contract (the employer asked for one a week before; nazorg begins on the contract's first day), a
stop decision (closed), or uitval (interrupted, with an intake task for the contact).
"""

from __future__ import annotations

from datetime import date, timedelta

from portal.core.holidays import add_working_days
from portal.core.time import clock_at
from portal.demo.context import Demo, at
from portal.demo.journeys import back_to_the_track
from portal.ending.services import begin_aftercare_now, record_decision, record_preference, register_dropout
from portal.placements.models import Placement

#: The contact decides this many working days before the planned end; the employer asked a week before.
DECIDED_BEFORE_END = 5


def decision_day(placement: Placement) -> date:
    return add_working_days(placement.planned_end_date, -DECIDED_BEFORE_END)


def end_with_contract(
    demo: Demo, placement: Placement, employer, contract_type: str, hours: int, starts: date
) -> None:
    """The employer would like a contract; the contact decides it; nazorg begins on ``starts``."""
    decided = decision_day(placement)
    with clock_at(at(decided - timedelta(days=7))):
        record_preference(employer, placement, "contract", None)
    with clock_at(at(decided, 14)):
        record_decision(
            demo.contact,
            placement,
            "contract",
            {
                "contract_type": contract_type,
                "contract_hours": hours,
                "contract_start": starts,
                "note": "De werkgever en de kandidaat willen graag verder.",
            },
        )
    if placement.status == "onboarding":  # the contract starts after the decision: the sweep moves it
        with clock_at(at(starts, 6)):
            begin_aftercare_now(None, placement)
    demo.created["decisions"] += 1


def end_with_stop(demo: Demo, placement: Placement, reason: str, note: str) -> None:
    """The contact decides to stop at the planned end; the candidate is available again."""
    with clock_at(at(decision_day(placement), 14)):
        record_decision(
            demo.contact,
            placement,
            "stop",
            {"stop_reason": reason, "note": note, "last_day": placement.planned_end_date},
        )
    demo.created["decisions"] += 1
    back = min(placement.planned_end_date + timedelta(days=1), demo.today)
    back_to_the_track(demo.contact, placement.candidate, back, "Terug na de plaatsing.")
    demo.created["stage_changes"] += 1


def end_with_dropout(demo: Demo, placement: Placement, reason: str, text: str, last_day: date) -> None:
    """The contact registers uitval the working day after ``last_day``: open tasks lapse, the position is
    free again, the candidate is not available and the contact gets an intake task."""
    registered = min(add_working_days(last_day, 1), demo.today)
    with clock_at(at(registered, 11)):
        register_dropout(demo.contact, placement, reason, text, last_day)
    demo.created["tasks"] += 1
    back_to_the_track(demo.contact, placement.candidate, registered, "Terug na uitval bij de plaatsing.")
    demo.created["stage_changes"] += 1
