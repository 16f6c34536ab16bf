"""What an employer may see of a candidate: the pseudonymised profile, and identity only after consent.

Every employer-facing page renders candidates through these functions, never through the model itself,
so a new identifying column can never leak by accident: a field is shown only when it is listed here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from portal.candidates.models import (
    EDUCATION_LEVELS,
    LEARNING_ROUTES,
    WORK_READINESS,
    Candidate,
    Consent,
)
from portal.core.codes import LANGUAGE_LEVELS, WEEKDAYS, split_codes
from portal.employers.models import SECTORS
from portal.extensions import db


def active_consent_query(candidate_id: int, kind: str, employer_id: int | None = None) -> sa.Select:
    """The active (not withdrawn) consent of this kind, for this employer when the kind needs one."""
    query = sa.select(Consent.id).where(
        Consent.candidate_id == candidate_id, Consent.kind == kind, Consent.withdrawn_at.is_(None)
    )
    if employer_id is not None:
        query = query.where(Consent.employer_id == employer_id)
    return query.limit(1)


def may_share_profile(candidate_id: int) -> bool:
    """Whether the candidate currently consents to sharing the pseudonymised profile with employers."""
    return db.session.scalar(active_consent_query(candidate_id, "share_profile")) is not None


def may_reveal_identity(candidate_id: int, employer_id: int) -> bool:
    """Whether the candidate currently consents to showing name and phone to this one employer."""
    return db.session.scalar(active_consent_query(candidate_id, "reveal_identity", employer_id)) is not None


def pseudonymised_profile(candidate: Candidate) -> dict[str, Any]:
    """The profile an employer may see: no name, contact, address, nationality, care flag or benefit data."""
    return {
        "pseudonym": candidate.pseudonym,
        "education_level": EDUCATION_LEVELS.get(candidate.education_level, ""),
        "education_completed_nl": candidate.education_completed_nl,
        "diploma_evaluation": candidate.diploma_evaluation or "",
        "work_experience": [
            {
                "occupation": item.get("occupation", ""),
                "sector": SECTORS.get(item.get("sector", ""), ""),
                "years": item.get("years"),
            }
            for item in (candidate.work_experience or [])
        ],
        "dutch_level": LANGUAGE_LEVELS.get(candidate.dutch_level, ""),
        "english_level": LANGUAGE_LEVELS.get(candidate.english_level, ""),
        "other_languages": candidate.other_languages,
        "certificates": candidate.certificates,
        "available_days": [WEEKDAYS[d] for d in split_codes(candidate.available_days) if d in WEEKDAYS],
        "class_days": [WEEKDAYS[d] for d in split_codes(candidate.class_days) if d in WEEKDAYS],
        "hours_per_week": candidate.hours_per_week,
        "learning_route": LEARNING_ROUTES.get(candidate.learning_route or "", ""),
        "plan_a": candidate.plan_a or "",
        "plan_b": candidate.plan_b or "",
        "plan_c": candidate.plan_c or "",
        "desired_sectors": [SECTORS[s] for s in split_codes(candidate.desired_sectors) if s in SECTORS],
        "work_readiness": WORK_READINESS.get(candidate.work_readiness, ""),
        "travel_range_km": candidate.travel_range_km,
        "motivation": candidate.motivation or "",
    }


def identity_for_employer(candidate: Candidate, employer_id: int) -> dict[str, str] | None:
    """Name and phone for this employer, only while the candidate's consent for it is active."""
    if not may_reveal_identity(candidate.id, employer_id):
        return None
    return {"name": candidate.full_name, "phone": candidate.phone or ""}
