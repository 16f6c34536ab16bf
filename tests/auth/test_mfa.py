"""The login's second step: a code from an app (TOTP), herstelcodes, the administrator's reset, and the
fresh login that sensitive routes ask for.

security.md AU-3 (every staff account needs the code; a password-only session reaches no protected route;
a code is accepted once) and AU-8 (sensitive routes need a fresh login) are the tests named ``test_au3_*``
and ``test_au8_*``.
"""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.auth import totp
from portal.auth.models import RecoveryCode, User
from portal.core.audit import CONTEXT_LABELS
from portal.core.models import AuditEvent
from portal.core.security import needs_fresh_login
from portal.extensions import db
from tests.auth.conftest import T0, audit_actions, is_logged_in
from tests.factories import PASSWORD, TOTP_SECRET, current_code, make_user, next_code
from tests.test_access import POLICY, build_url, iter_routes

CODE_PAGE = "/inloggen/code"
ENROL_PAGE = "/inloggen/app-koppelen"
#: Pages of the login's second step: the only ones a password-only session may see.
SECOND_STEP = {"auth.mfa_code", "auth.mfa_recovery", "auth.mfa_enrol", "auth.logout"}
WRONG_CODE = "Deze inlogcode klopt niet of is al gebruikt."


def code_at(step: int, secret: str = TOTP_SECRET) -> str:
    return totp.code_for(secret, step)


def password_only(client, user, password=PASSWORD, query=""):
    response = client.post(f"/login{query}", {"email": user.email, "password": password})
    assert response.status_code == 302
    return response


def fresh(user) -> User:
    return db.session.get(User, user.id, populate_existing=True)


# The codes themselves -------------------------------------------------------------------------------------

#: RFC 6238 appendix B (SHA-1), the last six of the eight digits.
RFC_6238 = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]


@pytest.mark.parametrize(("seconds", "code"), RFC_6238)
def test_codes_match_the_rfc_6238_test_vectors(seconds, code):
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp.code_for(secret, seconds // 30) == code


def test_a_new_secret_has_160_random_bits_and_is_shown_in_groups():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    secret = secrets.pop()
    assert len(base64.b32decode(secret)) == 20
    assert totp.grouped(secret).replace(" ", "") == secret
    assert all(len(group) == 4 for group in totp.grouped(secret).split())


# AU-3: staff need the code, a half session reaches nothing --------------------------------------------------


@pytest.mark.parametrize("role", ["municipal", "jobcoach", "admin"])
def test_au3_every_staff_account_needs_the_code(client, seed, role):
    """AU-3: the password alone does not log a staff user in; the code page follows."""
    response = password_only(client, seed.a.user(role))
    assert response.headers["Location"] == CODE_PAGE
    with client.raw.session_transaction() as sess:
        assert "_user_id" not in sess
    assert client.get("/account").headers["Location"] == CODE_PAGE
    page = client.get(CODE_PAGE).get_data(as_text=True)
    assert "Inlogcode" in page
    assert 'autocomplete="one-time-code"' in page
    assert 'inputmode="numeric"' in page
    assert "Voer de 6 cijfers uit uw app in." in page
    response = client.post(CODE_PAGE, {"code": current_code()})
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)
    assert [e.detail["method"] for e in audit_actions("auth.mfa_passed")] == ["app"]


def _half_sessions(seed):
    """(label, user) for a password-only session of every kind of account that must give a code."""
    seed.a.municipality.employer_mfa_required = True
    without_app = make_user("jobcoach", seed.a.municipality, mfa=False)
    db.session.flush()
    return [
        ("municipal", seed.a.municipal),
        ("jobcoach", seed.a.jobcoach),
        ("admin", seed.a.admin),
        ("employer (required by the municipality)", seed.a.employer_user),
        ("staff without an app yet", without_app),
    ]


def test_au3_a_password_only_session_reaches_no_protected_route(app, seed, make_client):
    """AU-3 crawl: with only the password given, every GET and POST route of app.url_map (ids from the
    seed) either is public, is a page of the second step, or sends the visitor to the code page. Public
    pages show nothing of the account; nothing is written by the refused requests."""
    problems, crawled = [], 0
    for label, user in _half_sessions(seed):
        client = make_client()
        password_only(client, user)
        for rule, method in iter_routes(app):
            policy = POLICY[rule.endpoint]
            if rule.endpoint == "auth.logout":
                continue
            url = build_url(app, rule, seed.a)
            before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
            response = client.open(url, method=method, data={"reason": "x", "decision": "approve"})
            crawled += 1
            body = response.get_data(as_text=True)
            if user.full_name in body or user.email in body:
                problems.append((label, method, rule.rule, "shows the account"))
            if policy == ("public",):
                continue
            if rule.endpoint in SECOND_STEP:
                if response.status_code not in (200, 302):
                    problems.append((label, method, rule.rule, response.status_code))
                continue
            if response.status_code != 302 or response.headers["Location"] != CODE_PAGE:
                problems.append(
                    (label, method, rule.rule, response.status_code, response.headers.get("Location"))
                )
            if db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) != before:
                problems.append((label, method, rule.rule, "wrote an audit event"))
        # Still half: the account page is not reachable, the code page is.
        assert client.get("/account").headers["Location"] == CODE_PAGE, label
    assert problems == []
    assert crawled > 5 * 150


def test_au3_the_second_step_pages_serve_only_the_half_session(client, seed):
    """The code page without a password given first is the login page; with a full login, home."""
    assert client.get(CODE_PAGE).headers["Location"] == "/login"
    assert client.get(ENROL_PAGE).headers["Location"] == "/login"
    client.login(seed.a.jobcoach)
    assert client.get(CODE_PAGE).headers["Location"] == "/"


def test_au3_a_code_is_accepted_once(client, make_client, seed, frozen):
    """AU-3 / ASVS 6.5.1: the same code twice is refused the second time, and so is an older one."""
    user = seed.a.municipal
    now = totp.step_at(T0)
    password_only(client, user)
    assert client.post(CODE_PAGE, {"code": code_at(now)}).headers["Location"] == "/"
    assert fresh(user).totp_last_step == now
    for replayed in (code_at(now), code_at(now - 1)):
        other = make_client()
        password_only(other, user)
        response = other.post(CODE_PAGE, {"code": replayed})
        assert response.status_code == 200
        assert WRONG_CODE in response.get_data(as_text=True)
        assert not is_logged_in(other)
    assert [e.detail["reason"] for e in audit_actions("auth.mfa_failed")] == ["replay", "replay"]
    # The next time step's code is new: accepted once.
    frozen.shift(timedelta(seconds=30))
    other = make_client()
    password_only(other, user)
    assert other.post(CODE_PAGE, {"code": code_at(now + 1)}).headers["Location"] == "/"


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_of_clock_drift_is_accepted_either_way(client, seed, frozen, offset, accepted):
    password_only(client, seed.a.jobcoach)
    response = client.post(CODE_PAGE, {"code": code_at(totp.step_at(T0) + offset)})
    assert (response.status_code == 302) is accepted


def test_wrong_codes_are_limited_per_account_and_the_block_passes(client, make_client, seed, frozen):
    user = seed.a.jobcoach
    password_only(client, user)
    for _ in range(5):
        assert WRONG_CODE in client.post(CODE_PAGE, {"code": "000000"}).get_data(as_text=True)
    response = client.post(CODE_PAGE, {"code": current_code()})
    assert response.status_code == 429
    assert "te vaak een verkeerde code" in response.get_data(as_text=True)
    # Another browser with the right password is blocked too: the limit belongs to the account.
    other = make_client()
    password_only(other, user)
    assert other.post(CODE_PAGE, {"code": current_code()}).status_code == 429
    frozen.shift(timedelta(minutes=16))
    other = make_client()
    password_only(other, user)
    assert other.post(CODE_PAGE, {"code": current_code()}).headers["Location"] == "/"


def test_a_half_session_expires(client, seed, frozen):
    password_only(client, seed.a.jobcoach)
    frozen.shift(timedelta(minutes=11))
    response = client.post(CODE_PAGE, {"code": current_code()})
    assert response.headers["Location"] == "/login"
    assert "Het inloggen duurde te lang." in client.get("/login").get_data(as_text=True)
    assert not is_logged_in(client)


def test_stopping_during_the_second_step_ends_the_half_session(client, seed):
    password_only(client, seed.a.jobcoach)
    assert 'action="/logout"' in client.get(CODE_PAGE).get_data(as_text=True)
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get(CODE_PAGE).headers["Location"] == "/login"


def test_a_deactivated_user_cannot_finish_the_second_step(client, seed):
    password_only(client, seed.a.jobcoach)
    user = fresh(seed.a.jobcoach)
    user.is_active = False
    user.login_token = "rotated"
    db.session.flush()
    assert client.post(CODE_PAGE, {"code": current_code()}).headers["Location"] == "/login"
    assert not is_logged_in(client)


def test_the_next_url_survives_the_code_step(client, seed):
    response = client.get("/taken")
    password_only(client, seed.a.jobcoach, query="?" + response.headers["Location"].split("?", 1)[1])
    assert client.post(CODE_PAGE, {"code": current_code()}).headers["Location"] == "/taken"


def test_a_password_reset_never_skips_the_code(client, seed):
    """ASVS 6.4.3: after choosing a new password through the e-mailed link the code is still asked."""
    from portal.auth import services

    user = seed.a.jobcoach
    token = services.request_password_reset(user.email)
    raw = re.search(r"/wachtwoord-herstellen/([A-Za-z0-9_\-]+)", token_mail_body(user)).group(1)
    new = "een heel nieuw wachtwoord voor het werk"
    client.post(f"/wachtwoord-herstellen/{raw}", {"password": new, "password_confirm": new})
    assert token is not None
    response = password_only(client, user, password=new)
    assert response.headers["Location"] == CODE_PAGE
    assert not is_logged_in(client)


def token_mail_body(user) -> str:
    from portal.core.models import OutboxEmail

    return (
        db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to_address == user.email)).one().body_text
    )


# Linking an app -------------------------------------------------------------------------------------------


def _secret_on(html: str) -> str:
    return re.search(r'id="sleutel">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def test_staff_without_an_app_link_one_after_the_password(client, seed, frozen):
    user = make_user("municipal", seed.a.municipality, mfa=False)
    password_only(client, user)
    assert client.get(CODE_PAGE).headers["Location"] == ENROL_PAGE
    assert client.get("/login").headers["Location"] == CODE_PAGE
    page = client.get(ENROL_PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html
    assert "QR-code" in html
    secret = _secret_on(html)
    assert re.search(r"id=\"sleutel\">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<", html)
    assert client.get(ENROL_PAGE).get_data(as_text=True).count(totp.grouped(secret)) == 1  # same secret
    wrong = client.post(ENROL_PAGE, {"code": "123456" if current_code(secret) != "123456" else "654321"})
    assert WRONG_CODE in wrong.get_data(as_text=True)
    assert not fresh(user).has_mfa
    done = client.post(ENROL_PAGE, {"code": current_code(secret)})
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    codes = re.findall(r'<code class="utrecht-code">([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>', html)
    assert len(codes) == len(set(codes)) == 10
    assert "U ziet ze maar één keer." in html
    assert is_logged_in(client)
    user = fresh(user)
    assert user.has_mfa
    assert (user.totp_secret, user.totp_last_step) == (secret, totp.step_at(T0))
    stored = db.session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    # The next login asks for the code.
    client.post("/logout")
    frozen.shift(timedelta(seconds=30))
    assert password_only(client, user).headers["Location"] == CODE_PAGE
    assert client.get(CODE_PAGE).status_code == 200


def test_a_herstelcode_logs_in_once(client, make_client, seed, frozen):
    user = make_user("jobcoach", seed.a.municipality, mfa=False)
    password_only(client, user)
    secret = _secret_on(client.get(ENROL_PAGE).get_data(as_text=True))
    html = client.post(ENROL_PAGE, {"code": current_code(secret)}).get_data(as_text=True)
    codes = re.findall(r'<code class="utrecht-code">([a-z2-9-]{19})</code>', html)
    other = make_client()
    password_only(other, user)
    response = other.post("/inloggen/herstelcode", {"code": codes[3].upper().replace("-", " ")})
    assert response.headers["Location"] == "/"
    assert "U heeft nog 9 herstelcodes." in other.get("/account").get_data(as_text=True)
    again = make_client()
    password_only(again, user)
    refused = again.post("/inloggen/herstelcode", {"code": codes[3]})
    assert "Deze herstelcode klopt niet of is al gebruikt." in refused.get_data(as_text=True)
    assert not is_logged_in(again)


def test_new_herstelcodes_from_the_account_page_replace_the_old_ones(client, make_client, seed):
    user = seed.a.municipal
    client.login(user)
    first = re.findall(
        r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}",
        client.post("/account/herstelcodes").get_data(as_text=True),
    )
    second = re.findall(
        r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}",
        client.post("/account/herstelcodes").get_data(as_text=True),
    )
    assert len(first) == len(second) == 10
    assert not set(first) & set(second)
    other = make_client()
    password_only(other, user)
    assert other.post("/inloggen/herstelcode", {"code": first[0]}).status_code == 200
    assert other.post("/inloggen/herstelcode", {"code": second[0]}).headers["Location"] == "/"


def test_a_user_links_a_new_app_from_the_account_page(client, seed, frozen):
    user = seed.a.jobcoach
    client.login(user)
    page = client.get("/account").get_data(as_text=True)
    assert "Nieuwe telefoon? Koppel een nieuwe app" in page
    secret = _secret_on(client.get("/account/app-koppelen").get_data(as_text=True))
    assert client.post("/account/app-koppelen", {"code": current_code(secret)}).status_code == 200
    assert fresh(user).totp_secret == secret
    assert [e.object_id for e in audit_actions("auth.mfa_enrolled")] == [user.id]


# Employers: offered, and required when the municipality says so --------------------------------------------


def test_employers_log_in_with_the_password_alone_unless_their_municipality_requires_the_code(
    client, make_client, seed, login_as
):
    employer = seed.a.employer_user
    assert password_only(client, employer).headers["Location"] == "/"
    admin = login_as(seed.a.admin)
    page = admin.get("/beheer/beveiliging").get_data(as_text=True)
    assert "Werkgevers loggen in met een code uit een app" in page
    assert admin.post("/beheer/beveiliging", {"employer_mfa_required": "y"}).status_code == 302
    assert seed.a.municipality.employer_mfa_required is True
    assert [e.detail for e in audit_actions("municipality.security_changed")] == [
        {"employer_mfa_required": True}
    ]
    other = make_client()
    assert password_only(other, employer).headers["Location"] == CODE_PAGE
    assert other.get(CODE_PAGE).headers["Location"] == ENROL_PAGE
    # Tenant B's employers are not affected.
    assert password_only(make_client(), seed.b.employer_user).headers["Location"] == "/"


def test_an_employer_may_choose_to_use_the_code(client, make_client, seed):
    employer = seed.a.employer_user
    client.login(employer)
    assert "Inlogcode aanzetten" in client.get("/account").get_data(as_text=True)
    secret = _secret_on(client.get("/account/app-koppelen").get_data(as_text=True))
    assert client.post("/account/app-koppelen", {"code": current_code(secret)}).status_code == 200
    assert password_only(make_client(), employer).headers["Location"] == CODE_PAGE


# The administrator's reset ---------------------------------------------------------------------------------


def test_an_admin_unlinks_a_users_app_and_the_next_login_links_a_new_one(login_as, make_client, seed):
    user = seed.a.jobcoach
    logged_in = login_as(user)
    admin = login_as(seed.a.admin)
    assert "App loskoppelen" in admin.get("/beheer/gebruikers").get_data(as_text=True)
    response = admin.post(f"/beheer/gebruikers/{user.id}/inlogcode-resetten")
    assert response.headers["Location"] == "/beheer/gebruikers"
    user = fresh(user)
    assert not user.has_mfa
    assert user.totp_secret is None
    assert (
        db.session.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id))
        == 0
    )
    assert not is_logged_in(logged_in)
    [event] = audit_actions("auth.mfa_reset")
    assert (event.actor_id, event.object_id, event.detail["context"]) == (
        seed.a.admin.id,
        user.id,
        "mfa_reset",
    )
    assert event.detail["context"] in CONTEXT_LABELS
    other = make_client()
    password_only(other, user)
    assert other.get(CODE_PAGE).headers["Location"] == ENROL_PAGE


def test_an_admin_cannot_reset_another_municipalitys_user_or_their_own(login_as, seed):
    admin = login_as(seed.a.admin)
    assert admin.post(f"/beheer/gebruikers/{seed.b.jobcoach.id}/inlogcode-resetten").status_code == 404
    admin.post(f"/beheer/gebruikers/{seed.a.admin.id}/inlogcode-resetten")
    assert fresh(seed.a.admin).has_mfa
    assert fresh(seed.b.jobcoach).has_mfa


# AU-8: a fresh login for sensitive routes ------------------------------------------------------------------

#: Routes that change the password or the app, unlink someone's app, change the login rules or download
#: personal data. (E-mail addresses are changed by nobody in the portal yet; roles are given only when an
#: administrator creates a staff user.)
FRESH_ROUTES = {
    "auth.change_password",
    "auth.account_app",
    "auth.renew_recovery_codes",
    "admin.user_reset_mfa",
    "admin.security",
    "privacy.access",
    "privacy.access_json",
    "monitoring.export",
}


def test_au8_the_sensitive_routes_are_the_ones_that_ask_for_a_fresh_login(app):
    """AU-8: the list of routes that need a fresh login is exactly the sensitive ones."""
    marked = {
        rule.endpoint for rule, _ in iter_routes(app) if needs_fresh_login(app.view_functions[rule.endpoint])
    }
    assert marked == FRESH_ROUTES


def _user_for(seed, endpoint: str):
    policy = POLICY[endpoint]
    return (
        seed.a.user("admin" if "admin" in policy else "municipal")
        if policy[0] == "roles"
        else seed.a.municipal
    )


@pytest.mark.parametrize("endpoint", sorted(FRESH_ROUTES))
def test_au8_an_old_login_confirms_password_and_code_first(app, seed, login_as, frozen, endpoint):
    """AU-8: 16 minutes after the login a sensitive route sends the user to "Bevestig dat u het bent";
    after the password and code they come back (a GET to the route itself, a POST to its page)."""
    client = login_as(_user_for(seed, endpoint))
    rule = next(rule for rule, _ in iter_routes(app) if rule.endpoint == endpoint)
    method = "GET" if "GET" in rule.methods else "POST"
    url = build_url(app, rule, seed.a)
    frozen.shift(timedelta(minutes=16))
    referrer = "http://localhost/account"
    response = client.open(url, method=method, headers={"Referer": referrer})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/bevestigen?next=")
    back = url if method == "GET" else "/account"
    page = client.get(location).get_data(as_text=True)
    assert "Bevestig dat u het bent" in page
    assert 'autocomplete="one-time-code"' in page
    wrong = client.post(location, {"password": "niet mijn wachtwoord", "code": current_code()})
    assert "Uw wachtwoord klopt niet." in wrong.get_data(as_text=True)
    assert client.open(url, method=method).headers.get("Location", "").startswith("/bevestigen")
    done = client.post(location, {"password": PASSWORD, "code": current_code()})
    assert done.headers["Location"] == back
    assert not client.open(url, method=method).headers.get("Location", "").startswith("/bevestigen")


def test_au8_within_the_fresh_minutes_nothing_is_asked(seed, login_as, frozen):
    client = login_as(seed.a.municipal)
    frozen.shift(timedelta(minutes=14))
    assert client.get(f"/kandidaten/{seed.a.candidate.id}/inzage").status_code == 200


def test_au8_a_wrong_code_on_the_confirm_page_counts_and_is_refused(seed, login_as, frozen):
    client = login_as(seed.a.municipal)
    frozen.shift(timedelta(minutes=20))
    response = client.post("/bevestigen", {"password": PASSWORD, "code": "000000"})
    assert WRONG_CODE in response.get_data(as_text=True)
    assert client.get("/account/app-koppelen").headers["Location"].startswith("/bevestigen")
    assert [e.detail["reason"] for e in audit_actions("auth.mfa_failed")] == ["wrong_code"]


def test_au8_an_employer_without_an_app_confirms_with_the_password(seed, login_as, frozen):
    client = login_as(seed.a.employer_user)
    frozen.shift(timedelta(minutes=20))
    response = client.get("/account/app-koppelen")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="code"' not in page
    done = client.post(response.headers["Location"], {"password": PASSWORD})
    assert done.headers["Location"] == "/account/app-koppelen"


def test_au8_the_confirm_page_never_sends_the_user_off_the_site(seed, login_as, frozen):
    client = login_as(seed.a.municipal)
    frozen.shift(timedelta(minutes=20))
    done = client.post("/bevestigen?next=//evil.nl", {"password": PASSWORD, "code": current_code()})
    assert done.headers["Location"] == "/account"


def test_the_confirm_code_cannot_be_replayed(seed, login_as, frozen):
    client = login_as(seed.a.municipal)
    used = current_code()
    frozen.shift(timedelta(minutes=20))
    client.post("/bevestigen", {"password": PASSWORD, "code": next_code()})
    frozen.shift(timedelta(minutes=20))
    response = client.post("/bevestigen", {"password": PASSWORD, "code": used})
    assert WRONG_CODE in response.get_data(as_text=True)


def test_au3_a_session_without_the_code_ends_when_the_code_becomes_required(seed, login_as):
    """An employer logged in with the password alone is logged out as soon as their municipality requires
    the code; a staff session that never gave a code (from before this version) is not a login either."""
    employer = login_as(seed.a.employer_user)
    assert is_logged_in(employer)
    seed.a.municipality.employer_mfa_required = True
    db.session.flush()
    assert not is_logged_in(employer)
    staff = login_as(seed.a.jobcoach)
    with staff.raw.session_transaction() as sess:
        sess.pop("code_given")
    assert not is_logged_in(staff)


def test_an_employer_who_links_an_app_stays_logged_in(seed, login_as):
    client = login_as(seed.a.employer_user)
    secret = _secret_on(client.get("/account/app-koppelen").get_data(as_text=True))
    client.post("/account/app-koppelen", {"code": current_code(secret)})
    assert is_logged_in(client)
