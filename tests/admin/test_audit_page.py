"""The audit log page: the own municipality's events, newest first, with the actor's name and a filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape

from portal.core.audit import record
from portal.core.models import AuditEvent
from portal.extensions import db
from tests.admin.conftest import HOSTILE_TEXT, T0


def add_event(actor, action, obj=None, *, municipality_id, at):
    event = record(actor, action, obj, municipality_id=municipality_id)
    event.occurred_at = at
    db.session.flush()
    return event


def test_audit_lists_own_events_newest_first_with_actor_names(seed, admin_a):
    a = seed.a.municipality.id
    add_event(seed.a.municipal, "employer.test_approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(None, "auth.login_failed", municipality_id=a, at=T0 + timedelta(hours=1))
    add_event(
        seed.b.municipal,
        "employer.test_rejected",
        seed.b.employer,
        municipality_id=seed.b.municipality.id,
        at=T0 + timedelta(hours=2),
    )
    page = admin_a.get("/beheer/logboek").get_data(as_text=True)
    assert "employer.test_approved" in page
    assert "auth.login_failed" in page
    assert "employer.test_rejected" not in page
    assert page.index("auth.login_failed") < page.index("employer.test_approved")
    assert str(escape(seed.a.municipal.full_name)) in page
    assert "Contactpersoon gemeente" in page
    assert "Systeem" in page
    assert seed.b.municipal.full_name not in page


def test_audit_filter_by_action_prefix(seed, admin_a):
    a = seed.a.municipality.id
    add_event(seed.a.admin, "user.created", seed.a.jobcoach, municipality_id=a, at=T0)
    add_event(seed.a.admin, "employer.test_approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(seed.a.admin, "user_x.weird", municipality_id=a, at=T0)
    page = admin_a.get("/beheer/logboek?actie=user.").get_data(as_text=True)
    assert "user.created" in page
    assert "employer.test_approved" not in page
    assert "user_x.weird" not in page
    wildcard = admin_a.get("/beheer/logboek?actie=%25").get_data(as_text=True)
    assert "Er zijn geen gebeurtenissen met deze actie." in wildcard
    underscore = admin_a.get("/beheer/logboek?actie=user_").get_data(as_text=True)
    assert "user_x.weird" in underscore
    assert "user.created" not in underscore


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_hostile_filters_are_harmless(seed, admin_a, value):
    response = admin_a.get("/beheer/logboek", query_string={"actie": value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert" not in page
    assert str(escape(value[:60])) in page


def test_audit_page_runs_a_bounded_number_of_queries(seed, admin_a, app, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    a = seed.a.municipality.id
    with count_queries() as few:
        admin_a.get("/beheer/logboek")
    actors = [seed.a.admin, seed.a.municipal, seed.a.jobcoach, seed.a.employer_user, None]
    for n in range(30):
        add_event(actors[n % 5], f"test.event{n}", municipality_id=a, at=T0 + timedelta(minutes=n))
    with count_queries() as many:
        page = admin_a.get("/beheer/logboek?page=2").get_data(as_text=True)
    assert many.count == few.count
    assert "test.event24" in page
    assert "test.event29" not in page
    assert db.session.query(AuditEvent).count() >= 30


def test_a_filter_with_a_control_character_is_harmless(seed, admin_a):
    """PostgreSQL refuses a NUL in a query: invisible characters are left out of the filter."""
    add_event(seed.a.admin, "user.created", seed.a.jobcoach, municipality_id=seed.a.municipality.id, at=T0)
    response = admin_a.get("/beheer/logboek", query_string={"actie": "user\x00.\x07"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "user.created" in page
    assert 'value="user."' in page
