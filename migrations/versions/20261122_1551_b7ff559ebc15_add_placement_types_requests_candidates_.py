"""Add placement types, requests, candidates, consents, proposals and placements

Revision ID: b7ff559ebc15
Revises: 7e7b8f00438e
Create Date: 2026-11-22 15:51:44.356991
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "b7ff559ebc15"
down_revision: str | None = "7e7b8f00438e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "placement_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("min_weeks", sa.Integer(), nullable=False),
        sa.Column("max_weeks", sa.Integer(), nullable=False),
        sa.Column("min_days_per_week", sa.Integer(), nullable=False),
        sa.Column("max_days_per_week", sa.Integer(), nullable=False),
        sa.Column("max_hours_per_week", sa.Integer(), nullable=False),
        sa.Column("is_paid", sa.Boolean(), nullable=False),
        sa.Column("keeps_benefit", sa.Boolean(), nullable=False),
        sa.Column("learning_goals_required", sa.Boolean(), nullable=False),
        sa.Column("default_dutch_level", sa.String(length=4), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "default_dutch_level IN ('geen', 'A1', 'A2', 'B1', 'B2', 'C1')",
            name=op.f("ck_placement_types_default_dutch_level_valid"),
        ),
        sa.CheckConstraint(
            "is_paid OR learning_goals_required", name=op.f("ck_placement_types_unpaid_needs_learning_goals")
        ),
        sa.CheckConstraint(
            "max_hours_per_week >= 1 AND max_hours_per_week <= 40",
            name=op.f("ck_placement_types_hours_range"),
        ),
        sa.CheckConstraint(
            "min_days_per_week >= 1 AND max_days_per_week >= min_days_per_week AND max_days_per_week <= 5",
            name=op.f("ck_placement_types_days_range"),
        ),
        sa.CheckConstraint(
            "min_weeks >= 1 AND max_weeks >= min_weeks AND max_weeks <= 104",
            name=op.f("ck_placement_types_weeks_range"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_placement_types_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_types")),
        sa.UniqueConstraint("municipality_id", "code", name="uq_placement_types_municipality_code"),
    )
    with op.batch_alter_table("placement_types", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_placement_types_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("home_town", sa.String(length=80), nullable=False),
        sa.Column("education_level", sa.String(length=12), nullable=False),
        sa.Column("education_country", sa.String(length=80), nullable=True),
        sa.Column("education_completed_nl", sa.Boolean(), nullable=False),
        sa.Column("diploma_evaluation", sa.String(length=200), nullable=True),
        sa.Column("work_experience", sa.JSON(), nullable=False),
        sa.Column("dutch_level", sa.String(length=4), nullable=False),
        sa.Column("english_level", sa.String(length=4), nullable=False),
        sa.Column("other_languages", sa.String(length=200), nullable=False),
        sa.Column("certificates", sa.String(length=200), nullable=False),
        sa.Column("available_days", sa.String(length=40), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("class_days", sa.String(length=40), nullable=False),
        sa.Column("learning_route", sa.String(length=12), nullable=True),
        sa.Column("plan_a", sa.String(length=200), nullable=True),
        sa.Column("plan_b", sa.String(length=200), nullable=True),
        sa.Column("plan_c", sa.String(length=200), nullable=True),
        sa.Column("desired_sectors", sa.String(length=200), nullable=False),
        sa.Column("work_readiness", sa.String(length=12), nullable=False),
        sa.Column("travel_range_km", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("screened_on", sa.Date(), nullable=True),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("care_first", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "dutch_level IN ('geen', 'A1', 'A2', 'B1', 'B2', 'C1')",
            name=op.f("ck_candidates_dutch_level_valid"),
        ),
        sa.CheckConstraint(
            "education_level IN ('geen', 'basis', 'middelbaar', 'mbo', 'hbo', 'wo')",
            name=op.f("ck_candidates_education_level_valid"),
        ),
        sa.CheckConstraint(
            "english_level IN ('geen', 'A1', 'A2', 'B1', 'B2', 'C1')",
            name=op.f("ck_candidates_english_level_valid"),
        ),
        sa.CheckConstraint(
            "learning_route IS NULL OR learning_route IN ('b1', 'onderwijs', 'z')",
            name=op.f("ck_candidates_learning_route_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('active', 'placed', 'inactive')", name=op.f("ck_candidates_status_valid")
        ),
        sa.CheckConstraint(
            "work_readiness IN ('direct', 'activering', 'onderwijs', 'nog_niet')",
            name=op.f("ck_candidates_work_readiness_valid"),
        ),
        sa.CheckConstraint(
            "hours_per_week >= 0 AND hours_per_week <= 40", name=op.f("ck_candidates_hours_range")
        ),
        sa.CheckConstraint(
            "travel_range_km >= 0 AND travel_range_km <= 200", name=op.f("ck_candidates_travel_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_candidates_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"], ["users.id"], name=op.f("fk_candidates_screened_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_candidates_pseudonym")),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidates_status"), ["status"], unique=False)

    op.create_table(
        "placement_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("placement_type_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("role_title", sa.String(length=120), nullable=False),
        sa.Column("tasks", sa.Text(), nullable=False),
        sa.Column("positions", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("days_per_week", sa.Integer(), nullable=False),
        sa.Column("work_days", sa.String(length=40), nullable=False),
        sa.Column("days_flexible", sa.Boolean(), nullable=False),
        sa.Column("dutch_level", sa.String(length=4), nullable=False),
        sa.Column("dutch_level_tasks", sa.Text(), nullable=True),
        sa.Column("english_sufficient", sa.Boolean(), nullable=False),
        sa.Column("certificates", sa.String(length=200), nullable=False),
        sa.Column("desired_start", sa.Date(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("learning_goals", sa.Text(), nullable=True),
        sa.Column("supervisor_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("submitted_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "dutch_level IN ('geen', 'A1', 'A2', 'B1', 'B2', 'C1')",
            name=op.f("ck_placement_requests_dutch_level_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'in_progress', 'proposed', 'filled', 'withdrawn', 'expired')",
            name=op.f("ck_placement_requests_status_valid"),
        ),
        sa.CheckConstraint(
            "days_per_week >= 1 AND days_per_week <= 5", name=op.f("ck_placement_requests_days_range")
        ),
        sa.CheckConstraint(
            "duration_weeks >= 1 AND duration_weeks <= 104", name=op.f("ck_placement_requests_duration_range")
        ),
        sa.CheckConstraint(
            "hours_per_week >= 1 AND hours_per_week <= 40", name=op.f("ck_placement_requests_hours_range")
        ),
        sa.CheckConstraint(
            "positions >= 1 AND positions <= 20", name=op.f("ck_placement_requests_positions_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_placement_requests_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_placement_requests_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_placement_requests_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["placement_type_id"],
            ["placement_types.id"],
            name=op.f("fk_placement_requests_placement_type_id_placement_types"),
        ),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplaces.id"], name=op.f("fk_placement_requests_workplace_id_workplaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement_requests")),
    )
    with op.batch_alter_table("placement_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_requests_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_placement_requests_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_placement_requests_placement_type_id"), ["placement_type_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_placement_requests_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_placement_requests_workplace_id"), ["workplace_id"], unique=False
        )

    op.create_table(
        "candidate_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_candidate_versions_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_candidate_versions_changed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_versions")),
        sa.UniqueConstraint("candidate_id", "version", name="uq_candidate_versions_version"),
    )
    with op.batch_alter_table("candidate_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_candidate_versions_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("given_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'reveal_identity' AND employer_id IS NOT NULL) OR (kind = 'share_profile' AND employer_id IS NULL)",
            name=op.f("ck_consents_employer_for_identity"),
        ),
        sa.CheckConstraint(
            "kind IN ('share_profile', 'reveal_identity')", name=op.f("ck_consents_kind_valid")
        ),
        sa.CheckConstraint(
            "method IN ('conversation', 'signed_form')", name=op.f("ck_consents_method_valid")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_consents_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_consents_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_consents_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_consents_withdrawn_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consents_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("meeting_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("meeting_place", sa.String(length=200), nullable=True),
        sa.Column("decline_reason", sa.String(length=20), nullable=True),
        sa.Column("decline_text", sa.Text(), nullable=True),
        sa.Column("decided_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decline_reason IS NULL OR decline_reason IN ('language', 'experience', 'availability', 'travel', 'certificates', 'position_filled', 'after_meeting', 'other')",
            name=op.f("ck_proposals_decline_reason_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'meeting', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_proposals_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_proposals_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_proposals_proposed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["placement_requests.id"], name=op.f("fk_proposals_request_id_placement_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("request_id", "candidate_id", name="uq_proposals_request_candidate"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)

    op.create_table(
        "placements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("workplace_id", sa.Integer(), nullable=False),
        sa.Column("placement_type_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("planned_end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'onboarding', 'nazorg', 'closed', 'interrupted')",
            name=op.f("ck_placements_status_valid"),
        ),
        sa.CheckConstraint("planned_end_date >= start_date", name=op.f("ck_placements_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_placements_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(["contact_id"], ["users.id"], name=op.f("fk_placements_contact_id_users")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_placements_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_placements_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["placement_type_id"],
            ["placement_types.id"],
            name=op.f("fk_placements_placement_type_id_placement_types"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_placements_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["placement_requests.id"],
            name=op.f("fk_placements_request_id_placement_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["workplace_id"], ["workplaces.id"], name=op.f("fk_placements_workplace_id_workplaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placements")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_placements_proposal_id")),
    )
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placements_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_placements_workplace_id"), ["workplace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placements_workplace_id"))
        batch_op.drop_index(batch_op.f("ix_placements_status"))
        batch_op.drop_index(batch_op.f("ix_placements_request_id"))
        batch_op.drop_index(batch_op.f("ix_placements_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_placements_employer_id"))
        batch_op.drop_index(batch_op.f("ix_placements_contact_id"))
        batch_op.drop_index(batch_op.f("ix_placements_candidate_id"))

    op.drop_table("placements")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_request_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_candidate_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_employer_id"))
        batch_op.drop_index(batch_op.f("ix_consents_candidate_id"))

    op.drop_table("consents")
    with op.batch_alter_table("candidate_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_versions_candidate_id"))

    op.drop_table("candidate_versions")
    with op.batch_alter_table("placement_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_requests_workplace_id"))
        batch_op.drop_index(batch_op.f("ix_placement_requests_status"))
        batch_op.drop_index(batch_op.f("ix_placement_requests_placement_type_id"))
        batch_op.drop_index(batch_op.f("ix_placement_requests_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_placement_requests_employer_id"))

    op.drop_table("placement_requests")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_status"))
        batch_op.drop_index(batch_op.f("ix_candidates_municipality_id"))

    op.drop_table("candidates")
    with op.batch_alter_table("placement_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_types_municipality_id"))

    op.drop_table("placement_types")
