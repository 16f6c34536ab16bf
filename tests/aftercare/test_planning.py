"""sync_checkins: the check-in rows follow the plan, idempotently; held check-ins never change."""

from __future__ import annotations

import os
import threading
from collections import namedtuple
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.aftercare.models import AftercareSettings, CheckIn
from portal.aftercare.planning import _insert_missing, sync_checkins
from portal.extensions import db
from tests import factories
from tests.aftercare import nazorg
from tests.aftercare.nazorg import (
    CONTRACT_START,
    DEFAULT_DUES,
    TODAY,
    checkin,
    in_aftercare,
    rows_of,
)

NOTHING = {"checkins_planned": 0, "checkins_moved": 0, "checkins_cancelled": 0}

#: Fixtures of tests/aftercare/nazorg.py, used by name.
planned, today = nazorg.planned, nazorg.today


def planned_rows(dues=DEFAULT_DUES, status="planned"):
    return [(number, week, due, status) for number, week, due in dues]


def snapshot() -> list[tuple]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(sa.select(CheckIn.__table__).order_by(CheckIn.id))]


def hold(item, held_on: date, user) -> None:
    item.status, item.held_on, item.held_by_id = "held", held_on, user.id
    item.held_with, item.contact_made, item.risk = "both", True, "low"
    db.session.flush()


def test_sync_plans_the_default_checkins_on_working_days(seed, today):
    placement = in_aftercare(seed.a)
    counts = sync_checkins(today)
    # The seed's own check-in of each tenant belongs to a placement that is not in nazorg: it lapses.
    assert counts == {**NOTHING, "checkins_planned": 7, "checkins_cancelled": 2}
    assert rows_of(placement) == planned_rows()


def test_sync_is_idempotent(seed, today):
    seed_rows = snapshot()
    placements = [in_aftercare(seed.a), in_aftercare(seed.b, contract_start=date(2026, 12, 18))]
    sync_checkins(today)
    first = snapshot()
    assert sync_checkins(today) == NOTHING
    assert sync_checkins(today + timedelta(days=400)) == NOTHING  # after days of downtime: the same rows
    assert snapshot() == first
    assert len(first) == len(seed_rows) + 14
    assert [row[2] for row in rows_of(placements[1])][:2] == [date(2026, 12, 28), date(2027, 1, 4)]


def test_only_placements_in_nazorg_with_a_contract_start_and_no_outcome_get_checkins(seed, today):
    onboarding = factories.make_placement(seed.a, request=seed.a.request, status="onboarding")
    no_start = in_aftercare(seed.a, contract_start_date=None)
    finished = in_aftercare(seed.a, status="closed", outcome="employed")
    assert sync_checkins(today) == {**NOTHING, "checkins_cancelled": 2}  # the seed's check-ins
    assert rows_of(onboarding) == rows_of(no_start) == rows_of(finished) == []


def test_a_moved_contract_start_reflows_planned_checkins_and_keeps_held_ones(seed, planned, today):
    hold(checkin(planned, 1), date(2026, 5, 27), seed.a.municipal)
    hold(checkin(planned, 3), date(2026, 6, 16), seed.a.municipal)
    planned.contract_start_date = date(2026, 5, 11)  # a week earlier
    counts = sync_checkins(today)
    assert counts == {**NOTHING, "checkins_moved": 5}
    rows = rows_of(planned)
    assert rows[0] == (1, 1, date(2026, 5, 26), "held")  # unchanged (it would have moved to 18 May)
    assert rows[2] == (3, 4, date(2026, 6, 15), "held")
    assert [row[2] for row in rows if row[3] == "planned"] == [
        date(2026, 5, 26),  # week 2 from 11 May is Monday 25 May, Tweede Pinksterdag
        date(2026, 6, 22),
        date(2026, 7, 6),
        date(2026, 8, 3),
        date(2026, 8, 31),
    ]
    assert checkin(planned, 1).held_on == date(2026, 5, 27)
    assert sync_checkins(today) == NOTHING


def test_a_later_contract_start_moves_every_planned_checkin_later(seed, planned, today):
    planned.contract_start_date = CONTRACT_START + timedelta(weeks=2)
    assert sync_checkins(today)["checkins_moved"] == 7
    assert [row[2] for row in rows_of(planned)] == [
        date(2026, 6, 8),
        date(2026, 6, 15),
        date(2026, 6, 29),
        date(2026, 7, 13),
        date(2026, 7, 27),
        date(2026, 8, 24),
        date(2026, 9, 21),
    ]


def test_a_new_plan_cancels_dropped_numbers_and_plans_new_ones(seed, planned, today):
    hold(checkin(planned, 1), date(2026, 5, 26), seed.a.municipal)
    db.session.add(AftercareSettings(municipality_id=seed.a.municipality.id, checkin_weeks="1 3 8"))
    db.session.flush()
    counts = sync_checkins(today)
    assert counts == {**NOTHING, "checkins_moved": 2, "checkins_cancelled": 4}
    assert rows_of(planned) == [
        (1, 1, date(2026, 5, 26), "held"),
        (2, 3, date(2026, 6, 8), "planned"),
        (3, 8, date(2026, 7, 13), "planned"),
        (4, 6, date(2026, 6, 29), "cancelled"),
        (5, 8, date(2026, 7, 13), "cancelled"),
        (6, 12, date(2026, 8, 10), "cancelled"),
        (7, 16, date(2026, 9, 7), "cancelled"),
    ]
    # Longer again: cancelled numbers come back into the plan, and a number never used is added.
    settings = db.session.scalar(sa.select(AftercareSettings))
    settings.checkin_weeks, settings.aftercare_months = "1 2 3 4 5 6 7 8 9", 6
    counts = sync_checkins(today)
    assert counts == {**NOTHING, "checkins_planned": 6, "checkins_moved": 2}
    assert [row[1:] for row in rows_of(planned)][1:] == [
        (2, date(2026, 6, 1), "planned"),
        (3, date(2026, 6, 8), "planned"),
        (4, date(2026, 6, 15), "planned"),
        (5, date(2026, 6, 22), "planned"),
        (6, date(2026, 6, 29), "planned"),
        (7, date(2026, 7, 6), "planned"),
        (8, date(2026, 7, 13), "planned"),
        (9, date(2026, 7, 20), "planned"),
    ]
    assert sync_checkins(today) == NOTHING


def test_settings_of_another_municipality_change_nothing(seed, planned, today):
    db.session.add(AftercareSettings(municipality_id=seed.b.municipality.id, checkin_weeks="1"))
    assert sync_checkins(today) == NOTHING
    assert rows_of(planned) == planned_rows()


def test_sync_can_be_limited_to_one_placement_or_municipality(seed, today):
    mine, theirs = in_aftercare(seed.a), in_aftercare(seed.b)
    assert sync_checkins(today, placement_id=mine.id) == {**NOTHING, "checkins_planned": 7}
    assert rows_of(theirs) == []
    assert rows_of(seed.a.placement) == [(1, 1, seed.a.checkin.due_date, "planned")]
    assert sync_checkins(today, municipality_id=seed.a.municipality.id) == {
        **NOTHING,
        "checkins_cancelled": 1,
    }
    assert rows_of(seed.b.placement) == [(1, 1, seed.b.checkin.due_date, "planned")]
    assert sync_checkins(today, municipality_id=seed.b.municipality.id) == {
        **NOTHING,
        "checkins_planned": 7,
        "checkins_cancelled": 1,
    }


def test_planned_checkins_lapse_when_the_placement_leaves_nazorg(seed, planned, today):
    hold(checkin(planned, 1), date(2026, 5, 26), seed.a.municipal)
    planned.status = "interrupted"
    assert sync_checkins(today) == {**NOTHING, "checkins_cancelled": 6}
    assert [row[3] for row in rows_of(planned)] == ["held"] + ["cancelled"] * 6


def test_a_checkin_held_meanwhile_is_not_moved_by_a_sync_that_read_it_as_planned(seed, planned, today):
    item = checkin(planned, 2)
    planned.contract_start_date = date(2026, 5, 11)
    db.session.flush()
    # Another request records check-in 2 between the sync's read and its update.
    db.session.execute(
        sa.update(CheckIn)
        .where(CheckIn.id == item.id)
        .values(status="held", held_on=TODAY, held_with="employer", contact_made=False, risk="low")
    )
    real_execute = db.session.execute
    seen = []

    def stale_read(statement, *args, **kwargs):
        result = real_execute(statement, *args, **kwargs)
        if isinstance(statement, sa.Select) and not seen and "checkins" in str(statement):
            seen.append(True)
            row_type = namedtuple("Row", list(result.keys()))
            rows = [row_type(*row) for row in result]
            return [row._replace(status="planned") if row.id == item.id else row for row in rows]
        return result

    db.session.execute = stale_read
    try:
        counts = sync_checkins(today, placement_id=planned.id)
    finally:
        del db.session.execute
    assert counts["checkins_moved"] == 6  # check-in 2 was refused by the WHERE status = 'planned'
    assert rows_of(planned)[1] == (2, 2, date(2026, 6, 1), "held")


def test_inserting_a_number_that_exists_already_is_skipped_not_an_error(seed, planned):
    row = {
        "placement_id": planned.id,
        "number": 1,
        "week": 1,
        "due_date": date(2026, 5, 26),
        "status": "planned",
        "scores": {},
    }
    assert _insert_missing([row]) == 0
    assert _insert_missing([{**row, "number": 8, "week": 17}]) == 1
    assert len(rows_of(planned)) == 8


# PostgreSQL: syncs running at the same time ---------------------------------------------------------------

SYNCS = 4


@pytest.fixture
def scratch_app(app):
    """An app on its own, committed PostgreSQL database (the per-test rollback hides rows from others)."""
    from alembic import command

    from portal import create_app
    from portal.core.migrate import alembic_config
    from tests.pg import recreate_database

    url = recreate_database(os.environ["TEST_DATABASE_URL"], "sync_concurrency")
    command.upgrade(alembic_config(url), "head")
    scratch = create_app("testing", DATABASE_URL=url)
    yield scratch
    with scratch.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_concurrent_syncs_plan_each_checkin_once(scratch_app):
    with scratch_app.app_context():
        tenants = factories.two_tenants()
        placements = [in_aftercare(tenant) for tenant in (tenants.a, tenants.b) for _ in range(5)]
        db.session.commit()
        ids = [p.id for p in placements]
    results, errors = [], []
    barrier = threading.Barrier(SYNCS)

    def run():
        try:
            with scratch_app.app_context():
                barrier.wait()
                results.append(sync_checkins(TODAY))
                db.session.commit()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(SYNCS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # The seed's own check-ins (one per tenant) are on placements that are not in nazorg: they lapse once.
    assert sum(r["checkins_planned"] for r in results) == 7 * len(ids)
    assert sum(r["checkins_moved"] for r in results) == 0
    with scratch_app.app_context():
        rows = db.session.execute(
            sa.select(CheckIn.placement_id, CheckIn.number, CheckIn.due_date).where(
                CheckIn.placement_id.in_(ids)
            )
        ).all()
        assert len(rows) == len({(r.placement_id, r.number) for r in rows}) == 7 * len(ids)
        assert sorted({r.due_date for r in rows}) == [due for _, _, due in DEFAULT_DUES]
        assert sync_checkins(TODAY) == NOTHING
