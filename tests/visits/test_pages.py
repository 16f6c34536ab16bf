"""The visits and agreements on the placement page: who sees what, structure, a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.visits.queries import placement_context
from tests import factories
from tests.test_accessibility import page_problems
from tests.visits.conftest import new_url, text

OBSERVATION = "Collega's leggen het werk geduldig uit."
RISK_REASON = "Reistijd van anderhalf uur per dag."
INTAKE = "Intakegesprek plannen na uitval"
STAFF_ONLY = "Met de huisarts praten over de rugklachten"


@pytest.fixture
def visited(seed, coached):
    """A high-risk visit with an employer action, a jobcoach action (staff only), one shown to the employer,
    a staff-only action of the candidate and a staff intake task; care first."""
    coached.candidate.care_first = True
    visit = factories.make_visit(
        coached,
        seed.a.jobcoach,
        visit_date=date(2026, 3, 9),
        duration_minutes=30,
        mode="video",
        spoken_with="candidate manager",
        observations=OBSERVATION,
        risk="high",
        risk_reason=RISK_REASON,
    )
    factories.make_task(coached, visit=visit, title="Rooster delen", due_date=date(2026, 3, 6))
    factories.make_task(coached, visit=visit, title="Bellen met de kandidaat", owner="jobcoach")
    factories.make_task(
        coached, visit=visit, title="Samen de werkplek bekijken", owner="jobcoach", visible_to_employer=True
    )
    factories.make_task(coached, visit=visit, title=STAFF_ONLY, owner="candidate")
    factories.make_task(
        coached, kind="intake", title=INTAKE, owner="municipal", assignee_id=seed.a.municipal.id
    )
    db.session.commit()
    return visit


def page_of(client, placement) -> str:
    response = client.get(f"/plaatsingen/{placement.id}")
    assert response.status_code == 200
    assert page_problems(response.data) == []
    return text(response)


def test_the_employer_sees_the_visit_but_never_observations_risk_or_care(seed, visited, login_as):
    page = page_of(login_as(seed.a.employer_user), visited_placement(visited))
    for words in (
        "Werkplekbezoeken",
        "Bezoek op 9 maart 2026",
        "Videogesprek",
        "30 minuten",
        "Gesproken met: Kandidaat, Leidinggevende",
    ):
        assert words in page, words
    secrets = (OBSERVATION, RISK_REASON, "Risico", "Hoog", "Zorg gaat eerst", INTAKE, "Intakegesprek")
    for secret in (*secrets, STAFF_ONLY, "huisarts", "Bellen met de kandidaat", "Wie leest het"):
        assert secret not in page, secret
    assert "Rooster delen" in page
    assert "Samen de werkplek bekijken" in page
    assert "Te laat" in page  # due 6 March, today is 10 March
    assert "Bezoek vastleggen" not in page
    # The employer marks only the employer's own action done.
    assert page.count("Gedaan<span") == 1


@pytest.mark.parametrize("role", ["jobcoach", "municipal"])
def test_staff_see_observations_and_risk_with_its_reason(seed, visited, login_as, role):
    page = page_of(login_as(seed.a.user(role)), visited_placement(visited))
    assert OBSERVATION in page
    assert f"Hoog: {RISK_REASON}" in page
    assert INTAKE in page
    assert STAFF_ONLY in page
    assert page.count("Gedaan<span") == 5
    assert page.count("Alleen jobcoach en gemeente") == 3
    assert page.count("Ook de werkgever") == 2
    assert "Bevestigen dat dit bezoek is geweest" not in page
    assert ("Bezoek vastleggen" in page) == (role == "jobcoach")


def test_the_jobcoach_never_sees_the_care_flag(seed, visited, login_as):
    page = page_of(login_as(seed.a.jobcoach), visited_placement(visited))
    assert "Zorg gaat eerst" not in page


def test_attempted_contact_and_no_visits_yet_are_said_in_words(seed, coached, login_as):
    client = login_as(seed.a.jobcoach)
    page = page_of(client, coached)
    assert "Er is nog geen werkplekbezoek vastgelegd." in page
    assert "Er zijn nog geen afspraken." in page
    assert f'href="{new_url(coached)}"' in page
    factories.make_visit(coached, seed.a.jobcoach, contact_made=False, spoken_with="")
    db.session.commit()
    assert "Alleen geprobeerd: niemand gesproken" in page_of(client, coached)


def test_no_record_button_on_an_ended_placement(seed, coached, login_as):
    coached.status = "closed"
    db.session.commit()
    assert "Bezoek vastleggen" not in page_of(login_as(seed.a.jobcoach), coached)


def visited_placement(visit):
    from portal.placements.models import Placement

    return db.session.get(Placement, visit.placement_id)


def test_the_context_takes_a_fixed_number_of_queries(seed, coached, count_queries):
    def queries_for(n: int) -> int:
        for _ in range(n):
            visit = factories.make_visit(coached, factories.make_user("jobcoach", seed.a.municipality))
            visit.confirmed_by_id = seed.a.employer_user.id
            factories.make_task(coached, visit=visit, assignee_id=seed.a.municipal.id)
        db.session.commit()
        db.session.expire_all()
        placement = visited_placement(visit)
        with count_queries() as counter:
            context = placement_context(placement, seed.a.municipal)
        assert len(context["visits"]) >= n
        return counter.count

    assert queries_for(1) == queries_for(12)


def test_the_context_leaves_staff_tasks_out_for_employers(seed, visited):
    placement = visited_placement(visited)
    employer = placement_context(placement, seed.a.employer_user)
    staff = placement_context(placement, seed.a.municipal)
    assert [t.title for t in employer["tasks"]] == ["Rooster delen", "Samen de werkplek bekijken"]
    assert {INTAKE, STAFF_ONLY, "Bellen met de kandidaat"} <= {t.title for t in staff["tasks"]}
    assert employer["may_record"] is False
    assert placement_context(placement, seed.a.jobcoach)["may_record"] is True
    assert {t.title for t in employer["tasks"] if t.id in employer["completable"]} == {"Rooster delen"}
