"""Add the candidate journey, screenings, plan steps, exits, retention follow-ups and team settings

Revision ID: ecc9215f1197
Revises: 413fe5ddcece
Create Date: 2026-12-02 17:31:44.852197

Every existing candidate starts without a stage and without a responsible specialist (the team assigns
them); a task can be a retention follow-up.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "ecc9215f1197"
down_revision: str | None = "413fe5ddcece"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STAGE_CHECK = (
    "stage IS NULL OR stage IN ('aanmelding', 'intake_rechtmatigheid', 'intake_doelmatigheid', 'klantbeeld',"
    " 'trajectbepaling', 'voortraject', 'vervolgtraject', 'plaatsing', 'nazorg', 'uitstroom')"
)


def upgrade() -> None:
    op.create_table(
        "team_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("caseload_norm", sa.Integer(), nullable=False),
        sa.Column("followup_months", sa.String(length=20), nullable=False),
        sa.Column("plan_review_weeks", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "caseload_norm BETWEEN 1 AND 1000", name=op.f("ck_team_settings_caseload_norm_range")
        ),
        sa.CheckConstraint(
            "plan_review_weeks BETWEEN 1 AND 52", name=op.f("ck_team_settings_plan_review_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_team_settings_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_settings")),
        sa.UniqueConstraint("municipality_id", name=op.f("uq_team_settings_municipality_id")),
    )
    op.create_table(
        "plan_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.String(length=1), nullable=False),
        sa.Column("to_level", sa.String(length=1), nullable=False),
        sa.Column("stepped_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(from_level = 'c' AND to_level IN ('b', 'a')) OR (from_level = 'b' AND to_level = 'a')",
            name=op.f("ck_plan_steps_step_up"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_plan_steps_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_plan_steps_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_plan_steps_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_steps")),
    )
    with op.batch_alter_table("plan_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_steps_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_steps_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("instrument_name", sa.String(length=80), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=1000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(instrument = 'other') = (instrument_name IS NOT NULL)",
            name=op.f("ck_screenings_name_for_other_instrument"),
        ),
        sa.CheckConstraint(
            "instrument IN ('incheck', 'noa', 'pps_v', 'brede_intake', 'leerbaarheidstoets', 'other')",
            name=op.f("ck_screenings_instrument_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_screenings_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_screenings_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_screenings_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screenings_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screenings_municipality_id"), ["municipality_id"], unique=False)

    op.create_table(
        "candidate_stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("route", sa.String(length=12), nullable=True),
        sa.Column("provider", sa.String(length=120), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "route IS NULL OR route IN ('werk', 'leerwerk', 'opleiding', 'activering', 'zorg')",
            name=op.f("ck_candidate_stage_changes_route_valid"),
        ),
        sa.CheckConstraint(
            "route IS NULL OR stage = 'trajectbepaling'",
            name=op.f("ck_candidate_stage_changes_route_at_trajectbepaling"),
        ),
        sa.CheckConstraint(
            "source IS NULL OR source IN ('coa_tvs', 'banenbalie', 'vluchtelingenwerk', 'self', 'other')",
            name=op.f("ck_candidate_stage_changes_source_valid"),
        ),
        sa.CheckConstraint(
            "source IS NULL OR stage = 'aanmelding'",
            name=op.f("ck_candidate_stage_changes_source_at_aanmelding"),
        ),
        sa.CheckConstraint(
            "stage IN ('aanmelding', 'intake_rechtmatigheid', 'intake_doelmatigheid', 'klantbeeld', 'trajectbepaling', 'voortraject', 'vervolgtraject', 'plaatsing', 'nazorg', 'uitstroom')",
            name=op.f("ck_candidate_stage_changes_stage_valid"),
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= entered_on",
            name=op.f("ck_candidate_stage_changes_ends_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_candidate_stage_changes_candidate_id_candidates"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_candidate_stage_changes_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placements.id"],
            name=op.f("fk_candidate_stage_changes_placement_id_placements"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_candidate_stage_changes_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_stage_changes")),
    )
    with op.batch_alter_table("candidate_stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_candidate_stage_changes_candidate_entered", ["candidate_id", "entered_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidate_stage_changes_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidate_stage_changes_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            "ix_candidate_stage_changes_municipality_stage",
            ["municipality_id", "stage", "entered_on"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_candidate_stage_changes_placement_id"), ["placement_id"], unique=False
        )

    op.create_table(
        "exits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("exit_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=14), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("employer_name", sa.String(length=160), nullable=True),
        sa.Column("direct_hire", sa.Boolean(), nullable=False),
        sa.Column("contract_type", sa.String(length=12), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "contract_type IS NULL OR contract_type IN ('fixed_term', 'permanent', 'temp_agency', 'on_call', 'bbl')",
            name=op.f("ck_exits_contract_type_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('work_fulltime', 'work_parttime', 'leerwerk', 'education', 'moved', 'other')",
            name=op.f("ck_exits_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'dismissed')", name=op.f("ck_exits_status_valid")
        ),
        sa.CheckConstraint(
            "NOT direct_hire OR placement_id IS NULL", name=op.f("ck_exits_direct_hire_without_placement")
        ),
        sa.CheckConstraint(
            "hours_per_week IS NULL OR hours_per_week BETWEEN 1 AND 40", name=op.f("ck_exits_hours_range")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_exits_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["users.id"], name=op.f("fk_exits_confirmed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_exits_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_exits_municipality_id_municipalities")
        ),
        sa.ForeignKeyConstraint(
            ["placement_id"], ["placements.id"], name=op.f("fk_exits_placement_id_placements")
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_exits_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exits")),
        sa.UniqueConstraint("placement_id", name=op.f("uq_exits_placement_id")),
    )
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exits_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exits_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index("ix_exits_municipality_exit_on", ["municipality_id", "exit_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_exits_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exits_status"), ["status"], unique=False)

    op.create_table(
        "retention_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("exit_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("question_sent_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_via", sa.String(length=10), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("still_employed", sa.Boolean(), nullable=True),
        sa.Column("hours_per_week", sa.Integer(), nullable=True),
        sa.Column("contract_extended", sa.Boolean(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "answered_via IS NULL OR answered_via IN ('employer', 'specialist')",
            name=op.f("ck_retention_followups_answered_via_valid"),
        ),
        sa.CheckConstraint(
            "(answered_at IS NULL) = (answered_via IS NULL) AND (answered_at IS NULL) = (still_employed IS NULL)",
            name=op.f("ck_retention_followups_answer_complete"),
        ),
        sa.CheckConstraint(
            "hours_per_week IS NULL OR hours_per_week BETWEEN 0 AND 40",
            name=op.f("ck_retention_followups_hours_range"),
        ),
        sa.CheckConstraint("months BETWEEN 1 AND 60", name=op.f("ck_retention_followups_months_range")),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_retention_followups_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_retention_followups_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_retention_followups_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(["exit_id"], ["exits.id"], name=op.f("fk_retention_followups_exit_id_exits")),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_retention_followups_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_retention_followups_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_followups")),
        sa.UniqueConstraint("exit_id", "months", name="uq_retention_followups_exit_months"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_retention_followups_token_hash")),
    )
    with op.batch_alter_table("retention_followups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retention_followups_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_retention_followups_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_retention_followups_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retention_followups_exit_id"), ["exit_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_retention_followups_municipality_id"), ["municipality_id"], unique=False
        )

    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("specialist_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stage", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("stage_since", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("plan_agreed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("plan_agreed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_review_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_candidates_specialist_id"), ["specialist_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidates_stage"), ["stage"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_candidates_plan_agreed_by_id_users"), "users", ["plan_agreed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_candidates_specialist_id_users"), "users", ["specialist_id"], ["id"]
        )
        batch_op.create_check_constraint(op.f("ck_candidates_stage_valid"), STAGE_CHECK)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_tasks_kind_valid"), "kind IN ('action', 'intake', 'preference', 'followup')"
        )


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_candidates_stage_valid"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_candidates_specialist_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_candidates_plan_agreed_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_candidates_stage"))
        batch_op.drop_index(batch_op.f("ix_candidates_specialist_id"))
        batch_op.drop_column("plan_review_on")
        batch_op.drop_column("plan_agreed_by_id")
        batch_op.drop_column("plan_agreed_on")
        batch_op.drop_column("stage_since")
        batch_op.drop_column("stage")
        batch_op.drop_column("specialist_id")

    with op.batch_alter_table("retention_followups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retention_followups_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_retention_followups_exit_id"))
        batch_op.drop_index(batch_op.f("ix_retention_followups_employer_id"))
        batch_op.drop_index(batch_op.f("ix_retention_followups_due_on"))
        batch_op.drop_index(batch_op.f("ix_retention_followups_candidate_id"))

    op.drop_table("retention_followups")
    with op.batch_alter_table("exits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exits_status"))
        batch_op.drop_index(batch_op.f("ix_exits_municipality_id"))
        batch_op.drop_index("ix_exits_municipality_exit_on")
        batch_op.drop_index(batch_op.f("ix_exits_employer_id"))
        batch_op.drop_index(batch_op.f("ix_exits_candidate_id"))

    op.drop_table("exits")
    with op.batch_alter_table("candidate_stage_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_stage_changes_placement_id"))
        batch_op.drop_index("ix_candidate_stage_changes_municipality_stage")
        batch_op.drop_index(batch_op.f("ix_candidate_stage_changes_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_candidate_stage_changes_candidate_id"))
        batch_op.drop_index("ix_candidate_stage_changes_candidate_entered")

    op.drop_table("candidate_stage_changes")
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screenings_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_screenings_candidate_id"))

    op.drop_table("screenings")
    with op.batch_alter_table("plan_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_steps_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_plan_steps_candidate_id"))

    op.drop_table("plan_steps")
    op.drop_table("team_settings")
    op.execute(sa.text("DELETE FROM tasks WHERE kind = 'followup'"))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_kind_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_tasks_kind_valid"), "kind IN ('action', 'intake', 'preference')"
        )
