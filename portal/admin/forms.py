"""Forms of the administration pages."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf

from portal.core.forms import BaseForm, email_field, name_field, phone_field

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
