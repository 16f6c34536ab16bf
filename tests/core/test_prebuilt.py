"""Statements built once per worker (portal/core/prebuilt.py) serve every user of a role with that user's
own ids: one worker shows each contact their own lists, in their own municipality, one after the other."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.alerts.queries import alerts_for
from portal.core.prebuilt import BoundUser, prebuilt, shape, values
from portal.core.time import now_utc
from portal.extensions import db
from portal.main import queries
from portal.placements.models import Placement
from tests import factories
from tests.main.test_waiting import todo


def test_a_bound_user_has_bind_parameters_for_ids_and_keeps_the_role():
    contact = BoundUser("municipal", has_employer=False)
    employer = BoundUser("employer")
    assert contact.role == "municipal"
    assert contact.employer_id is None
    assert isinstance(contact.id, sa.BindParameter)
    assert contact.id.key == "user_id"
    assert isinstance(employer.employer_id, sa.BindParameter)
    assert employer.employer_id.key == "employer_id"
    assert contact.municipality_id.key == "municipality_id"


def test_values_and_shape_come_from_the_user(seed):
    user = seed.a.employer_user
    assert values(user, today="x") == {
        "user_id": user.id,
        "municipality_id": user.municipality_id,
        "employer_id": user.employer_id,
        "today": "x",
    }
    assert shape(user) == ("employer", True)
    assert shape(seed.a.municipal) == ("municipal", False)


def test_prebuilt_builds_once_per_shape():
    built = []

    @prebuilt
    def statement(role: str) -> sa.Select:
        built.append(role)
        return sa.select(Placement.id).where(Placement.contact_id == BoundUser(role).id)

    assert statement("municipal") is statement("municipal")
    assert statement("jobcoach") is not statement("municipal")
    assert built == ["municipal", "jobcoach"]


def test_one_statement_gives_each_contact_their_own_placements(seed):
    a, b = seed.a, seed.b
    colleague = factories.make_user("municipal", a.municipality)
    theirs = factories.make_placement(a)
    theirs.contact_id = colleague.id
    db.session.commit()
    assert queries._to_start_statement(*shape(a.municipal)) is queries._to_start_statement(
        *shape(b.municipal)
    )

    assert queries.placements_to_start(a.municipal)["items"] == [a.placement]
    assert queries.placements_to_start(b.municipal)["items"] == [b.placement]
    assert queries.placements_to_start(colleague)["items"] == [theirs]
    assert queries.placements_to_start(a.municipal)["items"] == [a.placement]


def test_prebuilt_lists_match_the_query_built_for_the_user(seed):
    for tenant in (seed.a, seed.b):
        tenant.placement.jobcoach_id = tenant.jobcoach.id
    db.session.commit()
    for user in (seed.a.municipal, seed.b.municipal, seed.a.jobcoach, seed.b.jobcoach):
        expected = db.session.execute(alerts_for(user, "open")).all()
        assert queries.open_alerts(user) == {"alerts": expected, "alert_count": len(expected)}
        assert expected  # every tenant has an open alert: the comparison is not about empty lists


def test_one_worker_shows_each_contact_only_their_own_home_lists(seed, login_as, no_page_cache):
    a, b = seed.a, seed.b
    for tenant in (a, b):
        tenant.placement.created_at = now_utc() - timedelta(days=5)
    newer_a = factories.make_placement(a)
    newer_b = factories.make_placement(b)
    db.session.commit()
    page_a = login_as(a.municipal).get("/").get_data(as_text=True)
    page_b = login_as(b.municipal).get("/").get_data(as_text=True)
    again_a = login_as(a.municipal).get("/").get_data(as_text=True)

    def starting(page: str) -> list[str]:
        return [item[0].split(" – ")[0] for item in todo(page, "starten-lijst-titel")]

    assert (
        starting(page_a)
        == starting(again_a)
        == [newer_a.candidate.pseudonym, a.placement.candidate.pseudonym]
    )
    assert starting(page_b) == [newer_b.candidate.pseudonym, b.placement.candidate.pseudonym]
    for pseudonym in (b.placement.candidate.pseudonym, newer_b.candidate.pseudonym):
        assert pseudonym not in page_a
    for pseudonym in (a.placement.candidate.pseudonym, newer_a.candidate.pseudonym):
        assert pseudonym not in page_b
