"""Object access for the candidates domain: municipal staff of the candidate's own municipality only."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from portal.auth.models import User
from portal.candidates.models import Candidate, Consent
from portal.core.db import valid_id
from portal.extensions import db


def get_candidate_or_404(user: User, candidate_id: int) -> Candidate:
    """A candidate of the municipal user's own municipality; anything else is 404."""
    if user.role != "municipal" or not valid_id(candidate_id):
        abort(404)
    candidate = db.session.scalar(
        sa.select(Candidate).where(
            Candidate.id == candidate_id, Candidate.municipality_id == user.municipality_id
        )
    )
    if candidate is None:
        abort(404)
    return candidate


def get_consent_or_404(user: User, candidate_id: int, consent_id: int) -> tuple[Candidate, Consent]:
    """A consent of a candidate of the municipal user's own municipality; else 404."""
    candidate = get_candidate_or_404(user, candidate_id)
    consent = (
        db.session.scalar(
            sa.select(Consent).where(Consent.id == consent_id, Consent.candidate_id == candidate.id)
        )
        if valid_id(consent_id)
        else None
    )
    if consent is None:
        abort(404)
    return candidate, consent
