"""Helpers for the authentication tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent, OutboxEmail
from portal.extensions import db

SESSION_COOKIE = "werkbrug_session"
#: A fixed moment (a Tuesday morning in Amsterdam) for tests that move the clock.
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
REFUSED = "Het e-mailadres of wachtwoord klopt niet."
BLOCKED = (
    "U heeft te vaak een verkeerd wachtwoord ingevuld. Wacht 15 minuten en probeer het opnieuw, "
    "of vraag een nieuw wachtwoord aan."
)
TOO_EASY = "Dit wachtwoord is te makkelijk te raden."


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def is_logged_in(client) -> bool:
    """True when the client's session opens the account page (anonymous users are sent to /login)."""
    return client.get("/account").status_code == 200


def with_cookie(make_client, value: str):
    """A fresh client (another browser, or an attacker) carrying a captured session cookie."""
    other = make_client()
    other.set_cookie(SESSION_COOKIE, value)
    return other


def emails_to(address: str) -> list[OutboxEmail]:
    return list(
        db.session.scalars(
            sa.select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.id)
        )
    )


def link_in(email: OutboxEmail, prefix: str) -> str:
    """The path of the first link in the e-mail body that starts with ``prefix`` (after the base URL)."""
    match = re.search(r"http://localhost(" + re.escape(prefix) + r"[A-Za-z0-9_\-]+)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def audit_actions(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", html)


@pytest.fixture
def frozen(time_machine):
    """The clock frozen at T0; move it with ``frozen.move_to(...)`` or ``frozen.shift(...)``."""
    time_machine.move_to(T0, tick=False)
    return time_machine
