"""A partial index on the requests that wait for a proposal, newest submitted per municipality

Revision ID: f6b8d0e2a4c6
Revises: e5a7c9d1f3b5
Create Date: 2026-12-04 19:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6b8d0e2a4c6"
down_revision: str | None = "e5a7c9d1f3b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = "status IN ('submitted', 'in_progress')"


def upgrade() -> None:
    with op.batch_alter_table("placement_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_placement_requests_waiting",
            ["municipality_id", "submitted_at", "id"],
            unique=False,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )


def downgrade() -> None:
    with op.batch_alter_table("placement_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_placement_requests_waiting",
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )
