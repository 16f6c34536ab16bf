"""Screened candidate profiles, their version history and consent records.

Identifying columns (names, contact details, home town) and the care flag are staff-only. Employers only
ever see what ``portal.candidates.disclosure`` gives them: the pseudonymised profile while the candidate
shares it, and identity after a recorded consent for that employer. Whether a consent is live is decided
there too. There is deliberately no BSN and no nationality column.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.codes import JOURNEY_STAGES, LANGUAGE_LEVELS
from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc

EDUCATION_LEVELS = {
    "geen": "Geen of weinig onderwijs",
    "basis": "Basisonderwijs",
    "middelbaar": "Middelbaar onderwijs",
    "mbo": "Beroepsopleiding (mbo-niveau)",
    "hbo": "Hoger beroepsonderwijs (hbo-niveau)",
    "wo": "Universiteit (wo-niveau)",
}
LEARNING_ROUTES = {"b1": "B1-route", "onderwijs": "Onderwijsroute", "z": "Z-route"}
WORK_READINESS = {
    "direct": "Kan direct aan het werk",
    "activering": "Eerst activering",
    "onderwijs": "Eerst onderwijs",
    "nog_niet": "Nog niet",
}
#: Columns a profile form or import may set (never municipality, pseudonym, status or version).
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "home_town",
    "education_level",
    "education_country",
    "education_completed_nl",
    "diploma_evaluation",
    "work_experience",
    "dutch_level",
    "english_level",
    "other_languages",
    "certificates",
    "available_days",
    "hours_per_week",
    "class_days",
    "learning_route",
    "plan_a",
    "plan_b",
    "plan_c",
    "desired_sectors",
    "work_readiness",
    "travel_range_km",
    "motivation",
    "screened_on",
    "care_first",
)

CANDIDATE_STATUSES = {"active": "Beschikbaar", "placed": "Geplaatst", "inactive": "Niet beschikbaar"}


class Candidate(TimestampMixin, Base):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    #: Pseudonym shown to employers, e.g. K-2026-0042; unique across all municipalities.
    pseudonym: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # Identifying data: staff only.
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    home_town: Mapped[str] = mapped_column(sa.String(80))
    # Education and experience.
    education_level: Mapped[str] = mapped_column(sa.String(12))
    education_country: Mapped[str | None] = mapped_column(sa.String(80))
    education_completed_nl: Mapped[bool] = mapped_column(default=False)
    #: Outcome of a Nuffic/IDW diploma evaluation, in words (empty when none was done).
    diploma_evaluation: Mapped[str | None] = mapped_column(sa.String(200))
    #: [{"occupation": str, "sector": code, "years": int}, ...]
    work_experience: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    dutch_level: Mapped[str] = mapped_column(sa.String(4))
    english_level: Mapped[str] = mapped_column(sa.String(4))
    other_languages: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Certificates, comma separated (e.g. "heftruck, VCA").
    certificates: Mapped[str] = mapped_column(sa.String(200), default="")
    # Availability.
    #: Days free for work, as codes ("ma,di,do").
    available_days: Mapped[str] = mapped_column(sa.String(40), default="")
    hours_per_week: Mapped[int] = mapped_column(default=16)
    #: Days with the fixed language-course timetable (never available for work).
    class_days: Mapped[str] = mapped_column(sa.String(40), default="")
    learning_route: Mapped[str | None] = mapped_column(sa.String(12))
    # ABC plan.
    plan_a: Mapped[str | None] = mapped_column(sa.String(200))
    plan_b: Mapped[str | None] = mapped_column(sa.String(200))
    plan_c: Mapped[str | None] = mapped_column(sa.String(200))
    #: Desired sectors as codes from portal.employers.models.SECTORS, comma separated.
    desired_sectors: Mapped[str] = mapped_column(sa.String(200), default="")
    work_readiness: Mapped[str] = mapped_column(sa.String(12))
    travel_range_km: Mapped[int] = mapped_column(default=10)
    #: A short text in the candidate's own words.
    motivation: Mapped[str | None] = mapped_column(sa.Text)
    screened_on: Mapped[date | None] = mapped_column()
    screened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Staff only: care comes first (no medical detail is ever stored).
    care_first: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="active", index=True)
    # The team's own work (portal/journey): staff only.
    #: The one municipal specialist responsible for this candidate (the caseload).
    specialist_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The current stage of the journey and since when (the latest StageChange; empty before the first).
    stage: Mapped[str | None] = mapped_column(sa.String(24), index=True)
    stage_since: Mapped[date | None] = mapped_column()
    #: The ABC plan: when it was agreed (signed by the candidate), with which specialist, and when it is
    #: to be revised (8 weeks later by default).
    plan_agreed_on: Mapped[date | None] = mapped_column()
    plan_agreed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    plan_review_on: Mapped[date | None] = mapped_column()
    #: Bumped on every change; each change leaves a CandidateVersion row.
    version: Mapped[int] = mapped_column(default=1)
    # Retention (portal/privacy/retention.py): the dossier is kept for the team's retention period after it
    # closed, then anonymised by the nightly purge.
    #: Kept longer, once, until this day (e.g. an objection is pending), and why.
    retention_extended_until: Mapped[date | None] = mapped_column()
    retention_extension_reason: Mapped[str | None] = mapped_column(sa.String(500))
    #: When the purge anonymised this candidate (names, contact data and free text are gone).
    anonymised_at: Mapped[datetime | None] = mapped_column(index=True)

    __table_args__ = (
        str_enum_check("education_level", EDUCATION_LEVELS),
        str_enum_check("dutch_level", LANGUAGE_LEVELS),
        str_enum_check("english_level", LANGUAGE_LEVELS),
        str_enum_check("work_readiness", WORK_READINESS),
        str_enum_check("status", CANDIDATE_STATUSES),
        str_enum_check("stage", JOURNEY_STAGES, nullable=True),
        sa.CheckConstraint(
            "learning_route IS NULL OR learning_route IN ('b1', 'onderwijs', 'z')",
            name="learning_route_valid",
        ),
        sa.CheckConstraint("hours_per_week >= 0 AND hours_per_week <= 40", name="hours_range"),
        sa.CheckConstraint("travel_range_km >= 0 AND travel_range_km <= 200", name="travel_range"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class CandidateVersion(Base):
    """One change to a candidate profile: who, when, and the old and new value of each changed field."""

    __tablename__ = "candidate_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    version: Mapped[int] = mapped_column()
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column()
    #: {"field": [old, new], ...}; "created" for the first version.
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    __table_args__ = (sa.UniqueConstraint("candidate_id", "version", name="uq_candidate_versions_version"),)


CONSENT_KINDS = {
    "share_profile": "Profiel zonder naam delen met één werkgever",
    "reveal_identity": "Naam en telefoonnummer delen met één werkgever",
    "receive_data": "Gegevens ontvangen van een andere organisatie",
}
#: What each kind of consent covers (its scope), in words for the consents overview and the export.
CONSENT_SCOPES = {
    "share_profile": "Het profiel zonder naam: opleiding, werkervaring, taal, beschikbaarheid en wensen",
    "reveal_identity": "Naam en telefoonnummer",
    "receive_data": "Screening- en intakegegevens: opleiding, werkervaring, taal en ambities",
}
#: The channel through which the candidate gave the consent.
CONSENT_METHODS = {
    "conversation": "Mondeling (in een gesprek)",
    "signed_form": "Schriftelijk (getekend formulier)",
    "digital": "Digitaal (e-mail of online formulier)",
}
#: The version of the consent text in use (what the form suggests).
TEXT_VERSION_DEFAULT = "2026-1"
#: Who sends data to the municipality under a ``receive_data`` consent.
CONSENT_SOURCES = {
    "coa_tvs": "COA: screening in TVS",
    "coa_banenbalie": "COA: banenbalie",
    "vluchtelingenwerk": "VluchtelingenWerk",
    "taalaanbieder": "Taalaanbieder",
}


class Consent(Base):
    """A recorded consent of a candidate; ``portal.candidates.disclosure`` decides whether it is live.

    Sharing the profile and showing the identity are each for one employer (``employer_id``); receiving
    data is from one ``source``. A ``share_profile`` consent without an employer is a general consent
    recorded before consent became per employer: it lets no employer see anything (see the migration
    ``b2d4f6a8c0e2``); the candidate is asked per employer.
    """

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: The one employer that may see the profile (share_profile) or the identity (reveal_identity).
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    #: Only for receive_data: who sends the data (CONSENT_SOURCES).
    source: Mapped[str | None] = mapped_column(sa.String(20))
    given_at: Mapped[datetime] = mapped_column()
    #: The channel (CONSENT_METHODS).
    method: Mapped[str] = mapped_column(sa.String(20))
    #: Version of the consent text that was shown (e.g. "2026-1").
    text_version: Mapped[str] = mapped_column(sa.String(20))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: When it was written down (``given_at`` is when the candidate gave it).
    recorded_at: Mapped[datetime] = mapped_column(default=now_utc)
    #: A per-employer consent made from a general one by the migration to consent per employer.
    converted_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consents.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        str_enum_check("kind", CONSENT_KINDS),
        str_enum_check("method", CONSENT_METHODS),
        str_enum_check("source", CONSENT_SOURCES, nullable=True),
        sa.CheckConstraint(
            "(kind = 'reveal_identity' AND employer_id IS NOT NULL AND source IS NULL)"
            " OR (kind = 'share_profile' AND source IS NULL)"
            " OR (kind = 'receive_data' AND employer_id IS NULL AND source IS NOT NULL)",
            name="recipient_or_source",
        ),
    )
