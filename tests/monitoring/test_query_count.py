"""The dashboard and the lists run the same number of queries whatever the amount of data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from portal.extensions import db
from tests import factories
from tests.monitoring.conftest import asked, journey, left, placed


def _add_candidates(seed, count: int, offset: int = 0) -> None:
    """``count`` candidates with a whole journey: stages, a proposal, a placement, an exit, a follow-up."""
    a = seed.a
    for n in range(offset, offset + count):
        start = date(2025, 8, 1) + timedelta(days=7 * n)
        candidate = journey(
            a.municipality,
            {
                "aanmelding": start,
                "intake_rechtmatigheid": start + timedelta(days=10),
                "trajectbepaling": start + timedelta(days=30),
            },
        )
        candidate.specialist_id = a.municipal.id if n % 2 else None
        proposed = datetime.combine(start + timedelta(days=40), datetime.min.time(), tzinfo=UTC)
        placement = placed(a, candidate, proposed, start + timedelta(days=60))
        if n % 3 == 0:
            placement.status, placement.end_reason = "interrupted", "absence"
        else:
            asked(left(candidate, "work_parttime", start + timedelta(days=150)), 6, n % 2 == 0)
        factories.make_alert(placement, opened_at=proposed + timedelta(days=30))
    db.session.commit()


def _counts(client, count_queries) -> dict[str, int]:
    counts = {}
    for url in ("/monitoring", "/monitoring/kandidaten", "/monitoring/plaatsingen?status=started"):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts[url] = counter.count
    return counts


def test_the_same_queries_at_one_and_ten_times_the_data(seed, frozen, login_as, count_queries):
    _add_candidates(seed, 3)
    client = login_as(seed.a.municipal)
    small = _counts(client, count_queries)
    _add_candidates(seed, 27, offset=3)
    large = _counts(client, count_queries)
    assert large == small
    assert small["/monitoring"] <= 20, small
