"""Only administrators open the administration pages; every page warns when the scheduler is stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal import scheduler
from portal.auth.models import User
from portal.core.models import OutboxEmail
from portal.extensions import db
from tests.admin.conftest import T0, add_message

PAGES = ["/beheer/gebruikers", "/beheer/gebruikers/nieuw", "/beheer/e-mail", "/beheer/logboek"]


def posts(seed, message_id):
    user = seed.a.jobcoach.id
    return [
        f"/beheer/gebruikers/{user}/deactiveren",
        f"/beheer/gebruikers/{user}/activeren",
        f"/beheer/e-mail/{message_id}/opnieuw",
        "/beheer/gebruikers/nieuw",
    ]


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal"])
def test_other_roles_get_403_and_change_nothing(seed, login_as, role):
    message = add_message(seed.a.municipality.id, 1, status="failed", attempts=8)
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    client = login_as(seed.a.user(role))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    for url in posts(seed, message.id):
        data = {"full_name": "X", "email": "x@x.nl", "role": "admin"}
        assert client.post(url, data).status_code == 403, url
    assert db.session.get(User, seed.a.jobcoach.id, populate_existing=True).is_active
    assert db.session.get(OutboxEmail, message.id, populate_existing=True).status == "failed"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before


def test_anonymous_visitors_are_sent_to_login(seed, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_admin_pages_warn_when_the_scheduler_never_ran(seed, admin_a):
    for url in PAGES:
        page = admin_a.get(url).get_data(as_text=True)
        assert "de planner (scheduler) heeft nog nooit gedraaid" in page, url


def test_no_warning_with_a_fresh_heartbeat_and_a_warning_when_it_is_stale(frozen, seed, admin_a, app):
    scheduler.run_job(app, "core.heartbeat")
    for url in PAGES:
        assert "planner (scheduler)" not in admin_a.get(url).get_data(as_text=True)
    frozen.move_to(T0 + timedelta(minutes=app.config["SCHEDULER_STALE_MINUTES"] + 5), tick=False)
    page = admin_a.get("/beheer/gebruikers").get_data(as_text=True)
    minutes = app.config["SCHEDULER_STALE_MINUTES"] + 5
    assert f"draaide {minutes} minuten geleden voor het laatst" in page
