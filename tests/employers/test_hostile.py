"""Hostile input on every form: never a 500, a Dutch message beside the field, data unchanged."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.employers.models import Employer, Invitation, Workplace
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.employers.conftest import (
    LONG,
    PRIVILEGED,
    RTL_EMOJI,
    SCRIPT,
    SQL,
    count,
    emails,
    fresh,
    organisation_data,
    path_in,
    registration_data,
    row,
    text,
    workplace_data,
)

ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"
TOO_LONG = "Gebruik hoogstens"
CONTROL = "Deze tekst bevat tekens die niet zijn toegestaan."

REGISTRATION_TEXT = (
    "name",
    "kvk_number",
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
)
ORGANISATION_TEXT = ("name", "street", "house_number", "postcode", "city", "phone", "website")
WORKPLACE_TEXT = (
    "name",
    "street",
    "house_number",
    "postcode",
    "city",
    "work_description",
    "languages",
    "buddy_name",
    "buddy_phone",
    "buddy_email",
    "capacity",
    "safety_requirements",
)


def assert_refused(response, *, field_message: str | None = None):
    assert response.status_code == 200, response.status_code
    errors = form_errors_in(text(response))
    assert errors, "expected a field error"
    if field_message:
        assert any(field_message in e for e in errors), errors
    assert "<script>alert" not in response.get_data(as_text=True)


def assert_safe(response):
    assert response.status_code in (200, 302), response.status_code
    assert "<script>alert" not in response.get_data(as_text=True)


# Registration -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", REGISTRATION_TEXT)
def test_registration_refuses_10000_characters_in_every_field(client, seed, field):
    data = registration_data(seed.a.municipality, **{field: LONG})
    if field == "password":
        data["password_confirm"] = LONG
    before = count(Employer), count(User)
    assert_refused(client.post("/registreren", data))
    assert (count(Employer), count(User)) == before


@pytest.mark.parametrize("field", REGISTRATION_TEXT)
@pytest.mark.parametrize("payload", [SCRIPT, SQL, RTL_EMOJI, "a\x00b", "regel\nnieuwe regel"])
def test_registration_hostile_text_never_breaks(client, seed, field, payload):
    data = registration_data(seed.a.municipality, **{field: payload})
    if field == "password":
        data["password_confirm"] = payload
    response = client.post("/registreren", data)
    assert_safe(response)
    if response.status_code == 200:
        assert form_errors_in(text(response))
        if payload == SCRIPT:
            assert ESCAPED_SCRIPT in response.get_data(as_text=True) or field == "password"


def test_registration_stores_unicode_and_html_as_plain_text(client, seed):
    name = f"{SCRIPT} {RTL_EMOJI}"
    response = client.post("/registreren", registration_data(seed.a.municipality, name=name, full_name=SQL))
    assert response.status_code == 302
    employer = db.session.scalar(sa.select(Employer).where(Employer.name == name))
    assert employer is not None
    assert db.session.scalar(sa.select(User).where(User.full_name == SQL)) is not None
    body = text(client.get("/registreren/ontvangen"))
    assert SCRIPT not in body
    mail = emails("employers/registration_pending")[0]
    assert name in mail.body_text  # plain text e-mail, unchanged


def test_registration_with_duplicated_and_wrong_typed_fields(client, seed):
    data = registration_data(seed.a.municipality)
    data["name"] = ["Eerste Naam", "Tweede Naam"]
    data["municipality_id"] = [str(seed.a.municipality.id), str(seed.b.municipality.id)]
    data["agree"] = ["y", ""]
    assert client.post("/registreren", data).status_code == 302
    employer = db.session.scalar(sa.select(Employer).where(Employer.kvk_number == "87654321"))
    assert employer.name == "Eerste Naam"
    assert employer.municipality_id == seed.a.municipality.id


def test_registration_ignores_privileged_fields(client, seed):
    data = registration_data(seed.a.municipality, **PRIVILEGED)
    data["municipality_id"] = str(seed.a.municipality.id)
    data["kvk_number"] = "87654321"
    assert client.post("/registreren", data).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "fatima@debrug.nl"))
    employer = db.session.get(Employer, user.employer_id)
    assert user.role == "employer"
    assert employer.status == "pending"
    assert employer.contact_id is None
    assert employer.status_reason is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("sector", "ruimtevaart"), ("size_class", "1000+"), ("sector", ["horeca", "bouw"]), ("size_class", "")],
)
def test_registration_refuses_unknown_choices(client, seed, field, value):
    response = client.post("/registreren", registration_data(seed.a.municipality, **{field: value}))
    if isinstance(value, list):
        assert response.status_code == 302  # the first value counts
    else:
        assert_refused(response)


# Organisation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ORGANISATION_TEXT)
@pytest.mark.parametrize("payload", [LONG, "a\x07b", "twee\r\nregels"])
def test_organisation_refuses_bad_text(login_as, seed, field, payload):
    before = row(Employer, seed.a.employer.id)
    response = login_as(seed.a.employer_user).post(
        "/organisatie", organisation_data(seed.a.employer, **{field: payload})
    )
    assert_refused(response)
    assert row(Employer, seed.a.employer.id) == before


@pytest.mark.parametrize("field", ["name", "street", "city", "house_number"])
def test_organisation_accepts_html_and_unicode_and_escapes_it(login_as, seed, field):
    value = (SCRIPT + RTL_EMOJI)[:12] if field == "house_number" else SCRIPT + " " + RTL_EMOJI
    c = login_as(seed.a.employer_user)
    response = c.post("/organisatie", organisation_data(seed.a.employer, **{field: value}))
    assert response.status_code == 302
    assert getattr(fresh(Employer, seed.a.employer.id), field) == value
    for client, url in (
        (c, "/organisatie"),
        (login_as(seed.a.municipal), f"/werkgevers/{seed.a.employer.id}"),
    ):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body
        assert "&lt;script&gt;" in body


def test_organisation_missing_fields(login_as, seed):
    before = row(Employer, seed.a.employer.id)
    response = login_as(seed.a.employer_user).post("/organisatie", {})
    assert_refused(response, field_message="Vul de naam van uw organisatie in.")
    assert row(Employer, seed.a.employer.id) == before


# Workplaces -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", WORKPLACE_TEXT)
def test_workplace_refuses_10000_characters_in_every_field(login_as, seed, field):
    before = row(Workplace, seed.a.workplace.id)
    c = login_as(seed.a.employer_user)
    for url in ("/werkplekken/nieuw", f"/werkplekken/{seed.a.workplace.id}/bewerken"):
        assert_refused(c.post(url, workplace_data(**{field: LONG})))
    assert row(Workplace, seed.a.workplace.id) == before
    assert count(Workplace) == 2


@pytest.mark.parametrize("field", WORKPLACE_TEXT)
@pytest.mark.parametrize("payload", [SCRIPT, SQL, RTL_EMOJI, "a\x00b", "regel\nnieuwe regel"])
def test_workplace_hostile_text_never_breaks(login_as, seed, field, payload):
    c = login_as(seed.a.employer_user)
    response = c.post(f"/werkplekken/{seed.a.workplace.id}/bewerken", workplace_data(**{field: payload}))
    assert_safe(response)
    if response.status_code == 200:
        assert form_errors_in(text(response))
    detail = c.get(f"/werkplekken/{seed.a.workplace.id}").get_data(as_text=True)
    assert "<script>alert" not in detail


def test_workplace_free_text_keeps_html_as_text(login_as, seed):
    c = login_as(seed.a.employer_user)
    data = workplace_data(work_description=f"{SCRIPT}\nTweede regel {RTL_EMOJI}", name=SCRIPT[:120])
    assert c.post(f"/werkplekken/{seed.a.workplace.id}/bewerken", data).status_code == 302
    for client in (c, login_as(seed.a.municipal)):
        body = client.get(f"/werkplekken/{seed.a.workplace.id}").get_data(as_text=True)
        assert "<script>alert" not in body
        assert ESCAPED_SCRIPT in body
    assert fresh(Workplace, seed.a.workplace.id).work_description.startswith(SCRIPT)


@pytest.mark.parametrize("capacity", ["drie", "3abc", "", " ", "1e3", "0x10", "NaN", ["2", "3"], "١٠١"])
def test_workplace_capacity_wrong_types(login_as, seed, capacity):
    response = login_as(seed.a.employer_user).post("/werkplekken/nieuw", workplace_data(capacity=capacity))
    if capacity == ["2", "3"]:
        assert response.status_code == 302
        assert db.session.scalar(sa.select(Workplace.capacity).where(Workplace.name == "Magazijn Noord")) == 2
    else:
        assert_refused(response)
        assert count(Workplace) == 2


def test_workplace_missing_fields(login_as, seed):
    response = login_as(seed.a.employer_user).post("/werkplekken/nieuw", {})
    errors = form_errors_in(text(response))
    for message in (
        "Vul een naam voor de werkplek in.",
        "Vul de straat in.",
        "Beschrijf het werk.",
        "Vul minstens één taal in.",
        "Vul de naam van de werkbegeleider in.",
        "Vul een aantal in.",
    ):
        assert message in errors
    assert count(Workplace) == 2


def test_workplace_forms_ignore_privileged_fields(login_as, seed):
    c = login_as(seed.a.employer_user)
    data = workplace_data(**PRIVILEGED)
    data["employer_id"] = str(seed.b.employer.id)
    assert c.post("/werkplekken/nieuw", data).status_code == 302
    assert c.post(f"/werkplekken/{seed.a.workplace.id}/bewerken", data).status_code == 302
    for workplace in db.session.scalars(sa.select(Workplace).where(Workplace.name == "Magazijn Noord")):
        assert workplace.employer_id == seed.a.employer.id
        assert workplace.archived_at is None
    assert fresh(Employer, seed.b.employer.id).status == "approved"
    assert count(Workplace) == 3


# Colleagues and invitations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [LONG, SCRIPT, SQL, RTL_EMOJI, "a\x00@b.nl", ["a@b.nl", "c@d.nl"], ""])
def test_invite_hostile_input(login_as, seed, email):
    c = login_as(seed.a.employer_user)
    response = c.post("/collegas/uitnodigen", {"email": email, **PRIVILEGED})
    assert_safe(response)
    invitations = list(db.session.scalars(sa.select(Invitation)))
    if response.status_code == 302:
        assert [i.email for i in invitations] == ["a@b.nl"]
        assert invitations[0].employer_id == seed.a.employer.id
    else:
        assert form_errors_in(text(response))
        assert invitations == []


@pytest.mark.parametrize("field", ["full_name", "phone", "password"])
@pytest.mark.parametrize("payload", [LONG, SCRIPT, SQL, RTL_EMOJI, "a\x00b"])
def test_accept_invitation_hostile_input(login_as, make_client, seed, field, payload):
    login_as(seed.a.employer_user).post("/collegas/uitnodigen", {"email": "nieuw@voorbeeld.nl"})
    link = path_in(emails("employers/invitation")[-1], "/uitnodiging/")
    data = {
        "full_name": "Nieuwe Collega",
        "phone": "",
        "password": "een lange zin als wachtwoord",
        "password_confirm": "een lange zin als wachtwoord",
        **PRIVILEGED,
    }
    data[field] = payload
    if field == "password":
        data["password_confirm"] = payload
    response = make_client().post(link, data)
    assert_safe(response)
    user = db.session.scalar(sa.select(User).where(User.email == "nieuw@voorbeeld.nl"))
    if response.status_code == 302:
        assert user.role == "employer"
        assert user.employer_id == seed.a.employer.id
        assert user.municipality_id == seed.a.municipality.id
    else:
        assert form_errors_in(text(response))
        assert user is None


# Municipal forms --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [LONG, SCRIPT, SQL, RTL_EMOJI, "a\x00b", ["Reden een", "Reden twee"]])
def test_decision_hostile_reason(login_as, seed, reason):
    employer = seed.a.pending_employer
    c = login_as(seed.a.municipal)
    response = c.post(
        f"/werkgevers/{employer.id}/besluit",
        {
            "decision": "reject",
            "reason": reason,
            **{k: v for k, v in PRIVILEGED.items() if k != "contact_id"},
        },
    )
    assert_safe(response)
    employer = fresh(Employer, employer.id)
    if response.status_code == 302:
        assert employer.status == "rejected"
        assert employer.status_reason == (reason[0] if isinstance(reason, list) else reason)
        assert employer.municipality_id == seed.a.municipality.id
        assert "<script>alert" not in c.get(f"/werkgevers/{employer.id}").get_data(as_text=True)
    else:
        assert form_errors_in(text(response))
        assert employer.status == "pending"


@pytest.mark.parametrize("contact_id", ["abc", "-1", "0", "1.5", "99999999999999999999999", LONG, ""])
def test_decision_hostile_contact(login_as, seed, contact_id):
    before = row(Employer, seed.a.pending_employer.id)
    response = login_as(seed.a.municipal).post(
        f"/werkgevers/{seed.a.pending_employer.id}/besluit", {"decision": "approve", "contact_id": contact_id}
    )
    assert_refused(response)
    assert row(Employer, seed.a.pending_employer.id) == before


def test_decision_with_missing_fields(login_as, seed):
    before = row(Employer, seed.a.pending_employer.id)
    response = login_as(seed.a.municipal).post(f"/werkgevers/{seed.a.pending_employer.id}/besluit", {})
    assert_refused(response, field_message="Kies een besluit.")
    assert row(Employer, seed.a.pending_employer.id) == before


def test_workplace_edit_with_missing_fields_changes_nothing(login_as, seed):
    before = row(Workplace, seed.a.workplace.id)
    response = login_as(seed.a.employer_user).post(
        f"/werkplekken/{seed.a.workplace.id}/bewerken", {"name": "Alleen"}
    )
    assert_refused(response, field_message="Beschrijf het werk.")
    assert row(Workplace, seed.a.workplace.id) == before


def test_a_capacity_with_hundreds_of_digits_is_a_field_error_not_a_crash(seed, login_as):
    client = login_as(seed.a.employer_user)
    response = client.post(
        f"/werkplekken/{seed.a.workplace.id}/bewerken",
        {"name": "Magazijn", "capacity": "9" * 400},
    )
    assert response.status_code == 200
    assert "Dit getal is te groot." in response.get_data(as_text=True)


# Brackets in a web address ----------------------------------------------------------------------------------

BRACKETED_WEBSITES = ["https://[x]", "www.bedrijf.nl]", "[www.bedrijf.nl", "http://[::1]", "https://[", "]"]
WEBSITE_MESSAGE = "Vul een geldig webadres in, zoals www.bedrijf.nl."


@pytest.mark.parametrize("website", BRACKETED_WEBSITES)
def test_registration_with_a_bracket_in_the_website_keeps_what_was_typed(client, seed, website):
    data = registration_data(seed.a.municipality, website=website)
    before = count(Employer), count(User)
    response = client.post("/registreren", data)
    assert_refused(response, field_message=WEBSITE_MESSAGE)
    body = text(response)
    for field in ("name", "street", "city", "full_name", "website"):
        assert f'value="{data[field]}"' in body, field
    assert 'value="8765 4321"' in body or 'value="87654321"' in body
    for value in ("horeca", "1-9", str(seed.a.municipality.id)):
        assert f'<option selected value="{value}">' in body, value
    assert re.search(r'<input[^>]*\bchecked\b[^>]*id="agree"', body)
    assert data["password"] not in body  # browsers do not refill passwords; neither do we
    assert (count(Employer), count(User)) == before


@pytest.mark.parametrize("website", BRACKETED_WEBSITES)
def test_organisation_with_a_bracket_in_the_website_is_a_field_error(login_as, seed, website):
    before = row(Employer, seed.a.employer.id)
    data = organisation_data(seed.a.employer, website=website, name="Nieuwe Naam")
    response = login_as(seed.a.employer_user).post("/organisatie", data)
    assert_refused(response, field_message=WEBSITE_MESSAGE)
    assert 'value="Nieuwe Naam"' in text(response)
    assert row(Employer, seed.a.employer.id) == before


@pytest.mark.parametrize(
    "website", ["www.debrug.nl\x00", "www.de\x07brug.nl", "www.debrug.nl\u202e", "www.de\u2028brug.nl"]
)
def test_a_control_character_in_the_website_is_a_field_error(client, seed, website):
    """PostgreSQL cannot store a NUL; no character that prints nothing belongs in a web address."""
    before = count(Employer), count(User)
    response = client.post("/registreren", registration_data(seed.a.municipality, website=website))
    assert_refused(response, field_message=WEBSITE_MESSAGE)
    assert (count(Employer), count(User)) == before


@pytest.mark.parametrize("q", ["a\x00b", "De\x07Brug"])
def test_a_search_with_a_control_character_is_a_field_error_not_a_database_error(login_as, seed, q):
    """PostgreSQL refuses a NUL in a query: the search says why and lists every employer."""
    response = login_as(seed.a.municipal).get("/werkgevers", query_string={"q": q})
    assert response.status_code == 200
    assert CONTROL in text(response)  # in the error summary
    assert seed.a.employer.name in text(response)
