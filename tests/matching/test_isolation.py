"""Tenant isolation: another employer or municipality gets 404 for every proposal and placement URL."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.placements.models import Placement
from portal.requests.models import PlacementRequest, Proposal
from tests import factories
from tests.employers.conftest import row
from tests.matching.conftest import make_site, shareable


def urls(site, proposal, placement) -> list[tuple[str, str, str]]:
    """(role allowed, method, url) for every matching/placements URL with an object id."""
    return [
        ("municipal", "GET", f"/aanvragen/{site.request.id}/kandidaten"),
        ("municipal", "POST", f"/aanvragen/{site.request.id}/voorstellen"),
        ("both", "GET", f"/voorstellen/{proposal.id}"),
        ("employer", "POST", f"/voorstellen/{proposal.id}/kennismaking"),
        ("employer", "POST", f"/voorstellen/{proposal.id}/afwijzen"),
        ("employer", "POST", f"/voorstellen/{proposal.id}/aannemen"),
        ("municipal", "POST", f"/voorstellen/{proposal.id}/intrekken"),
        ("both", "GET", f"/plaatsingen/{placement.id}"),
    ]


VALID = {
    "candidate_ids": "1",
    "meeting_date": "2026-03-20",
    "meeting_time": "10:00",
    "meeting_place": "Kantoor",
    "reason": "language",
    "start_date": "2026-04-01",
    "end_date": "2026-07-01",
    "confirm_warnings": "y",
}


@pytest.mark.parametrize("who", ["other_employer_same_town", "employer_b", "municipal_b"])
def test_foreign_users_get_404_and_nothing_changes(seed, frozen, login_as, who):
    a = seed.a
    site = make_site(a)
    candidate = shareable(a)
    proposal = factories.make_proposal(site.request, candidate, status="meeting", proposed_by=a.municipal)
    placement = factories.make_placement(a, request=site.request)
    user = {
        "other_employer_same_town": a.employer_user,
        "employer_b": seed.b.employer_user,
        "municipal_b": seed.b.municipal,
    }[who]
    client = login_as(user)
    before = [
        row(Proposal, proposal.id),
        row(Placement, placement.id),
        row(PlacementRequest, site.request.id),
    ]
    statuses = []
    for allowed, method, url in urls(site, proposal, placement):
        if allowed not in ("both", user.role):
            continue
        data = dict(VALID, candidate_ids=str(candidate.id))
        response = client.open(url, method=method, data=data) if method == "POST" else client.get(url)
        statuses.append((url, response.status_code))
    assert {status for _, status in statuses} == {404}, statuses
    assert [
        row(Proposal, proposal.id),
        row(Placement, placement.id),
        row(PlacementRequest, site.request.id),
    ] == before
    assert db.session.get(Proposal, proposal.id).status == "meeting"


def test_employers_only_see_their_own_placements_in_the_list(seed, frozen, login_as):
    site = make_site(seed.a)
    mine = factories.make_placement(seed.a, request=site.request)
    body = login_as(site.user).get("/plaatsingen").get_data(as_text=True)
    assert f"/plaatsingen/{mine.id}" in body
    assert f"/plaatsingen/{seed.a.placement.id}" not in body
    assert f"/plaatsingen/{seed.b.placement.id}" not in body
    staff_body = login_as(seed.a.municipal).get("/plaatsingen").get_data(as_text=True)
    assert f"/plaatsingen/{mine.id}" in staff_body
    assert f"/plaatsingen/{seed.a.placement.id}" in staff_body
    assert f"/plaatsingen/{seed.b.placement.id}" not in staff_body


@pytest.mark.parametrize("bad", ["0", "99999999999999999999", "-1"])
def test_impossible_ids_are_404(seed, login_as, bad):
    client = login_as(seed.a.municipal)
    for url in (f"/voorstellen/{bad}", f"/plaatsingen/{bad}", f"/aanvragen/{bad}/kandidaten"):
        assert client.get(url).status_code == 404


def test_a_draft_request_is_hidden_from_matching_as_from_the_request_page(seed, frozen, login_as):
    """The employer's draft is nobody else's business: 404 on the request page and on the ranking."""
    site = make_site(seed.a, status="draft", role_title="Qzx concept-functie")
    shareable(seed.a)
    client = login_as(seed.a.municipal)
    for method, url in (
        ("GET", f"/aanvragen/{site.request.id}"),
        ("GET", f"/aanvragen/{site.request.id}/kandidaten"),
        ("POST", f"/aanvragen/{site.request.id}/voorstellen"),
    ):
        response = client.open(url, method=method, data=VALID) if method == "POST" else client.get(url)
        assert response.status_code == 404, url
        assert "Qzx concept-functie" not in response.get_data(as_text=True)
    assert db.session.get(PlacementRequest, site.request.id).status == "draft"
