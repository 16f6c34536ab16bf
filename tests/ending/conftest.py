"""The fixtures of the placement tests (a started placement, a frozen clock), shared with the ending tests."""

from tests.placements.conftest import frozen, started  # noqa: F401 - fixtures, used by name
