"""The alerts inbox (signalen) of municipal contacts and jobcoaches: pick an alert up, resolve it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.aftercare.models import RISK_LEVELS
from portal.alerts import forms, permissions, queries, services
from portal.alerts.models import ALERT_SEVERITIES, ALERT_STATUSES
from portal.candidates.disclosure import label_for, labels_for
from portal.core.audit import record_listing, record_viewed
from portal.core.errors import DomainError
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required, safe_next_url
from portal.extensions import db
from portal.placements.models import SCORED_ASPECTS, Placement

bp = Blueprint("alerts", __name__)

#: ``?wie=alle``: a municipal contact sees the whole municipality instead of their own placements.
EVERYONE = "alle"


def _filters() -> tuple[str, bool]:
    status = queries.inbox_status(request.args.get("status"))
    everyone = permissions.sees_whole_municipality(current_user) and request.args.get("wie") == EVERYONE
    return status, everyone


@bp.get("/signalen")
@roles_required(*permissions.HANDLERS)
def index():
    status, everyone = _filters()
    query = queries.alerts_for(current_user, status, everyone=everyone)
    if query is None:
        abort(404)
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    args = {"status": status, **({"wie": EVERYONE} if everyone else {})}
    here = url_for("alerts.index", **args, **({"page": page.page} if page.page > 1 else {}))
    shown = {placement.candidate_id for _, placement, _ in page.items}
    html = render_template(
        "alerts/index.html",
        page=page,
        status=status,
        everyone=everyone,
        args=args,
        here=here,
        labels=labels_for(current_user, shown),
        statuses=ALERT_STATUSES,
        severities=ALERT_SEVERITIES,
        is_municipal=permissions.sees_whole_municipality(current_user),
    )
    record_listing(current_user, shown, "alerts_list")
    db.session.commit()
    return html


@bp.post("/signalen/<int:alert_id>/oppakken")
@roles_required(*permissions.HANDLERS)
def acknowledge(alert_id: int):
    alert = permissions.get_alert_or_404(current_user, alert_id)
    placement = db.session.get(Placement, alert.placement_id)
    back = safe_next_url(request.form.get("next"), url_for("alerts.index"))
    try:
        services.acknowledge(current_user, alert, placement)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("U heeft het signaal opgepakt. Handel het af als het is opgelost.", "success")
    return redirect(back)


@bp.route("/signalen/<int:alert_id>/afhandelen", methods=["GET", "POST"])
@roles_required(*permissions.HANDLERS)
def resolve(alert_id: int):
    alert = permissions.get_alert_or_404(current_user, alert_id)
    placement = db.session.get(Placement, alert.placement_id)
    form = forms.ResolveForm() if request.method == "POST" else forms.ResolveForm(formdata=None)
    problem = permissions.resolve_problem(current_user, alert, placement)
    if problem is None and form.validate_on_submit():
        try:
            services.resolve(current_user, alert, placement, form.note.data)
        except DomainError as error:
            if error.field:
                form.note.errors = [*form.note.errors, error.message]
            else:
                flash(error.message, "error")
        else:
            db.session.commit()
            flash("Het signaal is afgehandeld.", "success")
            return redirect(url_for("alerts.index"))
    evidence = queries.evidence_of(alert)
    html = render_template(
        "alerts/resolve.html",
        alert=alert,
        placement=placement,
        label=label_for(current_user, placement.candidate),
        form=form,
        problem=problem,
        severities=ALERT_SEVERITIES,
        evidence_kind=evidence[0] if evidence else None,
        evidence=db.session.scalar(evidence[1]) if evidence else None,
        aspects=SCORED_ASPECTS,
        risks=RISK_LEVELS,
    )
    record_viewed(current_user, placement.candidate, "alert_resolve", alert_id=alert.id)
    db.session.commit()
    return html
