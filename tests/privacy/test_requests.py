"""Requests about personal data (access, rectification, erasure): recorded with their handling."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent
from portal.privacy.models import PrivacyRequest
from tests.conftest import form_errors_in

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(seed, time_machine):
    time_machine.move_to(T0, tick=False)
    return seed


def _requests(candidate_id: int) -> list[PrivacyRequest]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(PrivacyRequest).where(PrivacyRequest.candidate_id == candidate_id)
    ).all()


def test_the_candidate_page_offers_the_form_and_the_overview(world, login_as):
    body = login_as(world.a.municipal).get(f"/kandidaten/{world.a.candidate.id}").data.decode()
    assert f'action="/kandidaten/{world.a.candidate.id}/verzoeken/nieuw"' in body
    assert f'href="/kandidaten/{world.a.candidate.id}/inzage"' in body
    assert 'name="verzoek-kind"' in body


def test_a_handled_erasure_request_is_recorded_and_listed(world, login_as):
    client = login_as(world.a.municipal)
    response = client.post(
        f"/kandidaten/{world.a.candidate.id}/verzoeken/nieuw",
        data={
            "verzoek-kind": "erasure",
            "verzoek-received_on": "2026-03-02",
            "verzoek-handled_on": "2026-03-09",
            "verzoek-outcome": "Het telefoonnummer is verwijderd.",
        },
    )
    assert response.status_code == 302
    (request,) = _requests(world.a.candidate.id)
    assert (request.kind, request.received_on, request.handled_on) == (
        "erasure",
        date(2026, 3, 2),
        date(2026, 3, 9),
    )
    assert request.recorded_by_id == request.handled_by_id == world.a.municipal.id
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "PrivacyRequest", AuditEvent.object_id == request.id
        )
    ).all()
    assert sorted(actions) == ["privacy_request.handled", "privacy_request.recorded"]
    page = client.get(response.headers["Location"]).data.decode()
    assert "Verwijdering (artikel 17)" in page
    assert "Het telefoonnummer is verwijderd." in page


def test_a_handled_request_needs_an_outcome_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.a.municipal)
    response = client.post(
        f"/kandidaten/{world.a.candidate.id}/verzoeken/nieuw",
        data={
            "verzoek-kind": "rectification",
            "verzoek-received_on": "2026-03-05",
            "verzoek-handled_on": "2026-03-04",
        },
    )
    assert response.status_code == 200
    body = response.data.decode()
    assert "De afhandeling kan niet vóór de ontvangst liggen." in form_errors_in(body)
    assert "Schrijf op wat er met het verzoek is gedaan." in form_errors_in(body)
    assert 'value="2026-03-05"' in body
    assert "Controleer het formulier" in body
    assert _requests(world.a.candidate.id) == []


def test_an_open_request_is_marked_handled_on_the_overview(world, login_as):
    client = login_as(world.a.admin)
    client.post(
        f"/kandidaten/{world.a.candidate.id}/verzoeken/nieuw",
        data={"verzoek-kind": "rectification", "verzoek-received_on": "2026-03-02"},
    )
    (request,) = _requests(world.a.candidate.id)
    assert request.handled_on is None
    url = f"/kandidaten/{world.a.candidate.id}/verzoeken/{request.id}/afgehandeld"
    prefix = f"afhandeling-{request.id}"
    refused = client.post(url, data={f"{prefix}-handled_on": "2026-03-09", f"{prefix}-outcome": ""})
    assert refused.status_code == 200
    assert "Schrijf op wat er met het verzoek is gedaan." in form_errors_in(refused.data.decode())
    done = client.post(
        url, data={f"{prefix}-handled_on": "2026-03-09", f"{prefix}-outcome": "Adres verbeterd."}
    )
    assert done.status_code == 302
    (request,) = _requests(world.a.candidate.id)
    assert (request.handled_on, request.outcome, request.handled_by_id) == (
        date(2026, 3, 9),
        "Adres verbeterd.",
        world.a.admin.id,
    )
    # Handled once: no second form, and a second post changes nothing.
    page = client.get(f"/kandidaten/{world.a.candidate.id}/inzage").data.decode()
    assert url not in page
    client.post(url, data={f"{prefix}-handled_on": "2026-03-10", f"{prefix}-outcome": "Anders."})
    (request,) = _requests(world.a.candidate.id)
    assert request.outcome == "Adres verbeterd."


def test_another_municipalitys_request_is_not_found(world, login_as):
    client = login_as(world.a.municipal)
    client.post(
        f"/kandidaten/{world.a.candidate.id}/verzoeken/nieuw",
        data={"verzoek-kind": "access", "verzoek-received_on": "2026-03-02"},
    )
    (request,) = _requests(world.a.candidate.id)
    other = login_as(world.b.municipal)
    prefix = f"afhandeling-{request.id}"
    response = other.post(
        f"/kandidaten/{world.a.candidate.id}/verzoeken/{request.id}/afgehandeld",
        data={f"{prefix}-handled_on": "2026-03-09", f"{prefix}-outcome": "x"},
    )
    assert response.status_code == 404
    # Nor through one's own candidate's URL.
    response = other.post(
        f"/kandidaten/{world.b.candidate.id}/verzoeken/{request.id}/afgehandeld",
        data={f"{prefix}-handled_on": "2026-03-09", f"{prefix}-outcome": "x"},
    )
    assert response.status_code == 404
    (request,) = _requests(world.a.candidate.id)
    assert request.handled_on is None


def _record_open_request(client, candidate_id: int, kind: str = "erasure", received_on: str = "2026-03-02"):
    response = client.post(
        f"/kandidaten/{candidate_id}/verzoeken/nieuw",
        data={"verzoek-kind": kind, "verzoek-received_on": received_on},
    )
    assert response.status_code == 302
    (request,) = _requests(candidate_id)
    return request


def test_an_open_request_waits_on_the_specialists_and_the_admins_home_page(world, login_as):
    world.a.candidate.specialist_id = world.a.municipal.id
    db.session.commit()
    client = login_as(world.a.municipal)
    request = _record_open_request(client, world.a.candidate.id)
    link = f'href="/kandidaten/{world.a.candidate.id}/inzage#verzoeken"'

    home = client.get("/").data.decode()
    assert "Verzoeken over persoonsgegevens die wachten" in home
    assert link in home
    assert "Verwijdering (artikel 17), ontvangen op" in home
    assert "Antwoorden uiterlijk" in home
    admin_home = login_as(world.a.admin).get("/").data.decode()
    assert link in admin_home
    # The employer and the jobcoach of the same municipality never see it.
    for role in ("employer", "jobcoach"):
        assert "Verzoeken over persoonsgegevens" not in login_as(world.a.user(role)).get("/").data.decode()
    # Another municipality sees nothing of it.
    for role in ("municipal", "admin"):
        other_home = login_as(world.b.user(role)).get("/").data.decode()
        assert "Verzoeken over persoonsgegevens die wachten" not in other_home

    # A month after receipt the answer is late; once handled the request leaves the home pages.
    request.received_on = date(2026, 2, 1)
    db.session.commit()
    assert "Te laat:" in login_as(world.a.municipal).get("/").data.decode()
    request.handled_on, request.outcome = date(2026, 3, 10), "Verwijderd."
    db.session.commit()
    assert link not in login_as(world.a.municipal).get("/").data.decode()
    assert link not in login_as(world.a.admin).get("/").data.decode()


def test_an_open_request_about_someone_elses_candidate_stays_off_the_contacts_home(world, login_as):
    client = login_as(world.a.municipal)
    _record_open_request(client, world.a.candidate.id, kind="access")
    assert world.a.candidate.specialist_id != world.a.municipal.id
    assert "Verzoeken over persoonsgegevens die wachten" not in client.get("/").data.decode()
    assert "Inzage (artikel 15)" in login_as(world.a.admin).get("/").data.decode()


def test_the_home_page_shows_ten_open_requests_in_one_query_and_says_there_are_more(
    world, login_as, count_queries
):
    world.a.candidate.specialist_id = world.a.municipal.id
    db.session.commit()
    client = login_as(world.a.municipal)
    _record_open_request(client, world.a.candidate.id)
    client.get("/")
    with count_queries() as one:
        client.get("/")
    for day in range(1, 12):
        db.session.add(
            PrivacyRequest(
                municipality_id=world.a.municipality.id,
                candidate_id=world.a.candidate.id,
                kind="access",
                received_on=date(2026, 3, day),
                recorded_by_id=world.a.municipal.id,
            )
        )
    db.session.commit()
    with count_queries() as twelve:
        page = client.get("/").data.decode()
    assert twelve.count == one.count
    section = page.split('id="privacyverzoeken-titel"')[1].split("</section>")[0]
    assert section.count('class="werkbrug-todo__item"') == 10
    # Newest received first: the oldest (1 March) is the one left out.
    assert section.index("ontvangen op 11 maart 2026") < section.index("ontvangen op 10 maart 2026")
    assert "ontvangen op 1 maart 2026" not in section
    assert "Er wachten meer verzoeken." in section
