"""Scheduler job bodies that belong to no domain: the heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.core.models import SchedulerHeartbeat
from portal.core.sql import conflict_insert
from portal.core.time import now_utc
from portal.extensions import db

HEARTBEAT_JOB = "core.heartbeat"


def heartbeat(now: datetime | None = None) -> dict[str, Any]:
    """Record that the scheduler is alive: upsert the ``core.heartbeat`` row (race-free)."""
    now = now or now_utc()
    insert = conflict_insert(SchedulerHeartbeat).values(
        job_id=HEARTBEAT_JOB,
        last_started_at=now,
        last_finished_at=now,
        last_ok=True,
        last_summary={},
    )
    update = {"last_finished_at": insert.excluded.last_finished_at, "last_ok": True}
    db.session.execute(insert.on_conflict_do_update(index_elements=["job_id"], set_=update))
    return {"beat_at": now.isoformat()}
