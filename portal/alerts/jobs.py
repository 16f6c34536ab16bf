"""Scheduler job bodies of aftercare (declared in portal/scheduler.py)."""

from __future__ import annotations

from typing import Any

from portal.alerts.reconcile import reconcile as run_reconcile


def reconcile() -> dict[str, Any]:
    """Plan check-ins, evaluate the risk rules, open and escalate alerts and queue e-mail. Idempotent."""
    return run_reconcile()
