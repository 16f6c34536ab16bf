"""The e-mail page: failed and waiting messages of the own municipality, and the retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core import outbox
from portal.core.models import OutboxEmail
from portal.extensions import db
from tests.admin.conftest import T0, add_message, audit_actions


def reload(message: OutboxEmail) -> OutboxEmail:
    return db.session.get(OutboxEmail, message.id, populate_existing=True)


def test_a_message_the_server_refuses_shows_as_failed_at_once_and_can_be_retried(
    frozen, seed, admin_a, smtp_server
):
    smtp_server.reject = "554 5.7.1 Geweigerd"
    message = add_message(seed.a.municipality.id, 1)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 1}

    page = admin_a.get("/beheer/e-mail").get_data(as_text=True)
    assert "Onderwerp 1" in page
    assert message.to_address in page
    assert "Mislukt" in page
    assert "SMTPDataError" in page
    assert f"/beheer/e-mail/{message.id}/opnieuw" in page
    assert "4 dagen" in page

    frozen.move_to(T0 + timedelta(minutes=2), tick=False)
    response = admin_a.post(f"/beheer/e-mail/{message.id}/opnieuw")
    assert response.status_code == 302
    row = reload(message)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0 + timedelta(minutes=2))
    assert row.first_failed_at is None  # a fresh period of retries
    [event] = audit_actions("outbox.retried")
    assert (event.actor_id, event.object_id, event.municipality_id) == (
        seed.a.admin.id,
        message.id,
        seed.a.municipality.id,
    )

    smtp_server.reject = None
    assert outbox.send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert [m["Subject"] for m in smtp_server.messages] == ["Onderwerp 1"]
    assert "Alle e-mails zijn verstuurd" in admin_a.get("/beheer/e-mail").get_data(as_text=True)


def test_admins_put_all_failed_messages_of_their_municipality_back_at_once(frozen, seed, admin_a):
    failed = [
        add_message(
            seed.a.municipality.id, n, status="failed", attempts=n, first_failed_at=T0, last_error="x"
        )
        for n in (1, 2, 3)
    ]
    waiting = add_message(seed.a.municipality.id, 4, attempts=2, next_attempt_at=T0 + timedelta(hours=1))
    sent = add_message(seed.a.municipality.id, 5, status="sent", sent_at=T0)
    others = [add_message(seed.b.municipality.id, 6, status="failed"), add_message(None, 7, status="failed")]
    page = admin_a.get("/beheer/e-mail").get_data(as_text=True)
    assert 'action="/beheer/e-mail/opnieuw"' in page
    assert "Alle mislukte opnieuw proberen" in page

    response = admin_a.post("/beheer/e-mail/opnieuw", follow_redirects=True)
    assert "3 e-mails staan weer klaar om te versturen." in response.get_data(as_text=True)
    for message in failed:
        row = reload(message)
        assert (row.status, row.attempts, row.next_attempt_at, row.first_failed_at) == (
            "pending",
            0,
            T0,
            None,
        )
    assert (reload(waiting).attempts, reload(waiting).next_attempt_at) == (2, T0 + timedelta(hours=1))
    assert reload(sent).status == "sent"
    assert [reload(message).status for message in others] == ["failed", "failed"]
    [event] = audit_actions("outbox.retried_all")
    assert (event.actor_id, event.municipality_id) == (seed.a.admin.id, seed.a.municipality.id)
    assert event.detail == {"count": 3, "message_ids": [m.id for m in failed]}
    assert "Alle mislukte opnieuw proberen" not in admin_a.get("/beheer/e-mail").get_data(as_text=True)


def test_retrying_all_when_nothing_failed_changes_nothing(seed, admin_a):
    add_message(seed.b.municipality.id, 1, status="failed")
    response = admin_a.post("/beheer/e-mail/opnieuw", follow_redirects=True)
    assert "Er zijn geen mislukte e-mails." in response.get_data(as_text=True)
    assert audit_actions("outbox.retried_all") == []


def test_outbox_page_shows_pending_with_next_attempt_and_hides_sent_and_other_tenants(frozen, seed, admin_a):
    waiting = add_message(
        seed.a.municipality.id,
        1,
        attempts=2,
        last_error="SMTPServerDisconnected: weg",
        next_attempt_at=T0 + timedelta(minutes=8),
    )
    add_message(seed.a.municipality.id, 2, status="sent", sent_at=T0)
    add_message(seed.b.municipality.id, 3, status="failed", attempts=8)
    page = admin_a.get("/beheer/e-mail").get_data(as_text=True)
    assert waiting.subject in page
    assert "Wacht op verzending" in page
    assert "SMTPServerDisconnected: weg" in page
    assert "2 maart 2026 om 10:08" in page  # next attempt, shown in Amsterdam time
    assert "Onderwerp 2" not in page
    assert "Onderwerp 3" not in page
    assert "/opnieuw" not in page  # only failed messages get a retry button


def test_retrying_another_municipalitys_message_answers_404(seed, admin_a):
    other = add_message(seed.b.municipality.id, 1, status="failed", attempts=8)
    unscoped = add_message(None, 2, status="failed", attempts=8)
    for message in (other, unscoped):
        assert admin_a.post(f"/beheer/e-mail/{message.id}/opnieuw").status_code == 404
        assert reload(message).status == "failed"
        assert reload(message).attempts == 8
    assert admin_a.post("/beheer/e-mail/987654/opnieuw").status_code == 404
    assert audit_actions("outbox.retried") == []


@pytest.mark.parametrize("status", ["pending", "sent"])
def test_only_failed_messages_can_be_retried(seed, admin_a, status):
    message = add_message(seed.a.municipality.id, 1, status=status, attempts=3)
    response = admin_a.post(f"/beheer/e-mail/{message.id}/opnieuw", follow_redirects=True)
    assert "niet mislukt" in response.get_data(as_text=True)
    assert reload(message).attempts == 3
    assert reload(message).status == status


def test_outbox_page_runs_a_bounded_number_of_queries(seed, admin_a, app, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    add_message(seed.a.municipality.id, 0, status="failed")
    with count_queries() as few:
        admin_a.get("/beheer/e-mail")
    for n in range(1, 10):
        add_message(seed.a.municipality.id, n, status="failed")
    with count_queries() as many:
        page = admin_a.get("/beheer/e-mail?page=2").get_data(as_text=True)
    assert many.count == few.count
    assert "Pagina 2 van 4" in page


def test_failed_messages_come_first(frozen, seed, admin_a):
    add_message(seed.a.municipality.id, 1, next_attempt_at=T0 - timedelta(days=1))
    add_message(seed.a.municipality.id, 2, status="failed", attempts=8)
    page = admin_a.get("/beheer/e-mail").get_data(as_text=True)
    assert page.index("Onderwerp 2") < page.index("Onderwerp 1")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 2
