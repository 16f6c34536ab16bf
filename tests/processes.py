"""Helpers for tests that start the real processes (`flask scheduler`, `scripts/dev.py start`)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def process_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a development process with its own database and instance folder."""
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "TEST_DATABASE_URL")}
    env.update(
        WERKBRUG_ENV="development",
        DATABASE_URL=database_url,
        MAIL_SERVER="",
        WERKBRUG_INSTANCE_DIR=str(tmp_path / "instance"),
        SCHEDULER_DISABLED_JOBS="",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", *args]


def run_flask(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        flask_command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


class Process:
    """A child process whose output goes to a log file; always ended (by its pid) when the test ends."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self._log = log.open("w")
        self.popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, number: int) -> None:
        self.popen.send_signal(number)

    def wait(self, timeout: float = 30) -> int:
        return self.popen.wait(timeout=timeout)

    def end(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


def wait_until(condition: Callable[[], object], timeout: float = 30, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def heartbeat_rows(database_url: str) -> dict[str, tuple[datetime | None, bool]]:
    """``{job_id: (last_finished_at in UTC, last_ok)}`` from the scheduler_heartbeats table."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT job_id, last_finished_at, last_ok FROM scheduler_heartbeats"))
            return {job_id: (_utc(finished), bool(ok)) for job_id, finished, ok in rows}
    except sa.exc.DBAPIError:
        return {}  # the table does not exist yet
    finally:
        engine.dispose()


def _utc(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def heartbeat_age(database_url: str) -> float | None:
    """Seconds since the scheduler's heartbeat job last finished (None when it never did)."""
    finished = heartbeat_rows(database_url).get("core.heartbeat", (None, False))[0]
    return None if finished is None else (datetime.now(UTC) - finished).total_seconds()


def run_job_at_once(url: str, job_id: str, n: int) -> list[dict]:
    """Start ``n`` `flask run-job JOB_ID` processes at once on the test database ``url``; their JSON
    summaries, in start order (every process must exit 0)."""
    env = {key: value for key, value in os.environ.items() if key != "FLASK_DEBUG"}
    env.update(WERKBRUG_ENV="testing", TEST_DATABASE_URL=url, MAIL_SERVER="")
    running = [
        subprocess.Popen(
            flask_command("run-job", job_id),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    summaries = []
    for process in running:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, (out + err)[-3000:]
        summaries.append(json.loads(out.strip().splitlines()[-1]))
    return summaries
