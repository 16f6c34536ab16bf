"""The end-of-placement decision (contract, extend once, stop) and the employer's preference."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.candidates.models import CandidateVersion
from portal.core.errors import DomainError
from portal.core.holidays import add_working_days
from portal.ending import services as ending
from portal.extensions import db
from portal.placements import queries
from portal.placements.models import EndDecision, Placement, PlacementStatusChange
from portal.tasks.models import Task
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, audit, emails, fresh, row
from tests.placements.conftest import text

#: The `started` placement (tests.placements.conftest) ends on Monday 1 June 2026. Ten working days
#: before that, counting back over Tweede Pinksterdag (25 May) and Hemelvaartsdag (14 May), is Friday 15 May.
END = date(2026, 6, 1)
OPENS = date(2026, 5, 15)
#: A taalstage lasts at most 52 weeks from the first working day (Monday 23 February 2026).
LATEST_END = date(2027, 2, 22)
LEAD = 10


def at(day: date) -> datetime:
    """Ten o'clock in the morning in Amsterdam on ``day`` (summer time)."""
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def url(placement) -> str:
    return f"/plaatsingen/{placement.id}/besluit"


def contract(**changes) -> dict:
    data = {
        "kind": "contract",
        "contract_type": "permanent",
        "contract_hours": "32",
        "contract_start": "2026-06-02",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def decisions(placement) -> list[EndDecision]:
    return list(
        db.session.scalars(
            sa.select(EndDecision).where(EndDecision.placement_id == placement.id).order_by(EndDecision.id)
        )
    )


def history(placement) -> list[tuple]:
    return db.session.execute(
        sa.select(
            PlacementStatusChange.from_status, PlacementStatusChange.to_status, PlacementStatusChange.reason
        )
        .where(PlacementStatusChange.placement_id == placement.id)
        .order_by(PlacementStatusChange.id)
    ).all()


@pytest.fixture
def placed(started):
    """The started placement's candidate is placed (as after acceptance)."""
    started.candidate.status = "placed"
    db.session.commit()
    return started


# The window -----------------------------------------------------------------------------------------------


def test_the_window_opens_ten_working_days_before_the_end_skipping_holidays(started):
    assert ending.decision_opens(started, LEAD) == OPENS
    assert add_working_days(OPENS, LEAD) == END
    assert not ending.decision_due(started, date(2026, 5, 14), LEAD)  # Hemelvaartsdag, the day before
    assert ending.decision_due(started, OPENS, LEAD)
    assert ending.decision_due(started, END, LEAD)
    assert ending.decision_due(started, date(2026, 6, 15), LEAD)  # late: still due until decided
    assert ending.decision_opens(started, 0) == END


@pytest.mark.parametrize("status", ["planned", "nazorg", "closed", "interrupted"])
def test_only_onboarding_placements_wait_for_a_decision(started, status):
    started.status = status
    assert not ending.decision_due(started, END, LEAD)


def test_a_placement_with_a_contract_or_stop_is_not_due(started):
    started.contract_type = "permanent"
    assert not ending.decision_due(started, END, LEAD)
    started.contract_type, started.end_reason = None, "no_vacancy"
    assert not ending.decision_due(started, END, LEAD)


def test_the_lead_is_configurable(app, seed, started, login_as, time_machine, monkeypatch):
    monkeypatch.setitem(app.config, "DECISION_LEAD_WORKING_DAYS", 3)
    time_machine.move_to(at(OPENS), tick=False)
    assert "besluit nodig" not in text(login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}"))
    time_machine.move_to(at(date(2026, 5, 27)), tick=False)  # 3 working days before 1 June
    assert "besluit nodig" in text(login_as(seed.a.municipal).get(f"/plaatsingen/{started.id}"))


def test_the_pages_show_the_notice_from_the_day_the_window_opens(seed, started, login_as, time_machine):
    page = f"/plaatsingen/{started.id}"
    time_machine.move_to(at(date(2026, 5, 14)), tick=False)
    assert "besluit nodig" not in text(login_as(seed.a.municipal).get(page))
    assert "Wat wilt u?" not in text(login_as(seed.a.employer_user).get(page))
    time_machine.move_to(at(OPENS), tick=False)
    municipal, employer = login_as(seed.a.municipal), login_as(seed.a.employer_user)
    body = text(municipal.get(page))
    assert "De plaatsing loopt af op 1 juni 2026: besluit nodig" in body
    assert "De werkgever heeft nog geen voorkeur doorgegeven." in body
    assert f'href="/plaatsingen/{started.id}/besluit"' in body
    body = text(employer.get(page))
    assert "De plaatsing loopt af op 1 juni 2026. Wat wilt u?" in body
    assert f'action="/plaatsingen/{started.id}/voorkeur"' in body
    assert "/besluit" not in body
    assert "/uitval" not in body


def test_decisions_due_agrees_with_decision_due_day_by_day(seed, started, frozen):
    for day in (date(2026, 5, 13), date(2026, 5, 14), OPENS, date(2026, 5, 18), END, date(2026, 6, 10)):
        found = db.session.scalars(queries.decisions_due(seed.a.municipal, add_working_days(day, LEAD))).all()
        assert (started in found) == ending.decision_due(started, day, LEAD), day


def test_decisions_due_lists_the_scope_soonest_end_first(seed, started, frozen):
    later = factories.make_placement(
        seed.a,
        status="onboarding",
        start_date=date(2026, 2, 23),
        planned_end_date=date(2026, 6, 5),
        actual_start_date=date(2026, 2, 23),
        jobcoach_id=seed.a.jobcoach.id,
    )
    sooner = factories.make_placement(
        seed.a,
        status="onboarding",
        start_date=date(2026, 2, 23),
        planned_end_date=date(2026, 5, 29),
        actual_start_date=date(2026, 2, 23),
    )
    factories.make_placement(seed.a, status="nazorg", start_date=date(2026, 2, 23), planned_end_date=END)
    factories.make_placement(
        seed.a, status="onboarding", start_date=date(2026, 2, 23), planned_end_date=date(2026, 9, 1)
    )
    decided = factories.make_placement(
        seed.a, status="onboarding", start_date=date(2026, 2, 23), planned_end_date=END
    )
    db.session.add(
        EndDecision(
            placement_id=decided.id, kind="stop", stop_reason="no_vacancy", decided_by_id=seed.a.municipal.id
        )
    )
    foreign = factories.make_placement(
        seed.b, status="onboarding", start_date=date(2026, 2, 23), planned_end_date=END
    )
    db.session.flush()
    day = date(2026, 5, 22)
    assert db.session.scalars(queries.decisions_due(seed.a.municipal, add_working_days(day, LEAD))).all() == [
        sooner,
        started,
        later,
    ]
    assert db.session.scalars(queries.decisions_due(seed.a.jobcoach, add_working_days(day, LEAD))).all() == [
        later
    ]
    assert db.session.scalars(queries.decisions_due(seed.b.municipal, add_working_days(day, LEAD))).all() == [
        foreign
    ]
    scoped = queries.placements_for(seed.a.employer_user)
    assert started in db.session.scalars(queries.decisions_due(scoped, add_working_days(day, LEAD))).all()
    assert queries.decisions_due(seed.a.admin, add_working_days(day, LEAD)) is None


# Contract -------------------------------------------------------------------------------------------------


def test_a_contract_that_starts_today_starts_nazorg_at_once(seed, placed, login_as):
    response = login_as(seed.a.municipal).post(
        url(placed), contract(note="Goed gesprek gehad.", contract_start="2026-03-10")
    )
    assert response.status_code == 302
    placement = fresh(Placement, placed.id)
    assert placement.status == "nazorg"
    assert (placement.contract_type, placement.contract_hours, placement.contract_start_date) == (
        "permanent",
        32,
        date(2026, 3, 10),
    )
    assert placement.candidate.status == "placed"
    [decision] = decisions(placement)
    assert (decision.kind, decision.contract_type, decision.contract_hours, decision.contract_start) == (
        "contract",
        "permanent",
        32,
        date(2026, 3, 10),
    )
    assert decision.decided_by_id == seed.a.municipal.id
    assert decision.note == "Goed gesprek gehad."
    [change] = history(placement)
    assert change[:2] == ("onboarding", "nazorg")
    assert "contract" in change[2]
    assert "nazorg" in change[2]
    [event] = audit("placement.decision_recorded")
    assert event.detail["kind"] == "contract"
    assert event.detail["contract_type"] == "permanent"
    [mail] = emails("placements/decision")
    assert mail.to_address == seed.a.employer_user.email
    assert placed.candidate.pseudonym in mail.subject
    assert "vast contract" in mail.body_text
    assert "32" in mail.body_text
    assert "Vanaf nu begint de nazorg." in mail.body_text
    assert placed.candidate.first_name not in mail.body_text
    assert "Goed gesprek" not in mail.body_text
    assert audit("placement.status_changed")[-1].detail == {
        "from_status": "onboarding",
        "to_status": "nazorg",
    }


def test_the_employer_sees_the_contract_on_the_page(seed, placed, login_as):
    login_as(seed.a.municipal).post(url(placed), contract(note="Interne notitie"))
    body = text(login_as(seed.a.employer_user).get(f"/plaatsingen/{placed.id}"))
    assert "Vast contract, 32 uur per week, vanaf 2 juni 2026" in body
    assert "besluit contract" in body
    assert "Interne notitie" not in body


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"contract_type": ""}, "Kies de soort contract."),
        ({"contract_type": "slavery"}, "Kies een van de mogelijkheden uit de lijst."),
        ({"contract_hours": ""}, "Vul het aantal uren per week in."),
        ({"contract_hours": "0"}, "Vul een getal van 1 tot en met 40 in."),
        ({"contract_hours": "41"}, "Vul een getal van 1 tot en met 40 in."),
        ({"contract_hours": "12.5"}, "Vul een heel getal in, zoals 2."),
        ({"contract_hours": "99999999999999"}, "Dit getal is te groot."),
        ({"contract_start": ""}, "Vul de startdatum van het contract in."),
        ({"contract_start": "morgen"}, "Vul een datum in"),
        (
            {"contract_start": "2026-02-20"},
            "Het contract kan niet beginnen voor de eerste werkdag (23 februari 2026).",
        ),
        ({"contract_start": "2026-08-31"}, "Kies uiterlijk 30 augustus 2026."),
        ({"kind": ""}, "Kies wat er is besloten: contract, verlengen of stoppen."),
        ({"kind": "promote"}, "Kies een van de mogelijkheden."),
    ],
)
def test_contract_validation(seed, placed, login_as, changes, field_message):
    before = row(Placement, placed.id)
    response = login_as(seed.a.municipal).post(url(placed), contract(**changes))
    assert response.status_code == 200
    body = text(response)
    assert any(field_message in error for error in form_errors_in(body)), form_errors_in(body)
    assert "Controleer het formulier" in body
    assert row(Placement, placed.id) == before
    assert decisions(placed) == []


def test_missing_fields_of_the_chosen_kind_get_their_own_message(seed, placed, login_as):
    client = login_as(seed.a.municipal)
    errors = form_errors_in(text(client.post(url(placed), {"kind": "contract"})))
    assert errors == [
        "Kies de soort contract.",
        "Vul het aantal uren per week in.",
        "Vul de startdatum van het contract in.",
    ]
    assert form_errors_in(text(client.post(url(placed), {"kind": "extend"}))) == [
        "Vul de nieuwe einddatum in."
    ]
    assert form_errors_in(text(client.post(url(placed), {"kind": "stop"}))) == [
        "Kies de reden om te stoppen."
    ]
    body = text(client.get(url(placed)))
    assert 'Soort contract <span class="werkbrug-optional">' not in body
    assert 'Laatste werkdag <span class="werkbrug-optional">(niet verplicht)</span>' in body
    assert decisions(placed) == []


def test_contract_accepts_the_edges(seed, placed, login_as):
    data = contract(contract_type="on_call", contract_hours="1", contract_start="2026-08-30")
    assert login_as(seed.a.municipal).post(url(placed), data).status_code == 302
    assert fresh(Placement, placed.id).contract_hours == 1


def test_fields_of_another_kind_are_ignored(seed, placed, login_as):
    data = contract(new_end_date="onzin", stop_reason="nope", last_day="1999-99-99")
    assert login_as(seed.a.municipal).post(url(placed), data).status_code == 302
    placement = fresh(Placement, placed.id)
    assert (placement.contract_start_date, placement.end_reason) == (date(2026, 6, 2), None)


# Extension ------------------------------------------------------------------------------------------------


def test_an_extension_within_the_maximum_moves_the_end(seed, placed, login_as):
    response = login_as(seed.a.municipal).post(url(placed), {"kind": "extend", "new_end_date": "2026-08-03"})
    assert response.status_code == 302
    placement = fresh(Placement, placed.id)
    assert placement.status == "onboarding"
    assert placement.planned_end_date == date(2026, 8, 3)
    [decision] = decisions(placement)
    assert (decision.kind, decision.previous_end_date, decision.new_end_date) == (
        "extend",
        END,
        date(2026, 8, 3),
    )
    assert history(placement) == []
    [mail] = emails("placements/decision")
    assert "3 augustus 2026" in mail.body_text
    assert not ending.decision_due(placement, END, LEAD)


def test_an_extension_up_to_the_maximum_is_allowed(seed, placed, login_as):
    response = login_as(seed.a.municipal).post(
        url(placed), {"kind": "extend", "new_end_date": LATEST_END.isoformat()}
    )
    assert response.status_code == 302
    assert fresh(Placement, placed.id).planned_end_date == LATEST_END


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-23", "De nieuwe einddatum kan uiterlijk 22 februari 2027 zijn."),
        ("2026-06-01", "Kies een nieuwe einddatum na de huidige einddatum (1 juni 2026)."),
        ("2026-05-01", "Kies een nieuwe einddatum na de huidige einddatum (1 juni 2026)."),
        ("", "Vul de nieuwe einddatum in."),
        ("01-08-2026", "Vul een datum in"),
    ],
)
def test_an_extension_outside_the_range_is_refused(seed, placed, login_as, value, message):
    response = login_as(seed.a.municipal).post(url(placed), {"kind": "extend", "new_end_date": value})
    assert response.status_code == 200
    assert any(message in error for error in form_errors_in(text(response))), form_errors_in(text(response))
    assert fresh(Placement, placed.id).planned_end_date == END
    assert decisions(placed) == []


def test_the_maximum_counts_from_the_planned_start_when_there_is_no_actual_start(seed, placed):
    placed.actual_start_date = None
    assert ending.latest_end(placed) == date(2027, 2, 22)
    placed.start_date = date(2026, 3, 2)
    assert ending.latest_end(placed) == date(2027, 3, 1)


def test_a_placement_already_at_its_maximum_cannot_be_extended(seed, placed):
    placed.planned_end_date = LATEST_END
    with pytest.raises(DomainError, match="Verlengen kan niet"):
        ending.record_decision(seed.a.municipal, placed, "extend", {"new_end_date": date(2027, 3, 1)})


def test_no_second_extension(seed, placed, login_as):
    client = login_as(seed.a.municipal)
    assert client.post(url(placed), {"kind": "extend", "new_end_date": "2026-07-01"}).status_code == 302
    response = client.post(url(placed), {"kind": "extend", "new_end_date": "2026-08-03"})
    assert response.status_code == 200
    assert ending.EXTEND_TWICE in text(response)
    assert fresh(Placement, placed.id).planned_end_date == date(2026, 7, 1)
    assert [d.kind for d in decisions(placed)] == ["extend"]
    assert "al een keer verlengd" in text(client.get(url(placed)))
    placement = fresh(Placement, placed.id)
    with pytest.raises(DomainError) as refused:
        ending.record_decision(seed.a.municipal, placement, "extend", {"new_end_date": date(2026, 8, 3)})
    assert refused.value.message == ending.EXTEND_TWICE
    assert len(emails("placements/decision")) == 1


def test_the_database_refuses_a_second_extension_too(seed, placed):
    ending.record_decision(seed.a.municipal, placed, "extend", {"new_end_date": date(2026, 7, 1)})
    second = EndDecision(
        placement_id=placed.id,
        kind="extend",
        previous_end_date=date(2026, 7, 1),
        new_end_date=date(2026, 8, 3),
        decided_by_id=seed.a.municipal.id,
    )
    with db.session.begin_nested():
        db.session.add(second)
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_a_simultaneous_second_extension_gets_a_message_not_an_error(seed, placed, login_as, monkeypatch):
    ending.record_decision(seed.a.municipal, placed, "extend", {"new_end_date": date(2026, 7, 1)})
    db.session.commit()
    # As if the other request committed its extension after this one checked.
    monkeypatch.setattr(
        ending.queries,
        "decision_of_kind",
        lambda placement_id, kind: sa.select(EndDecision).where(sa.false()),
    )
    client = login_as(seed.a.municipal)
    response = client.post(url(placed), {"kind": "extend", "new_end_date": "2026-08-03"})
    assert response.status_code == 302
    assert ending.DECIDED_MEANWHILE in text(client.get(response.headers["Location"]))
    assert fresh(Placement, placed.id).planned_end_date == date(2026, 7, 1)
    assert len(decisions(placed)) == 1


def test_after_an_extension_the_contract_or_stop_can_still_follow(seed, placed, login_as):
    client = login_as(seed.a.municipal)
    assert client.post(url(placed), {"kind": "extend", "new_end_date": "2026-07-01"}).status_code == 302
    assert client.post(url(placed), {"kind": "stop", "stop_reason": "more_language"}).status_code == 302
    placement = fresh(Placement, placed.id)
    assert placement.status == "closed"
    assert placement.ended_on == date(2026, 7, 1)
    assert [d.kind for d in decisions(placed)] == ["extend", "stop"]


# Stop -----------------------------------------------------------------------------------------------------


def test_stop_closes_the_placement_and_makes_the_candidate_available(seed, placed, login_as):
    task = factories.make_task(placed)
    done = factories.make_task(placed, status="done")
    db.session.commit()
    response = login_as(seed.a.municipal).post(
        url(placed), {"kind": "stop", "stop_reason": "no_vacancy", "last_day": "2026-05-29"}
    )
    assert response.status_code == 302
    placement = fresh(Placement, placed.id)
    assert placement.status == "closed"
    assert (placement.end_reason, placement.ended_on) == ("no_vacancy", date(2026, 5, 29))
    assert placement.candidate.status == "active"
    version = db.session.scalars(
        sa.select(CandidateVersion).where(CandidateVersion.candidate_id == placement.candidate_id)
    ).one()
    assert version.changes == {"status": ["placed", "active"]}
    assert version.changed_by_id == seed.a.municipal.id
    assert history(placement)[0][:2] == ("onboarding", "closed")
    assert fresh(Task, task.id).status == "cancelled"
    assert fresh(Task, done.id).status == "done"
    [decision] = decisions(placement)
    assert decision.stop_reason == "no_vacancy"
    [mail] = emails("placements/decision")
    assert "De werkgever heeft geen passende baan" in mail.body_text
    assert "29 mei 2026" in mail.body_text


def test_stop_defaults_the_last_day_to_the_planned_end(seed, placed, login_as):
    form = text(login_as(seed.a.municipal).get(url(placed)))
    assert 'value="2026-06-01"' in form
    login_as(seed.a.municipal).post(url(placed), {"kind": "stop", "stop_reason": "education", "last_day": ""})
    assert fresh(Placement, placed.id).ended_on == END


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stop_reason": ""}, "Kies de reden om te stoppen."),
        ({"stop_reason": "bored"}, "Kies een van de mogelijkheden uit de lijst."),
        ({"stop_reason": "other"}, "Schrijf kort op waarom de plaatsing stopt."),
        ({"stop_reason": "other", "note": "   "}, "Schrijf kort op waarom de plaatsing stopt."),
        (
            {"stop_reason": "goal_reached", "last_day": "2026-02-20"},
            "De laatste werkdag kan niet voor de eerste werkdag",
        ),
        (
            {"stop_reason": "goal_reached", "last_day": "2026-06-02"},
            "De laatste werkdag kan niet na de geplande einddatum",
        ),
        ({"stop_reason": "goal_reached", "last_day": "gisteren"}, "Vul een datum in"),
        ({"stop_reason": "goal_reached", "note": LONG}, "Gebruik hoogstens 2000 tekens."),
        ({"stop_reason": "goal_reached", "note": "BSN 111222333"}, "Vul hier geen burgerservicenummer in."),
        (
            {"stop_reason": "goal_reached", "note": "a\x07b"},
            "Deze tekst bevat tekens die niet zijn toegestaan.",
        ),
    ],
)
def test_stop_validation(seed, placed, login_as, data, message):
    response = login_as(seed.a.municipal).post(url(placed), {"kind": "stop", **data})
    assert response.status_code == 200
    assert any(message in error for error in form_errors_in(text(response))), form_errors_in(text(response))
    assert fresh(Placement, placed.id).status == "onboarding"
    assert decisions(placed) == []


def test_stop_with_another_reason_and_a_note(seed, placed, login_as):
    response = login_as(seed.a.municipal).post(
        url(placed), {"kind": "stop", "stop_reason": "other", "note": RTL_EMOJI}
    )
    assert response.status_code == 302
    assert fresh(Placement, placed.id).end_note == RTL_EMOJI


# Refusals -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["planned", "nazorg", "closed", "interrupted"])
def test_no_decision_unless_onboarding(seed, frozen, login_as, status):
    placement = factories.make_placement(
        seed.a, status=status, start_date=date(2026, 2, 23), planned_end_date=END
    )
    db.session.commit()
    before = row(Placement, placement.id)
    client = login_as(seed.a.municipal)
    page = client.get(url(placement))
    assert page.status_code == 200
    assert ending.DECISION_CLOSED[status] in text(page)
    assert 'name="kind"' not in text(page)
    for data in (
        contract(),
        {"kind": "extend", "new_end_date": "2026-07-01"},
        {"kind": "stop", "stop_reason": "other", "note": "x"},
    ):
        response = client.post(url(placement), data)
        assert response.status_code == 200
        assert ending.DECISION_CLOSED[status] in text(response)
        with pytest.raises(DomainError) as refused:
            ending.record_decision(seed.a.municipal, fresh(Placement, placement.id), data["kind"], {})
        assert refused.value.message == ending.DECISION_CLOSED[status]
    assert row(Placement, placement.id) == before
    assert decisions(placement) == []
    assert emails("placements/decision") == []


def test_only_municipal_staff_of_the_placement_decide(seed, placed):
    for actor in (seed.a.jobcoach, seed.a.employer_user, seed.a.admin, seed.b.municipal):
        with pytest.raises(DomainError, match="Alleen de gemeente"):
            ending.record_decision(actor, placed, "stop", {"stop_reason": "no_vacancy"})
    with pytest.raises(DomainError) as refused:
        ending.record_decision(seed.a.municipal, placed, "promote", {})
    assert refused.value.field == "kind"
    assert decisions(placed) == []


def test_decision_page_access(seed, placed, login_as):
    for user in (seed.a.jobcoach, seed.a.employer_user, seed.a.admin):
        client = login_as(user)
        assert client.get(url(placed)).status_code == 403
        assert client.post(url(placed), contract()).status_code == 403
    other = login_as(seed.b.municipal)
    assert other.get(url(placed)).status_code == 404
    assert other.post(url(placed), contract()).status_code == 404
    assert login_as(seed.a.municipal).get("/plaatsingen/99999999/besluit").status_code == 404
    assert fresh(Placement, placed.id).status == "onboarding"


@pytest.mark.parametrize("value", [LONG, SCRIPT, SQL, RTL_EMOJI, "-1", "1e3", "0x10"])
def test_hostile_input_gives_a_dutch_message(seed, placed, login_as, value):
    client = login_as(seed.a.municipal)
    for field in ("kind", "contract_type", "contract_hours", "contract_start"):
        response = client.post(url(placed), contract(**{field: value}))
        assert response.status_code == 200, (field, value)
        assert form_errors_in(text(response)), (field, value)
        assert "<script>alert" not in response.get_data(as_text=True)
    response = client.post(url(placed), {"kind": "extend", "new_end_date": value})
    assert response.status_code == 200
    assert fresh(Placement, placed.id).status == "onboarding"
    assert decisions(placed) == []


def test_a_list_value_and_missing_fields_do_not_break_the_form(seed, placed, login_as):
    client = login_as(seed.a.municipal)
    response = client.post(url(placed), {"kind": ["contract", "stop"], "contract_hours": ["1", "2"]})
    assert response.status_code == 200
    assert client.post(url(placed), {}).status_code == 200
    assert decisions(placed) == []


def test_the_decision_page_shows_the_employers_preference(seed, placed, login_as):
    ending.record_preference(seed.a.employer_user, placed, "extend", "Nog wat meer tijd nodig voor de taal.")
    db.session.commit()
    body = text(login_as(seed.a.municipal).get(url(placed)))
    assert "Voorkeur van de werkgever" in body
    assert "de plaatsing één keer verlengen" in body
    assert "Nog wat meer tijd nodig voor de taal." in body
    assert "uiterlijk 22 februari 2027" in body


# The employer's preference --------------------------------------------------------------------------------


def preference_url(placement) -> str:
    return f"/plaatsingen/{placement.id}/voorkeur"


def test_the_employer_gives_a_preference(seed, placed, login_as, time_machine):
    time_machine.move_to(at(OPENS), tick=False)
    client = login_as(seed.a.employer_user)
    response = client.post(
        preference_url(placed), {"preference": "contract", "preference_note": "Graag 24 uur."}
    )
    assert response.status_code == 302
    placement = fresh(Placement, placed.id)
    assert (placement.employer_preference, placement.employer_preference_note) == (
        "contract",
        "Graag 24 uur.",
    )
    assert placement.employer_preference_at is not None
    assert placement.status == "onboarding"
    [event] = audit("placement.preference_recorded")
    assert event.detail == {"preference": "contract"}
    [mail] = emails("placements/preference")
    assert mail.to_address == seed.a.municipal.email
    assert placed.candidate.pseudonym in mail.body_text
    assert placed.candidate.first_name not in mail.body_text
    assert f"/plaatsingen/{placed.id}/besluit" in mail.body_text
    assert "U gaf op 15 mei 2026 door: de kandidaat een contract geven." in text(
        client.get(f"/plaatsingen/{placed.id}")
    )
    municipal = text(login_as(seed.a.municipal).get(f"/plaatsingen/{placed.id}"))
    assert (
        "Voorkeur van de werkgever (doorgegeven op 15 mei 2026): de kandidaat een contract geven."
        in municipal
    )
    assert "Graag 24 uur." in municipal


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Kies wat u wilt: contract, verlengen of stoppen."),
        ({"preference": "promote"}, "Kies een van de mogelijkheden."),
        ({"preference": "stop", "preference_note": LONG}, "Gebruik hoogstens 2000 tekens."),
        (
            {"preference": "stop", "preference_note": "a\x07b"},
            "Deze tekst bevat tekens die niet zijn toegestaan.",
        ),
    ],
)
def test_preference_validation_re_renders_the_placement_page(seed, placed, login_as, data, message):
    response = login_as(seed.a.employer_user).post(
        preference_url(placed), {"preference_note": SCRIPT, **data}
    )
    assert response.status_code == 200
    body = text(response)
    assert any(message in error for error in form_errors_in(body)), form_errors_in(body)
    assert "Controleer het formulier" in body
    assert f"Plaatsing van {placed.candidate.pseudonym}" in body
    assert "<script>alert" not in response.get_data(as_text=True)
    assert fresh(Placement, placed.id).employer_preference is None
    assert emails("placements/preference") == []


@pytest.mark.parametrize("status", ["planned", "nazorg", "closed", "interrupted"])
def test_no_preference_unless_onboarding(seed, frozen, login_as, status):
    placement = factories.make_placement(seed.a, status=status)
    db.session.commit()
    response = login_as(seed.a.employer_user).post(preference_url(placement), {"preference": "contract"})
    assert response.status_code == 200
    assert ending.PREFERENCE_CLOSED in text(response)
    assert fresh(Placement, placement.id).employer_preference is None


def test_preference_access(seed, placed, login_as):
    for user in (seed.a.municipal, seed.a.jobcoach, seed.a.admin):
        assert login_as(user).post(preference_url(placed), {"preference": "stop"}).status_code == 403
    assert (
        login_as(seed.b.employer_user).post(preference_url(placed), {"preference": "stop"}).status_code == 404
    )
    other = factories.make_user("employer", employer=factories.make_employer(seed.a.municipality))
    db.session.commit()
    assert login_as(other).post(preference_url(placed), {"preference": "stop"}).status_code == 404
    assert fresh(Placement, placed.id).employer_preference is None
    with pytest.raises(DomainError):
        ending.record_preference(seed.a.municipal, placed, "stop", None)


# The placement page ---------------------------------------------------------------------------------------


def test_decisions_show_on_the_timeline(seed, placed, login_as):
    client = login_as(seed.a.municipal)
    client.post(url(placed), {"kind": "extend", "new_end_date": "2026-07-01", "note": "Extra taalweken"})
    body = text(client.get(f"/plaatsingen/{placed.id}"))
    assert "besluit verlengen" in body
    assert "De einddatum is verschoven van 1 juni 2026 naar 1 juli 2026." in body
    assert "Extra taalweken" in body
    assert "Extra taalweken" not in text(login_as(seed.a.employer_user).get(f"/plaatsingen/{placed.id}"))


def test_links_to_the_decision_and_uitval(seed, placed, login_as):
    placed.jobcoach_id = seed.a.jobcoach.id
    db.session.commit()
    page = f"/plaatsingen/{placed.id}"
    municipal = text(login_as(seed.a.municipal).get(page))
    assert f'href="/plaatsingen/{placed.id}/besluit"' in municipal
    assert f'href="/plaatsingen/{placed.id}/uitval"' in municipal
    jobcoach = text(login_as(seed.a.jobcoach).get(page))
    assert "/besluit" not in jobcoach
    assert f'href="/plaatsingen/{placed.id}/uitval"' in jobcoach
    employer = text(login_as(seed.a.employer_user).get(page))
    assert "/besluit" not in employer
    assert "/uitval" not in employer
    planned = text(login_as(seed.a.municipal).get(f"/plaatsingen/{seed.a.placement.id}"))
    assert "/besluit" not in planned
    assert f'href="/plaatsingen/{seed.a.placement.id}/uitval"' in planned


def test_the_detail_page_runs_a_bounded_number_of_queries(
    seed, placed, login_as, count_queries, time_machine
):
    time_machine.move_to(at(OPENS), tick=False)
    placed.jobcoach_id = seed.a.jobcoach.id
    factories.make_visit(placed, seed.a.jobcoach)  # so the look-up of names runs in both counts
    db.session.commit()
    page = f"/plaatsingen/{placed.id}"
    clients = {
        user.role: login_as(user) for user in (seed.a.municipal, seed.a.employer_user, seed.a.jobcoach)
    }
    few = {}
    for role, client in clients.items():
        client.get(page)
        with count_queries() as counter:
            client.get(page)
        few[role] = counter.count
    for _ in range(3):
        visit = factories.make_visit(placed, seed.a.jobcoach)
        factories.make_task(placed, visit=visit)
        factories.make_task(placed, kind="intake", owner="municipal", assignee_id=seed.a.municipal.id)
    ending.record_preference(seed.a.employer_user, placed, "contract", None)
    ending.record_decision(seed.a.municipal, placed, "extend", {"new_end_date": date(2026, 7, 1)})
    db.session.commit()
    for role, client in clients.items():
        with count_queries() as many:
            assert client.get(page).status_code == 200
        assert many.count == few[role], role
