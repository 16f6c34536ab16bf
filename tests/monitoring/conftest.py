"""Helpers for the monitoring tests: a candidate's journey (stage changes, proposal, placement, exit,
follow-ups) made directly in the database, with the clock frozen."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.journey.models import Exit, RetentionFollowUp, StageChange
from portal.requests.models import Proposal
from tests import factories

#: Monday 15 June 2026, ten in the morning in Amsterdam. The default period is 1 July 2025 - 15 June 2026.
T0 = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def stage(candidate, code: str, on: date, **kw) -> StageChange:
    """The candidate entered ``code`` on ``on`` (and is in it now when it is the latest)."""
    change = StageChange(
        municipality_id=candidate.municipality_id, candidate_id=candidate.id, stage=code, entered_on=on, **kw
    )
    db.session.add(change)
    if candidate.stage_since is None or on >= candidate.stage_since:
        candidate.stage, candidate.stage_since = code, on
    db.session.flush()
    return change


def journey(municipality, stages: dict[str, date], **kw):
    """A fresh candidate of ``municipality`` with these stages (code → date entered)."""
    candidate = factories.make_candidate(municipality, **kw)
    for code, on in sorted(stages.items(), key=lambda item: item[1]):
        stage(candidate, code, on, source="coa_tvs" if code == "aanmelding" else None)
    return candidate


def placed(tenant, candidate, proposed_at: datetime, started_on: date | None, **kw):
    """A placement of ``candidate`` whose (accepted) proposal was made at ``proposed_at``."""
    placement = factories.make_placement(
        tenant,
        candidate=candidate,
        start_date=kw.pop("start_date", started_on or proposed_at.date()),
        actual_start_date=started_on,
        status=kw.pop("status", "onboarding" if started_on else "planned"),
        **kw,
    )
    db.session.execute(
        sa.update(Proposal).where(Proposal.id == placement.proposal_id).values(created_at=proposed_at)
    )
    db.session.flush()
    return placement


def left(candidate, kind: str, on: date, reason: str | None = None, status: str = "confirmed") -> Exit:
    exit_ = Exit(
        municipality_id=candidate.municipality_id,
        candidate_id=candidate.id,
        status=status,
        exit_on=on,
        kind=kind,
        reason=reason,
    )
    db.session.add(exit_)
    db.session.flush()
    if status == "confirmed":
        stage(candidate, "uitstroom", on)
    return exit_


def asked(exit_: Exit, months: int, still_employed: bool | None) -> RetentionFollowUp:
    """A retention follow-up; ``still_employed`` None means not answered yet."""
    answered = still_employed is not None
    followup = RetentionFollowUp(
        municipality_id=exit_.municipality_id,
        candidate_id=exit_.candidate_id,
        exit_id=exit_.id,
        months=months,
        due_on=exit_.exit_on,
        answered_at=T0 if answered else None,
        answered_via="specialist" if answered else None,
        still_employed=still_employed,
    )
    db.session.add(followup)
    db.session.flush()
    return followup
