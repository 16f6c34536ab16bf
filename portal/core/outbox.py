"""Transactional outbox: services queue e-mail in their transaction; a job delivers it.

``queue_email`` is what services call. ``send_pending`` is the scheduler job: it claims due rows,
sends them over SMTP (or writes them to the log when no MAIL_SERVER is configured), and retries
failures with exponential back-off until MAIL_MAX_ATTEMPTS, after which admins see them as failed.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template

from portal.core.models import OutboxEmail
from portal.extensions import db

logger = logging.getLogger(__name__)


def queue_email(
    *,
    to: str,
    template: str,
    dedupe_key: str,
    municipality_id: int | None = None,
    **context: Any,
) -> OutboxEmail | None:
    """Queue ``emails/<template>.txt`` for ``to``; a second call with the same dedupe key adds nothing.

    The template's first line is ``Onderwerp: ...`` (the subject); the rest is the body.
    """
    exists = db.session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    subject, body = render_email(template, **context)
    message = OutboxEmail(
        dedupe_key=dedupe_key,
        municipality_id=municipality_id,
        to_address=to,
        subject=subject,
        body_text=body,
    )
    db.session.add(message)
    db.session.flush()
    return message


def render_email(template: str, **context: Any) -> tuple[str, str]:
    """Render an e-mail template into (subject, body)."""
    text = render_template(f"emails/{template}.txt", base_url=current_app.config["BASE_URL"], **context)
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Onderwerp:"):
        raise ValueError(f"emails/{template}.txt must start with 'Onderwerp: ...'")
    return first.removeprefix("Onderwerp:").strip(), body.strip() + "\n"
