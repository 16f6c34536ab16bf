"""Helpers for the matching and placements tests: a fresh employer site, a frozen clock, look-ups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.requests.models import PlacementRequest, Proposal
from tests import factories

#: A Tuesday morning in Amsterdam (CET, UTC+1).
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
START = date(2026, 4, 1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@dataclass
class Site:
    """A second employer of tenant A with a roomy workplace and a submitted taalstage request."""

    employer: Employer
    workplace: Workplace
    user: object
    colleague: object
    request: PlacementRequest


def make_site(tenant, **request_kw) -> Site:
    employer = factories.make_employer(
        tenant.municipality, contact_id=tenant.municipal.id, sector="logistiek"
    )
    workplace = factories.make_workplace(employer, capacity=5, city="Eindhoven")
    user = factories.make_user("employer", employer=employer)
    colleague = factories.make_user("employer", employer=employer)
    values = {"desired_start": START, "dutch_level": "A1", "created_by": user}
    values.update(request_kw)
    request = factories.make_request(workplace, **values)
    return Site(employer, workplace, user, colleague, request)


@pytest.fixture
def site(seed, frozen):
    return make_site(seed.a)


def shareable(tenant, **kw):
    """A candidate of the tenant with an active consent to share the profile with each approved employer
    of the municipality that exists now (one consent per employer)."""
    candidate = factories.make_candidate(tenant.municipality, **kw)
    employers = db.session.scalars(
        sa.select(Employer).where(
            Employer.municipality_id == tenant.municipality.id, Employer.status == "approved"
        )
    )
    for employer in employers:
        factories.make_consent(candidate, employer=employer, recorded_by=tenant.municipal)
    return candidate


def proposals_of(request_id: int) -> list[Proposal]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(Proposal).where(Proposal.request_id == request_id).order_by(Proposal.id))
    )
