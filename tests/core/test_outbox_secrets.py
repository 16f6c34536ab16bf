"""E-mailed personal links (password reset, account setup, invitation) do not stay readable once sent."""

from __future__ import annotations

import smtplib
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.core import outbox
from portal.core.models import OutboxEmail
from portal.extensions import db
from tests.auth.conftest import emails_to


def _reload(message: OutboxEmail) -> OutboxEmail:
    return db.session.get(OutboxEmail, message.id, populate_existing=True)


def test_a_reset_link_is_readable_until_sent_and_then_forgotten(client, seed, smtp_server):
    user = seed.a.jobcoach
    client.post("/wachtwoord-vergeten", {"email": user.email})
    [mail] = emails_to(user.email)
    assert mail.contains_secret
    assert "/wachtwoord-herstellen/" in mail.body_text
    outbox.send_pending()
    assert "/wachtwoord-herstellen/" in smtp_server.messages[-1].get_content(), "the person got the link"
    sent = _reload(mail)
    assert sent.status == "sent"
    assert sent.body_text == outbox.LINK_REMOVED_TEXT
    assert "wachtwoord-herstellen" not in sent.body_text


def test_account_setup_and_invitation_mail_are_marked_secret(client, seed, login_as):
    admin = login_as(seed.a.admin)
    admin.post(
        "/beheer/gebruikers/nieuw",
        {
            "full_name": "Test Persoon",
            "email": "nieuw.persoon@test.werkbrug.nl",
            "phone": "",
            "role": "jobcoach",
        },
    )
    secret_keys = db.session.scalars(sa.select(OutboxEmail.dedupe_key).where(OutboxEmail.contains_secret))
    assert any(key.startswith("auth.setup:") for key in secret_keys)


def test_ordinary_mail_keeps_its_body_after_sending(seed, smtp_server):
    message = OutboxEmail(
        dedupe_key="test:ordinary",
        to_address="iemand@test.werkbrug.nl",
        subject="Gewoon bericht",
        body_text="Beste ontvanger,\n\nEen gewoon bericht.\n",
    )
    db.session.add(message)
    db.session.flush()
    body = message.body_text
    outbox.send_pending()
    assert _reload(message).body_text == body


def test_a_failed_link_mail_keeps_its_body_for_an_admins_retry(client, seed, smtp_server, monkeypatch):
    user = seed.a.jobcoach
    client.post("/wachtwoord-vergeten", {"email": user.email})
    [mail] = emails_to(user.email)

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({user.email: (550, b"no such user")})

    monkeypatch.setattr(smtplib.SMTP, "send_message", refuse)
    outbox.send_pending()
    failed = _reload(mail)
    assert failed.status == "failed"
    assert "/wachtwoord-herstellen/" in failed.body_text


EMAILS = Path(__file__).resolve().parents[2] / "portal" / "templates" / "emails"
PORTAL = EMAILS.parents[1]
TOKEN_TEMPLATES = sorted(
    str(p.relative_to(EMAILS).with_suffix("")) for p in EMAILS.rglob("*.txt") if "token" in p.read_text()
)


def test_the_link_templates_are_found():
    assert {"auth/password_reset", "auth/account_setup", "employers/invitation"} <= set(TOKEN_TEMPLATES)


@pytest.mark.parametrize("template", TOKEN_TEMPLATES)
def test_every_mail_with_a_token_is_queued_as_secret(template):
    callers = [p for p in PORTAL.rglob("*.py") if f'template="{template}"' in p.read_text()]
    assert callers, template
    for path in callers:
        text = path.read_text()
        start = text.index(f'template="{template}"')
        call = text[text.rfind("queue_email(", 0, start) : text.index("\n    )", start)]
        assert "contains_secret=True" in call, f"{path}: {template} must be queued with contains_secret=True"
