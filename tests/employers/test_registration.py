"""An organisation registers: one pending employer plus its first user, e-mails, and the refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.passwords import verify_password
from portal.employers import services
from portal.employers.models import Employer
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.employers.conftest import (
    KVK_TAKEN,
    NEW_PASSWORD,
    audit,
    count,
    emails,
    registration_data,
    text,
    user_by_email,
)
from tests.factories import make_municipality, make_user


def test_registration_page_lists_only_open_municipalities(client, seed):
    closed = make_municipality("Gemeente Dicht", is_open_for_registration=False)
    response = client.get("/registreren")
    body = text(response)
    assert response.status_code == 200
    assert "Gemeente A" in body
    assert "Gemeente B" in body
    assert closed.name not in body
    assert 'name="agree"' in body
    assert 'name="kvk_number"' in body


def test_registration_creates_pending_employer_and_user_in_one_go(client, seed, frozen):
    response = client.post("/registreren", registration_data(seed.a.municipality))
    assert response.status_code == 302
    assert response.headers["Location"] == "/registreren/ontvangen"

    user = user_by_email("fatima@debrug.nl")
    assert user is not None
    assert user.role == "employer"
    assert user.full_name == "Fatima El Amrani"
    assert user.phone == "06 12345678"
    assert user.municipality_id == seed.a.municipality.id
    assert verify_password(user.password_hash, NEW_PASSWORD)
    employer = db.session.get(Employer, user.employer_id)
    assert employer.status == "pending"
    assert employer.municipality_id == seed.a.municipality.id
    assert employer.kvk_number == "87654321"
    assert employer.postcode == "5611 AB"
    assert employer.website == "https://www.debrug.nl"
    assert (employer.sector, employer.size_class) == ("horeca", "1-9")

    events = audit("employer.registered")
    assert [(e.object_id, e.actor_id) for e in events] == [(employer.id, user.id)]
    assert "@" not in str(events[0].detail)


def test_registration_queues_mail_for_the_user_and_each_active_municipal_user(client, seed):
    second = make_user("municipal", seed.a.municipality)
    make_user("municipal", seed.a.municipality, is_active=False)
    client.post("/registreren", registration_data(seed.a.municipality))
    employer = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == "87654321"))

    received = emails("employers/registration_received")
    assert [m.to_address for m in received] == ["fatima@debrug.nl"]
    assert received[0].subject == "We hebben uw aanmelding voor Werkbrug ontvangen"
    assert "http://localhost/login" in received[0].body_text
    assert received[0].body_text.rstrip().endswith("Werkbrug")

    pending = emails("employers/registration_pending")
    assert sorted(m.to_address for m in pending) == sorted([seed.a.municipal.email, second.email])
    assert all(m.municipality_id == seed.a.municipality.id for m in pending)
    assert all(f"http://localhost/werkgevers/{employer.id}" in m.body_text for m in pending)
    # Nobody of municipality B, no admin and no inactive user hears about it.
    assert seed.b.municipal.email not in [m.to_address for m in pending]
    assert seed.a.admin.email not in [m.to_address for m in pending]


def test_registered_page_explains_the_next_steps(client):
    response = client.get("/registreren/ontvangen")
    body = text(response)
    assert response.status_code == 200
    assert "paar werkdagen" in body
    assert "e-mail" in body
    assert "inloggen" in body.lower()


def test_duplicate_kvk_in_the_same_municipality_is_refused(client, seed):
    before = count(Employer), count(User)
    data = registration_data(seed.a.municipality, kvk_number=seed.a.employer.kvk_number)
    response = client.post("/registreren", data)
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(error.startswith(KVK_TAKEN) and "uit te nodigen" in error for error in errors)
    assert (count(Employer), count(User)) == before
    assert emails() == []
    assert 'value="Bakkerij De Brug B.V."' in response.get_data(as_text=True)  # what was typed stays


def test_same_kvk_in_another_municipality_is_allowed(client, seed):
    data = registration_data(seed.b.municipality, kvk_number=seed.a.employer.kvk_number)
    response = client.post("/registreren", data)
    assert response.status_code == 302
    employer = db.session.scalar(
        sa.select(Employer).where(
            Employer.kvk_number == seed.a.employer.kvk_number,
            Employer.municipality_id == seed.b.municipality.id,
        )
    )
    assert employer is not None
    assert employer.status == "pending"


def test_email_in_use_is_refused_with_a_forgot_password_link(client, seed):
    before = count(Employer), count(User)
    response = client.post(
        "/registreren", registration_data(seed.a.municipality, email=seed.b.jobcoach.email.upper())
    )
    body = text(response)
    assert response.status_code == 200
    assert any("al een account met dit e-mailadres" in e for e in form_errors_in(body))
    assert 'href="/wachtwoord-vergeten"' in body
    assert "Wachtwoord vergeten" in body
    assert (count(Employer), count(User)) == before


def test_required_fields_and_consent(client, seed):
    response = client.post("/registreren", {})
    errors = form_errors_in(text(response))
    assert response.status_code == 200
    for expected in (
        "Kies uw gemeente.",
        "Vul het KvK-nummer in.",
        "Vul de naam van uw organisatie in.",
        "Kies een sector.",
        "Vul de postcode in.",
        "Vul uw e-mailadres in.",
        "Kies een wachtwoord.",
        "Geef toestemming om verder te gaan.",
    ):
        assert expected in errors
    response = client.post("/registreren", registration_data(seed.a.municipality, agree=""))
    assert "Geef toestemming om verder te gaan." in form_errors_in(text(response))
    assert count(Employer) == 4


def test_field_formats_are_checked_in_dutch(client, seed):
    data = registration_data(
        seed.a.municipality,
        kvk_number="1234",
        postcode="ABCD 12",
        phone="bel maar",
        website="javascript:alert(1)",
        email="geen-adres",
        password="kort",
        password_confirm="anders",
    )
    errors = form_errors_in(text(client.post("/registreren", data)))
    assert "Een KvK-nummer heeft precies 8 cijfers." in errors
    assert "Vul een Nederlandse postcode in, zoals 5611 AB." in errors
    assert any(e.startswith("Vul een telefoonnummer in") for e in errors)
    assert "Vul een geldig webadres in, zoals www.bedrijf.nl." in errors
    assert any(e.startswith("Vul een geldig e-mailadres in") for e in errors)
    assert any(e.startswith("Kies een wachtwoord van minstens") for e in errors)
    assert "De twee wachtwoorden zijn niet hetzelfde." in errors
    assert count(Employer) == 4


def test_weak_password_is_refused(client, seed):
    data = registration_data(
        seed.a.municipality, password="aaaaaaaaaaaaaaaa", password_confirm="aaaaaaaaaaaaaaaa"
    )
    errors = form_errors_in(text(client.post("/registreren", data)))
    assert any("te makkelijk te raden" in e for e in errors)


def test_closed_or_unknown_municipality_is_refused(client, seed):
    closed = make_municipality("Gemeente Dicht", is_open_for_registration=False)
    for value in (str(closed.id), "999999", "abc", "", "99999999999999999999999"):
        response = client.post("/registreren", registration_data(seed.a.municipality, municipality_id=value))
        assert response.status_code == 200, value
        errors = form_errors_in(text(response))
        assert errors, value
        assert errors[0] in ("Kies een van de mogelijkheden uit de lijst.", "Kies uw gemeente."), value
    assert count(Employer) == 4


def test_logged_in_user_visiting_registration_goes_home(login_as, seed):
    c = login_as(seed.a.municipal)
    for response in (c.get("/registreren"), c.post("/registreren", registration_data(seed.a.municipality))):
        assert response.status_code == 302
        assert response.headers["Location"] == "/"
    assert user_by_email("fatima@debrug.nl") is None


def test_registration_without_csrf_token_changes_nothing(client, seed):
    response = client.post("/registreren", registration_data(seed.a.municipality), csrf=False)
    assert response.status_code == 400
    assert user_by_email("fatima@debrug.nl") is None


def test_a_unique_constraint_race_leaves_nothing_behind(seed):
    """Two registrations at the same moment: the loser's rows are rolled back, the session stays usable."""
    employer = Employer(
        municipality_id=seed.a.municipality.id,
        name="Tweeling",
        kvk_number=seed.a.employer.kvk_number,
        sector="ict",
        size_class="1-9",
        street="A",
        house_number="1",
        postcode="5611 AB",
        city="X",
        phone="040 123 45 67",
    )
    user = User(
        email="tweeling@voorbeeld.nl",
        full_name="T",
        role="employer",
        municipality_id=seed.a.municipality.id,
        employer=employer,
    )
    with pytest.raises(sa.exc.IntegrityError):
        services._insert(employer, user)
    assert employer not in db.session
    assert user not in db.session
    assert count(Employer) == 4
    assert user_by_email("tweeling@voorbeeld.nl") is None
