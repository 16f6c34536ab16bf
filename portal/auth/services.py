"""Write-side verbs of authentication: log in and out, reset and choose passwords, keep one's own profile.

Failed logins are counted in the ``login_failures`` table under a SHA-256 key ("acct:<email>",
"ip:<address>", "reset:<email>", "mfa:<user id>"), so every web worker shares the same counters and no e-mail
address or IP address is stored in the clear.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from portal.auth import queries, totp
from portal.auth.models import LoginFailure, PasswordToken, RecoveryCode, User, new_login_token
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.core.audit import record
from portal.core.outbox import queue_email
from portal.core.time import now_utc
from portal.core.tokens import hash_token, new_token
from portal.extensions import db

RESET_MAILS_PER_HOUR = 3
RESET_MAILS_PER_IP = 20  # per hour, from one client address
#: Failure rows older than this are deleted whenever a new one is written.
FAILURE_RETENTION = timedelta(days=1)


class AuthError(Exception):
    """Base class of the errors a view turns into a Dutch message."""


class LoginBlocked(AuthError):
    """Too many failed attempts for this account or client address: wait for the window to pass."""


class LoginRefused(AuthError):
    """Unknown e-mail, wrong password or inactive account: deliberately one error for all three."""


class WrongPassword(AuthError):
    """The current password given to change it does not match."""


class CodeBlocked(AuthError):
    """Too many wrong codes for this account: wait for the window to pass."""


class WrongCode(AuthError):
    """The code is not the app's current code, was used before, or the herstelcode is unknown or used."""


# Counters -------------------------------------------------------------------------------------


def failure_key(kind: str, value: str) -> str:
    """The stored key for a counter: SHA-256 of ``kind:value`` (no personal data in the table)."""
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8", "surrogatepass")).hexdigest()


def normalise_email(raw: str | None) -> str:
    """The e-mail address as stored for users: normalised and lower-cased (raw lower-case if not valid)."""
    raw = (raw or "").strip()
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return raw.lower()


def _count_since(key: str, minutes: int) -> int:
    since = now_utc() - timedelta(minutes=minutes)
    return db.session.scalar(queries.failure_count(key, since)) or 0


def _add_failure(*keys: str) -> None:
    now = now_utc()
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at < now - FAILURE_RETENTION))
    db.session.add_all(LoginFailure(key_hash=key, failed_at=now) for key in keys)
    db.session.flush()


def _clear_failures(key: str) -> None:
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.key_hash == key))


def _account_blocked(email: str) -> bool:
    cfg = current_app.config
    failures = _count_since(failure_key("acct", email), cfg["LOGIN_WINDOW_MINUTES"])
    return failures >= cfg["LOGIN_MAX_FAILURES_ACCOUNT"]


def _ip_blocked(ip: str) -> bool:
    cfg = current_app.config
    return _count_since(failure_key("ip", ip), cfg["LOGIN_WINDOW_MINUTES"]) >= cfg["LOGIN_MAX_FAILURES_IP"]


# Logging in and out ---------------------------------------------------------------------------


def authenticate(email: str, password: str, ip: str | None) -> User:
    """The user for these credentials; raises LoginBlocked or LoginRefused (and counts the failure)."""
    email, ip = normalise_email(email), ip or "unknown"
    if _account_blocked(email) or _ip_blocked(ip):
        record(None, "auth.login_failed", reason="blocked")
        db.session.flush()
        raise LoginBlocked
    user = db.session.scalar(queries.user_by_email(email))
    # Always run the password hash, also for unknown accounts: no timing hint about who exists.
    correct = verify_password(user.password_hash if user else None, password)
    if user is None or not correct or not user.is_active:
        _add_failure(failure_key("acct", email), failure_key("ip", ip))
        reason = "unknown_account" if user is None else ("inactive" if correct else "wrong_password")
        record(None, "auth.login_failed", user, reason=reason)
        db.session.flush()
        raise LoginRefused
    _complete_login(user, password)
    return user


def _complete_login(user: User, password: str) -> None:
    user.last_login_at = now_utc()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    _clear_failures(failure_key("acct", user.email))
    record(user, "auth.login", user)
    db.session.flush()


def logout(actor: User) -> None:
    """End every session of ``actor``: the login token in all their cookies stops working."""
    actor.login_token = new_login_token()
    record(actor, "auth.logout", actor)
    db.session.flush()


# Password tokens ------------------------------------------------------------------------------


def _issue_token(user: User, purpose: str, lifetime: timedelta) -> tuple[PasswordToken, str]:
    raw, hashed = new_token()
    row = PasswordToken(user_id=user.id, purpose=purpose, token_hash=hashed, expires_at=now_utc() + lifetime)
    db.session.add(row)
    db.session.flush()
    return row, raw


def request_password_reset(email: str, ip: str | None = None) -> PasswordToken | None:
    """Queue a reset link for an active account with this address; silently nothing otherwise."""
    email, ip_key = normalise_email(email), failure_key("reset-ip", ip or "unknown")
    user = db.session.scalar(queries.user_by_email(email))
    if user is None or not user.is_active:
        return None
    key = failure_key("reset", email)
    if _count_since(key, 60) >= RESET_MAILS_PER_HOUR or _count_since(ip_key, 60) >= RESET_MAILS_PER_IP:
        return None
    _add_failure(key, ip_key)
    row, raw = _issue_token(user, "reset", timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]))
    queue_email(
        to=user.email,
        template="auth/password_reset",
        dedupe_key=f"auth.reset:{row.id}",
        contains_secret=True,
        municipality_id=user.municipality_id,
        user=user,
        token=raw,
        expires_at=row.expires_at,
    )
    record(None, "auth.reset_requested", user)
    db.session.flush()
    return row


def send_account_setup(actor: User | None, user: User) -> PasswordToken:
    """Send ``user`` a welcome e-mail with a link to choose their first password."""
    row, raw = _issue_token(user, "setup", timedelta(days=current_app.config["ACCOUNT_SETUP_DAYS"]))
    queue_email(
        to=user.email,
        template="auth/account_setup",
        dedupe_key=f"auth.setup:{row.id}",
        contains_secret=True,
        municipality_id=user.municipality_id,
        user=user,
        token=raw,
        expires_at=row.expires_at,
    )
    record(actor, "auth.setup_sent", user)
    db.session.flush()
    return row


def valid_token(raw: str, purpose: str) -> PasswordToken | None:
    """The token row when ``raw`` is an unused, unexpired token of this purpose for an active user."""
    if not raw or len(raw) > 200:
        return None
    row = db.session.scalar(queries.token_by_hash(hash_token(raw)))
    if row is None or row.purpose != purpose or row.used_at is not None:
        return None
    if row.expires_at <= now_utc() or not row.user.is_active:
        return None
    return row


def set_password_with_token(token: PasswordToken, password: str) -> User:
    """Give the token's user this password; the token and all other open ones are used up."""
    user = token.user
    _set_password(user, password)
    _clear_failures(failure_key("acct", user.email))
    action = "auth.password_reset" if token.purpose == "reset" else "auth.account_setup_completed"
    record(user, action, user, token_id=token.id)
    db.session.flush()
    return user


def _set_password(user: User, password: str) -> None:
    now = now_utc()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.login_token = new_login_token()  # every existing session of this user ends
    for open_token in db.session.scalars(queries.open_tokens_of(user.id)):
        open_token.used_at = now


# Own account ----------------------------------------------------------------------------------


def change_password(actor: User, current: str, new: str) -> None:
    """Change ``actor``'s password after checking the current one; all their sessions end."""
    _check_own_password(actor, current, "auth.password_change_failed")
    _set_password(actor, new)
    record(actor, "auth.password_changed", actor)
    db.session.flush()


def _check_own_password(actor: User, password: str, failed_action: str) -> None:
    """Refuse a wrong password of the logged-in ``actor`` (counted towards the account's login limit)."""
    if _account_blocked(actor.email):
        raise LoginBlocked
    if not verify_password(actor.password_hash, password):
        _add_failure(failure_key("acct", actor.email))
        record(actor, failed_action, actor)
        db.session.flush()
        raise WrongPassword


def update_profile(actor: User, full_name: str, phone: str | None) -> None:
    """Change ``actor``'s own name and phone number."""
    phone = phone or None
    pairs = (("full_name", actor.full_name, full_name), ("phone", actor.phone, phone))
    changed = [name for name, old, value in pairs if old != value]
    actor.full_name = full_name
    actor.phone = phone
    if changed:
        record(actor, "auth.profile_updated", actor, fields=changed)
    db.session.flush()


# The code from an app (two-step login) ---------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: easy to read from paper. 16 characters from 31 give 79 bits, so a plain SHA-256 suffices.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 16


def _code_blocked(user: User) -> bool:
    cfg = current_app.config
    failures = _count_since(failure_key("mfa", str(user.id)), cfg["LOGIN_WINDOW_MINUTES"])
    return failures >= cfg["MFA_MAX_FAILURES"]


def _code_failed(user: User, reason: str) -> None:
    _add_failure(failure_key("mfa", str(user.id)))
    record(user, "auth.mfa_failed", user, reason=reason)
    db.session.flush()


def _check_app_code(user: User, secret: str, code: str, after: int | None) -> int:
    """The time step of ``code`` for ``secret`` (counted and audited when wrong); raises the refusal."""
    if _code_blocked(user):
        record(user, "auth.mfa_failed", user, reason="blocked")
        db.session.flush()
        raise CodeBlocked
    moment = now_utc()
    step = totp.matching_step(secret, code, moment, after)
    if step is None:
        replay = after is not None and totp.matching_step(secret, code, moment, None) is not None
        _code_failed(user, "replay" if replay else "wrong_code")
        raise WrongCode
    return step


def verify_code(user: User, code: str) -> None:
    """Accept the current code of ``user``'s app once: that time step and older ones are refused after."""
    user.totp_last_step = _check_app_code(user, user.totp_secret or "", code, user.totp_last_step)
    _clear_failures(failure_key("mfa", str(user.id)))
    record(user, "auth.mfa_passed", user, method="app")
    db.session.flush()


def normalise_recovery_code(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").lower() if ch.isalnum())


def use_recovery_code(user: User, raw: str) -> int:
    """Use up one of ``user``'s herstelcodes instead of the app's code; returns how many are left."""
    if _code_blocked(user):
        record(user, "auth.mfa_failed", user, reason="blocked")
        db.session.flush()
        raise CodeBlocked
    wanted = hash_token(normalise_recovery_code(raw))
    row = next(
        (r for r in db.session.scalars(queries.open_recovery_codes(user.id)) if r.code_hash == wanted), None
    )
    if row is None:
        _code_failed(user, "wrong_recovery_code")
        raise WrongCode
    row.used_at = now_utc()
    _clear_failures(failure_key("mfa", str(user.id)))
    left = db.session.scalar(queries.open_recovery_code_count(user.id)) - 1
    record(user, "auth.mfa_passed", user, method="recovery_code", left=left)
    db.session.flush()
    return left


def _new_recovery_codes(user: User) -> list[str]:
    """Replace ``user``'s herstelcodes by fresh ones; the codes themselves are returned (shown once)."""
    for old in db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        db.session.delete(old)
    db.session.flush()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw)))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    db.session.flush()
    return codes


def enrol_app(user: User, secret: str, code: str) -> list[str]:
    """Link the app that shows ``code`` for the new ``secret``; returns the new herstelcodes (shown once).

    A former app and former herstelcodes stop working.
    """
    step = _check_app_code(user, secret, code, None)
    user.totp_secret = secret
    user.totp_enrolled_at = now_utc()
    user.totp_last_step = step
    _clear_failures(failure_key("mfa", str(user.id)))
    codes = _new_recovery_codes(user)
    record(user, "auth.mfa_enrolled", user)
    db.session.flush()
    return codes


def renew_recovery_codes(actor: User) -> list[str]:
    """Fresh herstelcodes for ``actor``: the old ones stop working."""
    codes = _new_recovery_codes(actor)
    record(actor, "auth.recovery_codes_renewed", actor)
    db.session.flush()
    return codes


def forget_app(user: User) -> None:
    """Unlink ``user``'s app and herstelcodes: the next login links an app again (when one is required)."""
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.login_token = new_login_token()  # the sessions that passed the old app end
    db.session.flush()


def confirm_identity(actor: User, password: str, code: str | None) -> None:
    """Check ``actor``'s password and (when they use an app) code again, for a sensitive action."""
    _check_own_password(actor, password, "auth.confirm_failed")
    if actor.has_mfa:
        verify_code(actor, code or "")
    record(actor, "auth.confirmed", actor)
    db.session.flush()
