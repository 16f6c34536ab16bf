"""The employer's answer through the link: once, before it expires; anything else gets one clear page."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.extensions import db
from portal.followups.services import sweep
from portal.journey.models import RetentionFollowUp
from portal.tasks.models import Task
from tests.conftest import form_errors_in
from tests.followups.conftest import FIRST, LAST, T0, TODAY, followup_for, link_in, question_mails

ANSWER = {"still_employed": "ja", "hours_per_week": "32", "contract_extended": "ja", "note": "Gaat goed."}


def _asked(world):
    followup = followup_for(world.a, TODAY, specialist=world.a.municipal)
    sweep()
    [mail] = question_mails()
    return followup, link_in(mail), mail


def test_the_employer_answers_once(world, client):
    followup, link, mail = _asked(world)
    page = client.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Werkt K-TEST-" in html
    assert FIRST not in html
    assert LAST not in html
    response = client.post(link, ANSWER)
    assert response.status_code == 302
    assert response.headers["Location"] == link
    db.session.expire_all()
    followup = db.session.get(RetentionFollowUp, followup.id)
    assert (followup.answered_via, followup.answered_by_id, followup.still_employed) == (
        "employer",
        None,
        True,
    )
    assert (followup.hours_per_week, followup.contract_extended, followup.note) == (32, True, "Gaat goed.")
    assert followup.answered_at == T0
    task = db.session.get(Task, followup.task_id)
    assert (task.status, task.done_by_id) == ("done", None)
    done = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "task.done"))
    assert done.detail["reason"] == "followup_answered_by_employer"
    answered = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "followup.answered"))
    assert (answered.object_id, answered.actor_id, answered.detail["via"]) == (followup.id, None, "employer")
    # The question was still waiting in the outbox: it is not sent any more, and its link is gone.
    mail = db.session.get(type(mail), mail.id)
    assert mail.status == "cancelled"
    assert link not in mail.body_text

    again = client.get(link)
    assert again.status_code == 200
    assert "al beantwoord" in again.get_data(as_text=True)
    second = client.post(link, {**ANSWER, "still_employed": "nee"})
    assert second.status_code == 200
    assert "al beantwoord" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).still_employed is True


def test_no_longer_employed_needs_no_hours(world, client):
    followup, link, _ = _asked(world)
    assert client.post(link, {"still_employed": "nee", "hours_per_week": "12"}).status_code == 302
    db.session.expire_all()
    followup = db.session.get(RetentionFollowUp, followup.id)
    assert (followup.still_employed, followup.hours_per_week, followup.contract_extended) == (
        False,
        None,
        None,
    )


def test_a_missing_answer_is_shown_beside_its_field_and_nothing_is_lost(world, client):
    followup, link, _ = _asked(world)
    response = client.post(link, {"still_employed": "ja", "note": "Nog even kijken"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Vul het aantal uur per week in." in form_errors_in(html)
    assert "Nog even kijken" in html
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).answered_at is None


def test_an_expired_link_gets_a_clear_page_and_changes_nothing(world, client, frozen):
    followup, link, _ = _asked(world)
    frozen.move_to(T0 + timedelta(days=21), tick=False)
    for response in (client.get(link), client.post(link, ANSWER)):
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert "Deze link werkt niet (meer)" in html
        assert "K-TEST-" not in html
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).answered_at is None


def test_an_unknown_or_malformed_link_gets_the_same_page(world, client):
    _asked(world)
    for token in ("no-such-token", "x" * 300, "%00", "a" * 43):
        response = client.get(f"/navraag/{token}")
        assert response.status_code == 404, token
        assert "Deze link werkt niet (meer)" in response.get_data(as_text=True)
    assert client.post("/navraag/no-such-token", ANSWER).status_code == 404


def test_the_answer_page_needs_the_csrf_token(world, client):
    followup, link, _ = _asked(world)
    client.get(link)
    assert client.post(link, ANSWER, csrf=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(RetentionFollowUp, followup.id).answered_at is None
