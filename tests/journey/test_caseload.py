"""The caseload per specialist (counts, norm, bounded queries), reassignment, the specialist of a
candidate, the candidate list's filters and the team settings."""

from __future__ import annotations

from datetime import date

import pytest

from portal.alerts.models import Alert
from portal.candidates.models import Candidate
from portal.extensions import db
from portal.journey import queries
from portal.journey.models import TeamSettings
from tests import factories
from tests.conftest import form_errors_in
from tests.journey.conftest import events, rows, text


def give(candidates, specialist, stage=None):
    for candidate in candidates:
        candidate.specialist_id = specialist.id if specialist else None
        candidate.stage = stage
        candidate.stage_since = date(2026, 3, 1) if stage else None
    db.session.commit()


def build_caseload(seed, scale: int):
    """Per ``scale``: two colleagues with candidates in stages, running placements and open alerts."""
    one = factories.make_user("municipal", seed.a.municipality, full_name="Anna Specialist")
    two = factories.make_user("municipal", seed.a.municipality, full_name="Bram Specialist")
    for _ in range(scale):
        give([factories.make_candidate(seed.a.municipality) for _ in range(3)], one, "klantbeeld")
        give([factories.make_candidate(seed.a.municipality)], one, "uitstroom")
        placement = factories.make_placement(seed.a, status="onboarding")
        give([db.session.get(Candidate, placement.candidate_id)], two, "plaatsing")
        factories.make_alert(placement)
    return one, two


@pytest.mark.parametrize("scale", [1, 10])
def test_the_caseload_counts_with_a_bounded_number_of_queries(seed, login_as, count_queries, scale):
    one, two = build_caseload(seed, scale)
    client = login_as(seed.a.municipal)
    client.get("/caseload")
    with count_queries() as counter:
        response = client.get("/caseload")
    assert response.status_code == 200
    assert counter.count <= 9, counter.statements
    rows_by_name = {
        row.specialist.full_name: row for row in queries.caseload(seed.a.municipality.id)[0] if row.specialist
    }
    anna, bram = rows_by_name["Anna Specialist"], rows_by_name["Bram Specialist"]
    assert (anna.active, anna.per_stage, anna.placements, anna.alerts) == (
        3 * scale,
        {"klantbeeld": 3 * scale, "uitstroom": scale},
        0,
        0,
    )
    assert (bram.active, bram.per_stage, bram.placements, bram.alerts) == (
        scale,
        {"plaatsing": scale},
        scale,
        scale,
    )


def test_over_the_norm_is_said_in_words(seed, login_as):
    one, _ = build_caseload(seed, 1)
    db.session.add(TeamSettings(municipality_id=seed.a.municipality.id, caseload_norm=2))
    db.session.commit()
    page = text(login_as(seed.a.municipal).get("/caseload"))
    assert "Boven de norm" in page
    assert "(1 meer dan 2)" in page
    assert page.count('<strong class="utrecht-badge-status">Boven de norm</strong>') == 1  # Anna only
    assert "De norm van uw team is 2" in page


def test_without_a_settings_row_the_defaults_apply(seed):
    settings = queries.team_settings(seed.a.municipality.id)
    assert (settings.caseload_norm, settings.followup_months, settings.plan_review_weeks) == (100, "6 12", 8)


def test_reassigning_chosen_candidates_is_one_audited_action(seed, login_as):
    one, two = build_caseload(seed, 1)
    mine = rows(Candidate, specialist_id=one.id)
    client = login_as(seed.a.municipal)
    page = text(client.get(f"/caseload/overdragen?van={one.id}"))
    assert mine[0].pseudonym in page
    chosen = [str(mine[0].id), str(mine[1].id)]
    response = client.post(
        "/caseload/overdragen",
        {"from_specialist": str(one.id), "candidate_ids": chosen, "to_specialist_id": str(two.id)},
    )
    assert response.status_code == 302
    assert {c.id for c in rows(Candidate, specialist_id=two.id)} >= {mine[0].id, mine[1].id}
    [event] = events("journey.caseload_reassigned")
    assert event.detail["candidate_ids"] == sorted([mine[0].id, mine[1].id])
    assert (event.detail["from_specialist_id"], event.detail["to_specialist_id"]) == (one.id, two.id)


def test_all_of_one_specialist_move_to_another(seed, login_as):
    one, two = build_caseload(seed, 2)
    count = len(rows(Candidate, specialist_id=one.id))
    response = login_as(seed.a.admin).post(
        "/caseload/overdragen",
        {"from_specialist": str(one.id), "move_all": "y", "to_specialist_id": str(two.id)},
    )
    assert response.status_code == 302
    assert rows(Candidate, specialist_id=one.id) == []
    [event] = events("journey.caseload_reassigned")
    assert event.detail["count"] == count
    assert event.detail["all_candidates"] is True


def test_reassigning_refuses_other_tenants_and_empty_choices(seed, login_as):
    one, two = build_caseload(seed, 1)
    client = login_as(seed.a.municipal)
    foreign = client.post(
        "/caseload/overdragen",
        {
            "from_specialist": str(one.id),
            "candidate_ids": [str(seed.b.candidate.id)],
            "to_specialist_id": str(two.id),
        },
    )
    assert foreign.status_code == 200
    assert form_errors_in(text(foreign))
    to_b = client.post(
        "/caseload/overdragen",
        {"from_specialist": str(one.id), "move_all": "y", "to_specialist_id": str(seed.b.municipal.id)},
    )
    assert form_errors_in(text(to_b))
    nothing = client.post(
        "/caseload/overdragen", {"from_specialist": str(one.id), "to_specialist_id": str(two.id)}
    )
    assert "Kies ten minste één kandidaat, of kies alle kandidaten." in form_errors_in(text(nothing))
    assert client.get(f"/caseload/overdragen?van={seed.b.municipal.id}").status_code == 404
    assert db.session.get(Candidate, seed.b.candidate.id).specialist_id is None
    assert events("journey.caseload_reassigned") == []


def test_staff_change_a_candidates_specialist_on_the_profile(seed, login_as):
    colleague = factories.make_user("municipal", seed.a.municipality, full_name="Carla Collega")
    client = login_as(seed.a.municipal)
    candidate = seed.a.candidate
    assert "Carla Collega" in text(client.get(f"/kandidaten/{candidate.id}"))
    response = client.post(f"/kandidaten/{candidate.id}/specialist", {"specialist_id": str(colleague.id)})
    assert response.status_code == 302
    assert db.session.get(Candidate, candidate.id).specialist_id == colleague.id
    [event] = events("journey.specialist_assigned")
    assert event.detail == {"specialist_id": colleague.id, "previous_id": None}
    jobcoach = client.post(
        f"/kandidaten/{candidate.id}/specialist", {"specialist_id": str(seed.a.jobcoach.id)}
    )
    assert "Kies een van de mogelijkheden uit de lijst." in form_errors_in(text(jobcoach))


def test_the_list_shows_my_candidates_by_default(seed, login_as):
    colleague = factories.make_user("municipal", seed.a.municipality)
    mine, theirs = (
        factories.make_candidate(seed.a.municipality),
        factories.make_candidate(seed.a.municipality),
    )
    give([mine], seed.a.municipal, "klantbeeld")
    give([theirs], colleague, "voortraject")
    client = login_as(seed.a.municipal)
    default = text(client.get("/kandidaten"))
    assert mine.pseudonym in default
    assert theirs.pseudonym not in default
    everyone = text(client.get("/kandidaten?specialist=alle"))
    assert mine.pseudonym in everyone
    assert theirs.pseudonym in everyone
    only_theirs = text(client.get(f"/kandidaten?specialist={colleague.id}"))
    assert theirs.pseudonym in only_theirs
    assert mine.pseudonym not in only_theirs
    unassigned = text(client.get("/kandidaten?specialist=geen"))
    assert seed.a.candidate.pseudonym in unassigned
    assert mine.pseudonym not in unassigned


def test_a_new_candidate_gets_its_screener_as_specialist(seed, login_as):
    from tests.candidates.conftest import candidate_data

    client = login_as(seed.a.municipal)
    assert client.post("/kandidaten/nieuw", candidate_data()).status_code == 302
    newest = rows(Candidate, municipality_id=seed.a.municipality.id)[-1]
    assert newest.specialist_id == seed.a.municipal.id


@pytest.mark.parametrize("scale", [1, 10])
def test_the_list_runs_a_bounded_number_of_queries(seed, login_as, count_queries, scale):
    for _ in range(scale * 3):
        give([factories.make_candidate(seed.a.municipality)], seed.a.municipal, "klantbeeld")
    client = login_as(seed.a.municipal)
    client.get("/kandidaten")
    for url in ("/kandidaten", "/kandidaten?specialist=alle&stage=klantbeeld"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count <= 8, counter.statements


def test_team_settings_are_saved_and_checked(seed, login_as):
    client = login_as(seed.a.admin)
    page = text(client.get("/team/instellingen"))
    assert "standaardinstellingen" in page
    assert 'value="6 12"' in page
    data = {
        "caseload_norm": "90",
        "followup_months": "12 6 24",
        "plan_review_weeks": "10",
        "retention_months": "24",
    }
    assert client.post("/team/instellingen", data).status_code == 302
    [row] = rows(TeamSettings, municipality_id=seed.a.municipality.id)
    assert (row.caseload_norm, row.followup_months, row.plan_review_weeks) == (90, "6 12 24", 10)
    assert events("journey.team_settings_saved")
    for months, message in [
        ("6 6", "Maand 6 staat er meer dan één keer in."),
        ("0 12", "Kies maanden van 1 tot en met 60."),
        ("61", "Kies maanden van 1 tot en met 60."),
        ("zes", "Gebruik alleen hele getallen"),
        ("1 2 3 4 5 6 7", "Noem hoogstens 6 momenten."),
    ]:
        response = client.post("/team/instellingen", {**data, "followup_months": months})
        assert any(message in error for error in form_errors_in(text(response))), (
            months,
            form_errors_in(text(response)),
        )
    norm = client.post("/team/instellingen", {**data, "caseload_norm": "0"})
    assert "Vul een getal van 1 tot en met 1000 in." in form_errors_in(text(norm))
    assert rows(TeamSettings, municipality_id=seed.a.municipality.id)[0].followup_months == "6 12 24"
    assert login_as(seed.a.municipal).get("/team/instellingen").status_code == 403


def test_alerts_are_counted_through_a_query_not_a_copy(seed):
    assert Alert.__tablename__ == "alerts"
