"""The audit trail: every state change and every view of personal data writes one row."""

from __future__ import annotations

import logging
from typing import Any

from portal.core.models import AuditEvent
from portal.extensions import db

logger = logging.getLogger(__name__)


def record(
    actor,
    action: str,
    obj: Any | None = None,
    *,
    municipality_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for ``actor`` doing ``action`` to ``obj`` (flushes nothing; the caller commits).

    ``actor`` is a User or None (the system or an anonymous visitor). ``detail`` holds ids and codes,
    never names, e-mail addresses or free text about a person.
    """
    if municipality_id is None:
        municipality_id = getattr(obj, "municipality_id", None) or getattr(actor, "municipality_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_role=getattr(actor, "role", None),
        municipality_id=municipality_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        detail=detail,
    )
    db.session.add(event)
    logger.info("audit %s on %s %s by user %s", action, event.object_type, event.object_id, event.actor_id)
    return event
