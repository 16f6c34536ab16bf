"""Users, their single-use tokens and failed-login bookkeeping."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.security import ROLES
from portal.core.time import now_utc

if TYPE_CHECKING:
    from portal.core.models import Municipality
    from portal.employers.models import Employer

ROLE_LABELS = {
    "employer": "Werkgever",
    "jobcoach": "Jobcoach",
    "municipal": "Contactpersoon gemeente",
    "admin": "Functioneel beheerder",
}


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    role: Mapped[str] = mapped_column(sa.String(20))
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    #: Only for employer users: the organisation they act for.
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    #: argon2id hash; empty until the user has chosen a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Rotated at logout, password change and deactivation: every captured cookie dies with it.
    login_token: Mapped[str] = mapped_column(sa.String(64), default=new_login_token)
    last_login_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()
    #: SHA-256 of the secret in the user's calendar feed URL (the secret itself is shown once).
    calendar_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: The TOTP secret (base32) of the user's authenticator app; empty until enrolled or after a reset.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    #: When the user confirmed the secret with a code: from then on every login asks for a code.
    totp_enrolled_at: Mapped[datetime | None] = mapped_column()
    #: The time step of the last accepted code: that step and older ones are refused (no replay).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    municipality: Mapped[Municipality] = relationship(lazy="joined")
    employer: Mapped[Employer | None] = relationship(foreign_keys=[employer_id], lazy="joined")

    __table_args__ = (
        str_enum_check("role", ROLES),
        sa.CheckConstraint(
            "(role = 'employer' AND employer_id IS NOT NULL) OR (role <> 'employer' AND employer_id IS NULL)",
            name="employer_link",
        ),
    )

    # Flask-Login protocol -------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.login_token}"

    # Helpers used by views and templates ----------------------------------
    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def is_staff(self) -> bool:
        return self.role in ("jobcoach", "municipal", "admin")

    @property
    def has_mfa(self) -> bool:
        """Whether the user has confirmed an authenticator app (the login asks for a code)."""
        return self.totp_enrolled_at is not None and bool(self.totp_secret)

    @property
    def employer_is_approved(self) -> bool:
        return self.employer is not None and self.employer.status == "approved"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


TOKEN_PURPOSES = ("reset", "setup")


class PasswordToken(Base):
    """A single-use link to choose a password: a reset, or the first password of a new staff user."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    #: SHA-256 of the token; the token itself only ever exists in the e-mail.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    user: Mapped[User] = relationship()

    __table_args__ = (str_enum_check("purpose", TOKEN_PURPOSES),)


class LoginFailure(Base):
    """One failed login, keyed by a hash of the account or the client IP (no personal data stored)."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    failed_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (sa.Index("ix_login_failures_key_time", "key_hash", "failed_at"),)


class RecoveryCode(Base):
    """A single-use herstelcode for when the authenticator app is lost; only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
