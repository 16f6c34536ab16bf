"""Chain the audit trail with hashes and make it append-only on PostgreSQL

Adds prev_hash and row_hash to audit_events and fills them for existing rows in id order. On PostgreSQL it
adds the chain-head function and a trigger that refuses UPDATE, DELETE and TRUNCATE of audit rows for any
role, and, when WERKBRUG_APP_DB_ROLE names an existing role (the application's own login, not the owner
that runs migrations), revokes UPDATE, DELETE and TRUNCATE on the table from it.

Revision ID: b7b62e98028e
Revises: 7d41c2a9e5b0
Create Date: 2026-12-03 08:10:00.000000
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import portal.core.db
from portal.core import audit_chain, audit_sql

revision: str = "b7b62e98028e"
down_revision: str | None = "7d41c2a9e5b0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

audit = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", portal.core.db.UTCDateTime()),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_role", sa.String),
    sa.column("municipality_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("detail", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("row_hash", sa.String),
)


def _backfill(conn: sa.Connection) -> None:
    """Chain the existing rows in id order, a batch at a time."""
    previous: str | None = None
    last_id = 0
    update = (
        audit.update()
        .where(audit.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("new_prev"), row_hash=sa.bindparam("new_hash"))
    )
    while True:
        rows = conn.execute(
            sa.select(audit).where(audit.c.id > last_id).order_by(audit.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        params = []
        for row in rows:
            row_hash = audit_chain.compute_hash(row._asdict(), previous)
            params.append({"row_id": row.id, "new_prev": previous, "new_hash": row_hash})
            previous = row_hash
        conn.execute(update, params)
        last_id = rows[-1].id


def _app_role(conn: sa.Connection) -> str | None:
    """The application's role when WERKBRUG_APP_DB_ROLE names one that exists (quoted), else None."""
    name = os.environ.get(audit_sql.APP_ROLE_ENV, "").strip()
    if not name:
        return None
    exists = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name})
    return conn.dialect.identifier_preparer.quote_identifier(name) if exists else None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    _backfill(conn)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    if conn.dialect.name != "postgresql":
        return
    for statement in audit_sql.create_statements():
        op.execute(statement)
    role = _app_role(conn)
    if role:
        for statement in audit_sql.revoke_statements(role):
            op.execute(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        # A revoke from the application's role stays: it never needed to change audit rows.
        for statement in audit_sql.DROP_ALL:
            op.execute(statement)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")
