"""Write-side verbs of the employers domain. They flush and audit; the caller commits once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.auth.models import User
from portal.auth.passwords import hash_password
from portal.core.audit import record
from portal.core.db import valid_id
from portal.core.errors import DomainError
from portal.core.models import Municipality
from portal.core.outbox import queue_email
from portal.core.time import now_utc
from portal.core.tokens import hash_token, new_token
from portal.employers import queries
from portal.employers.models import Employer, Invitation, Workplace
from portal.employers.permissions import DECISION_FROM, is_own_employer, is_staff_of, may_decide
from portal.extensions import db

logger = logging.getLogger(__name__)

ORGANISATION_FIELDS = (
    "name",
    "sector",
    "size_class",
    "street",
    "house_number",
    "postcode",
    "city",
    "phone",
    "website",
)
ADDRESS_FIELDS = ("street", "house_number", "postcode", "city")
WORKPLACE_FIELDS = (
    "name",
    *ADDRESS_FIELDS,
    "work_description",
    "languages",
    "buddy_name",
    "buddy_phone",
    "buddy_email",
    "capacity",
    "reachable_by_public_transport",
    "safety_requirements",
)

KVK_TAKEN = (
    "Dit KvK-nummer is al aangemeld bij deze gemeente. Heeft uw organisatie al een account? "
    "Vraag dan een collega om u uit te nodigen."
)
ACCOUNT_EXISTS = "Er is al een account met dit e-mailadres. Log in met dat account."
EMAIL_TAKEN = "Er is al een account met dit e-mailadres. Log in, of kies 'Wachtwoord vergeten'."


@dataclass(frozen=True)
class Transition:
    allowed_from: tuple[str, ...]
    to: str
    action: str
    template: str


TRANSITIONS = {
    "approve": Transition(DECISION_FROM["approve"], "approved", "employer.approved", "employers/approved"),
    "reject": Transition(DECISION_FROM["reject"], "rejected", "employer.rejected", "employers/rejected"),
    "suspend": Transition(DECISION_FROM["suspend"], "suspended", "employer.suspended", "employers/suspended"),
    "reinstate": Transition(
        DECISION_FROM["reinstate"], "approved", "employer.reinstated", "employers/approved"
    ),
}
REASON_REQUIRED = ("reject", "suspend")


def _pick(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Only allow-listed fields, with empty strings stored as None for optional columns."""
    return {name: (data.get(name) if data.get(name) != "" else None) for name in fields}


def _insert(*objects: Any) -> None:
    """Add and flush ``objects`` in one savepoint; on a unique-constraint race nothing stays behind."""
    try:
        with db.session.begin_nested():
            for obj in objects:
                db.session.add(obj)
                db.session.flush()
    except sa.exc.IntegrityError:
        for obj in objects:
            if obj in db.session:
                db.session.expunge(obj)
        raise


# Registration ---------------------------------------------------------------------------------------------


def _check_registration(municipality_id: int, kvk_number: str, email: str) -> Municipality:
    """The municipality to register with, after checking it is open and the KvK number and e-mail are free."""
    municipality = db.session.get(Municipality, municipality_id)
    if municipality is None or not municipality.is_open_for_registration:
        raise DomainError("Kies een gemeente uit de lijst.", "municipality_id")
    if db.session.scalar(queries.kvk_taken(municipality.id, kvk_number)) is not None:
        raise DomainError(KVK_TAKEN, "kvk_number")
    if db.session.scalar(queries.user_id_by_email(email)) is not None:
        raise DomainError(EMAIL_TAKEN, "email")
    return municipality


def register_employer(
    actor: User | None,
    *,
    municipality_id: int,
    kvk_number: str,
    organisation: dict[str, Any],
    person: dict[str, Any],
    password: str,
) -> User:
    """Register a pending employer with its first user; notify the user and the municipality."""
    email = person["email"].lower()
    municipality = _check_registration(municipality_id, kvk_number, email)
    employer = Employer(
        municipality_id=municipality.id,
        kvk_number=kvk_number,
        status="pending",
        **_pick(organisation, ORGANISATION_FIELDS),
    )
    user = User(
        email=email,
        full_name=person["full_name"],
        phone=person.get("phone") or None,
        role="employer",
        municipality_id=municipality.id,
        employer=employer,
        password_hash=hash_password(password),
        password_changed_at=now_utc(),
    )
    try:
        _insert(employer, user)
    except sa.exc.IntegrityError as exc:  # a concurrent registration got there first: say which value
        taken = "kvk" in str(exc.orig).lower()
        raise (DomainError(KVK_TAKEN, "kvk_number") if taken else DomainError(EMAIL_TAKEN, "email")) from exc
    record(actor or user, "employer.registered", employer)
    _notify_registration(employer, user)
    logger.info("Employer %s registered in municipality %s", employer.id, municipality.id)
    return user


def _notify_registration(employer: Employer, user: User) -> None:
    queue_email(
        to=user.email,
        template="employers/registration_received",
        dedupe_key=f"employers/registration_received:{employer.id}:{user.id}",
        municipality_id=employer.municipality_id,
        employer=employer,
        user=user,
    )
    for staff in db.session.scalars(queries.municipal_contacts(employer.municipality_id)):
        queue_email(
            to=staff.email,
            template="employers/registration_pending",
            dedupe_key=f"employers/registration_pending:{employer.id}:{staff.id}",
            municipality_id=employer.municipality_id,
            employer=employer,
            recipient=staff,
        )


# Municipal decisions --------------------------------------------------------------------------------------


def _check_same_municipality(actor: User, employer: Employer) -> None:
    if not is_staff_of(actor, employer):
        raise DomainError("U mag over deze werkgever geen besluit nemen.", "decision")


def _check_contact(employer: Employer, contact_id: int | None) -> User:
    contact = db.session.get(User, contact_id) if valid_id(contact_id) else None
    if (
        contact is None
        or contact.role != "municipal"
        or not contact.is_active
        or contact.municipality_id != employer.municipality_id
    ):
        raise DomainError("Kies een contactpersoon uit de lijst.", "contact_id")
    return contact


def decide(
    actor: User,
    employer: Employer,
    decision: str,
    *,
    reason: str | None = None,
    contact_id: int | None = None,
) -> Employer:
    """Approve, reject, suspend or reinstate an employer; e-mail every active user of the employer."""
    _check_same_municipality(actor, employer)
    transition = TRANSITIONS.get(decision)
    if transition is None:
        raise DomainError("Kies een besluit uit de lijst.", "decision")
    if not may_decide(actor, employer, decision):
        raise DomainError(
            f"Dit besluit kan niet: de werkgever heeft nu de status '{employer.status_label}'.", "decision"
        )
    if decision in REASON_REQUIRED and not reason:
        raise DomainError("Vul de reden in. De werkgever krijgt deze reden te zien.", "reason")
    if decision == "approve":
        employer.contact = _check_contact(employer, contact_id)
    previous = employer.status
    employer.status = transition.to
    employer.status_reason = reason or None
    employer.status_changed_at = now_utc()
    employer.status_changed_by_id = actor.id
    event = record(actor, transition.action, employer, from_status=previous, to_status=transition.to)
    db.session.flush()
    for user in db.session.scalars(queries.users_of_employer(employer.id, active_only=True)):
        queue_email(
            to=user.email,
            template=transition.template,
            dedupe_key=f"{transition.template}:{event.id}:{user.id}",
            municipality_id=employer.municipality_id,
            employer=employer,
            user=user,
            reason=reason,
        )
    return employer


def change_contact(actor: User, employer: Employer, contact_id: int | None) -> Employer:
    """Make another active municipal user of this municipality the employer's fixed contact."""
    _check_same_municipality(actor, employer)
    contact = _check_contact(employer, contact_id)
    employer.contact = contact
    record(actor, "employer.contact_changed", employer, contact_id=contact.id)
    db.session.flush()
    return employer


# The employer's own data ----------------------------------------------------------------------------------


def _check_own_employer(actor: User, employer: Employer) -> None:
    if not is_own_employer(actor, employer):
        raise DomainError("U kunt alleen de gegevens van uw eigen organisatie aanpassen.")


def update_organisation(actor: User, employer: Employer, data: dict[str, Any]) -> Employer:
    """Change the organisation's own data (never KvK number, status or municipality)."""
    _check_own_employer(actor, employer)
    changed = _apply(employer, _pick(data, ORGANISATION_FIELDS))
    record(actor, "employer.updated", employer, fields=changed)
    db.session.flush()
    return employer


def _apply(obj: Any, values: dict[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return sorted(changed)


def _workplace_values(employer: Employer, data: dict[str, Any], same_address: bool) -> dict[str, Any]:
    values = _pick(data, WORKPLACE_FIELDS)
    values["reachable_by_public_transport"] = bool(data.get("reachable_by_public_transport"))
    if same_address:
        values.update({name: getattr(employer, name) for name in ADDRESS_FIELDS})
    return values


def create_workplace(
    actor: User, employer: Employer, data: dict[str, Any], *, same_address: bool = False
) -> Workplace:
    """Add a workplace to the actor's own organisation."""
    _check_own_employer(actor, employer)
    workplace = Workplace(employer_id=employer.id, **_workplace_values(employer, data, same_address))
    db.session.add(workplace)
    db.session.flush()
    record(
        actor,
        "workplace.created",
        workplace,
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
    )
    return workplace


def update_workplace(
    actor: User, workplace: Workplace, data: dict[str, Any], *, same_address: bool = False
) -> Workplace:
    """Change a workplace of the actor's own organisation."""
    _check_own_employer(actor, workplace.employer)
    changed = _apply(workplace, _workplace_values(workplace.employer, data, same_address))
    record(
        actor,
        "workplace.updated",
        workplace,
        municipality_id=workplace.employer.municipality_id,
        fields=changed,
    )
    db.session.flush()
    return workplace


def archive_workplace(actor: User, workplace: Workplace) -> Workplace:
    """Archive a workplace: it stays for history but takes no new requests. Never deletes."""
    _check_own_employer(actor, workplace.employer)
    if workplace.is_archived:
        raise DomainError("Deze werkplek staat al in het archief.")
    workplace.archived_at = now_utc()
    record(actor, "workplace.archived", workplace, municipality_id=workplace.employer.municipality_id)
    db.session.flush()
    return workplace


def restore_workplace(actor: User, workplace: Workplace) -> Workplace:
    """Bring an archived workplace back into use."""
    _check_own_employer(actor, workplace.employer)
    if not workplace.is_archived:
        raise DomainError("Deze werkplek is al in gebruik.")
    workplace.archived_at = None
    record(actor, "workplace.restored", workplace, municipality_id=workplace.employer.municipality_id)
    db.session.flush()
    return workplace


# Colleagues -----------------------------------------------------------------------------------------------


def _check_invitable(employer: Employer, email: str, now: datetime) -> None:
    if db.session.scalar(queries.user_id_by_email(email)) is not None:
        raise DomainError(
            "Dit e-mailadres heeft al een account in Werkbrug. Uitnodigen is niet nodig.", "email"
        )
    open_ones = queries.open_invitations(employer.id, now).where(sa.func.lower(Invitation.email) == email)
    if db.session.scalar(open_ones) is not None:
        raise DomainError("Er staat al een uitnodiging open voor dit e-mailadres.", "email")


def invite_colleague(actor: User, employer: Employer, email: str) -> Invitation:
    """Invite a colleague by e-mail to join the actor's organisation (single-use link)."""
    _check_own_employer(actor, employer)
    email, now = email.lower(), now_utc()
    _check_invitable(employer, email, now)
    token, token_hash = new_token()
    invitation = Invitation(
        employer_id=employer.id,
        email=email,
        invited_by_id=actor.id,
        token_hash=token_hash,
        expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]),
        created_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    record(
        actor,
        "employer.invitation_sent",
        invitation,
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
    )
    queue_email(
        to=email,
        template="employers/invitation",
        dedupe_key=f"employers/invitation:{invitation.id}",
        contains_secret=True,
        municipality_id=employer.municipality_id,
        employer=employer,
        inviter=actor,
        token=token,
        expires_at=invitation.expires_at,
    )
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been accepted yet."""
    _check_own_employer(actor, invitation.employer)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise DomainError("Deze uitnodiging is al gebruikt of ingetrokken.")
    invitation.revoked_at = now_utc()
    record(
        actor, "employer.invitation_revoked", invitation, municipality_id=invitation.employer.municipality_id
    )
    db.session.flush()
    return invitation


def find_open_invitation(token: str) -> Invitation | None:
    """The invitation this e-mailed token belongs to, if it can still be accepted."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(queries.open_invitation_by_token_hash(hash_token(token), now_utc()))


def accept_invitation(
    actor: User | None, invitation: Invitation, *, full_name: str, phone: str | None, password: str
) -> User:
    """Create the invited colleague's account and use up the invitation."""
    now = now_utc()
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= now:
        raise DomainError("Deze uitnodiging is niet meer geldig.")
    if db.session.scalar(queries.user_id_by_email(invitation.email)) is not None:
        raise DomainError(ACCOUNT_EXISTS)
    employer = invitation.employer
    user = User(
        email=invitation.email.lower(),
        full_name=full_name,
        phone=phone or None,
        role="employer",
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
        password_hash=hash_password(password),
        password_changed_at=now,
    )
    try:
        _insert(user)
    except sa.exc.IntegrityError as exc:
        raise DomainError(ACCOUNT_EXISTS) from exc
    invitation.accepted_at = now
    record(
        actor or user,
        "employer.invitation_accepted",
        invitation,
        municipality_id=employer.municipality_id,
        user_id=user.id,
    )
    return user
