"""Add aftercare check-ins, alerts, settings, outcomes and calendar tokens

Revision ID: 2ed40952f2d0
Revises: ab6c87f3c93c
Create Date: 2026-11-22 18:16:07.931383
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "2ed40952f2d0"
down_revision: str | None = "ab6c87f3c93c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aftercare_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("checkin_weeks", sa.String(length=100), nullable=False),
        sa.Column("aftercare_months", sa.Integer(), nullable=False),
        sa.Column("absence_hours_threshold", sa.Integer(), nullable=False),
        sa.Column("no_contact_days", sa.Integer(), nullable=False),
        sa.Column("checkin_overdue_working_days", sa.Integer(), nullable=False),
        sa.Column("end_without_decision_days", sa.Integer(), nullable=False),
        sa.Column("ignored_reminders", sa.Integer(), nullable=False),
        sa.Column("escalation_working_days", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "absence_hours_threshold BETWEEN 1 AND 60", name=op.f("ck_aftercare_settings_absence_range")
        ),
        sa.CheckConstraint(
            "aftercare_months BETWEEN 1 AND 24", name=op.f("ck_aftercare_settings_months_range")
        ),
        sa.CheckConstraint(
            "checkin_overdue_working_days BETWEEN 0 AND 30", name=op.f("ck_aftercare_settings_overdue_range")
        ),
        sa.CheckConstraint(
            "end_without_decision_days BETWEEN 1 AND 60", name=op.f("ck_aftercare_settings_end_range")
        ),
        sa.CheckConstraint(
            "escalation_working_days BETWEEN 1 AND 30", name=op.f("ck_aftercare_settings_escalation_range")
        ),
        sa.CheckConstraint(
            "ignored_reminders BETWEEN 1 AND 10", name=op.f("ck_aftercare_settings_reminders_range")
        ),
        sa.CheckConstraint(
            "no_contact_days BETWEEN 1 AND 90", name=op.f("ck_aftercare_settings_no_contact_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_aftercare_settings_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftercare_settings")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_aftercare_settings_municipality_id")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("evidence_key", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence_path", sa.String(length=200), nullable=True),
        sa.Column("opened_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("escalated_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("severity IN ('high', 'normal')", name=op.f("ck_alerts_severity_valid")),
        sa.CheckConstraint(
            "status <> 'resolved' OR resolved_at IS NOT NULL", name=op.f("ck_alerts_resolved_has_time")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_alerts_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_alerts_acknowledged_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_alerts_municipality_id_municipalities")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_alerts_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_alerts_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("placement_id", "rule", "evidence_key", name="uq_alerts_evidence"),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alerts_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_alerts_one_unresolved",
            ["placement_id", "rule"],
            unique=True,
            sqlite_where=sa.text("status <> 'resolved'"),
            postgresql_where=sa.text("status <> 'resolved'"),
        )

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("held_by_id", sa.Integer(), nullable=True),
        sa.Column("held_with", sa.String(length=10), nullable=True),
        sa.Column("contact_made", sa.Boolean(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("agreements", sa.Text(), nullable=True),
        sa.Column("risk", sa.String(length=6), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "held_with IS NULL OR held_with IN ('employer', 'employee', 'both')",
            name=op.f("ck_checkins_held_with_valid"),
        ),
        sa.CheckConstraint(
            "risk IS NULL OR risk IN ('low', 'medium', 'high')", name=op.f("ck_checkins_risk_valid")
        ),
        sa.CheckConstraint("status <> 'held' OR held_on IS NOT NULL", name=op.f("ck_checkins_held_has_date")),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'cancelled')", name=op.f("ck_checkins_status_valid")
        ),
        sa.ForeignKeyConstraint(["held_by_id"], ["users.id"], name=op.f("fk_checkins_held_by_id_users")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_checkins_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("placement_id", "number", name="uq_checkins_placement_number"),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_checkins_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_status"), ["status"], unique=False)

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("outcome_contract_type", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("outcome_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("outcome_recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_check_constraint(
            op.f("ck_placements_outcome_valid"),
            "outcome IS NULL OR outcome IN ('employed', 'dropped_out', 'moved')",
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token_hash"), ["calendar_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token_hash"), type_="unique")
        batch_op.drop_column("calendar_token_hash")

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_placements_outcome_valid"), type_="check")
        batch_op.drop_column("outcome_recorded_at")
        batch_op.drop_column("outcome_note")
        batch_op.drop_column("outcome_hours")
        batch_op.drop_column("outcome_contract_type")
        batch_op.drop_column("outcome")

    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkins_status"))
        batch_op.drop_index(batch_op.f("ix_checkins_placement_id"))
        batch_op.drop_index(batch_op.f("ix_checkins_due_date"))

    op.drop_table("checkins")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_alerts_one_unresolved",
            sqlite_where=sa.text("status <> 'resolved'"),
            postgresql_where=sa.text("status <> 'resolved'"),
        )
        batch_op.drop_index(batch_op.f("ix_alerts_status"))
        batch_op.drop_index(batch_op.f("ix_alerts_placement_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_municipality_id"))

    op.drop_table("alerts")
    op.drop_table("aftercare_settings")
