"""Forms of the administration pages."""

from __future__ import annotations

from wtforms import EmailField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from portal.core.forms import BaseForm, email_address, phone_number, plain_text

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
    full_name = StringField(
        "Naam",
        validators=[
            DataRequired(message="Vul de naam in."),
            Length(max=120, message="Een naam heeft hoogstens 120 tekens."),
            plain_text,
        ],
    )
    email = EmailField(
        "E-mailadres",
        validators=[
            DataRequired(message="Vul het e-mailadres in."),
            Length(max=254, message="Een e-mailadres heeft hoogstens 254 tekens."),
            email_address,
        ],
    )
    phone = TelField(
        "Telefoonnummer",
        validators=[
            Optional(),
            Length(max=30, message="Een telefoonnummer heeft hoogstens 30 tekens."),
            phone_number,
        ],
    )
    role = SelectField(
        "Rol",
        choices=ROLE_CHOICES,
        validate_choice=False,
        validators=[AnyOf(list(STAFF_ROLES), message="Kies een rol.")],
    )
