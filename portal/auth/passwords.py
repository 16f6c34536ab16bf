"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from zxcvbn import zxcvbn

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
MAX_LENGTH = 128
#: A password must need at least 10^10 guesses by zxcvbn's estimate (its top score): enough against an
#: online attack and a slow (argon2id) offline one. Only the first characters are estimated: the estimate
#: grows quadratically with the length, and anything this long is strong already.
MIN_GUESSES_LOG10 = 10
ESTIMATE_CHARACTERS = 64
#: Words everyone here would try first, besides the account's own e-mail and name.
PORTAL_WORDS = (
    "werkbrug",
    "werk",
    "brug",
    "gemeente",
    "statushouder",
    "welkom",
    "wachtwoord",
    "eindhoven",
    "helmond",
    "nederland",
    "zomer",
    "winter",
    "lente",
    "herfst",
)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return _cached_hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"], cfg["ARGON2_PARALLELISM"])


@cache
def _cached_hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends the hashing time, also without a hash."""
    hasher = _hasher()
    if not password_hash:
        hasher.hash(password)  # same cost as a real check: no timing hint that the account is unknown
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """The Dutch reason ``password`` is not allowed, or None when it is fine."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return f"Kies een wachtwoord van minstens {min_length} tekens."
    if len(password) > MAX_LENGTH:
        return f"Kies een wachtwoord van hoogstens {MAX_LENGTH} tekens."
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 3:
        return (
            "Dit wachtwoord is te makkelijk te raden. "
            "Kies een ander wachtwoord, bijvoorbeeld een zin van vier woorden."
        )
    if email and lowered.startswith(email.split("@")[0].lower()) and len(email.split("@")[0]) >= 4:
        return "Uw wachtwoord mag niet met uw e-mailnaam beginnen."
    if guesses_log10(password, personal=(email or "",)) < MIN_GUESSES_LOG10:
        return (
            "Dit wachtwoord is te makkelijk te raden. Een woord met een jaartal of een paar tekens erachter "
            "proberen aanvallers eerst. Kies bijvoorbeeld een zin van vier woorden die niet bij elkaar horen."
        )
    return None


def guesses_log10(password: str, personal: tuple[str, ...] = ()) -> float:
    """zxcvbn's estimate (log10 of the number of guesses) of ``password``, knowing the portal's words and
    the account's own e-mail parts."""
    words = list(PORTAL_WORDS)
    for value in personal:
        words.extend(part for part in value.replace("@", ".").split(".") if len(part) >= 3)
    return zxcvbn(password[:ESTIMATE_CHARACTERS], user_inputs=words)["guesses_log10"]
