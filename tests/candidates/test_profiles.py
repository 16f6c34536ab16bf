"""Candidate profiles: create, edit with versions (who, what, when), list, detail, access rules."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.candidates.models import Candidate
from portal.candidates.services import create_candidate
from portal.extensions import db
from tests.candidates.conftest import (
    T0,
    audit,
    candidate_data,
    candidate_named,
    count,
    row,
    text,
    versions,
)
from tests.conftest import form_errors_in
from tests.factories import make_candidate, make_consent, make_user


def test_create_generates_a_pseudonym_and_a_first_version(frozen, seed, municipal):
    response = municipal.post("/kandidaten/nieuw", candidate_data())
    assert response.status_code == 302
    candidate = candidate_named("Amira")
    assert response.headers["Location"] == f"/kandidaten/{candidate.id}"
    assert re.fullmatch(r"K-2026-\d{4}", candidate.pseudonym)
    assert candidate.municipality_id == seed.a.municipality.id
    assert candidate.screened_by_id == seed.a.municipal.id
    assert candidate.screened_on == date(2026, 3, 9)
    assert candidate.email == "amira.haddad@example.nl"
    assert candidate.available_days == "ma,di,do"
    assert candidate.class_days == "wo,vr"
    assert candidate.desired_sectors == "horeca,zorg"
    assert candidate.work_experience == [{"occupation": "Kok", "sector": "horeca", "years": 4}]
    assert candidate.status == "active"
    assert candidate.version == 1
    [first] = versions(candidate.id)
    assert (first.version, first.changes, first.changed_by_id) == (1, {"created": True}, seed.a.municipal.id)
    assert first.changed_at == T0
    [event] = audit("candidate.created", candidate.id)
    assert "first_name" in event.detail["fields"]
    assert "Amira" not in str(event.detail)
    assert "Haddad" not in str(event.detail)


def test_screening_date_defaults_to_today(frozen, municipal):
    response = municipal.get("/kandidaten/nieuw")
    assert 'value="2026-03-10"' in response.get_data(as_text=True)


def test_pseudonyms_follow_the_highest_sequence_of_the_year(frozen, seed, municipal):
    make_candidate(seed.b.municipality, pseudonym="K-2026-99941")
    make_candidate(seed.a.municipality, pseudonym="K-2026-9999")
    make_candidate(seed.a.municipality, pseudonym="K-2025-999999")
    municipal.post("/kandidaten/nieuw", candidate_data())
    assert candidate_named("Amira").pseudonym == "K-2026-99942"


#: A minimal profile as the service takes it (the form's work already done).
SERVICE_DATA = {
    "first_name": "Nour",
    "last_name": "B",
    "home_town": "Eindhoven",
    "education_level": "mbo",
    "dutch_level": "A1",
    "english_level": "geen",
    "work_readiness": "direct",
    "hours_per_week": 16,
    "travel_range_km": 10,
}


def test_pseudonym_collision_is_retried(frozen, seed, monkeypatch):
    from portal.candidates import services

    taken = make_candidate(seed.a.municipality, pseudonym="K-2026-99500")
    calls = []
    real = services._next_pseudonym

    def stale_first(year):
        calls.append(year)
        return taken.pseudonym if len(calls) == 1 else real(year)

    monkeypatch.setattr(services, "_next_pseudonym", stale_first)
    candidate = create_candidate(seed.a.municipal, seed.a.municipality.id, dict(SERVICE_DATA))
    assert len(calls) == 2
    assert candidate.pseudonym == "K-2026-99501"


def test_only_a_pseudonym_clash_is_retried_other_integrity_errors_surface(frozen, seed, monkeypatch, caplog):
    """A CHECK violation is a fault to see at once, not a pseudonym collision to try five times."""
    from portal.candidates import services

    calls = []
    real = services._next_pseudonym
    monkeypatch.setattr(services, "_next_pseudonym", lambda year: calls.append(year) or real(year))
    data = dict(SERVICE_DATA, hours_per_week=99)  # the database refuses more than 40
    with caplog.at_level("INFO", logger="portal.candidates.services"), pytest.raises(sa.exc.IntegrityError):
        create_candidate(seed.a.municipal, seed.a.municipality.id, data)
    assert len(calls) == 1
    assert "collision" not in caplog.text
    db.session.rollback()


def test_the_form_stops_out_of_range_numbers_before_the_database(frozen, seed, municipal):
    for field, value in (("hours_per_week", "41"), ("travel_range_km", "201"), ("hours_per_week", "-1")):
        response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: value}))
        assert response.status_code == 200
        assert form_errors_in(text(response)), (field, value)
    assert candidate_named("Amira") is None


def test_edit_keeps_old_and_new_values_with_who_and_when(frozen, seed, municipal, login_as):
    municipal.post("/kandidaten/nieuw", candidate_data())
    candidate = candidate_named("Amira")
    colleague = make_user("municipal", seed.a.municipality)
    frozen.shift(timedelta(days=2))
    other_client = login_as(colleague)
    response = other_client.post(
        f"/kandidaten/{candidate.id}/bewerken",
        candidate_data(dutch_level="B1", home_town="Helmond", version="1"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert candidate.version == 2
    assert candidate.dutch_level == "B1"
    second = versions(candidate.id)[1]
    assert second.changes == {"dutch_level": ["A2", "B1"], "home_town": ["Eindhoven", "Helmond"]}
    assert second.changed_by_id == colleague.id
    assert second.changed_at == T0 + timedelta(days=2)
    [event] = audit("candidate.updated", candidate.id)
    assert event.detail["fields"] == ["dutch_level", "home_town"]
    assert "Helmond" not in str(event.detail)
    page = text(other_client.get(f"/kandidaten/{candidate.id}"))
    assert colleague.full_name in page
    assert "Niveau Nederlands, Woonplaats" in page


def test_edit_without_changes_writes_no_version(seed, municipal):
    municipal.post("/kandidaten/nieuw", candidate_data())
    candidate = candidate_named("Amira")
    municipal.post(f"/kandidaten/{candidate.id}/bewerken", candidate_data(version="1"))
    assert len(versions(candidate.id)) == 1
    assert audit("candidate.updated") == []


def test_edit_form_is_prefilled(seed, municipal):
    municipal.post("/kandidaten/nieuw", candidate_data())
    candidate = candidate_named("Amira")
    page = municipal.get(f"/kandidaten/{candidate.id}/bewerken").get_data(as_text=True)
    assert 'value="Kok"' in page
    assert 'value="Haddad"' in page
    assert re.search(r'id="available_days"[^>]*value="ma" checked', page)
    assert re.search(r'value="horeca" checked', page)


def test_a_stale_edit_is_refused_and_nothing_changes(seed, municipal):
    municipal.post("/kandidaten/nieuw", candidate_data())
    candidate = candidate_named("Amira")
    municipal.post(f"/kandidaten/{candidate.id}/bewerken", candidate_data(plan_c="Afwassen", version="1"))
    before = row(Candidate, candidate.id)
    response = municipal.post(
        f"/kandidaten/{candidate.id}/bewerken", candidate_data(plan_c="Anders", version="1")
    )
    assert response.status_code == 200
    assert "Iemand anders heeft dit profiel intussen gewijzigd" in text(response)
    assert 'name="version" type="hidden" value="2"' in response.get_data(as_text=True)
    assert row(Candidate, candidate.id) == before


def test_a_class_day_cannot_be_a_work_day(seed, municipal):
    response = municipal.post("/kandidaten/nieuw", candidate_data(class_days=["ma"]))
    assert "Op een lesdag kan de kandidaat niet werken: maandag." in form_errors_in(text(response))
    assert candidate_named("Amira") is None


def test_work_experience_needs_an_occupation(seed, municipal):
    response = municipal.post("/kandidaten/nieuw", candidate_data(experience_1_years="3"))
    assert "Vul het beroep in." in form_errors_in(text(response))


def test_the_form_has_no_bsn_or_nationality_and_labels_the_care_flag(municipal):
    page = text(municipal.get("/kandidaten/nieuw")).lower()
    assert 'name="bsn"' not in page
    assert "nationaliteit</label" not in page
    assert 'name="nationality"' not in page
    assert "zorg gaat eerst (alleen zichtbaar voor medewerkers van de gemeente)" in page
    assert "geen medische gegevens" in page
    assert page.count('type="checkbox" name="available_days"') == 7


def test_detail_shows_the_full_profile(frozen, seed, municipal):
    municipal.post("/kandidaten/nieuw", candidate_data(care_first="y"))
    candidate = candidate_named("Amira")
    page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    for value in (
        "Amira Haddad",
        "amira.haddad@example.nl",
        "Eindhoven",
        "Kok",
        "Horeca",
        "maandag, dinsdag, donderdag",
        "woensdag, vrijdag",
        "B1-route",
        "Chef-kok",
        "Keukenhulp",
        "Kan direct aan het werk",
        "15 km",
        "Ik kook graag voor veel mensen.",
        "9 maart 2026",
        seed.a.municipal.full_name,
        "Profiel aangemaakt",
    ):
        assert value in page, value
    assert re.search(r"Zorg gaat eerst</dt>\s*<dd[^>]*>Ja", page)


# List -------------------------------------------------------------------------------


def test_list_shows_words_not_codes_and_consent_in_words(seed, municipal):
    shared = seed.a.candidate
    unshared = make_candidate(seed.a.municipality, first_name="Zonder", last_name="Toestemming")
    page = text(municipal.get("/kandidaten?specialist=alle&specialist=alle"))
    assert shared.pseudonym in page
    assert shared.full_name in page
    assert unshared.full_name in page
    rows = re.findall(r"<tr class=\"utrecht-table__row\"[^>]*>(.*?)</tr>", page, re.S)
    by_name = {r: r for r in rows}
    [row_shared] = [r for r in by_name if shared.pseudonym in r]
    [row_unshared] = [r for r in by_name if unshared.pseudonym in r]
    assert ">1 werkgever<" in row_shared
    assert ">Geen werkgever<" in row_unshared
    assert "Beschikbaar" in row_shared
    assert "16 uur per week" in row_shared
    assert seed.b.candidate.pseudonym not in page


def test_list_search_and_filters(seed, municipal):
    make_candidate(
        seed.a.municipality, first_name="Yusuf", last_name="Demir", dutch_level="B2", pseudonym="K-2026-7777"
    )
    make_candidate(seed.a.municipality, first_name="Sara", last_name="Tesfay", work_readiness="onderwijs")
    make_candidate(seed.a.municipality, first_name="Omar", last_name="Ali", status="inactive")
    assert "Yusuf Demir" in text(municipal.get("/kandidaten?specialist=alle&q=yusuf dem"))
    assert "Sara Tesfay" not in text(municipal.get("/kandidaten?specialist=alle&q=yusuf"))
    assert "Yusuf Demir" in text(municipal.get("/kandidaten?specialist=alle&q=7777"))
    only_b2 = text(municipal.get("/kandidaten?specialist=alle&dutch_level=B2"))
    assert "Yusuf Demir" in only_b2
    assert "Sara Tesfay" not in only_b2
    education = text(municipal.get("/kandidaten?specialist=alle&work_readiness=onderwijs"))
    assert "Sara Tesfay" in education
    assert "Yusuf Demir" not in education
    inactive = text(municipal.get("/kandidaten?specialist=alle&status=inactive"))
    assert "Omar Ali" in inactive
    assert "Sara Tesfay" not in inactive
    percent = text(municipal.get("/kandidaten?specialist=alle&q=%25"))
    assert "0 kandidaten gevonden" in percent


@pytest.mark.parametrize(
    "query",
    ["status=hacked", "dutch_level=Z9", "page=abc", "page=-4", "q=" + "x" * 500, "page=99999999999999999999"],
)
def test_list_survives_odd_query_strings(seed, municipal, query):
    assert municipal.get(f"/kandidaten?{query}").status_code == 200


def test_list_paginates_with_a_bounded_number_of_queries(app, seed, municipal, count_queries):
    for _ in range(5):
        make_consent(
            make_candidate(seed.a.municipality), employer=seed.a.employer, recorded_by=seed.a.municipal
        )
    municipal.get("/kandidaten?specialist=alle&specialist=alle")
    with count_queries() as few:
        municipal.get("/kandidaten?specialist=alle&specialist=alle")
    for _ in range(40):
        make_consent(
            make_candidate(seed.a.municipality), employer=seed.a.employer, recorded_by=seed.a.municipal
        )
    db.session.commit()
    with count_queries() as many:
        response = municipal.get("/kandidaten?specialist=alle&specialist=alle")
    assert many.count == few.count
    assert "Pagina 1 van 2" in text(response)
    assert "Pagina 2 van 2" in text(municipal.get("/kandidaten?specialist=alle&page=2"))


# Access -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "employer", "jobcoach"])
def test_other_roles_get_403(seed, login_as, role):
    client = login_as(seed.a.user(role))
    candidate = seed.a.candidate
    for url in (
        "/kandidaten",
        "/kandidaten/nieuw",
        f"/kandidaten/{candidate.id}",
        f"/kandidaten/{candidate.id}/bewerken",
        "/kandidaten/importeren",
    ):
        assert client.get(url).status_code == 403, url
    assert audit("candidate.viewed", candidate.id) == []


def test_another_municipality_gets_404_and_nothing_changes(seed, municipal):
    other = seed.b.candidate
    before = row(Candidate, other.id), count(Candidate)
    assert municipal.get(f"/kandidaten/{other.id}").status_code == 404
    assert municipal.get(f"/kandidaten/{other.id}/bewerken").status_code == 404
    assert municipal.post(f"/kandidaten/{other.id}/bewerken", candidate_data(version="1")).status_code == 404
    assert (row(Candidate, other.id), count(Candidate)) == before
    assert audit("candidate.viewed", other.id) == []


def test_privileged_fields_are_ignored(frozen, seed, municipal):
    from tests.candidates.conftest import PRIVILEGED

    data = candidate_data(**{k: v for k, v in PRIVILEGED.items() if k not in ("version", "bsn")})
    assert municipal.post("/kandidaten/nieuw", data).status_code == 302
    candidate = candidate_named("Amira")
    assert candidate.status == "active"
    assert candidate.pseudonym != "K-1999-9999"
    assert candidate.municipality_id == seed.a.municipality.id
    assert candidate.screened_by_id == seed.a.municipal.id
    assert candidate.version == 1


def test_a_candidate_can_be_made_unavailable_and_available_again_with_a_version(seed, login_as):
    from portal.candidates.models import Candidate, CandidateVersion

    candidate = seed.a.candidate
    client = login_as(seed.a.municipal)
    url = f"/kandidaten/{candidate.id}/beschikbaarheid"
    assert client.post(url, {"beschikbaar": "nee"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).status == "inactive"
    version = db.session.scalars(
        sa.select(CandidateVersion)
        .where(CandidateVersion.candidate_id == candidate.id)
        .order_by(CandidateVersion.version.desc())
    ).first()
    assert version.changes == {"status": ["active", "inactive"]}
    assert version.changed_by_id == seed.a.municipal.id
    client.post(url, {"beschikbaar": "ja"})
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).status == "active"


def test_a_placed_candidate_stays_placed(seed, login_as):
    from portal.candidates.models import Candidate

    placed = db.session.get(Candidate, seed.a.placement.candidate_id)
    placed.status = "placed"
    db.session.commit()
    client = login_as(seed.a.municipal)
    response = client.post(
        f"/kandidaten/{placed.id}/beschikbaarheid", {"beschikbaar": "nee"}, follow_redirects=True
    )
    assert "Deze kandidaat is geplaatst" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, placed.id).status == "placed"


def test_an_inactive_candidate_is_filtered_out_of_matching(seed, login_as):
    client = login_as(seed.a.municipal)
    client.post(f"/kandidaten/{seed.a.candidate.id}/beschikbaarheid", {"beschikbaar": "nee"})
    seed.a.proposal.status = "withdrawn"
    db.session.commit()
    body = client.get(f"/aanvragen/{seed.a.request.id}/kandidaten?reden=inactive").get_data(as_text=True)
    ranked, _, filtered = body.partition('id="niet-voorstellen"')
    assert seed.a.candidate.pseudonym not in ranked
    assert seed.a.candidate.pseudonym in filtered
    assert "Is nu niet beschikbaar." in filtered
