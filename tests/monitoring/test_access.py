"""Only municipal contacts and administrators of the municipality see its figures, lists and exports."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from tests.monitoring.conftest import journey

PAGES = ("/monitoring", "/monitoring/kandidaten", "/monitoring/plaatsingen")
EXPORT = {"lijst": "kandidaten", "formaat": "csv", "namen": "met"}


@pytest.fixture
def two_towns(seed, frozen):
    """One registered candidate in each municipality, with names that show where they end up."""
    mine = journey(
        seed.a.municipality, {"aanmelding": date(2026, 2, 2)}, first_name="Eigenaar", last_name="Alfa"
    )
    theirs = journey(
        seed.b.municipality, {"aanmelding": date(2026, 2, 3)}, first_name="Vreemde", last_name="Bravo"
    )
    db.session.commit()
    return mine, theirs


@pytest.mark.parametrize("role", ["employer", "jobcoach"])
def test_employers_and_jobcoaches_never_reach_monitoring(seed, two_towns, login_as, role):
    client = login_as(seed.a.user(role))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    response = client.post("/monitoring/export", EXPORT)
    assert response.status_code == 403
    assert b"Vreemde" not in response.data
    assert b"Eigenaar" not in response.data
    exported = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "monitoring.exported")
    )
    assert exported == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= before


def test_the_navigation_offers_cijfers_to_municipal_staff_only(seed, login_as):
    assert 'href="/monitoring"' in login_as(seed.a.municipal).get("/").get_data(as_text=True)
    assert 'href="/monitoring"' in login_as(seed.a.admin).get("/").get_data(as_text=True)
    assert 'href="/monitoring"' not in login_as(seed.a.jobcoach).get("/").get_data(as_text=True)
    assert 'href="/monitoring"' not in login_as(seed.a.employer_user).get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["municipal", "admin"])
def test_another_municipalitys_candidates_never_appear(seed, two_towns, login_as, role):
    mine, theirs = two_towns
    client = login_as(seed.a.user(role))
    dashboard = client.get("/monitoring").get_data(as_text=True)
    assert "Aangemeld in deze periode</dt>" in dashboard or "Aangemeld in deze periode" in dashboard
    listing = client.get("/monitoring/kandidaten").get_data(as_text=True)
    assert mine.pseudonym in listing
    assert theirs.pseudonym not in listing
    assert "Vreemde" not in listing
    export = client.post("/monitoring/export", {**EXPORT, "namen": "zonder"})
    assert export.status_code == 200
    text = export.data.decode("utf-8-sig")
    assert mine.pseudonym in text
    assert theirs.pseudonym not in text
    assert "Vreemde" not in text
    # A specialist or placement type of the other municipality filters to nothing.
    other = client.get(f"/monitoring/kandidaten?basis=caseload&specialist={seed.b.municipal.id}")
    assert theirs.pseudonym not in other.get_data(as_text=True)


def test_the_administrator_sees_codes_not_names(seed, two_towns, login_as):
    mine, _theirs = two_towns
    admin = login_as(seed.a.admin)
    listing = admin.get("/monitoring/kandidaten").get_data(as_text=True)
    assert mine.pseudonym in listing
    assert "Eigenaar" not in listing
    refused = admin.post("/monitoring/export", EXPORT)
    assert refused.status_code == 200
    assert "text/html" in refused.content_type
    assert "Eigenaar" not in refused.get_data(as_text=True)
    municipal = login_as(seed.a.municipal).get("/monitoring/kandidaten").get_data(as_text=True)
    assert "Eigenaar Alfa" in municipal


def test_a_list_view_names_its_candidates_in_the_audit_trail(seed, two_towns, login_as):
    mine, _theirs = two_towns
    login_as(seed.a.municipal).get("/monitoring/kandidaten")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidates.listed").order_by(AuditEvent.id.desc())
    ).first()
    assert event.detail["context"] == "monitoring_list"
    assert event.detail["candidate_ids"] == [mine.id]


@pytest.mark.parametrize(
    "query",
    [
        "van=2026-13-01",
        "van=2026-05-01&tot=2026-01-01",
        "van=1900-01-01",
        "van=2000-01-01&tot=2026-01-01",
        "cohort=2099-01",
        "cohort=%27%3B--",
        "fase=<script>",
        "specialist=99999999999999999999",
        "specialist=-1",
        "overgang=x&uitstroom=y&retentie=6-misschien&basis=alles",
        "page=-5",
    ],
)
def test_hostile_query_strings_show_a_dutch_message_or_are_ignored(seed, two_towns, login_as, query):
    client = login_as(seed.a.municipal)
    for url in PAGES:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)
        assert "<script>" not in response.get_data(as_text=True)


def test_a_wrong_period_gets_a_dutch_message_beside_the_field(seed, login_as):
    html = login_as(seed.a.municipal).get("/monitoring?van=2026-05-01&tot=2026-01-01").get_data(as_text=True)
    assert "Kies een datum op of na de datum bij" in html
    assert 'id="tot-fout"' in html
    html = login_as(seed.a.municipal).get("/monitoring?van=2026-02-30").get_data(as_text=True)
    assert "Vul een datum in, zoals 2026-03-10." in html
