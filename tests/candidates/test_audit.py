"""Every view of a candidate profile is audited; the candidate page shows the access history."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.core.audit import record
from portal.core.models import AuditEvent
from portal.extensions import db
from tests.candidates.conftest import audit, text


def test_each_view_of_the_staff_page_writes_one_audit_row(frozen, seed, municipal):
    candidate = seed.a.candidate
    for _ in range(3):
        assert municipal.get(f"/kandidaten/{candidate.id}").status_code == 200
    events = audit("candidate.viewed", candidate.id)
    assert len(events) == 3
    for event in events:
        assert event.object_type == "Candidate"
        assert event.actor_id == seed.a.municipal.id
        assert event.actor_role == "municipal"
        assert event.municipality_id == seed.a.municipality.id
        assert event.detail == {"context": "staff_profile"}


def test_the_view_event_is_committed_by_the_get(app, seed, municipal):
    candidate = seed.a.candidate
    municipal.get(f"/kandidaten/{candidate.id}")
    db.session.rollback()  # nothing pending may be what keeps it: it was committed by the request
    assert len(audit("candidate.viewed", candidate.id)) == 1


def test_the_list_edit_form_and_a_failed_lookup_are_not_profile_views(seed, municipal):
    municipal.get("/kandidaten")
    municipal.get(f"/kandidaten/{seed.b.candidate.id}")
    assert audit("candidate.viewed") == []


def test_access_history_shows_who_when_and_where_newest_first(frozen, seed, municipal, login_as):
    candidate = seed.a.candidate
    record(seed.a.employer_user, "candidate.viewed", candidate, context="proposal")
    db.session.commit()
    frozen.shift(timedelta(minutes=3))
    page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    history = page.split("Wie heeft dit profiel bekeken", 1)[1]
    rows = re.findall(r'<tr class="utrecht-table__row"[^>]*>(.*?)</tr>', history, re.S)[1:]
    assert len(rows) == 2
    assert seed.a.municipal.full_name in rows[0]
    assert "Profielpagina van de gemeente" in rows[0]
    assert "09:03" in rows[0]
    assert seed.a.employer_user.full_name in rows[1]
    assert seed.a.employer.name in rows[1]
    assert "Werkgever" in rows[1]
    assert "Voorstel aan de werkgever" in rows[1]


def test_access_history_is_limited_to_the_newest_50(frozen, seed, municipal):
    candidate = seed.a.candidate
    for minute in range(60):
        event = record(seed.a.jobcoach, "candidate.viewed", candidate, context=f"test-{minute}")
        event.occurred_at = frozen_time(minute)
    record(seed.a.municipal, "candidate.viewed", seed.b.candidate, context="elsewhere")
    db.session.commit()
    page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    history = page.split("Wie heeft dit profiel bekeken", 1)[1]
    rows = re.findall(r'<tr class="utrecht-table__row"[^>]*>(.*?)</tr>', history, re.S)[1:]
    assert len(rows) == 50
    assert "Profielpagina van de gemeente" in rows[0]  # this very view, the newest
    assert "test-59" in rows[1]
    assert "test-11" in rows[-1]
    assert "test-10" not in history
    assert "elsewhere" not in history


def frozen_time(minute: int):
    from tests.candidates.conftest import T0

    return T0 - timedelta(hours=2) + timedelta(minutes=minute)


def test_audit_rows_hold_no_personal_data(seed, municipal):
    candidate = seed.a.candidate
    municipal.get(f"/kandidaten/{candidate.id}")
    for event in db.session.query(AuditEvent).all():
        assert candidate.first_name not in str(event.detail)
        assert candidate.last_name not in str(event.detail)


def test_the_detail_page_runs_a_bounded_number_of_queries(seed, municipal, count_queries):
    from tests.factories import make_consent, make_employer

    candidate = seed.a.candidate
    municipal.get(f"/kandidaten/{candidate.id}")
    with count_queries() as few:
        municipal.get(f"/kandidaten/{candidate.id}")
    for _ in range(5):
        employer = make_employer(seed.a.municipality)
        make_consent(candidate, kind="reveal_identity", employer=employer, recorded_by=seed.a.municipal)
        record(seed.a.employer_user, "candidate.viewed", candidate, context="proposal")
    db.session.commit()
    with count_queries() as many:
        page = text(municipal.get(f"/kandidaten/{candidate.id}"))
    assert many.count == few.count
    assert page.count("Naam en telefoonnummer delen met één werkgever") >= 5
