"""Tasks: the user's open actions and follow-up work, and marking one done."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.permissions import is_employer
from portal.core.audit import record_listing
from portal.core.errors import DomainError
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required, safe_next_url
from portal.core.time import today_local
from portal.extensions import db
from portal.placements.models import Placement
from portal.tasks import queries, services
from portal.tasks.models import TASK_KINDS
from portal.tasks.permissions import get_task_or_404, may_complete

bp = Blueprint("tasks", __name__)


@bp.get("/taken")
@roles_required("employer", "jobcoach", "municipal")
def index():
    query = queries.open_tasks_for(current_user)
    if query is None:
        abort(404)
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    completable = {
        task.id for task, placement, _ in page.items if may_complete(current_user, task, placement)
    }
    html = render_template(
        "tasks/index.html",
        page=page,
        completable=completable,
        today=today_local(),
        task_kinds=TASK_KINDS,
        is_employer=is_employer(current_user),
        here=url_for("tasks.index", page=page.page) if page.page > 1 else url_for("tasks.index"),
    )
    record_listing(current_user, {task.candidate_id for task, _, _ in page.items}, "tasks_list")
    db.session.commit()
    return html


@bp.post("/taken/<int:task_id>/gedaan")
@roles_required("employer", "jobcoach", "municipal")
def complete(task_id: int):
    task = get_task_or_404(current_user, task_id)
    placement = db.session.get(Placement, task.placement_id)
    back = safe_next_url(request.form.get("next"), url_for("placements.detail", placement_id=placement.id))
    try:
        services.complete_task(current_user, task, placement)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"De taak '{task.title}' is gedaan.", "success")
    return redirect(back)
