"""PostgreSQL only: eight `flask run-job aftercare.reconcile` processes at once give the rows of one run.

Two scratch databases get the same committed dataset (500 placements). One process reconciles the
first; eight processes start together on the second. Check-ins, alerts and outbox e-mails must be the
same, with no duplicates and no failed process; a further run creates nothing.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from portal import create_app
from portal.aftercare.models import CheckIn
from portal.alerts.models import Alert
from portal.alerts.reconcile import RECONCILE_LOCK_KEY, reconcile
from portal.core.migrate import alembic_config
from portal.core.models import OutboxEmail
from portal.extensions import db
from tests import factories
from tests.alerts.signals import make_log
from tests.pg import recreate_database
from tests.processes import run_job_at_once

ROOT = Path(__file__).resolve().parents[2]
PLACEMENTS = 500
PROCESSES = 8
COUNTS = ("checkins_planned", "alerts_opened", "alerts_escalated", "emails_queued")


def _seed(url: str) -> None:
    """A committed dataset relative to today's date (the processes run on the real clock)."""
    command.upgrade(alembic_config(url), "head")
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        today = date.today()
        monday = today - timedelta(days=today.weekday())
        tenants = [factories.make_tenant("Gemeente Een"), factories.make_tenant("Gemeente Twee")]
        requests = [factories.make_request(t.workplace, created_by=t.employer_user) for t in tenants]
        for n in range(PLACEMENTS):
            tenant, request, kind = tenants[n % 2], requests[n % 2], n % 4
            start = monday - timedelta(weeks=3)
            values = {
                "request": request,
                "status": "onboarding",
                "start_date": start,
                "actual_start_date": start,
                "planned_end_date": today + (timedelta(days=3) if kind == 3 else timedelta(weeks=10)),
                "days_per_week": 3,
                "jobcoach_id": tenant.jobcoach.id,
            }
            if kind == 2:  # nazorg since five weeks: check-ins planned, the first ones overdue
                values.update(
                    status="nazorg",
                    start_date=start - timedelta(weeks=9),
                    actual_start_date=start - timedelta(weeks=9),
                    planned_end_date=today - timedelta(weeks=5, days=1),
                    contract_type="fixed_term",
                    contract_hours=24,
                    contract_start_date=today - timedelta(weeks=5),
                )
            placement = factories.make_placement(tenant, **values)
            if kind == 0:
                continue  # no logs and no visits: logs missing, no contact with the jobcoach
            factories.make_visit(placement, tenant.jobcoach, visit_date=today - timedelta(days=1))
            if kind in (1, 3):
                for week in range(3):
                    make_log(
                        placement,
                        start + timedelta(weeks=week),
                        has_concern=kind == 1 and week == 2,
                        submitted_by_id=tenant.employer_user.id,
                    )
        db.session.commit()
        db.engine.dispose()


def _processes(url: str, n: int) -> list[dict]:
    """Start ``n`` run-job processes at once on ``url``; their JSON summaries (all must succeed)."""
    summaries = run_job_at_once(url, "aftercare.reconcile", n)
    assert all(summary["ok"] for summary in summaries)
    return summaries


def _rows(url: str) -> dict:
    """Check-ins, alerts and e-mails in a form that does not depend on generated ids."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            alerts = {
                row.id: (row.placement_id, row.rule, row.evidence_key)
                for row in conn.execute(
                    sa.select(Alert.id, Alert.placement_id, Alert.rule, Alert.evidence_key)
                )
            }
            checkins = conn.execute(
                sa.select(
                    CheckIn.placement_id, CheckIn.number, CheckIn.week, CheckIn.due_date, CheckIn.status
                )
            ).all()
            keys = conn.scalars(sa.select(OutboxEmail.dedupe_key)).all()
    finally:
        engine.dispose()

    def normal(key: str) -> tuple:
        kind, _, rest = key.partition(":")
        if kind == "alert":
            alert_id, _, user = rest.partition(":")
            return (kind, alerts[int(alert_id)], user)
        return (kind, rest)

    return {
        "alerts": Counter(alerts.values()),
        "checkins": Counter(tuple(row) for row in checkins),
        "emails": Counter(normal(key) for key in keys),
    }


@pytest.fixture
def databases(app):
    once = recreate_database(os.environ["TEST_DATABASE_URL"], "reconcile_once")
    eight = recreate_database(os.environ["TEST_DATABASE_URL"], "reconcile_eight")
    for url in (once, eight):
        _seed(url)
    return once, eight


@pytest.mark.postgres
def test_eight_processes_at_once_create_exactly_the_rows_of_one_run(databases, monkeypatch):
    once, eight = databases
    # Small chunks: every process commits chunk by chunk, so the runs interleave between transactions.
    monkeypatch.setenv("RECONCILE_CHUNK", "60")
    (single,) = _processes(once, 1)
    assert single["alerts_opened"] >= PLACEMENTS  # every placement has at least one signal
    assert single["checkins_planned"] > 0
    assert single["emails_queued"] > 0

    summaries = _processes(eight, PROCESSES)
    for key in COUNTS:
        assert sum(summary[key] for summary in summaries) == single[key], key
    expected, found = _rows(once), _rows(eight)
    for table in ("alerts", "checkins", "emails"):
        assert found[table] == expected[table], table
        assert set(found[table].values()) == {1}, f"duplicate {table}"
    assert sum(found["alerts"].values()) == single["alerts_opened"]

    (again,) = _processes(eight, 1)
    assert {key: again[key] for key in COUNTS} == dict.fromkeys(COUNTS, 0)
    assert _rows(eight) == found


@pytest.mark.postgres
def test_a_run_waits_while_another_holds_the_reconcile_lock(app):
    url = recreate_database(os.environ["TEST_DATABASE_URL"], "reconcile_lock")
    command.upgrade(alembic_config(url), "head")
    scratch = create_app("testing", DATABASE_URL=url)
    holder = sa.create_engine(url)
    finished, errors = threading.Event(), []

    def run():
        try:
            with scratch.app_context():
                reconcile()
                db.engine.dispose()
        except Exception as exc:  # reported below
            errors.append(exc)
        finished.set()

    try:
        with holder.connect() as conn:
            transaction = conn.begin()
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECONCILE_LOCK_KEY})
            worker = threading.Thread(target=run)
            worker.start()
            assert not finished.wait(1.5)  # the run waits for the lock
            transaction.rollback()  # ends the other "run"
            assert finished.wait(60)
            worker.join(timeout=60)
    finally:
        holder.dispose()
    assert errors == []
