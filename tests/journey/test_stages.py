"""Stages by hand (incl. back-dated ones), screenings and the ABC plan, through the app."""

from __future__ import annotations

from datetime import date

import pytest

from portal.candidates.models import Candidate
from portal.extensions import db
from portal.journey import queries
from portal.journey.models import PlanStep, Screening, StageChange, TeamSettings
from tests.conftest import form_errors_in
from tests.journey.conftest import TODAY, events, journey_url, rows, text

#: Every stage a person records, with the extra answers it needs.
MANUAL = [
    ("aanmelding", {"source": "coa_tvs"}),
    ("intake_rechtmatigheid", {}),
    ("intake_doelmatigheid", {}),
    ("klantbeeld", {}),
    ("trajectbepaling", {"route": "leerwerk"}),
    ("voortraject", {"provider": "Taalhuis Oost", "ends_on": "2026-06-01"}),
    ("vervolgtraject", {"provider": "Werkclub", "ends_on": ""}),
]


def post_stage(client, candidate, stage, entered_on="2026-03-09", **extra):
    return client.post(f"{journey_url(candidate)}/fase", {"stage": stage, "entered_on": entered_on, **extra})


@pytest.mark.parametrize(("stage", "extra"), MANUAL)
def test_every_manual_stage_is_dated_attributed_and_audited(seed, frozen, login_as, stage, extra):
    candidate = seed.a.candidate
    response = post_stage(login_as(seed.a.municipal), candidate, stage, **extra)
    assert response.status_code == 302
    [change] = rows(StageChange, candidate_id=candidate.id)
    assert (change.stage, change.entered_on, change.recorded_by_id) == (
        stage,
        date(2026, 3, 9),
        seed.a.municipal.id,
    )
    assert change.municipality_id == seed.a.municipality.id
    fresh = db.session.get(Candidate, candidate.id)
    assert (fresh.stage, fresh.stage_since) == (stage, date(2026, 3, 9))
    [event] = events("journey.stage_recorded")
    assert (event.actor_id, event.object_id, event.detail["stage"]) == (seed.a.municipal.id, change.id, stage)
    if stage == "aanmelding":
        assert change.source == "coa_tvs"
    if stage == "trajectbepaling":
        assert change.route == "leerwerk"
    if stage == "voortraject":
        assert (change.provider, change.ends_on) == ("Taalhuis Oost", date(2026, 6, 1))


def test_a_back_dated_stage_does_not_replace_the_current_one(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    post_stage(client, candidate, "klantbeeld", "2026-03-01")
    post_stage(client, candidate, "aanmelding", "2026-01-05", source="vluchtelingenwerk")
    fresh = db.session.get(Candidate, candidate.id)
    assert (fresh.stage, fresh.stage_since) == ("klantbeeld", date(2026, 3, 1))
    post_stage(client, candidate, "trajectbepaling", "2026-03-05", route="werk")
    fresh = db.session.get(Candidate, candidate.id)
    assert (fresh.stage, fresh.stage_since) == ("trajectbepaling", date(2026, 3, 5))
    # The waiting time per stage: until the next stage, the current one until today.
    history = queries.stage_history(candidate.id, TODAY)
    assert [(row.change.stage, row.days, row.current) for row in history] == [
        ("aanmelding", 55, False),
        ("klantbeeld", 4, False),
        ("trajectbepaling", 5, True),
    ]
    page = text(client.get(journey_url(candidate)))
    assert "Trajectbepaling" in page
    assert "VluchtelingenWerk" in page


def test_the_same_day_the_last_recorded_stage_is_current(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    post_stage(client, candidate, "intake_rechtmatigheid", "2026-03-02")
    post_stage(client, candidate, "intake_doelmatigheid", "2026-03-02")
    assert db.session.get(Candidate, candidate.id).stage == "intake_doelmatigheid"


@pytest.mark.parametrize("stage", ["plaatsing", "nazorg", "uitstroom"])
def test_system_stages_are_never_recorded_by_hand(seed, frozen, login_as, stage):
    client = login_as(seed.a.municipal)
    assert f'value="{stage}"' not in text(client.get(journey_url(seed.a.candidate)))
    response = post_stage(client, seed.a.candidate, stage)
    assert response.status_code == 200
    assert form_errors_in(text(response))
    assert rows(StageChange, candidate_id=seed.a.candidate.id) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stage": "klantbeeld", "entered_on": "2026-03-11"}, "Deze datum mag niet in de toekomst liggen."),
        ({"stage": "klantbeeld", "entered_on": "1999-01-01"}, "Kies een datum na"),
        ({"stage": "klantbeeld", "entered_on": "gisteren"}, "Vul een datum in, zoals 2026-03-10."),
        ({"stage": "aanmelding", "entered_on": "2026-03-09"}, "Kies waar de aanmelding vandaan komt."),
        (
            {"stage": "trajectbepaling", "entered_on": "2026-03-09"},
            "Kies de route die bij de trajectbepaling",
        ),
        (
            {"stage": "voortraject", "entered_on": "2026-03-09", "ends_on": "2026-03-01"},
            "De einddatum kan niet voor de startdatum liggen.",
        ),
        ({"stage": "", "entered_on": "2026-03-09"}, "Kies de fase."),
    ],
)
def test_a_wrong_stage_gets_a_dutch_message_next_to_the_field(seed, frozen, login_as, data, message):
    response = login_as(seed.a.municipal).post(f"{journey_url(seed.a.candidate)}/fase", data)
    assert response.status_code == 200
    body = text(response)
    assert any(message in error for error in form_errors_in(body)), form_errors_in(body)
    assert "Controleer het formulier" in body
    assert rows(StageChange, candidate_id=seed.a.candidate.id) == []


def test_a_screening_is_recorded_with_instrument_date_outcome_and_who(seed, frozen, login_as):
    client = login_as(seed.a.municipal)
    url = f"{journey_url(seed.a.candidate)}/screening"
    data = {
        "instrument": "other",
        "instrument_name": "Wat telt",
        "done_on": "2026-03-03",
        "outcome": "Wil in de zorg.",
    }
    assert client.post(url, data).status_code == 302
    [screening] = rows(Screening, candidate_id=seed.a.candidate.id)
    assert (screening.instrument, screening.instrument_name, screening.done_on, screening.recorded_by_id) == (
        "other",
        "Wat telt",
        date(2026, 3, 3),
        seed.a.municipal.id,
    )
    assert events("journey.screening_recorded")
    future = client.post(url, {**data, "done_on": "2026-03-11"})
    assert "Deze datum mag niet in de toekomst liggen." in form_errors_in(text(future))
    unnamed = client.post(url, {**data, "instrument_name": ""})
    assert "Vul de naam van het instrument in." in form_errors_in(text(unnamed))
    assert len(rows(Screening, candidate_id=seed.a.candidate.id)) == 1


def test_the_plan_is_revised_after_the_teams_weeks_by_default(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    url = f"{journey_url(candidate)}/plan"
    assert (
        client.post(url, {"agreed_on": "2026-03-02", "agreed_by_id": str(seed.a.municipal.id)}).status_code
        == 302
    )
    fresh = db.session.get(Candidate, candidate.id)
    assert (fresh.plan_agreed_on, fresh.plan_agreed_by_id, fresh.plan_review_on) == (
        date(2026, 3, 2),
        seed.a.municipal.id,
        date(2026, 4, 27),
    )
    db.session.add(TeamSettings(municipality_id=seed.a.municipality.id, plan_review_weeks=4))
    db.session.commit()
    client.post(url, {"agreed_on": "2026-03-02", "agreed_by_id": str(seed.a.municipal.id)})
    assert db.session.get(Candidate, candidate.id).plan_review_on == date(2026, 3, 30)
    client.post(
        url, {"agreed_on": "2026-03-02", "agreed_by_id": str(seed.a.municipal.id), "review_on": "2026-05-01"}
    )
    assert db.session.get(Candidate, candidate.id).plan_review_on == date(2026, 5, 1)
    assert len(events("journey.plan_agreed")) == 3


def test_the_plan_refuses_another_municipalitys_specialist_and_a_future_date(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    url = f"{journey_url(candidate)}/plan"
    other = client.post(url, {"agreed_on": "2026-03-02", "agreed_by_id": str(seed.b.municipal.id)})
    assert form_errors_in(text(other))
    future = client.post(url, {"agreed_on": "2026-04-02", "agreed_by_id": str(seed.a.municipal.id)})
    assert "Deze datum mag niet in de toekomst liggen." in form_errors_in(text(future))
    assert db.session.get(Candidate, candidate.id).plan_agreed_on is None


def test_a_step_up_the_abc_plan_is_an_event(seed, frozen, login_as):
    client = login_as(seed.a.municipal)
    url = f"{journey_url(seed.a.candidate)}/plan/stap"
    assert (
        client.post(url, {"from_level": "c", "to_level": "a", "stepped_on": "2026-03-09"}).status_code == 302
    )
    refused = client.post(url, {"from_level": "b", "to_level": "b", "stepped_on": "2026-03-09"})
    assert "Een stap omhoog gaat van plan B naar plan A." in form_errors_in(text(refused))
    [step] = rows(PlanStep, candidate_id=seed.a.candidate.id)
    assert (step.from_level, step.to_level, step.recorded_by_id) == ("c", "a", seed.a.municipal.id)
    assert events("journey.plan_stepped_up")


def test_the_profile_and_the_list_show_the_stage(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    post_stage(client, candidate, "klantbeeld", "2026-03-02")
    assert "Klantbeeld, sinds 2 maart 2026" in text(client.get(f"/kandidaten/{candidate.id}"))
    listed = text(client.get("/kandidaten?specialist=alle&stage=klantbeeld"))
    assert candidate.pseudonym in listed
    assert "Klantbeeld, sinds 2 maart 2026" in listed
    assert candidate.pseudonym not in text(client.get("/kandidaten?specialist=alle&stage=voortraject"))
    assert candidate.pseudonym not in text(client.get("/kandidaten?specialist=alle&stage=geen"))
