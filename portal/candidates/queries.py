"""Read-side queries of the candidates domain (all scoped to one municipality by the caller)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.candidates.disclosure import live, shared_with_count
from portal.candidates.models import Candidate, CandidateVersion, Consent
from portal.core.audit import consulted_candidate
from portal.core.models import AuditEvent
from portal.employers.models import Employer
from portal.employers.queries import LIKE_ESCAPE, like_pattern

#: Rows of access history shown on the candidate page.
ACCESS_HISTORY_LIMIT = 50


#: The specialist filter's values besides a user id: everyone, and candidates without a specialist.
ALL_SPECIALISTS = "alle"
NO_SPECIALIST = "geen"
#: The stage filter's value for candidates without a stage yet.
NO_STAGE = "geen"


def candidates_list(
    municipality_id: int,
    *,
    search: str = "",
    status: str = "",
    dutch_level: str = "",
    work_readiness: str = "",
    stage: str = "",
    specialist: int | str = ALL_SPECIALISTS,
) -> sa.Select:
    """Candidates of one municipality with the number of employers they share their profile with and their
    specialist's name,
    filtered (by stage and by specialist too), by pseudonym."""
    specialist_user = aliased(User)
    query = (
        sa.select(
            Candidate,
            shared_with_count(Candidate.id).label("shared_with"),
            specialist_user.full_name.label("specialist_name"),
        )
        .outerjoin(specialist_user, specialist_user.id == Candidate.specialist_id)
        .where(Candidate.municipality_id == municipality_id)
    )
    if stage == NO_STAGE:
        query = query.where(Candidate.stage.is_(None))
    elif stage:
        query = query.where(Candidate.stage == stage)
    if specialist == NO_SPECIALIST:
        query = query.where(Candidate.specialist_id.is_(None))
    elif isinstance(specialist, int):
        query = query.where(Candidate.specialist_id == specialist)
    if search:
        pattern = like_pattern(search.lower())
        full_name = sa.func.lower(Candidate.first_name + " " + Candidate.last_name)
        query = query.where(
            sa.or_(
                sa.func.lower(Candidate.pseudonym).like(pattern, escape=LIKE_ESCAPE),
                full_name.like(pattern, escape=LIKE_ESCAPE),
            )
        )
    for column, value in (
        (Candidate.status, status),
        (Candidate.dutch_level, dutch_level),
        (Candidate.work_readiness, work_readiness),
    ):
        if value:
            query = query.where(column == value)
    return query.order_by(Candidate.pseudonym.desc(), Candidate.id.desc())


def specialists(municipality_id: int) -> sa.Select:
    """Active municipal contacts of the municipality (who can be responsible for candidates), by name."""
    return (
        sa.select(User)
        .where(User.municipality_id == municipality_id, User.role == "municipal", User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )


def candidate_consents(candidate_id: int) -> sa.Select:
    """Every consent of a candidate (live ones first) with the employer and who recorded/withdrew it."""
    recorder, withdrawer = aliased(User), aliased(User)
    return (
        sa.select(
            Consent,
            Employer.name.label("employer_name"),
            recorder.full_name.label("recorded_by"),
            withdrawer.full_name.label("withdrawn_by"),
        )
        .outerjoin(Employer, Employer.id == Consent.employer_id)
        .outerjoin(recorder, recorder.id == Consent.recorded_by_id)
        .outerjoin(withdrawer, withdrawer.id == Consent.withdrawn_by_id)
        .where(Consent.candidate_id == candidate_id)
        .order_by(sa.not_(live()), Consent.given_at.desc(), Consent.id.desc())
    )


def live_converted_from(consent_id: int) -> sa.Select:
    """The live per-employer consents converted from this general consent (by the migration)."""
    return sa.select(Consent).where(Consent.converted_from_id == consent_id, live()).order_by(Consent.id)


def candidate_versions(candidate_id: int) -> sa.Select:
    """The version history of a candidate, newest first, with who made each change."""
    return (
        sa.select(CandidateVersion, User.full_name.label("changed_by"))
        .outerjoin(User, User.id == CandidateVersion.changed_by_id)
        .where(CandidateVersion.candidate_id == candidate_id)
        .order_by(CandidateVersion.version.desc())
    )


def access_history(candidate_id: int, limit: int = ACCESS_HISTORY_LIMIT) -> sa.Select:
    """Who saw this candidate, alone or in a list, when and in which context: newest first."""
    return (
        sa.select(AuditEvent, User.full_name.label("actor_name"), Employer.name.label("employer_name"))
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Employer, Employer.id == User.employer_id)
        .where(consulted_candidate(candidate_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )


def approved_employers(municipality_id: int) -> sa.Select:
    """Approved employers of one municipality, by name (who can receive a candidate's identity)."""
    return (
        sa.select(Employer)
        .where(Employer.municipality_id == municipality_id, Employer.status == "approved")
        .order_by(Employer.name, Employer.id)
    )


def approved_employer(municipality_id: int, employer_id: int) -> sa.Select:
    """One approved employer of this municipality."""
    return approved_employers(municipality_id).where(Employer.id == employer_id)


def last_pseudonym(prefix: str) -> sa.Select:
    """The highest pseudonym that starts with ``prefix`` (longest first, so 10000 sorts above 9999)."""
    return (
        sa.select(Candidate.pseudonym)
        .where(Candidate.pseudonym.like(f"{prefix}%"))
        .order_by(sa.func.length(Candidate.pseudonym).desc(), Candidate.pseudonym.desc())
        .limit(1)
    )
