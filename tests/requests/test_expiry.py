"""Requests nobody can fill any more expire (verlopen) in an hourly, idempotent sweep."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal import scheduler
from portal.core.models import OutboxEmail
from portal.extensions import db
from portal.requests.models import PlacementRequest
from tests.factories import make_candidate, make_proposal, make_request

TODAY = date(2026, 11, 22)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to("2026-11-22 09:00 +01:00", tick=False)


def _status(request_id: int) -> str:
    db.session.expire_all()
    return db.session.get(PlacementRequest, request_id).status


def test_an_old_open_request_expires_once_and_the_employer_hears_of_it(app, seed, frozen):
    old = make_request(
        seed.a.workplace,
        desired_start=TODAY - timedelta(days=31),
        status="in_progress",
        created_by=seed.a.employer_user,
    )
    db.session.commit()
    assert scheduler.run_job(app, "requests.expire") == {"expired": 1}
    assert _status(old.id) == "expired"
    mails = db.session.scalars(
        sa.select(OutboxEmail).where(OutboxEmail.dedupe_key.like(f"request.expired:{old.id}:%"))
    )
    assert [m.to_address for m in mails] == [seed.a.employer_user.email]
    assert scheduler.run_job(app, "requests.expire") == {"expired": 0}


@pytest.mark.parametrize(
    ("days_ago", "status", "expires"),
    [
        (30, "submitted", False),  # exactly the limit: not yet
        (31, "submitted", True),
        (31, "proposed", True),
        (400, "draft", False),  # drafts are the employer's own business
        (400, "filled", False),
        (400, "withdrawn", False),
    ],
)
def test_which_requests_expire(app, seed, frozen, days_ago, status, expires):
    request = make_request(seed.a.workplace, desired_start=TODAY - timedelta(days=days_ago), status=status)
    db.session.commit()
    scheduler.run_job(app, "requests.expire")
    assert (_status(request.id) == "expired") is expires


@pytest.mark.parametrize("proposal_status", ["proposed", "meeting"])
def test_an_open_proposal_keeps_the_request_alive(app, seed, frozen, proposal_status):
    request = make_request(seed.a.workplace, desired_start=TODAY - timedelta(days=90), status="proposed")
    make_proposal(request, make_candidate(seed.a.municipality), status=proposal_status)
    db.session.commit()
    scheduler.run_job(app, "requests.expire")
    assert _status(request.id) == "proposed"


@pytest.mark.parametrize(("ended_days_ago", "expires"), [(0, False), (30, False), (31, True)])
def test_a_position_freed_by_uitval_gets_a_fresh_month(app, seed, frozen, ended_days_ago, expires):
    """After uitval the request is open again; it does not expire (with an e-mail) before a month passed."""
    from tests.factories import make_placement

    request = make_request(seed.a.workplace, desired_start=TODAY - timedelta(days=120), status="in_progress")
    make_placement(
        seed.a,
        request=request,
        status="interrupted",
        start_date=TODAY - timedelta(days=120),
        ended_on=TODAY - timedelta(days=ended_days_ago),
        end_reason="health",
    )
    db.session.commit()
    scheduler.run_job(app, "requests.expire")
    assert (_status(request.id) == "expired") is expires
