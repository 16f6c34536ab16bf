"""The employer asks for a placement: the form, the rules of the type, drafts, submitting and the lists."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.candidates.models import Consent
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.requests.models import PlacementRequest
from tests.conftest import form_errors_in
from tests.factories import make_employer, make_request, make_user, make_workplace
from tests.requests.conftest import (
    T0,
    TODAY,
    audit,
    emails,
    kind_of,
    newest_request,
    request_data,
    requests_of,
    text,
)

pytestmark = pytest.mark.usefixtures("frozen")


def errors(response) -> list[str]:
    return form_errors_in(text(response))


# The form ------------------------------------------------------------------------------------------------


def test_new_form_shows_each_type_with_its_description_and_only_own_active_workplaces(login_as, seed):
    archived = make_workplace(seed.a.employer, name="Oud Magazijn", archived_at=T0)
    other = make_workplace(make_employer(seed.a.municipality), name="Werkplek Van De Buren")
    body = text(login_as(seed.a.employer_user).get("/aanvragen/nieuw"))
    assert "Taalstage" in body
    assert "naast de taalles" in body
    assert "Proefplaatsing" in body
    assert "Werkervaringsplaats" in body
    assert seed.a.workplace.name in body
    assert archived.name not in body
    assert other.name not in body
    # The only workplace is chosen and its buddy is prefilled as supervisor.
    assert f'value="{seed.a.workplace.buddy_name}"' in body
    for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"):
        assert day in body
    assert "Opslaan als concept" in body
    assert "Indienen bij de gemeente" in body


def test_inactive_types_cannot_be_chosen(login_as, seed):
    kind = kind_of(seed.a, "stage")
    kind.is_active = False
    db.session.flush()
    c = login_as(seed.a.employer_user)
    body = c.get("/aanvragen/nieuw").get_data(as_text=True)
    offered = re.findall(r'name="placement_type_id"[^>]*value="(\d+)"', body)
    assert len(offered) == 3
    assert str(kind.id) not in offered
    response = c.post("/aanvragen/nieuw", request_data(seed.a, "stage", duration_weeks="13"))
    assert response.status_code == 200
    assert requests_of(seed.a.employer) == [seed.a.request]


# Saving and submitting ------------------------------------------------------------------------------------


def test_save_as_draft(login_as, seed):
    response = login_as(seed.a.employer_user).post("/aanvragen/nieuw", request_data(seed.a, action="draft"))
    assert response.status_code == 302
    created = newest_request(seed.a.employer)
    assert response.headers["Location"] == f"/aanvragen/{created.id}"
    assert created.status == "draft"
    assert created.submitted_at is None
    assert (created.work_days, created.positions, created.duration_weeks) == ("ma,di", 2, 13)
    assert created.supervisor_name == seed.a.workplace.buddy_name
    assert created.created_by_id == seed.a.employer_user.id
    assert emails("requests/") == []
    assert audit("request.created")[-1].object_id == created.id


def test_submit_e_mails_the_fixed_contact_once(login_as, seed):
    c = login_as(seed.a.employer_user)
    response = c.post("/aanvragen/nieuw", request_data(seed.a))
    assert response.status_code == 302
    created = newest_request(seed.a.employer)
    assert created.status == "submitted"
    assert created.submitted_at.replace(tzinfo=None) == T0.replace(tzinfo=None)
    sent = emails("requests/submitted")
    assert [e.to_address for e in sent] == [seed.a.municipal.email]
    assert sent[0].dedupe_key == f"requests/submitted:{created.id}:{seed.a.municipal.id}"
    assert "Hulp in de keuken" in sent[0].body_text
    assert f"http://localhost/aanvragen/{created.id}" in sent[0].body_text
    assert sent[0].subject.startswith("Nieuwe aanvraag")
    assert audit("request.submitted")[-1].detail["status_to"] == "submitted"
    # Submitting again changes nothing and sends nothing.
    c.post(f"/aanvragen/{created.id}/indienen")
    assert len(emails("requests/submitted")) == 1


def test_without_a_fixed_contact_every_municipal_user_is_e_mailed(login_as, seed):
    seed.a.employer.contact_id = None
    colleague = make_user("municipal", seed.a.municipality)
    make_user("municipal", seed.a.municipality, is_active=False)
    db.session.flush()
    login_as(seed.a.employer_user).post("/aanvragen/nieuw", request_data(seed.a))
    sent = {e.to_address for e in emails("requests/submitted")}
    assert sent == {seed.a.municipal.email, colleague.email}


def test_supervisor_can_be_someone_else(login_as, seed):
    data = request_data(seed.a, supervisor_name="Karin de Vries")
    login_as(seed.a.employer_user).post("/aanvragen/nieuw", data)
    assert newest_request(seed.a.employer).supervisor_name == "Karin de Vries"


# The rules of the type (taalstage: 13-52 weeks, 2-3 days, at most 24 hours, learning goals) -------------


@pytest.mark.parametrize(
    ("overrides", "accepted"),
    [
        ({"duration_weeks": "12"}, False),
        ({"duration_weeks": "13"}, True),
        ({"duration_weeks": "52"}, True),
        ({"duration_weeks": "53"}, False),
        ({"days_per_week": "1", "work_days": ["ma"], "hours_per_week": "8"}, False),
        ({"days_per_week": "2"}, True),
        ({"days_per_week": "3", "hours_per_week": "24"}, True),
        ({"days_per_week": "4", "hours_per_week": "24"}, False),
        ({"days_per_week": "3", "hours_per_week": "25"}, False),
        ({"days_per_week": "2", "hours_per_week": "16"}, True),
        ({"days_per_week": "2", "hours_per_week": "17"}, False),
        ({"days_per_week": "2", "work_days": ["ma", "di", "wo"]}, False),
        ({"days_per_week": "3", "work_days": ["ma", "di", "wo"], "hours_per_week": "20"}, True),
        ({"work_days": []}, True),
        ({"learning_goals": ""}, False),
        ({"learning_goals": "   "}, False),
        ({"desired_start": "2026-03-09"}, False),
        ({"desired_start": TODAY}, True),
    ],
)
def test_type_boundaries(login_as, seed, overrides, accepted):
    response = login_as(seed.a.employer_user).post("/aanvragen/nieuw", request_data(seed.a, **overrides))
    created = len(requests_of(seed.a.employer)) == 2
    assert created is accepted, errors(response)
    assert (response.status_code == 302) is accepted


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"duration_weeks": "60"}, "duration_weeks", "Een taalstage duurt 13 weken tot en met 52 weken."),
        ({"days_per_week": "4", "hours_per_week": "20"}, "days_per_week", "2 tot en met 3 dagen per week"),
        ({"days_per_week": "3", "hours_per_week": "30"}, "hours_per_week", "hoogstens 24 uur per week"),
        (
            {"days_per_week": "2", "hours_per_week": "20"},
            "hours_per_week",
            "2 dagen per week is hoogstens 16 uur",
        ),
        ({"work_days": ["ma", "di", "wo"]}, "work_days", "U koos meer dagen dan de 2 dagen per week"),
        ({"learning_goals": ""}, "learning_goals", "Bij een taalstage zijn leerdoelen verplicht."),
        ({"desired_start": "2026-01-01"}, "desired_start", "Kies een startdatum vandaag of later."),
        ({"desired_start": "2099-01-01"}, "desired_start", "Kies een startdatum binnen twee jaar."),
    ],
)
def test_rule_messages_stand_next_to_the_right_field(login_as, seed, overrides, field, message):
    response = login_as(seed.a.employer_user).post("/aanvragen/nieuw", request_data(seed.a, **overrides))
    assert response.status_code == 200
    body = text(response)
    assert f'id="{field}-fout"' in body
    assert message in body
    # What the user typed is kept.
    assert "Hulp in de keuken" in body


def test_a_paid_type_without_required_learning_goals_accepts_none(login_as, seed):
    kind = kind_of(seed.a, "proefplaatsing")
    kind.is_paid, kind.learning_goals_required = True, False
    db.session.flush()
    data = request_data(seed.a, "proefplaatsing", learning_goals="", duration_weeks="8")
    assert login_as(seed.a.employer_user).post("/aanvragen/nieuw", data).status_code == 302
    assert newest_request(seed.a.employer).learning_goals is None


def test_draft_is_also_checked_against_the_type(login_as, seed):
    data = request_data(seed.a, action="draft", duration_weeks="80")
    assert login_as(seed.a.employer_user).post("/aanvragen/nieuw", data).status_code == 200
    assert len(requests_of(seed.a.employer)) == 1


# Lists and detail -----------------------------------------------------------------------------------------


def test_employer_list_shows_own_requests_with_status_words_and_the_contact(login_as, seed):
    seed.a.municipal.phone = "06 11112222"
    draft = make_request(
        seed.a.workplace, status="draft", role_title="Schoonmaker", created_by=seed.a.employer_user
    )
    other = make_request(make_workplace(make_employer(seed.a.municipality)), role_title="Geheime Functie")
    db.session.flush()
    body = text(login_as(seed.a.employer_user).get("/aanvragen"))
    assert "Uw vaste contactpersoon bij de gemeente" in body
    assert seed.a.municipal.full_name in body
    assert seed.a.municipal.email in body
    assert 'href="tel:0611112222"' in body
    assert f"/aanvragen/{draft.id}" in body
    assert "Concept" in body
    assert f"/aanvragen/{seed.a.request.id}" in body
    assert "Ingediend" in body
    assert "Taalstage" in body
    assert seed.a.workplace.name in body
    assert other.role_title not in body
    assert f"/aanvragen/{other.id}" not in body


def test_employer_list_opens_on_open_requests_and_concepts_newest_first(login_as, seed):
    older = make_request(seed.a.workplace, status="in_progress", role_title="Inpakker")
    older.created_at = seed.a.request.created_at.replace(year=2020)
    filled = make_request(seed.a.workplace, status="filled", role_title="Vervulde functie")
    draft = make_request(seed.a.workplace, status="draft", role_title="Nog een concept")
    db.session.flush()
    client = login_as(seed.a.employer_user)
    body = text(client.get("/aanvragen"))
    assert "Vervulde functie" not in body
    shown = re.findall(r'href="/aanvragen/(\d+)"', body)
    assert shown == [str(draft.id), str(seed.a.request.id), str(older.id)]
    assert 'href="/aanvragen?toon=alle"' in body
    everything = text(client.get("/aanvragen?toon=alle"))
    assert "Vervulde functie" in everything
    assert f"/aanvragen/{filled.id}" in everything
    assert "Alleen open aanvragen tonen" in everything


def test_employer_detail_shows_everything_proposals_and_the_contact(login_as, seed):
    body = text(login_as(seed.a.employer_user).get(f"/aanvragen/{seed.a.request.id}"))
    req = seed.a.request
    assert req.role_title in body
    assert req.tasks in body
    assert req.learning_goals in body
    assert "Uw vaste contactpersoon bij de gemeente" in body
    assert seed.a.municipal.email in body
    assert seed.a.candidate.pseudonym in body
    assert "Voorgesteld" in body
    assert seed.a.candidate.first_name not in body
    assert seed.a.candidate.last_name not in body
    assert "Aanvraag intrekken" in body
    assert "Kandidaten zoeken" not in body


def test_a_withdrawn_sharing_consent_hides_even_the_pseudonym_from_the_employer(login_as, seed):
    for consent in db.session.scalars(sa.select(Consent).where(Consent.candidate_id == seed.a.candidate.id)):
        consent.withdrawn_at = T0
    db.session.flush()
    body = text(login_as(seed.a.employer_user).get(f"/aanvragen/{seed.a.request.id}"))
    assert seed.a.candidate.pseudonym not in body
    assert "Profiel niet meer gedeeld" in body


def test_another_employers_request_is_404_and_unchanged(login_as, seed):
    other = make_request(make_workplace(make_employer(seed.a.municipality)), status="draft")
    c = login_as(seed.a.employer_user)
    before = (other.status, other.role_title)
    assert c.get(f"/aanvragen/{other.id}").status_code == 404
    assert c.get(f"/aanvragen/{other.id}/bewerken").status_code == 404
    assert (
        c.post(f"/aanvragen/{other.id}/bewerken", request_data(seed.a, role_title="Gekaapt")).status_code
        == 404
    )
    assert c.post(f"/aanvragen/{other.id}/indienen").status_code == 404
    assert c.post(f"/aanvragen/{other.id}/intrekken", {"reason": "weg"}).status_code == 404
    db.session.expire_all()
    other = db.session.get(PlacementRequest, other.id)
    assert (other.status, other.role_title) == before
    assert db.session.query(OutboxEmail).count() == 0
