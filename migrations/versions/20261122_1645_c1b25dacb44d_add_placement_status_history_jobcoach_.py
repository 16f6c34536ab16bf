"""Add placement status history, jobcoach, actual start and weekly progress logs

Revision ID: c1b25dacb44d
Revises: b7ff559ebc15
Create Date: 2026-11-22 16:45:39.605498
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "c1b25dacb44d"
down_revision: str | None = "b7ff559ebc15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placement_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_placement_status_changes_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_placement_status_changes_placement_id_placements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_status_changes")),
    )
    with op.batch_alter_table("placement_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_status_changes_placement_id"), ["placement_id"], unique=False
        )

    op.create_table(
        "weekly_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("days_planned", sa.Integer(), nullable=False),
        sa.Column("days_present", sa.Integer(), nullable=False),
        sa.Column("hours_absent", sa.Integer(), nullable=False),
        sa.Column("absence_reason", sa.String(length=200), nullable=True),
        sa.Column("punctuality", sa.Integer(), nullable=False),
        sa.Column("task_progress", sa.Integer(), nullable=False),
        sa.Column("dutch_at_work", sa.Integer(), nullable=False),
        sa.Column("teamwork", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Integer(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("language_goals_met", sa.Text(), nullable=True),
        sa.Column("has_concern", sa.Boolean(), nullable=False),
        sa.Column("concern_text", sa.Text(), nullable=True),
        sa.Column("needs_from_municipality", sa.Text(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "days_present >= 0 AND days_present <= days_planned AND days_planned <= 7",
            name=op.f("ck_weekly_logs_days"),
        ),
        sa.CheckConstraint("dutch_at_work BETWEEN 1 AND 4", name=op.f("ck_weekly_logs_dutch_at_work_scale")),
        sa.CheckConstraint(
            "hours_absent >= 0 AND hours_absent <= 60", name=op.f("ck_weekly_logs_hours_absent_range")
        ),
        sa.CheckConstraint("motivation BETWEEN 1 AND 4", name=op.f("ck_weekly_logs_motivation_scale")),
        sa.CheckConstraint("punctuality BETWEEN 1 AND 4", name=op.f("ck_weekly_logs_punctuality_scale")),
        sa.CheckConstraint("task_progress BETWEEN 1 AND 4", name=op.f("ck_weekly_logs_task_progress_scale")),
        sa.CheckConstraint("teamwork BETWEEN 1 AND 4", name=op.f("ck_weekly_logs_teamwork_scale")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_weekly_logs_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["users.id"], name=op.f("fk_weekly_logs_submitted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_logs")),
        sa.UniqueConstraint("placement_id", "week_start", name="uq_weekly_logs_placement_week"),
    )
    with op.batch_alter_table("weekly_logs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weekly_logs_placement_id"), ["placement_id"], unique=False)

    op.create_table(
        "weekly_log_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=False),
        sa.Column("replaced_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"], ["weekly_logs.id"], name=op.f("fk_weekly_log_versions_log_id_weekly_logs")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"], ["users.id"], name=op.f("fk_weekly_log_versions_replaced_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_log_versions")),
        sa.UniqueConstraint("log_id", "version", name="uq_weekly_log_versions_version"),
    )
    with op.batch_alter_table("weekly_log_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_weekly_log_versions_log_id"), ["log_id"], unique=False)

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actual_start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("jobcoach_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("days_per_week", sa.Integer(), server_default="2", nullable=False))
        batch_op.create_index(batch_op.f("ix_placements_jobcoach_id"), ["jobcoach_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_placements_jobcoach_id_users"), "users", ["jobcoach_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_placements_jobcoach_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_placements_jobcoach_id"))
        batch_op.drop_column("days_per_week")
        batch_op.drop_column("jobcoach_id")
        batch_op.drop_column("actual_start_date")

    with op.batch_alter_table("weekly_log_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_log_versions_log_id"))

    op.drop_table("weekly_log_versions")
    with op.batch_alter_table("weekly_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_weekly_logs_placement_id"))

    op.drop_table("weekly_logs")
    with op.batch_alter_table("placement_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_status_changes_placement_id"))

    op.drop_table("placement_status_changes")
