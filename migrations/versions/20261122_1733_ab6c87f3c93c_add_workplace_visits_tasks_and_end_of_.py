"""Add workplace visits, tasks and end-of-placement decisions

Revision ID: ab6c87f3c93c
Revises: c1b25dacb44d
Create Date: 2026-11-22 17:33:44.338987
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "ab6c87f3c93c"
down_revision: str | None = "c1b25dacb44d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The placement's new CHECK constraints, with the codes as they are in this revision.
PLACEMENT_CHECKS = {
    "contract_type_valid": "contract_type IS NULL OR contract_type IN "
    "('fixed_term', 'permanent', 'temp_agency', 'on_call')",
    "contract_hours_range": "contract_hours IS NULL OR contract_hours BETWEEN 1 AND 40",
    "employer_preference_valid": "employer_preference IS NULL OR employer_preference IN "
    "('contract', 'extend', 'stop')",
    "end_reason_valid": "end_reason IS NULL OR end_reason IN ('absence', 'conflict', 'language', "
    "'health', 'motivation', 'employer_ended', 'other', 'no_vacancy', 'more_language', 'education', "
    "'other_work', 'not_suitable', 'goal_reached')",
}


def upgrade() -> None:
    op.create_table(
        "end_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("contract_type", sa.String(length=12), nullable=True),
        sa.Column("contract_hours", sa.Integer(), nullable=True),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("previous_end_date", sa.Date(), nullable=True),
        sa.Column("new_end_date", sa.Date(), nullable=True),
        sa.Column("stop_reason", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'contract' OR (contract_type IS NOT NULL AND contract_hours IS NOT NULL AND contract_start IS NOT NULL)",
            name=op.f("ck_end_decisions_contract_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'extend' OR (new_end_date IS NOT NULL AND previous_end_date IS NOT NULL)",
            name=op.f("ck_end_decisions_extension_complete"),
        ),
        sa.CheckConstraint(
            "kind <> 'stop' OR stop_reason IS NOT NULL", name=op.f("ck_end_decisions_stop_complete")
        ),
        sa.CheckConstraint(
            "kind IN ('contract', 'extend', 'stop')", name=op.f("ck_end_decisions_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_end_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_end_decisions_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_end_decisions")),
        sa.UniqueConstraint("placement_id", "kind", name="uq_end_decisions_placement_kind"),
    )
    with op.batch_alter_table("end_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_end_decisions_placement_id"), ["placement_id"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("jobcoach_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("spoken_with", sa.String(length=100), nullable=False),
        sa.Column("contact_made", sa.Boolean(), nullable=False),
        sa.Column("observations", sa.Text(), nullable=True),
        sa.Column("risk", sa.String(length=6), nullable=False),
        sa.Column("risk_reason", sa.Text(), nullable=True),
        sa.Column("confirmed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('on_site', 'phone', 'video')", name=op.f("ck_visits_mode_valid")),
        sa.CheckConstraint("risk IN ('low', 'medium', 'high')", name=op.f("ck_visits_risk_valid")),
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 480", name=op.f("ck_visits_duration_range")),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_visits_confirmed_by_id_users")
        ),
        sa.ForeignKeyConstraint(["jobcoach_id"], ["users.id"], name=op.f("fk_visits_jobcoach_id_users")),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_visits_placement_id_placements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_jobcoach_id"), ["jobcoach_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visits_placement_id"), ["placement_id"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_reason", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('action', 'intake')", name=op.f("ck_tasks_kind_valid")),
        sa.CheckConstraint(
            "owner IN ('employer', 'candidate', 'jobcoach', 'municipal')", name=op.f("ck_tasks_owner_valid")
        ),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f("ck_tasks_status_valid")),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_tasks_assignee_id_users")),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_tasks_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_tasks_created_by_id_users")),
        sa.ForeignKeyConstraint(["done_by_id"], ["users.id"], name=op.f("fk_tasks_done_by_id_users")),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_tasks_municipality_id_municipalities")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_tasks_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_tasks_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_visit_id"), ["visit_id"], unique=False)

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contract_type", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("contract_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contract_start_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("employer_preference", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("employer_preference_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("employer_preference_at", portal.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("end_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("end_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        for name, condition in PLACEMENT_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_placements_{name}"), condition)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        for name in PLACEMENT_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_placements_{name}"), type_="check")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("end_note")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("employer_preference_at")
        batch_op.drop_column("employer_preference_note")
        batch_op.drop_column("employer_preference")
        batch_op.drop_column("contract_start_date")
        batch_op.drop_column("contract_hours")
        batch_op.drop_column("contract_type")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_visit_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_status"))
        batch_op.drop_index(batch_op.f("ix_tasks_placement_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_tasks_assignee_id"))

    op.drop_table("tasks")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_placement_id"))
        batch_op.drop_index(batch_op.f("ix_visits_jobcoach_id"))

    op.drop_table("visits")
    with op.batch_alter_table("end_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_end_decisions_placement_id"))

    op.drop_table("end_decisions")
