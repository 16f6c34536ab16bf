"""Mark outbox mail that carries a personal link, so its body is forgotten once sent

Revision ID: 7d41c2a9e5b0
Revises: ecc9215f1197
Create Date: 2026-12-03 07:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d41c2a9e5b0"
down_revision: str | None = "ecc9215f1197"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: What a sent message's body becomes (the same text as portal.core.outbox.LINK_REMOVED_TEXT).
LINK_REMOVED_TEXT = "[Verwijderd na verzending: dit bericht bevatte een persoonlijke link.]"


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("contains_secret", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Links already sent: forget them now (reset, account setup and invitation mail).
    outbox = sa.table(
        "outbox_emails",
        sa.column("dedupe_key", sa.String),
        sa.column("status", sa.String),
        sa.column("body_text", sa.Text),
        sa.column("contains_secret", sa.Boolean),
    )
    secret = sa.or_(
        outbox.c.dedupe_key.like("auth.reset:%"),
        outbox.c.dedupe_key.like("auth.setup:%"),
        outbox.c.dedupe_key.like("employers/invitation:%"),
    )
    op.execute(outbox.update().where(secret).values(contains_secret=True))
    op.execute(
        outbox.update()
        .where(secret, outbox.c.status.in_(("sent", "cancelled")))
        .values(body_text=LINK_REMOVED_TEXT)
    )


def downgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("contains_secret")
