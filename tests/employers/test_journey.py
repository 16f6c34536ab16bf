"""The whole employer journey: register, wait, get approved, then manage workplaces."""

from __future__ import annotations

import sqlalchemy as sa

from portal.employers.models import Employer, Workplace
from portal.extensions import db
from tests.employers.conftest import (
    NEW_PASSWORD,
    emails,
    fresh,
    registration_data,
    text,
    user_by_email,
    workplace_data,
)

EMPLOYER_URLS = ("/organisatie", "/werkplekken", "/werkplekken/nieuw", "/collegas")


def test_register_wait_approve_and_manage_workplaces(client, login_as, seed):
    # 1. Register.
    response = client.post("/registreren", registration_data(seed.a.municipality))
    assert response.headers["Location"] == "/registreren/ontvangen"
    assert "paar werkdagen" in text(client.get("/registreren/ontvangen"))
    user = user_by_email("fatima@debrug.nl")
    employer = db.session.get(Employer, user.employer_id)
    assert employer.status == "pending"

    # 2. The pending user logs in and only sees the waiting page.
    client.login(user.email, NEW_PASSWORD)
    assert client.get("/").headers["Location"] == "/wachten"
    waiting = client.get("/wachten")
    assert waiting.status_code == 200
    assert employer.name in text(waiting)
    urls = [*EMPLOYER_URLS, f"/werkplekken/{seed.a.workplace.id}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/wachten", url
    response = client.post("/werkplekken/nieuw", workplace_data())
    assert response.headers["Location"] == "/wachten"
    assert db.session.scalar(sa.select(Workplace).where(Workplace.employer_id == employer.id)) is None

    # 3. The municipal contact approves.
    municipal = login_as(seed.a.municipal)
    assert employer.name in text(municipal.get("/werkgevers/aanmeldingen"))
    response = municipal.post(
        f"/werkgevers/{employer.id}/besluit", {"decision": "approve", "contact_id": str(seed.a.municipal.id)}
    )
    assert response.status_code == 302
    assert "Goedgekeurd" in text(municipal.get(response.headers["Location"]))
    assert employer.name not in text(municipal.get("/werkgevers/aanmeldingen"))

    # 4. E-mails are queued.
    assert [m.to_address for m in emails("employers/registration_received")] == [user.email]
    assert seed.a.municipal.email in [m.to_address for m in emails("employers/registration_pending")]
    assert [m.to_address for m in emails("employers/approved")] == [user.email]

    # 5. The employer adds, edits, archives and restores a workplace.
    assert client.get("/").status_code == 200
    organisation = text(client.get("/organisatie"))
    assert seed.a.municipal.full_name in organisation
    response = client.post("/werkplekken/nieuw", workplace_data())
    assert response.status_code == 302
    workplace = db.session.scalar(sa.select(Workplace).where(Workplace.employer_id == employer.id))
    assert response.headers["Location"] == f"/werkplekken/{workplace.id}"

    response = client.post(f"/werkplekken/{workplace.id}/bewerken", workplace_data(name="Magazijn Zuid"))
    assert response.status_code == 302
    assert fresh(Workplace, workplace.id).name == "Magazijn Zuid"

    assert client.post(f"/werkplekken/{workplace.id}/archiveren").status_code == 302
    assert fresh(Workplace, workplace.id).archived_at is not None
    page = text(client.get("/werkplekken"))
    assert page.index(">Archief</h2>") < page.index(">Magazijn Zuid</a>")

    assert client.post(f"/werkplekken/{workplace.id}/terugzetten").status_code == 302
    assert fresh(Workplace, workplace.id).archived_at is None
    page = text(client.get("/werkplekken"))
    assert page.index(">Magazijn Zuid</a>") < page.index(">Archief</h2>")

    # The municipality sees the workplace on the employer's page.
    assert "Magazijn Zuid" in text(municipal.get(f"/werkgevers/{employer.id}"))
    assert municipal.get(f"/werkplekken/{workplace.id}").status_code == 200


def test_pending_and_rejected_employers_are_sent_to_the_waiting_page(login_as, seed):
    employer = seed.a.pending_employer
    for status in ("pending", "rejected", "suspended"):
        employer.status = status
        db.session.flush()
        c = login_as(seed.a.pending_user)
        for url in EMPLOYER_URLS:
            response = c.get(url)
            assert response.headers["Location"] == "/wachten", (status, url)
        response = c.post("/organisatie", {"name": "Stiekem"})
        assert response.headers["Location"] == "/wachten"
    assert fresh(Employer, employer.id).name != "Stiekem"
