"""Retention: a retention period per team, and mark candidates the purge anonymised

Adds team_settings.retention_months (default 24, 6 to 120) and, on candidates, the one extension of the
retention (until, reason) and anonymised_at.

Revision ID: c3e5a7b9d1f3
Revises: 992c17fabd7d
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "c3e5a7b9d1f3"
down_revision: str | None = "992c17fabd7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("team_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_months", sa.Integer(), server_default="24", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_team_settings_retention_months_range"), "retention_months BETWEEN 6 AND 120"
        )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retention_extended_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("retention_extension_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("anonymised_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_candidates_anonymised_at"), ["anonymised_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_anonymised_at"))
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("retention_extension_reason")
        batch_op.drop_column("retention_extended_until")
    with op.batch_alter_table("team_settings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_team_settings_retention_months_range"), type_="check")
        batch_op.drop_column("retention_months")
