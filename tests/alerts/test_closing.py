"""Stale items close themselves: when the condition behind an alert or a task ends, it closes with a
reason, at the moment of the change (the service) and as a backstop in the reconcile sweep."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.alerts import services as alert_services
from portal.alerts.models import Alert
from portal.alerts.reconcile import reconcile
from portal.extensions import db
from portal.placements.models import Placement
from portal.tasks.models import Task
from portal.tasks.services import NOT_YOURS
from tests import factories
from tests.aftercare import nazorg
from tests.aftercare.nazorg import at, checkin, checkin_url, valid_checkin
from tests.alerts.signals import T0, alerts_of, local, make_log, onboarding
from tests.employers.conftest import audit, fresh
from tests.placements.conftest import text

#: Fixtures of tests/aftercare/nazorg.py, used by name.
planned, today = nazorg.planned, nazorg.today


def decide(client, placement, **data):
    return client.post(f"/plaatsingen/{placement.id}/besluit", data)


def status_of(alert) -> tuple:
    alert = fresh(Alert, alert.id)
    return alert.status, alert.resolved_by_id, alert.resolution_note


def tasks_of(placement, kind=None) -> list[Task]:
    query = sa.select(Task).where(Task.placement_id == placement.id).order_by(Task.id)
    if kind:
        query = query.where(Task.kind == kind)
    db.session.expire_all()
    return list(db.session.scalars(query))


@pytest.fixture
def ending(seed, time_machine):
    """Tenant A's placement ending on Monday 1 June 2026, on Friday 22 May (the decision is due), with an
    open end-without-decision alert, a high risk alert and an open action."""
    time_machine.move_to(local(date(2026, 5, 22)), tick=False)
    placement = onboarding(seed.a)
    placement.candidate.status = "placed"
    alerts = {
        "end": factories.make_alert(
            placement, rule="end_without_decision", evidence_key="end:2026-06-01", severity="normal"
        ),
        "high": factories.make_alert(placement, rule="high_risk", evidence_key="visit:1"),
    }
    factories.make_task(placement, title="Rooster delen")
    db.session.commit()
    return placement, alerts


# At the moment of the change ------------------------------------------------------------------------------


CONTRACT = {
    "kind": "contract",
    "contract_type": "permanent",
    "contract_hours": "32",
    "contract_start": "2026-06-02",
}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (CONTRACT, "Het besluit over het einde is vastgelegd."),
        ({"kind": "extend", "new_end_date": "2026-07-01"}, "De einddatum is veranderd."),
    ],
)
def test_a_decision_closes_the_end_without_decision_alert(seed, ending, login_as, data, reason):
    placement, alerts = ending
    assert decide(login_as(seed.a.municipal), placement, **data).status_code == 302
    assert status_of(alerts["end"]) == ("resolved", None, reason)
    assert status_of(alerts["high"])[0] == "open"  # a high risk stays until someone handles it
    [event] = audit("alert.closed")
    assert (event.actor_id, event.object_id, event.detail["rule"]) == (
        None,
        alerts["end"].id,
        "end_without_decision",
    )


def test_a_stop_closes_every_alert_and_lets_the_open_actions_lapse(seed, ending, login_as):
    placement, alerts = ending
    data = {"kind": "stop", "stop_reason": "no_vacancy"}
    assert decide(login_as(seed.a.municipal), placement, **data).status_code == 302
    for alert in alerts.values():
        assert status_of(alert) == ("resolved", None, "De plaatsing is gestopt.")
    [task] = tasks_of(placement)
    assert (task.status, task.cancelled_reason) == ("cancelled", "De plaatsing is gestopt")
    assert task.cancelled_at is not None


def test_uitval_closes_every_alert_including_high_ones(seed, ending, login_as):
    placement, alerts = ending
    data = {"reason": "other_work", "text": "Heeft een andere baan.", "last_day": "2026-05-21"}
    assert login_as(seed.a.jobcoach).post(f"/plaatsingen/{placement.id}/uitval", data).status_code == 302
    for alert in alerts.values():
        assert status_of(alert) == ("resolved", None, "De plaatsing is uitgevallen.")
    page = text(login_as(seed.a.municipal).get(f"/signalen/{alerts['high'].id}/afhandelen"))
    assert "Waarom het vanzelf is gesloten" in page
    assert "De plaatsing is uitgevallen." in page
    assert "Vanzelf gesloten: De plaatsing is uitgevallen." in text(
        login_as(seed.a.municipal).get("/signalen?status=resolved")
    )


def test_recording_the_outcome_closes_the_alerts_of_the_dossier(seed, planned, login_as, time_machine):
    alert = factories.make_alert(planned, rule="high_risk", evidence_key="checkin:1")
    db.session.commit()
    time_machine.move_to(at(date(2026, 9, 7)), tick=False)
    data = {"outcome": "employed", "contract_type": "permanent", "hours": "32", "note": ""}
    response = login_as(seed.a.municipal).post(f"/plaatsingen/{planned.id}/nazorg/afronden", data)
    assert response.status_code == 302
    assert status_of(alert) == ("resolved", None, "De nazorg is afgerond.")


def test_holding_the_overdue_check_in_closes_its_alert(seed, planned, login_as):
    first = checkin(planned, 1)
    alert = factories.make_alert(
        planned, rule="checkin_overdue", evidence_key=f"checkin:{first.id}", severity="normal"
    )
    other = factories.make_alert(planned, rule="high_risk", evidence_key="visit:1")
    db.session.commit()
    assert login_as(seed.a.municipal).post(checkin_url(planned, first), valid_checkin()).status_code == 302
    assert status_of(alert) == ("resolved", None, "Het nazorggesprek is gehouden.")
    assert status_of(other)[0] == "open"


def test_a_person_resolving_at_the_same_moment_keeps_their_note(seed, ending):
    placement, alerts = ending
    alerts["end"].status, alerts["end"].resolved_by_id = "resolved", seed.a.municipal.id
    alerts["end"].resolved_at, alerts["end"].resolution_note = T0, "Gebeld."
    db.session.flush()
    assert alert_services.close_alerts(placement.id, "De plaatsing is gestopt.") == 1  # only the open one
    assert status_of(alerts["end"]) == ("resolved", seed.a.municipal.id, "Gebeld.")


# The backstop in the reconcile sweep ----------------------------------------------------------------------


def test_the_sweep_closes_alerts_whose_condition_ended_once(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)  # no logs and no visits since Monday 23 February
    reconcile()
    missing, silent = alerts_of(placement)
    assert (missing.rule, silent.rule) == ("logs_missing", "no_jobcoach_contact")
    make_log(placement, date(2026, 2, 23))
    make_log(placement, date(2026, 3, 2))
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    counts = reconcile()
    assert counts["alerts_closed"] == 2
    assert status_of(missing) == (
        "resolved",
        None,
        "De ontbrekende weekverslagen zijn ingevuld of niet meer nodig.",
    )
    assert status_of(silent) == ("resolved", None, "De jobcoach heeft weer contact gehad.")
    assert reconcile()["alerts_closed"] == 0


def test_the_sweep_closes_the_alerts_of_a_placement_that_ended_another_way(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a)
    make_log(placement, date(2026, 2, 23), has_concern=True)
    make_log(placement, date(2026, 3, 2))
    factories.make_visit(placement, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    reconcile()
    [concern] = alerts_of(placement)
    assert concern.rule == "concern"
    assert reconcile()["alerts_closed"] == 0  # a concern stays open while the placement runs
    placement.status = "interrupted"
    db.session.flush()
    assert reconcile()["alerts_closed"] == 1
    assert status_of(concern) == ("resolved", None, "De plaatsing is uitgevallen.")


def test_the_sweep_closes_an_end_alert_after_the_end_moved(seed, time_machine):
    time_machine.move_to(local(date(2026, 5, 26)), tick=False)  # the end (1 June) is 6 days away
    placement = onboarding(seed.a)
    make_log(placement, date(2026, 2, 23))
    reconcile()
    end = next(a for a in alerts_of(placement) if a.rule == "end_without_decision")
    placement.planned_end_date = date(2026, 8, 3)
    db.session.flush()
    reconcile()
    assert status_of(end) == ("resolved", None, "De einddatum is veranderd.")


def test_the_sweep_closes_the_onboarding_alerts_when_nazorg_begins(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    placement = onboarding(seed.a, planned_end_date=date(2026, 3, 13))
    reconcile()
    missing = next(a for a in alerts_of(placement) if a.rule == "logs_missing")
    placement.contract_type, placement.contract_hours = "fixed_term", 24
    placement.contract_start_date = date(2026, 3, 16)
    db.session.add(contract_decision(placement, seed.a.municipal, date(2026, 3, 16)))
    db.session.flush()
    time_machine.move_to(local(date(2026, 3, 16)), tick=False)
    counts = reconcile()
    assert counts["placements_to_nazorg"] == 1
    assert status_of(missing) == (
        "resolved",
        None,
        "De inwerkperiode is voorbij: er zijn geen weekverslagen meer nodig.",
    )


def contract_decision(placement, user, starts):
    from portal.placements.models import EndDecision

    return EndDecision(
        placement_id=placement.id,
        kind="contract",
        contract_type="fixed_term",
        contract_hours=24,
        contract_start=starts,
        decided_by_id=user.id,
    )


# The employer's preference request -------------------------------------------------------------------------


@pytest.fixture
def window(seed, time_machine):
    """Tenant A's placement ending Monday 1 June 2026; its decision window opens on Friday 15 May."""
    time_machine.move_to(local(date(2026, 5, 14)), tick=False)
    placement = onboarding(seed.a)
    make_log(placement, date(2026, 2, 23))
    db.session.commit()
    return placement


def test_the_employer_is_asked_for_a_preference_once_when_the_window_opens(seed, window, time_machine):
    assert reconcile()["tasks_opened"] == 0  # Thursday 14 May: Hemelvaartsdag, the window opens tomorrow
    time_machine.move_to(local(date(2026, 5, 15)), tick=False)
    assert reconcile()["tasks_opened"] == 1
    [task] = tasks_of(window, "preference")
    assert (task.owner, task.status, task.visible_to_employer, task.due_date) == (
        "employer",
        "open",
        True,
        date(2026, 6, 1),
    )
    assert task.title.startswith("Laten weten wat u wilt")
    assert reconcile()["tasks_opened"] == 0


def test_the_request_shows_for_the_employer_with_a_link_and_never_for_staff(
    seed, window, login_as, time_machine
):
    time_machine.move_to(local(date(2026, 5, 15)), tick=False)
    reconcile()
    db.session.commit()
    [task] = tasks_of(window, "preference")
    employer = login_as(seed.a.employer_user)
    for page in (text(employer.get("/")), text(employer.get("/taken"))):
        assert "Laten weten wat u wilt als de plaatsing afloopt" in page
        assert f'href="/plaatsingen/{window.id}#einde-titel">Voorkeur doorgeven' in page
    assert f'action="/taken/{task.id}/gedaan"' not in text(employer.get(f"/plaatsingen/{window.id}"))
    response = employer.post(f"/taken/{task.id}/gedaan", follow_redirects=True)
    assert NOT_YOURS in text(response)
    assert fresh(Task, task.id).status == "open"
    for user in (seed.a.municipal, seed.a.jobcoach):
        assert "Laten weten wat u wilt" not in text(login_as(user).get("/taken"))


def test_giving_the_preference_marks_the_request_done(seed, window, login_as, time_machine):
    time_machine.move_to(local(date(2026, 5, 18)), tick=False)
    reconcile()
    db.session.commit()
    response = login_as(seed.a.employer_user).post(
        f"/plaatsingen/{window.id}/voorkeur", {"preference": "contract"}
    )
    assert response.status_code == 302
    [task] = tasks_of(window, "preference")
    assert (task.status, task.done_by_id) == ("done", seed.a.employer_user.id)
    assert reconcile()["tasks_opened"] == 0  # answered: not asked again


def test_the_decision_lets_the_request_lapse_and_an_extension_asks_again(
    seed, window, login_as, time_machine
):
    time_machine.move_to(local(date(2026, 5, 18)), tick=False)
    reconcile()
    db.session.commit()
    client = login_as(seed.a.municipal)
    assert decide(client, window, kind="extend", new_end_date="2026-07-01").status_code == 302
    [task] = tasks_of(window, "preference")
    assert (task.status, task.cancelled_reason) == ("cancelled", "Het besluit over het einde is vastgelegd")
    time_machine.move_to(local(date(2026, 6, 17)), tick=False)  # the new window is open
    assert reconcile()["tasks_opened"] == 1
    old, new = tasks_of(window, "preference")
    assert (new.status, new.due_date) == ("open", date(2026, 7, 1))


def test_the_sweep_lets_a_request_lapse_whose_purpose_is_gone(seed, window, time_machine):
    time_machine.move_to(local(date(2026, 5, 18)), tick=False)
    reconcile()
    [task] = tasks_of(window, "preference")
    placement = fresh(Placement, window.id)
    placement.planned_end_date = date(2026, 8, 3)  # moved without a decision (e.g. a correction)
    db.session.flush()
    assert reconcile()["tasks_closed"] == 1
    task = fresh(Task, task.id)
    assert (task.status, task.cancelled_reason) == ("cancelled", "De einddatum is veranderd")
    placement = fresh(Placement, window.id)
    placement.status = "interrupted"
    action = factories.make_task(placement, title="Rooster delen")
    db.session.flush()
    assert reconcile()["tasks_closed"] == 1
    assert (fresh(Task, action.id).status, fresh(Task, action.id).cancelled_reason) == (
        "cancelled",
        "De plaatsing is uitgevallen",
    )
    assert reconcile()["tasks_closed"] == 0


def test_an_intake_task_after_uitval_is_never_closed_by_the_sweep(seed, ending, login_as):
    placement, _ = ending
    data = {"reason": "health", "text": "Moet eerst herstellen.", "last_day": "2026-05-21"}
    login_as(seed.a.municipal).post(f"/plaatsingen/{placement.id}/uitval", data)
    reconcile()
    [intake] = tasks_of(placement, "intake")
    assert intake.status == "open"
    assert timedelta(0) <= intake.due_date - date(2026, 5, 22) <= timedelta(days=14)
