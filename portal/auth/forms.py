"""Forms for logging in, choosing a password and keeping one's own account up to date."""

from __future__ import annotations

import re

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.auth.passwords import MAX_LENGTH, password_problem
from portal.auth.totp import clean_code
from portal.core.forms import BaseForm, email_field, name_field, phone_field, plain_text

EMAIL_MAX = 254
TOO_LONG_EMAIL = "Een e-mailadres heeft hoogstens 254 tekens."
TOO_LONG_PASSWORD = f"Een wachtwoord heeft hoogstens {MAX_LENGTH} tekens."
NOT_EQUAL = "De twee wachtwoorden zijn niet hetzelfde. Typ het nieuwe wachtwoord twee keer precies gelijk."
NEW_LABEL = "Nieuw wachtwoord"
CONFIRM_LABEL = "Herhaal het nieuwe wachtwoord"
NEW_REQUIRED = DataRequired(message="Kies een nieuw wachtwoord.")
CONFIRM_REQUIRED = DataRequired(message="Typ het nieuwe wachtwoord nog een keer.")


class AuthForm(BaseForm):
    """Like BaseForm, but passwords are kept exactly as typed (spaces count)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, PasswordField):
                return unbound_field.bind(form=form, **options)
            return BaseForm.Meta.bind_field(self, form, unbound_field, options)


def own_password_field(label: str = "Wachtwoord", required: str = "Vul uw wachtwoord in.") -> PasswordField:
    """The user's own (current) password, as typed."""
    return PasswordField(
        label, validators=[DataRequired(message=required), Length(max=MAX_LENGTH, message=TOO_LONG_PASSWORD)]
    )


class LoginForm(AuthForm):
    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired(message="Vul uw e-mailadres in."),
            Length(max=EMAIL_MAX, message=TOO_LONG_EMAIL),
            plain_text,
        ],
    )
    password = own_password_field()


class ForgotPasswordForm(BaseForm):
    email = email_field(required="Vul uw e-mailadres in.")


class _NewPasswordMixin:
    """Checks the chosen password against the policy; ``email`` is the account's address."""

    def __init__(self, *args, email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email

    def _check_new(self, field) -> None:
        problem = password_problem(field.data or "", email=self._email)
        if problem:
            raise ValidationError(problem)


class SetPasswordForm(_NewPasswordMixin, AuthForm):
    password = PasswordField(NEW_LABEL, validators=[NEW_REQUIRED])
    password_confirm = PasswordField(CONFIRM_LABEL, validators=[CONFIRM_REQUIRED])

    def validate_password(self, field) -> None:
        self._check_new(field)

    def validate_password_confirm(self, field) -> None:
        if field.data != self.password.data:
            raise ValidationError(NOT_EQUAL)


class ChangePasswordForm(_NewPasswordMixin, AuthForm):
    current_password = own_password_field("Huidig wachtwoord", "Vul uw huidige wachtwoord in.")
    new_password = PasswordField(NEW_LABEL, validators=[NEW_REQUIRED])
    new_password_confirm = PasswordField(CONFIRM_LABEL, validators=[CONFIRM_REQUIRED])

    def validate_new_password(self, field) -> None:
        self._check_new(field)

    def validate_new_password_confirm(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(NOT_EQUAL)


class ProfileForm(BaseForm):
    full_name = name_field(required="Vul uw naam in.")
    phone = phone_field()


CODE_REQUIRED = "Vul de 6 cijfers uit uw app in."
CODE_SHAPE = "Een inlogcode heeft 6 cijfers, bijvoorbeeld 123456."


def _six_digits(form, field) -> None:
    if field.data and not re.fullmatch(r"[0-9]{6}", clean_code(field.data)):
        raise ValidationError(CODE_SHAPE)


def code_field(label: str = "Inlogcode") -> StringField:
    return StringField(
        label,
        validators=[DataRequired(message=CODE_REQUIRED), Length(max=20, message=CODE_SHAPE), _six_digits],
    )


class CodeForm(BaseForm):
    code = code_field()


class RecoveryCodeForm(BaseForm):
    code = StringField(
        "Herstelcode",
        validators=[
            DataRequired(message="Vul een van uw herstelcodes in."),
            Length(max=40, message="Een herstelcode heeft 16 tekens, bijvoorbeeld abcd-efgh-jkmn-pqrs."),
            plain_text,
        ],
    )


class ConfirmForm(AuthForm):
    """Confirm it is you: the password, and the code when the user has an app."""

    password = own_password_field()
    code = code_field()
