"""Monitoring pages: the dashboard, the candidates and placements behind each figure, and the exports."""

from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from portal.core.audit import record_listing
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import fresh_login_required, roles_required
from portal.extensions import db
from portal.journey.models import EXIT_KINDS, STAGES
from portal.monitoring import chart, exports, figures, permissions, queries, services
from portal.monitoring.forms import CandidateListForm, ExportForm, PeriodForm, PlacementListForm
from portal.placements.models import PLACEMENT_STATUSES

bp = Blueprint("monitoring", __name__)

HELPERS = {
    "bar_chart_data": chart.bar_chart_data,
    "cohort_label": figures.cohort_label,
    "number": figures.format_number,
    "percent": figures.format_share,
    "stages": STAGES,
    "exit_kinds": EXIT_KINDS,
    "placement_statuses": PLACEMENT_STATUSES,
    "transitions": queries.TRANSITIONS,
    "retention_answers": queries.RETENTION_ANSWERS,
    "end_reasons": queries.END_REASONS,
    "outcomes": queries.AFTERCARE_OUTCOMES,
    "sees_names": permissions.sees_names,
    "may_export_with_names": permissions.may_export_with_names,
    "may_open_candidate": permissions.may_open_candidate,
    "may_open_placement": permissions.may_open_placement,
}


def _offer_names(form: ExportForm) -> ExportForm:
    """Only offer "met namen" to whoever may download names."""
    if not permissions.may_export_with_names(current_user):
        form.namen.choices = [choice for choice in form.namen.choices if choice.value == "zonder"]
    return form


def _export_form(period: figures.Period) -> ExportForm:
    form = _offer_names(ExportForm(formdata=None))
    form.van.data, form.tot.data = period.start.isoformat(), period.end.isoformat()
    form.cohort.data = period.cohort or ""
    return form


def _render_dashboard(period_form: PeriodForm, export_form: ExportForm):
    period = period_form.period()
    board = queries.dashboard(current_user.municipality_id, period)
    return render_template(
        "monitoring/dashboard.html",
        form=period_form,
        export_form=export_form,
        board=board,
        period=period,
        **HELPERS,
    )


@bp.get("/monitoring")
@roles_required("municipal", "admin")
def index():
    form = PeriodForm(formdata=request.args)
    form.validate()
    return _render_dashboard(form, _export_form(form.period()))


@bp.post("/monitoring/export")
@roles_required("municipal", "admin")
@fresh_login_required
def export():
    form = _offer_names(ExportForm())
    period_form = PeriodForm(
        formdata=MultiDict({name: request.form.get(name, "")[:20] for name in ("van", "tot", "cohort")})
    )
    period_ok = period_form.validate()
    if form.validate_on_submit():
        if not period_ok:
            form.lijst.errors = ["De periode klopt niet. Kies de periode opnieuw en download dan."]
        else:
            period = period_form.period()
            without_names = form.namen.data == "zonder"
            out = io.BytesIO()
            try:
                services.export(
                    current_user,
                    current_user.municipality_id,
                    form.lijst.data,
                    form.formaat.data,
                    period,
                    without_names=without_names,
                    out=out,
                )
            except DomainError as error:
                show_refusal(form, error)
            else:
                db.session.commit()
                name = services.file_name(
                    current_user.municipality.slug,
                    form.lijst.data,
                    form.formaat.data,
                    period,
                    without_names=without_names,
                )
                return Response(
                    out.getvalue(),
                    mimetype=exports.MIMETYPES[form.formaat.data],
                    headers={
                        "Content-Disposition": f'attachment; filename="{name}"',
                        "Cache-Control": "no-store",
                    },
                )
    if not period_ok:
        period_form = PeriodForm(formdata=MultiDict())
        period_form.validate()
    return _render_dashboard(period_form, form)


def _page(query):
    return paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])


@bp.get("/monitoring/kandidaten")
@roles_required("municipal", "admin")
def candidates():
    form = CandidateListForm(formdata=request.args)
    form.validate()
    period, filters = form.period(), form.filters()
    page = _page(queries.candidate_list(current_user.municipality_id, period, filters))
    keep = {**period.args(), **form.filter_args()}
    html = render_template(
        "monitoring/candidates.html",
        form=form,
        page=page,
        period=period,
        filters=filters,
        keep=keep,
        specialists=dict(queries.specialists(current_user.municipality_id)),
        **HELPERS,
    )
    record_listing(
        current_user,
        [candidate.id for candidate, _registered_on, _specialist in page.items],
        "monitoring_list",
    )
    db.session.commit()
    return html


@bp.get("/monitoring/plaatsingen")
@roles_required("municipal", "admin")
def placements():
    form = PlacementListForm(formdata=request.args)
    form.validate()
    period, filters = form.period(), form.filters()
    page = _page(queries.placement_list(current_user.municipality_id, period, filters))
    keep = {**period.args(), **form.filter_args()}
    html = render_template(
        "monitoring/placements.html",
        form=form,
        page=page,
        period=period,
        filters=filters,
        keep=keep,
        placement_types=dict(queries.placement_types(current_user.municipality_id)),
        **HELPERS,
    )
    record_listing(current_user, [row.Placement.candidate_id for row in page.items], "monitoring_list")
    db.session.commit()
    return html
