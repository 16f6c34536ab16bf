"""The whole demo, in the order a municipality would live it: organisations and accounts, the candidate
pool and open requests, placements in onboarding, their endings and aftercare, and for Eindhoven a
year of the team's history. Each step only adds what is missing, so a second run creates nothing.
"""

from __future__ import annotations

from collections import Counter

from portal.core.audit import record
from portal.demo.accounts import (
    CONTACT_EMAIL,
    LazyHash,
    ensure_employer_users,
    ensure_municipalities,
    ensure_staff,
)
from portal.demo.aftercare import seed_aftercare
from portal.demo.context import demo_for
from portal.demo.history import seed_history
from portal.demo.onboarding import seed_onboarding
from portal.demo.open_requests import seed_open_requests
from portal.demo.organisations import ensure_employers
from portal.extensions import db
from portal.requests.defaults import ensure_default_types

#: The kinds of rows the seed reports, in the order `flask seed-demo` prints them.
DEMO_KINDS = (
    "municipalities",
    "users",
    "employers",
    "workplaces",
    "candidates",
    "requests",
    "proposals",
    "placements",
    "weekly_logs",
    "visits",
    "tasks",
    "decisions",
    "checkins",
    "alerts",
    "stage_changes",
    "screenings",
    "plan_steps",
    "exits",
    "followups",
)


def seed_demo() -> dict[str, int]:
    """Create whatever demo data is missing (never duplicates); return the number of rows added per kind."""
    created: Counter[str] = Counter()
    municipalities = ensure_municipalities(created)
    password = LazyHash()
    staff = ensure_staff(municipalities, password, created)
    employers = ensure_employers(municipalities, staff, created)
    ensure_employer_users(municipalities, employers, password, created)
    for municipality in municipalities.values():
        ensure_default_types(municipality.id)

    eindhoven, contact = municipalities["eindhoven"], staff[CONTACT_EMAIL]
    in_eindhoven = {kvk: employer for (slug, kvk), employer in employers.items() if slug == "eindhoven"}
    seed_open_requests(eindhoven, in_eindhoven, contact, created)
    demo = demo_for(eindhoven, contact, created)
    if demo is not None:
        seed_onboarding(demo)
        seed_aftercare(demo)
        seed_history(demo)
    if sum(created.values()):
        record(None, "demo.seeded", eindhoven, municipality_id=eindhoven.id, **dict(created))
    db.session.flush()
    return {kind: created[kind] for kind in DEMO_KINDS}
