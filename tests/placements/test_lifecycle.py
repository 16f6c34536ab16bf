"""Placement lifecycle: the transition table, starting, assigning a jobcoach, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.placements import services
from portal.placements.models import PLACEMENT_STATUSES, Placement, PlacementStatusChange
from tests import factories
from tests.conftest import form_errors_in
from tests.employers.conftest import LONG, RTL_EMOJI, SCRIPT, SQL, row
from tests.matching.conftest import make_site
from tests.placements.conftest import text

ALLOWED = {
    ("planned", "onboarding"),
    ("planned", "interrupted"),
    ("onboarding", "nazorg"),
    ("onboarding", "closed"),
    ("onboarding", "interrupted"),
    ("nazorg", "closed"),
    ("nazorg", "interrupted"),
}


def history(placement) -> list[tuple]:
    return db.session.execute(
        sa.select(
            PlacementStatusChange.from_status,
            PlacementStatusChange.to_status,
            PlacementStatusChange.changed_by_id,
        )
        .where(PlacementStatusChange.placement_id == placement.id)
        .order_by(PlacementStatusChange.id)
    ).all()


@pytest.mark.parametrize("old", PLACEMENT_STATUSES)
@pytest.mark.parametrize("new", PLACEMENT_STATUSES)
def test_change_status_follows_the_transition_table(seed, old, new):
    placement = factories.make_placement(seed.a, status=old)
    if (old, new) in ALLOWED:
        services.change_status(seed.a.municipal, placement, new, reason="Omdat het moet")
        assert placement.status == new
        assert history(placement) == [(old, new, seed.a.municipal.id)]
        event = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "placement.status_changed")
        ).one()
        assert event.detail == {"from_status": old, "to_status": new}
    else:
        with pytest.raises(DomainError, match="kan niet de status"):
            services.change_status(seed.a.municipal, placement, new)
        assert placement.status == old
        assert history(placement) == []


def test_a_placement_created_from_a_proposal_starts_its_history(seed):
    proposal = factories.make_proposal(seed.a.request, factories.make_candidate(seed.a.municipality))
    placement = services.create_placement_from_proposal(
        seed.a.employer_user, proposal, date(2026, 4, 1), date(2026, 7, 1)
    )
    assert history(placement) == [(None, "planned", seed.a.employer_user.id)]
    assert placement.days_per_week == seed.a.request.days_per_week


# Starting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["municipal", "employer"])
def test_municipal_or_employer_starts_a_planned_placement(seed, frozen, login_as, role):
    placement = seed.a.placement
    placement.start_date = date(2026, 3, 16)
    placement.planned_end_date = date(2026, 6, 16)
    db.session.commit()
    response = login_as(seed.a.user(role)).post(
        f"/plaatsingen/{placement.id}/starten", {"actual_start_date": "2026-03-16", "status": "closed"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert placement.status == "onboarding"
    assert placement.actual_start_date == date(2026, 3, 16)
    assert history(placement) == [("planned", "onboarding", seed.a.user(role).id)]
    page = text(login_as(seed.a.municipal).get(f"/plaatsingen/{placement.id}"))
    assert "status van gepland naar inwerken" in page
    assert "16 maart 2026" in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Vul de eerste werkdag in."),
        ("morgen", "Vul"),
        ("2026-13-45", "Vul"),
        (SQL, "Vul"),
        (LONG, "Vul"),
        (RTL_EMOJI, "Vul"),
        ("2026-03-25", "Kies een startdatum van"),  # more than 14 days ahead of today (10 March)
        ("2026-01-01", "Kies een startdatum van"),  # more than 30 days before the planned start
    ],
)
def test_start_refuses_bad_dates_and_changes_nothing(seed, frozen, login_as, value, message):
    placement = seed.a.placement
    placement.start_date = date(2026, 3, 16)
    db.session.commit()
    before = row(Placement, placement.id)
    response = login_as(seed.a.municipal).post(
        f"/plaatsingen/{placement.id}/starten", {"actual_start_date": value}
    )
    assert response.status_code == 200
    errors = form_errors_in(text(response))
    assert any(message in error for error in errors), errors
    assert row(Placement, placement.id) == before
    assert history(placement) == []


def test_start_refuses_a_placement_that_already_started(seed, frozen, login_as):
    placement = factories.make_placement(seed.a, status="onboarding", actual_start_date=date(2026, 3, 2))
    db.session.commit()
    response = login_as(seed.a.municipal).post(
        f"/plaatsingen/{placement.id}/starten", {"actual_start_date": "2026-03-09"}, follow_redirects=True
    )
    assert "al gestart" in text(response)
    db.session.expire_all()
    assert placement.actual_start_date == date(2026, 3, 2)
    assert history(placement) == []


def test_start_is_not_for_another_employer_or_a_jobcoach(seed, frozen, login_as):
    placement = seed.a.placement
    other = make_site(seed.a)
    before = row(Placement, placement.id)
    data = {"actual_start_date": "2026-03-10"}
    assert login_as(other.user).post(f"/plaatsingen/{placement.id}/starten", data).status_code == 404
    assert login_as(seed.a.jobcoach).post(f"/plaatsingen/{placement.id}/starten", data).status_code == 403
    assert row(Placement, placement.id) == before


# Jobcoach -------------------------------------------------------------------------------------------------


def test_municipal_assigns_an_active_jobcoach_of_its_municipality(seed, login_as):
    placement = seed.a.placement
    client = login_as(seed.a.municipal)
    page = text(client.get(f"/plaatsingen/{placement.id}"))
    assert seed.a.jobcoach.full_name in page
    assert seed.b.jobcoach.full_name not in page
    response = client.post(f"/plaatsingen/{placement.id}/jobcoach", {"jobcoach_id": str(seed.a.jobcoach.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert placement.jobcoach_id == seed.a.jobcoach.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "placement.jobcoach_assigned")
    ).one()
    assert event.detail == {"jobcoach_id": seed.a.jobcoach.id, "previous_id": None}


def test_jobcoach_choice_refuses_anyone_but_an_active_own_jobcoach(seed, login_as):
    inactive = factories.make_user("jobcoach", seed.a.municipality, is_active=False)
    placement = seed.a.placement
    client = login_as(seed.a.municipal)
    for value in (
        seed.b.jobcoach.id,
        inactive.id,
        seed.a.employer_user.id,
        seed.a.municipal.id,
        "abc",
        SQL,
        SCRIPT,
        "",
        "99999999999999999999",
    ):
        response = client.post(f"/plaatsingen/{placement.id}/jobcoach", {"jobcoach_id": str(value)})
        assert response.status_code == 200, value
        assert form_errors_in(text(response)), value
        assert "<script>alert" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert placement.jobcoach_id is None


def test_no_jobcoach_for_a_closed_placement(seed, login_as):
    placement = factories.make_placement(seed.a, status="closed")
    db.session.commit()
    response = login_as(seed.a.municipal).post(
        f"/plaatsingen/{placement.id}/jobcoach", {"jobcoach_id": str(seed.a.jobcoach.id)}
    )
    assert response.status_code == 200
    assert "afgesloten" in text(response)
    db.session.expire_all()
    assert placement.jobcoach_id is None


# Access ---------------------------------------------------------------------------------------------------


def test_jobcoach_sees_only_assigned_placements(seed, login_as):
    assigned = factories.make_placement(seed.a, jobcoach_id=seed.a.jobcoach.id)
    other = factories.make_placement(seed.a)
    foreign = factories.make_placement(seed.b, jobcoach_id=seed.b.jobcoach.id)
    db.session.commit()
    client = login_as(seed.a.jobcoach)
    page = text(client.get("/plaatsingen"))
    assert assigned.candidate.full_name in page
    assert other.candidate.pseudonym not in page
    assert foreign.candidate.pseudonym not in page
    assert client.get(f"/plaatsingen/{assigned.id}").status_code == 200
    assert client.get(f"/plaatsingen/{other.id}").status_code == 404
    assert client.get(f"/plaatsingen/{foreign.id}").status_code == 404
    assert client.get(f"/plaatsingen/{seed.a.placement.id}").status_code == 404


def test_only_municipal_staff_see_the_care_flag(seed, frozen, login_as):
    candidate = factories.make_candidate(seed.a.municipality, care_first=True, first_name="Zorgvrager")
    placement = factories.make_placement(seed.a, candidate=candidate, jobcoach_id=seed.a.jobcoach.id)
    db.session.commit()
    url = f"/plaatsingen/{placement.id}"
    municipal = text(login_as(seed.a.municipal).get(url))
    assert "Zorg gaat eerst" in municipal
    assert "Zorgvrager" in municipal
    jobcoach = text(login_as(seed.a.jobcoach).get(url))
    assert "Zorgvrager" in jobcoach
    assert "Zorg gaat eerst" not in jobcoach
    employer = text(login_as(seed.a.employer_user).get(url))
    assert "Zorg gaat eerst" not in employer
    assert "Zorgvrager" not in employer
    assert candidate.pseudonym in employer


def test_employer_sees_only_its_own_placements(seed, login_as):
    other = make_site(seed.a)
    theirs = factories.make_placement(seed.a, request=other.request)
    db.session.commit()
    client = login_as(seed.a.employer_user)
    assert client.get(f"/plaatsingen/{theirs.id}").status_code == 404
    assert theirs.candidate.pseudonym not in text(client.get("/plaatsingen"))


def test_index_runs_a_bounded_number_of_queries_for_a_jobcoach(seed, login_as, count_queries):
    factories.make_placement(seed.a, jobcoach_id=seed.a.jobcoach.id)
    db.session.commit()
    client = login_as(seed.a.jobcoach)
    with count_queries() as few:
        client.get("/plaatsingen")
    for _ in range(8):
        factories.make_placement(seed.a, jobcoach_id=seed.a.jobcoach.id)
    db.session.commit()
    with count_queries() as many:
        client.get("/plaatsingen")
    assert many.count == few.count


def test_start_window_is_around_the_planned_start(seed, frozen):
    placement = seed.a.placement
    placement.start_date = date(2026, 3, 16)
    earliest, latest = services.start_window(placement)
    assert earliest == date(2026, 3, 16) - timedelta(days=30)
    assert latest == date(2026, 3, 24)
