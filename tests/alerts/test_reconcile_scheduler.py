"""A job that fails, is missed or is skipped shows up on the admin home page (a system alert)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent

from portal import scheduler
from portal.core.models import SchedulerHeartbeat
from portal.extensions import db
from tests.placements.conftest import text

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def recorder_of(sched):
    found = [(cb, mask) for cb, mask in sched._listeners if isinstance(cb, scheduler.JobEventRecorder)]
    assert len(found) == 1
    return found[0]


def row(job_id):
    return db.session.get(SchedulerHeartbeat, job_id, populate_existing=True)


def test_missed_and_skipped_runs_are_recorded_for_the_admins(app, seed, time_machine, login_as):
    time_machine.move_to(T0, tick=False)
    admin = seed.a.admin.email  # jobs run in their own app context, which ends the test's session
    recorder, mask = recorder_of(scheduler.build_scheduler(app))
    assert mask == EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
    recorder(JobExecutionEvent(EVENT_JOB_MAX_INSTANCES, "aftercare.reconcile", "default", T0))
    recorder(JobExecutionEvent(EVENT_JOB_MISSED, "requests.expire", "default", T0))
    recorder(JobExecutionEvent(EVENT_JOB_MISSED, "core.watch_lock", "default", T0))  # not a declared job
    skipped, missed = row("aftercare.reconcile"), row("requests.expire")
    assert (skipped.last_ok, skipped.last_error) == (False, scheduler.NOT_RUN[EVENT_JOB_MAX_INSTANCES])
    assert (missed.last_ok, missed.last_error) == (False, scheduler.NOT_RUN[EVENT_JOB_MISSED])
    assert row("core.watch_lock") is None
    page = text(login_as(admin).get("/"))
    assert "<code>aftercare.reconcile</code> mislukte" in page
    assert "Overgeslagen: de vorige keer was de taak nog bezig" in page
    assert "<code>requests.expire</code> mislukte" in page

    scheduler.run_job(app, "aftercare.reconcile")  # the next good run clears the mark
    assert row("aftercare.reconcile").last_ok is True
    assert "<code>aftercare.reconcile</code> mislukte" not in text(login_as(admin).get("/"))


def test_a_failing_reconcile_is_recorded_and_shown(app, seed, time_machine, login_as, monkeypatch):
    time_machine.move_to(T0, tick=False)
    admin = seed.a.admin.email

    def broken(now=None):
        raise RuntimeError("database weg")

    monkeypatch.setattr("portal.alerts.reconcile.open_alerts", lambda today, now: broken())
    with pytest.raises(RuntimeError):
        scheduler.run_job(app, "aftercare.reconcile")
    failed = row("aftercare.reconcile")
    assert (failed.last_ok, failed.last_error) == (False, "RuntimeError: database weg")
    assert "<code>aftercare.reconcile</code> mislukte" in text(login_as(admin).get("/"))


def test_errors_need_no_extra_listener(app):
    sched = scheduler.build_scheduler(app)
    masks = [mask for cb, mask in sched._listeners if isinstance(cb, scheduler.JobEventRecorder)]
    assert all(not mask & EVENT_JOB_ERROR for mask in masks)  # run_job records failures itself
