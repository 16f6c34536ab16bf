"""Retention follow-up tests: tenant A with exits to work and their follow-ups.

The clock is frozen on Tuesday 15 September 2026, nine in the morning in Amsterdam, before the seed is made.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.core.models import OutboxEmail
from portal.extensions import db
from tests import factories

T0 = datetime(2026, 9, 15, 7, 0, tzinfo=UTC)
TODAY = date(2026, 9, 15)
#: A name that appears nowhere else, so a leak is easy to find.
FIRST, LAST = "Zsófia", "Oudenbroekhuizen"
PHONE, EMAIL, TOWN = "06 99887766", "zsofia.oudenbroekhuizen@example.org", "Veldhoven-Zuidrand"


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def world(frozen, _db):
    return factories.two_tenants()


def followup_for(tenant, due_on: date, *, specialist=None, employer=True, placement=None, months=6, **kw):
    """A candidate of ``tenant`` with a confirmed exit to work and one follow-up due on ``due_on``."""
    candidate = factories.make_candidate(
        tenant.municipality,
        first_name=kw.pop("first_name", FIRST),
        last_name=kw.pop("last_name", LAST),
        phone=PHONE,
        email=EMAIL,
        home_town=TOWN,
        specialist_id=specialist.id if specialist else None,
        care_first=True,
    )
    exit_values = (
        {"employer_id": tenant.employer.id} if employer else {"employer_name": "Bakkerij Buiten Werkbrug"}
    )
    if placement is not None:
        exit_values["placement_id"] = placement.id
    exit_row = factories.make_exit(candidate, exit_on=date(2026, 3, 15), **exit_values)
    return factories.make_followup(exit_row, months=months, due_on=due_on, **kw)


def question_mails() -> list[OutboxEmail]:
    query = (
        sa.select(OutboxEmail)
        .where(OutboxEmail.dedupe_key.like("followups.question:%"))
        .order_by(OutboxEmail.id)
    )
    return list(db.session.scalars(query))


def link_in(message: OutboxEmail) -> str:
    match = re.search(r"http://[^/\s]+(/navraag/[A-Za-z0-9_-]+)", message.body_text)
    assert match, "no answer link in the e-mail"
    return match.group(1)
