"""Tasks: who may read them (visible to the employer), when they lapsed, the preference request

Revision ID: 413fe5ddcece
Revises: 5c0e1d7a9b31
Create Date: 2026-12-02 17:00:00

Existing tasks become visible to the employer only when the employer carries them out: an action of
the candidate, the jobcoach or the municipality was shown to employers before, and may hold words the
employer must not read. A lapsed task gets the moment it lapsed (empty for the ones before), and a task
can be the employer's preference request at the end of a placement.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "413fe5ddcece"
down_revision: str | None = "5c0e1d7a9b31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

tasks = sa.table("tasks", sa.column("owner", sa.String), sa.column("visible_to_employer", sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visible_to_employer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("cancelled_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint(op.f("ck_tasks_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_tasks_kind_valid"), "kind IN ('action', 'intake', 'preference')"
        )
    op.execute(tasks.update().where(tasks.c.owner == "employer").values(visible_to_employer=True))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM tasks WHERE kind = 'preference'"))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_kind_valid"), type_="check")
        batch_op.create_check_constraint(op.f("ck_tasks_kind_valid"), "kind IN ('action', 'intake')")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("visible_to_employer")
