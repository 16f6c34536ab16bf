"""Shared helpers of the journey tests: a frozen clock (Tuesday 10 March 2026) and small readers."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db

T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def journey_url(candidate) -> str:
    return f"/kandidaten/{candidate.id}/traject"


def rows(model, **where) -> list:
    query = sa.select(model).filter_by(**where).order_by(model.id)
    db.session.expire_all()
    return list(db.session.scalars(query))


def events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )
