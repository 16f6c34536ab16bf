"""The task list (/taken): whose tasks, order, overdue in words, no names, pagination, query count."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.extensions import db
from tests import factories
from tests.matching.conftest import make_site
from tests.tasks.conftest import text
from tests.test_accessibility import page_problems


def titles(
    page: str,
    candidates=(
        "Rooster delen",
        "Werkkleding regelen",
        "Bellen met de kandidaat",
        "Fiets laten maken",
        "Intakegesprek plannen",
        "Al gedaan",
        "Vervallen taak",
    ),
):
    """The task titles on the page, in the order they appear."""
    found = [(re.search(f">{title}[ <]", page), title) for title in candidates]
    return [title for match, title in sorted(found, key=lambda f: f[0].start() if f[0] else -1) if match]


def list_of(client) -> str:
    response = client.get("/taken")
    assert response.status_code == 200
    assert page_problems(response.data) == []
    return text(response)


def test_the_municipal_contact_sees_every_open_task_soonest_first(seed, tasks, login_as):
    page = list_of(login_as(seed.a.municipal))
    assert titles(page) == [
        "Rooster delen",
        "Fiets laten maken",
        "Bellen met de kandidaat",
        "Werkkleding regelen",
        "Intakegesprek plannen",
    ]
    assert page.count("Te laat") == 1
    assert page.index("Te laat") < page.index("Fiets laten maken")  # in the overdue row, not today's
    assert "Geen datum" in page
    assert page.count("Gedaan<span") == 6  # with the seed's task on tenant A's other placement


def test_other_municipal_staff_see_only_what_is_assigned_to_them(seed, tasks, login_as):
    colleague = factories.make_user("municipal", seed.a.municipality)
    db.session.commit()
    client = login_as(colleague)
    assert "U heeft geen open taken." in list_of(client)
    tasks["intake"].assignee_id = colleague.id
    db.session.commit()
    assert titles(list_of(client)) == ["Intakegesprek plannen"]


def test_the_jobcoach_sees_the_tasks_of_assigned_placements_only(seed, tasks, login_as):
    page = list_of(login_as(seed.a.jobcoach))
    assert titles(page) == [
        "Rooster delen",
        "Fiets laten maken",
        "Bellen met de kandidaat",
        "Werkkleding regelen",
        "Intakegesprek plannen",
    ]
    other = factories.make_user("jobcoach", seed.a.municipality)
    db.session.commit()
    assert "U heeft geen open taken." in list_of(login_as(other))


def test_the_employer_sees_only_the_employers_own_actions(seed, tasks, login_as):
    page = list_of(login_as(seed.a.employer_user))
    assert titles(page) == ["Rooster delen", "Werkkleding regelen"]
    assert "Intakegesprek" not in page
    assert "Te laat" in page
    other = make_site(seed.a)
    db.session.commit()
    assert "U heeft geen open taken." in list_of(login_as(other.user))


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal"])
def test_the_list_names_the_pseudonym_never_the_name_or_care(seed, tasks, login_as, role):
    candidate = tasks["late"].candidate_id
    from portal.candidates.models import Candidate

    person = db.session.get(Candidate, candidate)
    person.care_first = True
    db.session.commit()
    page = list_of(login_as(seed.a.user(role)))
    assert person.pseudonym in page
    for secret in (person.first_name, person.last_name, "Zorg gaat eerst", "Gaat goed."):
        assert secret not in page, secret


def test_other_tenants_tasks_never_show(seed, tasks, login_as):
    seed.b.placement.jobcoach_id = seed.b.jobcoach.id
    db.session.commit()
    for role in ("employer", "jobcoach", "municipal"):
        page = list_of(login_as(seed.b.user(role)))
        assert titles(page) == [], role
        assert "Werkrooster delen met de kandidaat" in page, role  # tenant B's own seed task


def test_tasks_become_overdue_as_the_clock_moves(seed, tasks, login_as, frozen):
    assert list_of(login_as(seed.a.employer_user)).count("Te laat") == 1
    frozen.move_to("2026-03-13T10:00:00+01:00", tick=False)
    assert list_of(login_as(seed.a.employer_user)).count("Te laat") == 2


def test_admins_have_no_task_list(seed, login_as):
    assert login_as(seed.a.admin).get("/taken").status_code == 403


def _many(seed, placement, n: int) -> None:
    for i in range(n):
        factories.make_task(placement, title=f"Taak {i:03d}", due_date=date(2026, 4, 1))
        other = factories.make_placement(seed.a, jobcoach_id=seed.a.jobcoach.id, status="onboarding")
        factories.make_task(other, title=f"Andere taak {i:03d}", due_date=date(2026, 4, 2))
    db.session.commit()


def test_the_list_is_paginated(seed, coached, login_as, app):
    _many(seed, coached, 20)
    client = login_as(seed.a.municipal)
    first = list_of(client)
    assert "Pagina 1 van 2" in first
    assert "Taak 000" in first
    assert "Andere taak" in first  # 20 + the seed's 1 = 21 due before the others
    second = text(client.get("/taken?page=2"))
    assert "Pagina 2 van 2" in second
    assert 'name="next" value="/taken?page=2"' in second
    assert client.get("/taken?page=abc").status_code == 200
    assert client.get("/taken?page=99999999999999999999").status_code == 200


@pytest.mark.parametrize("role", ["employer", "jobcoach", "municipal"])
def test_the_list_takes_a_fixed_number_of_queries(seed, coached, login_as, count_queries, role):
    client = login_as(seed.a.user(role))
    _many(seed, coached, 2)
    with count_queries() as few:
        client.get("/taken")
    _many(seed, coached, 30)
    with count_queries() as many:
        client.get("/taken")
    assert few.count == many.count
    assert many.count <= 6
