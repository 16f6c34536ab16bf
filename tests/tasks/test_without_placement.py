"""Work about a candidate without a placement (the follow-up some months after an exit to work found
outside Werkbrug) waits on the specialist like any task: on the task list and the home page, with the next
action where it is done (recording the answer), never to jobcoaches, employers or another municipality."""

from __future__ import annotations

from datetime import date

import lxml.html
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.followups import services as followups
from portal.tasks.models import Task
from tests import factories
from tests.tasks.test_index import list_of


def _followup_task(tenant):
    """The started follow-up of an exit to work without a placement, of a candidate of the tenant's
    contact (the sweep opens its task for the specialist)."""
    candidate = factories.make_candidate(tenant.municipality, specialist_id=tenant.municipal.id)
    exit_row = factories.make_exit(candidate, employer_name="Bakkerij De Verzonnen Korst")
    followup = factories.make_followup(exit_row, due_on=date.today())
    followups.sweep()
    db.session.commit()
    task = db.session.get(Task, followup.task_id)
    assert task.placement_id is None
    assert task.assignee_id == tenant.municipal.id
    return candidate, followup, task


def _last_listing(context: str) -> AuditEvent:
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "candidates.listed").order_by(AuditEvent.id.desc())
    )
    return next(event for event in events if event.detail["context"] == context)


def test_the_specialist_sees_the_follow_up_task_with_a_link_to_record_the_answer(seed, login_as):
    candidate, followup, task = _followup_task(seed.a)
    client = login_as(seed.a.municipal)
    response = client.get("/taken")
    page = list_of(client)
    assert task.title in page
    assert f"{candidate.pseudonym}</a> (geen plaatsing)" in page
    assert candidate.first_name not in page
    tree = lxml.html.document_fromstring(response.data)
    (answer,) = tree.xpath("//main//a[starts-with(normalize-space(), 'Antwoord vastleggen')]")
    href = answer.get("href")
    assert href == f"/navraag?kandidaat={candidate.id}&status=open"
    assert not tree.xpath(f"//form[@action='/taken/{task.id}/gedaan']")
    assert candidate.id in _last_listing("tasks_list").detail["candidate_ids"]
    listed = client.get(href).get_data(as_text=True)
    assert f"/navraag/{followup.id}/antwoord" in listed


def test_the_home_page_lists_it_and_audits_the_candidate(seed, login_as, no_page_cache):
    candidate, _, task = _followup_task(seed.a)
    client = login_as(seed.a.municipal)
    page = client.get("/").get_data(as_text=True)
    tree = lxml.html.document_fromstring(page)
    (link,) = tree.xpath(f"//section[@aria-labelledby='taken-titel']//a[normalize-space()='{task.title}']")
    assert link.get("href") == f"/navraag?kandidaat={candidate.id}&status=open"
    assert candidate.id in _last_listing("home").detail["candidate_ids"]


def test_nobody_else_sees_it_and_it_cannot_be_ticked_off(seed, login_as):
    candidate, _, task = _followup_task(seed.a)
    seed.a.placement.jobcoach_id = seed.a.jobcoach.id
    db.session.commit()
    for user in (seed.a.jobcoach, seed.a.employer_user, seed.b.municipal, seed.b.jobcoach):
        client = login_as(user)
        page = list_of(client)
        assert task.title not in page, user.role
        assert candidate.pseudonym not in page, user.role
    colleague = factories.make_user("municipal", seed.a.municipality)
    db.session.commit()
    assert task.title not in list_of(login_as(colleague))
    client = login_as(seed.a.municipal)
    client.get("/taken")
    response = client.post(f"/taken/{task.id}/gedaan")
    assert response.status_code == 404
    assert db.session.get(Task, task.id).status == "open"


def test_a_follow_up_task_on_a_placement_is_closed_by_its_answer_not_by_a_button(seed, login_as):
    candidate = seed.a.placement.candidate
    candidate.specialist_id = seed.a.municipal.id
    placement = seed.a.placement
    exit_row = factories.make_exit(candidate, placement_id=placement.id, employer_id=seed.a.employer.id)
    followup = factories.make_followup(exit_row, due_on=date.today())
    followups.sweep()
    db.session.commit()
    task = db.session.get(Task, followup.task_id)
    assert task.placement_id == seed.a.placement.id
    client = login_as(seed.a.municipal)
    tree = lxml.html.document_fromstring(client.get("/taken").data)
    (row,) = tree.xpath(f"//tr[td[contains(., '{task.title}')]]")
    assert not row.xpath(".//form")
    (answer,) = row.xpath(".//a[starts-with(normalize-space(), 'Antwoord vastleggen')]")
    assert answer.get("href") == f"/navraag?kandidaat={candidate.id}&status=open"
    response = client.post(f"/taken/{task.id}/gedaan", follow_redirects=True)
    assert "Deze taak kunt u niet afronden." in response.get_data(as_text=True)
    assert db.session.get(Task, task.id).status == "open"
    placement.jobcoach_id = seed.a.jobcoach.id  # the specialist's work, on a page only staff of the
    db.session.commit()  # municipality open: not on the jobcoach's list, even on their placement
    jobcoach = login_as(seed.a.jobcoach)
    assert task.title not in list_of(jobcoach)
    assert task.title not in jobcoach.get("/").get_data(as_text=True)
