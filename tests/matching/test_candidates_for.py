"""The municipal contact's ranking page: the best 25 and more on request, exclusions counted per reason
(and listed on request), one audit event per page view, guardrails and a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
import sqlalchemy as sa

from portal.candidates.models import Consent
from portal.core.audit import CANDIDATES_LISTED
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.core.time import now_utc
from portal.extensions import db
from portal.matching import queries, rules, services
from portal.requests.models import PlacementRequest
from tests import factories
from tests.employers.conftest import audit, emails, fresh, text
from tests.matching.conftest import START, make_site, proposals_of, shareable

CONFIRM = "Ik heb de waarschuwing gelezen en stel toch voor"


def url(request, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/aanvragen/{request.id}/kandidaten" + (f"?{query}" if query else "")


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.get_data(as_text=True))


def has_class(name: str) -> str:
    """XPath test: the element has this class."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def rows(tree) -> list:
    return tree.xpath(f"//li[{has_class('werkbrug-match')}]")


def ranked_pseudonyms(tree) -> list[str]:
    """The pseudonyms of the ranked rows, in order."""
    return [row.xpath(".//label")[0].text_content().split(" – ")[0] for row in rows(tree)]


def checked(tree) -> list[str]:
    return [box.get("value") for box in tree.xpath("//input[@name='candidate_ids'][@checked]")]


def excluded_table(tree) -> dict[str, int]:
    """Reason → number, from the table of candidates that cannot be proposed."""
    table = tree.xpath("//h2[@id='niet-voorstellen']/following-sibling::div[1]//tbody/tr")
    return {row[0].text_content().strip(): int(row[1].text_content()) for row in table}


def listed(tree) -> list[str]:
    """The candidates listed for the chosen exclusion reason."""
    return [li.text_content() for li in tree.xpath("//h3[@id='reden']/following-sibling::ul[1]/li")]


def withdraw_consents(candidate) -> None:
    db.session.execute(
        sa.update(Consent).where(Consent.candidate_id == candidate.id).values(withdrawn_at=now_utc())
    )


def listings() -> list[AuditEvent]:
    return audit(CANDIDATES_LISTED)


@pytest.fixture
def town(frozen):
    """A municipality of its own (no candidates yet) with a taalstage request."""
    tenant = factories.make_tenant("Gemeente Ranking")
    return make_site(tenant), tenant


def many(tenant, n: int, **kw) -> list:
    return [shareable(tenant, **kw) for _ in range(n)]


# What is shown --------------------------------------------------------------------------------------------


def test_ranked_with_reasons_and_excluded_counted_per_reason(town, seed, login_as):
    site, t = town
    good = shareable(t, pseudonym="K-2026-9001", dutch_level="B1", certificates="VCA")
    weak = shareable(t, pseudonym="K-2026-9002", dutch_level="geen", hours_per_week=4, home_town="Best")
    asked = factories.make_candidate(t.municipality, pseudonym="K-2026-9003")  # no consent yet: ask it
    withdrawn = factories.make_candidate(t.municipality, pseudonym="K-2026-9010")
    factories.make_consent(withdrawn, employer=site.employer, recorded_by=t.municipal, withdrawn_at=now_utc())
    elsewhere = factories.make_candidate(t.municipality, pseudonym="K-2026-9012")  # withdrew for another
    factories.make_consent(elsewhere, employer=t.employer, recorded_by=t.municipal, withdrawn_at=now_utc())
    shareable(t, pseudonym="K-2026-9004", care_first=True)
    shareable(t, pseudonym="K-2026-9005", status="placed")
    shareable(t, pseudonym="K-2026-9006", status="inactive")
    shareable(t, pseudonym="K-2026-9011", status="inactive", care_first=True)  # the first reason counts
    proposed = shareable(t, pseudonym="K-2026-9007")
    factories.make_proposal(site.request, proposed, proposed_by=t.municipal)
    shareable(t, pseudonym="K-2026-9009", work_readiness="nog_niet")
    other_town = factories.make_candidate(seed.b.municipality, pseudonym="K-2026-9008")

    tree = page(login_as(t.municipal).get(url(site.request)))
    assert ranked_pseudonyms(tree) == [good.pseudonym, asked.pseudonym, elsewhere.pseudonym, weak.pseudonym]
    body = tree.text_content()
    consent_words = {
        p: " ".join(tree.xpath(f"string(//*[@id='toestemming-{c.id}'])").split())
        for p, c in ((good.pseudonym, good), (asked.pseudonym, asked), (elsewhere.pseudonym, elsewhere))
    }
    assert consent_words == {
        good.pseudonym: "Toestemming: gegeven",
        asked.pseudonym: "Toestemming: nog vragen",
        elsewhere.pseudonym: "Toestemming: nog vragen",
    }
    assert "Taal: Past deels." in body
    assert "Nederlands geen; gevraagd is A1." in body
    assert "Reisafstand: Past deels." in body
    assert "Werkfit: Past." in body
    assert excluded_table(tree) == {
        "Is al geplaatst.": 1,
        "Is nu niet beschikbaar.": 2,
        "Heeft de toestemming om het profiel met deze werkgever te delen ingetrokken.": 1,
        "Zorg gaat voor.": 1,
        "Is al voorgesteld voor deze aanvraag.": 1,
        "Is nog niet klaar voor een taalstage.": 1,
    }
    # Excluded candidates are counted, not named, until the contact asks who they are.
    for pseudonym in ("K-2026-9010", "K-2026-9004", "K-2026-9005", "K-2026-9007", "K-2026-9009"):
        assert pseudonym not in body
    assert other_town.pseudonym not in body
    # Each reason lists exactly the candidates it counts.
    expected = {
        "placed": ["K-2026-9005"],
        "inactive": ["K-2026-9006", "K-2026-9011"],
        "consent_withdrawn": ["K-2026-9010"],
        "care_first": ["K-2026-9004"],
        "proposed": ["K-2026-9007"],
        "readiness": ["K-2026-9009"],
    }
    for code, pseudonyms in expected.items():
        names = listed(page(login_as(t.municipal).get(url(site.request, reden=code))))
        assert [name.split(" – ")[0] for name in names] == pseudonyms, code


def test_the_sql_checks_the_reasons_in_the_rules_order(site):
    assert queries.exclusion_codes(site.request) == list(rules.EXCLUSION_REASONS)


def test_a_reason_lists_its_candidates_page_by_page(town, login_as):
    site, t = town
    shareable(t)
    no_consent = sorted(
        (factories.make_candidate(t.municipality) for _ in range(27)), key=lambda c: c.pseudonym
    )
    for candidate in no_consent:
        factories.make_consent(
            candidate, employer=site.employer, recorded_by=t.municipal, withdrawn_at=now_utc()
        )
    staff = login_as(t.municipal)
    first = page(staff.get(url(site.request, reden="consent_withdrawn")))
    names = listed(first)
    assert [name.split(" – ")[0] for name in names] == [c.pseudonym for c in no_consent[:25]]
    assert names[0] == f"{no_consent[0].pseudonym} – {no_consent[0].full_name}"
    assert "Pagina 1 van 2" in first.text_content()
    second = page(staff.get(url(site.request, reden="consent_withdrawn", page=2)))
    assert [name.split(" – ")[0] for name in listed(second)] == [c.pseudonym for c in no_consent[25:]]
    for hostile in ("'; DROP TABLE candidates; --", "placed", "", "%00", "x" * 5000):
        tree = page(staff.get(url(site.request, reden=hostile, page="-1")))
        assert tree.xpath("//*[@id='reden']") == []


def test_readiness_counts_for_the_placement_type(seed, frozen, login_as):
    trial = make_site(seed.a, code="proefplaatsing", dutch_level="A1")
    language = make_site(seed.a, dutch_level="A1")
    ready = shareable(seed.a, plan_c="magazijn")
    activation = shareable(seed.a, plan_c="magazijn", work_readiness="activering")
    staff = login_as(seed.a.municipal)

    tree = page(staff.get(url(trial.request)))
    assert ready.pseudonym in ranked_pseudonyms(tree)
    assert activation.pseudonym not in ranked_pseudonyms(tree)
    assert excluded_table(tree)["Is nog niet klaar voor een proefplaatsing."] == 1
    assert listed(page(staff.get(url(trial.request, reden="readiness")))) == [
        f"{activation.pseudonym} – {activation.full_name} (eerst activering)"
    ]

    tree = page(staff.get(url(language.request)))
    assert activation.pseudonym in ranked_pseudonyms(tree)
    assert "Volgens het profiel: eerst activering. Dat past bij een taalstage." in tree.text_content()


def test_each_row_is_compact_with_the_reasons_folded(town, login_as):
    site, t = town
    candidate = shareable(t, dutch_level="A1", home_town="Best")
    perfect = shareable(t, plan_c="magazijn")
    tree = page(login_as(t.municipal).get(url(site.request)))
    assert ranked_pseudonyms(tree) == [perfect.pseudonym, candidate.pseudonym]
    best, row = rows(tree)
    score = row.xpath(f".//*[{has_class('werkbrug-match__score')}]")[0].text_content()
    assert score.split()[1:] == ["van", "100"]
    shown = " ".join(row.text_content().split())
    assert shown.count(" ".join(score.split())) == 1  # the score is shown once
    (details,) = row.xpath(".//details")
    assert details.get("open") is None
    summary = " ".join(details.xpath("summary")[0].text_content().split())
    assert summary == "≈ Past deels: Reisafstand; ✘ Past niet: ABC-plan en sector. De rest past. Waarom?"
    assert " ".join(best.xpath(".//summary")[0].text_content().split()) == "✔ Past op alle punten. Waarom?"
    assert len(details.xpath(".//li")) == 7
    (box,) = row.xpath(".//input[@type='checkbox']")
    assert box.get("value") == str(candidate.id)
    (label,) = tree.xpath(f"//label[@for='{box.get('id')}']")
    assert label.text_content() == f"{candidate.pseudonym} – {candidate.full_name}"
    described = [
        tree.xpath(f"//*[@id='{ref}']")[0].text_content() for ref in box.get("aria-describedby").split()
    ]
    assert described[0] == score
    assert described[1].startswith("≈ Past deels")
    # The propose button stays in view at the bottom of the screen while the list scrolls.
    buttons = tree.xpath(f"//*[{has_class('werkbrug-sticky-actions')}]//button[@type='submit']")
    assert [b.text_content() for b in buttons] == ["Kandidaten voorstellen"]


def test_the_best_25_first_then_more_on_request(town, login_as):
    site, t = town
    strong = many(t, 3, plan_c="magazijn")
    rest = many(t, 29)
    staff = login_as(t.municipal)

    tree = page(staff.get(url(site.request)))
    shown = ranked_pseudonyms(tree)
    assert len(shown) == 25
    assert shown[:3] == sorted(c.pseudonym for c in strong)
    assert "U ziet de best passende 25." in tree.text_content()
    (more,) = tree.xpath("//button[@name='meer']")
    assert more.text_content() == "Toon 7 meer"
    assert more.get("formaction").endswith("/voorstellen#rang-26")

    everyone = ranked_pseudonyms(page(staff.get(url(site.request, toon=50))))
    assert everyone[:25] == shown
    assert sorted(everyone) == sorted(c.pseudonym for c in [*strong, *rest])
    assert page(staff.get(url(site.request, toon=50))).xpath("//button[@name='meer']") == []

    for hostile in ("abc", "-5", "0", "1e9", "25;drop", "%00"):
        assert len(ranked_pseudonyms(page(staff.get(url(site.request, toon=hostile))))) == 25
    assert len(ranked_pseudonyms(page(staff.get(url(site.request, toon="9" * 30))))) == 32  # at most 200


def test_more_keeps_the_choices_and_the_note(town, login_as):
    site, t = town
    candidates = many(t, 30)
    staff = login_as(t.municipal)
    chosen = ranked_pseudonyms(page(staff.get(url(site.request))))[3]
    chosen_id = next(c.id for c in candidates if c.pseudonym == chosen)
    response = staff.post(
        f"/aanvragen/{site.request.id}/voorstellen",
        {"candidate_ids": str(chosen_id), "note": "Kan snel starten", "toon": "25", "meer": "ja"},
    )
    tree = page(response)
    assert len(ranked_pseudonyms(tree)) == 30
    assert checked(tree) == [str(chosen_id)]
    assert tree.xpath("//textarea[@name='note']")[0].text_content().strip() == "Kan snel starten"
    assert tree.xpath(f"//*[{has_class('werkbrug-error-summary')}]") == []
    assert proposals_of(site.request.id) == []


def test_a_closed_request_shows_no_candidates(seed, frozen, login_as):
    site = make_site(seed.a, status="filled")
    candidate = shareable(seed.a)
    body = text(login_as(seed.a.municipal).get(url(site.request)))
    assert "U kunt nu geen kandidaten voorstellen." in body
    assert candidate.pseudonym not in body
    response = login_as(seed.a.municipal).post(
        f"/aanvragen/{site.request.id}/voorstellen", {"candidate_ids": str(candidate.id)}
    )
    assert response.status_code == 200
    assert proposals_of(site.request.id) == []


# Audit ----------------------------------------------------------------------------------------------------


def test_one_audit_event_per_page_view_names_the_candidates_shown(town, login_as):
    site, t = town
    candidates = many(t, 30)
    hidden = factories.make_candidate(t.municipality)  # consent withdrawn for this employer: counted only
    factories.make_consent(hidden, employer=site.employer, recorded_by=t.municipal, withdrawn_at=now_utc())
    staff = login_as(t.municipal)
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0

    shown = ranked_pseudonyms(page(staff.get(url(site.request))))
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [e.action for e in events] == [CANDIDATES_LISTED]
    by_pseudonym = {c.pseudonym: c.id for c in candidates}
    assert events[0].detail == {
        "context": "matching",
        "candidate_ids": sorted(by_pseudonym[p] for p in shown),
        "request_id": site.request.id,
    }
    assert events[0].actor_id == t.municipal.id
    assert events[0].municipality_id == t.municipality.id

    staff.get(url(site.request, reden="consent_withdrawn"))
    last = listings()[-1]
    assert hidden.id in last.detail["candidate_ids"]
    assert len(last.detail["candidate_ids"]) == 26
    assert len(listings()) == 2


def test_the_candidate_page_still_tells_who_saw_them_in_a_ranking(town, login_as):
    site, t = town
    shown, *_ = many(t, 3)
    colleague = factories.make_user("municipal", t.municipality, full_name="Cora Collega")
    login_as(colleague).get(url(site.request))
    body = text(login_as(t.municipal).get(f"/kandidaten/{shown.id}"))
    viewers = body[body.index("Wie heeft dit profiel bekeken") :]
    history = viewers[viewers.index("Cora Collega") :]
    assert "Lijst met passende kandidaten bij een aanvraag" in history[: history.index("</tr>")]


def test_the_propose_post_lists_nobody_again(town, login_as):
    site, t = town
    candidates = many(t, 30)
    staff = login_as(t.municipal)
    staff.get(url(site.request))
    assert len(listings()) == 1
    response = staff.post(
        f"/aanvragen/{site.request.id}/voorstellen", {"candidate_ids": str(candidates[0].id), "note": ""}
    )
    assert response.status_code == 302
    assert len(listings()) == 1
    assert [e.detail["candidate_id"] for e in audit("proposal.created")] == [candidates[0].id]
    assert audit("candidate.viewed") == []


# Proposing ------------------------------------------------------------------------------------------------


def _propose(client, site, candidates, **extra):
    data = {"candidate_ids": [str(c.id) for c in candidates], "note": "Sterk"}
    data.update(extra)
    return client.post(f"/aanvragen/{site.request.id}/voorstellen", data)


def test_proposing_without_warnings_needs_no_confirmation(seed, site, login_as):
    candidate = shareable(seed.a)
    response = login_as(seed.a.municipal).post(
        f"/aanvragen/{site.request.id}/voorstellen", {"candidate_ids": str(candidate.id), "note": ""}
    )
    assert response.status_code == 302
    assert [p.candidate_id for p in proposals_of(site.request.id)] == [candidate.id]
    assert fresh(PlacementRequest, site.request.id).status == "proposed"


def test_a_candidate_from_the_more_part_can_be_proposed(town, login_as):
    site, t = town
    candidates = many(t, 40)
    staff = login_as(t.municipal)
    order = ranked_pseudonyms(page(staff.get(url(site.request, toon=50))))
    deep = next(c for c in candidates if c.pseudonym == order[33])
    assert _propose(staff, site, [deep], note="").status_code == 302
    assert [p.candidate_id for p in proposals_of(site.request.id)] == [deep.id]


@pytest.mark.parametrize(
    "who", ["other_town", "withdrawn", "proposed", "placed", "care", "not_ready", "unknown", "negative"]
)
def test_propose_refuses_a_candidate_that_cannot_be_proposed(seed, site, login_as, who):
    a = seed.a
    candidate = {
        "other_town": lambda: seed.b.candidate,
        "withdrawn": lambda: shareable(a),
        "proposed": lambda: shareable(a),
        "placed": lambda: shareable(a, status="placed"),
        "care": lambda: shareable(a, care_first=True),
        "not_ready": lambda: shareable(a, work_readiness="nog_niet"),
        "unknown": lambda: type("Ghost", (), {"id": 2_000_000_000})(),
        "negative": lambda: type("Ghost", (), {"id": -3})(),
    }[who]()
    if who == "withdrawn":
        withdraw_consents(candidate)
    if who == "proposed":
        factories.make_proposal(site.request, candidate, status="withdrawn", proposed_by=a.municipal)
    before = len(proposals_of(site.request.id))
    response = _propose(login_as(a.municipal), site, [candidate])
    assert response.status_code == 200
    body = text(response)
    assert "Kies alleen kandidaten uit de lijst." in body
    if who == "other_town":
        assert candidate.pseudonym not in body
    assert len(proposals_of(site.request.id)) == before


def test_hostile_posts_never_fail(town, login_as):
    site, t = town
    candidate = shareable(t)
    staff = login_as(t.municipal)
    post = f"/aanvragen/{site.request.id}/voorstellen"
    flood = {"candidate_ids": [str(n) for n in range(1, 502)] + [str(candidate.id)]}
    assert "Kies alleen kandidaten uit de lijst." in text(staff.post(post, flood))
    for toon in ("abc", "-1", "9" * 40, ""):
        response = staff.post(post, {"candidate_ids": str(candidate.id), "toon": toon, "meer": "x"})
        assert response.status_code == 200
        assert checked(page(response)) == [str(candidate.id)]
    assert proposals_of(site.request.id) == []


def test_the_service_refuses_a_candidate_whose_consent_went_meanwhile(seed, site):
    candidate = shareable(seed.a)
    withdraw_consents(candidate)
    with pytest.raises(DomainError) as refused:
        services.propose(seed.a.municipal, site.request, [candidate], None)
    assert refused.value.message == (
        f"Kandidaat {candidate.pseudonym} kan niet worden voorgesteld: "
        "heeft de toestemming om het profiel met deze werkgever te delen ingetrokken."
    )
    with pytest.raises(DomainError, match="hoort bij een andere gemeente"):
        services.propose(seed.a.municipal, site.request, [seed.b.candidate], None)


def test_capacity_warning_needs_the_box_ticked(seed, frozen, login_as):
    site = make_site(seed.a)
    site.workplace.capacity = 1
    db.session.flush()
    factories.make_placement(seed.a, request=site.request)  # the one place is taken
    candidate = shareable(seed.a)
    staff = login_as(seed.a.municipal)
    response = _propose(staff, site, [candidate])
    assert response.status_code == 200
    body = text(response)
    assert "De werkplek heeft plaats voor 1." in body
    assert CONFIRM in body
    assert "Lees de waarschuwing en vink het vakje aan" in body
    assert proposals_of(site.request.id)[0].status == "accepted"  # only the placement's own proposal
    assert len(proposals_of(site.request.id)) == 1
    assert _propose(staff, site, [candidate], confirm_warnings="y").status_code == 302
    assert len(proposals_of(site.request.id)) == 2
    assert len(emails("matching/new_proposals")) == 2


def test_a_warning_keeps_a_choice_from_the_more_part_checked(town, login_as):
    site, t = town
    site.workplace.capacity = 1
    db.session.flush()
    candidates = many(t, 40)
    staff = login_as(t.municipal)
    order = ranked_pseudonyms(page(staff.get(url(site.request, toon=50))))
    deep = [c for c in candidates if c.pseudonym in (order[2], order[36])]
    tree = page(_propose(staff, site, deep, toon="25"))
    assert "De werkplek heeft plaats voor 1." in tree.text_content()
    assert set(checked(tree)) == {str(c.id) for c in deep}
    assert len(ranked_pseudonyms(tree)) == 37
    assert proposals_of(site.request.id) == []


def test_too_many_new_starters_warns(seed, frozen, login_as):
    site = make_site(seed.a)
    site.workplace.capacity = 20
    db.session.flush()
    for offset in (0, 10, 29):
        factories.make_placement(seed.a, request=site.request, start_date=START + timedelta(days=offset))
    far = make_site(seed.a)  # another employer: does not count
    factories.make_placement(seed.a, request=far.request, start_date=START)
    body = text(_propose(login_as(seed.a.municipal), site, [shareable(seed.a)]))
    assert "4 nieuwe mensen binnen 30 dagen" in body


def test_starters_outside_the_window_do_not_count(seed, frozen, login_as):
    site = make_site(seed.a)
    site.workplace.capacity = 20
    db.session.flush()
    for offset in (0, 10, 31):
        factories.make_placement(seed.a, request=site.request, start_date=START + timedelta(days=offset))
    response = _propose(login_as(seed.a.municipal), site, [shareable(seed.a)])
    assert response.status_code == 302


def test_one_language_team_warns(seed, frozen, login_as):
    site = make_site(seed.a)
    placed = factories.make_candidate(seed.a.municipality, other_languages="Arabisch, Engels")
    factories.make_placement(seed.a, request=site.request, candidate=placed)
    response = _propose(login_as(seed.a.municipal), site, [shareable(seed.a, other_languages="arabisch")])
    assert response.status_code == 200
    assert "dezelfde taal naast het Nederlands: Arabisch" in text(response)
    mixed = _propose(login_as(seed.a.municipal), site, [shareable(seed.a, other_languages="Dari")])
    assert mixed.status_code == 302


def test_audit_of_proposals_has_no_personal_data(seed, site, login_as):
    candidate = shareable(seed.a)
    _propose(login_as(seed.a.municipal), site, [candidate])
    (event,) = audit("proposal.created")
    assert event.detail == {"request_id": site.request.id, "candidate_id": candidate.id}


# Bounded work ---------------------------------------------------------------------------------------------


def _pool(tenant, site, n: int) -> list:
    """``n`` candidates of every kind: most can be proposed, the rest for each reason."""
    made = []
    for i in range(n):
        kind = i % 10
        if kind == 7:
            made.append(factories.make_candidate(tenant.municipality))
            continue
        candidate = shareable(
            tenant,
            status={8: "placed", 9: "inactive"}.get(kind, "active"),
            work_readiness="nog_niet" if kind == 6 else "direct",
        )
        if kind == 5:
            factories.make_proposal(site.request, candidate, proposed_by=tenant.municipal)
        made.append(candidate)
    return made


def test_the_page_and_the_post_run_the_same_queries_for_10_or_200_candidates(town, login_as, count_queries):
    _site, t = town
    staff = login_as(t.municipal)
    counts = []
    for n in (10, 190):  # 10, then 200 in the municipality; a fresh request each time
        site = make_site(t)
        pool = _pool(t, site, n)
        chosen = [c for c in pool if c.status == "active" and c.work_readiness == "direct"][:2]
        db.session.commit()
        with count_queries() as view:
            assert staff.get(url(site.request, toon=200)).status_code == 200
        with count_queries() as listed:
            assert staff.get(url(site.request, reden="consent_withdrawn")).status_code == 200
        with count_queries() as more:
            assert _propose(staff, site, chosen, meer="ja").status_code == 200
        with count_queries() as post:
            assert _propose(staff, site, chosen, confirm_warnings="y").status_code == 302
        counts.append((view.count, listed.count, more.count, post.count))
    assert counts[0] == counts[1]
    view, listed, more, post = counts[0]
    assert view <= 8
    assert listed <= view + 2
    assert more <= view + 1
    assert post <= 25
