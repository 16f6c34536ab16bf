"""Forms of the candidates domain: the screened profile, consent records, search and import upload."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.candidates.models import (
    CANDIDATE_STATUSES,
    CONSENT_KINDS,
    CONSENT_METHODS,
    CONSENT_SOURCES,
    EDUCATION_LEVELS,
    LEARNING_ROUTES,
    PROFILE_FIELDS,
    TEXT_VERSION_DEFAULT,
    WORK_READINESS,
    Candidate,
)
from portal.core.codes import JOURNEY_STAGES, LANGUAGE_LEVELS, WEEKDAYS, join_codes, split_codes
from portal.core.forms import (
    BaseForm,
    WholeNumberField,
    choices,
    email_address,
    need,
    no_bsn,
    one_line,
    optional_int,
    phone_number,
    plain_text,
    too_long,
)
from portal.core.time import today_local
from portal.employers.forms import INVALID_CHOICE
from portal.employers.models import SECTORS

#: Rows of work experience on the form.
EXPERIENCE_ROWS = 5
MOTIVATION_MAX = 2000
WHOLE_NUMBER = "Vul een heel getal in, zoals 16."
DATE_FORMAT_MESSAGE = "Vul een datum in, zoals 2026-03-10."
NOT_IN_FUTURE = "Deze datum mag niet in de toekomst liggen."


def _text(label: str, max_length: int, required: str | None = None, multiline: bool = False):
    """A free-text field: length checked, no control characters and never a BSN."""
    validators = [need(required)] if required else [Optional()]
    validators += [too_long(max_length), plain_text, no_bsn]
    if multiline:
        return TextAreaField(label, validators=validators)
    return StringField(label, validators=[*validators, one_line])


def _select(label: str, options: dict[str, str], required: str | None, placeholder: str):
    validators = [need(required)] if required else []
    return SelectField(
        label,
        choices=choices([("", placeholder), *options.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        validators=validators,
    )


class CheckboxesField(SelectMultipleField):
    """A group of checkboxes (rendered by the candidates/_checkboxes.html macro)."""

    def __init__(self, label: str, options: dict[str, str], **kwargs):
        super().__init__(label, choices=choices(options.items()), **kwargs)

    def pre_validate(self, form) -> None:
        allowed = {choice.value for choice in self.choices}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(INVALID_CHOICE)


def _whole_number(label: str, low: int, high: int, required: str):
    return WholeNumberField(
        label,
        invalid_value_message=WHOLE_NUMBER,
        validators=[
            InputRequired(message=required),
            NumberRange(min=low, max=high, message=f"Vul een getal van {low} tot en met {high} in."),
        ],
    )


class DutchDateField(DateField):
    """A date input (yyyy-mm-dd, as browsers send it) with a Dutch message for anything else."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(DATE_FORMAT_MESSAGE) from exc


def not_in_future(form, field) -> None:
    if isinstance(field.data, date) and field.data > today_local():
        raise ValidationError(NOT_IN_FUTURE)


class CandidateForm(BaseForm):
    """Every field of the screened profile. No BSN and no nationality: there is nowhere to put them."""

    first_name = _text("Voornaam", 80, "Vul de voornaam in.")
    last_name = _text("Achternaam", 120, "Vul de achternaam in.")
    email = EmailField("E-mailadres", validators=[Optional(), too_long(254), email_address])
    phone = StringField("Telefoonnummer", validators=[Optional(), too_long(30), phone_number])
    home_town = _text("Woonplaats", 80, "Vul de woonplaats in.")

    education_level = _select("Opleidingsniveau", EDUCATION_LEVELS, "Kies het opleidingsniveau.", "Kies")
    education_country = _text("Land van de opleiding", 80)
    education_completed_nl = BooleanField("De opleiding is in Nederland afgerond")
    diploma_evaluation = _text("Diplomawaardering", 200)

    dutch_level = _select("Niveau Nederlands", LANGUAGE_LEVELS, "Kies het niveau Nederlands.", "Kies")
    english_level = _select("Niveau Engels", LANGUAGE_LEVELS, "Kies het niveau Engels.", "Kies")
    other_languages = _text("Andere talen", 200)
    certificates = _text("Certificaten", 200)

    available_days = CheckboxesField("Dagen beschikbaar voor werk", WEEKDAYS)
    hours_per_week = _whole_number("Uren per week", 0, 40, "Vul het aantal uren per week in.")
    class_days = CheckboxesField("Lesdagen (vaste lestijden van de taalcursus)", WEEKDAYS)
    learning_route = _select("Leerroute", LEARNING_ROUTES, None, "Geen of onbekend")

    plan_a = _text("Plan A: gewenst beroep", 200)
    plan_b = _text("Plan B: opstap naar plan A", 200)
    plan_c = _text("Plan C: werk dat morgen kan", 200)
    desired_sectors = CheckboxesField("Gewenste sectoren", SECTORS)
    work_readiness = _select("Werkfit", WORK_READINESS, "Kies hoe werkfit de kandidaat is.", "Kies")
    travel_range_km = _whole_number("Reisafstand in kilometers", 0, 200, "Vul de reisafstand in.")
    motivation = _text("Motivatie in eigen woorden", MOTIVATION_MAX, multiline=True)

    screened_on = DutchDateField(
        "Datum van de screening",
        format="%Y-%m-%d",
        default=today_local,
        validators=[InputRequired(message="Vul de datum van de screening in."), not_in_future],
    )
    care_first = BooleanField("Zorg gaat eerst (alleen zichtbaar voor medewerkers van de gemeente)")

    def validate_class_days(self, field) -> None:
        # Unknown codes already carry their own message (pre_validate); compare known days only.
        work_days = set(self.available_days.data or ())
        both = [label for code, label in WEEKDAYS.items() if code in work_days and code in (field.data or ())]
        if both:
            raise ValidationError(f"Op een lesdag kan de kandidaat niet werken: {', '.join(both)}.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_experience() and valid

    def _validate_experience(self) -> bool:
        valid = True
        for i in range(EXPERIENCE_ROWS):
            occupation, sector, years = self.experience_fields(i)
            if (sector.data or years.data is not None) and not occupation.data and not occupation.errors:
                occupation.errors = [*occupation.errors, "Vul het beroep in."]
                valid = False
        return valid

    def experience_fields(self, index: int):
        return tuple(self[f"experience_{index}_{part}"] for part in ("occupation", "sector", "years"))

    def profile_data(self) -> dict[str, Any]:
        """The form as model values (codes joined, work experience as a list)."""
        data = {name: field.data for name, field in self._fields.items() if name in PROFILE_FORM_FIELDS}
        for name in ("available_days", "class_days", "desired_sectors"):
            data[name] = join_codes(data[name] or ())
        for name in OPTIONAL_CODES:
            data[name] = data[name] or None
        data["work_experience"] = self._experience()
        return data

    def _experience(self) -> list[dict[str, Any]]:
        rows = []
        for i in range(EXPERIENCE_ROWS):
            occupation, sector, years = self.experience_fields(i)
            if occupation.data:
                rows.append({"occupation": occupation.data, "sector": sector.data or "", "years": years.data})
        return rows


for _i in range(EXPERIENCE_ROWS):
    setattr(CandidateForm, f"experience_{_i}_occupation", _text(f"Beroep {_i + 1}", 120))
    setattr(
        CandidateForm,
        f"experience_{_i}_sector",
        _select(f"Sector van beroep {_i + 1}", SECTORS, None, "Kies een sector"),
    )
    setattr(
        CandidateForm,
        f"experience_{_i}_years",
        WholeNumberField(
            f"Aantal jaren in beroep {_i + 1}",
            invalid_value_message=WHOLE_NUMBER,
            validators=[
                Optional(),
                NumberRange(min=0, max=60, message="Vul een getal van 0 tot en met 60 in."),
            ],
        ),
    )

#: Form fields that are model columns as they are (work experience has rows of its own).
PROFILE_FORM_FIELDS = tuple(name for name in PROFILE_FIELDS if name != "work_experience")
#: Optional columns where an empty answer is stored as NULL.
OPTIONAL_CODES = (
    "email",
    "phone",
    "education_country",
    "diploma_evaluation",
    "learning_route",
    "plan_a",
    "plan_b",
    "plan_c",
    "motivation",
)


class CandidateEditForm(CandidateForm):
    """The profile form on the edit page: carries the version it was loaded at (lost-update check)."""

    version = HiddenField()


def form_data(candidate: Candidate) -> dict[str, Any]:
    """A candidate as prefilled form data (the reverse of CandidateForm.profile_data)."""
    data = {name: getattr(candidate, name) for name in PROFILE_FORM_FIELDS}
    for name in ("available_days", "class_days", "desired_sectors"):
        data[name] = split_codes(data[name])
    for name in ("learning_route",):
        data[name] = data[name] or ""
    for i, row in enumerate((candidate.work_experience or [])[:EXPERIENCE_ROWS]):
        data[f"experience_{i}_occupation"] = row.get("occupation", "")
        data[f"experience_{i}_sector"] = row.get("sector", "")
        data[f"experience_{i}_years"] = row.get("years")
    data["version"] = str(candidate.version)
    return data


# Consent -------------------------------------------------------------------------------


class ConsentForm(BaseForm):
    kind = SelectField(
        "Waarvoor geeft de kandidaat toestemming?",
        choices=choices([("", "Kies"), *CONSENT_KINDS.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies waarvoor de kandidaat toestemming geeft.")],
    )
    #: Choices are the approved employers of the municipality (filled by the view).
    employer_id = SelectField("Werkgever", coerce=optional_int, invalid_choice_message=INVALID_CHOICE)
    source = SelectField(
        "Van welke organisatie komen de gegevens?",
        choices=choices([("", "Geen (alleen bij gegevens ontvangen)"), *CONSENT_SOURCES.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    method = SelectField(
        "Hoe is de toestemming gegeven (kanaal)?",
        choices=choices([("", "Kies"), *CONSENT_METHODS.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies hoe de toestemming is gegeven.")],
    )
    text_version = StringField(
        "Versie van de toestemmingstekst",
        default=TEXT_VERSION_DEFAULT,
        validators=[need("Vul de versie van de tekst in."), too_long(20), plain_text, one_line],
    )
    given_on = DutchDateField(
        "Datum van de toestemming",
        format="%Y-%m-%d",
        default=today_local,
        validators=[InputRequired(message="Vul de datum van de toestemming in."), not_in_future],
    )

    def validate_employer_id(self, field) -> None:
        if self.kind.data == "reveal_identity" and not field.data:
            raise ValidationError("Kies de werkgever die naam en telefoonnummer mag zien.")
        if self.kind.data == "share_profile" and not field.data:
            raise ValidationError("Kies de werkgever die het profiel zonder naam mag zien.")
        if self.kind.data == "receive_data" and field.data:
            raise ValidationError("Kies geen werkgever: deze toestemming is voor het ontvangen van gegevens.")

    def validate_source(self, field) -> None:
        if self.kind.data == "receive_data" and not field.data:
            raise ValidationError("Kies van welke organisatie de gegevens komen.")
        if self.kind.data in ("share_profile", "reveal_identity") and field.data:
            raise ValidationError("Kies geen organisatie: deze toestemming is voor een werkgever.")


def employer_choices(employers) -> list:
    return choices([("", "Geen (alleen bij gegevens ontvangen)"), *((e.id, e.name) for e in employers)])


# Search and import -------------------------------------------------------------------------------


class CandidateSearchForm(BaseForm):
    """The search on the candidates list (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Zoek op code of naam", validators=[too_long(100), plain_text])
    status = SelectField(
        "Status",
        choices=choices([("", "Alle"), *CANDIDATE_STATUSES.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    dutch_level = SelectField(
        "Niveau Nederlands",
        choices=choices([("", "Alle"), *LANGUAGE_LEVELS.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    work_readiness = SelectField(
        "Werkfit",
        choices=choices([("", "Alle"), *WORK_READINESS.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    stage = SelectField(
        "Fase",
        choices=choices([("", "Alle"), ("geen", "Nog geen fase"), *JOURNEY_STAGES.items()]),
        default="",
        invalid_choice_message=INVALID_CHOICE,
    )
    #: "mijn" (the default), "alle", "geen" or a specialist's id; the view adds the specialists.
    specialist = SelectField("Specialist", default="mijn", invalid_choice_message=INVALID_CHOICE)


def specialist_choices(people) -> list:
    return choices(
        [
            ("mijn", "Mijn kandidaten"),
            ("alle", "Alle kandidaten"),
            ("geen", "Kandidaten zonder specialist"),
            *((str(person.id), person.full_name) for person in people),
        ]
    )


class ImportUploadForm(BaseForm):
    file = FileField("Bestand (CSV of Excel)", validators=[FileRequired(message="Kies een bestand.")])


class ImportConfirmForm(BaseForm):
    payload = HiddenField()


def _field_labels() -> dict[str, str]:
    form_class = CandidateForm
    labels = {name: getattr(form_class, name).args[0] for name in PROFILE_FORM_FIELDS}
    labels["work_experience"] = "Werkervaring"
    return labels


#: Dutch label per profile column, for the version history.
FIELD_LABELS = _field_labels()
