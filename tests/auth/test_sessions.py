"""Sessions end for real: logout, password change, deactivation and both timeouts (AU-5, AU-6, AU-7)."""

from __future__ import annotations

from datetime import timedelta

from portal.auth.models import User, new_login_token
from portal.extensions import db
from tests.auth.conftest import audit_actions, is_logged_in, session_cookie, with_cookie
from tests.factories import PASSWORD

NEW_PASSWORD = "fietsen langs de dommel in mei"


def test_logout_ends_the_session_and_a_captured_cookie(client, make_client, seed):
    user = seed.a.municipal
    client.login(user)
    stolen = session_cookie(client)
    old_token = user.login_token
    response = client.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "U bent uitgelogd." in client.get("/login").get_data(as_text=True)
    assert not is_logged_in(client)
    attacker = with_cookie(make_client, stolen)
    response = attacker.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert db.session.get(User, user.id).login_token != old_token
    assert [e.actor_id for e in audit_actions("auth.logout")] == [user.id]


def test_logout_needs_post_and_a_csrf_token(login_as, seed):
    c = login_as(seed.a.jobcoach)
    assert c.get("/logout").status_code == 405
    assert c.post("/logout", csrf=False).status_code == 400
    assert is_logged_in(c)


def test_logout_when_not_logged_in_goes_to_login(client):
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_ends_the_users_other_sessions_too(login_as, seed):
    phone, laptop = login_as(seed.a.jobcoach), login_as(seed.a.jobcoach)
    phone.logout()
    assert not is_logged_in(laptop)


def test_password_change_ends_other_sessions_but_keeps_this_one(login_as, make_client, seed):
    user = seed.a.jobcoach
    here, elsewhere = login_as(user), login_as(user)
    captured_here = session_cookie(here)
    response = here.post(
        "/account/wachtwoord",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = here.get("/account")
    assert page.status_code == 200
    assert "Uw wachtwoord is gewijzigd." in page.get_data(as_text=True)
    assert not is_logged_in(elsewhere)
    assert not is_logged_in(with_cookie(make_client, captured_here))


def test_deactivated_user_is_anonymous_on_the_next_request(login_as, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    user.is_active = False
    user.login_token = new_login_token()  # what the admin service does
    db.session.flush()
    response = c.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_deactivation_alone_also_ends_the_session(login_as, seed):
    user = seed.a.jobcoach
    c = login_as(user)
    user.is_active = False
    db.session.flush()
    assert not is_logged_in(c)


def test_tampered_session_user_id_is_anonymous(client, seed):
    client.login(seed.a.jobcoach)
    for value in (
        "",
        "abc",
        f"{seed.a.jobcoach.id}",
        f"{seed.a.admin.id}:{seed.a.jobcoach.login_token}",
        "999999:x",
        "1:" + "x" * 5000,
    ):
        with client.raw.session_transaction() as sess:
            sess["_user_id"] = value
        assert not is_logged_in(client), value


def test_idle_timeout_after_30_minutes(client, seed, frozen):
    client.login(seed.a.municipal)
    frozen.shift(timedelta(minutes=29))
    assert is_logged_in(client)  # activity keeps the session alive
    frozen.shift(timedelta(minutes=29))
    assert is_logged_in(client)
    frozen.shift(timedelta(minutes=31))
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_unchanged_session_is_signed_again_once_a_minute_not_on_every_request(client, seed, frozen):
    client.login(seed.a.municipal)
    client.get("/account")
    assert "Set-Cookie" not in client.get("/account").headers, "signed a moment ago"
    frozen.shift(timedelta(seconds=61))
    assert "session=" in client.get("/account").headers["Set-Cookie"], "moves the idle timeout on"
    assert "Set-Cookie" not in client.get("/account").headers
    for _ in range(40):  # a request every 50 seconds for more than half an hour keeps the session alive
        frozen.shift(timedelta(seconds=50))
        assert is_logged_in(client)


def test_idle_cookie_replayed_after_30_minutes_is_anonymous(client, make_client, seed, frozen):
    client.login(seed.a.municipal)
    captured = session_cookie(client)
    frozen.shift(timedelta(minutes=31))
    assert not is_logged_in(with_cookie(make_client, captured))


def test_absolute_timeout_after_12_hours_however_active(client, seed, frozen):
    client.login(seed.a.municipal)
    for _ in range(28):  # every 25 minutes, for 11 h 40 min
        frozen.shift(timedelta(minutes=25))
        assert is_logged_in(client)
    frozen.shift(timedelta(minutes=25))  # 12 h 05 min after logging in
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    client.login(seed.a.municipal)  # logging in again starts a new 12 hours
    assert is_logged_in(client)


def test_session_without_login_time_is_refused(client, seed):
    client.login(seed.a.municipal)
    with client.raw.session_transaction() as sess:
        del sess["auth_at"]
    assert not is_logged_in(client)


def test_a_form_filled_in_slowly_without_logging_in_does_not_expire(client, frozen):
    """Registering or resetting a password takes time: the idle timeout is for signed-in sessions only."""
    page = client.get("/wachtwoord-vergeten")
    assert page.status_code == 200
    frozen.shift(timedelta(minutes=90))
    response = client.post("/wachtwoord-vergeten", {"email": "iemand@test.werkbrug.nl"})
    assert response.status_code == 302, "the CSRF token in the anonymous session is still valid"


def test_an_anonymous_session_still_ends_with_the_csrf_time_limit(client, frozen, app):
    client.get("/wachtwoord-vergeten")
    cookie = session_cookie(client)
    frozen.shift(timedelta(seconds=app.config["WTF_CSRF_TIME_LIMIT"] + 60))
    with client.raw.session_transaction() as sess:
        assert dict(sess) == {}, cookie
