"""Tenant isolation on every object route: another tenant's or employer's object is 404, unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.employers.models import Employer, Invitation, Workplace
from portal.extensions import db
from tests.employers.conftest import T0, fresh, row, workplace_data
from tests.factories import make_employer, make_user, make_workplace

HUGE = "99999999999999999999999999"


@pytest.fixture
def neighbour(seed):
    """Another approved employer in municipality A, with a workplace, an archived one and an invitation."""
    employer = make_employer(seed.a.municipality, contact_id=seed.a.municipal.id)
    user = make_user("employer", employer=employer)
    workplace = make_workplace(employer)
    archived = make_workplace(employer, archived_at=T0)
    invitation = Invitation(
        employer_id=employer.id,
        email="buur@voorbeeld.nl",
        invited_by_id=user.id,
        token_hash="b" * 64,
        expires_at=T0 + timedelta(days=3650),
    )
    db.session.add(invitation)
    db.session.flush()
    return {
        "employer": employer,
        "user": user,
        "workplace": workplace,
        "archived": archived,
        "invitation": invitation,
    }


def snapshot(*objects) -> list:
    return [row(type(obj), obj.id) for obj in objects]


@pytest.mark.parametrize("role", ["municipal", "admin"])
def test_staff_get_404_for_another_municipalitys_objects(login_as, seed, role):
    c = login_as(seed.a.user(role))
    b = seed.b
    before = snapshot(b.employer, b.pending_employer, b.workplace)
    for url in (
        f"/werkgevers/{b.employer.id}",
        f"/werkgevers/{b.pending_employer.id}",
        f"/werkplekken/{b.workplace.id}",
    ):
        assert c.get(url).status_code == 404, url
    posts = [
        (
            f"/werkgevers/{b.pending_employer.id}/besluit",
            {"decision": "approve", "contact_id": str(b.municipal.id)},
        ),
        (f"/werkgevers/{b.pending_employer.id}/besluit", {"decision": "reject", "reason": "Nee."}),
        (f"/werkgevers/{b.employer.id}/besluit", {"decision": "suspend", "reason": "Nee."}),
        (f"/werkgevers/{b.employer.id}/contactpersoon", {"contact_id": str(seed.a.municipal.id)}),
        (f"/werkgevers/{b.employer.id}/contactpersoon", {"contact_id": str(b.municipal.id)}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    assert snapshot(b.employer, b.pending_employer, b.workplace) == before


@pytest.mark.parametrize("role", ["municipal", "admin"])
def test_other_municipalitys_employers_are_not_listed(login_as, seed, role):
    c = login_as(seed.a.user(role))
    for url in ("/werkgevers", "/werkgevers/aanmeldingen"):
        body = c.get(url).get_data(as_text=True)
        assert seed.b.employer.name not in body, url
        assert seed.b.pending_employer.name not in body, url
    body = c.get(f"/werkgevers?q={seed.b.employer.name}").get_data(as_text=True)
    assert "0 werkgevers gevonden." in body
    assert f'href="/werkgevers/{seed.b.employer.id}"' not in body


@pytest.mark.parametrize("other", ["neighbour", "other_municipality"])
def test_employer_gets_404_for_another_employers_objects(login_as, seed, neighbour, other):
    if other == "neighbour":
        workplace, archived, invitation = (
            neighbour["workplace"],
            neighbour["archived"],
            neighbour["invitation"],
        )
    else:
        employer = seed.b.employer
        workplace, archived = seed.b.workplace, make_workplace(employer, archived_at=T0)
        invitation = Invitation(
            employer_id=employer.id,
            email="b@voorbeeld.nl",
            invited_by_id=seed.b.employer_user.id,
            token_hash="c" * 64,
            expires_at=T0 + timedelta(days=3650),
        )
        db.session.add(invitation)
        db.session.flush()
    before = snapshot(workplace, archived, invitation, workplace.employer)
    c = login_as(seed.a.employer_user)
    for url in (f"/werkplekken/{workplace.id}", f"/werkplekken/{workplace.id}/bewerken"):
        assert c.get(url).status_code == 404, url
    posts = [
        (f"/werkplekken/{workplace.id}/bewerken", workplace_data(name="Overgenomen")),
        (f"/werkplekken/{workplace.id}/archiveren", {}),
        (f"/werkplekken/{archived.id}/terugzetten", {}),
        (f"/collegas/uitnodigingen/{invitation.id}/intrekken", {}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    assert snapshot(workplace, archived, invitation, workplace.employer) == before
    body = c.get("/werkplekken").get_data(as_text=True)
    assert workplace.name not in body


def test_employer_pages_show_only_the_own_organisation(login_as, seed, neighbour):
    c = login_as(seed.a.employer_user)
    for url in ("/organisatie", "/collegas", "/werkplekken"):
        body = c.get(url).get_data(as_text=True)
        assert neighbour["employer"].name not in body, url
        assert neighbour["user"].email not in body, url
        assert "buur@voorbeeld.nl" not in body, url


def test_employer_organisation_post_only_changes_the_own_organisation(login_as, seed, neighbour):
    before = row(Employer, neighbour["employer"].id)
    data = {
        "name": "Gekaapt",
        "sector": "ict",
        "size_class": "1-9",
        "street": "A",
        "house_number": "1",
        "postcode": "1234 AB",
        "city": "X",
        "phone": "040 123 45 67",
        "employer_id": str(neighbour["employer"].id),
        "id": str(neighbour["employer"].id),
    }
    assert login_as(seed.a.employer_user).post("/organisatie", data).status_code == 302
    assert row(Employer, neighbour["employer"].id) == before
    assert fresh(Employer, seed.a.employer.id).name == "Gekaapt"


@pytest.mark.parametrize("user_key", ["municipal", "employer"])
def test_unknown_and_huge_ids_answer_404(login_as, seed, user_key):
    c = login_as(seed.a.user(user_key))
    if user_key == "municipal":
        gets = ["/werkgevers/0", "/werkgevers/987654", f"/werkgevers/{HUGE}", f"/werkplekken/{HUGE}"]
        posts = [f"/werkgevers/{HUGE}/besluit", "/werkgevers/987654/contactpersoon"]
    else:
        gets = ["/werkplekken/987654", f"/werkplekken/{HUGE}", f"/werkplekken/{HUGE}/bewerken"]
        posts = [
            f"/werkplekken/{HUGE}/archiveren",
            "/werkplekken/987654/terugzetten",
            f"/collegas/uitnodigingen/{HUGE}/intrekken",
            "/collegas/uitnodigingen/987654/intrekken",
        ]
    for url in gets:
        assert c.get(url).status_code == 404, url
    for url in posts:
        assert c.post(url, {"decision": "approve"}).status_code == 404, url


def test_inactive_contact_of_a_workplace_owner_does_not_matter_for_isolation(login_as, seed):
    """A municipal user of B sees nothing of A, also via the workplace route."""
    c = login_as(seed.b.municipal)
    assert c.get(f"/werkplekken/{seed.a.workplace.id}").status_code == 404
    assert fresh(Workplace, seed.a.workplace.id).archived_at is None
