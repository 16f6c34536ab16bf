"""Cross-cutting HTTP behaviour: security headers, CSRF on every state change, GET never writes."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from portal.core.audit import CANDIDATE_VIEWED, CANDIDATES_LISTED
from portal.core.security import ROLES
from portal.extensions import db
from tests.factories import make_user
from tests.test_access import POLICY, build_url, iter_routes

DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
#: The one write a GET may do: the audit trail of who consulted which candidate (alone or in a list).
AUDIT_INSERT = re.compile(r"^\s*INSERT INTO audit_events\b", re.IGNORECASE)
CONSULTATIONS = {CANDIDATE_VIEWED, CANDIDATES_LISTED}


def _consultation(statement: str, context) -> bool:
    """An INSERT into the audit trail of consultation events only (no other action may hide in it)."""
    rows = getattr(context, "compiled_parameters", None) or []
    return bool(AUDIT_INSERT.match(statement) and rows) and all(
        row.get("action") in CONSULTATIONS for row in rows
    )


@contextmanager
def count_writes(allow_audit: bool = False):
    writes: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if DML.match(statement) and not (allow_audit and _consultation(statement, context)):
            writes.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield writes
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    # The portal needs no camera, microphone, location or payment: no page (nor anything it embeds) gets them.
    policy = {part.strip() for part in response.headers["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= policy


@pytest.mark.parametrize("path", ["/login", "/bestaat-niet", "/healthz"])
def test_security_headers_on_pages_and_errors(client, path):
    response = client.get(path)
    assert_security_headers(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_security_headers_on_method_not_allowed_and_csrf_errors(client):
    assert_security_headers(client.raw.put("/login"))
    response = client.post("/login", {"email": "a@b.nl", "password": "x"}, csrf=False)
    assert response.status_code == 400
    assert_security_headers(response)
    assert "Formulier verlopen" in response.get_data(as_text=True)


def test_unhandled_error_shows_a_generic_page(app, client, monkeypatch):
    from portal.main import queries

    def explode(user):
        raise RuntimeError("secret internal detail /etc/passwd")

    monkeypatch.setattr(queries, "home_context", explode)
    client.login(make_user("municipal"))
    response = client.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Er ging iets mis" in body
    assert "secret internal detail" not in body
    assert "Traceback" not in body
    assert_security_headers(response)


@pytest.mark.parametrize("role", ROLES)
def test_every_state_change_needs_a_csrf_token(app, seed, login_as, role):
    client = login_as(seed.a.user(role))
    refused = []
    with count_writes() as writes:
        for rule, method in iter_routes(app):
            if method != "POST":
                continue
            url = build_url(app, rule, seed.a)
            for token in (None, "vervalst-token"):
                data = {} if token is None else {"csrf_token": token}
                status = client.post(url, data, csrf=False).status_code
                if status != 400:
                    refused.append((rule.rule, token, status))
    assert refused == []
    assert writes == []


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_get_requests_never_write(app, seed, make_client, role):
    client = make_client()
    if role != "anonymous":
        client.login(seed.a.user(role))
    with count_writes(allow_audit=True) as writes:
        for rule, method in iter_routes(app):
            if method != "GET" or POLICY[rule.endpoint] == ("login",) and role == "anonymous":
                continue
            client.get(build_url(app, rule, seed.a))
    assert writes == []


def test_the_session_serializer_is_made_once_per_key(app):
    from itsdangerous import BadSignature

    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = first.dumps({"a": 1})
    old, fallbacks = app.secret_key, app.config.get("SECRET_KEY_FALLBACKS")
    try:
        app.secret_key = old + "-rotated"
        rotated = interface.get_signing_serializer(app)
        assert rotated is not first
        with pytest.raises(BadSignature):
            rotated.loads(cookie)
        app.config["SECRET_KEY_FALLBACKS"] = [old]
        assert interface.get_signing_serializer(app).loads(cookie) == {"a": 1}
    finally:
        app.secret_key = old
        app.config["SECRET_KEY_FALLBACKS"] = fallbacks
    assert interface.get_signing_serializer(app).loads(cookie) == {"a": 1}
