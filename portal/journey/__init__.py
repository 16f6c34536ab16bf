"""The candidate's journey with the municipal team (stages, screenings, ABC plan, exits), the caseload per
specialist and the team's settings. Sits above placements and aftercare: they tell it about a placement's
status through ``portal.core.signals``, connected here when the app starts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Listen to the placements' status changes (plaatsing, nazorg and the proposed exit)."""
    from portal.core.signals import placement_status_changed
    from portal.journey.services import on_placement_status_changed

    # The same function connects once, however many apps are made (blinker keys receivers by identity).
    placement_status_changed.connect(on_placement_status_changed)
