"""The life of a request: draft → submitted → in behandeling → voorgesteld → vervuld, or withdrawn/expired."""

from __future__ import annotations

import pytest

from portal.core.errors import DomainError
from portal.extensions import db
from portal.requests import services
from portal.requests.models import PlacementRequest, Proposal
from tests.factories import make_candidate, make_proposal, make_request
from tests.requests.conftest import audit, emails, fresh, request_data, row, text

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def draft(seed):
    return make_request(seed.a.workplace, status="draft", created_by=seed.a.employer_user)


# Edit and submit ------------------------------------------------------------------------------------------


def test_a_draft_can_be_edited_and_then_submitted(login_as, seed, draft):
    c = login_as(seed.a.employer_user)
    body = text(c.get(f"/aanvragen/{draft.id}/bewerken"))
    assert draft.role_title in body
    response = c.post(
        f"/aanvragen/{draft.id}/bewerken", request_data(seed.a, role_title="Kok", action="draft")
    )
    assert response.status_code == 302
    assert (fresh(PlacementRequest, draft.id).role_title, fresh(PlacementRequest, draft.id).status) == (
        "Kok",
        "draft",
    )
    assert audit("request.updated")[-1].object_id == draft.id
    assert c.post(f"/aanvragen/{draft.id}/indienen").status_code == 302
    assert fresh(PlacementRequest, draft.id).status == "submitted"
    assert len(emails("requests/submitted")) == 1


def test_edit_with_the_submit_button_submits(login_as, seed, draft):
    login_as(seed.a.employer_user).post(f"/aanvragen/{draft.id}/bewerken", request_data(seed.a))
    assert fresh(PlacementRequest, draft.id).status == "submitted"


def test_no_edit_after_submit(login_as, seed):
    c = login_as(seed.a.employer_user)
    req = seed.a.request
    before = row(PlacementRequest, req.id)
    response = c.get(f"/aanvragen/{req.id}/bewerken")
    assert response.status_code == 302
    assert "niet meer wijzigen" in text(c.get(response.headers["Location"]))
    c.post(f"/aanvragen/{req.id}/bewerken", request_data(seed.a, role_title="Gewijzigd"))
    assert row(PlacementRequest, req.id) == before


def test_no_submit_twice(login_as, seed):
    c = login_as(seed.a.employer_user)
    req = seed.a.request
    before = row(PlacementRequest, req.id)
    response = c.post(f"/aanvragen/{req.id}/indienen")
    assert response.status_code == 302
    assert "al ingediend" in text(c.get(response.headers["Location"]))
    assert row(PlacementRequest, req.id) == before
    assert emails("requests/submitted") == []


def test_a_draft_breaking_changed_type_rules_cannot_be_submitted(login_as, seed, draft):
    draft.placement_type.max_weeks = 13
    draft.duration_weeks = 20
    db.session.flush()
    c = login_as(seed.a.employer_user)
    response = c.post(f"/aanvragen/{draft.id}/indienen")
    assert "Pas de aanvraag eerst aan" in text(c.get(response.headers["Location"]))
    assert fresh(PlacementRequest, draft.id).status == "draft"


def test_staff_never_see_drafts(login_as, seed, draft):
    for role in ("municipal", "admin"):
        c = login_as(seed.a.user(role))
        assert c.get(f"/aanvragen/{draft.id}").status_code == 404
        assert f"/aanvragen/{draft.id}" not in text(c.get("/aanvragen"))


# Withdraw -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdraw_needs_a_reason(login_as, seed, reason):
    req = seed.a.request
    before = row(PlacementRequest, req.id)
    response = login_as(seed.a.employer_user).post(f"/aanvragen/{req.id}/intrekken", {"reason": reason})
    assert response.status_code == 200
    assert "Vul de reden in waarom u de aanvraag intrekt." in text(response)
    assert row(PlacementRequest, req.id) == before


def test_withdraw_closes_the_request_and_its_open_proposals(login_as, seed):
    req = seed.a.request
    meeting = make_proposal(req, make_candidate(seed.a.municipality), status="meeting")
    declined = make_proposal(req, make_candidate(seed.a.municipality), status="declined")
    response = login_as(seed.a.employer_user).post(
        f"/aanvragen/{req.id}/intrekken", {"reason": "Geen werk meer"}
    )
    assert response.status_code == 302
    req = fresh(PlacementRequest, req.id)
    assert (req.status, req.withdrawn_reason) == ("withdrawn", "Geen werk meer")
    assert req.closed_at is not None
    statuses = {p.id: fresh(Proposal, p.id).status for p in (seed.a.proposal, meeting, declined)}
    assert statuses == {seed.a.proposal.id: "withdrawn", meeting.id: "withdrawn", declined.id: "declined"}
    # The accepted proposal of the seeded placement stays accepted.
    assert fresh(Proposal, seed.a.placement.proposal_id).status == "accepted"
    assert "Geen werk meer" not in str(audit("request.withdrawn")[-1].detail)
    assert len(audit("proposal.withdrawn")) == 2


@pytest.mark.parametrize("status", ["draft", "submitted", "in_progress", "proposed"])
def test_withdraw_is_possible_while_open(login_as, seed, status):
    req = make_request(seed.a.workplace, status=status, created_by=seed.a.employer_user)
    login_as(seed.a.employer_user).post(f"/aanvragen/{req.id}/intrekken", {"reason": "Te druk"})
    assert fresh(PlacementRequest, req.id).status == "withdrawn"


@pytest.mark.parametrize("status", ["filled", "withdrawn", "expired"])
def test_closed_requests_cannot_be_withdrawn(login_as, seed, status):
    req = make_request(seed.a.workplace, status=status, created_by=seed.a.employer_user)
    before = row(PlacementRequest, req.id)
    response = login_as(seed.a.employer_user).post(f"/aanvragen/{req.id}/intrekken", {"reason": "Te druk"})
    assert response.status_code == 200
    assert "kan niet meer worden ingetrokken" in text(response)
    assert row(PlacementRequest, req.id) == before


# Take (municipal) -----------------------------------------------------------------------------------------


def test_municipal_contact_takes_a_submitted_request(login_as, seed):
    c = login_as(seed.a.municipal)
    req = seed.a.request
    assert "In behandeling nemen" in text(c.get(f"/aanvragen/{req.id}"))
    assert c.post(f"/aanvragen/{req.id}/in-behandeling").status_code == 302
    assert fresh(PlacementRequest, req.id).status == "in_progress"
    assert audit("request.taken")[-1].actor_id == seed.a.municipal.id
    before = row(PlacementRequest, req.id)
    response = c.post(f"/aanvragen/{req.id}/in-behandeling")
    assert "al in behandeling" in text(c.get(response.headers["Location"]))
    assert row(PlacementRequest, req.id) == before


# Transitions used by matching -----------------------------------------------------------------------------


def test_mark_proposed_moves_open_requests_only(seed):
    req = seed.a.request
    services.mark_proposed(req, seed.a.municipal)
    assert req.status == "proposed"
    services.mark_proposed(req, seed.a.municipal)
    assert req.status == "proposed"
    for status in ("draft", "filled", "withdrawn", "expired"):
        other = make_request(seed.a.workplace, status=status)
        with pytest.raises(DomainError):
            services.mark_proposed(other)
        assert other.status == status


def test_extra_positions_stay_open_until_all_are_filled(seed):
    req = make_request(seed.a.workplace, status="proposed", positions=2)
    first = make_proposal(req, make_candidate(seed.a.municipality), status="accepted")
    waiting = make_proposal(req, make_candidate(seed.a.municipality), status="meeting")
    services.mark_position_filled(req)
    assert req.status == "proposed"
    assert req.closed_at is None
    waiting.status = "declined"
    db.session.flush()
    services.mark_position_filled(req)
    assert req.status == "in_progress"
    make_proposal(req, make_candidate(seed.a.municipality), status="accepted")
    services.mark_position_filled(req)
    assert req.status == "filled"
    assert req.closed_at is not None
    assert first.status == "accepted"
    assert audit("request.filled")[-1].detail["accepted"] == 2
    with pytest.raises(DomainError):
        services.mark_position_filled(req)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("submit", "submitted"),
        ("submit", "withdrawn"),
        ("take", "draft"),
        ("take", "in_progress"),
        ("take", "filled"),
        ("propose", "draft"),
        ("withdraw", "expired"),
        ("expire", "draft"),
        ("expire", "filled"),
    ],
)
def test_invalid_transitions_are_refused(seed, name, status):
    req = make_request(seed.a.workplace, status=status)
    with pytest.raises(DomainError):
        services._transition(seed.a.municipal, req, name)
    assert req.status == status


def test_expire_closes_an_open_request(seed):
    services.expire_request(None, seed.a.request)
    assert seed.a.request.status == "expired"
    assert seed.a.request.closed_at is not None


def test_services_check_the_actor(seed):
    with pytest.raises(DomainError):
        services.take_request(seed.b.municipal, seed.a.request)
    with pytest.raises(DomainError):
        services.withdraw_request(seed.b.employer_user, seed.a.request, "weg")
    with pytest.raises(DomainError):
        services.update_type(seed.a.municipal, seed.a.request.placement_type, {})
    assert seed.a.request.status == "submitted"
