"""Structure and accessibility of the placement pages (the generic crawl has no placement ids)."""

from __future__ import annotations

import lxml.html

from portal.extensions import db
from tests import factories
from tests.placements.conftest import THIS_WEEK, log_url, valid_log
from tests.test_accessibility import page_problems, summary_problems


def assert_clean(response):
    assert response.status_code == 200
    assert page_problems(response.data) == []


def test_placement_pages_pass_the_structural_checks_for_every_role(seed, started, login_as):
    started.jobcoach_id = seed.a.jobcoach.id
    db.session.commit()
    client = login_as(seed.a.employer_user)
    client.post(log_url(started, THIS_WEEK), valid_log(has_concern="y", concern_text="Let op"))
    for user in (seed.a.municipal, seed.a.jobcoach, seed.a.employer_user):
        other = login_as(user)
        assert_clean(other.get("/plaatsingen"))
        assert_clean(other.get(f"/plaatsingen/{started.id}"))
        assert_clean(other.get(f"/plaatsingen/{seed.a.placement.id}")) if user.role != "jobcoach" else None
        assert_clean(other.get("/"))
    assert_clean(client.get(log_url(started, THIS_WEEK)))
    assert_clean(client.get(f"/plaatsingen/{started.id}/week/2030-01-07"))


def test_forms_posted_empty_show_a_linked_error_summary(seed, started, login_as):
    employer = login_as(seed.a.employer_user)
    municipal = login_as(seed.a.municipal)
    for client, url in (
        (employer, log_url(started, THIS_WEEK)),
        (municipal, f"/plaatsingen/{seed.a.placement.id}/starten"),
        (employer, f"/plaatsingen/{seed.a.placement.id}/starten"),
        (municipal, f"/plaatsingen/{seed.a.placement.id}/jobcoach"),
    ):
        response = client.post(url, {})
        assert response.status_code == 200, url
        assert summary_problems(response.data) == [], url
        assert page_problems(response.data) == [], url


def test_the_weekly_log_is_one_column_without_tables(seed, started, login_as):
    page = login_as(seed.a.employer_user).get(log_url(started, THIS_WEEK)).data
    tree = lxml.html.document_fromstring(page)
    [form] = tree.xpath("//main//form")
    assert form.xpath(".//table") == []
    assert "werkbrug-one-column" in form.get("class")
    assert tree.xpath("//meta[@name='viewport']")
    # Every question is a fieldset with a legend or a labelled control, in reading order.
    assert len(form.xpath(".//fieldset")) == 6
    assert len(form.xpath(".//legend")) == 6


def test_a_non_taalstage_and_planned_placement_pages_are_clean(seed, frozen, login_as):
    request = factories.make_request(seed.a.workplace, code="proefplaatsing", created_by=seed.a.employer_user)
    placement = factories.make_placement(seed.a, request=request)
    db.session.commit()
    assert_clean(login_as(seed.a.municipal).get(f"/plaatsingen/{placement.id}"))
