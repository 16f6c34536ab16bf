"""Write-side verbs of the calendar feed: make (or replace) and stop a user's secret feed address.

Only the SHA-256 of the secret is stored; the secret itself exists once, on the page shown to the user who
made it. Neither the secret nor its hash goes into the audit trail or the log.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from portal.auth.models import User
from portal.calendar.queries import FEED_ROLES
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.extensions import db

#: Bytes of randomness in a feed secret (token_urlsafe(32) gives 43 URL-safe characters).
TOKEN_BYTES = 32
#: What a feed secret can look like; anything else is refused before the database is asked.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")

NOT_YOUR_FEED = "Een agenda-abonnement is er alleen voor contactpersonen van de gemeente en jobcoaches."
NO_FEED = "U heeft geen agenda-adres. Er is niets gestopt."


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a feed secret, as stored in ``User.calendar_token_hash``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str | None) -> bool:
    """Whether ``token`` has the shape of a feed secret (cheap check before any lookup)."""
    return isinstance(token, str) and TOKEN_RE.fullmatch(token) is not None


#: Purpose of the key stream that seals a new secret on its way to the page that shows it.
SEAL_PURPOSE = b"werkbrug calendar secret on its way to the page\0"


def _key_stream(key: bytes, stored_hash: str, length: int) -> bytes:
    # HMAC-SHA512 is a keyed pseudo-random function; the stored hash differs for every secret, so no
    # stream is ever used for two secrets.
    return hmac.new(key, SEAL_PURPOSE + stored_hash.encode("ascii"), hashlib.sha512).digest()[:length]


def seal_token(token: str, key: bytes) -> str:
    """``token`` unreadable without ``key`` (the app's secret key), to carry it in the signed session
    cookie from the POST that made it to the one GET that shows it: the cookie never holds the secret."""
    data = token.encode("ascii")
    stream = _key_stream(key, token_hash(token), len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True)).hex()


def unseal_token(sealed, stored_hash: str | None, key: bytes) -> str | None:
    """The secret sealed by :func:`seal_token`, only while it is still the user's current secret."""
    if not isinstance(sealed, str) or not stored_hash or len(sealed) > 2 * hashlib.sha512().digest_size:
        return None
    try:
        data = bytes.fromhex(sealed)
    except ValueError:
        return None
    stream = _key_stream(key, stored_hash, len(data))
    token = bytes(a ^ b for a, b in zip(data, stream, strict=True)).decode("latin-1")
    if not looks_like_token(token) or not hmac.compare_digest(token_hash(token), stored_hash):
        return None
    return token


def _check_role(actor: User) -> None:
    if actor.role not in FEED_ROLES:
        raise DomainError(NOT_YOUR_FEED)


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
        raise DomainError(NO_FEED)
    actor.calendar_token_hash = None
    db.session.flush()
    record(actor, "calendar.feed_stopped", actor)
