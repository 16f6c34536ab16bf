"""The dashboard's figures, exact on small hand-made data: waiting times, exits, retention, caseload."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.extensions import db
from portal.journey.models import TeamSettings
from portal.monitoring import queries
from portal.monitoring.figures import Period, percentile
from tests import factories
from tests.monitoring.conftest import asked, journey, left, placed

PERIOD = Period(date(2025, 7, 1), date(2026, 6, 15))


@pytest.fixture
def world(seed, frozen):
    """Three candidates of tenant A registered in the period, one long before, one of tenant B."""
    a = seed.a
    first = journey(
        a.municipality,
        {
            "aanmelding": date(2026, 1, 5),
            "intake_rechtmatigheid": date(2026, 1, 15),
            "trajectbepaling": date(2026, 2, 4),
        },
        first_name="Amina",
    )
    first.specialist_id = a.municipal.id
    placed(a, first, datetime(2026, 2, 14, 10, 0, tzinfo=UTC), date(2026, 3, 16))
    second = journey(
        a.municipality,
        {
            "aanmelding": date(2026, 1, 20),
            "intake_doelmatigheid": date(2026, 2, 19),
            "trajectbepaling": date(2026, 3, 1),
        },
    )
    second.specialist_id = a.municipal.id
    third = journey(
        a.municipality, {"aanmelding": date(2026, 3, 2), "intake_doelmatigheid": date(2026, 3, 22)}
    )
    old = journey(a.municipality, {"aanmelding": date(2024, 1, 1), "intake_rechtmatigheid": date(2024, 1, 2)})
    other = journey(
        seed.b.municipality, {"aanmelding": date(2026, 2, 1), "intake_rechtmatigheid": date(2026, 5, 1)}
    )
    work = left(first, "work_fulltime", date(2026, 4, 1), "Vaste baan bij de bakker")
    asked(work, 6, True)
    asked(work, 12, None)
    left(second, "education", date(2026, 4, 10), "Start mbo-opleiding")
    parttime = left(third, "work_parttime", date(2026, 5, 1))
    asked(parttime, 6, False)
    left(other, "work_fulltime", date(2026, 5, 2))
    db.session.flush()
    return {"first": first, "second": second, "third": third, "old": old, "other": other}


def _waiting(board, code):
    return next(step["spread"] for step in board.waiting if step["code"] == code)


def test_percentile_interpolates_like_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7
    assert percentile([10, 20, 30], 0.5) == 20
    assert percentile([10, 20, 30], 0.9) == pytest.approx(28)
    assert percentile([30, 10], 0.9) == pytest.approx(28)


def test_waiting_times_per_transition_are_exact(world, seed):
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    assert board.registered == 3
    intake = _waiting(board, "aanmelding_intake")
    assert (intake.count, intake.median, intake.p90) == (3, 20, pytest.approx(28))
    route = _waiting(board, "intake_trajectbepaling")
    assert (route.count, route.median, route.p90) == (2, 15, pytest.approx(19))
    proposal = _waiting(board, "trajectbepaling_voorstel")
    assert (proposal.count, proposal.median, proposal.p90) == (1, 10, 10)
    start = _waiting(board, "voorstel_start")
    assert (start.count, start.median, start.p90) == (1, 30, 30)


def test_stages_exits_and_share_to_work(world, seed):
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    stages = {stage["code"]: stage["count"] for stage in board.stages}
    assert stages["uitstroom"] == 3
    assert sum(stages.values()) == 3
    exits = board.exits
    assert (exits["exited"], exits["to_work"]) == (3, 2)
    assert exits["to_work_share"] == pytest.approx(200 / 3)
    kinds = {kind["code"]: kind["count"] for kind in exits["kinds"]}
    assert kinds == {
        "work_fulltime": 1,
        "work_parttime": 1,
        "leerwerk": 0,
        "education": 1,
        "moved": 0,
        "other": 0,
    }
    reasons = {(reason["kind"], reason["reason"]) for reason in exits["reasons"]}
    assert ("work_fulltime", "Vaste baan bij de bakker") in reasons


def test_retention_counts_only_answered_follow_ups(world, seed):
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    six, twelve = board.retention
    assert (six["months"], six["asked"], six["answered"], six["employed"], six["rate"]) == (6, 2, 2, 1, 50)
    assert (twelve["months"], twelve["asked"], twelve["answered"], twelve["open"]) == (12, 1, 0, 1)
    assert twelve["rate"] is None


def test_cohorts_per_month_of_registration(world, seed):
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    cohorts = {cohort["code"]: cohort for cohort in board.cohorts}
    assert len(cohorts) == 12
    assert cohorts["2026-01"]["registered"] == 2
    assert cohorts["2026-01"]["to_work"] == 1
    assert cohorts["2026-03"]["registered"] == 1
    assert cohorts["2025-07"]["registered"] == 0


def test_a_cohort_of_one_candidate(world, seed):
    board = queries.dashboard(seed.a.municipality.id, Period(PERIOD.start, PERIOD.end, "2026-03"))
    assert board.registered == 1
    intake = _waiting(board, "aanmelding_intake")
    assert (intake.count, intake.median, intake.p90) == (1, 20, 20)
    assert _waiting(board, "intake_trajectbepaling").median is None
    assert board.exits["to_work_share"] == 100
    assert [cohort["code"] for cohort in board.cohorts] == ["2026-03"]


def test_an_empty_period_has_no_figures_and_still_renders(world, seed, login_as):
    board = queries.dashboard(seed.a.municipality.id, Period(date(2020, 1, 1), date(2020, 12, 31)))
    assert board.registered == 0
    assert all(step["spread"].count == 0 and step["spread"].median is None for step in board.waiting)
    assert board.exits["to_work_share"] is None
    assert board.dropout["rate"] is None
    response = login_as(seed.a.municipal).get("/monitoring?van=2020-01-01&tot=2020-12-31")
    assert response.status_code == 200
    assert "Aangemeld in deze periode" in response.get_data(as_text=True)


def test_caseload_against_the_team_norm(world, seed):
    db.session.add(TeamSettings(municipality_id=seed.a.municipality.id, caseload_norm=1))
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    # Everyone of the period has left; only the old candidate (no specialist) is still in the journey.
    assert board.caseload["norm"] == 1
    assert board.caseload["specialists"] == []
    assert board.caseload["unassigned"] == 1
    extra = journey(seed.a.municipality, {"aanmelding": date(2026, 6, 1)})
    extra.specialist_id = seed.a.municipal.id
    other = journey(seed.a.municipality, {"aanmelding": date(2026, 6, 2)})
    other.specialist_id = seed.a.municipal.id
    db.session.flush()
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    [person] = board.caseload["specialists"]
    assert (person["id"], person["count"], person["share"]) == (seed.a.municipal.id, 2, 200)
    assert board.caseload["over_norm"] == 1


def test_the_default_caseload_norm_is_100(world, seed):
    assert queries.dashboard(seed.a.municipality.id, PERIOD).caseload["norm"] == 100


def test_dropout_and_placement_outcomes(world, seed):
    first = world["first"]
    stopped = placed(seed.a, first, datetime(2026, 3, 20, 9, tzinfo=UTC), date(2026, 3, 25))
    stopped.status, stopped.end_reason, stopped.ended_on = "interrupted", "language", date(2026, 4, 2)
    db.session.flush()
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    assert board.dropout["started"] == 2
    assert board.dropout["interrupted"] == 1
    assert board.dropout["rate"] == 50
    assert [(r["code"], r["count"]) for r in board.dropout["reasons"]] == [("language", 1)]


def test_alerts_time_to_pick_up_and_resolve(world, seed):
    base = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    alerts = [
        factories.make_alert(
            seed.a.placement, "low_score", opened_at=base, acknowledged_at=base.replace(hour=10)
        ),
        factories.make_alert(
            seed.a.placement,
            "absence_hours",
            opened_at=base,
            acknowledged_at=base.replace(hour=12),
            resolved_at=base.replace(day=5),
            status="resolved",
        ),
    ]
    db.session.flush()
    board = queries.dashboard(seed.a.municipality.id, PERIOD)
    # The seed's own alert was opened before the clock was frozen: after the period.
    assert board.alerts["opened"] == 2
    assert board.alerts["open"] == 1
    assert board.alerts["pickup_hours"].count == 2
    assert board.alerts["pickup_hours"].median == pytest.approx(3)
    assert board.alerts["resolve_hours"].median == pytest.approx(24)
    assert len(alerts) == 2
