"""Remember when an outbox message first failed

Temporary SMTP trouble is retried for MAIL_RETRY_DAYS after the first failed attempt. Messages already
waiting for a retry get their first failed attempt set at their next failure.

Revision ID: b02fc228b31d
Revises: 2ed40952f2d0
Create Date: 2026-12-02 16:16:19.870506
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "b02fc228b31d"
down_revision: str | None = "2ed40952f2d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_failed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("first_failed_at")
