"""PostgreSQL only: senders running at the same time deliver every message exactly once (SKIP LOCKED)."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from alembic import command

from portal import create_app
from portal.core.migrate import alembic_config
from portal.core.models import OutboxEmail
from portal.core.outbox import send_pending
from portal.extensions import db
from tests.pg import recreate_database

MESSAGES = 60
SENDERS = 4


@pytest.fixture
def scratch_app(smtp_server, app):
    """An app on its own, committed PostgreSQL database (the per-test rollback hides rows from others)."""
    url = recreate_database(os.environ["TEST_DATABASE_URL"], "outbox_concurrency")
    command.upgrade(alembic_config(url), "head")
    scratch = create_app(
        "testing", DATABASE_URL=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=app.config["MAIL_PORT"]
    )
    yield scratch
    with scratch.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_concurrent_senders_deliver_each_message_once(scratch_app, smtp_server):
    with scratch_app.app_context():
        for n in range(MESSAGES):
            db.session.add(
                OutboxEmail(
                    dedupe_key=f"conc:{n}",
                    to_address=f"r{n}@test.werkbrug.nl",
                    subject=f"S{n}",
                    body_text="B",
                )
            )
        db.session.commit()
    results, errors = [], []
    start = threading.Barrier(SENDERS)

    def sender():
        try:
            with scratch_app.app_context():
                start.wait()
                results.append(send_pending())
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sum(r["sent"] for r in results) == MESSAGES
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == MESSAGES
    assert len(set(ids)) == MESSAGES
    with scratch_app.app_context():
        statuses = db.session.scalars(sa.select(OutboxEmail.status)).all()
        assert statuses == ["sent"] * MESSAGES
