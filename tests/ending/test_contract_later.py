"""A contract decided before the planned end: onboarding goes on until then, nazorg starts with it.

The story: a placement that ends on Friday 15 January 2027 gets, on Wednesday 2 December
2026, a contract from Monday 1 February 2027. Until 15 January the weekly logs, reminders and visits go
on; the weeks between the end and the contract ask for no log; on 1 February the reconcile sweep moves
the placement to nazorg (once) and the check-ins are planned from that day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.aftercare.models import CheckIn
from portal.alerts.reconcile import reconcile
from portal.alerts.rules import Snapshot, logs_missing, reminders_ignored
from portal.ending import services as ending
from portal.extensions import db
from portal.main.queries import weekly_logs_to_do
from portal.placements import services
from portal.placements.models import Placement, PlacementStatusChange
from portal.placements.reminders import remind_missing_weekly_logs
from tests import factories
from tests.alerts.signals import local, make_log, rules_of
from tests.employers.conftest import audit, emails, fresh
from tests.placements.conftest import log_url, text, valid_log

FIRST_DAY = date(2026, 10, 5)
END = date(2027, 1, 15)  # a Friday
STARTS = date(2027, 2, 1)  # a Monday
DECIDED = date(2026, 12, 2)


def url(placement) -> str:
    return f"/plaatsingen/{placement.id}/besluit"


def contract(**changes) -> dict:
    data = {"kind": "contract", "contract_type": "fixed_term", "contract_hours": "24"}
    data["contract_start"] = STARTS.isoformat()
    data.update(changes)
    return data


def history(placement) -> list[tuple]:
    return db.session.execute(
        sa.select(
            PlacementStatusChange.from_status,
            PlacementStatusChange.to_status,
            PlacementStatusChange.changed_by_id,
            PlacementStatusChange.reason,
        )
        .where(PlacementStatusChange.placement_id == placement.id)
        .order_by(PlacementStatusChange.id)
    ).all()


@pytest.fixture
def running(seed, time_machine):
    """Tenant A's placement in onboarding since 5 October 2026 until 15 January 2027, on 2 December."""
    time_machine.move_to(local(DECIDED), tick=False)
    placement = factories.make_placement(
        seed.a,
        request=seed.a.request,
        status="onboarding",
        start_date=FIRST_DAY,
        actual_start_date=FIRST_DAY,
        planned_end_date=END,
        days_per_week=3,
        jobcoach_id=seed.a.jobcoach.id,
    )
    placement.candidate.status = "placed"
    db.session.commit()
    return placement


@pytest.fixture
def decided(seed, running, login_as):
    """The contract from 1 February 2027 is recorded on 2 December 2026."""
    response = login_as(seed.a.municipal).post(url(running), contract())
    assert response.status_code == 302
    return fresh(Placement, running.id)


def test_the_placement_stays_in_onboarding_until_the_contract_starts(seed, running, login_as):
    client = login_as(seed.a.municipal)
    response = client.post(url(running), contract(), follow_redirects=True)
    assert (
        "De inwerkperiode loopt door tot en met 15 januari 2027. De nazorg begint op 1 februari 2027."
        in text(response)
    )
    placement = fresh(Placement, running.id)
    assert placement.status == "onboarding"
    assert (placement.contract_type, placement.contract_hours, placement.contract_start_date) == (
        "fixed_term",
        24,
        STARTS,
    )
    assert history(placement) == []  # no status change until the contract starts
    assert audit("placement.decision_recorded")[-1].detail["contract_start"] == "2027-02-01"
    [mail] = emails("placements/decision")
    assert "De plaatsing loopt door tot en met 15 januari 2027." in mail.body_text
    assert "De nazorg begint op 1 februari 2027." in mail.body_text
    assert "Vanaf nu begint de nazorg" not in mail.body_text


def test_the_pages_speak_of_the_nazorg_in_the_future(seed, decided, login_as):
    page = f"/plaatsingen/{decided.id}"
    staff = text(login_as(seed.a.municipal).get(page))
    assert "Inwerken" in staff
    assert "De nazorg begint op 1 februari 2027" in staff
    assert "begon op" not in staff
    assert "loopt de inwerkperiode door tot en met 15 januari 2027" in staff
    assert "Nazorggesprek" not in staff
    assert "besluit nodig" not in staff
    employer = text(login_as(seed.a.employer_user).get(page))
    assert "De nazorg begint op 1 februari 2027, met het contract." in employer
    assert "Weekverslag van deze week invullen" in employer
    assert "Wat wilt u?" not in employer


def test_weekly_logs_reminders_and_visits_go_on_until_the_planned_end(
    seed, app, decided, login_as, time_machine
):
    employer = login_as(seed.a.employer_user)
    assert employer.post(log_url(decided, date(2026, 11, 30)), valid_log()).status_code == 302
    # Friday 8 January 2027: the week's reminder still goes out.
    time_machine.move_to(local(date(2027, 1, 8), 16), tick=False)
    assert remind_missing_weekly_logs()["reminders"] == 1
    # Friday 15 January: the planned end's own week is the last one.
    time_machine.move_to(local(END, 16), tick=False)
    assert remind_missing_weekly_logs()["reminders"] == 1
    employer = login_as(seed.a.employer_user)  # a new session after weeks
    assert employer.post(log_url(decided, date(2027, 1, 11)), valid_log()).status_code == 302
    # Friday 22 January: after the end, before the contract: no log is asked for.
    time_machine.move_to(local(date(2027, 1, 22), 16), tick=False)
    assert remind_missing_weekly_logs()["reminders"] == 0
    assert services.week_problem(decided, date(2027, 1, 18)) == (
        "De plaatsing liep tot en met 15 januari 2027. Voor de weken daarna is geen weekverslag nodig:"
        " de kandidaat krijgt een contract en de nazorg begint op 1 februari 2027."
    )
    employer = login_as(seed.a.employer_user)
    response = employer.post(log_url(decided, date(2027, 1, 18)), valid_log())
    assert "Voor de weken daarna is geen weekverslag nodig" in text(response)
    due, overdue = weekly_logs_to_do(decided.employer_id)
    assert all(week <= date(2027, 1, 11) for _, week in due + overdue)
    assert "Weekverslag van deze week invullen" not in text(employer.get(f"/plaatsingen/{decided.id}"))
    # The jobcoach can still record a visit.
    jobcoach = login_as(seed.a.jobcoach)
    visit = {
        "visit_date": "2027-01-22",
        "duration_minutes": "30",
        "mode": "phone",
        "contact_made": "yes",
        "spoken_with": ["candidate"],
        "risk": "low",
    }
    assert jobcoach.post(f"/plaatsingen/{decided.id}/bezoeken/nieuw", visit).status_code == 302


def test_no_missing_log_signal_for_the_weeks_after_the_planned_end(seed, decided, time_machine):
    for week in range(15):
        make_log(decided, date(2026, 10, 5) + timedelta(weeks=week))  # up to the week of 11 January
    time_machine.move_to(local(date(2027, 1, 29)), tick=False)
    reconcile()
    assert [rule for rule, _, _ in rules_of(decided)] == []
    assert fresh(Placement, decided.id).status == "onboarding"


def test_the_rules_ask_no_log_after_the_planned_end_once_a_contract_is_decided():
    snapshot = Snapshot(
        placement_id=1,
        status="onboarding",
        actual_start_date=date(2027, 1, 4),
        planned_end_date=date(2027, 1, 8),
        today=date(2027, 1, 27),
        has_final_decision=True,
        reminder_weeks=[date(2027, 1, 11), date(2027, 1, 18)],
    )
    assert logs_missing(snapshot) is None
    assert reminders_ignored(snapshot) is None
    open_ended = replace(snapshot, has_final_decision=False)
    assert logs_missing(open_ended).evidence_key == "week:2027-01-04"
    assert reminders_ignored(open_ended) is not None


def test_the_sweep_starts_nazorg_on_the_contract_start_once(seed, decided, time_machine):
    time_machine.move_to(local(date(2027, 1, 31), 23), tick=False)
    assert reconcile()["placements_to_nazorg"] == 0
    assert fresh(Placement, decided.id).status == "onboarding"
    time_machine.move_to(local(STARTS, 0, 5), tick=False)
    counts = reconcile()
    assert counts["placements_to_nazorg"] == 1
    assert counts["checkins_planned"] == 7
    placement = fresh(Placement, decided.id)
    assert placement.status == "nazorg"
    assert history(placement) == [
        (
            "onboarding",
            "nazorg",
            None,
            "Het contract begint op 1 februari 2027: de inwerkperiode is voorbij en de nazorg begint.",
        )
    ]
    [event] = [e for e in audit("placement.status_changed") if e.object_id == placement.id]
    assert (event.actor_id, event.detail) == (None, {"from_status": "onboarding", "to_status": "nazorg"})
    first = db.session.scalars(
        sa.select(CheckIn).where(CheckIn.placement_id == placement.id).order_by(CheckIn.number)
    ).first()
    assert (first.week, first.due_date) == (1, date(2027, 2, 8))
    again = reconcile()
    assert (again["placements_to_nazorg"], again["checkins_planned"]) == (0, 0)
    assert len(history(placement)) == 1


def test_the_placement_page_says_the_nazorg_began(seed, decided, login_as, time_machine):
    time_machine.move_to(local(date(2027, 2, 3)), tick=False)
    reconcile()
    page = text(login_as(seed.a.municipal).get(f"/plaatsingen/{decided.id}"))
    assert "De nazorg begon op 1 februari 2027" in page
    assert "Gesprek 1" in page


def test_after_downtime_the_sweep_still_starts_nazorg(seed, decided, time_machine):
    time_machine.move_to(local(date(2027, 2, 10)), tick=False)
    assert reconcile()["placements_to_nazorg"] == 1
    assert fresh(Placement, decided.id).status == "nazorg"


def test_no_second_contract_and_no_extension_once_a_contract_is_decided(seed, decided, login_as):
    client = login_as(seed.a.municipal)
    page = text(client.get(url(decided)))
    assert "Er is al een contract vastgelegd, vanaf 1 februari 2027." in page
    response = client.post(url(decided), contract(contract_start="2027-02-15"))
    assert "Er is al een contract vastgelegd, vanaf 1 februari 2027." in text(response)
    response = client.post(url(decided), {"kind": "extend", "new_end_date": "2027-03-01"})
    assert "Verlengen kan dan niet meer." in text(response)
    placement = fresh(Placement, decided.id)
    assert (placement.planned_end_date, placement.contract_start_date) == (END, STARTS)


def test_a_stop_after_the_contract_fell_through_closes_the_placement(seed, decided, login_as, time_machine):
    time_machine.move_to(local(date(2027, 1, 12)), tick=False)
    response = login_as(seed.a.municipal).post(
        url(decided), {"kind": "stop", "stop_reason": "no_vacancy", "note": "Het contract gaat niet door."}
    )
    assert response.status_code == 302
    placement = fresh(Placement, decided.id)
    assert (placement.status, placement.ended_on) == ("closed", END)
    assert (placement.contract_type, placement.contract_hours, placement.contract_start_date) == (None,) * 3
    time_machine.move_to(local(STARTS), tick=False)
    assert reconcile()["placements_to_nazorg"] == 0
    assert fresh(Placement, decided.id).status == "closed"


def test_uitval_before_the_contract_keeps_the_placement_out_of_nazorg(seed, decided, login_as, time_machine):
    time_machine.move_to(local(date(2027, 1, 20)), tick=False)
    data = {"reason": "other_work", "text": "Toch een andere baan.", "last_day": "2027-01-15"}
    assert login_as(seed.a.municipal).post(f"/plaatsingen/{decided.id}/uitval", data).status_code == 302
    time_machine.move_to(local(STARTS), tick=False)
    assert reconcile()["placements_to_nazorg"] == 0
    assert fresh(Placement, decided.id).status == "interrupted"


def test_the_contract_can_be_corrected_before_it_starts(seed, decided, login_as, time_machine):
    client = login_as(seed.a.municipal)
    page = text(client.get(f"/plaatsingen/{decided.id}"))
    assert f'action="/plaatsingen/{decided.id}/contract"' in page
    data = {"contract_type": "fixed_term", "contract_hours": "24", "contract_start_date": "2027-02-15"}
    assert client.post(f"/plaatsingen/{decided.id}/contract", data).status_code == 302
    placement = fresh(Placement, decided.id)
    assert (placement.status, placement.contract_start_date) == ("onboarding", date(2027, 2, 15))
    assert "De nazorg begint op 15 februari 2027" in text(client.get(f"/plaatsingen/{decided.id}"))
    # Moved to today: the nazorg begins at once.
    data["contract_start_date"] = DECIDED.isoformat()
    assert client.post(f"/plaatsingen/{decided.id}/contract", data).status_code == 302
    placement = fresh(Placement, decided.id)
    assert placement.status == "nazorg"
    assert history(placement)[-1][:3] == ("onboarding", "nazorg", seed.a.municipal.id)
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id)).where(CheckIn.placement_id == placement.id))


def test_contract_pending_is_onboarding_with_a_contract(running):
    assert not ending.contract_pending(running)
    running.contract_start_date = STARTS
    assert ending.contract_pending(running)
    running.status = "nazorg"
    assert not ending.contract_pending(running)
