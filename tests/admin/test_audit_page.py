"""The audit log page: the own municipality's events, newest first, in plain Dutch with the actor's name,
links to what the admin may open, and filters by person, kind and period."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
from markupsafe import escape

from portal import create_app
from portal.admin.logbook import ACTIONS, GROUPS, OBJECTS
from portal.core.audit import record
from portal.extensions import db
from portal.scheduler import job_ids
from tests.admin.conftest import HOSTILE_TEXT, T0

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def add_event(actor, action, obj=None, *, municipality_id, at):
    event = record(actor, action, obj, municipality_id=municipality_id)
    event.occurred_at = at
    db.session.flush()
    return event


def rows(html: str) -> list[list[str]]:
    """The text of each cell of each row of the events table."""
    tree = lxml.html.document_fromstring(html)
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in tree.xpath("//table//tbody/tr")
    ]


def test_audit_lists_own_events_newest_first_in_plain_dutch(seed, admin_a):
    a = seed.a.municipality.id
    add_event(seed.a.municipal, "employer.approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(None, "auth.login_failed", municipality_id=a, at=T0 + timedelta(hours=1))
    add_event(None, "alert.escalated", municipality_id=a, at=T0 + timedelta(hours=2))
    add_event(
        seed.b.municipal, "employer.rejected", seed.b.employer, municipality_id=seed.b.municipality.id, at=T0
    )
    page = admin_a.get("/beheer/logboek").get_data(as_text=True)
    found = rows(page)
    approved = next(r for r in found if r[2] == "Werkgever goedgekeurd")
    assert (
        approved[1] == f"{seed.a.municipal.full_name}: alleen wat deze persoon deed (Contactpersoon gemeente)"
    )
    assert approved[3] == f"Werkgever: {seed.a.employer.name}"
    assert ["Iemand die niet was ingelogd", "Inloggen mislukt"] in [r[1:3] for r in found]
    assert ["Systeem", "Signaal doorgestuurd naar beheer"] in [r[1:3] for r in found]
    assert found.index(next(r for r in found if r[2] == "Inloggen mislukt")) < found.index(approved)
    assert not any("employer.approved" in cell for row in found for cell in row)  # no codes
    assert "Aanmelding van werkgever afgewezen" not in [r[2] for r in found]  # another municipality's
    assert seed.b.municipal.full_name not in page


def test_the_object_links_to_its_page_when_the_admin_may_open_it(seed, admin_a, login_as):
    a = seed.a.municipality.id
    add_event(seed.a.municipal, "employer.approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(seed.a.admin, "user.deactivated", seed.a.jobcoach, municipality_id=a, at=T0)
    add_event(seed.a.municipal, "request.taken", seed.a.request, municipality_id=a, at=T0)
    tree = lxml.html.document_fromstring(admin_a.get("/beheer/logboek").get_data(as_text=True))
    employer = tree.xpath("//td//a[starts-with(normalize-space(), 'Werkgever: ')]")[0]
    assert employer.get("href") == f"/werkgevers/{seed.a.employer.id}"
    request_link = tree.xpath("//td//a[starts-with(normalize-space(), 'Aanvraag: ')]")[0]
    assert request_link.get("href") == f"/aanvragen/{seed.a.request.id}"
    cells = [" ".join(td.text_content().split()) for td in tree.xpath("//td")]
    assert f"Account: {seed.a.jobcoach.full_name}" in cells  # named, no page to open
    for link in (employer.get("href"), request_link.get("href")):
        assert admin_a.get(link).status_code == 200


def test_filter_by_person(seed, admin_a):
    a = seed.a.municipality.id
    add_event(seed.a.municipal, "employer.approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(seed.a.jobcoach, "visit.recorded", municipality_id=a, at=T0)
    page = admin_a.get("/beheer/logboek", query_string={"wie": seed.a.jobcoach.email}).get_data(as_text=True)
    assert [r[2] for r in rows(page)] == ["Werkplekbezoek vastgelegd"]
    # The name in a row leads to the same filter.
    name_part = seed.a.municipal.full_name.split()[0]
    page = admin_a.get("/beheer/logboek", query_string={"wie": name_part.upper()}).get_data(as_text=True)
    assert "Werkgever goedgekeurd" in page
    tree = lxml.html.document_fromstring(page)
    href = tree.xpath("//td//a[contains(@href, 'wie=')]/@href")[0]
    assert "Werkplekbezoek vastgelegd" not in [r[2] for r in rows(admin_a.get(href).get_data(as_text=True))]


def test_filter_by_kind_group_or_one_action(seed, admin_a):
    a = seed.a.municipality.id
    add_event(seed.a.admin, "user.created", seed.a.jobcoach, municipality_id=a, at=T0)
    add_event(seed.a.admin, "auth.login", municipality_id=a, at=T0)
    add_event(seed.a.admin, "employer.approved", seed.a.employer, municipality_id=a, at=T0)
    add_event(seed.a.admin, "user_x.weird", municipality_id=a, at=T0)
    group = rows(admin_a.get("/beheer/logboek?soort=accounts").get_data(as_text=True))
    # Also the admin's own login: the password, then the code.
    assert sorted({r[2] for r in group}) == ["Account gemaakt", "Ingelogd", "Inlogcode gegeven"]
    one = rows(admin_a.get("/beheer/logboek?soort=user.created").get_data(as_text=True))
    assert [r[2] for r in one] == ["Account gemaakt"]
    page = admin_a.get("/beheer/logboek").get_data(as_text=True)
    assert "user_x.weird" in page  # an unknown code is shown as it is
    tree = lxml.html.document_fromstring(page)
    groups = tree.xpath("//select[@id='soort']/optgroup/@label")
    assert groups == [label for label, _prefixes in GROUPS.values()]


def test_filter_by_period_in_dutch_days(seed, admin_a):
    a = seed.a.municipality.id
    # T0 is 2 March 2026 10:00 in Amsterdam; 23:30 UTC on 2 March is already 3 March in Amsterdam.
    add_event(seed.a.admin, "user.created", seed.a.jobcoach, municipality_id=a, at=T0)
    add_event(
        seed.a.admin, "user.activated", seed.a.jobcoach, municipality_id=a, at=T0.replace(hour=23, minute=30)
    )
    add_event(seed.a.admin, "user.deactivated", seed.a.jobcoach, municipality_id=a, at=T0 + timedelta(days=5))

    def shown(**period):
        return sorted(
            r[2] for r in rows(admin_a.get("/beheer/logboek", query_string=period).get_data(as_text=True))
        )

    assert shown(van="2026-03-02", tot="2026-03-02") == ["Account gemaakt"]
    assert shown(van="2026-03-03", tot="2026-03-31") == [
        "Account gedeactiveerd",
        "Account weer actief gemaakt",
    ]
    assert shown(tot="2026-03-03") == ["Account gemaakt", "Account weer actief gemaakt"]


def test_an_impossible_period_says_what_is_wrong_beside_the_field(seed, admin_a):
    page = admin_a.get("/beheer/logboek?van=2026-03-05&tot=2026-03-01").get_data(as_text=True)
    assert 'id="foutoverzicht"' in page
    assert "Kies een datum op of na de datum bij Van." in page
    assert 'value="2026-03-01"' in page  # what was typed stays
    page = admin_a.get("/beheer/logboek?van=gisteren").get_data(as_text=True)
    assert "Vul een datum in, zoals 2026-03-10." in page
    assert 'value="gisteren"' in page


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_hostile_filters_are_harmless(seed, admin_a, value):
    for name in ("wie", "soort", "van", "tot"):
        response = admin_a.get("/beheer/logboek", query_string={name: value})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page
    wildcard = admin_a.get("/beheer/logboek", query_string={"wie": "%"}).get_data(as_text=True)
    assert "0 gebeurtenissen gevonden." in wildcard
    shown = admin_a.get("/beheer/logboek", query_string={"wie": value[:100]}).get_data(as_text=True)
    assert str(escape(value[:100])) in shown


def test_audit_page_runs_a_bounded_number_of_queries(seed, admin_a, app, monkeypatch, count_queries):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    a = seed.a.municipality.id
    with count_queries() as few:
        admin_a.get("/beheer/logboek")
    actors = [seed.a.admin, seed.a.municipal, seed.a.jobcoach, seed.a.employer_user, None]
    objects = [seed.a.employer, seed.a.workplace, seed.a.request, seed.a.jobcoach, None]
    for n in range(30):
        add_event(
            actors[n % 5], f"test.event{n}", objects[n % 5], municipality_id=a, at=T0 + timedelta(minutes=n)
        )
    with count_queries() as many:
        page = admin_a.get("/beheer/logboek?page=2&soort=&wie=").get_data(as_text=True)
    assert many.count == few.count
    assert "test.event24" in page
    assert "test.event29" not in page
    filtered = admin_a.get("/beheer/logboek?van=2026-03-01&page=2").get_data(as_text=True)
    assert re.search(r'href="/beheer/logboek\?page=3&amp;van=2026-03-01"', filtered)


def _action_codes_in_portal() -> set[str]:
    """Every string in portal/ that looks like an action code (``word.word``)."""
    pattern = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")
    found = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and pattern.match(node.value):
                found.add(node.value)
    return found


#: Dotted strings in portal/ that are not audit actions (besides endpoints, job ids and foreign keys).
NOT_ACTIONS = {
    "candidates.import",  # a signing salt
    "common_passwords.txt",  # a file
    "core.watch_lock",  # the scheduler's own lock watcher
    "portal.access",  # a logger
    "portal.mail",  # a logger
    "scheduler.lock",  # a file
    "sqlalchemy.url",  # an Alembic option
    "werkbrug.invalid",  # an e-mail domain
}


def test_every_action_code_in_the_portal_has_a_dutch_description():
    app = create_app("testing")
    endpoints = set(app.view_functions)
    codes = {
        code
        for code in _action_codes_in_portal()
        if code not in endpoints
        and code not in job_ids()
        and not code.endswith(".id")
        and code not in NOT_ACTIONS
    }
    assert codes - set(ACTIONS) == set(), "add a Dutch description to portal/admin/logbook.py ACTIONS"
    assert {"auth.login", "auth.logout"} <= set(ACTIONS)  # also endpoint names, but recorded as actions
    assert set(ACTIONS) - codes - {"auth.login", "auth.logout"} == set(), "descriptions of codes nobody uses"
    prefixes = tuple(prefix for _label, group in GROUPS.values() for prefix in group)
    assert [code for code in ACTIONS if not code.startswith(prefixes)] == [], "codes in no filter group"


def test_every_object_type_has_a_dutch_name():
    from portal.models import Base

    models = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert set(OBJECTS) <= models
    recorded = models - {
        "AuditEvent",
        "CandidateVersion",
        "ChangeMark",
        "EndDecision",
        "LogReminder",
        "LoginFailure",
        "PasswordToken",
        "PlacementStatusChange",
        "SchedulerHeartbeat",
        "WeeklyLogVersion",
    }
    assert recorded - set(OBJECTS) == set()


def test_a_filter_with_a_control_character_is_harmless(seed, admin_a):
    """PostgreSQL refuses a NUL in a query: a person filter with invisible characters filters nothing."""
    add_event(seed.a.admin, "user.created", seed.a.jobcoach, municipality_id=seed.a.municipality.id, at=T0)
    response = admin_a.get("/beheer/logboek", query_string={"wie": "Beh\x00eer\x07"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "werkbrug-error-summary" in page
    assert "Account gemaakt" in page  # the refused filter filters nothing


@pytest.mark.parametrize(
    ("van", "tot"), [("0001-01-01", ""), ("", "9999-12-31"), ("1999-12-31", "2101-01-01")]
)
def test_a_period_far_in_the_past_or_future_gets_a_message(seed, admin_a, van, tot):
    response = admin_a.get("/beheer/logboek", query_string={"van": van, "tot": tot})
    assert response.status_code == 200
    assert "Kies een datum tussen 2000 en 2100." in response.get_data(as_text=True)
