"""Tables shared by every domain: the tenant, the audit trail, the e-mail outbox, the scheduler heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import audit_sql
from portal.core.db import Base, TimestampMixin, str_enum_check
from portal.core.time import now_utc


class Municipality(TimestampMixin, Base):
    """A municipality: the tenant. Everything else belongs to exactly one."""

    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: Short code used in URLs and demo data, e.g. ``eindhoven``.
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    #: Shown to employers as the team's general address (beside their fixed contact).
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    #: Whether employers can choose this municipality when they register.
    is_open_for_registration: Mapped[bool] = mapped_column(default=True)
    #: Whether employer users must log in with a code from an app (staff always must).
    employer_mfa_required: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    def __repr__(self) -> str:
        return f"<Municipality {self.id} {self.slug}>"


class AuditEvent(Base):
    """Who did what to which object, when. Append-only and hash-chained (``portal.core.audit_chain``);
    on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE (``portal.core.audit_sql``)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The actor's role at the time (users can change role; the trail must not).
    actor_role: Mapped[str | None] = mapped_column(sa.String(20))
    municipality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    #: Dotted verb, e.g. ``employer.approved``, ``auth.login_failed``.
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None] = mapped_column()
    #: Small JSON detail; never personal data beyond ids.
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    #: SHA-256 (hex) of the row before this one in id order; empty for the first row.
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    #: SHA-256 (hex) over this row's own fields and ``prev_hash``; set when the row is flushed.
    row_hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)


for _statement in audit_sql.create_statements():
    sa.event.listen(
        AuditEvent.__table__,
        "after_create",
        sa.DDL(_statement.replace("%", "%%")).execute_if(dialect="postgresql"),
    )


#: ``cancelled``: never to be sent (what it carried may no longer be shown to its reader).
OUTBOX_STATUSES = ("pending", "sent", "failed", "cancelled")


class OutboxEmail(Base):
    """An e-mail written in the same transaction as the change that caused it; a job delivers it."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique per logical message, so retries and repeated jobs never send it twice.
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    municipality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this instant (back-off after a failure).
    next_attempt_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    #: The first failed attempt since the message was queued or an admin put it back: temporary trouble is
    #: retried until MAIL_RETRY_DAYS after this.
    first_failed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column()
    #: The candidate whose proposal (pseudonym, profile) this message shows an employer's user; a pending
    #: one is cancelled when the candidate stops sharing the profile (``portal.candidates.disclosure``).
    candidate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="SET NULL"), index=True
    )
    #: The body holds a personal link (password reset, account setup, invitation): once the message is sent
    #: or cancelled the body is replaced, so the link does not stay readable in the database.
    contains_secret: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        str_enum_check("status", OUTBOX_STATUSES),
        sa.Index("ix_outbox_emails_due", "status", "next_attempt_at"),
    )


class SchedulerHeartbeat(Base):
    """One row per scheduler job: last run, last outcome. Admins and /healthz read it."""

    __tablename__ = "scheduler_heartbeats"

    job_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column()
    last_finished_at: Mapped[datetime | None] = mapped_column()
    last_ok: Mapped[bool] = mapped_column(default=True)
    #: Short error class and message of the last failure (no personal data).
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_summary: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class ChangeMark(Base):
    """A committed write to a tenant's data (``portal.core.changes``): a page cached before it is stale.

    ``municipality_id`` and ``employer_id`` name what changed: both for one employer's data, only the
    municipality for data every page of that municipality may show (a candidate, a setting), neither for
    a change the writer could not place (every cached page). Marks are pruned after a day; the newest
    mark of a scope is what a cached page is compared with, and ids only grow. No foreign keys: a mark
    points at nothing, it only says "something here changed".
    """

    __tablename__ = "change_marks"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column()
    employer_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    __table_args__ = (
        # The newest mark of a municipality, and of one employer (or none) in it: one index probe each.
        sa.Index("ix_change_marks_municipality", "municipality_id", "id"),
        sa.Index("ix_change_marks_employer", "municipality_id", "employer_id", "id"),
    )
