"""Form base class and validators shared by every domain (messages in Dutch, B1)."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask import flash
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Strips surrounding whitespace from every text input."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = list(unbound_field.kwargs.get("filters", []))
            if _strip not in filters:
                filters.insert(0, _strip)
            return unbound_field.bind(form=form, filters=filters, **options)


class EmptyForm(BaseForm):
    """A form with only the CSRF token: for buttons that post."""


POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
# SA, SD and SS are not used in Dutch postcodes.
POSTCODE_EXCLUDED = {"SA", "SD", "SS"}
KVK_RE = re.compile(r"^[0-9]{8}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{8,18}$")
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_postcode(value: str) -> str | None:
    """``1234ab`` → ``1234 AB``; None when it is not a Dutch postcode."""
    match = POSTCODE_RE.match((value or "").strip())
    if not match or match.group(2).upper() in POSTCODE_EXCLUDED:
        return None
    return f"{match.group(1)} {match.group(2).upper()}"


def postcode(form, field) -> None:
    if field.data:
        normalised = normalise_postcode(field.data)
        if normalised is None:
            raise ValidationError("Vul een Nederlandse postcode in, zoals 5611 AB.")
        field.data = normalised


def kvk_number(form, field) -> None:
    if field.data:
        compact = field.data.replace(" ", "").replace(".", "")
        if not KVK_RE.match(compact):
            raise ValidationError("Een KvK-nummer heeft precies 8 cijfers.")
        field.data = compact


def phone_number(form, field) -> None:
    if field.data and (not PHONE_RE.match(field.data) or sum(c.isdigit() for c in field.data) < 9):
        raise ValidationError("Vul een telefoonnummer in, zoals 040 123 45 67 of +31 6 12345678.")


def email_address(form, field) -> None:
    """Validate syntax only (no DNS lookups) and store the normalised, lower-cased address."""
    if not field.data:
        return
    try:
        result = validate_email(field.data, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError("Vul een geldig e-mailadres in, zoals naam@bedrijf.nl.") from exc
    field.data = result.normalized.lower()


def plain_text(form, field) -> None:
    """Refuse invisible control characters (they break e-mails, logs and exports)."""
    if isinstance(field.data, str) and CONTROL_CHARS_RE.search(field.data):
        raise ValidationError("Deze tekst bevat tekens die niet zijn toegestaan.")


def one_line(form, field) -> None:
    """Single-line inputs never hold line breaks (they end up in e-mails and exports)."""
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError("Gebruik in dit veld geen enter.")


def need(message: str) -> DataRequired:
    return DataRequired(message=message)


class RequiredWhen:
    """Marks a field that is required only in some cases: its label says when (e.g. "(verplicht als u
    zich zorgen maakt)") instead of "(niet verplicht)". The form checks it in ``validate_<field>``,
    where the other answers are known; this validator itself checks nothing."""

    def __init__(self, when: str):
        self.field_flags = {"required_when": when}

    def __call__(self, form, field) -> None:
        return None


def one_of(words: list[str]) -> str:
    """["stage", "taalstage", "proefplaatsing"] → "stage, taalstage of proefplaatsing"."""
    return " of ".join(filter(None, (", ".join(words[:-1]), words[-1]))) if words else ""


def too_long(max_length: int, message: str | None = None) -> Length:
    return Length(max=max_length, message=message or f"Gebruik hoogstens {max_length} tekens.")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


# Fields for a person's name and contact details, the same on every form that asks for them.

NAME_TOO_LONG = "Een naam heeft hoogstens 120 tekens."
EMAIL_TOO_LONG = "Een e-mailadres heeft hoogstens 254 tekens."
PHONE_TOO_LONG = "Een telefoonnummer heeft hoogstens 30 tekens."


def name_field(label: str = "Naam", required: str = "Vul de naam in.") -> StringField:
    return StringField(
        label,
        validators=[
            need(required),
            too_long(120, "Een naam heeft hoogstens 120 tekens."),
            plain_text,
            one_line,
        ],
    )


def email_field(label: str = "E-mailadres", required: str = "Vul het e-mailadres in.") -> EmailField:
    return EmailField(
        label,
        validators=[
            need(required),
            too_long(254, "Een e-mailadres heeft hoogstens 254 tekens."),
            email_address,
        ],
    )


def phone_field(label: str = "Telefoonnummer") -> TelField:
    return TelField(
        label,
        validators=[Optional(), too_long(30, "Een telefoonnummer heeft hoogstens 30 tekens."), phone_number],
    )


# Burgerservicenummer (BSN): Werkbrug never stores one; free-text fields refuse anything that looks like it.

BSN_MESSAGE = "Vul hier geen burgerservicenummer in."
#: Nine digits, optionally grouped with single spaces, dots or hyphens, not part of a longer number.
BSN_CANDIDATE_RE = re.compile(r"(?<!\d)(?<!\d[ .-])\d(?:[ .-]?\d){8}(?![ .-]?\d)")


def passes_elfproef(digits: str) -> bool:
    """Whether nine digits pass the BSN eleven-test (9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def contains_bsn(text: str | None) -> bool:
    """Whether ``text`` holds a nine-digit number (optionally grouped) that passes the elfproef."""
    if not isinstance(text, str):
        return False
    for match in BSN_CANDIDATE_RE.finditer(text):
        if passes_elfproef(re.sub(r"\D", "", match.group(0))):
            return True
    return False


def no_bsn(form, field) -> None:
    """Refuse a burgerservicenummer in a free-text field."""
    if contains_bsn(field.data):
        raise ValidationError(BSN_MESSAGE)


def show_refusal(form, error) -> None:
    """Show a service's refusal (a ``DomainError``) next to the fields of ``form`` it names
    (``error.errors``), or at the top of the page when it names no visible field of the form. Services
    check their rules before they change anything, so there is nothing to roll back."""
    errors = getattr(error, "errors", None)
    if errors is None:  # an error type of its own with only ``message`` and ``field``
        errors = {error.field: error.message} if getattr(error, "field", None) else {}
    shown = False
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and field.type != "HiddenField":
            field.errors = [*field.errors, message]
            shown = True
    if not shown:
        flash(error.message, "error")
