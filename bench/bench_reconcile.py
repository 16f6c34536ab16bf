"""Benchmark: the aftercare reconcile stays quick, in short transactions, on many placements.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_reconcile \\
        .venv/bin/python bench/bench_reconcile.py [--placements 2000] [--municipalities 4] [--out FILE]

Builds a throw-away SQLite database (or uses BENCH_DATABASE_URL, e.g. PostgreSQL: its tables are dropped
and created again) and fills a few municipalities, with bulk inserts, with N invented placements: most in
onboarding for 6 to 30 weeks with a weekly log in most weeks (now and then a concern, a low score or many
hours absent) and a few visits, a third in nazorg after a contract, some close to their planned end. It
then times ``reconcile`` three times: the first run (everything to open and plan), a steady-state run
five minutes later (nothing new) and "escalation day" a week later at 09:00 (every alert still open goes
to the admins). Per run it reports the wall time, the SQL statements (an executemany counts once), the
longest transaction (the advisory lock is held at most that long) and the counts the job returns; one
JSON line per run, all written to --out (default instance/bench_reconcile.json). Targets on the national
data set: steady state <= 10 s, first run <= 120 s with no transaction longer than a few seconds, one
escalation e-mail per admin per day. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from portal import create_app  # noqa: E402
from portal.alerts.reconcile import reconcile  # noqa: E402
from portal.core.time import LOCAL_TZ  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import (  # noqa: E402
    Base,
    Candidate,
    OutboxEmail,
    Placement,
    Proposal,
    Visit,
    WeeklyLog,
)
from tests import factories  # noqa: E402

TARGET_STEADY_S = 10.0
TARGET_FIRST_S = 120.0
#: A Wednesday at 10:00 in Amsterdam: the first run.
NOW = datetime(2026, 6, 17, 10, 0, tzinfo=LOCAL_TZ).astimezone(UTC)
BATCH = 2000


def _row(obj) -> dict:
    """The column values of a flushed ORM object (to clone it with bulk inserts)."""
    table = type(obj).__table__
    return {column.key: getattr(obj, column.key) for column in table.columns if column.key != "id"}


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in batches; their new ids in order."""
    table = model.__table__
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        result = db.session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows[start : start + BATCH]
        )
        ids.extend(result.scalars())
    return ids


def fill(placements: int, municipalities: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    today = NOW.astimezone(LOCAL_TZ).date()
    monday = today - timedelta(days=today.weekday())
    tenants = [factories.make_tenant(f"Benchgemeente {n}") for n in range(municipalities)]
    templates = []
    for tenant in tenants:
        request = factories.make_request(tenant.workplace, created_by=tenant.employer_user)
        placement = factories.make_placement(tenant, request=request)
        candidate = db.session.get(Candidate, placement.candidate_id)
        proposal = db.session.get(Proposal, placement.proposal_id)
        visit = factories.make_visit(placement, tenant.jobcoach)
        templates.append((tenant, _row(candidate), _row(proposal), _row(placement), _row(visit)))
    db.session.flush()

    kinds = []
    candidate_rows = []
    for n in range(placements):
        tenant, candidate, *_ = templates[n % municipalities]
        candidate_rows.append(
            {**candidate, "pseudonym": f"K-BENCH-{n:06d}", "email": f"k{n}@bench.werkbrug.nl"}
        )
    candidate_ids = _insert(Candidate, candidate_rows)
    proposal_rows = [
        {**templates[n % municipalities][2], "candidate_id": candidate_ids[n]} for n in range(placements)
    ]
    proposal_ids = _insert(Proposal, proposal_rows)
    placement_rows = []
    for n in range(placements):
        tenant, _, _, placement, _ = templates[n % municipalities]
        weeks = rng.randint(6, 30)
        start = monday - timedelta(weeks=weeks)
        kind = "nazorg" if n % 3 == 0 else "ending" if n % 10 == 1 else "onboarding"
        values = {
            **placement,
            "candidate_id": candidate_ids[n],
            "proposal_id": proposal_ids[n],
            "status": "onboarding",
            "start_date": start,
            "actual_start_date": start,
            "planned_end_date": monday + timedelta(weeks=rng.randint(3, 20)),
            "jobcoach_id": tenant.jobcoach.id,
        }
        if kind == "ending":
            values["planned_end_date"] = today + timedelta(days=rng.randint(-3, 6))
        if kind == "nazorg":
            values.update(
                status="nazorg",
                planned_end_date=monday - timedelta(weeks=weeks // 2, days=1),
                contract_type="fixed_term",
                contract_hours=24,
                contract_start_date=monday - timedelta(weeks=weeks // 2),
            )
        placement_rows.append(values)
        kinds.append((kind, start, weeks))
    placement_ids = _insert(Placement, placement_rows)

    logs, visits = [], []
    for n, (kind, start, weeks) in enumerate(kinds):
        tenant, _, _, _, visit = templates[n % municipalities]
        logged = weeks if kind != "nazorg" else weeks // 2
        for week in range(logged):
            if rng.random() < 0.08:
                continue  # a week without a log
            present = rng.choice((3, 3, 3, 2, 1))
            logs.append(
                {
                    "placement_id": placement_ids[n],
                    "week_start": start + timedelta(weeks=week),
                    "days_planned": 3,
                    "days_present": present,
                    "hours_absent": rng.choice((0, 0, 0, 4, 12)),
                    "punctuality": rng.choice((4, 3, 3, 2, 1)),
                    "task_progress": 3,
                    "dutch_at_work": 2,
                    "teamwork": 3,
                    "motivation": 3,
                    "notes": {},
                    "has_concern": rng.random() < 0.02,
                    "submitted_by_id": tenant.employer_user.id,
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
        for _ in range(rng.randint(0, 3)):
            visits.append(
                {
                    **visit,
                    "placement_id": placement_ids[n],
                    "visit_date": today - timedelta(days=rng.randint(1, 60)),
                    "risk": rng.choice(("low", "low", "medium", "high")),
                }
            )
    _insert(WeeklyLog, logs)
    _insert(Visit, visits)
    # Old outbox traffic, as in a portal that ran for a while (the reconcile must not scan it).
    _insert(
        OutboxEmail,
        [
            {
                "dedupe_key": f"bench:old:{n}",
                "municipality_id": templates[n % municipalities][0].municipality.id,
                "to_address": "oud@bench.werkbrug.nl",
                "subject": "Oud bericht",
                "body_text": "Verzonden.",
                "status": "sent",
                "attempts": 1,
                "next_attempt_at": NOW - timedelta(days=30),
                "created_at": NOW - timedelta(days=30),
                "sent_at": NOW - timedelta(days=30),
                "contains_secret": False,
            }
            for n in range(placements * 8)
        ],
    )
    db.session.commit()
    print(
        json.dumps({"filled": {"placements": placements, "weekly_logs": len(logs), "visits": len(visits)}}),
        flush=True,
    )


class Meter:
    """Counts statements and measures the longest transaction on the app's engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.statements = 0
        self.kinds: Counter[str] = Counter()
        self.longest = 0.0
        self.transactions = 0
        self._began: float | None = None
        sa.event.listen(engine, "before_cursor_execute", self._statement)
        sa.event.listen(engine, "begin", self._begin)
        sa.event.listen(engine, "commit", self._end)
        sa.event.listen(engine, "rollback", self._end)

    def reset(self) -> None:
        self.statements, self.longest, self.transactions = 0, 0.0, 0
        self.kinds.clear()

    def _statement(self, conn, cursor, statement, *args) -> None:
        self.statements += 1
        self.kinds[" ".join(statement.split()[:4])[:60]] += 1

    def _begin(self, conn) -> None:
        self._began = time.perf_counter()

    def _end(self, conn) -> None:
        if self._began is not None:
            self.longest = max(self.longest, time.perf_counter() - self._began)
            self.transactions += 1
            self._began = None


def run(meter: Meter, name: str, now: datetime) -> dict:
    meter.reset()
    started = time.perf_counter()
    counts = reconcile(now)
    seconds = time.perf_counter() - started
    result = {
        "run": name,
        "seconds": round(seconds, 2),
        "statements": meter.statements,
        "transactions": meter.transactions,
        "longest_transaction_s": round(meter.longest, 2),
        "most_frequent_statements": meter.kinds.most_common(3),
        "counts": counts,
    }
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--placements", type=int, default=2000)
    parser.add_argument("--municipalities", type=int, default=4)
    parser.add_argument("--out", default="instance/bench_reconcile.json")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not url:
        scratch = tempfile.mkdtemp(prefix="bench-reconcile-")
        url = f"sqlite:///{scratch}/bench.db"
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        fill(args.placements, args.municipalities)
        meter = Meter(db.engine)
        results = [
            run(meter, "first", NOW),
            run(meter, "steady", NOW + timedelta(minutes=5)),
            run(meter, "escalation_day", NOW + timedelta(days=7, hours=-1)),  # Wednesday 09:00
        ]
        escalations = db.session.scalar(  # the digests, and the per-alert e-mails of older versions
            sa.select(sa.func.count()).where(
                sa.or_(
                    OutboxEmail.dedupe_key.like("alerts-escalated:%"),
                    OutboxEmail.dedupe_key.like("alert-escalated:%"),
                )
            )
        )
        summary = {
            "database": db.engine.dialect.name,
            "placements": args.placements,
            "escalation_emails": escalations,
            "targets": {"steady_s": TARGET_STEADY_S, "first_s": TARGET_FIRST_S},
            "runs": results,
        }
        db.session.remove()
        db.engine.dispose()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2, default=str) + "\n")
    print(json.dumps({"escalation_emails": escalations, "written": args.out}), flush=True)


if __name__ == "__main__":
    main()
