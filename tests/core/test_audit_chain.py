"""The audit trail is a hash chain: verify-audit finds a changed and a removed row; PostgreSQL refuses
both."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.core import audit, audit_chain, audit_sql
from portal.core.models import AuditEvent
from portal.extensions import db
from tests import factories
from tests.conftest import is_postgres


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def _write(count: int, *, per_flush: int = 1) -> list[AuditEvent]:
    user = factories.make_user(role="municipal")
    events = []
    for n in range(count):
        events.append(audit.record(user, "candidate.viewed", municipality_id=user.municipality_id, n=n))
        if (n + 1) % per_flush == 0:
            db.session.flush()
    db.session.commit()
    return events


def _tamper(statement: str, **params) -> None:
    """Change the trail behind the application's back, the way only a database superuser still can."""
    if is_postgres():
        # Triggers off for this transaction only (rolled back with the test).
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    db.session.execute(sa.text(statement), params)
    if is_postgres():
        db.session.execute(sa.text("SET LOCAL session_replication_role = origin"))


def test_each_row_links_to_the_one_before_it():
    events = _write(3)
    assert events[0].prev_hash is None or events[0].prev_hash == db.session.scalar(
        sa.select(AuditEvent.row_hash).where(AuditEvent.id < events[0].id).order_by(AuditEvent.id.desc())
    )
    assert events[1].prev_hash == events[0].row_hash
    assert events[2].prev_hash == events[1].row_hash
    assert len({event.row_hash for event in events}) == 3
    assert all(len(event.row_hash) == 64 for event in events)


def test_events_written_in_one_flush_are_chained_in_the_order_they_were_added():
    events = _write(5, per_flush=5)
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.row_hash
        assert after.id > before.id


def test_verify_audit_reports_an_intact_chain(cli):
    _write(4)
    result = cli("verify-audit", "--batch", "2")
    assert result.exit_code == 0, result.output
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert result.output.startswith(f"intact, {total} rows")


def test_verify_audit_finds_a_changed_row(cli):
    events = _write(4)
    _tamper("UPDATE audit_events SET actor_role = 'admin' WHERE id = :id", id=events[2].id)
    result = cli("verify-audit", "--batch", "2")
    assert result.exit_code == 1
    assert f"row {events[2].id}" in result.output
    assert "changed" in result.output


def test_verify_audit_finds_a_removed_row(cli):
    events = _write(4)
    _tamper("DELETE FROM audit_events WHERE id = :id", id=events[1].id)
    result = cli("verify-audit")
    assert result.exit_code == 1
    assert f"row {events[2].id}" in result.output
    assert "removed" in result.output


def test_verify_finds_one_tampered_row_among_many(app):
    user = factories.make_user(role="municipal")
    for n in range(2000):
        audit.record(user, "candidate.viewed", municipality_id=user.municipality_id, n=n)
    db.session.commit()
    ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
    target = ids[1234]
    _tamper("UPDATE audit_events SET detail = :detail WHERE id = :id", detail='{"n": 0}', id=target)
    count, broken = audit_chain.verify(db.session.connection(), batch=300)
    assert broken is not None
    assert broken.row_id == target
    assert count == ids.index(target) + 1


def test_lg2_verify_finds_the_one_tampered_row_among_ten_thousand(app):
    """LG-2: 1 changed row out of 10,000 is found, and it is the first (and only) row reported."""
    user = factories.make_user(role="municipal")
    for n in range(10_000):
        audit.record(user, "candidate.viewed", municipality_id=user.municipality_id, n=n)
        if n % 1000 == 999:
            db.session.flush()
    db.session.commit()
    ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert len(ids) >= 10_000
    assert audit_chain.verify(db.session.connection(), batch=2000)[1] is None
    target = ids[7_777]
    _tamper("UPDATE audit_events SET actor_role = 'admin' WHERE id = :id", id=target)
    count, broken = audit_chain.verify(db.session.connection(), batch=2000)
    assert broken is not None
    assert broken.row_id == target
    assert count == ids.index(target) + 1


def test_the_lock_key_in_the_function_is_the_documented_one():
    assert f"pg_advisory_xact_lock({audit_sql.CHAIN_LOCK_KEY})" in audit_sql.CREATE_HEAD_FUNCTION


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'auth.login' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ],
)
def test_postgres_refuses_to_change_or_remove_audit_rows(statement):
    (event,) = _write(1)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text(statement), {"id": event.id})
    assert db.session.get(AuditEvent, event.id).action == "candidate.viewed"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'auth.login' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "TRUNCATE audit_events",
    ],
)
def test_lg2_the_application_role_has_no_right_to_change_or_remove_audit_rows(statement):
    """LG-2: the application's own role (web and scheduler) is refused by PostgreSQL's privileges, before
    any trigger: the migration's REVOKE (``WERKBRUG_APP_DB_ROLE``) leaves it SELECT and INSERT only."""
    (event,) = _write(1)
    role = f"werkbrug_app_lg2_{uuid.uuid4().hex[:10]}"  # made and dropped with the test's transaction
    db.session.execute(sa.text(f"CREATE ROLE {role} NOLOGIN"))
    db.session.execute(sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_events TO {role}"))
    for revoke in audit_sql.revoke_statements(role):
        db.session.execute(sa.text(revoke))
    with db.session.begin_nested():
        db.session.execute(sa.text(f"SET LOCAL ROLE {role}"))
        # It may read the trail ...
        assert db.session.scalar(
            sa.text("SELECT count(*) FROM audit_events WHERE id = :id"), {"id": event.id}
        )
        # ... but not change, remove or empty it.
        with pytest.raises(sa.exc.DBAPIError, match="permission denied"), db.session.begin_nested():
            db.session.execute(sa.text(statement), {"id": event.id})
        db.session.execute(sa.text("RESET ROLE"))
    assert db.session.scalar(sa.text("SELECT current_user")) != role
    assert db.session.get(AuditEvent, event.id).action == "candidate.viewed"


@pytest.mark.postgres
def test_postgres_refuses_to_empty_the_audit_table():
    _write(1)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(sa.text("TRUNCATE audit_events CASCADE"))


class ThreadSession(Session):
    """A plain session on its own connection (the app's session is bound to the test's connection)."""


audit_chain.install(ThreadSession)


@pytest.mark.postgres
def test_concurrent_writers_do_not_fork_the_chain(app):
    """Four writers on their own connections, committing for real: each waits for the chain lock."""
    engine = db.engine
    errors: list[Exception] = []
    written: list[int] = []
    barrier = threading.Barrier(4)

    def writer():
        try:
            with engine.connect() as conn:
                barrier.wait()
                for _ in range(5):
                    with ThreadSession(bind=conn) as session:
                        event = AuditEvent(action="test.concurrent", detail={})
                        session.add(event)
                        session.commit()
                        written.append(event.id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(AuditEvent.id, AuditEvent.prev_hash, AuditEvent.row_hash)
                .where(AuditEvent.action == "test.concurrent")
                .order_by(AuditEvent.id)
            ).all()
        assert len(rows) == 20
        for before, after in zip(rows, rows[1:], strict=False):
            assert after.prev_hash == before.row_hash
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.delete(AuditEvent).where(AuditEvent.action == "test.concurrent"))


def test_detail_is_hashed_as_the_database_gives_it_back(cli):
    user = factories.make_user(role="municipal")
    audit.record(user, "candidate.viewed", municipality_id=user.municipality_id, counts={9: 1, 10: 2})
    db.session.commit()
    db.session.expire_all()
    result = cli("verify-audit")
    assert result.exit_code == 0, result.output
