"""Home pages served again from the cache while nothing they show changed (portal/core/pagecache.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_wtf.csrf import generate_csrf

from portal import create_app
from portal.core import pagecache
from portal.core.audit import CANDIDATES_LISTED
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.placements.models import Placement
from tests import factories
from tests.conftest import CSRF_HEADER, Client
from tests.placements.conftest import THIS_WEEK, log_url, text, valid_log

#: A page served from the cache costs the user's row and the newest change marks: two statements.
HIT = 2


def listings() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == CANDIDATES_LISTED))


def view(client, count_queries) -> tuple[str, int]:
    with count_queries() as counter:
        page = text(client.get("/"))
    return page, counter.count


def expose_csrf_token(response):
    response.headers[CSRF_HEADER] = generate_csrf()
    return response


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_repeated_view_is_served_again_without_rendering_or_a_second_listing(
    seed, started, login_as, count_queries
):
    client = login_as(seed.a.employer_user)
    first, rendered = view(client, count_queries)
    listed = listings()
    assert started.candidate.pseudonym in first
    again, statements = view(client, count_queries)
    assert statements == HIT < rendered
    assert again == first
    assert listings() == listed, "the listing event of the rendering covers the page served again"


def test_a_weekly_log_saved_through_the_form_is_on_the_next_page(seed, started, login_as, count_queries):
    client = login_as(seed.a.employer_user)
    assert "U moet deze week nog één weekverslag invullen." in text(client.get("/"))
    response = client.post(log_url(started, THIS_WEEK), data=valid_log())
    assert response.status_code == 302
    page, statements = view(client, count_queries)
    assert statements > HIT
    assert "U moet deze week nog één weekverslag invullen." not in page


def test_consent_withdrawn_by_the_contact_is_gone_from_the_employers_next_page(seed, started, login_as):
    consent = factories.make_consent(
        started.candidate, kind="reveal_identity", employer=seed.a.employer, recorded_by=seed.a.municipal
    )
    db.session.commit()
    employer = login_as(seed.a.employer_user)
    assert started.candidate.full_name in text(employer.get("/"))
    assert started.candidate.full_name in text(employer.get("/"))
    withdraw = f"/kandidaten/{started.candidate.id}/toestemming/{consent.id}/intrekken"
    assert login_as(seed.a.municipal).post(withdraw).status_code == 302
    page = text(employer.get("/"))
    assert started.candidate.full_name not in page
    assert started.candidate.pseudonym in page


def test_a_write_in_another_worker_makes_the_next_page_fresh(app, seed, started, login_as):
    """Two app instances (two workers, each with its own cache) over one database."""
    other = create_app("testing")
    other.extensions["werkbrug_db"].connection = db.state.connection
    other.after_request(expose_csrf_token)
    consent = factories.make_consent(
        started.candidate, kind="reveal_identity", employer=seed.a.employer, recorded_by=seed.a.municipal
    )
    db.session.commit()
    employer = login_as(seed.a.employer_user)
    assert started.candidate.full_name in text(employer.get("/"))
    contact = Client(other.test_client())
    contact.login(seed.a.municipal)
    withdraw = f"/kandidaten/{started.candidate.id}/toestemming/{consent.id}/intrekken"
    assert contact.post(withdraw).status_code == 302
    assert started.candidate.full_name not in text(employer.get("/"))


def test_writes_for_other_employers_and_municipalities_leave_the_page_cached(
    seed, started, login_as, count_queries
):
    client = login_as(seed.a.employer_user)
    client.get("/")
    factories.make_workplace(seed.b.employer, name="Ander Magazijn")
    neighbour = factories.make_employer(seed.a.municipality, name="Buurman Bakkerij B.V.")
    factories.make_workplace(neighbour, name="Bakkerij Oost")
    db.session.commit()
    assert view(client, count_queries)[1] == HIT
    factories.make_workplace(seed.a.employer, name="Magazijn Zuid")
    db.session.commit()
    page, statements = view(client, count_queries)
    assert statements > HIT
    assert "Magazijn Zuid" in page


def test_a_candidate_change_or_a_bulk_statement_renders_afresh(seed, started, login_as, count_queries):
    client = login_as(seed.a.employer_user)
    client.get("/")
    started.candidate.home_town = "Nieuwdorp"
    db.session.commit()
    assert view(client, count_queries)[1] > HIT
    assert view(client, count_queries)[1] == HIT
    db.session.execute(sa.update(Placement).where(Placement.id == started.id).values(days_per_week=4))
    db.session.commit()
    assert view(client, count_queries)[1] > HIT


def test_a_message_shown_once_is_not_served_again(seed, started, login_as):
    client = login_as(seed.a.employer_user)
    client.get("/")
    with client.raw.session_transaction() as session:
        session["_flashes"] = [("success", "Eenmalige melding")]
    assert "Eenmalige melding" in text(client.get("/"))
    assert "Eenmalige melding" not in text(client.get("/"))


def test_each_browser_session_gets_a_page_with_its_own_form_token(seed, started, login_as):
    phone, laptop = login_as(seed.a.employer_user), login_as(seed.a.employer_user)
    on_phone = form_token(text(phone.get("/")))
    on_laptop = form_token(text(laptop.get("/")))
    assert on_phone != on_laptop
    response = laptop.post("/logout", data={"csrf_token": on_laptop})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 302, "logged out with the token of its own page"


def test_the_next_day_renders_afresh(seed, started, login_as, count_queries, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 22, 50, tzinfo=UTC), tick=False)  # 23:50 in Eindhoven
    client = login_as(seed.a.employer_user)
    client.get("/")
    assert view(client, count_queries)[1] == HIT
    time_machine.move_to(datetime(2026, 3, 10, 23, 10, tzinfo=UTC), tick=False)  # 00:10, the next day
    page, statements = view(client, count_queries)
    assert statements > HIT
    assert "U moet deze week nog één weekverslag invullen." in page


def test_contact_and_jobcoach_homes_are_cached_per_municipality(seed, started, login_as, count_queries):
    contact, jobcoach = login_as(seed.a.municipal), login_as(seed.a.jobcoach)
    for client in (contact, jobcoach):
        client.get("/")
        assert view(client, count_queries)[1] == HIT
    factories.make_workplace(seed.b.employer, name="Elders")
    db.session.commit()
    for client in (contact, jobcoach):
        assert view(client, count_queries)[1] == HIT
    factories.make_workplace(seed.a.employer, name="Hier")
    db.session.commit()
    for client in (contact, jobcoach):
        assert view(client, count_queries)[1] > HIT


def test_admin_home_and_a_switched_off_cache_always_render(
    seed, started, login_as, count_queries, monkeypatch
):
    admin = login_as(seed.a.admin)
    admin.get("/")
    assert view(admin, count_queries)[1] > HIT
    monkeypatch.setattr(pagecache.pages(), "max_bytes", 0)
    employer = login_as(seed.a.employer_user)
    employer.get("/")
    assert view(employer, count_queries)[1] > HIT


def test_pages_expire_and_the_cache_stays_within_its_bytes():
    now = [0.0]
    cache = pagecache.PageCache(max_bytes=10, seconds=300, clock=lambda: now[0])
    cache.put(("a",), (1,), "12345")
    cache.put(("b",), (1,), "12345")
    assert cache.get(("a",), (1,)) == "12345"
    assert cache.get(("a",), (2,)) is None, "a newer mark"
    cache.put(("a",), (1,), "12345")
    cache.put(("c",), (1,), "123")
    assert cache.get(("b",), (1,)) is None, "the least recently used page made room"
    assert cache.get(("a",), (1,)) == "12345"
    now[0] = 301
    assert cache.get(("a",), (1,)) is None
    cache.put(("d",), (1,), "x" * 11)
    assert cache.get(("d",), (1,)) is None, "a page larger than the cache is not kept"
    assert len(cache) <= 2


@pytest.mark.parametrize("role", ["employer_user", "municipal", "jobcoach"])
def test_another_users_page_is_never_served(seed, started, login_as, role):
    mine = text(login_as(getattr(seed.a, role)).get("/"))
    theirs = text(login_as(getattr(seed.b, role)).get("/"))
    assert getattr(seed.a, role).full_name in mine
    assert getattr(seed.a, role).full_name not in theirs


def test_only_accounts_with_their_scope_are_cached():
    from types import SimpleNamespace

    employer = SimpleNamespace(municipality_id=1)
    assert pagecache._cacheable(SimpleNamespace(role="employer", employer=employer, municipality_id=1))
    assert not pagecache._cacheable(SimpleNamespace(role="employer", employer=None, municipality_id=1))
    assert pagecache._cacheable(SimpleNamespace(role="municipal", employer=None, municipality_id=1))
    assert not pagecache._cacheable(SimpleNamespace(role="admin", employer=None, municipality_id=1))
