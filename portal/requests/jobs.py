"""Scheduled sweep of the requests domain: close requests nobody can fill any more (verlopen)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.auth.models import User
from portal.core.outbox import queue_email
from portal.core.time import today_local
from portal.extensions import db
from portal.requests.queries import stale_requests
from portal.requests.services import expire_request


def expire_stale_requests() -> dict[str, Any]:
    """Expire requests whose desired start passed REQUEST_EXPIRE_DAYS ago; tell the employer. Idempotent."""
    cutoff = today_local() - timedelta(days=current_app.config["REQUEST_EXPIRE_DAYS"])
    expired = 0
    for request in db.session.scalars(stale_requests(cutoff)).all():
        expire_request(None, request)
        for user in db.session.scalars(
            sa.select(User).where(User.employer_id == request.employer_id, User.is_active.is_(True))
        ):
            queue_email(
                to=user.email,
                template="requests/expired",
                dedupe_key=f"request.expired:{request.id}:{user.id}",
                municipality_id=request.municipality_id,
                placement_request=request,
                recipient=user,
            )
        expired += 1
    return {"expired": expired}
