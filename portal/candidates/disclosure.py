"""Consent and disclosure in one place: which consent is live, and what each viewer sees of a candidate.

A consent is live until it is withdrawn (``is_live``/``live()``); withdrawal counts from the very next
request. Every consent is for one recipient or from one source:

- ``share_profile`` (one employer): that employer may see the pseudonymised profile of a candidate
  proposed to it (``pseudonymised_profile``), and the pseudonym as the name of that proposal. A
  ``share_profile`` consent without an employer is a general consent from before consent was per employer:
  it lets no employer see anything (the candidate is asked per employer);
- ``reveal_identity`` (one employer): that employer may see the candidate's name and phone
  (``identity_for_employer``) and is shown the name instead of the pseudonym (``label_column``);
- ``receive_data`` (one source such as COA/TVS): the municipality may receive the candidate's data from
  it. It discloses nothing to anyone.

Every query, page and e-mail that shows a candidate to an employer asks this module for that employer, in
SQL (the conditions and the label column, for set-based queries without N+1) or in Python (the checks,
which run the same SQL). A change to how consent works (per request, with an end date) is made here only.

Staff who may see identity (municipal contacts, jobcoaches on their placements) get "pseudonym – name";
anyone else only the pseudonym.
"""

from __future__ import annotations

from collections.abc import Iterable
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
from portal.core.prebuilt import BoundUser, prebuilt, shape, values
from portal.employers.models import SECTORS
from portal.extensions import db

SHARE_PROFILE = "share_profile"
REVEAL_IDENTITY = "reveal_identity"
RECEIVE_DATA = "receive_data"
#: Kinds of consent that are for one employer (a recipient that sees something of the candidate).
FOR_EMPLOYER = (SHARE_PROFILE, REVEAL_IDENTITY)
#: Roles that see a candidate's identity beside the pseudonym (their tenant and scope are checked elsewhere).
IDENTITY_ROLES = ("municipal", "jobcoach")

# Whether a consent is live ---------------------------------------------------------------------------------


def is_live(consent: Consent) -> bool:
    """Whether this consent counts now (not withdrawn); the Python twin of ``live()``."""
    return consent.withdrawn_at is None


def live() -> sa.ColumnElement[bool]:
    """SQL condition on ``Consent``: the consent counts now (not withdrawn)."""
    return Consent.withdrawn_at.is_(None)


def discloses(consent: Consent) -> bool:
    """Whether this consent lets an employer see something while live (not a general or receive consent)."""
    return consent.kind in FOR_EMPLOYER and consent.employer_id is not None


def live_consent(
    kind: str, candidate_id: Any, employer_id: Any = None, source: Any = None
) -> sa.ColumnElement[bool]:
    """SQL condition on ``Consent``: a live consent of ``kind`` of this candidate for this employer (or
    from this source).

    ``candidate_id`` and ``employer_id`` are values or columns (a column correlates with the outer query).
    ``share_profile`` and ``reveal_identity`` need the employer; ``receive_data`` needs the source.
    """
    condition = sa.and_(Consent.candidate_id == candidate_id, Consent.kind == kind, live())
    if kind in FOR_EMPLOYER:
        if employer_id is None:
            raise ValueError(f"a {kind} consent is always for one employer")
        return sa.and_(condition, Consent.employer_id == employer_id)
    if source is None:
        raise ValueError("a receive_data consent is always from one source")
    return sa.and_(condition, Consent.source == source)


def live_consent_id(
    candidate_id: int, kind: str, employer_id: int | None = None, source: str | None = None
) -> sa.Select:
    """The id of the live consent of ``kind`` for this employer (from this source), if any (one at a time)."""
    return sa.select(Consent.id).where(live_consent(kind, candidate_id, employer_id, source)).limit(1)


def profile_shared(candidate_id: Any, employer_id: Any) -> sa.Exists:
    """SQL: this employer may see this candidate's pseudonymised profile (a live share consent for it)."""
    return sa.exists().where(live_consent(SHARE_PROFILE, candidate_id, employer_id))


def identity_revealed(candidate_id: Any, employer_id: Any) -> sa.Exists:
    """SQL: this employer may see the candidate's name and phone."""
    return sa.exists().where(live_consent(REVEAL_IDENTITY, candidate_id, employer_id))


def shares_profile(candidate_id: int, employer_id: int) -> bool:
    """Whether the candidate's pseudonymised profile may be shown to this employer now."""
    return bool(db.session.scalar(sa.select(profile_shared(candidate_id, employer_id))))


def reveals_identity(candidate_id: int, employer_id: int) -> bool:
    """Whether the candidate's name and phone may be shown to this one employer now."""
    return bool(db.session.scalar(sa.select(identity_revealed(candidate_id, employer_id))))


def profile_shared_ids(municipality_id: int, employer_id: int) -> sa.Select:
    """Ids of the municipality's candidates whose profile this employer may see now."""
    return sa.select(Candidate.id).where(
        Candidate.municipality_id == municipality_id, profile_shared(Candidate.id, employer_id)
    )


def withdrawn_share_ids(municipality_id: int, employer_id: int) -> sa.Select:
    """Ids of the municipality's candidates who withdrew sharing the profile with this employer (and did
    not consent again): they are not proposed to it again without a new consent on the candidate page."""
    withdrawn = sa.exists().where(
        Consent.candidate_id == Candidate.id,
        Consent.kind == SHARE_PROFILE,
        Consent.employer_id == employer_id,
        sa.not_(live()),
    )
    return sa.select(Candidate.id).where(
        Candidate.municipality_id == municipality_id,
        withdrawn,
        sa.not_(profile_shared(Candidate.id, employer_id)),
    )


def shared_with_count(candidate_id: Any) -> sa.ScalarSelect:
    """SQL: with how many employers the candidate shares the profile now (for staff lists)."""
    return (
        sa.select(sa.func.count(sa.distinct(Consent.employer_id)))
        .where(
            Consent.candidate_id == candidate_id,
            Consent.kind == SHARE_PROFILE,
            Consent.employer_id.is_not(None),
            live(),
        )
        .scalar_subquery()
    )


# What an employer sees -----------------------------------------------------------------------------------


def pseudonymised_profile(candidate: Candidate) -> dict[str, Any]:
    """The profile an employer may see: no name, contact, address, nationality, care flag or benefit data.

    A field reaches an employer only when it is listed here, so a new column of ``Candidate`` can never
    leak by accident. Callers show it only while ``shares_profile`` holds (see ``profile_for_employer``).
    """
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


def profile_for_employer(candidate: Candidate, employer_id: int) -> dict[str, Any] | None:
    """The pseudonymised profile while the candidate shares it with this employer; else None."""
    if not shares_profile(candidate.id, employer_id):
        return None
    return pseudonymised_profile(candidate)


def identity_for_employer(candidate: Candidate, employer_id: int) -> dict[str, str] | None:
    """Name and phone for this employer, only while the candidate's consent for it is live."""
    if not reveals_identity(candidate.id, employer_id):
        return None
    return {"name": candidate.full_name, "phone": candidate.phone or ""}


# How a candidate is named in lists and headings ------------------------------------------------------------


def _name_column() -> sa.ColumnElement[str]:
    return Candidate.first_name + " " + Candidate.last_name


def label_column(viewer) -> sa.ColumnElement[str]:
    """SQL (correlated with ``Candidate``): how ``viewer`` sees the candidate named in a list or heading.

    Staff who may see identity: "pseudonym – name". An employer user: the name while the candidate's
    identity consent for that employer is live, else the pseudonym. Anyone else: the pseudonym.
    """
    if viewer.role in IDENTITY_ROLES:
        return Candidate.pseudonym + " – " + _name_column()
    if viewer.role == "employer" and viewer.employer_id is not None:
        return sa.case(
            (identity_revealed(Candidate.id, viewer.employer_id), _name_column()), else_=Candidate.pseudonym
        )
    return Candidate.pseudonym


def labels_for(viewer, candidate_ids: Iterable[int]) -> dict[int, str]:
    """Candidate id → how ``viewer`` sees them named (``label_column``), in one query for any number."""
    ids = {int(candidate_id) for candidate_id in candidate_ids}
    if not ids:
        return {}
    return dict(db.session.execute(_labels_statement(*shape(viewer)), values(viewer, ids=sorted(ids))).all())


@prebuilt
def _labels_statement(role: str, has_employer: bool) -> sa.Select:
    viewer = BoundUser(role, has_employer=has_employer)
    return sa.select(Candidate.id, label_column(viewer)).where(
        Candidate.id.in_(sa.bindparam("ids", expanding=True))
    )


def label_for(viewer, candidate: Candidate) -> str:
    """How ``viewer`` sees this one candidate named (see ``label_column``)."""
    return labels_for(viewer, [candidate.id])[candidate.id]
