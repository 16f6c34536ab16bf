"""Keep the weekly-log reminders in their own table instead of reading them from outbox dedupe keys

Revision ID: d4f6b8c0e2a4
Revises: b2d4f6a8c0e2
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "d4f6b8c0e2a4"
down_revision: str | None = "b2d4f6a8c0e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: placements.log_reminder:<placement>:<monday>:<user> (portal/placements/reminders.py before this revision).
PREFIX = "placements.log_reminder:"
BATCH = 5000


def _parse(key: str) -> tuple[int, date, int] | None:
    parts = key.removeprefix(PREFIX).split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    try:
        return int(parts[0]), date.fromisoformat(parts[1]), int(parts[2])
    except ValueError:
        return None


def upgrade() -> None:
    op.create_table(
        "log_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outbox_email_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_email_id"],
            ["outbox_emails.id"],
            name=op.f("fk_log_reminders_outbox_email_id_outbox_emails"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_log_reminders_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_log_reminders_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_reminders")),
        sa.UniqueConstraint("placement_id", "week_start", "user_id", name="uq_log_reminders_week_user"),
    )
    with op.batch_alter_table("log_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_log_reminders_outbox_email_id"), ["outbox_email_id"], unique=False
        )
    _copy_from_outbox()


def _copy_from_outbox() -> None:
    """One row per reminder e-mail still in the outbox (whose placement and user still exist)."""
    connection = op.get_bind()
    outbox = sa.table(
        "outbox_emails",
        sa.column("id", sa.Integer),
        sa.column("dedupe_key", sa.String),
        sa.column("created_at", portal.core.db.UTCDateTime(timezone=True)),
    )
    reminders = sa.table(
        "log_reminders",
        sa.column("placement_id", sa.Integer),
        sa.column("week_start", sa.Date),
        sa.column("user_id", sa.Integer),
        sa.column("outbox_email_id", sa.Integer),
        sa.column("created_at", portal.core.db.UTCDateTime(timezone=True)),
    )
    placements = set(connection.scalars(sa.text("SELECT id FROM placements")))
    users = set(connection.scalars(sa.text("SELECT id FROM users")))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.dedupe_key, outbox.c.created_at)
            .where(outbox.c.dedupe_key.like(PREFIX + "%"), outbox.c.id > last_id)
            .order_by(outbox.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        last_id = rows[-1].id
        values = []
        for row in rows:
            parsed = _parse(row.dedupe_key)
            if parsed is None or parsed[0] not in placements or parsed[2] not in users:
                continue
            placement_id, week, user_id = parsed
            values.append(
                {
                    "placement_id": placement_id,
                    "week_start": week,
                    "user_id": user_id,
                    "outbox_email_id": row.id,
                    "created_at": row.created_at,
                }
            )
        if values:
            connection.execute(reminders.insert(), values)


def downgrade() -> None:
    # The outbox keeps the dedupe keys of the reminders it still holds; those of pruned messages are lost.
    with op.batch_alter_table("log_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_reminders_outbox_email_id"))
    op.drop_table("log_reminders")
