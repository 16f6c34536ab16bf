"""Time-based one-time codes (RFC 6238, SHA-1, 6 digits, 30 seconds) as authenticator apps make them.

Pure functions without the database: the secret, the code of a time step, which step a typed code
belongs to (one step of clock drift either way), the ``otpauth://`` link and its QR code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

import segno

STEP_SECONDS = 30
DIGITS = 6
#: Steps of clock drift accepted either way (the phone's clock may run a little early or late).
DRIFT_STEPS = 1
ISSUER = "Werkbrug"


def new_secret() -> str:
    """A fresh random secret: 160 bits, base32 without padding (32 characters)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def step_at(moment: datetime) -> int:
    """The time step (counter) that ``moment`` falls in."""
    return int(moment.timestamp()) // STEP_SECONDS


def code_for(secret: str, step: int) -> str:
    """The 6-digit code of ``secret`` for time step ``step`` (RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def clean_code(raw: str | None) -> str:
    """The typed code without spaces and dashes (apps show "123 456")."""
    return "".join(ch for ch in (raw or "") if ch not in " -\u00a0\t")


def matching_step(secret: str, typed: str, moment: datetime, after: int | None) -> int | None:
    """The time step whose code is ``typed``, within the drift and later than ``after``; else None."""
    typed = clean_code(typed)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return None
    now = step_at(moment)
    found = None
    # Compare with every candidate (no early exit): the time taken tells nothing about which matched.
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_for(secret, step), typed) and (after is None or step > after):
            found = step if found is None else found
    return found


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type over."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` link an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": DIGITS, "period": STEP_SECONDS})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG (made on the server: no script, no outside service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff", title="QR-code")
