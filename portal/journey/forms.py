"""Forms of the journey: a stage, a screening, the ABC plan and a step up, an exit, the specialist,
reassigning a caseload and the team settings. The services check the rules again; these give each field
its Dutch message."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.candidates.forms import CheckboxesField, DutchDateField, not_in_future
from portal.core.forms import (
    BaseForm,
    RequiredWhen,
    WholeNumberField,
    choices,
    need,
    no_bsn,
    one_line,
    optional_int,
    plain_text,
    too_long,
)
from portal.core.time import today_local
from portal.employers.forms import INVALID_CHOICE
from portal.journey.models import (
    EXIT_CONTRACT_TYPES,
    EXIT_KINDS,
    PLAN_LEVELS,
    REFERRAL_SOURCES,
    ROUTES,
    SCREENING_INSTRUMENTS,
    STAGES,
    SYSTEM_STAGES,
)
from portal.journey.services import NOTE_MAX, OUTCOME_MAX

#: Stages a person records (the others come from the system).
MANUAL_STAGES = {code: label for code, label in STAGES.items() if code not in SYSTEM_STAGES}
WHOLE_NUMBER = "Vul een heel getal in, zoals 8."


def _select(label: str, options: dict[str, str], required: str | None, placeholder: str = "Kies", when=None):
    validators = [need(required)] if required else ([RequiredWhen(when)] if when else [])
    return SelectField(
        label,
        choices=choices([("", placeholder), *options.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        validators=validators,
    )


def _text(label: str, max_length: int, required: str | None = None, multiline: bool = False, when=None):
    validators = [need(required)] if required else [Optional()]
    if when:
        validators = [RequiredWhen(when), Optional()]
    validators += [too_long(max_length), plain_text, no_bsn]
    if multiline:
        return TextAreaField(label, validators=validators)
    return StringField(label, validators=[*validators, one_line])


def _past_date(label: str, required: str):
    return DutchDateField(
        label,
        format="%Y-%m-%d",
        default=today_local,
        validators=[InputRequired(message=required), not_in_future],
    )


def _id_select(label: str):
    """A select of ids (choices filled by the view); anything that is not a whole number is no choice."""
    return SelectField(label, coerce=optional_int, invalid_choice_message=INVALID_CHOICE, default=None)


def id_choices(rows, placeholder: str = "Kies") -> list:
    """(id, name) choices of users (full_name) or employers (name), after an empty choice."""
    return choices(
        [("", placeholder), *((row.id, getattr(row, "full_name", None) or row.name) for row in rows)]
    )


class StageForm(BaseForm):
    stage = _select("Fase", MANUAL_STAGES, "Kies de fase.")
    entered_on = _past_date("Sinds", "Vul de datum in waarop de fase begon.")
    source = _select(
        "Aangemeld door", REFERRAL_SOURCES, None, "Kies (alleen bij aanmelding)", when="bij aanmelding"
    )
    route = _select(
        "Gekozen route", ROUTES, None, "Kies (alleen bij trajectbepaling)", when="bij trajectbepaling"
    )
    provider = _text("Aanbieder", 120)
    ends_on = DutchDateField("Einddatum (gepland of echt)", format="%Y-%m-%d", validators=[Optional()])
    note = _text("Opmerking", NOTE_MAX, multiline=True)

    def validate_source(self, field) -> None:
        if self.stage.data == "aanmelding" and not field.data:
            raise ValidationError("Kies waar de aanmelding vandaan komt.")

    def validate_route(self, field) -> None:
        if self.stage.data == "trajectbepaling" and not field.data:
            raise ValidationError("Kies de route die bij de trajectbepaling is gekozen.")

    def validate_ends_on(self, field) -> None:
        if (
            field.data
            and isinstance(self.entered_on.data, type(field.data))
            and field.data < self.entered_on.data
        ):
            raise ValidationError("De einddatum kan niet voor de startdatum liggen.")

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in ("stage", "entered_on", "source", "route", "provider", "ends_on", "note")
        }


class ScreeningForm(BaseForm):
    instrument = _select("Instrument", SCREENING_INSTRUMENTS, "Kies het instrument.")
    instrument_name = _text("Naam van het instrument", 80, when="bij een ander instrument")
    done_on = _past_date("Datum", "Vul de datum van de screening in.")
    outcome = _text(
        "Uitkomst in een paar woorden", OUTCOME_MAX, "Schrijf kort op wat de uitkomst is.", multiline=True
    )

    def validate_instrument_name(self, field) -> None:
        if self.instrument.data == "other" and not field.data:
            raise ValidationError("Vul de naam van het instrument in.")

    def values(self) -> dict:
        return {
            name: getattr(self, name).data for name in ("instrument", "instrument_name", "done_on", "outcome")
        }


class PlanForm(BaseForm):
    agreed_on = _past_date("Afgesproken op", "Vul de datum in waarop het plan is afgesproken.")
    agreed_by_id = _id_select("Afgesproken met (specialist)")
    review_on = DutchDateField("Herzien op", format="%Y-%m-%d", validators=[Optional()])

    def validate_agreed_by_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Kies de specialist met wie het plan is afgesproken.")

    def validate_review_on(self, field) -> None:
        if (
            field.data
            and isinstance(self.agreed_on.data, type(field.data))
            and field.data < self.agreed_on.data
        ):
            raise ValidationError("De herziening kan niet voor de datum van het plan liggen.")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in ("agreed_on", "agreed_by_id", "review_on")}


class PlanStepForm(BaseForm):
    from_level = _select(
        "Van", {"c": PLAN_LEVELS["c"], "b": PLAN_LEVELS["b"]}, "Kies het plan waar de kandidaat was."
    )
    to_level = _select(
        "Naar", {"b": PLAN_LEVELS["b"], "a": PLAN_LEVELS["a"]}, "Kies het plan waar de kandidaat nu is."
    )
    stepped_on = _past_date("Datum van de stap", "Vul de datum van de stap in.")
    step_note = _text("Opmerking bij de stap", NOTE_MAX, multiline=True)

    def validate_to_level(self, field) -> None:
        if self.from_level.data == "b" and field.data == "b":
            raise ValidationError("Een stap omhoog gaat van plan B naar plan A.")

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in ("from_level", "to_level", "stepped_on")}
        return {**values, "note": self.step_note.data}


def _hours():
    return WholeNumberField(
        "Uren per week",
        invalid_value_message=WHOLE_NUMBER,
        validators=[
            Optional(),
            NumberRange(min=1, max=40, message="Vul een aantal uren per week van 1 tot en met 40 in."),
        ],
    )


class ExitConfirmForm(BaseForm):
    exit_on = _past_date("Datum van de uitstroom", "Vul de datum van de uitstroom in.")
    kind = _select("Soort uitstroom", EXIT_KINDS, "Kies de soort uitstroom.")
    reason = _text("Reden of toelichting", NOTE_MAX, multiline=True)
    contract_type = _select("Soort contract", EXIT_CONTRACT_TYPES, None, "Geen of onbekend")
    hours_per_week = _hours()

    FIELDS = ("exit_on", "kind", "reason", "contract_type", "hours_per_week")

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in self.FIELDS}


class ExitForm(ExitConfirmForm):
    employer_id = _id_select("Werkgever in Werkbrug")
    employer_name = _text("Of: naam van een werkgever buiten Werkbrug", 160)

    def validate_employer_name(self, field) -> None:
        if field.data and self.employer_id.data:
            raise ValidationError("Kies een werkgever uit de lijst of vul een naam in, niet allebei.")

    def values(self) -> dict:
        return {
            **super().values(),
            "employer_id": self.employer_id.data,
            "employer_name": self.employer_name.data,
        }


class SpecialistForm(BaseForm):
    specialist_id = _id_select("Specialist")

    def validate_specialist_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Kies een specialist uit de lijst.")


class ReassignForm(BaseForm):
    #: "" for the candidates without a specialist, else the id of the specialist whose caseload is moved.
    from_specialist = HiddenField()
    candidate_ids = CheckboxesField("Kandidaten", {})
    move_all = BooleanField("Alle kandidaten van deze specialist overdragen")
    to_specialist_id = _id_select("Naar specialist")

    def validate_to_specialist_id(self, field) -> None:
        if field.data is None:
            raise ValidationError("Kies de specialist die de kandidaten overneemt.")

    def validate_candidate_ids(self, field) -> None:
        if not self.move_all.data and not field.data:
            raise ValidationError("Kies ten minste één kandidaat, of kies alle kandidaten.")

    def chosen_ids(self) -> list[int]:
        return [
            int(value)
            for value in self.candidate_ids.data or ()
            if str(value).isdigit() and len(str(value)) < 10
        ]


class CaseloadFilterForm(BaseForm):
    """Whose caseload the reassign page shows (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    van = SelectField("Kandidaten van", invalid_choice_message=INVALID_CHOICE, default="")


class TeamSettingsForm(BaseForm):
    caseload_norm = WholeNumberField(
        "Caseloadnorm: kandidaten per specialist",
        invalid_value_message="Vul een heel getal in, zoals 100.",
        validators=[
            InputRequired(message="Vul de caseloadnorm in."),
            NumberRange(min=1, max=1000, message="Vul een getal van 1 tot en met 1000 in."),
        ],
    )
    followup_months = StringField(
        "Navraag na uitstroom naar werk, na hoeveel maanden",
        validators=[
            need("Vul ten minste één maand in, bijvoorbeeld 6 12."),
            too_long(20, "Gebruik hoogstens 20 tekens."),
            plain_text,
            one_line,
        ],
    )
    plan_review_weeks = WholeNumberField(
        "Herziening van het ABC-plan, na hoeveel weken",
        invalid_value_message=WHOLE_NUMBER,
        validators=[
            InputRequired(message="Vul het aantal weken in."),
            NumberRange(min=1, max=52, message="Vul een aantal weken van 1 tot en met 52 in."),
        ],
    )

    retention_months = WholeNumberField(
        "Bewaartermijn na het sluiten van het dossier, in maanden",
        invalid_value_message="Vul een heel getal in, zoals 24.",
        validators=[
            InputRequired(message="Vul de bewaartermijn in."),
            NumberRange(min=6, max=120, message="Vul een aantal maanden van 6 tot en met 120 in."),
        ],
    )

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in ("caseload_norm", "followup_months", "plan_review_weeks", "retention_months")
        }


class RetentionExtensionForm(BaseForm):
    reason = _text(
        "Waarom moet het dossier langer bewaard blijven?",
        NOTE_MAX,
        "Schrijf op waarom het dossier langer bewaard moet blijven.",
        multiline=True,
    )
