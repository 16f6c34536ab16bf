"""Logging in and out, forgotten passwords, first passwords and the user's own account page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.auth import queries, services, totp
from portal.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RecoveryCodeForm,
    SetPasswordForm,
)
from portal.auth.loader import AUTH_AT_KEY, CODE_GIVEN_KEY, pending_user
from portal.auth.permissions import mfa_required, needs_code_step, waits_for_approval
from portal.core.security import (
    FRESH_KEY,
    PENDING_AT_KEY,
    PENDING_KEY,
    fresh_login_required,
    login_required_any,
    password_given,
    public,
    safe_next_url,
)
from portal.core.time import now_utc
from portal.extensions import db

bp = Blueprint("auth", __name__)

REFUSED_MESSAGE = "Het e-mailadres of wachtwoord klopt niet."
WRONG_CURRENT_MESSAGE = "Uw huidige wachtwoord klopt niet."
WRONG_PASSWORD_MESSAGE = "Uw wachtwoord klopt niet."  # noqa: S105 - a message, not a password
WRONG_CODE_MESSAGE = (
    "Deze inlogcode klopt niet of is al gebruikt. Wacht tot uw app een nieuwe code laat zien en probeer het "
    "opnieuw."
)
WRONG_RECOVERY_MESSAGE = "Deze herstelcode klopt niet of is al gebruikt."
PENDING_EXPIRED_MESSAGE = "Het inloggen duurde te lang. Log opnieuw in."
#: Session keys: where to go after the code step; the secret of an app being linked (until confirmed).
NEXT_KEY = "mfa_next"
NEW_SECRET_KEY = "mfa_new_secret"  # noqa: S105 - a session key name


def blocked_message() -> str:
    minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
    return (
        f"U heeft te vaak een verkeerd wachtwoord ingevuld. Wacht {minutes} minuten en probeer het "
        "opnieuw, of vraag een nieuw wachtwoord aan."
    )


def code_blocked_message() -> str:
    minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
    return f"U heeft te vaak een verkeerde code ingevuld. Wacht {minutes} minuten en probeer het opnieuw."


def _me():
    """The logged-in User itself (not the proxy), for services and the audit trail."""
    return current_user._get_current_object()


def _start_session(user, code_given: bool = False) -> None:
    """A brand-new session for ``user``: nothing from before the login survives (no fixation).

    ``code_given``: the login included the code from the user's app (or linking one).
    """
    session.clear()
    # Flask-WTF caches the CSRF token per request; it belonged to the old session.
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    login_user(user)
    session[AUTH_AT_KEY] = session[FRESH_KEY] = now_utc().timestamp()
    session[CODE_GIVEN_KEY] = code_given
    session.permanent = True


def _start_pending(user, next_url: str) -> None:
    """A new half session: the password of ``user`` was right, the code (or linking an app) comes next."""
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    session[PENDING_KEY] = user.get_id()
    session[PENDING_AT_KEY] = now_utc().timestamp()
    session[NEXT_KEY] = next_url
    session.permanent = True


def _finish_login(user):
    """The second step is done: the real session starts and the user goes where they wanted to go."""
    target = safe_next_url(session.get(NEXT_KEY), url_for("main.home"))
    _start_session(user, code_given=True)
    return target


def _pending_expired():
    for key in (PENDING_KEY, PENDING_AT_KEY, NEXT_KEY, NEW_SECRET_KEY):
        session.pop(key, None)
    flash(PENDING_EXPIRED_MESSAGE, "info")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    if request.method == "GET" and session.get(PENDING_KEY):
        return redirect(url_for("auth.mfa_code"))  # the password was given: the code comes next
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
    if needs_code_step(user):
        _start_pending(user, safe_next_url(request.args.get("next"), ""))
        db.session.commit()
        return redirect(url_for("auth.mfa_code"))
    _start_session(user)
    db.session.commit()
    return redirect(safe_next_url(request.args.get("next"), url_for("main.home")))


# The second step: the code from the app ---------------------------------------------------------------


@bp.route("/inloggen/code", methods=["GET", "POST"])
@password_given
def mfa_code():
    return _second_step(CodeForm, "auth/mfa_code.html", services.verify_code, WRONG_CODE_MESSAGE)


@bp.route("/inloggen/herstelcode", methods=["GET", "POST"])
@password_given
def mfa_recovery():
    return _second_step(
        RecoveryCodeForm, "auth/mfa_recovery.html", services.use_recovery_code, WRONG_RECOVERY_MESSAGE
    )


def _second_step(form_class, template: str, check, wrong_message: str):
    """The code page or the herstelcode page: ``check(user, typed)`` accepts the code or raises."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user = pending_user()
    if user is None:
        return _pending_expired()
    if not user.has_mfa:
        return redirect(url_for("auth.mfa_enrol"))
    form = form_class()
    if not form.validate_on_submit():
        return render_template(template, form=form)
    try:
        left = check(user, form.code.data)
    except services.CodeBlocked:
        db.session.commit()
        return render_template(template, form=form, error=code_blocked_message()), 429
    except services.WrongCode:
        db.session.commit()
        form.code.errors.append(wrong_message)
        return render_template(template, form=form)
    target = _finish_login(user)
    db.session.commit()
    if left is not None:
        flash(
            f"U bent ingelogd met een herstelcode. U heeft nog {left} herstelcodes. Bent u uw telefoon "
            "kwijt? Koppel dan een nieuwe app bij Mijn account.",
            "info",
        )
    return redirect(target)


@bp.route("/inloggen/app-koppelen", methods=["GET", "POST"])
@password_given
def mfa_enrol():
    """Linking an app during the login: for a user who must use one and has none (yet, or after a reset)."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.account_app"))
    user = pending_user()
    if user is None:
        return _pending_expired()
    if user.has_mfa:
        return redirect(url_for("auth.mfa_code"))
    form, secret = _enrol_form()
    if not form.validate_on_submit():
        return _enrol_page(user, form, secret, during_login=True)
    codes = _enrol(user, form, secret)
    if codes is None:
        return _enrol_page(user, form, secret, during_login=True)
    target = _finish_login(user)
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=target, during_login=True)


def _enrol_form():
    """The code form and the new secret of this browser (kept in the session until it is confirmed)."""
    secret = session.get(NEW_SECRET_KEY)
    if not secret:
        secret = session[NEW_SECRET_KEY] = totp.new_secret()
    return CodeForm(), secret


def _enrol_page(user, form, secret, during_login: bool):
    return render_template(
        "auth/mfa_enrol.html",
        form=form,
        secret=totp.grouped(secret),
        qr_svg=totp.qr_svg(totp.provisioning_uri(secret, user.email)),
        during_login=during_login,
        required=mfa_required(user),
    )


def _enrol(user, form, secret) -> list[str] | None:
    """Link the app; None (with the error beside the field) when the code does not fit the new secret."""
    try:
        codes = services.enrol_app(user, secret, form.code.data)
    except services.CodeBlocked:
        form.code.errors.append(code_blocked_message())
    except services.WrongCode:
        form.code.errors.append(WRONG_CODE_MESSAGE)
    else:
        session.pop(NEW_SECRET_KEY, None)
        return codes
    db.session.commit()  # keep the failed attempt: it counts towards the limit
    return None


@bp.route("/bevestigen", methods=["GET", "POST"])
@login_required_any
def confirm():
    """ "Bevestig dat u het bent": password and code again before a sensitive action, then back."""
    user = _me()
    form = ConfirmForm()
    if not user.has_mfa:
        del form.code
    next_url = safe_next_url(request.args.get("next"), url_for("auth.account"))
    if not form.validate_on_submit():
        return render_template("auth/confirm.html", form=form, next_url=next_url)
    try:
        services.confirm_identity(user, form.password.data, form.code.data if user.has_mfa else None)
    except (services.LoginBlocked, services.CodeBlocked) as error:
        db.session.commit()
        message = blocked_message() if isinstance(error, services.LoginBlocked) else code_blocked_message()
        return render_template("auth/confirm.html", form=form, next_url=next_url, error=message), 429
    except services.WrongPassword:
        form.password.errors.append(WRONG_PASSWORD_MESSAGE)
    except services.WrongCode:
        form.code.errors.append(WRONG_CODE_MESSAGE)
    else:
        session[FRESH_KEY] = now_utc().timestamp()
        session["_fresh"] = True
        session[CODE_GIVEN_KEY] = session.get(CODE_GIVEN_KEY) or user.has_mfa
        db.session.commit()
        return redirect(next_url)
    db.session.commit()
    return render_template("auth/confirm.html", form=form, next_url=next_url)


@bp.post("/logout")
@password_given
def logout():
    if current_user.is_authenticated:
        services.logout(_me())
        logout_user()
    for key in (
        AUTH_AT_KEY,
        FRESH_KEY,
        CODE_GIVEN_KEY,
        PENDING_KEY,
        PENDING_AT_KEY,
        NEXT_KEY,
        NEW_SECRET_KEY,
    ):
        session.pop(key, None)
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
        "auth/account.html",
        user=user,
        password_form=password_form,
        profile_form=profile_form,
        mfa_required=mfa_required(user),
        recovery_codes_left=db.session.scalar(queries.open_recovery_code_count(user.id)),
    )


@bp.route("/account/app-koppelen", methods=["GET", "POST"])
@login_required_any
@fresh_login_required
def account_app():
    """Link an app (again) from the account page: a new phone, or an employer who chooses to use one."""
    user = _me()
    form, secret = _enrol_form()
    if not form.validate_on_submit():
        return _enrol_page(user, form, secret, during_login=False)
    codes = _enrol(user, form, secret)
    if codes is None:
        return _enrol_page(user, form, secret, during_login=False)
    session[CODE_GIVEN_KEY] = True
    db.session.commit()
    return _recovery_codes_page(codes)


def _recovery_codes_page(codes: list[str]):
    """The new herstelcodes, shown once, from the account page (back to it afterwards)."""
    return render_template(
        "auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"), during_login=False
    )


@bp.post("/account/herstelcodes")
@login_required_any
@fresh_login_required
def renew_recovery_codes():
    user = _me()
    if not user.has_mfa:
        return redirect(url_for("auth.account_app"))
    codes = services.renew_recovery_codes(user)
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.post("/account/wachtwoord")
@login_required_any
@fresh_login_required
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
            # This browser stays logged in (with the code it gave); every other session has ended.
            _start_session(user, code_given=bool(session.get(CODE_GIVEN_KEY)))
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
