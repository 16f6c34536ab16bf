"""Every home page lists what waits on that person, newest first, each with its one next action:
the employer's proposed candidates and concepts, the contact's new requests and placements to start,
the jobcoach's placements to start. The lists stay one query each, however long they get."""

from __future__ import annotations

from datetime import timedelta

import lxml.html

from portal.core.time import now_utc
from portal.extensions import db
from tests import factories
from tests.placements.conftest import text


def todo(html: str, section_id: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(text, [(action text, href)]) of every item of one home page section's to-do list."""
    tree = lxml.html.document_fromstring(html)
    items = tree.xpath(
        f"//section[@aria-labelledby='{section_id}']//li[contains(@class, 'werkbrug-todo__item')]"
    )
    return [
        (
            " ".join(item.xpath("string(p)").split()),
            [
                (" ".join(a.text_content().split()), a.get("href"))
                for a in item.xpath(".//a[contains(@class, 'button-link')]")
            ],
        )
        for item in items
    ]


def _proposal(tenant, request, status="proposed", minutes_ago=0, **kw):
    candidate = factories.make_candidate(tenant.municipality)
    factories.make_consent(candidate, employer=tenant.employer, recorded_by=tenant.municipal)
    proposal = factories.make_proposal(request, candidate, status=status, proposed_by=tenant.municipal, **kw)
    proposal.created_at = now_utc() - timedelta(minutes=minutes_ago)
    return proposal


# Employer ---------------------------------------------------------------------------------------------------


def test_employer_home_has_a_new_request_button(seed, login_as):
    tree = lxml.html.document_fromstring(login_as(seed.a.employer_user).get("/").get_data(as_text=True))
    (button,) = tree.xpath("//main//a[normalize-space()='Nieuwe aanvraag']")
    assert button.get("href") == "/aanvragen/nieuw"
    assert "primary-action" in button.get("class")


def test_employer_home_lists_proposed_candidates_newest_first_by_pseudonym(seed, login_as):
    a = seed.a
    a.proposal.created_at = now_utc() - timedelta(days=2)
    meeting = _proposal(a, a.request, "meeting", minutes_ago=60, meeting_at=now_utc() + timedelta(days=3))
    newest = _proposal(a, a.request, minutes_ago=1)
    declined = _proposal(a, a.request, "declined")
    other_employer = _proposal(seed.b, seed.b.request)
    db.session.commit()

    page = login_as(a.employer_user).get("/").get_data(as_text=True)
    items = todo(page, "voorstellen-titel")
    assert [item[0].split()[0] for item in items] == [
        newest.candidate.pseudonym,
        meeting.candidate.pseudonym,
        a.proposal.candidate.pseudonym,
    ]
    assert all(len(actions) == 1 for _text, actions in items)  # one next action each
    assert items[0][1] == [
        (
            f"Profiel bekijken en kennismaking plannen: {newest.candidate.pseudonym}",
            f"/voorstellen/{newest.id}",
        )
    ]
    assert items[1][1][0][1] == f"/voorstellen/{meeting.id}#aannemen"
    assert "Kennismaking op" in items[1][0]
    assert a.request.role_title in items[0][0]
    for candidate in (newest.candidate, meeting.candidate, a.proposal.candidate):
        assert candidate.full_name not in page  # pseudonym only
    assert declined.candidate.pseudonym not in page
    assert other_employer.candidate.pseudonym not in page


def test_employer_home_lists_concepts_with_a_link_to_finish_them(seed, login_as):
    draft = factories.make_request(seed.a.workplace, status="draft", role_title="Hulp in de bakkerij")
    factories.make_request(seed.b.workplace, status="draft", role_title="Concept van B")
    db.session.commit()
    page = login_as(seed.a.employer_user).get("/").get_data(as_text=True)
    items = todo(page, "concepten-titel")
    assert len(items) == 1
    assert items[0][0].startswith("Hulp in de bakkerij")
    assert items[0][1] == [("Afmaken en indienen: Hulp in de bakkerij", f"/aanvragen/{draft.id}/bewerken")]
    assert "Concept van B" not in page


def test_employer_home_says_when_nothing_is_proposed(seed, login_as):
    seed.a.proposal.status = "declined"
    db.session.commit()
    page = text(login_as(seed.a.employer_user).get("/"))
    assert "Er wachten geen voorgestelde kandidaten op uw besluit." in page
    assert "concepten-titel" not in page


def test_employer_home_lists_stay_one_query_each(seed, login_as, count_queries, no_page_cache):
    client = login_as(seed.a.employer_user)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(12):
        _proposal(seed.a, seed.a.request, minutes_ago=n)
        factories.make_request(seed.a.workplace, status="draft")
    db.session.commit()
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert many.count == few.count
    assert len(todo(page, "voorstellen-titel")) == 10
    assert "Bekijk ze bij uw aanvragen" in page
    assert "Alle concepten bekijken" in page


# Municipal contact ------------------------------------------------------------------------------------------


def test_contact_home_lists_new_requests_newest_first_with_one_action(seed, login_as):
    a = seed.a
    a.request.submitted_at = now_utc() - timedelta(days=3)
    taken = factories.make_request(
        a.workplace, status="in_progress", role_title="Kok", submitted_at=now_utc() - timedelta(days=1)
    )
    lonely = factories.make_employer(a.municipality, name="Zonder Contact B.V.")
    no_contact = factories.make_request(factories.make_workplace(lonely), role_title="Schoonmaker")
    colleague = factories.make_user("municipal", a.municipality)
    theirs = factories.make_employer(a.municipality, name="Van Een Collega B.V.", contact_id=colleague.id)
    factories.make_request(factories.make_workplace(theirs), role_title="Niet van mij")
    factories.make_request(a.workplace, status="proposed", role_title="Al voorgesteld")
    factories.make_request(a.workplace, status="filled", role_title="Al vervuld")
    factories.make_request(a.workplace, status="draft", role_title="Nog concept")
    db.session.commit()

    page = login_as(a.municipal).get("/").get_data(as_text=True)
    items = todo(page, "nieuwe-aanvragen-titel")
    assert [item[0].split(" bij ")[0] for item in items] == ["Schoonmaker", "Kok", a.request.role_title]
    assert items[0][1] == [
        ("Kandidaten zoeken: Schoonmaker, Zonder Contact B.V.", f"/aanvragen/{no_contact.id}/kandidaten")
    ]
    assert "In behandeling" in items[1][0]
    assert f"/aanvragen/{taken.id}/kandidaten" == items[1][1][0][1]
    for hidden in ("Niet van mij", "Al voorgesteld", "Al vervuld", "Nog concept"):
        assert hidden not in page


def test_contact_home_lists_placements_to_start_newest_first(seed, login_as):
    a = seed.a
    a.placement.created_at = now_utc() - timedelta(days=5)
    newer = factories.make_placement(a)
    started = factories.make_placement(a, status="onboarding")
    colleague = factories.make_user("municipal", a.municipality)
    theirs = factories.make_placement(a)
    theirs.contact_id = colleague.id
    db.session.commit()
    page = login_as(a.municipal).get("/").get_data(as_text=True)
    items = todo(page, "starten-lijst-titel")
    assert [item[0].split(" – ")[0] for item in items] == [
        newer.candidate.pseudonym,
        a.placement.candidate.pseudonym,
    ]
    assert items[0][1] == [
        (
            f"Start vastleggen: {newer.candidate.pseudonym} – {newer.candidate.full_name}",
            f"/plaatsingen/{newer.id}#starten-titel",
        )
    ]
    assert started.candidate.pseudonym not in page.split("starten-lijst-titel")[1]
    assert theirs.candidate.pseudonym not in page
    detail = login_as(a.municipal).get(f"/plaatsingen/{newer.id}").get_data(as_text=True)
    assert 'id="starten-titel"' in detail  # the link lands on the start form


def test_contact_home_lists_stay_one_query_each(seed, login_as, count_queries, no_page_cache):
    client = login_as(seed.a.municipal)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for _ in range(12):
        factories.make_request(seed.a.workplace)
        factories.make_placement(seed.a)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/").get_data(as_text=True)
    assert many.count == few.count
    assert len(todo(page, "nieuwe-aanvragen-titel")) == 10
    assert len(todo(page, "starten-lijst-titel")) == 10
    assert "Alle open aanvragen bekijken" in page


# Jobcoach ---------------------------------------------------------------------------------------------------


def test_jobcoach_home_lists_assigned_placements_to_start(seed, login_as):
    a = seed.a
    mine = factories.make_placement(a, jobcoach_id=a.jobcoach.id)
    page = login_as(a.jobcoach).get("/").get_data(as_text=True)
    assert "starten-lijst-titel" in page
    items = todo(page, "starten-lijst-titel")
    assert [item[0].split(" – ")[0] for item in items] == [mine.candidate.pseudonym]
    label = f"{mine.candidate.pseudonym} – {mine.candidate.full_name}"
    assert items[0][1] == [(f"Plaatsing bekijken: {label}", f"/plaatsingen/{mine.id}")]
    assert a.placement.candidate.pseudonym not in page.split("starten-lijst-titel")[1]


def test_jobcoach_home_without_placements_to_start_has_no_such_section(seed, login_as):
    assert "starten-lijst-titel" not in login_as(seed.a.jobcoach).get("/").get_data(as_text=True)
