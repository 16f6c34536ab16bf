"""Who may see and change a candidate's journey, the caseload and the team settings.

The same functions answer "may this user do X to this object" (services) and "should the page offer X"
(templates), so the two cannot drift. Everything here is staff-only: employers and jobcoaches never see a
stage, screening, plan or exit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.auth.models import User
from portal.candidates.models import Candidate
from portal.candidates.permissions import get_candidate_or_404
from portal.core.db import valid_id
from portal.extensions import db
from portal.journey.models import Exit

#: Who works with candidates' journeys: the municipal contacts (the specialists).
JOURNEY_ROLES = ("municipal",)
#: Who sees the caseload and may move candidates between specialists.
CASELOAD_ROLES = ("municipal", "admin")
#: Who changes the team's settings (municipality settings are the functional administrator's).
SETTINGS_ROLES = ("admin",)


def _of(user: User | None, municipality_id: int, roles: tuple[str, ...]) -> bool:
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role in roles
        and user.municipality_id == municipality_id
    )


def may_manage_journey(user: User | None, candidate: Candidate) -> bool:
    """Record stages, screenings, the plan, exits and the specialist of this candidate (and see them)."""
    return _of(user, candidate.municipality_id, JOURNEY_ROLES)


def may_see_caseload(user: User | None, municipality_id: int) -> bool:
    return _of(user, municipality_id, CASELOAD_ROLES)


def may_reassign(user: User | None, municipality_id: int) -> bool:
    """Move one, many or all candidates of a specialist to another specialist."""
    return _of(user, municipality_id, CASELOAD_ROLES)


def may_edit_team_settings(user: User | None, municipality_id: int) -> bool:
    return _of(user, municipality_id, SETTINGS_ROLES)


def may_extend_retention(user: User | None, candidate: Candidate) -> bool:
    """Keep the candidate's closed dossier longer, once (the municipal staff of the candidate's team)."""
    return (
        _of(user, candidate.municipality_id, CASELOAD_ROLES)
        and candidate.anonymised_at is None
        and candidate.retention_extended_until is None
    )


def may_decide_exit(user: User | None, exit_: Exit) -> bool:
    """Confirm or dismiss a proposed exit (a placement that ended in a contract)."""
    return exit_.status == "proposed" and _of(user, exit_.municipality_id, JOURNEY_ROLES)


def is_specialist_of(user: User | None, municipality_id: int) -> bool:
    """Whether ``user`` can be responsible for candidates of this municipality."""
    return (
        user is not None
        and user.role == "municipal"
        and user.is_active
        and user.municipality_id == municipality_id
    )


def journey_candidate_or_404(user: User, candidate_id: int) -> Candidate:
    """A candidate whose journey this user may manage; anything else is 404."""
    candidate = get_candidate_or_404(user, candidate_id)
    if not may_manage_journey(user, candidate):
        abort(404)
    return candidate


def caseload_candidate_or_404(user: User, candidate_id: int) -> Candidate:
    """A candidate of the user's municipality, for municipal staff (contacts and admins); else 404."""
    candidate = get_candidate_or_404(user, candidate_id)
    if not _of(user, candidate.municipality_id, CASELOAD_ROLES):
        abort(404)
    return candidate


def exit_or_404(user: User, candidate_id: int, exit_id: int) -> tuple[Candidate, Exit]:
    """An exit of a candidate of the user's municipality; anything else is 404."""
    candidate = journey_candidate_or_404(user, candidate_id)
    exit_ = (
        db.session.scalar(sa.select(Exit).where(Exit.id == exit_id, Exit.candidate_id == candidate.id))
        if valid_id(exit_id)
        else None
    )
    if exit_ is None:
        abort(404)
    return candidate, exit_
