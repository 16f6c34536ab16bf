"""The end of aftercare: the outcome (employed, dropped out, moved) closes the placement."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.aftercare import services
from portal.aftercare.models import AftercareSettings
from portal.aftercare.settings import settings_for
from portal.core.errors import DomainError
from portal.extensions import db
from portal.placements.models import PlacementStatusChange
from portal.tasks.models import Task
from tests import factories
from tests.aftercare import nazorg
from tests.aftercare.nazorg import (
    at,
    checkin,
    checkin_url,
    outcome_url,
    rows_of,
    text,
    valid_checkin,
)
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, SCRIPT, audit
from tests.test_accessibility import page_problems, summary_problems

#: The last planned check-in (week 16) is due on Monday 7 September 2026.
LAST_DUE = date(2026, 9, 7)

#: Fixtures of tests/aftercare/nazorg.py, used by name.
planned, today = nazorg.planned, nazorg.today


def employed(**changes) -> dict:
    data = {"outcome": "employed", "contract_type": "permanent", "hours": "32", "note": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def ended(planned, time_machine):
    """The clock on the day of the last planned check-in."""
    time_machine.move_to(at(LAST_DUE), tick=False)
    return planned


def test_the_outcome_waits_for_the_last_planned_checkin(seed, planned, login_as, time_machine):
    client = login_as(seed.a.municipal)
    page = text(client.get(outcome_url(planned)))
    assert "U kunt de nazorg afronden vanaf 7 september 2026" in page
    assert "U kunt de nazorg afronden vanaf 7 september 2026" in text(
        client.get(f"/plaatsingen/{planned.id}")
    )
    client.post(outcome_url(planned), employed())
    db.session.expire_all()
    assert planned.status == "nazorg"
    assert planned.outcome is None
    time_machine.move_to(at(date(2026, 9, 4)), tick=False)
    client = login_as(seed.a.municipal)  # a new session: months have passed
    assert "vanaf 7 september 2026" in text(client.get(outcome_url(planned)))
    time_machine.move_to(at(LAST_DUE), tick=False)
    client = login_as(seed.a.municipal)
    response = client.get(outcome_url(planned))
    assert "Hoe loopt de nazorg af?" in text(response)
    assert page_problems(response.data) == []
    assert outcome_url(planned) in text(client.get(f"/plaatsingen/{planned.id}"))


def test_the_opening_day_follows_the_municipalitys_plan(seed, planned):
    db.session.add(AftercareSettings(municipality_id=seed.a.municipality.id, checkin_weeks="1 2 4"))
    db.session.flush()
    assert services.outcome_opens(planned, settings_for(seed.a.municipality.id)) == date(2026, 6, 15)


def test_employed_closes_the_placement_and_cancels_what_is_left(seed, ended, login_as):
    client = login_as(seed.a.municipal)
    client.post(checkin_url(ended, checkin(ended, 1)), valid_checkin(held_on="2026-05-26"))
    task = factories.make_task(ended)
    db.session.commit()
    response = client.post(outcome_url(ended), employed(note="Werkt nu 32 uur."))
    assert response.status_code == 302
    db.session.expire_all()
    assert (ended.status, ended.outcome, ended.outcome_contract_type, ended.outcome_hours) == (
        "closed",
        "employed",
        "permanent",
        32,
    )
    assert ended.outcome_note == "Werkt nu 32 uur."
    assert ended.outcome_recorded_at is not None
    assert ended.end_reason is None
    assert [row[3] for row in rows_of(ended)] == ["held"] + ["cancelled"] * 6
    assert db.session.get(Task, task.id).status == "cancelled"
    change = db.session.scalars(
        sa.select(PlacementStatusChange)
        .where(PlacementStatusChange.placement_id == ended.id)
        .order_by(PlacementStatusChange.id.desc())
    ).first()
    assert (change.from_status, change.to_status) == ("nazorg", "closed")
    assert change.reason == "Nazorg afgerond: de kandidaat werkt hier nog, met een contract."
    event = audit("placement.outcome_recorded")[-1]
    assert event.detail["outcome"] == "employed"
    assert event.detail["checkins_cancelled"] == 6
    page = text(client.get(f"/plaatsingen/{ended.id}"))
    assert "Hoe de nazorg is afgelopen" in page
    assert "Vast contract, 32 uur per week" in page
    assert "Nazorg afronden" not in page
    assert "Contract aanpassen" not in page
    assert services.FINISHED in text(client.get(outcome_url(ended)))


def test_dropped_out_records_the_reason_and_starts_an_intake(seed, ended, login_as):
    login_as(seed.a.municipal).post(
        outcome_url(ended), {"outcome": "dropped_out", "reason": "health", "note": "Langdurig ziek."}
    )
    db.session.expire_all()
    assert (ended.status, ended.outcome, ended.end_reason, ended.outcome_note) == (
        "closed",
        "dropped_out",
        "health",
        "Langdurig ziek.",
    )
    assert ended.outcome_contract_type is None
    assert ended.outcome_hours is None
    assert ended.candidate.status == "inactive"
    intake = db.session.scalar(sa.select(Task).where(Task.placement_id == ended.id, Task.kind == "intake"))
    assert intake.assignee_id == ended.contact_id
    assert intake.status == "open"
    employer_page = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{ended.id}"))
    for secret in ("Langdurig ziek", "Gezondheid", "Hoe de nazorg is afgelopen", "Reden van stoppen"):
        assert secret not in employer_page, secret
    staff_page = text(login_as(seed.a.jobcoach).get(f"/plaatsingen/{ended.id}"))
    assert "Gezondheid of persoonlijke omstandigheden" in staff_page
    assert "Reden van stoppen" not in staff_page


def test_moved_needs_where_to(seed, ended, login_as):
    ended.candidate.status = "placed"
    db.session.commit()
    client = login_as(seed.a.municipal)
    response = client.post(outcome_url(ended), {"outcome": "moved", "note": ""})
    assert services.OUTCOME_NOTE_MOVED in form_errors_in(text(response))
    client.post(outcome_url(ended), {"outcome": "moved", "note": "Bij de bakker in Veldhoven."})
    db.session.expire_all()
    assert (ended.outcome, ended.outcome_note, ended.status) == (
        "moved",
        "Bij de bakker in Veldhoven.",
        "closed",
    )
    assert ended.candidate.status == "active"  # to be proposed for the new workplace


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Kies hoe de nazorg afloopt."),
        ({"outcome": "retired"}, "outcome", "Kies een van de mogelijkheden."),
        (employed(contract_type=""), "contract_type", "Kies de soort contract."),
        (employed(contract_type="forever"), "contract_type", "Kies een van de mogelijkheden uit de lijst."),
        (employed(hours=""), "hours", "Vul het aantal uren per week in."),
        (employed(hours="0"), "hours", "Vul een getal van 1 tot en met 40 in."),
        (employed(hours="9" * 40), "hours", "Dit getal is te groot."),
        ({"outcome": "dropped_out", "reason": "", "note": "x"}, "reason", "Kies de reden van de uitval."),
        (
            {"outcome": "dropped_out", "reason": "bored", "note": "x"},
            "reason",
            "Kies een van de mogelijkheden",
        ),
        ({"outcome": "dropped_out", "reason": "health"}, "note", "Schrijf kort op wat er is gebeurd."),
        (employed(note=LONG), "note", "Gebruik hoogstens 2000 tekens."),
        (employed(note="BSN 111 222 333"), "note", "Vul hier geen burgerservicenummer in."),
    ],
)
def test_invalid_outcomes_get_a_dutch_message_and_change_nothing(seed, ended, login_as, data, field, message):
    response = login_as(seed.a.municipal).post(outcome_url(ended), data)
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(message in error for error in errors), errors
    assert summary_problems(response.data) == []
    db.session.expire_all()
    assert ended.status == "nazorg"
    assert ended.outcome is None


def test_fields_of_another_outcome_are_ignored(seed, ended, login_as):
    login_as(seed.a.municipal).post(
        outcome_url(ended),
        {"outcome": "moved", "note": SCRIPT, "contract_type": "x", "hours": "abc", "reason": "?"},
    )
    db.session.expire_all()
    assert (ended.outcome, ended.outcome_contract_type, ended.outcome_hours, ended.end_reason) == (
        "moved",
        None,
        None,
        None,
    )
    assert ended.outcome_note == SCRIPT


def test_the_outcome_is_recorded_once(seed, ended, login_as):
    client = login_as(seed.a.municipal)
    client.post(outcome_url(ended), employed())
    response = client.post(outcome_url(ended), {"outcome": "moved", "note": "Elders"})
    assert services.FINISHED in text(response)
    db.session.expire_all()
    assert ended.outcome == "employed"
    assert len(audit("placement.outcome_recorded")) == 1


def test_placements_not_in_nazorg_are_refused(seed, login_as):
    response = login_as(seed.a.municipal).post(outcome_url(seed.a.placement), employed())
    assert services.NOT_STARTED in text(response)
    db.session.expire_all()
    assert seed.a.placement.status == "planned"


def test_other_tenants_and_roles_cannot_record_the_outcome(seed, ended, login_as):
    assert login_as(seed.b.municipal).post(outcome_url(ended), employed()).status_code == 404
    for role in ("employer", "jobcoach", "admin"):
        assert login_as(seed.a.user(role)).post(outcome_url(ended), employed()).status_code == 403
    db.session.expire_all()
    assert ended.outcome is None
    with pytest.raises(DomainError):
        services.record_outcome(seed.a.jobcoach, ended, settings_for(ended.municipality_id), {})


def test_the_service_checks_the_outcome_itself(seed, ended):
    settings = settings_for(ended.municipality_id)
    for values, field in (
        ({"outcome": "employed", "contract_type": "permanent", "hours": True}, "hours"),
        ({"outcome": "employed", "contract_type": "permanent", "hours": 41}, "hours"),
        ({"outcome": "dropped_out", "reason": "health", "note": "   "}, "note"),
        ({"outcome": "moved", "note": None}, "note"),
    ):
        with pytest.raises(DomainError) as error:
            services.record_outcome(seed.a.municipal, ended, settings, values)
        assert error.value.field == field
    assert ended.outcome is None
