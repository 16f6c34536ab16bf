"""The journey: propose two → the employer sees two pseudonymised profiles → kennismaking → identity after
consent → accept → a planned placement. And the transitions that must be refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.candidates.models import Candidate, CandidateVersion, Consent
from portal.core.time import now_utc
from portal.extensions import db
from portal.placements.models import Placement
from portal.requests.models import PlacementRequest, Proposal
from tests import factories
from tests.employers.conftest import audit, emails, fresh, text
from tests.matching.conftest import START, make_site, proposals_of, shareable


def propose(client, request, candidates, **extra):
    data = {"candidate_ids": [str(c.id) for c in candidates], "note": "Twee gemotiveerde kandidaten."}
    data.update(extra)
    return client.post(f"/aanvragen/{request.id}/voorstellen", data)


def invite(client, proposal, day="2026-03-12", at="14:30", place="Kantine, Havenweg 12"):
    return client.post(
        f"/voorstellen/{proposal.id}/kennismaking",
        {"meeting_date": day, "meeting_time": at, "meeting_place": place},
    )


def accept(client, proposal, start="2026-04-01", end="2026-07-01"):
    return client.post(f"/voorstellen/{proposal.id}/aannemen", {"start_date": start, "end_date": end})


def test_the_whole_journey(seed, site, login_as):
    a = seed.a
    first = shareable(a, dutch_level="A2", plan_c="Werken in een magazijn", other_languages="Arabisch")
    second = shareable(a, dutch_level="A1", other_languages="Tigrinya")
    staff = login_as(a.municipal)

    page = staff.get(f"/aanvragen/{site.request.id}/kandidaten")
    assert page.status_code == 200
    body = text(page)
    assert first.pseudonym in body
    assert second.pseudonym in body
    assert "Taal: Past." in body
    assert "plan C" in body
    assert body.index(first.pseudonym) < body.index(second.pseudonym)

    response = propose(staff, site.request, [first, second])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/aanvragen/{site.request.id}")
    proposals = proposals_of(site.request.id)
    assert [(p.candidate_id, p.status, p.note) for p in proposals] == [
        (first.id, "proposed", "Twee gemotiveerde kandidaten."),
        (second.id, "proposed", "Twee gemotiveerde kandidaten."),
    ]
    assert fresh(PlacementRequest, site.request.id).status == "proposed"
    mails = emails("matching/new_proposals")
    assert sorted(m.to_address for m in mails) == sorted([site.user.email, site.colleague.email])
    for mail in mails:
        # Links only: a sent e-mail cannot follow a later withdrawal of consent, the page behind it can.
        assert first.pseudonym not in mail.body_text
        assert second.pseudonym not in mail.body_text
        assert first.first_name not in mail.body_text
        assert second.last_name not in mail.body_text
        assert f"/voorstellen/{proposals[0].id}" in mail.body_text
        assert f"/voorstellen/{proposals[1].id}" in mail.body_text
    assert len(audit("proposal.created")) == 2

    employer = login_as(site.user)
    for proposal, candidate in zip(proposals, (first, second), strict=True):
        body = text(employer.get(f"/voorstellen/{proposal.id}"))
        assert candidate.pseudonym in body
        assert "Twee gemotiveerde kandidaten." in body
        assert candidate.first_name not in body
        assert candidate.phone not in body
        assert "zodra de kandidaat daar toestemming voor geeft" in body

    assert invite(employer, proposals[0]).status_code == 302
    planned = fresh(Proposal, proposals[0].id)
    assert planned.status == "meeting"
    assert planned.meeting_at.replace(tzinfo=None) == datetime(2026, 3, 12, 13, 30)  # 14:30 in Amsterdam
    meeting_mails = emails("matching/meeting")
    assert {m.to_address for m in meeting_mails} == {a.municipal.email, site.user.email, site.colleague.email}
    assert all(first.first_name not in m.body_text for m in meeting_mails)

    factories.make_consent(first, kind="reveal_identity", employer=site.employer, recorded_by=a.municipal)
    body = text(employer.get(f"/voorstellen/{proposals[0].id}"))
    assert first.full_name in body
    assert first.phone in body
    assert first.email not in body

    response = accept(employer, proposals[0])
    assert response.status_code == 302
    placement = db.session.scalar(sa.select(Placement).where(Placement.proposal_id == proposals[0].id))
    assert placement.status == "planned"
    assert (placement.start_date, placement.planned_end_date) == (START, date(2026, 7, 1))
    assert placement.contact_id == a.municipal.id
    assert (placement.workplace_id, placement.employer_id) == (site.workplace.id, site.employer.id)
    assert placement.placement_type_id == site.request.placement_type_id
    assert fresh(Proposal, proposals[0].id).status == "accepted"
    assert fresh(Candidate, first.id).status == "placed"
    assert db.session.scalar(
        sa.select(CandidateVersion.changes).where(CandidateVersion.candidate_id == first.id)
    ) == {"status": ["active", "placed"]}
    assert fresh(PlacementRequest, site.request.id).status == "filled"
    assert fresh(Proposal, proposals[1].id).status == "proposed"
    assert {m.to_address for m in emails("matching/accepted")} == {
        a.municipal.email,
        site.user.email,
        site.colleague.email,
    }
    assert len(audit("placement.created")) == 1


def test_the_fixed_contact_falls_back_to_the_proposer(seed, frozen, login_as):
    site = make_site(seed.a)
    site.employer.contact_id = None
    db.session.flush()
    proposer = factories.make_user("municipal", seed.a.municipality)
    proposal = factories.make_proposal(
        site.request, shareable(seed.a), status="meeting", proposed_by=proposer
    )
    assert accept(login_as(site.user), proposal).status_code == 302
    placement = db.session.scalar(sa.select(Placement).where(Placement.proposal_id == proposal.id))
    assert placement.contact_id == proposer.id


def test_meeting_can_be_changed_while_planned(seed, site, login_as):
    proposal = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    employer = login_as(site.user)
    assert invite(employer, proposal).status_code == 302
    assert invite(employer, proposal, day="2026-03-13", place="Balie").status_code == 302
    changed = fresh(Proposal, proposal.id)
    assert changed.status == "meeting"
    assert changed.meeting_place == "Balie"
    assert changed.meeting_at.replace(tzinfo=None) == datetime(2026, 3, 13, 13, 30)
    assert len(audit("proposal.meeting_planned")) == 1
    assert len(audit("proposal.meeting_changed")) == 1
    subjects = {m.subject for m in emails("matching/meeting")}
    assert any("gewijzigd" in s for s in subjects)
    assert any("gepland" in s for s in subjects)


def test_decline_from_proposed_and_from_meeting(seed, site, login_as):
    open_one = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    met = factories.make_proposal(
        site.request, shareable(seed.a), status="meeting", proposed_by=seed.a.municipal
    )
    employer = login_as(site.user)
    for proposal, reason in ((open_one, "language"), (met, "after_meeting")):
        response = employer.post(
            f"/voorstellen/{proposal.id}/afwijzen", {"reason": reason, "text": "Te snel."}
        )
        assert response.status_code == 302
        declined = fresh(Proposal, proposal.id)
        assert (declined.status, declined.decline_reason, declined.decline_text) == (
            "declined",
            reason,
            "Te snel.",
        )
    mails = emails("matching/declined")
    assert {m.to_address for m in mails} >= {seed.a.municipal.email, site.user.email}
    assert all("Te snel." not in m.body_text for m in mails)
    assert [e.detail["reason"] for e in audit("proposal.declined")] == ["language", "after_meeting"]


def test_accept_without_meeting_is_refused(seed, site, login_as):
    proposal = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    response = accept(login_as(site.user), proposal)
    assert response.status_code == 200
    assert "pas aannemen na de kennismaking" in text(response)
    assert fresh(Proposal, proposal.id).status == "proposed"
    assert (
        db.session.scalar(sa.select(sa.func.count(Placement.id)).where(Placement.proposal_id == proposal.id))
        == 0
    )


def test_decline_after_accept_and_double_accept_are_refused(seed, site, login_as):
    proposal = factories.make_proposal(
        site.request, shareable(seed.a), status="meeting", proposed_by=seed.a.municipal
    )
    employer = login_as(site.user)
    assert accept(employer, proposal).status_code == 302
    again = accept(employer, proposal)
    assert again.status_code == 200
    assert "Over dit voorstel is al besloten." in text(again)
    declined = employer.post(f"/voorstellen/{proposal.id}/afwijzen", {"reason": "other", "text": "Toch niet"})
    assert declined.status_code == 200
    assert "Over dit voorstel is al besloten." in text(declined)
    assert fresh(Proposal, proposal.id).status == "accepted"
    count = sa.select(sa.func.count(Placement.id)).where(Placement.proposal_id == proposal.id)
    assert db.session.scalar(count) == 1


def test_dates_must_fit_the_placement_type(seed, site, login_as):
    proposal = factories.make_proposal(
        site.request, shareable(seed.a), status="meeting", proposed_by=seed.a.municipal
    )
    employer = login_as(site.user)
    too_short = accept(employer, proposal, end="2026-05-01")  # taalstage: 13 to 52 weeks
    assert too_short.status_code == 200
    assert "duurt 13 tot 52 weken" in text(too_short)
    too_long = accept(employer, proposal, end="2027-06-01")
    assert "duurt 13 tot 52 weken" in text(too_long)
    past = accept(employer, proposal, start="2026-03-01")
    assert "De startdatum kan niet in het verleden liggen." in text(past)
    reversed_dates = accept(employer, proposal, start="2026-04-01", end="2026-03-20")
    assert "De einddatum moet na de startdatum liggen." in text(reversed_dates)
    assert fresh(Proposal, proposal.id).status == "meeting"


def test_extra_positions_stay_open_and_other_offers_of_the_candidate_end(seed, frozen, login_as):
    site = make_site(seed.a, positions=2)
    first, second = shareable(seed.a), shareable(seed.a)
    p1 = factories.make_proposal(site.request, first, status="meeting", proposed_by=seed.a.municipal)
    p2 = factories.make_proposal(site.request, second, status="meeting", proposed_by=seed.a.municipal)
    elsewhere = factories.make_proposal(seed.a.request, first, proposed_by=seed.a.municipal)
    employer = login_as(site.user)
    assert accept(employer, p1).status_code == 302
    assert fresh(PlacementRequest, site.request.id).status == "proposed"
    assert fresh(Proposal, elsewhere.id).status == "withdrawn"
    assert fresh(Proposal, p2.id).status == "meeting"
    assert accept(employer, p2).status_code == 302
    assert fresh(PlacementRequest, site.request.id).status == "filled"


def test_meeting_in_the_past_is_refused(seed, site, login_as):
    proposal = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    response = invite(login_as(site.user), proposal, day="2026-03-09")
    assert response.status_code == 200
    assert "Kies vandaag of een dag in de toekomst." in text(response)
    assert fresh(Proposal, proposal.id).status == "proposed"
    today = invite(login_as(site.user), proposal, day=(date(2026, 3, 10)).isoformat())
    assert today.status_code == 302


def test_municipal_withdraws_an_open_proposal_only(seed, site, login_as):
    proposal = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    staff = login_as(seed.a.municipal)
    assert staff.post(f"/voorstellen/{proposal.id}/intrekken").status_code == 302
    assert fresh(Proposal, proposal.id).status == "withdrawn"
    again = staff.post(f"/voorstellen/{proposal.id}/intrekken", follow_redirects=True)
    assert "Over dit voorstel is al besloten." in text(again)
    assert len(audit("proposal.withdrawn")) == 1


def test_proposal_page_is_audited_for_each_view(seed, site, login_as):
    proposal = factories.make_proposal(site.request, shareable(seed.a), proposed_by=seed.a.municipal)
    before = len(audit("candidate.viewed"))
    login_as(site.user).get(f"/voorstellen/{proposal.id}")
    login_as(seed.a.municipal).get(f"/voorstellen/{proposal.id}")
    events = audit("candidate.viewed")[before:]
    assert [(e.actor_id, e.object_id, e.detail["context"]) for e in events] == [
        (site.user.id, proposal.candidate_id, "proposal"),
        (seed.a.municipal.id, proposal.candidate_id, "proposal"),
    ]


def test_withdrawn_share_consent_stops_a_new_proposal(seed, site, login_as):
    candidate = shareable(seed.a)
    row = db.session.scalar(
        sa.select(Consent).where(
            Consent.candidate_id == candidate.id, Consent.employer_id == site.employer.id
        )
    )
    row.withdrawn_at = now_utc() - timedelta(hours=1)
    db.session.flush()
    response = propose(login_as(seed.a.municipal), site.request, [candidate])
    assert response.status_code == 200
    assert "Kies alleen kandidaten uit de lijst." in text(response)
    assert proposals_of(site.request.id) == []


def test_municipal_view_of_a_proposal_links_to_the_candidate_profile_and_consents(seed, login_as):
    url = f"/voorstellen/{seed.a.proposal.id}"
    profile = f"/kandidaten/{seed.a.candidate.id}"
    assert profile in login_as(seed.a.municipal).get(url).get_data(as_text=True)
    assert profile not in login_as(seed.a.employer_user).get(url).get_data(as_text=True)
