"""Uitval: registering a drop-out, its effects (tasks, request position, candidate, intake) and who may."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.candidates.models import CandidateVersion
from portal.core.errors import DomainError
from portal.core.holidays import is_working_day
from portal.ending import services as ending
from portal.extensions import db
from portal.matching import queries as matching_queries
from portal.placements.models import Placement, PlacementStatusChange
from portal.requests import services as request_services
from portal.requests.models import PlacementRequest, Proposal
from portal.tasks.models import Task
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, audit, emails, fresh, row
from tests.placements.conftest import text
from tests.test_accessibility import page_problems, summary_problems

TODAY = date(2026, 3, 10)  # the frozen clock: Tuesday


def url(placement) -> str:
    return f"/plaatsingen/{placement.id}/uitval"


def dropout(**changes) -> dict:
    data = {"reason": "language", "text": "Begreep de werkinstructies niet.", "last_day": "2026-03-09"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def tasks_of(placement) -> list[Task]:
    return list(
        db.session.scalars(sa.select(Task).where(Task.placement_id == placement.id).order_by(Task.id))
    )


@pytest.fixture
def filled(seed, frozen):
    """A filled one-position request of tenant A with a placement in onboarding, candidate placed, jobcoach
    assigned, and two open tasks and one done."""
    request = factories.make_request(seed.a.workplace, created_by=seed.a.employer_user, status="filled")
    request.closed_at = datetime(2026, 2, 20, tzinfo=UTC)
    placement = factories.make_placement(
        seed.a,
        request=request,
        status="onboarding",
        start_date=date(2026, 2, 23),
        actual_start_date=date(2026, 2, 23),
        planned_end_date=date(2026, 6, 1),
        jobcoach_id=seed.a.jobcoach.id,
    )
    placement.candidate.status = "placed"
    factories.make_task(placement)
    factories.make_task(placement, owner="jobcoach", title="Werkrooster bespreken")
    factories.make_task(placement, status="done")
    db.session.commit()
    return placement


def test_municipal_registers_uitval(seed, filled, login_as):
    response = login_as(seed.a.municipal).post(url(filled), dropout())
    assert response.status_code == 302
    placement = fresh(Placement, filled.id)
    assert placement.status == "interrupted"
    assert (placement.end_reason, placement.end_note, placement.ended_on) == (
        "language",
        "Begreep de werkinstructies niet.",
        date(2026, 3, 9),
    )
    change = db.session.scalars(
        sa.select(PlacementStatusChange).where(PlacementStatusChange.placement_id == filled.id)
    ).one()
    assert (change.from_status, change.to_status) == ("onboarding", "interrupted")
    assert change.reason == "Uitval: De taal was een te grote drempel."
    # Open tasks lapse, the done one stays; a new intake task for the contact.
    *old, intake = tasks_of(placement)
    assert [(t.status, t.cancelled_reason) for t in old] == [
        ("cancelled", "De plaatsing is uitgevallen"),
        ("cancelled", "De plaatsing is uitgevallen"),
        ("done", None),
    ]
    assert (intake.kind, intake.owner, intake.assignee_id, intake.status) == (
        "intake",
        "municipal",
        placement.contact_id,
        "open",
    )
    assert (
        intake.title == f"Intakegesprek met {placement.candidate.pseudonym} na uitval: bespreek wat nu past"
    )
    assert intake.due_date == date(2026, 3, 17)  # five working days after Tuesday 10 March
    # The candidate is not available until the intake.
    assert placement.candidate.status == "inactive"
    version = db.session.scalars(
        sa.select(CandidateVersion).where(CandidateVersion.candidate_id == placement.candidate_id)
    ).one()
    assert version.changes == {"status": ["placed", "inactive"]}
    # The position is free again.
    request = fresh(PlacementRequest, filled.request_id)
    assert request.status == "in_progress"
    assert request.closed_at is None
    assert request_services.accepted_count(request) == 0
    [reopened] = audit("request.reopened")
    assert reopened.detail == {"status_from": "filled", "status_to": "in_progress"}
    [event] = audit("placement.dropout_registered")
    assert event.detail["reason"] == "language"
    assert event.detail["tasks_cancelled"] == 2
    # The actor is the contact: no e-mail to themself.
    assert emails("placements/dropout") == []


def test_uitval_by_the_assigned_jobcoach_mails_the_contact(seed, filled, login_as):
    response = login_as(seed.a.jobcoach).post(url(filled), dropout(reason="health", text="Ziek thuis."))
    assert response.status_code == 302
    assert fresh(Placement, filled.id).status == "interrupted"
    [mail] = emails("placements/dropout")
    assert mail.to_address == seed.a.municipal.email
    assert filled.candidate.pseudonym in mail.subject
    assert filled.candidate.first_name not in mail.body_text
    assert "Ziek thuis." not in mail.body_text
    assert "Intakegesprek met" in mail.body_text
    assert "17 maart 2026" in mail.body_text


def test_uitval_by_another_municipal_user_mails_the_contact(seed, filled, login_as):
    colleague = factories.make_user("municipal", seed.a.municipality)
    db.session.commit()
    assert login_as(colleague).post(url(filled), dropout()).status_code == 302
    assert [m.to_address for m in emails("placements/dropout")] == [seed.a.municipal.email]


def test_the_intake_is_due_on_a_working_day(seed, filled, login_as, time_machine):
    time_machine.move_to(datetime(2026, 4, 22, 8, 0, tzinfo=UTC), tick=False)  # Wednesday before Koningsdag
    ending.register_dropout(seed.a.municipal, filled, "absence", "Vaak afwezig.", date(2026, 4, 21))
    intake = tasks_of(filled)[-1]
    assert intake.due_date == date(2026, 4, 30)  # Monday 27 April is Koningsdag
    assert is_working_day(intake.due_date)


def test_a_new_candidate_can_be_accepted_for_the_freed_position(seed, filled, login_as):
    newcomer = factories.make_candidate(seed.a.municipality)
    factories.make_consent(
        newcomer, employer=seed.a.employer, recorded_by=seed.a.municipal
    )  # proposed, so the profile is shared
    proposal = factories.make_proposal(
        fresh(PlacementRequest, filled.request_id), newcomer, status="meeting", proposed_by=seed.a.municipal
    )
    db.session.commit()
    employer = login_as(seed.a.employer_user)
    accept = {"start_date": "2026-04-01", "end_date": "2026-07-01"}
    refused = employer.post(f"/voorstellen/{proposal.id}/aannemen", accept)
    assert refused.status_code == 200
    assert fresh(Proposal, proposal.id).status == "meeting"

    assert "Voor deze aanvraag kunt u geen kandidaten (meer) voorstellen." in text(refused)
    assert db.session.scalar(matching_queries.accepted_count(filled.request_id)) == 1

    assert login_as(seed.a.municipal).post(url(filled), dropout()).status_code == 302
    assert db.session.scalar(matching_queries.accepted_count(filled.request_id)) == 0
    assert employer.post(f"/voorstellen/{proposal.id}/aannemen", accept).status_code == 302
    assert fresh(Proposal, proposal.id).status == "accepted"
    placements = db.session.scalars(
        sa.select(Placement).where(Placement.request_id == filled.request_id).order_by(Placement.id)
    ).all()
    assert [(p.candidate_id, p.status) for p in placements] == [
        (filled.candidate_id, "interrupted"),
        (newcomer.id, "planned"),
    ]
    assert fresh(PlacementRequest, filled.request_id).status == "filled"


def test_an_interrupted_placement_no_longer_takes_a_position(seed, frozen, login_as):
    request = factories.make_request(
        seed.a.workplace, created_by=seed.a.employer_user, status="filled", positions=2
    )
    first = factories.make_placement(
        seed.a, request=request, status="onboarding", start_date=date(2026, 3, 2)
    )
    factories.make_placement(seed.a, request=request, status="onboarding", start_date=date(2026, 3, 2))
    db.session.commit()
    assert request_services.accepted_count(request) == 2
    ending.register_dropout(seed.a.municipal, first, "motivation", "Kwam niet meer.", TODAY)
    assert request_services.accepted_count(request) == 1
    assert db.session.scalar(matching_queries.accepted_count(request.id)) == 1
    assert request.status == "in_progress"


def test_uitval_in_planned_frees_the_position_too(seed, frozen, login_as):
    request = factories.make_request(seed.a.workplace, created_by=seed.a.employer_user, status="filled")
    placement = factories.make_placement(
        seed.a, request=request, status="planned", start_date=date(2026, 3, 23)
    )
    db.session.commit()
    response = login_as(seed.a.municipal).post(url(placement), dropout(last_day="2026-03-10"))
    assert response.status_code == 302
    assert fresh(PlacementRequest, request.id).status == "in_progress"
    assert fresh(Placement, placement.id).status == "interrupted"


def test_uitval_in_nazorg_keeps_the_position_taken(seed, frozen, login_as):
    request = factories.make_request(seed.a.workplace, created_by=seed.a.employer_user, status="filled")
    placement = factories.make_placement(
        seed.a,
        request=request,
        status="nazorg",
        start_date=date(2025, 11, 3),
        planned_end_date=date(2026, 2, 2),
        actual_start_date=date(2025, 11, 3),
        contract_type="fixed_term",
        contract_hours=24,
        contract_start_date=date(2026, 2, 3),
    )
    db.session.commit()
    assert (
        login_as(seed.a.municipal).post(url(placement), dropout(reason="employer_ended")).status_code == 302
    )
    assert fresh(Placement, placement.id).status == "interrupted"
    request = fresh(PlacementRequest, request.id)
    assert request.status == "filled"
    assert request_services.accepted_count(request) == 1
    assert audit("request.reopened") == []


def test_reopen_only_moves_a_filled_request(seed, frozen):
    for status in ("in_progress", "proposed", "withdrawn", "expired"):
        request = factories.make_request(seed.a.workplace, created_by=seed.a.employer_user, status=status)
        request_services.reopen_position(request)
        assert request.status == status
        with pytest.raises(DomainError):
            request_services._transition(None, request, "reopen")


@pytest.mark.parametrize("status", ["closed", "interrupted"])
def test_no_uitval_for_an_ended_placement(seed, frozen, login_as, status):
    placement = factories.make_placement(seed.a, status=status, start_date=date(2026, 2, 2))
    task = factories.make_task(placement)
    db.session.commit()
    before = row(Placement, placement.id)
    client = login_as(seed.a.municipal)
    page = client.get(url(placement))
    assert page.status_code == 200
    assert ending.DROPOUT_CLOSED in text(page)
    assert 'name="reason"' not in text(page)
    response = client.post(url(placement), dropout())
    assert response.status_code == 200
    assert ending.DROPOUT_CLOSED in text(response)
    assert row(Placement, placement.id) == before
    assert fresh(Task, task.id).status == "open"
    with pytest.raises(DomainError, match="al beëindigd"):
        ending.register_dropout(seed.a.municipal, placement, "other", "x", TODAY)
    assert "/uitval" not in text(client.get(f"/plaatsingen/{placement.id}"))


def test_who_may_register_uitval(seed, filled, login_as):
    other_coach = factories.make_user("jobcoach", seed.a.municipality)
    db.session.commit()
    before = row(Placement, filled.id)
    for user, status in (
        (other_coach, 404),
        (seed.b.jobcoach, 404),
        (seed.b.municipal, 404),
        (seed.a.employer_user, 403),
        (seed.a.admin, 403),
    ):
        client = login_as(user)
        assert client.get(url(filled)).status_code == status, user.role
        assert client.post(url(filled), dropout()).status_code == status, user.role
    assert row(Placement, filled.id) == before
    for actor in (other_coach, seed.a.employer_user, seed.b.municipal, seed.a.admin):
        with pytest.raises(DomainError, match="Alleen de gemeente of de jobcoach"):
            ending.register_dropout(actor, filled, "other", "x", TODAY)
    assert fresh(Placement, filled.id).status == "onboarding"
    assert "/uitval" not in text(login_as(seed.a.employer_user).get(f"/plaatsingen/{filled.id}"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": None}, "Kies de reden van de uitval."),
        ({"reason": "lazy"}, "Kies een van de mogelijkheden."),
        ({"text": ""}, "Schrijf kort op wat er is gebeurd."),
        ({"text": "   "}, "Schrijf kort op wat er is gebeurd."),
        ({"text": LONG}, "Gebruik hoogstens 2000 tekens."),
        ({"text": "a\x07b"}, "Deze tekst bevat tekens die niet zijn toegestaan."),
        ({"text": "BSN 111222333"}, "Vul hier geen burgerservicenummer in."),
        ({"last_day": ""}, "Vul de laatste dag in."),
        ({"last_day": "10-03-2026"}, "Vul een datum in"),
        ({"last_day": "2026-03-11"}, "De laatste dag kan niet in de toekomst liggen."),
        ({"last_day": "2026-01-23"}, "De laatste dag kan niet voor 24 januari 2026 liggen."),
    ],
)
def test_uitval_validation(seed, filled, login_as, changes, message):
    response = login_as(seed.a.municipal).post(url(filled), dropout(**changes))
    assert response.status_code == 200
    body = text(response)
    assert any(message in error for error in form_errors_in(body)), form_errors_in(body)
    assert "Controleer het formulier" in body
    assert fresh(Placement, filled.id).status == "onboarding"
    assert [t.status for t in tasks_of(filled)] == ["open", "open", "done"]


def test_uitval_accepts_the_earliest_day_and_unicode(seed, filled, login_as):
    response = login_as(seed.a.municipal).post(url(filled), dropout(last_day="2026-01-24", text=RTL_EMOJI))
    assert response.status_code == 302
    placement = fresh(Placement, filled.id)
    assert (placement.ended_on, placement.end_note) == (date(2026, 1, 24), RTL_EMOJI)


@pytest.mark.parametrize("value", [SCRIPT, SQL, LONG, "-1", str(10**30)])
def test_hostile_input(seed, filled, login_as, value):
    client = login_as(seed.a.municipal)
    for field in ("reason", "last_day"):
        response = client.post(url(filled), dropout(**{field: value}))
        assert response.status_code == 200, field
        assert form_errors_in(text(response)), field
        assert "<script>alert" not in response.get_data(as_text=True)
    assert client.post(url(filled), {"reason": ["absence", "other"], "text": ["a", "b"]}).status_code == 200
    assert fresh(Placement, filled.id).status == "onboarding"


def test_the_uitval_text_and_intake_stay_with_staff(seed, filled, login_as):
    factories.make_visit(
        filled, seed.a.jobcoach, observations="Geheime observatie", risk="high", risk_reason="Risicotekst"
    )
    db.session.commit()
    login_as(seed.a.jobcoach).post(url(filled), dropout(reason="health", text="Medische klachten"))
    page = f"/plaatsingen/{filled.id}"
    staff = text(login_as(seed.a.municipal).get(page))
    assert "Medische klachten" in staff
    assert "Gezondheid of persoonlijke omstandigheden" in staff
    assert "Intakegesprek met" in staff
    assert "Risico: hoog" in staff
    employer = text(login_as(seed.a.employer_user).get(page))
    assert "Uitgevallen" in employer
    for secret in (
        "Medische klachten",
        "Gezondheid",
        "Intakegesprek",
        "Geheime observatie",
        "Risicotekst",
        "Risico",
    ):
        assert secret not in employer, secret


def test_the_page_explains_what_happens(seed, filled, login_as):
    body = text(login_as(seed.a.municipal).get(url(filled)))
    assert "Alle open afspraken van deze plaatsing vervallen." in body
    assert "De plek bij de werkgever komt weer vrij" in body
    assert f"{seed.a.municipal.full_name} krijgt een taak voor een intakegesprek" in body
    assert 'value="2026-03-10"' in body


# Structure ------------------------------------------------------------------------------------------------


def test_the_end_pages_pass_the_structural_checks(seed, filled, login_as, time_machine):
    time_machine.move_to(datetime(2026, 5, 20, 8, 0, tzinfo=UTC), tick=False)
    municipal, employer, jobcoach = (
        login_as(seed.a.municipal),
        login_as(seed.a.employer_user),
        login_as(seed.a.jobcoach),
    )
    for client, page in (
        (municipal, f"/plaatsingen/{filled.id}"),
        (employer, f"/plaatsingen/{filled.id}"),
        (jobcoach, f"/plaatsingen/{filled.id}"),
        (municipal, f"/plaatsingen/{filled.id}/besluit"),
        (municipal, url(filled)),
        (jobcoach, url(filled)),
    ):
        response = client.get(page)
        assert response.status_code == 200, page
        assert page_problems(response.data) == [], page
    for client, page in (
        (municipal, f"/plaatsingen/{filled.id}/besluit"),
        (municipal, url(filled)),
        (employer, f"/plaatsingen/{filled.id}/voorkeur"),
    ):
        response = client.post(page, {})
        assert response.status_code == 200, page
        assert summary_problems(response.data) == [], page
        assert page_problems(response.data) == [], page
    assert municipal.post(url(filled), dropout(last_day="2026-05-20")).status_code == 302
    for client in (municipal, employer, jobcoach):
        response = client.get(f"/plaatsingen/{filled.id}")
        assert page_problems(response.data) == []
    for page in (f"/plaatsingen/{filled.id}/besluit", url(filled)):
        assert page_problems(municipal.get(page).data) == [], page


def test_uitval_because_the_candidate_found_other_work(seed, filled, login_as):
    client = login_as(seed.a.jobcoach)
    form = text(client.get(url(filled)))
    assert "Ander werk gevonden" in form
    response = client.post(url(filled), dropout(reason="other_work", text="Heeft een baan in de bouw."))
    assert response.status_code == 302
    placement = fresh(Placement, filled.id)
    assert (placement.status, placement.end_reason) == ("interrupted", "other_work")
    page = text(login_as(seed.a.municipal).get(f"/plaatsingen/{filled.id}"))
    assert "Uitval: Ander werk gevonden." in page
    assert "Reden van uitval" in page
    [mail] = emails("placements/dropout")
    assert mail.to_address == seed.a.municipal.email
    assert "Ander werk gevonden" in mail.body_text
