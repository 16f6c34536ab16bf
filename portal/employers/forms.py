"""Forms of the employers domain: registration, organisation, workplaces, colleagues and decisions."""

from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import EqualTo, InputRequired, NumberRange, StopValidation

from portal.auth.passwords import password_problem
from portal.core.forms import (
    BaseForm,
    WholeNumberField,
    choices,
    email_address,
    kvk_number,
    need,
    one_line,
    optional_int,
    phone_number,
    plain_text,
    postcode,
    too_long,
)
from portal.employers.models import EMPLOYER_STATUS_LABELS, SECTORS, SIZE_CLASSES

INVALID_CHOICE = "Kies een van de mogelijkheden uit de lijst."
LANGUAGES_MAX = 200


def website_url(form, field) -> None:
    """Accept ``www.bedrijf.nl`` or ``https://www.bedrijf.nl``; store it with a scheme (http(s) only)."""
    if not field.data:
        return
    value = field.data if "://" in field.data else f"https://{field.data}"
    try:
        parts = urlsplit(value)
    except ValueError:  # brackets that are not an IPv6 address, e.g. "https://[x]" or "www.bedrijf.nl]"
        parts = None
    host = (parts.hostname or "") if parts else ""
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or "." not in host
        or not value.isprintable()  # spaces, line breaks, NUL and other invisible characters
        or " " in value
    ):
        raise ValidationError("Vul een geldig webadres in, zoals www.bedrijf.nl.")
    field.data = value


def strong_password(form, field) -> None:
    email_field = getattr(form, "email", None)
    email = email_field.data if email_field is not None else getattr(form, "invitation_email", None)
    problem = password_problem(field.data or "", email=email or None)
    if problem:
        raise ValidationError(problem)


class RequiredUnlessSameAddress:
    """Required, unless the form's "Zelfde adres als de organisatie" box is ticked (then ignored)."""

    def __init__(self, message: str):
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        if form.same_address.data:
            field.errors[:] = []
            raise StopValidation()
        if not field.data:
            raise StopValidation(self.message)


SECTOR_CHOICES = choices([("", "Kies een sector"), *SECTORS.items()])
SIZE_CHOICES = choices([("", "Kies het aantal medewerkers"), *SIZE_CLASSES.items()])
STATUS_CHOICES = choices([("", "Alle"), *EMPLOYER_STATUS_LABELS.items()])


class OrganisationForm(BaseForm):
    """The organisation's own data; never KvK number or status (those are not editable here)."""

    name = StringField(
        "Naam van de organisatie",
        validators=[need("Vul de naam van uw organisatie in."), too_long(160), plain_text, one_line],
    )
    sector = SelectField(
        "Sector",
        choices=SECTOR_CHOICES,
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een sector.")],
    )
    size_class = SelectField(
        "Aantal medewerkers",
        choices=SIZE_CHOICES,
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies het aantal medewerkers.")],
    )
    street = StringField(
        "Straat", validators=[need("Vul de straat in."), too_long(120), plain_text, one_line]
    )
    house_number = StringField(
        "Huisnummer", validators=[need("Vul het huisnummer in."), too_long(12), plain_text, one_line]
    )
    postcode = StringField("Postcode", validators=[need("Vul de postcode in."), postcode])
    city = StringField("Plaats", validators=[need("Vul de plaats in."), too_long(80), plain_text, one_line])
    phone = StringField(
        "Telefoonnummer van de organisatie",
        validators=[need("Vul een telefoonnummer in."), too_long(30), phone_number],
    )
    website = StringField("Website", validators=[too_long(190), website_url])


class RegistrationForm(OrganisationForm):
    """An organisation and its first user register with one municipality."""

    municipality_id = SelectField(
        "Gemeente",
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies uw gemeente.")],
    )
    kvk_number = StringField("KvK-nummer", validators=[need("Vul het KvK-nummer in."), kvk_number])
    full_name = StringField(
        "Uw naam", validators=[need("Vul uw naam in."), too_long(120), plain_text, one_line]
    )
    email = EmailField(
        "Uw e-mailadres", validators=[need("Vul uw e-mailadres in."), too_long(254), email_address]
    )
    user_phone = StringField("Uw telefoonnummer", validators=[too_long(30), phone_number])
    password = PasswordField("Wachtwoord", validators=[need("Kies een wachtwoord."), strong_password])
    password_confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[
            need("Vul het wachtwoord nog een keer in."),
            EqualTo("password", message="De twee wachtwoorden zijn niet hetzelfde."),
        ],
    )
    agree = BooleanField(
        "Ik ga ermee akkoord dat de gemeente deze gegevens gebruikt om werkzoekenden aan ons te koppelen.",
        validators=[need("Geef toestemming om verder te gaan.")],
    )

    # Field order on the page: municipality first, then the organisation, then the person.
    FIELD_ORDER = (
        "municipality_id",
        "name",
        "kvk_number",
        "sector",
        "size_class",
        "street",
        "house_number",
        "postcode",
        "city",
        "phone",
        "website",
        "full_name",
        "email",
        "user_phone",
        "password",
        "password_confirm",
        "agree",
    )

    def __iter__(self):
        # form_errors() walks the form in this order, so the error summary follows the page.
        fields = [self._fields[name] for name in self.FIELD_ORDER]
        rest = [f for name, f in self._fields.items() if name not in self.FIELD_ORDER]
        return iter(rest + fields)


class WorkplaceForm(BaseForm):
    name = StringField(
        "Naam van de werkplek",
        validators=[need("Vul een naam voor de werkplek in."), too_long(120), plain_text, one_line],
    )
    same_address = BooleanField("Zelfde adres als de organisatie")
    street = StringField(
        "Straat",
        validators=[RequiredUnlessSameAddress("Vul de straat in."), too_long(120), plain_text, one_line],
    )
    house_number = StringField(
        "Huisnummer",
        validators=[RequiredUnlessSameAddress("Vul het huisnummer in."), too_long(12), plain_text, one_line],
    )
    postcode = StringField(
        "Postcode", validators=[RequiredUnlessSameAddress("Vul de postcode in."), postcode]
    )
    city = StringField(
        "Plaats",
        validators=[RequiredUnlessSameAddress("Vul de plaats in."), too_long(80), plain_text, one_line],
    )
    work_description = TextAreaField(
        "Wat voor werk is het?", validators=[need("Beschrijf het werk."), too_long(5000), plain_text]
    )
    languages = StringField(
        "Talen op de werkvloer",
        validators=[need("Vul minstens één taal in."), too_long(1000), plain_text, one_line],
    )
    buddy_name = StringField(
        "Naam van de werkbegeleider",
        validators=[need("Vul de naam van de werkbegeleider in."), too_long(120), plain_text, one_line],
    )
    buddy_phone = StringField("Telefoonnummer van de werkbegeleider", validators=[too_long(30), phone_number])
    buddy_email = EmailField("E-mailadres van de werkbegeleider", validators=[too_long(254), email_address])
    capacity = WholeNumberField(
        "Hoeveel mensen kunnen hier tegelijk werken?",
        invalid_value_message="Vul een heel getal in, zoals 2.",
        validators=[
            InputRequired(message="Vul een aantal in."),
            NumberRange(min=1, max=100, message="Vul een aantal van 1 tot en met 100 in."),
        ],
    )
    reachable_by_public_transport = BooleanField("Bereikbaar met het openbaar vervoer")
    safety_requirements = TextAreaField("Eisen voor veiligheid", validators=[too_long(2000), plain_text])

    def validate_languages(self, field) -> None:
        field.data = normalise_languages(field.data)
        if not field.data:
            raise ValidationError("Vul minstens één taal in.")
        if len(field.data) > LANGUAGES_MAX:
            raise ValidationError(f"Gebruik hoogstens {LANGUAGES_MAX} tekens.")


def normalise_languages(value: str | None) -> str:
    """``nederlands,  Engels ,,engels`` → ``Nederlands, Engels``: trimmed, capitalised, no doubles."""
    seen: dict[str, str] = {}
    for part in (value or "").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name[0].upper() + name[1:]
    return ", ".join(seen.values())


class InviteForm(BaseForm):
    email = EmailField(
        "E-mailadres van uw collega",
        validators=[need("Vul het e-mailadres van uw collega in."), too_long(254), email_address],
    )


class AcceptInvitationForm(BaseForm):
    full_name = StringField(
        "Uw naam", validators=[need("Vul uw naam in."), too_long(120), plain_text, one_line]
    )
    phone = StringField("Uw telefoonnummer", validators=[too_long(30), phone_number])
    password = PasswordField("Wachtwoord", validators=[need("Kies een wachtwoord."), strong_password])
    password_confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[
            need("Vul het wachtwoord nog een keer in."),
            EqualTo("password", message="De twee wachtwoorden zijn niet hetzelfde."),
        ],
    )

    def __init__(self, *args, invitation_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation_email = invitation_email


DECISIONS = {
    "approve": "Goedkeuren",
    "reject": "Afwijzen",
    "suspend": "Schorsen",
    "reinstate": "Schorsing opheffen",
}


class DecisionForm(BaseForm):
    decision = SelectField(
        "Besluit",
        choices=choices(DECISIONS.items()),
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een besluit.")],
    )
    reason = TextAreaField("Reden", validators=[too_long(1000), plain_text])
    #: Only used on approval; checked against the choices then (the view fills them).
    contact_id = SelectField("Vaste contactpersoon", coerce=optional_int, validate_choice=False)

    def validate_reason(self, field) -> None:
        if self.decision.data in ("reject", "suspend") and not field.data:
            raise ValidationError("Vul de reden in. De werkgever krijgt deze reden te zien.")

    def validate_contact_id(self, field) -> None:
        allowed = {choice.value for choice in field.choices or ()}
        if self.decision.data == "approve" and field.data not in allowed:
            raise ValidationError("Kies een contactpersoon uit de lijst.")


class ContactForm(BaseForm):
    contact_id = SelectField(
        "Vaste contactpersoon",
        id="nieuwe-contactpersoon",  # the decision form on the same page also has a contact_id
        coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
        validators=[need("Kies een contactpersoon.")],
    )


class EmployerSearchForm(BaseForm):
    """The search on the employers list (query string, no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Zoek op naam, KvK-nummer of plaats", validators=[too_long(100), plain_text])
    status = SelectField("Status", choices=STATUS_CHOICES, default="", invalid_choice_message=INVALID_CHOICE)
