"""Demo data for matching: candidates, requests of every type, proposals in every state, one placement.

Called by ``portal.demo.seed_demo``. Natural keys keep it idempotent: candidates by pseudonym (the demo
range K-2026-9xxx), requests by employer and role title, proposals by request and candidate, placements
by proposal. All people are invented; every last name is "Voorbeeld" so nobody can mistake them for real.
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
from portal.employers.models import Employer, Workplace
from portal.extensions import db
from portal.placements.models import Placement
from portal.placements.services import create_placement_from_proposal
from portal.requests.defaults import ensure_default_types
from portal.requests.models import PlacementRequest, PlacementType, Proposal

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
            "share_consent": n % 9 != 8,
        })  # fmt: skip
    return rows


#: (employer KvK, workplace name or None for the first, type code, role title, status, positions, Dutch level)
REQUESTS = (
    ("90000001", None, "taalstage", "Hulp in de bakkerij", "submitted", 2, "A1"),
    ("90000001", None, "stage", "Verkoopmedewerker winkel", "draft", 1, "A2"),
    ("90000002", None, "proefplaatsing", "Productiemedewerker metaal", "in_progress", 1, "A2"),
    ("90000003", None, "werkervaringsplaats", "Medewerker groenonderhoud", "proposed", 2, "A1"),
    ("90000004", None, "stage", "Orderpicker", "proposed", 2, "A2"),
)
#: (request role title, candidate index, proposal status)
PROPOSALS = (
    ("Medewerker groenonderhoud", 2, "proposed"),
    ("Medewerker groenonderhoud", 12, "meeting"),
    ("Orderpicker", 3, "accepted"),
    ("Orderpicker", 13, "declined"),
    ("Orderpicker", 23, "withdrawn"),
)


def seed_matching(
    municipality: Municipality, employers: dict[str, Employer], contact: User, created: Counter
) -> None:
    """Candidates, consents, requests, proposals and one planned placement for ``municipality``."""
    ensure_default_types(municipality.id)
    types = {
        t.code: t
        for t in db.session.scalars(
            sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
        )
    }
    candidates = [_ensure_candidate(row, municipality, contact, created) for row in candidate_rows()]
    requests = {}
    for kvk, _place, code, title, status, positions, level in REQUESTS:
        employer = employers[kvk]
        requests[title] = _ensure_request(employer, types[code], title, status, positions, level, created)
    for title, index, status in PROPOSALS:
        proposal = _ensure_proposal(requests[title], candidates[index], status, contact, created)
        if status == "accepted":
            _ensure_placement(proposal, requests[title], candidates[index], created)


def _ensure_candidate(
    row: dict[str, Any], municipality: Municipality, contact: User, created: Counter
) -> Candidate:
    found = db.session.scalar(sa.select(Candidate).where(Candidate.pseudonym == row["pseudonym"]))
    if found is not None:
        return found
    values = {k: v for k, v in row.items() if k != "share_consent"}
    candidate = Candidate(
        municipality_id=municipality.id,
        screened_on=today_local() - timedelta(days=30),
        screened_by_id=contact.id,
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
    if row["share_consent"]:
        db.session.add(
            Consent(
                candidate_id=candidate.id, kind="share_profile", given_at=now_utc(), method="conversation",
                text_version="2026-1", recorded_by_id=contact.id,
            )
        )  # fmt: skip
    created["candidates"] += 1
    return candidate


def _first_workplace(employer: Employer) -> Workplace:
    return db.session.scalars(
        sa.select(Workplace).where(Workplace.employer_id == employer.id).order_by(Workplace.id)
    ).first()


def _ensure_request(
    employer: Employer,
    kind: PlacementType,
    title: str,
    status: str,
    positions: int,
    level: str,
    created: Counter,
) -> PlacementRequest:
    found = db.session.scalar(
        sa.select(PlacementRequest).where(
            PlacementRequest.employer_id == employer.id, PlacementRequest.role_title == title
        )
    )
    if found is not None:
        return found
    workplace = _first_workplace(employer)
    creator = db.session.scalars(
        sa.select(User).where(User.employer_id == employer.id).order_by(User.id)
    ).first()
    request = PlacementRequest(
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=creator.id if creator else employer.contact_id,
        role_title=title,
        tasks=f"{title}: meewerken in het team, met uitleg van de werkbegeleider.",
        positions=positions,
        hours_per_week=min(16, kind.max_hours_per_week),
        days_per_week=kind.min_days_per_week,
        work_days="",
        dutch_level=level,
        desired_start=today_local() + timedelta(days=21),
        duration_weeks=max(kind.min_weeks, min(13, kind.max_weeks)),
        learning_goals="Werkinstructies in het Nederlands begrijpen en op tijd komen.",
        supervisor_name=workplace.buddy_name,
        status=status,
        submitted_at=None if status == "draft" else now_utc() - timedelta(days=5),
    )
    db.session.add(request)
    db.session.flush()
    created["requests"] += 1
    return request


def _ensure_proposal(
    request: PlacementRequest, candidate: Candidate, status: str, contact: User, created: Counter
) -> Proposal:
    found = db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id, Proposal.candidate_id == candidate.id)
    )
    if found is not None:
        return found
    proposal = Proposal(
        request_id=request.id,
        candidate_id=candidate.id,
        proposed_by_id=contact.id,
        note="Gemotiveerd, komt op tijd en leert snel. Spreekt al een beetje Nederlands.",
        status=status,
    )
    if status in ("meeting", "accepted"):
        proposal.meeting_at = now_utc() + timedelta(days=3)
        proposal.meeting_place = "Op de werkplek, vraag naar de werkbegeleider"
    if status == "declined":
        proposal.decline_reason, proposal.decline_text = "availability", "Wij zoeken iemand voor de ochtend."
    if status in ("accepted", "declined", "withdrawn"):
        proposal.decided_at = now_utc()
    db.session.add(proposal)
    db.session.flush()
    created["proposals"] += 1
    return proposal


def _ensure_placement(
    proposal: Proposal, request: PlacementRequest, candidate: Candidate, created: Counter
) -> None:
    if db.session.scalar(sa.select(Placement.id).where(Placement.proposal_id == proposal.id)) is not None:
        return
    start: date = today_local() + timedelta(days=14)
    create_placement_from_proposal(None, proposal, start, start + timedelta(weeks=request.duration_weeks))
    candidate.status = "placed"
    db.session.flush()
    created["placements"] += 1
