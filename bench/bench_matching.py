"""Benchmark: the ranking page of a request and the propose POST in the largest city stay fast.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_matching \\
        .venv/bin/python bench/bench_matching.py [--candidates 5500] [--runs 40] [--out FILE]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL, e.g. PostgreSQL: its tables are dropped
and created again), fills one municipality with N invented candidates (placed, inactive, without consent,
care first and every work readiness mixed in, as in a large city), logs in as its municipal contact and
times, through the Flask test client, the ranking page of a taalstage and of a proefplaatsing request
(first page, "meer tonen", one exclusion reason listed) and the propose POST (one candidate, warnings
confirmed). Reports p50/p95 of the server time and the number of SQL statements per request, prints one
JSON line per case and writes them all to --out (default instance/bench_matching.json).
Target: p95 at most 200 ms for every case. Not part of CI.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    Base,
    Candidate,
    Consent,
    Employer,
    Municipality,
    PlacementRequest,
    PlacementType,
    Proposal,
    User,
    Workplace,
)
from portal.requests.defaults import ensure_default_types  # noqa: E402

TARGET_P95_MS = 200
PASSWORD = "bench-password-long"  # noqa: S105 - an invented account in a throw-away database
LEVELS = ("geen", "A1", "A1", "A2", "A2", "A2", "B1", "B1", "B2", "C1")
DAYS = (("ma,di,do", "wo,vr"), ("di,wo,vr", "ma,do"), ("ma,wo,do,vr", "di"), ("ma,di,wo,do,vr", ""))
PLANS = ("Orderpicker in een magazijn", "Hulp in de bakkerij", "Schoonmaker", "Helpende zorg", "Kok")
SECTORS = ("logistiek", "horeca", "zorg", "techniek", "groen", "schoonmaak")
TOWNS = ("Eindhoven",) * 7 + ("Veldhoven", "Best", "Helmond")


def _weighted(rng: random.Random, options: dict[str, int]) -> str:
    return rng.choices(list(options), weights=list(options.values()))[0]


def candidate_row(n: int, municipality_id: int, rng: random.Random) -> dict:
    """One invented candidate: roughly a third placed or inactive, every readiness, varied profiles."""
    available, classes = DAYS[n % len(DAYS)]
    return {
        "municipality_id": municipality_id,
        "pseudonym": f"K-BENCH-{n:05d}",
        "first_name": f"Bench{n}",
        "last_name": "Voorbeeld",
        "home_town": rng.choice(TOWNS),
        "education_level": rng.choice(("basis", "middelbaar", "mbo", "hbo")),
        "dutch_level": rng.choice(LEVELS),
        "english_level": rng.choice(LEVELS),
        "other_languages": rng.choice(("Arabisch", "Tigrinya", "Dari", "Koerdisch", "")),
        "certificates": rng.choice(("", "", "VCA", "heftruck", "HACCP", "VCA, heftruck")),
        "available_days": available,
        "class_days": classes,
        "hours_per_week": rng.choice((8, 12, 16, 20, 24, 32)),
        # ABC plans are free text: (nearly) every candidate's is different.
        "plan_a": f"{rng.choice(PLANS)}, plan {n}",
        "plan_b": f"{rng.choice(PLANS)}, stap {n}",
        "plan_c": f"{rng.choice(PLANS)}, nu {n}",
        "desired_sectors": ",".join(rng.sample(SECTORS, 2)),
        "work_readiness": _weighted(rng, {"direct": 50, "activering": 25, "onderwijs": 15, "nog_niet": 10}),
        "travel_range_km": rng.choice((5, 10, 15, 25)),
        "care_first": rng.random() < 0.04,
        "status": _weighted(rng, {"active": 60, "placed": 30, "inactive": 10}),
        "work_experience": [],
        "version": 1,
    }


def fill(candidates: int) -> dict:
    """One municipality with a contact, an employer, two open requests and ``candidates`` candidates."""
    rng = random.Random(20260310)
    municipality = Municipality(name="Benchmarkstad", slug="bench")
    db.session.add(municipality)
    db.session.flush()
    ensure_default_types(municipality.id)
    contact = _user(municipality, "bench@demo.werkbrug.nl", "Bench Contact", "municipal")
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
        contact_id=contact.id,
    )
    db.session.add(employer)
    db.session.flush()
    _user(municipality, "werkgever.bench@demo.werkbrug.nl", "Bench Werkgever", "employer", employer.id)
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
        reachable_by_public_transport=True,
    )
    db.session.add(workplace)
    db.session.flush()
    types = {
        t.code: t
        for t in db.session.scalars(
            sa.select(PlacementType).where(PlacementType.municipality_id == municipality.id)
        )
    }
    requests = {
        code: _request(types[code], employer, workplace, contact) for code in ("taalstage", "proefplaatsing")
    }
    rows = [candidate_row(n, municipality.id, rng) for n in range(candidates)]
    db.session.execute(sa.insert(Candidate), rows)
    ids = list(
        db.session.scalars(sa.select(Candidate.id).where(Candidate.municipality_id == municipality.id))
    )
    given = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    consents = [
        {
            "candidate_id": candidate_id,
            "kind": "share_profile",
            "employer_id": employer.id,
            "given_at": given,
            "method": "conversation",
            "text_version": "2026-1",
            "recorded_by_id": contact.id,
            "withdrawn_at": given + timedelta(days=20) if rng.random() < 0.03 else None,
        }
        for candidate_id in ids
        if rng.random() < 0.88
    ]
    db.session.execute(sa.insert(Consent), consents)
    for placement_request in requests.values():  # a few earlier proposals for each request
        db.session.add_all(
            Proposal(
                request_id=placement_request.id,
                candidate_id=candidate_id,
                proposed_by_id=contact.id,
                status=rng.choice(("proposed", "declined", "withdrawn")),
            )
            for candidate_id in rng.sample(ids, 40)
        )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum would after a load like this
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return {"email": contact.email, "requests": {code: r.id for code, r in requests.items()}}


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


def _request(kind, employer, workplace, contact) -> PlacementRequest:
    request = PlacementRequest(
        municipality_id=employer.municipality_id,
        employer_id=employer.id,
        workplace_id=workplace.id,
        placement_type_id=kind.id,
        created_by_id=contact.id,
        role_title="Medewerker magazijn",
        tasks="Orderpicken, inpakken en opruimen",
        positions=2,
        hours_per_week=16,
        days_per_week=2,
        dutch_level="A1",
        desired_start=date.today() + timedelta(days=21),
        duration_weeks=max(kind.min_weeks, 13),
        learning_goals="Werkinstructies in het Nederlands begrijpen",
        supervisor_name="Bea",
        status="submitted",
        submitted_at=datetime.now(UTC),
    )
    db.session.add(request)
    db.session.flush()
    return request


def csrf_token(response) -> str:
    """The CSRF token in a page's logout (or login) form, as a browser would send it."""
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', response.get_data(as_text=True)).group(0)
    return re.search(r'value="([^"]+)"', field).group(1)


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1


def proposable_ids(app, request_id: int, how_many: int) -> list[int]:
    """Candidates the propose POST can use, one per run (through the app's own pool query)."""
    from portal.matching import queries

    with app.app_context():
        placement_request = db.session.get(PlacementRequest, request_id)
        return list(
            db.session.scalars(queries.ranking_pool(placement_request).with_only_columns(Candidate.id))
        )[:how_many]


def first_ranked(response) -> str:
    """The id of the best candidate on a ranking page (what a contact would pick before "Toon meer")."""
    return re.search(r'name="candidate_ids" id="[^"]+" value="(\d+)"', response.get_data(as_text=True)).group(
        1
    )


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[18], 1)


def measure(client, counter: Counter, runs: int, call) -> dict:
    """Wall time (what the user waits for) and this process's CPU time (what the app itself costs)."""
    timings, cpu, queries = [], [], []
    for n in range(runs):
        counter.count = 0
        start, start_cpu = time.perf_counter(), time.process_time()
        response = call(n)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        queries.append(counter.count)
        assert response.status_code in (200, 302), response.status_code
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": _p95(timings),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": _p95(cpu),
        "queries": max(queries),
        "bytes": len(response.get_data()),
        "status": response.status_code,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=5500)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--out", default=str(Path(__file__).resolve().parent.parent / "instance" / "bench_matching.json")
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        setup = fill(args.candidates)
        engine = db.engine
    counter = Counter()
    sa.event.listen(engine, "before_cursor_execute", counter)
    client = app.test_client()
    token = csrf_token(client.get("/login"))
    client.post("/login", data={"email": setup["email"], "password": PASSWORD, "csrf_token": token})
    token = csrf_token(client.get("/"))
    results = []
    for code, request_id in setup["requests"].items():
        base = f"/aanvragen/{request_id}"
        pool = proposable_ids(app, request_id, args.runs)
        best = first_ranked(client.get(f"{base}/kandidaten"))  # also warms up
        cases = {
            "GET ranking": lambda n, b=base: client.get(f"{b}/kandidaten"),
            "GET ranking toon=100": lambda n, b=base: client.get(f"{b}/kandidaten?toon=100"),
            "GET excluded reason": lambda n, b=base: client.get(
                f"{b}/kandidaten?reden=consent_withdrawn&page=3"
            ),
            "POST meer tonen": lambda n, b=base, chosen=best: client.post(
                f"{b}/voorstellen",
                data={"candidate_ids": chosen, "toon": "25", "meer": "ja", "csrf_token": token},
            ),
            "POST propose": lambda n, b=base, p=pool: client.post(
                f"{b}/voorstellen",
                data={"candidate_ids": str(p[n]), "confirm_warnings": "y", "csrf_token": token},
            ),
        }
        for case, call in cases.items():
            result = {
                "request": code,
                "case": case,
                "candidates": args.candidates,
                **measure(client, counter, args.runs, call),
            }
            result["target_p95_ms"] = TARGET_P95_MS
            results.append(result)
            print(json.dumps(result), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    out.write_text(
        json.dumps(
            {
                "database": database,
                "python": platform.python_version(),
                "runs": args.runs,
                "cpus": os.cpu_count(),
                "load_average_after": [round(load, 2) for load in os.getloadavg()],
                "results": results,
            },
            indent=2,
        )
    )
    print(f"written to {out}")
    return 0 if max(r["p95_ms"] for r in results) <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
