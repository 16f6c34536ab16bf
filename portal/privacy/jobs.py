"""The scheduled job of the retention purge (registered in ``portal.scheduler``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.privacy import retention


def purge(now: datetime | None = None) -> dict[str, Any]:
    """Anonymise the candidates whose closed dossier passed the retention period; idempotent."""
    return retention.purge_due(now)
