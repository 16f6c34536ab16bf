"""The demo's municipalities and accounts (one or more per role), and how they are found or created.

Everything is looked up by its natural key (municipality slug, user e-mail) and only created when
missing. All names and numbers are invented; e-mail addresses use the demo.werkbrug.nl domain.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.core.models import Municipality
from portal.core.time import now_utc
from portal.employers.models import Employer
from portal.extensions import db

DEMO_PASSWORD = "werkbrug-demo"  # noqa: S105 - the published password of the demo accounts
#: The published authenticator-app secret of every demo account (README, `flask totp EMAIL`): anyone can
#: make the demo's codes, which is the point of a demo and why production refuses demo data.
DEMO_TOTP_SECRET = "WERKBRUGDEMOWERKBRUGDEMO23456767"  # noqa: S105

MUNICIPALITIES = [
    {
        "slug": "eindhoven",
        "name": "Eindhoven",
        "contact_email": "werkbrug.eindhoven@demo.werkbrug.nl",
        "contact_phone": "040 000 00 01",
    },
    {
        "slug": "helmond",
        "name": "Helmond",
        "contact_email": "werkbrug.helmond@demo.werkbrug.nl",
        "contact_phone": "0492 000 001",
    },
]

#: Staff accounts first (employers need their fixed contact), employer accounts after the employers.
DEMO_ACCOUNTS = [
    {
        "email": "gemeente@demo.werkbrug.nl",
        "full_name": "Gerda van de Gemeente (demo)",
        "role": "municipal",
        "municipality": "eindhoven",
        "phone": "040 000 00 11",
    },
    {
        "email": "jobcoach@demo.werkbrug.nl",
        "full_name": "Joost de Jobcoach (demo)",
        "role": "jobcoach",
        "municipality": "eindhoven",
        "phone": "06 0000 0012",
    },
    # Two more specialists of the Eindhoven team, with their own caseloads (portal.demo.history).
    {
        "email": "trajecten@demo.werkbrug.nl",
        "full_name": "Tamara Trajectmaker (demo)",
        "role": "municipal",
        "municipality": "eindhoven",
        "phone": "040 000 00 13",
    },
    {
        "email": "stappen@demo.werkbrug.nl",
        "full_name": "Stijn Stappenplan (demo)",
        "role": "municipal",
        "municipality": "eindhoven",
        "phone": "040 000 00 14",
    },
    {
        "email": "beheer@demo.werkbrug.nl",
        "full_name": "Bert van Beheer (demo)",
        "role": "admin",
        "municipality": "eindhoven",
    },
    {
        "email": "gemeente.helmond@demo.werkbrug.nl",
        "full_name": "Hanna van Helmond (demo)",
        "role": "municipal",
        "municipality": "helmond",
        "phone": "0492 000 011",
    },
    {
        "email": "werkgever@demo.werkbrug.nl",
        "full_name": "Wendy de Werkgever (demo)",
        "role": "employer",
        "municipality": "eindhoven",
        "employer": "90000001",
        "phone": "06 0000 0021",
    },
    {
        "email": "werkgever.helmond@demo.werkbrug.nl",
        "full_name": "Henk de Hoedenmaker (demo)",
        "role": "employer",
        "municipality": "helmond",
        "employer": "90000101",
    },
    {
        "email": "aanmelding@demo.werkbrug.nl",
        "full_name": "Anna Aanmelder (demo)",
        "role": "employer",
        "municipality": "eindhoven",
        "employer": "90000007",
    },
    {
        "email": "werkgever.logistiek@demo.werkbrug.nl",
        "full_name": "Lars Laadklep (demo)",
        "role": "employer",
        "municipality": "eindhoven",
        "employer": "90000004",
    },
    # Employers with placements in onboarding (portal.demo.onboarding): they write the weekly logs.
    {
        "email": "werkgever.metaal@demo.werkbrug.nl",
        "full_name": "Maarten Moervast (demo)",
        "role": "employer",
        "municipality": "eindhoven",
        "employer": "90000002",
    },
    {
        "email": "werkgever.groen@demo.werkbrug.nl",
        "full_name": "Gonnie Groenhart (demo)",
        "role": "employer",
        "municipality": "eindhoven",
        "employer": "90000003",
    },
]


CONTACT_EMAIL = "gemeente@demo.werkbrug.nl"
JOBCOACH_EMAIL = "jobcoach@demo.werkbrug.nl"
ADMIN_EMAIL = "beheer@demo.werkbrug.nl"
#: The Eindhoven team's specialists: the fixed contact first, then the two colleagues.
SPECIALIST_EMAILS = (CONTACT_EMAIL, "trajecten@demo.werkbrug.nl", "stappen@demo.werkbrug.nl")
#: Employer KvK number → the demo account that writes its weekly logs.
EMPLOYER_ACCOUNTS = {
    "90000001": "werkgever@demo.werkbrug.nl",
    "90000002": "werkgever.metaal@demo.werkbrug.nl",
    "90000003": "werkgever.groen@demo.werkbrug.nl",
}


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))


def ensure_municipalities(created: Counter) -> dict[str, Municipality]:
    """Slug → municipality, for every demo municipality."""
    return {data["slug"]: ensure_municipality(data, created) for data in MUNICIPALITIES}


def ensure_staff(
    municipalities: dict[str, Municipality], password: LazyHash, created: Counter
) -> dict[str, User]:
    """E-mail → user, for every staff account (municipal, jobcoach, admin)."""
    return {
        account["email"]: ensure_user(account, municipalities, {}, password, created)
        for account in DEMO_ACCOUNTS
        if account["role"] != "employer"
    }


def ensure_employer_users(
    municipalities: dict[str, Municipality],
    employers: dict[tuple[str, str], Employer],
    password: LazyHash,
    created: Counter,
) -> None:
    """The employer accounts, each linked to its employer (created after the employers)."""
    for account in DEMO_ACCOUNTS:
        if account["role"] == "employer":
            ensure_user(account, municipalities, employers, password, created)


class LazyHash:
    """Hash the demo password once, and only when an account is actually created."""

    value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            self.value = hash_password(DEMO_PASSWORD)
        return self.value


def ensure_municipality(data: dict[str, Any], created: Counter) -> Municipality:
    found = db.session.scalar(
        sa.select(Municipality).where(
            sa.or_(
                Municipality.slug == data["slug"], sa.func.lower(Municipality.name) == data["name"].lower()
            )
        )
    )
    if found is not None:
        return found
    municipality = Municipality(**data)
    db.session.add(municipality)
    db.session.flush()
    created["municipalities"] += 1
    return municipality


def ensure_user(
    account: dict[str, Any], municipalities, employers, password: LazyHash, created: Counter
) -> User:
    found = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == account["email"]))
    if found is not None:
        if not found.has_mfa:  # a demo made before the login asked for a code
            link_demo_app(found)
        return found
    slug = account["municipality"]
    employer = employers.get((slug, account["employer"])) if "employer" in account else None
    user = User(
        email=account["email"],
        full_name=account["full_name"],
        role=account["role"],
        phone=account.get("phone"),
        municipality_id=municipalities[slug].id,
        employer_id=employer.id if employer else None,
        password_hash=password(),
        password_changed_at=now_utc(),
    )
    link_demo_app(user)
    db.session.add(user)
    db.session.flush()
    created["users"] += 1
    return user


def link_demo_app(user: User) -> None:
    """Link the demo's published app secret, so the demo accounts log in with a known code."""
    user.totp_secret = DEMO_TOTP_SECRET
    user.totp_enrolled_at = now_utc()
    user.totp_last_step = None
