"""The web process as production runs it: gunicorn with gunicorn.conf.py, JSON log lines, compressed CSS."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

from tests.conftest import free_port
from tests.processes import Process, process_env, run_flask, wait_until

ROOT = Path(__file__).resolve().parent.parent


def _get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (the local test server)
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_with_json_lines_and_cached_compressed_assets(tmp_path):
    database = f"sqlite:///{tmp_path / 'web.sqlite'}"
    env = process_env(tmp_path, database, LOG_FORMAT="json", WEB_CONCURRENCY="1", STATIC_COMPRESSED="1")
    assert run_flask(env, "db", "upgrade").returncode == 0
    port = free_port()
    env["WERKBRUG_BIND"] = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app:app"]
    web = Process(command, env, tmp_path / "gunicorn.log")
    try:
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if not web.alive():
                return True
            try:
                return _get(base + "/healthz")[0] == 200
            except OSError:
                return False

        assert wait_until(up, timeout=60), web.output
        assert web.alive(), web.output
        status, headers, body = _get(base + "/login", **{"X-Request-ID": "test-request-0001"})
        assert status == 200
        assert headers["X-Request-ID"] == "test-request-0001"
        hrefs = [part.split('"')[0] for part in body.decode().split('href="')[1:]]
        css = next(href for href in hrefs if "utrecht/index.css" in href)
        status, headers, packed = _get(base + css, **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"]

        assert wait_until(lambda: "test-request-0001" in web.output, timeout=10)
        lines = [json.loads(line) for line in web.output.splitlines() if line.startswith("{")]
        access = [e for e in lines if e.get("logger") == "portal.access" and e["route"] == "/login"]
        assert access
        assert access[0]["request_id"] == "test-request-0001"
        assert any(e.get("logger") == "gunicorn.error" for e in lines), "gunicorn's own lines are JSON too"
        assert any(e["message"].startswith("compiled ") for e in lines), "each worker compiles its templates"
        frozen = [e["message"] for e in lines if e["message"].startswith("froze ")]
        assert frozen, "each worker freezes what it keeps"
        assert int(frozen[0].split()[1]) > 0
    finally:
        web.end()


def test_command_line_tools_log_json_lines_too(tmp_path):
    env = process_env(tmp_path, f"sqlite:///{tmp_path / 'cli.sqlite'}", LOG_FORMAT="json")
    upgrade = run_flask(env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    job = run_flask(env, "run-job", "requests.expire")
    assert job.returncode == 0, job.stderr
    lines = [line for line in (upgrade.stderr + job.stderr).splitlines() if line.strip()]
    assert lines, "the migrations announce themselves"
    entries = [json.loads(line) for line in lines]
    assert all(entry["level"] and entry["logger"] for entry in entries), lines


def test_workers_are_replaced_after_many_requests_not_every_few_seconds(monkeypatch):
    import runpy

    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (20000, 2000)
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "500")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (500, 50)
