"""Keep the check-in rows in line with the plan: idempotent, and safe when two runs overlap.

``sync_checkins`` is the first step of the aftercare reconcile (portal/alerts/reconcile.py) and also
runs right after a change that moves the plan (a corrected contract start, new settings). It only
flushes; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.plan import PlannedCheckIn, checkin_plan
from portal.aftercare.settings import months_of, settings_by_municipality, weeks_of
from portal.core.sql import conflict_insert, in_ids
from portal.core.time import now_utc
from portal.extensions import db
from portal.placements.models import Placement

#: Placements handled per round (bounds memory and statement size).
CHUNK = 500


def plan_for(placement: Placement, settings: AftercareSettings) -> list[PlannedCheckIn]:
    """The check-ins a placement in nazorg should have (none without a contract start)."""
    if placement.contract_start_date is None:
        return []
    return checkin_plan(placement.contract_start_date, weeks_of(settings), months_of(settings))


def in_aftercare(
    municipality_id: int | None = None,
    placement_id: int | None = None,
    *,
    after: int | None = None,
    limit: int | None = None,
) -> sa.Select:
    """The placements in nazorg the plan applies to (with a contract start, no outcome), by id: of one
    municipality or placement, or the next ``limit`` after id ``after``. Only the columns the plan reads."""
    query = (
        sa.select(Placement.id, Placement.municipality_id, Placement.contract_start_date)
        .where(
            Placement.status == "nazorg",
            Placement.contract_start_date.is_not(None),
            Placement.outcome.is_(None),
        )
        .order_by(Placement.id)
    )
    if municipality_id is not None:
        query = query.where(Placement.municipality_id == municipality_id)
    if placement_id is not None:
        query = query.where(Placement.id == placement_id)
    if after is not None:
        query = query.where(Placement.id > after)
    if limit is not None:
        query = query.limit(limit)
    return query


def _insert_missing(rows: list[dict]) -> int:
    """Insert plan rows; a row another run inserted first is skipped. Returns how many were inserted."""
    if not rows:
        return 0
    statement = (
        conflict_insert(CheckIn)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["placement_id", "number"])
        .returning(CheckIn.__table__.c.id)
    )
    # RETURNING counts the rows really inserted (rowcount is not reported for this on every driver).
    return len(db.session.execute(statement).all())


def _move(checkin_id: int, status: str, week: int, due_date: date) -> int:
    """Re-flow one row that is not held (a planned row, or a cancelled one back in the plan).

    The status in the WHERE makes a check-in held in the meantime by someone else stay as it is.
    """
    result = db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status == status)
        .values(status="planned", week=week, due_date=due_date),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount


def _cancel(where) -> int:
    result = db.session.execute(
        sa.update(CheckIn).where(CheckIn.status == "planned", where).values(status="cancelled"),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount


def _sync_chunk(placements: list, settings: dict[int, AftercareSettings], now) -> dict[str, int]:
    counts = {"checkins_planned": 0, "checkins_moved": 0, "checkins_cancelled": 0}
    existing: dict[int, dict[int, tuple]] = defaultdict(dict)
    for row in db.session.execute(
        sa.select(
            CheckIn.id, CheckIn.placement_id, CheckIn.number, CheckIn.week, CheckIn.due_date, CheckIn.status
        ).where(in_ids(CheckIn.placement_id, [p.id for p in placements]))
    ):
        existing[row.placement_id][row.number] = row
    inserts, stale = [], []
    shapes = {municipality: (weeks_of(row), months_of(row)) for municipality, row in settings.items()}
    plans: dict[tuple, list[PlannedCheckIn]] = {}  # many placements share a start and settings
    for placement in placements:
        key = (placement.contract_start_date, *shapes[placement.municipality_id])
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = checkin_plan(*key)
        rows = existing[placement.id]
        numbers = {item.number for item in plan}
        for item in plan:
            row = rows.get(item.number)
            if row is None:
                inserts.append(
                    {
                        "placement_id": placement.id,
                        "number": item.number,
                        "week": item.week,
                        "due_date": item.due_date,
                        "status": "planned",
                        "scores": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            elif row.status == "cancelled":
                counts["checkins_planned"] += _move(row.id, "cancelled", item.week, item.due_date)
            elif row.status == "planned" and (row.week, row.due_date) != (item.week, item.due_date):
                counts["checkins_moved"] += _move(row.id, "planned", item.week, item.due_date)
        stale += [row.id for number, row in rows.items() if number not in numbers and row.status == "planned"]
    if stale:
        counts["checkins_cancelled"] += _cancel(CheckIn.id.in_(stale))
    for start in range(0, len(inserts), CHUNK):
        counts["checkins_planned"] += _insert_missing(inserts[start : start + CHUNK])
    return counts


def cancel_ended(municipality_id: int | None = None, placement_id: int | None = None) -> int:
    """Planned check-ins of placements that left nazorg (uitval, outcome recorded) lapse."""
    ended = sa.select(Placement.id).where(
        sa.or_(Placement.status != "nazorg", Placement.outcome.is_not(None))
    )
    if municipality_id is not None:
        ended = ended.where(Placement.municipality_id == municipality_id)
    if placement_id is not None:
        ended = ended.where(Placement.id == placement_id)
    return _cancel(CheckIn.placement_id.in_(ended))


def sync_checkins(
    today: date, *, municipality_id: int | None = None, placement_id: int | None = None
) -> dict[str, int]:
    """Make the check-in rows of every placement in nazorg match its plan.

    For each placement in nazorg with a contract start and no outcome: insert the plan's missing
    numbers (INSERT ... ON CONFLICT DO NOTHING), move planned rows whose week or due date differ,
    bring back cancelled rows whose number is in the plan again, and cancel planned rows whose number
    left the plan. Held rows never change. Planned rows of placements that left nazorg are cancelled.
    ``municipality_id`` / ``placement_id`` limit the run (after a settings change or a corrected
    contract). The plan depends only on stored dates, so ``today`` changes nothing: a run after days
    of downtime gives the same rows. Flushes only. Returns the counts of planned, moved and cancelled
    check-ins.
    """
    db.session.flush()
    now = now_utc()
    counts = {"checkins_planned": 0, "checkins_moved": 0, "checkins_cancelled": 0}
    counts["checkins_cancelled"] += cancel_ended(municipality_id, placement_id)
    placements = db.session.execute(in_aftercare(municipality_id, placement_id)).all()
    for start in range(0, len(placements), CHUNK):
        for key, value in sync_placements(placements[start : start + CHUNK], now).items():
            counts[key] += value
    db.session.flush()
    return counts


def sync_placements(placements: list, now=None) -> dict[str, int]:
    """Make the check-in rows of these placements in nazorg (rows of ``in_aftercare``) match their plan,
    in a fixed number of statements when nothing changes. Flushes only; the counts as ``sync_checkins``."""
    if not placements:
        return {"checkins_planned": 0, "checkins_moved": 0, "checkins_cancelled": 0}
    settings = settings_by_municipality(p.municipality_id for p in placements)
    counts = _sync_chunk(placements, settings, now or now_utc())
    db.session.flush()
    return counts
