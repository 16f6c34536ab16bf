"""Forgotten passwords and first passwords: single-use, expiring links that reveal nothing about accounts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from portal.auth import services
from portal.auth.models import PasswordToken, User
from portal.core.models import OutboxEmail
from portal.core.time import now_utc
from portal.extensions import db
from tests.auth.conftest import (
    audit_actions,
    emails_to,
    is_logged_in,
    link_in,
)
from tests.factories import PASSWORD, make_user

NEW = "koffie met de buurvrouw om tien"
RESET_PREFIX = "/wachtwoord-herstellen/"
SETUP_PREFIX = "/account-activeren/"
INVALID = "Deze link werkt niet meer"


def _ask_reset(client, email):
    return client.post("/wachtwoord-vergeten", {"email": email})


def _choose(client, path, password=NEW, confirm=None):
    confirm = password if confirm is None else confirm
    return client.post(path, {"password": password, "password_confirm": confirm})


def _reset_link(client, user) -> str:
    _ask_reset(client, user.email)
    return link_in(emails_to(user.email)[-1], RESET_PREFIX)


def test_forgot_password_page(client):
    response = client.get("/wachtwoord-vergeten")
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer(client, seed):
    known = _ask_reset(client, seed.a.jobcoach.email)
    unknown = _ask_reset(client, "bestaat-niet@test.werkbrug.nl")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert page.count("Hoort dit e-mailadres bij een account?") == 2  # one message per request, same text
    assert seed.a.jobcoach.email not in page
    assert len(emails_to(seed.a.jobcoach.email)) == 1
    assert emails_to("bestaat-niet@test.werkbrug.nl") == []


def test_reset_email_has_a_working_single_use_link(client, make_client, seed):
    user = seed.a.jobcoach
    _ask_reset(client, user.email.upper())
    [mail] = emails_to(user.email)
    token_row = db.session.scalars(sa.select(PasswordToken).where(PasswordToken.user_id == user.id)).one()
    assert mail.dedupe_key == f"auth.reset:{token_row.id}"
    assert mail.subject == "Nieuw wachtwoord kiezen voor Werkbrug"
    assert mail.municipality_id == user.municipality_id
    assert "Werkbrug" in mail.body_text.splitlines()[-1]
    path = link_in(mail, RESET_PREFIX)
    assert path.removeprefix(RESET_PREFIX) not in token_row.token_hash  # only the hash is stored
    page = client.get(path)
    assert page.status_code == 200
    assert "Nieuw wachtwoord kiezen" in page.get_data(as_text=True)
    response = _choose(client, path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "Uw wachtwoord is opgeslagen." in client.get("/login").get_data(as_text=True)
    again = client.get(path)
    assert again.status_code == 404
    assert INVALID in again.get_data(as_text=True)
    assert 'href="/wachtwoord-vergeten"' in again.get_data(as_text=True)
    assert _choose(make_client(), path, "nog een ander wachtwoord!").status_code == 404
    assert make_client().post("/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    assert make_client().post("/login", {"email": user.email, "password": NEW}).status_code == 302
    assert [e.object_id for e in audit_actions("auth.password_reset")] == [user.id]


def test_reset_ends_all_existing_sessions(client, login_as, seed):
    user = seed.a.jobcoach
    logged_in = login_as(user)
    _choose(client, _reset_link(client, user))
    assert not is_logged_in(logged_in)


def test_reset_link_expires_after_the_configured_hours(client, seed, frozen):
    path = _reset_link(client, seed.a.jobcoach)
    frozen.shift(timedelta(minutes=59))
    assert client.get(path).status_code == 200
    frozen.shift(timedelta(minutes=2))
    response = _choose(client, path)
    assert response.status_code == 404
    assert INVALID in response.get_data(as_text=True)


def test_using_one_link_invalidates_the_others(client, seed, frozen):
    user = seed.a.jobcoach
    first = _reset_link(client, user)
    second = _reset_link(client, user)
    setup_row = services.send_account_setup(seed.a.admin, user)
    setup = link_in(
        db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.dedupe_key == f"auth.setup:{setup_row.id}")
        ).one(),
        SETUP_PREFIX,
    )
    assert _choose(client, second).status_code == 302
    assert client.get(first).status_code == 404
    assert client.get(setup).status_code == 404
    open_tokens = db.session.scalars(
        sa.select(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
    ).all()
    assert open_tokens == []


def test_at_most_three_reset_mails_per_hour_per_address(client, seed, frozen):
    user = seed.a.jobcoach
    for _ in range(5):
        response = _ask_reset(client, user.email)
        assert response.headers["Location"] == "/login"
    assert len(emails_to(user.email)) == 3
    frozen.shift(timedelta(minutes=61))
    client.get("/wachtwoord-vergeten")  # a fresh form (the old session has expired by now)
    assert _ask_reset(client, user.email).status_code == 302
    assert len(emails_to(user.email)) == 4


def test_no_mail_for_inactive_users(client, seed):
    user = seed.a.jobcoach
    user.is_active = False
    db.session.flush()
    response = _ask_reset(client, user.email)
    assert response.headers["Location"] == "/login"
    assert emails_to(user.email) == []


def test_link_of_a_user_deactivated_later_no_longer_works(client, seed):
    user = seed.a.jobcoach
    path = _reset_link(client, user)
    user.is_active = False
    db.session.flush()
    assert client.get(path).status_code == 404


def test_user_without_password_can_use_forgot_password(client, seed):
    user = make_user("jobcoach", seed.a.municipality, password=None)
    path = _reset_link(client, user)
    assert _choose(client, path).status_code == 302
    client.login(user, NEW)


def test_reset_clears_the_login_block(client, make_client, seed, frozen):
    user = seed.a.jobcoach
    for _ in range(5):
        client.post("/login", {"email": user.email, "password": "verkeerd wachtwoord"})
    assert client.post("/login", {"email": user.email, "password": PASSWORD}).status_code == 429
    _choose(client, _reset_link(client, user))
    assert make_client().post("/login", {"email": user.email, "password": NEW}).status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("kort1234567", None, "Kies een wachtwoord van minstens 12 tekens."),
        ("wachtwoord123!", None, "Dit wachtwoord is te makkelijk te raden."),
        ("Welkom123456", None, "Dit wachtwoord is te makkelijk te raden."),
        ("x" * 10_000, None, "Kies een wachtwoord van hoogstens 128 tekens."),
        (NEW, NEW + " ", "De twee wachtwoorden zijn niet hetzelfde."),
        ("", "", "Kies een nieuw wachtwoord."),
    ],
)
def test_bad_new_passwords_are_refused_and_the_link_keeps_working(client, seed, password, confirm, message):
    user = seed.a.jobcoach
    path = _reset_link(client, user)
    response = _choose(client, path, password, confirm)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.get(User, user.id).password_changed_at is None
    assert client.get(path).status_code == 200


def test_password_starting_with_the_email_name_is_refused(client, seed):
    user = make_user("jobcoach", seed.a.municipality, email="pietjanssen@test.werkbrug.nl")
    response = _choose(client, _reset_link(client, user), "PietJanssen-is-de-beste")
    assert "Uw wachtwoord mag niet met uw e-mailnaam beginnen." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "a" * 10_000,
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "..%2F..%2Fetc",
        "🙂",
        "%00",
        "%E2%80%AE",
    ],
)
def test_hostile_tokens_give_the_invalid_link_page(client, token):
    for prefix in (RESET_PREFIX, SETUP_PREFIX):
        response = client.get(prefix + token)
        assert response.status_code == 404
        if "/" not in unquote(token):  # a slash makes it another (unknown) URL: the general 404 page
            assert INVALID in response.get_data(as_text=True)
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
        assert client.post(prefix + token, {"password": NEW, "password_confirm": NEW}).status_code == 404


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Vul uw e-mailadres in."),
        ("geen-adres", "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl."),
        ("x" * 10_000 + "@test.nl", "Een e-mailadres heeft hoogstens 254 tekens."),
        ("<script>alert(1)</script>@x.nl", "Vul een geldig e-mailadres in"),
        ("'; DROP TABLE users; --", "Vul een geldig e-mailadres in"),
    ],
)
def test_hostile_forgot_password_input(client, email, message):
    response = _ask_reset(client, email)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert "<script>alert(1)</script>" not in html
    assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 0


def test_extra_fields_on_the_reset_form_are_ignored(client, seed):
    user = seed.a.jobcoach
    path = _reset_link(client, user)
    client.post(
        path,
        {
            "password": NEW,
            "password_confirm": NEW,
            "role": "admin",
            "is_active": "0",
            "municipality_id": str(seed.b.municipality.id),
            "email": "ander@test.werkbrug.nl",
        },
    )
    user = db.session.get(User, user.id)
    assert (user.role, user.is_active, user.municipality_id) == ("jobcoach", True, seed.a.municipality.id)
    assert user.email != "ander@test.werkbrug.nl"


# Account setup ---------------------------------------------------------------------------------


def _new_staff(seed, role="municipal"):
    return make_user(role, seed.a.municipality, password=None, full_name="Nieuwe Collega")


def test_account_setup_mail_and_flow(client, seed, frozen):
    user = _new_staff(seed)
    row = services.send_account_setup(seed.a.admin, user)
    assert row.purpose == "setup"
    assert row.expires_at == now_utc() + timedelta(days=7)
    [mail] = emails_to(user.email)
    assert mail.dedupe_key == f"auth.setup:{row.id}"
    assert "Welkom" in mail.subject
    assert "Contactpersoon gemeente" in mail.body_text
    assert "Gemeente A" in mail.body_text
    path = link_in(mail, SETUP_PREFIX)
    page = client.get(path)
    assert page.status_code == 200
    assert "Uw account activeren" in page.get_data(as_text=True)
    assert _choose(client, path).status_code == 302
    client.login(user, NEW)
    assert [e.actor_id for e in audit_actions("auth.setup_sent")] == [seed.a.admin.id]
    assert [e.object_id for e in audit_actions("auth.account_setup_completed")] == [user.id]


def test_setup_link_is_valid_for_seven_days(client, seed, frozen):
    user = _new_staff(seed, "jobcoach")
    services.send_account_setup(seed.a.admin, user)
    path = link_in(emails_to(user.email)[0], SETUP_PREFIX)
    frozen.shift(timedelta(days=6, hours=23))
    assert client.get(path).status_code == 200
    frozen.shift(timedelta(hours=2))
    assert client.get(path).status_code == 404


def test_setup_token_does_not_work_as_reset_link_and_vice_versa(client, seed):
    user = _new_staff(seed)
    services.send_account_setup(seed.a.admin, user)
    setup_token = link_in(emails_to(user.email)[0], SETUP_PREFIX).removeprefix(SETUP_PREFIX)
    assert client.get(RESET_PREFIX + setup_token).status_code == 404
    reset_token = _reset_link(client, user).removeprefix(RESET_PREFIX)
    assert client.get(SETUP_PREFIX + reset_token).status_code == 404
