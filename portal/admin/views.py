"""Administration pages for the functional administrator: users, e-mail queue and audit log."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.admin import logbook, permissions, queries, services
from portal.admin.forms import AuditFilterForm, SecurityForm, StaffUserForm
from portal.auth.models import ROLE_LABELS
from portal.auth.permissions import is_admin
from portal.core.errors import DomainError
from portal.core.pagination import page_number, paginate
from portal.core.security import fresh_login_required, roles_required
from portal.core.time import LOCAL_TZ
from portal.extensions import db
from portal.main.queries import scheduler_age_seconds

bp = Blueprint("admin", __name__)


@bp.context_processor
def scheduler_status():
    """Every admin page shows a warning when the scheduler has stopped ticking."""
    if not current_user.is_authenticated or not is_admin(current_user):
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
        except DomainError as error:
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
    except DomainError as error:
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


@bp.post("/beheer/gebruikers/<int:user_id>/inlogcode-resetten")
@roles_required("admin")
@fresh_login_required
def user_reset_mfa(user_id: int):
    user = permissions.get_user_or_404(current_user, user_id)
    try:
        services.reset_mfa(current_user, user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(
        f"De app van {user.full_name} is losgekoppeld. Bij de volgende keer inloggen koppelt "
        f"{user.full_name} een nieuwe app.",
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.route("/beheer/beveiliging", methods=["GET", "POST"])
@roles_required("admin")
@fresh_login_required
def security():
    municipality = current_user.municipality
    form = SecurityForm() if request.method == "POST" else SecurityForm(formdata=None, obj=municipality)
    if form.validate_on_submit():
        changed = services.save_security(current_user, municipality, bool(form.employer_mfa_required.data))
        db.session.commit()
        flash(
            "De instellingen voor inloggen zijn opgeslagen."
            if changed
            else "Er is niets veranderd aan de instellingen voor inloggen.",
            "success",
        )
        return redirect(url_for("admin.security"))
    return render_template("admin/security.html", form=form, municipality=municipality)


@bp.get("/beheer/e-mail")
@roles_required("admin")
def outbox():
    page = _page(queries.open_messages(current_user.municipality_id))
    failed = db.session.scalar(queries.failed_count(current_user.municipality_id))
    return render_template("admin/outbox.html", page=page, failed=failed)


@bp.post("/beheer/e-mail/<int:message_id>/opnieuw")
@roles_required("admin")
def outbox_retry(message_id: int):
    message = permissions.get_message_or_404(current_user, message_id)
    try:
        services.retry_message(current_user, message)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.outbox"))
    db.session.commit()
    flash("Het bericht staat weer klaar om te versturen.", "success")
    return redirect(url_for("admin.outbox"))


@bp.post("/beheer/e-mail/opnieuw")
@roles_required("admin")
def outbox_retry_all():
    count = services.retry_failed_messages(current_user)
    if not count:
        flash("Er zijn geen mislukte e-mails.", "info")
        return redirect(url_for("admin.outbox"))
    db.session.commit()
    flash(f"{count} e-mail{'s staan' if count != 1 else ' staat'} weer klaar om te versturen.", "success")
    return redirect(url_for("admin.outbox"))


def _start_of(day) -> datetime:
    """Midnight at the start of a Dutch calendar day, as an aware instant."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def _audit_filters(form: AuditFilterForm) -> dict:
    """The query's filters from the valid fields of the form (a field with an error filters nothing)."""
    valid = {name: form[name].data for name in ("wie", "soort", "van", "tot") if not form[name].errors}
    return {
        "who": valid.get("wie") or None,
        "kind": logbook.kind_filter(valid.get("soort") or ""),
        "since": _start_of(valid["van"]) if valid.get("van") else None,
        "until": _start_of(valid["tot"] + timedelta(days=1)) if valid.get("tot") else None,
    }


@bp.get("/beheer/logboek")
@roles_required("admin")
def audit():
    form = AuditFilterForm(formdata=request.args)
    form.validate()
    page = _page(queries.audit_events(current_user.municipality_id, **_audit_filters(form)))
    keep = {name: request.args[name] for name in ("wie", "soort", "van", "tot") if request.args.get(name)}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        keep={name: value[:100] for name, value in keep.items()},
        role_labels=ROLE_LABELS,
        describe=logbook.describe,
        object_noun=logbook.object_noun,
        links=logbook.LINKS,
    )
