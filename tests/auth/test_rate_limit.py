"""Brute-force limits per account and per client address, with a window, not a permanent lock (AU-1).

The limit per account is low (5 in 15 minutes); the ceiling per client address is much higher (200), so
colleagues behind one address (a town hall's NAT) keep logging in while one of them mistypes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.auth.passwords import hash_password
from tests.auth.conftest import BLOCKED, REFUSED, audit_actions, is_logged_in
from tests.factories import PASSWORD, make_user

WRONG = "dit is het niet hoor"
TOWN_HALL = {"REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture(autouse=True)
def cheap_hashing(app, monkeypatch):
    """Hundreds of logins in one test: the limits do not depend on the cost of the password hash."""
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 1)
    monkeypatch.setitem(app.config, "ARGON2_MEMORY_KIB", 64)


def _login(client, email, password, **kwargs):
    return client.post("/login", {"email": email, "password": password}, **kwargs)


def test_sixth_attempt_is_refused_even_with_the_right_password_until_the_window_passes(client, seed, frozen):
    email = seed.a.jobcoach.email
    for _ in range(5):
        response = _login(client, email, WRONG)
        assert response.status_code == 200
        assert REFUSED in response.get_data(as_text=True)
    frozen.shift(timedelta(minutes=1))
    blocked = _login(client, email, PASSWORD)
    assert blocked.status_code == 429
    assert BLOCKED in blocked.get_data(as_text=True)
    assert not is_logged_in(client)
    assert audit_actions("auth.login_failed")[-1].detail == {"reason": "blocked"}
    frozen.shift(timedelta(minutes=10))
    assert _login(client, email, PASSWORD).status_code == 429  # still within 15 minutes of the failures
    frozen.shift(timedelta(minutes=5))
    assert _login(client, email, PASSWORD).status_code == 302  # no permanent lock-out


def test_the_account_limit_holds_across_client_addresses(make_client, seed, frozen):
    email = seed.a.jobcoach.email
    for n in range(5):
        c = make_client()
        _login(c, email, WRONG, environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
    response = _login(make_client(), email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.77"})
    assert response.status_code == 429


def test_other_accounts_are_not_blocked_by_one_account_limit(client, seed, frozen):
    for _ in range(5):
        _login(client, seed.a.jobcoach.email, WRONG)
    assert _login(client, seed.a.municipal.email, PASSWORD).status_code == 302


def test_unknown_accounts_are_limited_the_same_way(client, seed, frozen):
    for _ in range(5):
        assert _login(client, "wie-ben-ik@test.werkbrug.nl", WRONG).status_code == 200
    response = _login(client, "wie-ben-ik@test.werkbrug.nl", WRONG)
    assert response.status_code == 429
    assert BLOCKED in response.get_data(as_text=True)


def test_a_successful_login_resets_the_account_counter(client, make_client, seed, frozen):
    email = seed.a.jobcoach.email
    for _ in range(4):
        _login(client, email, WRONG)
    assert _login(client, email, PASSWORD).status_code == 302
    other = make_client()
    for _ in range(4):
        assert _login(other, email, WRONG).status_code == 200
    assert _login(other, email, PASSWORD).status_code == 302


def test_colleagues_behind_one_address_keep_logging_in_while_each_mistypes(make_client, seed, frozen):
    cheap_hash = hash_password(PASSWORD)
    colleagues = [make_user("municipal", municipality=seed.a.municipality, password=None) for _ in range(30)]
    for colleague in colleagues:
        colleague.password_hash = cheap_hash
    for colleague in colleagues:
        browser = make_client()
        for _ in range(2):
            response = _login(browser, colleague.email, WRONG, environ_base=TOWN_HALL)
            assert response.status_code == 200
            assert REFUSED in response.get_data(as_text=True)
        assert _login(browser, colleague.email, PASSWORD, environ_base=TOWN_HALL).status_code == 302
    # One colleague who keeps guessing is locked out alone; the others behind the address are not.
    for _ in range(5):
        _login(make_client(), colleagues[0].email, WRONG, environ_base=TOWN_HALL)
    assert _login(make_client(), colleagues[0].email, PASSWORD, environ_base=TOWN_HALL).status_code == 429
    assert _login(make_client(), colleagues[1].email, PASSWORD, environ_base=TOWN_HALL).status_code == 302


def test_an_address_that_tries_many_accounts_hits_the_ceiling(client, make_client, seed, frozen, app):
    assert app.config["LOGIN_MAX_FAILURES_IP"] == 200
    for n in range(200):
        response = _login(client, f"poging{n}@test.werkbrug.nl", WRONG, environ_base=TOWN_HALL)
        assert response.status_code == 200, n
    blocked = _login(client, seed.a.municipal.email, PASSWORD, environ_base=TOWN_HALL)
    assert blocked.status_code == 429
    assert BLOCKED in blocked.get_data(as_text=True)
    elsewhere = {"REMOTE_ADDR": "198.51.100.5"}
    assert _login(make_client(), seed.a.municipal.email, PASSWORD, environ_base=elsewhere).status_code == 302
    frozen.shift(timedelta(minutes=16))
    assert _login(make_client(), seed.a.municipal.email, PASSWORD, environ_base=TOWN_HALL).status_code == 302


@pytest.fixture
def low_ceiling(app, monkeypatch):
    """The mechanism of the ceiling per address, with a ceiling of 20 to keep the tests short."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_IP", 20)


def _fail_from_ip_20_times(client):
    for n in range(20):
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        response = _login(client, f"poging{n}@test.werkbrug.nl", WRONG, headers=headers)
        assert response.status_code == 200


def test_reaching_the_ceiling_blocks_that_address_whatever_it_claims(
    client, make_client, seed, frozen, low_ceiling
):
    _fail_from_ip_20_times(client)
    # A spoofed X-Forwarded-For (no trusted proxy configured) does not give a fresh counter.
    response = _login(client, seed.a.municipal.email, PASSWORD, headers={"X-Forwarded-For": "192.0.2.99"})
    assert response.status_code == 429
    other_address = make_client()
    response = _login(
        other_address, seed.a.municipal.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code == 302
    frozen.shift(timedelta(minutes=16))
    assert _login(client, seed.a.municipal.email, PASSWORD).status_code == 302


def test_behind_one_trusted_proxy_only_the_proxy_added_address_counts(
    app, client, make_client, seed, frozen, monkeypatch, low_ceiling
):
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1))
    for n in range(20):
        # The client makes up an address; the proxy appends the real one (198.51.100.20).
        headers = {"X-Forwarded-For": f"10.0.0.{n}, 198.51.100.20"}
        assert _login(client, f"poging{n}@test.werkbrug.nl", WRONG, headers=headers).status_code == 200
    spoofed = {"X-Forwarded-For": "10.9.9.9, 198.51.100.20"}
    assert _login(client, seed.a.municipal.email, PASSWORD, headers=spoofed).status_code == 429
    other = {"X-Forwarded-For": "10.9.9.9, 198.51.100.21"}
    assert _login(make_client(), seed.a.municipal.email, PASSWORD, headers=other).status_code == 302
