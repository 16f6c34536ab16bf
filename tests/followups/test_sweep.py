"""The scheduled sweep: due follow-ups get a task and one question to the employer, exactly once."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.core.outbox import LINK_REMOVED_TEXT, send_pending
from portal.extensions import db
from portal.followups import jobs
from portal.followups.services import sweep
from portal.journey.models import Exit, RetentionFollowUp
from portal.tasks.models import Task
from tests import factories
from tests.followups.conftest import EMAIL, FIRST, LAST, PHONE, T0, TODAY, TOWN, followup_for, question_mails


def _tasks() -> list[Task]:
    return list(db.session.scalars(sa.select(Task).where(Task.kind == "followup").order_by(Task.id)))


def test_only_due_followups_start(world):
    a = world.a
    late = followup_for(a, TODAY - timedelta(days=3), specialist=a.municipal)
    today = followup_for(a, TODAY, specialist=a.municipal)
    later = followup_for(a, TODAY + timedelta(days=1), specialist=a.municipal)
    assert sweep() == {"started": 2, "asked": 2, "links_retired": 0}
    assert {task.id for task in _tasks()} == {late.task_id, today.task_id}
    assert later.task_id is None
    assert later.question_sent_at is None
    assert later.token_hash is None
    task = db.session.get(Task, today.task_id)
    assert (task.kind, task.owner, task.status, task.assignee_id) == (
        "followup",
        "municipal",
        "open",
        a.municipal.id,
    )
    assert task.candidate_id == today.candidate_id
    assert not task.visible_to_employer
    assert task.due_date == TODAY + timedelta(days=21)
    assert re.fullmatch(r"[0-9a-f]{64}", today.token_hash)
    assert today.token_expires_at == T0 + timedelta(days=21)
    assert today.question_sent_at == T0


def test_the_sweep_is_idempotent(world):
    a = world.a
    followup_for(a, TODAY - timedelta(days=1), specialist=a.municipal)
    followup_for(a, TODAY - timedelta(days=40), specialist=a.municipal)
    first = sweep()
    assert first["started"] == 2
    tasks, mails = len(_tasks()), len(question_mails())
    assert (tasks, mails) == (2, 2)
    assert jobs.sweep() == {"started": 0, "asked": 0, "links_retired": 0}
    assert (len(_tasks()), len(question_mails())) == (2, 2)
    started = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "followup.started"))
    assert started == 2


def test_a_followup_of_an_exit_not_confirmed_waits(world):
    followup = followup_for(world.a, TODAY - timedelta(days=1))
    db.session.get(Exit, followup.exit_id).status = "proposed"
    db.session.flush()
    assert sweep()["started"] == 0
    assert followup.task_id is None


def test_the_task_goes_to_the_specialist_else_the_placement_contact_else_the_employer_contact(world):
    a = world.a
    colleague = factories.make_user("municipal", a.municipality)
    own = followup_for(a, TODAY, specialist=colleague, placement=a.placement)
    through_placement = followup_for(a, TODAY, placement=factories.make_placement(a, status="closed"))
    through_employer = followup_for(a, TODAY)
    db.session.get(type(a.employer), a.employer.id).contact_id = colleague.id
    db.session.flush()
    sweep()
    assignee = {
        f.id: db.session.get(Task, f.task_id).assignee_id for f in (own, through_placement, through_employer)
    }
    assert assignee == {
        own.id: colleague.id,
        through_placement.id: a.municipal.id,
        through_employer.id: colleague.id,
    }
    assert db.session.get(Task, own.task_id).placement_id == a.placement.id


def test_no_question_without_an_employer_in_werkbrug_or_a_user_to_ask(world):
    a = world.a
    direct_hire = followup_for(a, TODAY, specialist=a.municipal, employer=False)
    nobody = followup_for(a, TODAY, specialist=a.municipal)
    db.session.get(type(a.employer_user), a.employer_user.id).is_active = False
    db.session.flush()
    assert sweep() == {"started": 2, "asked": 0, "links_retired": 0}
    assert question_mails() == []
    for followup in (direct_hire, nobody):
        assert followup.task_id is not None
        assert (followup.question_sent_at, followup.token_hash) == (None, None)


def test_the_question_names_the_candidate_only_as_the_employer_may_see_them(world):
    a = world.a
    followup = followup_for(a, TODAY, specialist=a.municipal)
    sweep()
    [mail] = question_mails()
    assert mail.to_address == a.employer_user.email
    assert mail.municipality_id == a.municipality.id
    text = mail.subject + mail.body_text
    pseudonym = db.session.get(type(a.candidate), followup.candidate_id).pseudonym
    assert pseudonym in mail.subject
    for secret in (FIRST, LAST, PHONE, EMAIL, TOWN, "zorg", "Zorg"):
        assert secret not in text
    assert "/navraag/" in mail.body_text
    assert followup.token_hash not in mail.body_text


def test_with_consent_for_this_employer_the_question_uses_the_name(world):
    a = world.a
    followup = followup_for(a, TODAY, specialist=a.municipal)
    candidate = db.session.get(type(a.candidate), followup.candidate_id)
    factories.make_consent(candidate, kind="reveal_identity", employer=a.employer, recorded_by=a.municipal)
    sweep()
    [mail] = question_mails()
    assert f"{FIRST} {LAST}" in mail.subject
    for secret in (PHONE, EMAIL, TOWN):
        assert secret not in mail.body_text


def test_a_delivered_question_keeps_no_link_in_its_stored_body(world):
    followup = followup_for(world.a, TODAY, specialist=world.a.municipal)
    sweep()
    [mail] = question_mails()
    assert mail.contains_secret
    assert "/navraag/" in mail.body_text
    assert send_pending() == {"sent": 1, "retry": 0, "failed": 0}
    assert mail.body_text == LINK_REMOVED_TEXT
    assert "/navraag/" not in mail.body_text
    assert sweep()["links_retired"] == 0
    assert followup.token_hash is not None  # the employer's link itself still works


def test_an_expired_link_is_retired_and_its_waiting_mail_cancelled(world, frozen):
    followup = followup_for(world.a, TODAY, specialist=world.a.municipal)
    sweep()
    [mail] = question_mails()
    frozen.move_to(T0 + timedelta(days=21), tick=False)
    assert sweep()["links_retired"] == 1
    assert mail.status == "cancelled"
    assert mail.body_text == LINK_REMOVED_TEXT
    assert db.session.get(RetentionFollowUp, followup.id).answered_at is None
    assert sweep()["links_retired"] == 0
