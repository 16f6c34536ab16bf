"""The scheduler: the job registry, running one job, the single-scheduler lock and the real process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
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
from portal.models import Base
from tests.pg import recreate_database
from tests.processes import (
    Process,
    flask_command,
    heartbeat_age,
    heartbeat_rows,
    process_env,
    wait_until,
)

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
        "core.prune_outbox",
        "core.prune_change_marks",
        "core.heartbeat",
        "requests.expire",
        "placements.remind_weekly_logs",
        "aftercare.reconcile",
        "followups.sweep",
        "privacy.purge",
    ]
    for job in scheduler.JOBS:
        assert set(job) <= {"id", "func", "trigger", "quiet", *scheduler.TRIGGER_ARGS}
        assert job["trigger"] == "interval"
        assert callable(scheduler.resolve(job["func"]))
    with pytest.raises(scheduler.UnknownJob):
        scheduler.get_job("core.nope")


def test_build_scheduler_adds_each_enabled_job_once_with_safe_options(app, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "SCHEDULER_DISABLED_JOBS",
        [
            "core.send_outbox",
            "core.prune_outbox",
            "core.prune_change_marks",
            "requests.expire",
            "placements.remind_weekly_logs",
            "aftercare.reconcile",
            "followups.sweep",
            "privacy.purge",
        ],
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


class FakeScheduler:
    stopped = False

    def shutdown(self, wait):
        self.stopped = True


def in_another_thread(func):
    """Call ``func`` in a new thread (as APScheduler's worker does) and return its result."""
    result = []
    thread = threading.Thread(target=lambda: result.append(func()))
    thread.start()
    thread.join(timeout=30)
    return result[0]


@pytest.mark.postgres
def test_a_scheduler_that_loses_its_advisory_lock_stops():
    url = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    lock = scheduler.AdvisoryLock(url)
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        assert lock.acquire() is True
        assert in_another_thread(lock.is_held) is True
        running, lost = FakeScheduler(), threading.Event()
        in_another_thread(lambda: scheduler.watch_lock(lock, running, lost))
        assert (running.stopped, lost.is_set()) == (False, False)
        pid = lock.connection.scalar(sa.text("SELECT pg_backend_pid()"))
        with killer.connect() as conn:
            conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert in_another_thread(lock.is_held) is False
        in_another_thread(lambda: scheduler.watch_lock(lock, running, lost))
        assert (running.stopped, lost.is_set()) == (True, True)
    finally:
        lock.release()
        killer.dispose()


def test_a_file_lock_taken_in_one_thread_is_held_in_every_thread(tmp_path):
    lock = scheduler.FileSchedulerLock(tmp_path / "scheduler.lock")
    assert lock.acquire() is True
    running, lost = FakeScheduler(), threading.Event()
    try:
        assert in_another_thread(lock.is_held) is True
        # The watch runs in a worker thread of APScheduler, never in the thread that took the lock.
        in_another_thread(lambda: scheduler.watch_lock(lock, running, lost))
        assert (running.stopped, lost.is_set()) == (False, False)
        assert (tmp_path / "scheduler.lock").read_text() == f"{os.getpid()}\n"
        lock.release()
        in_another_thread(lambda: scheduler.watch_lock(lock, running, lost))
        assert (running.stopped, lost.is_set()) == (True, True)
    finally:
        lock.release()


def test_a_file_lock_whose_file_was_removed_or_replaced_is_not_held(tmp_path):
    path = tmp_path / "scheduler.lock"
    lock, other = scheduler.FileSchedulerLock(path), scheduler.FileSchedulerLock(path)
    try:
        assert lock.acquire() is True
        path.unlink()
        assert lock.is_held() is False
        assert other.acquire() is True  # a new file under the same name: somebody else's lock now
        assert lock.is_held() is False
        assert other.is_held() is True
    finally:
        lock.release()
        other.release()


def test_a_standby_keeps_waiting_while_the_database_is_away(caplog):
    class FlakyLock:
        tries = 0

        def acquire(self):
            self.tries += 1
            if self.tries < 3:
                raise sa.exc.OperationalError("SELECT pg_try_advisory_lock", {}, OSError("verbinding weg"))
            return True

    lock = FlakyLock()
    with caplog.at_level(logging.INFO, logger="portal.scheduler"):
        assert scheduler._wait_for_lock(lock, 0.01) is True
    assert lock.tries == 3
    messages = [record.getMessage() for record in caplog.records]
    assert sum("could not try the lock" in message for message in messages) == 2
    assert messages[-1] == "Took over the single-scheduler lock"


def test_the_lock_check_interval_is_configurable(app, monkeypatch):
    assert scheduler.lock_check_seconds(app) == 30
    monkeypatch.setitem(app.config, "SCHEDULER_LOCK_CHECK_SECONDS", 2)
    assert scheduler.lock_check_seconds(app) == 2
    monkeypatch.setitem(app.config, "SCHEDULER_LOCK_CHECK_SECONDS", 0)
    assert scheduler.lock_check_seconds(app) == 30


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


#: Lock-check interval of the scheduler processes below: several intervals pass in a few seconds.
CHECK = 1
ALL_JOBS = {
    "aftercare.reconcile",
    "core.heartbeat",
    "core.prune_change_marks",
    "core.prune_outbox",
    "core.send_outbox",
    "followups.sweep",
    "placements.remind_weekly_logs",
    "privacy.purge",
    "requests.expire",
}


def _all_jobs_ran(url: str) -> bool:
    rows = heartbeat_rows(url)
    return set(rows) == ALL_JOBS and all(ok for _, ok in rows.values())


def _heartbeat_after(url: str, moment: datetime) -> bool:
    finished = heartbeat_rows(url).get("core.heartbeat", (None, False))[0]
    return finished is not None and finished > moment


def _keeps_running_with_a_fresh_heartbeat(process: Process, url: str, intervals: int = 4) -> None:
    """Let several lock-check intervals pass; the scheduler must still run and its heartbeat be fresh."""
    time.sleep(intervals * CHECK + 0.5)
    assert process.alive(), process.output
    assert "lost its single-scheduler lock" not in process.output
    age = heartbeat_age(url)
    assert age is not None
    assert age < 60


def _scheduler_env(tmp_path: Path, url: str) -> dict[str, str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    Base.metadata.create_all(engine)  # the tables, without one more process start for `db upgrade`
    engine.dispose()
    return process_env(tmp_path, url, SCHEDULER_LOCK_CHECK_SECONDS=str(CHECK))


@pytest.mark.slow  # about 15 seconds of real processes; its own SQLite file, so one run of it is enough
def test_scheduler_process_keeps_its_lock_and_a_standby_takes_over_and_stops_when_it_loses_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'werkbrug.sqlite'}"
    env = _scheduler_env(tmp_path, url)
    lock_file = tmp_path / "instance" / "scheduler.lock"
    leader = Process(flask_command("scheduler"), env, tmp_path / "leader.log")
    second = idle = standby = None
    try:
        assert wait_until(lambda: _all_jobs_ran(url)), leader.output
        assert lock_file.exists()
        _keeps_running_with_a_fresh_heartbeat(leader, url)

        second = Process(flask_command("scheduler"), env, tmp_path / "second.log")
        idle = Process(flask_command("scheduler", "--wait"), env, tmp_path / "idle.log")
        standby = Process(flask_command("scheduler", "--wait"), env, tmp_path / "standby.log")
        assert second.wait() == scheduler.EXIT_LOCK_HELD
        assert "Another scheduler holds the lock" in second.output
        assert wait_until(lambda: "standing by" in idle.output and "standing by" in standby.output)
        # A standby that is stopped while it waits exits cleanly and never ran a job.
        idle.signal(signal.SIGTERM)
        assert idle.wait() == 0
        assert "stopped before it took over" in idle.output

        killed_at = datetime.now(UTC)
        leader.signal(signal.SIGKILL)  # no clean stop: the operating system frees the lock
        assert leader.wait() == -signal.SIGKILL
        assert wait_until(lambda: _heartbeat_after(url, killed_at), timeout=20), standby.output
        assert "Took over the single-scheduler lock" in standby.output
        assert lock_file.read_text() == f"{standby.popen.pid}\n"

        lock_file.unlink()  # e.g. somebody cleaned the instance folder: another scheduler could start
        assert standby.wait(timeout=10 * CHECK) == scheduler.EXIT_LOCK_LOST
        assert "Scheduler lost its single-scheduler lock; stopping (exit status 3)" in standby.output
        assert "Start it again" in standby.output
    finally:
        for process in (leader, second, idle, standby):
            if process is not None:
                process.end()


@pytest.mark.postgres
def test_scheduler_process_on_postgresql_keeps_its_advisory_lock_and_a_standby_takes_over(tmp_path):
    url = recreate_database(os.environ["TEST_DATABASE_URL"], "scheduler_process")
    env = _scheduler_env(tmp_path, url)
    leader = Process(flask_command("scheduler"), env, tmp_path / "leader.log")
    second = standby = None
    killer = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        assert wait_until(lambda: _all_jobs_ran(url)), leader.output
        _keeps_running_with_a_fresh_heartbeat(leader, url)
        second = Process(flask_command("scheduler"), env, tmp_path / "second.log")
        standby = Process(flask_command("scheduler", "--wait"), env, tmp_path / "standby.log")
        assert second.wait() == scheduler.EXIT_LOCK_HELD
        assert wait_until(lambda: "standing by" in standby.output), standby.output

        # The leader's lock connection dies (a database restart or a network cut does the same).
        lost_at = datetime.now(UTC)
        with killer.connect() as conn:
            holder = conn.scalar(
                sa.text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": scheduler.ADVISORY_LOCK_KEY},
            )
            assert holder is not None
            conn.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
        assert leader.wait(timeout=10 * CHECK) == scheduler.EXIT_LOCK_LOST, leader.output
        assert "lost its single-scheduler lock" in leader.output
        assert wait_until(lambda: _heartbeat_after(url, lost_at), timeout=20), standby.output
        assert "Took over the single-scheduler lock" in standby.output
        _keeps_running_with_a_fresh_heartbeat(standby, url, intervals=2)
        standby.signal(signal.SIGTERM)
        assert standby.wait() == 0
        assert "Scheduler stopped" in standby.output
    finally:
        for process in (leader, second, standby):
            if process is not None:
                process.end()
        killer.dispose()
