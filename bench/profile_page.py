"""Profile one page in-process on the national data set: where a request's time goes.

    BENCH_PASSWORD=... .venv/bin/python bench/profile_page.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_national employer / [--runs 50]

Logs in as the benchmark's account of that role (from ``results/<database>.json``, like ``bench/run.py``)
through the real forms, requests the path ``--runs`` times and prints cProfile's top functions by
cumulative and by own time, and the mean time per request. Not part of CI.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _csrf(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def _login(client, email: str, password: str) -> None:
    from national import BENCH_TOTP_SECRET

    from portal.auth import totp  # after the environment is set: the settings read it on import

    html = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(html)})
    if response.status_code != 302:
        raise SystemExit(f"login of {email} failed ({response.status_code})")
    if response.headers.get("Location", "").endswith("/inloggen/code"):
        for _attempt in range(2):  # a code is taken once: after an earlier run, wait for the next one
            html = client.get("/inloggen/code").get_data(as_text=True)
            code = totp.code_for(BENCH_TOTP_SECRET, totp.step_at(datetime.now(UTC)))
            response = client.post("/inloggen/code", data={"code": code, "csrf_token": _csrf(html)})
            if response.status_code == 302:
                return
            time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 1)
        raise SystemExit(f"the code step failed ({response.status_code})")


def _print_statements(app, client, path: str, explain: bool = False) -> None:
    from portal.extensions import db

    statements: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append(((time.perf_counter() - conn.info["started"]) * 1000, statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    client.get(path)
    sa.event.remove(engine, "after_cursor_execute", after)
    for ms, statement, parameters in statements:
        print(f"--- {ms:.2f} ms\n{statement}")
        if explain and statement.lstrip().upper().startswith("SELECT"):
            with engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars()
                print("\n".join(plan))
    print(f"{len(statements)} statements, {sum(ms for ms, _, _ in statements):.1f} ms in the database")


def _time(client, path: str, runs: int) -> None:
    """Wall and CPU time per request in this process (the test client: no network, no gunicorn)."""
    walls = []
    cpu_before = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path)
        walls.append((time.perf_counter() - started) * 1000)
    cpu = (time.process_time() - cpu_before) / runs * 1000
    walls.sort()
    p50, p95 = walls[len(walls) // 2], walls[int(len(walls) * 0.95)]
    print(f"{path}: p50 {p50:.2f} ms, p95 {p95:.2f} ms wall, {cpu:.2f} ms CPU per request ({runs} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("role", choices=("municipal", "jobcoach", "employer", "employer_typical", "admin"))
    parser.add_argument("path", help="e.g. / or /signalen; {timeline} and {request} are filled in")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="print the statements of one request and stop")
    parser.add_argument("--explain", action="store_true", help="with --sql: each SELECT's plan, analysed")
    parser.add_argument("--time", action="store_true", help="time the runs without the profiler and stop")
    args = parser.parse_args()

    # As bench/run.py serves it; before anything imports the settings.
    os.environ.update(
        DATABASE_URL=args.url, WERKBRUG_ENV="development", STATIC_COMPRESSED="1", LOG_FORMAT="json"
    )
    from national import BENCH_PASSWORD

    from portal import create_app

    info = json.loads((RESULTS / f"{sa.make_url(args.url).database}.json").read_text())
    app = create_app()
    app.logger.disabled = True
    path = args.path.format(timeline=info["timeline_placement_id"], request=info["request_id"])
    client = app.test_client()
    account = info["accounts"][args.role]
    _login(
        client,
        account if isinstance(account, str) else account[0],
        os.environ.get("BENCH_PASSWORD", BENCH_PASSWORD),
    )
    for _ in range(3):  # warm up: templates compiled, pool filled
        assert client.get(path).status_code == 200, path
    if args.sql:
        _print_statements(app, client, path, args.explain)
        return 0
    if args.time:
        _time(client, path, args.runs)
        return 0
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.runs):
        client.get(path)
    profiler.disable()
    elapsed = (time.perf_counter() - started) / args.runs * 1000
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"{path} as {args.role}: {elapsed:.1f} ms per request under the profiler ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
