"""Staff: the follow-ups list, recording an answer, the home page and the calendar feed."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.followups.services import sweep
from portal.journey.models import RetentionFollowUp
from portal.tasks.models import Task
from tests import factories
from tests.calendar.conftest import events, new_feed, parse
from tests.followups.conftest import FIRST, T0, TODAY, followup_for, link_in, question_mails

ANSWER = {"still_employed": "ja", "hours_per_week": "24", "contract_extended": "weet_niet"}


def test_the_specialist_records_the_answer(world, login_as, client):
    a = world.a
    followup = followup_for(a, TODAY - timedelta(days=30), specialist=a.municipal)
    sweep()
    link = link_in(question_mails()[0])
    staff = login_as(a.municipal)
    url = f"/navraag/{followup.id}/antwoord"
    page = staff.get(url)
    assert page.status_code == 200
    assert "Antwoord vastleggen" in page.get_data(as_text=True)
    response = staff.post(url, ANSWER)
    assert response.status_code == 302
    db.session.expire_all()
    followup = db.session.get(RetentionFollowUp, followup.id)
    assert (followup.answered_via, followup.answered_by_id) == ("specialist", a.municipal.id)
    assert (followup.hours_per_week, followup.contract_extended) == (24, None)
    task = db.session.get(Task, followup.task_id)
    assert (task.status, task.done_by_id) == ("done", a.municipal.id)
    # The employer's link now says it was answered; recording again is not offered.
    assert "al beantwoord" in client.get(link).get_data(as_text=True)
    assert "Antwoord vastleggen" not in staff.get(url).get_data(as_text=True)
    assert staff.post(url, {**ANSWER, "still_employed": "nee"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).still_employed is True


def test_another_municipality_gets_404_and_nothing_changes(world, login_as):
    followup = followup_for(world.a, TODAY, specialist=world.a.municipal)
    other = login_as(world.b.municipal)
    url = f"/navraag/{followup.id}/antwoord"
    assert other.get(url).status_code == 404
    assert other.post(url, ANSWER).status_code == 404
    assert "K-TEST-" not in other.get("/navraag?status=all").get_data(as_text=True).replace(
        db.session.get(type(world.b.candidate), world.b.followup.candidate_id).pseudonym, ""
    )
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).answered_at is None


def test_employers_jobcoaches_and_admins_cannot_open_the_list(world, login_as):
    for user in (world.a.employer_user, world.a.jobcoach, world.a.admin):
        assert login_as(user).get("/navraag").status_code == 403


def test_the_list_filters_on_state(world, login_as):
    a = world.a
    due = followup_for(a, TODAY - timedelta(days=5), specialist=a.municipal, first_name="Wachtend")
    late = followup_for(a, TODAY - timedelta(days=40), specialist=a.municipal, first_name="Telaat")
    done = followup_for(a, TODAY - timedelta(days=10), specialist=a.municipal, first_name="Klaar")
    sweep()
    staff = login_as(a.municipal)
    staff.post(f"/navraag/{done.id}/antwoord", ANSWER)

    def names(query: str) -> set[str]:
        html = staff.get(f"/navraag{query}").get_data(as_text=True)
        return {name for name in ("Wachtend", "Telaat", "Klaar") if name in html}

    assert names("") == {"Wachtend", "Telaat"}
    assert names("?status=due") == {"Wachtend"}
    assert names("?status=overdue") == {"Telaat"}
    assert names("?status=answered") == {"Klaar"}
    assert names(f"?status=all&kandidaat={late.candidate_id}") == {"Telaat"}
    assert names("?status=nonsense&kandidaat=abc") == {"Wachtend", "Telaat"}
    assert due.id != late.id


def test_the_list_runs_a_bounded_number_of_queries(world, login_as, count_queries):
    a = world.a
    staff = login_as(a.municipal)
    for _ in range(2):
        followup_for(a, TODAY - timedelta(days=30), specialist=a.municipal)
    sweep()
    staff.get("/navraag?status=all")
    with count_queries() as few:
        assert staff.get("/navraag?status=all").status_code == 200
    for _ in range(12):
        followup_for(
            a, TODAY - timedelta(days=30), specialist=factories.make_user("municipal", a.municipality)
        )
    sweep()
    db.session.commit()
    with count_queries() as many:
        assert staff.get("/navraag?status=all").status_code == 200
    assert many.count == few.count


def test_overdue_followups_wait_on_the_contacts_home_page_newest_first(world, login_as):
    a = world.a
    older = followup_for(a, TODAY - timedelta(days=60), specialist=a.municipal, first_name="Eerder")
    newer = followup_for(a, TODAY - timedelta(days=22), specialist=a.municipal, first_name="Later")
    followup_for(a, TODAY - timedelta(days=21), specialist=a.municipal, first_name="Optijd")
    followup_for(a, TODAY - timedelta(days=40), specialist=factories.make_user("municipal", a.municipality))
    sweep()
    html = login_as(a.municipal).get("/").get_data(as_text=True)
    assert "Navraag na uitstroom die te laat is (2)" in html
    assert html.index("Later") < html.index("Eerder")
    assert "Optijd" not in html
    assert f"/navraag/{newer.id}/antwoord" in html
    assert f"/navraag/{older.id}/antwoord" in html


def test_the_calendar_feed_shows_followups_and_keeps_overdue_ones_in_sight(world, login_as):
    a = world.a
    soon = followup_for(a, TODAY + timedelta(days=10), specialist=a.municipal)
    late = followup_for(a, TODAY - timedelta(days=40), specialist=a.municipal)
    answered = followup_for(a, TODAY - timedelta(days=3), specialist=a.municipal)
    sweep()
    staff = login_as(a.municipal)
    staff.post(f"/navraag/{answered.id}/antwoord", ANSWER)
    feed = events(parse(staff.get(new_feed(staff))))
    assert feed[f"navraag-{soon.id}@werkbrug"]["day"] == TODAY + timedelta(days=10)
    assert feed[f"navraag-{late.id}@werkbrug"]["day"] == TODAY
    assert "te laat" in feed[f"navraag-{late.id}@werkbrug"]["summary"]
    assert f"navraag-{answered.id}@werkbrug" not in feed
    # The task itself is not a second event, and the feed names nobody.
    assert f"taak-{late.task_id}@werkbrug" not in feed
    assert all(FIRST not in str(event) for event in feed.values())
    assert T0  # the clock is frozen


def test_the_answer_shows_on_the_followup_and_the_candidate_page_links_to_it(world, login_as):
    a = world.a
    followup = followup_for(a, TODAY, specialist=a.municipal)
    candidate = db.session.get(type(a.candidate), followup.candidate_id)
    candidate.stage = "uitstroom"
    db.session.flush()
    staff = login_as(a.municipal)
    detail = staff.get(f"/kandidaten/{candidate.id}").get_data(as_text=True)
    assert f"/navraag?kandidaat={candidate.id}" in detail
    staff.post(f"/navraag/{followup.id}/antwoord", {**ANSWER, "note": "Gebeld met de leidinggevende."})
    page = staff.get(f"/navraag/{followup.id}/antwoord").get_data(as_text=True)
    assert "door de specialist" in page
    assert "Gebeld met de leidinggevende." in page
    assert "Weet niet" in page
