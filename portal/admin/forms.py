"""Forms of the administration pages."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from portal.admin.logbook import kind_choices
from portal.candidates.forms import DutchDateField
from portal.core.forms import BaseForm, email_field, name_field, one_line, phone_field, plain_text, too_long

STAFF_ROLES = {
    "municipal": "Contactpersoon gemeente",
    "jobcoach": "Jobcoach",
    "admin": "Functioneel beheerder",
}
ROLE_CHOICES = [
    SelectChoice("", "Kies een rol"),
    *(SelectChoice(code, label) for code, label in STAFF_ROLES.items()),
]


class StaffUserForm(BaseForm):
    full_name = name_field()
    email = email_field()
    phone = phone_field()
    role = SelectField(
        "Rol",
        choices=ROLE_CHOICES,
        validate_choice=False,
        validators=[AnyOf(list(STAFF_ROLES), message="Kies een rol.")],
    )


class SecurityForm(BaseForm):
    employer_mfa_required = BooleanField("Werkgevers loggen in met een code uit een app")


#: The years a log filter can name (the period is turned into instants; far dates cannot be).
LOG_YEARS = (2000, 2100)


def _within_log_years(day) -> None:
    if day and not LOG_YEARS[0] <= day.year <= LOG_YEARS[1]:
        raise ValidationError(f"Kies een datum tussen {LOG_YEARS[0]} en {LOG_YEARS[1]}.")


class AuditFilterForm(BaseForm):
    """The filters of the audit log (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    wie = StringField("Wie", validators=[Optional(), too_long(100), plain_text, one_line])
    soort = SelectField(
        "Soort gebeurtenis",
        choices=kind_choices(),
        default="",
        invalid_choice_message="Kies een soort uit de lijst.",
    )
    van = DutchDateField("Van", validators=[Optional()])
    tot = DutchDateField("Tot en met", validators=[Optional()])

    def validate_van(self, field) -> None:
        _within_log_years(field.data)

    def validate_tot(self, field) -> None:
        _within_log_years(field.data)
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError("Kies een datum op of na de datum bij Van.")
