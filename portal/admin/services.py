"""Write-side verbs of the functional administrator: staff users, (de)activation, outbox retries."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.admin import queries
from portal.auth.models import User, new_login_token
from portal.auth.services import forget_app, send_account_setup
from portal.core.audit import record
from portal.core.errors import DomainError
from portal.core.models import Municipality, OutboxEmail
from portal.core.time import now_utc
from portal.extensions import db
from portal.requests.defaults import ensure_default_types

#: Roles an administrator may give a new staff user (employers register themselves or are invited).
STAFF_ROLES = ("municipal", "jobcoach", "admin")


def email_taken(email: str) -> bool:
    """True when a user with this e-mail address exists (case-insensitive)."""
    query = sa.select(User.id).where(sa.func.lower(User.email) == email.strip().lower())
    return db.session.scalar(query) is not None


def create_staff_user(
    actor: User | None,
    *,
    municipality_id: int,
    full_name: str,
    email: str,
    role: str,
    phone: str | None = None,
    password_hash: str | None = None,
) -> User:
    """Create a staff user; without a password hash they get an e-mail to choose a password."""
    if role not in STAFF_ROLES:
        raise DomainError("Kies een rol.", field="role")
    email = email.strip().lower()
    if email_taken(email):
        raise DomainError("Er is al een gebruiker met dit e-mailadres.", field="email")
    user = User(
        municipality_id=municipality_id,
        full_name=full_name,
        email=email,
        phone=phone or None,
        role=role,
        password_hash=password_hash,
        is_active=True,
        password_changed_at=now_utc() if password_hash else None,
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, role=role)
    if password_hash is None:
        send_account_setup(actor=actor, user=user)
    return user


def deactivate_user(actor: User, user: User) -> User:
    """Block ``user`` from logging in and end all their sessions at once (new login token). Their
    calendar feed address stops for good: after activation they make a new one."""
    if user.id == actor.id:
        raise DomainError("U kunt uw eigen account niet deactiveren.")
    feed_ended = user.calendar_token_hash is not None
    user.is_active = False
    user.login_token = new_login_token()
    user.calendar_token_hash = None
    db.session.flush()
    record(actor, "user.deactivated", user, role=user.role, calendar_feed_ended=feed_ended)
    return user


def activate_user(actor: User, user: User) -> User:
    """Let a deactivated user log in again."""
    user.is_active = True
    db.session.flush()
    record(actor, "user.activated", user, role=user.role)
    return user


def reset_mfa(actor: User, user: User) -> User:
    """Unlink ``user``'s app and herstelcodes (a lost phone): their sessions end and the next login links
    an app again (staff, and employers whose municipality requires it)."""
    if user.id == actor.id:
        raise DomainError("Koppel uw eigen app opnieuw bij Mijn account.")
    had_app = user.has_mfa
    forget_app(user)
    record(actor, "auth.mfa_reset", user, context="mfa_reset", role=user.role, had_app=had_app)
    db.session.flush()
    return user


def save_security(actor: User, municipality: Municipality, employer_mfa_required: bool) -> bool:
    """Set whether the municipality's employers must log in with a code; True when it changed."""
    changed = municipality.employer_mfa_required != employer_mfa_required
    municipality.employer_mfa_required = employer_mfa_required
    if changed:
        record(
            actor, "municipality.security_changed", municipality, employer_mfa_required=employer_mfa_required
        )
    db.session.flush()
    return changed


def retry_message(actor: User, message: OutboxEmail) -> OutboxEmail:
    """Put a failed e-mail back in the queue with a fresh number of attempts."""
    if message.status != "failed":
        raise DomainError("Dit bericht is niet mislukt en kan niet opnieuw worden verstuurd.")
    _requeue(message)
    db.session.flush()
    record(actor, "outbox.retried", message)
    return message


def retry_failed_messages(actor: User) -> int:
    """Put every failed e-mail of the actor's municipality back in the queue; return how many."""
    messages = db.session.scalars(queries.failed_messages(actor.municipality_id)).all()
    if not messages:
        return 0
    for message in messages:
        _requeue(message)
    db.session.flush()
    record(actor, "outbox.retried_all", count=len(messages), message_ids=[message.id for message in messages])
    return len(messages)


def _requeue(message: OutboxEmail) -> None:
    """Due now, with fresh attempts and a fresh period of retries."""
    message.status = "pending"
    message.attempts = 0
    message.first_failed_at = None
    message.next_attempt_at = now_utc()


def slugify(name: str) -> str:
    """``Gemeente 's-Hertogenbosch`` → ``gemeente-s-hertogenbosch``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "gemeente"


def get_or_create_municipality(actor: User | None, name: str) -> tuple[Municipality, bool]:
    """The municipality with this name (case-insensitive), created when missing; (row, created)."""
    name = name.strip()
    found = db.session.scalar(sa.select(Municipality).where(sa.func.lower(Municipality.name) == name.lower()))
    if found is not None:
        return found, False
    slug, n = slugify(name), 1
    while db.session.scalar(sa.select(Municipality.id).where(Municipality.slug == slug)) is not None:
        n += 1
        slug = f"{slugify(name)[:56]}-{n}"
    municipality = Municipality(name=name, slug=slug)
    db.session.add(municipality)
    db.session.flush()
    ensure_default_types(municipality.id)  # a new municipality starts with the standard placement types
    record(actor, "municipality.created", municipality, municipality_id=municipality.id)
    return municipality, True
