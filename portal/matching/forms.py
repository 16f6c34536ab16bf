"""Forms of matching: propose candidates, plan a kennismaking, decline and accept."""

from __future__ import annotations

from datetime import date

from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from portal.candidates.models import CONSENT_METHODS, TEXT_VERSION_DEFAULT
from portal.core.forms import BaseForm, choices, need, one_line, optional_int, plain_text, too_long
from portal.core.time import today_local
from portal.requests.models import DECLINE_REASONS

DATE_MESSAGE = "Vul een datum in, zoals 2026-05-01."
TIME_MESSAGE = "Vul een tijd in, zoals 14:30."
CONFIRM_LABEL = "Ik heb de waarschuwing gelezen en stel toch voor"
CONSENT_LABEL = (
    "De kandidaten die nog geen toestemming gaven, geven toestemming om hun profiel zonder naam met"
    " {employer} te delen"
)


class ProposeForm(BaseForm):
    """Propose one or more of the ranked candidates (the view fills the choices)."""

    candidate_ids = SelectMultipleField(
        "Kandidaten om voor te stellen",
        coerce=optional_int,
        invalid_choice_message="Kies alleen kandidaten uit de lijst.",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[need("Kies minstens één kandidaat.")],
    )
    note = TextAreaField(
        "Toelichting voor de werkgever",
        validators=[too_long(2000, "Gebruik hoogstens 2000 tekens."), plain_text],
    )
    confirm_warnings = BooleanField(CONFIRM_LABEL)
    #: Never ticked beforehand (consent is an act); the view names the employer in the label.
    consent_given = BooleanField(CONSENT_LABEL.format(employer="deze werkgever"))
    consent_method = SelectField(
        "Hoe gaven de kandidaten de toestemming (kanaal)?",
        choices=choices([("", "Kies"), *CONSENT_METHODS.items()]),
        default="",
        invalid_choice_message="Kies een kanaal uit de lijst.",
    )
    consent_text_version = StringField(
        "Versie van de toestemmingstekst",
        default=TEXT_VERSION_DEFAULT,
        validators=[too_long(20, "Gebruik hoogstens 20 tekens."), plain_text, one_line],
    )

    def validate_consent_method(self, field) -> None:
        if self.consent_given.data and not field.data:
            raise ValidationError("Kies hoe de kandidaten de toestemming gaven.")

    def validate_consent_text_version(self, field) -> None:
        if self.consent_given.data and not (field.data or "").strip():
            raise ValidationError("Vul de versie van de tekst in, zoals 2026-1.")


class InviteForm(BaseForm):
    """A kennismaking: date (today or later), time and place."""

    meeting_date = DateField(
        "Datum", invalid_value_message=DATE_MESSAGE, validators=[InputRequired(message="Vul de datum in.")]
    )
    meeting_time = TimeField(
        "Tijd", invalid_value_message=TIME_MESSAGE, validators=[InputRequired(message="Vul de tijd in.")]
    )
    meeting_place = StringField(
        "Plaats",
        validators=[
            need("Vul de plaats van de kennismaking in."),
            too_long(200, "Gebruik hoogstens 200 tekens."),
            plain_text,
            one_line,
        ],
    )

    def validate_meeting_date(self, field) -> None:
        if isinstance(field.data, date) and field.data < today_local():
            raise ValidationError("Kies vandaag of een dag in de toekomst.")


class DeclineForm(BaseForm):
    """Decline with a structured reason and, optionally, a few words."""

    reason = SelectField(
        "Reden",
        choices=choices([("", "Kies een reden"), *DECLINE_REASONS.items()]),
        invalid_choice_message="Kies een reden uit de lijst.",
        validators=[need("Kies een reden.")],
    )
    text = TextAreaField(
        "Toelichting", validators=[too_long(1000, "Gebruik hoogstens 1000 tekens."), plain_text]
    )

    def validate_text(self, field) -> None:
        if self.reason.data == "other" and not field.data:
            raise ValidationError("Vul de reden in als u 'Een andere reden' kiest.")


class AcceptForm(BaseForm):
    """Accept after the kennismaking: start date and planned end date (checked against the type)."""

    start_date = DateField(
        "Startdatum",
        invalid_value_message=DATE_MESSAGE,
        validators=[InputRequired(message="Vul de startdatum in.")],
    )
    end_date = DateField(
        "Geplande einddatum",
        invalid_value_message=DATE_MESSAGE,
        validators=[InputRequired(message="Vul de geplande einddatum in.")],
    )

    def validate_start_date(self, field) -> None:
        if isinstance(field.data, date) and field.data < today_local():
            raise ValidationError("De startdatum kan niet in het verleden liggen.")

    def validate_end_date(self, field) -> None:
        start = self.start_date.data
        if isinstance(field.data, date) and isinstance(start, date) and field.data <= start:
            raise ValidationError("De einddatum moet na de startdatum liggen.")
