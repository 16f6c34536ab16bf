"""Placements: the employer's and the municipality's list and detail, identity after consent, queries."""

from __future__ import annotations

import html
from datetime import date

import pytest

from portal.core.models import AuditEvent
from portal.extensions import db
from tests import factories
from tests.matching.conftest import make_site


def body(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def placed(seed, frozen):
    site = make_site(seed.a)
    candidate = factories.make_candidate(seed.a.municipality, first_name="Amal", last_name="Testnaam")
    placement = factories.make_placement(
        seed.a,
        request=site.request,
        candidate=candidate,
        start_date=date(2026, 4, 1),
        planned_end_date=date(2026, 7, 1),
    )
    return site, candidate, placement


def test_employer_list_shows_pseudonym_until_identity_consent(seed, placed, login_as):
    site, candidate, placement = placed
    client = login_as(site.user)
    page = body(client.get("/plaatsingen"))
    assert candidate.pseudonym in page
    assert "Amal" not in page
    assert "Gepland" in page
    assert "1 april 2026" in page
    factories.make_consent(
        candidate, kind="reveal_identity", employer=site.employer, recorded_by=seed.a.municipal
    )
    page = body(client.get("/plaatsingen"))
    assert "Amal Testnaam" in page


def test_detail_shows_type_workplace_dates_status_and_contact(seed, placed, login_as):
    site, candidate, placement = placed
    page = body(login_as(site.user).get(f"/plaatsingen/{placement.id}"))
    for expected in (
        "Taalstage",
        site.workplace.name,
        "1 april 2026",
        "1 juli 2026",
        "Gepland",
        seed.a.municipal.full_name,
        seed.a.municipal.email,
        candidate.pseudonym,
    ):
        assert expected in page, expected
    assert "Amal" not in page
    event = db.session.query(AuditEvent).filter_by(action="candidate.viewed", object_id=candidate.id).one()
    assert event.detail == {"context": "placement", "placement_id": placement.id}


def test_municipal_sees_name_and_employer(seed, placed, login_as):
    site, candidate, placement = placed
    page = body(login_as(seed.a.municipal).get(f"/plaatsingen/{placement.id}"))
    assert "Amal Testnaam" in page
    assert site.employer.name in page


def test_index_pagination_and_bounded_queries(seed, frozen, login_as, count_queries, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    site = make_site(seed.a)
    employer = login_as(site.user)
    staff = login_as(seed.a.municipal)
    factories.make_placement(seed.a, request=site.request)
    db.session.commit()
    with count_queries() as few_employer:
        employer.get("/plaatsingen")
    with count_queries() as few_staff:
        staff.get("/plaatsingen")
    for _ in range(9):
        candidate = factories.make_candidate(seed.a.municipality)
        factories.make_consent(
            candidate, kind="reveal_identity", employer=site.employer, recorded_by=seed.a.municipal
        )
        factories.make_placement(seed.a, request=site.request, candidate=candidate)
    db.session.commit()
    with count_queries() as many_employer:
        page = body(employer.get("/plaatsingen"))
    with count_queries() as many_staff:
        staff.get("/plaatsingen")
    assert many_employer.count == few_employer.count
    assert many_staff.count == few_staff.count
    assert "Pagina 1 van 2" in page
    assert "Pagina 2 van 2" in body(employer.get("/plaatsingen?page=2"))
    assert body(employer.get("/plaatsingen?page=abc")).count("/plaatsingen/") >= 5


def test_roles_without_placements_get_403(seed, login_as):
    assert login_as(seed.a.admin).get("/plaatsingen").status_code == 403
