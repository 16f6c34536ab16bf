"""Signals: how a domain tells the domains above it that something happened, without importing them.

A lower layer sends; the layers above connect their receivers in their own services or queries module
(at import, which the app factory does through the blueprints). Receivers run at once, in the sender's
transaction, in the order they connected, and may return a value the sender collects (``send`` gives
(receiver, value) pairs). ARCHITECTURE.md lists who sends and who listens.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

#: The condition behind some risk alerts of these placements ended (sender: a placement id or a list of
#: them). ``condition``: why, a key of ``portal.alerts.rules.ENDED``; ``rules``: only alerts of these
#: rules; ``evidence_key``: only the alert about this evidence; ``now``: when. Alerts close themselves.
conditions_ended = _signals.signal("conditions-ended")

#: A placement ended (sender: the placement; ``cause``: "interrupted", "stopped" or "outcome"): every
#: unresolved alert of it closes.
placement_ended = _signals.signal("placement-ended")

#: A candidate stopped sharing the profile (sender: the candidate; ``actor``: who recorded it). Receivers
#: return the proposals they ended.
profile_unshared = _signals.signal("profile-unshared")

#: A placement's page is drawn (sender: the placement; ``user``: who looks). Each domain above placements
#: returns its part of the page context as a dict (queries.py); the dicts have no keys in common.
placement_page = _signals.signal("placement-page")


def collected(results: list[tuple[Any, Any]]) -> list[Any]:
    """The values the receivers of a ``send`` returned, in the order they connected."""
    return [value for _, value in results]
