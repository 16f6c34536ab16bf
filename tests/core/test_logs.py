"""Log format: a request id in every line of a request, one access line per request, JSON lines."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from portal.core import logs
from portal.scheduler import did_something


@pytest.fixture
def json_lines():
    """Capture what the root logger writes, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_every_request_gets_an_id_and_one_access_line(client, json_lines):
    response = client.get("/login")
    rid = response.headers[logs.HEADER]
    access = [e for e in json_lines() if e["logger"] == "portal.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == rid
    assert (line["method"], line["route"], line["status"]) == ("GET", "/login", 200)
    assert line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("Z")


def test_lines_written_during_a_request_carry_its_id(client, json_lines):
    response = client.post("/login", {"email": "niemand@test.werkbrug.nl", "password": "fout fout fout"})
    rid = response.headers[logs.HEADER]
    lines = [e for e in json_lines() if e["request_id"] == rid]
    assert {e["logger"] for e in lines} >= {"portal.core.audit", "portal.access"}
    assert all(e["request_id"] != "-" for e in json_lines())
    assert logs.request_id.get() == "-", "the id must not leak past the request"


def test_a_proxys_request_id_is_kept_and_a_hostile_one_replaced(client):
    kept = client.get("/login", headers={logs.HEADER: "lb-1234abcd-5678"})
    assert kept.headers[logs.HEADER] == "lb-1234abcd-5678"
    for bad in ("x INFO forged <script>", "kort", "a" * 65, "'; DROP TABLE users; --"):
        hostile = client.get("/login", headers={logs.HEADER: bad})
        assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers[logs.HEADER])


def test_the_access_line_names_the_route_not_the_typed_path(client, json_lines):
    client.get("/wachtwoord-herstellen/geheim-token-dat-niet-in-het-log-mag")
    text = "\n".join(json.dumps(e) for e in json_lines())
    assert "geheim-token" not in text


def test_extras_and_exceptions_become_fields():
    record = logging.LogRecord("portal.x", logging.ERROR, __file__, 1, "Job %s failed", ("a",), None)
    record.job = "core.heartbeat"
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(logs.JsonFormatter().format(record))
    assert entry["message"] == "Job a failed"
    assert entry["job"] == "core.heartbeat"
    assert "ValueError: boom" in entry["exception"]
    assert entry["request_id"] == "-"


def test_configure_sets_one_handler_and_quiets_the_scheduler_library():
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        logs.configure("json")
        logs.configure("text")
        ours = [h for h in root.handlers if getattr(h, "_werkbrug", False)]
        assert len(ours) == 1
        assert not isinstance(ours[0].formatter, logs.JsonFormatter)
        assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(
    ("summary", "busy"),
    [({}, False), ({"sent": 0, "failed": 0}, False), ({"sent": 2}, True), ({"note": "x"}, True)],
)
def test_an_idle_job_run_is_not_news(summary, busy):
    assert did_something(summary) is busy


def test_the_heartbeat_and_an_idle_job_log_nothing_at_info(app, client, caplog):
    from portal.scheduler import run_job

    caplog.set_level(logging.DEBUG, logger="portal.scheduler")
    run_job(app, "core.heartbeat")
    run_job(app, "core.send_outbox")
    done = [r for r in caplog.records if r.getMessage().startswith("Job ")]
    assert len(done) == 2
    assert {r.levelno for r in done} == {logging.DEBUG}
