"""Generator: the national data set for the benchmark, on PostgreSQL, through the migrations.

    .venv/bin/python bench/national.py postgresql+psycopg://postgres@127.0.0.1:5432/werkbrug_bench_national \\
        [--scale 1.0] [--seed 20261203]

Drops and creates the database named in the URL, runs the Alembic migrations to head, then loads invented
rows with COPY (seeded random, so the same scale and seed give the same data). At scale 1: 342
municipalities, 60,000 candidates, 20,000 employers, 40,000 placements, about 970,000 weekly logs,
300,000 visits, 110,000 check-ins, 230,000 outbox rows and 500,000 audit rows. Municipalities are skewed
like the Netherlands (Zipf-like: the largest has about 5,500 candidates). Everything is consistent:
placements belong to requests of employers in the same municipality and to an accepted proposal, one
weekly log per placement per week, check-ins unique per placement and number, and the audit rows carry a
correct hash chain (``portal.core.audit_chain``), so ``flask audit verify`` passes.

Dates are relative to the day of generation: generate shortly before running ``bench/run.py``.
Every account's password is ``BENCH_PASSWORD`` (default below): a throw-away database, never the demo.
Writes the accounts and ids the runner uses to ``<database>.json`` beside this file in ``results/``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402

from portal import create_app  # noqa: E402
from portal.aftercare.models import DEFAULT_CHECKIN_WEEKS  # noqa: E402
from portal.auth.passwords import hash_password  # noqa: E402
from portal.core.audit_chain import compute_hash  # noqa: E402
from portal.core.migrate import alembic_config  # noqa: E402
from portal.core.time import LOCAL_TZ  # noqa: E402
from portal.requests.defaults import DEFAULT_TYPES  # noqa: E402

BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-wachtwoord-lang")
RESULTS = Path(__file__).resolve().parent / "results"
MUNICIPALITIES = 342
#: Rows at scale 1 (weekly logs follow from the placements' weeks).
BASE = {
    "candidates": 60_000,
    "employers": 20_000,
    "placements": 40_000,
    "visits": 300_000,
    "outbox": 230_000,
    "audit": 500_000,
}
#: Share of the largest municipality (about 5,500 of 60,000 candidates).
LARGEST_SHARE = 5_500 / 60_000
#: Active placements a municipal contact looks after (the largest city's first contact has about 229).
PER_CONTACT = 229
PER_JOBCOACH = 60

LEVELS = ("geen", "A1", "A1", "A2", "A2", "A2", "B1", "B1", "B2", "C1")
SECTORS = ("techniek", "bouw", "logistiek", "zorg", "horeca", "detailhandel", "schoonmaak", "groen")
SIZES = ("1-9", "10-49", "50-249", "250+")
ROLE_TITLES = ("Orderpicker", "Hulp in de keuken", "Schoonmaker", "Helpende zorg", "Medewerker groen")
DROPOUT = ("absence", "conflict", "language", "health", "motivation", "employer_ended", "other_work")
STOPS = ("no_vacancy", "more_language", "education", "goal_reached")
AUDIT_ACTIONS = (
    ("auth.login", "user"),
    ("weekly_log.submitted", "weekly_log"),
    ("visit.recorded", "visit"),
    ("candidate.updated", "candidate"),
    ("placement.status_changed", "placement"),
    ("proposal.created", "proposal"),
    ("checkin.held", "checkin"),
)


def zipf_weights(n: int, top_share: float) -> list[float]:
    """Weights 1/(rank + b), b chosen so that the first has ``top_share`` of the total."""
    low, high = 0.0, 1000.0
    for _ in range(60):
        b = (low + high) / 2
        raw = [1 / (i + 1 + b) for i in range(n)]
        share = raw[0] / sum(raw)
        low, high = (b, high) if share > top_share else (low, b)
    total = sum(raw)
    return [w / total for w in raw]


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """``total`` split by ``weights`` (largest remainders), each at least ``minimum``."""
    exact = [total * w for w in weights]
    counts = [max(minimum, math.floor(x)) for x in exact]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: exact[i] - math.floor(exact[i]), reverse=True)
    for i in order[: max(rest, 0)]:
        counts[i] += 1
    return counts


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class Loader:
    """COPY rows into tables, with ids given here (the sequences are moved on at the end)."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.next_ids: dict[str, int] = defaultdict(lambda: 1)
        self.counts: dict[str, int] = defaultdict(int)

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def copy(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        columns = list(dict.fromkeys(key for row in rows for key in row))
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row([row.get(c) for c in columns])
        self.counts[table] += len(rows)

    def fix_sequences(self) -> None:
        with self.raw.cursor() as cur:
            for table in self.counts:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our table names
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )


def recreate_database(url: str) -> None:
    base = sa.make_url(url)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{base.database}"')
    admin.dispose()


def generate(url: str, scale: float, seed: int) -> dict:
    rng = random.Random(seed)
    today = datetime.now(LOCAL_TZ).date()
    now = datetime.now(UTC)
    n = {key: max(1, round(value * scale)) for key, value in BASE.items()}
    timings: dict[str, float] = {}
    started = time.perf_counter()

    recreate_database(url)
    command.upgrade(alembic_config(url), "head")
    timings["migrations_s"] = round(time.perf_counter() - started, 1)

    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        password_hash = hash_password(BENCH_PASSWORD)
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    load = Loader(raw.driver_connection)
    stamp = {"created_at": now, "updated_at": now}

    weights = zipf_weights(MUNICIPALITIES, LARGEST_SHARE)
    cand_per = allocate(n["candidates"], weights, 3)
    emp_per = allocate(n["employers"], weights, 1)
    plac_per = [min(p, c) for p, c in zip(allocate(n["placements"], weights), cand_per, strict=True)]

    # Municipalities, their placement types and aftercare settings -----------------------------------
    municipalities, types = [], {}
    for m in range(MUNICIPALITIES):
        mid = load.new_id("municipalities")
        name = "Benchstad" if m == 0 else f"Benchdorp {m:03d}"
        municipalities.append(
            {
                "id": mid,
                "name": name,
                "slug": f"bench-{m:03d}",
                "contact_email": f"info@gemeente-{m:03d}.bench.test",
                "contact_phone": "010 000 00 00",
                "is_open_for_registration": True,
                **stamp,
            }
        )
    load.copy("municipalities", municipalities)
    type_rows = []
    for municipality in municipalities:
        for values in DEFAULT_TYPES:
            tid = load.new_id("placement_types")
            types[(municipality["id"], values["code"])] = (tid, values)
            type_rows.append(
                {"id": tid, "municipality_id": municipality["id"], **values, "is_active": True, **stamp}
            )
    load.copy("placement_types", type_rows)
    type_codes = [values["code"] for values in DEFAULT_TYPES]

    # People: staff per municipality, employers with one user and one workplace each ---------------------
    users, employers, workplaces = [], [], []
    staff: dict[int, dict[str, list[int]]] = {}
    emp_of: dict[int, list[tuple[int, int, int]]] = {}  # municipality -> (employer, workplace, user)
    accounts: dict[str, str] = {}

    def user(mid: int, role: str, email: str, name: str, employer_id: int | None = None) -> int:
        uid = load.new_id("users")
        users.append(
            {
                "id": uid,
                "email": email,
                "full_name": name,
                "phone": None,
                "role": role,
                "municipality_id": mid,
                "employer_id": employer_id,
                "password_hash": password_hash,
                "is_active": True,
                "login_token": f"bench-{uid}-{rng.getrandbits(64):016x}",
                **stamp,
            }
        )
        return uid

    for m, municipality in enumerate(municipalities):
        mid = municipality["id"]
        active = max(1, round(plac_per[m] * 0.45))
        staff[mid] = {
            "admin": [user(mid, "admin", f"beheer-{m:03d}@bench.test", f"Beheer {m:03d}")],
            "municipal": [
                user(mid, "municipal", f"gemeente-{m:03d}-{k}@bench.test", f"Contact {m:03d}-{k}")
                for k in range(max(1, math.ceil(active / PER_CONTACT)))
            ],
            "jobcoach": [
                user(mid, "jobcoach", f"jobcoach-{m:03d}-{k}@bench.test", f"Jobcoach {m:03d}-{k}")
                for k in range(max(1, math.ceil(active / PER_JOBCOACH)))
            ],
        }
        emp_of[mid] = []
        for k in range(emp_per[m]):
            eid = load.new_id("employers")
            employers.append(
                {
                    "id": eid,
                    "municipality_id": mid,
                    "name": f"Bench Bedrijf {m:03d}-{k:04d} B.V.",
                    "kvk_number": f"{90_000_000 + eid:08d}"[-8:],
                    "sector": rng.choice(SECTORS),
                    "size_class": rng.choice(SIZES),
                    "street": "Benchweg",
                    "house_number": str(1 + k % 300),
                    "postcode": "1234 AB",
                    "city": municipality["name"],
                    "phone": "010 000 00 00",
                    "status": "approved" if rng.random() < 0.95 else "pending",
                    "contact_id": None,
                    **stamp,
                }
            )
            wid = load.new_id("workplaces")
            workplaces.append(
                {
                    "id": wid,
                    "employer_id": eid,
                    "name": "Hoofdvestiging",
                    "street": "Benchweg",
                    "house_number": str(1 + k % 300),
                    "postcode": "1234 AB",
                    "city": municipality["name"],
                    "work_description": "Meewerken in het team",
                    "languages": "Nederlands",
                    "buddy_name": "Bea Buddy",
                    "capacity": rng.choice((1, 2, 4, 8)),
                    "reachable_by_public_transport": True,
                    **stamp,
                }
            )
            uid = user(mid, "employer", f"werkgever-{eid:05d}@bench.test", f"Werkgever {eid}", eid)
            emp_of[mid].append((eid, wid, uid))
    # The employers' contact (a municipal contact) is set in the rows before COPY: users go first.
    for row in employers:
        row["contact_id"] = staff[row["municipality_id"]]["municipal"][0]
    employer_users = [u for u in users if u["role"] == "employer"]
    load.copy("users", [u for u in users if u["role"] != "employer"])
    load.copy("employers", employers)
    load.copy("users", employer_users)
    load.copy("workplaces", workplaces)
    del employers, workplaces

    # Candidates -------------------------------------------------------------------------------------
    candidates, cand_of = [], {}
    for m, municipality in enumerate(municipalities):
        mid = municipality["id"]
        ids = []
        for _ in range(cand_per[m]):
            cid = load.new_id("candidates")
            ids.append(cid)
            candidates.append(
                {
                    "id": cid,
                    "municipality_id": mid,
                    "pseudonym": f"K-B{cid:06d}",
                    "first_name": f"Bench{cid}",
                    "last_name": "Voorbeeld",
                    "home_town": municipality["name"],
                    "education_level": rng.choice(("basis", "middelbaar", "mbo", "hbo")),
                    "dutch_level": rng.choice(LEVELS),
                    "english_level": rng.choice(LEVELS),
                    "other_languages": rng.choice(("Arabisch", "Tigrinya", "Dari", "")),
                    "certificates": rng.choice(("", "", "VCA", "heftruck")),
                    "available_days": rng.choice(("ma,di,do", "di,wo,vr", "ma,wo,do,vr")),
                    "class_days": rng.choice(("wo,vr", "ma,do", "di")),
                    "hours_per_week": rng.choice((8, 12, 16, 20, 24, 32)),
                    "plan_a": f"{rng.choice(ROLE_TITLES)}, plan {cid}",
                    "desired_sectors": ",".join(rng.sample(SECTORS, 2)),
                    "work_readiness": rng.choices(
                        ("direct", "activering", "onderwijs", "nog_niet"), (50, 25, 15, 10)
                    )[0],
                    "travel_range_km": rng.choice((5, 10, 15, 25)),
                    "care_first": rng.random() < 0.04,
                    "status": "inactive" if rng.random() < 0.1 else "active",
                    "work_experience": "[]",
                    "education_completed_nl": False,
                    "specialist_id": staff[mid]["municipal"][0],
                    "version": 1,
                    **stamp,
                }
            )
        cand_of[mid] = ids
    cand_row = {row["id"]: row for row in candidates}

    # Requests, proposals, placements and what happened in them --------------------------------------
    requests, proposals, placements, decisions = [], [], [], []
    logs, checkins, reminders = [], [], []
    placement_weeks: list[tuple[dict, date, date]] = []
    target: dict[str, int] = {}
    last_ended_monday = monday_of(today) - timedelta(days=7)

    def request_row(mid, employer, code, status, start, creator) -> dict:
        rid = load.new_id("placement_requests")
        tid, values = types[(mid, code)]
        return {
            "id": rid,
            "municipality_id": mid,
            "employer_id": employer[0],
            "workplace_id": employer[1],
            "placement_type_id": tid,
            "created_by_id": creator,
            "role_title": rng.choice(ROLE_TITLES),
            "tasks": "Meewerken in het team en het werk leren",
            "positions": 1,
            "hours_per_week": min(16, values["max_hours_per_week"]),
            "days_per_week": 2,
            "work_days": "ma,di",
            "days_flexible": True,
            "dutch_level": values["default_dutch_level"],
            "english_sufficient": False,
            "certificates": "",
            "desired_start": start,
            "duration_weeks": max(values["min_weeks"], 13),
            "learning_goals": "Werkinstructies begrijpen",
            "supervisor_name": "Bea Buddy",
            "status": status,
            "submitted_at": at(start - timedelta(days=30)),
            "closed_at": at(start) if status == "filled" else None,
            **stamp,
        }

    for m, municipality in enumerate(municipalities):
        mid = municipality["id"]
        emps = emp_of[mid]
        # A few large employers take most placements (Zipf within the municipality too).
        emp_weights = [1 / (k + 1) ** 0.8 for k in range(len(emps))]
        contacts, coaches = staff[mid]["municipal"], staff[mid]["jobcoach"]
        pool = cand_of[mid][:]
        rng.shuffle(pool)
        for k in range(plac_per[m]):
            employer = rng.choices(emps, emp_weights)[0]
            candidate_id = pool[k]
            status = rng.choices(
                ("planned", "onboarding", "nazorg", "closed", "interrupted"), (5, 28, 12, 40, 15)
            )[0]
            code = rng.choice(type_codes)
            if status == "planned":
                start = today + timedelta(days=rng.randint(1, 28))
            elif status == "onboarding":
                start = today - timedelta(days=rng.randint(0, 40 * 7))
            elif status == "nazorg":
                start = today - timedelta(days=rng.randint(20 * 7, 60 * 7))
            else:
                start = today - timedelta(days=rng.randint(30 * 7, 100 * 7))
            weeks = rng.randint(13, 52) if status != "onboarding" else rng.randint(8, 52)
            end = start + timedelta(weeks=weeks)
            if status == "onboarding" and end < today:
                end = today + timedelta(days=rng.randint(0, 120))
            if status == "nazorg" and end >= today:
                end = today - timedelta(days=rng.randint(7, 60))
                start = min(start, end - timedelta(weeks=8))
            if status in ("closed", "interrupted") and end >= today:
                end = today - timedelta(days=rng.randint(1, 60))
                start = min(start, end - timedelta(weeks=8))
            request = request_row(mid, employer, code, "filled", start, contacts[0])
            requests.append(request)
            pid = load.new_id("placements")
            proposal_id = load.new_id("proposals")
            proposals.append(
                {
                    "id": proposal_id,
                    "request_id": request["id"],
                    "candidate_id": candidate_id,
                    "proposed_by_id": contacts[0],
                    "status": "accepted",
                    "decided_at": at(start - timedelta(days=14)),
                    **stamp,
                }
            )
            contact = contacts[k % len(contacts)]
            coach = coaches[k % len(coaches)] if rng.random() < 0.9 else None
            row = {
                "id": pid,
                "municipality_id": mid,
                "request_id": request["id"],
                "proposal_id": proposal_id,
                "candidate_id": candidate_id,
                "employer_id": employer[0],
                "workplace_id": employer[1],
                "placement_type_id": request["placement_type_id"],
                "contact_id": contact,
                "start_date": start,
                "planned_end_date": end,
                "actual_start_date": None if status == "planned" else start,
                "jobcoach_id": coach,
                "days_per_week": rng.choice((2, 3, 4)),
                "status": status,
                "contract_type": None,
                "contract_hours": None,
                "contract_start_date": None,
                "end_reason": None,
                "ended_on": None,
                "outcome": None,
                **stamp,
            }
            contract = status == "nazorg" or (status == "closed" and rng.random() < 0.75)
            if contract:
                row.update(
                    contract_type=rng.choice(("fixed_term", "permanent", "temp_agency")),
                    contract_hours=rng.choice((16, 24, 32)),
                    contract_start_date=end + timedelta(days=1),
                )
                decisions.append(
                    {
                        "id": load.new_id("end_decisions"),
                        "placement_id": pid,
                        "kind": "contract",
                        "contract_type": row["contract_type"],
                        "contract_hours": row["contract_hours"],
                        "contract_start": row["contract_start_date"],
                        "decided_by_id": contact,
                        "decided_at": at(end - timedelta(days=10)),
                    }
                )
            elif status == "onboarding" and end - today < timedelta(days=20) and rng.random() < 0.5:
                decisions.append(
                    {
                        "id": load.new_id("end_decisions"),
                        "placement_id": pid,
                        "kind": "stop",
                        "stop_reason": rng.choice(STOPS),
                        "decided_by_id": contact,
                        "decided_at": at(today - timedelta(days=3)),
                    }
                )
            if status == "closed":
                row.update(ended_on=end, end_reason=None if contract else rng.choice(STOPS))
                if contract:
                    row["outcome"] = "employed"
                    row["outcome_recorded_at"] = at(end + timedelta(weeks=17))
            if status == "interrupted":
                stopped = start + (end - start) * rng.uniform(0.2, 0.9)
                row.update(ended_on=stopped, end_reason=rng.choice(DROPOUT))
                end = stopped
            if status in ("planned", "onboarding", "nazorg"):
                cand_row[candidate_id]["status"] = "placed"
            placements.append(row)
            # Weekly logs: one per ended week of onboarding (a few weeks missed).
            if status != "planned":
                last = min(monday_of(end), last_ended_monday)
                monday = monday_of(start)
                careless = rng.random() < 0.06
                placement_weeks.append((row, start, min(end, today)))
                while monday <= last:
                    recent = (last_ended_monday - monday).days < 21
                    skip = rng.random() < (0.5 if careless and recent else 0.03)
                    if skip:
                        if status == "onboarding" and recent:
                            reminders.append((pid, monday, employer[2], mid))
                    else:
                        logs.append(log_row(load, rng, pid, monday, row["days_per_week"], employer[2], now))
                    monday += timedelta(days=7)
            if contract:
                due_start = row["contract_start_date"]
                for number, week in enumerate(DEFAULT_CHECKIN_WEEKS, start=1):
                    due = due_start + timedelta(weeks=week)
                    if due > today + timedelta(weeks=4):
                        break
                    held = due < today - timedelta(days=2) and rng.random() < 0.93
                    checkins.append(
                        {
                            "id": load.new_id("checkins"),
                            "placement_id": pid,
                            "number": number,
                            "week": week,
                            "due_date": due,
                            "status": "held" if held else "planned",
                            "held_on": due + timedelta(days=rng.randint(0, 2)) if held else None,
                            "held_by_id": (coach or contact) if held else None,
                            "held_with": rng.choice(("employer", "employee", "both")) if held else None,
                            "contact_made": True if held else None,
                            "scores": json.dumps(
                                {"punctuality": rng.choices((1, 2, 3, 4), (2, 10, 50, 38))[0]}
                            )
                            if held
                            else "{}",
                            "risk": rng.choices(("low", "medium", "high"), (80, 17, 3))[0] if held else None,
                            **stamp,
                        }
                    )
        # Open requests with proposals, for the matching pages.
        free = [c for c in pool[plac_per[m] :] if cand_row[c]["status"] == "active"]
        for k in range(max(1, plac_per[m] // 4)):
            employer = rng.choices(emps, emp_weights)[0]
            status = rng.choice(("submitted", "in_progress", "proposed"))
            request = request_row(
                mid, employer, rng.choice(type_codes), status, today + timedelta(days=21), contacts[0]
            )
            requests.append(request)
            if status == "proposed" and free:
                for candidate_id in rng.sample(free, min(3, len(free))):
                    proposals.append(
                        {
                            "id": load.new_id("proposals"),
                            "request_id": request["id"],
                            "candidate_id": candidate_id,
                            "proposed_by_id": contacts[0],
                            "status": rng.choice(("proposed", "meeting", "declined")),
                            "decided_at": None,
                            **stamp,
                        }
                    )
            if m == 0 and k == 0:
                target["request_id"] = request["id"]
    # The share_profile consents the matching page looks for.
    consents = [
        {
            "id": load.new_id("consents"),
            "candidate_id": c["id"],
            "kind": "share_profile",
            "given_at": now - timedelta(days=90),
            "method": "conversation",
            "text_version": "2026-1",
            "recorded_by_id": c["specialist_id"],
        }
        for c in candidates
        if rng.random() < 0.88
    ]
    load.copy("candidates", candidates)
    load.copy("consents", consents)
    load.copy("placement_requests", requests)
    for row in proposals:
        row.setdefault("decided_at", None)
    load.copy("proposals", proposals)
    load.copy("placements", placements)
    load.copy("end_decisions", decisions)
    load.copy("weekly_logs", logs)
    load.copy("checkins", checkins)
    timings["core_rows_s"] = round(time.perf_counter() - started, 1)
    del candidates, consents, requests, proposals, decisions, checkins

    # Visits: spread over the weeks each placement was running, as many as the scale asks for.
    coached = [(row, s, e) for row, s, e in placement_weeks if row["jobcoach_id"]]
    total_days = sum(max(1, (e - s).days) for _, s, e in coached) or 1
    per_day = n["visits"] / total_days
    visits = []
    for row, start, end in coached:
        days = max(1, (end - start).days)
        count = int(days * per_day) + (1 if rng.random() < (days * per_day) % 1 else 0)
        for _ in range(count):
            day = start + timedelta(days=rng.randint(0, days))
            visits.append(
                {
                    "id": load.new_id("visits"),
                    "placement_id": row["id"],
                    "jobcoach_id": row["jobcoach_id"],
                    "visit_date": day,
                    "duration_minutes": rng.choice((30, 45, 60, 90)),
                    "mode": rng.choices(("on_site", "phone", "video"), (60, 30, 10))[0],
                    "spoken_with": "candidate,supervisor",
                    "contact_made": rng.random() < 0.95,
                    "risk": rng.choices(("low", "medium", "high"), (80, 17, 3))[0],
                    **stamp,
                }
            )
    load.copy("visits", visits)
    del visits

    # Outbox: the delivered weekly-log reminders (the reconcile reads them), the rest ordinary mail.
    outbox = []
    for pid, monday, uid, mid in reminders:
        sent = at(monday + timedelta(days=7), 9)
        outbox.append(
            outbox_row(load, f"placements.log_reminder:{pid}:{monday.isoformat()}:{uid}", mid, sent)
        )
    while len(outbox) < n["outbox"]:
        mid = rng.choices(municipalities, weights)[0]["id"]
        sent = now - timedelta(minutes=rng.randint(10, 700 * 24 * 60))
        outbox.append(outbox_row(load, f"bench.mail:{len(outbox)}", mid, sent))
    outbox[-1]["status"] = "pending"
    load.copy("outbox_emails", outbox)
    del outbox

    # Audit: a correct hash chain in id order (``portal.core.audit_chain.compute_hash``).
    audit, previous = [], None
    start_at = now - timedelta(days=700)
    step = timedelta(days=700) / n["audit"]
    user_ids = [u["id"] for u in users]
    for k in range(n["audit"]):
        action, object_type = AUDIT_ACTIONS[k % len(AUDIT_ACTIONS)]
        uid = rng.choice(user_ids)
        fields = {
            "occurred_at": (start_at + step * k).replace(microsecond=0),
            "actor_id": uid,
            "actor_role": "jobcoach",
            "municipality_id": rng.choices(municipalities, weights)[0]["id"],
            "action": action,
            "object_type": object_type,
            "object_id": rng.randint(1, 40_000),
            "detail": {"bench": True},
        }
        row_hash = compute_hash(fields, previous)
        audit.append(
            {
                "id": load.new_id("audit_events"),
                **fields,
                "detail": '{"bench": true}',
                "prev_hash": previous,
                "row_hash": row_hash,
            }
        )
        previous = row_hash
        if len(audit) == 50_000:
            load.copy("audit_events", audit)
            audit = []
    load.copy("audit_events", audit)

    load.fix_sequences()
    raw.commit()
    timings["load_s"] = round(time.perf_counter() - started, 1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    timings["total_s"] = round(time.perf_counter() - started, 1)
    raw.close()
    engine.dispose()

    # What the runner needs: accounts of the largest city and ids to open.
    largest = municipalities[0]["id"]
    running = defaultdict(int)
    for p in placements:
        if p["status"] in ("onboarding", "nazorg"):
            running[p["employer_id"]] += 1
    big_employer = max(emp_of[largest], key=lambda e: running[e[0]])
    emails = {u["id"]: u["email"] for u in users}
    long_run = [p for p in placements if p["municipality_id"] == largest and p["status"] != "planned"]
    log_count = defaultdict(int)
    for log in logs:
        log_count[log["placement_id"]] += 1
    timeline = min(long_run, key=lambda p: abs(log_count[p["id"]] - 50)) if long_run else placements[0]
    accounts = {
        "municipal": emails[staff[largest]["municipal"][0]],
        "jobcoach": emails[staff[largest]["jobcoach"][0]],
        "admin": emails[staff[largest]["admin"][0]],
        "employer": emails[big_employer[2]],
    }
    first_contact = staff[largest]["municipal"][0]
    return {
        "scale": scale,
        "seed": seed,
        "generated_on": today.isoformat(),
        "counts": dict(load.counts),
        "timings": timings,
        "accounts": accounts,
        "password_env": "BENCH_PASSWORD",
        "largest_city_candidates": cand_per[0],
        "contact_active_placements": sum(
            1
            for p in placements
            if p["contact_id"] == first_contact and p["status"] in ("planned", "onboarding", "nazorg")
        ),
        "timeline_placement_id": timeline["id"],
        "timeline_logs": log_count[timeline["id"]],
        "request_id": target.get("request_id"),
    }


def log_row(
    load: Loader, rng: random.Random, pid: int, monday: date, days: int, uid: int, now: datetime
) -> dict:
    present = days if rng.random() < 0.85 else rng.randint(0, days)
    score = rng.choices((1, 2, 3, 4), (2, 10, 50, 38))
    concern = rng.random() < 0.01
    return {
        "id": load.new_id("weekly_logs"),
        "placement_id": pid,
        "week_start": monday,
        "days_planned": days,
        "days_present": present,
        "hours_absent": 0 if present == days else rng.choice((4, 8, 12, 16)),
        "punctuality": score[0],
        "task_progress": rng.randint(2, 4),
        "dutch_at_work": rng.randint(2, 4),
        "teamwork": rng.randint(2, 4),
        "motivation": rng.randint(2, 4),
        "notes": "{}",
        "has_concern": concern,
        "concern_text": "Het gaat minder goed dan eerst." if concern else None,
        "submitted_by_id": uid,
        "version": 1,
        "created_at": at(monday + timedelta(days=5)),
        "updated_at": at(monday + timedelta(days=5)),
    }


def outbox_row(load: Loader, key: str, mid: int, sent: datetime) -> dict:
    return {
        "id": load.new_id("outbox_emails"),
        "dedupe_key": key,
        "municipality_id": mid,
        "to_address": "ontvanger@bench.test",
        "subject": "Bericht van Werkbrug",
        "body_text": "Dit is een verzonnen bericht voor de benchmark.",
        "status": "sent",
        "attempts": 1,
        "next_attempt_at": sent,
        "created_at": sent,
        "sent_at": sent,
        "contains_secret": False,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20261203)
    args = parser.parse_args()
    if not args.url or not args.url.startswith("postgresql"):
        parser.error("give a PostgreSQL URL (or set BENCH_DATABASE_URL)")
    info = generate(args.url, args.scale, args.seed)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{sa.make_url(args.url).database}.json"
    out.write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
