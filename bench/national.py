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
from portal.extensions import db  # noqa: E402
from portal.requests.defaults import DEFAULT_TYPES  # noqa: E402

BENCH_PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-wachtwoord-lang")
#: Every account's app secret (TOTP), so the runner can give the login's second step.
BENCH_TOTP_SECRET = os.environ.get("BENCH_TOTP_SECRET", "WERKBRUGBENCHWERKBRUGBENCH234567")
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


class National:
    """The rows of one generation, built table by table (the order of the random draws is the seed's)."""

    def __init__(self, load: Loader, scale: float, seed: int, password_hash: str) -> None:
        self.load = load
        self.rng = random.Random(seed)
        self.today = datetime.now(LOCAL_TZ).date()
        self.now = datetime.now(UTC)
        self.stamp = {"created_at": self.now, "updated_at": self.now}
        self.password_hash = password_hash
        self.n = {key: max(1, round(value * scale)) for key, value in BASE.items()}
        self.weights = zipf_weights(MUNICIPALITIES, LARGEST_SHARE)
        self.cand_per = allocate(self.n["candidates"], self.weights, 3)
        self.emp_per = allocate(self.n["employers"], self.weights, 1)
        placements = allocate(self.n["placements"], self.weights)
        self.plac_per = [min(p, c) for p, c in zip(placements, self.cand_per, strict=True)]
        self.types: dict[tuple[int, str], tuple[int, dict]] = {}
        self.type_codes = [values["code"] for values in DEFAULT_TYPES]
        self.users: list[dict] = []
        self.staff: dict[int, dict[str, list[int]]] = {}
        self.emp_of: dict[int, list[tuple[int, int, int]]] = {}  # municipality -> (employer, workplace, user)
        self.cand_of: dict[int, list[int]] = {}
        self.cand_row: dict[int, dict] = {}
        self.requests: list[dict] = []
        self.proposals: list[dict] = []
        self.placements: list[dict] = []
        self.decisions: list[dict] = []
        self.logs: list[dict] = []
        self.checkins: list[dict] = []
        self.reminders: list[tuple[int, date, int, int]] = []
        self.placement_weeks: list[tuple[dict, date, date]] = []
        self.request_id: int | None = None
        self.last_ended_monday = monday_of(self.today) - timedelta(days=7)

    # Municipalities and their placement types ---------------------------------------------------------------

    def municipalities(self) -> None:
        self.municipality_rows = []
        for m in range(MUNICIPALITIES):
            self.municipality_rows.append(
                {
                    "id": self.load.new_id("municipalities"),
                    "name": "Benchstad" if m == 0 else f"Benchdorp {m:03d}",
                    "slug": f"bench-{m:03d}",
                    "contact_email": f"info@gemeente-{m:03d}.bench.test",
                    "contact_phone": "010 000 00 00",
                    "is_open_for_registration": True,
                    **self.stamp,
                }
            )
        self.load.copy("municipalities", self.municipality_rows)
        type_rows = []
        for municipality in self.municipality_rows:
            for values in DEFAULT_TYPES:
                tid = self.load.new_id("placement_types")
                self.types[(municipality["id"], values["code"])] = (tid, values)
                type_rows.append(
                    {
                        "id": tid,
                        "municipality_id": municipality["id"],
                        **values,
                        "is_active": True,
                        **self.stamp,
                    }
                )
        self.load.copy("placement_types", type_rows)

    # People: staff per municipality, employers with one user and one workplace each -------------------------

    def user(self, mid: int, role: str, email: str, name: str, employer_id: int | None = None) -> int:
        uid = self.load.new_id("users")
        self.users.append(
            {
                "id": uid,
                "email": email,
                "full_name": name,
                "phone": None,
                "role": role,
                "municipality_id": mid,
                "employer_id": employer_id,
                "password_hash": self.password_hash,
                "totp_secret": BENCH_TOTP_SECRET,
                "totp_enrolled_at": self.now,
                "is_active": True,
                "login_token": f"bench-{uid}-{self.rng.getrandbits(64):016x}",
                **self.stamp,
            }
        )
        return uid

    def people(self) -> None:
        employers, workplaces = [], []
        for m, municipality in enumerate(self.municipality_rows):
            mid = municipality["id"]
            active = max(1, round(self.plac_per[m] * 0.45))
            self.staff[mid] = {
                "admin": [self.user(mid, "admin", f"beheer-{m:03d}@bench.test", f"Beheer {m:03d}")],
                "municipal": [
                    self.user(mid, "municipal", f"gemeente-{m:03d}-{k}@bench.test", f"Contact {m:03d}-{k}")
                    for k in range(max(1, math.ceil(active / PER_CONTACT)))
                ],
                "jobcoach": [
                    self.user(mid, "jobcoach", f"jobcoach-{m:03d}-{k}@bench.test", f"Jobcoach {m:03d}-{k}")
                    for k in range(max(1, math.ceil(active / PER_JOBCOACH)))
                ],
            }
            self.emp_of[mid] = []
            for k in range(self.emp_per[m]):
                employer, workplace = self.employer(m, k, municipality)
                employers.append(employer)
                workplaces.append(workplace)
                uid = self.user(
                    mid,
                    "employer",
                    f"werkgever-{employer['id']:05d}@bench.test",
                    f"Werkgever {employer['id']}",
                    employer["id"],
                )
                self.emp_of[mid].append((employer["id"], workplace["id"], uid))
        # The employers' contact is a municipal contact: those users go in before the employers.
        for row in employers:
            row["contact_id"] = self.staff[row["municipality_id"]]["municipal"][0]
        self.load.copy("users", [u for u in self.users if u["role"] != "employer"])
        self.load.copy("employers", employers)
        self.load.copy("users", [u for u in self.users if u["role"] == "employer"])
        self.load.copy("workplaces", workplaces)

    def employer(self, m: int, k: int, municipality: dict) -> tuple[dict, dict]:
        eid = self.load.new_id("employers")
        address = {
            "street": "Benchweg",
            "house_number": str(1 + k % 300),
            "postcode": "1234 AB",
            "city": municipality["name"],
        }
        employer = {
            "id": eid,
            "municipality_id": municipality["id"],
            "name": f"Bench Bedrijf {m:03d}-{k:04d} B.V.",
            "kvk_number": f"{90_000_000 + eid:08d}"[-8:],
            "sector": self.rng.choice(SECTORS),
            "size_class": self.rng.choice(SIZES),
            **address,
            "phone": "010 000 00 00",
            "status": "approved" if self.rng.random() < 0.95 else "pending",
            "contact_id": None,
            **self.stamp,
        }
        workplace = {
            "id": self.load.new_id("workplaces"),
            "employer_id": eid,
            "name": "Hoofdvestiging",
            **address,
            "work_description": "Meewerken in het team",
            "languages": "Nederlands",
            "buddy_name": "Bea Buddy",
            "capacity": self.rng.choice((1, 2, 4, 8)),
            "reachable_by_public_transport": True,
            **self.stamp,
        }
        return employer, workplace

    # Candidates ---------------------------------------------------------------------------------------------

    def candidates(self) -> None:
        rng = self.rng
        for m, municipality in enumerate(self.municipality_rows):
            mid = municipality["id"]
            ids = []
            for _ in range(self.cand_per[m]):
                cid = self.load.new_id("candidates")
                ids.append(cid)
                self.cand_row[cid] = {
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
                    "specialist_id": self.staff[mid]["municipal"][0],
                    "version": 1,
                    **self.stamp,
                }
            self.cand_of[mid] = ids

    # Requests, proposals, placements and what happened in them ----------------------------------------------

    def request_row(
        self, mid: int, employer: tuple, code: str, status: str, start: date, creator: int
    ) -> dict:
        tid, values = self.types[(mid, code)]
        return {
            "id": self.load.new_id("placement_requests"),
            "municipality_id": mid,
            "employer_id": employer[0],
            "workplace_id": employer[1],
            "placement_type_id": tid,
            "created_by_id": creator,
            "role_title": self.rng.choice(ROLE_TITLES),
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
            **self.stamp,
        }

    def placements_and_requests(self) -> None:
        for m, municipality in enumerate(self.municipality_rows):
            mid = municipality["id"]
            emps = self.emp_of[mid]
            # A few large employers take most placements (Zipf within the municipality too).
            emp_weights = [1 / (k + 1) ** 0.8 for k in range(len(emps))]
            pool = self.cand_of[mid][:]
            self.rng.shuffle(pool)
            for k in range(self.plac_per[m]):
                employer = self.rng.choices(emps, emp_weights)[0]
                self.placement(mid, k, employer, pool[k])
            free = [c for c in pool[self.plac_per[m] :] if self.cand_row[c]["status"] == "active"]
            self.open_requests(m, mid, emps, emp_weights, free)

    def dates(self, status: str) -> tuple[date, date]:
        """Start and planned end of a placement in ``status`` (relative to today)."""
        rng, today = self.rng, self.today
        back = {"onboarding": (0, 40), "nazorg": (20, 60)}.get(status, (30, 100))
        if status == "planned":
            start = today + timedelta(days=rng.randint(1, 28))
        else:
            start = today - timedelta(days=rng.randint(back[0] * 7, back[1] * 7))
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
        return start, end

    def placement(self, mid: int, k: int, employer: tuple, candidate_id: int) -> None:
        rng = self.rng
        contacts, coaches = self.staff[mid]["municipal"], self.staff[mid]["jobcoach"]
        status = rng.choices(
            ("planned", "onboarding", "nazorg", "closed", "interrupted"), (5, 28, 12, 40, 15)
        )[0]
        code = rng.choice(self.type_codes)
        start, end = self.dates(status)
        request = self.request_row(mid, employer, code, "filled", start, contacts[0])
        self.requests.append(request)
        pid = self.load.new_id("placements")
        proposal_id = self.load.new_id("proposals")
        self.proposals.append(
            {
                "id": proposal_id,
                "request_id": request["id"],
                "candidate_id": candidate_id,
                "proposed_by_id": contacts[0],
                "status": "accepted",
                "decided_at": at(start - timedelta(days=14)),
                **self.stamp,
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
            "outcome_recorded_at": None,
            **self.stamp,
        }
        contract = status == "nazorg" or (status == "closed" and rng.random() < 0.75)
        self.decide(row, contract, contact)
        if status == "interrupted":
            stopped = start + (end - start) * rng.uniform(0.2, 0.9)
            row.update(ended_on=stopped, end_reason=rng.choice(DROPOUT))
            end = stopped
        if status in ("planned", "onboarding", "nazorg"):
            self.cand_row[candidate_id]["status"] = "placed"
        self.placements.append(row)
        if status != "planned":
            self.weekly_logs(row, start, end, employer[2])
        if contract:
            self.plan_checkins(row, coach or contact)

    def decide(self, row: dict, contract: bool, contact: int) -> None:
        """The end decision: a contract (nazorg, most closed), sometimes a stop near the end of onboarding."""
        rng, end, status = self.rng, row["planned_end_date"], row["status"]
        if contract:
            row.update(
                contract_type=rng.choice(("fixed_term", "permanent", "temp_agency")),
                contract_hours=rng.choice((16, 24, 32)),
                contract_start_date=end + timedelta(days=1),
            )
            self.decisions.append(
                {
                    "id": self.load.new_id("end_decisions"),
                    "placement_id": row["id"],
                    "kind": "contract",
                    "contract_type": row["contract_type"],
                    "contract_hours": row["contract_hours"],
                    "contract_start": row["contract_start_date"],
                    "decided_by_id": contact,
                    "decided_at": at(end - timedelta(days=10)),
                }
            )
        elif status == "onboarding" and end - self.today < timedelta(days=20) and rng.random() < 0.5:
            self.decisions.append(
                {
                    "id": self.load.new_id("end_decisions"),
                    "placement_id": row["id"],
                    "kind": "stop",
                    "stop_reason": rng.choice(STOPS),
                    "decided_by_id": contact,
                    "decided_at": at(self.today - timedelta(days=3)),
                }
            )
        if status == "closed":
            row.update(ended_on=end, end_reason=None if contract else rng.choice(STOPS))
            if contract:
                row.update(outcome="employed", outcome_recorded_at=at(end + timedelta(weeks=17)))

    def weekly_logs(self, row: dict, start: date, end: date, employer_user: int) -> None:
        """One log per ended week of onboarding; a few weeks missed (recent ones got a reminder)."""
        last = min(monday_of(end), self.last_ended_monday)
        monday = monday_of(start)
        careless = self.rng.random() < 0.06
        self.placement_weeks.append((row, start, min(end, self.today)))
        while monday <= last:
            recent = (self.last_ended_monday - monday).days < 21
            if self.rng.random() < (0.5 if careless and recent else 0.03):
                if row["status"] == "onboarding" and recent:
                    self.reminders.append((row["id"], monday, employer_user, row["municipality_id"]))
            else:
                self.logs.append(
                    log_row(self.load, self.rng, row["id"], monday, row["days_per_week"], employer_user)
                )
            monday += timedelta(days=7)

    def plan_checkins(self, row: dict, holder: int) -> None:
        """The aftercare check-ins from the contract's start: held when past, planned otherwise."""
        rng = self.rng
        for number, week in enumerate(DEFAULT_CHECKIN_WEEKS, start=1):
            due = row["contract_start_date"] + timedelta(weeks=week)
            if due > self.today + timedelta(weeks=4):
                break
            held = due < self.today - timedelta(days=2) and rng.random() < 0.93
            checkin = {
                "id": self.load.new_id("checkins"),
                "placement_id": row["id"],
                "number": number,
                "week": week,
                "due_date": due,
                "status": "planned",
                "held_on": None,
                "held_by_id": None,
                "held_with": None,
                "contact_made": None,
                "scores": "{}",
                "risk": None,
                **self.stamp,
            }
            if held:
                checkin.update(
                    status="held",
                    held_on=due + timedelta(days=rng.randint(0, 2)),
                    held_by_id=holder,
                    held_with=rng.choice(("employer", "employee", "both")),
                    contact_made=True,
                    scores=json.dumps({"punctuality": rng.choices((1, 2, 3, 4), (2, 10, 50, 38))[0]}),
                    risk=rng.choices(("low", "medium", "high"), (80, 17, 3))[0],
                )
            self.checkins.append(checkin)

    def open_requests(self, m: int, mid: int, emps: list, emp_weights: list, free: list[int]) -> None:
        """Open requests with a few proposals each, for the matching pages."""
        contact = self.staff[mid]["municipal"][0]
        for k in range(max(1, self.plac_per[m] // 4)):
            employer = self.rng.choices(emps, emp_weights)[0]
            status = self.rng.choice(("submitted", "in_progress", "proposed"))
            code = self.rng.choice(self.type_codes)
            request = self.request_row(mid, employer, code, status, self.today + timedelta(days=21), contact)
            self.requests.append(request)
            if status == "proposed" and free:
                for candidate_id in self.rng.sample(free, min(3, len(free))):
                    self.proposals.append(
                        {
                            "id": self.load.new_id("proposals"),
                            "request_id": request["id"],
                            "candidate_id": candidate_id,
                            "proposed_by_id": contact,
                            "status": self.rng.choice(("proposed", "meeting", "declined")),
                            "decided_at": None,
                            **self.stamp,
                        }
                    )
            if m == 0 and k == 0:
                self.request_id = request["id"]

    def copy_core(self) -> None:
        # Consent to share the profile is per employer: one for the employer of each proposal.
        employer_of = {request["id"]: request["employer_id"] for request in self.requests}
        shared = {(p["candidate_id"], employer_of[p["request_id"]]) for p in self.proposals}
        consents = [
            {
                "id": self.load.new_id("consents"),
                "candidate_id": candidate_id,
                "kind": "share_profile",
                "employer_id": employer_id,
                "given_at": self.now - timedelta(days=90),
                "recorded_at": self.now - timedelta(days=90),
                "method": "conversation",
                "text_version": "2026-1",
                "recorded_by_id": self.cand_row[candidate_id]["specialist_id"],
            }
            for candidate_id, employer_id in sorted(shared)
        ]
        self.load.copy("candidates", list(self.cand_row.values()))
        self.load.copy("consents", consents)
        self.load.copy("placement_requests", self.requests)
        self.load.copy("proposals", self.proposals)
        self.load.copy("placements", self.placements)
        self.load.copy("end_decisions", self.decisions)
        self.load.copy("weekly_logs", self.logs)
        self.load.copy("checkins", self.checkins)

    # Visits, outbox and audit -------------------------------------------------------------------------------

    def visits(self) -> None:
        """Spread over the days each placement was running, as many as the scale asks for."""
        rng = self.rng
        coached = [(row, s, e) for row, s, e in self.placement_weeks if row["jobcoach_id"]]
        per_day = self.n["visits"] / (sum(max(1, (e - s).days) for _, s, e in coached) or 1)
        visits = []
        for row, start, end in coached:
            days = max(1, (end - start).days)
            count = int(days * per_day) + (1 if rng.random() < (days * per_day) % 1 else 0)
            for _ in range(count):
                visits.append(
                    {
                        "id": self.load.new_id("visits"),
                        "placement_id": row["id"],
                        "jobcoach_id": row["jobcoach_id"],
                        "visit_date": start + timedelta(days=rng.randint(0, days)),
                        "duration_minutes": rng.choice((30, 45, 60, 90)),
                        "mode": rng.choices(("on_site", "phone", "video"), (60, 30, 10))[0],
                        "spoken_with": "candidate,supervisor",
                        "contact_made": rng.random() < 0.95,
                        "risk": rng.choices(("low", "medium", "high"), (80, 17, 3))[0],
                        **self.stamp,
                    }
                )
        self.load.copy("visits", visits)

    def outbox(self) -> None:
        """The delivered weekly-log reminders (the reconcile reads them), the rest ordinary mail."""
        outbox, reminders = [], []
        for pid, monday, uid, mid in self.reminders:
            key = f"placements.log_reminder:{pid}:{monday.isoformat()}:{uid}"
            sent = at(monday + timedelta(days=7), 9)
            outbox.append(outbox_row(self.load, key, mid, sent))
            reminders.append(
                {
                    "id": self.load.new_id("log_reminders"),
                    "placement_id": pid,
                    "week_start": monday,
                    "user_id": uid,
                    "outbox_email_id": outbox[-1]["id"],
                    "created_at": sent,
                }
            )
        while len(outbox) < self.n["outbox"]:
            mid = self.rng.choices(self.municipality_rows, self.weights)[0]["id"]
            sent = self.now - timedelta(minutes=self.rng.randint(10, 700 * 24 * 60))
            outbox.append(outbox_row(self.load, f"bench.mail:{len(outbox)}", mid, sent))
        outbox[-1]["status"] = "pending"
        self.load.copy("outbox_emails", outbox)
        self.load.copy("log_reminders", reminders)

    def audit(self) -> None:
        """A correct hash chain in id order (``portal.core.audit_chain.compute_hash``), in batches."""
        audit, previous = [], None
        start_at = self.now - timedelta(days=700)
        step = timedelta(days=700) / self.n["audit"]
        user_ids = [u["id"] for u in self.users]
        for k in range(self.n["audit"]):
            action, object_type = AUDIT_ACTIONS[k % len(AUDIT_ACTIONS)]
            fields = {
                "occurred_at": (start_at + step * k).replace(microsecond=0),
                "actor_id": self.rng.choice(user_ids),
                "actor_role": "jobcoach",
                "municipality_id": self.rng.choices(self.municipality_rows, self.weights)[0]["id"],
                "action": action,
                "object_type": object_type,
                "object_id": self.rng.randint(1, 40_000),
                "detail": {"bench": True},
            }
            row_hash = compute_hash(fields, previous)
            audit.append(
                {
                    "id": self.load.new_id("audit_events"),
                    **fields,
                    "detail": '{"bench": true}',
                    "prev_hash": previous,
                    "row_hash": row_hash,
                }
            )
            previous = row_hash
            if len(audit) == 50_000:
                self.load.copy("audit_events", audit)
                audit = []
        self.load.copy("audit_events", audit)

    # What the runner needs ----------------------------------------------------------------------------------

    def summary(self) -> dict:
        """Accounts of the largest city and the ids the runner opens."""
        largest = self.municipality_rows[0]["id"]
        running = defaultdict(int)
        for p in self.placements:
            if p["status"] in ("onboarding", "nazorg"):
                running[p["employer_id"]] += 1
        big_employer = max(self.emp_of[largest], key=lambda e: running[e[0]])
        # A typical MKB employer: the median number of running placements among those with any.
        with_running = sorted((e for e in self.emp_of[largest] if running[e[0]]), key=lambda e: running[e[0]])
        typical_employer = with_running[len(with_running) // 2] if with_running else big_employer
        emails = {u["id"]: u["email"] for u in self.users}
        log_count = defaultdict(int)
        for log in self.logs:
            log_count[log["placement_id"]] += 1
        shown = [p for p in self.placements if p["municipality_id"] == largest and p["status"] != "planned"]
        timeline = min(shown, key=lambda p: abs(log_count[p["id"]] - 50)) if shown else self.placements[0]
        staff = self.staff[largest]
        open_statuses = ("planned", "onboarding", "nazorg")
        return {
            "generated_on": self.today.isoformat(),
            "counts": dict(self.load.counts),
            "accounts": {
                "municipal": emails[staff["municipal"][0]],
                "jobcoach": emails[staff["jobcoach"][0]],
                "admin": emails[staff["admin"][0]],
                "employer": emails[big_employer[2]],
                "employer_typical": emails[typical_employer[2]],
            },
            "employer_placements": running[big_employer[0]],
            "employer_typical_placements": running[typical_employer[0]],
            "password_env": "BENCH_PASSWORD",
            "largest_city_candidates": self.cand_per[0],
            "contact_active_placements": sum(
                1
                for p in self.placements
                if p["contact_id"] == staff["municipal"][0] and p["status"] in open_statuses
            ),
            "timeline_placement_id": timeline["id"],
            "timeline_logs": log_count[timeline["id"]],
            "request_id": self.request_id,
        }


def generate(url: str, scale: float, seed: int) -> dict:
    """Recreate the database, migrate it and load the national data set; returns what the runner needs."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    recreate_database(url)
    command.upgrade(alembic_config(url), "head")
    timings["migrations_s"] = round(time.perf_counter() - started, 1)
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        password_hash = hash_password(BENCH_PASSWORD)
        db.engine.dispose()
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    national = National(Loader(raw.driver_connection), scale, seed, password_hash)
    national.municipalities()
    national.people()
    national.candidates()
    national.placements_and_requests()
    national.copy_core()
    timings["core_rows_s"] = round(time.perf_counter() - started, 1)
    national.visits()
    national.outbox()
    national.audit()
    national.load.fix_sequences()
    raw.commit()
    timings["load_s"] = round(time.perf_counter() - started, 1)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    timings["total_s"] = round(time.perf_counter() - started, 1)
    raw.close()
    engine.dispose()
    return {"scale": scale, "seed": seed, **national.summary(), "timings": timings}


def log_row(load: Loader, rng: random.Random, pid: int, monday: date, days: int, uid: int) -> dict:
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
