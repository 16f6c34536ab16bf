"""Change marks: the committed writes per municipality and employer that make a cached page stale

Revision ID: e5a7c9d1f3b5
Revises: d4f6b8c0e2a4
Create Date: 2026-12-04 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "e5a7c9d1f3b5"
down_revision: str | None = "d4f6b8c0e2a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_marks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_marks")),
    )
    with op.batch_alter_table("change_marks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_marks_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_change_marks_municipality", ["municipality_id", "id"], unique=False)
        batch_op.create_index(
            "ix_change_marks_employer", ["municipality_id", "employer_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("change_marks", schema=None) as batch_op:
        batch_op.drop_index("ix_change_marks_employer")
        batch_op.drop_index("ix_change_marks_municipality")
        batch_op.drop_index(batch_op.f("ix_change_marks_created_at"))
    op.drop_table("change_marks")
