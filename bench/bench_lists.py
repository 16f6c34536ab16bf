"""Benchmark: list pages of a municipality with many employers stay fast.

    .venv/bin/python bench/bench_lists.py [--employers 2000] [--runs 30]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL, e.g. PostgreSQL), fills one municipality
with N employers and 2 workplaces each, logs in as its municipal contact and times the list pages.
Target: p95 below 250 ms per page on the reference machine (2 cores). Prints one JSON line per page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Base, Employer, Municipality, User, Workplace  # noqa: E402

PAGES = ["/werkgevers", "/werkgevers?q=bakkerij", "/werkgevers?page=20", "/werkgevers/aanmeldingen"]
TARGET_P95_MS = 250


def fill(employers: int) -> str:
    municipality = Municipality(name="Benchmarkstad", slug="bench")
    db.session.add(municipality)
    db.session.flush()
    user = User(
        email="bench@demo.werkbrug.nl",
        full_name="Bench Contact",
        role="municipal",
        municipality_id=municipality.id,
        password_hash=hash_password("bench-password-long"),
    )
    db.session.add(user)
    db.session.flush()
    for n in range(employers):
        employer = Employer(
            municipality_id=municipality.id,
            name=f"Bakkerij Bench {n}",
            kvk_number=f"{n:08d}",
            sector="horeca",
            size_class="1-9",
            street="Benchweg",
            house_number=str(n),
            postcode="5611 AB",
            city="Eindhoven",
            phone="040 123 45 67",
            status="pending" if n % 10 == 0 else "approved",
            contact_id=user.id,
        )
        db.session.add(employer)
        db.session.flush()
        for w in range(2):
            db.session.add(
                Workplace(
                    employer_id=employer.id,
                    name=f"Plek {w}",
                    street="Benchweg",
                    house_number=str(n),
                    postcode="5611 AB",
                    city="Eindhoven",
                    work_description="Bakken",
                    languages="Nederlands",
                    buddy_name="Bea",
                    capacity=2,
                )
            )
    db.session.commit()
    return user.email


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--employers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app("testing", DATABASE_URL=url, WTF_CSRF_ENABLED=False)
    worst = 0.0
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        email = fill(args.employers)
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench-password-long"})
    for page in PAGES:
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(page)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (page, response.status_code)
        p95 = statistics.quantiles(timings, n=20)[18]
        worst = max(worst, p95)
        print(
            json.dumps(
                {
                    "page": page,
                    "employers": args.employers,
                    "median_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(p95, 1),
                    "target_p95_ms": TARGET_P95_MS,
                }
            )
        )
    return 0 if worst <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
