"""Forms of aftercare: the settings page, the contract correction, a check-in and the outcome."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import RadioField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.aftercare import services, settings
from portal.aftercare.models import CHECKIN_WITH, RISK_LEVELS
from portal.candidates.forms import DutchDateField
from portal.core.errors import DomainError
from portal.core.filters import format_date
from portal.core.forms import (
    WHOLE_NUMBER,
    BaseForm,
    WholeNumberField,
    choices,
    need,
    no_bsn,
    one_line,
    optional_int,
    plain_text,
    too_long,
    whole_number,
)
from portal.core.time import today_local
from portal.placements.models import (
    AFTERCARE_OUTCOMES,
    CONTRACT_TYPES,
    DROPOUT_REASONS,
    SCALE,
    SCORED_ASPECTS,
)

INVALID_CHOICE = "Kies een van de mogelijkheden."
CONTACT_CHOICES = {"yes": "Ja, ik heb iemand gesproken", "no": "Nee, alleen geprobeerd"}


def _radios(label: str, options: dict, required: str) -> RadioField:
    return RadioField(
        label,
        choices=choices(options.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message=required)],
    )


def _select(label: str, options: dict[str, str], placeholder: str) -> SelectField:
    """An optional select (whether it is required depends on another answer)."""
    return SelectField(
        label,
        choices=choices([("", placeholder), *options.items()]),
        invalid_choice_message="Kies een van de mogelijkheden uit de lijst.",
    )


def _free_text(label: str, max_length: int) -> TextAreaField:
    return TextAreaField(label, validators=[too_long(max_length), plain_text, no_bsn])


def _hours(label: str, required: bool) -> WholeNumberField:
    first = InputRequired(message="Vul het aantal uren per week in.") if required else Optional()
    return WholeNumberField(
        label,
        invalid_value_message=WHOLE_NUMBER,
        validators=[first, NumberRange(min=1, max=40, message="Vul een getal van 1 tot en met 40 in.")],
    )


# Settings (admin) -----------------------------------------------------------------------------------------


class SettingsForm(BaseForm):
    """A municipality's check-in plan, its length and the risk thresholds."""

    checkin_weeks = StringField(
        "In welke weken na de start van het contract is er een nazorggesprek?",
        validators=[need(settings.WEEKS_EMPTY), too_long(100), plain_text, one_line],
    )
    aftercare_months = whole_number(
        "Hoe lang duurt de nazorg, in maanden?", *settings.MONTHS, "Vul in hoeveel maanden de nazorg duurt."
    )
    absence_hours_threshold = whole_number(
        "Signaal bij meer uren afwezig in één week dan",
        *settings.THRESHOLDS["absence_hours_threshold"],
        "Vul het aantal uren in.",
    )
    no_contact_days = whole_number(
        "Signaal na zoveel dagen zonder contact met de jobcoach",
        *settings.THRESHOLDS["no_contact_days"],
        "Vul het aantal dagen in.",
    )
    checkin_overdue_working_days = whole_number(
        "Signaal als een nazorggesprek zoveel werkdagen te laat is",
        *settings.THRESHOLDS["checkin_overdue_working_days"],
        "Vul het aantal werkdagen in, of 0.",
    )
    end_without_decision_days = whole_number(
        "Signaal zoveel dagen voor de einddatum als er nog geen besluit is",
        *settings.THRESHOLDS["end_without_decision_days"],
        "Vul het aantal dagen in.",
    )
    ignored_reminders = whole_number(
        "Signaal na zoveel herinneringen waar de werkgever niet op reageert",
        *settings.THRESHOLDS["ignored_reminders"],
        "Vul het aantal herinneringen in.",
    )
    escalation_working_days = whole_number(
        "Naar de beheerders als niemand een signaal zoveel werkdagen oppakt",
        *settings.THRESHOLDS["escalation_working_days"],
        "Vul het aantal werkdagen in.",
    )

    def validate_checkin_weeks(self, field) -> None:
        months = self.aftercare_months.data
        if not isinstance(months, int) or not settings.MONTHS[0] <= months <= settings.MONTHS[1]:
            months = settings.MONTHS[1]  # the length has its own error; still check the numbers
        try:
            field.data = " ".join(str(week) for week in settings.check_weeks(field.data, months))
        except DomainError as error:
            raise ValidationError(error.message) from error

    def values(self) -> dict[str, Any]:
        return {name: self[name].data for name in settings.FIELDS}


# The contract ---------------------------------------------------------------------------------------------


class ContractForm(BaseForm):
    """Correct the contract that started the aftercare."""

    contract_type = SelectField(
        "Soort contract",
        choices=choices([("", "Kies de soort contract"), *CONTRACT_TYPES.items()]),
        invalid_choice_message="Kies de soort contract uit de lijst.",
        validators=[need("Kies de soort contract.")],
    )
    contract_hours = _hours("Uren per week in het contract", required=True)
    contract_start_date = DutchDateField(
        "Startdatum van het contract",
        validators=[InputRequired(message="Vul de startdatum van het contract in.")],
    )

    def values(self) -> dict[str, Any]:
        return {
            "contract_type": self.contract_type.data,
            "contract_hours": self.contract_hours.data,
            "contract_start_date": self.contract_start_date.data,
        }


# A check-in -----------------------------------------------------------------------------------------------


def _score(name: str) -> RadioField:
    return RadioField(
        f"Hoe gaat het: {SCORED_ASPECTS[name].lower()}",
        coerce=optional_int,
        choices=choices(SCALE.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[Optional()],
    )


class CheckInForm(BaseForm):
    """One aftercare conversation; the view sets ``earliest`` (the contract's start)."""

    earliest: date | None = None

    held_on = DutchDateField(
        "Datum van het gesprek", validators=[InputRequired(message=services.HELD_ON_MISSING)]
    )
    held_with = _radios("Met wie had u het gesprek?", CHECKIN_WITH, services.BAD_WITH)
    contact_made = _radios("Heeft u iemand gesproken?", CONTACT_CHOICES, services.BAD_CONTACT)
    punctuality = _score("punctuality")
    task_progress = _score("task_progress")
    dutch_at_work = _score("dutch_at_work")
    teamwork = _score("teamwork")
    motivation = _score("motivation")
    problems = _free_text("Welke problemen zijn er?", services.TEXT_MAX)
    agreements = _free_text("Wat heeft u afgesproken?", services.TEXT_MAX)
    risk = _radios("Hoe groot is het risico dat het werk misgaat?", RISK_LEVELS, services.BAD_RISK)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required when contact was made (the description says so): no "(niet verplicht)".
        for name in SCORED_ASPECTS:
            self[name].flags.required = True

    def validate_held_on(self, field) -> None:
        if not isinstance(field.data, date):
            return
        if field.data > today_local():
            raise ValidationError(services.HELD_ON_FUTURE)
        if self.earliest is not None and field.data < self.earliest:
            raise ValidationError(services.HELD_ON_EARLY.format(day=format_date(self.earliest)))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.contact_made.data == "yes":
            for name, label in SCORED_ASPECTS.items():
                if self[name].data not in SCALE and not self[name].errors:
                    self[name].errors = [services.BAD_SCORE.format(aspect=label.lower())]
                    valid = False
        return valid

    def values(self) -> dict[str, Any]:
        contact_made = self.contact_made.data == "yes"
        return {
            "held_on": self.held_on.data,
            "held_with": self.held_with.data,
            "contact_made": contact_made,
            "scores": {name: self[name].data for name in SCORED_ASPECTS} if contact_made else {},
            "problems": self.problems.data or None,
            "agreements": self.agreements.data or None,
            "risk": self.risk.data,
        }

    def fill_from(self, checkin) -> None:
        """Show a held check-in's answers (to correct it)."""
        self.held_on.data = checkin.held_on
        self.held_with.data = checkin.held_with
        self.contact_made.data = "yes" if checkin.contact_made else "no"
        for name in SCORED_ASPECTS:
            self[name].data = (checkin.scores or {}).get(name)
        self.problems.data = checkin.problems
        self.agreements.data = checkin.agreements
        self.risk.data = checkin.risk


# The outcome ----------------------------------------------------------------------------------------------


class OutcomeForm(BaseForm):
    """How the aftercare ends; only the fields of the chosen outcome are checked."""

    outcome = _radios("Hoe loopt de nazorg af?", AFTERCARE_OUTCOMES, services.BAD_OUTCOME)
    contract_type = _select("Soort contract", CONTRACT_TYPES, "Kies de soort contract")
    hours = _hours("Uren per week", required=False)
    reason = _select("Reden van de uitval", DROPOUT_REASONS, "Kies een reden")
    note = _free_text("Toelichting", services.NOTE_MAX)

    #: Per outcome: the fields it needs and the message when one is empty.
    REQUIRED = {
        "employed": {"contract_type": "Kies de soort contract.", "hours": "Vul het aantal uren per week in."},
        "dropped_out": {"reason": "Kies de reden van de uitval.", "note": services.OUTCOME_NOTE_DROPPED},
        "moved": {"note": services.OUTCOME_NOTE_MOVED},
    }
    KIND_FIELDS = ("contract_type", "hours", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KIND_FIELDS:
            self[name].flags.required = True

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        used = self.REQUIRED.get(self.outcome.data, {})
        for name in (*self.KIND_FIELDS, "note"):
            field = self[name]
            empty = not field.raw_data or not str(field.raw_data[0]).strip()
            if name in self.KIND_FIELDS and name not in used:
                field.errors = []
            elif name in used and empty and not field.errors:
                field.errors = [used[name]]
        return not any(field.errors for field in self)

    def values(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.data,
            "contract_type": self.contract_type.data or None,
            "hours": self.hours.data,
            "reason": self.reason.data or None,
            "note": self.note.data or None,
        }
