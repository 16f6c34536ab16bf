"""Retention follow-ups: the staff list, recording an answer, and the employer's answer page (public,
reached only through the e-mailed link)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.candidates.disclosure import label_for
from portal.core.audit import record_listing
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.pagination import page_number, paginate
from portal.core.security import public, roles_required
from portal.core.time import now_utc, today_local
from portal.extensions import db
from portal.followups import forms, permissions, queries, services
from portal.followups.permissions import get_followup_or_404

bp = Blueprint("followups", __name__)


@bp.get("/navraag")
@roles_required("municipal")
def index():
    form = forms.FilterForm(formdata=request.args)
    form.validate()
    state = form.state_value()
    candidate_id = form.candidate_value()
    mine = form.mijn.data is True
    days = services.answer_days()
    query = queries.followups_for(
        current_user, state, today_local(), days, candidate_id=candidate_id, mine=mine
    )
    page = paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])
    keep = {key: value for key, value in form.kept().items() if value}
    html = render_template(
        "followups/index.html",
        form=form,
        page=page,
        keep=keep,
        today=today_local(),
        answer_days=days,
        is_overdue=queries.is_overdue,
        may_record=permissions.may_record_answer,
    )
    record_listing(current_user, [row.candidate_id for row in page.items], "followups_list")
    db.session.commit()
    return html


@bp.route("/navraag/<int:followup_id>/antwoord", methods=["GET", "POST"])
@roles_required("municipal")
def record(followup_id: int):
    followup, exit_row, candidate = get_followup_or_404(current_user, followup_id)
    form = forms.AnswerForm()
    if permissions.may_record_answer(current_user, followup) and form.validate_on_submit():
        try:
            services.record_answer(current_user, followup, form.answer())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Het antwoord op de navraag is vastgelegd. De taak is afgerond.", "success")
            return redirect(url_for("followups.index", kandidaat=candidate.id, status="all"))
    html = render_template(
        "followups/record.html",
        form=form,
        followup=followup,
        exit=exit_row,
        candidate=candidate,
        label=label_for(current_user, candidate),
        may_record=permissions.may_record_answer(current_user, followup),
    )
    services.record_view(current_user, candidate)
    db.session.commit()
    return html


@bp.route("/navraag/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    """The employer's one short question; an unknown or expired link gets one clear page (404)."""
    followup = services.find_by_link(token)
    state = permissions.link_state(followup, now_utc())
    if state == "invalid":
        return render_template("followups/link_invalid.html"), 404
    if state == "answered":
        return render_template("followups/answered.html")
    form = forms.AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_with_link(followup, form.answer())
        except DomainError as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash("Dank u wel. Uw antwoord is doorgegeven aan de gemeente.", "success")
            return redirect(url_for("followups.answer", token=token))
    html = render_template("followups/answer.html", form=form, **queries.question_context(followup))
    services.record_question_shown(followup)
    db.session.commit()
    return html
