"""Forms of monitoring: the period (a GET filter), the filters of the lists behind the figures, and the
export choice. A field with an error filters nothing: the page shows the default with the message."""

from __future__ import annotations

from datetime import date

from wtforms import HiddenField, RadioField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Optional

from portal.candidates.forms import DutchDateField
from portal.core.db import valid_id
from portal.core.forms import BaseForm, choices
from portal.core.time import today_local
from portal.journey.models import EXIT_KINDS, STAGES
from portal.monitoring import queries
from portal.monitoring.exports import FORMATS, KINDS
from portal.monitoring.figures import (
    Period,
    add_months,
    cohort_label,
    cohorts_between,
    default_period,
    parse_cohort,
)
from portal.placements.models import PLACEMENT_STATUSES

#: The years a period can name.
YEARS = (2000, 2100)
#: The longest period (keeps the cohort table and the work behind it bounded).
MAX_DAYS = 10 * 366 + 1
NAME_CHOICES = {
    "zonder": "Zonder namen (met codes in plaats van namen, zonder contactgegevens)",
    "met": "Met namen en contactgegevens",
}


def _within_years(day: date | None) -> None:
    if day and not YEARS[0] <= day.year <= YEARS[1]:
        raise ValidationError(f"Kies een datum tussen {YEARS[0]} en {YEARS[1]}.")


class PeriodForm(BaseForm):
    """The period of the figures (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    van = DutchDateField("Aangemeld vanaf", validators=[Optional()])
    tot = DutchDateField("Aangemeld tot en met", validators=[Optional()])
    cohort = SelectField("Cohort (maand van aanmelding)", default="", validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = self._bounds()
        self.cohort.choices = [SelectChoice("", "Alle maanden")] + [
            SelectChoice(code, cohort_label(code)) for code in reversed(cohorts_between(start, end))
        ]

    def _bounds(self) -> tuple[date, date]:
        """The period from the fields as sent (before validation); the default when they make none."""
        van = self.van.data if isinstance(self.van.data, date) else None
        tot = self.tot.data if isinstance(self.tot.data, date) else None
        start, end = _effective(van, tot)
        if _problem(start, end) or (van and not YEARS[0] <= van.year <= YEARS[1]):
            return default_period(today_local())
        if tot and not YEARS[0] <= tot.year <= YEARS[1]:
            return default_period(today_local())
        return start, end

    def validate_van(self, field) -> None:
        _within_years(field.data)
        if self.tot.data is None or not isinstance(self.tot.data, date):
            problem = _problem(*_effective(field.data, None))
            if problem:
                raise ValidationError(problem)

    def validate_tot(self, field) -> None:
        _within_years(field.data)
        if field.data and isinstance(self.van.data, date) and field.data < self.van.data:
            raise ValidationError("Kies een datum op of na de datum bij 'Aangemeld vanaf'.")
        problem = _problem(
            *_effective(self.van.data if isinstance(self.van.data, date) else None, field.data)
        )
        if problem:
            raise ValidationError(problem)

    def validate_cohort(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in self.cohort.choices}:
            raise ValidationError("Kies een maand binnen de periode.")

    def period(self) -> Period:
        """The period the page shows: the fields when they are valid, else the last twelve months."""
        if self.van.errors or self.tot.errors:
            start, end = default_period(today_local())
        else:
            start, end = _effective(self.van.data, self.tot.data)
        cohort = self.cohort.data if self.cohort.data and not self.cohort.errors else None
        if cohort and cohort not in cohorts_between(start, end):
            cohort = None
        return Period(start, end, cohort if parse_cohort(cohort) else None)


def _effective(van: date | None, tot: date | None) -> tuple[date, date]:
    """The period named by the two fields: a missing one is taken from the last twelve months."""
    default_start, default_end = default_period(today_local())
    start = van or (add_months(tot, -11) if tot else default_start)
    end = tot or max(default_end, start)
    return start, end


def _problem(start: date, end: date) -> str | None:
    if end < start:
        return "Kies een datum op of na de datum bij 'Aangemeld vanaf'."
    if (end - start).days > MAX_DAYS:
        return "Kies een periode van hoogstens tien jaar."
    return None


def _allowed(values, message: str):
    return [Optional(), AnyOf(list(values), message=message)]


def _id_or(word: str):
    def check(form, field) -> None:
        value = field.data or ""
        if value and value != word and not (value.isdigit() and valid_id(int(value))):
            raise ValidationError("Dit filter klopt niet.")

    return check


class CandidateListForm(PeriodForm):
    """The period and the (hidden) filters of the candidates behind a figure."""

    basis = HiddenField(validators=_allowed(queries.CANDIDATE_BASES, "Dit filter klopt niet."))
    fase = HiddenField(validators=_allowed([*STAGES, "geen"], "Dit filter klopt niet."))
    overgang = HiddenField(validators=_allowed(queries.TRANSITIONS, "Dit filter klopt niet."))
    uitstroom = HiddenField(validators=_allowed([*EXIT_KINDS, "werk", "alle"], "Dit filter klopt niet."))
    retentie = HiddenField(
        validators=_allowed(
            [f"{m}-{a}" for m in queries.RETENTION_MONTHS for a in (*queries.RETENTION_ANSWERS, "alle")],
            "Dit filter klopt niet.",
        )
    )
    specialist = HiddenField(validators=[Optional(), _id_or("geen")])

    FILTERS = ("basis", "fase", "overgang", "uitstroom", "retentie", "specialist")

    def filters(self) -> queries.CandidateFilters:
        valid = {name: (self[name].data or "") for name in self.FILTERS if not self[name].errors}
        return queries.CandidateFilters(
            basis=valid.get("basis") or "cohort",
            stage=valid.get("fase", ""),
            transition=valid.get("overgang", ""),
            exit_kind=valid.get("uitstroom", ""),
            retention=valid.get("retentie", ""),
            specialist=valid.get("specialist", ""),
        )

    def filter_args(self) -> dict[str, str]:
        return {name: self[name].data for name in self.FILTERS if self[name].data and not self[name].errors}

    def ignored(self) -> bool:
        return any(self[name].errors for name in self.FILTERS)


class PlacementListForm(PeriodForm):
    """The period and the (hidden) filters of the placements behind a figure."""

    basis = HiddenField(validators=_allowed(queries.PLACEMENT_BASES, "Dit filter klopt niet."))
    soort = HiddenField(validators=[Optional(), _id_or("")])
    status = HiddenField(validators=_allowed([*PLACEMENT_STATUSES, "started"], "Dit filter klopt niet."))
    uitkomst = HiddenField(validators=_allowed(queries.AFTERCARE_OUTCOMES, "Dit filter klopt niet."))
    reden = HiddenField(validators=_allowed([*queries.END_REASONS, "geen"], "Dit filter klopt niet."))

    FILTERS = ("basis", "soort", "status", "uitkomst", "reden")

    def filters(self) -> queries.PlacementFilters:
        valid = {name: (self[name].data or "") for name in self.FILTERS if not self[name].errors}
        return queries.PlacementFilters(
            basis=valid.get("basis") or "cohort",
            type_id=int(valid["soort"]) if valid.get("soort") else None,
            status=valid.get("status", ""),
            outcome=valid.get("uitkomst", ""),
            reason=valid.get("reden", ""),
        )

    def filter_args(self) -> dict[str, str]:
        return {name: self[name].data for name in self.FILTERS if self[name].data and not self[name].errors}

    def ignored(self) -> bool:
        return any(self[name].errors for name in self.FILTERS)


class ExportForm(BaseForm):
    """What to download, in which format, with or without names (the period comes along hidden)."""

    lijst = RadioField(
        "Wat wilt u downloaden?",
        choices=choices((code, label) for code, (label, _part) in KINDS.items()),
        validate_choice=False,
        validators=[AnyOf(list(KINDS), message="Kies wat u wilt downloaden.")],
    )
    formaat = RadioField(
        "Bestandsformaat",
        choices=choices(FORMATS.items()),
        validate_choice=False,
        validators=[AnyOf(list(FORMATS), message="Kies een bestandsformaat.")],
    )
    namen = RadioField(
        "Namen",
        choices=choices(NAME_CHOICES.items()),
        default="zonder",
        validate_choice=False,
        validators=[AnyOf(list(NAME_CHOICES), message="Kies of de namen in het bestand komen.")],
    )
    van = HiddenField()
    tot = HiddenField()
    cohort = HiddenField()
