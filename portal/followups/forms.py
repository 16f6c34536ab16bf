"""The one short question about a candidate's work after the exit: the same form for the employer's
link and for the specialist."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.core.db import valid_id
from portal.core.forms import BaseForm, choices, no_bsn, plain_text, too_long
from portal.employers.forms import WholeNumberField
from portal.followups.queries import STATES

INVALID_CHOICE = "Kies een van de mogelijkheden."
YES_NO = {"ja": "Ja", "nee": "Nee"}
EXTENDED = {"ja": "Ja", "nee": "Nee", "weet_niet": "Weet ik niet"}
NOTE_MAX = 500


class AnswerForm(BaseForm):
    still_employed = RadioField(
        "Werkt de kandidaat nog bij u?",
        choices=choices(YES_NO.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message="Kies ja of nee.")],
    )
    hours_per_week = WholeNumberField(
        "Hoeveel uur per week werkt de kandidaat?",
        invalid_value_message="Vul een heel getal in, zoals 24.",
        validators=[Optional(), NumberRange(min=0, max=40, message="Vul een getal van 0 tot en met 40 in.")],
    )
    contract_extended = RadioField(
        "Is het contract verlengd?",
        choices=choices(EXTENDED.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[Optional()],
    )
    note = TextAreaField("Wilt u nog iets kwijt?", validators=[too_long(NOTE_MAX), plain_text, no_bsn])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.still_employed.data == "ja" and not self.still_employed.errors:
            if self.hours_per_week.data is None and not self.hours_per_week.errors:
                self.hours_per_week.errors = [*self.hours_per_week.errors, "Vul het aantal uur per week in."]
                valid = False
            if not self.contract_extended.data and not self.contract_extended.errors:
                self.contract_extended.errors = [
                    *self.contract_extended.errors,
                    "Kies ja, nee of weet ik niet.",
                ]
                valid = False
        return valid

    def answer(self) -> dict:
        """The answer as the service takes it."""
        employed = self.still_employed.data == "ja"
        extended = {"ja": True, "nee": False}.get(self.contract_extended.data or "") if employed else None
        return {
            "still_employed": employed,
            "hours_per_week": self.hours_per_week.data if employed else None,
            "contract_extended": extended,
            "note": self.note.data or None,
        }


class FilterForm(BaseForm):
    """The filter on the follow-ups list (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Welke navragen",
        choices=choices(STATES.items()),
        default="open",
        invalid_choice_message="Kies een van de mogelijkheden uit de lijst.",
    )
    kandidaat = WholeNumberField(
        "Kandidaat (nummer)", invalid_value_message="Vul een heel getal in.", validators=[Optional()]
    )
    mijn = BooleanField("Alleen mijn kandidaten")

    def state_value(self) -> str:
        return "open" if self.status.errors or self.status.data not in STATES else self.status.data

    def candidate_value(self) -> int | None:
        value = self.kandidaat.data
        return value if not self.kandidaat.errors and valid_id(value) else None

    def kept(self) -> dict:
        return {
            "status": self.state_value() if self.state_value() != "open" else "",
            "kandidaat": self.candidate_value() or "",
            "mijn": "y" if self.mijn.data else "",
        }
