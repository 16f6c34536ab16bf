"""Consent per recipient and purpose: sharing the profile and showing the identity are for one employer,
receiving data is from one source; the contact records the share consent when proposing; withdrawal
counts on the very next request of every employer-facing page.

PV-2 (security.md): 0 identifying fields released to an employer without an active consent record (who,
when, scope, text version, channel); withdrawal re-pseudonymises on the next request.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import sqlalchemy as sa

from portal.candidates import disclosure
from portal.candidates.models import CONSENT_SCOPES, Consent
from portal.core.time import now_utc
from portal.extensions import db
from portal.requests.models import Proposal
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import audit, fresh, text
from tests.matching import canary as c
from tests.matching.conftest import make_site, proposals_of
from tests.matching.test_flow import propose


def consents_of(candidate, **where) -> list[Consent]:
    db.session.expire_all()
    query = sa.select(Consent).where(Consent.candidate_id == candidate.id).order_by(Consent.id)
    for name, value in where.items():
        query = query.where(getattr(Consent, name) == value)
    return list(db.session.scalars(query))


def withdraw_url(consent) -> str:
    return f"/kandidaten/{consent.candidate_id}/toestemming/{consent.id}/intrekken"


def crawl(app, client, tenant, world) -> list[tuple[str, str]]:
    """(url, leaked value) over every route an employer can reach, with ``world``'s objects."""
    found = []
    forbidden = [*c.IDENTITY.values(), *c.STAFF_ONLY.values(), *c.PROFILE.values(), c.OCCUPATION]
    for endpoint, method in c.employer_routes():
        if method != "GET":
            continue
        url = c.employer_url(app, endpoint, tenant, world)
        response = client.get(url, follow_redirects=True)
        assert response.status_code < 500, url
        found += [(url, value) for value in c.leaks(response.get_data(as_text=True), forbidden)]
    return found


# PV-2: the consent gate ------------------------------------------------------------------------------------


def test_pv2_a_consent_for_one_employer_shows_another_employer_nothing(app, seed, frozen, login_as):
    """PV-2: the candidate consented to employer X (profile and identity); employer Y, to whom the candidate
    is proposed as well, gets 0 identifying or profile fields on any page until its own consent is recorded,
    then only the agreed subset (the profile, not the name), and after withdrawal nothing again."""
    a = seed.a
    world = c.make_canary(a)  # share and reveal for a.employer (X)
    other = make_site(a)  # employer Y
    proposal = factories.make_proposal(other.request, world.candidate, proposed_by=a.municipal)
    db.session.commit()
    as_other = dataclasses.replace(world, proposal=proposal)
    employer_y = login_as(other.user)
    assert crawl(app, employer_y, a, as_other) == []
    body = text(employer_y.get(f"/voorstellen/{proposal.id}"))
    assert "De kandidaat deelt het profiel niet meer." in body
    assert world.candidate.pseudonym not in body

    # Employer X sees what its consents allow (the control: the crawl would find these values).
    body_x = text(login_as(a.employer_user).get(f"/voorstellen/{world.proposal.id}"))
    assert c.PROFILE["motivation"] in body_x
    assert c.IDENTITY["first_name"] in body_x

    # A share consent for Y: Y sees the profile, still not the name or phone (identity is X's only).
    staff = login_as(a.municipal)
    data = {
        "kind": "share_profile",
        "employer_id": str(other.employer.id),
        "method": "digital",
        "text_version": "2026-2",
        "given_on": "2026-03-10",
    }
    assert staff.post(f"/kandidaten/{world.candidate.id}/toestemming", data).status_code == 302
    [share_y] = consents_of(world.candidate, employer_id=other.employer.id)
    # The record PV-2 asks for: who, when, scope, text version, channel.
    assert (share_y.recorded_by_id, share_y.recorded_at, share_y.text_version, share_y.method) == (
        a.municipal.id,
        now_utc(),
        "2026-2",
        "digital",
    )
    assert (share_y.kind, share_y.employer_id) == ("share_profile", other.employer.id)
    employer_y = login_as(other.user)
    body = text(employer_y.get(f"/voorstellen/{proposal.id}"))
    assert c.PROFILE["motivation"] in body
    assert c.leaks(body, [*c.IDENTITY.values(), *c.STAFF_ONLY.values()]) == []

    # Withdrawal re-pseudonymises Y on the very next request; X keeps its consents.
    login_as(a.municipal).post(withdraw_url(share_y))
    employer_y = login_as(other.user)
    assert crawl(app, employer_y, a, as_other) == []
    assert fresh(Proposal, proposal.id).status == "withdrawn"
    assert fresh(Proposal, world.proposal.id).status == "meeting"
    assert disclosure.shares_profile(world.candidate.id, a.employer.id)


def test_pv2_the_overview_shows_who_when_scope_text_version_and_channel(seed, frozen, login_as):
    """PV-2: each consent on the candidate page with its recipient or source, scope, text version,
    channel, when given and recorded, by whom, and when withdrawn."""
    a = seed.a
    candidate = factories.make_candidate(a.municipality)
    factories.make_consent(candidate, employer=a.employer, recorded_by=a.municipal, method="signed_form")
    receive = factories.make_consent(
        candidate, kind="receive_data", source="coa_banenbalie", recorded_by=a.municipal, method="digital"
    )
    staff = login_as(a.municipal)
    staff.post(withdraw_url(receive))
    body = " ".join(re.sub(r"<[^>]+>", " ", text(staff.get(f"/kandidaten/{candidate.id}"))).split())
    for words in (
        "Profiel zonder naam delen met één werkgever",
        a.employer.name,
        CONSENT_SCOPES["share_profile"],
        "Schriftelijk (getekend formulier)",
        "Gegevens ontvangen van een andere organisatie",
        "COA: banenbalie",
        CONSENT_SCOPES["receive_data"],
        "Digitaal (e-mail of online formulier)",
        "2026-1",
        "10 maart 2026 om 09:00 door " + a.municipal.full_name,
        "Ingetrokken op 10 maart 2026 om 09:00 door " + a.municipal.full_name,
        "Intrekken : Profiel zonder naam delen met één werkgever voor " + a.employer.name,
    ):
        assert words in body, words


# Withdrawal on the very next request, page by page -------------------------------------------------------

#: (what is withdrawn, the employer page, what it shows before and must not show after).
NEXT_REQUEST = [
    ("share", lambda w: f"/voorstellen/{w.proposal.id}", lambda w: c.PROFILE["motivation"]),
    ("share", lambda w: f"/voorstellen/{w.proposal.id}", lambda w: c.OCCUPATION),
    ("share", lambda w: f"/aanvragen/{w.proposal.request_id}", lambda w: w.candidate.pseudonym),
    ("share", lambda w: "/", lambda w: f"/voorstellen/{w.proposal.id}"),
    ("reveal", lambda w: f"/voorstellen/{w.proposal.id}", lambda w: c.IDENTITY["phone"]),
    ("reveal", lambda w: f"/voorstellen/{w.proposal.id}", lambda w: c.IDENTITY["last_name"]),
    ("reveal", lambda w: f"/plaatsingen/{w.placement.id}", lambda w: c.IDENTITY["last_name"]),
    ("reveal", lambda w: "/plaatsingen", lambda w: c.IDENTITY["last_name"]),
    ("reveal", lambda w: "/", lambda w: c.IDENTITY["last_name"]),
]


@pytest.mark.parametrize(
    ("kind", "page", "value"),
    NEXT_REQUEST,
    ids=[f"{kind}-{n}" for n, (kind, _page, _value) in enumerate(NEXT_REQUEST)],
)
def test_withdrawal_counts_on_the_very_next_request_of_each_employer_page(
    seed, frozen, login_as, kind, page, value
):
    a = seed.a
    world = c.make_canary(a)
    db.session.commit()
    url, shown = page(world), value(world)
    employer = login_as(a.employer_user)
    assert shown in text(employer.get(url)), "the page shows it while the consent is live"
    consent = world.share if kind == "share" else world.reveal
    assert login_as(a.municipal).post(withdraw_url(consent)).status_code == 302
    employer = login_as(a.employer_user)
    assert shown not in text(employer.get(url))


# Proposing records the share consent for that employer -----------------------------------------------------


def test_proposing_without_a_consent_for_the_employer_is_refused_with_a_message(seed, site, login_as):
    candidate = factories.make_candidate(seed.a.municipality)
    factories.make_consent(candidate, employer=seed.a.employer, recorded_by=seed.a.municipal)  # another one
    response = propose(login_as(seed.a.municipal), site.request, [candidate])
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(
        f"Nog geen toestemming om het profiel met {site.employer.name} te delen voor: {candidate.pseudonym}"
        in e
        for e in errors
    ), errors
    assert proposals_of(site.request.id) == []
    assert consents_of(candidate, employer_id=site.employer.id) == []


def test_the_consent_box_names_the_employer_and_is_never_ticked(seed, site, login_as):
    factories.make_candidate(seed.a.municipality)
    body = text(login_as(seed.a.municipal).get(f"/aanvragen/{site.request.id}/kandidaten"))
    assert f"met {site.employer.name} te delen" in body
    box = body.split('id="consent_given"')[1].split(">")[0]
    assert "checked" not in box


def test_proposing_with_the_box_ticked_records_one_consent_per_candidate_for_that_employer(
    seed, site, frozen, login_as
):
    a = seed.a
    asked = factories.make_candidate(a.municipality)
    already = factories.make_candidate(a.municipality)
    earlier = factories.make_consent(already, employer=site.employer, recorded_by=a.municipal)
    staff = login_as(a.municipal)
    missing_channel = propose(staff, site.request, [asked, already], consent_given="y", consent_method="")
    assert "Kies hoe de kandidaten de toestemming gaven." in form_errors_in(text(missing_channel))
    assert proposals_of(site.request.id) == []
    response = propose(
        staff,
        site.request,
        [asked, already],
        consent_given="y",
        consent_method="conversation",
        consent_text_version="2026-3",
        confirm_warnings="y",
    )
    assert response.status_code == 302, form_errors_in(text(response))
    assert len(proposals_of(site.request.id)) == 2
    [recorded] = consents_of(asked)
    assert (recorded.kind, recorded.employer_id, recorded.method, recorded.text_version) == (
        "share_profile",
        site.employer.id,
        "conversation",
        "2026-3",
    )
    assert (recorded.recorded_by_id, recorded.recorded_at, recorded.given_at) == (
        a.municipal.id,
        now_utc(),
        now_utc(),
    )
    assert consents_of(already) == [earlier]  # no second consent for the one that had it
    [event] = [e for e in audit("consent.recorded") if e.object_id == asked.id]
    assert event.detail["via"] == "proposal"
    assert disclosure.shares_profile(asked.id, site.employer.id)
    assert not disclosure.shares_profile(asked.id, a.employer.id)  # the consent did not widen
    proposal = next(p for p in proposals_of(site.request.id) if p.candidate_id == asked.id)
    assert asked.pseudonym in text(login_as(site.user).get(f"/voorstellen/{proposal.id}"))


def test_a_candidate_who_withdrew_for_this_employer_is_not_proposed_again(seed, site, login_as):
    a = seed.a
    candidate = factories.make_candidate(a.municipality)
    consent = factories.make_consent(candidate, employer=site.employer, recorded_by=a.municipal)
    login_as(a.municipal).post(withdraw_url(consent))
    response = propose(
        login_as(a.municipal), site.request, [candidate], consent_given="y", consent_method="conversation"
    )
    assert "Kies alleen kandidaten uit de lijst." in text(response)
    assert proposals_of(site.request.id) == []
    assert len(consents_of(candidate)) == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"consent_given": "y", "consent_method": "telepathy"},
        {"consent_given": "y", "consent_method": "conversation", "consent_text_version": "x" * 500},
        {"consent_given": "y", "consent_method": "conversation", "consent_text_version": "<b>1</b>\n2"},
        {"consent_given": "y", "consent_method": "conversation", "consent_text_version": " "},
        {"consent_given": "maybe", "consent_method": ""},
    ],
)
def test_hostile_consent_fields_on_the_propose_form(seed, site, login_as, extra):
    candidate = factories.make_candidate(seed.a.municipality)
    response = propose(login_as(seed.a.municipal), site.request, [candidate], **extra)
    assert response.status_code == 200
    assert form_errors_in(text(response))
    assert "<b>1</b>" not in response.get_data(as_text=True)
    assert proposals_of(site.request.id) == []
    assert consents_of(candidate) == []


# Receiving data, and the general consent from before ------------------------------------------------------


def test_a_consent_to_receive_data_is_recorded_shown_and_withdrawn(seed, frozen, login_as):
    a = seed.a
    candidate = a.candidate
    staff = login_as(a.municipal)
    data = {
        "kind": "receive_data",
        "source": "coa_tvs",
        "method": "signed_form",
        "text_version": "2026-1",
        "given_on": "2026-03-02",
    }
    assert staff.post(f"/kandidaten/{candidate.id}/toestemming", data).status_code == 302
    [receive] = consents_of(candidate, kind="receive_data")
    assert (receive.source, receive.employer_id) == ("coa_tvs", None)
    assert "COA: screening in TVS" in text(staff.get(f"/kandidaten/{candidate.id}"))
    again = staff.post(f"/kandidaten/{candidate.id}/toestemming", data)
    assert any("al vastgelegd" in e for e in form_errors_in(text(again)))
    response = staff.post(withdraw_url(receive), follow_redirects=True)
    assert "De toestemming is ingetrokken. Dit geldt meteen." in text(response)
    assert "voorstel" not in text(response).split("Dit geldt meteen.")[1].split("<")[0]
    [event] = [e for e in audit("consent.withdrawn") if e.detail["consent_id"] == receive.id]
    assert event.detail["source"] == "coa_tvs"
    assert fresh(Proposal, a.proposal.id).status == "proposed"  # it showed no employer anything


def test_a_general_consent_from_before_shows_no_employer_anything(seed, frozen, login_as):
    a = seed.a
    candidate = factories.make_candidate(a.municipality)
    general = factories.make_consent(candidate, recorded_by=a.municipal)  # employer empty
    proposal = factories.make_proposal(a.request, candidate, proposed_by=a.municipal)
    assert not disclosure.shares_profile(candidate.id, a.employer.id)
    assert candidate.pseudonym not in text(login_as(a.employer_user).get(f"/voorstellen/{proposal.id}"))
    body = " ".join(text(login_as(a.municipal).get(f"/kandidaten/{candidate.id}")).split())
    assert "Geen enkele werkgever ziet hierdoor iets; vraag het per werkgever." in body
    assert disclosure.is_live(general)


def test_withdrawing_a_general_consent_withdraws_the_consents_converted_from_it(seed, frozen, login_as):
    a = seed.a
    candidate = factories.make_candidate(a.municipality)
    general = factories.make_consent(candidate, recorded_by=a.municipal)
    converted = factories.make_consent(
        candidate, employer=a.employer, recorded_by=a.municipal, converted_from_id=general.id
    )
    proposal = factories.make_proposal(a.request, candidate, proposed_by=a.municipal)
    assert candidate.pseudonym in text(login_as(a.employer_user).get(f"/voorstellen/{proposal.id}"))
    assert "(overgenomen uit de algemene toestemming)" in text(
        login_as(a.municipal).get(f"/kandidaten/{candidate.id}")
    )
    login_as(a.municipal).post(withdraw_url(general))
    assert not disclosure.is_live(fresh(Consent, converted.id))
    assert fresh(Proposal, proposal.id).status == "withdrawn"
    assert candidate.pseudonym not in text(login_as(a.employer_user).get(f"/voorstellen/{proposal.id}"))
    assert sorted(e.detail["consent_id"] for e in audit("consent.withdrawn")) == sorted(
        [general.id, converted.id]
    )


def test_the_home_page_lists_no_proposal_whose_consent_went_even_if_it_is_still_open(seed, frozen, login_as):
    """A race or an old row: the proposal is still open, only the consent says no."""
    a = seed.a
    world = c.make_canary(a)
    c.withdraw(world.share)
    db.session.commit()
    body = text(login_as(a.employer_user).get("/"))
    assert f"/voorstellen/{world.proposal.id}" not in body
