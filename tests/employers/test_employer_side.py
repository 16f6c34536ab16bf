"""The employer's own pages: organisation data, workplaces (add, edit, archive, restore) and the detail."""

from __future__ import annotations

import pytest

from portal.employers.models import Employer, Workplace
from portal.extensions import db
from tests.conftest import form_errors_in
from tests.employers.conftest import T0, audit, count, fresh, organisation_data, row, text, workplace_data
from tests.factories import make_workplace

# Organisation --------------------------------------------------------------------------------------------


def test_organisation_page_shows_the_fixed_contact_prominently(login_as, seed):
    contact = seed.a.municipal
    contact.phone = "06 98765432"
    db.session.flush()
    body = text(login_as(seed.a.employer_user).get("/organisatie"))
    assert "Uw vaste contactpersoon bij de gemeente" in body
    assert contact.full_name in body
    assert f'href="mailto:{contact.email}"' in body
    assert 'href="tel:0698765432"' in body
    assert seed.a.employer.kvk_number in body


def test_the_menu_leads_the_employer_to_its_organisation(login_as, seed):
    client = login_as(seed.a.employer_user)
    for path in ("/", "/werkplekken", "/organisatie"):
        page = client.get(path).get_data(as_text=True)
        assert '<a class="werkbrug-nav__link" href="/organisatie"' in page, path
        assert "Mijn organisatie" in page
    page = " ".join(client.get("/organisatie").get_data(as_text=True).split())
    assert 'aria-current="page">Mijn organisatie' in page


def test_organisation_without_contact_shows_the_municipality_address(login_as, seed):
    seed.a.employer.contact_id = None
    seed.a.municipality.contact_email = "werk@gemeente-a.nl"
    db.session.flush()
    db.session.expire(seed.a.employer, ["contact"])
    body = text(login_as(seed.a.employer_user).get("/organisatie"))
    assert "nog geen vaste contactpersoon" in body
    assert "werk@gemeente-a.nl" in body


def test_organisation_can_be_edited(login_as, seed, frozen):
    employer = seed.a.employer
    data = organisation_data(
        employer,
        name="Nieuwe Naam B.V.",
        sector="logistiek",
        size_class="50-249",
        street="Nieuwe Straat",
        house_number="7",
        postcode="5612ab",
        city="Helmond",
        phone="+31 40 1234567",
        website="https://nieuw.example.nl",
    )
    response = login_as(seed.a.employer_user).post("/organisatie", data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisatie"
    employer = fresh(Employer, employer.id)
    assert (employer.name, employer.sector, employer.size_class) == (
        "Nieuwe Naam B.V.",
        "logistiek",
        "50-249",
    )
    assert (employer.postcode, employer.city, employer.website) == (
        "5612 AB",
        "Helmond",
        "https://nieuw.example.nl",
    )
    event = audit("employer.updated")[-1]
    assert "name" in event.detail["fields"]
    assert "Nieuwe Naam" not in str(event.detail)


def test_organisation_website_can_be_cleared(login_as, seed):
    seed.a.employer.website = "https://oud.example.nl"
    db.session.flush()
    login_as(seed.a.employer_user).post("/organisatie", organisation_data(seed.a.employer, website=""))
    assert fresh(Employer, seed.a.employer.id).website is None


def test_organisation_edit_ignores_kvk_status_and_other_privileged_fields(login_as, seed):
    employer = seed.a.employer
    kvk = employer.kvk_number
    data = organisation_data(
        employer,
        kvk_number="99999999",
        status="suspended",
        municipality_id=str(seed.b.municipality.id),
        contact_id=str(seed.b.municipal.id),
        id="999",
        status_reason="x",
        employer_id="5",
        role="admin",
    )
    assert login_as(seed.a.employer_user).post("/organisatie", data).status_code == 302
    employer = fresh(Employer, employer.id)
    assert employer.kvk_number == kvk
    assert employer.status == "approved"
    assert employer.municipality_id == seed.a.municipality.id
    assert employer.contact_id == seed.a.municipal.id
    assert employer.status_reason is None
    assert fresh(Employer, 999) is None


def test_organisation_invalid_input_keeps_what_was_typed(login_as, seed):
    before = row(Employer, seed.a.employer.id)
    data = organisation_data(
        seed.a.employer, name="", postcode="12", sector="ruimtevaart", website="ftp://x.nl"
    )
    response = login_as(seed.a.employer_user).post("/organisatie", data)
    errors = form_errors_in(text(response))
    assert response.status_code == 200
    assert "Vul de naam van uw organisatie in." in errors
    assert "Vul een Nederlandse postcode in, zoals 5611 AB." in errors
    assert "Kies een van de mogelijkheden uit de lijst." in errors
    assert "Vul een geldig webadres in, zoals www.bedrijf.nl." in errors
    assert 'value="ftp://x.nl"' in response.get_data(as_text=True)
    assert row(Employer, seed.a.employer.id) == before


# Workplaces ----------------------------------------------------------------------------------------------


def test_workplaces_page_has_active_and_archived_sections(login_as, seed):
    make_workplace(seed.a.employer, name="Oude Kantine", archived_at=T0)
    make_workplace(seed.b.employer, name="Werkplek van B")
    body = text(login_as(seed.a.employer_user).get("/werkplekken"))
    assert body.index(seed.a.workplace.name) < body.index("Archief") < body.index("Oude Kantine")
    assert "Gearchiveerd op 10 maart 2026" in body
    assert "Werkplek van B" not in body
    assert "Terugzetten" in body
    assert "Archiveren" in body


def test_new_workplace_form_defaults(login_as, seed):
    body = login_as(seed.a.employer_user).get("/werkplekken/nieuw").get_data(as_text=True)
    assert 'name="capacity"' in body
    assert 'value="1"' in body
    assert 'name="same_address"' in body
    assert "Zelfde adres als de organisatie" in body


def test_add_workplace(login_as, seed):
    c = login_as(seed.a.employer_user)
    response = c.post("/werkplekken/nieuw", workplace_data())
    workplace = db.session.query(Workplace).filter_by(name="Magazijn Noord").one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/werkplekken/{workplace.id}"
    assert workplace.employer_id == seed.a.employer.id
    assert workplace.languages == "Nederlands, Engels, Arabisch"
    assert workplace.postcode == "5612 CD"
    assert workplace.buddy_email == "bea@bedrijf.nl"
    assert workplace.capacity == 3
    assert workplace.reachable_by_public_transport is True
    assert workplace.safety_requirements == "Veiligheidsschoenen"
    assert workplace.archived_at is None
    assert audit("workplace.created")[-1].object_id == workplace.id
    body = text(c.get(f"/werkplekken/{workplace.id}"))
    assert "Nederlands, Engels, Arabisch" in body
    assert "Bea de Buddy" in body


def test_same_address_checkbox_copies_the_organisation_address(login_as, seed):
    employer = seed.a.employer
    data = workplace_data(same_address="y", street="", house_number="", postcode="", city="")
    assert login_as(seed.a.employer_user).post("/werkplekken/nieuw", data).status_code == 302
    workplace = db.session.query(Workplace).filter_by(name="Magazijn Noord").one()
    assert (workplace.street, workplace.house_number, workplace.postcode, workplace.city) == (
        employer.street,
        employer.house_number,
        employer.postcode,
        employer.city,
    )


def test_same_address_overrides_typed_address(login_as, seed):
    data = workplace_data(same_address="y", street="<script>", postcode="nope")
    assert login_as(seed.a.employer_user).post("/werkplekken/nieuw", data).status_code == 302
    workplace = db.session.query(Workplace).filter_by(name="Magazijn Noord").one()
    assert workplace.street == seed.a.employer.street


def test_unticked_optional_fields(login_as, seed):
    data = workplace_data(buddy_phone="", buddy_email="", safety_requirements="")
    del data["reachable_by_public_transport"]
    login_as(seed.a.employer_user).post("/werkplekken/nieuw", data)
    workplace = db.session.query(Workplace).filter_by(name="Magazijn Noord").one()
    assert workplace.reachable_by_public_transport is False
    assert workplace.buddy_phone is None
    assert workplace.buddy_email is None
    assert workplace.safety_requirements is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Vul een naam voor de werkplek in."),
        ({"buddy_name": ""}, "Vul de naam van de werkbegeleider in."),
        ({"street": ""}, "Vul de straat in."),
        ({"postcode": "1234"}, "Vul een Nederlandse postcode in, zoals 5611 AB."),
        ({"work_description": ""}, "Beschrijf het werk."),
        ({"languages": " , ,"}, "Vul minstens één taal in."),
        ({"capacity": "drie"}, "Vul een heel getal in, zoals 2."),
        ({"capacity": ""}, "Vul een aantal in."),
        ({"capacity": "0"}, "Vul een aantal van 1 tot en met 100 in."),
        ({"capacity": "101"}, "Vul een aantal van 1 tot en met 100 in."),
        ({"capacity": "-5"}, "Vul een aantal van 1 tot en met 100 in."),
        ({"capacity": "2.5"}, "Vul een heel getal in, zoals 2."),
        ({"capacity": "9" * 5000}, "Vul een heel getal in, zoals 2."),
        ({"buddy_email": "bea-at-bedrijf"}, "Vul een geldig e-mailadres in, zoals naam@bedrijf.nl."),
        ({"buddy_phone": "bellen"}, "Vul een telefoonnummer in, zoals 040 123 45 67 of +31 6 12345678."),
        (
            {"languages": ", ".join(["Nederlands"] + [f"Taal{n}" for n in range(40)])},
            "Gebruik hoogstens 200 tekens.",
        ),
    ],
)
def test_workplace_field_errors(login_as, seed, overrides, message):
    before = count(Workplace)
    response = login_as(seed.a.employer_user).post("/werkplekken/nieuw", workplace_data(**overrides))
    assert response.status_code == 200
    assert message in form_errors_in(text(response))
    assert count(Workplace) == before


def test_edit_workplace(login_as, seed):
    workplace = seed.a.workplace
    c = login_as(seed.a.employer_user)
    form_page = c.get(f"/werkplekken/{workplace.id}/bewerken").get_data(as_text=True)
    assert f'value="{workplace.name}"' in form_page
    response = c.post(f"/werkplekken/{workplace.id}/bewerken", workplace_data(name="Keuken", capacity="5"))
    assert response.status_code == 302
    workplace = fresh(Workplace, workplace.id)
    assert (workplace.name, workplace.capacity) == ("Keuken", 5)
    assert sorted(audit("workplace.updated")[-1].detail["fields"])[:2] == ["buddy_email", "buddy_name"]


def test_edit_ignores_privileged_fields(login_as, seed):
    workplace = seed.a.workplace
    data = workplace_data(
        employer_id=str(seed.b.employer.id),
        archived_at="2020-01-01",
        id="999",
        status="x",
        municipality_id=str(seed.b.municipality.id),
        kvk_number="99999999",
    )
    assert (
        login_as(seed.a.employer_user).post(f"/werkplekken/{workplace.id}/bewerken", data).status_code == 302
    )
    workplace = fresh(Workplace, workplace.id)
    assert workplace.employer_id == seed.a.employer.id
    assert workplace.archived_at is None
    assert workplace.id == seed.a.workplace.id


def test_new_workplace_ignores_privileged_fields(login_as, seed):
    data = workplace_data(employer_id=str(seed.b.employer.id), archived_at="2020-01-01")
    login_as(seed.a.employer_user).post("/werkplekken/nieuw", data)
    workplace = db.session.query(Workplace).filter_by(name="Magazijn Noord").one()
    assert workplace.employer_id == seed.a.employer.id
    assert workplace.archived_at is None


def test_archive_and_restore_never_delete(login_as, seed, frozen):
    workplace = seed.a.workplace
    c = login_as(seed.a.employer_user)
    response = c.post(f"/werkplekken/{workplace.id}/archiveren")
    assert response.status_code == 302
    assert response.headers["Location"] == "/werkplekken"
    assert fresh(Workplace, workplace.id).archived_at == T0
    assert "staat nu in het archief" in text(c.get("/werkplekken"))

    again = c.post(f"/werkplekken/{workplace.id}/archiveren")
    assert again.status_code == 302
    assert "al in het archief" in text(c.get("/werkplekken"))

    assert c.post(f"/werkplekken/{workplace.id}/terugzetten").status_code == 302
    assert fresh(Workplace, workplace.id).archived_at is None
    assert [e.action for e in audit("workplace.archived") + audit("workplace.restored")] == [
        "workplace.archived",
        "workplace.restored",
    ]
    assert c.post(f"/werkplekken/{workplace.id}/terugzetten").status_code == 302
    assert "al in gebruik" in text(c.get("/werkplekken"))


def test_archive_needs_a_csrf_token(login_as, seed):
    c = login_as(seed.a.employer_user)
    assert c.post(f"/werkplekken/{seed.a.workplace.id}/archiveren", csrf=False).status_code == 400
    assert fresh(Workplace, seed.a.workplace.id).archived_at is None


def test_workplace_detail_for_municipal_staff(login_as, seed):
    for user in (seed.a.municipal, seed.a.admin):
        response = login_as(user).get(f"/werkplekken/{seed.a.workplace.id}")
        body = text(response)
        assert response.status_code == 200
        assert seed.a.workplace.name in body
        assert seed.a.employer.name in body
        assert "Bewerken" not in body


def test_jobcoach_cannot_open_workplaces(login_as, seed):
    assert login_as(seed.a.jobcoach).get(f"/werkplekken/{seed.a.workplace.id}").status_code == 403


def test_municipal_staff_cannot_edit_workplaces(login_as, seed):
    before = row(Workplace, seed.a.workplace.id)
    c = login_as(seed.a.municipal)
    assert c.post(f"/werkplekken/{seed.a.workplace.id}/bewerken", workplace_data()).status_code == 403
    assert c.post(f"/werkplekken/{seed.a.workplace.id}/archiveren").status_code == 403
    assert row(Workplace, seed.a.workplace.id) == before
