"""A withdrawn consent counts on every employer page, form and unsent e-mail, from the very next request."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.candidates.services import withdraw_consent
from portal.core.errors import DomainError
from portal.core.models import OutboxEmail
from portal.core.outbox import send_pending
from portal.extensions import db
from portal.requests.models import Proposal
from tests import factories
from tests.employers.conftest import audit, emails, fresh, row, text
from tests.matching import canary as c
from tests.matching.conftest import make_site

INVITE = {"meeting_date": "2026-03-12", "meeting_time": "14:30", "meeting_place": "Kantine"}
PROFILE_GONE = "De kandidaat deelt het profiel niet meer."


def withdraw_url(consent) -> str:
    return f"/kandidaten/{consent.candidate_id}/toestemming/{consent.id}/intrekken"


# Withdrawing the consent to share the profile -----------------------------------------------------------


def test_withdrawal_ends_the_open_proposals_to_that_employer_only(seed, frozen, login_as):
    a = seed.a
    candidate = factories.make_candidate(a.municipality)
    first, second, third = make_site(a), make_site(a), make_site(a)
    shares = {
        site.employer.id: factories.make_consent(candidate, employer=site.employer, recorded_by=a.municipal)
        for site in (first, second, third)
    }
    proposed = factories.make_proposal(first.request, candidate, proposed_by=a.municipal)
    meeting = factories.make_proposal(second.request, candidate, status="meeting", proposed_by=a.municipal)
    declined = factories.make_proposal(
        third.request, candidate, status="declined", decline_reason="language", proposed_by=a.municipal
    )
    employer = login_as(second.user)
    assert employer.post(f"/voorstellen/{meeting.id}/kennismaking", INVITE).status_code == 302

    staff = login_as(a.municipal)
    response = staff.post(withdraw_url(shares[second.employer.id]), follow_redirects=True)
    assert "De toestemming is ingetrokken. Dit geldt meteen." in text(response)
    assert "Het open voorstel aan een werkgever is ingetrokken. De werkgever krijgt een e-mail." in text(
        response
    )
    assert [fresh(Proposal, p.id).status for p in (proposed, meeting, declined)] == [
        "proposed",
        "withdrawn",
        "declined",
    ]
    [event] = [e for e in audit("proposal.withdrawn") if e.object_id in (proposed.id, meeting.id)]
    assert (event.object_id, event.detail["reason"], event.actor_id) == (
        meeting.id,
        "consent_withdrawn",
        a.municipal.id,
    )
    notes = emails("matching/withdrawn")
    assert sorted(m.to_address for m in notes) == sorted(u.email for u in (second.user, second.colleague))
    for note in notes:
        assert candidate.pseudonym not in note.subject + note.body_text
        assert candidate.first_name not in note.body_text
        assert "is ingetrokken" in note.body_text
    [second_note] = [m for m in notes if m.to_address == second.user.email]
    assert "De kennismaking van 12 maart 2026 om 14:30 gaat niet door." in second_note.body_text
    # The first employer still sees the profile; withdrawing its consent as well ends that proposal too.
    assert candidate.pseudonym in text(login_as(first.user).get(f"/voorstellen/{proposed.id}"))
    login_as(a.municipal).post(withdraw_url(shares[first.employer.id]))
    assert fresh(Proposal, proposed.id).status == "withdrawn"
    assert PROFILE_GONE in text(login_as(first.user).get(f"/voorstellen/{proposed.id}"))


def test_unsent_mail_showing_the_proposal_to_the_employer_is_cancelled(seed, frozen, login_as):
    a = seed.a
    site = make_site(a)
    candidate = factories.make_candidate(a.municipality)
    share = factories.make_consent(candidate, employer=site.employer, recorded_by=a.municipal)
    other = make_site(a)
    factories.make_consent(candidate, employer=other.employer, recorded_by=a.municipal)
    elsewhere = factories.make_proposal(other.request, candidate, proposed_by=a.municipal)
    proposal = factories.make_proposal(site.request, candidate, proposed_by=a.municipal)
    employer = login_as(site.user)
    assert employer.post(f"/voorstellen/{proposal.id}/kennismaking", INVITE).status_code == 302
    meeting_mails = emails("matching/meeting")
    to_employer = {m.id for m in meeting_mails if m.to_address in (site.user.email, site.colleague.email)}
    to_contact = {m.id for m in meeting_mails} - to_employer
    assert to_employer
    assert to_contact
    assert login_as(other.user).post(f"/voorstellen/{elsewhere.id}/kennismaking", INVITE).status_code == 302
    to_other = {
        m.id for m in emails("matching/meeting") if m.to_address in (other.user.email, other.colleague.email)
    }
    assert to_other

    withdraw_consent(a.municipal, candidate, share)
    db.session.commit()

    statuses = {m.id: m.status for m in emails("matching/meeting")}
    assert {statuses[i] for i in to_employer} == {"cancelled"}
    assert {statuses[i] for i in to_contact} == {"pending"}
    assert {statuses[i] for i in to_other} == {"pending"}  # the other employer still may see the proposal
    assert fresh(Proposal, elsewhere.id).status == "meeting"
    [event] = audit("outbox.cancelled")
    assert event.detail == {"reason": "consent_withdrawn", "message_ids": sorted(to_employer)}
    pending = len([m for m in emails() if m.status == "pending"])
    counts = send_pending()
    assert counts["sent"] == pending
    sent = set(db.session.scalars(sa.select(OutboxEmail.id).where(OutboxEmail.status == "sent")))
    assert sent.isdisjoint(to_employer)


def test_an_identity_withdrawal_ends_no_proposal(seed, frozen, login_as):
    a = seed.a
    world = c.make_canary(a)
    login_as(a.municipal).post(withdraw_url(world.reveal))
    assert fresh(Proposal, world.proposal.id).status == "meeting"
    assert emails("matching/withdrawn") == []


# The proposal page and its forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["service", "database only"])
def test_the_employer_sees_that_the_proposal_was_withdrawn_without_the_profile(seed, frozen, login_as, how):
    """Also when a proposal is still open (a race, an old row): the page asks for the live consent."""
    a = seed.a
    world = c.make_canary(a)
    if how == "service":
        withdraw_consent(a.municipal, world.candidate, world.share)
    else:
        c.withdraw(world.share)
    db.session.commit()
    body = text(login_as(a.employer_user).get(f"/voorstellen/{world.proposal.id}"))
    assert PROFILE_GONE in body
    assert "U kunt niets meer doen met dit voorstel." in body
    assert ("en is het voorstel ingetrokken" in body) == (how == "service")
    found = c.leaks(
        body, [world.candidate.pseudonym, *c.IDENTITY.values(), *c.PROFILE.values(), c.OCCUPATION]
    )
    assert found == []
    assert "Gemotiveerd en leert snel." not in body  # the contact's note is about the candidate
    for action in ("kennismaking", "aannemen", "afwijzen"):
        assert f"/voorstellen/{world.proposal.id}/{action}" not in body
    staff_body = text(login_as(a.municipal).get(f"/voorstellen/{world.proposal.id}"))
    assert "De kandidaat deelt het profiel niet meer met deze werkgever." in staff_body
    assert c.PROFILE["motivation"] in staff_body


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("kennismaking", INVITE),
        ("afwijzen", {"reason": "language"}),
        ("aannemen", {"start_date": "2026-04-01", "end_date": "2026-07-01"}),
        ("kennismaking", {"meeting_date": "onzin"}),
    ],
)
def test_invite_decline_and_accept_are_refused_with_a_dutch_message(seed, frozen, login_as, action, data):
    a = seed.a
    world = c.make_canary(a)
    c.withdraw(world.share)  # the proposal is still open: only the consent says no
    db.session.commit()
    before = row(Proposal, world.proposal.id)
    outbox_before = len(emails())
    employer = login_as(a.employer_user)
    response = employer.post(f"/voorstellen/{world.proposal.id}/{action}", data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/voorstellen/{world.proposal.id}"
    body = text(employer.get(response.headers["Location"]))
    assert "De kandidaat deelt het profiel niet meer. Daarom is dit voorstel ingetrokken" in body
    assert row(Proposal, world.proposal.id) == before
    assert len(emails()) == outbox_before
    assert audit("proposal.meeting_changed") == audit("proposal.declined") == audit("proposal.accepted") == []


def test_the_services_refuse_as_well(seed, frozen):
    from datetime import date, time

    from portal.matching import services

    a = seed.a
    world = c.make_canary(a)
    c.withdraw(world.share)
    for call in (
        lambda: services.plan_meeting(a.employer_user, world.proposal, date(2026, 3, 12), time(10), "Hier"),
        lambda: services.decline(a.employer_user, world.proposal, "language", None),
        lambda: services.accept(a.employer_user, world.proposal, date(2026, 4, 1), date(2026, 7, 1)),
    ):
        with pytest.raises(DomainError, match="deelt het profiel niet meer"):
            call()


# Every route an employer can reach -------------------------------------------------------------------------

STATES = ["identity never given", "identity withdrawn", "profile withdrawn", "every consent given"]


def _prepare(seed, state: str) -> c.Canary:
    a = seed.a
    world = c.make_canary(a)
    if state == "every consent given":
        pass
    elif state == "identity never given":
        db.session.delete(world.reveal)
    elif state == "identity withdrawn":
        withdraw_consent(a.municipal, world.candidate, world.reveal)
    else:
        db.session.delete(world.reveal)
        withdraw_consent(a.municipal, world.candidate, world.share)
    db.session.commit()
    return world


def _forbidden(state: str) -> list[str]:
    """What the employer may not see: staff-only columns and the care flag ever; the name and phone (what
    ``disclosure.identity_for_employer`` gives) only with the live identity consent; the profile only while
    the candidate shares it."""
    values = [*c.STAFF_ONLY.values(), *c.CARE_WORDS]
    if state != "every consent given":
        values += c.IDENTITY.values()
    if state == "profile withdrawn":
        values += [*c.PROFILE.values(), c.OCCUPATION]
    return values


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("endpoint", "method"), c.employer_routes())
def test_every_employer_route_follows_the_consent(app, seed, frozen, login_as, endpoint, method, state):
    world = _prepare(seed, state)
    url = c.employer_url(app, endpoint, seed.a, world)
    employer = login_as(seed.a.employer_user)
    proposal_before = row(Proposal, world.proposal.id)
    if method == "GET":
        response = employer.get(url, follow_redirects=True)
    else:
        response = employer.post(url, {"reason": "language", **INVITE}, follow_redirects=True)
    assert response.status_code < 500, url
    assert c.leaks(response.get_data(as_text=True), _forbidden(state)) == [], url
    to_employer = [m for m in emails() if m.to_address == seed.a.employer_user.email]
    assert [m.dedupe_key for m in to_employer if c.leaks(m.subject + m.body_text, _forbidden(state))] == []
    if state == "profile withdrawn" and url.startswith(f"/voorstellen/{world.proposal.id}"):
        assert PROFILE_GONE in text(response)
        assert row(Proposal, world.proposal.id) == proposal_before


def test_with_every_consent_the_employer_sees_name_and_profile_but_nothing_staff_only(seed, frozen, login_as):
    """The control of the crawl above: the canary's own pages do show what disclosure allows, so a page that
    leaves the candidate out entirely cannot pass for one that filters it."""
    world = _prepare(seed, "every consent given")
    employer = login_as(seed.a.employer_user)
    proposal = text(employer.get(f"/voorstellen/{world.proposal.id}"))
    placement = text(employer.get(f"/plaatsingen/{world.placement.id}"))
    for body in (proposal, placement):
        assert c.IDENTITY["first_name"] in body
        assert c.leaks(body, _forbidden("every consent given")) == []
    assert c.IDENTITY["phone"] in proposal
    assert c.PROFILE["motivation"] in proposal


def test_the_crawl_covers_every_identifying_column():
    """A new identifying column of Candidate needs a canary (and so a place in this crawl)."""
    assert c.identifying_columns() == set(c.IDENTITY) | set(c.STAFF_ONLY)


def test_the_crawl_reaches_the_proposal_and_placement_routes():
    endpoints = {endpoint for endpoint, _ in c.employer_routes()}
    assert {
        "matching.proposal",
        "matching.invite",
        "matching.decline",
        "matching.accept",
        "placements.detail",
        "placements.log_week",
        "placements.index",
        "requests.detail",
        "main.home",
        "tasks.index",
        "visits.confirm",
    } <= endpoints
