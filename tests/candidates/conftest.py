"""Helpers for the candidates tests: valid form data, look-ups and a frozen clock."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.candidates.models import Candidate, CandidateVersion, Consent
from portal.core.models import AuditEvent
from portal.extensions import db

#: A fixed moment (Tuesday 10 March 2026, 09:00 in Amsterdam).
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
LONG = "x" * 10_000
SCRIPT = "<script>alert('xss')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"
RTL_EMOJI = "\u202eكلمة عربية 👷🏽‍♀️ Ünïcødé"
SQL = "'; DROP TABLE candidates; --"
#: A burgerservicenummer that passes the elfproef (a well-known test number).
VALID_BSN = "111222333"
PRIVILEGED = {
    "status": "placed",
    "pseudonym": "K-1999-9999",
    "municipality_id": "999",
    "version": "999",
    "screened_by_id": "999",
    "id": "999",
    "employer_id": "999",
    "role": "admin",
    "nationality": "XX",
    "bsn": VALID_BSN,
}


def candidate_data(**overrides) -> dict:
    data = {
        "first_name": "Amira",
        "last_name": "Haddad",
        "email": "Amira.Haddad@Example.nl",
        "phone": "06 12345678",
        "home_town": "Eindhoven",
        "education_level": "mbo",
        "education_country": "Syrië",
        "education_completed_nl": "",
        "diploma_evaluation": "Mbo-niveau 3 (IDW)",
        "experience_0_occupation": "Kok",
        "experience_0_sector": "horeca",
        "experience_0_years": "4",
        "dutch_level": "A2",
        "english_level": "B1",
        "other_languages": "Arabisch, Koerdisch",
        "certificates": "HACCP",
        "available_days": ["ma", "di", "do"],
        "hours_per_week": "24",
        "class_days": ["wo", "vr"],
        "learning_route": "b1",
        "plan_a": "Chef-kok",
        "plan_b": "Zelfstandig werkend kok",
        "plan_c": "Keukenhulp",
        "desired_sectors": ["horeca", "zorg"],
        "work_readiness": "direct",
        "travel_range_km": "15",
        "motivation": "Ik kook graag voor veel mensen.",
        "screened_on": "2026-03-09",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def audit(action: str, object_id: int | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return list(db.session.scalars(query))


def versions(candidate_id: int) -> list[CandidateVersion]:
    return list(
        db.session.scalars(
            sa.select(CandidateVersion)
            .where(CandidateVersion.candidate_id == candidate_id)
            .order_by(CandidateVersion.version)
        )
    )


def consents(candidate_id: int) -> list[Consent]:
    return list(
        db.session.scalars(
            sa.select(Consent).where(Consent.candidate_id == candidate_id).order_by(Consent.id)
        )
    )


def candidate_named(first_name: str) -> Candidate | None:
    return db.session.scalar(sa.select(Candidate).where(Candidate.first_name == first_name))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def row(model, object_id: int) -> tuple:
    db.session.expire_all()
    table = model.__table__
    return tuple(db.session.execute(sa.select(table).where(table.c.id == object_id)).one())


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture
def municipal(seed, login_as):
    """A logged-in client of tenant A's municipal contact."""
    return login_as(seed.a.municipal)
