"""Demo data for `flask seed-demo`: two municipalities, fictional MKB employers and one account per role.

Everything is looked up by its natural key (municipality slug, employer KvK number per municipality,
workplace name per employer, user e-mail) and only created when missing: a second run creates nothing.
All names, addresses and numbers are invented; e-mail addresses use the demo.werkbrug.nl domain.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.core.audit import record
from portal.core.models import Municipality
from portal.core.time import now_utc
from portal.demo_aftercare import seed_aftercare
from portal.demo_matching import seed_matching
from portal.demo_onboarding import seed_onboarding
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.requests.defaults import ensure_default_types

DEMO_KINDS = (
    "municipalities",
    "users",
    "employers",
    "workplaces",
    "candidates",
    "requests",
    "proposals",
    "placements",
    "weekly_logs",
    "visits",
    "tasks",
    "decisions",
    "checkins",
    "alerts",
)
DEMO_PASSWORD = "werkbrug-demo"  # noqa: S105 - the published password of the demo accounts

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
    # Employers with placements in onboarding (portal.demo_onboarding): they write the weekly logs.
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


def _employer(
    kvk,
    name,
    sector,
    size,
    street,
    number,
    postcode,
    city,
    phone,
    *,
    status="approved",
    reason=None,
    workplaces=(),
) -> dict[str, Any]:
    return {
        "kvk_number": kvk,
        "name": name,
        "sector": sector,
        "size_class": size,
        "street": street,
        "house_number": number,
        "postcode": postcode,
        "city": city,
        "phone": phone,
        "status": status,
        "status_reason": reason,
        "workplaces": workplaces,
    }


def _workplace(
    name, street, number, postcode, city, description, languages, buddy, capacity, safety=None, transit=True
) -> dict[str, Any]:
    return {
        "name": name,
        "street": street,
        "house_number": number,
        "postcode": postcode,
        "city": city,
        "work_description": description,
        "languages": languages,
        "buddy_name": buddy,
        "capacity": capacity,
        "safety_requirements": safety,
        "reachable_by_public_transport": transit,
    }


EINDHOVEN_EMPLOYERS = [
    _employer(
        "90000001",
        "Bakkerij De Zonnige Korst (demo)",
        "detailhandel",
        "10-49",
        "Broodstraat",
        "12",
        "5611 AA",
        "Eindhoven",
        "040 000 01 01",
        workplaces=[
            _workplace(
                "Bakkerij (productie)",
                "Broodstraat",
                "12",
                "5611 AA",
                "Eindhoven",
                "Deeg afwegen en kneden, broden vormen en afbakken. We beginnen om 5 uur 's ochtends. "
                "Je leert alle stappen van de bakker, van deeg tot vers brood.",
                "Nederlands, Engels",
                "Bart Bloemzak (demo)",
                2,
                "Hygiëneregels van de bakkerij; werkschoenen met antislipzool (krijg je van ons).",
            ),
            _workplace(
                "Winkel Stratum",
                "Korenbloemlaan",
                "3",
                "5642 AB",
                "Eindhoven",
                "Klanten helpen in de winkel, brood snijden en inpakken, de kassa bedienen en de "
                "vitrine bijvullen. Goed om Nederlands te oefenen met klanten.",
                "Nederlands",
                "Sanne Suikerbrood (demo)",
                1,
            ),
        ],
    ),
    _employer(
        "90000002",
        "Metaalwerk Kempenland Demo B.V.",
        "techniek",
        "50-249",
        "Smederijweg",
        "40",
        "5652 AC",
        "Eindhoven",
        "040 000 02 02",
        workplaces=[
            _workplace(
                "Lasafdeling",
                "Smederijweg",
                "40",
                "5652 AC",
                "Eindhoven",
                "Onderdelen voorbereiden, hechtlassen en slijpen onder begeleiding van een "
                "ervaren lasser. Ervaring met lassen is mooi, maar niet nodig.",
                "Nederlands, Engels, Turks",
                "Kees Vonkenberg (demo)",
                2,
                "VCA Basis nodig (wij betalen de cursus); veiligheidsschoenen, lashelm en handschoenen.",
            ),
            _workplace(
                "Magazijn en expeditie",
                "Smederijweg",
                "42",
                "5652 AC",
                "Eindhoven",
                "Goederen ontvangen, controleren en opslaan; orders klaarzetten voor transport. "
                "Werken met handscanner en palletwagen.",
                "Nederlands, Engels",
                "Fatima Voorraad (demo)",
                2,
                "Veiligheidsschoenen (krijg je van ons).",
            ),
        ],
    ),
    _employer(
        "90000003",
        "Groenvoorziening Het Blije Blad (demo)",
        "groen",
        "10-49",
        "Tuinderspad",
        "7",
        "5625 AD",
        "Eindhoven",
        "040 000 03 03",
        workplaces=[
            _workplace(
                "Buitendienst groenonderhoud",
                "Tuinderspad",
                "7",
                "5625 AD",
                "Eindhoven",
                "In een vast team parken en plantsoenen onderhouden: snoeien, maaien, onkruid wieden en "
                "planten. Veel buiten, ook bij regen.",
                "Nederlands, Arabisch",
                "Gijs Grasspriet (demo)",
                3,
                "Werkkleding en veiligheidsschoenen (krijg je van ons); VCA Basis is een pluspunt.",
                False,
            ),
        ],
    ),
    _employer(
        "90000004",
        "Logistiek Lichtstad Demo",
        "logistiek",
        "50-249",
        "Pakhuisweg",
        "100",
        "5657 AE",
        "Eindhoven",
        "040 000 04 04",
        workplaces=[
            _workplace(
                "Distributiecentrum",
                "Pakhuisweg",
                "100",
                "5657 AE",
                "Eindhoven",
                "Orderpicken met een handscanner, pakketten sorteren en rolcontainers laden. "
                "Werken in ploegen (vroeg of laat).",
                "Nederlands, Engels, Arabisch",
                "Dirk Doosman (demo)",
                3,
                "Veiligheidsschoenen en hesje; VCA Basis voor wie met de heftruck gaat werken.",
            ),
            _workplace(
                "Retourafdeling",
                "Pakhuisweg",
                "102",
                "5657 AE",
                "Eindhoven",
                "Teruggestuurde pakketten openen, controleren en terugzetten in de voorraad. "
                "Rustig werk, goed om te starten.",
                "Nederlands, Engels",
                "Ria Retourné (demo)",
                2,
            ),
        ],
    ),
    _employer(
        "90000005",
        "Zorgboerderij De Vrolijke Geit (demo)",
        "zorg",
        "1-9",
        "Weidelaan",
        "1",
        "5658 AF",
        "Eindhoven",
        "040 000 05 05",
        workplaces=[
            _workplace(
                "Boerderij en dierverzorging",
                "Weidelaan",
                "1",
                "5658 AF",
                "Eindhoven",
                "Dieren voeren en verzorgen, stallen uitmesten en samen met deelnemers van de "
                "zorgboerderij werken in de moestuin.",
                "Nederlands",
                "Greet Geitenwollen (demo)",
                1,
                None,
                False,
            ),
        ],
    ),
    _employer(
        "90000006",
        "Schoonmaakbedrijf Blinkend Eindhoven (demo)",
        "schoonmaak",
        "10-49",
        "Sopstraat",
        "9",
        "5612 AG",
        "Eindhoven",
        "040 000 06 06",
        workplaces=[
            _workplace(
                "Kantoorschoonmaak (avond)",
                "Kennislaan",
                "20",
                "5612 AH",
                "Eindhoven",
                "Kantoren en vergaderzalen schoonmaken in een klein team, van 17.00 tot 21.00 uur. "
                "Je leert werken met de schoonmaakmachines.",
                "Nederlands, Tigrinya, Engels",
                "Mo Microvezel (demo)",
                2,
            ),
        ],
    ),
    _employer(
        "90000007",
        "Fietsenmakerij De Snelle Spaak (demo)",
        "detailhandel",
        "1-9",
        "Velgweg",
        "5",
        "5613 AJ",
        "Eindhoven",
        "040 000 07 07",
        status="pending",
    ),
    _employer(
        "90000008",
        "Handelsonderneming Nergensvoor (demo)",
        "zakelijk",
        "1-9",
        "Postbuslaan",
        "1",
        "5614 AK",
        "Eindhoven",
        "040 000 08 08",
        status="rejected",
        reason="Het bedrijf heeft geen werkplek in de gemeente Eindhoven (demo).",
    ),
]

HELMOND_EMPLOYERS = [
    _employer(
        "90000101",
        "Textielatelier De Helmondse Draad (demo)",
        "techniek",
        "10-49",
        "Weverstraat",
        "15",
        "5701 AA",
        "Helmond",
        "0492 000 101",
        workplaces=[
            _workplace(
                "Naaiatelier",
                "Weverstraat",
                "15",
                "5701 AA",
                "Helmond",
                "Stoffen snijden, naaien op de industriële naaimachine en eindcontrole van werkkleding. "
                "Ervaring met naaien is welkom.",
                "Nederlands, Arabisch, Dari",
                "Naima Naaldwerk (demo)",
                2,
            ),
        ],
    ),
]

#: Municipality slug → (employers, e-mail of their fixed municipal contact).
EMPLOYERS = {
    "eindhoven": (EINDHOVEN_EMPLOYERS, "gemeente@demo.werkbrug.nl"),
    "helmond": (HELMOND_EMPLOYERS, "gemeente.helmond@demo.werkbrug.nl"),
}


def seed_demo() -> dict[str, int]:
    """Create whatever demo data is missing (never duplicates); return the number of rows added per kind."""
    created: Counter[str] = Counter()
    municipalities = {m["slug"]: _ensure_municipality(m, created) for m in MUNICIPALITIES}
    password = _LazyHash()
    users = {
        a["email"]: _ensure_user(a, municipalities, {}, password, created)
        for a in DEMO_ACCOUNTS
        if a["role"] != "employer"
    }
    employers: dict[tuple[str, str], Employer] = {}
    for slug, (rows, contact_email) in EMPLOYERS.items():
        for data in rows:
            employer = _ensure_employer(data, municipalities[slug], users[contact_email], created)
            employers[(slug, data["kvk_number"])] = employer
            for place in data["workplaces"]:
                _ensure_workplace(place, employer, created)
    for account in DEMO_ACCOUNTS:
        if account["role"] == "employer":
            _ensure_user(account, municipalities, employers, password, created)
    for municipality in municipalities.values():
        ensure_default_types(municipality.id)
    eindhoven_employers = {
        kvk: employer for (slug, kvk), employer in employers.items() if slug == "eindhoven"
    }
    seed_matching(
        municipalities["eindhoven"], eindhoven_employers, users["gemeente@demo.werkbrug.nl"], created
    )
    seed_onboarding(municipalities["eindhoven"], users["gemeente@demo.werkbrug.nl"], created)
    seed_aftercare(municipalities["eindhoven"], users["gemeente@demo.werkbrug.nl"], created)
    if sum(created.values()):
        eindhoven = municipalities["eindhoven"]
        record(None, "demo.seeded", eindhoven, municipality_id=eindhoven.id, **dict(created))
    db.session.flush()
    return {kind: created[kind] for kind in DEMO_KINDS}


class _LazyHash:
    """Hash the demo password once, and only when an account is actually created."""

    value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            self.value = hash_password(DEMO_PASSWORD)
        return self.value


def _ensure_municipality(data: dict[str, Any], created: Counter) -> Municipality:
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


def _ensure_user(
    account: dict[str, Any], municipalities, employers, password: _LazyHash, created: Counter
) -> User:
    found = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == account["email"]))
    if found is not None:
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
    db.session.add(user)
    db.session.flush()
    created["users"] += 1
    return user


def _ensure_employer(
    data: dict[str, Any], municipality: Municipality, contact: User, created: Counter
) -> Employer:
    found = db.session.scalar(
        sa.select(Employer).where(
            Employer.municipality_id == municipality.id, Employer.kvk_number == data["kvk_number"]
        )
    )
    if found is not None:
        return found
    values = {key: value for key, value in data.items() if key != "workplaces"}
    decided = values["status"] != "pending"
    employer = Employer(
        **values,
        municipality_id=municipality.id,
        contact_id=contact.id,
        website=None,
        status_changed_at=now_utc() if decided else None,
        status_changed_by_id=contact.id if decided else None,
    )
    db.session.add(employer)
    db.session.flush()
    created["employers"] += 1
    return employer


def _ensure_workplace(data: dict[str, Any], employer: Employer, created: Counter) -> Workplace:
    found = db.session.scalar(
        sa.select(Workplace).where(Workplace.employer_id == employer.id, Workplace.name == data["name"])
    )
    if found is not None:
        return found
    workplace = Workplace(**data, employer_id=employer.id)
    db.session.add(workplace)
    db.session.flush()
    created["workplaces"] += 1
    return workplace
