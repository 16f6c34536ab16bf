"""Helpers for the employers tests: valid form data, outbox and audit look-ups, a frozen clock."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import AuditEvent, OutboxEmail
from portal.employers.models import Employer
from portal.extensions import db

#: A fixed moment (a Tuesday morning in Amsterdam) for tests that move the clock.
T0 = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
NEW_PASSWORD = "fietsen langs de dommel in maart"
KVK_TAKEN = "Dit KvK-nummer is al aangemeld bij deze gemeente."
LONG = "x" * 10_000
SCRIPT = "<script>alert('xss')</script>"
RTL_EMOJI = "\u202eكلمة عربية 👷🏽‍♀️ Ünïcødé"
SQL = "'; DROP TABLE employers; --"
#: Fields no form of this domain may ever take from the browser.
PRIVILEGED = {
    "status": "approved",
    "role": "admin",
    "employer_id": "999",
    "municipality_id": "999",
    "kvk_number": "99999999",
    "is_admin": "y",
    "contact_id": "999",
    "archived_at": "2020-01-01",
    "id": "999",
    "status_reason": "hacked",
}


def registration_data(municipality, **overrides) -> dict:
    data = {
        "municipality_id": str(municipality.id),
        "name": "Bakkerij De Brug B.V.",
        "kvk_number": "8765 4321",
        "sector": "horeca",
        "size_class": "1-9",
        "street": "Markt",
        "house_number": "1a",
        "postcode": "5611ab",
        "city": "Eindhoven",
        "phone": "040 123 45 67",
        "website": "www.debrug.nl",
        "full_name": "Fatima El Amrani",
        "email": "Fatima@DeBrug.nl",
        "user_phone": "06 12345678",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "agree": "y",
    }
    data.update(overrides)
    return data


def workplace_data(**overrides) -> dict:
    data = {
        "name": "Magazijn Noord",
        "street": "Havenweg",
        "house_number": "12",
        "postcode": "5612 cd",
        "city": "Eindhoven",
        "work_description": "Orders klaarzetten en dozen inpakken.",
        "languages": "nederlands,  Engels ,, engels, Arabisch",
        "buddy_name": "Bea de Buddy",
        "buddy_phone": "040 765 43 21",
        "buddy_email": "Bea@Bedrijf.nl",
        "capacity": "3",
        "reachable_by_public_transport": "y",
        "safety_requirements": "Veiligheidsschoenen",
    }
    data.update(overrides)
    return data


def organisation_data(employer, **overrides) -> dict:
    data = {
        "name": employer.name,
        "sector": employer.sector,
        "size_class": employer.size_class,
        "street": employer.street,
        "house_number": employer.house_number,
        "postcode": employer.postcode,
        "city": employer.city,
        "phone": employer.phone,
        "website": employer.website or "",
    }
    data.update(overrides)
    return data


def emails(template_prefix: str | None = None, to: str | None = None) -> list[OutboxEmail]:
    query = sa.select(OutboxEmail).order_by(OutboxEmail.id)
    if template_prefix:
        query = query.where(OutboxEmail.dedupe_key.startswith(template_prefix))
    if to:
        query = query.where(OutboxEmail.to_address == to)
    return list(db.session.scalars(query))


def audit(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def path_in(email: OutboxEmail, prefix: str) -> str:
    """The path of the first link in the e-mail that starts with ``prefix``."""
    match = re.search(r"http://localhost(" + re.escape(prefix) + r"[A-Za-z0-9_\-/]*)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def text(response) -> str:
    """The response body with HTML entities decoded (Jinja escapes quotes)."""
    return html.unescape(response.get_data(as_text=True))


def row(model, object_id: int) -> tuple:
    """A fresh copy of one database row, for "nothing changed" checks."""
    db.session.expire_all()
    table = model.__table__
    return tuple(db.session.execute(sa.select(table).where(table.c.id == object_id)).one())


def fresh(model, object_id: int):
    db.session.expire_all()
    return db.session.get(model, object_id)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def employers_named(name: str) -> list[Employer]:
    return list(db.session.scalars(sa.select(Employer).where(Employer.name == name)))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture
def frozen(time_machine):
    """The clock frozen at T0; move it with ``frozen.move_to(...)`` or ``frozen.shift(...)``."""
    time_machine.move_to(T0, tick=False)
    return time_machine
