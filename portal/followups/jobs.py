"""The scheduled job of retention follow-ups (registered in ``portal.scheduler``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.followups import services


def sweep(now: datetime | None = None) -> dict[str, Any]:
    """Start due follow-ups (task, question to the employer) and retire used answer links; idempotent."""
    return services.sweep(now)
