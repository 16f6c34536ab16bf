"""The one module that decides consent and disclosure: its outputs, pinned field by field."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.candidates import disclosure
from portal.candidates.models import Candidate, Consent
from portal.core.time import now_utc
from portal.extensions import db
from tests.factories import make_candidate, make_consent, make_employer, make_user

PROFILE_VALUES = {
    "first_name": "Noor",
    "last_name": "Voorbeeld",
    "email": "noor@example.org",
    "phone": "06 11122233",
    "home_town": "Veldhoven",
    "education_level": "hbo",
    "education_country": "Eritrea",
    "education_completed_nl": True,
    "diploma_evaluation": "Hbo-bachelor (IDW)",
    "work_experience": [
        {"occupation": "Verpleegkundige", "sector": "zorg", "years": 6},
        {"occupation": "Tolk", "sector": "onbekend", "years": None},
    ],
    "dutch_level": "B1",
    "english_level": "A2",
    "other_languages": "Tigrinya, Arabisch",
    "certificates": "BHV",
    "available_days": "ma,di,xx",
    "class_days": "wo",
    "hours_per_week": 24,
    "learning_route": "onderwijs",
    "plan_a": "Verpleegkundige",
    "plan_b": "Helpende zorg",
    "plan_c": None,
    "desired_sectors": "zorg,onbekend",
    "work_readiness": "activering",
    "travel_range_km": 25,
    "motivation": "Ik wil weer voor mensen zorgen.",
    "care_first": True,
    "pseudonym": "K-2026-4242",
}


def withdraw(consent: Consent) -> None:
    consent.withdrawn_at = now_utc()
    db.session.flush()


def test_the_pseudonymised_profile_field_by_field(seed):
    candidate = make_candidate(seed.a.municipality, **PROFILE_VALUES)
    assert disclosure.pseudonymised_profile(candidate) == {
        "pseudonym": "K-2026-4242",
        "education_level": "Hoger beroepsonderwijs (hbo-niveau)",
        "education_completed_nl": True,
        "diploma_evaluation": "Hbo-bachelor (IDW)",
        "work_experience": [
            {"occupation": "Verpleegkundige", "sector": "Zorg en welzijn", "years": 6},
            {"occupation": "Tolk", "sector": "", "years": None},
        ],
        "dutch_level": "B1 (zelfstandig)",
        "english_level": "A2 (basis)",
        "other_languages": "Tigrinya, Arabisch",
        "certificates": "BHV",
        "available_days": ["maandag", "dinsdag"],
        "class_days": ["woensdag"],
        "hours_per_week": 24,
        "learning_route": "Onderwijsroute",
        "plan_a": "Verpleegkundige",
        "plan_b": "Helpende zorg",
        "plan_c": "",
        "desired_sectors": ["Zorg en welzijn"],
        "work_readiness": "Eerst activering",
        "travel_range_km": 25,
        "motivation": "Ik wil weer voor mensen zorgen.",
    }


def test_the_profile_holds_no_identifying_or_staff_only_column(seed):
    profile = disclosure.pseudonymised_profile(make_candidate(seed.a.municipality, **PROFILE_VALUES))
    staff_only = {"first_name", "last_name", "email", "phone", "home_town", "care_first", "education_country"}
    assert staff_only.isdisjoint(profile)
    text = repr(profile)
    for name in staff_only - {"care_first"}:
        assert str(PROFILE_VALUES[name]) not in text, name


def test_profile_for_employer_needs_a_live_share_consent(seed):
    candidate = make_candidate(seed.a.municipality, **PROFILE_VALUES)
    employer_id = seed.a.employer.id
    assert disclosure.profile_for_employer(candidate, employer_id) is None
    consent = make_consent(candidate, employer=seed.a.employer, recorded_by=seed.a.municipal)
    assert disclosure.profile_for_employer(candidate, employer_id) == disclosure.pseudonymised_profile(
        candidate
    )
    withdraw(consent)
    assert disclosure.profile_for_employer(candidate, employer_id) is None


def test_identity_for_employer_field_by_field_and_only_for_that_employer(seed):
    candidate = make_candidate(seed.a.municipality, **PROFILE_VALUES)
    other = make_employer(seed.a.municipality)
    assert disclosure.identity_for_employer(candidate, seed.a.employer.id) is None
    consent = make_consent(candidate, "reveal_identity", seed.a.employer, recorded_by=seed.a.municipal)
    assert disclosure.identity_for_employer(candidate, seed.a.employer.id) == {
        "name": "Noor Voorbeeld",
        "phone": "06 11122233",
    }
    assert disclosure.identity_for_employer(candidate, other.id) is None
    candidate.phone = None
    assert disclosure.identity_for_employer(candidate, seed.a.employer.id) == {
        "name": "Noor Voorbeeld",
        "phone": "",
    }
    withdraw(consent)
    assert disclosure.identity_for_employer(candidate, seed.a.employer.id) is None


def test_a_share_consent_does_not_reveal_identity_and_the_reverse(seed):
    candidate = make_candidate(seed.a.municipality)
    make_consent(candidate, employer=seed.a.employer, recorded_by=seed.a.municipal)
    assert disclosure.shares_profile(candidate.id, seed.a.employer.id)
    assert not disclosure.reveals_identity(candidate.id, seed.a.employer.id)
    other = make_candidate(seed.a.municipality)
    make_consent(other, "reveal_identity", seed.a.employer, recorded_by=seed.a.municipal)
    assert not disclosure.shares_profile(other.id, seed.a.employer.id)
    assert disclosure.reveals_identity(other.id, seed.a.employer.id)


def test_identity_consent_always_names_an_employer():
    with pytest.raises(ValueError, match="one employer"):
        disclosure.live_consent("reveal_identity", 1)


def test_the_sql_conditions_and_the_python_checks_agree(seed):
    """Set-based queries (lists) and single checks (pages, services) give the same answer."""
    employer = seed.a.employer
    shared, withdrawn, revealed, revoked, none = (make_candidate(seed.a.municipality) for _ in range(5))
    make_consent(shared, employer=employer, recorded_by=seed.a.municipal)
    withdraw(make_consent(withdrawn, employer=employer, recorded_by=seed.a.municipal))
    make_consent(revealed, "reveal_identity", employer, recorded_by=seed.a.municipal)
    withdraw(make_consent(revoked, "reveal_identity", employer, recorded_by=seed.a.municipal))
    everyone = [shared, withdrawn, revealed, revoked, none]
    in_sql = set(db.session.scalars(disclosure.profile_shared_ids(seed.a.municipality.id, employer.id)))
    in_python = {c.id for c in everyone if disclosure.shares_profile(c.id, employer.id)}
    assert in_python == {shared.id}
    assert in_sql & {c.id for c in everyone} == in_python
    revealed_sql = set(
        db.session.scalars(
            sa.select(Candidate.id).where(
                Candidate.id.in_([c.id for c in everyone]),
                disclosure.identity_revealed(Candidate.id, employer.id),
            )
        )
    )
    assert revealed_sql == {c.id for c in everyone if disclosure.reveals_identity(c.id, employer.id)}
    assert revealed_sql == {revealed.id}


def test_labels_per_viewer(seed):
    """Staff with identity see both; an employer the name only after its consent; others the pseudonym."""
    a = seed.a
    named = make_candidate(a.municipality, first_name="Sara", last_name="Voorbeeld", pseudonym="K-2026-0001")
    coded = make_candidate(a.municipality, first_name="Omar", last_name="Voorbeeld", pseudonym="K-2026-0002")
    make_consent(named, "reveal_identity", a.employer, recorded_by=a.municipal)
    other_employer_user = make_user("employer", employer=make_employer(a.municipality))
    ids = [named.id, coded.id]
    for viewer in (a.municipal, a.jobcoach):
        assert disclosure.labels_for(viewer, ids) == {
            named.id: "K-2026-0001 – Sara Voorbeeld",
            coded.id: "K-2026-0002 – Omar Voorbeeld",
        }
    assert disclosure.labels_for(a.employer_user, ids) == {
        named.id: "Sara Voorbeeld",
        coded.id: "K-2026-0002",
    }
    assert disclosure.labels_for(other_employer_user, ids) == {
        named.id: "K-2026-0001",
        coded.id: "K-2026-0002",
    }
    assert disclosure.labels_for(a.admin, ids) == {named.id: "K-2026-0001", coded.id: "K-2026-0002"}
    assert disclosure.label_for(a.employer_user, named) == named.full_name
    assert disclosure.labels_for(a.employer_user, []) == {}


def test_labels_follow_a_withdrawal_at_once(seed):
    a = seed.a
    candidate = make_candidate(a.municipality, first_name="Lina", last_name="Voorbeeld")
    consent = make_consent(candidate, "reveal_identity", a.employer, recorded_by=a.municipal)
    assert disclosure.label_for(a.employer_user, candidate) == "Lina Voorbeeld"
    withdraw(consent)
    assert disclosure.label_for(a.employer_user, candidate) == candidate.pseudonym


def test_labels_for_a_whole_page_take_one_query(seed, count_queries):
    candidates = [make_candidate(seed.a.municipality) for _ in range(30)]
    for candidate in candidates[::2]:
        make_consent(candidate, "reveal_identity", seed.a.employer, recorded_by=seed.a.municipal)
    with count_queries() as counter:
        labels = disclosure.labels_for(seed.a.employer_user, [c.id for c in candidates])
    assert counter.count == 1
    assert sum(labels[c.id] == c.full_name for c in candidates) == 15


def test_is_live_follows_withdrawal(seed):
    consent = make_consent(
        make_candidate(seed.a.municipality), employer=seed.a.employer, recorded_by=seed.a.municipal
    )
    assert disclosure.is_live(consent)
    withdraw(consent)
    assert not disclosure.is_live(consent)
    assert (
        db.session.scalar(
            disclosure.live_consent_id(consent.candidate_id, "share_profile", seed.a.employer.id)
        )
        is None
    )
