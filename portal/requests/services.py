"""Write-side verbs for placement types and placement requests. They flush and audit; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from portal.auth.models import User
from portal.core.audit import record
from portal.core.codes import split_codes
from portal.core.errors import DomainError
from portal.core.outbox import queue_email
from portal.core.time import now_utc
from portal.employers.models import Workplace
from portal.employers.queries import municipal_contacts
from portal.extensions import db
from portal.placements.queries import position_freed
from portal.requests import queries
from portal.requests.defaults import ensure_default_types
from portal.requests.models import (
    EDITABLE,
    OPEN_STATUSES,
    WITHDRAWABLE,
    PlacementRequest,
    PlacementType,
    Proposal,
)
from portal.requests.permissions import is_contact_of, is_owner

STAFF = ("municipal", "admin")
#: Hours a person can work on one day: hours per week may not exceed days per week times this.
MAX_HOURS_PER_DAY = 8
#: Proposals that still wait for the employer: they are withdrawn with their request.
OPEN_PROPOSAL_STATUSES = ("proposed", "meeting")

TYPE_FIELDS = (
    "description",
    "min_weeks",
    "max_weeks",
    "min_days_per_week",
    "max_days_per_week",
    "max_hours_per_week",
    "is_paid",
    "keeps_benefit",
    "learning_goals_required",
    "default_dutch_level",
    "is_active",
)
REQUEST_FIELDS = (
    "role_title",
    "tasks",
    "positions",
    "hours_per_week",
    "days_per_week",
    "work_days",
    "days_flexible",
    "dutch_level",
    "dutch_level_tasks",
    "english_sufficient",
    "certificates",
    "desired_start",
    "duration_weeks",
    "learning_goals",
    "supervisor_name",
)
OPTIONAL_TEXT = ("dutch_level_tasks", "learning_goals")


@dataclass(frozen=True)
class Transition:
    allowed_from: tuple[str, ...]
    to: str
    action: str
    refusal: str


TRANSITIONS = {
    "submit": Transition(("draft",), "submitted", "request.submitted", "Deze aanvraag is al ingediend."),
    "take": Transition(
        ("submitted",), "in_progress", "request.taken", "Deze aanvraag is al in behandeling of gesloten."
    ),
    "propose": Transition(
        ("submitted", "in_progress", "proposed"),
        "proposed",
        "request.proposed",
        "Voor deze aanvraag kunt u geen kandidaten meer voorstellen.",
    ),
    "withdraw": Transition(
        WITHDRAWABLE,
        "withdrawn",
        "request.withdrawn",
        "Deze aanvraag kan niet meer worden ingetrokken.",
    ),
    "expire": Transition(
        ("submitted", "in_progress", "proposed"),
        "expired",
        "request.expired",
        "Deze aanvraag is al gesloten.",
    ),
    # A placement of a filled request dropped out (uitval): its position is open again.
    "reopen": Transition(("filled",), "in_progress", "request.reopened", "Deze aanvraag is niet vervuld."),
}


def _transition(actor: User | None, request: PlacementRequest, name: str, **detail: Any) -> None:
    """Move ``request`` along transition ``name`` or refuse with a Dutch message; audit the change."""
    step = TRANSITIONS[name]
    if request.status not in step.allowed_from:
        raise DomainError(step.refusal)
    before = request.status
    request.status = step.to
    if step.to in ("withdrawn", "expired", "filled"):
        request.closed_at = now_utc()
    elif before in ("withdrawn", "expired", "filled"):
        request.closed_at = None
    db.session.flush()
    record(actor, step.action, request, status_from=before, status_to=step.to, **detail)


# Placement types ------------------------------------------------------------------------------------------


def _check_admin(actor: User, municipality_id: int) -> None:
    if actor.role != "admin" or actor.municipality_id != municipality_id:
        raise DomainError("Alleen een beheerder van deze gemeente mag plaatsingsvormen aanpassen.")


def add_default_types(actor: User, municipality_id: int) -> list[PlacementType]:
    """Give the municipality the standard placement types it does not have yet."""
    _check_admin(actor, municipality_id)
    added = ensure_default_types(municipality_id)
    for kind in added:
        record(actor, "placement_type.created", kind, code=kind.code)
    return added


def type_problems(data: dict[str, Any]) -> dict[str, str]:
    """Field → Dutch message for every inconsistent range or rule in placement type data."""
    problems = {}
    if data["max_weeks"] < data["min_weeks"]:
        problems["max_weeks"] = "De maximale duur moet even lang of langer zijn dan de minimale duur."
    if data["max_days_per_week"] < data["min_days_per_week"]:
        problems["max_days_per_week"] = "Het maximum aantal dagen moet gelijk of hoger zijn dan het minimum."
    if data["max_hours_per_week"] > data["max_days_per_week"] * MAX_HOURS_PER_DAY:
        problems["max_hours_per_week"] = (
            f"Meer dan {MAX_HOURS_PER_DAY} uur per dag kan niet. Kies minder uren of meer dagen."
        )
    if not data["is_paid"] and not data["learning_goals_required"]:
        problems["learning_goals_required"] = (
            "Bij een onbetaalde plaatsing zijn leerdoelen altijd verplicht. Zet dit vinkje aan."
        )
    return problems


def update_type(actor: User, kind: PlacementType, data: dict[str, Any]) -> PlacementType:
    """Change a placement type's description and rules (admins of its municipality)."""
    _check_admin(actor, kind.municipality_id)
    values = {name: data[name] for name in TYPE_FIELDS}
    problems = type_problems(values)
    if problems:
        raise DomainError("Controleer de regels van deze plaatsingsvorm.", errors=problems)
    changed = sorted(name for name, value in values.items() if getattr(kind, name) != value)
    for name, value in values.items():
        setattr(kind, name, value)
    db.session.flush()
    record(actor, "placement_type.updated", kind, code=kind.code, fields=changed)
    return kind


# Requests: validation against the type --------------------------------------------------------------------


def _weeks(count: int) -> str:
    return f"{count} week" if count == 1 else f"{count} weken"


def _days(count: int) -> str:
    return f"{count} dag" if count == 1 else f"{count} dagen"


def request_problems(kind: PlacementType, data: dict[str, Any]) -> dict[str, str]:
    """Field → Dutch message for every way ``data`` breaks the rules of placement type ``kind``."""
    problems = {}
    name = kind.name.lower()
    if not kind.min_weeks <= data["duration_weeks"] <= kind.max_weeks:
        problems["duration_weeks"] = (
            f"Een {name} duurt {_weeks(kind.min_weeks)} tot en met {_weeks(kind.max_weeks)}."
        )
    days = data["days_per_week"]
    if not kind.min_days_per_week <= days <= kind.max_days_per_week:
        problems["days_per_week"] = (
            f"Bij een {name} werkt iemand {kind.min_days_per_week} tot en met "
            f"{_days(kind.max_days_per_week)} per week."
        )
    if data["hours_per_week"] > kind.max_hours_per_week:
        problems["hours_per_week"] = (
            f"Bij een {name} zijn hoogstens {kind.max_hours_per_week} uur per week toegestaan."
        )
    elif data["hours_per_week"] > days * MAX_HOURS_PER_DAY:
        problems["hours_per_week"] = (
            f"{_days(days).capitalize()} per week is hoogstens {days * MAX_HOURS_PER_DAY} uur. "
            "Kies minder uren of meer dagen."
        )
    if len(split_codes(data["work_days"])) > days:
        problems["work_days"] = f"U koos meer dagen dan de {_days(days)} per week. Vink minder dagen aan."
    if kind.learning_goals_required and not (data.get("learning_goals") or "").strip():
        problems["learning_goals"] = f"Vul de leerdoelen in. Bij een {name} zijn leerdoelen verplicht."
    return problems


def _check_type(actor: User, type_id: int | None) -> PlacementType:
    kind = db.session.scalar(queries.active_type(actor.municipality_id, type_id)) if type_id else None
    if kind is None:
        raise DomainError("Kies een soort plaatsing uit de lijst.", "placement_type_id")
    return kind


def _check_workplace(actor: User, workplace_id: int | None) -> Workplace:
    workplace = (
        db.session.scalar(queries.own_workplace(actor.employer_id, workplace_id)) if workplace_id else None
    )
    if workplace is None:
        raise DomainError("Kies een werkplek uit de lijst.", "workplace_id")
    return workplace


def _check_employer(actor: User) -> None:
    if actor.role != "employer" or actor.employer_id is None:
        raise DomainError("Alleen een werkgever kan een aanvraag doen.")


def _request_values(kind: PlacementType, workplace: Workplace, data: dict[str, Any]) -> dict[str, Any]:
    """Allow-listed request values from form data, checked against the type (raises DomainError)."""
    values = {name: data.get(name) for name in REQUEST_FIELDS}
    for name in OPTIONAL_TEXT:
        values[name] = values[name] or None
    values["certificates"] = values["certificates"] or ""
    values["work_days"] = values["work_days"] or ""
    values["supervisor_name"] = values["supervisor_name"] or workplace.buddy_name
    problems = request_problems(kind, values)
    if problems:
        raise DomainError("De aanvraag past niet bij de regels van deze plaatsingsvorm.", errors=problems)
    return values


def create_request(actor: User, data: dict[str, Any], *, submit: bool = False) -> PlacementRequest:
    """Create a draft request of the actor's employer; with ``submit`` it is submitted at once."""
    _check_employer(actor)
    kind = _check_type(actor, data.get("placement_type_id"))
    workplace = _check_workplace(actor, data.get("workplace_id"))
    request = PlacementRequest(
        municipality_id=actor.municipality_id,
        employer_id=actor.employer_id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=actor.id,
        status="draft",
        **_request_values(kind, workplace, data),
    )
    db.session.add(request)
    db.session.flush()
    record(actor, "request.created", request, type=kind.code)
    if submit:
        submit_request(actor, request)
    return request


def _check_owner(actor: User, request: PlacementRequest) -> None:
    if not is_owner(actor, request):
        raise DomainError("Alleen de werkgever van deze aanvraag kan dit doen.")


def update_request(actor: User, request: PlacementRequest, data: dict[str, Any]) -> PlacementRequest:
    """Change a draft request (after submitting it can no longer be changed)."""
    _check_owner(actor, request)
    if request.status not in EDITABLE:
        raise DomainError("Een ingediende aanvraag kunt u niet meer wijzigen.")
    kind = _check_type(actor, data.get("placement_type_id"))
    workplace = _check_workplace(actor, data.get("workplace_id"))
    values = _request_values(kind, workplace, data)
    request.placement_type_id, request.workplace_id = kind.id, workplace.id
    for name, value in values.items():
        setattr(request, name, value)
    db.session.flush()
    record(actor, "request.updated", request, type=kind.code)
    return request


# Requests: lifecycle --------------------------------------------------------------------------------------


def _recipients(request: PlacementRequest) -> list[User]:
    """The employer's fixed contact, or every active municipal user when it has none."""
    contact = request.employer.contact
    if contact is not None and contact.is_active and contact.municipality_id == request.municipality_id:
        return [contact]
    return list(db.session.scalars(municipal_contacts(request.municipality_id)))


def submit_request(actor: User, request: PlacementRequest) -> PlacementRequest:
    """Submit a draft: it is checked against its type again and the municipal contact is e-mailed."""
    _check_owner(actor, request)
    if request.status == "draft":
        if not request.placement_type.is_active:
            raise DomainError("Deze soort plaatsing wordt niet meer aangeboden. Kies een andere soort.")
        problems = request_problems(request.placement_type, _current_values(request))
        if problems:
            raise DomainError("Pas de aanvraag eerst aan: " + " ".join(problems.values()))
    _transition(actor, request, "submit", type=request.placement_type.code)
    request.submitted_at = now_utc()
    for recipient in _recipients(request):
        queue_email(
            to=recipient.email,
            template="requests/submitted",
            dedupe_key=f"requests/submitted:{request.id}:{recipient.id}",
            municipality_id=request.municipality_id,
            placement_request=request,
            recipient=recipient,
        )
    return request


def _current_values(request: PlacementRequest) -> dict[str, Any]:
    return {name: getattr(request, name) for name in REQUEST_FIELDS}


def withdraw_request(actor: User, request: PlacementRequest, reason: str) -> PlacementRequest:
    """The employer withdraws its request with a reason; proposals still open are withdrawn too."""
    _check_owner(actor, request)
    if not (reason or "").strip():
        raise DomainError("Vul de reden in waarom u de aanvraag intrekt.", "reason")
    _transition(actor, request, "withdraw")
    request.withdrawn_reason = reason.strip()
    open_proposals = db.session.scalars(
        sa.select(Proposal).where(
            Proposal.request_id == request.id, Proposal.status.in_(OPEN_PROPOSAL_STATUSES)
        )
    )
    for proposal in open_proposals:
        proposal.status = "withdrawn"
        record(
            actor, "proposal.withdrawn", proposal, municipality_id=request.municipality_id, cause="request"
        )
    db.session.flush()
    return request


def take_request(actor: User, request: PlacementRequest) -> PlacementRequest:
    """A municipal contact starts working on a submitted request."""
    if not is_contact_of(actor, request):
        raise DomainError("Alleen een contactpersoon van deze gemeente kan een aanvraag oppakken.")
    _transition(actor, request, "take")
    return request


def expire_request(actor: User | None, request: PlacementRequest) -> PlacementRequest:
    """Close an open request that nobody needs any more (verlopen)."""
    _transition(actor, request, "expire")
    return request


# Called by the matching domain ----------------------------------------------------------------------------


def mark_proposed(request: PlacementRequest, actor: User | None = None) -> PlacementRequest:
    """Record that candidates were proposed (submitted/in progress → proposed; already proposed: no-op)."""
    if request.status != "proposed":
        _transition(actor, request, "propose")
    return request


def accepted_count(request: PlacementRequest) -> int:
    """How many positions of this request accepted proposals take (an interrupted placement frees one)."""
    query = sa.select(sa.func.count(Proposal.id)).where(
        Proposal.request_id == request.id,
        Proposal.status == "accepted",
        ~position_freed(Proposal.id),
    )
    return db.session.scalar(query) or 0


def reopen_position(request: PlacementRequest, actor: User | None = None) -> PlacementRequest:
    """After uitval: a filled request is open again for a new candidate (filled → in progress)."""
    if request.status == "filled" and accepted_count(request) < request.positions:
        _transition(actor, request, "reopen")
    return request


def mark_position_filled(request: PlacementRequest, actor: User | None = None) -> PlacementRequest:
    """After an acceptance: filled once every position is taken, else open for more proposals."""
    if request.status not in OPEN_STATUSES:
        raise DomainError("Deze aanvraag staat niet meer open.")
    before, accepted = request.status, accepted_count(request)
    if accepted >= request.positions:
        request.status, request.closed_at = "filled", now_utc()
    else:
        still_open = db.session.scalar(
            sa.select(sa.func.count(Proposal.id)).where(
                Proposal.request_id == request.id, Proposal.status.in_(OPEN_PROPOSAL_STATUSES)
            )
        )
        request.status = "proposed" if still_open else "in_progress"
    db.session.flush()
    record(
        actor,
        "request.filled" if request.status == "filled" else "request.position_filled",
        request,
        status_from=before,
        status_to=request.status,
        accepted=accepted,
        positions=request.positions,
    )
    return request
