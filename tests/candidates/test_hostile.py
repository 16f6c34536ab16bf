"""Hostile input on the profile forms: never a 500, a Dutch message beside the field, data unchanged."""

from __future__ import annotations

import pytest

from portal.candidates.models import Candidate, CandidateVersion
from tests.candidates.conftest import (
    ESCAPED_SCRIPT,
    LONG,
    PRIVILEGED,
    RTL_EMOJI,
    SCRIPT,
    SQL,
    candidate_data,
    count,
    row,
    text,
)
from tests.conftest import form_errors_in

TEXT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "home_town",
    "education_country",
    "diploma_evaluation",
    "experience_0_occupation",
    "other_languages",
    "certificates",
    "plan_a",
    "plan_b",
    "plan_c",
    "motivation",
)
NUMBER_FIELDS = ("hours_per_week", "travel_range_km", "experience_0_years")
SELECT_FIELDS = (
    "education_level",
    "dutch_level",
    "english_level",
    "learning_route",
    "work_readiness",
    "experience_0_sector",
)
REQUIRED = (
    "first_name",
    "last_name",
    "home_town",
    "education_level",
    "dutch_level",
    "english_level",
    "work_readiness",
    "hours_per_week",
    "travel_range_km",
    "screened_on",
)


def assert_refused(response):
    assert response.status_code == 200, response.status_code
    assert form_errors_in(text(response)), "expected a field error"
    assert "<script>alert" not in response.get_data(as_text=True)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_10000_characters_are_refused_in_every_text_field(seed, municipal, field):
    before = count(Candidate)
    response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: LONG}))
    assert_refused(response)
    assert any("hoogstens" in e for e in form_errors_in(text(response)))
    assert count(Candidate) == before


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("payload", [SCRIPT, SQL, RTL_EMOJI, "a\x00b", "regel\nnieuwe regel"])
def test_hostile_text_never_breaks(seed, municipal, field, payload):
    response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: payload}))
    assert response.status_code in (200, 302)
    assert "<script>alert" not in response.get_data(as_text=True)
    if response.status_code == 200:
        assert form_errors_in(text(response))
        if payload == SCRIPT:
            assert ESCAPED_SCRIPT in response.get_data(as_text=True)


def test_html_and_unicode_are_stored_as_text_and_shown_escaped(seed, municipal):
    data = candidate_data(first_name=RTL_EMOJI[:80], motivation=f"{SCRIPT} {SQL}", plan_a=SCRIPT)
    response = municipal.post("/kandidaten/nieuw", data)
    assert response.status_code == 302
    page = municipal.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert ESCAPED_SCRIPT in page
    assert RTL_EMOJI[:80] in page


@pytest.mark.parametrize("field", NUMBER_FIELDS)
@pytest.mark.parametrize("value", ["abc", "1e3", "-1", "999999999999999999999999", "16.5", "=1+1"])
def test_wrong_numbers_are_refused(seed, municipal, field, value):
    before = count(Candidate)
    assert_refused(municipal.post("/kandidaten/nieuw", candidate_data(**{field: value})))
    assert count(Candidate) == before


@pytest.mark.parametrize("field", SELECT_FIELDS)
def test_unknown_choices_are_refused(seed, municipal, field):
    response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: "hacked"}))
    assert "Kies een van de mogelijkheden uit de lijst." in form_errors_in(text(response))


@pytest.mark.parametrize("field", ["available_days", "class_days", "desired_sectors"])
def test_unknown_checkbox_values_are_refused(seed, municipal, field):
    response = municipal.post("/kandidaten/nieuw", candidate_data(**{field: ["ma", "<b>x</b>"]}))
    assert "Kies een van de mogelijkheden uit de lijst." in form_errors_in(text(response))


@pytest.mark.parametrize("field", REQUIRED)
def test_missing_required_fields_get_a_dutch_message(seed, municipal, field):
    data = candidate_data()
    data.pop(field)
    response = municipal.post("/kandidaten/nieuw", data)
    assert_refused(response)
    assert any(e.startswith(("Vul", "Kies")) for e in form_errors_in(text(response)))


@pytest.mark.parametrize("value", ["gisteren", "2026-02-30", "31-12-2025", "99999-01-01", "2027-01-01"])
def test_bad_or_future_screening_dates_are_refused(frozen, seed, municipal, value):
    assert_refused(municipal.post("/kandidaten/nieuw", candidate_data(screened_on=value)))


def test_duplicated_fields_do_not_break(seed, municipal):
    data = candidate_data(first_name=["Eerste", "Tweede"], hours_per_week=["8", "abc"])
    response = municipal.post("/kandidaten/nieuw", data)
    assert response.status_code in (200, 302)


def test_an_empty_post_shows_all_messages(seed, municipal):
    response = municipal.post("/kandidaten/nieuw", {})
    assert_refused(response)
    assert "Controleer het formulier" in text(response)


def test_hostile_edit_changes_nothing(seed, municipal):
    candidate = seed.a.candidate
    before = row(Candidate, candidate.id), count(CandidateVersion)
    for overrides in (
        {"first_name": LONG},
        {"hours_per_week": "veel"},
        {"dutch_level": "Z9"},
        {"motivation": "a\x00"},
    ):
        data = candidate_data(version="1", **overrides)
        assert_refused(municipal.post(f"/kandidaten/{candidate.id}/bewerken", data))
    assert (row(Candidate, candidate.id), count(CandidateVersion)) == before


def test_privileged_fields_on_edit_are_ignored(seed, municipal):
    candidate = seed.a.candidate
    data = candidate_data(
        **{k: v for k, v in PRIVILEGED.items() if k != "version"}, version=str(candidate.version)
    )
    assert municipal.post(f"/kandidaten/{candidate.id}/bewerken", data).status_code == 302
    fresh = row(Candidate, candidate.id)
    columns = Candidate.__table__.c.keys()
    values = dict(zip(columns, fresh, strict=True))
    assert values["status"] == "active"
    assert values["pseudonym"] == candidate.pseudonym
    assert values["municipality_id"] == seed.a.municipality.id


@pytest.mark.parametrize("version", ["abc", "-1", "9" * 40, ""])
def test_odd_version_values_do_not_break(seed, municipal, version):
    candidate = seed.a.candidate
    response = municipal.post(f"/kandidaten/{candidate.id}/bewerken", candidate_data(version=version))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("code", ["xx", "<b>x</b>", "MA", ""])
def test_the_same_unknown_day_in_work_and_class_days_is_a_field_error(seed, municipal, code):
    data = candidate_data(available_days=["ma", code], class_days=[code, "wo"], first_name="Samira")
    before = count(Candidate)
    response = municipal.post("/kandidaten/nieuw", data)
    assert_refused(response)
    assert "Kies een van de mogelijkheden uit de lijst." in form_errors_in(text(response))
    assert 'value="Samira"' in text(response)
    assert count(Candidate) == before


def test_the_same_unknown_day_on_edit_changes_nothing(seed, municipal):
    candidate = seed.a.candidate
    before = row(Candidate, candidate.id), count(CandidateVersion)
    data = candidate_data(version=str(candidate.version), available_days=["zz"], class_days=["zz"])
    response = municipal.post(f"/kandidaten/{candidate.id}/bewerken", data)
    assert_refused(response)
    assert "Kies een van de mogelijkheden uit de lijst." in form_errors_in(text(response))
    assert (row(Candidate, candidate.id), count(CandidateVersion)) == before


@pytest.mark.parametrize("field", ["available_days", "class_days", "desired_sectors"])
def test_a_day_or_sector_ticked_twice_is_stored_once(seed, municipal, field):
    value = {"available_days": ["ma", "ma"], "class_days": ["wo", "wo"], "desired_sectors": ["zorg", "zorg"]}
    response = municipal.post(
        "/kandidaten/nieuw", candidate_data(first_name="Dubbel", **{field: value[field]})
    )
    assert response.status_code == 302
    from tests.candidates.conftest import candidate_named

    assert getattr(candidate_named("Dubbel"), field) == value[field][0]


@pytest.mark.parametrize("q", ["a\x00b", "Voornaam\x1b"])
def test_a_search_with_a_control_character_is_a_field_error_not_a_database_error(seed, municipal, q):
    """PostgreSQL refuses a NUL in a query: the search says why and lists every candidate."""
    response = municipal.get("/kandidaten", query_string={"q": q, "specialist": "alle"})
    assert response.status_code == 200
    assert "Deze tekst bevat tekens die niet zijn toegestaan." in text(response)  # in the error summary
    assert seed.a.candidate.pseudonym in text(response)
