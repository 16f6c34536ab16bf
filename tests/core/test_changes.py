"""Every commit that writes a tenant's data leaves a mark naming what it touched (portal/core/changes.py)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.core import changes
from portal.core.audit import record
from portal.core.models import ChangeMark
from portal.core.time import now_utc
from portal.extensions import db
from portal.placements.models import Placement
from tests import factories


def marks_after(first_id: int) -> set[tuple[int | None, int | None]]:
    rows = db.session.execute(
        sa.select(ChangeMark.municipality_id, ChangeMark.employer_id).where(ChangeMark.id > first_id)
    )
    return {tuple(row) for row in rows}


def newest() -> int:
    """The newest mark's id, after committing what the fixtures wrote."""
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(ChangeMark.id), 0)))


def test_rows_are_placed_by_their_own_or_their_parents_municipality_and_employer(seed):
    a, b = seed.a, seed.b
    placement = factories.make_placement(a, request=a.request, status="onboarding")
    db.session.commit()
    start = newest()
    factories.make_alert(placement)  # its own municipality, its placement's employer
    factories.make_workplace(b.employer, name="Werkplaats B")  # no municipality: through the employer
    db.session.commit()
    assert marks_after(start) == {
        (a.municipality.id, a.employer.id),
        (b.municipality.id, b.employer.id),
    }
    start = newest()
    placement.candidate.home_town = "Nieuwdorp"  # every employer of the municipality may show a candidate
    db.session.commit()
    assert marks_after(start) == {(a.municipality.id, None)}


def test_the_trail_and_login_failures_leave_no_mark_and_a_rollback_none_at_all(seed):
    start = newest()
    record(seed.a.municipal, "test.looked", seed.a.employer)
    db.session.commit()
    assert marks_after(start) == set()
    factories.make_workplace(seed.a.employer, name="Teruggedraaid")
    db.session.flush()
    db.session.rollback()
    factories.make_workplace(seed.b.employer, name="Wel bewaard")
    db.session.commit()
    assert marks_after(start) == {(seed.b.municipality.id, seed.b.employer.id)}


def test_a_bulk_statement_marks_everything(seed):
    start = newest()
    db.session.execute(sa.update(Placement).where(Placement.id == -1).values(days_per_week=4))
    db.session.commit()
    assert marks_after(start) == {(None, None)}


def test_latest_reads_the_scopes_of_a_page(seed):
    a = seed.a
    newest()
    factories.make_workplace(a.employer, name="Eigen")
    db.session.commit()
    own = changes.latest(db.session, a.municipality.id, a.employer.id)
    whole = changes.latest(db.session, a.municipality.id)
    assert own[2] == whole[1] == newest()
    neighbour = factories.make_employer(a.municipality)
    db.session.commit()
    assert changes.latest(db.session, a.municipality.id, a.employer.id) == own
    assert changes.latest(db.session, a.municipality.id) != whole
    assert neighbour.id


def test_the_prune_job_deletes_marks_older_than_a_day(seed):
    factories.make_workplace(seed.a.employer, name="Oud")
    db.session.commit()
    old = newest()
    db.session.execute(
        sa.update(ChangeMark).where(ChangeMark.id <= old).values(created_at=now_utc() - timedelta(days=2))
    )
    factories.make_workplace(seed.a.employer, name="Nieuw")
    db.session.commit()
    recent = newest()
    assert changes.prune()["pruned"] >= 1
    assert db.session.scalar(sa.select(sa.func.min(ChangeMark.id))) == recent


def test_sql_as_text_that_may_write_marks_everything_and_a_read_nothing(seed):
    start = newest()
    db.session.execute(sa.text("SELECT 1"))
    db.session.commit()
    assert marks_after(start) == set()
    db.session.execute(sa.text("UPDATE placements SET days_per_week = days_per_week WHERE id = -1"))
    db.session.commit()
    assert marks_after(start) == {(None, None)}


def test_a_login_leaves_no_mark_but_a_new_phone_number_does(seed, login_as):
    start = newest()
    login_as(seed.a.municipal)
    assert marks_after(start) == set(), "a login's bookkeeping is on no page"
    seed.a.municipal.phone = "040 222 33 44"
    db.session.commit()
    assert marks_after(start) == {(seed.a.municipality.id, None)}


def test_a_bulk_update_of_bookkeeping_alone_leaves_no_mark(seed):
    from portal.auth.models import User

    start = newest()
    db.session.execute(sa.update(User).where(User.id == seed.a.municipal.id).values(totp_last_step=None))
    db.session.commit()
    assert marks_after(start) == set()
    db.session.execute(sa.update(User).where(User.id == seed.a.municipal.id).values(phone="040 1"))
    db.session.commit()
    assert marks_after(start) == {(None, None)}


def test_rows_of_very_many_parents_mark_everything_without_looking_them_up(seed, monkeypatch):
    monkeypatch.setattr(changes, "RESOLVE_AT_MOST", 1)
    start = newest()
    factories.make_workplace(seed.a.employer, name="Een")
    factories.make_workplace(seed.b.employer, name="Twee")
    db.session.commit()
    assert marks_after(start) == {(None, None)}
