"""Hostile input on every matching form: never a 500, a Dutch message beside the field, data unchanged."""

from __future__ import annotations

import pytest

from portal.placements.models import Placement
from portal.requests.models import PlacementRequest, Proposal
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, row, text
from tests.matching.conftest import proposals_of, shareable

ESCAPED_SCRIPT = "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;"
PRIVILEGED = {
    "status": "accepted",
    "role": "admin",
    "employer_id": "999",
    "municipality_id": "999",
    "proposed_by_id": "1",
    "decided_at": "2020-01-01",
    "candidate_id": "999",
    "request_id": "999",
}


def assert_refused(response, message: str | None = None):
    assert response.status_code == 200, response.status_code
    errors = form_errors_in(text(response))
    assert errors, "expected a field error"
    if message:
        assert any(message in e for e in errors), errors
    assert "<script>alert" not in response.get_data(as_text=True)


# Propose ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Kies minstens één kandidaat."),
        ({"candidate_ids": "abc"}, "Kies alleen kandidaten uit de lijst."),
        ({"candidate_ids": "1 OR 1=1"}, "Kies alleen kandidaten uit de lijst."),
        ({"candidate_ids": "99999999999999999999999"}, "Kies alleen kandidaten uit de lijst."),
        ({"note": LONG}, "Gebruik hoogstens 2000 tekens."),
        ({"note": "regel\x00nul"}, "niet zijn toegestaan"),
    ],
)
def test_propose_refuses_bad_input(seed, site, login_as, data, message):
    candidate = shareable(seed.a)
    payload = {"candidate_ids": str(candidate.id), **data} if "candidate_ids" not in data and data else data
    response = login_as(seed.a.municipal).post(f"/aanvragen/{site.request.id}/voorstellen", payload)
    assert_refused(response, message)
    assert proposals_of(site.request.id) == []


def test_propose_refuses_the_other_tenants_and_excluded_candidates(seed, site, login_as):
    foreign = factories.make_candidate(seed.b.municipality)
    factories.make_consent(foreign, employer=seed.b.employer, recorded_by=seed.b.municipal)
    care = shareable(seed.a, care_first=True)
    staff = login_as(seed.a.municipal)
    for candidate in (foreign, care, seed.b.candidate):
        response = staff.post(
            f"/aanvragen/{site.request.id}/voorstellen", {"candidate_ids": str(candidate.id)}
        )
        assert_refused(response, "Kies alleen kandidaten uit de lijst.")
    assert proposals_of(site.request.id) == []


def test_propose_keeps_hostile_text_escaped_and_ignores_privileged_fields(seed, site, login_as):
    candidate = shareable(seed.a)
    staff = login_as(seed.a.municipal)
    refused = staff.post(f"/aanvragen/{site.request.id}/voorstellen", {"note": SCRIPT})
    assert ESCAPED_SCRIPT in refused.get_data(as_text=True)
    note = f"{RTL_EMOJI} {SQL}"
    data = {"candidate_ids": [str(candidate.id), str(candidate.id)], "note": note, **PRIVILEGED}
    response = staff.post(f"/aanvragen/{site.request.id}/voorstellen", data)
    assert response.status_code == 302
    (proposal,) = proposals_of(site.request.id)
    assert (proposal.status, proposal.note, proposal.candidate_id) == ("proposed", note, candidate.id)
    assert proposal.proposed_by_id == seed.a.municipal.id


# Invite, decline, accept -----------------------------------------------------------------------------------


@pytest.fixture
def meeting(seed, site):
    return factories.make_proposal(
        site.request, shareable(seed.a), status="meeting", proposed_by=seed.a.municipal
    )


INVITE_OK = {"meeting_date": "2026-03-20", "meeting_time": "10:00", "meeting_place": "Kantoor"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"meeting_date": "morgen"}, "Vul een datum in, zoals 2026-05-01."),
        ({"meeting_date": "2026-02-30"}, "Vul een datum in"),
        ({"meeting_date": ""}, "Vul de datum in."),
        ({"meeting_time": "25:99"}, "Vul een tijd in, zoals 14:30."),
        ({"meeting_time": "'; DROP TABLE proposals; --"}, "Vul een tijd in"),
        ({"meeting_place": LONG}, "Gebruik hoogstens 200 tekens."),
        ({"meeting_place": "a\nb"}, "Gebruik in dit veld geen enter."),
        ({"meeting_place": ""}, "Vul de plaats van de kennismaking in."),
        ({"meeting_date": ["2026-03-20", "2026-03-21"]}, "Vul een datum in"),
    ],
)
def test_invite_refuses_bad_input(site, login_as, meeting, changes, message):
    before = row(Proposal, meeting.id)
    response = login_as(site.user).post(f"/voorstellen/{meeting.id}/kennismaking", {**INVITE_OK, **changes})
    assert_refused(response, message)
    assert row(Proposal, meeting.id) == before


def test_invite_escapes_script_and_ignores_privileged_fields(site, login_as, meeting):
    client = login_as(site.user)
    refused = client.post(
        f"/voorstellen/{meeting.id}/kennismaking", {"meeting_date": "x", "meeting_place": SCRIPT}
    )
    assert ESCAPED_SCRIPT in refused.get_data(as_text=True)
    place = f"{RTL_EMOJI} {SQL}"
    response = client.post(
        f"/voorstellen/{meeting.id}/kennismaking", {**INVITE_OK, "meeting_place": place, **PRIVILEGED}
    )
    assert response.status_code == 302
    saved = row(Proposal, meeting.id)
    proposal = Proposal.__table__.c
    assert saved[list(proposal.keys()).index("status")] == "meeting"
    assert saved[list(proposal.keys()).index("meeting_place")] == place


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Kies een reden."),
        ({"reason": "hacked"}, "Kies een reden uit de lijst."),
        ({"reason": "language", "text": LONG}, "Gebruik hoogstens 1000 tekens."),
        ({"reason": "other", "text": ""}, "Vul de reden in als u 'Een andere reden' kiest."),
        ({"reason": ["language", "other"]}, None),
    ],
)
def test_decline_refuses_bad_input(site, login_as, meeting, data, message):
    before = row(Proposal, meeting.id)
    response = login_as(site.user).post(f"/voorstellen/{meeting.id}/afwijzen", data)
    if message is None:  # a duplicated field: the first value counts, never a 500
        assert response.status_code in (200, 302)
        return
    assert_refused(response, message)
    assert row(Proposal, meeting.id) == before


def test_decline_escapes_script(site, login_as, meeting):
    response = login_as(site.user).post(f"/voorstellen/{meeting.id}/afwijzen", {"text": SCRIPT})
    assert_refused(response, "Kies een reden.")
    assert ESCAPED_SCRIPT in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Vul de startdatum in."),
        ({"start_date": "eerste april", "end_date": "2026-07-01"}, "Vul een datum in"),
        ({"start_date": "2026-04-01", "end_date": SQL}, "Vul een datum in"),
        ({"start_date": "2026-04-01", "end_date": "2026-04-02"}, "duurt 13 tot 52 weken"),
        ({"start_date": "9999-99-99", "end_date": "2026-07-01"}, "Vul een datum in"),
        ({"start_date": "2026-04-01", "end_date": LONG}, "Vul een datum in"),
    ],
)
def test_accept_refuses_bad_input(seed, site, login_as, meeting, data, message):
    before = row(Proposal, meeting.id)
    response = login_as(site.user).post(f"/voorstellen/{meeting.id}/aannemen", data)
    assert_refused(response, message)
    assert row(Proposal, meeting.id) == before
    assert row(PlacementRequest, site.request.id)[0] == site.request.id


def test_accept_ignores_privileged_fields(seed, site, login_as, meeting):
    data = {"start_date": "2026-04-01", "end_date": "2026-07-01", **PRIVILEGED, "contact_id": "999"}
    assert login_as(site.user).post(f"/voorstellen/{meeting.id}/aannemen", data).status_code == 302
    from portal.extensions import db

    placement = db.session.query(Placement).filter_by(proposal_id=meeting.id).one()
    assert placement.contact_id == seed.a.municipal.id
    assert placement.employer_id == site.employer.id
    assert placement.status == "planned"


def test_forms_without_csrf_are_refused(site, login_as, meeting):
    client = login_as(site.user)
    response = client.post(f"/voorstellen/{meeting.id}/aannemen", INVITE_OK, csrf=False)
    assert response.status_code == 400
