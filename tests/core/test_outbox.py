"""The outbox: queueing with a dedupe key, delivery over real SMTP or to the log, back-off and giving up."""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.core import outbox
from portal.core.models import OutboxEmail
from portal.core.time import now_utc
from portal.extensions import db
from tests import factories

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def add_message(n: int = 1, **kw) -> OutboxEmail:
    message = OutboxEmail(
        dedupe_key=kw.pop("dedupe_key", f"test:{n}"),
        municipality_id=kw.pop("municipality_id", None),
        to_address=kw.pop("to_address", f"ontvanger{n}@test.werkbrug.nl"),
        subject=kw.pop("subject", f"Onderwerp {n} – één test"),
        body_text=kw.pop("body_text", f"Beste ontvanger,\n\nDit is bericht {n}.\n\nWerkbrug\n"),
        **kw,
    )
    db.session.add(message)
    db.session.flush()
    return message


def reload(message: OutboxEmail) -> OutboxEmail:
    return db.session.get(OutboxEmail, message.id, populate_existing=True)


# queue_email ------------------------------------------------------------------------------------------


def test_queue_email_renders_subject_and_body_and_dedupes(frozen):
    user = factories.make_user("municipal")
    context = {"user": user, "token": "abc", "expires_at": T0 + timedelta(hours=1)}
    first = outbox.queue_email(
        to=user.email,
        template="auth/password_reset",
        dedupe_key="reset:1",
        municipality_id=user.municipality_id,
        **context,
    )
    second = outbox.queue_email(
        to=user.email,
        template="auth/password_reset",
        dedupe_key="reset:1",
        municipality_id=user.municipality_id,
        **context,
    )
    assert first is not None
    assert second is None
    rows = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.dedupe_key == "reset:1")).all()
    assert len(rows) == 1
    assert rows[0].subject == "Nieuw wachtwoord kiezen voor Werkbrug"
    assert not rows[0].body_text.startswith("Onderwerp")
    assert "http://localhost/" in rows[0].body_text  # absolute link, rendered outside a request
    assert rows[0].status == "pending"
    assert rows[0].next_attempt_at == T0


def test_queue_emails_inserts_many_in_one_statement_and_skips_known_keys(frozen, count_queries):
    user = factories.make_user("municipal")
    outbox.queue_email(
        to=user.email,
        template="auth/password_reset",
        dedupe_key="bulk:0",
        user=user,
        token="t",
        expires_at=T0,
    )
    messages = [
        {
            "to": user.email,
            "template": "auth/password_reset",
            "dedupe_key": f"bulk:{n}",
            "municipality_id": user.municipality_id,
            "user": user,
            "token": f"t{n}",
            "expires_at": T0,
        }
        for n in range(30)
    ]
    with count_queries() as queries:
        queued = outbox.queue_emails(messages + messages[:3])
    assert set(queued) == {f"bulk:{n}" for n in range(1, 30)}
    assert queries.count == 2  # which keys exist, then one INSERT ... ON CONFLICT DO NOTHING
    rows = db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like("bulk:%"))).all()
    assert len(rows) == 30
    row = next(r for r in rows if r.dedupe_key == "bulk:7")
    assert (row.subject, row.status, row.attempts, row.next_attempt_at) == (
        "Nieuw wachtwoord kiezen voor Werkbrug",
        "pending",
        0,
        T0,
    )
    assert row.municipality_id == user.municipality_id
    assert queued["bulk:7"] == row.id
    assert outbox.queue_emails(messages) == {}


# Retention ----------------------------------------------------------------------------------------------


def test_prune_sent_deletes_only_sent_messages_older_than_the_setting_in_batches(frozen, app, monkeypatch):
    keep = app.config["OUTBOX_KEEP_DAYS"]
    assert keep == 90
    old = T0 - timedelta(days=keep, seconds=1)
    recent = T0 - timedelta(days=keep - 1)
    monkeypatch.setattr(outbox, "PRUNE_BATCH", 2)
    pruned = [add_message(n, status="sent", sent_at=old) for n in range(5)]
    kept = [
        add_message(10, status="sent", sent_at=recent),
        add_message(11, status="failed", created_at=old, first_failed_at=old),
        add_message(12, status="pending", created_at=old),
        add_message(13, status="cancelled", created_at=old),
    ]
    assert outbox.prune_sent() == {"pruned": 5}
    left = set(db.session.scalars(sa.select(OutboxEmail.id)))
    assert left == {m.id for m in kept}
    assert not left & {m.id for m in pruned}
    assert outbox.prune_sent() == {"pruned": 0}


def test_prune_job_is_registered_and_reports_nothing_when_idle(app):
    from portal import scheduler

    job = scheduler.get_job("core.prune_outbox")
    assert (job["func"], job["trigger"], job["hours"]) == ("portal.core.outbox:prune_sent", "interval", 1)
    assert scheduler.did_something(outbox.prune_sent()) is False


# Delivery over SMTP -------------------------------------------------------------------------------------


def test_send_pending_delivers_over_smtp_with_stable_message_id(frozen, smtp_server):
    first, second = add_message(1), add_message(2)
    result = outbox.send_pending()
    assert result == {"sent": 2, "retry": 0, "failed": 0}
    assert [m["To"] for m in smtp_server.messages] == [first.to_address, second.to_address]
    mail = smtp_server.messages[0]
    assert mail["Subject"] == "Onderwerp 1 – één test"
    assert mail["From"] == "Werkbrug <noreply@werkbrug.example>"
    assert mail["Message-ID"] == outbox.message_id("test:1", "Werkbrug <noreply@werkbrug.example>")
    assert mail["Message-ID"].endswith("@werkbrug.example>")
    assert "Dit is bericht 1." in mail.get_content()
    for message in (first, second):
        row = reload(message)
        assert (row.status, row.sent_at, row.attempts) == ("sent", T0, 0)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp_server.messages) == 2  # nothing is sent twice


def test_message_id_is_stable_per_dedupe_key():
    sender = "Werkbrug <noreply@gemeente.example>"
    assert outbox.message_id("a:1", sender) == outbox.message_id("a:1", sender)
    assert outbox.message_id("a:1", sender) != outbox.message_id("a:2", sender)


def test_only_due_pending_messages_are_sent_in_id_order_and_limited(frozen, smtp_server):
    later = add_message(1, next_attempt_at=T0 + timedelta(minutes=5))
    done = add_message(2, status="sent", sent_at=T0)
    failed = add_message(3, status="failed", attempts=8)
    due = [add_message(n) for n in range(4, 7)]
    assert outbox.send_pending(limit=2) == {"sent": 2, "retry": 0, "failed": 0}
    assert [m["To"] for m in smtp_server.messages] == [due[0].to_address, due[1].to_address]
    assert outbox.send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert reload(later).status == "pending"
    assert reload(failed).status == "failed"
    assert reload(done).status == "sent"
    assert len(smtp_server.messages) == 3


def test_a_temporary_refusal_is_retried_with_back_off_for_days_then_fails(frozen, smtp_server, app):
    assert app.config["MAIL_RETRY_DAYS"] == 4
    smtp_server.reject = "451 4.3.0 Mailbox tijdelijk niet beschikbaar"
    message = add_message(1, to_address="geheim.adres@test.werkbrug.nl")
    assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    row = reload(message)
    assert (row.attempts, row.status, row.first_failed_at) == (1, "pending", T0)
    assert row.next_attempt_at == T0 + timedelta(minutes=2)
    assert row.last_error.startswith("SMTPDataError: (451")
    assert "geheim.adres" not in row.last_error
    # Not due yet: nothing happens.
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 0}
    for waited in (2, 2 + 4, 2 + 4 + 8):
        frozen.move_to(T0 + timedelta(minutes=waited), tick=False)
        assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    assert reload(message).next_attempt_at == T0 + timedelta(minutes=14 + 16)
    # Hours of trouble are no reason to give up: after more than three days it is still tried.
    frozen.move_to(T0 + timedelta(days=3, hours=23), tick=False)
    assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    row = reload(message)
    assert (row.status, row.attempts, row.first_failed_at) == ("pending", 5, T0)
    assert row.next_attempt_at == T0 + timedelta(days=3, hours=23, minutes=32)
    frozen.move_to(T0 + timedelta(days=4), tick=False)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 1}
    row = reload(message)
    assert (row.status, row.attempts, row.sent_at) == ("failed", 6, None)
    frozen.move_to(T0 + timedelta(days=6), tick=False)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_server.messages == []


def test_a_message_that_gets_through_after_trouble_is_sent(frozen, smtp_server):
    smtp_server.reject = "421 4.7.0 Probeer het later"
    message = add_message(1)
    assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    smtp_server.reject = None
    frozen.move_to(T0 + timedelta(minutes=2), tick=False)
    assert outbox.send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    row = reload(message)
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)


def test_a_permanent_refusal_fails_at_once(frozen, smtp_server):
    smtp_server.reject = "554 5.7.1 Bericht geweigerd"
    message = add_message(1)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 1}
    row = reload(message)
    assert (row.status, row.attempts, row.first_failed_at) == ("failed", 1, T0)
    assert row.last_error.startswith("SMTPDataError: (554")
    frozen.move_to(T0 + timedelta(hours=1), tick=False)
    assert outbox.send_pending() == {"sent": 0, "retry": 0, "failed": 0}


def test_backoff_doubles_and_is_capped_at_one_hour():
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (2, 4, 8)]
    assert outbox.backoff(5) == timedelta(minutes=32)
    assert outbox.backoff(6) == timedelta(hours=1)
    assert outbox.backoff(500) == timedelta(hours=1)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@test.werkbrug.nl": (550, b"5.1.1 Unknown user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@test.werkbrug.nl": (452, b"4.2.2 Mailbox full")}), False),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "noreply@werkbrug.example"), True),
        (smtplib.SMTPSenderRefused(451, b"4.7.1 Try again", "noreply@werkbrug.example"), False),
        (smtplib.SMTPDataError(554, b"5.7.1 Rejected"), True),
        (smtplib.SMTPDataError(421, b"4.4.2 Timeout"), False),
        (smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
        (smtplib.SMTPAuthenticationError(454, b"4.7.0 Temporary authentication failure"), False),
        (ValueError("something unexpected"), False),
    ],
)
def test_permanent_refusals_are_told_from_temporary_trouble(error, permanent):
    assert outbox.is_permanent(error) is permanent


def test_an_unreachable_server_is_a_temporary_failure_and_ends_the_run(frozen, app, monkeypatch):
    from tests.conftest import free_port

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)
    first, second = add_message(1), add_message(2)
    # The server does not answer: the rest of the queue waits for the next run instead of timing out too.
    assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    assert reload(first).last_error.startswith("ConnectionRefusedError")
    assert (reload(first).status, reload(first).first_failed_at) == ("pending", T0)
    assert (reload(second).attempts, reload(second).next_attempt_at) == (0, T0)
    assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    assert reload(second).attempts == 1


def test_an_error_while_connecting_is_the_servers_and_never_fails_the_message(frozen, app, monkeypatch):
    """The server offers no login (SMTPNotSupportedError): retried, as every connection problem."""
    from aiosmtpd.controller import Controller

    from tests.conftest import SmtpSink, free_port

    port = free_port()
    controller = Controller(SmtpSink(), hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USERNAME": "werkbrug"}.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        message = add_message(1)
        assert outbox.send_pending() == {"sent": 0, "retry": 1, "failed": 0}
    finally:
        controller.stop()
    row = reload(message)
    assert row.status == "pending"
    assert row.last_error.startswith("SMTPNotSupportedError")


def test_one_refused_recipient_does_not_stop_the_others(frozen, smtp_server):
    class PickySink(type(smtp_server)):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
            if address.startswith("weg"):
                return "550 5.1.1 Unknown user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp_server.__class__ = PickySink
    bad = add_message(1, to_address="weg@test.werkbrug.nl")
    good = add_message(2)
    assert outbox.send_pending() == {"sent": 1, "retry": 0, "failed": 1}  # an unknown address: at once
    assert reload(bad).status == "failed"
    assert reload(bad).last_error.startswith("SMTPRecipientsRefused")
    assert "weg@" not in reload(bad).last_error
    assert reload(good).status == "sent"
    assert [m["To"] for m in smtp_server.messages] == [good.to_address]


# The log backend ----------------------------------------------------------------------------------------


def test_without_mail_server_messages_go_to_the_log(frozen, caplog):
    message = add_message(1, subject="Welkom bij Werkbrug", body_text="Hallo,\n\nKlik op de link.\n")
    with caplog.at_level(logging.INFO, logger="portal.mail"):
        assert outbox.send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    records = [r for r in caplog.records if r.name == "portal.mail"]
    assert len(records) == 1
    text = records[0].getMessage()
    assert "Welkom bij Werkbrug" in text
    assert "Klik op de link." in text
    assert message.to_address not in text
    assert reload(message).status == "sent"


def test_short_error_blanks_addresses_and_is_short():
    error = ValueError("could not deliver to piet@example.org and <an@b.nl>: " + "x" * 500)
    text = outbox.short_error(error)
    assert text.startswith("ValueError: could not deliver to [adres]")
    assert "piet" not in text
    assert "an@b" not in text
    assert len(text) <= 200


def test_now_is_taken_from_the_clock(frozen):
    add_message(1, next_attempt_at=T0 + timedelta(seconds=1))
    assert outbox.send_pending()["sent"] == 0
    assert outbox.send_pending(now=now_utc() + timedelta(seconds=1))["sent"] == 1
