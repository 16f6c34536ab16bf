"""Logging in: per role, one message for every kind of failure, session fixation, safe next-URLs, audit."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from portal.auth.models import LoginFailure, User
from portal.extensions import db
from tests.auth.conftest import (
    REFUSED,
    audit_actions,
    is_logged_in,
    session_cookie,
    with_cookie,
    without_csrf,
)
from tests.factories import PASSWORD, current_code, make_user

ROLES = ("employer", "jobcoach", "municipal", "admin")


def test_login_page_has_the_fields_and_links(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="email"' in html
    assert 'name="password"' in html
    assert "E-mailadres" in html
    assert "Wachtwoord" in html
    assert 'href="/wachtwoord-vergeten"' in html
    assert "Wachtwoord vergeten?" in html
    assert "Uw organisatie aanmelden" in html
    assert "remember" not in html.lower()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_in_and_lands_on_home(app, client, seed, role):
    user = seed.a.user(role)
    response = client.post("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if role != "employer":  # staff give the code from their app next
        assert response.headers["Location"] == "/inloggen/code"
        with client.raw.session_transaction() as sess:
            assert "_user_id" not in sess
        response = client.post("/inloggen/code", {"code": current_code()})
    assert response.headers["Location"] == "/"
    with client.raw.session_transaction() as sess:
        assert sess["_user_id"] == f"{user.id}:{user.login_token}"
        assert sess["auth_at"] > 0
        assert sess.permanent
    if (Path(app.template_folder) / f"main/home_{role}.html").exists():
        assert client.get("/").status_code == 200
    assert is_logged_in(client)


def test_login_is_case_insensitive_for_the_email(client, seed):
    shouted = "  " + seed.a.jobcoach.email.upper() + " "
    response = client.post("/login", {"email": shouted, "password": PASSWORD})
    assert response.status_code == 302


def test_pending_employer_logs_in_and_is_sent_to_the_waiting_page(client, seed):
    client.login(seed.a.pending_user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/wachten"


def test_logged_in_user_visiting_login_goes_home(login_as, seed):
    c = login_as(seed.a.municipal)
    response = c.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_updates_last_login_and_audits(client, seed, frozen):
    user = seed.a.municipal
    client.login(user)
    user = db.session.get(User, user.id)
    assert user.last_login_at is not None
    events = audit_actions("auth.login")
    assert [(e.actor_id, e.object_id) for e in events] == [(user.id, user.id)]


WRONG_PASSWORD = "helemaal niet goed 123"


def _failed_login(client, email):
    return client.post("/login", {"email": email, "password": WRONG_PASSWORD})


def _cookie_names(response) -> list[str]:
    return sorted(header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie"))


def test_wrong_password_and_unknown_email_look_identical(client, make_client, seed):
    known = seed.a.jobcoach.email
    unknown = "niemand-hier@test.werkbrug.nl"
    first = _failed_login(client, known)
    second = _failed_login(make_client(), unknown)
    assert first.status_code == second.status_code == 200
    assert REFUSED in first.get_data(as_text=True)
    body_first = without_csrf(first.get_data(as_text=True)).replace(known, "X")
    body_second = without_csrf(second.get_data(as_text=True)).replace(unknown, "X")
    assert body_first == body_second
    assert _cookie_names(first) == _cookie_names(second)
    assert not is_logged_in(client)


def test_inactive_user_gets_the_same_message_even_with_the_right_password(client, seed):
    user = seed.a.jobcoach
    user.is_active = False
    db.session.flush()
    response = client.post("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert REFUSED in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_user_without_password_cannot_log_in(client, seed):
    user = make_user("jobcoach", seed.a.municipality, password=None)
    response = client.post("/login", {"email": user.email, "password": ""})
    assert response.status_code == 200
    assert "Vul uw wachtwoord in." in response.get_data(as_text=True)
    response = client.post("/login", {"email": user.email, "password": "zomaar iets proberen"})
    assert REFUSED in response.get_data(as_text=True)


def test_failed_login_audit_has_no_actor_and_no_email(client, seed, caplog):
    caplog.set_level(logging.DEBUG)
    email = seed.a.admin.email
    _failed_login(client, email)
    _failed_login(client, "onbekend@voorbeeld.nl")
    events = audit_actions("auth.login_failed")
    assert len(events) == 2
    assert all(e.actor_id is None for e in events)
    assert events[0].object_id == seed.a.admin.id
    assert events[0].detail == {"reason": "wrong_password"}
    assert events[1].detail == {"reason": "unknown_account"}
    for event in events:
        assert "@" not in str(event.detail)
    assert email not in caplog.text
    assert "onbekend@voorbeeld.nl" not in caplog.text


def test_failure_rows_store_only_hashes(client, seed):
    _failed_login(client, seed.a.admin.email)
    keys = db.session.scalars(sa.select(LoginFailure.key_hash)).all()
    assert len(keys) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)


def test_unknown_and_wrong_password_cost_the_same_argon2_work(client, seed, monkeypatch):
    """Both paths run argon2 exactly once with the same parameters, so timing tells nothing (AU-2).

    Counting the work is deterministic; wall-clock medians on a busy shared CI machine are mostly noise.
    """
    calls: list[tuple[str, int, int]] = []
    original_hash, original_verify = PasswordHasher.hash, PasswordHasher.verify

    def counting_hash(self, *args, **kwargs):
        calls.append(("argon2", self.memory_cost, self.time_cost))
        return original_hash(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        calls.append(("argon2", self.memory_cost, self.time_cost))
        return original_verify(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    work = {}
    for email in (seed.a.jobcoach.email, "niet-bestaand@test.werkbrug.nl"):
        calls.clear()
        response = _failed_login(client, email)
        assert REFUSED in response.get_data(as_text=True)
        work[email] = list(calls)
    assert work[seed.a.jobcoach.email] == work["niet-bestaand@test.werkbrug.nl"] == [("argon2", 19456, 2)]


def test_session_cookie_changes_at_login_and_the_old_one_stays_anonymous(client, make_client, seed):
    client.get("/login")
    with client.raw.session_transaction() as sess:
        sess["planted"] = "by-attacker"  # whatever was in the session before login must not survive
    before = session_cookie(client)
    assert before
    client.login(seed.a.municipal)
    after = session_cookie(client)
    assert after
    assert after != before
    with client.raw.session_transaction() as sess:
        assert "planted" not in sess
    assert is_logged_in(client)
    assert not is_logged_in(with_cookie(make_client, before))


def test_session_cookie_flags_and_no_remember_cookie(client, seed):
    response = client.post("/login", {"email": seed.a.municipal.email, "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookies = [c for c in cookies if c.startswith("werkbrug_session=")]
    assert session_cookies
    assert "HttpOnly" in session_cookies[0]
    assert "SameSite=Lax" in session_cookies[0]
    assert "Expires=" in session_cookies[0]  # permanent session: the idle timeout is in the cookie
    assert not any("remember" in c for c in cookies)


def test_outdated_hash_is_upgraded_at_login(client, seed):
    user = seed.a.jobcoach
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    weak_hash = weak.hash(PASSWORD)
    user.password_hash = weak_hash
    db.session.flush()
    client.login(user)
    stored = db.session.get(User, user.id).password_hash
    assert stored != weak_hash
    assert "m=19456,t=2" in stored


def test_next_url_on_this_site_is_followed(client, seed):
    response = client.get("/account")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = client.post(login_url, {"email": seed.a.municipal.email, "password": PASSWORD})
    assert response.headers["Location"] == "/inloggen/code"
    response = client.post("/inloggen/code", {"code": current_code()})
    assert response.headers["Location"] == "/account"


HOSTILE_NEXT = [
    "//evil.nl",
    "///evil.nl",
    "////evil.nl",
    "https://evil.nl",
    "http://evil.nl/pad",
    "HTTPS://EVIL.NL",
    "ftp://evil.nl",
    "https:evil.nl",
    "https:/evil.nl",
    "/\\evil.nl",
    "\\\\evil.nl",
    "\\/evil.nl",
    "/\\/evil.nl",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>x</script>",
    "\t//evil.nl",
    "/\t/evil.nl",
    " //evil.nl",
    "\n//evil.nl",
    "/\r\nLocation: https://evil.nl",
    "evil.nl",
    "@evil.nl",
    "//localhost@evil.nl",
    "http://localhost@evil.nl",
    "//evil.nl\\@localhost",
    "https://evil.nl%23@localhost",
    "//%65vil.nl",
    "\x00//evil.nl",
    "//evil.nl/%2F..",
    "\u3000//evil.nl",
    "/\u2215evil.nl",
    "  https://evil.nl  ",
]
#: Already percent-encoded query strings, sent as they are (the server decodes them once).
HOSTILE_RAW = [
    "%2F%2Fevil.nl",
    "%2f%2fevil.nl",
    "%5C%5Cevil.nl",
    "/%5Cevil.nl",
    "%09//evil.nl",
    "%252F%252Fevil.nl",
]


def _assert_stays_on_site(location: str) -> None:
    assert not any(ch in location for ch in "\\\t\r\n"), location
    assert not location.startswith("//"), location
    assert urlsplit(location).scheme in ("", "http"), location
    assert urlsplit(urljoin("http://localhost/login", location)).netloc == "localhost", location


@pytest.mark.parametrize(
    "query", [f"next={quote(v, safe='')}" for v in HOSTILE_NEXT] + [f"next={v}" for v in HOSTILE_RAW]
)
def test_hostile_next_never_leaves_the_site(client, seed, query):
    response = client.post(f"/login?{query}", {"email": seed.a.municipal.email, "password": PASSWORD})
    assert response.status_code == 302
    _assert_stays_on_site(response.headers["Location"])
    response = client.post("/inloggen/code", {"code": current_code()})  # the next URL is followed here
    assert response.status_code == 302
    _assert_stays_on_site(response.headers["Location"])


def test_there_are_at_least_25_hostile_next_values():
    assert len(HOSTILE_NEXT) + len(HOSTILE_RAW) >= 25


LONG = "x" * 10_000
HOSTILE_LOGIN_INPUT = [
    ({"email": LONG, "password": PASSWORD}, "Een e-mailadres heeft hoogstens 254 tekens."),
    ({"email": "a@b.nl", "password": LONG}, "Een wachtwoord heeft hoogstens 128 tekens."),
    ({}, "Vul uw e-mailadres in."),
    ({"password": PASSWORD}, "Vul uw e-mailadres in."),
    ({"email": "' OR 1=1 --", "password": "' OR '1'='1"}, REFUSED),
    ({"email": "<script>alert(1)</script>", "password": "x" * 12}, REFUSED),
    ({"email": "مرحبا@مثال.إختبار", "password": "🙂" * 20}, REFUSED),
    ({"email": "a@b.nl\x00", "password": "null\x00byte"}, "Deze tekst bevat tekens die niet"),
    ({"email": "a@b.nl", "password": "null\x00byte password"}, REFUSED),
]


@pytest.mark.parametrize(("data", "message"), HOSTILE_LOGIN_INPUT)
def test_hostile_login_input_is_handled(client, data, message):
    response = client.post("/login", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message.replace("'", "&#39;") in html or message in html
    assert "<script>alert(1)</script>" not in html
    assert not is_logged_in(client)


def test_extra_and_duplicated_login_fields_are_ignored(client, seed):
    user = seed.a.jobcoach
    response = client.raw.post(
        "/login",
        data={
            "csrf_token": client.token or client.get("/login").headers["X-Test-CSRF-Token"],
            "email": [user.email, "other@test.werkbrug.nl"],
            "password": [PASSWORD, "fout"],
            "role": "admin",
            "municipality_id": "999",
            "is_active": "0",
            "next": "https://evil.nl",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen/code"
    user = db.session.get(User, user.id)
    assert user.role == "jobcoach"
    assert user.is_active


def test_login_without_csrf_token_is_refused(client, seed):
    response = client.post("/login", {"email": seed.a.jobcoach.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert not is_logged_in(client)
