"""Consent records: the rules, withdrawal, and that withdrawal counts from the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.candidates.disclosure import reveals_identity, shares_profile
from portal.candidates.models import Consent
from portal.extensions import db
from tests.candidates.conftest import T0, audit, consents, text
from tests.conftest import form_errors_in
from tests.factories import make_candidate, make_consent, make_employer


def consent_data(employer_id="", **overrides) -> dict:
    data = {
        "kind": "share_profile",
        "employer_id": str(employer_id),
        "method": "signed_form",
        "text_version": "2026-1",
        "given_on": "2026-03-09",
    }
    data.update(overrides)
    return data


def test_record_a_share_consent_for_one_employer(frozen, seed, municipal):
    candidate = make_candidate(seed.a.municipality)
    other = make_employer(seed.a.municipality)
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", consent_data(seed.a.employer.id))
    assert response.status_code == 302
    [consent] = consents(candidate.id)
    assert (consent.kind, consent.employer_id, consent.method, consent.text_version) == (
        "share_profile",
        seed.a.employer.id,
        "signed_form",
        "2026-1",
    )
    assert consent.recorded_by_id == seed.a.municipal.id
    assert consent.recorded_at == T0
    assert consent.given_at.date().isoformat() == "2026-03-09"
    assert shares_profile(candidate.id, seed.a.employer.id)
    assert not shares_profile(candidate.id, other.id)
    [event] = audit("consent.recorded", candidate.id)
    assert event.detail == {
        "consent_id": consent.id,
        "kind": "share_profile",
        "employer_id": seed.a.employer.id,
        "source": None,
        "method": "signed_form",
        "text_version": "2026-1",
        "via": "candidate_page",
    }
    page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    assert "Profiel zonder naam delen met één werkgever" in page
    assert "Schriftelijk (getekend formulier)" in page
    assert "Actief" in page
    assert seed.a.municipal.full_name in page


def test_consent_given_today_gets_the_current_time(frozen, seed, municipal):
    candidate = make_candidate(seed.a.municipality)
    municipal.post(
        f"/kandidaten/{candidate.id}/toestemming", consent_data(seed.a.employer.id, given_on="2026-03-10")
    )
    assert consents(candidate.id)[0].given_at == T0


def test_reveal_identity_needs_an_approved_employer_of_the_municipality(frozen, seed, municipal):
    candidate = make_candidate(seed.a.municipality)
    url = f"/kandidaten/{candidate.id}/toestemming"
    for employer_id, message in (
        ("", "Kies de werkgever die naam en telefoonnummer mag zien."),
        (str(seed.b.employer.id), "Kies een van de mogelijkheden uit de lijst."),
        (str(seed.a.pending_employer.id), "Kies een van de mogelijkheden uit de lijst."),
        ("abc", "Kies de werkgever die naam en telefoonnummer mag zien."),
    ):
        response = municipal.post(url, consent_data(employer_id, kind="reveal_identity"))
        assert response.status_code == 200
        assert message in form_errors_in(text(response)), employer_id
    assert consents(candidate.id) == []
    response = municipal.post(url, consent_data(seed.a.employer.id, kind="reveal_identity"))
    assert response.status_code == 302
    assert reveals_identity(candidate.id, seed.a.employer.id)
    assert not reveals_identity(candidate.id, seed.b.employer.id)


def test_share_profile_needs_one_employer(frozen, seed, municipal):
    candidate = make_candidate(seed.a.municipality)
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", consent_data())
    assert "Kies de werkgever die het profiel zonder naam mag zien." in form_errors_in(text(response))
    data = consent_data(seed.a.employer.id, source="coa_tvs")
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", data)
    assert "Kies geen organisatie: deze toestemming is voor een werkgever." in form_errors_in(text(response))
    assert consents(candidate.id) == []


def test_a_future_date_is_refused(frozen, seed, municipal):
    candidate = make_candidate(seed.a.municipality)
    data = consent_data(seed.a.employer.id, given_on="2026-03-11")
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", data)
    assert "Deze datum mag niet in de toekomst liggen." in form_errors_in(text(response))
    assert consents(candidate.id) == []


def test_a_second_active_consent_of_the_same_kind_is_refused(frozen, seed, municipal):
    candidate = seed.a.candidate  # has an active share_profile consent for seed.a.employer
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", consent_data(seed.a.employer.id))
    assert response.status_code == 200
    assert any("al vastgelegd" in e for e in form_errors_in(text(response)))
    assert len(consents(candidate.id)) == 1
    other = make_employer(seed.a.municipality)
    for employer in (seed.a.employer, other):
        data = consent_data(employer.id, kind="reveal_identity")
        assert municipal.post(f"/kandidaten/{candidate.id}/toestemming", data).status_code == 302
    again = consent_data(other.id, kind="reveal_identity")
    assert municipal.post(f"/kandidaten/{candidate.id}/toestemming", again).status_code == 200
    share_other = consent_data(other.id)  # sharing with another employer is a consent of its own
    assert municipal.post(f"/kandidaten/{candidate.id}/toestemming", share_other).status_code == 302
    assert len(consents(candidate.id)) == 4


def test_after_withdrawal_a_new_consent_can_be_recorded(frozen, seed, municipal):
    candidate = seed.a.candidate
    [consent] = consents(candidate.id)
    municipal.post(f"/kandidaten/{candidate.id}/toestemming/{consent.id}/intrekken")
    data = consent_data(seed.a.employer.id)
    assert municipal.post(f"/kandidaten/{candidate.id}/toestemming", data).status_code == 302
    assert len(consents(candidate.id)) == 2


def test_withdraw_sets_who_and_when_and_shows_it(frozen, seed, municipal):
    candidate = seed.a.candidate
    [consent] = consents(candidate.id)
    frozen.shift(timedelta(minutes=5))
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming/{consent.id}/intrekken")
    assert response.status_code == 302
    db.session.expire_all()
    assert consent.withdrawn_at == T0 + timedelta(minutes=5)
    assert consent.withdrawn_by_id == seed.a.municipal.id
    assert not shares_profile(candidate.id, seed.a.employer.id)
    [event] = audit("consent.withdrawn", candidate.id)
    assert event.detail == {
        "consent_id": consent.id,
        "kind": "share_profile",
        "employer_id": seed.a.employer.id,
        "source": None,
    }
    page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    assert "Ingetrokken" in page
    assert "10 maart 2026 om 09:05" in page
    again = municipal.post(
        f"/kandidaten/{candidate.id}/toestemming/{consent.id}/intrekken", follow_redirects=True
    )
    assert "Deze toestemming is al ingetrokken." in text(again)
    assert len(audit("consent.withdrawn")) == 1


def test_withdrawal_counts_from_the_very_next_employer_request(seed, municipal, login_as):
    candidate, proposal = seed.a.candidate, seed.a.proposal
    consent = make_consent(
        candidate, kind="reveal_identity", employer=seed.a.employer, recorded_by=seed.a.municipal
    )
    employer = login_as(seed.a.employer_user)
    url = f"/voorstellen/{proposal.id}"
    first = employer.get(url)
    assert first.status_code == 200
    assert candidate.full_name in text(first)
    municipal.post(f"/kandidaten/{candidate.id}/toestemming/{consent.id}/intrekken")
    second = employer.get(url)
    assert candidate.full_name not in text(second)
    assert candidate.phone not in text(second)


def test_consent_urls_of_another_municipality_answer_404(seed, municipal):
    candidate = seed.b.candidate
    [consent] = consents(candidate.id)
    data = consent_data(seed.b.employer.id)
    assert municipal.post(f"/kandidaten/{candidate.id}/toestemming", data).status_code == 404
    url = f"/kandidaten/{candidate.id}/toestemming/{consent.id}/intrekken"
    assert municipal.post(url).status_code == 404
    own = seed.a.candidate
    mixed = f"/kandidaten/{own.id}/toestemming/{consent.id}/intrekken"
    assert municipal.post(mixed).status_code == 404
    db.session.expire_all()
    assert consent.withdrawn_at is None
    assert len(consents(candidate.id)) == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "everything"},
        {"method": "telepathy"},
        {"text_version": "x" * 10_000},
        {"text_version": "<script>alert('xss')</script>"},
        {"text_version": "a\x00b"},
        {"given_on": "gisteren"},
        {"given_on": "9999-99-99"},
        {"kind": ""},
        {"employer_id": "999999999999999999999999"},
        {"kind": "reveal_identity", "employer_id": "-1"},
        {"kind": "receive_data", "source": "nsa"},
        {"kind": "receive_data", "source": ""},
        {"kind": "receive_data", "source": "coa_tvs", "employer_id": "1"},
        {"source": "<script>alert('xss')</script>"},
        {"method": "digital", "employer_id": "999999999999999999999999"},
    ],
)
def test_hostile_consent_input_is_refused(seed, municipal, overrides):
    candidate = make_candidate(seed.a.municipality)
    data = consent_data(seed.a.employer.id)
    data.update(overrides)
    response = municipal.post(f"/kandidaten/{candidate.id}/toestemming", data)
    assert response.status_code == 200
    assert form_errors_in(text(response))
    assert "<script>alert" not in response.get_data(as_text=True)
    assert db.session.query(Consent).filter_by(candidate_id=candidate.id).count() == 0
