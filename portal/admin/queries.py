"""Read-side queries of the administration, each scoped to one municipality."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.auth.models import ROLE_LABELS, User
from portal.core.models import AuditEvent, OutboxEmail
from portal.employers.models import Employer, Workplace
from portal.requests.models import PlacementRequest, PlacementType

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


#: Objects whose name the audit log shows (one outer join each): model → its name column.
NAMED_OBJECTS = (
    (Employer, Employer.name),
    (Workplace, Workplace.name),
    (PlacementRequest, PlacementRequest.role_title),
    (PlacementType, PlacementType.name),
)


def audit_events(
    municipality_id: int,
    *,
    who: str | None = None,
    kind: tuple[str, ...] | str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> sa.Select:
    """Audit events of a municipality, newest first, in one query: rows (event, actor_name, actor_email,
    object_name), where object_name is the name of an employer, workplace, request, placement type or
    account the event is about (else None).

    ``who``: part of the actor's name or e-mail address; ``kind``: action code prefixes (a group) or one
    action code; ``since`` (inclusive) and ``until`` (exclusive): UTC instants.
    """
    actor = aliased(User, name="actor")
    subject = aliased(User, name="subject")
    names = [column for _model, column in NAMED_OBJECTS]
    query = (
        sa.select(
            AuditEvent,
            actor.full_name.label("actor_name"),
            actor.email.label("actor_email"),
            sa.func.coalesce(*names, subject.full_name).label("object_name"),
        )
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(subject, sa.and_(AuditEvent.object_type == "User", subject.id == AuditEvent.object_id))
        .where(AuditEvent.municipality_id == municipality_id)
    )
    for model, _column in NAMED_OBJECTS:
        query = query.outerjoin(
            model, sa.and_(AuditEvent.object_type == model.__name__, model.id == AuditEvent.object_id)
        )
    if who:
        query = query.where(
            sa.or_(
                actor.full_name.icontains(who, autoescape=True), actor.email.icontains(who, autoescape=True)
            )
        )
    if isinstance(kind, tuple):
        query = query.where(sa.or_(*(AuditEvent.action.startswith(p, autoescape=True) for p in kind)))
    elif kind:
        query = query.where(AuditEvent.action == kind)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
