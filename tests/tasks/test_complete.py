"""Marking a task done: who may, what changes, where the button leads back to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.tasks.services import NOT_OPEN, NOT_YOURS
from tests import factories
from tests.matching.conftest import make_site
from tests.tasks.conftest import done_url, text


def refresh(task):
    db.session.expire_all()
    return task


def done_events() -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "task.done")))


def test_the_employer_completes_an_own_action_and_it_leaves_the_list(seed, tasks, login_as):
    client = login_as(seed.a.employer_user)
    task = tasks["late"]
    response = client.post(done_url(task), {"next": "/taken"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/taken"
    page = text(client.get("/taken"))
    assert "De taak 'Rooster delen' is gedaan." in page
    assert ">Rooster delen<" not in page
    refresh(task)
    assert (task.status, task.done_by_id) == ("done", seed.a.employer_user.id)
    assert task.done_at is not None
    [event] = done_events()
    assert (event.object_id, event.detail) == (task.id, {"placement_id": task.placement_id})


@pytest.mark.parametrize("name", ["jobcoach", "candidate"])
def test_the_employer_cannot_complete_someone_elses_action(seed, tasks, login_as, name):
    client = login_as(seed.a.employer_user)
    task = tasks[name]
    task.visible_to_employer = True
    db.session.commit()
    response = client.post(done_url(task), follow_redirects=True)
    assert NOT_YOURS in text(response)
    assert refresh(task).status == "open"
    assert done_events() == []


@pytest.mark.parametrize("name", ["jobcoach", "candidate"])
def test_the_employer_cannot_even_see_a_staff_only_action(seed, tasks, login_as, name):
    assert not tasks[name].visible_to_employer
    assert login_as(seed.a.employer_user).post(done_url(tasks[name])).status_code == 404
    assert refresh(tasks[name]).status == "open"
    assert done_events() == []


def test_the_employer_cannot_even_see_an_intake_task(seed, tasks, login_as):
    assert login_as(seed.a.employer_user).post(done_url(tasks["intake"])).status_code == 404
    assert refresh(tasks["intake"]).status == "open"


def test_another_employer_gets_404(seed, tasks, login_as):
    other = make_site(seed.a)
    db.session.commit()
    assert login_as(other.user).post(done_url(tasks["late"])).status_code == 404
    assert login_as(seed.b.employer_user).post(done_url(tasks["late"])).status_code == 404
    assert refresh(tasks["late"]).status == "open"


@pytest.mark.parametrize("name", ["late", "jobcoach", "candidate", "intake"])
def test_the_assigned_jobcoach_completes_any_task_of_the_placement(seed, tasks, login_as, name):
    response = login_as(seed.a.jobcoach).post(done_url(tasks[name]))
    assert response.headers["Location"] == f"/plaatsingen/{tasks[name].placement_id}"
    assert refresh(tasks[name]).status == "done"
    assert tasks[name].done_by_id == seed.a.jobcoach.id


def test_a_jobcoach_not_assigned_gets_404(seed, tasks, login_as):
    other = factories.make_user("jobcoach", seed.a.municipality)
    db.session.commit()
    assert login_as(other).post(done_url(tasks["jobcoach"])).status_code == 404
    assert login_as(seed.b.jobcoach).post(done_url(tasks["jobcoach"])).status_code == 404
    assert refresh(tasks["jobcoach"]).status == "open"


@pytest.mark.parametrize("name", ["late", "intake"])
def test_municipal_staff_complete_tasks_in_their_municipality(seed, tasks, login_as, name):
    assert login_as(seed.a.municipal).post(done_url(tasks[name])).status_code == 302
    assert refresh(tasks[name]).status == "done"
    assert login_as(seed.b.municipal).post(done_url(seed.a.task)).status_code == 404
    assert refresh(seed.a.task).status == "open"


@pytest.mark.parametrize("name", ["done", "cancelled"])
def test_a_task_that_is_no_longer_open_stays_as_it_is(seed, tasks, login_as, name):
    response = login_as(seed.a.municipal).post(done_url(tasks[name]), follow_redirects=True)
    assert NOT_OPEN in text(response)
    assert refresh(tasks[name]).status == name
    assert done_events() == []


def test_admins_cannot_complete_tasks(seed, tasks, login_as):
    assert login_as(seed.a.admin).post(done_url(tasks["late"])).status_code == 403
    assert refresh(tasks["late"]).status == "open"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil", "javascript:alert(1)", "", "x" * 10_000],
)
def test_only_a_local_next_address_is_followed(seed, tasks, login_as, next_url):
    response = login_as(seed.a.municipal).post(done_url(tasks["late"]), {"next": next_url})
    assert response.headers["Location"] == f"/plaatsingen/{tasks['late'].placement_id}"


def test_the_done_button_on_the_placement_page_returns_there(seed, tasks, login_as):
    client = login_as(seed.a.employer_user)
    placement_url = f"/plaatsingen/{tasks['late'].placement_id}"
    page = text(client.get(placement_url))
    assert f'action="{done_url(tasks["late"])}"' in page
    assert f'name="next" value="{placement_url}"' in page
    assert f'action="{done_url(tasks["jobcoach"])}"' not in page
    response = client.post(done_url(tasks["late"]), {"next": placement_url})
    assert response.headers["Location"] == placement_url


def test_completing_needs_the_csrf_token(seed, tasks, login_as):
    assert login_as(seed.a.municipal).post(done_url(tasks["late"]), csrf=False).status_code == 400
    assert refresh(tasks["late"]).status == "open"


def test_hostile_task_ids_answer_404(seed, tasks, login_as):
    client = login_as(seed.a.municipal)
    for task_id in ("0", "99999999999999999999999", "-1", "abc"):
        assert client.post(f"/taken/{task_id}/gedaan").status_code == 404
