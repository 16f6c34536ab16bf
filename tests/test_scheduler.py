"""The scheduler: the job registry, running one job, the single-scheduler lock and the real process."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent

from config import normalise_database_url
from portal import scheduler
from portal.core.models import OutboxEmail, SchedulerHeartbeat
from portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def boom() -> dict:
    """A job body that fails (registered by a test)."""
    raise RuntimeError("kapot voor test@example.org")


def heartbeat_row(job_id: str) -> SchedulerHeartbeat | None:
    return db.session.get(SchedulerHeartbeat, job_id, populate_existing=True)


# The registry ------------------------------------------------------------------------------------------


def test_jobs_are_declared_as_data_with_importable_bodies():
    assert scheduler.job_ids() == [
        "core.send_outbox",
        "core.heartbeat",
        "requests.expire",
        "placements.remind_weekly_logs",
        "aftercare.reconcile",
    ]
    for job in scheduler.JOBS:
        assert set(job) <= {"id", "func", "trigger", *scheduler.TRIGGER_ARGS}
        assert job["trigger"] == "interval"
        assert callable(scheduler.resolve(job["func"]))
    with pytest.raises(scheduler.UnknownJob):
        scheduler.get_job("core.nope")


def test_build_scheduler_adds_each_enabled_job_once_with_safe_options(app, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "SCHEDULER_DISABLED_JOBS",
        ["core.send_outbox", "requests.expire", "placements.remind_weekly_logs", "aftercare.reconcile"],
    )
    sched = scheduler.build_scheduler(app, start_at=T0)
    assert str(sched.timezone) == "UTC"
    jobs = sched.get_jobs()
    assert [job.id for job in jobs] == ["core.heartbeat"]
    job = jobs[0]
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
    assert job.next_run_time == T0
    assert job.trigger.interval.total_seconds() == 60
    assert job.func_ref == "portal.scheduler:run_job"
    assert job.args == (app, "core.heartbeat")
    assert sched._executors["default"]._pool._max_workers == (1 if db.engine.dialect.name == "sqlite" else 4)
    monkeypatch.setitem(app.config, "SCHEDULER_DISABLED_JOBS", [])
    assert [j.id for j in scheduler.build_scheduler(app).get_jobs()] == scheduler.job_ids()


def test_listeners_log_errors_misses_and_skips(app, caplog):
    sched = scheduler.build_scheduler(app)
    masks = [mask for callback, mask in sched._listeners if callback is scheduler.log_job_event]
    assert masks == [EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES]
    with caplog.at_level(logging.WARNING, logger="portal.scheduler"):
        scheduler.log_job_event(
            JobExecutionEvent(
                EVENT_JOB_ERROR, "core.x", "default", T0, exception=RuntimeError("mail aan a@b.nl mislukt")
            )
        )
        scheduler.log_job_event(JobExecutionEvent(EVENT_JOB_MISSED, "core.y", "default", T0))
        scheduler.log_job_event(JobExecutionEvent(EVENT_JOB_MAX_INSTANCES, "core.z", "default", T0))
    messages = [r.getMessage() for r in caplog.records if r.name == "portal.scheduler"]
    assert "core.x failed: RuntimeError" in messages[0]
    assert "a@b.nl" not in messages[0]
    assert "core.y missed" in messages[1]
    assert "core.z skipped" in messages[2]


# run_job -----------------------------------------------------------------------------------------------


def test_run_job_heartbeat_records_the_run(app, time_machine):
    time_machine.move_to(T0, tick=False)
    summary = scheduler.run_job(app, "core.heartbeat")
    assert summary == {"beat_at": T0.isoformat()}
    row = heartbeat_row("core.heartbeat")
    assert (row.last_started_at, row.last_finished_at, row.last_ok, row.last_error) == (T0, T0, True, None)
    assert row.last_summary == summary


def test_run_job_send_outbox_records_its_counts(app, time_machine):
    time_machine.move_to(T0, tick=False)
    db.session.add(
        OutboxEmail(dedupe_key="sched:1", to_address="a@test.werkbrug.nl", subject="S", body_text="B")
    )
    db.session.flush()
    summary = scheduler.run_job(app, "core.send_outbox")
    assert summary == {"sent": 1, "retry": 0, "failed": 0}
    assert heartbeat_row("core.send_outbox").last_summary == summary
    assert (
        db.session.scalar(db.session.query(OutboxEmail.status).filter_by(dedupe_key="sched:1").statement)
        == "sent"
    )


def test_run_job_failure_is_recorded_logged_and_raised(app, monkeypatch, caplog, time_machine):
    time_machine.move_to(T0, tick=False)
    scheduler.run_job(app, "core.heartbeat")
    monkeypatch.setattr(
        scheduler,
        "JOBS",
        [
            *scheduler.JOBS,
            {"id": "test.boom", "func": "tests.test_scheduler:boom", "trigger": "interval", "seconds": 60},
        ],
    )
    with caplog.at_level(logging.ERROR, logger="portal.scheduler"), pytest.raises(RuntimeError):
        scheduler.run_job(app, "test.boom")
    row = heartbeat_row("test.boom")
    assert row.last_ok is False
    assert row.last_error.startswith("RuntimeError: kapot voor")
    assert "example.org" not in row.last_error
    assert any("test.boom failed" in r.getMessage() for r in caplog.records)
    assert heartbeat_row("core.heartbeat").last_ok is True  # other jobs' rows untouched


def test_run_job_refuses_unknown_ids(app):
    with pytest.raises(scheduler.UnknownJob):
        scheduler.run_job(app, "../../etc/passwd")


# The single-scheduler lock -----------------------------------------------------------------------------


def test_file_lock_allows_one_scheduler(tmp_path):
    path = tmp_path / "nieuw" / "scheduler.lock"
    first, second = scheduler.FileSchedulerLock(path), scheduler.FileSchedulerLock(path)
    assert first.acquire() is True
    assert path.parent.is_dir()
    assert second.acquire() is False
    first.release()
    assert second.acquire() is True
    second.release()


def test_run_scheduler_refuses_to_start_while_another_holds_the_lock(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SCHEDULER_LOCK_FILE", str(tmp_path / "scheduler.lock"))
    holder = scheduler.scheduler_lock(app)
    assert holder.acquire()
    try:
        with pytest.raises(scheduler.SchedulerAlreadyRunning):
            scheduler.run_scheduler(app)
    finally:
        holder.release()


@pytest.mark.postgres
def test_advisory_lock_allows_one_scheduler():
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    first, second = scheduler.AdvisoryLock(url), scheduler.AdvisoryLock(url)
    try:
        assert first.acquire() is True
        assert second.acquire() is False
        first.release()
        assert second.acquire() is True
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_a_scheduler_that_loses_its_advisory_lock_stops():
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    lock = scheduler.AdvisoryLock(url)
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        assert lock.acquire() is True
        assert lock.is_held() is True
        pid = lock.connection.scalar(sa.text("SELECT pg_backend_pid()"))
        with killer.connect() as conn:
            conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert lock.is_held() is False

        class FakeScheduler:
            stopped = False

            def shutdown(self, wait):
                self.stopped = True

        running = FakeScheduler()
        scheduler.watch_lock(lock, running)
        assert running.stopped is True
    finally:
        lock.release()
        killer.dispose()


def test_a_scheduler_that_still_holds_its_file_lock_keeps_running(tmp_path):
    lock = scheduler.FileSchedulerLock(tmp_path / "scheduler.lock")
    assert lock.acquire() is True

    class FakeScheduler:
        stopped = False

        def shutdown(self, wait):
            self.stopped = True

    running = FakeScheduler()
    try:
        scheduler.watch_lock(lock, running)
        assert running.stopped is False
        lock.release()
        scheduler.watch_lock(lock, running)
        assert running.stopped is True
    finally:
        lock.release()


# The real process ----------------------------------------------------------------------------------------


def test_create_app_never_imports_the_scheduler():
    code = (
        "import sys; from portal import create_app; create_app('testing'); "
        "bad = [m for m in ('portal.scheduler', 'apscheduler') if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _flask(args, env, **kwargs):
    return [sys.executable, "-m", "flask", "--app", "app", *args], {"cwd": ROOT, "env": env, **kwargs}


def _wait_for_rows(database: Path, count: int, timeout: float = 30) -> list[tuple]:
    deadline = time.monotonic() + timeout
    rows: list[tuple] = []
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as conn:
            rows = conn.execute("SELECT job_id, last_ok FROM scheduler_heartbeats ORDER BY job_id").fetchall()
        if len(rows) >= count and all(ok for _, ok in rows):
            return rows
        time.sleep(0.2)
    return rows


def test_scheduler_process_runs_jobs_at_start_refuses_a_second_and_stops_on_sigterm(tmp_path):
    database = tmp_path / "werkbrug.sqlite"
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "TEST_DATABASE_URL")}
    env.update(
        WERKBRUG_ENV="development",
        DATABASE_URL=f"sqlite:///{database}",
        MAIL_SERVER="",
        WERKBRUG_INSTANCE_DIR=str(tmp_path / "instance"),
        SCHEDULER_DISABLED_JOBS="",
    )
    cmd, kw = _flask(["db", "upgrade"], env)
    assert subprocess.run(cmd, capture_output=True, timeout=120, **kw).returncode == 0
    log = (tmp_path / "first.log").open("w")
    cmd, kw = _flask(["scheduler"], env)
    first = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, **kw)
    try:
        rows = _wait_for_rows(database, 5)
        assert rows == [
            ("aftercare.reconcile", 1),
            ("core.heartbeat", 1),
            ("core.send_outbox", 1),
            ("placements.remind_weekly_logs", 1),
            ("requests.expire", 1),
        ]
        assert (tmp_path / "instance" / "scheduler.lock").exists()
        cmd, kw = _flask(["scheduler"], env)
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)
        assert second.returncode == 1
        assert "Another scheduler holds the lock" in second.stderr
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        log.close()
    assert "Scheduler stopped" in (tmp_path / "first.log").read_text()
