"""Write-side verbs of placements. They flush and audit; the caller commits once."""

from __future__ import annotations

from datetime import date

from portal.auth.models import User
from portal.core.audit import record
from portal.extensions import db
from portal.placements.models import Placement
from portal.requests.models import Proposal


def fixed_contact_id(proposal: Proposal) -> int:
    """The employer's fixed municipal contact while active, else the municipal user who proposed."""
    contact = proposal.request.employer.contact
    if contact is not None and contact.is_active and contact.role == "municipal":
        return contact.id
    return proposal.proposed_by_id


def create_placement_from_proposal(actor: User, proposal: Proposal, start: date, end: date) -> Placement:
    """A planned placement for an accepted proposal, with the request's type, workplace and employer."""
    request = proposal.request
    placement = Placement(
        municipality_id=request.municipality_id,
        request_id=request.id,
        proposal_id=proposal.id,
        candidate_id=proposal.candidate_id,
        employer_id=request.employer_id,
        workplace_id=request.workplace_id,
        placement_type_id=request.placement_type_id,
        contact_id=fixed_contact_id(proposal),
        start_date=start,
        planned_end_date=end,
        status="planned",
    )
    db.session.add(placement)
    db.session.flush()
    record(actor, "placement.created", placement, proposal_id=proposal.id, request_id=request.id)
    return placement
