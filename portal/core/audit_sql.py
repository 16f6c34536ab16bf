"""PostgreSQL objects that keep the audit trail append-only and its hash chain unforked.

Plain SQL text only (no imports from the app), shared by the table's ``after_create`` hook (so a database
made with ``create_all``, as in the tests, has them too) and by the Alembic revision that adds them.
"""

from __future__ import annotations

#: The key of the transaction-level advisory lock every audit writer takes before it reads the chain's head
#: (written out in ``CREATE_HEAD_FUNCTION``; a test checks they agree).
CHAIN_LOCK_KEY = 7_402_215_001

#: ``audit_chain_head()`` takes the lock, then reads the newest row's hash. It is one round trip, and it is
#: VOLATILE plpgsql, so its SELECT takes a fresh snapshot *after* the lock is granted: a writer that waited
#: sees the row the previous lock holder committed (one SQL statement's own snapshot would be too old).
CREATE_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_head() RETURNS varchar
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7402215001);
    RETURN (SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1);
END
$$
"""

CREATE_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""

#: Whatever role connects (also the owner): rows are never changed or removed, the table never emptied.
CREATE_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events"
    " FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()",
)

DROP_ALL = (
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_refuse_change()",
    "DROP FUNCTION IF EXISTS audit_chain_head()",
)

#: The environment variable naming the application's own database role (web and scheduler), when it is not
#: the role that owns the tables and runs the migrations.
APP_ROLE_ENV = "WERKBRUG_APP_DB_ROLE"


def revoke_statements(role: str) -> tuple[str, ...]:
    """Take UPDATE, DELETE and TRUNCATE on the audit table away from ``role`` (a quoted identifier)."""
    return (f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}",)


def create_statements() -> tuple[str, ...]:
    return (CREATE_HEAD_FUNCTION, CREATE_REFUSE_FUNCTION, *CREATE_TRIGGERS)
