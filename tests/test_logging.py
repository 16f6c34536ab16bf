"""Log hygiene: passwords, e-mail addresses and tokens never reach the application log."""

from __future__ import annotations

import logging
import re

from tests.factories import PASSWORD, make_user

#: The development mail backend writes whole messages to this logger on purpose (production refuses it).
MAIL_LOGGER = "portal.mail"


def test_login_reset_and_registration_log_no_personal_data(client, make_client, caplog):
    user = make_user("municipal", email="geheim.adres@test.werkbrug.nl")
    caplog.set_level(logging.DEBUG)
    client.post("/login", {"email": user.email, "password": "verkeerd wachtwoord 123"})
    client.post("/login", {"email": "onbekend.adres@test.werkbrug.nl", "password": PASSWORD})
    client.login(user)
    make_client().post("/wachtwoord-vergeten", {"email": user.email})
    messages = [r.getMessage() for r in caplog.records if r.name != MAIL_LOGGER]
    assert messages, "expected some log lines"
    text = "\n".join(messages)
    for secret in (
        PASSWORD,
        "verkeerd wachtwoord 123",
        user.email,
        "onbekend.adres@test.werkbrug.nl",
        user.full_name,
    ):
        assert secret not in text
    assert not re.search(r"[A-Za-z0-9_-]{40,}", text), "something token-like was logged"


def test_a_hostile_value_cannot_forge_log_lines(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/login", {"email": "x@y.nl\nINFO forged line", "password": "x\r\nERROR forged"})
    for record in caplog.records:
        assert "forged" not in record.getMessage()


def test_no_timing_headers_unless_configured(client):
    response = client.get("/login")
    assert "Server-Timing" not in response.headers
    assert "X-Query-Count" not in response.headers


def test_timing_headers_give_the_server_time_and_the_statement_count():
    from portal import create_app
    from portal.core.db import Base
    from portal.extensions import db

    app = create_app("testing", DATABASE_URL="sqlite://", TIMING_HEADERS=True)
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
        response = app.test_client().get("/healthz")
        assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["Server-Timing"])
        assert int(response.headers["X-Query-Count"]) >= 1
    finally:
        with app.app_context():
            db.engine.dispose()
