"""Canary: identifying values of a candidate never reach an employer before the reveal consent."""

from __future__ import annotations

import html

import sqlalchemy as sa

from portal.core.models import OutboxEmail
from portal.extensions import db
from tests import factories
from tests.matching.conftest import make_site

CANARIES = {
    "first_name": "Qzxfirstcanary",
    "last_name": "Qzxlastcanary",
    "email": "qzx.mail.canary@example.org",
    "phone": "06 97531864",
    "home_town": "Qzxtowncanary",
}
#: The care flag must never show, in any words.
CARE_WORDS = ("Zorg gaat voor", "zorg gaat voor", "care_first")


def leaks(body: str, values) -> list[str]:
    body = html.unescape(body)
    return [value for value in values if value in body]


def employer_pages(site, proposal, placement) -> list[str]:
    return [
        "/",
        "/plaatsingen",
        f"/plaatsingen/{placement.id}",
        f"/voorstellen/{proposal.id}",
        f"/aanvragen/{site.request.id}",
        "/aanvragen",
    ]


def employer_posts(proposal) -> list[tuple[str, dict]]:
    """Form posts that re-render the proposal page (invalid input)."""
    return [
        (f"/voorstellen/{proposal.id}/kennismaking", {"meeting_date": "gisteren"}),
        (f"/voorstellen/{proposal.id}/afwijzen", {"reason": "onzin"}),
        (f"/voorstellen/{proposal.id}/aannemen", {"start_date": "x"}),
    ]


def test_no_identifying_value_on_any_employer_page_before_consent(seed, frozen, login_as):
    a = seed.a
    site = make_site(a)
    canary = factories.make_candidate(
        a.municipality, care_first=True, motivation="Ik wil graag leren en werken.", **CANARIES
    )
    factories.make_consent(canary, employer=site.employer, recorded_by=a.municipal)
    proposal = factories.make_proposal(site.request, canary, status="meeting", proposed_by=a.municipal)
    other_request = factories.make_request(site.workplace, created_by=site.user)
    placement = factories.make_placement(a, request=other_request, candidate=canary)
    employer = login_as(site.user)
    found = []
    for url in employer_pages(site, proposal, placement):
        response = employer.get(url)
        assert response.status_code == 200, url
        found += [
            (url, value)
            for value in leaks(response.get_data(as_text=True), [*CANARIES.values(), *CARE_WORDS])
        ]
    for url, data in employer_posts(proposal):
        response = employer.post(url, data)
        assert response.status_code == 200, url
        found += [
            (url, value)
            for value in leaks(response.get_data(as_text=True), [*CANARIES.values(), *CARE_WORDS])
        ]
    assert found == []
    # The profile itself is there: the employer sees the pseudonym and the motivation.
    body = html.unescape(employer.get(f"/voorstellen/{proposal.id}").get_data(as_text=True))
    assert canary.pseudonym in body
    assert "Ik wil graag leren en werken." in body

    # Plan the kennismaking and accept: the e-mails to the employer carry no identifying values either.
    employer.post(
        f"/voorstellen/{proposal.id}/kennismaking",
        {"meeting_date": "2026-03-11", "meeting_time": "10:00", "meeting_place": "Kantoor"},
    )
    mails = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to_address == site.user.email)).all()
    assert mails
    assert [m.id for m in mails if leaks(m.subject + m.body_text, CANARIES.values())] == []

    # After the reveal consent for this employer: name and phone, still no e-mail, home town or care flag.
    factories.make_consent(canary, kind="reveal_identity", employer=site.employer, recorded_by=a.municipal)
    for url in (f"/voorstellen/{proposal.id}", f"/plaatsingen/{placement.id}", "/plaatsingen"):
        body = employer.get(url).get_data(as_text=True)
        assert CANARIES["first_name"] in html.unescape(body), url
        assert leaks(body, [CANARIES["email"], CANARIES["home_town"], *CARE_WORDS]) == []


def test_consent_for_another_employer_reveals_nothing(seed, frozen, login_as):
    a = seed.a
    site = make_site(a)
    canary = factories.make_candidate(a.municipality, **CANARIES)
    factories.make_consent(canary, employer=site.employer, recorded_by=a.municipal)
    factories.make_consent(canary, kind="reveal_identity", employer=a.employer, recorded_by=a.municipal)
    proposal = factories.make_proposal(site.request, canary, proposed_by=a.municipal)
    body = login_as(site.user).get(f"/voorstellen/{proposal.id}").get_data(as_text=True)
    assert leaks(body, CANARIES.values()) == []
