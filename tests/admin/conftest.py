"""Helpers for the administration tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent, OutboxEmail
from portal.extensions import db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

HOSTILE_TEXT = [
    "x" * 10_000,
    "<script>alert('xss')</script>",
    "Robert'); DROP TABLE users;--",
    "\u202eنام کاربر 😀",
]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def admin_a(seed, login_as):
    """A logged-in client of tenant A's administrator."""
    return login_as(seed.a.admin)


def audit_actions(action: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def add_message(municipality_id: int | None, n: int, **kw) -> OutboxEmail:
    message = OutboxEmail(
        dedupe_key=f"admin-test:{n}",
        municipality_id=municipality_id,
        to_address=f"ontvanger{n}@test.werkbrug.nl",
        subject=f"Onderwerp {n}",
        body_text="Tekst",
        **kw,
    )
    db.session.add(message)
    db.session.flush()
    return message
