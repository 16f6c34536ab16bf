"""Forms of ending a placement: the decision, the employer's preference and uitval."""

from __future__ import annotations

from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.candidates.forms import DutchDateField
from portal.core.forms import (
    WHOLE_NUMBER,
    BaseForm,
    RequiredWhen,
    WholeNumberField,
    choices,
    need,
    no_bsn,
    plain_text,
    too_long,
)
from portal.placements.models import CONTRACT_TYPES, DECISION_KINDS, DROPOUT_REASONS, STOP_REASONS

INVALID_CHOICE = "Kies een van de mogelijkheden."

END_TEXT_MAX = 2000
#: The employer's wording of the three possible decisions.
PREFERENCE_CHOICES = {
    "contract": "De kandidaat een contract geven",
    "extend": "De plaatsing één keer verlengen",
    "stop": "Stoppen aan het einde van de plaatsing",
}


def _choice(label: str, options: dict[str, str], placeholder: str) -> SelectField:
    """An optional select (required or not depends on the chosen decision, see DecisionForm)."""
    return SelectField(
        label,
        choices=choices([("", placeholder), *options.items()]),
        invalid_choice_message="Kies een van de mogelijkheden uit de lijst.",
    )


class DecisionForm(BaseForm):
    """The end-of-placement decision: one kind, and the fields of that kind (checked per kind)."""

    kind = RadioField(
        "Wat is er besloten?",
        choices=choices(DECISION_KINDS.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message="Kies wat er is besloten: contract, verlengen of stoppen.")],
    )
    contract_type = _choice("Soort contract", CONTRACT_TYPES, "Kies de soort contract")
    contract_hours = WholeNumberField(
        "Uren per week in het contract",
        invalid_value_message=WHOLE_NUMBER,
        validators=[Optional(), NumberRange(min=1, max=40, message="Vul een getal van 1 tot en met 40 in.")],
    )
    contract_start = DutchDateField("Startdatum van het contract", validators=[Optional()])
    new_end_date = DutchDateField("Nieuwe einddatum", validators=[Optional()])
    stop_reason = _choice("Reden om te stoppen", STOP_REASONS, "Kies een reden")
    last_day = DutchDateField("Laatste werkdag", validators=[Optional()])
    note = TextAreaField(
        "Toelichting",
        validators=[
            RequiredWhen("bij stoppen met een andere reden"),
            too_long(END_TEXT_MAX),
            plain_text,
            no_bsn,
        ],
    )

    #: Per decision: the fields it uses and the message when one of them is empty.
    REQUIRED = {
        "contract": {
            "contract_type": "Kies de soort contract.",
            "contract_hours": "Vul het aantal uren per week in.",
            "contract_start": "Vul de startdatum van het contract in.",
        },
        "extend": {"new_end_date": "Vul de nieuwe einddatum in."},
        "stop": {"stop_reason": "Kies de reden om te stoppen.", "last_day": None},
    }

    KIND_FIELDS = (
        "contract_type",
        "contract_hours",
        "contract_start",
        "new_end_date",
        "stop_reason",
        "last_day",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required within their own decision (the fieldset says which): no "(niet verplicht)" label.
        for fields in self.REQUIRED.values():
            for name, message in fields.items():
                if message:
                    self[name].flags.required = True

    def validate(self, extra_validators=None) -> bool:
        """Check the fields of the chosen decision only; the others are ignored (and kept as typed)."""
        super().validate(extra_validators)
        used = self.REQUIRED.get(self.kind.data, {})
        for name in self.KIND_FIELDS:
            field = self[name]
            empty = not field.raw_data or not str(field.raw_data[0]).strip()
            if name not in used:
                field.errors = []
            elif used[name] and empty:
                field.errors = [used[name]]
        if self.kind.data == "stop" and self.stop_reason.data == "other" and not self.note.data:
            self.note.errors = [*self.note.errors, "Schrijf kort op waarom de plaatsing stopt."]
        return not any(field.errors for field in self)

    def values(self) -> dict:
        """The validated answers as the service takes them."""
        return {
            "contract_type": self.contract_type.data or None,
            "contract_hours": self.contract_hours.data,
            "contract_start": self.contract_start.data,
            "new_end_date": self.new_end_date.data,
            "stop_reason": self.stop_reason.data or None,
            "last_day": self.last_day.data,
            "note": self.note.data or None,
        }


class PreferenceForm(BaseForm):
    """What the employer would like at the end of the placement."""

    preference = RadioField(
        "Wat wilt u aan het einde van de plaatsing?",
        choices=choices(PREFERENCE_CHOICES.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message="Kies wat u wilt: contract, verlengen of stoppen.")],
    )
    preference_note = TextAreaField(
        "Toelichting voor de gemeente", validators=[too_long(END_TEXT_MAX), plain_text, no_bsn]
    )


class DropoutForm(BaseForm):
    """Uitval: a structured reason, what happened, and the last day."""

    reason = RadioField(
        "Wat is de reden van de uitval?",
        choices=choices(DROPOUT_REASONS.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message="Kies de reden van de uitval.")],
    )
    text = TextAreaField(
        "Wat is er gebeurd?",
        validators=[need("Schrijf kort op wat er is gebeurd."), too_long(END_TEXT_MAX), plain_text, no_bsn],
    )
    last_day = DutchDateField("Laatste dag", validators=[InputRequired(message="Vul de laatste dag in.")])
