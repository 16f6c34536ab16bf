"""The workplace visit form: one page a jobcoach fills in on a phone right after a visit."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Optional

from portal.candidates.forms import CheckboxesField, DutchDateField
from portal.core.filters import format_date
from portal.core.forms import (
    BaseForm,
    RequiredWhen,
    choices,
    no_bsn,
    one_line,
    plain_text,
    too_long,
    whole_number,
)
from portal.core.time import today_local
from portal.employers.forms import INVALID_CHOICE
from portal.tasks.models import TASK_OWNERS
from portal.tasks.services import CARE_FOR_EMPLOYER, mentions_care
from portal.visits import services
from portal.visits.models import RISK_LEVELS, SPOKEN_WITH, VISIT_MODES

CONTACT_CHOICES = {"yes": "Ja, ik heb iemand gesproken", "no": "Nee, alleen geprobeerd"}
ACTION_ROWS = services.MAX_ACTIONS

NEED_WHAT = "Vul in wat er is afgesproken."
NEED_OWNER = "Kies wie deze afspraak uitvoert."
NEED_DUE = "Vul in wanneer deze afspraak klaar moet zijn."


def _radios(label: str, options: dict[str, str], required: str) -> RadioField:
    return RadioField(
        label,
        choices=choices(options.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message=required)],
    )


def _free_text(label: str, max_length: int, *extra) -> TextAreaField:
    return TextAreaField(label, validators=[*extra, too_long(max_length), plain_text, no_bsn])


class VisitForm(BaseForm):
    """A visit, its risk and up to three agreed actions; the view sets ``earliest`` (first day allowed)."""

    earliest: date | None = None

    visit_date = DutchDateField(
        "Datum van het bezoek", validators=[InputRequired(message="Vul de datum van het bezoek in.")]
    )
    duration_minutes = whole_number(
        "Hoe lang duurde het, in minuten?",
        services.DURATION_MIN,
        services.DURATION_MAX,
        "Vul in hoeveel minuten het bezoek duurde.",
    )
    mode = _radios("Hoe was het contact?", VISIT_MODES, services.BAD_MODE)
    contact_made = _radios("Heeft u iemand gesproken?", CONTACT_CHOICES, "Kies of u iemand heeft gesproken.")
    spoken_with = CheckboxesField(
        "Met wie heeft u gesproken?", SPOKEN_WITH, validators=[RequiredWhen("als u iemand heeft gesproken")]
    )
    observations = _free_text("Wat zag en hoorde u?", services.OBSERVATIONS_MAX)
    risk = _radios("Hoe groot is het risico dat de plaatsing misgaat?", RISK_LEVELS, services.BAD_RISK)
    risk_reason = _free_text(
        "Waarom dit risico?", services.RISK_REASON_MAX, RequiredWhen("bij een middel of hoog risico")
    )

    def validate_visit_date(self, field) -> None:
        if not isinstance(field.data, date):
            return
        if field.data > today_local():
            raise ValidationError(services.DATE_IN_FUTURE)
        if self.earliest is not None and field.data < self.earliest:
            raise ValidationError(services.DATE_TOO_EARLY.format(earliest=format_date(self.earliest)))

    def validate_spoken_with(self, field) -> None:
        if self.contact_made.data == "yes" and not field.data:
            raise ValidationError(services.BAD_SPOKEN_WITH)

    def validate_risk_reason(self, field) -> None:
        if self.risk.data in ("medium", "high") and not field.data:
            raise ValidationError(services.RISK_REASON_NEEDED)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_actions() and valid

    def action_fields(self, index: int):
        """(title, owner, due, employer) fields of action row ``index``."""
        return tuple(self[f"action_{index}_{part}"] for part in ("title", "owner", "due", "employer"))

    def _validate_actions(self) -> bool:
        valid = True
        visit_date = self.visit_date.data if not self.visit_date.errors else None
        for i in range(ACTION_ROWS):
            title, owner, due, employer = self.action_fields(i)
            if not (title.data or owner.data or due.data or due.errors):
                continue  # an empty row (a ticked box alone says nothing)
            for field, message in ((title, NEED_WHAT), (owner, NEED_OWNER), (due, NEED_DUE)):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
            if (employer.data or owner.data == "employer") and not title.errors and mentions_care(title.data):
                title.errors = [*title.errors, CARE_FOR_EMPLOYER]
                valid = False
            if isinstance(due.data, date) and isinstance(visit_date, date) and not due.errors:
                first, last = services.due_window(visit_date)
                if due.data < first:
                    due.errors = [*due.errors, services.DUE_BEFORE_VISIT]
                    valid = False
                elif due.data > last:
                    due.errors = [*due.errors, services.DUE_TOO_LATE]
                    valid = False
            valid = valid and not (title.errors or owner.errors or due.errors)
        return valid

    def values(self) -> dict[str, Any]:
        """The validated visit as the service takes it."""
        contact_made = self.contact_made.data == "yes"
        return {
            "visit_date": self.visit_date.data,
            "duration_minutes": self.duration_minutes.data,
            "mode": self.mode.data,
            "spoken_with": list(self.spoken_with.data or []) if contact_made else [],
            "contact_made": contact_made,
            "observations": self.observations.data or None,
            "risk": self.risk.data,
            "risk_reason": self.risk_reason.data or None,
        }

    def actions(self) -> list[dict[str, Any]]:
        """The filled-in action rows (empty rows left out)."""
        rows = []
        for i in range(ACTION_ROWS):
            title, owner, due, employer = self.action_fields(i)
            if title.data:
                rows.append(
                    {
                        "title": title.data,
                        "owner": owner.data,
                        "due_date": due.data,
                        "visible_to_employer": bool(employer.data) or owner.data == "employer",
                    }
                )
        return rows


for _i in range(ACTION_ROWS):
    setattr(
        VisitForm,
        f"action_{_i}_title",
        StringField(
            f"Afspraak {_i + 1}: wat is afgesproken?",
            validators=[too_long(services.ACTION_TITLE_MAX), plain_text, one_line, no_bsn],
        ),
    )
    setattr(
        VisitForm,
        f"action_{_i}_owner",
        SelectField(
            f"Afspraak {_i + 1}: wie doet het?",
            choices=choices([("", "Kies wie het doet"), *TASK_OWNERS.items()]),
            default="",
            invalid_choice_message=INVALID_CHOICE,
        ),
    )
    setattr(
        VisitForm,
        f"action_{_i}_due",
        DutchDateField(f"Afspraak {_i + 1}: klaar op", validators=[Optional()]),
    )
    setattr(
        VisitForm,
        f"action_{_i}_employer",
        BooleanField(f"Afspraak {_i + 1}: zichtbaar voor de werkgever"),
    )
