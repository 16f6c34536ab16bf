"""Runner: serves the app with gunicorn against the benchmark database and measures pages, throughput and
the reconcile.

    BENCH_PASSWORD=... .venv/bin/python bench/run.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_national [--runs 40] [--workers 2]

Reads what ``bench/national.py`` wrote about the database (``results/<database>.json``: accounts, ids),
starts ``gunicorn -c gunicorn.conf.py app:app`` with ``TIMING_HEADERS=1`` (each response then carries its
server time and SQL statement count), logs in per role, requests each page ``--runs`` times and reports
per page p50/p95 of the server time, the gunicorn workers' CPU time per request (from /proc) and the
statement count (the home pages twice: viewed again, from the page cache, and rendered, at a new address
each time); the throughput of the employer home against a hello-world app served the same way
(``bench/hello.py``), each the median of three runs; and the reconcile
(``portal.alerts.reconcile.reconcile``): its first run (when the database has no alerts yet) and a
steady-state run, the rules evaluated in Python over every placement and a set-based SQL evaluation of the
same rules (``bench/rules_sql.py``), which must find the same.
Writes ``results/<date>-<scale>.json`` and ``.md``. Not part of CI.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

from portal.auth import totp  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

#: p95 targets of the server time in ms (None: measured, no target).
TARGETS = {
    "municipal home": 50,
    "municipal home, rendered": 50,
    "jobcoach home": 50,
    "jobcoach home, rendered": 50,
    "employer home": 50,
    "employer home, rendered": 50,
    "placement timeline": 50,
    "matching page 1": 200,
    "propose POST": 200,
    "alerts inbox": 50,
    "admin home": None,
}


# --- HTTP --------------------------------------------------------------------------------------------------


class Client:
    """A keep-alive HTTP client with a cookie jar of one site (enough for our session cookie)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, ConnectionError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response, data.decode("utf-8", "replace")

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)


def csrf_token(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


def login(client: Client, email: str, password: str) -> str:
    """Log in through the form, with the code from the account's app when asked; returns a CSRF token."""
    _, html = client.get("/login")
    response, _ = client.post(
        "/login", {"email": email, "password": password, "csrf_token": csrf_token(html)}
    )
    if response.status != 302:
        raise SystemExit(f"login of {email} failed ({response.status})")
    if response.getheader("Location", "").endswith("/inloggen/code"):
        give_code(client)
    _, html = client.get("/")
    return csrf_token(html)


def give_code(client: Client) -> None:
    """The login's second step with the bench secret; a code is taken once, so wait a step if it was."""
    from national import BENCH_TOTP_SECRET

    for _attempt in range(2):
        _, html = client.get("/inloggen/code")
        code = totp.code_for(BENCH_TOTP_SECRET, totp.step_at(datetime.now(UTC)))
        response, _ = client.post("/inloggen/code", {"code": code, "csrf_token": csrf_token(html)})
        if response.status == 302:
            return
        time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 1)
    raise SystemExit(f"the code step failed ({response.status})")


# --- gunicorn ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``gunicorn -c gunicorn.conf.py <app>`` as a subprocess, and the CPU time of its workers."""

    def __init__(self, app: str, env: dict[str, str], workers: int) -> None:
        self.port = free_port()
        environment = {
            **os.environ,
            **env,
            "WERKBRUG_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=open(RESULTS / "gunicorn.log", "a"),  # noqa: SIM115 - open while the server runs
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if len(self.workers()) >= workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start ({app}); see {RESULTS / 'gunicorn.log'}")

    def workers(self) -> list[int]:
        children = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return children

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / CLOCK_TICKS

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- Measuring ---------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 1) if len(values) > 1 else round(values[0], 1)


#: Requests per page before measuring: enough that every worker served it (its pool and statement caches
#: filled), as in steady production; the templates are compiled when a worker starts (gunicorn.conf.py).
WARM_UP = 6


def measure(server: Server, runs: int, call) -> dict:
    """Server time and statement count from each response's headers; worker CPU over all runs."""
    for n in range(WARM_UP):
        call(n)
    times, queries, status = [], [], set()
    cpu_before = server.cpu_seconds()
    for n in range(WARM_UP, WARM_UP + runs):
        response, _ = call(n)
        status.add(response.status)
        times.append(float(response.getheader("Server-Timing").split("dur=")[1]))
        queries.append(int(response.getheader("X-Query-Count")))
    cpu = (server.cpu_seconds() - cpu_before) / runs * 1000
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": p95(times),
        "cpu_ms_per_request": round(cpu, 1),
        "queries": max(queries),
        "status": sorted(status),
    }


def logged_in(server: Server, email: str, args) -> list[Client]:
    """One client per concurrent user (two per worker), all with one login of ``email`` (a code is accepted
    once, so they share the session cookie)."""
    from national import BENCH_PASSWORD

    clients = [Client(server.port) for _ in range(2 * args.workers)]
    login(clients[0], email, BENCH_PASSWORD)
    for client in clients[1:]:
        client.cookies = dict(clients[0].cookies)
    return clients


#: Each throughput figure is the median of this many runs: one machine gave the hello world anything from
#: 1,600 to 2,600 requests a second from one run to the next.
ROUNDS = 3
_addresses = itertools.count()


def throughput(port: int, path: str, clients: list[Client], seconds: float, rendered: bool = False) -> float:
    """Requests per second with one thread per (logged-in) client, for ``seconds``, the median of ROUNDS
    runs; ``rendered``: a new address each time, so that no page comes from the page cache."""
    return statistics.median(_throughput(path, clients, seconds, rendered) for _ in range(ROUNDS))


def _throughput(path: str, clients: list[Client], seconds: float, rendered: bool) -> float:
    done = [0] * len(clients)
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        while time.monotonic() < stop:
            address = f"{path}?n={next(_addresses)}" if rendered else path
            response, _ = clients[index].get(address)
            assert response.status == 200, response.status
            done[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return round(sum(done) / (time.monotonic() - started), 1)


def pages(
    server: Server, info: dict, password: str, runs: int, proposable: list[int], only: str | None = None
) -> list[dict]:
    sessions = {}
    for role, email in info["accounts"].items():
        client = Client(server.port)
        sessions[role] = (client, login(client, email, password))
    municipal, token = sessions["municipal"]
    request_path = f"/aanvragen/{info['request_id']}"
    # A home page viewed again while nothing on it changed comes from the worker's page cache
    # (portal/core/pagecache.py); a new address each time (``/?n=...``) makes every view a rendering.
    cases = {
        "municipal home": ("municipal", lambda n: municipal.get("/")),
        "municipal home, rendered": ("municipal", lambda n: municipal.get(f"/?n={n}")),
        "jobcoach home": ("jobcoach", lambda n: sessions["jobcoach"][0].get("/")),
        "jobcoach home, rendered": ("jobcoach", lambda n: sessions["jobcoach"][0].get(f"/?n={n}")),
        "employer home": ("employer", lambda n: sessions["employer"][0].get("/")),
        "employer home, rendered": ("employer", lambda n: sessions["employer"][0].get(f"/?n={n}")),
        "admin home": ("admin", lambda n: sessions["admin"][0].get("/")),
        "placement timeline": (
            "municipal",
            lambda n: municipal.get(f"/plaatsingen/{info['timeline_placement_id']}"),
        ),
        "matching page 1": ("municipal", lambda n: municipal.get(f"{request_path}/kandidaten")),
        "propose POST": (
            "municipal",
            lambda n: municipal.post(
                f"{request_path}/voorstellen",
                {
                    "candidate_ids": str(proposable[n]),
                    "confirm_warnings": "y",
                    "consent_given": "y",
                    "consent_method": "conversation",
                    "consent_text_version": "2026-1",
                    "csrf_token": token,
                },
            ),
        ),
        "alerts inbox": ("municipal", lambda n: municipal.get("/signalen")),
    }
    results = []
    for name, (role, call) in cases.items():
        if only and only not in name:
            continue
        result = {"case": name, "role": role, **measure(server, runs, call), "target_p95_ms": TARGETS[name]}
        results.append(result)
        print(json.dumps(result), flush=True)
    return results


# --- The reconcile -----------------------------------------------------------------------------------------


def reconcile_runs(url: str) -> dict:
    """Time the reconcile (first run when there are no alerts yet, then steady state), the rules in Python
    and in SQL, and compare what they find."""
    import rules_sql

    from portal import create_app
    from portal.alerts import reconcile as sweep
    from portal.alerts.models import Alert
    from portal.alerts.rules import evaluate
    from portal.core.time import LOCAL_TZ, now_utc
    from portal.extensions import db

    app = create_app("testing", DATABASE_URL=url)
    result: dict = {}
    with app.app_context():
        fresh = not db.session.scalar(sa.select(sa.func.count()).select_from(Alert))
        db.session.rollback()
        for label in ("first_run" if fresh else "run", "steady_state"):
            started, cpu = time.perf_counter(), time.process_time()
            counts = sweep.reconcile()
            result[f"{label}_s"] = round(time.perf_counter() - started, 2)
            result[f"{label}_cpu_s"] = round(time.process_time() - cpu, 2)
            result[f"{label}_counts"] = counts
            db.session.remove()
        # As autovacuum would soon after the first run's bulk inserts (else the planner guesses on empty
        # statistics for the new alerts and check-ins).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        today = now_utc().astimezone(LOCAL_TZ).date()
        started = time.perf_counter()
        python, after, size, evaluated = set(), 0, app.config["RECONCILE_CHUNK"], 0
        while chunk := db.session.connection().execute(sweep.evaluated_placements(after, size)).all():
            after, evaluated = chunk[-1].id, evaluated + len(chunk)
            for placement, snapshot in sweep.snapshots(chunk, today):
                python |= {(placement.id, f.rule, f.evidence_key) for f in evaluate(snapshot)}
        result["rules_python_s"] = round(time.perf_counter() - started, 2)
        db.session.rollback()
        with db.engine.connect() as connection:
            started = time.perf_counter()
            sql = rules_sql.findings(connection, today)
            result["rules_sql_s"] = round(time.perf_counter() - started, 2)
            connection.rollback()
        unresolved = set(
            db.session.execute(
                sa.select(Alert.placement_id, Alert.rule, Alert.evidence_key).where(
                    Alert.status != "resolved"
                )
            ).all()
        )
    result["evaluated_placements"] = evaluated
    result["findings_python"] = len(python)
    result["findings_sql"] = len(sql)
    result["same_findings"] = python == sql
    result["only_python"] = sorted(python - sql)[:10]
    result["only_sql"] = sorted(sql - python)[:10]
    result["open_alerts_found_by_sql"] = len(unresolved & sql)
    result["open_alerts"] = len(unresolved)
    by_rule: dict[str, int] = {}
    for _, rule, _ in sql:
        by_rule[rule] = by_rule.get(rule, 0) + 1
    result["findings_by_rule"] = dict(sorted(by_rule.items()))
    steady = result["steady_state_s"]
    result["steady_vs_sql"] = round(steady / result["rules_sql_s"], 1) if result["rules_sql_s"] else None
    print(json.dumps(result, default=str), flush=True)
    return result


def proposable_ids(url: str, request_id: int, how_many: int) -> list[int]:
    from portal import create_app
    from portal.extensions import db
    from portal.matching import queries
    from portal.models import Candidate, PlacementRequest

    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        placement_request = db.session.get(PlacementRequest, request_id)
        return list(
            db.session.scalars(queries.ranking_pool(placement_request).with_only_columns(Candidate.id))
        )[:how_many]


# --- Report ------------------------------------------------------------------------------------------------


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")
    return f"{os.cpu_count()} CPU ({model}), Python {platform.python_version()}"


def markdown(report: dict) -> str:
    lines = [
        f"# Benchmark {report['date']}, scale {report['scale']}",
        "",
        f"Machine: {report['machine']}. PostgreSQL {report['postgresql']}. gunicorn with "
        f"{report['workers']} workers, {report['runs']} requests per page. Rows: "
        + ", ".join(f"{k} {v:,}" for k, v in report["counts"].items())
        + ".",
        "",
        "| Page | p50 ms | p95 ms | target p95 | worker CPU ms/request | SQL statements |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in report["pages"]:
        target = r["target_p95_ms"]
        verdict = "" if target is None else (" (met)" if r["p95_ms"] <= target else " (**missed**)")
        lines.append(
            f"| {r['case']} | {r['p50_ms']} | {r['p95_ms']} | {target or '-'}{verdict} "
            f"| {r['cpu_ms_per_request']} | {r['queries']} |"
        )
    t = report["throughput"]
    lines += [
        "",
        f"Throughput with {t['clients']} clients, the median of {ROUNDS} runs of {t['seconds']} s: "
        f"hello world {t['hello_rps']} req/s, "
        f"employer home {t['employer_home_rps']} req/s = {t['employer_vs_hello_pct']} % (target >= 20 %)"
        + (
            f" for the largest employer ({t['employer_placements']} running placements)"
            if t.get("employer_placements")
            else ""
        )
        + (
            f"; a typical employer ({t['typical_employer_placements']} running) "
            f"{t['typical_employer_home_rps']} req/s = {t['typical_vs_hello_pct']} %."
            if t.get("typical_employer_home_rps")
            else "."
        )
        + (
            f" Rendered each time (a new address, no page cache): {t['rendered_employer_home_rps']} req/s "
            f"= {t['rendered_vs_hello_pct']} %."
            if t.get("rendered_employer_home_rps")
            else ""
        ),
        "",
    ]
    r = report["reconcile"]
    if not r:
        return "\n".join([*lines, "Reconcile: not run (--skip-reconcile).", ""])
    first = next((k for k in ("first_run_s", "run_s") if k in r), None)
    lines += [
        f"Reconcile over {r['evaluated_placements']:,} evaluated placements: "
        + (
            f"{'first run' if first == 'first_run_s' else 'a run (not the first)'} {r[first]} s, "
            if first
            else ""
        )
        + f"steady state {r['steady_state_s']} s "
        "(targets: first run <= 120 s, steady <= 10 s and <= 3x SQL). "
        f"Rules in Python {r['rules_python_s']} s, the same rules as set-based SQL {r['rules_sql_s']} s "
        f"(steady state = {r['steady_vs_sql']}x SQL). Findings: Python {r['findings_python']:,}, "
        f"SQL {r['findings_sql']:,}, identical: {'yes' if r['same_findings'] else 'NO'}; "
        f"open alerts {r['open_alerts']:,}, of which found by SQL {r['open_alerts_found_by_sql']:,}.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--skip-reconcile", action="store_true")
    parser.add_argument(
        "--only", help="measure only the pages whose case contains this text (e.g. 'municipal home') and stop"
    )
    args = parser.parse_args()
    if not args.url:
        parser.error("give the benchmark database's URL (or set BENCH_DATABASE_URL)")
    from national import BENCH_PASSWORD

    info = json.loads((RESULTS / f"{sa.make_url(args.url).database}.json").read_text())
    env = {
        "DATABASE_URL": args.url,
        "WERKBRUG_ENV": "development",
        "TIMING_HEADERS": "1",
        "STATIC_COMPRESSED": "1",
        "LOG_FORMAT": "json",
    }
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "scale": info["scale"],
        "machine": machine(),
        "workers": args.workers,
        "runs": args.runs,
        "counts": info["counts"],
    }
    engine = sa.create_engine(args.url)
    with engine.connect() as conn:
        report["postgresql"] = conn.scalar(sa.text("SHOW server_version"))
    engine.dispose()
    # The reconcile first: the pages (the alerts inbox above all) then show its alerts.
    if not args.skip_reconcile and not args.only:
        report["reconcile"] = reconcile_runs(args.url)
    proposable = proposable_ids(args.url, info["request_id"], args.runs + WARM_UP)
    RESULTS.mkdir(exist_ok=True)
    server = Server("app:app", env, args.workers)
    try:
        report["pages"] = pages(server, info, BENCH_PASSWORD, args.runs, proposable, args.only)
        if args.only:
            return 0
        employer_rps = throughput(
            server.port, "/", logged_in(server, info["accounts"]["employer"], args), args.seconds
        )
        typical = info["accounts"].get("employer_typical")
        typical_rps = (
            throughput(server.port, "/", logged_in(server, typical, args), args.seconds) if typical else None
        )
        rendered_rps = throughput(
            server.port,
            "/",
            logged_in(server, typical or info["accounts"]["employer"], args),
            args.seconds,
            True,
        )
    finally:
        server.stop()
    hello = Server("hello:app", {**env, "PYTHONPATH": str(ROOT / "bench")}, args.workers)
    try:
        hello_rps = throughput(
            hello.port, "/", [Client(hello.port) for _ in range(2 * args.workers)], args.seconds
        )
    finally:
        hello.stop()
    report["throughput"] = {
        "clients": 2 * args.workers,
        "seconds": args.seconds,
        "hello_rps": hello_rps,
        "employer_home_rps": employer_rps,
        "employer_vs_hello_pct": round(100 * employer_rps / hello_rps, 1),
        "employer_placements": info.get("employer_placements"),
        "typical_employer_home_rps": typical_rps,
        "typical_vs_hello_pct": round(100 * typical_rps / hello_rps, 1) if typical_rps else None,
        "typical_employer_placements": info.get("employer_typical_placements"),
        "rendered_employer_home_rps": rendered_rps,
        "rendered_vs_hello_pct": round(100 * rendered_rps / hello_rps, 1),
    }
    print(json.dumps(report["throughput"]), flush=True)
    if "reconcile" not in report:
        report["reconcile"] = {}
    stem = f"{report['date']}-{info['scale']}"
    runs_that_day = 1
    while (RESULTS / f"{stem}.json").exists():  # a second run that day keeps the first one's files
        runs_that_day += 1
        stem = f"{report['date']}-{info['scale']}-{runs_that_day}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(report))
    print(f"written to {RESULTS / stem}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
