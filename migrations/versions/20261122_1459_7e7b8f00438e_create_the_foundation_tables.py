"""Create the foundation tables

Revision ID: 7e7b8f00438e
Revises:
Create Date: 2026-11-22 14:59:39.051579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db

revision: str = "7e7b8f00438e"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_key_time", ["key_hash", "failed_at"], unique=False)

    op.create_table(
        "municipalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=30), nullable=True),
        sa.Column("is_open_for_registration", sa.Boolean(), nullable=False),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipalities")),
        sa.UniqueConstraint("name", name=op.f("uq_municipalities_name")),
        sa.UniqueConstraint("slug", name=op.f("uq_municipalities_slug")),
    )
    op.create_table(
        "scheduler_heartbeats",
        sa.Column("job_id", sa.String(length=80), nullable=False),
        sa.Column("last_started_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_ok", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("last_summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_scheduler_heartbeats")),
    )
    op.create_table(
        "employers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("kvk_number", sa.String(length=8), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("size_class", sa.String(length=10), nullable=False),
        sa.Column("street", sa.String(length=120), nullable=False),
        sa.Column("house_number", sa.String(length=12), nullable=False),
        sa.Column("postcode", sa.String(length=7), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("website", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sector IN ('techniek', 'bouw', 'logistiek', 'zorg', 'horeca', 'detailhandel', 'schoonmaak', 'groen', 'ict', 'zakelijk', 'onderwijs', 'overheid', 'overig')",
            name=op.f("ck_employers_sector_valid"),
        ),
        sa.CheckConstraint(
            "size_class IN ('1-9', '10-49', '50-249', '250+')", name=op.f("ck_employers_size_class_valid")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'suspended')",
            name=op.f("ck_employers_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["users.id"], name=op.f("fk_employers_contact_id_users"), use_alter=True
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_employers_municipality_id_municipalities"),
        ),
        sa.ForeignKeyConstraint(
            ["status_changed_by_id"],
            ["users.id"],
            name=op.f("fk_employers_status_changed_by_id_users"),
            use_alter=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
        sa.UniqueConstraint("municipality_id", "kvk_number", name="uq_employers_municipality_kvk"),
    )
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employers_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employers_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_employers_status"), ["status"], unique=False)

    op.create_table(
        "outbox_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_emails_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_outbox_emails_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_emails")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_emails_dedupe_key")),
    )
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_emails_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_emails_municipality_id"), ["municipality_id"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("login_token", sa.String(length=64), nullable=False),
        sa.Column("last_login_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'employer' AND employer_id IS NOT NULL) OR (role <> 'employer' AND employer_id IS NULL)",
            name=op.f("ck_users_employer_link"),
        ),
        sa.CheckConstraint(
            "role IN ('employer', 'jobcoach', 'municipal', 'admin')", name=op.f("ck_users_role_valid")
        ),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_users_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_users_municipality_id_municipalities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_municipality_id"), ["municipality_id"], unique=False)

    # employers and users refer to each other; PostgreSQL gets the employers -> users keys once both
    # tables exist (SQLite declares them inline, which it allows).
    if op.get_bind().dialect.name != "sqlite":
        op.create_foreign_key(
            op.f("fk_employers_contact_id_users"), "employers", "users", ["contact_id"], ["id"]
        )
        op.create_foreign_key(
            op.f("fk_employers_status_changed_by_id_users"),
            "employers",
            "users",
            ["status_changed_by_id"],
            ["id"],
        )

    op.create_table(
        "workplaces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("street", sa.String(length=120), nullable=False),
        sa.Column("house_number", sa.String(length=12), nullable=False),
        sa.Column("postcode", sa.String(length=7), nullable=False),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("work_description", sa.Text(), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("buddy_name", sa.String(length=120), nullable=False),
        sa.Column("buddy_phone", sa.String(length=30), nullable=True),
        sa.Column("buddy_email", sa.String(length=254), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("reachable_by_public_transport", sa.Boolean(), nullable=False),
        sa.Column("safety_requirements", sa.Text(), nullable=True),
        sa.Column("archived_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity >= 1 AND capacity <= 100", name=op.f("ck_workplaces_capacity_range")),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_workplaces_employer_id_employers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplaces")),
    )
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workplaces_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_audit_events_municipality_id_municipalities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index("ix_audit_events_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_invitations_employer_id_employers")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["users.id"], name=op.f("fk_invitations_invited_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_employer_id"), ["employer_id"], unique=False)

    op.create_table(
        "password_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", portal.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", portal.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("purpose IN ('reset', 'setup')", name=op.f("ck_password_tokens_purpose_valid")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_tokens_token_hash")),
    )
    with op.batch_alter_table("password_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_password_tokens_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("password_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_tokens_user_id"))

    op.drop_table("password_tokens")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_employer_id"))

    op.drop_table("invitations")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index("ix_audit_events_object")
        batch_op.drop_index(batch_op.f("ix_audit_events_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    with op.batch_alter_table("workplaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workplaces_employer_id"))

    op.drop_table("workplaces")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_users_employer_id"))

    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_employers_status_changed_by_id_users"), "employers", type_="foreignkey")
        op.drop_constraint(op.f("fk_employers_contact_id_users"), "employers", type_="foreignkey")
    op.drop_table("users")
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_emails_municipality_id"))
        batch_op.drop_index("ix_outbox_emails_due")

    op.drop_table("outbox_emails")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employers_status"))
        batch_op.drop_index(batch_op.f("ix_employers_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_employers_contact_id"))

    op.drop_table("employers")
    op.drop_table("scheduler_heartbeats")
    op.drop_table("municipalities")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_key_time")

    op.drop_table("login_failures")
