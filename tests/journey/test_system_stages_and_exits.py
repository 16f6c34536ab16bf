"""System stages from real placement status changes, the proposed exit and its confirmation or
dismissal, exits by hand and the retention follow-ups they plan."""

from __future__ import annotations

from datetime import date

import pytest

from portal.candidates.models import Candidate
from portal.extensions import db
from portal.journey import services
from portal.journey.models import Exit, RetentionFollowUp, StageChange, TeamSettings
from portal.placements import ending
from portal.placements.models import EndDecision, Placement
from tests import factories
from tests.conftest import form_errors_in
from tests.journey.conftest import events, journey_url, rows, text


def stages_of(candidate_id) -> list[tuple]:
    return [
        (c.stage, c.entered_on, c.placement_id, c.recorded_by_id)
        for c in rows(StageChange, candidate_id=candidate_id)
    ]


@pytest.fixture
def working(seed, frozen):
    """Tenant A's placement in onboarding since Monday 23 February, ending 1 June."""
    return factories.make_placement(
        seed.a,
        request=seed.a.request,
        status="onboarding",
        start_date=date(2026, 2, 23),
        planned_end_date=date(2026, 3, 13),
        actual_start_date=date(2026, 2, 23),
    )


def test_starting_a_placement_records_the_stage_plaatsing(seed, frozen, login_as):
    placement = seed.a.placement
    placement.start_date, placement.planned_end_date = date(2026, 3, 16), date(2026, 6, 16)
    db.session.commit()
    response = login_as(seed.a.municipal).post(
        f"/plaatsingen/{placement.id}/starten", {"actual_start_date": "2026-03-09"}
    )
    assert response.status_code == 302
    assert stages_of(placement.candidate_id) == [("plaatsing", date(2026, 3, 9), placement.id, None)]
    fresh = db.session.get(Candidate, placement.candidate_id)
    assert (fresh.stage, fresh.stage_since) == ("plaatsing", date(2026, 3, 9))
    [event] = events("journey.stage_recorded")
    assert event.actor_id == seed.a.municipal.id
    assert event.detail["by_system"] is True


def test_a_contract_records_nazorg_and_proposes_the_exit(seed, working, login_as):
    client = login_as(seed.a.municipal)
    data = {
        "kind": "contract",
        "contract_type": "permanent",
        "contract_hours": "38",
        "contract_start": "2026-03-09",
    }
    assert client.post(f"/plaatsingen/{working.id}/besluit", data).status_code == 302
    assert db.session.get(Placement, working.id).status == "nazorg"
    assert stages_of(working.candidate_id) == [("nazorg", date(2026, 3, 9), working.id, None)]
    [proposal] = rows(Exit, candidate_id=working.candidate_id)
    assert (
        proposal.status,
        proposal.exit_on,
        proposal.kind,
        proposal.placement_id,
        proposal.employer_id,
    ) == (
        "proposed",
        date(2026, 3, 9),
        "work_fulltime",
        working.id,
        working.employer_id,
    )
    assert (proposal.contract_type, proposal.hours_per_week, proposal.recorded_by_id) == (
        "permanent",
        38,
        None,
    )
    assert events("journey.exit_proposed")
    assert rows(RetentionFollowUp, exit_id=proposal.id) == []
    # The contact's home page lists it as waiting work, with the next action.
    home = text(client.get("/"))
    assert "Uitstroom bevestigen" in home
    assert f"/kandidaten/{working.candidate_id}/uitstroom/{proposal.id}" in home


def test_the_nazorg_sweep_records_the_stage_and_proposes_the_exit_once(seed, working, frozen):
    working.contract_type, working.contract_hours, working.contract_start_date = (
        "fixed_term",
        20,
        date(2026, 3, 10),
    )
    db.session.add(
        EndDecision(
            placement_id=working.id,
            kind="contract",
            decided_by_id=seed.a.municipal.id,
            contract_type="fixed_term",
            contract_hours=20,
            contract_start=date(2026, 3, 10),
        )
    )
    db.session.commit()
    assert ending.begin_aftercare(date(2026, 3, 10)) == 1
    assert ending.begin_aftercare(date(2026, 3, 10)) == 0
    assert stages_of(working.candidate_id) == [("nazorg", date(2026, 3, 10), working.id, None)]
    [proposal] = rows(Exit, candidate_id=working.candidate_id)
    assert (proposal.kind, proposal.hours_per_week, proposal.contract_type) == (
        "work_parttime",
        20,
        "fixed_term",
    )
    # The same signal again (e.g. a retried sweep) adds nothing.
    services.on_placement_status_changed(
        db.session.get(Placement, working.id),
        actor=None,
        old="onboarding",
        new="nazorg",
        on=date(2026, 3, 10),
    )
    assert len(rows(StageChange, candidate_id=working.candidate_id)) == 1
    assert len(rows(Exit, candidate_id=working.candidate_id)) == 1


def propose(seed, **kw) -> Exit:
    placement = seed.a.placement
    values = {
        "municipality_id": seed.a.municipality.id,
        "candidate_id": placement.candidate_id,
        "status": "proposed",
        "exit_on": date(2025, 8, 31),
        "kind": "work_parttime",
        "placement_id": placement.id,
        "employer_id": placement.employer_id,
        "contract_type": "fixed_term",
        "hours_per_week": 24,
    }
    values.update(kw)
    proposal = Exit(**values)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def confirm_url(proposal) -> str:
    return f"/kandidaten/{proposal.candidate_id}/uitstroom/{proposal.id}"


def test_confirming_records_uitstroom_and_plans_the_follow_ups(seed, frozen, login_as):
    proposal = propose(seed)
    client = login_as(seed.a.municipal)
    page = text(client.get(confirm_url(proposal)))
    assert "Uitstroom bevestigen" in page
    assert 'value="2025-08-31"' in page
    data = {
        "exit_on": "2025-08-31",
        "kind": "work_parttime",
        "contract_type": "permanent",
        "hours_per_week": "28",
    }
    assert client.post(confirm_url(proposal), data).status_code == 302
    proposal = db.session.get(Exit, proposal.id)
    assert (proposal.status, proposal.confirmed_by_id, proposal.contract_type, proposal.hours_per_week) == (
        "confirmed",
        seed.a.municipal.id,
        "permanent",
        28,
    )
    assert stages_of(proposal.candidate_id) == [("uitstroom", date(2025, 8, 31), None, None)]
    # Six and twelve months after 31 August: the end of February (no 31st) and 31 August.
    followups = rows(RetentionFollowUp, exit_id=proposal.id)
    assert [(f.months, f.due_on, f.employer_id) for f in followups] == [
        (6, date(2026, 2, 28), proposal.employer_id),
        (12, date(2026, 8, 31), proposal.employer_id),
    ]
    assert events("journey.exit_confirmed")
    assert events("journey.followups_planned")
    # Decided: no second confirmation, and it leaves the home page.
    again = client.post(confirm_url(proposal), data)
    assert "Over deze uitstroom is al besloten." in text(again)
    assert len(rows(RetentionFollowUp, exit_id=proposal.id)) == 2
    assert confirm_url(proposal) not in text(client.get("/"))


def test_dismissing_changes_no_stage(seed, frozen, login_as):
    proposal = propose(seed)
    response = login_as(seed.a.municipal).post(f"{confirm_url(proposal)}/niet-van-toepassing")
    assert response.status_code == 302
    assert db.session.get(Exit, proposal.id).status == "dismissed"
    assert stages_of(proposal.candidate_id) == []
    assert rows(RetentionFollowUp, exit_id=proposal.id) == []
    assert events("journey.exit_dismissed")


def test_a_confirmation_with_a_future_date_is_refused(seed, frozen, login_as):
    proposal = propose(seed)
    response = login_as(seed.a.municipal).post(
        confirm_url(proposal), {"exit_on": "2026-03-11", "kind": "work_parttime"}
    )
    assert "Deze datum mag niet in de toekomst liggen." in form_errors_in(text(response))
    assert db.session.get(Exit, proposal.id).status == "proposed"


def test_a_direct_hire_is_recorded_by_hand_with_the_teams_follow_up_months(seed, frozen, login_as):
    db.session.add(TeamSettings(municipality_id=seed.a.municipality.id, followup_months="3 24"))
    db.session.commit()
    candidate = seed.a.candidate
    data = {
        "exit_on": "2026-01-31",
        "kind": "leerwerk",
        "employer_name": "Bakkerij Zuid",
        "hours_per_week": "32",
    }
    response = login_as(seed.a.municipal).post(f"/kandidaten/{candidate.id}/uitstroom", data)
    assert response.status_code == 302
    [exit_] = rows(Exit, candidate_id=candidate.id)
    assert (exit_.status, exit_.direct_hire, exit_.employer_name, exit_.employer_id) == (
        "confirmed",
        True,
        "Bakkerij Zuid",
        None,
    )
    assert [(f.months, f.due_on, f.employer_id) for f in rows(RetentionFollowUp, exit_id=exit_.id)] == [
        (3, date(2026, 4, 30), None),
        (24, date(2028, 1, 31), None),
    ]
    assert db.session.get(Candidate, candidate.id).stage == "uitstroom"


def test_an_exit_to_education_plans_no_follow_up(seed, frozen, login_as):
    candidate = seed.a.candidate
    login_as(seed.a.municipal).post(
        f"/kandidaten/{candidate.id}/uitstroom", {"exit_on": "2026-03-01", "kind": "education"}
    )
    [exit_] = rows(Exit, candidate_id=candidate.id)
    assert rows(RetentionFollowUp, exit_id=exit_.id) == []
    assert services.plan_followups(None, exit_) == []


def test_planning_twice_adds_nothing(seed, frozen):
    proposal = propose(seed, status="confirmed")
    assert len(services.plan_followups(None, proposal)) == 2
    assert services.plan_followups(None, proposal) == []


def test_an_exit_refuses_another_municipalitys_employer_and_both_employers(seed, frozen, login_as):
    client, candidate = login_as(seed.a.municipal), seed.a.candidate
    url = f"/kandidaten/{candidate.id}/uitstroom"
    base = {"exit_on": "2026-03-01", "kind": "work_parttime"}
    foreign = client.post(url, {**base, "employer_id": str(seed.b.employer.id)})
    assert form_errors_in(text(foreign))
    both = client.post(url, {**base, "employer_id": str(seed.a.employer.id), "employer_name": "Elders"})
    assert "Kies een werkgever uit de lijst of vul een naam in, niet allebei." in form_errors_in(text(both))
    assert rows(Exit, candidate_id=candidate.id) == []
    assert journey_url(candidate)
