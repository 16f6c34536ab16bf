"""Write-side verbs of the calendar feed: make (or replace) and stop a user's secret feed address.

Only the SHA-256 of the secret is stored; the secret itself exists once, in the answer to the user who
made it. Neither the secret nor its hash goes into the audit trail or the log.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from portal.auth.models import User
from portal.calendar.queries import FEED_ROLES
from portal.core.audit import record
from portal.extensions import db

#: Bytes of randomness in a feed secret (token_urlsafe(32) gives 43 URL-safe characters).
TOKEN_BYTES = 32
#: What a feed secret can look like; anything else is refused before the database is asked.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")

NOT_YOUR_FEED = "Een agenda-abonnement is er alleen voor contactpersonen van de gemeente en jobcoaches."
NO_FEED = "U heeft geen agenda-adres. Er is niets gestopt."


class CalendarError(Exception):
    """A business rule refused the change; ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a feed secret, as stored in ``User.calendar_token_hash``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str | None) -> bool:
    """Whether ``token`` has the shape of a feed secret (cheap check before any lookup)."""
    return isinstance(token, str) and TOKEN_RE.fullmatch(token) is not None


def _check_role(actor: User) -> None:
    if actor.role not in FEED_ROLES:
        raise CalendarError(NOT_YOUR_FEED)


def make_feed_token(actor: User) -> str:
    """Give ``actor`` a new secret feed address; an earlier one stops working. Returns the secret."""
    _check_role(actor)
    replaced = actor.calendar_token_hash is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    actor.calendar_token_hash = token_hash(token)
    db.session.flush()
    record(actor, "calendar.feed_reset" if replaced else "calendar.feed_created", actor, replaced=replaced)
    return token


def stop_feed(actor: User) -> None:
    """Remove ``actor``'s feed address: the calendar no longer gets anything from Werkbrug."""
    _check_role(actor)
    if actor.calendar_token_hash is None:
        raise CalendarError(NO_FEED)
    actor.calendar_token_hash = None
    db.session.flush()
    record(actor, "calendar.feed_stopped", actor)
