"""Read-side queries for employers and workplaces. Each returns a Select scoped to the caller's tenant."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.core.models import Municipality
from portal.employers.models import Employer, Invitation, Workplace

LIKE_ESCAPE = "\\"


def pending_registrations(municipality_id: int) -> sa.Select:
    """Employers of this municipality that wait for approval, oldest first."""
    return (
        sa.select(Employer)
        .where(Employer.municipality_id == municipality_id, Employer.status == "pending")
        .order_by(Employer.created_at, Employer.id)
    )


def workplaces_of(employer_id: int, *, include_archived: bool = False) -> sa.Select:
    """The workplaces of one employer, active ones first, by name."""
    query = sa.select(Workplace).where(Workplace.employer_id == employer_id)
    if not include_archived:
        query = query.where(Workplace.archived_at.is_(None))
    return query.order_by(Workplace.archived_at.is_not(None), Workplace.name, Workplace.id)


def employer_with_contact(employer_id: int) -> sa.Select:
    """One employer with its fixed municipal contact loaded in the same query."""
    return sa.select(Employer).options(joinedload(Employer.contact)).where(Employer.id == employer_id)


def archived_workplaces_of(employer_id: int) -> sa.Select:
    """The archived workplaces of one employer, most recently archived first."""
    return (
        sa.select(Workplace)
        .where(Workplace.employer_id == employer_id, Workplace.archived_at.is_not(None))
        .order_by(Workplace.archived_at.desc(), Workplace.id)
    )


def like_pattern(text: str) -> str:
    """``text`` as a LIKE "contains" pattern in which %, _ and the escape character match literally."""
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def active_workplace_count() -> sa.ScalarSelect:
    """Correlated count of an employer's active workplaces (one query for the whole list)."""
    return (
        sa.select(sa.func.count(Workplace.id))
        .where(Workplace.employer_id == Employer.id, Workplace.archived_at.is_(None))
        .correlate(Employer)
        .scalar_subquery()
    )


def employers_list(municipality_id: int, *, search: str = "", status: str = "") -> sa.Select:
    """Rows of (Employer, active workplace count) in this municipality by name; optional search/filter."""
    query = sa.select(Employer, active_workplace_count().label("active_workplaces")).where(
        Employer.municipality_id == municipality_id
    )
    if search:
        pattern = like_pattern(search.lower())
        query = query.where(
            sa.or_(
                sa.func.lower(Employer.name).like(pattern, escape=LIKE_ESCAPE),
                Employer.kvk_number.like(pattern, escape=LIKE_ESCAPE),
                sa.func.lower(Employer.city).like(pattern, escape=LIKE_ESCAPE),
            )
        )
    if status:
        query = query.where(Employer.status == status)
    return query.order_by(sa.func.lower(Employer.name), Employer.id)


def employer_detail(municipality_id: int, employer_id: int) -> sa.Select:
    """One employer of this municipality with its contact and who last changed its status."""
    return (
        sa.select(Employer)
        .options(joinedload(Employer.contact))
        .where(Employer.id == employer_id, Employer.municipality_id == municipality_id)
    )


def users_of_employer(employer_id: int, *, active_only: bool = False) -> sa.Select:
    """The users acting for one employer, by name."""
    query = sa.select(User).where(User.role == "employer", User.employer_id == employer_id)
    if active_only:
        query = query.where(User.is_active.is_(True))
    return query.order_by(User.full_name, User.id)


def employer_addresses(employer_ids: list[int]) -> sa.Select:
    """The e-mail addresses of every user (active or not) of these employers."""
    return sa.select(User.email).where(User.role == "employer", User.employer_id.in_(employer_ids))


def municipal_contacts(municipality_id: int) -> sa.Select:
    """Active municipal users of this municipality: who can be an employer's fixed contact."""
    return (
        sa.select(User)
        .where(User.municipality_id == municipality_id, User.role == "municipal", User.is_active.is_(True))
        .order_by(User.full_name, User.id)
    )


def open_registration_municipalities() -> sa.Select:
    """Municipalities an employer can choose when registering, by name."""
    return (
        sa.select(Municipality)
        .where(Municipality.is_open_for_registration.is_(True))
        .order_by(Municipality.name, Municipality.id)
    )


def kvk_taken(municipality_id: int, kvk_number: str) -> sa.Select:
    """The id of an employer in this municipality with this KvK number (if any)."""
    return sa.select(Employer.id).where(
        Employer.municipality_id == municipality_id, Employer.kvk_number == kvk_number
    )


def user_id_by_email(email: str) -> sa.Select:
    """The id of the user with this e-mail address (any tenant: addresses are unique)."""
    return sa.select(User.id).where(sa.func.lower(User.email) == email.lower())


def open_invitations(employer_id: int, now: datetime) -> sa.Select:
    """Invitations of one employer that can still be accepted, newest first."""
    return (
        sa.select(Invitation)
        .where(
            Invitation.employer_id == employer_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )


def open_invitation_by_token_hash(token_hash: str, now: datetime) -> sa.Select:
    """The open invitation with this token hash, with its employer."""
    return (
        sa.select(Invitation)
        .options(joinedload(Invitation.employer))
        .where(
            Invitation.token_hash == token_hash,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )
