"""Forms of placements: start, jobcoach and the weekly progress log."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired

from portal.candidates.forms import DutchDateField
from portal.core.forms import (
    BaseForm,
    RequiredWhen,
    choices,
    need,
    no_bsn,
    one_line,
    optional_int,
    plain_text,
    too_long,
    whole_number,
)
from portal.placements.models import (
    SCALE,
    SCORED_ASPECTS,
)

INVALID_CHOICE = "Kies een van de mogelijkheden."
#: Questions on the form, one per scored aspect (the label the employer reads).
ASPECT_QUESTIONS = {
    "punctuality": "Kwam de kandidaat op tijd?",
    "task_progress": "Hoe ging het werk? Leert de kandidaat erbij?",
    "dutch_at_work": "Hoe ging het Nederlands praten op het werk?",
    "teamwork": "Hoe ging het samenwerken met collega's?",
    "motivation": "Hoe was de motivatie?",
}
NOTE_MAX = 300


class StartForm(BaseForm):
    """The day work actually began (planned → onboarding)."""

    actual_start_date = DutchDateField(
        "Eerste werkdag", validators=[InputRequired(message="Vul de eerste werkdag in.")]
    )


class JobcoachForm(BaseForm):
    """Assign a jobcoach (the view fills the choices with the municipality's active jobcoaches)."""

    jobcoach_id = SelectField(
        "Jobcoach",
        coerce=optional_int,
        invalid_choice_message="Kies een jobcoach uit de lijst.",
        validators=[need("Kies een jobcoach.")],
    )


def _free_text(label: str, max_length: int, *extra) -> TextAreaField:
    return TextAreaField(label, validators=[*extra, too_long(max_length), plain_text, no_bsn])


def _aspect(name: str) -> RadioField:
    return RadioField(
        ASPECT_QUESTIONS[name],
        coerce=optional_int,
        choices=choices(SCALE.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message=f"Kies hoe het ging: {SCORED_ASPECTS[name].lower()}.")],
    )


def _note(name: str) -> StringField:
    return StringField(
        f"Toelichting bij {SCORED_ASPECTS[name].lower()}",
        validators=[too_long(NOTE_MAX), plain_text, one_line, no_bsn],
    )


class WeeklyLogForm(BaseForm):
    """One week of onboarding, on one page (the view sets the choices for days present)."""

    days_present = RadioField(
        "Hoeveel dagen was de kandidaat aanwezig?",
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        validators=[InputRequired(message="Kies het aantal dagen dat de kandidaat er was.")],
    )
    hours_absent = whole_number(
        "Hoeveel uur was de kandidaat afwezig?", 0, 60, "Vul het aantal uren in, of 0."
    )
    absence_reason = StringField(
        "Reden van afwezigheid",
        validators=[
            RequiredWhen("als de kandidaat uren afwezig was"),
            too_long(200),
            plain_text,
            one_line,
            no_bsn,
        ],
    )
    punctuality = _aspect("punctuality")
    punctuality_note = _note("punctuality")
    task_progress = _aspect("task_progress")
    task_progress_note = _note("task_progress")
    dutch_at_work = _aspect("dutch_at_work")
    dutch_at_work_note = _note("dutch_at_work")
    teamwork = _aspect("teamwork")
    teamwork_note = _note("teamwork")
    motivation = _aspect("motivation")
    motivation_note = _note("motivation")
    language_goals_met = _free_text("Taaldoelen deze week", 2000)
    has_concern = BooleanField("Ik maak me zorgen")
    concern_text = _free_text("Waarover maakt u zich zorgen?", 2000, RequiredWhen("als u zich zorgen maakt"))
    needs_from_municipality = _free_text("Wat heeft u nodig van de gemeente?", 2000)

    def validate_absence_reason(self, field) -> None:
        if isinstance(self.hours_absent.data, int) and self.hours_absent.data > 0 and not field.data:
            raise ValidationError("Vul de reden van de afwezigheid in.")

    def validate_concern_text(self, field) -> None:
        if self.has_concern.data and not field.data:
            raise ValidationError("Schrijf kort op waarover u zich zorgen maakt.")

    def values(self, days_planned: int, taalstage: bool) -> dict:
        """The validated answers as the service stores them."""
        notes = {name: note for name in SCORED_ASPECTS if (note := self[f"{name}_note"].data)}
        values = {
            "days_planned": days_planned,
            "days_present": self.days_present.data,
            "hours_absent": self.hours_absent.data,
            "absence_reason": self.absence_reason.data or None,
            "notes": notes,
            "language_goals_met": (self.language_goals_met.data or None) if taalstage else None,
            "has_concern": bool(self.has_concern.data),
            "concern_text": (self.concern_text.data or None) if self.has_concern.data else None,
            "needs_from_municipality": self.needs_from_municipality.data or None,
        }
        values.update({name: self[name].data for name in SCORED_ASPECTS})
        return values

    def fill_from(self, log) -> None:
        """Show an existing log's answers."""
        for name in ("days_present", "hours_absent", "absence_reason", *SCORED_ASPECTS):
            self[name].data = getattr(log, name)
        for name in SCORED_ASPECTS:
            self[f"{name}_note"].data = (log.notes or {}).get(name)
        for name in ("language_goals_met", "has_concern", "concern_text", "needs_from_municipality"):
            self[name].data = getattr(log, name)
