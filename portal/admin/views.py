"""Administration pages for the functional administrator: users, e-mail queue and audit log."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.admin import permissions, queries, services
from portal.admin.forms import StaffUserForm
from portal.auth.models import ROLE_LABELS
from portal.core.forms import CONTROL_CHARS_RE
from portal.core.pagination import page_number, paginate
from portal.core.security import roles_required
from portal.extensions import db
from portal.main.queries import scheduler_age_seconds

bp = Blueprint("admin", __name__)

ACTION_FILTER_MAX = 60


@bp.context_processor
def scheduler_status():
    """Every admin page shows a warning when the scheduler has stopped ticking."""
    if not current_user.is_authenticated or current_user.role != "admin":
        return {}
    return {
        "scheduler_age": scheduler_age_seconds(),
        "scheduler_stale_seconds": current_app.config["SCHEDULER_STALE_MINUTES"] * 60,
    }


def _page(query):
    return paginate(query, page_number(request.args.get("page")), current_app.config["PAGE_SIZE"])


@bp.get("/beheer/gebruikers")
@roles_required("admin")
def users():
    role = request.args.get("rol") if request.args.get("rol") in ROLE_LABELS else None
    page = _page(queries.users_of(current_user.municipality_id, role))
    return render_template("admin/users.html", page=page, role=role, role_labels=ROLE_LABELS)


@bp.route("/beheer/gebruikers/nieuw", methods=["GET", "POST"])
@roles_required("admin")
def user_new():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            services.create_staff_user(
                current_user,
                municipality_id=current_user.municipality_id,
                full_name=form.full_name.data,
                email=form.email.data,
                phone=form.phone.data,
                role=form.role.data,
            )
        except services.AdminError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            flash("De gebruiker is aangemaakt en krijgt een e-mail om een wachtwoord te kiezen.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_new.html", form=form)


@bp.post("/beheer/gebruikers/<int:user_id>/deactiveren")
@roles_required("admin")
def user_deactivate(user_id: int):
    user = permissions.get_user_or_404(current_user, user_id)
    try:
        services.deactivate_user(current_user, user)
    except services.AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(f"{user.full_name} kan niet meer inloggen.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/beheer/gebruikers/<int:user_id>/activeren")
@roles_required("admin")
def user_activate(user_id: int):
    user = permissions.get_user_or_404(current_user, user_id)
    services.activate_user(current_user, user)
    db.session.commit()
    flash(f"{user.full_name} kan weer inloggen.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/beheer/e-mail")
@roles_required("admin")
def outbox():
    page = _page(queries.open_messages(current_user.municipality_id))
    return render_template("admin/outbox.html", page=page)


@bp.post("/beheer/e-mail/<int:message_id>/opnieuw")
@roles_required("admin")
def outbox_retry(message_id: int):
    message = permissions.get_message_or_404(current_user, message_id)
    try:
        services.retry_message(current_user, message)
    except services.AdminError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.outbox"))
    db.session.commit()
    flash("Het bericht staat weer klaar om te versturen.", "success")
    return redirect(url_for("admin.outbox"))


@bp.get("/beheer/logboek")
@roles_required("admin")
def audit():
    # Invisible characters never occur in an action (and PostgreSQL cannot compare a NUL): left out.
    prefix = CONTROL_CHARS_RE.sub("", request.args.get("actie") or "").strip()[:ACTION_FILTER_MAX]
    page = _page(queries.audit_events(current_user.municipality_id, prefix or None))
    return render_template("admin/audit.html", page=page, prefix=prefix, role_labels=ROLE_LABELS)
