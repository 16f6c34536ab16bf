"""The demo's employers and their workplaces: fictional MKB companies in Eindhoven and Helmond.

Looked up by natural key (KvK number per municipality, workplace name per employer) and only created
when missing. Every name ends in "(demo)" or "Demo"; addresses and numbers are invented.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.models import Municipality
from portal.core.time import now_utc
from portal.employers.models import Employer, Workplace
from portal.extensions import db


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


def ensure_employers(
    municipalities: dict[str, Municipality], staff: dict[str, User], created: Counter
) -> dict[tuple[str, str], Employer]:
    """(municipality slug, KvK number) → employer, with its workplaces, for every demo employer."""
    employers: dict[tuple[str, str], Employer] = {}
    for slug, (rows, contact_email) in EMPLOYERS.items():
        for data in rows:
            employer = ensure_employer(data, municipalities[slug], staff[contact_email], created)
            employers[(slug, data["kvk_number"])] = employer
            for place in data["workplaces"]:
                ensure_workplace(place, employer, created)
    return employers


def ensure_employer(
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


def ensure_workplace(data: dict[str, Any], employer: Employer, created: Counter) -> Workplace:
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
