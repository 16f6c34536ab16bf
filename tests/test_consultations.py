"""Every page answer that names a candidate is a consultation with its own audit event.

A page about one candidate writes ``candidate.viewed``; a list writes one ``candidates.listed`` per page
view naming every candidate it shows. Crawled over every GET route, as every role, so a new page that
names candidates without writing an event fails here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.calendar.services import make_feed_token
from portal.candidates.models import Candidate
from portal.candidates.views import CONTEXTS
from portal.core.audit import CANDIDATE_VIEWED, CANDIDATES_LISTED
from portal.core.models import AuditEvent
from portal.core.security import ROLES
from portal.core.time import now_utc
from portal.extensions import db
from portal.placements.models import WeeklyLog
from tests import factories
from tests.matching.conftest import T0
from tests.test_access import POLICY, build_url, iter_routes


def _world(seed) -> dict[str, str]:
    """Tenant A with its candidates on every kind of page; the feed secrets of its staff."""
    a = seed.a
    a.placement.jobcoach_id = a.jobcoach.id
    ending = factories.make_placement(
        a,
        status="onboarding",
        start_date=date(2026, 1, 5),
        actual_start_date=date(2026, 1, 5),
        planned_end_date=date(2026, 3, 13),
        jobcoach_id=a.jobcoach.id,
    )
    db.session.add(
        WeeklyLog(
            placement_id=ending.id,
            week_start=date(2026, 3, 2),
            days_planned=2,
            days_present=2,
            punctuality=3,
            task_progress=3,
            dutch_at_work=3,
            teamwork=3,
            motivation=3,
            has_concern=True,
            concern_text="Het gaat minder goed.",
            submitted_by_id=a.employer_user.id,
        )
    )
    factories.make_task(ending, owner="municipal", assignee_id=a.municipal.id, title="Bellen")
    factories.make_alert(ending, rule="concern", escalated_at=now_utc())
    db.session.flush()
    return {"municipal": make_feed_token(a.municipal), "jobcoach": make_feed_token(a.jobcoach)}


def _named(body: str, candidates) -> set[int]:
    """Ids of the candidates whose pseudonym or full name the page shows."""
    found = set()
    for candidate in candidates:
        for value in (candidate.pseudonym, candidate.full_name):
            if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", body):
                found.add(candidate.id)
    return found


def _consulted(events, user) -> set[int]:
    """Ids of the candidates the audit events of ``user`` say were shown."""
    ids = set()
    for event in events:
        if event.actor_id != user.id:
            continue
        if event.action == CANDIDATE_VIEWED and event.object_type == "Candidate":
            ids.add(event.object_id)
        elif event.action == CANDIDATES_LISTED:
            ids.update(event.detail["candidate_ids"])
    return ids


def _urls(app, seed, role, tokens) -> list[str]:
    urls = []
    for rule, method in iter_routes(app):
        policy = POLICY[rule.endpoint]
        if method != "GET" or rule.endpoint in ("main.healthz", "calendar.feed"):
            continue
        if policy[0] == "roles" and role not in policy[1:]:
            continue
        urls.append(build_url(app, rule, seed.a))
    if role in tokens:
        urls.append(f"/agenda/{tokens[role]}.ics")
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_every_page_that_names_a_candidate_writes_an_audit_event(app, seed, time_machine, login_as, role):
    time_machine.move_to(T0, tick=False)
    tokens = _world(seed)
    user = seed.a.user(role)
    db.session.commit()
    candidates = db.session.scalars(sa.select(Candidate)).all()
    client = login_as(user)
    unaudited, unlabelled, pages = [], [], 0
    for url in _urls(app, seed, role, tokens):
        before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
        response = client.get(url)
        if response.status_code != 200:
            continue
        named = _named(response.get_data(as_text=True), candidates)
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
        pages += bool(named)
        missing = named - _consulted(events, user)
        if missing:
            unaudited.append((url, sorted(missing)))
        unlabelled += [
            (url, event.detail.get("context"))
            for event in events
            if event.action in (CANDIDATE_VIEWED, CANDIDATES_LISTED)
            and event.detail.get("context") not in CONTEXTS
        ]
    assert unaudited == [], "\n".join(map(str, unaudited))
    assert unlabelled == []
    assert pages > 0 or role == "admin"


def test_a_list_writes_one_event_per_page_view_naming_its_candidates(seed, time_machine, login_as):
    time_machine.move_to(T0, tick=False)
    extra = [factories.make_candidate(seed.a.municipality) for _ in range(4)]
    client = login_as(seed.a.municipal)
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    client.get("/kandidaten?specialist=alle")
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
    assert event.action == CANDIDATES_LISTED
    assert event.actor_id == seed.a.municipal.id
    assert event.detail["context"] == "candidates_list"
    everyone_of_a = set(
        db.session.scalars(sa.select(Candidate.id).where(Candidate.municipality_id == seed.a.municipality.id))
    )
    assert {c.id for c in extra} | {seed.a.candidate.id, seed.a.placement.candidate_id} <= everyone_of_a
    assert set(event.detail["candidate_ids"]) == everyone_of_a


@pytest.mark.parametrize(
    ("url", "context"),
    [
        ("/", "home"),
        ("/plaatsingen", "placements_list"),
        ("/signalen", "alerts_list"),
        ("/taken", "tasks_list"),
        ("/aanvragen/{request}", "request_proposals"),
    ],
)
def test_each_list_page_view_is_one_event(seed, time_machine, login_as, url, context):
    time_machine.move_to(T0, tick=False)
    _world(seed)
    db.session.commit()
    client = login_as(seed.a.municipal)
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    assert client.get(url.format(request=seed.a.request.id)).status_code == 200
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all()
    assert [(e.action, e.detail["context"]) for e in events] == [(CANDIDATES_LISTED, context)]
    assert len(events[0].detail["candidate_ids"]) >= 1


def test_a_page_that_names_nobody_writes_nothing(seed, login_as):
    employer, staff = login_as(seed.a.employer_user), login_as(seed.a.municipal)
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    assert employer.get("/werkplekken").status_code == 200
    assert staff.get("/kandidaten?q=bestaat-niet").status_code == 200
    assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before)).all() == []


def test_the_candidate_page_names_the_new_contexts_in_dutch(seed, time_machine, login_as):
    time_machine.move_to(T0, tick=False)
    candidate = seed.a.candidate
    client = login_as(seed.a.municipal)
    client.get("/kandidaten?specialist=alle")
    client.get(f"/kandidaten/{candidate.id}/bewerken")
    time_machine.shift(timedelta(minutes=1))
    body = client.get(f"/kandidaten/{candidate.id}").get_data(as_text=True)
    history = body.split("Wie heeft dit profiel bekeken", 1)[1]
    assert "Lijst met kandidaten" in history
    assert "Profiel bewerken" in history
