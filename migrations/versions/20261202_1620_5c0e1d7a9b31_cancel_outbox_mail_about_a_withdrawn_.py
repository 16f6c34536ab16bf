"""Cancel outbox mail about a candidate whose profile is no longer shared

Revision ID: 5c0e1d7a9b31
Revises: b02fc228b31d
Create Date: 2026-12-02 16:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c0e1d7a9b31"
down_revision: str | None = "b02fc228b31d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHECK = "ck_outbox_emails_status_valid"


def upgrade() -> None:
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_emails_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_emails_candidate_id_candidates"),
            "candidates",
            ["candidate_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(
            op.f(STATUS_CHECK), "status IN ('pending', 'sent', 'failed', 'cancelled')"
        )


def downgrade() -> None:
    op.execute("UPDATE outbox_emails SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_="check")
        batch_op.create_check_constraint(op.f(STATUS_CHECK), "status IN ('pending', 'sent', 'failed')")
        batch_op.drop_constraint(batch_op.f("fk_outbox_emails_candidate_id_candidates"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_emails_candidate_id"))
        batch_op.drop_column("candidate_id")
