"""PostgreSQL only: four `flask run-job followups.sweep` processes at once start every follow-up once."""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from portal import create_app
from portal.core.migrate import alembic_config
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.journey.models import RetentionFollowUp
from portal.tasks.models import Task
from tests import factories
from tests.pg import recreate_database
from tests.processes import run_job_at_once

ROOT = Path(__file__).resolve().parents[2]
FOLLOWUPS = 60
PROCESSES = 4


def _seed(url: str) -> None:
    """Committed follow-ups, all due (the processes run on the real clock)."""
    command.upgrade(alembic_config(url), "head")
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        tenant = factories.make_tenant("Gemeente Een")
        for n in range(FOLLOWUPS):
            candidate = factories.make_candidate(tenant.municipality, specialist_id=tenant.municipal.id)
            exit_row = factories.make_exit(candidate, employer_id=tenant.employer.id)
            factories.make_followup(exit_row, due_on=date.today() - timedelta(days=n % 5))
        db.session.commit()
        db.engine.dispose()


def _processes(url: str, n: int) -> list[dict]:
    """Start ``n`` run-job processes at once on ``url``; their JSON summaries (all must succeed)."""
    summaries = run_job_at_once(url, "followups.sweep", n)
    return summaries


@pytest.mark.postgres
def test_concurrent_sweeps_start_each_followup_once(app):
    url = recreate_database(os.environ["TEST_DATABASE_URL"], "followups_sweep")
    _seed(url)
    summaries = _processes(url, PROCESSES)
    assert sum(summary["started"] for summary in summaries) == FOLLOWUPS
    assert sum(summary["asked"] for summary in summaries) == FOLLOWUPS
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tasks = conn.scalars(sa.select(Task.candidate_id).where(Task.kind == "followup")).all()
            keys = conn.scalars(sa.select(OutboxEmail.dedupe_key)).all()
            unstarted = conn.scalar(sa.select(sa.func.count()).where(RetentionFollowUp.task_id.is_(None)))
    finally:
        engine.dispose()
    assert len(tasks) == FOLLOWUPS
    assert set(Counter(tasks).values()) == {1}
    assert len([key for key in keys if key.startswith("followups.question:")]) == FOLLOWUPS
    assert unstarted == 0
    (again,) = _processes(url, 1)
    assert (again["started"], again["asked"]) == (0, 0)
