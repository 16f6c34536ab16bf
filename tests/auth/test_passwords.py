"""Password storage and policy: argon2id with OWASP parameters, exact checks, no easy passwords (AU-4)."""

from __future__ import annotations

import re

import pytest

from portal.auth.models import User
from portal.auth.passwords import (
    COMMON_PASSWORDS_FILE,
    common_passwords,
    guesses_log10,
    hash_password,
    password_problem,
    verify_password,
)
from portal.extensions import db
from tests.auth.conftest import TOO_EASY, emails_to, link_in
from tests.factories import PASSWORD

ARGON2_RE = re.compile(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")


def _set_via_reset(client, user, password) -> object:
    client.post("/wachtwoord-vergeten", {"email": user.email})
    path = link_in(emails_to(user.email)[-1], "/wachtwoord-herstellen/")
    return client.post(path, {"password": password, "password_confirm": password})


def test_stored_hashes_are_argon2id_with_owasp_parameters(client, seed):
    user = seed.a.jobcoach
    _set_via_reset(client, user, "een lange zin als wachtwoord")
    stored = db.session.get(User, user.id).password_hash
    memory, time_cost, parallelism = map(int, ARGON2_RE.match(stored).groups())
    assert memory >= 19456
    assert time_cost >= 2
    assert parallelism >= 1
    assert "een lange zin" not in stored


def test_a_128_character_password_is_verified_exactly(client, make_client, seed):
    user = seed.a.jobcoach
    password = ("vlinder kachel 7 oranje rivier " * 5)[:120] + "12345678"
    assert len(password) == 128
    assert _set_via_reset(client, user, password).status_code == 302
    assert make_client().post("/login", {"email": user.email, "password": password[:127]}).status_code == 200
    assert make_client().post("/login", {"email": user.email, "password": password}).status_code == 302


def test_129_characters_is_too_long(client, seed):
    response = _set_via_reset(client, seed.a.jobcoach, "a1" * 64 + "b")
    assert "Kies een wachtwoord van hoogstens 128 tekens." in response.get_data(as_text=True)


def test_spaces_around_a_password_are_part_of_it(client, make_client, seed):
    user = seed.a.jobcoach
    password = "  spaties tellen ook mee  "
    assert _set_via_reset(client, user, password).status_code == 302
    stripped = password.strip()
    assert make_client().post("/login", {"email": user.email, "password": stripped}).status_code == 200
    assert make_client().post("/login", {"email": user.email, "password": password}).status_code == 302


def test_unicode_passwords_round_trip(app):
    password = "نعم wachtwoord 🙂 ĳsbeer"
    assert verify_password(hash_password(password), password)
    assert not verify_password(hash_password(password), password.replace("ĳ", "ij"))


def test_demo_password_still_verifies(app):
    assert verify_password(hash_password("werkbrug-demo"), "werkbrug-demo")


def test_the_common_password_list():
    lines = [
        line
        for line in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert len(lines) >= 400
    assert len(set(lines)) == len(lines)
    assert all(line == line.lower().strip() and len(line) >= 12 for line in lines)
    for dutch in ("wachtwoord123!", "welkom123456", "voetbal12345", "1qaz2wsx3edc", "werkbrug2025!"):
        assert dutch in common_passwords()


COMMON_SAMPLE = [
    "wachtwoord123!",
    "Welkom123456",
    "VOETBAL12345",
    "qwertyuiop12",
    "1q2w3e4r5t6y",
    "azertyuiop12",
    "password1234",
    "welkomwelkom",
    "wachtwoord2024",
    "zomer2025!!!",
    "werkbrug2026!",
    "werkbrug123456",
    "feyenoord1908",
    "amsterdam123",
    "gemeente2025",
    "123456789012",
    "iloveyou1234",
    "qazwsxedcrfv",
    "geheimgeheim",
    "aaaaaaaaaaaaaa",
    "abababababab",
]


@pytest.mark.parametrize("password", COMMON_SAMPLE)
def test_common_passwords_are_refused_on_the_account_page(login_as, seed, password):
    c = login_as(seed.a.jobcoach)
    response = c.post(
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "new_password": password,
            "new_password_confirm": password,
        },
    )
    assert response.status_code == 200
    assert TOO_EASY in response.get_data(as_text=True)


@pytest.mark.parametrize("password", ["", "a", "kort1234567", "elf tekens!"])
def test_short_passwords_are_refused(login_as, seed, password):
    c = login_as(seed.a.jobcoach)
    response = c.post(
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "new_password": password,
            "new_password_confirm": password,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies een wachtwoord van minstens 12 tekens." in html or "Kies een nieuw wachtwoord." in html


#: Long enough and not on the list, but a word with a year or a few characters after it: an estimator sees it.
GUESSABLE = ["Eindhoven2027", "Welkom2026!!!!", "P@ssw0rd1234", "Helmond-2026!", "Zomervakantie1"]


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused_by_the_strength_estimate(login_as, seed, password):
    c = login_as(seed.a.jobcoach)
    response = c.post(
        "/account/wachtwoord",
        {"current_password": PASSWORD, "new_password": password, "new_password_confirm": password},
    )
    assert response.status_code == 200
    assert TOO_EASY in response.get_data(as_text=True)


def test_the_accounts_own_e_mail_parts_count_as_guessable(app):
    known = guesses_log10("Jansen-Werkt-12", personal=("p.jansen@werkt.nl",))
    assert known < guesses_log10("Jansen-Werkt-12")


@pytest.mark.parametrize("password", [PASSWORD, "vlinder kachel oranje rivier", "kR8#vq!Lm2pZ"])
def test_strong_passwords_pass(app, password):
    assert password_problem(password, email="iemand@test.werkbrug.nl") is None
