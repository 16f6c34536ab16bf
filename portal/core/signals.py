"""Signals that let a higher domain react to a lower one without the lower one importing it.

``placement_status_changed`` is sent by the placements code after a placement's status changed (and was
flushed), with the placement as sender and ``actor`` (a User, or None for the system), ``old`` and
``new`` (status codes) and ``on`` (the calendar date of the change). Receivers run in the same
transaction: they flush, never commit.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

placement_status_changed = _signals.signal("placement-status-changed")
