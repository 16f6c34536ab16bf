"""Signals: how a domain tells the domains above it that something happened, without importing them.

A lower layer sends; the layers above connect their receivers (in their own services or queries module at
import, which the app factory does through the blueprints, or in their package's ``init_app``). Receivers
run at once, in the sender's transaction, in the order they connected; they flush, never commit. They may
return a value the sender collects (``send`` gives (receiver, value) pairs). ARCHITECTURE.md lists who
sends and who listens.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

#: A placement's status changed and was flushed (sender: the placement; ``actor``: a User, or None for the
#: system; ``old`` and ``new``: status codes; ``on``: the calendar date of the change).
placement_status_changed = _signals.signal("placement-status-changed")

#: The condition behind some risk alerts of these placements ended (sender: a placement id or a list of
#: them). ``condition``: why, a key of ``portal.alerts.rules.ENDED``; ``rules``: only alerts of these
#: rules; ``evidence_key``: only the alert about this evidence; ``now``: when. Alerts close themselves.
conditions_ended = _signals.signal("conditions-ended")

#: A placement ended (sender: the placement; ``cause``: "interrupted", "stopped" or "outcome"): every
#: unresolved alert of it closes.
placement_ended = _signals.signal("placement-ended")

#: A candidate stopped sharing the profile with some employers (sender: the candidate; ``actor``: who
#: recorded it; ``employer_ids``: those employers). Receivers return the proposals they ended.
profile_unshared = _signals.signal("profile-unshared")

#: The spreadsheet import added candidates (sender: the actor; ``imported``: (candidate, journey) per row,
#: ``journey`` the row's checked ``specialist_id``, ``stages`` and ``exit``, empty without): the journey
#: writes them and plans the follow-ups of the work exits they brought in.
candidates_imported = _signals.signal("candidates-imported")

#: A placement's page is drawn (sender: the placement; ``user``: who looks; ``bound``: forms posted with
#: errors, by name). Each domain above placements returns its part of the page context as a dict
#: (queries.py); the dicts have no keys in common, and ``events`` are added to the timeline.
placement_page = _signals.signal("placement-page")


def collected(results: list[tuple[Any, Any]]) -> list[Any]:
    """The values the receivers of a ``send`` returned, in the order they connected."""
    return [value for _, value in results]
