"""Administration of users: the list, a new staff user, deactivation and activation."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa
from markupsafe import escape

from portal.auth.models import User
from portal.core.models import OutboxEmail
from portal.extensions import db
from tests import factories
from tests.admin.conftest import HOSTILE_TEXT, audit_actions
from tests.calendar.conftest import new_feed
from tests.conftest import form_errors_in

NEW_USER = {
    "full_name": "Nadia Nieuw",
    "email": "Nadia.Nieuw@Gemeente.Example",
    "phone": "040 123 45 67",
    "role": "jobcoach",
}


def user_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def reload(user: User) -> User:
    return db.session.get(User, user.id, populate_existing=True)


# The list ------------------------------------------------------------------------------------------------


def test_users_lists_the_own_municipality_with_role_organisation_and_status(seed, admin_a):
    seed.a.jobcoach.is_active = False
    db.session.flush()
    response = admin_a.get("/beheer/gebruikers")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for user in (seed.a.employer_user, seed.a.jobcoach, seed.a.municipal, seed.a.admin, seed.a.pending_user):
        assert html.escape(user.email) in page
    for user in (seed.b.employer_user, seed.b.admin):
        assert user.email not in page
    assert "Functioneel beheerder" in page
    assert "Contactpersoon gemeente" in page
    assert html.escape(seed.a.employer.name) in page
    assert "Gedeactiveerd" in page
    assert "Actief" in page
    assert "Dit bent u" in page  # no deactivate button for oneself


def test_users_filter_by_role(seed, admin_a):
    page = admin_a.get("/beheer/gebruikers?rol=employer").get_data(as_text=True)
    assert seed.a.employer_user.email in page
    assert seed.a.pending_user.email in page
    assert seed.a.jobcoach.email not in page
    assert seed.a.municipal.email not in page
    everyone = admin_a.get("/beheer/gebruikers?rol=<script>").get_data(as_text=True)
    assert seed.a.jobcoach.email in everyone
    assert "<script>" not in everyone


def test_users_are_paginated_with_a_bounded_number_of_queries(seed, admin_a, app, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    with count_queries() as few:
        assert admin_a.get("/beheer/gebruikers").status_code == 200
    for _ in range(12):
        factories.make_user("employer", employer=factories.make_employer(seed.a.municipality))
    with count_queries() as many:
        response = admin_a.get("/beheer/gebruikers?page=2")
    assert response.status_code == 200
    assert many.count == few.count
    page = response.get_data(as_text=True)
    assert "Pagina 2 van 4" in page
    assert "Volgende pagina" in page
    assert "Vorige pagina" in page
    for bad in ("0", "-3", "abc", "99999999999999999999", "1;DROP"):
        assert admin_a.get(f"/beheer/gebruikers?page={bad}").status_code == 200


# A new staff user -----------------------------------------------------------------------------------------


def test_admin_creates_a_staff_user_who_gets_the_setup_mail(seed, admin_a):
    response = admin_a.post("/beheer/gebruikers/nieuw", NEW_USER)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/beheer/gebruikers")
    user = db.session.scalar(sa.select(User).where(User.email == "nadia.nieuw@gemeente.example"))
    assert (user.role, user.full_name, user.phone) == ("jobcoach", "Nadia Nieuw", "040 123 45 67")
    assert user.municipality_id == seed.a.municipality.id
    assert user.password_hash is None
    mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to_address == user.email))
    assert mail is not None
    assert mail.municipality_id == seed.a.municipality.id
    [event] = audit_actions("user.created")
    assert (event.actor_id, event.object_id, event.detail) == (seed.a.admin.id, user.id, {"role": "jobcoach"})
    assert "Nadia" not in str(event.detail)


def test_email_must_be_unique_case_insensitively(seed, admin_a):
    before = user_count()
    response = admin_a.post("/beheer/gebruikers/nieuw", {**NEW_USER, "email": seed.b.jobcoach.email.upper()})
    assert response.status_code == 200
    assert "Er is al een gebruiker met dit e-mailadres." in form_errors_in(response.get_data(as_text=True))
    assert user_count() == before


def test_privileged_fields_are_ignored(seed, admin_a):
    response = admin_a.post(
        "/beheer/gebruikers/nieuw",
        {
            **NEW_USER,
            "municipality_id": seed.b.municipality.id,
            "employer_id": seed.a.employer.id,
            "is_active": "0",
            "password_hash": "x",
            "login_token": "mine",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nadia.nieuw@gemeente.example"))
    assert user.municipality_id == seed.a.municipality.id
    assert user.employer_id is None
    assert user.is_active
    assert user.password_hash is None
    assert user.login_token != "mine"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("role", "employer", "Kies een rol."),
        ("role", "", "Kies een rol."),
        ("role", "superadmin", "Kies een rol."),
        ("email", "geen-adres", "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl."),
        ("email", "a" * 250 + "@x.nl", "Een e-mailadres heeft hoogstens 254 tekens."),
        ("email", "", "Vul het e-mailadres in."),
        ("email", "x@y.nl' OR 1=1 --", "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl."),
        ("full_name", "", "Vul de naam in."),
        ("full_name", "x" * 10_000, "Een naam heeft hoogstens 120 tekens."),
        ("full_name", "Naam\x00met\x07tekens", "Deze tekst bevat tekens die niet zijn toegestaan."),
        ("phone", "bel me maar", "Vul een telefoonnummer in, zoals 040 123 45 67 of +31 6 12345678."),
        ("phone", "0" * 10_000, "Een telefoonnummer heeft hoogstens 30 tekens."),
    ],
)
def test_invalid_input_gives_a_dutch_message_and_changes_nothing(seed, admin_a, field, value, message):
    before = user_count()
    response = admin_a.post("/beheer/gebruikers/nieuw", {**NEW_USER, field: value})
    assert response.status_code == 200
    assert message in form_errors_in(response.get_data(as_text=True))
    assert user_count() == before
    assert audit_actions("user.created") == []


@pytest.mark.parametrize("value", HOSTILE_TEXT[1:])
def test_hostile_names_are_stored_as_text_and_shown_escaped(seed, admin_a, value):
    response = admin_a.post("/beheer/gebruikers/nieuw", {**NEW_USER, "full_name": value})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "nadia.nieuw@gemeente.example"))
    assert user.full_name == value
    page = admin_a.get("/beheer/gebruikers").get_data(as_text=True)
    assert str(escape(value)) in page
    assert "<script>alert" not in page


def test_missing_and_duplicated_fields_keep_what_was_typed(seed, admin_a):
    response = admin_a.raw.post(
        "/beheer/gebruikers/nieuw",
        data={
            "csrf_token": admin_a.token,
            "full_name": ["<b>Eerste</b>", "Tweede"],
            "email": "dubbel@gemeente.example",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kies een rol." in form_errors_in(page)
    assert 'value="&lt;b&gt;Eerste&lt;/b&gt;"' in page
    assert 'value="dubbel@gemeente.example"' in page


def test_form_without_csrf_token_changes_nothing(seed, admin_a):
    before = user_count()
    response = admin_a.post("/beheer/gebruikers/nieuw", NEW_USER, csrf=False)
    assert response.status_code == 400
    assert user_count() == before


# Deactivation and activation -------------------------------------------------------------------------------


def test_deactivation_ends_every_session_of_that_user_at_once(seed, admin_a, login_as):
    victim = login_as(seed.a.municipal)
    assert victim.get("/account").status_code == 200
    token_before = seed.a.municipal.login_token
    response = admin_a.post(f"/beheer/gebruikers/{seed.a.municipal.id}/deactiveren")
    assert response.status_code == 302
    user = reload(seed.a.municipal)
    assert user.is_active is False
    assert user.login_token != token_before
    after = victim.get("/account")
    assert after.status_code == 302
    assert "/login" in after.headers["Location"]
    [event] = audit_actions("user.deactivated")
    assert (event.actor_id, event.object_id) == (seed.a.admin.id, user.id)
    assert "kan niet meer inloggen" in admin_a.get("/beheer/gebruikers").get_data(as_text=True)


def test_a_deactivated_user_cannot_log_in_until_activated(seed, admin_a, make_client):
    admin_a.post(f"/beheer/gebruikers/{seed.a.jobcoach.id}/deactiveren")
    refused = make_client().post("/login", {"email": seed.a.jobcoach.email, "password": factories.PASSWORD})
    assert refused.status_code != 302
    response = admin_a.post(f"/beheer/gebruikers/{seed.a.jobcoach.id}/activeren")
    assert response.status_code == 302
    assert reload(seed.a.jobcoach).is_active is True
    make_client().login(seed.a.jobcoach)
    assert len(audit_actions("user.activated")) == 1


@pytest.mark.parametrize("role", ["municipal", "jobcoach"])
def test_deactivation_ends_the_calendar_feed_for_good(seed, admin_a, login_as, make_client, role):
    user = seed.a.user(role)
    path = new_feed(login_as(user))
    feed = make_client()
    assert feed.get(path).status_code == 200
    admin_a.post(f"/beheer/gebruikers/{user.id}/deactiveren")
    assert feed.get(path).status_code == 404
    assert reload(user).calendar_token_hash is None
    [event] = audit_actions("user.deactivated")
    assert event.detail["calendar_feed_ended"] is True

    admin_a.post(f"/beheer/gebruikers/{user.id}/activeren")
    assert reload(user).is_active is True
    assert feed.get(path).status_code == 404  # the old address stays dead: make a new one
    page = login_as(user).get("/agenda").get_data(as_text=True)
    assert "U heeft nog geen agenda-adres." in page


def test_employer_users_of_the_municipality_can_be_deactivated(seed, admin_a):
    assert admin_a.post(f"/beheer/gebruikers/{seed.a.employer_user.id}/deactiveren").status_code == 302
    assert reload(seed.a.employer_user).is_active is False


def test_an_admin_cannot_deactivate_themself(seed, admin_a):
    token = seed.a.admin.login_token
    response = admin_a.post(f"/beheer/gebruikers/{seed.a.admin.id}/deactiveren", follow_redirects=True)
    assert "U kunt uw eigen account niet deactiveren." in response.get_data(as_text=True)
    user = reload(seed.a.admin)
    assert user.is_active is True
    assert user.login_token == token
    assert audit_actions("user.deactivated") == []
    assert admin_a.get("/beheer/gebruikers").status_code == 200


@pytest.mark.parametrize("action", ["deactiveren", "activeren"])
def test_users_of_another_municipality_answer_404_and_stay_unchanged(seed, admin_a, action):
    target = seed.b.jobcoach
    target.is_active = action == "deactiveren"
    db.session.flush()
    token = target.login_token
    response = admin_a.post(f"/beheer/gebruikers/{target.id}/{action}")
    assert response.status_code == 404
    user = reload(target)
    assert user.is_active is (action == "deactiveren")
    assert user.login_token == token
    assert admin_a.post(f"/beheer/gebruikers/987654/{action}").status_code == 404
