"""Record a candidate's requests to see, correct or remove their data and how they were handled

Revision ID: 992c17fabd7d
Revises: b7b62e98028e
Create Date: 2026-12-03 08:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "992c17fabd7d"
down_revision: str | None = "b7b62e98028e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("handled_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "handled_on IS NULL OR handled_on >= received_on",
            name=op.f("ck_privacy_requests_handled_after_received"),
        ),
        sa.CheckConstraint(
            "kind IN ('access', 'rectification', 'erasure')", name=op.f("ck_privacy_requests_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_privacy_requests_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["users.id"], name=op.f("fk_privacy_requests_handled_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_privacy_requests_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_privacy_requests_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_requests_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_privacy_requests_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_requests_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_privacy_requests_candidate_id"))
    op.drop_table("privacy_requests")
