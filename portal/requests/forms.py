"""Forms of the requests domain: placement types (admins), requests and withdrawals (employers), filters."""

from __future__ import annotations

from datetime import timedelta

from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.codes import LANGUAGE_LEVELS, WEEKDAYS, join_codes
from portal.core.forms import (
    BaseForm,
    choices,
    need,
    one_line,
    one_of,
    optional_int,
    plain_text,
    too_long,
    whole_number,
)
from portal.core.time import today_local
from portal.employers.forms import INVALID_CHOICE
from portal.requests.models import REQUEST_STATUSES

#: Levels an employer can ask for (C1 is never a requirement for these placements).
REQUEST_LEVELS = {code: label for code, label in LANGUAGE_LEVELS.items() if code != "C1"}
WORK_DAYS = {code: label for code, label in WEEKDAYS.items() if code in ("ma", "di", "wo", "do", "vr")}
#: How far ahead a start date may lie.
MAX_DAYS_AHEAD = 730
# Placement types ------------------------------------------------------------------------------------------


class PlacementTypeForm(BaseForm):
    description = TextAreaField(
        "Uitleg voor werkgevers",
        validators=[need("Vul de uitleg voor werkgevers in."), too_long(2000), plain_text],
    )
    min_weeks = whole_number("Minimale duur in weken", 1, 104, "Vul de minimale duur in.")
    max_weeks = whole_number("Maximale duur in weken", 1, 104, "Vul de maximale duur in.")
    min_days_per_week = whole_number(
        "Minimaal aantal dagen per week", 1, 5, "Vul het minimum aantal dagen in."
    )
    max_days_per_week = whole_number(
        "Maximaal aantal dagen per week", 1, 5, "Vul het maximum aantal dagen in."
    )
    max_hours_per_week = whole_number(
        "Maximaal aantal uren per week", 1, 40, "Vul het maximum aantal uren in."
    )
    is_paid = BooleanField("Betaald werk")
    keeps_benefit = BooleanField("Met behoud van uitkering")
    learning_goals_required = BooleanField("Leerdoelen zijn verplicht")
    default_dutch_level = SelectField(
        "Gebruikelijk niveau Nederlands",
        choices=choices(REQUEST_LEVELS.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een niveau.")],
    )
    is_active = BooleanField("Werkgevers kunnen deze vorm kiezen")


# Requests -------------------------------------------------------------------------------------------------


class CheckboxesField(SelectMultipleField):
    """Several options as checkboxes; stored as comma-separated codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    @property
    def codes(self) -> str:
        return join_codes(self.data or [])


class RequestForm(BaseForm):
    placement_type_id = RadioField(
        "Soort plaatsing",
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een soort plaatsing.")],
    )
    workplace_id = SelectField(
        "Werkplek",
        coerce=optional_int,
        invalid_choice_message="Kies een werkplek uit de lijst.",
        validators=[need("Kies een werkplek.")],
    )
    role_title = StringField(
        "Naam van de functie",
        validators=[need("Vul de naam van de functie in."), too_long(120), plain_text, one_line],
    )
    tasks = TextAreaField("Taken", validators=[need("Beschrijf de taken."), too_long(5000), plain_text])
    positions = whole_number("Aantal plekken", 1, 20, "Vul het aantal plekken in.")
    hours_per_week = whole_number("Uren per week", 1, 40, "Vul het aantal uren per week in.")
    days_per_week = whole_number("Dagen per week", 1, 5, "Vul het aantal dagen per week in.")
    work_days = CheckboxesField(
        "Op welke dagen?",
        choices=choices(WORK_DAYS.items()),
        invalid_choice_message="Kies alleen dagen uit de lijst.",
    )
    days_flexible = BooleanField("De dagen kunnen schuiven rond de taallessen")
    dutch_level = SelectField(
        "Niveau Nederlands dat nodig is",
        choices=choices(REQUEST_LEVELS.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een niveau.")],
    )
    dutch_level_tasks = TextAreaField(
        "Voor welke taken is dat niveau nodig?", validators=[too_long(2000), plain_text]
    )
    english_sufficient = BooleanField("Engels is ook goed")
    certificates = StringField("Verplichte certificaten", validators=[too_long(200), plain_text, one_line])
    desired_start = DateField(
        "Gewenste startdatum",
        invalid_value_message="Vul een datum in, zoals 2026-05-01.",
        validators=[InputRequired(message="Vul de gewenste startdatum in.")],
    )
    duration_weeks = whole_number("Duur in weken", 1, 104, "Vul de duur in weken in.")
    learning_goals = TextAreaField("Leerdoelen", validators=[too_long(5000), plain_text])
    supervisor_name = StringField(
        "Wie begeleidt de kandidaat op de werkvloer?", validators=[too_long(120), plain_text, one_line]
    )

    def validate_desired_start(self, field) -> None:
        if field.data is None:  # not a date: the field already carries its message
            return
        today = today_local()
        if field.data < today:
            raise ValidationError("Kies een startdatum vandaag of later.")
        if field.data > today + timedelta(days=MAX_DAYS_AHEAD):
            raise ValidationError("Kies een startdatum binnen twee jaar.")

    def mark_learning_goals(self, kinds) -> None:
        """Say in the label for which of these placement types learning goals are required (the check is
        the service's, per chosen type): required for all of them, for some ("verplicht bij een ..."),
        or for none ("niet verplicht")."""
        names = [kind.name.lower() for kind in kinds if kind.learning_goals_required]
        if names and len(names) == len(kinds):
            self.learning_goals.flags.required = True
        elif names:
            self.learning_goals.flags.required_when = f"bij een {one_of(names)}"

    def service_data(self) -> dict:
        """The form's values as the services expect them (work days as comma-separated codes)."""
        return {**self.data, "work_days": self.work_days.codes}


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "Waarom trekt u de aanvraag in?",
        validators=[need("Vul de reden in waarom u de aanvraag intrekt."), too_long(2000), plain_text],
    )


STATUS_FILTER = choices(
    [
        ("open", "Open: nog niet vervuld of gesloten"),
        ("alle", "Alle aanvragen"),
        *((k, v) for k, v in REQUEST_STATUSES.items() if k != "draft"),
    ]
)


class RequestFilterForm(BaseForm):
    """The filter on the municipal list (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status", choices=STATUS_FILTER, default="open", invalid_choice_message=INVALID_CHOICE
    )
    type_id = SelectField(
        "Soort plaatsing", coerce=optional_int, default=None, invalid_choice_message=INVALID_CHOICE
    )
