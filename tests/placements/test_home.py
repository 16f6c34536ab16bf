"""Home pages: the employer's due and overdue weekly logs, the jobcoach's assigned placements."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.extensions import db
from portal.placements.models import WeeklyLog
from tests import factories
from tests.matching.conftest import make_site
from tests.placements.conftest import FIRST_WEEK, LAST_WEEK, THIS_WEEK, log_url, text


def add_log(placement, week, user) -> WeeklyLog:
    log = WeeklyLog(
        placement_id=placement.id,
        week_start=week,
        days_planned=placement.days_per_week,
        days_present=placement.days_per_week,
        punctuality=3,
        task_progress=3,
        dutch_at_work=3,
        teamwork=3,
        motivation=3,
        submitted_by_id=user.id,
    )
    db.session.add(log)
    db.session.flush()
    return log


def test_employer_home_lists_due_and_overdue_logs(seed, started, login_as):
    add_log(started, FIRST_WEEK, seed.a.employer_user)
    db.session.commit()
    page = text(login_as(seed.a.employer_user).get("/"))
    assert "Weekverslagen" in page
    assert "U moet deze week nog één weekverslag invullen." in page
    assert "Eén weekverslag is te laat." in page
    assert log_url(started, THIS_WEEK) in page
    assert log_url(started, LAST_WEEK) in page
    assert log_url(started, FIRST_WEEK) not in page
    assert started.candidate.pseudonym in page


def test_employer_home_follows_the_clock_and_the_logs(seed, started, login_as, time_machine):
    time_machine.move_to(datetime(2026, 3, 23, 9, 0, tzinfo=UTC), tick=False)  # Monday, four weeks in
    client = login_as(seed.a.employer_user)
    page = text(client.get("/"))
    assert "Vier weekverslagen zijn te laat." in page
    assert "U moet deze week nog één weekverslag invullen." in page
    weeks = (FIRST_WEEK, LAST_WEEK, THIS_WEEK, date(2026, 3, 16), date(2026, 3, 23))
    for week in weeks:
        assert log_url(started, week) in page
    assert log_url(started, date(2026, 3, 30)) not in page
    for week in weeks:
        add_log(started, week, seed.a.employer_user)
    db.session.commit()
    page = text(client.get("/"))
    assert "U heeft alle weekverslagen ingevuld." in page


def test_employer_home_shows_no_logs_for_planned_or_other_employers_placements(seed, frozen, login_as):
    other = make_site(seed.a)
    factories.make_placement(
        seed.a,
        request=other.request,
        status="onboarding",
        start_date=FIRST_WEEK,
        actual_start_date=FIRST_WEEK,
    )
    db.session.commit()
    page = text(login_as(seed.a.employer_user).get("/"))
    assert "U heeft alle weekverslagen ingevuld." in page
    assert "/week/" not in page


def test_employer_home_shows_the_name_after_identity_consent(seed, started, login_as):
    factories.make_consent(
        started.candidate, kind="reveal_identity", employer=seed.a.employer, recorded_by=seed.a.municipal
    )
    db.session.commit()
    assert started.candidate.full_name in text(login_as(seed.a.employer_user).get("/"))


def test_employer_home_runs_a_bounded_number_of_queries(
    seed, started, login_as, count_queries, no_page_cache
):
    client = login_as(seed.a.employer_user)
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for _ in range(6):
        placement = factories.make_placement(
            seed.a,
            request=seed.a.request,
            status="onboarding",
            start_date=FIRST_WEEK,
            actual_start_date=FIRST_WEEK,
        )
        add_log(placement, FIRST_WEEK, seed.a.employer_user)
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/"))
    assert many.count == few.count
    assert "Zeven weekverslagen zijn te laat." not in page  # 1 + 6 placements, last week only
    assert "U moet deze week nog zeven weekverslagen invullen." in page


def test_jobcoach_home_lists_assigned_placements_with_the_last_log(
    seed, started, login_as, count_queries, no_page_cache
):
    started.jobcoach_id = seed.a.jobcoach.id
    add_log(started, FIRST_WEEK, seed.a.employer_user)
    add_log(started, LAST_WEEK, seed.a.employer_user)
    unassigned = factories.make_placement(seed.a)
    db.session.commit()
    client = login_as(seed.a.jobcoach)
    page = text(client.get("/"))
    assert started.candidate.full_name in page
    assert "Inwerken" in page
    assert "week van 2 maart 2026" in page
    assert unassigned.candidate.pseudonym not in page
    with count_queries() as few:
        client.get("/")
    for _ in range(5):
        add_log(
            factories.make_placement(seed.a, jobcoach_id=seed.a.jobcoach.id), FIRST_WEEK, seed.a.employer_user
        )
    db.session.commit()
    with count_queries() as many:
        assert "Nog geen weekverslag" not in text(client.get("/"))
    assert many.count == few.count


def test_jobcoach_home_without_placements(seed, login_as):
    assert "U heeft nog geen plaatsingen toegewezen gekregen" in text(login_as(seed.a.jobcoach).get("/"))
