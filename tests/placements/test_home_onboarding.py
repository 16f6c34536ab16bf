"""Home pages during onboarding: decisions to take, open tasks and recent concerns, per role."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from tests import factories
from tests.placements.conftest import FIRST_WEEK, LAST_WEEK, text
from tests.placements.test_home import add_log

#: T0 (the frozen clock) is Tuesday 10 March 2026; 10 working days later is Tuesday 24 March.
NEAR_END = date(2026, 3, 20)
FAR_END = date(2026, 6, 1)


def onboarding(tenant, end=FAR_END, **kw):
    return factories.make_placement(
        tenant,
        request=tenant.request,
        status="onboarding",
        start_date=FIRST_WEEK,
        actual_start_date=FIRST_WEEK,
        planned_end_date=end,
        **kw,
    )


def test_employer_home_asks_about_placements_that_end_soon(seed, frozen, login_as):
    near = onboarding(seed.a, NEAR_END)
    far = onboarding(seed.a, FAR_END)
    other = onboarding(seed.b, NEAR_END)
    db.session.commit()
    page = text(login_as(seed.a.employer_user).get("/"))
    assert "Plaatsingen die bijna aflopen" in page
    assert f"/plaatsingen/{near.id}" in page
    assert "loopt af op 20 maart 2026" in page
    assert f'/plaatsingen/{far.id}"' not in page
    assert f'/plaatsingen/{other.id}"' not in page
    assert near.candidate.full_name not in page  # no identity consent: the pseudonym only
    assert near.candidate.pseudonym in page


def test_employer_home_has_no_end_notice_without_near_ends(seed, frozen, login_as):
    onboarding(seed.a, FAR_END)
    db.session.commit()
    assert "Plaatsingen die bijna aflopen" not in text(login_as(seed.a.employer_user).get("/"))


def test_employer_home_lists_only_the_employers_own_open_actions(seed, frozen, login_as):
    placement = onboarding(seed.a)
    mine = factories.make_task(placement, title="Rooster delen", due_date=date(2026, 3, 6))
    factories.make_task(placement, title="Buskaart regelen", owner="candidate")
    factories.make_task(placement, title="Intake na uitval", owner="municipal", kind="intake")
    factories.make_task(placement, title="Al gedaan", status="done")
    db.session.commit()
    page = text(login_as(seed.a.employer_user).get("/"))
    assert "Rooster delen" in page
    assert "Te laat" in page  # due 6 March, today is 10 March
    for hidden in ("Buskaart regelen", "Intake na uitval", "Al gedaan"):
        assert hidden not in page
    assert f'action="/taken/{mine.id}/gedaan"' in page


def test_a_task_done_from_the_home_page_returns_there(seed, frozen, login_as):
    task = factories.make_task(onboarding(seed.a), title="Rooster delen")
    db.session.commit()
    client = login_as(seed.a.employer_user)
    response = client.post(f"/taken/{task.id}/gedaan", {"next": "/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = text(client.get("/"))
    assert "De taak 'Rooster delen' is gedaan." in page
    assert f"/taken/{task.id}/gedaan" not in page


def test_jobcoach_home_lists_open_tasks_of_assigned_placements_only(seed, frozen, login_as):
    assigned = onboarding(seed.a, jobcoach_id=seed.a.jobcoach.id)
    other = onboarding(seed.a)
    factories.make_task(assigned, title="Terugbellen werkbegeleider", owner="jobcoach")
    factories.make_task(other, title="Niet van deze jobcoach", owner="jobcoach")
    db.session.commit()
    page = text(login_as(seed.a.jobcoach).get("/"))
    assert "Terugbellen werkbegeleider" in page
    assert "Niet van deze jobcoach" not in page
    assert "Taken (1)" in page


def test_municipal_home_shows_decisions_concerns_and_tasks_of_the_contact(seed, frozen, login_as):
    near = onboarding(seed.a, NEAR_END)
    colleague = factories.make_user("municipal", seed.a.municipality)
    theirs = onboarding(seed.a, NEAR_END)
    theirs.contact_id = colleague.id
    worried = onboarding(seed.a)
    log = add_log(worried, LAST_WEEK, seed.a.employer_user)
    log.has_concern, log.concern_text = True, "Hij komt vaak te laat."
    old = add_log(worried, FIRST_WEEK, seed.a.employer_user)
    old.has_concern, old.concern_text = True, "Een oude zorg van lang geleden."
    factories.make_task(
        worried,
        title="Intakegesprek na uitval",
        owner="municipal",
        kind="intake",
        assignee_id=seed.a.municipal.id,
    )
    db.session.commit()
    page = text(login_as(seed.a.municipal).get("/"))
    assert "Besluit nodig over het einde (1)" in page
    assert f"/plaatsingen/{near.id}/besluit" in page
    assert f"/plaatsingen/{theirs.id}/besluit" not in page
    assert "Werkgevers die zich zorgen maken" in page
    assert "Hij komt vaak te laat." in page
    assert "Intakegesprek na uitval" in page


def test_municipal_home_hides_concerns_older_than_two_weeks(seed, frozen, login_as):
    worried = onboarding(seed.a)
    log = add_log(worried, FIRST_WEEK, seed.a.employer_user)
    log.has_concern, log.concern_text = True, "Een oude zorg."
    db.session.commit()
    assert "Een oude zorg." in text(
        login_as(seed.a.municipal).get("/")
    )  # 23 Feb is within 14 days of 2 March
    log.week_start = date(2026, 2, 16)
    db.session.commit()
    assert "Een oude zorg." not in text(login_as(seed.a.municipal).get("/"))


def test_municipal_home_runs_a_bounded_number_of_queries(
    seed, frozen, login_as, count_queries, no_page_cache
):
    client = login_as(seed.a.municipal)
    onboarding(seed.a, NEAR_END)
    db.session.commit()
    client.get("/")
    with count_queries() as few:
        client.get("/")
    for n in range(12):
        placement = onboarding(seed.a, NEAR_END)
        factories.make_task(placement, title=f"Taak {n}", owner="municipal")
        log = add_log(placement, LAST_WEEK, seed.a.employer_user)
        log.has_concern, log.concern_text = True, f"Zorg {n}"
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/"))
    assert many.count == few.count
    assert "Alle 13 open taken bekijken" in page


def test_municipal_home_asks_to_close_aftercare_once_the_last_checkin_is_due(seed, frozen, login_as):
    done = onboarding(seed.a)
    done.status, done.contract_start_date = "nazorg", date(2025, 11, 10)
    factories.make_checkin(done, 1, due_date=date(2026, 2, 2), status="held", held_on=date(2026, 2, 2))
    factories.make_checkin(done, 2, due_date=date(2026, 3, 10))  # today: the outcome can be recorded
    running = onboarding(seed.a)
    running.status, running.contract_start_date = "nazorg", date(2026, 2, 2)
    factories.make_checkin(running, 1, due_date=date(2026, 3, 2), status="held", held_on=date(2026, 3, 2))
    factories.make_checkin(running, 2, due_date=date(2026, 3, 11))  # tomorrow
    db.session.commit()
    page = text(login_as(seed.a.municipal).get("/"))
    assert "Nazorg afronden" in page
    assert f"/plaatsingen/{done.id}/nazorg/afronden" in page
    assert f"/plaatsingen/{running.id}/nazorg/afronden" not in page
    done.outcome, done.status = "employed", "closed"
    db.session.commit()
    assert "Nazorg afronden" not in text(login_as(seed.a.municipal).get("/"))
