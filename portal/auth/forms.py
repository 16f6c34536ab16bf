"""Forms for logging in, choosing a password and keeping one's own account up to date."""

from __future__ import annotations

from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.auth.passwords import MAX_LENGTH, password_problem
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


class LoginForm(AuthForm):
    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired(message="Vul uw e-mailadres in."),
            Length(max=EMAIL_MAX, message=TOO_LONG_EMAIL),
            plain_text,
        ],
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[
            DataRequired(message="Vul uw wachtwoord in."),
            Length(max=MAX_LENGTH, message=TOO_LONG_PASSWORD),
        ],
    )


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
    current_password = PasswordField(
        "Huidig wachtwoord",
        validators=[
            DataRequired(message="Vul uw huidige wachtwoord in."),
            Length(max=MAX_LENGTH, message=TOO_LONG_PASSWORD),
        ],
    )
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
