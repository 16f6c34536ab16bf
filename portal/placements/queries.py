"""Read-side queries of placements."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.candidates.models import Consent
from portal.placements.models import Placement


def scoped(query: sa.Select, user: User) -> sa.Select | None:
    """Limit a query on Placement to what ``user`` may see: own employer, or own municipality; else None."""
    query = query.where(Placement.municipality_id == user.municipality_id)
    if user.role == "municipal":
        return query
    if user.role == "employer" and user.employer_id is not None:
        return query.where(Placement.employer_id == user.employer_id)
    return None


def placements_for(user: User) -> sa.Select | None:
    """The user's placements, newest start first, with workplace, type, employer and candidate loaded."""
    query = (
        sa.select(Placement)
        .options(
            joinedload(Placement.workplace),
            joinedload(Placement.placement_type),
            joinedload(Placement.employer),
            joinedload(Placement.candidate),
        )
        .order_by(Placement.start_date.desc(), Placement.id.desc())
    )
    return scoped(query, user)


def identity_consented_ids(employer_id: int, candidate_ids) -> sa.Select:
    """Ids of these candidates with an active consent to show their identity to this employer."""
    return sa.select(Consent.candidate_id).where(
        Consent.candidate_id.in_(list(candidate_ids)),
        Consent.kind == "reveal_identity",
        Consent.employer_id == employer_id,
        Consent.withdrawn_at.is_(None),
    )
