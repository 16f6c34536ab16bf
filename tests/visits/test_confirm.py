"""The employer confirms with one click that a visit took place; once, and only on their own placements."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from tests import factories
from tests.matching.conftest import make_site
from tests.visits.conftest import confirm_url, text


def confirmations() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "visit.confirmed")))


@pytest.fixture
def visit(seed, coached):
    visit = factories.make_visit(coached, seed.a.jobcoach, visit_date=date(2026, 3, 9))
    db.session.commit()
    return visit


def test_employer_confirms_once_and_a_second_click_changes_nothing(seed, coached, visit, login_as):
    client = login_as(seed.a.employer_user)
    response = client.post(confirm_url(visit))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/plaatsingen/{coached.id}"
    assert "U heeft bevestigd dat het bezoek is geweest." in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    first = visit.confirmed_at
    assert first is not None
    assert visit.confirmed_by_id == seed.a.employer_user.id
    [event] = confirmations()
    assert (event.object_id, event.detail) == (visit.id, {"placement_id": coached.id})

    colleague = factories.make_user("employer", employer=seed.a.employer)
    db.session.commit()
    again = login_as(colleague).post(confirm_url(visit), follow_redirects=True)
    assert "Dit bezoek was al bevestigd. Er is niets veranderd." in text(again)
    db.session.expire_all()
    assert (visit.confirmed_at, visit.confirmed_by_id) == (first, seed.a.employer_user.id)
    assert len(confirmations()) == 1


def test_the_placement_page_shows_the_button_then_the_confirmation(seed, coached, visit, login_as):
    client = login_as(seed.a.employer_user)
    page = text(client.get(f"/plaatsingen/{coached.id}"))
    assert "Bevestigen dat dit bezoek is geweest" in page
    assert f'action="/bezoeken/{visit.id}/bevestigen"' in page
    client.post(confirm_url(visit))
    page = text(client.get(f"/plaatsingen/{coached.id}"))
    assert "Bevestigen dat dit bezoek is geweest" not in page
    assert "Bevestigd op 10 maart 2026 om 09:00" in page
    staff = text(login_as(seed.a.municipal).get(f"/plaatsingen/{coached.id}"))
    assert f"Ja, op 10 maart 2026 om 09:00 door {seed.a.employer_user.full_name}" in staff
    assert "Bevestigen dat dit bezoek is geweest" not in staff


def test_another_employers_visit_answers_404_and_stays_unconfirmed(seed, coached, visit, login_as):
    other = make_site(seed.a)
    db.session.commit()
    assert login_as(other.user).post(confirm_url(visit)).status_code == 404
    assert login_as(seed.b.employer_user).post(confirm_url(visit)).status_code == 404
    assert login_as(seed.a.employer_user).post(confirm_url(seed.b.visit)).status_code == 404
    assert login_as(seed.a.employer_user).post("/bezoeken/999999999/bevestigen").status_code == 404
    db.session.expire_all()
    assert visit.confirmed_at is None
    assert seed.b.visit.confirmed_at is None
    assert confirmations() == []


@pytest.mark.parametrize("role", ["jobcoach", "municipal", "admin"])
def test_only_employers_confirm(seed, coached, visit, login_as, role):
    assert login_as(seed.a.user(role)).post(confirm_url(visit)).status_code == 403
    db.session.expire_all()
    assert visit.confirmed_at is None


def test_confirming_needs_the_csrf_token(seed, coached, visit, login_as):
    response = login_as(seed.a.employer_user).post(confirm_url(visit), csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert visit.confirmed_at is None
