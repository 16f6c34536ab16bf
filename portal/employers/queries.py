"""Read-side queries for employers and workplaces. Each returns a Select scoped to the caller's tenant."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.employers.models import Employer, Workplace


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
    return sa.select(Employer).options(joinedload(Employer.contact)).where(Employer.id == employer_id)
