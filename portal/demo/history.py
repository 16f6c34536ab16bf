"""A year of the Eindhoven team's history (filled in below)."""

from __future__ import annotations

from portal.demo.context import Demo


def seed_history(demo: Demo) -> None:
    """A year of history for the Eindhoven team."""
