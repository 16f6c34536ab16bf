"""Read-side queries of the administration, each scoped to one municipality."""

from __future__ import annotations

import sqlalchemy as sa

from portal.auth.models import ROLE_LABELS, User
from portal.core.models import AuditEvent, OutboxEmail

#: E-mail statuses an administrator needs to look at.
OPEN_STATUSES = ("failed", "pending")


def users_of(municipality_id: int, role: str | None = None) -> sa.Select:
    """All users of a municipality (organisation loaded in the same query), by name."""
    query = sa.select(User).where(User.municipality_id == municipality_id)
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    return query.order_by(User.full_name, User.id)


def messages_of(municipality_id: int) -> sa.Select:
    """Every outbox e-mail of a municipality."""
    return sa.select(OutboxEmail).where(OutboxEmail.municipality_id == municipality_id)


def open_messages(municipality_id: int) -> sa.Select:
    """Failed and waiting e-mails of a municipality: failed first, then by next attempt."""
    return (
        messages_of(municipality_id)
        .where(OutboxEmail.status.in_(OPEN_STATUSES))
        .order_by(
            sa.case((OutboxEmail.status == "failed", 0), else_=1), OutboxEmail.next_attempt_at, OutboxEmail.id
        )
    )


def failed_messages(municipality_id: int) -> sa.Select:
    """Failed e-mails of a municipality, oldest first."""
    return messages_of(municipality_id).where(OutboxEmail.status == "failed").order_by(OutboxEmail.id)


def failed_count(municipality_id: int) -> sa.Select:
    """How many e-mails of a municipality failed."""
    return sa.select(sa.func.count(OutboxEmail.id)).where(
        OutboxEmail.municipality_id == municipality_id, OutboxEmail.status == "failed"
    )


def audit_events(municipality_id: int, action_prefix: str | None = None) -> sa.Select:
    """Audit events of a municipality with the actor's name (one query), newest first."""
    query = (
        sa.select(AuditEvent, User.full_name.label("actor_name"))
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.municipality_id == municipality_id)
    )
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
