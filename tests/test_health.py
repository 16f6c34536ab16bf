"""GET /healthz: database reachable and the scheduler's heartbeat age, as JSON, for anyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from portal import scheduler

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_healthz_before_the_scheduler_ever_ran(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.json == {
        "status": "degraded",
        "database": "ok",
        "scheduler": "never-ran",
        "scheduler_heartbeat_age_seconds": None,
    }


def test_healthz_reports_the_heartbeat_age_after_run_job(app, client, time_machine):
    time_machine.move_to(T0, tick=False)
    scheduler.run_job(app, "core.heartbeat")
    time_machine.move_to(T0 + timedelta(seconds=42), tick=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "scheduler": "ok",
        "scheduler_heartbeat_age_seconds": 42,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_calls_an_old_heartbeat_stale(app, client, time_machine):
    time_machine.move_to(T0, tick=False)
    scheduler.run_job(app, "core.heartbeat")
    time_machine.move_to(T0 + timedelta(minutes=app.config["SCHEDULER_STALE_MINUTES"], seconds=1), tick=False)
    body = client.get("/healthz").json
    assert (body["status"], body["scheduler"], body["database"]) == ("degraded", "stale", "ok")
    assert body["scheduler_heartbeat_age_seconds"] == app.config["SCHEDULER_STALE_MINUTES"] * 60 + 1
