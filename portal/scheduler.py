"""The job registry and the one scheduler process; imported only by the CLI (`flask scheduler`, `run-job`).

Jobs are declared here as data; their bodies live in ``portal/<domain>/jobs.py`` (or the outbox) and take
no arguments. The scheduler only ticks: business timing lives in tables, every job is an idempotent sweep,
and nothing is stored in APScheduler's (in-memory) job store. Exactly one scheduler runs: on PostgreSQL
it holds an advisory lock on a dedicated connection, on SQLite a file lock; a second one exits (status 1),
or with ``wait`` stands by until the lock is free. A scheduler that loses its lock stops with status 3.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout
from flask import Flask

from portal.core.models import SchedulerHeartbeat
from portal.core.outbox import short_error
from portal.core.sql import conflict_insert
from portal.core.time import now_utc
from portal.extensions import db

logger = logging.getLogger(__name__)

JOBS: list[dict[str, Any]] = [
    {
        "id": "core.send_outbox",
        "func": "portal.core.outbox:send_pending",
        "trigger": "interval",
        "seconds": 60,
    },
    {
        "id": "core.prune_outbox",
        "func": "portal.core.outbox:prune_sent",
        "trigger": "interval",
        "hours": 1,
    },
    {
        "id": "core.prune_change_marks",
        "func": "portal.core.changes:prune",
        "trigger": "interval",
        "hours": 1,
    },
    {
        "id": "core.heartbeat",
        "func": "portal.core.jobs:heartbeat",
        "trigger": "interval",
        "seconds": 60,
        # Its summary is only the time it beat: never news in the log.
        "quiet": True,
    },
    {
        "id": "requests.expire",
        "func": "portal.requests.jobs:expire_stale_requests",
        "trigger": "interval",
        "hours": 1,
    },
    {
        "id": "placements.remind_weekly_logs",
        "func": "portal.placements.reminders:remind_missing_weekly_logs",
        "trigger": "interval",
        "minutes": 30,
    },
    {
        "id": "aftercare.reconcile",
        "func": "portal.alerts.reconcile:reconcile",
        "trigger": "interval",
        "minutes": 5,
    },
    {
        "id": "followups.sweep",
        "func": "portal.followups.jobs:sweep",
        "trigger": "interval",
        "minutes": 15,
    },
    {
        # Nightly in effect: once when the scheduler starts and then every 24 hours; a run finds only the
        # candidates whose purge date (a day) has come, so the hour does not matter.
        "id": "privacy.purge",
        "func": "portal.privacy.jobs:purge",
        "trigger": "interval",
        "hours": 24,
    },
]
TRIGGER_ARGS = ("weeks", "days", "hours", "minutes", "seconds")

#: How often the scheduler checks that it still holds its lock (and a standby tries to take it), unless
#: SCHEDULER_LOCK_CHECK_SECONDS says otherwise.
LOCK_CHECK_SECONDS = 30

#: Exit statuses of `flask scheduler` (a supervisor that restarts on failure restarts 1 and 3).
EXIT_STOPPED, EXIT_LOCK_HELD, EXIT_LOCK_LOST = 0, 1, 3

#: The PostgreSQL advisory lock key of the scheduler ("Werkbrug" in ASCII).
ADVISORY_LOCK_KEY = 0x5765726B62727567


class UnknownJob(LookupError):
    """No job with this id is registered."""


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler process holds the lock."""


class SchedulerLostLock(RuntimeError):
    """The scheduler stopped because it no longer held its lock: another one may run now."""


def job_ids() -> list[str]:
    return [job["id"] for job in JOBS]


def get_job(job_id: str) -> dict[str, Any]:
    for job in JOBS:
        if job["id"] == job_id:
            return job
    raise UnknownJob(job_id)


def resolve(reference: str):
    """Import ``module:function``."""
    module_name, _, attribute = reference.partition(":")
    return getattr(import_module(module_name), attribute)


# --- Running one job ---------------------------------------------------------------------------------


def run_job(app: Flask, job_id: str) -> dict[str, Any]:
    """Run one job body once in an app context, record the outcome in its heartbeat row; return its summary.

    A failure is logged, recorded (``last_ok`` False) and raised again for the caller.
    """
    func = resolve(get_job(job_id)["func"])
    with app.app_context():
        _record(job_id, last_started_at=now_utc())
        try:
            summary = func() or {}
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            logger.exception("Job %s failed", job_id)
            _record(
                job_id,
                last_finished_at=now_utc(),
                last_ok=False,
                last_error=short_error(exc),
                last_summary={},
            )
            raise
        _record(job_id, last_finished_at=now_utc(), last_ok=True, last_error=None, last_summary=summary)
        # An idle scheduler is quiet: a run that changed nothing is only logged at DEBUG.
        busy = did_something(summary) and not get_job(job_id).get("quiet", False)
        level = logging.INFO if busy else logging.DEBUG
        logger.log(level, "Job %s done: %s", job_id, summary)
        return summary


def did_something(summary: dict[str, Any]) -> bool:
    """Whether a job's summary reports any work: a count above zero, or any other non-empty value."""
    return any(summary.values())


def _record(job_id: str, **values: Any) -> None:
    row = db.session.get(SchedulerHeartbeat, job_id, populate_existing=True)
    if row is None:
        # INSERT ... ON CONFLICT DO NOTHING: several `run-job` processes may start the same job at once.
        db.session.execute(
            conflict_insert(SchedulerHeartbeat)
            .values(job_id=job_id, last_ok=True, last_summary={})
            .on_conflict_do_nothing()
        )
        row = db.session.get(SchedulerHeartbeat, job_id, populate_existing=True)
    for key, value in values.items():
        setattr(row, key, value)
    db.session.commit()


# --- The single-scheduler lock -------------------------------------------------------------------------


class AdvisoryLock:
    """``pg_try_advisory_lock`` on a dedicated connection that lives as long as the lock."""

    def __init__(self, url: str, key: int = ADVISORY_LOCK_KEY) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.key = key
        self.connection: sa.Connection | None = None

    def acquire(self) -> bool:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        except sa.exc.SQLAlchemyError:
            connection.close()
            raise
        if taken:
            self.connection = connection
            return True
        connection.close()
        return False

    def is_held(self) -> bool:
        """Whether our lock session is still alive (PostgreSQL drops the lock with the connection)."""
        if self.connection is None:
            return False
        try:
            held = self.connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self.key},
            )
        except sa.exc.SQLAlchemyError:
            return False
        return bool(held)

    def release(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                self.connection.close()  # ending the session releases the lock
            self.connection = None
        self.engine.dispose()


class FileSchedulerLock:
    """A non-blocking file lock (SQLite: one machine, one scheduler).

    The lock is taken in the main thread but checked by the lock-watch job in a worker thread, so the
    filelock object is not thread-local: every thread of the process sees it as held. ``is_held`` also
    checks that the file at ``path`` is still the one we locked: when somebody removes it, a second
    scheduler could lock a new file under the same name.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.lock: FileLock | None = None
        self.identity: tuple[int, int] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path, blocking=False, thread_local=False, on_acquired=self._remember)
        try:
            lock.acquire()
        except Timeout:
            return False
        self.lock = lock
        return True

    def _remember(self, fd: int) -> None:
        """Note which file we locked, and write our process id into it for whoever looks."""
        status = os.fstat(fd)
        self.identity = (status.st_dev, status.st_ino)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())

    def is_held(self) -> bool:
        if self.lock is None or not self.lock.is_locked:
            return False
        try:
            status = os.stat(self.path)
        except OSError:
            return False
        return (status.st_dev, status.st_ino) == self.identity

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
            self.identity = None


def scheduler_lock(app: Flask) -> AdvisoryLock | FileSchedulerLock:
    """The lock that fits the configured database."""
    url = app.config["DATABASE_URL"]
    if url.startswith("postgresql"):
        return AdvisoryLock(url)
    path = app.config.get("SCHEDULER_LOCK_FILE") or Path(app.instance_path) / "scheduler.lock"
    return FileSchedulerLock(path)


# --- The scheduler process -------------------------------------------------------------------------------


def build_scheduler(app: Flask, start_at: datetime | None = None) -> BlockingScheduler:
    """A UTC BlockingScheduler with every enabled job, first run at ``start_at`` (now), then by trigger."""
    # SQLite has one writer at a time (and fails, rather than waits, when two transactions both read and
    # then write): there the jobs run one after the other.
    workers = 1 if app.config["DATABASE_URL"].startswith("sqlite") else 4
    scheduler = BlockingScheduler(
        timezone="UTC",
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=workers)},
    )
    disabled = set(app.config.get("SCHEDULER_DISABLED_JOBS") or ())
    start_at = start_at or now_utc()
    for job in JOBS:
        if job["id"] in disabled:
            logger.info("Job %s is disabled by SCHEDULER_DISABLED_JOBS", job["id"])
            continue
        trigger_args = {key: job[key] for key in TRIGGER_ARGS if key in job}
        scheduler.add_job(
            "portal.scheduler:run_job",
            job["trigger"],
            args=[app, job["id"]],
            id=job["id"],
            name=job["id"],
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=start_at,
            **trigger_args,
        )
    scheduler.add_listener(log_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    scheduler.add_listener(JobEventRecorder(app), EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def log_job_event(event: JobExecutionEvent) -> None:
    """Make missed, skipped and failed runs visible in the log."""
    if event.code == EVENT_JOB_ERROR:
        logger.error("Scheduled job %s failed: %s", event.job_id, short_error(event.exception))
    elif event.code == EVENT_JOB_MISSED:
        logger.warning("Scheduled job %s missed its run at %s", event.job_id, event.scheduled_run_time)
    else:
        logger.warning("Scheduled job %s skipped: the previous run is still busy", event.job_id)


#: What admins read on their home page when a run did not happen (a failure records its own error).
NOT_RUN = {
    EVENT_JOB_MISSED: "Gemist: de taak draaide niet op tijd",
    EVENT_JOB_MAX_INSTANCES: "Overgeslagen: de vorige keer was de taak nog bezig",
}


class JobEventRecorder:
    """Record a missed or skipped run in the job's heartbeat row: admins see it as a failed job.

    Failures need no listener: ``run_job`` records them itself. The next good run clears the mark.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, event: JobExecutionEvent) -> None:
        if event.code not in NOT_RUN or event.job_id not in job_ids():
            return
        with self.app.app_context():
            try:
                _record(
                    event.job_id, last_finished_at=now_utc(), last_ok=False, last_error=NOT_RUN[event.code]
                )
            except sa.exc.SQLAlchemyError:
                db.session.rollback()
                logger.exception("Could not record the missed run of %s", event.job_id)


def watch_lock(
    lock: AdvisoryLock | FileSchedulerLock, scheduler: BlockingScheduler, lost: threading.Event
) -> None:
    """Stop this scheduler when it lost its lock (e.g. its database connection dropped); set ``lost``.

    Another scheduler may then take over; the process exits with status 3, so a supervisor that restarts
    on failure starts it again, and it waits its turn.
    """
    if not lock.is_held():
        logger.error("Scheduler lost its single-scheduler lock; stopping (exit status %s)", EXIT_LOCK_LOST)
        lost.set()
        scheduler.shutdown(wait=False)


def lock_check_seconds(app: Flask) -> int:
    """Seconds between two lock checks (at least one)."""
    return max(int(app.config.get("SCHEDULER_LOCK_CHECK_SECONDS") or LOCK_CHECK_SECONDS), 1)


def run_scheduler(app: Flask, wait: bool = False) -> None:
    """Take the single-scheduler lock and run until SIGTERM/SIGINT.

    When another process holds the lock: raise SchedulerAlreadyRunning, or with ``wait`` try again every
    lock-check interval until it is free (a signal while waiting just returns). Raise SchedulerLostLock
    when the lock was lost while running.
    """
    lock = scheduler_lock(app)
    interval = lock_check_seconds(app)
    if not lock.acquire():
        if not wait:
            raise SchedulerAlreadyRunning("another scheduler holds the lock")
        if not _wait_for_lock(lock, interval):
            return
    lost = threading.Event()
    try:
        scheduler = build_scheduler(app)
        # The watch has its own thread, so long-running jobs never delay it; its runs are not logged.
        scheduler.add_executor(ThreadPoolExecutor(max_workers=1), "lock")
        logging.getLogger("apscheduler.executors.lock").setLevel(logging.WARNING)
        scheduler.add_job(
            watch_lock,
            "interval",
            seconds=interval,
            args=[lock, scheduler, lost],
            id="core.watch_lock",
            executor="lock",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

        def stop(signum, frame) -> None:
            if scheduler.running:
                logger.info("Scheduler stopping on signal %s; waiting for running jobs", signum)
                scheduler.shutdown(wait=True)

        with _signals(stop):
            logger.info("Scheduler started with jobs %s", [job.id for job in scheduler.get_jobs()])
            scheduler.start()
        logger.info("Scheduler stopped")
    finally:
        lock.release()
    if lost.is_set():
        raise SchedulerLostLock("the scheduler lost its single-scheduler lock")


def _wait_for_lock(lock: AdvisoryLock | FileSchedulerLock, interval: float) -> bool:
    """Stand by until ``lock`` is ours (True) or a SIGTERM/SIGINT came first (False)."""
    stopping = threading.Event()
    logger.info("Another scheduler holds the lock; standing by (trying every %s s)", interval)
    with _signals(lambda signum, frame: stopping.set()):
        while not stopping.wait(interval):
            try:
                taken = lock.acquire()
            except sa.exc.SQLAlchemyError as exc:  # the database is away for a moment: keep standing by
                logger.warning("Standby scheduler could not try the lock: %s", short_error(exc))
                continue
            if taken:
                logger.info("Took over the single-scheduler lock")
                return True
    logger.info("Standby scheduler stopped before it took over")
    return False


@contextlib.contextmanager
def _signals(handler):
    """Handle SIGTERM and SIGINT with ``handler`` inside the block; restore the previous handlers after."""
    previous = {number: signal.signal(number, handler) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
