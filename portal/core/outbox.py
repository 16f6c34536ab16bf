"""Transactional outbox: services queue e-mail in their transaction; a job delivers it.

``queue_email`` is what services call. ``send_pending`` is the scheduler job: it claims due rows,
sends them over SMTP (or writes them to the log when no MAIL_SERVER is configured). A message the server
refuses for good (a 5xx reply to this message: unknown address, rejected content) fails at once; temporary
trouble (server unreachable, 4xx replies, a lost connection) is retried with exponential back-off, at most
an hour apart, for MAIL_RETRY_DAYS. Admins see failed messages and can put them back in the queue.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template

from portal.core.db import delete_in_batches
from portal.core.models import OutboxEmail
from portal.core.sql import conflict_insert
from portal.core.time import now_utc
from portal.extensions import db

logger = logging.getLogger(__name__)


def queue_email(
    *,
    to: str,
    template: str,
    dedupe_key: str,
    municipality_id: int | None = None,
    candidate_id: int | None = None,
    contains_secret: bool = False,
    **context: Any,
) -> OutboxEmail | None:
    """Queue ``emails/<template>.txt`` for ``to``; a second call with the same dedupe key adds nothing.

    The template's first line is ``Onderwerp: ...`` (the subject); the rest is the body. Pass
    ``candidate_id`` when the message shows an employer's user a candidate's proposal: it is cancelled
    while still pending if that candidate stops sharing the profile with the reader's employer
    (``cancel_pending_about``). Pass ``contains_secret`` when the body holds a personal link: the body is
    forgotten once sent.
    """
    exists = db.session.scalar(sa.select(OutboxEmail.id).where(OutboxEmail.dedupe_key == dedupe_key))
    if exists is not None:
        return None
    subject, body = render_email(template, **context)
    message = OutboxEmail(
        dedupe_key=dedupe_key,
        municipality_id=municipality_id,
        candidate_id=candidate_id,
        to_address=to,
        subject=subject,
        body_text=body,
        contains_secret=contains_secret,
    )
    db.session.add(message)
    db.session.flush()
    return message


#: Dedupe keys per lookup of ``queue_emails`` (bounds the statement size).
INSERT_BATCH = 500


def queue_emails(messages: list[dict[str, Any]]) -> dict[str, int]:
    """Queue many e-mails at once: ``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`` as one executemany.

    Each message is a dict of ``queue_email``'s arguments (``to``, ``template``, ``dedupe_key``, optional
    ``municipality_id`` and ``candidate_id``, and the template's context). A dedupe key already in the
    outbox (or twice in ``messages``) adds nothing. Flushes nothing of the session; returns the messages
    queued now: their ids by dedupe key.
    """
    wanted = {message["dedupe_key"]: message for message in messages}
    if not wanted:
        return {}
    present = set()
    keys = list(wanted)
    for start in range(0, len(keys), INSERT_BATCH):
        present.update(
            db.session.scalars(
                sa.select(OutboxEmail.dedupe_key).where(
                    OutboxEmail.dedupe_key.in_(keys[start : start + INSERT_BATCH])
                )
            )
        )
    now = now_utc()
    rows = []
    with _render_context():
        for key, message in wanted.items():
            if key in present:
                continue
            context = dict(message)
            to, template = context.pop("to"), context.pop("template")
            subject, body = _render(template, **{k: v for k, v in context.items() if k not in ROW_FIELDS})
            rows.append(
                {
                    "dedupe_key": context.pop("dedupe_key"),
                    "municipality_id": context.get("municipality_id"),
                    "candidate_id": context.get("candidate_id"),
                    "contains_secret": bool(context.get("contains_secret", False)),
                    "to_address": to,
                    "subject": subject,
                    "body_text": body,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if not rows:
        return {}
    table = OutboxEmail.__table__
    statement = (
        conflict_insert(table)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.dedupe_key, table.c.id)
    )
    # executemany: compiled once, sent as multi-row INSERTs ("insertmanyvalues") with RETURNING.
    return dict(db.session.execute(statement, rows).all())


#: Keys of a ``queue_emails`` message that are columns of the row, not template context.
ROW_FIELDS = ("dedupe_key", "municipality_id", "candidate_id", "contains_secret")


def cancel_pending_about(candidate_id: int, to_addresses: sa.Select | None = None) -> list[int]:
    """Cancel the unsent messages that show this candidate's proposal to an employer (to these addresses
    only, when given: the users of the employers that may no longer see it); their ids."""
    query = (
        sa.update(OutboxEmail)
        .where(OutboxEmail.candidate_id == candidate_id, OutboxEmail.status == "pending")
        .values(status="cancelled")
        .returning(OutboxEmail.id)
    )
    if to_addresses is not None:
        query = query.where(OutboxEmail.to_address.in_(to_addresses))
    return sorted(db.session.scalars(query))


def render_email(template: str, **context: Any) -> tuple[str, str]:
    """Render an e-mail template into (subject, body); also outside a request (jobs, CLI) for url_for."""
    with _render_context():
        return _render(template, **context)


@contextlib.contextmanager
def _render_context() -> Iterator[None]:
    """A request context for url_for while rendering (the current one, else a dummy one)."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/"):
        yield


def _render(template: str, **context: Any) -> tuple[str, str]:
    text = render_template(f"emails/{template}.txt", base_url=current_app.config["BASE_URL"], **context)
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Onderwerp:"):
        raise ValueError(f"emails/{template}.txt must start with 'Onderwerp: ...'")
    return first.removeprefix("Onderwerp:").strip(), body.strip() + "\n"


# --- Retention ------------------------------------------------------------------------------------

#: Messages deleted per statement and commit by ``prune_sent``, and the most statements per run.
PRUNE_BATCH = 1000
PRUNE_MAX_BATCHES = 100


def prune_sent(now: datetime | None = None) -> dict[str, int]:
    """The scheduler job: delete sent messages older than OUTBOX_KEEP_DAYS, in batches with a commit each.

    Failed messages stay (admins see them until they are handled), and so do pending and cancelled ones.
    Nothing depends on a pruned message: every dedupe that must outlive it is kept in its own domain
    (alerts: ``mailed_at`` / ``escalated_at``; weekly-log reminders: ``LogReminder``). A run deletes at most
    PRUNE_BATCH x PRUNE_MAX_BATCHES rows; the next run goes on. Returns how many were deleted.
    """
    now = now or now_utc()
    cutoff = now - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    sent_before = sa.and_(OutboxEmail.status == "sent", OutboxEmail.sent_at < cutoff)
    pruned = delete_in_batches(
        db.session, OutboxEmail, sent_before, batch=PRUNE_BATCH, max_batches=PRUNE_MAX_BATCHES
    )
    return {"pruned": pruned}


# --- The sender job ---------------------------------------------------------------------------------

mail_logger = logging.getLogger("portal.mail")

#: Upper bound of the back-off between two attempts: mail goes out within the hour after the trouble ends.
MAX_BACKOFF = timedelta(hours=1)
EMAIL_LIKE_RE = re.compile(r"[^\s<>()\[\]{},;:'\"]+@[^\s<>()\[\]{},;:'\"]+")


def send_pending(now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Deliver due outbox messages, one claimed row and one commit at a time; return counts.

    Each message is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; a no-op on SQLite),
    delivered, marked and committed before the next one is claimed, so two senders never deliver the
    same row at the same moment. Delivery is at-least-once: when the SMTP server has accepted a message
    but marking it sent fails (crash, lost connection), the next run sends it again. The Message-ID is
    derived from the dedupe key, so receiving systems can recognise such a repeat.
    """
    now = now or now_utc()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with _Transport(current_app.config) as transport:
        for _ in range(max(limit, 0)):
            message = _claim_next(now)
            if message is None:
                break
            outcome = _deliver(transport, message, now)
            db.session.commit()
            counts[outcome] += 1
            if transport.unreachable:
                break  # the server did not let us in: the other messages wait for the next run
    return counts


def _claim_next(now: datetime) -> OutboxEmail | None:
    query = (
        sa.select(OutboxEmail)
        .where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalar(query)


def _deliver(transport: _Transport, message: OutboxEmail, now: datetime) -> str:
    """Send one message and record the outcome on its row: ``sent``, ``retry`` or ``failed``."""
    try:
        transport.send(message, now)
    except Exception as exc:  # any failure of one message must not stop the queue
        # Whatever goes wrong while connecting or logging in is the server's trouble, never the message's.
        return _record_failure(message, exc, now, permanent=not transport.unreachable and is_permanent(exc))
    message.status = "sent"
    message.sent_at = now
    message.last_error = None
    forget_secret(message)
    return "sent"


#: What the body of a sent message with a personal link becomes.
LINK_REMOVED_TEXT = "[Verwijderd na verzending: dit bericht bevatte een persoonlijke link.]"


def forget_secret(message: OutboxEmail) -> None:
    """Replace the body of a message with a personal link once it can no longer be sent.

    A failed message keeps its body, so an admin can still put it back in the queue; its link expires on
    its own (``PASSWORD_RESET_HOURS``, ``ACCOUNT_SETUP_DAYS``, ``INVITATION_DAYS``).
    """
    if message.contains_secret:
        message.body_text = LINK_REMOVED_TEXT


def retire_secret(message: OutboxEmail) -> bool:
    """The personal link in ``message`` is no longer needed (used or expired): a message still waiting is
    cancelled, and a body with a secret is forgotten (also of a failed one). Whether it changed."""
    changed = False
    if message.status == "pending":
        message.status, changed = "cancelled", True
    if message.contains_secret and message.body_text != LINK_REMOVED_TEXT:
        forget_secret(message)
        changed = True
    return changed


def _record_failure(message: OutboxEmail, exc: Exception, now: datetime, permanent: bool) -> str:
    message.attempts += 1
    message.last_error = short_error(exc)
    message.first_failed_at = message.first_failed_at or now
    retry_until = message.first_failed_at + timedelta(days=current_app.config["MAIL_RETRY_DAYS"])
    if permanent or now >= retry_until:
        message.status = "failed"
        logger.error(
            "Outbox message %s failed for good (%s) after %s attempts: %s",
            message.id,
            "refused by the server" if permanent else "retried too long",
            message.attempts,
            message.last_error,
        )
        return "failed"
    message.next_attempt_at = now + backoff(message.attempts)
    logger.warning(
        "Outbox message %s attempt %s failed: %s", message.id, message.attempts, message.last_error
    )
    return "retry"


def backoff(attempts: int) -> timedelta:
    """Wait 2**attempts minutes before the next attempt, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), MAX_BACKOFF)


def is_permanent(exc: BaseException) -> bool:
    """Whether the SMTP server refused this message for good (a 5xx reply), so retrying cannot help.

    Unknown errors, lost connections, timeouts and 4xx replies are temporary.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(_permanent_code(code) for code in codes)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return _permanent_code(exc.smtp_code)
    # E.g. the message needs SMTPUTF8 and the server lacks it (raised by send_message).
    return isinstance(exc, smtplib.SMTPNotSupportedError)


def _permanent_code(code: int) -> bool:
    return 500 <= code <= 599


def short_error(exc: BaseException, max_length: int = 200) -> str:
    """``ClassName: message``, shortened, with e-mail addresses blanked (no personal data in logs)."""
    text = " ".join(str(exc).split())
    text = EMAIL_LIKE_RE.sub("[adres]", text)
    return f"{type(exc).__name__}: {text}"[:max_length]


def message_id(dedupe_key: str, sender: str) -> str:
    """A stable Message-ID for a dedupe key: a resend after a crash carries the same id."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "werkbrug.invalid"
    return f"<{digest}@{domain}>"


def build_message(message: OutboxEmail, sender: str, now: datetime) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message.dedupe_key, sender)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    return email


class _Transport:
    """SMTP when MAIL_SERVER is set (one connection per run, opened on first use), else the log."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        #: Connecting or logging in failed during this run.
        self.unreachable = False

    def __enter__(self) -> _Transport:
        return self

    def __exit__(self, *exc_info) -> None:
        self._close()

    def send(self, message: OutboxEmail, now: datetime) -> None:
        if not self.config["MAIL_SERVER"]:
            mail_logger.info(
                "E-mail %s (no MAIL_SERVER: written to the log)\nOnderwerp: %s\n\n%s",
                message.id,
                message.subject,
                message.body_text,
            )
            return
        email = build_message(message, self.config["MAIL_DEFAULT_SENDER"], now)
        try:
            self._connection().send_message(email)
        except Exception:
            self._close()  # the next message starts on a fresh connection
            raise

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            try:
                self.smtp = open_smtp(self.config)
            except Exception:
                self.unreachable = True
                raise
        return self.smtp

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def open_smtp(config) -> smtplib.SMTP:
    """Connect (and log in) to the configured SMTP server."""
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except Exception:
        smtp.close()
        raise
    return smtp
