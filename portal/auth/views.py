"""Logging in and out, forgotten passwords, first passwords and the user's own account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import services
from portal.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ProfileForm, SetPasswordForm
from portal.auth.loader import AUTH_AT_KEY
from portal.auth.permissions import waits_for_approval
from portal.core.security import login_required_any, public, safe_next_url
from portal.core.time import now_utc
from portal.extensions import db

bp = Blueprint("auth", __name__)

REFUSED_MESSAGE = "Het e-mailadres of wachtwoord klopt niet."
WRONG_CURRENT_MESSAGE = "Uw huidige wachtwoord klopt niet."


def blocked_message() -> str:
    minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
    return (
        f"U heeft te vaak een verkeerd wachtwoord ingevuld. Wacht {minutes} minuten en probeer het "
        "opnieuw, of vraag een nieuw wachtwoord aan."
    )


def _me():
    """The logged-in User itself (not the proxy), for services and the audit trail."""
    return current_user._get_current_object()


def _start_session(user) -> None:
    """A brand-new session for ``user``: nothing from before the login survives (no fixation)."""
    session.clear()
    # Flask-WTF caches the CSRF token per request; it belonged to the old session.
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    login_user(user)
    session[AUTH_AT_KEY] = now_utc().timestamp()
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
    except services.LoginBlocked:
        db.session.commit()
        return render_template("auth/login.html", form=form, error=blocked_message()), 429
    except services.LoginRefused:
        db.session.commit()
        return render_template("auth/login.html", form=form, error=REFUSED_MESSAGE)
    _start_session(user)
    db.session.commit()
    return redirect(safe_next_url(request.args.get("next"), url_for("main.home")))


@bp.post("/logout")
@login_required_any
def logout():
    services.logout(_me())
    logout_user()
    session.pop(AUTH_AT_KEY, None)
    db.session.commit()
    flash("U bent uitgelogd.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/wachten")
@login_required_any
def waiting():
    user = _me()
    if not waits_for_approval(user):
        return redirect(url_for("main.home"))
    return render_template("auth/waiting.html", employer=user.employer, municipality=user.municipality)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot_password.html", form=form)
    services.request_password_reset(form.email.data, request.remote_addr)
    db.session.commit()
    # The same answer whatever the address: nobody learns here who has an account.
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    flash(
        "Hoort dit e-mailadres bij een account? Dan krijgt u binnen een paar minuten een e-mail met "
        f"een link om een nieuw wachtwoord te kiezen. De link werkt {hours} uur en maar één keer. "
        "Geen e-mail gekregen? Kijk ook bij uw ongewenste e-mail.",
        "info",
    )
    return redirect(url_for("auth.login"))


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _choose_password(token, "reset")


@bp.route("/account-activeren/<token>", methods=["GET", "POST"])
@public
def setup_account(token: str):
    return _choose_password(token, "setup")


def _choose_password(raw_token: str, purpose: str):
    """The shared reset / first-password page: a valid token lets the user choose a password once."""
    token = services.valid_token(raw_token, purpose)
    if token is None:
        return render_template("auth/token_invalid.html", purpose=purpose), 404
    form = SetPasswordForm(email=token.user.email)
    if not form.validate_on_submit():
        return render_template("auth/set_password.html", form=form, purpose=purpose, user=token.user)
    services.set_password_with_token(token, form.password.data)
    logout_user()  # whoever was logged in in this browser: start clean on the login page
    db.session.commit()
    flash("Uw wachtwoord is opgeslagen. Log in met uw nieuwe wachtwoord.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required_any
def account():
    return _account_page()


def _account_page(password_form=None, profile_form=None):
    user = _me()
    password_form = password_form or ChangePasswordForm(formdata=None, email=user.email)
    profile_form = profile_form or ProfileForm(formdata=None, obj=user)
    return render_template(
        "auth/account.html", user=user, password_form=password_form, profile_form=profile_form
    )


@bp.post("/account/wachtwoord")
@login_required_any
def change_password():
    user = _me()
    form = ChangePasswordForm(email=user.email)
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except services.WrongPassword:
            form.current_password.errors.append(WRONG_CURRENT_MESSAGE)
        except services.LoginBlocked:
            form.current_password.errors.append(blocked_message())
        else:
            _start_session(user)  # this browser stays logged in; every other session has ended
            db.session.commit()
            flash("Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd.", "success")
            return redirect(url_for("auth.account"))
        db.session.commit()  # keep the failed attempt: it counts towards the limit
    return _account_page(password_form=form)


@bp.post("/account/gegevens")
@login_required_any
def update_profile():
    form = ProfileForm()
    if not form.validate_on_submit():
        return _account_page(profile_form=form)
    services.update_profile(_me(), form.full_name.data, form.phone.data)
    db.session.commit()
    flash("Uw gegevens zijn opgeslagen.", "success")
    return redirect(url_for("auth.account"))
