"""The demo's candidates: a pool of 28 varied, invented profiles for matching, and the candidates of the
placement scenarios (onboarding, aftercare), built from the same profiles.

Looked up by pseudonym (the demo range K-2026-9xxx) and only created when missing. All people are
invented; every last name is "Voorbeeld" so nobody can mistake them for real.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.candidates.models import Candidate, CandidateVersion, Consent
from portal.core.models import Municipality
from portal.core.time import now_utc, today_local
from portal.demo.context import Demo, at
from portal.demo.journeys import agree, first_steps, record_steps
from portal.extensions import db
from portal.matching.services import ShareConsent

FIRST_NAMES = (
    "Amal", "Yonas", "Fatima", "Omar", "Selam", "Hassan", "Layla", "Dawit", "Nour", "Rami",
    "Mariam", "Tesfay", "Huda", "Khaled", "Lina", "Samir", "Aster", "Bilal", "Rasha", "Filmon",
    "Zainab", "Mahmoud", "Helen", "Youssef", "Ruta", "Tarek", "Dina", "Awet",
)  # fmt: skip
LEVELS = ("A1", "A2", "A2", "B1", "A1", "B1", "A2", "geen", "B2", "A2")
EXPERIENCE = (
    ("bakker", "horeca", 4), ("lasser", "techniek", 6), ("hovenier", "groen", 3),
    ("chauffeur", "logistiek", 8),
    ("verpleegkundige", "zorg", 5), ("kok", "horeca", 2), ("elektricien", "techniek", 7),
    ("winkelmedewerker", "detailhandel", 3), ("schoonmaker", "schoonmaak", 2), ("boekhouder", "zakelijk", 5),
)  # fmt: skip
PLANS = (
    ("Bakker met eigen bakkerij", "Leerling-bakker", "Productiemedewerker bakkerij"),
    ("Lasser met certificaat", "Monteur in een werkplaats", "Productiemedewerker metaal"),
    ("Hovenier", "Medewerker groenvoorziening", "Helpen in de tuin"),
    ("Vrachtwagenchauffeur", "Chauffeur bestelbus", "Orderpicker in een magazijn"),
    ("Verpleegkundige", "Helpende zorg", "Gastvrouw in een zorgboerderij"),
)
DAY_PATTERNS = (("ma,di,do", "wo,vr"), ("di,wo,vr", "ma,do"), ("ma,wo,do,vr", "di"), ("ma,di,wo,do,vr", ""))


def candidate_rows() -> list[dict[str, Any]]:
    """28 varied, invented candidate profiles (deterministic, so the demo is the same every time)."""
    rows = []
    for n, first in enumerate(FIRST_NAMES):
        occupation, sector, years = EXPERIENCE[n % len(EXPERIENCE)]
        plan = PLANS[n % len(PLANS)]
        available, classes = DAY_PATTERNS[n % len(DAY_PATTERNS)]
        rows.append({
            "pseudonym": f"K-2026-{9001 + n}",
            "first_name": first,
            "last_name": "Voorbeeld",
            "email": f"kandidaat{n + 1:02d}@demo.werkbrug.nl",
            "phone": f"06 0000 {9001 + n}",
            "home_town": "Helmond" if n % 7 == 6 else "Eindhoven",
            "education_level": ("basis", "middelbaar", "mbo", "hbo", "wo")[n % 5],
            "education_country": ("Syrië", "Eritrea", "Afghanistan", "Jemen", "Turkije")[n % 5],
            "education_completed_nl": n % 6 == 0,
            "work_experience": [{"occupation": occupation, "sector": sector, "years": years}],
            "dutch_level": LEVELS[n % len(LEVELS)],
            "english_level": ("geen", "A2", "B1", "B2")[n % 4],
            "other_languages": ("Arabisch", "Tigrinya", "Dari", "Arabisch, Engels", "Koerdisch")[n % 5],
            "certificates": ("", "VCA", "heftruck", "", "HACCP")[n % 5],
            "available_days": available,
            "class_days": classes,
            "hours_per_week": (16, 24, 32, 20)[n % 4],
            "learning_route": ("b1", "onderwijs", "z", "b1")[n % 4],
            "plan_a": plan[0], "plan_b": plan[1], "plan_c": plan[2],
            "desired_sectors": ",".join(dict.fromkeys((sector, ("logistiek", "groen", "horeca")[n % 3]))),
            "work_readiness": "direct" if n % 5 else "activering",
            "travel_range_km": (5, 10, 15, 25)[n % 4],
            "motivation": "Ik wil graag werken en Nederlands leren op de werkvloer.",
            "care_first": n % 13 == 12,
            "coa_consent": n % 9 != 8,
        })  # fmt: skip
    return rows


#: The pool's candidates said yes to sharing their profile with the employer when the contact asked, just
#: before proposing them (``matching.services.propose`` records it for that one employer).
SHARE_WHEN_PROPOSED = ShareConsent(method="conversation", text_version="2026-1")


def ensure_pool_candidate(
    row: dict[str, Any], municipality: Municipality, contact: User, created: Counter
) -> Candidate:
    found = db.session.scalar(sa.select(Candidate).where(Candidate.pseudonym == row["pseudonym"]))
    if found is not None:
        return found
    values = {k: v for k, v in row.items() if k != "coa_consent"}
    candidate = Candidate(
        municipality_id=municipality.id,
        screened_on=today_local() - timedelta(days=30),
        screened_by_id=contact.id,
        specialist_id=contact.id,
        **values,
    )
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id, version=1, changed_by_id=contact.id, changed_at=now_utc(),
            changes={"created": True},
        )
    )  # fmt: skip
    if row["coa_consent"]:  # sharing with an employer is asked when the candidate is proposed to it
        db.session.add(
            Consent(
                candidate_id=candidate.id, kind="receive_data", source="coa_tvs", given_at=now_utc(),
                method="signed_form", text_version="2026-1", recorded_by_id=contact.id, recorded_at=now_utc(),
            )
        )  # fmt: skip
    created["candidates"] += 1
    start_journey(contact, candidate, created)
    return candidate


def start_journey(contact: User, candidate: Candidate, created: Counter) -> None:
    """The candidate's journey up to the route and track, and the plan agreed at the trajectbepaling."""
    today = today_local()
    waited = int(candidate.pseudonym[-2:]) % 13  # spread the aanmeldingen over three months
    steps = first_steps(candidate.screened_on, today, care_first=candidate.care_first, waited_weeks=waited)
    created["stage_changes"] += record_steps(contact, candidate, steps)
    chosen = next(step.on for step in steps if step.stage == "trajectbepaling")
    agree(contact, candidate, chosen, today, still_active=True)


def scenario_candidate(demo: Demo, number: int, first_name: str, screened: date) -> Candidate:
    """Candidate K-2026-<number> of a placement scenario (a pool profile with its own name), screened then."""
    pseudonym = f"K-2026-{number}"
    found = db.session.scalar(sa.select(Candidate).where(Candidate.pseudonym == pseudonym))
    if found is not None:
        return found
    template = candidate_rows()[number % 28]
    values = {k: v for k, v in template.items() if k != "coa_consent"}
    values.update(
        pseudonym=pseudonym,
        first_name=first_name,
        last_name="Voorbeeld",
        email=f"kandidaat{number}@demo.werkbrug.nl",
        phone=f"06 0000 {number}",
        home_town="Eindhoven",
        care_first=False,
        work_readiness="direct",
    )
    candidate = Candidate(
        municipality_id=demo.municipality.id,
        screened_on=screened,
        screened_by_id=demo.contact.id,
        specialist_id=demo.contact.id,
        **values,
    )
    db.session.add(candidate)
    db.session.flush()
    db.session.add(
        CandidateVersion(
            candidate_id=candidate.id, version=1, changed_by_id=demo.contact.id, changed_at=at(screened),
            changes={"created": True},
        )
    )  # fmt: skip
    db.session.add(
        Consent(
            candidate_id=candidate.id, kind="receive_data", source="coa_tvs", given_at=at(screened),
            method="signed_form", text_version="2026-1", recorded_by_id=demo.contact.id,
            recorded_at=at(screened),
        )
    )  # fmt: skip
    demo.created["candidates"] += 1
    start_journey(demo.contact, candidate, demo.created)
    return candidate
