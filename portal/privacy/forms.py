"""Forms of the privacy domain: record a candidate's request about their data, and mark it handled."""

from __future__ import annotations

from datetime import date

from wtforms import SelectField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Optional

from portal.candidates.forms import DutchDateField, not_in_future
from portal.core.forms import BaseForm, RequiredWhen, choices, need, no_bsn, plain_text, too_long
from portal.core.time import today_local
from portal.privacy.models import REQUEST_KINDS

INVALID_CHOICE = "Kies een van de mogelijkheden uit de lijst."
EARLIEST = date(2000, 1, 1)
OUTCOME_MAX = 2000
OUTCOME_LABEL = "Wat is er met het verzoek gedaan?"
OUTCOME_WHEN = "verplicht als het verzoek is afgehandeld"


def not_too_early(form, field) -> None:
    if isinstance(field.data, date) and field.data < EARLIEST:
        raise ValidationError("Vul een datum in vanaf 1 januari 2000.")


def _outcome_field() -> TextAreaField:
    return TextAreaField(
        OUTCOME_LABEL,
        validators=[RequiredWhen(OUTCOME_WHEN), too_long(OUTCOME_MAX), plain_text, no_bsn],
    )


class PrivacyRequestForm(BaseForm):
    kind = SelectField(
        "Soort verzoek",
        choices=choices([("", "Kies"), *REQUEST_KINDS.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies het soort verzoek.")],
    )
    received_on = DutchDateField(
        "Ontvangen op",
        format="%Y-%m-%d",
        default=today_local,
        validators=[
            InputRequired(message="Vul de datum in waarop het verzoek binnenkwam."),
            not_in_future,
            not_too_early,
        ],
    )
    handled_on = DutchDateField(
        "Afgehandeld op",
        format="%Y-%m-%d",
        validators=[Optional(), not_in_future, not_too_early],
    )
    outcome = _outcome_field()

    def validate_handled_on(self, field) -> None:
        received = self.received_on.data
        if isinstance(field.data, date) and isinstance(received, date) and field.data < received:
            raise ValidationError("De afhandeling kan niet vóór de ontvangst liggen.")

    def validate_outcome(self, field) -> None:
        if self.handled_on.data and not (field.data or "").strip():
            raise ValidationError("Schrijf op wat er met het verzoek is gedaan.")


class HandleRequestForm(BaseForm):
    handled_on = DutchDateField(
        "Afgehandeld op",
        format="%Y-%m-%d",
        default=today_local,
        validators=[InputRequired(message="Vul de datum van afhandeling in."), not_in_future, not_too_early],
    )
    outcome = TextAreaField(
        OUTCOME_LABEL,
        validators=[
            need("Schrijf op wat er met het verzoek is gedaan."),
            too_long(OUTCOME_MAX),
            plain_text,
            no_bsn,
        ],
    )
