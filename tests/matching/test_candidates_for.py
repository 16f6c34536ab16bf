"""The municipal contact's ranked list: reasons, exclusions, audit, guardrails and bounded queries."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.requests.models import PlacementRequest
from tests import factories
from tests.employers.conftest import audit, emails, fresh, text
from tests.matching.conftest import START, make_site, proposals_of, shareable

CONFIRM = "Ik heb de waarschuwing gelezen en stel toch voor"


def url(request) -> str:
    return f"/aanvragen/{request.id}/kandidaten"


def test_ranked_with_reasons_and_excluded_with_reasons(seed, site, login_as):
    a = seed.a
    good = shareable(a, pseudonym="K-2026-9001", dutch_level="B1", certificates="VCA")
    weak = shareable(a, pseudonym="K-2026-9002", dutch_level="geen", hours_per_week=4, home_town="Best")
    no_consent = factories.make_candidate(a.municipality, pseudonym="K-2026-9003")
    care = shareable(a, pseudonym="K-2026-9004", care_first=True)
    placed = shareable(a, pseudonym="K-2026-9005", status="placed")
    inactive = shareable(a, pseudonym="K-2026-9006", status="inactive")
    proposed = shareable(a, pseudonym="K-2026-9007")
    factories.make_proposal(site.request, proposed, proposed_by=a.municipal)
    other_town = factories.make_candidate(seed.b.municipality, pseudonym="K-2026-9008")

    body = text(login_as(a.municipal).get(url(site.request)))
    ranked_part, excluded_part = body.split("Kandidaten die u niet kunt voorstellen")
    assert ranked_part.index(good.pseudonym) < ranked_part.index(weak.pseudonym)
    assert "Taal: Past deels." in ranked_part
    assert "Nederlands geen; gevraagd is A1." in ranked_part
    assert "Reisafstand: Past deels." in ranked_part
    assert "✔" in ranked_part
    for candidate, reason in (
        (no_consent, "Geen toestemming om het profiel te delen met werkgevers."),
        (care, "Zorg gaat voor."),
        (placed, "Is al geplaatst."),
        (inactive, "Is nu niet beschikbaar."),
        (proposed, "Is al voorgesteld voor deze aanvraag."),
    ):
        assert candidate.pseudonym not in ranked_part
        row = excluded_part[excluded_part.index(candidate.pseudonym) :]
        assert row[: row.index("</tr>")].count(reason) == 1
    assert other_town.pseudonym not in body


def test_each_shown_candidate_is_audited_once(seed, site, login_as):
    candidates = [shareable(seed.a) for _ in range(3)]
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    login_as(seed.a.municipal).get(url(site.request))
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "candidate.viewed")
    ).all()
    viewed = [e.object_id for e in events]
    assert len(viewed) == len(set(viewed))
    assert {c.id for c in candidates} <= set(viewed)
    assert all(e.detail == {"context": "matching", "request_id": site.request.id} for e in events)


def test_candidates_for_runs_a_bounded_number_of_queries(seed, site, login_as, count_queries):
    staff = login_as(seed.a.municipal)
    for _ in range(2):
        shareable(seed.a)
    with count_queries() as few:
        assert staff.get(url(site.request)).status_code == 200
    for n in range(12):
        candidate = shareable(seed.a)
        if n % 3 == 0:
            factories.make_proposal(site.request, candidate, proposed_by=seed.a.municipal)
    with count_queries() as many:
        assert staff.get(url(site.request)).status_code == 200
    assert many.count == few.count
    assert few.count <= 12


def test_closed_request_shows_no_candidates(seed, frozen, login_as):
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


def test_proposing_without_warnings_needs_no_confirmation(seed, site, login_as):
    candidate = shareable(seed.a)
    response = login_as(seed.a.municipal).post(
        f"/aanvragen/{site.request.id}/voorstellen", {"candidate_ids": str(candidate.id), "note": ""}
    )
    assert response.status_code == 302
    assert [p.candidate_id for p in proposals_of(site.request.id)] == [candidate.id]
    assert fresh(PlacementRequest, site.request.id).status == "proposed"


def _propose(client, site, candidates, **extra):
    data = {"candidate_ids": [str(c.id) for c in candidates], "note": "Sterk"}
    data.update(extra)
    return client.post(f"/aanvragen/{site.request.id}/voorstellen", data)


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
