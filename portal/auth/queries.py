"""Read-side queries for users, password tokens and failed-login bookkeeping."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.auth.models import LoginFailure, PasswordToken, RecoveryCode, User


def user_by_email(email: str) -> sa.Select:
    """The user with this (already lower-cased) e-mail address."""
    return sa.select(User).where(User.email == email)


def token_by_hash(token_hash: str) -> sa.Select:
    """The password token with this hash, with its user."""
    return (
        sa.select(PasswordToken)
        .options(joinedload(PasswordToken.user))
        .where(PasswordToken.token_hash == token_hash)
    )


def open_tokens_of(user_id: int) -> sa.Select:
    """The user's password tokens that have not been used yet."""
    return sa.select(PasswordToken).where(PasswordToken.user_id == user_id, PasswordToken.used_at.is_(None))


def failure_count(key_hash: str, since: datetime) -> sa.Select:
    """How many failures were recorded under ``key_hash`` since ``since``."""
    return sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.key_hash == key_hash, LoginFailure.failed_at >= since
    )


def open_recovery_codes(user_id: int) -> sa.Select:
    """The user's herstelcodes that have not been used yet."""
    return sa.select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))


def open_recovery_code_count(user_id: int) -> sa.Select:
    """How many unused herstelcodes the user has left."""
    return sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
    )
