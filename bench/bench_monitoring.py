"""Benchmark: the monitoring dashboard and the export of a large municipality stay fast.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_monitoring \\
        .venv/bin/python bench/bench_monitoring.py [--candidates 5500] [--runs 30] [--out FILE]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL, e.g. PostgreSQL: its tables are dropped
and created again) and fills one municipality, with bulk inserts, with N invented candidates and a year
and a bit of history: stage changes through the journey, proposals, placements (some interrupted, some
with a contract and an aftercare outcome), exits (to work and otherwise), retention follow-ups at 6 and 12
months and alerts. It logs in as a municipal contact and times, through the Flask test client, the
dashboard (the default period and one cohort), a list behind a figure and the exports (XLSX and CSV of
the monitoring list of every candidate, with names; XLSX of the placements). Reports p50/p95 of the server
time, the median CPU time of the web process and the number of SQL statements per request, prints one JSON
line per case and writes them all to --out (default instance/bench_monitoring.json). Targets: dashboard
p95 below 300 ms; the XLSX export of 5,000 candidates below 5 s. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.core.time import today_local  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    Alert,
    Base,
    Candidate,
    Employer,
    Exit,
    Municipality,
    Placement,
    PlacementRequest,
    PlacementType,
    Proposal,
    RetentionFollowUp,
    StageChange,
    User,
    Workplace,
)
from portal.requests.defaults import ensure_default_types  # noqa: E402

TARGET_DASHBOARD_P95_MS = 300
TARGET_XLSX_S = 5.0
PASSWORD = "bench-password-long"  # noqa: S105 - an invented account in a throw-away database
SPECIALISTS = 6
REQUESTS = 300
LEVELS = ("geen", "A1", "A2", "A2", "B1", "B2")
JOURNEY = (
    ("intake_rechtmatigheid", 5, 30),
    ("intake_doelmatigheid", 3, 20),
    ("klantbeeld", 5, 25),
    ("trajectbepaling", 3, 30),
    ("voortraject", 5, 20),
    ("vervolgtraject", 60, 90),
)
EXIT_KINDS = {
    "work_fulltime": 30,
    "work_parttime": 15,
    "leerwerk": 8,
    "education": 12,
    "moved": 10,
    "other": 25,
}
DROPOUT = ("absence", "conflict", "language", "health", "motivation", "employer_ended")
REASONS = ("Vaste baan gevonden", "Start opleiding", "Verhuisd", "Andere reden", None)


def fill(candidates: int) -> str:
    """One municipality with specialists, an employer, requests and ``candidates`` candidates with history."""
    rng = random.Random(20261203)
    today = today_local()
    municipality = Municipality(name="Benchmarkstad", slug="bench")
    db.session.add(municipality)
    db.session.flush()
    ensure_default_types(municipality.id)
    staff = [
        _user(municipality, f"specialist{n}@demo.werkbrug.nl", f"Specialist {n}", "municipal")
        for n in range(SPECIALISTS)
    ]
    employer = Employer(
        municipality_id=municipality.id,
        name="Magazijn Bench B.V.",
        kvk_number="99999999",
        sector="logistiek",
        size_class="50-249",
        street="Benchweg",
        house_number="1",
        postcode="5611 AB",
        city="Eindhoven",
        phone="040 123 45 67",
        status="approved",
        contact_id=staff[0].id,
    )
    db.session.add(employer)
    db.session.flush()
    creator = _user(
        municipality, "werkgever.bench@demo.werkbrug.nl", "Bench Werkgever", "employer", employer.id
    )
    workplace = Workplace(
        employer_id=employer.id,
        name="Magazijn",
        street="Benchweg",
        house_number="1",
        postcode="5611 AB",
        city="Eindhoven",
        work_description="Orderpicken",
        languages="Nederlands",
        buddy_name="Bea",
        capacity=4,
    )
    db.session.add(workplace)
    db.session.flush()
    requests = _requests(rng, municipality, employer, workplace, creator, today)
    ids, plans, stage_rows = _candidates(rng, municipality, staff, candidates, today)
    placements = _placements(rng, municipality, employer, workplace, staff, requests, ids, plans, today)
    _exits_and_alerts(rng, municipality, staff, placements, stage_rows, today)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after a load like this
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return staff[0].email


def _requests(rng, municipality, employer, workplace, creator, today) -> list:
    types = list(
        db.session.scalars(sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id))
    )
    request_rows = []
    for n in range(REQUESTS):
        kind = types[n % len(types)]
        submitted = datetime.combine(
            today - timedelta(days=rng.randint(5, 420)), datetime.min.time(), tzinfo=UTC
        )
        request_rows.append(
            {
                "municipality_id": municipality.id,
                "employer_id": employer.id,
                "workplace_id": workplace.id,
                "placement_type_id": kind.id,
                "created_by_id": creator.id,
                "role_title": f"Medewerker {n}",
                "tasks": "Orderpicken",
                "positions": 3,
                "hours_per_week": 16,
                "days_per_week": 2,
                "dutch_level": "A2",
                "desired_start": submitted.date() + timedelta(days=21),
                "duration_weeks": max(kind.min_weeks, 13),
                "learning_goals": "Werkinstructies begrijpen",
                "supervisor_name": "Bea",
                "status": "in_progress",
                "submitted_at": submitted,
                "created_at": submitted,
                "updated_at": submitted,
            }
        )
    db.session.execute(sa.insert(PlacementRequest), request_rows)
    requests = list(
        db.session.execute(
            sa.select(PlacementRequest.id, PlacementRequest.submitted_at, PlacementRequest.placement_type_id)
            .where(PlacementRequest.municipality_id == municipality.id)
            .order_by(PlacementRequest.id)
        )
    )
    return requests


def _candidates(rng, municipality, staff, candidates: int, today) -> tuple[list, list, list]:
    """Candidates registered over the last 14 months, each some way along the journey."""
    candidate_rows, plans = [], []
    for n in range(candidates):
        registered = today - timedelta(days=rng.randint(0, 430))
        dates, day = {"aanmelding": registered}, registered
        for code, low, high in JOURNEY:
            day = day + timedelta(days=rng.randint(low, high))
            if day > today or rng.random() < 0.08:
                break
            dates[code] = day
        plans.append(dates)
        last = max(dates, key=dates.get)
        candidate_rows.append(
            {
                "municipality_id": municipality.id,
                "pseudonym": f"K-BENCH-{n:05d}",
                "first_name": f"Bench{n}",
                "last_name": "Voorbeeld",
                "email": f"kandidaat{n}@bench.werkbrug.nl",
                "phone": "06 12345678",
                "home_town": "Eindhoven",
                "education_level": "mbo",
                "dutch_level": rng.choice(LEVELS),
                "english_level": "A2",
                "learning_route": rng.choice(("b1", "onderwijs", "z", None)),
                "work_readiness": "direct",
                "status": "active",
                "specialist_id": staff[n % SPECIALISTS].id if rng.random() < 0.95 else None,
                "stage": last,
                "stage_since": dates[last],
                "work_experience": [],
                "version": 1,
            }
        )
    db.session.execute(sa.insert(Candidate), candidate_rows)
    ids = list(
        db.session.scalars(
            sa.select(Candidate.id).where(Candidate.municipality_id == municipality.id).order_by(Candidate.id)
        )
    )
    stage_rows = []
    for candidate_id, dates in zip(ids, plans, strict=True):
        for code, day in dates.items():
            stage_rows.append(
                {
                    "municipality_id": municipality.id,
                    "candidate_id": candidate_id,
                    "stage": code,
                    "entered_on": day,
                    "source": "coa_tvs" if code == "aanmelding" else None,
                    "route": rng.choice(("werk", "leerwerk", "opleiding"))
                    if code == "trajectbepaling"
                    else None,
                    "provider": "Taalschool Bench" if code == "voortraject" else None,
                    "note": "Gesprek gevoerd" if rng.random() < 0.3 else None,
                    "recorded_by_id": staff[0].id,
                }
            )
    return ids, plans, stage_rows


def _placements(rng, municipality, employer, workplace, staff, requests, ids, plans, today) -> list:
    """Candidates in the vervolgtraject get a proposal; most of those a placement."""
    ready = [(cid, dates) for cid, dates in zip(ids, plans, strict=True) if "vervolgtraject" in dates]
    proposal_rows, chosen = [], []
    for cid, dates in ready:
        request = rng.choice(requests)
        at = datetime.combine(
            dates["vervolgtraject"] + timedelta(days=rng.randint(3, 40)), datetime.min.time(), UTC
        )
        if at.date() > today:
            continue
        chosen.append((cid, dates, request, at))
        proposal_rows.append(
            {
                "request_id": request.id,
                "candidate_id": cid,
                "proposed_by_id": staff[0].id,
                "status": "accepted",
                "created_at": at,
                "updated_at": at,
            }
        )
    db.session.execute(sa.insert(Proposal), proposal_rows)
    proposals = dict(
        db.session.execute(
            sa.select(Proposal.candidate_id, Proposal.id).where(Proposal.status == "accepted")
        ).all()
    )
    placement_rows = []
    for cid, _dates, request, at in chosen:
        if rng.random() < 0.2:
            continue
        start = at.date() + timedelta(days=rng.randint(7, 30))
        started = start <= today
        status = "planned"
        if started:
            status = rng.choices(("onboarding", "nazorg", "closed", "interrupted"), (30, 25, 25, 20))[0]
        placement_rows.append(
            {
                "municipality_id": municipality.id,
                "request_id": request.id,
                "proposal_id": proposals[cid],
                "candidate_id": cid,
                "employer_id": employer.id,
                "workplace_id": workplace.id,
                "placement_type_id": request.placement_type_id,
                "contact_id": staff[0].id,
                "start_date": start,
                "planned_end_date": start + timedelta(weeks=13),
                "actual_start_date": start if started else None,
                "status": status,
                "end_reason": rng.choice(DROPOUT) if status == "interrupted" else None,
                "ended_on": start + timedelta(days=30) if status == "interrupted" else None,
                "outcome": "employed" if status == "closed" else None,
            }
        )
    db.session.execute(sa.insert(Placement), placement_rows)
    placements = list(
        db.session.execute(
            sa.select(Placement.id, Placement.candidate_id, Placement.status, Placement.start_date).where(
                Placement.municipality_id == municipality.id
            )
        )
    )
    return placements


def _exits_and_alerts(rng, municipality, staff, placements, stage_rows, today) -> None:
    """Exits after most placements with a contract, follow-ups after exits to work, alerts on placements."""
    exit_rows = []
    for placement in placements:
        if placement.status in ("nazorg", "closed") and rng.random() < 0.8:
            exit_on = min(placement.start_date + timedelta(days=100), today)
            kind = rng.choices(list(EXIT_KINDS), list(EXIT_KINDS.values()))[0]
            exit_rows.append(
                {
                    "municipality_id": municipality.id,
                    "candidate_id": placement.candidate_id,
                    "status": "confirmed",
                    "exit_on": exit_on,
                    "kind": kind,
                    "reason": rng.choice(REASONS),
                    "recorded_by_id": staff[0].id,
                }
            )
            stage_rows.append(
                {
                    "municipality_id": municipality.id,
                    "candidate_id": placement.candidate_id,
                    "stage": "uitstroom",
                    "entered_on": exit_on,
                    "recorded_by_id": staff[0].id,
                }
            )
    db.session.execute(sa.insert(StageChange), stage_rows)
    db.session.execute(sa.insert(Exit), exit_rows)
    db.session.execute(
        sa.update(Candidate)
        .where(Candidate.id.in_(sa.select(Exit.candidate_id)))
        .values(
            stage="uitstroom",
            stage_since=sa.select(sa.func.max(Exit.exit_on))
            .where(Exit.candidate_id == Candidate.id)
            .scalar_subquery(),
        )
    )
    exits = list(db.session.execute(sa.select(Exit.id, Exit.candidate_id, Exit.exit_on, Exit.kind)))
    followups = []
    for exit_ in exits:
        if exit_.kind not in ("work_fulltime", "work_parttime", "leerwerk"):
            continue
        for months in (6, 12):
            due = exit_.exit_on + timedelta(days=30 * months)
            answered = due <= today and rng.random() < 0.8
            followups.append(
                {
                    "municipality_id": municipality.id,
                    "candidate_id": exit_.candidate_id,
                    "exit_id": exit_.id,
                    "months": months,
                    "due_on": due,
                    "answered_at": datetime.combine(due, datetime.min.time(), UTC) if answered else None,
                    "answered_via": "specialist" if answered else None,
                    "still_employed": (rng.random() < 0.75) if answered else None,
                }
            )
    db.session.execute(sa.insert(RetentionFollowUp), followups)
    alert_rows = []
    for placement in placements:
        if placement.status == "planned" or rng.random() < 0.6:
            continue
        opened = datetime.combine(placement.start_date + timedelta(days=14), datetime.min.time(), UTC)
        picked = opened + timedelta(hours=rng.randint(1, 96))
        resolved = picked + timedelta(hours=rng.randint(1, 200)) if rng.random() < 0.7 else None
        alert_rows.append(
            {
                "municipality_id": municipality.id,
                "placement_id": placement.id,
                "rule": "concern",
                "evidence_key": f"bench:{placement.id}",
                "severity": "high",
                "status": "resolved" if resolved else "acknowledged",
                "reason": "De werkgever maakt zich zorgen.",
                "opened_at": opened,
                "acknowledged_at": picked,
                "resolved_at": resolved,
            }
        )
    db.session.execute(sa.insert(Alert), alert_rows)


def _user(municipality, email: str, name: str, role: str, employer_id: int | None = None) -> User:
    user = User(
        email=email,
        full_name=name,
        role=role,
        municipality_id=municipality.id,
        employer_id=employer_id,
        password_hash=hash_password(PASSWORD),
    )
    db.session.add(user)
    db.session.flush()
    return user


class Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1


def csrf_token(response) -> str:
    return re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True)
    ).group(1)


def measure(client, counter, runs: int, call) -> dict:
    call()  # warm up
    timings, cpu, statements, size = [], [], [], 0
    for _ in range(runs):
        before = counter.count
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        statements.append(counter.count - before)
        assert response.status_code == 200, response.status_code
        size = len(response.data)
    p95 = statistics.quantiles(timings, n=20)[18] if len(timings) > 1 else timings[0]
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(max(timings), 1),
        # The web process's own CPU time (the database's is not in it): less sensitive to a busy machine.
        "p50_cpu_ms": round(statistics.median(cpu), 1),
        "statements": max(statements),
        "bytes": size,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=5500)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "instance" / "bench_monitoring.json")
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app("testing", DATABASE_URL=url)
    started = time.perf_counter()
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        email = fill(args.candidates)
        engine = db.engine
        counts = {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Candidate, StageChange, Proposal, Placement, Exit, RetentionFollowUp, Alert)
        }
    print(json.dumps({"filled": counts, "seconds": round(time.perf_counter() - started, 1)}), flush=True)
    counter = Counter()
    sa.event.listen(engine, "before_cursor_execute", counter)
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client.get("/monitoring"))
    today = today_local()
    cohort = f"{today.year:04d}-{today.month:02d}"
    # Every candidate (registered over the last 14 months), so the export has all of them.
    period = {"van": (today - timedelta(days=440)).isoformat(), "tot": today.isoformat()}

    def export(kind: str, fmt: str):
        data = {"lijst": kind, "formaat": fmt, "namen": "met", "csrf_token": token, **period}
        return lambda: client.post("/monitoring/export", data=data)

    cases = {
        "GET dashboard": (lambda: client.get("/monitoring"), args.runs, TARGET_DASHBOARD_P95_MS),
        "GET dashboard one cohort": (
            lambda: client.get(f"/monitoring?cohort={cohort}"),
            args.runs,
            TARGET_DASHBOARD_P95_MS,
        ),
        "GET list behind a figure": (
            lambda: client.get("/monitoring/kandidaten?overgang=aanmelding_intake&page=3"),
            args.runs,
            None,
        ),
        "POST export monitoring list xlsx": (
            export("kandidaten", "xlsx"),
            args.export_runs,
            TARGET_XLSX_S * 1000,
        ),
        "POST export monitoring list csv": (export("kandidaten", "csv"), args.export_runs, None),
        "POST export placements xlsx": (export("plaatsingen", "xlsx"), args.export_runs, None),
    }
    results = []
    for case, (call, runs, target) in cases.items():
        result = {"case": case, "candidates": args.candidates, **measure(client, counter, runs, call)}
        if target is not None:
            result["target_p95_ms"] = target
        results.append(result)
        print(json.dumps(result), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "database": "postgresql" if url.startswith("postgres") else "sqlite",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "filled": counts,
                "load_average_after": [round(load, 2) for load in os.getloadavg()],
                "results": results,
            },
            indent=2,
        )
    )
    print(f"written to {out}")
    return 0 if all(r["p95_ms"] <= r.get("target_p95_ms", float("inf")) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
