"""Placements: the employer's and the municipality's list and one placement's details."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from portal.auth.models import User
from portal.candidates.projection import identity_for_employer
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.extensions import db
from portal.matching.services import record_view
from portal.placements import queries
from portal.placements.permissions import get_placement_or_404

bp = Blueprint("placements", __name__)


def _labels(placements) -> dict[int, str]:
    """Who each placement is about: pseudonym, or the name once the candidate consented (employers)."""
    if current_user.role == "municipal":
        return {p.id: f"{p.candidate.pseudonym} – {p.candidate.full_name}" for p in placements}
    ids = {p.candidate_id for p in placements}
    revealed = (
        set(db.session.scalars(queries.identity_consented_ids(current_user.employer_id, ids)))
        if ids
        else set()
    )
    return {
        p.id: p.candidate.full_name if p.candidate_id in revealed else p.candidate.pseudonym
        for p in placements
    }


@bp.get("/plaatsingen")
@roles_required("employer", "municipal")
def index():
    query = queries.placements_for(current_user)
    if query is None:
        abort(404)
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    return render_template(
        "placements/index.html",
        page=page,
        labels=_labels(page.items),
        is_employer=current_user.role == "employer",
    )


@bp.get("/plaatsingen/<int:placement_id>")
@roles_required("employer", "municipal")
def detail(placement_id: int):
    placement = get_placement_or_404(current_user, placement_id)
    identity = identity_for_employer(placement.candidate, placement.employer_id)
    html = render_template(
        "placements/detail.html",
        placement=placement,
        label=_labels([placement])[placement.id],
        identity=identity if current_user.role == "employer" else None,
        contact=db.session.get(User, placement.contact_id),
        is_employer=current_user.role == "employer",
    )
    record_view(current_user, placement.candidate, "placement", placement_id=placement.id)
    db.session.commit()
    return html
