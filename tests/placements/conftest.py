"""The placements tests share the matching helpers (a fresh employer site and a frozen clock)."""

from tests.matching.conftest import frozen  # noqa: F401 - a fixture, used by name
