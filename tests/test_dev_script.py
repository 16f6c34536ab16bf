"""scripts/dev.py: the README's start command runs the portal and keeps it running, or says loudly why not."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from urllib.error import URLError

import pytest

from tests.conftest import free_port
from tests.processes import ROOT, Process, heartbeat_age, heartbeat_rows, process_env, wait_until

#: Lock-check interval of the scheduler that `start` runs: several intervals pass in a few seconds.
CHECK = 1


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("werkbrug_dev_script", ROOT / "scripts" / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_start_takes_a_port_and_links_in_e_mail_follow_it(dev, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.delenv("WERKBRUG_ENV", raising=False)  # the test command itself runs with "testing"
    assert dev.start_env(5001)["BASE_URL"] == "http://127.0.0.1:5001"
    assert dev.start_env(5001)["WERKBRUG_ENV"] == "development"
    monkeypatch.setenv("BASE_URL", "http://werkbrug.test:8080")
    assert dev.start_env(5001)["BASE_URL"] == "http://werkbrug.test:8080"  # an explicit address wins
    with pytest.raises(SystemExit) as refused:
        dev.main(["start", "--port", "vijf"])
    assert refused.value.code == 2


def test_start_refuses_a_port_that_is_taken_and_names_another(dev, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert dev.start(port) == 1
    err = capsys.readouterr().err
    assert f"Port {port} is already in use" in err
    assert f"--port {port + 1}" in err


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code])


def test_when_one_process_stops_the_others_stop_and_it_says_so_loudly(dev, capsys):
    web = _child("import time; time.sleep(60)")
    scheduler = _child("import sys; sys.exit(3)")
    assert dev._supervise({"web server": web, "scheduler": scheduler}, 5001) == 3
    assert web.poll() is not None
    err = capsys.readouterr().err
    assert "!!! Werkbrug stopped: the scheduler stopped by itself with exit status 3." in err
    assert "lost its single-scheduler lock" in err
    assert "Stopped the web server too. Start again with: python3.11 scripts/dev.py start --port 5001" in err

    web = _child("import sys; sys.exit(1)")
    scheduler = _child("import time; time.sleep(60)")
    assert dev._supervise({"web server": web, "scheduler": scheduler}, 5000) == 1
    assert scheduler.poll() is not None
    err = capsys.readouterr().err
    assert "the web server stopped by itself with exit status 1" in err
    assert "Is port 5000 in use? Then start with --port 5001." in err
    assert "Stopped the scheduler too." in err


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:  # noqa: S310
            return json.loads(response.read()) if response.status == 200 else None
    except (URLError, OSError, ValueError):
        return None


def test_the_readme_start_command_keeps_web_and_scheduler_running(tmp_path):
    """The real `scripts/dev.py start`: still running after several lock checks, then a loud stop."""
    url = f"sqlite:///{tmp_path / 'werkbrug.sqlite'}"
    env = process_env(tmp_path, url, SCHEDULER_LOCK_CHECK_SECONDS=str(CHECK))
    env.pop("BASE_URL", None)
    port = free_port()
    start = Process(
        [sys.executable, "scripts/dev.py", "start", "--port", str(port)], env, tmp_path / "dev.log"
    )
    try:
        assert wait_until(lambda: (_health(port) or {}).get("scheduler") == "ok", timeout=120), start.output
        assert f"Werkbrug runs at http://127.0.0.1:{port}" in start.output
        # The scheduler ran every job once at start: the aftercare sweep's alerts are there at once.
        assert "aftercare.reconcile" in heartbeat_rows(url)

        time.sleep(4 * CHECK + 0.5)
        assert start.alive(), start.output
        health = _health(port)
        assert (health["status"], health["database"], health["scheduler"]) == ("ok", "ok", "ok")
        assert heartbeat_age(url) < 60
        assert "lost its single-scheduler lock" not in start.output

        # When one process stops, the whole portal stops, and says which one and why.
        (tmp_path / "instance" / "scheduler.lock").unlink()
        assert start.wait(timeout=30) == 3
        assert "!!! Werkbrug stopped: the scheduler stopped by itself with exit status 3." in start.output
        again = f"Start again with: python3.11 scripts/dev.py start --port {port}"
        assert f"Stopped the web server too. {again}" in start.output
        assert _health(port) is None
    finally:
        start.end()
