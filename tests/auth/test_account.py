"""The user's own account page: details, name and phone, and changing the password."""

from __future__ import annotations

import pytest

from portal.auth.models import User
from portal.extensions import db
from tests.auth.conftest import BLOCKED, audit_actions
from tests.conftest import form_errors_in
from tests.factories import PASSWORD

NEW = "de trein naar helmond rijdt weer"


def test_account_needs_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal", "admin"])
def test_account_page_shows_own_details(login_as, seed, role):
    user = seed.a.user(role)
    html = login_as(user).get("/account").get_data(as_text=True)
    for text in (user.full_name, user.email, user.role_label, "Gemeente A", "Laatst ingelogd"):
        assert text in html
    assert (seed.a.employer.name in html) == (role == "employer")
    assert seed.b.municipal.email not in html


def test_pending_employer_can_open_the_account_page(login_as, seed):
    html = login_as(seed.a.pending_user).get("/account").get_data(as_text=True)
    assert "wacht op goedkeuring" in html


def test_profile_update(login_as, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    response = c.post("/account/gegevens", {"full_name": "Fatima El Amrani", "phone": "06 12345678"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = c.get("/account").get_data(as_text=True)
    assert "Uw gegevens zijn opgeslagen." in page
    assert "Fatima El Amrani" in page
    user = db.session.get(User, user.id)
    assert (user.full_name, user.phone) == ("Fatima El Amrani", "06 12345678")
    [event] = audit_actions("auth.profile_updated")
    assert event.detail == {"fields": ["full_name", "phone"]}


def test_profile_phone_may_be_emptied(login_as, seed):
    user = seed.a.jobcoach
    user.phone = "040 123 45 67"
    db.session.flush()
    login_as(user).post("/account/gegevens", {"full_name": user.full_name, "phone": ""})
    assert db.session.get(User, user.id).phone is None


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"full_name": "x" * 10_000, "phone": ""}, "Een naam heeft hoogstens 120 tekens."),
        ({"full_name": "", "phone": ""}, "Vul uw naam in."),
        ({}, "Vul uw naam in."),
        ({"full_name": "Naam\x00met\x07tekens", "phone": ""}, "Deze tekst bevat tekens die niet"),
        ({"full_name": "Ali", "phone": "abcdefghijk"}, "Vul een telefoonnummer in"),
        ({"full_name": "Ali", "phone": "1" * 10_000}, "Een telefoonnummer heeft hoogstens 30 tekens."),
        ({"full_name": "Ali", "phone": "'; DROP TABLE users; --"}, "Vul een telefoonnummer in"),
    ],
)
def test_hostile_profile_input_is_refused_and_nothing_changes(login_as, seed, data, field_message):
    user = seed.a.jobcoach
    before = (user.full_name, user.phone)
    response = login_as(user).post("/account/gegevens", data)
    assert response.status_code == 200
    assert any(m.startswith(field_message) for m in form_errors_in(response.get_data(as_text=True)))
    user = db.session.get(User, user.id)
    assert (user.full_name, user.phone) == before


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "مريم الأحمد",
        "Zoë 🙂 van ’t Hof",
        "\u202egnp.exe",
    ],
)
def test_unusual_names_are_stored_and_shown_escaped(login_as, seed, name):
    c = login_as(seed.a.jobcoach)
    assert c.post("/account/gegevens", {"full_name": name, "phone": ""}).status_code == 302
    html = c.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    if name.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    else:
        assert name in html


def test_privileged_and_duplicated_profile_fields_are_ignored(login_as, seed):
    user = seed.a.employer_user
    c = login_as(user)
    response = c.raw.post(
        "/account/gegevens",
        data={
            "csrf_token": c.token,
            "full_name": ["Eerste Naam", "Tweede Naam"],
            "phone": "",
            "role": "admin",
            "municipality_id": str(seed.b.municipality.id),
            "employer_id": str(seed.b.employer.id),
            "email": "nieuw@test.werkbrug.nl",
            "is_active": "0",
            "status": "approved",
            "login_token": "x",
        },
    )
    assert response.status_code == 302
    user = db.session.get(User, user.id)
    assert user.full_name == "Eerste Naam"
    assert (user.role, user.municipality_id, user.employer_id, user.is_active) == (
        "employer",
        seed.a.municipality.id,
        seed.a.employer.id,
        True,
    )
    assert user.email != "nieuw@test.werkbrug.nl"


def test_change_password_with_a_wrong_current_password(login_as, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    response = c.post(
        "/account/wachtwoord",
        {
            "current_password": "niet mijn wachtwoord",
            "new_password": NEW,
            "new_password_confirm": NEW,
        },
    )
    assert response.status_code == 200
    assert "Uw huidige wachtwoord klopt niet." in form_errors_in(response.get_data(as_text=True))
    assert db.session.get(User, user.id).password_changed_at is None
    assert c.get("/account").status_code == 200  # a typo does not log you out


def test_wrong_current_passwords_count_towards_the_login_limit(login_as, make_client, seed, frozen):
    user = seed.a.jobcoach
    c = login_as(user)
    for _ in range(5):
        c.post(
            "/account/wachtwoord",
            {"current_password": "raden raden raden", "new_password": NEW, "new_password_confirm": NEW},
        )
    response = c.post(
        "/account/wachtwoord",
        {"current_password": PASSWORD, "new_password": NEW, "new_password_confirm": NEW},
    )
    assert BLOCKED in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_changed_at is None
    assert make_client().post("/login", {"email": user.email, "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Vul uw huidige wachtwoord in."),
        ({"current_password": PASSWORD}, "Kies een nieuw wachtwoord."),
        (
            {"current_password": PASSWORD, "new_password": NEW, "new_password_confirm": NEW + "x"},
            "De twee wachtwoorden zijn niet hetzelfde.",
        ),
        (
            {"current_password": "x" * 10_000, "new_password": NEW, "new_password_confirm": NEW},
            "Een wachtwoord heeft hoogstens 128 tekens.",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": "x" * 10_000,
                "new_password_confirm": "x" * 10_000,
            },
            "Kies een wachtwoord van hoogstens 128 tekens.",
        ),
    ],
)
def test_hostile_change_password_input(login_as, seed, data, message):
    user = seed.a.jobcoach
    response = login_as(user).post("/account/wachtwoord", data)
    assert response.status_code == 200
    assert any(m.startswith(message) for m in form_errors_in(response.get_data(as_text=True)))
    assert db.session.get(User, user.id).password_changed_at is None


def test_change_password_audits_and_the_new_password_works(login_as, make_client, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    c.post(
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "new_password": NEW,
            "new_password_confirm": NEW,
        },
    )
    assert [e.actor_id for e in audit_actions("auth.password_changed")] == [user.id]
    assert make_client().post("/login", {"email": user.email, "password": NEW}).status_code == 302
    assert make_client().post("/login", {"email": user.email, "password": PASSWORD}).status_code == 200


def test_account_forms_need_csrf(login_as, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    assert c.post("/account/gegevens", {"full_name": "Zonder Token"}, csrf=False).status_code == 400
    assert db.session.get(User, user.id).full_name != "Zonder Token"
